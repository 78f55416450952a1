"""Exact optimal schedules and the optimal frontier (docs/concepts.md §3).

The optimal K-step schedule minimises ``sum_t w(s_{t-1}, s_t)`` over ``0 = s_0 < ... < s_K = N``
with the block cost ``w(a, b) = (b - a) h_a - (P_b - P_a)`` (``P`` the prefix sums of ``h``). Because
``h`` is non-increasing, ``w`` satisfies the quadrangle inequality
``w(a, c) + w(b, d) <= w(a, d) + w(b, c)`` for ``a <= b <= c <= d`` (the difference is
``(d - c)(h_a - h_b) >= 0``), so the smallest minimising predecessor ``opt_k(b)`` is non-decreasing in
``b`` and each DP layer is solved by divide and conquer in ``O(N log N)``; this implementation
vectorises each recursion level over all its sub-problems with numpy.

Arithmetic and exactness rule
-----------------------------
* float profile: the DP runs in float64.
* exact profile (mpmath or symbolic) with ``N <= EXACT_DP_MAX_N`` (200), or ``exact=True``: the DP
  itself runs exactly — in :class:`fractions.Fraction` when every ``h_j`` is rational, otherwise in
  mpmath at the profile's working precision (``dps`` + guard digits; default 60 digits), so ties and
  near-ties are decided exactly (rational) or to ~60 digits.
* exact profile with larger ``N`` (or ``exact=False``): the breakpoints come from the float64 DP.
In every case the returned ``kl`` is re-evaluated from the chosen breakpoints in the profile's own
arithmetic by :func:`~symsched.schedules.kl.expected_kl`, and ``method`` records which DP was used.

Ties are broken deterministically: each layer keeps the *smallest* minimising predecessor, so among
all optimal schedules the result has the smallest ``s_{K-1}``, then (given it) the smallest
``s_{K-2}``, and so on (lexicographically smallest ``(s_{K-1}, s_{K-2}, ..., s_1)``).

Estimates (docs/concepts.md, "Estimates")
-------------------------
On an estimated profile (``exact`` False) the DP runs on its monotone projection
(:meth:`~symsched.info.profile.InformationProfile.monotone`), so the quadrangle inequality holds; the
optimum's ``kl`` (and ``constant_kl``, ``improvement``, frontier entries) are
:class:`~symsched.results.Estimate` values with standard errors, never negative, and the result's
``on_projection`` / ``note`` say that the projection was used. The schedule is optimal for the
projection; the true optimum may differ where the estimate's error bars allow.  The standard error of the
optimum's ``kl`` is that of the chosen schedule's expected KL, a linear functional ``w' h`` of the profile:
``sqrt(w' C w)`` with the profile's covariance ``C`` (docs/uncertainty.md); it does not include the
randomness of the choice itself.

Float evaluation layer
----------------------
Every reported value is re-evaluated from the chosen breakpoints by
:func:`~symsched.schedules.kl.expected_kl` (a sum of non-negative terms ``h_a - h_j``), never taken
from the DP's minima, whose prefix-sum differences lose ~``eps * sum h`` (at N = 10^4 that is more
than the optimum near K = N). ``min_steps_for_kl`` and ``Frontier.min_steps`` decide with the
re-evaluated values (the optimum is non-increasing in K, so a binary search stays valid).
"""

from __future__ import annotations

import math
from contextlib import nullcontext
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..arithmetic import SUM_TOLERANCE, arithmetic, latex_value
from ..errors import ModelTooLargeError, SymbolicValueError, SymschedError
from ..formatting import format_value, latex_number
from ..info.profile import InformationProfile
from ..printing import Table
from ..results import Estimate, Result
from .kl import expected_kl, kl_estimate, schedule_weights, working_profile
from .dp_kernels import Paths, compiled_layer, float_dp
from .families import constant_schedule
from .schedule import Schedule
from .symbolic_optimum import SymbolicFrontier, SymbolicOptimum, check_symbolic_size
from ..validation import check_flag

__all__ = ["optimal_schedule", "OptimalSchedule", "optimal_frontier", "Frontier", "min_steps_for_kl",
           "EXACT_DP_MAX_N"]

#: Exact profiles up to this N run the DP in exact (rational) or high-precision arithmetic.
EXACT_DP_MAX_N = 200
#: The frontier keeps its argmin tables (for instant schedule recovery) up to this many entries.
FRONTIER_TABLE_BUDGET = 4_000_000
#: Budget (elementary DP operations, ~ K N log2 N per K-step solve) of optimal_frontier and
#: min_steps_for_kl: about half a minute of float64 DP (~3e7 operations per second).
DEFAULT_DP_BUDGET = 1e9
#: Use the compiled convex-hull layer for float DPs when numba is installed (False: numpy divide and conquer).
USE_COMPILED = True
_METHODS = ("auto", "dc", "naive")


