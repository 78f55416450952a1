"""A profile checked and, for an estimate, projected once: what every bound is a function of.

:class:`CheckedProfile` coerces the profile (``as_profile``), replaces an estimate by its monotone
projection (weighted isotonic regression) and computes, once and on demand, the few linear functionals
the statements use — the range ``h_0 − h_{N−1}``, TC, DTC and the identity of a schedule — each an
:class:`~symsched.results.Estimate` on an estimated profile.  :func:`compare_bounds` builds one and
hands it to every statement; a statement called alone builds its own.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any
from collections.abc import Sequence

import mpmath
import numpy as np
import sympy as sp

from ..errors import SymschedError
from ..info.profile import InformationProfile, as_profile
from ..results import Estimate
from ..schedules.kl import expected_kl
from ..schedules.schedule import Schedule, as_schedule

__all__: list = []


def is_estimate(profile: Any) -> bool:
    """True for an estimated profile (Monte Carlo, data, denoiser): ``profile.exact`` is False.

    Profiles built before profiles carried ``exact`` count as estimates when a standard error is non-zero.
    """
    exact = getattr(profile, "exact", None)
    if exact is None:
        exact = not any(float(s) for s in getattr(profile, "stderr", ()))
    return not exact


def _with_stderr(prof: InformationProfile, value: Any, coeffs: Sequence[float], what: str) -> Any:
    """``value`` of the linear functional ``sum_j coeffs[j] h_j``; an :class:`Estimate` on an estimate.

    The standard error is the delta method on the profile's covariance, ``sqrt(c' C c)``
    (docs/uncertainty.md); the old triangle-inequality bound ``sum_j |c_j| stderr_j`` was 2-4 times too
    wide on real estimates.  A negative point value (rounding on the projection) is clipped at 0 and says so.
    """
    if isinstance(value, Estimate) or not is_estimate(prof):
        return value
    if callable(getattr(prof, "linear_stderr", None)):
        se = float(prof.linear_stderr([float(c) for c in coeffs]))
    else:
        se = float(sum(abs(c) * float(s) for c, s in zip(coeffs, prof.stderr)))
    v = float(value)
    if v < 0:
        v, what = 0.0, f"{what} (clipped at 0)"
    return Estimate(v, se, f"{what}, on the monotone projection of the {prof.method} estimate")


def _ekl_coeffs(N: int, sizes: Sequence[int]) -> list:
    """``E KL = sum_t k_t h_{s_{t-1}} - sum_j h_j`` as coefficients of ``h_0..h_{N-1}``."""
    c, start = [-1.0] * N, 0
    for k in sizes:
        if k:
            c[start] += k
        start += k
    return c


def _range_coeffs(N: int) -> list:
    c = [0.0] * N
    c[0] += 1.0
    c[-1] -= 1.0
    return c


def _tc_coeffs(N: int) -> list:
    return [N - 1.0] + [-1.0] * (N - 1)


def _dtc_coeffs(N: int) -> list:
    return [1.0] * (N - 1) + [-(N - 1.0)]


def _schedule(schedule: Any, N: int, where: str) -> Schedule:
    sched = as_schedule(schedule)
    if sched.N != N:
        raise SymschedError(f"{where}: schedule {tuple(sched.sizes) if sched.K <= 20 else '...'} sums to "
                            f"{sched.N}, but the profile has N = {N} tokens")
    return sched


def _finish(prof: InformationProfile, x: Any) -> Any:
    ar = prof.arithmetic
    return float(x) if prof.precision == "float" else ar.finalize(x)


def _identity_value(prof: InformationProfile, sched: Schedule) -> Any:
    """``sum_t k_t h_{s_{t-1}} - H`` in the profile's arithmetic (CCL's identity)."""
    return _with_stderr(prof, expected_kl(prof, sched), _ekl_coeffs(prof.N, sched.sizes), "E KL")


def _range(prof: InformationProfile) -> Any:
    """``h_0 - h_{N-1} = (1/N) sum_i I(X_i; X_{-i})``."""
    ar = prof.arithmetic
    with ar.workprec():
        return _with_stderr(prof, _finish(prof, prof.h[0] - prof.h[-1]), _range_coeffs(prof.N), "h_0 - h_{N-1}")


def _tc(prof: InformationProfile) -> Any:
    return _with_stderr(prof, prof.total_correlation, _tc_coeffs(prof.N), "TC")


def _dtc(prof: InformationProfile) -> Any:
    return _with_stderr(prof, prof.dual_total_correlation, _dtc_coeffs(prof.N), "DTC")


def _scale(value: Any, factor: Any) -> Any:
    """``factor * value`` keeping the value's arithmetic (floats stay floats, sympy stays exact)."""
    if isinstance(value, Estimate):
        f = float(factor)
        return Estimate(value.value * f, value.stderr * abs(f), value.what)
    if isinstance(value, sp.Basic):
        return sp.Rational(factor) * value
    if isinstance(value, mpmath.mpf):
        f = sp.Rational(factor)
        return value * int(f.p) / int(f.q)
    return float(value) * float(factor)


def _check_N(N: Any, where: str) -> None:
    if isinstance(N, bool) or not isinstance(N, (int, np.integer)) or N < 1:
        raise SymschedError(f"{where}: N must be a positive integer, got {N!r}")


def _of_profile(fn, doc: str) -> cached_property:
    """A cached attribute ``fn(self.prof)``."""
    prop = cached_property(lambda self: fn(self.prof))
    prop.__doc__ = doc
    return prop


class CheckedProfile:
    """A profile checked once; ``prof`` is it (an estimate: its monotone projection).

    Attributes
    ----------
    prof : InformationProfile
    estimated : bool
        The profile is an estimate (every functional is then an :class:`Estimate`).
    N : int
    """

    def __init__(self, profile: Any):
        prof = as_profile(profile)
        self.prof = prof.monotone() if is_estimate(prof) else prof
        self.estimated = is_estimate(self.prof)
        self.N = self.prof.N

    @classmethod
    def of(cls, profile: Any) -> CheckedProfile:
        """``profile`` itself when it is already checked, else a new checked profile."""
        return profile if isinstance(profile, cls) else cls(profile)

    def schedule(self, schedule: Any, where: str) -> Schedule:
        """``schedule`` as a :class:`Schedule` over the profile's ``N`` tokens (refused otherwise)."""
        return _schedule(schedule, self.N, where)

    def identity(self, sched: Schedule) -> Any:
        """``Σ_t k_t h_{s_{t−1}} − H`` of ``sched`` (CCL's identity)."""
        return _identity_value(self.prof, sched)

    def with_stderr(self, value: Any, coeffs: Sequence[float], what: str) -> Any:
        return _with_stderr(self.prof, value, coeffs, what)

    def finish(self, x: Any) -> Any:
        return _finish(self.prof, x)

    # functionals of the profile alone, each computed once
    range = _of_profile(_range, "``h_0 − h_{N−1} = (1/N) Σ_i I(X_i; X_{−i})``.")
    tc = _of_profile(_tc, "Total correlation (an :class:`Estimate` on an estimated profile).")
    dtc = _of_profile(_dtc, "Dual total correlation (an :class:`Estimate` on an estimated profile).")
