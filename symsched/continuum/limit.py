r"""The continuum (Riemann) limit of the expected KL: optimal density, quantile schedule, constants.

Derived in symsched, following Lavenant & Zanella (2025), whose statements could only be read in
summary (docs/references.md); every formula below is re-derived here and checked numerically in the tests.

Setting
-------
An information profile ``h_j ≈ φ(j/N)`` with ``φ`` non-increasing on ``[0, 1]``, ``f = −φ'``,
``Δ = φ(0) − φ(1) = ∫_0^1 f``.

* One block starting at ``a`` with size ``k`` costs ``w = Σ_{j=a}^{a+k−1} (h_a − h_j)``; with
  ``h_a − h_j ≈ f(a/N)(j − a)/N`` this is ``w ≈ f(a/N) k(k − 1)/(2N)``.
* A schedule with relative block-size density ``κ`` (size ``≈ (N/K) κ(u)``, ``∫_0^1 du/κ = 1``) has
  ``K du/κ(u)`` blocks in ``du``, so ``E KL ≈ ∫ (K/κ) f (N/K)κ((N/K)κ − 1)/(2N) du
  = (N/K)·½∫ f κ − ½Δ``.
* Constant schedule (``κ ≡ 1``): ``½Δ(N/K − 1)`` (exact when ``φ`` is linear and ``K | N``).
* Optimal density: minimise ``∫ f κ`` subject to ``∫ 1/κ = 1``.  Cauchy–Schwarz,
  ``(∫√f)² = (∫ √(fκ)·κ^{−1/2})² ≤ ∫ fκ · ∫ 1/κ``, with equality iff ``fκ ∝ 1/κ``:
  ``κ* = (∫_0^1 √f) / √f``, leading constant ``½(∫√f)²``, gain ``(∫√f)²/∫f = (∫√f)²/Δ ≤ 1``
  (equality iff ``f`` is constant).
* Breakpoints: the block starting at ``u`` covers ``κ*(u)/K`` of ``[0, 1]``, so the ``t``-th breakpoint
  is the ``t/K`` quantile of the density ``1/κ* = √f/∫√f``:
  ``s_t/N = G^{−1}(t/K)``, ``G(u) = ∫_0^u √f / ∫_0^1 √f``.

Exact by default: sympy integrates ``√f`` and inverts ``G`` where it can (each attempt is bounded by
``symbolic_timeout`` seconds); otherwise mpmath at ``dps`` digits is used, and
:attr:`RiemannLimit.methods` says which quantity came from which.  The quantized limit at a fixed
ratio ``r = N/K`` is in :mod:`symsched.continuum.quantized`.

Examples
--------
>>> import sympy as sp
>>> import symsched as ss
>>> u = sp.Symbol("u")
>>> lim = ss.riemann_limit(1 / (1 + 3 * u), u)
>>> lim.sqrt_f_integral
2*sqrt(3)*log(2)/3
>>> lim.inverse_cdf
4**y/3 - 1/3
>>> lim.breakpoints(3)
(0, -1/3 + 2**(2/3)/3, -1/3 + 2*2**(1/3)/3, 1)
>>> lim.breakpoints(3, N=30)
(0, 6, 15, 30)
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cached_property
from typing import Any
from collections.abc import Callable, Iterable, Mapping

import mpmath
import sympy as sp

from ..arithmetic import positive_form
from ..errors import SymbolicValueError, SymschedError
from ..results import Result
from ..schedules.schedule import Schedule, repair_breakpoints
from ..parsing import as_expression
from . import checks, symbolic
from .quantiles import QuantileEngine
from .quantized import quantized_limit
from .rounding import _round_half_up

__all__ = ["RiemannLimit", "riemann_limit", "DEFAULT_CONTINUUM_DPS"]

DEFAULT_CONTINUUM_DPS = 30
#: Guard digits used inside numeric computations.
_GUARD = 10


# short local names for the guarded symbolic helpers
_try_sympy = symbolic.try_sympy
_mp_value = symbolic.mp_value


def _fmt_latex(x: Any) -> str:
    if isinstance(x, sp.Float):
        return sp.latex(sp.Float(x, 15))
    if isinstance(x, sp.Basic):
        return sp.latex(x)
    if isinstance(x, mpmath.mpf):
        return sp.latex(sp.Float(x, 15))
    return str(x)


def _check_NK(N: Any, K: Any) -> tuple:
    N = checks.positive_int(N, "N")
    K = checks.positive_int(K, "K", checks.MAX_POINTS, "breakpoints")
    if K > N:
        raise SymschedError(f"K = {K} steps cannot exceed N = {N} tokens (every step reveals at least one)")
    return N, K


class RiemannLimit(Result):
    r"""The continuum limit of ``E KL`` for a limit profile ``φ`` (see the module docstring).

    Build it with :func:`riemann_limit`.  Exact sympy expressions where sympy can compute them,
    mpmath numbers at ``dps`` digits (returned as ``sympy.Float``) otherwise; :attr:`methods` says
    which.

    Attributes
    ----------
    phi, u : sympy
        The profile and its variable (parameters substituted).
    f : sympy expression
        ``−φ'(u)``.
    delta : sympy expression
        ``φ(0) − φ(1) = ∫_0^1 f``.
    density : sympy expression
        ``κ*(u) = ∫_0^1√f / √f(u)`` (``∫_0^1 du/κ* = 1``).
    sqrt_f_integral : sympy expression
        ``∫_0^1 √f``.
    cdf : sympy expression or None
        ``G(u) = ∫_0^u √f / ∫_0^1 √f`` in closed form (None when sympy cannot; :meth:`cdf_value`
        evaluates it numerically in every case).
    inverse_cdf : sympy expression in ``y`` or None
        ``G^{−1}(y)`` in closed form, with the branch checked to map ``[0, 1]`` onto ``[0, 1]``.
    leading_constant, constant_leading_constant, gain
        ``½(∫√f)²``, ``½Δ`` and ``(∫√f)²/∫f``.
    is_independent : bool
        ``f ≡ 0`` (independent tokens: every schedule has zero leading error).
    notes : list of str
        What was assumed or fell back (e.g. unchecked monotonicity with symbolic parameters).
    """

    _headline = "leading_constant"  # float(lim) is ½(∫√f)² (the result protocol, symsched.results)
    _fields = ("phi", "u", "f", "delta", "sqrt_f_integral", "leading_constant", "constant_leading_constant", "gain",
               "is_independent", "notes")
    _repr_fields = ("phi", "leading_constant", "constant_leading_constant", "gain")

    def __init__(self, phi: sp.Expr, u: sp.Symbol, *, dps: int = DEFAULT_CONTINUUM_DPS,
                 symbolic_timeout: float | None = 10.0, numeric: Callable | None = None,
                 allow_symbols: bool = False):
        self.phi = phi
        self.u = u
        self.dps = int(dps)
        self.symbolic_timeout = symbolic_timeout
        self.parameters = sorted(phi.free_symbols - {u}, key=str)
        self.allow_symbols = allow_symbols
        self.notes: list = []
        self.methods: dict = {}
        self._extra_lines: list = []
        self._numeric_user = numeric
        # series / integral profiles: sympy cannot integrate them in closed form, go numeric at once
        self._nonelementary = phi.has(sp.Sum, sp.Integral, sp.Limit)
        # A positive stand-in for u lets sympy simplify sqrt((1 + 3u)^-2) etc. (u > 0 on (0, 1]).
        self._x = sp.Dummy("x", positive=True)
        self.f = self._simplify(-sp.diff(phi, u))
        self._fx = self.f.subs(u, self._x)
        self.phi0 = self._value_at(phi, 0)
        self.phi1 = self._value_at(phi, 1)
        self.delta = self._simplify(self.phi0 - self.phi1)
        self._sqrt_fx = sp.sqrt(sp.factor(self._fx)) if not self._fx.has(sp.Sum, sp.Integral) else sp.sqrt(self._fx)
        if not self.parameters:
            self._check_continuous()
            self._check_monotone()
        else:
            self.notes.append("phi has symbolic parameters " + ", ".join(map(str, self.parameters))
                              + ": monotonicity (f >= 0) is assumed, not checked")
        self.is_independent = self._detect_independent()
        if self.is_independent:
            self.notes.append("f = -phi' vanishes identically (independent tokens): every schedule has zero "
                              "leading error, the optimal density is undefined and breakpoints fall back "
                              "to the constant schedule")
        self._freeze()

    # -- construction helpers -----------------------------------------------------------------
    def _simplify(self, e: sp.Expr) -> sp.Expr:
        if e.has(sp.Sum, sp.Integral) or sp.count_ops(e) > 200:
            return e
        out = _try_sympy(lambda: sp.simplify(e), self.symbolic_timeout)
        return e if out is None else positive_form(out)

    def _value_at(self, e: sp.Expr, point: int) -> sp.Expr:
        v = _try_sympy(lambda: e.subs(self.u, point), self.symbolic_timeout)
        if v is not None and v.has(sp.Sum) and not v.has(sp.oo):
            done = _try_sympy(lambda: v.doit(), self.symbolic_timeout)
            v = done if done is not None else v
        if v is not None and self._finite(v):
            symbolic.real_value(v, f"phi({point})")
            return v
        lim = _try_sympy(lambda: sp.limit(e, self.u, point, "+" if point == 0 else "-"), self.symbolic_timeout)
        if lim is None or not self._finite(lim):
            raise SymschedError(f"phi: no finite value at u = {point} (got {v if lim is None else lim}); "
                                "phi must be bounded on [0, 1]")
        symbolic.real_value(lim, f"phi({point})")
        return lim

    def _finite(self, v: sp.Expr) -> bool:
        if v.has(sp.zoo, sp.nan) or v in (sp.oo, -sp.oo) or v.is_finite is False or v.has(sp.Limit):
            return False
        if v.free_symbols:  # symbolic parameters: finite unless sympy says otherwise
            return True
        try:
            n = sp.N(v, 15)
        except (TypeError, ValueError, ZeroDivisionError):
            return False
        return bool(n.is_number and n.is_finite is not False and n not in (sp.oo, -sp.oo, sp.zoo, sp.nan))

    def _require_numeric(self, what: str) -> None:
        if self.parameters:
            raise SymbolicValueError(
                f"{what}: phi has unresolved symbols {[str(s) for s in self.parameters]}; pass "
                "riemann_limit(phi, u, params={...}) to evaluate numerically")

    @cached_property
    def _phi_num(self) -> Callable:
        return self._numeric_fn(self.phi, 0)

    @cached_property
    def _f_num(self) -> Callable:
        return self._numeric_fn(self.f, 1)

    def _numeric_fn(self, expr: sp.Expr, order: int) -> Callable:
        """mpmath function of ``x`` at the current precision for ``(−1)^{order>0} φ^{(order)}``."""
        if self._numeric_user is not None:
            sign = -1 if order else 1
            return lambda x, n=order, s=sign: s * mpmath.mpf(self._numeric_user(mpmath.mpf(x), n))
        self._require_numeric("numeric evaluation")
        if expr.has(sp.Sum, sp.Integral):
            u = self.u
            return lambda x, e=expr: mpmath.mpf(sp.N(e.subs(u, sp.Float(x, mpmath.mp.dps)), mpmath.mp.dps))
        fn = sp.lambdify(self.u, expr, modules="mpmath")

        def call(x, fn=fn):
            x = mpmath.mpf(x)
            try:
                v = fn(x)
            except (ZeroDivisionError, ValueError, OverflowError):
                v = mpmath.nan
            if not isinstance(v, mpmath.mpf):
                try:
                    v = mpmath.mpf(v)
                except TypeError:  # complex from a branch cut: use the real part only if it is real
                    v = mpmath.mpc(v)
                    v = v.real if abs(v.imag) <= mpmath.eps * (1 + abs(v.real)) else mpmath.nan
            if mpmath.isnan(v) or mpmath.isinf(v):
                # end point singularity: approach it from inside
                eps = mpmath.mpf(10) ** (-mpmath.mp.dps)
                if x <= 0 or x >= 1:
                    try:
                        v2 = mpmath.mpf(fn(x + eps if x <= 0 else x - eps))
                    except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                        v2 = mpmath.inf
                    return v2
            return v
        return call

    def _phi_at(self, x: mpmath.mpf) -> mpmath.mpf:
        """φ(x) numerically, using the exact end values at 0 and 1."""
        if x == 0:
            return _mp_value(self.phi0, mpmath.mp.dps)
        if x == 1:
            return _mp_value(self.phi1, mpmath.mp.dps)
        return self._phi_num(x)

    def _grid_f(self, n: int = 400) -> list:
        with mpmath.workdps(20):
            return [(mpmath.mpf(2 * i + 1) / (2 * n), self._f_num(mpmath.mpf(2 * i + 1) / (2 * n)))
                    for i in range(n)]

    @cached_property
    def _kinks(self) -> tuple:
        """Points of (0, 1) where a Piecewise / Min / Max / Abs in ``φ`` or ``f`` switches branch, sorted.

        ``f`` may jump there, so every quadrature of ``√f`` is split at these points (an integrand
        with a jump inside one quadrature interval loses all but a few digits).
        """
        pts = set()
        for e in (self.phi, self.f):
            if e.has(sp.Min, sp.Max, sp.Abs, sp.Heaviside, sp.sign):
                e = _try_sympy(lambda e=e: e.rewrite(sp.Piecewise), self.symbolic_timeout) or e
            for pw in e.atoms(sp.Piecewise):
                for _, cond in pw.args:
                    for rel in cond.atoms(sp.core.relational.Relational):
                        if self.u not in rel.free_symbols:
                            continue
                        roots = _try_sympy(lambda rel=rel: sp.solveset(sp.Eq(rel.lhs, rel.rhs), self.u,
                                                                        sp.Interval.open(0, 1)),
                                           self.symbolic_timeout)
                        if not isinstance(roots, sp.FiniteSet):
                            raise SymschedError(
                                f"phi: cannot locate where the condition {rel} of a Piecewise switches in (0, 1); "
                                "write the conditions as u < c with numbers c")
                        pts.update(r for r in roots if r.is_number)
        return tuple(sorted(pts, key=lambda p: sp.N(p, 30)))

    def _check_continuous(self) -> None:
        """A Piecewise ``φ`` must not jump where its conditions switch (a jump is an atom)."""
        if not self.phi.has(sp.Piecewise, sp.Min, sp.Max, sp.Abs, sp.Heaviside, sp.sign):
            return
        pts = self._kinks
        with mpmath.workdps(40):
            eps = mpmath.mpf(10) ** -30
            for p in sorted(pts):
                x = _mp_value(p, 40)
                left, right = self._phi_num(x - eps), self._phi_num(x + eps)
                if abs(left - right) > mpmath.mpf(10) ** -20 * (1 + abs(left)):
                    raise SymschedError(
                        f"phi is discontinuous at u = {p} (jump {mpmath.nstr(left - right, 6)}): a jump of the "
                        "profile is an atom, which the Riemann limit does not describe; give a continuous phi")

    def _check_monotone(self) -> None:
        """Finite, real and non-increasing on [0, 1] (see :func:`symbolic.check_phi`)."""
        self.methods["monotonicity"] = symbolic.check_phi(
            self.phi, self.u, self._phi_num, self._f_num, timeout=self.symbolic_timeout,
            symbolic=self._numeric_user is None and not self._nonelementary)

    def _detect_independent(self) -> bool:
        if self.f == 0 or _try_sympy(lambda: sp.simplify(self.f) == 0, self.symbolic_timeout) is True:
            return True
        if self.parameters:
            return False
        d = _mp_value(self.delta, 30)
        if d != 0:
            return False
        # Δ = ∫ f = 0 with f >= 0 means f = 0 almost everywhere; confirm on the grid.
        return all(abs(v) < mpmath.mpf(10) ** -20 for _, v in self._grid_f(50) if mpmath.isfinite(v))

    # -- exact / numeric quantities -----------------------------------------------------------
    def _float(self, v: mpmath.mpf) -> sp.Float:
        return sp.Float(v, self.dps)

    @cached_property
    def _engine(self) -> QuantileEngine:
        """The quantiles of ``√f`` (one engine for ``∫√f``, ``G`` and ``G^{−1}``)."""
        return QuantileEngine(lambda x: mpmath.sqrt(max(self._f_num(x), 0)), self._kink_values)

    def _quad_sqrt_f(self, a: Any, b: Any) -> mpmath.mpf:
        """``∫_a^b √f`` at the current precision (split where ``f`` may jump)."""
        return self._engine.integral(a, b)

    def _kink_values(self) -> list:
        return [_mp_value(k, mpmath.mp.dps) for k in self._kinks]

    @cached_property
    def sqrt_f_integral(self) -> sp.Expr:
        """``∫_0^1 √f du`` (exact where sympy integrates, else mpmath at ``dps``)."""
        if self.is_independent:
            self.methods["sqrt_f_integral"] = "exact (f = 0)"
            return sp.Integer(0)
        x = self._x
        val = None if self._nonelementary else \
            _try_sympy(lambda: sp.integrate(self._sqrt_fx, (x, 0, 1)), self.symbolic_timeout)
        if val is not None and not val.has(sp.Piecewise):
            self.methods["sqrt_f_integral"] = "exact (sympy)"
            return self._simplify(sp.expand_log(val, force=True))
        self._require_numeric("sqrt_f_integral")
        v = self._S_num(self.dps)
        self.methods["sqrt_f_integral"] = f"numeric (mpmath quad, dps={self.dps})"
        return self._float(v)

    @cached_property
    def density(self) -> sp.Expr:
        """Optimal relative block size ``κ*(u) = ∫_0^1√f / √f(u)`` (``∫ du/κ* = 1``)."""
        if self.is_independent:
            return sp.Integer(1)
        return self._simplify((self.sqrt_f_integral / self._sqrt_fx).subs(self._x, self.u))

    @cached_property
    def leading_constant(self) -> sp.Expr:
        """``½(∫_0^1 √f)²``: ``(K/N)·E KL`` of the optimal schedule as ``N/K → ∞`` (then ``K → ∞``)."""
        return self._simplify(self.sqrt_f_integral ** 2 / 2)

    @cached_property
    def constant_leading_constant(self) -> sp.Expr:
        """``½Δ``: the constant schedule's coefficient of ``N/K`` (its ``E KL ≈ ½Δ(N/K − 1)``)."""
        return self._simplify(self.delta / 2)

    @cached_property
    def gain(self) -> sp.Expr:
        """``(∫√f)² / ∫f`` (``∫f = Δ``): optimal over constant leading constant, ``≤ 1``.

        Equal to 1 iff ``f`` is constant; defined as 1 when ``f ≡ 0`` (nothing to gain).
        """
        if self.is_independent:
            return sp.Integer(1)
        S = self.sqrt_f_integral
        if isinstance(S, sp.Float) and not self.parameters:
            return self._float(_mp_value(S, self.dps + _GUARD) ** 2 / _mp_value(self.delta, self.dps + _GUARD))
        return self._simplify(S ** 2 / self.delta)

    @cached_property
    def _cdf_x(self) -> sp.Expr | None:
        if self.is_independent:
            return None
        t = sp.Dummy("t", positive=True)
        val = None if self._nonelementary else \
            _try_sympy(lambda: sp.integrate(self._sqrt_fx, (self._x, 0, t)), self.symbolic_timeout)
        if val is None or val.has(sp.Piecewise):
            self.methods["cdf"] = "numeric (mpmath quad)"
            return None
        self.methods["cdf"] = "exact (sympy)"
        return self._simplify(val / self.sqrt_f_integral).subs(t, self._x)

    @property
    def cdf(self) -> sp.Expr | None:
        """``G(u) = ∫_0^u √f / ∫_0^1 √f`` in closed form, or None (then use :meth:`cdf_value`)."""
        g = self._cdf_x
        return None if g is None else g.subs(self._x, self.u)

    @cached_property
    def _y(self) -> sp.Symbol:
        return sp.Symbol("y", positive=True)

    @cached_property
    def inverse_cdf(self) -> sp.Expr | None:
        """``G^{−1}(y)`` in closed form (sympy ``solve``, branch checked numerically), or None."""
        g = self._cdf_x
        if self.is_independent:
            self.methods["inverse_cdf"] = "exact (f = 0: constant schedule)"
            return None
        if g is None or self.parameters:
            if g is not None:
                self.notes.append("G^{-1}: not attempted with symbolic parameters (branch cannot be checked)")
            self.methods["inverse_cdf"] = "numeric (Newton on G)" if not self.parameters else "unavailable"
            return None
        y = self._y
        sols = _try_sympy(lambda: sp.solve(sp.Eq(g, y), self._x), self.symbolic_timeout)
        good = []
        for s in sols or []:
            if s.has(sp.I):
                s = self._realify(s)
            if self._branch_ok(s, g):
                good.append(s)
        if not good:
            self.methods["inverse_cdf"] = "numeric (Newton on G)"
            return None
        self.methods["inverse_cdf"] = "exact (sympy solve, branch checked)"
        return self._simplify(good[0])

    def _realify(self, s: sp.Expr) -> sp.Expr:
        """Rewrite a real branch that sympy wrote with complex cube roots of unity (y in (0, 1))."""
        y, z = self._y, sp.Dummy("z", positive=True)
        for fwd, back in (({}, {}), ({y: 1 - z}, {z: 1 - y})):
            e = _try_sympy(lambda: sp.simplify(sp.expand_complex(sp.factor(s.subs(fwd)))), self.symbolic_timeout)
            if e is not None and not e.has(sp.I):
                return e.subs(back)
        return s

    def _branch_ok(self, s: sp.Expr, g: sp.Expr) -> bool:
        y = self._y
        if s.free_symbols - {y}:
            return False
        try:
            with mpmath.workdps(30):
                for yv in ("0.013", "0.25", "0.5", "0.75", "0.987"):
                    xv = sp.N(s.subs(y, sp.Rational(yv)), 30)
                    re, im = xv.as_real_imag()
                    if abs(im) > 1e-25:
                        return False
                    xv = re
                    if not (-1e-25 <= float(xv) <= 1 + 1e-25):
                        return False
                    back = self.cdf_value(mpmath.mpf(xv))
                    if abs(back - mpmath.mpf(yv)) > mpmath.mpf(10) ** -20:
                        return False
        except (TypeError, ValueError, ZeroDivisionError):
            return False
        return True

    # -- numeric G and its inverse ------------------------------------------------------------
    def cdf_value(self, x: Any, dps: int | None = None) -> mpmath.mpf:
        """``G(x)`` as an mpmath number (quadrature of ``√f``, cached and accurate to ``dps`` digits)."""
        self._require_numeric("cdf_value")
        if self.is_independent:
            return mpmath.mpf(x)
        dps = self.dps if dps is None else checks.dps_arg(dps)
        with mpmath.workdps(dps + _GUARD):
            return self._engine.cdf(_mp_value(x, dps + _GUARD), dps)

    def _S_num(self, dps: int) -> mpmath.mpf:
        return self._engine.total(dps)

    def inverse_cdf_value(self, y: Any, dps: int | None = None) -> mpmath.mpf:
        """``G^{−1}(y)`` numerically: closed form when available, else safeguarded Newton on ``G``."""
        self._require_numeric("inverse_cdf_value")
        dps = self.dps if dps is None else checks.dps_arg(dps)
        with mpmath.workdps(dps + _GUARD):
            y = _mp_value(y, dps + _GUARD)
            if not 0 <= y <= 1:
                raise SymschedError(f"inverse_cdf_value: y = {y} must lie in [0, 1]")
            if self.is_independent:
                return y
            if y == 0 or y == 1:
                return y
            inv = self.inverse_cdf
            if inv is not None:
                v = self._inverse_num(y)
                if mpmath.isfinite(v):
                    return v
                return mpmath.mpf(sp.N(inv.subs(self._y, sp.Float(y, dps + _GUARD)), dps + _GUARD))
            return self._newton_inverse(y, dps)

    def _inverse_num(self, y: mpmath.mpf) -> mpmath.mpf:
        """The closed-form ``G^{−1}`` evaluated in mpmath (real part; branch already checked)."""
        fn = self.__dict__.get("_inverse_lambda")
        if fn is None:
            fn = self.__dict__["_inverse_lambda"] = sp.lambdify(self._y, self.inverse_cdf, modules="mpmath")
        try:
            v = fn(y)
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            return mpmath.nan
        if isinstance(v, mpmath.mpc):
            return v.real if abs(v.imag) <= mpmath.eps * 100 * (1 + abs(v.real)) else mpmath.nan
        return mpmath.mpf(v)

    def _newton_inverse(self, y: mpmath.mpf, dps: int) -> mpmath.mpf:
        """``G^{−1}(y)`` by the quantile engine (safeguarded Newton on ``G``)."""
        return self._engine.inverse(y, dps)

    # -- schedules ----------------------------------------------------------------------------
    def breakpoints(self, K: int, N: int | None = None, dps: int | None = None) -> tuple:
        """Optimal breakpoints ``G^{−1}(t/K)``, ``t = 0..K``; with ``N`` the integer schedule's ``s_t``.

        Without ``N``: exact sympy values when ``G^{−1}`` has a closed form, else ``sympy.Float`` at
        ``dps`` digits.  With ``N``: ``s_t = round(N G^{−1}(t/K))`` (half up), repaired by
        :func:`repair_breakpoints` into ``0 = s_0 < ... < s_K = N`` (requires ``K <= N``).  For
        independent tokens (``f ≡ 0``) the constant schedule's fractions ``t/K`` are returned.
        """
        if N is not None:
            N, K = _check_NK(N, K)
        else:
            K = checks.positive_int(K, "K", checks.MAX_POINTS, "breakpoints")
        dps = self.dps if dps is None else checks.dps_arg(dps)
        if self.is_independent:
            fr = tuple(sp.Rational(t, K) for t in range(K + 1))
        elif self.inverse_cdf is not None and N is None:
            fr = tuple(sp.Integer(0) if t == 0 else sp.Integer(1) if t == K else
                       self.inverse_cdf.subs(self._y, sp.Rational(t, K)) for t in range(K + 1))
        else:
            self._require_numeric("breakpoints")
            work = dps if N is None else max(15, int(math.log10(N)) + 12)
            fr = tuple(self.inverse_cdf_value(Fraction(t, K), work) for t in range(K + 1))
            if N is None:
                return tuple(sp.Integer(0) if t == 0 else sp.Integer(1) if t == K else self._float(v)
                             for t, v in enumerate(fr))
        if N is None:
            return fr
        with mpmath.workdps(max(20, int(math.log10(N)) + 15)):
            raw = [_round_half_up(N * _mp_value(v, mpmath.mp.dps)) for v in fr]
        return repair_breakpoints(raw, N)

    def schedule(self, N: int, K: int) -> Schedule:
        """The integer quantile schedule: exactly ``K`` positive sizes summing to ``N``.

        >>> import sympy as sp, symsched as ss
        >>> u = sp.Symbol("u")
        >>> ss.riemann_limit(1 - u**2, u).schedule(20, 4).sizes
        (8, 5, 4, 3)
        """
        N, K = _check_NK(N, K)
        name = "constant (f = 0)" if self.is_independent else "sqrt-f quantile"
        return Schedule.from_breakpoints(self.breakpoints(K, N=N), name=name)

    def kl_estimate(self, N: Any, K: Any, schedule: str = "optimal") -> sp.Expr:
        """Leading approximation of ``E KL``: ``(N/K)·lead − ½Δ``.

        ``schedule="optimal"`` uses ``½(∫√f)²``, ``"constant"`` uses ``½Δ`` (giving ``½Δ(N/K − 1)``).
        Exact (sympy) when ``N``, ``K`` and the constants are.
        """
        if schedule == "optimal":
            lead = self.leading_constant
        elif schedule == "constant":
            lead = self.constant_leading_constant
        else:
            raise SymschedError(f"kl_estimate: schedule must be 'optimal' or 'constant', got {schedule!r}")
        ratio = sp.Rational(N, K) if isinstance(N, int) and isinstance(K, int) else \
            as_expression(N, (), "N") / as_expression(K, (), "K")
        return self._simplify(ratio * lead - self.delta / 2)

    def quantized(self, r: Any, dps: int | None = None, max_block: int = 256):
        """The quantized limit ``L(r)`` at fixed ratio ``r = N/K`` (see :mod:`.quantized`)."""
        return quantized_limit(self, r, dps=self.dps if dps is None else dps, max_block=max_block)

    def numeric_phi(self, dps: int = DEFAULT_CONTINUUM_DPS) -> Callable:
        """An mpmath function ``x -> φ(x)`` evaluated at ``dps`` digits."""
        self._require_numeric("numeric_phi")

        def phi(x):
            with mpmath.workdps(dps + _GUARD):
                v = self._phi_at(mpmath.mpf(x))
            with mpmath.workdps(dps):
                return +v
        return phi

    def numeric(self, name: str, dps: int | None = None) -> mpmath.mpf:
        """A named constant (``"leading_constant"``, ``"gain"``, ...) as an mpmath number."""
        if name not in ("sqrt_f_integral", "leading_constant", "constant_leading_constant", "gain", "delta"):
            raise SymschedError(f"numeric: unknown quantity {name!r}")
        self._require_numeric(f"numeric({name!r})")
        return _mp_value(getattr(self, name), self.dps if dps is None else checks.dps_arg(dps))

    # -- LaTeX --------------------------------------------------------------------------------
    def add_lines(self, lines: Iterable[str] | str) -> RiemannLimit:
        """Append LaTeX ``align`` lines (e.g. from the error expansion) to :meth:`derivation`."""
        if isinstance(lines, str):
            lines = [lines]
        self._extra_lines.extend(str(x) for x in lines)
        return self

    def _lines(self, extra_lines: Iterable[str] | None = None) -> list:
        L = sp.latex
        u = L(self.u)
        lines = [rf"\varphi({u}) &= {L(self.phi)}",
                 rf"f({u}) = -\varphi'({u}) &= {_fmt_latex(self.f)}",
                 rf"\Delta = \varphi(0) - \varphi(1) &= {_fmt_latex(self.delta)}"]
        if self.is_independent:
            lines.append(r"\mathbb{E}\,\mathrm{KL} &\to 0 \quad\text{(independent tokens: any schedule)}")
        else:
            lines += [rf"\int_0^1 \sqrt{{f}}\,d{u} &= {_fmt_latex(self.sqrt_f_integral)}",
                      rf"\kappa^*({u}) = \frac{{\int_0^1\sqrt{{f}}}}{{\sqrt{{f({u})}}}} &= {_fmt_latex(self.density)}"]
            if self.cdf is not None:
                lines.append(rf"G({u}) = \frac{{\int_0^{u}\sqrt{{f}}}}{{\int_0^1\sqrt{{f}}}} &= {_fmt_latex(self.cdf)}")
            else:
                lines.append(rf"G({u}) &= \frac{{\int_0^{u}\sqrt{{f}}}}{{\int_0^1\sqrt{{f}}}}"
                             r"\quad\text{(numeric)}")
            if self.inverse_cdf is not None:
                lines.append(rf"\frac{{s_t}}{{N}} = G^{{-1}}(t/K),\quad G^{{-1}}(y) &= {_fmt_latex(self.inverse_cdf)}")
            lines.append(r"\lim \tfrac{K}{N}\,\mathbb{E}\,\mathrm{KL}_{\mathrm{opt}} = "
                         r"\tfrac12\Big(\int_0^1\sqrt{f}\Big)^2 &= "
                         + _fmt_latex(self.leading_constant))
        lines += [r"\lim \tfrac{K}{N}\,\mathbb{E}\,\mathrm{KL}_{\mathrm{const}} = \tfrac12\Delta &= "
                  + _fmt_latex(self.constant_leading_constant),
                  r"\text{gain} = \frac{(\int_0^1\sqrt{f})^2}{\int_0^1 f} &= " + _fmt_latex(self.gain)]
        return lines + list(self._extra_lines) + list(extra_lines or [])

    def derivation(self, extra_lines: Iterable[str] | None = None) -> str:
        r"""LaTeX ``align`` block: ``φ``, ``f``, ``Δ``, ``∫√f``, ``κ*``, ``G``, ``G^{−1}`` (if closed),
        and the optimal / constant leading constants and the gain, then any added lines."""
        return "\\begin{align}\n" + " \\\\\n".join(self._lines(extra_lines)) + "\n\\end{align}"

    def latex(self) -> str:
        """The derivation's formulas as an ``aligned`` block (usable inside ``$...$``)."""
        return "\\begin{aligned}\n" + " \\\\\n".join(self._lines()) + "\n\\end{aligned}"

    def __str__(self) -> str:
        return (f"RiemannLimit(phi({self.u}) = {self.phi}, leading_constant = {self.leading_constant}, "
                f"constant = {self.constant_leading_constant}, gain = {self.gain})")