# -- DP engine ---------------------------------------------------------------------------------

class _Engine:
    """h and its prefix sums in one arithmetic (float64, Fraction or mpf object arrays)."""

    def __init__(self, prof: InformationProfile, exact: bool | None):
        exact = check_flag(exact, "exact", allow_none=True)  # exact="no" is truthy: refused, not obeyed
        N = prof.N
        use_exact = (prof.precision != "float") and (exact if exact is not None else N <= EXACT_DP_MAX_N)
        self.ctx = None
        if not use_exact:
            self.kind = "float"
            self.h = np.asarray(prof.h, dtype=float) if prof.precision == "float" else prof.as_array()
            self.P = np.concatenate([[0.0], np.cumsum(self.h)])
        else:
            rational = all(isinstance(x, (int, Fraction)) or (isinstance(x, sp.Basic) and x.is_Rational)
                           for x in prof.h)
            if rational:
                self.kind = "rational"
                vals = [x if isinstance(x, Fraction) else Fraction(int(sp.Rational(x).p), int(sp.Rational(x).q))
                        for x in prof.h]
            else:
                self.kind = "mpmath"
                mp = arithmetic("mpmath", prof.dps)
                self.ctx = mp.workdps
                # convert() refuses free symbols with the standard message
                vals = [mp.convert(x, f"h[{j}]") for j, x in enumerate(prof.h)]
            self.h = np.empty(N, dtype=object)
            self.h[:] = vals
            P = [Fraction(0) if rational else mpmath.mpf(0)]
            with mpmath.workdps(self.ctx or 15):
                for v in vals:
                    P.append(P[-1] + v)
            self.P = np.empty(N + 1, dtype=object)
            self.P[:] = P
        self.N = N
        if self.kind == "float":
            # Same relative tolerance as as_profile's check: rounding-level increases keep the D&C DP,
            # and a profile of size 1e-10 is judged on its own scale.
            tol = SUM_TOLERANCE * float(np.max(np.abs(self.h))) if N else 0.0
            self.monotone = bool(np.all(np.diff(self.h) <= tol))
        else:
            self.monotone = all(self.h[j + 1] <= self.h[j] for j in range(N - 1))

    @property
    def method_label(self) -> str:
        return {"float": "float64 DP", "rational": "exact rational DP", "mpmath": f"mpmath DP ({self.ctx} digits)"}[
            self.kind]

    def workdps(self):
        return mpmath.workdps(self.ctx) if self.ctx else nullcontext()

    def _ints(self, x: np.ndarray) -> np.ndarray:
        return x.astype(object) if self.kind != "float" else x

    def new(self) -> np.ndarray:
        if self.kind == "float":
            return np.full(self.N + 1, np.inf)
        out = np.empty(self.N + 1, dtype=object)
        return out

    def first_layer(self, b_lo: int, b_hi: int) -> np.ndarray:
        cur = self.new()
        b = np.arange(b_lo, b_hi + 1)
        cur[b] = self._ints(b) * self.h[0] - self.P[b]
        return cur

    def layer_dc(self, prev: np.ndarray, k: int, b_lo: int, b_hi: int):
        """Layer k (k >= 2) for b in [b_lo, b_hi]: cur[b] = min_{k-1 <= a < b} prev[a] + w(a, b)."""
        cur, arg = self.new(), np.zeros(self.N + 1, dtype=np.int64)
        h, P = self.h, self.P
        blo, bhi = np.array([b_lo]), np.array([b_hi])
        olo, ohi = np.array([k - 1]), np.array([b_hi - 1])
        while blo.size:
            mid = (blo + bhi) // 2
            ahi = np.minimum(ohi, mid - 1)
            lengths = ahi - olo + 1
            offsets = np.zeros(lengths.size, dtype=np.int64)
            np.cumsum(lengths[:-1], out=offsets[1:])
            seg = np.repeat(np.arange(lengths.size), lengths)
            a = olo[seg] + (np.arange(seg.size) - offsets[seg])
            b = mid[seg]
            vals = prev[a] + self._ints(b - a) * h[a] - (P[b] - P[a])
            segmin = np.minimum.reduceat(vals, offsets)
            idx = np.flatnonzero(np.asarray(vals == segmin[seg], dtype=bool))
            am = a[idx[np.searchsorted(idx, offsets)]]  # smallest minimiser of each segment
            cur[mid] = segmin
            arg[mid] = am
            left, right = blo < mid, mid < bhi
            blo, bhi, olo, ohi = (np.concatenate([blo[left], mid[right] + 1]),
                                  np.concatenate([mid[left] - 1, bhi[right]]),
                                  np.concatenate([olo[left], am[right]]),
                                  np.concatenate([am[left], ohi[right]]))
        return cur, arg

    def layer_naive(self, prev: np.ndarray, k: int, b_lo: int, b_hi: int, chunk: int = 256):
        """The same layer by brute force over all predecessors (O(N^2), chunked to bound memory)."""
        cur, arg = self.new(), np.zeros(self.N + 1, dtype=np.int64)
        h, P = self.h, self.P
        a = np.arange(k - 1, b_hi)
        base = prev[a] + self._ints(-a) * h[a] + P[a]  # prev[a] - a h_a + P_a, then + b h_a - P_b
        for start in range(b_lo, b_hi + 1, chunk):
            b = np.arange(start, min(start + chunk, b_hi + 1))
            M = base[None, :] + self._ints(b)[:, None] * h[a][None, :] - P[b][:, None]
            invalid = a[None, :] >= b[:, None]
            if self.kind == "float":
                M = np.where(invalid, np.inf, M)
            else:
                M = M.copy()
                M[invalid] = float("inf")
            j = np.argmin(M, axis=1)  # first (smallest a) minimiser
            cur[b] = M[np.arange(b.size), j]
            arg[b] = a[j]
        return cur, arg


