"""Marginal probabilities ``p(x_A)`` without the joint table: variable elimination and HMM forward passes.

Used by Monte Carlo estimation on models too large to enumerate (the bnlearn networks, long HMMs).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import networkx as nx
import numpy as np

from ...errors import ModelTooLargeError

__all__ = ["eliminate", "bn_log_marginal", "hmm_log_marginal"]


def eliminate(factors: Sequence[tuple[tuple[int, ...], np.ndarray]], evidence: Mapping[int, int],
              keep: int | None = None, max_entries: float | None = None):
    """``sum over non-evidence variables of prod factors``, evidence fixed, by greedy min-size elimination.

    Parameters
    ----------
    factors : sequence of (variable indices, float array with one axis per index, in that order)
    evidence : mapping variable index -> state index
    keep : int, optional
        A variable left un-summed: the result is then the vector over its states (unnormalised
        ``p(x_keep, evidence)``); some factor must mention it.
    max_entries : float, optional
        Budget on the entries of any intermediate factor; checked before each one is built
        (``ModelTooLargeError`` with its size).

    Examples
    --------
    >>> import numpy as np
    >>> f = [((0,), np.array([0.3, 0.7])), ((0, 1), np.array([[0.9, 0.1], [0.2, 0.8]]))]
    >>> round(eliminate(f, {1: 1}), 12)  # p(X1 = 1) = 0.3*0.1 + 0.7*0.8
    0.59
    """
    work: list[tuple[tuple[int, ...], np.ndarray]] = []
    scalar = 1.0
    for vars_, arr in factors:
        idx = tuple(evidence[v] if v in evidence else slice(None) for v in vars_)
        arr = np.asarray(arr, dtype=float)[idx]
        rest = tuple(v for v in vars_ if v not in evidence)
        if rest:
            work.append((rest, arr))
        else:
            scalar *= float(arr)
    while any(v != keep for vars_, _ in work for v in vars_):
        sizes: dict[int, dict[int, int]] = {}
        for vars_, arr in work:
            for v, _c in zip(vars_, arr.shape):
                if v != keep:
                    sizes.setdefault(v, {}).update({u: arr.shape[k] for k, u in enumerate(vars_)})
        # eliminate the variable whose merged factor is smallest
        var = min(sizes, key=lambda v: (math.prod(sizes[v].values()), v))
        if max_entries is not None and math.prod(sizes[var].values()) > max_entries:
            raise ModelTooLargeError(f"variable elimination (summing out variable {var})",
                                     math.prod(sizes[var].values()), max_entries,
                                     "raise max_entries, or use a model with smaller cliques")
        touching = [(vs, a) for vs, a in work if var in vs]
        work = [(vs, a) for vs, a in work if var not in vs]
        out_vars = tuple(sorted({u for vs, _ in touching for u in vs} - {var}))
        operands = []
        for vs, a in touching:
            operands += [a, list(vs)]
        merged = np.einsum(*operands, list(out_vars)) if _einsum_ok(touching, out_vars) else \
            _merge_slow(touching, out_vars, var)
        if out_vars:
            work.append((out_vars, merged))
        else:
            scalar *= float(merged)
    if keep is None:
        return scalar
    if not work:
        raise ValueError(f"eliminate: no factor mentions the kept variable {keep}")
    vector = work[0][1]
    for _, a in work[1:]:  # every remaining factor is over (keep,) alone
        vector = vector * a
    return scalar * vector


def _einsum_ok(touching, out_vars) -> bool:
    labels = {u for vs, _ in touching for u in vs}
    return all(0 <= u < 52 for u in labels)


def _merge_slow(touching, out_vars, var):
    """einsum with labels remapped to 0..51 (numpy's sublist limit)."""
    labels = sorted({u for vs, _ in touching for u in vs})
    remap = {u: k for k, u in enumerate(labels)}
    operands = []
    for vs, a in touching:
        operands += [a, [remap[u] for u in vs]]
    return np.einsum(*operands, [remap[u] for u in out_vars])


def bn_log_marginal(model, factors, evidence: Mapping[int, int]) -> float:
    """``log p(x_A)`` for a Bayesian network: only the ancestors of ``A`` matter (barren nodes sum to one)."""
    names = model.variables
    keep = set(evidence)
    for v in list(evidence):
        keep |= {model.index_of(a) for a in nx.ancestors(model, names[v])}
    relevant = [(vs, a) for vs, a in factors if vs[-1] in keep]
    p = eliminate(relevant, evidence)
    return float(np.log(p)) if p > 0 else -np.inf


def hmm_log_marginal(model, evidence: Mapping[int, int]) -> float:
    """``log p(x_A)`` for a hidden Markov model by a scaled forward pass (unobserved emissions sum to one)."""
    alpha = np.asarray(model.initial_distribution, dtype=float)
    trans = [np.asarray(T, dtype=float) for T in model.transition_matrices]
    emis = [np.asarray(E, dtype=float) for E in model.emission_matrices]
    log_p = 0.0
    for t in range(model.N):
        if t > 0:
            alpha = alpha @ trans[t - 1]
        if t in evidence:
            alpha = alpha * emis[t][:, evidence[t]]
            s = alpha.sum()
            if s <= 0:
                return -np.inf
            log_p += np.log(s)
            alpha = alpha / s
    return float(log_p)
