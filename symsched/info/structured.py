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

import math
from typing import Any

import numpy as np
from scipy.special import gammaln

from ..arithmetic import Arithmetic
from ..arithmetic import arithmetic
from ..arithmetic import to_float
from ..errors import ModelTooLargeError, format_count
from ..models.families import ProductModel

__all__ = ["chain_entropy_profile", "exchangeable_entropy_profile", "exchangeable_information_float",
           "exchangeable_profiles", "exchangeable_cost", "product_profiles", "product_entropy_profile"]


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
    if n == 1:  # one token: no transitions to decompose
        return [arith.zero, arith.entropy(arith.array(init, "initial distribution"))]
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


def exchangeable_cost(model: Any) -> int:
    """Elementary operations of the exchangeable route: every reachable symbol-count vector of every prefix
    length (``model.count_vectors()``, at most ``C(N + q, q)``), times ``q`` predictive probabilities
    (times the mixture's components)."""
    comps = len(getattr(model, "weights", ())) or 1
    return model.count_vectors() * model.q * comps


def _check_exchangeable_cost(model: Any, arith: Arithmetic, budget: float | None) -> None:
    if isinstance(model, ProductModel) or budget is None:
        return
    cost = exchangeable_cost(model)
    if cost > budget:
        raise ModelTooLargeError(
            f"exact information profile of {type(model).__name__} with N={model.N}, q={model.q} (exchangeable "
            f"route: {format_count(model.count_vectors())} symbol-count vectors, "
            f"precision={arith.precision!r})", cost, budget,
            'use fewer states or tokens, information_profile(model, method="montecarlo", stderr=...), '
            "or raise max_cost")


def exchangeable_information_float(model: Any) -> list[float]:
    """``h_0..h_{N-1}`` (nats) of an exchangeable model in float64, each computed directly.

    ``h_j = H(X_{j+1} | X_1..X_j) = sum_c P(counts_j = c) H(r(c))`` with ``r(c)`` the predictive law of
    the next token (``model.float_predictive``).  The law of the counts is propagated forward
    (``P(c + e_s) += P(c) r_s(c)``): only sums of non-negative terms, no difference of ``O(N)``-sized
    entropies, so every ``h_j`` keeps ~1e-13 relative accuracy up to thousands of tokens.
    """
    n, q = model.N, model.q
    if q == 2:
        return _binary_exchangeable_float(model)
    counts = np.zeros((1, q), dtype=np.int64)
    law = np.ones(1)
    h = []
    for j in range(n):
        r = np.clip(model.float_predictive(counts), 0.0, 1.0)
        h.append(float(np.sum(law * _row_entropies(r))))  # pairwise summation of non-negative terms
        if j == n - 1:
            break
        # children c + e_s, merged by a code of the counts
        child = (counts[:, None, :] + np.eye(q, dtype=np.int64)[None, :, :]).reshape(-1, q)
        mass = (law[:, None] * r).reshape(-1)
        code = child @ (np.int64(j + 2) ** np.arange(q, dtype=np.int64))
        uniq, first, inv = np.unique(code, return_index=True, return_inverse=True)
        law = np.bincount(inv.ravel(), weights=mass, minlength=len(uniq))
        counts = child[first]
        keep = law > 0  # count vectors the law cannot reach (copy model: all but q) carry no weight
        law, counts = law[keep], counts[keep]
    return h


def _binary_exchangeable_float(model: Any) -> list[float]:
    """The binary case of :func:`exchangeable_information_float`: the count vectors of length ``j`` are
    ``(j - k, k)`` for ``k = 0..j``, so the law of the counts is one array shifted and added."""
    n = model.N
    law = np.ones(1)
    h = []
    for j in range(n):
        k = np.arange(j + 1, dtype=np.int64)
        r = np.clip(model.float_predictive(np.stack([j - k, k], axis=1)), 0.0, 1.0)
        h.append(float(np.sum(law * _row_entropies(r))))  # pairwise summation of non-negative terms
        if j < n - 1:
            nxt = np.zeros(j + 2)
            nxt[:-1] += law * r[:, 0]
            nxt[1:] += law * r[:, 1]
            law = nxt
    return h


def exchangeable_profiles(model: Any, arith: Arithmetic, budget: float | None = None) -> tuple[list, list | None]:
    """``(e_0..e_N, h_0..h_{N-1} or None)`` of an exchangeable model.

    Floats: ``h`` computed directly (:func:`exchangeable_information_float`) and ``e`` its running sums;
    mpmath / symbolic: ``e_j = H(X_1..X_j)`` from ``model.prefix_law(j, arith)`` and ``h`` None (take
    differences at the working precision).  Independent tokens take the O(N) product route.
    ``budget`` (elementary operations) refuses models with too many symbol-count vectors
    (``ModelTooLargeError`` with the estimate).
    """
    if isinstance(model, ProductModel):
        return product_profiles(model, arith)
    _check_exchangeable_cost(model, arith, budget)
    if arith.precision == "float":
        h = exchangeable_information_float(model)
        if arith.base is not None:
            scale = math.log(to_float(arith.base, "base"))
            h = [x / scale for x in h]
        e, acc = [0.0], 0.0
        for x in h:
            acc += x
            e.append(acc)
        return e, h
    e = []
    with arith.workprec():
        for j in range(model.N + 1):
            law = model.prefix_law(j, arith)
            if j == 0:
                e.append(arith.zero)
                continue
            e.append(arith.sum(arith.convert(m) * term for m, term in
                               ((m, -p * arith.log(p)) for m, p in law)))
    return e, None


def exchangeable_entropy_profile(model: Any, arith: Arithmetic, budget: float | None = None) -> list:
    """``e_j = H(X_1..X_j)`` (see :func:`exchangeable_profiles`)."""
    return exchangeable_profiles(model, arith, budget)[0]


def product_profiles(model: Any, arith: Arithmetic) -> tuple[list, list]:
    """``(e, h)`` for independent tokens: ``h_j = (1/N) sum_i H(X_i)`` for every ``j`` and ``e_j = j h_0``
    (``h`` taken directly, not as differences of the ``e_j``)."""
    n = model.N
    with arith.workprec():
        total = arith.sum(arith.entropy(arith.array(m, f"marginal {i + 1}")) for i, m in enumerate(model.marginals))
        h0 = total / arith.convert(n)
        return [total * arith.convert(j) / arith.convert(n) for j in range(n + 1)], [h0] * n


def product_entropy_profile(model: Any, arith: Arithmetic) -> list:
    """``e_j = (j/N) sum_i H(X_i)`` for independent tokens."""
    return product_profiles(model, arith)[0]