def _check_K(K: Any, N: int, where: str) -> int:
    if isinstance(K, (bool, np.bool_)) or not isinstance(K, (int, np.integer)):
        raise SymschedError(f"{where}: K must be an integer, got K = {K!r}")
    if not 1 <= K <= N:
        raise SymschedError(f"{where}: need 1 <= K <= N, got K = {K} with N = {N} (each step reveals >= 1 token)")
    return int(K)


def _float_layer(eng: _Engine):
    """The float64 layer ``(prev, k) -> (cur, arg)`` over ``b = k..N`` and its label: the compiled hull
    layer (O(N)) when numba is installed, else the numpy divide and conquer (O(N log N))."""
    if USE_COMPILED and compiled_layer() is not None:
        return None, "convex-hull DP (compiled) float64"
    return (lambda prev, k: eng.layer_dc(prev, k, k, eng.N)), "divide-and-conquer float64 DP"


def _solve(eng: _Engine, K: int, method: str):
    """Optimal breakpoints and DP value for exactly K steps."""
    N = eng.N
    use_naive = method == "naive" or not eng.monotone
    if eng.kind == "float" and not use_naive:
        # bounded memory: checkpointed rows instead of a K x N argmin table
        layer, label = _float_layer(eng)
        values, paths = float_dp(eng.h, K, [K], layer)
        return paths[K], float(values[K - 1]), label
    with eng.workdps():
        prev = eng.first_layer(1, N - K + 1)
        args = []
        for k in range(2, K + 1):
            lo, hi = k, N - K + k
            prev, arg = (eng.layer_naive if use_naive else eng.layer_dc)(prev, k, lo, hi)
            args.append(arg)
        bps = [N]
        for arg in reversed(args):
            bps.append(int(arg[bps[-1]]))
        bps.append(0)
        return bps[::-1], prev[N], ("naive O(K N^2) " if use_naive else "divide-and-conquer ") + eng.method_label


def _ratio(x: Any, y: Any, precision: str) -> Any:
    if precision == "float":
        return 1.0 if y == 0 else x / y
    if precision == "mpmath":
        return mpmath.mpf(1) if y == 0 else x / y
    y = sp.sympify(y)
    if y.is_zero:
        return sp.Integer(1)
    return sp.simplify(sp.sympify(x) / y)


