"""numba kernels of :class:`~symsched.samplers.policies.paths.HMMPass` (the optional ``fast`` extra).

The functions are written at module level and compiled by :func:`compiled` with ``cache=True``, so a new
process (a spawned Monte Carlo worker, the next Python session) loads them from numba's on-disk cache in a
fraction of a second.  Defined as closures they recompiled in every process (about 4.5 s of CPU each): numba
keys a closure's cache entry on its pickled free variables, and a compiled callee pickles differently in
every process, so the entry never matched.  Without numba the numpy methods of ``HMMPass`` compute the same
numbers (``tests/test_policies_montecarlo.py`` compares them).
"""

from __future__ import annotations

import numpy as np

__all__ = ["compiled"]

_COMPILED: list = []


def compiled():
    """``(conditionals, chain)`` compiled (once per process), or None without numba."""
    if not _COMPILED:
        try:
            import numba
        except ImportError:
            _COMPILED.append(None)
            return None
        global _step
        # the kernels find their callee by this global name when they are compiled
        _step = numba.njit(cache=True)(_step)
        _COMPILED.append((numba.njit(cache=True)(conditionals), numba.njit(cache=True)(chain)))
    return _COMPILED[0]


def _step(a, tmat, out):  # pragma: no cover - compiled code
    S = a.shape[0]
    top = 0.0
    for j in range(S):
        acc = 0.0
        for i in range(S):
            acc += a[i] * tmat[i, j]
        out[j] = acc
        top = max(top, acc)
    if top > 0:
        for j in range(S):
            out[j] /= top


# The forward pass is written out in both kernels below on purpose: a shared njit helper for it (one
# call and one branch per position) made the 1024-token policy Monte Carlo 15-35 % slower.
def conditionals(initial, trans, emis, x, mask):  # pragma: no cover - compiled code
    B, N = x.shape
    S, V = emis.shape[1], emis.shape[2]
    probs = np.zeros((B, N, V))
    ent = np.zeros((B, N))
    bwd = np.empty((B, N, S))
    fwd = np.empty((N, S))
    a = np.empty(S)
    tmp = np.empty(S)
    for b in range(B):
        a[:] = initial
        for t in range(N):
            if t > 0:
                _step(a, trans[t - 1], tmp)
                a[:] = tmp
            fwd[t] = a
            if mask[b, t]:
                for j in range(S):
                    a[j] *= emis[t, j, x[b, t]]
        a[:] = 1.0
        for t in range(N - 1, -1, -1):
            bwd[b, t] = a
            tot = 0.0
            for j in range(S):
                tot += fwd[t, j] * a[j]
            if tot > 0:
                ptot = 0.0
                for v in range(V):
                    acc = 0.0
                    for j in range(S):
                        acc += fwd[t, j] * a[j] * emis[t, j, v]
                    probs[b, t, v] = acc
                    ptot += acc
                if ptot > 0:
                    h = 0.0
                    for v in range(V):
                        q = probs[b, t, v] / ptot
                        probs[b, t, v] = q
                        if q > 0:
                            h -= q * np.log(q)
                    ent[b, t] = h
            if t > 0:
                top = 0.0
                for i in range(S):
                    acc = 0.0
                    for j in range(S):
                        w = emis[t, j, x[b, t]] if mask[b, t] else 1.0
                        acc += trans[t - 1, i, j] * w * a[j]
                    tmp[i] = acc
                    top = max(top, acc)
                for i in range(S):
                    a[i] = tmp[i] / top if top > 0 else tmp[i]
    return probs, ent, bwd


def chain(initial, trans, emis, x, evidence, chosen, bwd):  # pragma: no cover - compiled code
    B, N = x.shape
    S, V = emis.shape[1], emis.shape[2]
    total = np.zeros(B)
    a = np.empty(S)
    tmp = np.empty(S)
    pv = np.empty(V)
    for b in range(B):
        a[:] = initial
        for t in range(N):
            if t > 0:
                _step(a, trans[t - 1], tmp)
                a[:] = tmp
            if chosen[b, t]:
                ptot = 0.0
                for v in range(V):
                    acc = 0.0
                    for j in range(S):
                        acc += a[j] * bwd[b, t, j] * emis[t, j, v]
                    pv[v] = acc
                    ptot += acc
                h = 0.0
                for v in range(V):
                    q = pv[v] / ptot if ptot > 0 else 0.0
                    if q > 0:
                        h -= q * np.log(q)
                total[b] += h
            if evidence[b, t]:
                for j in range(S):
                    a[j] *= emis[t, j, x[b, t]]
    return total
