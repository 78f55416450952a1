"""``G(u) = ∫_0^u √f / ∫_0^1 √f`` and its inverse for a :class:`~symsched.continuum.limit.RiemannLimit`.

Closed forms by sympy where it integrates and solves (the branch of ``G^{−1}`` checked numerically),
else the quadrature and safeguarded Newton of :class:`~symsched.continuum.quantiles.QuantileEngine`.
The quantiles of ``√f`` are the optimal breakpoints.  A mixin: the limit object holds the state.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import mpmath
import sympy as sp

from ..errors import SymschedError
from . import checks
from .checks import GUARD as _GUARD
from .quantiles import QuantileEngine
from .symbolic import mp_value as _mp_value, try_sympy as _try_sympy

__all__: list = []


class LimitQuantiles:
    """The distribution function ``G`` of ``√f`` and its inverse (mixed into :class:`RiemannLimit`)."""

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