class OptimalSchedule(Result):
    """Result of :func:`optimal_schedule`.

    Attributes
    ----------
    sizes, breakpoints : tuple
        The optimal sizes ``k_1..k_K`` and partial sums ``s_0..s_K``.
    schedule : Schedule
        The same as a :class:`Schedule` named ``"optimal"``.
    K, N : int
    kl : number
        Its exact expected KL (profile's arithmetic, re-evaluated from the breakpoints).
    constant_kl : number
        Expected KL of :func:`constant_schedule` ``(N, K)`` (remainder on the first steps).
    remaining_fraction : number
        ``kl / constant_kl`` (<= 1; the fraction of the constant schedule's error that remains;
        1 when both are 0): smaller is better.
    gain : number
        The same number under its round-1 name (kept as an alias).
    improvement : number
        ``constant_kl - kl`` (>= 0, nats).
    dp_value : number
        The DP's own minimum (float64, Fraction or mpf, see ``method``).
    method : str
        Which DP produced the breakpoints.
    exact : bool
        False when computed from an estimated profile: then ``kl``, ``constant_kl`` and
        ``improvement`` are :class:`~symsched.results.Estimate` values and ``gain`` is their ratio.
    on_projection : bool
        True when the DP ran on the estimate's monotone projection (``profile`` is that projection).
    note : str
        How the numbers were obtained ("" for exact profiles).
    """

    _headline = "kl"  # float(optimal_schedule(prof, K)) == .kl (the result protocol, symsched.results)
    _fields = ("sizes", "K", "N", "kl", "constant_kl", "remaining_fraction", "improvement", "method")
    _repr_fields = ("sizes", "K", "N", "kl")

    def __init__(self, prof: InformationProfile, bps: list, *, dp_value: Any, method: str):
        self.profile = prof
        self.schedule = Schedule.from_breakpoints(bps, name="optimal")
        self.breakpoints = tuple(bps)
        self.sizes = self.schedule.sizes
        self.K, self.N = self.schedule.K, self.schedule.N
        self.dp_value, self.method = dp_value, method
        self.exact = prof.exact
        self.on_projection = prof.method.endswith("+isotonic")
        self.note = "" if self.exact else (
            f"estimate: optimised and evaluated on the monotone projection of the "
            f"{prof.method.removesuffix('+isotonic')} profile (weighted isotonic regression); "
            "values are point estimates ± standard errors")
        self.kl = expected_kl(prof, self.schedule)
        self.constant_schedule = constant_schedule(self.N, self.K)
        self._constant_kl = None
        self._gain = None
        self._freeze()

    @property
    def constant_kl(self) -> Any:
        if self._constant_kl is None:  # computed on first use; the cache is the only late write
            object.__setattr__(self, "_constant_kl", expected_kl(self.profile, self.constant_schedule))
        return self._constant_kl

    @property
    def remaining_fraction(self) -> Any:
        """``kl / constant_kl``: the fraction of the constant schedule's error that remains (smaller is better)."""
        if self._gain is None:
            gain = _ratio(self.kl, self.constant_kl, self.profile.precision) if self.exact else \
                _ratio(float(self.kl), float(self.constant_kl), "float")
            object.__setattr__(self, "_gain", gain)
        return self._gain

    @property
    def gain(self) -> Any:
        """Round-1 name of :attr:`remaining_fraction` (a ratio where smaller is better)."""
        return self.remaining_fraction

    @property
    def improvement(self) -> Any:
        if not self.exact:
            w = schedule_weights(self.N, self.constant_schedule) - schedule_weights(self.N, self.schedule)
            return kl_estimate(self.profile, w, float(self.constant_kl) - float(self.kl),
                               "E KL(constant) - E KL(optimal)")
        d = self.constant_kl - self.kl
        return sp.simplify(d) if self.profile.precision == "symbolic" else d

    # sequence behaviour: the sizes
    def __len__(self) -> int:
        return self.K

    def __iter__(self):
        return iter(self.sizes)

    def __getitem__(self, t):
        return self.sizes[t]

    def _fmt(self, x: Any) -> str:
        if isinstance(x, Estimate):
            return x.latex()
        return latex_value(x, self.profile.precision)

    def latex(self) -> str:
        """LaTeX: the optimal sizes, their expected KL and the constant schedule's."""
        return (rf"\text{{optimal}}\ K={self.K}:\ {self.schedule.latex()},\quad "
                rf"\mathbb{{E}}\,\mathrm{{KL}} = {self._fmt(self.kl)},\quad "
                rf"\text{{constant}}\ {self.constant_schedule.latex()}:\ {self._fmt(self.constant_kl)}")

    def __repr__(self) -> str:
        def show(x):
            if isinstance(x, Estimate):
                return f"{x.value:.6g} ± {x.stderr:.2g}"
            # mpmath values print at the profile's dps (self.digits), not at mpmath's global precision
            return str(x) if self.profile.precision == "symbolic" else format_value(x, self.digits)

        kl, ck = show(self.kl), show(self.constant_kl)
        return f"OptimalSchedule(sizes={self.schedule.latex()}, K={self.K}, N={self.N}, kl={kl}, constant_kl={ck})"

    __str__ = __repr__


