"""The one numeric quantile engine of the continuum layer: ``G(x) = ∫_0^x g / ∫_0^1 g`` and ``G^{−1}``.

Used for the optimal schedule (``g = √f``: :class:`~symsched.continuum.limit.RiemannLimit`), for any
block-size density (``g = 1/κ``: :func:`~symsched.continuum.expansion.density_breakpoints`) and for
``∫√f`` in the verification tables.

* Integrals are split at the *kinks* (points where ``g`` may jump, e.g. the conditions of a
  Piecewise ``φ``): one mpmath quadrature over a jump loses all but a few digits.
* ``∫_0^x g`` is the value at a fixed node below ``x`` (a uniform grid of 16 cells plus the kinks,
  computed once per precision) plus one quadrature.  The nodes never depend on which values were
  asked for before, so no result depends on the history of calls.
* ``G^{−1}`` is a safeguarded Newton iteration (``G′ = g/S``) inside the bracketing node cell,
  falling back to regula falsi / bisection, to ``10^{−(dps+3)}``.
"""

from __future__ import annotations

import bisect
from typing import Any
from collections.abc import Callable

import mpmath

__all__: list = []

#: Uniform cells of the fixed node grid.
_CELLS = 16


class QuantileEngine:
    """``∫ g`` and the quantiles of the density ``g / ∫_0^1 g`` on ``[0, 1]`` at any precision.

    Parameters
    ----------
    g : callable
        ``x -> g(x) ≥ 0`` in mpmath at the current precision (``nan`` / negative values count as 0).
    kinks : callable
        ``() -> list`` of points of ``(0, 1)`` (mpmath, at the current precision) where ``g`` may jump.

    Examples
    --------
    >>> import mpmath
    >>> e = QuantileEngine(lambda x: 2 * x)
    >>> mpmath.nstr(e.inverse(mpmath.mpf(1) / 4, 20), 15)
    '0.5'
    """

    def __init__(self, g: Callable, kinks: Callable[[], list] = list):
        self._g = g
        self._kinks = kinks
        self._nodes: dict = {}

    def g(self, x: Any) -> mpmath.mpf:
        v = self._g(x)
        return v if v > 0 and mpmath.isfinite(v) else mpmath.mpf(0) if not mpmath.isinf(v) else v

    def integral(self, a: Any, b: Any) -> mpmath.mpf:
        """``∫_a^b g`` at the current precision, split at the kinks inside ``(a, b)``."""
        a, b = mpmath.mpf(a), mpmath.mpf(b)
        if a == b:
            return mpmath.mpf(0)
        inner = [k for k in self._kinks() if a < k < b]
        if inner:
            pts = [a] + inner + [b]
            return mpmath.fsum(self.integral(p, q) for p, q in zip(pts, pts[1:]))
        if b - a < min(a, 1 - b) / 1000:
            # short interval well inside (0, 1): g is smooth there (end point singularities are
            # far), Gauss-Legendre converges in a few nodes
            return mpmath.quad(self.g, [a, b], method="gauss-legendre")
        return mpmath.quad(self.g, [a, b])

    def nodes(self, dps: int) -> tuple:
        """The fixed nodes and ``∫_0^node g`` at each, at ``dps`` digits (plus guard digits)."""
        if dps not in self._nodes:
            with mpmath.workdps(dps + 10):
                xs = sorted(set([mpmath.mpf(i) / _CELLS for i in range(_CELLS + 1)] + list(self._kinks())))
                vals = [mpmath.mpf(0)]
                for a, b in zip(xs, xs[1:]):
                    vals.append(vals[-1] + self.integral(a, b))
            self._nodes[dps] = (xs, vals)
        return self._nodes[dps]

    def total(self, dps: int) -> mpmath.mpf:
        """``∫_0^1 g``."""
        return self.nodes(dps)[1][-1]

    def raw(self, x: Any, dps: int) -> mpmath.mpf:
        """``∫_0^x g`` (call inside ``workdps(dps + guard)``)."""
        xs, vals = self.nodes(dps)
        x = mpmath.mpf(x)
        i = max(bisect.bisect_right(xs, x) - 1, 0)
        if xs[i] == x or i == len(xs) - 1:
            return vals[i]
        return vals[i] + self.integral(xs[i], x)

    def cdf(self, x: Any, dps: int) -> mpmath.mpf:
        """``G(x)``, clamped to ``[0, 1]`` outside the interval."""
        x = mpmath.mpf(x)
        if x <= 0:
            return mpmath.mpf(0)
        if x >= 1:
            return mpmath.mpf(1)
        return self.raw(x, dps) / self.total(dps)

    def inverse(self, y: Any, dps: int) -> mpmath.mpf:
        """``G^{−1}(y)`` for ``y`` in ``[0, 1]``: safeguarded Newton bracketed by the node cell."""
        y = mpmath.mpf(y)
        if y <= 0 or y >= 1:
            return mpmath.mpf(0) if y <= 0 else mpmath.mpf(1)
        S = self.total(dps)
        xs, gs = self.nodes(dps)
        i = min(max(bisect.bisect_left(gs, y * S), 1), len(xs) - 1)
        lo, hi, glo, ghi = xs[i - 1], xs[i], gs[i - 1] / S, gs[i] / S
        x = lo + (hi - lo) * (y - glo) / (ghi - glo) if ghi > glo else (lo + hi) / 2
        if not lo < x < hi:
            x = (lo + hi) / 2
        gx = self.raw(x, dps) / S
        tol = mpmath.mpf(10) ** (-(dps + 3))
        for _ in range(200):
            if abs(gx - y) < tol:
                break
            if gx < y:
                lo, glo = x, gx
            else:
                hi, ghi = x, gx
            if hi - lo < tol:
                break
            d = self.g(x) / S
            step_ok = False
            if d > 0 and mpmath.isfinite(d):
                xn = x - (gx - y) / d
                step_ok = lo < xn < hi
            if not step_ok:  # regula falsi keeps the bracket
                xn = lo + (hi - lo) * (y - glo) / (ghi - glo) if ghi > glo else (lo + hi) / 2
                if not lo < xn < hi:
                    xn = (lo + hi) / 2
            done = abs(xn - x) < tol
            x, gx = xn, self.raw(xn, dps) / S
            if done:
                break
        return x
