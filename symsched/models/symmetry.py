"""Distribution-preserving automorphisms of graphical models.

A permutation ``pi`` of token positions counts only if it maps the joint pmf onto itself.  For a
Bayesian network we keep the DAG automorphisms that map every CPD onto an equal CPD (parent axes
permuted according to the mapping); for a Markov random field, the graph automorphisms that map the
product of the factors on every scope onto an equal table.  These sets are groups (closed under
composition and inverse), and each element preserves the joint.  They may be proper subgroups of the
full symmetry group of the pmf (e.g. the reversal of a stationary Markov chain is not a DAG
automorphism), which is still correct for merging orbits of subsets.

Enumeration is capped at ``max_candidates`` graph automorphisms; a subset of a group is not a group,
so when the cap is hit only the identity is returned (always correct, no savings).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp
from networkx.algorithms.isomorphism import DiGraphMatcher, GraphMatcher

__all__ = ["distribution_automorphisms", "MAX_CANDIDATES"]

#: Default cap on the number of graph automorphisms examined.
MAX_CANDIDATES = 10_000


def _entry_key(x: Any) -> str:
    if isinstance(x, (float, int, np.floating, np.integer)) and not isinstance(x, bool):
        return repr(float(x))
    if isinstance(x, Fraction):
        return str(sp.Rational(x.numerator, x.denominator))
    return str(sp.sympify(x))


def _entries_equal(x: Any, y: Any) -> bool:
    """Exact equality; symbolic entries are compared by simplifying their difference."""
    num = (float, int, np.floating, np.integer)
    if isinstance(x, num) and isinstance(y, num):
        return float(x) == float(y)
    if _entry_key(x) == _entry_key(y):
        return True
    if isinstance(x, (float, np.floating)) or isinstance(y, (float, np.floating)):
        return False  # a float equals an exact value only if the keys matched
    try:
        return sp.simplify(sp.sympify(x) - sp.sympify(y)) == 0
    except (TypeError, ValueError, sp.SympifyError):  # pragma: no cover - exotic entries
        return False


def _tables_equal(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape:
        return False
    if a.dtype != object and b.dtype != object:
        return bool(np.array_equal(a, b))
    return all(_entries_equal(x, y) for x, y in zip(a.ravel(), b.ravel()))


def _multiset_key(t: np.ndarray) -> tuple:
    return tuple(sorted(_entry_key(x) for x in t.ravel()))


def _bn_automorphisms(bn, max_candidates: int) -> list[tuple[int, ...]]:
    bn.check_complete()
    variables = bn.variables
    pos = {v: i for i, v in enumerate(variables)}
    for v in variables:
        parents, t = bn.cpd(v)
        bn._node[v]["_sym_key"] = (len(bn.states(v)), len(parents), _multiset_key(t))
    try:
        matcher = DiGraphMatcher(bn, bn, node_match=lambda a, b: a["_sym_key"] == b["_sym_key"])
        found, count = [], 0
        for m in matcher.isomorphisms_iter():
            count += 1
            if count > max_candidates:
                return [tuple(range(len(variables)))]
            ok = True
            for v in variables:
                w = m[v]
                pv, tv = bn.cpd(v)
                pw, tw = bn.cpd(w)
                mapped = [m[p] for p in pv]
                if sorted(map(pos.get, mapped)) != sorted(map(pos.get, pw)):
                    ok = False
                    break
                # axis a of tv (parent pv[a]) corresponds to axis pw.index(m[pv[a]]) of tw
                perm = [mapped.index(p) for p in pw] + [len(pv)]
                if not _tables_equal(np.transpose(tv, perm), tw):
                    ok = False
                    break
            if ok:
                found.append(tuple(pos[m[v]] for v in variables))
    finally:
        for v in variables:
            bn._node[v].pop("_sym_key", None)
    return sorted(found)


def _merged_factors(mrf) -> dict:
    """Product of the factors per scope, the scope as a frozenset; tables with axes in token order."""
    pos = {v: i for i, v in enumerate(mrf.variables)}
    merged: dict = {}
    for vs, t in mrf.factor_list:
        order = sorted(range(len(vs)), key=lambda a: pos[vs[a]])
        t = np.transpose(t, order)
        key = frozenset(vs)
        merged[key] = t if key not in merged else merged[key] * t
    return merged


def _mrf_automorphisms(mrf, max_candidates: int) -> list[tuple[int, ...]]:
    variables = mrf.variables
    pos = {v: i for i, v in enumerate(variables)}
    merged = _merged_factors(mrf)

    def scope_sorted(scope):
        return sorted(scope, key=pos.get)

    node_key = {v: (len(mrf.states(v)), _multiset_key(merged[frozenset([v])]) if frozenset([v]) in merged else None)
                for v in variables}
    edge_key = {}
    for u, v in mrf.edges:
        s = frozenset((u, v))
        edge_key[s] = _multiset_key(merged[s]) if s in merged else None
    for v in variables:
        mrf._node[v]["_sym_key"] = node_key[v]
    for u, v in mrf.edges:
        mrf._adj[u][v]["_sym_key"] = edge_key[frozenset((u, v))]
    try:
        matcher = GraphMatcher(mrf, mrf, node_match=lambda a, b: a["_sym_key"] == b["_sym_key"],
                               edge_match=lambda a, b: a["_sym_key"] == b["_sym_key"])
        found, count = [], 0
        for m in matcher.isomorphisms_iter():
            count += 1
            if count > max_candidates:
                return [tuple(range(len(variables)))]
            ok = True
            for scope, t in merged.items():
                image = frozenset(m[v] for v in scope)
                if image not in merged:
                    ok = False
                    break
                src = scope_sorted(scope)          # axes of t
                dst = scope_sorted(image)          # axes of the image table
                # axis k of the image table is variable dst[k] = m[src[a]] for a = perm[k]
                inv = {m[v]: a for a, v in enumerate(src)}
                perm = [inv[w] for w in dst]
                if not _tables_equal(np.transpose(t, perm), merged[image]):
                    ok = False
                    break
            if ok:
                found.append(tuple(pos[m[v]] for v in variables))
    finally:
        for v in variables:
            mrf._node[v].pop("_sym_key", None)
        for u, v in mrf.edges:
            mrf._adj[u][v].pop("_sym_key", None)
    return sorted(found)


def distribution_automorphisms(model, max_candidates: int = MAX_CANDIDATES) -> list[tuple[int, ...]]:
    """Permutations of token positions that preserve the joint pmf (a group, containing the identity).

    ``pi[i]`` is the image of position ``i``; ``np.transpose(model.joint(), inverse(pi))`` equals the
    joint.  Bayesian networks and Markov random fields get their parameter-preserving graph
    automorphisms; every other model gets the identity (exchangeable families: use ``prefix_law``).

    Examples
    --------
    >>> import networkx as nx
    >>> from symsched.models.markov import ising
    >>> len(distribution_automorphisms(ising(nx.cycle_graph(5), 0.3)))
    10
    """
    from .bayesian import BayesianNetwork
    from .markov import MarkovRandomField

    if isinstance(model, BayesianNetwork):
        return _bn_automorphisms(model, max_candidates)
    if isinstance(model, MarkovRandomField):
        return _mrf_automorphisms(model, max_candidates)
    return [tuple(range(model.N))]