def optimal_schedule(profile: Any, K: int, method: str = "auto", exact: bool | None = None,
                     domain: Any = None) -> OptimalSchedule | SymbolicOptimum:
    """The exact minimum-error schedule with ``K`` steps.

    Parameters
    ----------
    profile : InformationProfile or sequence
        The information profile or its ``h`` values.
    K : int
        Number of steps, ``1 <= K <= N``.
    method : {"auto", "dc", "naive"}
        ``"dc"`` (= ``"auto"``): divide-and-conquer DP, ``O(K N log N)``; ``"naive"``: the full
        ``O(K N^2)`` DP (a reference).
    exact : bool, optional
        Run the DP in exact / high-precision arithmetic (default: for non-float profiles with
        ``N <= EXACT_DP_MAX_N``); see the module docstring for the rule.
    domain : (lo, hi), optional
        Only for a profile with one free symbol: the parameter interval split into regions (default:
        from the symbol's assumptions and the logarithms' arguments).

    Returns
    -------
    OptimalSchedule
        For an estimated profile, computed on its monotone projection, with
        :class:`~symsched.results.Estimate` values (see the module docstring).
    SymbolicOptimum
        For a symbolic profile with free symbols: every candidate's expected KL as an expression and the
        optimum as a ``Piecewise`` over the parameter's regions with certified crossovers
        (:mod:`symsched.schedules.symbolic_optimum`; docs/concepts.md, "Symbolic optima").

    Examples
    --------
    >>> import symsched as ss
    >>> opt = ss.optimal_schedule([0.7, 0.4, 0.3, 0.1], 2)
    >>> opt.sizes, round(opt.kl, 12), round(opt.constant_kl, 12)    # (2, 2) costs 0.3 + 0.2
    ((1, 3), 0.4, 0.5)
    """
    prof = working_profile(profile)
    K = _check_K(K, prof.N, "optimal_schedule")
    if method not in _METHODS:
        raise SymschedError(f"optimal_schedule: method must be one of {_METHODS}, got {method!r}")
    if _symbolic(prof, domain):
        check_symbolic_size(prof.N, range(K, K + 1), "optimal_schedule")
        return SymbolicOptimum(prof, K, domain, make=_evaluated)
    eng = _Engine(prof, exact)
    bps, value, label = _solve(eng, K, method)
    return OptimalSchedule(prof, bps, dp_value=value, method=label)


