"""The constants of a :class:`~symsched.continuum.limit.RiemannLimit`: ``∫√f``, ``κ*``, ``½(∫√f)²``, ``½Δ``, gain.

Exact (sympy) where sympy integrates, else mpmath at the limit's ``dps``; ``methods`` records which.
A mixin: the limit object holds the state.
"""

from __future__ import annotations

from functools import cached_property

import mpmath
import sympy as sp

from ..errors import SymschedError
from . import checks
from .checks import GUARD as _GUARD
from .symbolic import mp_value as _mp_value, try_sympy as _try_sympy

__all__: list = []


class LimitConstants:
    """The leading constants of the optimal and constant schedules (mixed into :class:`RiemannLimit`)."""

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

    def numeric(self, name: str, dps: int | None = None) -> mpmath.mpf:
        """A named constant (``"leading_constant"``, ``"gain"``, ...) as an mpmath number."""
        if name not in ("sqrt_f_integral", "leading_constant", "constant_leading_constant", "gain", "delta"):
            raise SymschedError(f"numeric: unknown quantity {name!r}")
        self._require_numeric(f"numeric({name!r})")
        return _mp_value(getattr(self, name), self.dps if dps is None else checks.dps_arg(dps))
