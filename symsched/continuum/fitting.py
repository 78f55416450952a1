"""Fitting a monotone limit profile ``φ`` to a discrete information profile ``h_0..h_{N−1}``.

:func:`fit_limit_profile` interpolates the profile monotonically (PCHIP or piecewise linear) and
computes the continuum quantities (``Δ``, the leading constant, the optimal density and the
quantile breakpoints) from the fit, in double precision.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.interpolate import PchipInterpolator
from scipy.optimize import brentq

from ..errors import SymschedError
from ..formatting import latex_fit, latex_number
from ..results import Result
from ..info.profile import as_profile

__all__ = ["fit_limit_profile", "NumericLimitProfile"]

_GAUSS_X, _GAUSS_W = np.polynomial.legendre.leggauss(8)


class NumericLimitProfile(Result):
    """A monotone numeric ``φ`` fitted to a discrete profile, with the continuum quantities.

    Built by :func:`fit_limit_profile`.  Attributes: ``N``, ``method``, ``grid``, ``nodes`` (the ``u``
    values of ``h_0..h_{N−1}``), ``values``, ``fit_error`` (leave-one-out maximum deviation on the
    nodes, the honest size of the interpolation error), ``delta``, ``leading_constant``
    (``½(∫√f)²``), ``constant_leading_constant`` (``½Δ``).
    """

    _headline = "leading_constant"  # float(fit) is ½(∫√f)², as for RiemannLimit (symsched.results)
    _fields = ("N", "method", "grid", "delta", "leading_constant", "constant_leading_constant", "fit_error")

    def __init__(self, h: np.ndarray, method: str, grid: str):
        self.N = len(h)
        self.method = method
        self.grid = grid
        self.values = h
        if grid == "endpoints":
            self.nodes = np.linspace(0.0, 1.0, self.N) if self.N > 1 else np.array([0.0])
            xs, ys = self.nodes, h
        else:  # "left": h_j at j/N; φ(1) by continuing the last secant, clipped to keep φ non-increasing
            self.nodes = np.arange(self.N) / self.N
            last = h[-1] - (h[-2] - h[-1]) if self.N > 1 else h[-1]
            xs, ys = np.append(self.nodes, 1.0), np.append(h, min(last, h[-1]))
        if len(xs) == 1:
            xs, ys = np.array([0.0, 1.0]), np.array([h[0], h[0]])
        self._xs, self._ys = xs, ys
        self._interp = self._build(xs, ys)
        self._tabulate()
        self.fit_error = self._leave_one_out()
        self._freeze()

    def _build(self, xs, ys):
        if self.method == "pchip":
            return PchipInterpolator(xs, ys, extrapolate=False)
        return _Linear(xs, ys)

    # -- φ and f ------------------------------------------------------------------------------
    def phi(self, u):
        """``φ(u)`` (vectorised, ``u`` in [0, 1])."""
        uu = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        return self._interp(uu)

    __call__ = phi

    def f(self, u):
        """``f = −φ′ ≥ 0`` (one-sided at the nodes for the linear fit)."""
        uu = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        return np.maximum(-self._interp.derivative()(uu), 0.0)

    @property
    def delta(self) -> float:
        return float(self._ys[0] - self._ys[-1])

    @property
    def constant_leading_constant(self) -> float:
        """``½Δ``: the coefficient of ``N/K`` for the constant schedule."""
        return 0.5 * self.delta

    def _tabulate(self):
        # ∫√f over each interval by 8-point Gauss–Legendre (exact enough: f is a smooth piece there)
        a, b = self._xs[:-1], self._xs[1:]
        mid, half = (a + b) / 2, (b - a) / 2
        pts = mid[:, None] + half[:, None] * _GAUSS_X[None, :]
        sq = np.sqrt(self.f(pts))
        pieces = (sq * _GAUSS_W[None, :]).sum(axis=1) * half
        self._cum = np.concatenate([[0.0], np.cumsum(pieces)])
        self.sqrt_f_integral = float(self._cum[-1])
        fp = (self.f(pts) * _GAUSS_W[None, :]).sum(axis=1) * half
        self.f_integral = float(fp.sum())

    @property
    def leading_constant(self) -> float:
        """``½ (∫₀¹ √f du)²``: the optimal schedule's coefficient of ``N/K``."""
        return 0.5 * self.sqrt_f_integral ** 2

    def density(self, u):
        """Optimal relative block-size density ``κ*(u) = (∫√f)/√f(u)`` (inf where ``f = 0``)."""
        with np.errstate(divide="ignore"):
            return self.sqrt_f_integral / np.sqrt(self.f(u))

    def cdf(self, u):
        """``G(u) = ∫₀^u √f / ∫₀¹ √f``."""
        if self.sqrt_f_integral <= 0:
            raise SymschedError("fitted profile is flat (f = 0): the optimal density is undefined")
        uu = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        i = np.clip(np.searchsorted(self._xs, uu, side="right") - 1, 0, len(self._xs) - 2)
        a = self._xs[i]
        # partial interval by Gauss–Legendre on [a, u]
        half = (uu - a) / 2
        pts = (a + half)[..., None] + half[..., None] * _GAUSS_X
        part = (np.sqrt(self.f(pts)) * _GAUSS_W).sum(axis=-1) * half
        return (self._cum[i] + part) / self.sqrt_f_integral

    def breakpoints(self, K: int, N: int | None = None):
        """Quantiles ``G^{-1}(t/K)``, ``t = 0..K``; with ``N``, the integers ``round(N G^{-1}(t/K))``."""
        if not isinstance(K, (int, np.integer)) or K < 1:
            raise SymschedError(f"K must be a positive integer, got {K!r}")
        qs = [0.0]
        for t in range(1, K):
            target = t / K
            qs.append(brentq(lambda x: float(self.cdf(x)) - target, qs[-1], 1.0, xtol=1e-15))
        qs.append(1.0)
        if N is None:
            return np.array(qs)
        s = [int(round(N * q)) for q in qs]
        if any(b <= a for a, b in zip(s, s[1:])):
            raise SymschedError(f"breakpoints: rounding N*G^-1(t/K) for N={N}, K={K} gives empty steps {s}; "
                                "use a smaller K")
        return s

    def _leave_one_out(self) -> float:
        n = len(self._xs)
        if n <= 3:
            return float("nan")
        idx = np.unique(np.linspace(1, n - 2, min(n - 2, 200)).astype(int))
        worst = 0.0
        for i in idx:
            keep = np.ones(n, bool)
            keep[i] = False
            pred = self._build(self._xs[keep], self._ys[keep])(self._xs[i])
            worst = max(worst, abs(float(pred) - self._ys[i]))
        return worst

    def __repr__(self) -> str:
        return (f"NumericLimitProfile(N={self.N}, method={self.method!r}, grid={self.grid!r}, "
                f"delta={self.delta:.6g}, leading_constant={self.leading_constant:.6g}, "
                f"fit_error={self.fit_error:.3g})")

    def latex(self) -> str:
        return latex_fit([rf"\hat\varphi\ \text{{({self.method} fit, N={self.N})}}:\ "
                          rf"\Delta = {latex_number(self.delta)}",
                          rf"\tfrac12\left(\int_0^1\sqrt{{f}}\right)^2 = {latex_number(self.leading_constant)}",
                          rf"\text{{LOO error}} = {latex_number(self.fit_error, 3)}"], sep=r",\ ")