class Frontier(Result):
    """Optimal expected KL for ``K = 1..Kmax`` (a sequence; entry ``K - 1`` is the ``K``-step optimum).

    Entries are evaluated lazily from the optimal breakpoints by
    :func:`~symsched.schedules.kl.expected_kl` in the profile's arithmetic (so an all-ones schedule
    gives exactly 0 and, for exact DPs, ``frontier[K-1] == optimal_schedule(profile, K).kl``
    exactly). When ``Kmax * (N + 1)`` exceeds ``FRONTIER_TABLE_BUDGET`` and the DP ran in float64, no
    argmin tables are kept and entries are the DP minima (clipped at 0). ``dp_values`` always holds
    the DP's own minima.

    Methods
    -------
    schedule(K) : the optimal :class:`OptimalSchedule` for ``K`` steps (recovered from stored argmin
        tables when they fit in memory, else recomputed); ``schedules(K)`` is its round-1 name.
    min_steps(target) : least ``K`` whose optimum is ``<= target`` (None if no ``K <= Kmax`` meets it).
    plot_data() : ``(K values, float errors)``; ``plot(ax=None)`` draws it with matplotlib.
    """

    _fields = ("N", "Kmax", "values", "method")  # the result protocol (symsched.results); no headline
    _repr_fields = ("N", "Kmax", "method")

    def __init__(self, prof: InformationProfile, *, eng: _Engine, dp_values: list, tables: list | None, label: str):
        self.profile, self._eng, self.dp_values = prof, eng, tuple(dp_values)
        self._tables, self.method = tables, label
        self.Kmax = len(dp_values)
        self._exact_cache: dict = {}
        self._sched_cache: dict = {}
        self._freeze()

    @property
    def N(self) -> int:
        return self.profile.N

    def __len__(self) -> int:
        return self.Kmax

    @property
    def exact(self) -> bool:
        return self.profile.exact

    def _value(self, K: int) -> Any:
        if K not in self._exact_cache:
            self._exact_cache[K] = self.schedules(K).kl
        return self._exact_cache[K]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._value(K + 1) for K in range(self.Kmax)[i]]
        K = range(1, self.Kmax + 1)[i]
        return self._value(K)

    def __iter__(self):
        return (self._value(K) for K in range(1, self.Kmax + 1))

    @property
    def values(self) -> tuple:
        return tuple(self)

    def breakpoints(self, K: int) -> list:
        K = _check_K(K, self.Kmax, "Frontier.breakpoints")
        if isinstance(self._tables, Paths):
            if K in self._tables:
                return self._tables[K]
            return list(self.schedules(K).breakpoints)
        if self._tables is None:
            return list(self.schedules(K).breakpoints)
        bps = [self.profile.N]
        for k in range(K, 1, -1):
            bps.append(int(self._tables[k - 2][bps[-1]]))
        bps.append(0)
        return bps[::-1]

    def schedule(self, K: int) -> OptimalSchedule:
        """The optimal ``K``-step schedule (an :class:`OptimalSchedule`)."""
        return self.schedules(K)

    def schedules(self, K: int) -> OptimalSchedule:
        """Round-1 name of :meth:`schedule` (it returns one schedule)."""
        K = _check_K(K, self.Kmax, "Frontier.schedules")
        if K not in self._sched_cache:
            if self._tables is None or (isinstance(self._tables, Paths) and K not in self._tables):
                self._sched_cache[K] = optimal_schedule(self.profile, K, exact=self._eng.kind != "float")
            else:
                self._sched_cache[K] = OptimalSchedule(self.profile, self.breakpoints(K),
                                                       dp_value=self.dp_values[K - 1],
                                                       method=self.method)
        return self._sched_cache[K]

    def min_steps(self, target: Any) -> int | None:
        """Least K with optimal E KL <= target (None if no K <= Kmax meets it).

        Decided on the values re-evaluated from the breakpoints (point values for an estimate), by
        binary search: the optimum is non-increasing in K.
        """
        meets = _target(_check_target(target, "Frontier.min_steps"), self._eng)
        def value(K):
            return _plain(self._value(K))
        if not meets(value(self.Kmax)):
            return None
        lo, hi = 1, self.Kmax
        while lo < hi:
            mid = (lo + hi) // 2
            if meets(value(mid)):
                hi = mid
            else:
                lo = mid + 1
        return lo

    def as_array(self) -> np.ndarray:
        """The DP minima as floats, clipped at 0 (for plots; exact values are the entries themselves)."""
        return np.maximum(np.array([float(v) for v in self.dp_values]), 0.0)

    def plot_data(self):
        """``(K, E KL)`` as numpy arrays for plotting: the frontier's entries (``list(self)``, the
        re-evaluated optima), the numbers :func:`symsched.plot_frontier` draws too."""
        return np.arange(1, self.Kmax + 1), np.array([float(v) for v in self])

    def plot(self, ax=None, **kwargs):
        """Plot :meth:`plot_data` with matplotlib; returns the axes.  :func:`symsched.plot_frontier`
        draws the same numbers, with the constant schedule's curve beside them."""
        import matplotlib.pyplot as plt

        ax = ax or plt.gca()
        K, v = self.plot_data()
        ax.plot(K, v, **({"marker": "."} | kwargs))
        ax.set_xlabel("steps K")
        ax.set_ylabel("optimal expected KL (nats)")
        return ax

    def _table(self) -> Table:
        """One row per ``K``: the optimal expected KL (re-evaluated from the optimal breakpoints)."""
        return Table(("K", "E KL"), [(K, self._value(K)) for K in range(1, self.Kmax + 1)],
                     title=f"Optimal E KL, N = {self.N}, K = 1..{self.Kmax} ({self.method})")

    def latex(self) -> str:
        shown = ", ".join(latex_number(float(self._value(K)), 4) for K in range(1, min(8, self.Kmax) + 1)) + \
            (", \\dots" if self.Kmax > 8 else "")
        return rf"\min_{{|S|=K}} \mathbb{{E}}\,\mathrm{{KL}},\ K = 1..{self.Kmax}:\ \left({shown}\right)"

    def __repr__(self) -> str:
        shown = ", ".join(f"{float(self._value(K)):.6g}" for K in range(1, min(6, self.Kmax) + 1)) + \
            (", ..." if self.Kmax > 6 else "")
        return f"Frontier(N={self.profile.N}, Kmax={self.Kmax}, values=({shown}), method={self.method!r})"

    __str__ = __repr__


def _symbolic(prof: InformationProfile, domain: Any) -> bool:
    """Whether the profile's ``h_j`` contain free symbols (the enumeration route); ``domain`` only there."""
    free = prof.precision == "symbolic" and any(getattr(sp.sympify(x), "free_symbols", None) for x in prof.h)
    if domain is not None and not free:
        raise SymschedError(f"domain = {domain!r} applies only to a profile whose h_j contain free symbols; "
                            "this one has none (leave domain out)")
    return free


