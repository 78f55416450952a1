"""The limit profile ``φ`` of a :class:`~symsched.continuum.limit.RiemannLimit`, analysed once.

Simplification under a time limit, the end values ``φ(0)``, ``φ(1)``, the points where a piecewise
``φ`` switches branch, the admissibility checks (bounded, continuous, non-increasing) and the numeric
``φ`` and ``f = −φ'`` that every quadrature uses.  A mixin: the limit object holds the state.
"""

from __future__ import annotations

from functools import cached_property
from collections.abc import Callable

import mpmath
import sympy as sp

from ..canonical import positive_form
from ..errors import SymbolicValueError, SymschedError
from . import symbolic
from .symbolic import mp_value as _mp_value, try_sympy as _try_sympy

__all__: list = []


class PhiAnalysis:
    """Checks and numeric evaluation of ``φ`` and ``f`` (mixed into :class:`RiemannLimit`)."""

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

    def _check_nonnegative(self) -> None:
        """``h_j`` are conditional entropies, so ``phi >= 0``: a non-increasing ``phi`` must end at
        ``phi(1) >= 0`` (``riemann_limit("-u")`` was accepted before)."""
        try:
            end = _mp_value(self.phi1, 30)
        except (TypeError, ValueError, ArithmeticError):
            return  # not a number at u = 1 (a singular end): left to the other checks
        if mpmath.isfinite(end) and end < 0:
            raise SymschedError(f"phi must be non-negative on [0, 1] (h_j are conditional entropies, h_j >= 0): "
                                f"phi(1) = {mpmath.nstr(end, 6)} < 0")

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

    def _float(self, v: mpmath.mpf) -> sp.Float:
        return sp.Float(v, self.dps)
