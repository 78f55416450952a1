r"""The quantized continuum limit ``L(r)``: ``N → ∞`` with the ratio ``r = N/K`` fixed.

Derived in symsched, following Lavenant & Zanella (2025) ("the quantization effect"; their exact
statement could not be read, docs/references.md).

Derivation
----------
With ``h_j = φ(j/N)`` and ``N → ∞`` at fixed ``r``, block sizes stay bounded, so they are integers.
A block of size ``m`` starting near ``u`` costs ``f(u) m(m − 1)/(2N)``, i.e. ``½ f(u)(m − 1)/N`` per
token, and uses ``1/m`` of a step per token.  If a fraction ``θ`` of the tokens near ``u`` sits in
blocks of size ``m`` and ``1 − θ`` in blocks of size ``m + 1``, both the cost and the step count are
linear in ``θ``: with ``m̄ = θm + (1 − θ)(m + 1)`` the cost per token is ``½f(m̄ − 1)/N`` and the
step count ``ℓ(m̄)``, the piecewise-linear interpolation of ``1/m`` at the integers.  Summing over
the ``N du`` tokens in ``du``, ``K = N ∫ ℓ(m)`` steps and

    ``L(r) = min_m ½ ∫_0^1 f(u)(m(u) − 1) du   subject to   ∫_0^1 ℓ(m(u)) du = 1/r``.

Lagrangian with multiplier ``c/2 ≥ 0`` (this normalisation matches docs/concepts.md §4): minimise
``½ f (m − 1) + ½ c ℓ(m)`` pointwise over ``m ≥ 1``.  ``ℓ`` is convex and piecewise linear, so the
minimum is at an integer ``m``; going from ``m`` to ``m + 1`` changes the objective by
``½ f − ½ c/(m(m + 1))``, hence the optimal integer satisfies

    ``m(m − 1) ≤ c/f(u) ≤ m(m + 1)``,  i.e.  ``m(u) = ⌊½ + ½√(1 + 4c/f(u))⌋``

(``m = ∞``, no steps, where ``f = 0``).  ``∫ℓ(m_c)`` decreases in ``c``; ``c`` is solved for to ``dps``
digits (Illinois / bisection on a bracket).  The breakpoints where ``m`` changes solve
``f(u) = c/(m(m + 1))`` on each interval where ``f`` is monotone (the monotone pieces are found on a
grid and refined by golden-section search), and on a piece with constant ``m`` the cost integrates in
closed form: ``½(m − 1)(φ(a) − φ(b))``.  No quadrature is needed unless a tail is used (below).

* Vertex case: where ``f`` is constant on a set of positive measure, ``∫ℓ(m_c)`` jumps at the ``c``
  where ``c/f = m(m+1)``; the optimum then mixes ``m`` and ``m + 1`` on that set in the proportion
  meeting the constraint exactly (the objective and the constraint are both linear in the mix).
* Tail: where ``f`` gets small the optimal ``m`` grows without bound (``f → 0`` at a point).  Block
  sizes above ``max_block`` are not resolved one by one: there the large-``m`` (smooth) rule
  ``m = √(c/f)``, ``ℓ ≈ 1/m`` is used, whose error is reported as :attr:`QuantizedLimit.tail_error_estimate`
  (``|T|·c/(M(M+1))``, a crude bound on the change of the Lagrangian on the tail set ``T``).
  Without a tail the value is accurate to ``dps`` digits.

For large ``r`` the optimal sizes are ``m ≈ √(c/f) ∝ f^{−1/2}`` and ``L(r) ≈ r·½(∫√f)² − ½Δ`` (the
``√f`` rule, :attr:`QuantizedLimit.smooth_value`); at small ``r`` they differ materially.

Examples
--------
>>> import sympy as sp, symsched as ss
>>> u = sp.Symbol("u")
>>> q = ss.riemann_limit(1 / (1 + 3 * u), u).quantized(sp.Rational(5, 2))
>>> float(q.L), float(q.smooth_value)  # doctest: +ELLIPSIS
(0.44614364884..., 0.42575502319...)
>>> [m for (_, _, m) in q.pieces]
[1, 2, 3, 4, 5]
>>> q.schedule(20).sizes
(1, 2, 2, 2, 3, 3, 3, 4)
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any
from collections.abc import Callable

import mpmath
import sympy as sp

from ..errors import SymschedError
from ..formatting import latex_fit, latex_number
from ..results import Result
from ..parsing import as_expression
from . import checks
from ..schedules.schedule import Schedule, repair_breakpoints

__all__ = ["QuantizedLimit", "quantized_limit"]

_GUARD = checks.GUARD
_GRID = 256


def _as_fraction(r: Any) -> Fraction | None:
    if isinstance(r, bool):
        return None
    if isinstance(r, (int, Fraction)):
        return Fraction(r)
    if isinstance(r, sp.Rational):
        return Fraction(int(r.p), int(r.q))
    if isinstance(r, float):
        return Fraction(r) if math.isfinite(r) else None
    if isinstance(r, str):
        try:
            return Fraction(r)
        except ValueError:
            return None
    return None


def _m_of(c: mpmath.mpf, f: mpmath.mpf):
    """Optimal integer block size ``⌊½ + ½√(1 + 4c/f)⌋`` (``inf`` where ``f = 0``)."""
    if f <= 0:
        return mpmath.inf
    if mpmath.isinf(f):
        return 1
    return int(mpmath.floor((1 + mpmath.sqrt(1 + 4 * c / f)) / 2))


def _illinois_point(lo, hi, F_lo, F_hi, it: int):
    """The next trial point of a bracketing root search: the secant point of ``[lo, hi]``, or the midpoint
    every fourth step and whenever the secant is unusable (an infinite end value, equal end values, a
    point outside the bracket), so the bracket shrinks at least geometrically."""
    if it % 4 == 3 or not (mpmath.isfinite(F_lo) and mpmath.isfinite(F_hi)) or F_lo == F_hi:
        return (lo + hi) / 2
    x = (lo * F_hi - hi * F_lo) / (F_hi - F_lo)
    return x if lo < x < hi else (lo + hi) / 2


def _bracket_root(F: Callable, lo: mpmath.mpf, hi: mpmath.mpf, Flo, Fhi, tol: mpmath.mpf) -> mpmath.mpf:
    """Boundary of ``{F > 0}`` in ``[lo, hi]`` for monotone ``F`` with opposite signs at the ends.

    Illinois (modified regula falsi) steps, with bisection whenever an end value is infinite or the
    bracket fails to halve: converges for discontinuous monotone ``F`` too.
    """
    side = 0
    for it in range(10000):
        width = hi - lo
        if width <= tol:
            break
        x = _illinois_point(lo, hi, Flo, Fhi, it)
        Fx = F(x)
        if Fx == 0:
            return x
        if (Fx > 0) == (Flo > 0):
            lo, Flo = x, Fx
            if side == -1 and mpmath.isfinite(Fhi):
                Fhi /= 2
            side = -1
        else:
            hi, Fhi = x, Fx
            if side == 1 and mpmath.isfinite(Flo):
                Flo /= 2
            side = 1
    return (lo + hi) / 2


class _Problem:
    """The pointwise-optimal pieces of one limit at one precision (shared by all values of ``c``)."""

    def __init__(self, lim, wd: int, max_block: int):
        self.lim = lim
        self.wd = wd
        self.max_block = max_block
        self.tol = mpmath.mpf(10) ** (-wd)
        self.f = lim._f_num
        self.segments = self._segments()
        self._phi_cache: dict = {}

    def fval(self, x):
        try:
            v = self.f(x)
        except (ZeroDivisionError, ValueError, OverflowError):
            v = mpmath.inf
        if mpmath.isnan(v):
            v = mpmath.inf
        return max(v, mpmath.mpf(0)) if mpmath.isfinite(v) else v

    def phi(self, x):
        key = x
        v = self._phi_cache.get(key)
        if v is None:
            v = self.lim._phi_at(x)
            self._phi_cache[key] = v
        return v

    def _golden(self, a, b, sign):
        """Argmax of ``sign·f`` on ``[a, b]`` (golden-section; ``f`` unimodal there)."""
        g = (mpmath.sqrt(5) - 1) / 2
        x1, x2 = b - g * (b - a), a + g * (b - a)
        f1, f2 = sign * self.fval(x1), sign * self.fval(x2)
        while b - a > self.tol:
            if f1 < f2:
                a, x1, f1 = x1, x2, f2
                x2 = a + g * (b - a)
                f2 = sign * self.fval(x2)
            else:
                b, x2, f2 = x2, x1, f1
                x1 = b - g * (b - a)
                f1 = sign * self.fval(x1)
        return (a + b) / 2

    def _segments(self) -> list:
        """Intervals ``[a, b]`` on which ``f`` is monotone, with their direction (+1, −1 or 0)."""
        n = _GRID
        xs = [mpmath.mpf(i) / n for i in range(n + 1)]
        vs = [self.fval(x) for x in xs]
        scale = max([abs(v) for v in vs if mpmath.isfinite(v)] + [mpmath.mpf(1)])
        eps = scale * mpmath.mpf(10) ** (-(self.wd // 2))
        dirs = []
        for i in range(n):
            a, b = vs[i], vs[i + 1]
            if not (mpmath.isfinite(a) and mpmath.isfinite(b)):
                dirs.append(-1 if mpmath.isinf(a) else (1 if mpmath.isinf(b) else 0))
            else:
                dirs.append(0 if abs(b - a) <= eps else (1 if b > a else -1))
        cuts = [mpmath.mpf(0)]
        last = 0
        for i, d in enumerate(dirs):
            if d == 0:
                continue
            if last != 0 and d != last:
                # extremum between grid point i-1 and i+1 (refined: max if f rose before, min otherwise)
                lo_i = i - 1
                while lo_i > 0 and dirs[lo_i] == 0:
                    lo_i -= 1
                cuts.append(self._golden(xs[max(lo_i, 0)], xs[i + 1], 1 if last == 1 else -1))
            last = d
        cuts.append(mpmath.mpf(1))
        segs = []
        for a, b in zip(cuts, cuts[1:]):
            if b - a <= self.tol:
                continue
            fa, fb = self.fval(a), self.fval(b)
            mid = self.fval((a + b) / 2)
            flat = (mpmath.isfinite(fa) and mpmath.isfinite(fb) and abs(fa - fb) <= eps
                    and abs(mid - fa) <= eps)
            direction = 0 if flat else (1 if (fb > fa) else -1)
            segs.append((a, b, direction))
        return segs

    def _end_f(self, x, inside):
        """``f`` at a segment end, approached from inside when it is singular there."""
        v = self.fval(x)
        if mpmath.isinf(v) and 0 < x < 1:
            v = self.fval(x + (inside - x) * self.tol)
        return v

    def pieces(self, c: mpmath.mpf) -> list:
        """Pointwise-optimal pieces ``(a, b, m)`` at multiplier ``c`` (``m`` int, inf, or None = tail)."""
        out = []
        M = self.max_block
        if c == 0:  # no price on steps: size 1 wherever f > 0 (f = 0 on a whole segment: no steps)
            for a, b, d in self.segments:
                zero = d == 0 and self.fval((a + b) / 2) == 0
                out.append((a, b, mpmath.inf if zero else 1))
            return out
        for a, b, d in self.segments:
            fa, fb = self._end_f(a, b), self._end_f(b, a)
            if d == 0:
                fm = self.fval((a + b) / 2)
                m = _m_of(c, fm)
                out.append((a, b, None if (m != mpmath.inf and m > M) else m))
                continue
            ma, mb = _m_of(c, fa), _m_of(c, fb)
            def label(m):
                return m if m <= M else None
            # m -> m+1 at f = c/(m(m+1)); only thresholds where the (capped) label changes matter
            lo_m = min(ma, mb)
            hi_m = min(max(ma, mb), M + 1)
            thresholds = list(range(int(lo_m), int(hi_m))) if lo_m < hi_m else []
            if d == 1:
                thresholds.reverse()
            x0, cur = a, label(ma)
            for m in thresholds:
                theta = c / (m * (m + 1))
                def F(x, th=theta):
                    return self.fval(x) - th
                Flo = (fa - theta) if x0 == a else F(x0)
                # a jump of f can cross several thresholds at once: then this piece is empty
                if (Flo <= 0) if d == -1 else (Flo >= 0):
                    root = x0
                else:
                    root = _bracket_root(F, x0, b, Flo, fb - theta, self.tol)
                out.append((x0, root, cur))
                x0 = root
                cur = label(m + 1) if d == -1 else label(m)
            out.append((x0, b, cur))
        # f = 0 on a whole piece means m = inf: keep; coalesce neighbours with equal labels
        merged = []
        for a, b, m in out:
            if b - a <= 0:
                continue
            if merged and merged[-1][2] == m and merged[-1][1] == a:
                merged[-1] = (merged[-1][0], b, m)
            else:
                merged.append((a, b, m))
        return merged

    def ell_cost(self, pieces: list, c: mpmath.mpf) -> tuple:
        """(∫ℓ, cost, tail measure, per-piece step masses) of given pieces."""
        lam, cost, tail = mpmath.mpf(0), mpmath.mpf(0), mpmath.mpf(0)
        masses = []
        for a, b, m in pieces:
            if m is None:
                s = self.lim._quad_sqrt_f(a, b)
                e = s / mpmath.sqrt(c)
                cost += (mpmath.sqrt(c) * s - (self.phi(a) - self.phi(b))) / 2
                tail += b - a
            elif m == mpmath.inf:
                e = mpmath.mpf(0)
            else:
                e = (b - a) / m
                cost += (m - 1) * (self.phi(a) - self.phi(b)) / 2
            lam += e
            masses.append(e)
        return lam, cost, tail, masses


class QuantizedLimit(Result):
    r"""``L(r)``, its multiplier and the optimal block-size map (see the module docstring).

    Attributes
    ----------
    r : mpmath.mpf
        The ratio ``N/K``.
    c : mpmath.mpf
        The multiplier (``m(m−1) ≤ c/f ≤ m(m+1)``).
    L : mpmath.mpf
        The limit value at ``dps`` digits (numeric, mpmath).
    pieces : list of (u_start, u_end, m)
        ``m`` an int, ``mpmath.inf`` (``f = 0``: no steps) or None (tail, smooth rule).
    step_masses : list
        ``∫ ℓ(m)`` over each piece (``N`` times it is the piece's number of steps).
    mixed : bool
        True when the vertex case occurred (two adjacent sizes mixed on a set where ``f`` is constant).
    smooth_value : mpmath.mpf
        The ``√f`` rule's value ``r·½(∫√f)² − ½Δ`` at the same ratio, for contrast.
    tail_measure, tail_error_estimate : mpmath.mpf
        Length of the set where sizes exceed ``max_block`` and the error estimate there (0 if none).
    method : str
    """

    _headline = "L"  # float(lim.quantized(r)) == L(r) (the result protocol, symsched.results)
    _fields = ("r", "L", "c", "smooth_value", "mixed", "pieces", "step_masses", "tail_measure", "tail_error_estimate",
               "method")
    _repr_fields = ("r", "L", "c", "smooth_value")

    def __init__(self, lim, *, r_exact, r, c, L, pieces, masses, mixed, tail, tail_err, dps, max_block):
        self.limit = lim
        self.r_exact = r_exact
        self.r = r
        self.c = c
        self.L = L
        self.pieces = pieces
        self.step_masses = masses
        self.mixed = mixed
        self.tail_measure = tail
        self.tail_error_estimate = tail_err
        self.dps = dps
        self.max_block = max_block
        self.method = (f"numeric (mpmath, dps={dps})" + ("" if tail == 0 else
                       f"; sizes > {max_block} by the smooth rule on a set of measure {mpmath.nstr(tail, 5)}"))
        self.digits = dps
        self._freeze()

    @property
    def smooth_value(self) -> mpmath.mpf:
        """``r·½(∫√f)² − ½Δ``: the unquantized (``√f`` rule) leading value at ratio ``r``."""
        lim = self.limit
        with mpmath.workdps(self.dps + _GUARD):
            v = self.r * mpmath.mpf(sp.N(lim.leading_constant, self.dps + _GUARD)) \
                - mpmath.mpf(sp.N(lim.delta, self.dps + _GUARD)) / 2
        with mpmath.workdps(self.dps):
            return +v

    def block_size(self, u: Any):
        """The optimal size ``m`` at position ``u`` (the piece containing ``u``)."""
        u = mpmath.mpf(u)
        for a, b, m in self.pieces:
            if a <= u < b or (u == b == self.pieces[-1][1]):
                return m
        raise SymschedError(f"block_size: u = {u} must lie in [0, 1]")

    def K_for(self, N: int) -> int:
        """``round(N/r)`` (half up, exact for rational ``r``)."""
        if self.r_exact is not None:
            q = Fraction(N) / self.r_exact
            return int(math.floor(q + Fraction(1, 2)))
        return int(mpmath.floor(N / self.r + mpmath.mpf(1) / 2))

    def schedule(self, N: int) -> Schedule:
        """The integer schedule the limit prescribes at ``N`` tokens, ``K = round(N/r)`` steps.

        Each piece gets the tokens ``round(N u_start) .. round(N u_end)``; the ``K`` steps are
        apportioned to pieces in proportion to ``N ∫_piece ℓ(m)`` (largest remainders, at most one
        step per token, one step for a piece where ``f = 0``); a piece's tokens are split as evenly as
        possible among its steps (sizes ``⌊T/b⌋``, ``⌈T/b⌉``), or at the quantiles of ``√f`` on a tail
        piece.  A piece that receives no step (fewer tokens than one block) joins the next piece's
        first block (the last piece's: the previous one).  Exactly ``K`` positive sizes summing to ``N``.
        """
        if isinstance(N, bool) or not isinstance(N, int) or N < 1:
            raise SymschedError(f"N must be a positive integer, got {N!r}")
        K = self.K_for(N)
        if not 1 <= K <= N:
            raise SymschedError(f"schedule: N = {N} at ratio r = {mpmath.nstr(self.r, 8)} gives K = {K} steps; "
                                "need 1 <= K <= N")
        with mpmath.workdps(max(20, int(math.log10(N)) + 15)):
            bounds = [0] + [int(mpmath.floor(N * b + mpmath.mpf(1) / 2)) for (_, b, _) in self.pieces]
            bounds[-1] = N
            for i in range(1, len(bounds)):
                bounds[i] = max(bounds[i], bounds[i - 1])
            T = [bounds[i + 1] - bounds[i] for i in range(len(self.pieces))]
            ideal = []
            for (_a, _b, m), e, t in zip(self.pieces, self.step_masses, T):
                if t == 0:
                    ideal.append(mpmath.mpf(0))
                elif m == mpmath.inf and e == 0:
                    ideal.append(mpmath.mpf(1))
                elif m is None or m == mpmath.inf:
                    ideal.append(N * e)
                else:
                    ideal.append(mpmath.mpf(t) / m)
            total = mpmath.fsum(ideal)
            q = [x * K / total for x in ideal] if total > 0 else [mpmath.mpf(t) * K / N for t in T]
            b = [min(t, int(mpmath.floor(x))) for x, t in zip(q, T)]
            rem = K - sum(b)
            while rem > 0:
                order = sorted((i for i in range(len(b)) if b[i] < T[i]), key=lambda i: (-(q[i] - b[i]), i))
                for i in order[:rem]:
                    b[i] += 1
                rem = K - sum(b)
        sizes_per_piece = []
        for i, ((_a, _bb, m), t, nb) in enumerate(zip(self.pieces, T, b)):
            if nb == 0:
                sizes_per_piece.append([])
                continue
            if m is None:
                sizes_per_piece.append(self._tail_sizes(bounds[i], bounds[i + 1], nb, N))
            else:
                sizes_per_piece.append([(j + 1) * t // nb - j * t // nb for j in range(nb)])
        # tokens of pieces without steps join the next piece's first block (else the previous one's last)
        for i, (t, nb) in enumerate(zip(T, b)):
            if t and not nb:
                nxt = next((j for j in range(i + 1, len(b)) if b[j]), None)
                if nxt is not None:
                    sizes_per_piece[nxt][0] += t
                else:
                    prv = max(j for j in range(i) if b[j])
                    sizes_per_piece[prv][-1] += t
        sizes = [k for ks in sizes_per_piece for k in ks]
        if len(sizes) != K or sum(sizes) != N or min(sizes) < 1:  # pragma: no cover - invariant
            raise AssertionError(f"quantized schedule invariant broken: K={K}, sizes={sizes}")
        return Schedule(sizes, name=f"quantized L(r), r={mpmath.nstr(self.r, 6)}")

    def _tail_sizes(self, s0: int, s1: int, nb: int, N: int) -> list:
        lim = self.limit
        work = max(15, int(math.log10(N)) + 12)
        g0, g1 = lim.cdf_value(mpmath.mpf(s0) / N, work), lim.cdf_value(mpmath.mpf(s1) / N, work)
        raw = [s0] + [int(mpmath.floor(N * lim.inverse_cdf_value(g0 + (g1 - g0) * j / nb, work) + mpmath.mpf(1) / 2))
                      for j in range(1, nb)] + [s1]
        rel = repair_breakpoints([x - s0 for x in raw], s1 - s0)
        return [y - x for x, y in zip(rel, rel[1:])]

    def latex(self) -> str:
        """``L(r)`` with the optimal block-size map as cases (numbers to 6 digits)."""
        def n(x):
            return latex_number(x, 6)
        rows = []
        shown = self.pieces if len(self.pieces) <= 12 else self.pieces[:6] + [None] + self.pieces[-5:]
        for p in shown:
            if p is None:
                rows.append(r"\vdots & ")
                continue
            a, b, m = p
            lab = r"\infty" if m == mpmath.inf else (r"\sqrt{c/f(u)}" if m is None else str(m))
            rows.append(rf"{lab} & {n(a)} \le u < {n(b)}")
        cases = r"m(u) = \begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"
        return latex_fit([rf"L({n(self.r)}) = {n(self.L)}", rf"c = {n(self.c)}", cases,
                          rf"r\,\tfrac12\Big(\int_0^1\sqrt{{f}}\Big)^2 - \tfrac12\Delta = {n(self.smooth_value)}"])

    def __str__(self) -> str:
        ms = [("inf" if m == mpmath.inf else "smooth" if m is None else m) for _, _, m in self.pieces]
        return (f"QuantizedLimit(r={mpmath.nstr(self.r, 8)}, L={mpmath.nstr(self.L, 12)}, "
                f"c={mpmath.nstr(self.c, 8)}, sizes={ms if len(ms) <= 20 else ms[:10] + ['...']}, "
                f"smooth_value={mpmath.nstr(self.smooth_value, 8)})")


def _merge_mixed(lo: list, hi: list, theta: mpmath.mpf, sliver: mpmath.mpf) -> list:
    """Pieces mixing ``lo`` (share ``1−θ``) and ``hi`` (share ``θ``) wherever their sizes differ."""
    pts = sorted(set([p[0] for p in lo] + [p[1] for p in lo] + [p[0] for p in hi] + [p[1] for p in hi]))

    def label(ps, x):
        for a, b, m in ps:
            if a <= x < b:
                return m
        return ps[-1][2]
    out = []
    for a, b in zip(pts, pts[1:]):
        mid = (a + b) / 2
        ml, mh = label(lo, mid), label(hi, mid)
        if ml == mh:
            out.append((a, b, ml))
        else:
            x = a + (1 - theta) * (b - a)
            out.append((a, x, ml))
            out.append((x, b, mh))
    return _clean(out, sliver)


def _clean(pieces: list, sliver: mpmath.mpf) -> list:
    """Drop pieces narrower than ``sliver`` (left over where the two sides' breakpoints differ by
    rounding) by widening their right neighbour, then coalesce equal neighbours."""
    kept = [p for p in pieces if p[1] - p[0] > sliver]
    if not kept:
        return pieces[:1]
    fixed = []
    start = pieces[0][0]
    for _a, b, m in kept:
        fixed.append((start, b, m))
        start = b
    fixed[-1] = (fixed[-1][0], pieces[-1][1], fixed[-1][2])
    merged = []
    for a, b, m in fixed:
        if merged and merged[-1][2] == m:
            merged[-1] = (merged[-1][0], b, m)
        else:
            merged.append((a, b, m))
    return merged


def quantized_limit(lim, r: Any, dps: int = 30, max_block: int = 256) -> QuantizedLimit:
    r"""``L(r)`` for a :class:`~symsched.continuum.limit.RiemannLimit` (see the module docstring).

    Parameters
    ----------
    lim : RiemannLimit
    r : number
        ``N/K >= 1`` (int, Fraction, sympy Rational, float or a string like ``"5/2"``).
    dps : int
        Decimal digits of ``L`` and ``c``.
    max_block : int
        Largest block size resolved exactly; larger sizes use the smooth rule (tail).
    """
    if not hasattr(lim, "_require_numeric") or not hasattr(lim, "is_independent"):
        raise SymschedError(f"lim: expected a RiemannLimit (from riemann_limit), got {type(lim).__name__} {lim!r}")
    dps = checks.dps_arg(dps)
    lim._require_numeric("quantized")
    r_exact = _as_fraction(r)
    if r_exact is None:
        try:
            rv = r if isinstance(r, mpmath.mpf) else \
                mpmath.mpf(sp.N(as_expression(r, (), "r"), dps + _GUARD))
        except (SymschedError, TypeError) as exc:
            raise SymschedError(f"r: expected a number N/K >= 1, got {r!r}") from exc
        if not mpmath.isfinite(rv):
            raise SymschedError(f"r: expected a finite number N/K >= 1, got {r!r}")
    if isinstance(max_block, bool) or not isinstance(max_block, int) or max_block < 2:
        raise SymschedError(f"max_block must be an integer >= 2, got {max_block!r}")
    checks.positive_int(max_block, "max_block", 100_000, "block sizes resolved exactly")
    wd = dps + _GUARD
    with mpmath.workdps(wd):
        r_mp = (mpmath.mpf(r_exact.numerator) / r_exact.denominator) if r_exact is not None else mpmath.mpf(rv)
        if not r_mp >= 1:
            raise SymschedError(f"r = N/K must be >= 1 (every step reveals at least one token), got {r!r}")
        target = 1 / r_mp
        prob = _Problem(lim, wd, max_block)
        zero = mpmath.mpf(0)

        def evaluate(c):
            ps = prob.pieces(c)
            lam, cost, tail, masses = prob.ell_cost(ps, c)
            return ps, lam, cost, tail, masses

        ps0, lam0, cost0, tail0, m0 = evaluate(zero)
        mixed = False
        if lim.is_independent or lam0 <= target:
            # c = 0 already meets the budget: size 1 wherever f > 0 costs nothing; on {f = 0} any
            # mix of sizes is free, so spread the remaining steps there (their cost is 0).
            ps, cost, tail, c = ps0, cost0, tail0, zero
            free = mpmath.fsum(b - a for a, b, m in ps if m == mpmath.inf)
            masses = list(m0)
            if free > 0:
                per = (target - lam0) / free
                masses = [((b - a) * per if m == mpmath.inf else e) for (a, b, m), e in zip(ps, m0)]
            L = cost
        else:
            lo, lam_lo = zero, lam0
            hi = mpmath.mpf(1)
            ev_lo = (ps0, lam0, cost0, tail0, m0)
            while True:
                ev_hi = evaluate(hi)
                if ev_hi[1] <= target:
                    break
                lo, ev_lo = hi, ev_hi
                hi *= 4
                if hi > mpmath.mpf(10) ** 60:
                    raise SymschedError(f"quantized: could not bracket the multiplier for r = {r!r}")
            # Illinois on F(c) = ∫ℓ − 1/r (decreasing), bisection-safeguarded; detects jumps.
            F_lo, F_hi = ev_lo[1] - target, ev_hi[1] - target
            tol_F = mpmath.mpf(10) ** (-wd + 2)
            side = 0
            ev = None
            for it in range(2000):
                if abs(F_hi) <= tol_F:
                    ev = ev_hi
                    break
                if abs(F_lo) <= tol_F and lo > 0:
                    ev = ev_lo
                    break
                if hi - lo <= hi * mpmath.mpf(10) ** (-wd + 2):
                    break
                x = _illinois_point(lo, hi, F_lo, F_hi, it)
                evx = evaluate(x)
                Fx = evx[1] - target
                if Fx > 0:
                    lo, ev_lo, F_lo = x, evx, Fx
                    if side == -1:
                        F_hi /= 2
                    side = -1
                else:
                    hi, ev_hi, F_hi = x, evx, Fx
                    if side == 1:
                        F_lo /= 2
                    side = 1
            if ev is not None:
                ps, lam, cost, tail, masses = ev
                c, L = (hi if ev is ev_hi else lo), cost
            else:
                # jump of ∫ℓ at c: the vertex case, mix the two sides linearly
                lam_lo, lam_hi = ev_lo[1], ev_hi[1]
                theta = (lam_lo - target) / (lam_lo - lam_hi)
                mixed = True
                c = (lo + hi) / 2
                L = ev_lo[2] + theta * (ev_hi[2] - ev_lo[2])
                ps = _merge_mixed(ev_lo[0], ev_hi[0], theta, mpmath.mpf(10) ** (-dps))
                lam, _cost, tail, masses = prob.ell_cost(ps, c)
        M = max_block
        tail_err = tail * c / (M * (M + 1)) if tail > 0 else mpmath.mpf(0)
    with mpmath.workdps(dps):
        out = QuantizedLimit(lim, r_exact=r_exact, r=+r_mp, c=+c, L=+L, pieces=ps, masses=masses, mixed=mixed,
                             tail=+tail, tail_err=+tail_err, dps=dps, max_block=max_block)
    return out
