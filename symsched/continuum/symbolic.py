r"""Sympy helpers of the continuum layer: bounded sympy attempts and the admissibility check of ``φ``.

A limit profile ``φ`` must be finite, real and non-increasing on ``[0, 1]`` (``f = −φ′ ≥ 0``).
:func:`check_phi` establishes this in three ways, each honest about what it proved:

1. poles and other discontinuities inside ``(0, 1)`` from sympy's ``continuous_domain`` (or
   ``singularities``), refused with the point;
2. the sign of ``f``: proved by sympy (``f.is_nonnegative`` for ``u > 0``, or
   ``solveset(f < 0)`` on ``(0, 1)`` empty), or refused at a point where sympy shows ``f < 0``;
3. a numeric fallback that always runs: ``φ`` on a grid must be real, finite and non-increasing
   (a pole that sympy could not see makes ``φ`` jump upwards or turn complex), and, when the
   sign was not proved, ``f ≥ 0`` on a 400-point grid; the method then says "checked
   numerically", not "proved".
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from fractions import Fraction
from typing import Any
from collections.abc import Callable

import mpmath
import sympy as sp
from sympy.calculus.util import continuous_domain

from ..errors import SymschedError

__all__: list = []


class _SymbolicTimeout(BaseException):
    # BaseException, like KeyboardInterrupt: sympy catches Exception in places (assumptions, heurisch),
    # and a timeout it swallowed left the attempt running for minutes
    pass


#: After the first alarm, the alarm repeats at this interval until the attempt has stopped (in case
#: sympy swallowed the first one with a bare ``except``).
REPEAT_SECONDS = 0.25


@contextmanager
def time_limit(seconds: float | None):
    """Bound a sympy attempt (integrate / solve can run for minutes); a no-op off the main thread."""
    if (not seconds or threading.current_thread() is not threading.main_thread()
            or not hasattr(signal, "setitimer")):
        yield
        return

    active = [True]

    def handler(signum, frame):
        if active[0]:
            raise _SymbolicTimeout()

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT_SECONDS)
    try:
        yield
    finally:
        active[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def try_sympy(fn: Callable[[], Any], seconds: float | None) -> Any:
    """``fn()``, or None if sympy fails, times out, or leaves an unevaluated integral."""
    try:
        with time_limit(seconds):
            out = fn()
    except (_SymbolicTimeout, NotImplementedError, ValueError, TypeError, AttributeError,
            RecursionError, ZeroDivisionError):
        return None
    if out is None or (isinstance(out, sp.Basic) and (out.has(sp.Integral) or out.has(sp.nan)
                                                      or out.has(sp.zoo))):
        return None
    return out


def mp_value(x: Any, dps: int) -> mpmath.mpf:
    """``x`` (sympy, Fraction, number) as an mpmath number at ``dps`` digits."""
    with mpmath.workdps(dps):
        if isinstance(x, sp.Basic):
            return mpmath.mpf(sp.N(x, dps + 5))
        if isinstance(x, Fraction):
            return mpmath.mpf(x.numerator) / x.denominator
        return mpmath.mpf(x)


def real_value(v: Any, where: str) -> None:
    """Refuse a complex constant (e.g. ``φ(0) = 1 + i``)."""
    if isinstance(v, sp.Basic) and not v.free_symbols:
        try:
            im = sp.N(sp.im(v), 20)
        except (TypeError, ValueError):
            return
        if im.is_number and im != 0 and abs(im) > 1e-15 * (1 + abs(sp.N(sp.re(v), 20))):
            raise SymschedError(f"phi must be real on [0, 1]: {where} = {v} is complex")


def _point(s: sp.Set) -> sp.Expr:
    """A representative point of a non-empty subset of (0, 1)."""
    if isinstance(s, sp.FiniteSet):
        return min(s.args, key=lambda p: sp.N(p))
    if isinstance(s, sp.Union):
        return _point(s.args[0])
    if isinstance(s, sp.Interval):
        return s.start if not s.left_open else (s.start + s.end) / 2
    return s.inf


def _check_domain(phi: sp.Expr, u: sp.Symbol, timeout: float | None) -> str:
    inside = sp.Interval.open(0, 1)
    dom = try_sympy(lambda: continuous_domain(phi, u, sp.Interval(0, 1)), timeout)
    if isinstance(dom, sp.Set) and not isinstance(dom, sp.ConditionSet):
        gaps = try_sympy(lambda: inside - dom, timeout)
        if isinstance(gaps, sp.Set) and gaps != sp.EmptySet and not isinstance(gaps, sp.ConditionSet):
            raise SymschedError(f"phi = {phi} is not finite and continuous on [0, 1]: it has a singularity "
                                f"at {u} = {_point(gaps)}; phi must be a finite non-increasing function there")
        return "sympy continuous_domain"
    sing = try_sympy(lambda: sp.singularities(phi, u, inside), timeout)
    if isinstance(sing, sp.FiniteSet) and sing != sp.EmptySet:
        raise SymschedError(f"phi = {phi} has a singularity at {u} = {_point(sing)} inside (0, 1); phi must be "
                            "a finite non-increasing function on [0, 1]")
    return "sympy singularities" if isinstance(sing, sp.Set) else "none"


def _sign_of_f(f: sp.Expr, u: sp.Symbol, timeout: float | None) -> bool:
    """True if sympy proves ``f ≥ 0`` on (0, 1); raises at a point where it proves ``f < 0``."""
    x = sp.Dummy("x", positive=True)
    if try_sympy(lambda: f.subs(u, x).is_nonnegative, timeout) is True:
        return True
    if f.has(sp.Piecewise, sp.Sum, sp.Integral):
        return False
    neg = try_sympy(lambda: sp.solveset(f < 0, u, sp.Interval.open(0, 1)), timeout)
    if neg == sp.EmptySet:
        return True
    if isinstance(neg, (sp.Interval, sp.Union, sp.FiniteSet)) and neg != sp.EmptySet:
        p = _point(neg)
        raise SymschedError(f"phi must be non-increasing on [0, 1]: f = -phi' = {f} < 0 for {u} in {neg} "
                            f"(e.g. at {u} = {p})")
    return False


def _guarded(fn: Callable) -> Callable:
    """``fn`` returning ``nan`` where it fails or is complex (a pole hit exactly, a branch cut)."""
    def g(x):
        try:
            v = fn(x)
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            return mpmath.nan
        if isinstance(v, mpmath.mpc):
            return v.real if v.imag == 0 else mpmath.nan
        try:
            return mpmath.mpf(v)
        except (TypeError, ValueError):
            return mpmath.nan
    return g


def check_phi(phi: sp.Expr, u: sp.Symbol, phi_num: Callable, f_num: Callable, *,
              timeout: float | None = 10.0, symbolic: bool = True, n_grid: int = 400) -> str:
    """Refuse a ``φ`` that is not finite, real and non-increasing on ``[0, 1]``; return what was proved.

    ``phi_num`` and ``f_num`` evaluate ``φ`` and ``f = −φ′`` in mpmath (returning ``nan`` where the
    value is undefined or complex).  ``symbolic=False`` skips the sympy steps (series profiles).
    """
    phi_num, f_num = _guarded(phi_num), _guarded(f_num)
    proved = False
    if symbolic and not phi.has(sp.Sum, sp.Integral):
        _check_domain(phi, u, timeout)
        proved = _sign_of_f(-sp.diff(phi, u), u, timeout)
    with mpmath.workdps(20):
        xs = [mpmath.mpf(i) / n_grid for i in range(1, n_grid)]
        vals = [phi_num(x) for x in xs]
        for x, v in zip(xs, vals):
            if not isinstance(v, mpmath.mpf) or not mpmath.isfinite(v):
                raise SymschedError(f"phi must be finite and real on [0, 1]: phi({mpmath.nstr(x, 6)}) = {v}")
        scale = max(max(abs(v) for v in vals), mpmath.mpf(1))
        tol = scale * mpmath.mpf(10) ** -12
        for (a, va), (b, vb) in zip(zip(xs, vals), zip(xs[1:], vals[1:])):
            if vb > va + tol:
                raise SymschedError(
                    f"phi must be non-increasing on [0, 1]: phi rises from {mpmath.nstr(va, 6)} at "
                    f"{u} = {mpmath.nstr(a, 6)} to {mpmath.nstr(vb, 6)} at {u} = {mpmath.nstr(b, 6)}")
        if proved:
            return "proved (sympy: no singularity in (0, 1), f >= 0)"
        grid = [(mpmath.mpf(2 * i + 1) / (2 * n_grid), f_num(mpmath.mpf(2 * i + 1) / (2 * n_grid)))
                for i in range(n_grid)]
        fscale = max([abs(v) for _, v in grid if mpmath.isfinite(v)] + [mpmath.mpf(1)])
        ftol = fscale * mpmath.mpf(10) ** (-12)
        bad = [(x, v) for x, v in grid if mpmath.isfinite(v) and v < -ftol]
        if bad:
            x, v = bad[0]
            raise SymschedError(f"phi must be non-increasing on [0, 1]: f = -phi' = {mpmath.nstr(v, 6)} < 0 "
                                f"at u = {mpmath.nstr(x, 6)}")
    return f"checked numerically (phi on a {n_grid}-point grid, f >= 0 on a {n_grid}-point grid)"
