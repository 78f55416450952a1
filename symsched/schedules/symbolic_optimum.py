"""Optimal schedules of a profile whose ``h_j`` contain free symbols (docs/concepts.md §3, "Symbolic optima").

With symbols there is no single optimum to compute by dynamic programming: which schedule is best
depends on the parameter.  So the route enumerates.

* **Candidates.** Every composition of ``N`` into ``K`` positive parts (``C(N-1, K-1)`` of them) with its
  expected KL ``sum_t k_t h_{s_{t-1}} - H`` as a sympy expression, from
  :func:`~symsched.schedules.kl.expected_kl` (the same code as every other route).  More than
  :data:`MAX_SYMBOLIC_CANDIDATES` are refused with the count and the way forward (substitute values).
* **Pruning, only when proved.** ``E_A - E_B = sum_j D_j (h_j - h_{j+1})`` with ``D_j`` the partial sums of
  the difference of the schedules' weights (both weight vectors sum to 0).  The differences
  ``h_j - h_{j+1}`` are ``>= 0`` for the profile of any model (conditioning reduces entropy), so ``A`` is
  dropped when some ``B`` has ``D_j >= 0`` at every ``j`` where ``h_j - h_{j+1}`` is not identically zero.  For
  a plain sequence of ``h`` values monotonicity is not known, and only candidates *identical* to another
  (every ``D_j`` zero there) are dropped.  Among identical candidates the one the dynamic programme would
  pick is kept (lexicographically smallest ``(s_{K-1}, ..., s_1)``).  Two schedules with the same ``K``
  never dominate each other unless some ``h_j`` coincide, so usually nothing is pruned.
* **Regions (one free symbol).** The domain is ``domain=(lo, hi)`` when given, else the interval allowed by
  the symbol's assumptions and by the arguments of the logarithms (each must be positive); an unbounded
  or unknown domain is not split.  The candidates are evaluated at :data:`SCAN_POINTS` points of the
  domain (evenly spaced, plus points geometrically close to each end) at :data:`CERTIFY_DPS` digits; where
  the best candidate changes between neighbouring points the crossover of the two expressions is solved:
  exactly by sympy when their difference is a rational function of the symbol, else numerically (a
  bracketing root finder at 50 digits), and then *certified*: the difference is evaluated in interval
  arithmetic (``mpmath.iv``) at both ends of a bracket of relative width ``~1e-45`` and its sign changes
  (``certified`` True), or, when interval arithmetic cannot evaluate it, at 50 digits only (``certified``
  False, said in ``how``).  A third candidate below both at the crossover splits the interval again.
  The scan can miss a pair of crossovers closer together than the grid spacing (a schedule optimal only on
  a sliver); the result says so.
* **Several free symbols.** The candidates and ``Min(...)`` of their expressions; regions are not split
  (``regions`` is empty and the note says so): never a guessed partition.

:meth:`SymbolicOptimum.at` evaluates at a parameter value and returns the
:class:`~symsched.schedules.optimal.OptimalSchedule` of the substituted profile.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable
from typing import Any, NamedTuple

import mpmath
import numpy as np
import sympy as sp

from ..arithmetic import h2
from ..errors import SymbolicValueError, SymschedError
from ..formatting import LATEX_WIDTH, format_value, html_table, latex_lines, latex_terms, latex_width
from ..info.profile import InformationProfile
from ..results import Result
from .kl import expected_kl, schedule_weights
from .schedule import Schedule

__all__ = ["SymbolicOptimum", "SymbolicFrontier", "Crossover", "MAX_SYMBOLIC_CANDIDATES"]

#: Most candidate schedules one call enumerates (``C(N-1, K-1)`` for one K, their sum for a frontier): each
#: costs one symbolic expected_kl (its simplification takes ~0.1-1 s on a chain profile of N = 4..8).
MAX_SYMBOLIC_CANDIDATES = 128
#: Digits of every numerical step (scan, root finding, certification).
CERTIFY_DPS = 50
#: Evenly spaced scan points over the domain (plus 2 x 12 points geometrically close to its ends).
SCAN_POINTS = 400
#: Values closer than this (relative) count as tied at 50 digits.
_TIE = mpmath.mpf(10) ** -40


class Crossover(NamedTuple):
    """Where the optimal schedule changes: ``left`` is optimal just below ``location``, ``right`` just above."""

    location: Any  # sympy number: exact, or a 50-digit Float
    left: tuple
    right: tuple
    exact: bool  # solved in closed form by sympy
    certified: bool  # exact, or a sign change proved by interval arithmetic on ``bracket``
    bracket: tuple  # (lo, hi) as sympy Floats, containing the crossing
    how: str


def candidate_schedules(N: int, K: int) -> list:
    """All compositions of ``N`` into ``K`` positive parts, in the dynamic programme's tie order
    (lexicographically smallest ``(s_{K-1}, ..., s_1)`` first)."""
    cuts = sorted(itertools.combinations(range(1, N), K - 1), key=lambda c: c[::-1])
    return [Schedule.from_breakpoints((0, *c, N)) for c in cuts]


def check_symbolic_size(N: int, Ks: range, where: str) -> None:
    count = sum(math.comb(N - 1, K - 1) for K in Ks)
    if count > MAX_SYMBOLIC_CANDIDATES:
        raise SymschedError(
            f"{where}: a profile with free symbols is solved by enumerating schedules, and N = {N}, "
            f"K = {Ks.start}..{Ks.stop - 1} gives {count} candidates (more than MAX_SYMBOLIC_CANDIDATES = "
            f"{MAX_SYMBOLIC_CANDIDATES}); substitute values (profile.subs({{symbol: value}})) for the exact DP, "
            "or ask for fewer steps K")


# -- the parameter space ----------------------------------------------------------------------------

def _number(x: Any, what: str) -> sp.Expr:
    if isinstance(x, (bool, np.bool_, str, bytes)):
        raise SymschedError(f"{what} must be a real number, got {x!r}")
    try:
        v = sp.sympify(x)
    except (sp.SympifyError, TypeError, ValueError):
        raise SymschedError(f"{what} must be a real number, got {x!r}") from None
    if v.free_symbols or not v.is_real or v.is_extended_real is False:
        raise SymschedError(f"{what} must be a real number, got {x!r}")
    return v


def _assumed_interval(sym: sp.Symbol) -> sp.Set:
    if sym.is_positive:
        return sp.Interval.open(0, sp.oo)
    if sym.is_nonnegative:
        return sp.Interval(0, sp.oo)
    if sym.is_negative:
        return sp.Interval.open(-sp.oo, 0)
    if sym.is_nonpositive:
        return sp.Interval(-sp.oo, 0)
    return sp.S.Reals


@functools.lru_cache(maxsize=16)
def _natural_domain(exprs: tuple, sym: sp.Symbol) -> sp.Set:
    """The symbol's assumed interval cut to where every log / binary-entropy argument is admissible
    (the assumed interval alone when an argument is not a polynomial: nothing more is known)."""
    x = sp.Dummy("x", real=True)
    dom = _assumed_interval(sym)
    args = {(a.func, a.args[0].subs(sym, x)) for e in exprs for a in sp.sympify(e).atoms(sp.log, h2)}
    for func, g in sorted(args, key=str):
        if not g.free_symbols:
            continue
        if not g.is_polynomial(x):
            return _assumed_interval(sym)
        conds = [g > 0] if func is sp.log else [g >= 0, g <= 1]
        for cond in conds:
            dom = dom.intersect(sp.solveset(cond, x, sp.S.Reals))
    return dom


def resolve_domain(prof: InformationProfile, syms: tuple, domain: Any) -> tuple:
    """``(lo, hi)`` sympy numbers (``hi > lo``, possibly infinite) or None, for a one-symbol profile."""
    if domain is not None:
        if len(syms) != 1:
            raise SymschedError(f"domain: applies to a profile with one free symbol, this one has {len(syms)} "
                                f"({', '.join(map(str, syms))})")
        if isinstance(domain, (str, bytes)) or not hasattr(domain, "__len__") or len(domain) != 2:
            raise SymschedError(f"domain must be an interval (lo, hi), got {domain!r}")
        lo, hi = (_number(v, "domain") for v in domain)
        if not lo < hi:
            raise SymschedError(f"domain must be an interval (lo, hi) with lo < hi, got {domain!r}")
        return lo, hi
    if len(syms) != 1:
        return None
    dom = _natural_domain(tuple(sp.sympify(x) for x in prof.h), syms[0])
    if not isinstance(dom, sp.Interval):
        return None
    return dom.inf, dom.sup


# -- numerics ----------------------------------------------------------------------------------------

_IV_NAMES = ("log", "exp", "sqrt", "mpf", "pi", "e", "cos", "sin", "atan", "fabs")


def _mp_function(expr: sp.Expr, sym: sp.Symbol, interval: bool = False) -> Callable:
    if interval:
        ns = {k: getattr(mpmath.iv, k) for k in _IV_NAMES if hasattr(mpmath.iv, k)}
        return sp.lambdify(sym, expr, [ns, "mpmath"])
    return sp.lambdify(sym, expr, "mpmath")


def _real(v: Any, where: str) -> mpmath.mpf:
    if isinstance(v, mpmath.mpc):
        if abs(v.imag) > _TIE * (1 + abs(v.real)):
            raise SymschedError(f"{where}: the profile is not real there (a logarithm of a negative number); "
                                "pass domain=(lo, hi) inside the parameter's admissible range")
        return v.real
    return mpmath.mpf(v)


def _scan_points(lo: mpmath.mpf, hi: mpmath.mpf) -> list:
    width = hi - lo
    pts = {lo + width * (i + 1) / (SCAN_POINTS + 1) for i in range(SCAN_POINTS)}
    for k in range(3, 15):
        pts.add(lo + width * mpmath.mpf(10) ** -k)
        pts.add(hi - width * mpmath.mpf(10) ** -k)
    return sorted(pts)


class _Evaluator:
    """The candidates' expected KLs at parameter values, at CERTIFY_DPS digits: ``h_j(x)`` once per point,
    then each candidate as ``sum_j w_j h_j`` with its integer weights (the expected_kl identity)."""

    def __init__(self, prof: InformationProfile, sym: sp.Symbol, scheds: list):
        self.sym = sym
        self.h = [_mp_function(sp.sympify(x), sym) for x in prof.h]
        self.h64 = [sp.lambdify(sym, sp.sympify(x), "numpy") for x in prof.h]
        self.W = np.array([schedule_weights(prof.N, s) for s in scheds], dtype=np.int64)
        self.cache: dict = {}

    def scan(self, pts: list) -> list:
        """The best candidate at each point: a float64 screen, and CERTIFY_DPS digits wherever the best two
        are within rounding of each other (or float64 cannot evaluate the profile there)."""
        xs = np.array([float(x) for x in pts])
        with np.errstate(all="ignore"):
            H = np.array([np.broadcast_to(np.asarray(f(xs), dtype=complex), xs.shape) for f in self.h64])
        ok = np.all(np.isfinite(H), axis=0) & np.all(np.abs(H.imag) <= 1e-12 * (1 + np.abs(H.real)), axis=0)
        V = self.W @ H.real.astype(float)
        tol = 1e-9 * (1 + np.sum(np.abs(H.real), axis=0))  # >> float rounding of sum_j w_j h_j
        out = []
        for i, x in enumerate(pts):
            col = V[:, i]
            close = np.flatnonzero(col <= col.min() + tol[i]) if ok[i] else []
            out.append(int(close[0]) if len(close) == 1 else self.best(x, None if not ok[i] else list(close)))
        return out

    def values(self, x: mpmath.mpf) -> list:
        key = mpmath.nstr(x, CERTIFY_DPS + 5)
        if key not in self.cache:
            with mpmath.workdps(CERTIFY_DPS + 10):
                hx = [_real(f(x), f"at {self.sym} = {mpmath.nstr(x, 8)}") for f in self.h]
                self.cache[key] = [mpmath.fsum(int(w) * v for w, v in zip(row, hx) if w) for row in self.W]
        return self.cache[key]

    def best(self, x: mpmath.mpf, among: list | None = None) -> int:
        """Index of the best candidate at x (ties: the lowest index, the DP's tie order)."""
        vals = self.values(x)
        idx = range(len(vals)) if among is None else among
        low = min(vals[i] for i in idx)
        tol = _TIE * (1 + abs(low))
        return next(i for i in idx if vals[i] <= low + tol)


def _exact_root(diff: sp.Expr, sym: sp.Symbol, a: mpmath.mpf, b: mpmath.mpf) -> sp.Expr | None:
    """The root of ``diff`` in ``[a, b]`` in closed form when ``diff`` is a rational function of ``sym``."""
    try:
        if not diff.is_rational_function(sym):
            return None
        num = sp.numer(sp.together(diff))
        roots = sp.Poly(num, sym).real_roots()
    except (sp.PolynomialError, NotImplementedError, ValueError):
        return None
    inside = [r for r in set(roots) if a <= mpmath.mpf(sp.N(r, CERTIFY_DPS + 10)) <= b]
    return inside[0] if len(inside) == 1 else None


def _sign_change(f: Callable, a: Any, b: Any) -> bool | None:
    """True when ``f(a) < 0 < f(b)`` or ``f(a) > 0 > f(b)`` is proved; None when ``f`` cannot be evaluated."""
    try:
        fa, fb = f(a), f(b)
    except (TypeError, ValueError, ZeroDivisionError, AttributeError, NameError):
        return None
    try:
        return bool((fa < 0 and fb > 0) or (fa > 0 and fb < 0))
    except (TypeError, ValueError):
        return None


def _bisect(g: Callable, a: mpmath.mpf, b: mpmath.mpf) -> tuple:
    """A bracket ``[lo, hi]`` of relative width ``~10^(5 - CERTIFY_DPS)`` on which ``g`` changes sign (bisection:
    slower than a secant method but it cannot leave the bracket or fail to converge)."""
    ga = g(a)
    width = mpmath.mpf(10) ** (5 - CERTIFY_DPS) * max(1, abs(a), abs(b))
    for _ in range(4 * CERTIFY_DPS):
        if b - a <= width:
            break
        m = (a + b) / 2
        gm = g(m)
        if gm == 0:
            return m - width / 2, m + width / 2
        if (gm < 0) == (ga < 0):
            a, ga = m, gm
        else:
            b = m
    return a, b


def _crossing(ev: _Evaluator, exprs: list, A: int, B: int, a: mpmath.mpf, b: mpmath.mpf) -> tuple:
    """Root of ``E_A - E_B`` in ``(a, b)`` (signs differ at the ends): ``(location, exact, certified, bracket,
    how)``."""
    sym = ev.sym
    diff = sp.sympify(exprs[A] - exprs[B])
    with mpmath.workdps(CERTIFY_DPS + 10):
        f = _mp_function(diff, sym)

        def g(x):
            return _real(f(x), "crossover")
        lo, hi = _bisect(g, a, b)
        r = (lo + hi) / 2
        exact = _exact_root(diff, sym, lo, hi)
        bracket = (sp.Float(mpmath.nstr(lo, CERTIFY_DPS), CERTIFY_DPS), sp.Float(mpmath.nstr(hi, CERTIFY_DPS),
                                                                                   CERTIFY_DPS))
        if exact is not None:
            return exact, True, True, bracket, "closed form (sympy: real root of a polynomial)"
        loc = sp.Float(mpmath.nstr(r, CERTIFY_DPS), CERTIFY_DPS)
        old = mpmath.iv.dps
        mpmath.iv.dps = CERTIFY_DPS + 10
        try:
            proved = _sign_change(_mp_function(diff, sym, interval=True), mpmath.iv.mpf(str(lo)),
                                  mpmath.iv.mpf(str(hi)))
        finally:
            mpmath.iv.dps = old
        if proved:
            return loc, False, True, bracket, ("numerical (mpmath, 50 digits); the sign change on the bracket is "
                                               "proved by interval arithmetic")
        if _sign_change(g, lo, hi):
            return loc, False, False, bracket, ("numerical (mpmath, 50 digits); sign change seen at 50 digits, "
                                                "not proved by interval arithmetic")
        return loc, False, False, bracket, "numerical (mpmath, 50 digits); no clean sign change: a touching point"


def _resolve(ev: _Evaluator, exprs: list, A: int, B: int, a: mpmath.mpf, b: mpmath.mpf, depth: int = 0) -> list:
    """Crossovers between ``a`` (``A`` best) and ``b`` (``B`` best): ``[(location_mpf, left, right, info)]``."""
    found = _crossing(ev, exprs, A, B, a, b)
    r = mpmath.mpf(sp.N(found[0], CERTIFY_DPS + 10)) if found[1] else mpmath.mpf(str(found[0]))
    C = ev.best(r)
    vals = ev.values(r)
    if depth < 12 and C not in (A, B) and vals[C] < vals[A] - _TIE * (1 + abs(vals[A])):
        # a third schedule is optimal between them
        return _resolve(ev, exprs, A, C, a, r, depth + 1) + _resolve(ev, exprs, C, B, r, b, depth + 1)
    return [(r, A, B, found)]


def split_regions(ev: _Evaluator, exprs: list, lo: Any, hi: Any) -> tuple:
    """Regions ``((lo, hi, index), ...)`` of the best candidate over the domain, and their crossovers."""
    with mpmath.workdps(CERTIFY_DPS + 10):
        pts = _scan_points(mpmath.mpf(sp.N(lo, CERTIFY_DPS + 10)), mpmath.mpf(sp.N(hi, CERTIFY_DPS + 10)))
        best = ev.scan(pts)
        raw = []
        for i in range(len(pts) - 1):
            if best[i] != best[i + 1]:
                raw += _resolve(ev, exprs, best[i], best[i + 1], pts[i], pts[i + 1])
    crossings, regions, start, current = [], [], lo, best[0]
    for _, left, right, (loc, exact, certified, bracket, how) in raw:
        if left != current:  # cannot happen with a consistent scan; refuse rather than guess
            raise SymschedError("symbolic optimum: inconsistent crossovers (please report the profile)")
        regions.append((start, loc, left))
        crossings.append((loc, left, right, exact, certified, bracket, how))
        start, current = loc, right
    regions.append((start, hi, current))
    return tuple(regions), tuple(crossings)


# -- pruning -----------------------------------------------------------------------------------------

def _vanishing_steps(prof: InformationProfile) -> np.ndarray:
    """``zero[j]``: ``h_j - h_{j+1}`` is identically zero (proved by sympy)."""
    out = np.zeros(max(prof.N - 1, 0), dtype=bool)
    for j in range(prof.N - 1):
        d = sp.sympify(prof.h[j]) - sp.sympify(prof.h[j + 1])
        out[j] = d == 0 or sp.expand(d) == 0
    return out


def prune(prof: InformationProfile, scheds: list) -> tuple:
    """``(kept indices, [(sizes, by sizes, reason)])``: the candidates dropped only where proved (module doc)."""
    zero = _vanishing_steps(prof)
    monotone_known = not prof.method.startswith("given")
    W = np.array([schedule_weights(prof.N, s) for s in scheds], dtype=np.int64)
    D = np.cumsum(W, axis=1)[:, :-1][:, ~zero]  # partial sums at the steps that matter
    kept, dropped = [], []
    for a in range(len(scheds)):
        diff = D[a][None, :] - D  # E_a - E_b = sum diff_j (h_j - h_{j+1})
        same = np.all(diff == 0, axis=1)
        worse = np.all(diff >= 0, axis=1) & ~same if monotone_known else np.zeros(len(scheds), dtype=bool)
        better_tie = same & (np.arange(len(scheds)) < a)
        hit = np.flatnonzero(worse | better_tie)
        if hit.size:
            b = int(hit[0])
            reason = ("identical expected KL (the h_j it weighs differently are equal)" if same[b] else
                      "never better: E KL difference is a non-negative combination of h_j - h_{j+1} >= 0")
            dropped.append((scheds[a].sizes, scheds[b].sizes, reason))
        else:
            kept.append(a)
    return kept, dropped


def _substituted(prof: InformationProfile, mapping: dict) -> InformationProfile:
    """The profile at a parameter value: exact (sympy) for exact values, else mpmath at CERTIFY_DPS digits."""
    if not any(v.has(sp.Float) for v in mapping.values()):
        return prof.subs(mapping)
    # a float stands for its exact binary value: substituted as a rational, then evaluated at 50 digits
    exact = {k: sp.Rational(v) if v.is_Float else v for k, v in mapping.items()}
    with mpmath.workdps(CERTIFY_DPS):
        h = [mpmath.mpf(sp.N(sp.sympify(x).subs(exact), CERTIFY_DPS)) for x in prof.h]
        e = [mpmath.mpf(0)]
        for v in h:
            e.append(e[-1] + v)
    return InformationProfile(tuple(h), e=tuple(e), entropy=e[-1], precision="mpmath", method=prof.method,
                              base=prof.base, dps=CERTIFY_DPS)


# -- results -----------------------------------------------------------------------------------------

def _sizes_tex(sizes: tuple) -> str:
    return r"\mathcal{E}_{(" + ",".join(map(str, sizes)) + ")}"


def _expr_lines(lhs: str, expr: sp.Expr) -> list:
    room = LATEX_WIDTH - latex_width(lhs) - 4
    lines = latex_lines(latex_terms(expr), room)
    return [rf"{lhs} &= {lines[0]}"] + [rf"&\quad {ln}" for ln in lines[1:]]


def _flag(c: Crossover) -> str:
    return "exact" if c.exact else ("certified" if c.certified else "not certified")


def _tex_number(x: Any) -> str:
    if isinstance(x, sp.Float):
        return rf"{mpmath.nstr(mpmath.mpf(str(x)), 12)}\ldots"
    return sp.latex(x)


class SymbolicOptimum(Result):
    """Result of :func:`~symsched.schedules.optimal.optimal_schedule` on a profile with free symbols.

    Attributes
    ----------
    K, N : int
    symbols : tuple of sympy.Symbol
    candidates : tuple of (sizes, expression)
        Every candidate schedule kept, with its expected KL (a sympy expression), in the DP's tie order.
    pruned : tuple of (sizes, by sizes, reason)
        Candidates dropped because another is proved never worse (see the module docstring).
    optimum : sympy expression
        ``Piecewise`` over the parameter's regions (one symbol, bounded domain), the single candidate's
        expression when one schedule is optimal on the whole domain, else ``Min`` of the candidates.
    regions : tuple of (lo, hi, sizes)
        The schedule optimal on each interval of the domain (empty when not split).
    crossovers : tuple of :class:`Crossover`
        Where the optimal schedule changes, each ``exact`` or ``certified`` (or neither, said in ``how``).
    domain : tuple or None
        The interval of the parameter that was split.
    split : bool
        Whether ``optimum`` is split into regions.
    note : str
        How it was obtained and what it does not claim.
    """

    _fields = ("K", "N", "symbols", "domain", "candidates", "regions", "crossovers", "pruned", "optimum", "note")
    _repr_fields = ("K", "N", "symbols", "split")

    def __init__(self, prof: InformationProfile, K: int, domain: Any = None, *, make: Callable | None = None):
        self.profile, self.K, self.N = prof, K, prof.N
        self.symbols = tuple(sorted(set().union(*(sp.sympify(x).free_symbols for x in prof.h)), key=str))
        self._make = make  # builds the OptimalSchedule of a substituted profile (optimal.py's class)
        scheds = candidate_schedules(prof.N, K)
        kept, dropped = prune(prof, scheds)
        self._scheds = [scheds[i] for i in kept]
        exprs = [sp.sympify(expected_kl(prof, s)) for s in self._scheds]
        self.candidates = tuple((s.sizes, e) for s, e in zip(self._scheds, exprs))
        self.pruned = tuple(dropped)
        self.domain = resolve_domain(prof, self.symbols, domain)
        self.regions, self.crossovers = (), ()
        self._build(exprs)
        self._freeze()

    def _build(self, exprs: list) -> None:
        sym = self.symbols[0] if len(self.symbols) == 1 else None
        bounded = self.domain is not None and all(sp.S(v).is_finite for v in self.domain)
        if len(exprs) == 1:
            self.optimum, self.split = exprs[0], True
            if sym is not None and self.domain is not None:
                self.regions = ((self.domain[0], self.domain[1], self._scheds[0].sizes),)
            self.note = "one candidate schedule"
            return
        if sym is None or not bounded:
            self.optimum, self.split = sp.Min(*exprs, evaluate=False), False
            why = (f"{len(self.symbols)} free symbols" if sym is None else
                   f"the domain of {sym} is unbounded or unknown; pass domain=(lo, hi)")
            self.note = (f"regions not split ({why}): the optimum is the minimum of the {len(exprs)} candidates' "
                         "expressions; .at(...) evaluates them and picks the best")
            return
        ev = _Evaluator(self.profile, sym, self._scheds)
        regions, crossings = split_regions(ev, exprs, *self.domain)
        self.regions = tuple((a, b, self._scheds[i].sizes) for a, b, i in regions)
        self.crossovers = tuple(Crossover(loc, self._scheds[i].sizes, self._scheds[j].sizes, ex, ce, br, how)
                                for loc, i, j, ex, ce, br, how in crossings)
        lo, hi = self.domain
        pieces = [(exprs[i], sp.And(sym > a, sym <= b) if k < len(regions) - 1 else sp.And(sym > a, sym < hi))
                  for k, (a, b, i) in enumerate(regions)]
        self.optimum = pieces[0][0] if len(pieces) == 1 else sp.Piecewise(*pieces)
        self.split = True
        uncertified = sum(not c.certified for c in self.crossovers)
        found = (f"{len(self.crossovers)} crossover(s), {len(self.crossovers) - uncertified} exact or certified"
                 if self.crossovers else "one schedule optimal throughout")
        self.note = (f"regions over {lo} < {sym} < {hi} from a scan of {SCAN_POINTS + 24} points at {CERTIFY_DPS} "
                     f"digits: {found}; a schedule optimal only on an interval narrower than the scan spacing "
                     "could be missed")

    # -- evaluation ----------------------------------------------------------------------------------
    def _mapping(self, value: Any) -> dict:
        if isinstance(value, dict):
            mapping = {sp.Symbol(k) if isinstance(k, str) else k: v for k, v in value.items()}
            names = {str(s): s for s in self.symbols}
            mapping = {names.get(str(k), k): v for k, v in mapping.items()}
        elif len(self.symbols) == 1:
            mapping = {self.symbols[0]: value}
        else:
            raise SymschedError(f"value: this optimum has {len(self.symbols)} free symbols; pass a dict "
                                f"{{symbol: value}} for each of {', '.join(map(str, self.symbols))}")
        missing = [s for s in self.symbols if s not in mapping]
        if missing:
            raise SymschedError(f"value: no value given for {', '.join(map(str, missing))}")
        out = {s: _number(mapping[s], f"value of {s}") for s in self.symbols}
        if len(self.symbols) == 1 and self.domain is not None:
            v = out[self.symbols[0]]
            lo, hi = self.domain
            if not lo < v < hi:
                raise SymschedError(f"value: {self.symbols[0]} = {v} lies outside the domain ({lo}, {hi})")
        return out

    def sizes_at(self, value: Any) -> tuple:
        """The optimal sizes at a parameter value: from the regions when split, else by evaluating every
        candidate at 50 digits (ties: the DP's choice)."""
        mapping = self._mapping(value)
        if self.regions:
            v = mapping[self.symbols[0]]
            for _, b, sizes in self.regions:
                if v <= b:
                    return sizes
            return self.regions[-1][2]
        exact = {k: sp.Rational(v) if v.is_Float else v for k, v in mapping.items()}
        with mpmath.workdps(CERTIFY_DPS):
            vals = [mpmath.mpf(sp.N(e.subs(exact), CERTIFY_DPS)) for _, e in self.candidates]
        low = min(vals)
        return self.candidates[next(i for i, v in enumerate(vals) if v <= low + _TIE * (1 + abs(low)))][0]

    def at(self, value: Any):
        """The optimum at a parameter value (a number for one symbol, else ``{symbol: value}``): the
        :class:`~symsched.schedules.optimal.OptimalSchedule` of the substituted profile, its schedule the
        one :meth:`sizes_at` names and its ``kl`` exact."""
        mapping = self._mapping(value)
        sched = Schedule(self.sizes_at(mapping))
        where = ", ".join(f"{k} = {v}" for k, v in mapping.items())
        try:
            prof = _substituted(self.profile, mapping)
        except SymschedError as exc:
            raise SymschedError(f"value: at {where} the h_j are not an information profile ({exc})") from None
        return self._make(prof, list(sched.breakpoints), f"symbolic optimum at {where}")

    def subs(self, mapping: dict):
        """Same as :meth:`at` with a ``{symbol: value}`` mapping."""
        return self.at(dict(mapping))

    def __float__(self) -> float:
        raise TypeError(f"SymbolicOptimum has free symbols {[str(s) for s in self.symbols]}; "
                        "use .at(value) for a number")

    def _no_single(self, name: str):
        raise SymbolicValueError(
            f"SymbolicOptimum.{name}: the optimal {self.K}-step schedule depends on "
            f"{', '.join(map(str, self.symbols))}; use .optimum (the expression), .regions, or .at(value) for the "
            "OptimalSchedule at a parameter value (or substitute values: profile.subs({...}))")

    # the attributes of an OptimalSchedule that need one schedule: refused with the way forward (code written
    # for numeric profiles then fails with a ValueError, as it did before symbolic optima existed)
    kl = property(lambda self: self._no_single("kl"))
    sizes = property(lambda self: self._no_single("sizes"))
    schedule = property(lambda self: self._no_single("schedule"))
    breakpoints = property(lambda self: self._no_single("breakpoints"))

    # -- display -------------------------------------------------------------------------------------
    def _field_items(self) -> list:
        items = super()._field_items()
        out = []
        for name, value in items:
            if name == "crossovers":
                value = tuple(dict(c._asdict()) for c in value)
            out.append((name, value))
        return out

    def _cases(self) -> str:
        sym = sp.latex(self.symbols[0]) if len(self.symbols) == 1 else ""
        if self.split and len(self.regions) > 1:
            rows = []
            for k, (a, b, sizes) in enumerate(self.regions):
                right = r"<" if k == len(self.regions) - 1 else r"\le"
                rows.append(rf"{_sizes_tex(sizes)} & {_tex_number(a)} < {sym} {right} {_tex_number(b)}")
            return r"\begin{cases}" + r" \\ ".join(rows) + r"\end{cases}"
        if len(self.candidates) == 1 or (self.split and self.regions):
            return _sizes_tex(self.candidates[0][0] if not self.regions else self.regions[0][2])
        return r"\min\left(" + ", ".join(_sizes_tex(s) for s, _ in self.candidates[:6]) + \
            (r", \ldots" if len(self.candidates) > 6 else "") + r"\right)"

    def latex(self) -> str:
        r"""``\min E KL`` as ``cases`` over the regions (or ``\min``), then each candidate's expression,
        long sums broken after whole terms; crossovers that are numbers print 12 digits and ``\ldots``."""
        return "\\begin{aligned}\n" + " \\\\\n".join(self.latex_rows()) + "\n\\end{aligned}"

    def latex_rows(self) -> list:
        """The rows of :meth:`latex`'s ``aligned`` block (``&`` before the relation)."""
        lines = [rf"\min_{{|S|={self.K}}} \mathbb{{E}}\,\mathrm{{KL}} &= {self._cases()}"]
        shown = {s for _, _, s in self.regions} if self.split and self.regions else {s for s, _ in self.candidates}
        for sizes, expr in self.candidates:
            if sizes in shown:
                lines += _expr_lines(_sizes_tex(sizes), expr)
        if len(shown) < len(self.candidates):
            hidden = len(self.candidates) - len(shown)
            lines.append(rf"&\quad \text{{({hidden} candidate{'s' * (hidden > 1)} never optimal, not shown)}}")
        return lines

    def _region_rows(self) -> list:
        last = len(self.regions) - 1
        return [(f"({format_value(a, 12)}, {format_value(b, 12)}{')' if k == last else ']'}", str(sizes))
                for k, (a, b, sizes) in enumerate(self.regions)]

    def __repr__(self) -> str:
        return (f"SymbolicOptimum(K={self.K}, N={self.N}, symbols={tuple(map(str, self.symbols))}, "
                f"candidates={len(self.candidates)}, regions={len(self.regions)})")

    def __str__(self) -> str:
        lines = [f"Optimal {self.K}-step schedule of N = {self.N} tokens, symbols "
                 f"{', '.join(map(str, self.symbols))}: {len(self.candidates)} candidates"
                 + (f" ({len(self.pruned)} pruned)" if self.pruned else "")]
        if self.regions:
            lines.append("  optimal schedule by region:")
            lines += [f"    {iv}: {s}" for iv, s in self._region_rows()]
        for c in self.crossovers:
            lines.append(f"  crossover {c.left} -> {c.right} at {format_value(c.location, 15)} ({_flag(c)})")
        for sizes, expr in self.candidates[:8]:
            text = str(expr)
            lines.append(f"  E KL{sizes} = {text if len(text) <= 90 else text[:87] + '...'}")
        if len(self.candidates) > 8:
            lines.append(f"  ... {len(self.candidates) - 8} more candidates")
        lines.append(f"  note: {self.note}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = [(iv, s) for iv, s in self._region_rows()] or [("(not split)", self.note)]
        rows += [(f"crossover {c.left} -> {c.right}", f"{format_value(c.location, 15)} ({_flag(c)})")
                 for c in self.crossovers]
        return html_table(rows, ("region / crossover", "optimal sizes / location"),
                          caption=f"Symbolic optimum, K = {self.K}, N = {self.N}: {len(self.candidates)} candidates")


class SymbolicFrontier(Result):
    """Result of :func:`~symsched.schedules.optimal.optimal_frontier` on a profile with free symbols: one
    :class:`SymbolicOptimum` per ``K = 1..Kmax``.  ``frontier[K - 1]`` is the ``K``-step optimum (an
    expression), ``schedule(K)`` the :class:`SymbolicOptimum`, ``at(value)`` the tuple of
    :class:`~symsched.schedules.optimal.OptimalSchedule` of the substituted profile."""

    _fields = ("N", "Kmax", "symbols", "values")
    _repr_fields = ("N", "Kmax", "symbols")

    def __init__(self, optima: tuple):
        self.optima = tuple(optima)
        self.profile = self.optima[0].profile
        self.N, self.Kmax, self.symbols = self.profile.N, len(self.optima), self.optima[0].symbols
        self._freeze()

    def __len__(self) -> int:
        return self.Kmax

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [o.optimum for o in self.optima[i]]
        return self.optima[i].optimum

    def __iter__(self):
        return (o.optimum for o in self.optima)

    @property
    def values(self) -> tuple:
        return tuple(self)

    def schedule(self, K: int) -> SymbolicOptimum:
        if isinstance(K, bool) or not isinstance(K, (int, np.integer)) or not 1 <= K <= self.Kmax:
            raise SymschedError(f"K must be an integer in 1..{self.Kmax}, got {K!r}")
        return self.optima[int(K) - 1]

    def at(self, value: Any) -> tuple:
        return tuple(o.at(value) for o in self.optima)

    def subs(self, mapping: dict) -> tuple:
        return self.at(dict(mapping))

    def __float__(self) -> float:
        raise TypeError("SymbolicFrontier has no single headline number; use .at(value)")

    def latex(self) -> str:
        lines = [row for o in self.optima for row in o.latex_rows()]
        return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"

    def __repr__(self) -> str:
        return f"SymbolicFrontier(N={self.N}, Kmax={self.Kmax}, symbols={tuple(map(str, self.symbols))})"

    def __str__(self) -> str:
        return "\n".join([f"Symbolic frontier, N = {self.N}, K = 1..{self.Kmax}"] +
                         ["  " + line for o in self.optima for line in str(o).split("\n")])

    def _repr_html_(self) -> str:
        rows = [(o.K, "; ".join(f"{sizes} on {iv}" for iv, sizes in o._region_rows()) or o.note) for o in self.optima]
        return html_table(rows, ("K", "optimal sizes by region"), caption=f"Symbolic frontier, N = {self.N}")
