"""Wainwright's partition complexity of the reveal path (docs/concepts.md §9, "Certified block schedules").

A partition ``t_0 = b_0 < b_1 < ... < b_M = T`` of a reveal interval inside ``(0, 1)`` has, per block,

* the log-reveal-odds length ``S_m = φ(b_{m+1}) - φ(b_m)``, ``φ(r) = ln(r/(1-r))``;
* the growth (UGC) mass ``H_m = H(b_m, b_{m+1}) = ∫ t(1-t) h'(t) dt`` (exact in the profile's arithmetic,
  :func:`~symsched.schedules.growth.growth_mass`);

and the partition complexity ``C = (Σ_m √(S_m H_m))²``. By Cauchy–Schwarz ``C <= (φ(T) - φ(t_0)) H(t_0, T)``
(one block: equality), refining a partition never increases ``C``, and its infimum over partitions is the
fine complexity ``P = (∫_{t_0}^T √h'(t) dt)²`` (Wainwright's Thm 3).

:meth:`PartitionComplexity.allocation` solves his integer programme (26b) exactly; ``optimize=True`` in
:func:`partition_complexity` chooses the breakpoints by his boundary dynamic programme (39).
"""

from __future__ import annotations

import heapq
import math
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import sympy as sp
from scipy.integrate import quad
from scipy.stats import binom

from ..errors import SymschedError
from ..info.profile import as_profile
from ..results import Estimate, Result
from ..validation import as_list, check_steps
from .growth import growth_mass, sqrt_rate_gradient

__all__ = ["partition_complexity", "PartitionComplexity"]

#: Largest mesh of the boundary dynamic programme (its table has mesh^2 entries).
MAX_MESH = 4000


def phi(r: float) -> float:
    """Log-reveal-odds ``ln(r/(1-r))`` (float)."""
    return math.log(r) - math.log1p(-r)


def canonical_interval(N: int, t0: Any = None, T: Any = None) -> tuple:
    """``(t0, T)``, by default ``(1/N, 1 - 1/N)`` as Fractions; checked ``0 < t0 < T < 1``."""
    if t0 is None:
        t0 = Fraction(1, N)
    if T is None:
        T = Fraction(N - 1, N)
    for name, v in (("t0", t0), ("T", T)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, Fraction, np.integer, np.floating,
                                                                 sp.Basic)):
            raise SymschedError(f"{name} must be a number in (0, 1), got {v!r}")
    if not 0 < float(t0) < float(T) < 1:
        raise SymschedError(f"need 0 < t0 < T < 1, got t0 = {t0!r}, T = {T!r} (N = {N}: the defaults 1/N and "
                            "1 - 1/N need N >= 3)")
    return t0, T


class FloatGrowth:
    """Float64 tools on ``h``: cumulative growth mass ``H(0, x)``, its coefficients in ``h``, and ``h'``."""

    def __init__(self, h: Any):
        self.h = np.asarray(h, dtype=float)
        self.N = N = len(self.h)
        j = np.arange(max(N - 1, 0))
        self.d = self.h[:-1] - self.h[1:]
        self.c = (j + 1) * (N - 1 - j) / (N + 1)   # weight of d_j
        self.j = j

    def weights(self, x: Any) -> np.ndarray:
        """``w_j(x) = c_j P(Binom(N+1, x) >= j+2)``, shape ``(len(x), N-1)``: ``H(0, x) = w(x) @ d``."""
        x = np.atleast_1d(np.asarray(x, dtype=float))
        return self.c[None, :] * binom.sf(self.j[None, :] + 1, self.N + 1, x[:, None])

    def cumulative(self, x: Any) -> np.ndarray:
        if self.N < 2:
            return np.zeros(np.atleast_1d(x).shape)
        return self.weights(x) @ self.d

    def h_coefficients(self, p: float, q: float) -> np.ndarray:
        """Coefficients ``a_i`` with ``H(p, q) = Σ_i a_i h_i`` (for the delta method)."""
        if self.N < 2:
            return np.zeros(self.N)
        w = (self.weights([q]) - self.weights([p]))[0]
        return np.concatenate([w, [0.0]]) - np.concatenate([[0.0], w])

    def rate(self, t: Any) -> np.ndarray:
        t = np.atleast_1d(np.asarray(t, dtype=float))
        if self.N < 2:
            return np.zeros_like(t)
        return self.N * (self.N - 1) * binom.pmf(self.j[None, :], self.N - 2, t[:, None]) @ self.d

    def sqrt_rate_integral(self, a: float, b: float) -> float:
        """``∫_a^b √h'(t) dt`` (scipy quad; the integrand is smooth on ``[a, b] ⊂ (0, 1)``)."""
        if self.N < 2:
            return 0.0
        pts = [a + (b - a) * x for x in (0.01, 0.05, 0.2, 0.5, 0.8, 0.95, 0.99)]
        def f(t):
            return math.sqrt(max(float(self.rate(t)[0]), 0.0))

        return float(quad(f, a, b, points=pts, limit=400, epsabs=1e-13, epsrel=1e-11)[0])