def _evaluated(prof: InformationProfile, bps: list, label: str) -> OptimalSchedule:
    """A symbolic optimum at a parameter value: the substituted profile's OptimalSchedule."""
    return OptimalSchedule(prof, bps, dp_value=None, method=label)


def _plain(v: Any) -> Any:
    """The point value of an Estimate, else ``v``."""
    return v.value if isinstance(v, Estimate) else v


def _check_target(target: Any, where: str) -> Any:
    """A KL target must be a number >= 0 (not NaN, not symbolic)."""
    if isinstance(target, sp.Basic) and target.free_symbols:
        raise SymschedError(f"{where}: target = {target} has free symbols; a number is needed")
    if isinstance(target, (bool, np.bool_)) or isinstance(target, (str, bytes)):
        raise SymschedError(f"{where}: target must be a number >= 0 (nats), got {target!r}")
    try:
        t = float(target)
    except (TypeError, ValueError):
        raise SymschedError(f"{where}: target must be a number >= 0 (nats), got {target!r}") from None
    if math.isnan(t) or t < 0:
        raise SymschedError(f"{where}: target must be a number >= 0 (K = N reaches 0), got target = {target!r}")
    return target


def _dp_cost(N: int, K: int) -> float:
    """Elementary operations of one K-step float solve: ~ 2 K N with the compiled hull layer (forward pass and
    the recomputation while backtracking), ~ K N log2 N with the numpy divide and conquer."""
    if USE_COMPILED and compiled_layer() is not None:
        return 2.0 * K * N
    return float(K) * N * max(1.0, math.log2(N + 1))


def _check_budget(cost: float, max_cost: Any, what: str, hint: str) -> None:
    budget = DEFAULT_DP_BUDGET if max_cost is None else float(max_cost)
    if math.isnan(budget) or budget <= 0:
        raise SymschedError(f"max_cost must be a positive number, got {max_cost!r}")
    if cost > budget:
        raise ModelTooLargeError(what, cost, budget, hint)


def _target(target: Any, eng: _Engine):
    """A predicate ``v <= target`` for DP values ``v`` of this engine, decided without float rounding
    for exact engines."""
    if isinstance(target, sp.Basic) and target.free_symbols:
        raise SymschedError(f"target = {target} has free symbols; a number is needed")
    if eng.kind == "rational":
        if isinstance(target, (sp.Basic, mpmath.mpf)) and not (isinstance(target, sp.Basic) and target.is_Rational):
            t = sp.sympify(target)
            return lambda v: bool(sp.Rational(v.numerator, v.denominator) <= t)
        t = Fraction(int(target.p), int(target.q)) if isinstance(target, sp.Basic) else Fraction(target)
        return lambda v: v <= t
    if eng.kind == "mpmath":
        with mpmath.workdps(eng.ctx):
            t = mpmath.mpf(sp.N(target, eng.ctx)) if isinstance(target, sp.Basic) else \
                (mpmath.mpf(target.numerator) / target.denominator if isinstance(target, Fraction)
                 else mpmath.mpf(target))
        return lambda v: v <= t
    t = float(target)
    return lambda v: v <= t


