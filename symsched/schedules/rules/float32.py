"""Float32 arithmetic of the samplers' code, reproduced bit for bit in numpy.

The samplers run their schedules in torch's default ``float32``. Two pieces matter for counts:

* ``torch.linspace(start, end, n)`` on the CPU: ``step = (end - start) / (n - 1)`` in float32, then
  ``start + step * i`` for the first ``n // 2`` points and ``end - step * (n - 1 - i)`` for the rest,
  each computed with one rounding (the compiler contracts the multiply-add into a fused one).
  :func:`torch_linspace32` computes the exact value of each expression and rounds it once; the tests
  compare it with ``torch.linspace`` itself when torch is installed.
* scalar float32 operations (``np.float32``), which numpy rounds exactly as torch does for ``+ - * /``.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

__all__ = ["round_to_float32", "torch_linspace32"]

_F32 = np.float32


def round_to_float32(x: Fraction) -> np.float32:
    """The float32 nearest to the exact rational ``x`` (ties to even): one rounding, no double rounding."""
    f = _F32(float(x))   # within one float32 ulp of x; the nearest of f and its neighbours is the answer
    best, best_d = f, abs(Fraction(float(f)) - x)
    for g in (np.nextafter(f, _F32(-np.inf)), np.nextafter(f, _F32(np.inf))):
        if not np.isfinite(g):
            continue
        d = abs(Fraction(float(g)) - x)
        if d < best_d or (d == best_d and int(g.view(np.int32)) % 2 == 0 and g != best):
            best, best_d = g, d
    return best


def torch_linspace32(start: float, end: float, n: int) -> np.ndarray:
    """``torch.linspace(start, end, n)`` in float32 as torch's CPU kernel computes it (see module docstring).

    Examples
    --------
    >>> torch_linspace32(1, 1e-3, 5).tolist()
    [1.0, 0.750249981880188, 0.5005000233650208, 0.25075000524520874, 0.0010000000474974513]
    """
    s, e = _F32(start), _F32(end)
    if n == 1:
        return np.array([s], dtype=_F32)
    step = _F32(e - s) / _F32(n - 1)
    i = np.arange(n, dtype=np.float64)
    lo_a, lo_b = np.float64(s), np.float64(step) * i                # the products are exact in float64
    hi_a, hi_b = np.float64(e), -np.float64(step) * (n - 1 - i)
    first = i < n // 2
    a, b = np.where(first, lo_a, hi_a), np.where(first, lo_b, hi_b)
    r = a + b
    bb = r - a                                                       # two-sum: r + err == a + b exactly
    err = (a - (r - bb)) + (b - bb)
    out = r.astype(_F32)                                             # one rounding where the sum was exact
    fs, fe, fstep = Fraction(float(s)), Fraction(float(e)), Fraction(float(step))
    for k in np.flatnonzero(err != 0):                               # rare: round the exact value once
        out[k] = round_to_float32(fs + fstep * int(k) if k < n // 2 else fe - fstep * (n - 1 - int(k)))
    return out