def _working_profile(profile: Any) -> tuple:
    """``(profile, estimated)``: an estimate is replaced by its monotone projection (``h'`` >= 0)."""
    prof = as_profile(profile, check=False) if _is_estimate(profile) else as_profile(profile)
    if _is_estimate(prof):
        return prof.monotone(), True
    return prof, False


def _is_estimate(p: Any) -> bool:
    return hasattr(p, "stderr") and ((not getattr(p, "exact", True)) or any(float(x) > 0 for x in p.stderr))


def _check_breakpoints(breakpoints: Any) -> tuple:
    pts = as_list(breakpoints, "breakpoints", "partition_complexity", expected="a sequence b_0 < ... < b_M in (0, 1)")
    if len(pts) < 2:
        raise SymschedError(f"partition_complexity: breakpoints need at least 2 points (one block), got {pts!r}")
    vals = []
    for i, b in enumerate(pts):
        try:
            v = float(b)
        except (TypeError, ValueError):
            raise SymschedError(f"partition_complexity: breakpoints[{i}] = {b!r} is not a number") from None
        if not (math.isfinite(v) and 0 < v < 1):
            raise SymschedError(f"partition_complexity: breakpoints[{i}] = {b!r} must lie strictly inside (0, 1)")
        if vals and not v > vals[-1]:
            raise SymschedError(f"partition_complexity: breakpoints must increase strictly, got {b!r} after "
                                f"{pts[i - 1]!r} at position {i}")
        vals.append(v)
    return tuple(pts)


def uniform_breakpoints(t0: Any, T: Any, M: int) -> tuple:
    """``M`` blocks of equal log-reveal-odds length on ``[t0, T]`` (ends kept as given)."""
    lo, hi = phi(float(t0)), phi(float(T))
    inner = [1.0 / (1.0 + math.exp(-(lo + (hi - lo) * m / M))) for m in range(1, M)]
    return (t0, *inner, T)


