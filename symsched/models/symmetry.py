"""Distribution-preserving automorphisms of graphical models.

A permutation ``pi`` of token positions counts only if it maps the joint pmf onto itself.  For a
Bayesian network we keep the DAG automorphisms that map every CPD onto an equal CPD (parent axes
permuted according to the mapping); for a Markov random field, the graph automorphisms that map the
product of the factors on every scope onto an equal table.  These sets are groups (closed under
composition and inverse), and each element preserves the joint.  They may be proper subgroups of the
full symmetry group of the pmf (e.g. the reversal of a stationary Markov chain is not a DAG
automorphism), which is still correct for merging orbits of subsets.

This module imports no model class: each model's ``distribution_automorphisms`` method calls the
matcher here (so ``bayesian``/``markov`` -> ``symmetry``, never back).  Enumeration is capped at
``max_candidates`` graph automorphisms; a subset of a group is not a group,
so when the cap is hit only the identity is returned (always correct, no savings).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence

import networkx as nx
import numpy as np
import sympy as sp
from networkx.algorithms.isomorphism import DiGraphMatcher, GraphMatcher

from .table import as_model

__all__ = ["distribution_automorphisms", "graph_automorphisms", "bn_automorphisms", "mrf_automorphisms",
           "MAX_CANDIDATES"]

#: Default cap on the number of graph automorphisms examined.
MAX_CANDIDATES = 10_000


def _entry_key(x: Any) -> str:
    if isinstance(x, (float, int, np.floating, np.integer)) and not isinstance(x, bool):
        try:
            return repr(float(x))
        except OverflowError:  # an exact integer beyond the float range
            return str(int(x))
    if isinstance(x, Fraction):
        return str(sp.Rational(x.numerator, x.denominator))
    return str(sp.sympify(x))


def _entries_equal(x: Any, y: Any) -> bool:
    """Exact equality; symbolic entries are compared by simplifying their difference."""
    num = (float, int, np.floating, np.integer)
    if isinstance(x, num) and isinstance(y, num):
        return bool(x == y)  # Python compares ints and floats exactly
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


def graph_automorphisms(nodes: Sequence[Hashable], edges: Iterable[tuple], directed: bool, node_key: Mapping,
                        edge_key: Mapping, accept: Callable[[dict], bool],
                        max_candidates: int = MAX_CANDIDATES) -> list[tuple[int, ...]]:
    """The automorphisms of a (di)graph that preserve node and edge keys and pass ``accept``, as position tuples.

    The one matcher of the package: it builds its own labelled copy of the structure, so the caller's
    graph is never touched (no attribute stamped on it, even temporarily).  ``edge_key`` maps an edge
    ``(u, v)`` to its key (missing: ``None``; undirected edges are looked up in both orientations).
    Past ``max_candidates`` graph automorphisms only the identity is returned (a subset of a group is
    not a group; the identity alone is always correct).
    """
    nodes = list(nodes)
    pos = {v: i for i, v in enumerate(nodes)}
    g = nx.DiGraph() if directed else nx.Graph()
    g.add_nodes_from((v, {"key": node_key.get(v)}) for v in nodes)
    for u, v in edges:
        key = edge_key.get((u, v), edge_key.get((v, u)) if not directed else None)
        g.add_edge(u, v, key=key)
    matcher = (DiGraphMatcher if directed else GraphMatcher)(
        g, g, node_match=lambda a, b: a["key"] == b["key"], edge_match=lambda a, b: a["key"] == b["key"])
    found = []
    for count, m in enumerate(matcher.isomorphisms_iter(), start=1):
        if count > max_candidates:
            return [tuple(range(len(nodes)))]
        if accept(m):
            found.append(tuple(pos[m[v]] for v in nodes))
    return sorted(found)


def bn_automorphisms(bn, max_candidates: int = MAX_CANDIDATES) -> list[tuple[int, ...]]:
    """DAG automorphisms of a Bayesian network that map every CPD onto an equal CPD."""
    bn.check_complete()
    variables = bn.variables
    pos = {v: i for i, v in enumerate(variables)}
    node_key = {}
    for v in variables:
        parents, t = bn.cpd(v)
        node_key[v] = (len(bn.states(v)), len(parents), _multiset_key(t))

    def accept(m: dict) -> bool:
        for v in variables:
            pv, tv = bn.cpd(v)
            pw, tw = bn.cpd(m[v])
            mapped = [m[p] for p in pv]
            if sorted(map(pos.get, mapped)) != sorted(map(pos.get, pw)):
                return False
            # axis a of tv (parent pv[a]) corresponds to axis pw.index(m[pv[a]]) of tw
            perm = [mapped.index(p) for p in pw] + [len(pv)]
            if not _tables_equal(np.transpose(tv, perm), tw):
                return False
        return True

    return graph_automorphisms(variables, bn.edges, True, node_key, {}, accept, max_candidates)


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


def mrf_automorphisms(mrf, max_candidates: int = MAX_CANDIDATES) -> list[tuple[int, ...]]:
    """Graph automorphisms of a Markov random field that map the product of the factors on every scope
    onto an equal table."""
    variables = mrf.variables
    pos = {v: i for i, v in enumerate(variables)}
    merged = _merged_factors(mrf)

    def scope_sorted(scope):
        return sorted(scope, key=pos.get)

    node_key = {v: (len(mrf.states(v)), _multiset_key(merged[frozenset([v])]) if frozenset([v]) in merged else None)
                for v in variables}
    edge_key = {(u, v): _multiset_key(merged[frozenset((u, v))]) if frozenset((u, v)) in merged else None
                for u, v in mrf.edges}

    def accept(m: dict) -> bool:
        for scope, t in merged.items():
            image = frozenset(m[v] for v in scope)
            if image not in merged:
                return False
            src = scope_sorted(scope)          # axes of t
            dst = scope_sorted(image)          # axes of the image table
            # axis k of the image table is variable dst[k] = m[src[a]] for a = perm[k]
            inv = {m[v]: a for a, v in enumerate(src)}
            perm = [inv[w] for w in dst]
            if not _tables_equal(np.transpose(t, perm), merged[image]):
                return False
        return True

    return graph_automorphisms(variables, mrf.edges, False, node_key, edge_key, accept, max_candidates)


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
    return as_model(model, "distribution_automorphisms", tables=False).distribution_automorphisms(
        max_candidates=max_candidates)