def riemann_limit(phi: Any, u: Any = None, *, params: Mapping | None = None, allow_symbols: bool = False,
                  dps: int = DEFAULT_CONTINUUM_DPS, symbolic_timeout: float | None = 10.0,
                  numeric: Callable | None = None) -> RiemannLimit:
    r"""The continuum limit of ``E KL`` for a limit profile ``φ(u)`` on ``[0, 1]``.

    Parameters
    ----------
    phi : sympy expression (or a formula string, parsed by :func:`symsched.parsing.parse_formula`
        and never executed, or an object with ``.expr`` and ``.u``)
        Non-increasing on ``[0, 1]``.
    u : sympy Symbol, optional
        The variable; may be omitted when ``phi`` has exactly one free symbol.
    params : mapping, optional
        Values for the other symbols of ``phi`` (keys: symbols or their names).
    allow_symbols : bool
        Keep other symbols as parameters: exact formulas flow through (e.g. ``φ = a(1 − u) + b``),
        numeric methods then raise :class:`~symsched.errors.SymbolicValueError`.
    dps : int
        Decimal digits of the numeric fallbacks (default 30).
    symbolic_timeout : float or None
        Seconds allowed to each sympy ``integrate`` / ``solve`` attempt (main thread only).
    numeric : callable, optional
        ``(x, n) -> φ^{(n)}(x)`` in mpmath, used instead of lambdifying ``φ`` (e.g. for series).

    Raises
    ------
    SymschedError
        If ``phi`` has symbols other than ``u`` (without ``params`` / ``allow_symbols``), is not
        bounded at the end points, jumps (a ``Piecewise`` discontinuity: an atom, see
        ``LimitProfile.atom_cost``), or is increasing somewhere on ``[0, 1]`` (checked exactly by
        sympy where it can, else on a 400-point grid).

    Notes
    -----
    With symbolic parameters, monotonicity is assumed (noted in ``notes``) and ``G^{−1}`` is not
    attempted (its branch cannot be checked numerically).

    Examples
    --------
    >>> import sympy as sp, symsched as ss
    >>> u, a, b = sp.symbols("u a b", positive=True)
    >>> lim = ss.riemann_limit(a * (1 - u) + b, u, allow_symbols=True)
    >>> lim.leading_constant, lim.constant_leading_constant, lim.gain
    (a/2, a/2, 1)
    """
    if hasattr(phi, "expr") and hasattr(phi, "u") and not isinstance(phi, sp.Basic):
        if u is None:
            u = phi.u
        if numeric is None and hasattr(phi, "derivative") and getattr(phi, "_numeric", None) is not None:
            def numeric(x, n, p=phi):
                return p.derivative(x, n)
        phi = phi.expr
    # strings are parsed from a whitelist (never executed); u keeps its assumptions
    expr = as_expression(phi, [u] if isinstance(u, sp.Symbol) else (), "phi")
    if not isinstance(expr, sp.Expr):
        raise SymschedError(f"phi: expected a sympy expression in u, got {type(expr).__name__} {expr!r}")
    if u is None:
        free = sorted(expr.free_symbols, key=str)
        if len(free) != 1:
            raise SymschedError(f"u: pass the variable of phi explicitly (phi has symbols {[str(s) for s in free]})")
        u = free[0]
    if not isinstance(u, sp.Symbol):
        raise SymschedError(f"u: expected a sympy Symbol, got {u!r}")
    if params:
        by_name = {str(s): s for s in expr.free_symbols}
        subs = {}
        for k, v in params.items():
            sym = by_name.get(str(k)) if not isinstance(k, sp.Symbol) else k
            if sym is None:
                raise SymschedError(f"params: phi has no symbol {k!r} (its symbols: {sorted(by_name)})")
            if sym == u:
                raise SymschedError(f"params: cannot give a value to the variable {u}")
            subs[sym] = as_expression(v, (), f"params[{k!r}]")
        expr = expr.subs(subs)
    extra = expr.free_symbols - {u}
    if extra and not allow_symbols:
        raise SymschedError(f"phi: symbols {sorted(map(str, extra))} other than {u}; give their values with "
                            "params={...} or pass allow_symbols=True for a symbolic result")
    dps = checks.dps_arg(dps)
    return RiemannLimit(expr, u, dps=dps, symbolic_timeout=symbolic_timeout, numeric=numeric,
                        allow_symbols=allow_symbols)
