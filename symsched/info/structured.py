"""Exact entropy profiles that exploit a model's structure instead of enumerating 2^N subsets.

Markov chains (any state counts, non-homogeneous)
    For ``T = {t_1 < ... < t_m}``, ``H(X_T) = H(X_{t_1}) + sum_k H(X_{t_{k+1}} | X_{t_k})``.  Summing
    over the subsets of size ``j`` (0-indexed positions, N tokens)::

        S_j = sum_a H(X_a) C(N-1-a, j-1) + sum_{d>=1} C(N-1-d, j-2) sum_a H(X_{a+d} | X_a)

    because a subset whose first element is ``a`` picks its ``j-1`` others after ``a``, and a pair
    ``a < b`` is consecutive in ``T`` when the other ``j-2`` elements avoid ``(a, b)``: they come from the
    ``a + (N-1-b) = N-1-d`` positions outside.  O(N^2) conditional entropies in all.
Exchangeable models
    ``H(X_T)`` depends on ``|T|`` only: ``e_j = H(X_1..X_j)`` from the model's ``prefix_law``.
Independent tokens
    ``e_j = (j/N) sum_i H(X_i)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import gammaln

from ..arithmetic import Arithmetic
from ..arithmetic import arithmetic

__all__ = ["chain_entropy_profile", "exchangeable_entropy_profile", "product_entropy_profile"]


def _row_entropies(matrices: np.ndarray) -> np.ndarray:
    """Entropy (nats) of every row of a stack of float stochastic matrices, shape (..., q, r) -> (..., q)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(matrices > 0, matrices * np.log(np.where(matrices > 0, matrices, 1.0)), 0.0)
    return -terms.sum(axis=-1)


def _chain_float(init: np.ndarray, transitions: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Marginal entropies ``H_a`` and gap sums ``D_d = sum_a H(X_{a+d}|X_a)`` in float64, vectorised over a."""
    n = len(transitions) + 1
    marg = [np.asarray(init, dtype=float)]
    for T in transitions:
        marg.append(marg[-1] @ T)
    h_single = np.array([-(m[m > 0] * np.log(m[m > 0])).sum() for m in marg])
    gap = np.zeros(n)
    if all(T.shape == transitions[0].shape for T in transitions) and transitions[0].shape[0] == transitions[0].shape[1]:
        # P[a] holds the product T_a ... T_{b-1} for every start a < b, advanced one step at a time.
        q = transitions[0].shape[0]
        P = np.empty((0, q, q))
        M = np.stack(marg)  # (n, q)
        for b in range(1, n):
            T = transitions[b - 1]
            P = np.concatenate([P, np.eye(q)[None]], axis=0) @ T
            cond = (M[:b] * _row_entropies(P)).sum(axis=1)  # H(X_b | X_a) for a = 0..b-1
            gap[b - np.arange(b)] += cond
    else:
        for a in range(n - 1):
            P = np.eye(len(marg[a]))
            for b in range(a + 1, n):
                P = P @ transitions[b - 1]
                gap[b - a] += float(marg[a] @ _row_entropies(P))
    return h_single, gap


def _chain_exact(init: np.ndarray, transitions: list[np.ndarray], arith: Arithmetic) -> tuple[list, list]:
    n = len(transitions) + 1
    Ts = [arith.array(T, f"transition matrix {k + 1}") for k, T in enumerate(transitions)]
    marg = [arith.array(init, "initial distribution")]
    with arith.workprec():
        for T in Ts:
            marg.append(np.dot(marg[-1], T))
        h_single = [arith.entropy(m) for m in marg]
        gap: list = [[] for _ in range(n)]
        for a in range(n - 1):
            P = None
            for b in range(a + 1, n):
                P = Ts[b - 1] if P is None else np.dot(P, Ts[b - 1])
                gap[b - a].append(arith.sum(marg[a][x] * arith.entropy(P[x]) for x in range(P.shape[0])
                                            if not arith.is_zero(marg[a][x])))
        return h_single, [arith.sum(g) for g in gap]


def _log_binom(n: np.ndarray, k: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        out = gammaln(n + 1.0) - gammaln(k + 1.0) - gammaln(n - k + 1.0)
    return np.where((k >= 0) & (k <= n), out, -np.inf)


def chain_entropy_profile(init: Any, transitions: list, arith: Arithmetic) -> list:
    """``e_0..e_N`` of a Markov chain in O(N^2) (see the module docstring for the counting)."""
    n = len(transitions) + 1
    if arith.precision == "float" and arith.base is None:
        h_single, gap = _chain_float(np.asarray(init, dtype=float), [np.asarray(T, dtype=float) for T in transitions])
        e = [0.0]
        a = np.arange(n, dtype=float)
        d = np.arange(1, n, dtype=float)
        for j in range(1, n + 1):
            log_total = _log_binom(np.float64(n), np.float64(j))
            w1 = np.exp(_log_binom(n - 1 - a, np.full_like(a, j - 1)) - log_total)
            w2 = np.exp(_log_binom(n - 1 - d, np.full_like(d, j - 2)) - log_total)
            e.append(float(w1 @ h_single + w2 @ gap[1:]))
        return e
    if arith.precision == "float":  # another base: compute in nats, then convert once

        nats = chain_entropy_profile(init, transitions, arithmetic("float"))
        scale = arith.log(np.e)
        return [x * scale for x in nats]
    h_single, gap = _chain_exact(init, transitions, arith)
    with arith.workprec():
        e = [arith.zero]
        for j in range(1, n + 1):
            total = arith.sum([h_single[a] * arith.binomial(n - 1 - a, j - 1) for a in range(n)] +
                              [gap[dd] * arith.binomial(n - 1 - dd, j - 2) for dd in range(1, n)])
            e.append(total / arith.binomial(n, j))
        return e


def exchangeable_entropy_profile(model: Any, arith: Arithmetic) -> list:
    """``e_j = H(X_1..X_j)`` from ``model.prefix_law(j, arith)``."""
    e = []
    with arith.workprec():
        for j in range(model.N + 1):
            law = model.prefix_law(j, arith)
            if j == 0:
                e.append(arith.zero)
                continue
            e.append(arith.sum(arith.convert(m) * term for m, term in
                               ((m, -p * arith.log(p)) for m, p in law)))
    return e


def product_entropy_profile(model: Any, arith: Arithmetic) -> list:
    """``e_j = (j/N) sum_i H(X_i)`` for independent tokens."""
    n = model.N
    with arith.workprec():
        total = arith.sum(arith.entropy(arith.array(m, f"marginal {i + 1}")) for i, m in enumerate(model.marginals))
        return [total * arith.convert(j) / arith.convert(n) for j in range(n + 1)]