def optimal_frontier(profile: Any, Kmax: int | None = None, exact: bool | None = None,
                     max_cost: float | None = None, domain: Any = None) -> Frontier | SymbolicFrontier:
    """Optimal expected KL for every ``K = 1..Kmax`` (default ``N``) in one layered DP.

    Each layer is solved by vectorised divide and conquer: ``O(Kmax N log N)`` in total
    (N = 1024, all K, takes about a second in float64). Exactness follows the rule of
    :func:`optimal_schedule`; an estimated profile is handled through its monotone projection.

    Parameters
    ----------
    profile : InformationProfile or sequence
    Kmax : int, optional
        Largest number of steps (default ``N``).
    exact : bool, optional
        See :func:`optimal_schedule`.
    max_cost : float, optional
        Budget in elementary operations (default :data:`DEFAULT_DP_BUDGET`); the estimate
        ``Kmax N log2 N`` is checked first and ``ModelTooLargeError`` raised beyond it.
    domain : (lo, hi), optional
        See :func:`optimal_schedule` (profiles with free symbols only).

    Returns
    -------
    Frontier, or SymbolicFrontier for a profile with free symbols (one
    :class:`~symsched.schedules.symbolic_optimum.SymbolicOptimum` per K).

    Examples
    --------
    >>> import symsched as ss
    >>> f = ss.optimal_frontier([0.7, 0.4, 0.3, 0.1])
    >>> [round(v, 12) for v in f]            # K = 1 is TC, K = N is 0
    [1.3, 0.4, 0.1, 0.0]
    >>> f.min_steps(0.2)
    3
    """
    prof = working_profile(profile)
    N = prof.N
    Kmax = N if Kmax is None else _check_K(Kmax, N, "optimal_frontier")
    if _symbolic(prof, domain):
        check_symbolic_size(N, range(1, Kmax + 1), "optimal_frontier")
        return SymbolicFrontier(tuple(SymbolicOptimum(prof, K, domain, make=_evaluated) for K in range(1, Kmax + 1)))
    cost = _dp_cost(N, Kmax)  # one layer per K
    _check_budget(cost, max_cost, f"optimal_frontier with N = {N}, Kmax = {Kmax} (one O(N) to O(N log N) DP "
                  "layer per K)",
                  "pass a smaller Kmax, use optimal_schedule(profile, K) for the few K you need or "
                  "min_steps_for_kl(profile, target), or raise max_cost")
    eng = _Engine(prof, exact)
    if eng.kind == "float" and eng.monotone:
        layer, label = _float_layer(eng)
        # the breakpoints of every K (Kmax (Kmax + 1) / 2 entries) are kept within the table budget; beyond
        # it each schedule is recomputed when asked for
        every = Kmax * (Kmax + 1) // 2 <= FRONTIER_TABLE_BUDGET
        values, paths = float_dp(eng.h, Kmax, range(1, Kmax + 1) if every else [], layer)
        return Frontier(prof, eng=eng, dp_values=[float(v) for v in values], tables=paths if every else None,
                        label=label)
    keep = Kmax * (N + 1) <= FRONTIER_TABLE_BUDGET
    tables: list | None = [] if keep else None
    with eng.workdps():
        prev = eng.first_layer(1, N)
        values = [prev[N]]
        for k in range(2, Kmax + 1):
            prev, arg = (eng.layer_dc if eng.monotone else eng.layer_naive)(prev, k, k, N)
            values.append(prev[N])
            if keep:
                tables.append(arg.astype(np.int32))
    label = ("divide-and-conquer " if eng.monotone else "naive O(K N^2) ") + eng.method_label
    return Frontier(prof, eng=eng, dp_values=values, tables=tables, label=label)


def min_steps_for_kl(profile: Any, target: Any, exact: bool | None = None, max_cost: float | None = None) -> int:
    """Least number of steps ``K`` whose optimal schedule has expected KL ``<= target``.

    Doubling then binary search over K (the optimum is non-increasing in K); each probe solves the
    K-step DP (``O(K N log N)``) and re-evaluates the optimum from its breakpoints (see the module
    docstring), so the answer is decided on accurate values, not on the DP's float minima. Each probe's
    cost is estimated before it runs; the search refuses (``ModelTooLargeError``, with the bracket
    found so far) when the total would exceed ``max_cost``. On an estimate the point values of its
    monotone projection are compared with the target.

    Examples
    --------
    >>> import symsched as ss
    >>> ss.min_steps_for_kl([0.7, 0.4, 0.3, 0.1], 0.2)
    3
    """
    prof = working_profile(profile)
    target = _check_target(target, "min_steps_for_kl")
    if _symbolic(prof, None):
        raise SymbolicValueError("min_steps_for_kl: the profile's h_j contain free symbols, so the answer depends on "
                                 "them; substitute values (profile.subs({...})), or use optimal_frontier(profile) "
                                 "for each K's optimum as an expression of the parameters")
    N = prof.N
    eng = _Engine(prof, exact)
    meets = _target(target, eng)
    spent = [0.0]

    def ok(K: int, lo: int, hi: int) -> bool:
        if K == N:
            return True  # all-ones schedule: exactly 0
        spent[0] += _dp_cost(N, K)
        _check_budget(spent[0], max_cost, f"min_steps_for_kl with N = {N} (probing K = {K}; the answer lies in "
                                         f"[{lo}, {hi}])",
                      "raise max_cost, or call optimal_schedule(profile, K) for a K in that bracket")
        bps, value, _ = _solve(eng, K, "auto")
        if eng.kind == "float":
            value = _plain(expected_kl(prof, Schedule.from_breakpoints(bps)))
        return meets(value)

    lo, hi = 1, 1
    while not ok(hi, lo, N):  # doubling: cost ~ 2 K* N log N
        lo, hi = hi + 1, min(2 * hi, N)
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid, lo, hi):
            hi = mid
        else:
            lo = mid + 1
    return lo
