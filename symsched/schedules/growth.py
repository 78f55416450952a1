"""Wainwright's continuous-time view: unmasking growth and the optimal Bernoulli grid (docs/concepts.md §9).

With ``d_j = h_j - h_{j+1} >= 0`` (``j = 0..N-2``) and Bernstein polynomials
``b_{j,n}(t) = C(n, j) t^j (1-t)^{n-j}``:

* gain ``h(t) = N Σ_j b_{j,N-1}(t) (h_0 - h_j)`` and rate ``h'(t) = N(N-1) Σ_j b_{j,N-2}(t) d_j >= 0``;
* growth complexity ``H(p, q) = ∫_p^q t(1-t) h'(t) dt
  = Σ_j d_j (j+1)(N-1-j)/(N+1) · [T_{j+2}(q) - T_{j+2}(p)]`` with ``T_m(x) = P(Binom(N+1, x) >= m)``
  (``∫_0^x t^a (1-t)^b dt = a! b!/(a+b+1)! · P(Binom(a+b+1, x) >= a+1)``), hence exact for rational
  ``p, q`` in the profile's arithmetic; ``H(0, 1) = Σ_j h_j (N-1-2j)/(N+1) = 2 TSE/(N+1)`` (summation by
  parts);
* ``TC = ∫ (1-t) h' = Σ_j (N-1-j) d_j`` and ``DTC = ∫ t h' = Σ_j (j+1) d_j`` (``∫ b_{j,n} (1-t) dt =
  (n-j+1)/((n+1)(n+2))``);
* coarse ``C = 2 ln(N-1) H(1/N, 1-1/N)``, fine ``P = (∫_{1/N}^{1-1/N} √h'(t) dt)²`` (numerical, at the
  requested precision), ratio ``C/P``; the log-odds density ``q(λ) = r²(1-r)² h'(r)``, ``r = e^λ/(1+e^λ)``;
  the Dmitriev–Huang–Wei effective TC ``∫ t min(1, ln(1/t)) h'(t) dt`` (numerical).

The Bernoulli sampler's exact error on a grid ``0 = t_0 < ... < t_K = 1`` (docs/concepts.md §2) is
``F = Σ_k (t_k - t_{k-1}) g(t_{k-1}) - H`` with ``g(t) = N Σ_j b_{j,N-1}(t) h_j = h_0 N - h(t)``, a left
Riemann sum of the non-increasing ``g`` (``∫_0^1 g = H``). :func:`optimal_bernoulli_grid` minimises it.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
from scipy.integrate import quad, quad_vec
from scipy.linalg import eigh_tridiagonal, solve_banded
from scipy.special import gammaln, xlog1py, xlogy
from scipy.stats import binom

from ..info.progress import WorkProgress
from ..errors import ModelTooLargeError, SymschedError
from ..info.profile import as_profile
from ..results import Estimate, Result, jsonable
from ..validation import check_dps, check_steps
from .grids import bernoulli_expected_kl

__all__ = ["unmasking_growth", "UnmaskingGrowth", "optimal_bernoulli_grid", "OptimalBernoulliGrid",
           "sqrt_rate_grid"]


def _profile_for(profile: Any):
    prof = as_profile(profile)
    mono = getattr(prof, "monotone", None)
    if not getattr(prof, "exact", True) and callable(mono):
        prof = mono()  # an estimate: work on its monotone projection (docs/concepts.md, "Estimates")
    return prof


class UnmaskingGrowth(Result):
    """Wainwright's unmasking growth of a profile (:func:`unmasking_growth`).

    Attributes
    ----------
    N : int
    coarse : number
        ``C = 2 ln(N-1) H(1/N, 1-1/N)`` (exact in the profile's arithmetic).
    fine : number
        ``P = (∫_{1/N}^{1-1/N} √h')²`` (numerical).
    ratio : number
        ``C / P`` (None when ``P = 0``).
    fine_full : number
        ``(∫_0^1 √h')²``, the constant of the optimal grid's error ``≈ fine_full / (2K)`` at fixed ``N``.
    tse : number
        ``Σ_j ((N-1)/2 - j) h_j``.
    h01 : number
        ``H(0, 1) = 2 TSE/(N+1)``.
    tc, dtc : number
        ``∫(1-t) h'`` and ``∫ t h'`` (exact).
    effective_tc : number
        ``∫ t min(1, ln(1/t)) h'(t) dt`` (numerical).
    precision : str
    exact : bool
        True when the profile is exact (``fine``, ``ratio``, ``effective_tc`` are numerical quadratures
        at the requested precision even then).
    stderr : dict
        For an estimated profile: standard errors of every quantity, by the delta method on the profile's
        covariance ``C`` (docs/uncertainty.md): ``sqrt(w' C w)`` for those linear in ``h`` (``coarse``,
        ``tse``, ``h01``, ``tc``, ``dtc``, ``effective_tc``) and ``sqrt(g' C g)`` with ``g`` the gradient in
        ``h`` for ``fine``, ``fine_full`` (``P = I²``, ``∂P/∂h = 2 I ∂I/∂h``, ``∂I/∂d_j = ∫ N(N-1)
        b_{j,N-2}(t) / (2 √h'(t)) dt``) and ``ratio``; zeros for an exact profile.  Printed, an estimate's
        numbers show as value ± standard error.
    """

    _headline = "ratio"
    _fields = ("N", "coarse", "fine", "ratio", "fine_full", "tse", "h01", "tc", "dtc", "effective_tc", "exact")
    _repr_fields = ("N", "coarse", "fine", "ratio")

    def __init__(self, prof, dps: int | None):
        self._prof = prof
        self.N = prof.N
        self.precision = prof.precision
        self.exact = bool(getattr(prof, "exact", True)) and not any(float(x) > 0 for x in prof.stderr)
        self._dps = dps or prof.dps or 30
        ar = prof.arithmetic
        N = self.N
        with ar.workprec():
            self._d = [prof.h[j] - prof.h[j + 1] for j in range(N - 1)]
            self.tse = self._fin(ar.sum([(ar.convert(N - 1) / 2 - j) * prof.h[j] for j in range(N)]))
            if N > 1:
                self.tc = self._fin(ar.sum([(N - 1 - j) * dj for j, dj in enumerate(self._d)]))
                self.dtc = self._fin(ar.sum([(j + 1) * dj for j, dj in enumerate(self._d)]))
            else:
                self.tc = self.dtc = self._fin(ar.zero)
        self.h01 = self.mass(0, 1)
        if N >= 3:
            lo, hi = self._rational(1, N), 1 - self._rational(1, N)
            with ar.workprec():
                self.coarse = self._fin(2 * ar.log(ar.convert(N - 1)) * ar.convert(self.mass(lo, hi)))
            self.fine = self._sqrt_rate_integral(1.0 / N, 1.0 - 1.0 / N) ** 2
            self.ratio = (self._num(self.coarse) / self.fine) if self.fine > 0 else None
        else:
            self.coarse, self.fine, self.ratio = self._fin(ar.zero), 0.0, None
        self.fine_full = self._sqrt_rate_integral(0.0, 1.0) ** 2 if N >= 2 else 0.0
        self.effective_tc = self._effective_tc()
        self.stderr = self._linear_stderr()
        if not self.exact and self.precision == "float" and N >= 2:
            self.stderr.update(self._delta_stderr())
        self._freeze()

    def _field_items(self) -> list:
        # an estimate's numbers are shown as value ± standard error (the attributes stay numbers)
        items = super()._field_items()
        if self.exact:
            return items
        return [(k, Estimate(v, self.stderr[k], k) if k in self.stderr and v is not None else v) for k, v in items]

    def to_dict(self) -> dict:
        out = {"type": type(self).__name__}
        out.update({name: jsonable(getattr(self, name)) for name in self._fields})  # numbers, as before
        out["stderr"] = dict(self.stderr)
        return out

    def _linear_stderr(self) -> dict:
        """Standard errors of the quantities linear in h: ``sqrt(w' C w)`` with the profile's covariance."""
        N = self.N
        se = np.array([float(x) for x in self._prof.stderr]) if len(self._prof.stderr) == N else np.zeros(N)
        j = np.arange(N)
        coef = {"tse": (N - 1) / 2 - j, "tc": np.where(j == 0, N - 1.0, -1.0),
                "dtc": np.where(j == N - 1, -(N - 1.0), 1.0)}
        coef["h01"] = 2 * coef["tse"] / (N + 1)
        if N >= 3:
            # mass(1/N, 1-1/N) = sum_j d_j w_j with d_j = h_j - h_{j+1}: coefficient of h_i is w_i - w_{i-1}
            lo, hi = 1 / N, 1 - 1 / N
            i = np.arange(N - 1)
            w = (i + 1) * (N - 1 - i) / (N + 1) * (binom.sf(i + 1, N + 1, hi) - binom.sf(i + 1, N + 1, lo))
            cm = np.concatenate([w, [0.0]]) - np.concatenate([[0.0], w])
            coef["coarse"] = 2 * math.log(N - 1) * cm
        else:
            coef["coarse"] = np.zeros(N)
        if N == 1:
            coef["tc"] = coef["dtc"] = np.zeros(1)
        if callable(getattr(self._prof, "linear_stderr", None)) and len(self._prof.stderr) == N:
            # the delta method on the full covariance of the h_j (docs/uncertainty.md): sqrt(w' C w)
            return {k: float(self._prof.linear_stderr(np.asarray(v, dtype=float))) for k, v in coef.items()}
        return {k: float(np.sqrt(np.sum((v * se) ** 2))) for k, v in coef.items()}

    def _delta_stderr(self) -> dict:
        """Standard errors of ``fine``, ``fine_full``, ``ratio`` (gradients) and ``effective_tc`` (linear)."""
        N = self.N
        if N > DELTA_MAX_N:
            nan = float("nan")  # the quadratures of N gradients would be slow; say it is unknown
            return {"fine": nan, "fine_full": nan, "ratio": nan, "effective_tc": nan}
        C = self._prof.covariance_matrix()
        C = C.toarray() if hasattr(C, "toarray") else np.asarray(C, dtype=float)
        d = np.array([float(x) for x in self._d])

        def se(g_d: np.ndarray) -> float:  # a gradient in d (d_j = h_j - h_{j+1}) to a standard error in h
            g = np.concatenate([g_d, [0.0]]) - np.concatenate([[0.0], g_d])
            return math.sqrt(max(float(g @ C @ g), 0.0))

        out = {}
        grads = {}
        for name, (a, b) in (("fine", (1.0 / N, 1.0 - 1.0 / N)), ("fine_full", (0.0, 1.0))):
            if name == "fine" and N < 3:
                out[name], grads[name] = 0.0, np.zeros(N - 1)
                continue
            root = math.sqrt(max(float(getattr(self, name)), 0.0))
            grads[name] = 2 * root * sqrt_rate_gradient(d, N, a, b)
            out[name] = se(grads[name])
        coef = quad_vec(lambda t: t * min(1.0, -math.log(t)) * _rate_basis(N, t) if t > 0 else np.zeros(N - 1),
                        0.0, 1.0, epsabs=1e-12, epsrel=1e-9, limit=400)[0]
        out["effective_tc"] = se(coef)
        if self.ratio is not None and N >= 3:
            fine, coarse = float(self.fine), float(self.coarse)
            j = np.arange(N - 1)
            lo, hi = 1 / N, 1 - 1 / N
            c_coarse = 2 * math.log(N - 1) * (j + 1) * (N - 1 - j) / (N + 1) * (
                binom.sf(j + 1, N + 1, hi) - binom.sf(j + 1, N + 1, lo))
            out["ratio"] = se(c_coarse / fine - coarse * grads["fine"] / fine ** 2)
        else:
            out["ratio"] = 0.0
        return out

    # -- arithmetic helpers --------------------------------------------------------------------
    def _rational(self, a: int, b: int):
        return Fraction(a, b) if self.precision != "float" else a / b

    def _fin(self, x):
        return float(x) if self.precision == "float" else self._prof.arithmetic.finalize(x)

    def _num(self, x):
        if self.precision == "float":
            return float(x)
        with mpmath.workdps(self._dps):
            return mpmath.mpf(mpmath.mpmathify(x) if not hasattr(x, "evalf") else x.evalf(self._dps + 5))

    # -- functions of t ------------------------------------------------------------------------
    def gain(self, t: Any) -> Any:
        """``h(t) = N Σ_j Binom(j; N-1, t) (h_0 - h_j)`` (the profile's arithmetic for exact ``t``)."""
        prof, ar, N = self._prof, self._prof.arithmetic, self.N
        if self.precision == "float" and N > LOG_SPACE_N:  # C(N-1, j) overflows a float: log space
            g = np.array([float(prof.h[0]) - float(x) for x in prof.h])
            return float(N * _bernstein_dot(N - 1, _unit(t, "t"), g))
        with ar.workprec():
            tt = ar.convert(t, "t")
            return self._fin(ar.sum([N * ar.binomial(N - 1, j) * tt ** j * (ar.one - tt) ** (N - 1 - j)
                                     * (prof.h[0] - prof.h[j]) for j in range(N)]))

    def rate(self, t: Any) -> Any:
        """``h'(t) = N(N-1) Σ_j Binom(j; N-2, t) (h_j - h_{j+1})``."""
        ar, N = self._prof.arithmetic, self.N
        if N < 2:
            return self._fin(ar.zero)
        if self.precision == "float" and N > LOG_SPACE_N:
            return float(self._rate_float(np.array([_unit(t, "t")]))[0])
        with ar.workprec():
            tt = ar.convert(t, "t")
            return self._fin(ar.sum([N * (N - 1) * ar.binomial(N - 2, j) * tt ** j * (ar.one - tt) ** (N - 2 - j) * dj
                                     for j, dj in enumerate(self._d)]))

    def _rate_float(self, t: np.ndarray) -> np.ndarray:
        N = self.N
        if "_dfloat" not in self.__dict__:  # converted once: quadratures call this hundreds of times
            object.__setattr__(self, "_dfloat", np.array([float(x) for x in self._d]))
        d = self._dfloat
        t = np.atleast_1d(np.asarray(t, float))
        if N > LOG_SPACE_N:
            return N * (N - 1) * np.array([_bernstein_dot(N - 2, float(x), d) for x in t])
        return N * (N - 1) * binom.pmf(np.arange(N - 1)[None, :], N - 2, t[:, None]) @ d

    def _rate_mp(self, t):
        N = self.N
        return N * (N - 1) * mpmath.fsum(mpmath.binomial(N - 2, j) * t ** j * (1 - t) ** (N - 2 - j) * self._dmp[j]
                                         for j in range(N - 1))

    def mass(self, p: Any, q: Any) -> Any:
        """Growth complexity ``H(p, q) = ∫_p^q t(1-t) h'(t) dt``, exact for exact ``p, q`` and profile."""
        return self._fin(growth_mass(self._prof, p, q, self._d))

    def density(self, lam: Any) -> Any:
        """Log-odds density ``q(λ) = r²(1-r)² h'(r)`` with ``r = e^λ / (1 + e^λ)`` (float or mpf)."""
        r = 1 / (1 + mpmath.exp(-mpmath.mpf(lam))) if self.precision != "float" else 1 / (1 + math.exp(-float(lam)))
        return r ** 2 * (1 - r) ** 2 * self._rate_scalar(r)

    def _rate_scalar(self, t):
        if self.precision == "float":
            return float(self._rate_float(np.array([float(t)]))[0])
        with mpmath.workdps(self._dps):
            self._ensure_mp()
            return self._rate_mp(mpmath.mpf(t))

    def _ensure_mp(self):
        if "_dmp" not in self.__dict__:
            object.__setattr__(self, "_dmp", [mpmath.mpf(self._num(x)) for x in self._d])

    def _quad(self, f, a: float, b: float):
        """∫_a^b f with mpmath (interval split geometrically towards both ends, where h' can vary fast)."""
        pts = sorted(set([a, b] + [a + (b - a) * x for x in (1e-4, 1e-3, 1e-2, 0.05, 0.2, 0.5, 0.8, 0.95, 0.99,
                                                             0.999, 0.9999)]))
        return mpmath.quad(f, pts)

    def _float_quad(self, f, a: float, b: float) -> float:
        pts = [a + (b - a) * x for x in (1e-4, 1e-3, 1e-2, 0.05, 0.2, 0.5, 0.8, 0.95, 0.99, 0.999, 0.9999)]
        return float(quad(f, a, b, points=pts, limit=500, epsabs=1e-13, epsrel=1e-11)[0])

    def _sqrt_rate_integral(self, a: float, b: float) -> Any:
        if self.N < 2:
            return 0.0
        if self.precision == "float":
            return self._float_quad(lambda t: math.sqrt(max(float(self._rate_float(np.array([t]))[0]), 0.0)), a, b)
        with mpmath.workdps(self._dps):
            self._ensure_mp()
            return +self._quad(lambda t: mpmath.sqrt(max(self._rate_mp(t), 0)), mpmath.mpf(a), mpmath.mpf(b))

    def _effective_tc(self) -> Any:
        if self.N < 2:
            return 0.0
        if self.precision == "float":
            return self._float_quad(lambda t: t * min(1.0, -math.log(t)) * float(self._rate_float(np.array([t]))[0])
                                    if t > 0 else 0.0, 0.0, 1.0)
        with mpmath.workdps(self._dps):
            self._ensure_mp()
            return +self._quad(lambda t: t * min(mpmath.mpf(1), -mpmath.log(t)) * self._rate_mp(t) if t > 0 else 0,
                               mpmath.mpf(0), mpmath.mpf(1))


def growth_mass(prof, p: Any, q: Any, d: Any = None) -> Any:
    """``H(p, q)`` in the profile's arithmetic (not finalized): ``Σ_j d_j (j+1)(N-1-j)/(N+1) [T_{j+2}(q) -
    T_{j+2}(p)]`` with ``T_m(x) = P(Binom(N+1, x) >= m)``; ``d`` the differences ``h_j - h_{j+1}`` if known."""
    ar, N = prof.arithmetic, prof.N
    if N < 2:
        return ar.zero
    with ar.workprec():
        if d is None:
            d = [prof.h[j] - prof.h[j + 1] for j in range(N - 1)]
        pp, qq = ar.convert(p, "p"), ar.convert(q, "q")
        if not 0 <= float(pp) <= float(qq) <= 1:
            raise SymschedError(f"mass(p, q): need 0 <= p <= q <= 1, got p = {p!r}, q = {q!r}")
        n = N + 1
        if ar.precision == "float" and N > LOG_SPACE_N:
            # C(n, i) x^i overflows a float from N ~ 1000 on (an OverflowError at N = 10^5): the tails
            # T_{j+2}(x) = P(Binom(n, x) > j + 1) from scipy, in log space, all j at once
            j = np.arange(N - 1)
            w = (j + 1) * (N - 1 - j) / n * (binom.sf(j + 1, n, float(qq)) - binom.sf(j + 1, n, float(pp)))
            return float(np.dot(np.array([float(x) for x in d]), w))
        if N * N > MAX_EXACT_GROWTH_TERMS:
            raise ModelTooLargeError(f"growth mass of an exact profile with N = {N} (binomial tail sums: about N^2 "
                                     "exact terms)", N * N, MAX_EXACT_GROWTH_TERMS,
                                     "use a float profile (as_profile(h, precision='float') or the profile's "
                                     ".to_float()): it is computed in log space in O(N)")

        def tail(m, x):  # P(Binom(n, x) >= m)
            return ar.sum([ar.binomial(n, i) * x ** i * (ar.one - x) ** (n - i) for i in range(m, n + 1)])

        return ar.sum([dj * ar.convert((j + 1) * (N - 1 - j)) / n * (tail(j + 2, qq) - tail(j + 2, pp))
                       for j, dj in enumerate(d)])


#: Beyond this N, float growth quantities are computed in log space (``C(N, j) t^j`` overflows a float near
#: N = 1030); below it, as before (the same numbers to the last bit).
LOG_SPACE_N = 512
#: Largest N^2 for the exact (Fraction / mpmath / symbolic) binomial tail sums of the growth mass.
MAX_EXACT_GROWTH_TERMS = 4 * 10 ** 6


#: Largest N for which the standard errors of an estimate's non-linear growth quantities are computed.
DELTA_MAX_N = 20_000


def _rate_basis(N: int, t: float) -> np.ndarray:
    """``∂h'(t)/∂d_j = N(N-1) b_{j,N-2}(t)``, ``j = 0..N-2`` (in log space: no overflow at large N, and
    without scipy.stats' per-call overhead, since quadratures call it hundreds of times)."""
    n = N - 2
    j = np.arange(n + 1)
    log_c = gammaln(n + 1) - gammaln(j + 1) - gammaln(n - j + 1)
    return N * (N - 1) * np.exp(log_c + xlogy(j, t) + xlog1py(n - j, -t))


def sqrt_rate_gradient(d: np.ndarray, N: int, a: float, b: float) -> np.ndarray:
    """``∂/∂d_j ∫_a^b √h'(t) dt = ∫_a^b N(N-1) b_{j,N-2}(t) / (2 √h'(t)) dt`` (for the delta method).

    Where ``h'`` vanishes the integrand is set to 0 (``√h'`` is not differentiable there).

    >>> import numpy as np
    >>> d = np.array([0.3, 0.1])                       # N = 3: h'(t) = 6 (0.3 (1-t) + 0.1 t)
    >>> g = sqrt_rate_gradient(d, 3, 0.0, 1.0)
    >>> eps = 1e-6
    >>> from scipy.integrate import quad
    >>> I = lambda d: quad(lambda t: np.sqrt(6 * (d[0] * (1 - t) + d[1] * t)), 0, 1)[0]
    >>> bool(abs(g[0] - (I(d + [eps, 0]) - I(d - [eps, 0])) / (2 * eps)) < 1e-6)
    True
    """
    def f(t):
        basis = _rate_basis(N, t)
        r = float(basis @ d)
        return basis / (2 * math.sqrt(r)) if r > 0 else np.zeros(N - 1)

    return quad_vec(f, a, b, epsabs=1e-12, epsrel=1e-9, limit=400)[0]


def _unit(t: Any, name: str) -> float:
    v = float(t)
    if not 0 <= v <= 1:
        raise SymschedError(f"{name} must be in [0, 1], got {t!r}")
    return v


def _bernstein_dot(n: int, t: float, c: np.ndarray) -> float:
    """``Σ_j C(n, j) t^j (1-t)^(n-j) c_j`` for large ``n`` (scipy's binomial pmf, accurate where the
    binomial coefficient overflows), summed only where the weights matter: within ``12 sd + 60`` of ``n t``
    (beyond, the weights are below 1e-30 of the total)."""
    half = 12 * math.sqrt(n * t * (1 - t)) + 60
    lo, hi = max(0, int(n * t - half)), min(n, int(n * t + half) + 1)
    j = np.arange(lo, hi + 1)
    return float(np.dot(binom.pmf(j, n, t), c[lo:hi + 1]))


def unmasking_growth(profile: Any, dps: int | None = None) -> UnmaskingGrowth:
    """Wainwright's unmasking growth quantities of an information profile (see the module docstring).

    Parameters
    ----------
    profile : InformationProfile or sequence
        Exact profiles give exact ``coarse``, ``tse``, ``h01``, ``tc``, ``dtc`` and ``mass(p, q)``; an
        estimate is replaced by its monotone projection.
    dps : int, optional
        Digits of the numerical quadratures (``fine``, ``ratio``, ``effective_tc``); default the
        profile's or 30.

    Examples
    --------
    >>> import symsched as ss
    >>> g = ss.unmasking_growth(ss.information_profile(ss.copy_model(5, 2)))   # repeated bit, d = 5
    >>> round(g.h01, 6), round(4 / 6 * 0.6931471805599453, 6)                # (d-1)/(d+1) log 2
    (0.462098, 0.462098)
    >>> round(g.tc, 6), round(g.dtc, 6)
    (2.772589, 0.693147)
    """
    prof = _profile_for(profile)
    return UnmaskingGrowth(prof, None if dps is None else check_dps(dps, "unmasking_growth"))


# -- the optimal Bernoulli grid ------------------------------------------------------------------

def _bernstein(n: int, t: np.ndarray) -> np.ndarray:
    """Matrix ``[b_{j,n}(t_i)]`` (Binomial(n, t_i) pmf at j = 0..n), in log space (scipy's pmf is slow here)."""
    t = np.atleast_1d(np.asarray(t, float))[:, None]
    j = np.arange(n + 1)[None, :]
    logc = gammaln(n + 1) - gammaln(j + 1) - gammaln(n - j + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.exp(logc + xlogy(j, t) + xlog1py(n - j, -t))
    return out


class _G:
    """``g(t) = N Σ b_{j,N-1}(t) h_j``, its derivatives and its integral, vectorised in float64."""

    def __init__(self, h):
        self.h = np.asarray(h, float)
        self.N = len(self.h)
        self.d = self.h[:-1] - self.h[1:]
        self.H = float(self.h.sum())

    def g(self, t):
        return self.N * _bernstein(self.N - 1, t) @ self.h

    def dg(self, t):
        t = np.atleast_1d(np.asarray(t, float))
        if self.N < 2:
            return np.zeros_like(t)
        return -self.N * (self.N - 1) * _bernstein(self.N - 2, t) @ self.d

    def d2g(self, t):
        t = np.atleast_1d(np.asarray(t, float))
        if self.N < 3:
            return np.zeros_like(t)
        dd = self.d[1:] - self.d[:-1]
        return -self.N * (self.N - 1) * (self.N - 2) * _bernstein(self.N - 3, t) @ dd

    def G(self, t):
        """``∫_0^t g = Σ_j h_j P(Binom(N, t) >= j+1)``."""
        pmf = _bernstein(self.N, t)
        sf = np.cumsum(pmf[:, ::-1], axis=1)[:, ::-1][:, 1:]   # P(X >= j + 1), j = 0..N-1
        return sf @ self.h

    def F(self, grid):
        grid = np.asarray(grid, float)
        return float(np.sum(np.diff(grid) * self.g(grid[:-1]))) - self.H


class OptimalBernoulliGrid(Result):
    """The minimiser of the Bernoulli sampler's exact expected KL over grids of ``K`` steps.

    Attributes
    ----------
    grid : tuple of float
        ``0 = t_0 < ... < t_K = 1``.
    kl : number
        The exact expected KL of ``grid`` (:func:`~symsched.schedules.grids.bernoulli_expected_kl`).
    K : int
    lower_bound : float or Estimate
        A certified lower bound on the optimum over *all* grids of ``K`` steps: the optimum of the mesh
        dynamic programme minus (mesh half-spacing) x (a bound on the gradient's l1 norm).  For an estimated
        profile an Estimate carrying ``kl``'s standard error (the certificate is exact given the estimate).
    gap : float
        ``kl - lower_bound`` (>= 0): how far from optimal ``grid`` can be, at most.
    gradient_norm : float
        Max |∂F/∂t_k| at ``grid`` after Newton refinement (a stationarity certificate).
    hessian_min_eigenvalue : float
        Smallest eigenvalue of the (tridiagonal) Hessian there (> 0: a strict local minimum).
    sqrt_rate_grid : tuple of float
        The asymptotic rule's grid (equal mass of ``√h'``), and ``sqrt_rate_kl`` its exact KL.
    uniform_kl : number
        The exact KL of the uniform grid ``k/K``.
    asymptote : float or Estimate
        ``fine_full / (2K)`` (Wainwright's Thm 3 constant on ``[0, 1]``); for an estimated profile an
        Estimate, its error by the delta method.
    """

    _headline = "kl"
    _fields = ("K", "kl", "lower_bound", "gap", "gradient_norm", "hessian_min_eigenvalue", "uniform_kl",
               "sqrt_rate_kl", "asymptote", "grid")
    _repr_fields = ("K", "kl", "gap", "asymptote")

    def __init__(self, **kw):
        for k, v in kw.items():
            setattr(self, k, v)
        self._freeze()


#: Mesh intervals of optimal_bernoulli_grid's dynamic programme: it holds a (mesh+1)^2 float table (200 MB).
_MAX_MESH = 5000
#: Its work, K (mesh+1)^2 operations: the default mesh (<= 2000) at the largest K it admits stays under.
_MAX_MESH_WORK = 1e10


def sqrt_rate_grid(profile: Any, K: int, mesh: int = 4001) -> tuple:
    """Grid of equal ``√h'`` mass: ``t_k`` with ``∫_0^{t_k} √h' = (k/K) ∫_0^1 √h'`` (Wainwright's asymptotic rule).

    >>> [round(t, 4) for t in sqrt_rate_grid([0.7, 0.4, 0.1], 2)]   # h' constant: uniform
    [0.0, 0.5, 1.0]
    """
    prof = _profile_for(profile)
    K = _check_K(K)
    mesh = check_steps(mesh, "mesh", "sqrt_rate_grid", maximum=10 ** 7)
    if mesh < 2:
        raise SymschedError(f"sqrt_rate_grid: mesh must be at least 2 points, got mesh = {mesh}")
    G = _G(prof.as_array())
    if G.N < 2:
        return tuple(np.linspace(0, 1, K + 1).tolist())
    t = np.linspace(0, 1, mesh)
    s = np.sqrt(np.maximum(-G.dg(t), 0))
    cum = np.concatenate([[0.0], np.cumsum((s[1:] + s[:-1]) / 2 * np.diff(t))])
    if cum[-1] <= 0:
        return tuple(np.linspace(0, 1, K + 1).tolist())
    pts = np.interp(np.arange(K + 1) / K * cum[-1], cum, t)
    pts[0], pts[-1] = 0.0, 1.0
    return tuple(float(x) for x in pts)


def _check_K(K: Any) -> int:
    return check_steps(K, "K")


def _mesh_dp(G: _G, K: int, mesh: int, bar: WorkProgress | None = None):
    """Exact optimum of F over grids whose points lie on a uniform mesh (empty steps allowed)."""
    t = np.linspace(0.0, 1.0, mesh + 1)
    g, Gt = G.g(t), G.G(t)
    # W[a, b] = (t_b - t_a) g(t_a) - (G(t_b) - G(t_a)) for a <= b (the step's error); +inf below the diagonal
    W = (t[None, :] - t[:, None]) * g[:, None] - (Gt[None, :] - Gt[:, None])
    W[np.tril_indices(mesh + 1, -1)] = np.inf
    np.maximum(W, 0, out=W, where=np.isfinite(W))  # each step's error is >= 0; clip rounding
    f = W[0].copy()                                  # one step from 0 to b
    arg = [np.zeros(mesh + 1, dtype=np.int64)]
    for _ in range(1, K):
        tot = f[:, None] + W
        a = np.argmin(tot, axis=0)
        f = tot[a, np.arange(mesh + 1)]
        arg.append(a)
        if bar is not None:
            bar.update()
    b, pts = mesh, [mesh]
    for k in range(K - 1, 0, -1):
        b = int(arg[k][b])
        pts.append(b)
    pts.append(0)
    return float(f[mesh]), t[pts[::-1]]


def _newton(G: _G, grid: np.ndarray, iters: int = 50):
    x = grid.copy()
    K = len(x) - 1
    if K < 2:
        return x, 0.0, math.inf

    def grad(x):
        inner = x[1:-1]
        return G.g(x[:-2]) - G.g(inner) + (x[2:] - inner) * G.dg(inner)

    def hess(x):
        inner = x[1:-1]
        diag = -2 * G.dg(inner) + (x[2:] - inner) * G.d2g(inner)
        off = G.dg(inner[:-1])
        return diag, off

    f0 = G.F(x)
    for _ in range(iters):
        gr = grad(x)
        if np.max(np.abs(gr)) < 1e-14 * max(1.0, G.H):
            break
        diag, off = hess(x)
        ab = np.zeros((3, K - 1))
        ab[0, 1:], ab[1], ab[2, :-1] = off, diag, off
        try:
            step = solve_banded((1, 1), ab, gr)
        except (np.linalg.LinAlgError, ValueError):
            break
        lam = 1.0
        while lam > 1e-8:
            y = x.copy()
            y[1:-1] = x[1:-1] - lam * step
            if np.all(np.diff(y) > 0) and G.F(y) <= f0 + 1e-16:
                break
            lam /= 2
        else:
            break
        x, f0 = y, G.F(y)
    gr = grad(x)
    diag, off = hess(x)
    mineig = float(eigh_tridiagonal(diag, off, eigvals_only=True, select="i", select_range=(0, 0))[0]) \
        if K > 2 else float(diag[0])
    return x, float(np.max(np.abs(gr))), mineig


def optimal_bernoulli_grid(profile: Any, K: int, mesh: int | None = None, progress: Any = None) -> OptimalBernoulliGrid:
    """The exact minimiser of the Bernoulli sampler's expected KL over grids of ``K`` steps, with a certificate.

    Method: the exact optimum over grids on a uniform mesh of ``[0, 1]`` (dynamic programme on the step
    errors ``w(a, b) = (t_b - t_a) g(t_a) - ∫_{t_a}^{t_b} g``), then Newton's method on the stationarity
    equations ``g(t_{k-1}) - g(t_k) + (t_{k+1} - t_k) g'(t_k) = 0`` (tridiagonal Hessian). Certificate:
    ``lower_bound = DP optimum - (spacing/2) (g(0) - g(1) + N(N-1) max_j d_j)`` bounds every grid of ``K``
    steps from below (rounding the true optimum to the mesh moves each point by at most spacing/2, and
    the gradient's l1 norm is at most that constant), so ``gap = kl - lower_bound`` bounds the
    sub-optimality; ``gradient_norm`` and ``hessian_min_eigenvalue`` certify a strict local minimum.

    Parameters
    ----------
    profile : InformationProfile or sequence
    K : int
    mesh : int, optional
        Mesh intervals of the dynamic programme (default ``max(1000, 8K)``, at most 2000); a finer mesh
        tightens the certificate.
    progress : bool, optional
        A bar over the dynamic programme's ``K - 1`` stages (each ``O(mesh^2)``).  Default: shown when it projects
        past a few seconds and someone watches (a terminal or Jupyter).

    Returns
    -------
    OptimalBernoulliGrid
        ``float()`` is ``.kl``, the exact expected KL (profile arithmetic) of the returned grid.

    Examples
    --------
    >>> import symsched as ss
    >>> r = ss.optimal_bernoulli_grid([0.7, 0.4, 0.1], 2)   # g(t) = 2.1 - 1.8 t: F = 0.9 - 1.8 t (1 - t)
    >>> [round(t, 6) for t in r.grid], round(r.kl, 6), r.gap < 1e-3
    ([0.0, 0.5, 1.0], 0.45, True)
    """
    prof = _profile_for(profile)
    K = _check_K(K)
    G = _G(prof.as_array())
    M = check_steps(mesh, "mesh", "optimal_bernoulli_grid", maximum=_MAX_MESH) if mesh is not None else \
        min(2000, max(1000, 8 * K))
    if K * (M + 1) ** 2 > _MAX_MESH_WORK:
        raise ModelTooLargeError(f"optimal_bernoulli_grid: the mesh dynamic programme with K = {K}, mesh = {M}",
                                 K * (M + 1) ** 2, _MAX_MESH_WORK, "use fewer steps K or a coarser mesh")
    if M < K:
        raise SymschedError(f"optimal_bernoulli_grid: mesh = {M} intervals cannot hold K = {K} steps")
    with WorkProgress(progress, K - 1, "optimal_bernoulli_grid", "stage", "optimal_bernoulli_grid") as bar:
        f_dp, x0 = _mesh_dp(G, K, M, bar)
    # the DP allows empty steps; spread coincident points so Newton starts from a strict grid
    for k in range(1, K):
        if x0[k] <= x0[k - 1]:
            x0[k] = x0[k - 1] + 1e-9
    x0 = np.minimum(x0, 1.0)
    x0[-1] = 1.0
    if not np.all(np.diff(x0) > 0):
        x0 = np.linspace(0, 1, K + 1)
    x, gnorm, mineig = _newton(G, x0)
    if G.F(x) > G.F(x0):
        x = x0
    # Certificate. Rounding the optimum t* to the mesh moves each point by <= delta = 1/(2M). First order:
    # the gradient's l1 norm is <= g(0) - g(1) + max|g'|. Second order: an optimal grid can be taken strictly
    # increasing (splitting a step never increases a left Riemann sum of a non-increasing g), so the gradient
    # vanishes at t*, and with the tridiagonal Hessian (diagonal -2g'(t_k) + (t_{k+1} - t_k) g''(t_k),
    # off-diagonal g'(t_k)) F(rounded) - F* <= delta^2 / 2 * (4 (K-1) max|g'| + max|g''|). The maxima are
    # rigorous: the largest value on a fine grid plus half its spacing times a Bernstein bound on the next
    # derivative (|g^(r)| <= N!/(N-r)! max_j |Delta^r h_j| ... applied to r = 2, 3).
    delta = 0.5 / M
    d1, d2 = _derivative_bounds(G)
    first = delta * (float(G.g(0.0)[0] - G.g(1.0)[0]) + d1)
    second = 0.5 * delta ** 2 * (4 * (K - 1) * d1 + d2)
    lower = max(0.0, f_dp - min(first, second))
    grid = tuple(float(v) for v in x)
    kl = bernoulli_expected_kl(prof, grid)
    sq = sqrt_rate_grid(prof, K)
    growth_full = _G_sqrt_full(G)
    gap = max(0.0, float(kl) - lower)
    asymptote: Any = growth_full / (2 * K)
    if isinstance(kl, Estimate):
        # numbers of an estimate carry its error: the certificate moves with the optimum (kl's error), the
        # asymptote P/(2K) by the delta method (P = I², ∂I/∂d from sqrt_rate_gradient); the gap is numerical
        lower = Estimate(lower, kl.stderr, "lower bound (certified on the projected estimate)")
        asymptote = Estimate(asymptote, _fine_full_stderr(prof, G) / (2 * K), "P/(2K)")
    return OptimalBernoulliGrid(grid=grid, kl=kl, K=K, lower_bound=lower, gap=gap,
                                gradient_norm=gnorm, hessian_min_eigenvalue=mineig,
                                sqrt_rate_grid=sq, sqrt_rate_kl=bernoulli_expected_kl(prof, sq),
                                uniform_kl=bernoulli_expected_kl(prof, K), asymptote=asymptote,
                                exact=bool(getattr(prof, "exact", True)))


def _fine_full_stderr(prof: Any, G: _G) -> float:
    """Delta-method standard error of ``(∫_0^1 √h')²`` of an estimated profile (its covariance)."""
    N = G.N
    if N < 2 or N > DELTA_MAX_N:
        return 0.0 if N < 2 else float("nan")
    root = math.sqrt(_G_sqrt_full(G))
    g_d = 2 * root * sqrt_rate_gradient(np.asarray(G.d, dtype=float), N, 0.0, 1.0)
    g = np.concatenate([g_d, [0.0]]) - np.concatenate([[0.0], g_d])
    C = prof.covariance_matrix()
    return math.sqrt(max(float(g @ np.asarray(C @ g).ravel()), 0.0))


def _derivative_bounds(G: _G, fine: int = 4001) -> tuple:
    """Rigorous ``(max|g'|, max|g''|)`` on [0, 1]: fine-grid maxima plus half the spacing times a bound on the
    next derivative from the Bernstein coefficients (a Bernstein polynomial lies between its extreme
    coefficients)."""
    N = G.N
    if N < 2:
        return 0.0, 0.0
    t = np.linspace(0, 1, fine)
    half = 0.5 / (fine - 1)
    d = G.d
    dd = np.diff(d)
    ddd = np.diff(dd)
    b2 = N * (N - 1) * (N - 2) * float(np.max(np.abs(dd), initial=0.0))
    b3 = N * (N - 1) * (N - 2) * (N - 3) * float(np.max(np.abs(ddd), initial=0.0))
    m1 = float(np.max(np.abs(G.dg(t)))) + half * b2
    m2 = float(np.max(np.abs(G.d2g(t)))) + half * b3 if N >= 3 else 0.0
    return min(m1, N * (N - 1) * float(np.max(d, initial=0.0))), min(m2, b2)


def _G_sqrt_full(G: _G, mesh: int = 8001) -> float:
    """``(∫_0^1 √h')²`` by the trapezoid rule on a fine mesh (only the asymptote's reference value)."""
    if G.N < 2:
        return 0.0
    t = np.linspace(0, 1, mesh)
    s = np.sqrt(np.maximum(-G.dg(t), 0))
    return float(np.trapezoid(s, t) if hasattr(np, "trapezoid") else np.trapz(s, t)) ** 2
