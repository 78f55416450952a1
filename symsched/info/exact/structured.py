"""Exact entropy profiles that exploit a model's structure instead of enumerating 2^N subsets.

Markov chains (any state counts, non-homogeneous)
    ``h_j = E H(X_i | X_T)`` with ``|T| = j``, ``i`` outside ``T``; by the Markov property only the
    nearest revealed neighbours ``p < i < n`` of ``i`` matter, so with ``G(a, d) = H(X_{a+d} | X_a)``::

        H(X_i | X_p, X_n) = G(p, i-p) + G(i, n-i) - G(p, n-p)     (both neighbours)
        H(X_i | X_p)      = G(p, i-p)                             (none after i)
        H(X_i | X_n)      = G(i, n-i) + H(X_i) - H(X_n)           (none before i)

    A configuration whose neighbours span ``L = n - p`` has probability
    ``C(N-1-L, j-2) / (N C(N-1, j))`` (the other ``j-2`` revealed positions avoid ``[p, n]``); one with
    no neighbour after ``i`` has ``C(p, j-1) / (N C(N-1, j))``, symmetrically before.  So every ``h_j``
    is a sum ``sum_k C(k, m) / C(K, m) x_k`` over one of two sequences ``x`` of aggregated
    conditional entropies (``m = j-1`` or ``j-2``), computed *directly*, not as a difference
    ``e_{j+1} - e_j`` of O(N)-sized sums (which loses digits as N grows).  The weights
    ``C(k, m) / C(K, m)`` are built by cumulative ratios from ``k = K`` down and cut where the
    remaining mass is provably below ``1e-17`` of the result's scale, so all ``h_j`` together
    cost O(N log N) terms.

    Homogeneous chains: ``G(a, d) = m_a . r_d`` with ``m_a`` the law of ``X_a`` and ``r_d`` the row
    entropies of ``T^d``; the aggregated sequences follow from cumulative sums of ``m_a``, ``r_d``
    and the recursion ``s_n = T s_{n-1} + r_n`` (non-negative terms only), O(N q^3) in all.
    Non-homogeneous chains: every ``G(a, d)`` once (O(N^2 q^3)), streamed into difference arrays.
Exchangeable models
    ``H(X_T)`` depends on ``|T|`` only: ``e_j = H(X_1..X_j)`` from the model's ``prefix_law``.
Independent tokens
    ``e_j = (j/N) sum_i H(X_i)``.
"""

from __future__ import annotations

import math
from typing import Any
from collections.abc import Sequence

import numpy as np

from ...arithmetic import Arithmetic
from ...values import to_float
from ...errors import ModelTooLargeError, format_count
from ...models.families import ProductModel

__all__ = ["chain_information_profile", "chain_entropy_profile", "chain_cost", "is_homogeneous",
           "exchangeable_entropy_profile", "exchangeable_information_float", "exchangeable_profiles",
           "exchangeable_cost", "product_profiles", "product_entropy_profile"]

#: Binomial weights are cut where the mass left is below this fraction of the profile's scale.
TAIL_TOLERANCE = 1e-17
#: Entries of one block of binomial weights (512 KiB of float64: cache-sized).
_WEIGHT_BLOCK = 1 << 16
#: ``log(1 / TAIL_TOLERANCE)`` plus slack: the cut-off depth of the weights, for cost estimates.
_TAIL_DEPTH = 45.0