class PartitionComplexity(Result):
    """Wainwright's partition complexity of a block partition (:func:`partition_complexity`).

    Attributes
    ----------
    breakpoints : tuple
        ``b_0 = t_0 < ... < b_M = T``.
    M : int
        Number of blocks.
    S : tuple
        Log-reveal-odds lengths ``S_m = φ(b_{m+1}) - φ(b_m)``.
    H : tuple
        Growth masses ``H_m = H(b_m, b_{m+1})`` (:class:`~symsched.results.Estimate` for an estimated profile).
    C : number
        ``(Σ_m √(S_m H_m))²``; ``float(pc)``.
    cauchy_schwarz : number
        ``(φ(T) - φ(t_0)) H(t_0, T)`` >= ``C`` (eq. 29; the one-block complexity).
    fine : float
        ``P = (∫_{t_0}^T √h'(t) dt)²`` <= ``C`` (numerical quadrature), the infimum over partitions.
    exact : bool
    precision : str
    note : str
    """

    _headline = "C"
    _fields = ("M", "breakpoints", "S", "H", "C", "cauchy_schwarz", "fine", "exact", "note")
    _repr_fields = ("M", "C", "cauchy_schwarz")

    def __init__(self, prof, breakpoints: tuple, *, estimated: bool, note: str = ""):
        object.__setattr__(self, "_prof", prof)
        self.breakpoints = breakpoints
        self.M = len(breakpoints) - 1
        self.precision = prof.precision
        self.exact = not estimated
        self.N = prof.N
        self.note = note
        fg = FloatGrowth(prof.as_array()) if prof.precision == "float" or estimated else None
        object.__setattr__(self, "_fg", fg)
        if fg is not None:
            self._float_values(fg, estimated)
        else:
            self._exact_values()
        self._freeze()

    # -- the two routes -----------------------------------------------------------------------------
    def _float_values(self, fg: FloatGrowth, estimated: bool) -> None:
        b = np.array([float(x) for x in self.breakpoints])
        lam = np.log(b) - np.log1p(-b)
        S = np.diff(lam)
        cum = fg.cumulative(b)
        H = np.maximum(np.diff(cum), 0.0)  # each block's mass is >= 0 (h' >= 0): clear rounding
        root = float(np.sum(np.sqrt(S * H)))
        C = root ** 2
        cs = float(lam[-1] - lam[0]) * float(max(cum[-1] - cum[0], 0.0))
        self.S = tuple(float(s) for s in S)
        if not estimated:
            self.H, self.C, self.cauchy_schwarz = tuple(float(x) for x in H), C, cs
            return
        prof = self._prof
        cov = prof.covariance_matrix()
        A = np.array([fg.h_coefficients(b[m], b[m + 1]) for m in range(self.M)])     # H = A h
        covH = np.asarray(A @ np.asarray(cov @ A.T))
        # dC/dH_m = sqrt(C) sqrt(S_m / H_m); a block of zero mass contributes an infinite slope: floor it
        Hf = np.maximum(H, 1e-300)
        grad = np.where(H > 0, root * np.sqrt(S / Hf), 0.0)
        se_C = math.sqrt(max(float(grad @ covH @ grad), 0.0))
        aT = fg.h_coefficients(b[0], b[-1])
        se_cs = float(lam[-1] - lam[0]) * math.sqrt(max(float(aT @ (cov @ aT)), 0.0))
        object.__setattr__(self, "_covH", covH)
        self.H = tuple(Estimate(float(H[m]), math.sqrt(max(covH[m, m], 0.0)), f"H_{m}") for m in range(self.M))
        self.C = Estimate(C, se_C, "C")
        self.cauchy_schwarz = Estimate(cs, se_cs, "(phi(T) - phi(t0)) H(t0, T)")
        how = ("the profile's covariance" if prof.covariance is not None else
               "the per-h_j standard errors treated as independent (the route gave no covariance)")
        zero = " Blocks of zero estimated mass add nothing to C's error (C is not differentiable there)." \
            if np.any(H <= 0) else ""
        self.note = (self.note + " " if self.note else "") + (
            f"estimate: computed on the monotone projection; standard errors by the delta method from {how}."
            + zero)

    def _exact_values(self) -> None:
        prof = self._prof
        ar = prof.arithmetic
        d = None
        with ar.workprec():
            d = [prof.h[j] - prof.h[j + 1] for j in range(prof.N - 1)]
            b = [ar.convert(x, "breakpoints") for x in self.breakpoints]
            S = [ar.log((b[m + 1] / (ar.one - b[m + 1])) / (b[m] / (ar.one - b[m]))) for m in range(self.M)]
            H = [growth_mass(prof, self.breakpoints[m], self.breakpoints[m + 1], d) for m in range(self.M)]
            sqrt = sp.sqrt if prof.precision == "symbolic" else _mp_sqrt
            root = ar.sum([sqrt(s * x) for s, x in zip(S, H)])
            C = root ** 2
            cs = ar.sum(S) * ar.sum(H)
        fin = ar.finalize
        self.S = tuple(fin(s) for s in S)
        self.H = tuple(fin(x) for x in H)
        self.C = fin(C) if prof.precision != "symbolic" else sp.sympify(C)
        self.cauchy_schwarz = fin(cs)

    # -- derived --------------------------------------------------------------------------------------
    @property
    def fine(self) -> Any:
        """``P`` (float); for an estimated profile an Estimate, its standard error by the delta method
        (``∂P/∂h`` from :func:`~symsched.schedules.growth.sqrt_rate_gradient`, the profile's covariance)."""
        if "_fine" not in self.__dict__:
            fg = self._fg or FloatGrowth(self._prof.as_array())
            a, b = float(self.breakpoints[0]), float(self.breakpoints[-1])
            root = fg.sqrt_rate_integral(a, b)
            val = root ** 2
            if not self.exact and self.N >= 2:
                g_d = 2 * root * sqrt_rate_gradient(fg.d, self.N, a, b)
                g = np.concatenate([g_d, [0.0]]) - np.concatenate([[0.0], g_d])
                cov = self._prof.covariance_matrix()
                val = Estimate(val, math.sqrt(max(float(g @ np.asarray(cov @ g).ravel()), 0.0)), "P (fine)")
            object.__setattr__(self, "_fine", val)
        return self.__dict__["_fine"]

    def _floats(self) -> tuple:
        return np.array([float(s) for s in self.S]), np.array([float(x) for x in self.H])

    def rho(self, K: int) -> tuple:
        """Prop. 1's multipliers ``ρ_m = min{1, (4√C/K) √(S_m/H_m)}`` (1 for a block of zero mass)."""
        K = check_steps(K, "K", "PartitionComplexity.rho")
        S, H = self._floats()
        C = float(self.C)
        return tuple(1.0 if h <= 0 else min(1.0, 4 * math.sqrt(C) / K * math.sqrt(s / h)) for s, h in zip(S, H))

    def allocation(self, K: int) -> tuple:
        """Exact solution of Wainwright's integer programme (26b) for a budget of ``K`` steps.

        Minimises ``Σ_m (exp(S_m/K_m) - 1) H_m`` over integers ``K_m >= 1`` with ``Σ K_m = K``. Each term is
        convex and non-increasing in ``K_m``, so adding steps one at a time where the decrease is largest
        (greedy marginal allocation) is exact for this separable convex programme. Returns
        ``(K_m tuple, value)``; ``value >= C/K`` (eq. 28c).
        """
        K = check_steps(K, "K", "PartitionComplexity.allocation")
        if K < self.M:
            raise SymschedError(f"allocation: K = {K} steps cannot cover M = {self.M} blocks (each needs >= 1)")
        S, H = self._floats()
        alloc, value = block_allocation(S, H, K)
        if not self.exact:   # the value is linear in the H_m: its error from their covariance
            coef = np.array([math.expm1(s / k) for s, k in zip(S, alloc)])
            value = Estimate(value, math.sqrt(max(float(coef @ self._covH @ coef), 0.0)), "allocation value")
        return alloc, value