class _Linear:
    """Piecewise-linear interpolant with a piecewise-constant derivative (right-continuous)."""

    def __init__(self, xs, ys):
        self.xs, self.ys = np.asarray(xs, float), np.asarray(ys, float)
        self.slopes = np.diff(self.ys) / np.diff(self.xs)

    def __call__(self, x):
        return np.interp(x, self.xs, self.ys)

    def derivative(self):
        def d(x):
            i = np.clip(np.searchsorted(self.xs, x, side="right") - 1, 0, len(self.slopes) - 1)
            return self.slopes[i]
        return d


def fit_limit_profile(h: Any, method: str = "pchip", grid: str = "endpoints", check: bool = True
                      ) -> NumericLimitProfile:
    """Fit a monotone ``φ`` to ``h_0..h_{N−1}`` and compute the continuum quantities from it.

    Parameters
    ----------
    h : InformationProfile or sequence
        The discrete profile (non-increasing).
    method : {"pchip", "linear"}
        Monotone piecewise-cubic Hermite (scipy ``PchipInterpolator``; preserves monotonicity, so
        ``f = −φ′ ≥ 0``) or piecewise-linear interpolation.
    grid : {"endpoints", "left"}
        ``"endpoints"`` puts ``h_j`` at ``u = j/(N−1)``: ``φ(0) = h_0``, ``φ(1) = h_{N−1}``, so
        ``Δ = h_0 − h_{N−1}`` exactly and no extrapolation is needed (the default).  ``"left"`` puts
        ``h_j`` at ``j/N`` (the convention ``h_j ≈ φ(j/N)``) and extends to ``u = 1`` by the last
        secant.  The two differ by ``O(1/N)`` in ``u``.
    check : bool
        Refuse a profile that increases (a noisy estimate: pass ``check=False`` to fit anyway, the
        PCHIP fit then follows the bumps).

    Returns
    -------
    NumericLimitProfile
        With ``.phi(u)``, ``.f(u)``, ``.delta``, ``.leading_constant``, ``.density(u)``, ``.cdf(u)``,
        ``.breakpoints(K, N=None)`` and ``.fit_error`` (leave-one-out max deviation on the nodes).

    Examples
    --------
    >>> fit = fit_limit_profile([1 - j / 10 for j in range(10)], method="linear", grid="left")
    >>> round(fit.leading_constant, 12), round(fit.delta, 12)
    (0.5, 1.0)
    """
    if not isinstance(method, str) or method not in ("pchip", "linear"):
        raise SymschedError(f"method must be 'pchip' or 'linear', got {method!r}")
    if not isinstance(grid, str) or grid not in ("endpoints", "left"):
        raise SymschedError(f"grid must be 'endpoints' or 'left', got {grid!r}")
    prof = as_profile(h, check=check)
    if prof.N < 2:  # one value gives no shape: phi(0) = phi(1) would be invented
        raise SymschedError(f"fit_limit_profile: h has N = {prof.N} entry; fitting phi on [0, 1] needs at least 2 "
                            "(h_0 and h_{N-1})")
    return NumericLimitProfile(prof.as_array(), method, grid)
