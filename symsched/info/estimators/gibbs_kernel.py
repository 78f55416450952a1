"""One compiled kernel per colour class of a Gibbs sweep (numba, optional).

:class:`symsched.info.estimators.gibbs.GibbsSampler` updates a colour class (an independent set of the Markov graph)
by gathering, for every chain and variable of the class, the log-potential rows of the factors touching
it (``np.add.reduceat`` over the slots), a softmax over the states and an inverse-cdf draw.  In numpy
that is ``K`` gathers, ``K`` reductions and ``K`` exponentials over ``(chains, class)`` temporaries per
class; the kernel here does the same arithmetic in one pass per (chain, variable), in the same order
(slot sums left to right, the maximum subtracted, the cumulative sums compared with the same uniform),
so given the same uniforms it draws the same states and adds the same conditionals (up to the last ulp
of ``exp``).  Without numba :func:`class_update` runs the numpy formulation.
"""

from __future__ import annotations

import numpy as np

from ...errors import SymschedError

__all__ = ["class_update", "have_kernel", "kernel_ready"]

_KERNEL = None


def _compile():
    global _KERNEL
    if _KERNEL is not None:
        return _KERNEL
    try:
        import numba
    except ImportError:
        _KERNEL = False
        return _KERNEL

    # module level, so numba's disk cache serves a new process (a spawned worker) without compiling
    _KERNEL = numba.njit(cache=True, nogil=True)(_kernel)
    return _KERNEL


def _kernel(table, offs, oth, std, starts, cls, top_state, x, u, clamp, use_clamp, acc,  # pragma: no cover
            use_acc):  # compiled by _compile; checked against the numpy formulation in the tests
    rows, m = u.shape
    K = table.shape[0]
    slots = offs.shape[0]
    arity = oth.shape[1]
    w = np.empty(K)
    bad = -1
    for r in range(rows):
        for j in range(m):
            s0 = starts[j]
            s1 = starts[j + 1] if j + 1 < m else slots
            for k in range(K):
                w[k] = 0.0
            for s in range(s0, s1):
                idx = offs[s]
                for a in range(arity):
                    idx += x[r, oth[s, a]] * std[s, a]
                for k in range(K):
                    w[k] += table[k, idx]
            top = w[0]
            for k in range(1, K):
                if w[k] > top:
                    top = w[k]
            if not np.isfinite(top):
                if bad < 0:
                    bad = j
                continue
            total = 0.0
            for k in range(K):
                w[k] = np.exp(w[k] - top)
                total += w[k]
            for k in range(K):
                w[k] = w[k] / total
            v = cls[j]
            if use_acc:
                for k in range(K):
                    acc[r, v, k] += w[k]
            new = 0
            run = w[0]
            for k in range(1, K):
                if run < u[r, j]:
                    new += 1
                run += w[k]
            if new > top_state[j]:
                new = top_state[j]
            if not (use_clamp and clamp[r, v]):
                x[r, v] = new
    return bad


def have_kernel() -> bool:
    """True when numba is installed (the compiled kernel is used)."""
    return bool(_compile())


def kernel_ready() -> bool:
    """True when the kernel is compiled in this process (its first call compiles it: seconds)."""
    kernel = _compile()
    return bool(kernel) and bool(kernel.signatures)


def _numpy_update(plan, top_state, cls, x, u, clamp, acc) -> int:
    """The numpy formulation (K gathers, reduceat, softmax, inverse cdf); returns the first bad position or -1."""
    table, offs, oth, std, starts = plan
    idx = offs + x[:, oth[:, 0]] * std[:, 0]
    for k in range(1, oth.shape[1]):
        idx += x[:, oth[:, k]] * std[:, k]
    cols = [np.add.reduceat(table[k][idx], starts, axis=1) for k in range(table.shape[0])]
    top = cols[0].copy()
    for col in cols[1:]:
        np.maximum(top, col, out=top)
    if not np.all(np.isfinite(top)):
        return int(np.nonzero(~np.isfinite(top))[1][0])
    w = [np.exp(col - top) for col in cols]
    total = w[0].copy()
    for col in w[1:]:
        total += col
    cols = [col / total for col in w]
    if acc is not None:
        for k, col in enumerate(cols):
            acc[:, cls, k] += col
    new = np.zeros(cols[0].shape, dtype=np.intp)
    run = cols[0].copy()
    for col in cols[1:]:
        new += run < u
        run += col
    np.minimum(new, top_state, out=new)
    x[:, cls] = new if clamp is None else np.where(clamp[:, cls], x[:, cls], new)
    return -1


def class_update(plan: tuple, top_state: np.ndarray, cls: np.ndarray, x: np.ndarray, u: np.ndarray,
                 clamp: np.ndarray | None = None, acc: np.ndarray | None = None, compiled: bool | None = None) -> None:
    """Update colour class ``cls`` of every chain in place (``x``: ``rows x (N + 1)``, the last column a dummy).

    ``plan`` is the sampler's ``(table (K, slots rows), offs, others, strides, starts)`` of the class,
    ``top_state`` the largest state of each class variable, ``u`` the ``rows x |cls|`` uniforms of the draw;
    ``clamp`` (``rows x N`` bool) keeps entries fixed; ``acc`` (``rows x N x K``) receives the conditionals
    the draw used.  ``compiled`` None: the numba kernel when installed; False: numpy; True: numba or error.
    """
    kernel = _compile() if compiled is not False else False
    if compiled and not kernel:
        raise SymschedError("class_update(compiled=True) needs numba: pip install symsched[fast]")
    if kernel:
        table, offs, oth, std, starts = plan
        dummy_b = np.zeros((1, 1), dtype=np.bool_)
        dummy_f = np.zeros((1, 1, 1))
        bad = kernel(table, offs, oth, std, starts, cls, top_state, x, u,
                     dummy_b if clamp is None else clamp, clamp is not None,
                     dummy_f if acc is None else acc, acc is not None)
    else:
        bad = _numpy_update(plan, top_state, cls, x, u, clamp, acc)
    if bad >= 0:
        raise SymschedError(f"Gibbs sampling: variable {int(cls[bad])} has no state of positive weight given a "
                            "chain's current state (zero factors disconnect the support; start states matter)")