def _mp_sqrt(x):
    return mpmath.sqrt(x)


def block_allocation(S: np.ndarray, H: np.ndarray, K: int) -> tuple:
    """Greedy marginal allocation for (26b) (exact: separable, convex, non-increasing terms)."""
    M = len(S)
    alloc = [1] * M

    def cost(m, k):
        return math.expm1(S[m] / k) * H[m]

    heap = [(-(cost(m, 1) - cost(m, 2)), m) for m in range(M)]
    heapq.heapify(heap)
    for _ in range(K - M):
        gain, m = heapq.heappop(heap)
        alloc[m] += 1
        k = alloc[m]
        heapq.heappush(heap, (-(cost(m, k) - cost(m, k + 1)), m))
    value = math.fsum(cost(m, alloc[m]) for m in range(M))
    return tuple(alloc), value


def boundary_dp(fg: FloatGrowth, t0: float, T: float, M: int, mesh: int) -> tuple:
    """Wainwright's boundary programme (39): the ``M``-block partition of a mesh uniform in log-odds on
    ``[t0, T]`` (``mesh`` intervals) minimising ``Σ √(S H)``. Returns ``(breakpoint indices, value)``."""
    lam = np.linspace(phi(t0), phi(T), mesh + 1)
    tau = 1.0 / (1.0 + np.exp(-lam))
    tau[0], tau[-1] = t0, T
    cum = fg.cumulative(tau)
    S = lam[None, :] - lam[:, None]
    H = np.maximum(cum[None, :] - cum[:, None], 0.0)
    with np.errstate(invalid="ignore"):
        E = np.sqrt(np.where(S > 0, S * H, np.inf))
    E[np.tril_indices(mesh + 1)] = np.inf
    V = E[0].copy()            # V_1(j): one block [tau_0, tau_j]
    arg = []
    for _ in range(1, M):
        tot = V[:, None] + E
        a = np.argmin(tot, axis=0)
        V = tot[a, np.arange(mesh + 1)]
        arg.append(a)
    idx = [mesh]
    for a in reversed(arg):
        idx.append(int(a[idx[-1]]))
    idx.append(0)
    return tuple(idx[::-1]), float(V[mesh]), tau


