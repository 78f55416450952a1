"""The float64 engine of the optimal-schedule DP: one O(N) convex-hull layer, and checkpointed backtracking.

Layer ``k`` of the DP is ``cur[b] = -P_b + min_{k-1 <= a < b} (c_a + b h_a)`` with
``c_a = prev[a] - a h_a + P_a``: the lower envelope of lines of slope ``h_a`` (non-increasing in
``a``, lines added in that order) queried at increasing ``b`` — a monotone convex-hull trick, O(N)
per layer.  Candidates are compared through the same float expression as the divide-and-conquer DP,
``prev[a] + (b - a) h_a - (P_b - P_a)``, and the smallest minimising ``a`` is kept (strict
improvements only move the query pointer; of two lines of equal slope the earlier one is kept
unless the later one is strictly lower).

The layer is compiled with numba when it is installed (optional extra ``fast``); without numba the
callers fall back to the vectorised numpy divide and conquer.

Backtracking never holds a ``K x N`` table: the DP rows of every ``c``-th layer (``c ~ sqrt(K)``) are
kept, and the argmins of one segment of ``c`` layers are recomputed when the backtracking reaches it,
so memory is ``O((K/c + c) N)`` for about twice the forward time.
"""

from __future__ import annotations

import importlib.util
import math

import numpy as np

__all__ = ["HAVE_NUMBA", "float_dp", "Paths", "compiled_layer"]


def _hull_layer(prev, h, P, k, cur, arg, hull, hull_m, hull_c):  # pragma: no cover - compiled by numba
    N = h.shape[0]
    size = 0
    ptr = 0
    for b in range(k, N + 1):
        a = b - 1
        if prev[a] < np.inf:
            m = h[a]
            c = prev[a] - a * m + P[a]
            add = True
            while size > 0 and hull_m[size - 1] == m:
                if hull_c[size - 1] <= c:
                    add = False  # equal slope, not lower: the earlier line wins every tie
                    break
                size -= 1
            if add:
                while size >= 2:
                    m1 = hull_m[size - 2]
                    c1 = hull_c[size - 2]
                    # the last line is never strictly lowest when its neighbours cross no later than it does
                    if (c - c1) * (m1 - hull_m[size - 1]) <= (hull_c[size - 1] - c1) * (m1 - m):
                        size -= 1
                    else:
                        break
                hull[size] = a
                hull_m[size] = m
                hull_c[size] = c
                size += 1
        if size == 0:
            cur[b] = np.inf
            arg[b] = 0
            continue
        if ptr > size - 1:
            ptr = size - 1
        t = hull[ptr]
        best = prev[t] + (b - t) * h[t] - (P[b] - P[t])
        while ptr + 1 < size:
            u = hull[ptr + 1]
            v = prev[u] + (b - u) * h[u] - (P[b] - P[u])
            if v < best:
                best = v
                ptr += 1
            else:
                break
        cur[b] = best
        arg[b] = hull[ptr]


#: numba is installed (optional extra ``fast``); it is imported on first use only.
HAVE_NUMBA = importlib.util.find_spec("numba") is not None
_COMPILED: list = []


def compiled_layer():
    """The numba-compiled hull layer (compiled once per process, cached on disk), or None without numba."""
    if not HAVE_NUMBA:
        return None
    if not _COMPILED:
        import numba

        _COMPILED.append(numba.njit(cache=True, nogil=True)(_hull_layer))
    return _COMPILED[0]


def _first_layer(h: np.ndarray, P: np.ndarray) -> np.ndarray:
    N = len(h)
    cur = np.full(N + 1, np.inf)
    b = np.arange(1, N + 1)
    cur[1:] = b * h[0] - P[1:]
    return cur


def float_dp(h: np.ndarray, Kmax: int, paths, layer=None) -> tuple[np.ndarray, Paths]:
    """DP minima for ``K = 1..Kmax`` and the optimal breakpoints of every ``K`` in ``paths``.

    Parameters
    ----------
    h : float64 array, non-increasing
    Kmax : int
    paths : iterable of int
        The ``K`` whose breakpoints are wanted (each ``<= Kmax``).
    layer : callable, optional
        ``layer(prev, k) -> (cur, arg)`` over ``b = k..N``; default the compiled hull layer.

    Returns
    -------
    values : array of ``Kmax`` DP minima (``values[K-1]``)
    paths : :class:`Paths`, ``paths[K] -> [0, s_1, ..., N]``
    """
    h = np.ascontiguousarray(h, dtype=float)
    N = len(h)
    P = np.concatenate([[0.0], np.cumsum(h)])
    if layer is None:
        kernel = compiled_layer()
        if kernel is None:
            raise RuntimeError("float_dp without a layer needs numba (pip install numba)")
        hull, hull_m, hull_c = np.empty(N + 1, dtype=np.int64), np.empty(N + 1), np.empty(N + 1)

        def layer(prev, k):
            cur = np.empty(N + 1)
            cur[:k] = np.inf
            arg = np.zeros(N + 1, dtype=np.int64)
            kernel(prev, h, P, k, cur, arg, hull, hull_m, hull_c)
            return cur, arg

    step = max(1, math.isqrt(Kmax))
    checkpoints = {}
    prev = _first_layer(h, P)
    values = np.empty(Kmax)
    values[0] = prev[N]
    checkpoints[1] = prev
    for k in range(2, Kmax + 1):
        prev, _ = layer(prev, k)
        values[k - 1] = prev[N]
        if (k - 1) % step == 0:
            checkpoints[k] = prev
    return values, _backtrack(layer, checkpoints, step, N, paths)


class Paths:
    """Optimal breakpoints of several ``K`` from one backtracking pass: ``paths[K] -> [0, s_1, ..., N]``."""

    def __init__(self, wanted: np.ndarray, records: dict, N: int):
        self.wanted, self._records, self.N = wanted, records, N

    def __contains__(self, K: int) -> bool:
        i = np.searchsorted(self.wanted, K)
        return bool(i < len(self.wanted) and self.wanted[i] == K)

    def __getitem__(self, K: int) -> list:
        if K not in self:
            raise KeyError(K)
        i = int(np.searchsorted(self.wanted, K))
        out = [0]
        for k in range(2, K + 1):
            first = int(np.searchsorted(self.wanted, k))  # paths still active at layer k: wanted[first:]
            out.append(int(self._records[k][i - first]))
        out.append(self.N)
        return out


def _backtrack(layer, checkpoints: dict, step: int, N: int, paths) -> Paths:
    wanted = np.array(sorted({int(K) for K in paths}), dtype=np.int64)
    records: dict = {}
    pos = np.full(len(wanted), N, dtype=np.int64)
    top = int(wanted[-1]) if len(wanted) else 1
    index_type = np.int32 if N < 2 ** 31 else np.int64
    while top >= 2:
        base = 1 + ((top - 2) // step) * step  # the last checkpoint below `top`
        row, args = checkpoints[base], {}
        for k in range(base + 1, top + 1):
            row, args[k] = layer(row, k)
        for k in range(top, base, -1):
            first = int(np.searchsorted(wanted, k))
            pos[first:] = args[k][pos[first:]]
            records[k] = pos[first:].astype(index_type)
        top = base
    return Paths(wanted, records, N)