def _row_entropies(matrices: np.ndarray) -> np.ndarray:
    """Entropy (nats) of every row of a stack of float stochastic matrices, shape (..., q, r) -> (..., q)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(matrices > 0, matrices * np.log(np.where(matrices > 0, matrices, 1.0)), 0.0)
    return -terms.sum(axis=-1)


def is_homogeneous(transitions: Sequence[np.ndarray]) -> bool:
    """True when every transition matrix is the same square matrix (entries compared exactly)."""
    if not transitions:
        return True
    first = np.asarray(transitions[0])
    if first.ndim != 2 or first.shape[0] != first.shape[1]:
        return False
    return all(t is first or (np.shape(t) == first.shape and np.array_equal(np.asarray(t), first))
               for t in transitions[1:])


def chain_cost(cardinalities: Sequence[int], homogeneous: bool, precision: str) -> float:
    """Elementary operations of :func:`chain_information_profile` (compared with the exact budget).

    Float: ``N q^3`` for the powers of a homogeneous transition matrix (``N^2 q^3 / 2`` for the
    products of a non-homogeneous chain) plus ``~ 2 N D log N`` terms of binomial weights (``D`` the
    cut-off depth); exact arithmetic: the ``N^2 q^3 / 2`` products and ``2 N^2`` weighted sums, each an
    mpmath or sympy operation.  Computed in logs-free floats: N up to ~10^150 stays finite.
    """
    n = float(len(cardinalities))
    q = float(max(cardinalities))
    if precision == "float":
        tail = 2.0 * n * _TAIL_DEPTH * (math.log(max(n / _TAIL_DEPTH, 1.0)) + 1.0)
        products = n * q ** 3 if homogeneous else 0.5 * n * n * (q ** 3 + 10.0)
        return products + tail
    return 0.5 * n * n * q ** 3 + 2.0 * n * n


def _binomial_tail_sums(x: np.ndarray, ms: np.ndarray, coef: np.ndarray, atol: float) -> np.ndarray:
    """``S_m = sum_{k=m}^{K} C(k, m) / C(K, m) x_k`` for every ``m`` in ``ms`` (``K = len(x) - 1``).

    The weights are built from ``k = K`` down by the ratios ``C(k-1, m) / C(k, m) = (k-m) / k``.  As
    ``C(k, m) / C(K, m) <= (k/K)^m``, the terms below ``k0`` add at most
    ``max|x| K/(m+1) (k0/K)^(m+1)``; the sum stops at the largest ``k0`` where that bound, times
    ``coef_m``, is below ``atol`` (``atol = 0``: every term).
    """
    K = len(x) - 1
    out = np.zeros(len(ms))
    xmax = float(np.abs(x).max()) if K >= 0 else 0.0
    if K < 0 or len(ms) == 0 or xmax == 0.0:
        return out
    ms = np.asarray(ms, dtype=np.int64)
    with np.errstate(divide="ignore"):
        log_rho = (np.log(atol * (ms + 1.0)) - np.log(xmax * np.asarray(coef, float) * max(K, 1))) / (ms + 1.0)
    k0 = np.floor(K * np.exp(np.minimum(log_rho, 0.0)))
    k0 = np.clip(k0, ms, K).astype(np.int64)
    length = K - k0 + 1
    order = np.argsort(-length, kind="stable")
    xr = np.ascontiguousarray(x[::-1])  # xr[t] = x_{K - t}
    inv_k1 = 1.0 / ((K + 1.0) - np.arange(K + 1, dtype=float))  # 1 / (k + 1) for k = K - t
    pos = 0
    while pos < len(order):
        width = int(length[order[pos]])
        rows = max(1, _WEIGHT_BLOCK // width)
        stop = pos + 1
        # one block: rows of similar length (at most 25 % wasted work), at most _WEIGHT_BLOCK entries
        while stop < len(order) and stop - pos < rows and 5 * length[order[stop]] >= 4 * width:
            stop += 1
        sel = order[pos:stop]
        m = ms[sel].astype(float)
        w = np.multiply(m[:, None], inv_k1[None, :width])
        np.subtract(1.0, w, out=w)          # C(k, m) / C(k + 1, m) = (k + 1 - m) / (k + 1)
        if width > K - int(m.max()) + 1:    # k < m: C(k, m) = 0
            np.maximum(w, 0.0, out=w)
        w[:, 0] = 1.0
        np.cumprod(w, axis=1, out=w)
        out[sel] = np.einsum("ij,j->i", w, xr[:width])
        pos = stop
    return out


def _h_from_aggregates(H: np.ndarray, B: np.ndarray, Cc: np.ndarray, A: np.ndarray) -> np.ndarray:
    """``h_0..h_{N-1}`` from the marginal entropies and the three aggregated sequences.

    ``B_p = sum_{i>p} H(X_i | X_p)``, ``Cc_n = sum_{i<n} H(X_i | X_n)``, ``A_L`` = sum over neighbour
    pairs ``p < n = p + L`` and every ``i`` between of ``H(X_i | X_p, X_n)``.
    """
    n = len(H)
    h = np.zeros(n)
    h[0] = math.fsum(H.tolist()) / n
    if n == 1 or h[0] == 0.0:
        return h
    x_bc = B + Cc[::-1]          # x_bc[k] = B_k + Cc_{n-1-k}, weight C(k, j-1) / C(n-1, j-1)
    x_a = A[::-1][:n - 2]        # x_a[k] = A_{n-1-k}, weight C(k, j-2) / C(n-3, j-2)
    j = np.arange(1, n, dtype=float)
    coef_bc = j / (n * (n - j))
    coef_a = j * (j - 1) / (n * (n - 1.0) * max(n - 2.0, 1.0))

    def h_of(js: np.ndarray, atol: float) -> np.ndarray:
        idx = js - 1
        val = coef_bc[idx] * _binomial_tail_sums(x_bc, js - 1, coef_bc[idx], atol)
        two = js >= 2
        if n >= 3 and two.any():
            val[two] += coef_a[idx[two]] * _binomial_tail_sums(x_a, js[two] - 2, coef_a[idx[two]], atol)
        return val

    # h_{N-1} (two terms, every one kept) is the smallest value: the cut is relative to it
    last = h_of(np.array([n - 1]), 0.0)[0]
    atol = 0.5 * TAIL_TOLERANCE * max(abs(last), 1e-10 * h[0])
    h[1:] = h_of(np.arange(1, n), atol)
    return h


def _cumsum(a: np.ndarray) -> np.ndarray:
    """Cumulative sum along the first axis, accumulated in extended precision where the platform has it.

    The aggregated sequences are differences of such sums; float64 accumulation would leave a bias of
    ``~N`` ulps in every ``h_j``.
    """
    return np.cumsum(np.asarray(a, dtype=np.longdouble), axis=0)


def _aggregates_homogeneous(init: np.ndarray, T: np.ndarray, n: int):
    q = len(init)
    powers = np.empty((n - 1, q, q))  # powers[i] = T^(i+1), by doubling
    powers[0] = T
    filled = 1
    while filled < n - 1:
        step = min(filled, n - 1 - filled)
        powers[filled:filled + step] = np.matmul(powers[:step], powers[filled - 1])
        filled += step
    M = np.empty((n, q))
    M[0] = init
    M[1:] = np.matmul(init, powers)
    H = _row_entropies(M)
    r = np.zeros((n, q))
    r[1:] = _row_entropies(powers)  # r[d] = row entropies of T^d: H(X_{a+d} | X_a = x)
    R = _cumsum(r)                  # R[k] = r_1 + ... + r_k
    C = _cumsum(M)                  # C[k] = m_0 + ... + m_k
    B = (M * R[::-1]).sum(axis=1)   # B_p = m_p . R[n-1-p]
    # t_k = sum_{i<k} m_i . r_{k-i} = init . s_k with s_k = T s_{k-1} + r_k (non-negative terms)
    S = np.zeros((n, q))
    s = S[0]
    for k in range(1, n):
        s = T @ s + r[k]
        S[k] = s
    t = (S * init).sum(axis=1)
    dH = H - H[-1]
    before = np.concatenate([[0.0], _cumsum(dH)[:-1]])  # sum_{i<k} (H_i - H_ref)
    Cc = t + before - np.arange(n) * dH
    A = np.zeros(n)
    if n >= 3:
        L = np.arange(2, n)
        cL = C[n - 1 - L]                                   # sum_{p <= n-1-L} m_p
        Y = _cumsum((C[::-1] * r).sum(axis=1))              # Y[k] = sum_{v<=k} C[n-1-v] . r_v
        Kc = _cumsum(t)                                     # Kc[k] = sum_{l<=k} t_l
        A[2:] = ((cL * R[L - 1]).sum(axis=1) + (Y[L - 1] - Kc[L - 1])
                 - (L - 1) * (cL * r[L]).sum(axis=1))
    return H, B, Cc, A


def _aggregates_general(init: np.ndarray, transitions: list[np.ndarray], n: int):
    marg = [init]
    for T in transitions:
        marg.append(marg[-1] @ T)
    H = np.array([_row_entropies(m) for m in marg])
    B, col, A3 = np.zeros(n), np.zeros(n), np.zeros(n)
    d1, d2 = np.zeros(n + 2), np.zeros(n + 2)
    groups: dict = {}  # rows q_a -> [starts a, marginals m_a, products T_a ... T_{b-1}]
    for b in range(1, n):
        T = transitions[b - 1]
        for g in groups.values():
            g[2] = np.matmul(g[2], T)
        g = groups.setdefault(T.shape[0], [np.zeros(0, np.int64), np.zeros((0, T.shape[0])), None])
        g[0] = np.append(g[0], b - 1)
        g[1] = np.concatenate([g[1], marg[b - 1][None]])
        g[2] = T[None] if g[2] is None else np.concatenate([g[2], T[None]])
        a = np.concatenate([g[0] for g in groups.values()])
        G = np.concatenate([(g[1] * _row_entropies(g[2])).sum(axis=1) for g in groups.values()])
        d = b - a
        B[a] += G
        col[b] = G.sum()
        # each G(a, d) enters A_L for L in (d, n-1-a] (as G(p, i-p)), L in [d+1, d+a] (as G(i, n-i))
        # and A_d with weight -(d-1) (as G(p, n-p)); ranges go through difference arrays
        if b <= n - 2:
            d1[d + 1] += G
            d1[n - a] -= G
        inner = a >= 1
        d2[d[inner] + 1] += G[inner]
        d2[b + 1] -= G[inner].sum()
        A3[d] -= (d - 1) * G
    A = np.cumsum(d1)[:n] + np.cumsum(d2)[:n] + A3
    dH = H - H[-1]
    before = np.concatenate([[0.0], np.cumsum(dH)[:-1]])
    Cc = col + before - np.arange(n) * dH
    return H, B, Cc, A


def _chain_h_float(init: np.ndarray, transitions: list[np.ndarray]) -> np.ndarray:
    """``h_0..h_{N-1}`` (nats) of a chain in float64, each computed directly (module docstring)."""
    n = len(transitions) + 1
    if is_homogeneous(transitions) and n > 1:
        aggregates = _aggregates_homogeneous(init, transitions[0], n)
    else:
        aggregates = _aggregates_general(init, transitions, n)
    return _h_from_aggregates(*aggregates)


def _chain_exact(init: np.ndarray, transitions: list[np.ndarray], arith: Arithmetic) -> tuple[list, list]:
    """Marginal entropies ``H_a`` and gap sums ``D_d = sum_a H(X_{a+d} | X_a)`` in exact arithmetic."""
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


def chain_information_profile(init: Any, transitions: list, arith: Arithmetic) -> tuple[list, list]:
    """``(h_0..h_{N-1}, e_0..e_N)`` of a Markov chain (see the module docstring).

    Floats: each ``h_j`` directly, O(N log N) for a homogeneous chain, O(N^2) otherwise.  Exact
    arithmetics (mpmath, sympy): ``e_j = (sum_a H_a C(N-1-a, j-1) + sum_d D_d C(N-1-d, j-2)) / C(N, j)``
    (a subset whose first element is ``a`` picks its ``j-1`` others after ``a``; a pair ``a < b`` is
    consecutive in ``T`` when the ``j-2`` others avoid ``[a, b]``), then ``h_j = e_{j+1} - e_j``.
    """
    n = len(transitions) + 1
    if arith.precision == "float":
        h = _chain_h_float(np.asarray(init, dtype=float), [np.asarray(T, dtype=float) for T in transitions])
        if arith.base is not None:
            h = h / math.log(to_float(arith.base, "base"))
        e = np.concatenate([[0.0], np.cumsum(h)])
        return [float(x) for x in h], [float(x) for x in e]
    h_single, gap = _chain_exact(init, transitions, arith)
    with arith.workprec():
        e = [arith.zero]
        for j in range(1, n + 1):
            total = arith.sum([h_single[a] * arith.binomial(n - 1 - a, j - 1) for a in range(n)] +
                              [gap[dd] * arith.binomial(n - 1 - dd, j - 2) for dd in range(1, n)])
            e.append(total / arith.binomial(n, j))
        return [e[j + 1] - e[j] for j in range(n)], e


def chain_entropy_profile(init: Any, transitions: list, arith: Arithmetic) -> list:
    """``e_0..e_N`` of a Markov chain (:func:`chain_information_profile`)."""
    return chain_information_profile(init, transitions, arith)[1]


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