def partition_complexity(profile: Any, breakpoints: Any = None, *, blocks: int | None = None, t0: Any = None,
                         T: Any = None, optimize: bool = False, mesh: int = 400) -> PartitionComplexity:
    """Wainwright's partition complexity ``C = (Σ_m √(S_m H_m))²`` of a block partition of the reveal path.

    Parameters
    ----------
    profile : InformationProfile or sequence
        Exact profiles give exact ``S``, ``H`` and ``C`` in their arithmetic (sympy expressions for a
        symbolic profile); an estimate is replaced by its monotone projection and ``H``, ``C`` become
        :class:`~symsched.results.Estimate` with delta-method standard errors from the profile's
        covariance (per-``h_j`` errors taken as independent when the route gave none; the note says so).
    breakpoints : sequence, optional
        ``b_0 < ... < b_M`` strictly inside ``(0, 1)`` (Fractions stay exact). Or give ``blocks``.
    blocks : int, optional
        ``M`` blocks of equal log-reveal-odds length on ``[t0, T]`` (default ``t0 = 1/N``, ``T = 1 - 1/N``).
    optimize : bool
        With ``blocks``: choose the breakpoints by Wainwright's boundary dynamic programme (39) on a mesh
        of ``mesh`` intervals uniform in log-odds (float growth masses; the result is then recomputed
        in the profile's arithmetic at the chosen breakpoints).

    Examples
    --------
    >>> import symsched as ss
    >>> pc = ss.partition_complexity([0.7, 0.4, 0.1], [0.25, 0.5, 0.75])
    >>> pc.M, [round(s, 6) for s in pc.S], round(float(pc), 6), round(pc.cauchy_schwarz, 6)  # equal masses: equality
    (2, [1.098612, 1.098612], 0.453178, 0.453178)
    """
    prof, estimated = _working_profile(profile)
    if breakpoints is not None and blocks is not None:
        raise SymschedError("partition_complexity: give breakpoints or blocks, not both")
    if isinstance(breakpoints, (int, np.integer)) and not isinstance(breakpoints, (bool, np.bool_)):
        blocks, breakpoints = int(breakpoints), None
    note = ""
    if breakpoints is None:
        if prof.N < 2:
            raise SymschedError(f"partition_complexity: N = {prof.N} has no reveal path to partition")
        M = check_steps(1 if blocks is None else blocks, "blocks", "partition_complexity")
        lo, hi = canonical_interval(prof.N, t0, T)
        if optimize:
            mesh = check_steps(mesh, "mesh", "partition_complexity", maximum=MAX_MESH)
            if mesh < M:
                raise SymschedError(f"partition_complexity: mesh = {mesh} intervals cannot hold {M} blocks")
            idx, _, tau = boundary_dp(FloatGrowth(prof.as_array()), float(lo), float(hi), M, mesh)
            breakpoints = (lo, *(float(tau[i]) for i in idx[1:-1]), hi)
            note = f"breakpoints by the boundary dynamic programme (39) on a {mesh}-interval log-odds mesh"
        else:
            breakpoints = uniform_breakpoints(lo, hi, M)
        if prof.precision != "float":  # the float inner points, held exactly: exact S, H and C for them
            breakpoints = tuple(Fraction(b) if isinstance(b, float) else b for b in breakpoints)
    elif optimize or t0 is not None or T is not None:
        raise SymschedError("partition_complexity: t0, T and optimize go with blocks=, not with explicit breakpoints")
    bp = _check_breakpoints(breakpoints)
    return PartitionComplexity(prof, bp, estimated=estimated, note=note)
