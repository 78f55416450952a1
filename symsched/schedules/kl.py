"""The exact expected error of a schedule, from the information profile alone.

For sizes ``k_1..k_K`` with partial sums ``s_t`` (docs/concepts.md §2)::

    E_sigma KL(p || q_sigma) = sum_t k_t h_{s_{t-1}} - H = sum_t w(s_{t-1}, s_t),
    w(a, b) = sum_{j=a}^{b-1} (h_a - h_j) >= 0.

Everything here is computed in the profile's arithmetic: float64, mpmath, or exact sympy.
A plain sequence of ``h`` values is accepted wherever a profile is (see
:func:`symsched.info.profile.as_profile`), and "a schedule" is anything :func:`as_schedule` takes.

On an *estimated* profile (``profile.exact`` is False: Monte Carlo, data, a denoiser) every function
here works on its monotone projection :meth:`~symsched.info.profile.InformationProfile.monotone` and
returns a :class:`symsched.results.Estimate`: the expected KL is linear in ``h``, ``sum_j w_j h_j``, and
its standard error is that of this functional of the *projected* profile
(:meth:`~symsched.info.profile.InformationProfile.projection_stderr`: a parametric bootstrap of the
projection from the covariance ``C``, which is ``sqrt(w' C w)`` wherever the projection pools nothing);
the point value is never negative (a schedule's KL on a non-increasing, non-negative profile is a sum
of non-negative terms; a residual rounding below 0 is clipped and the ``what`` says so).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import SymschedError
from ..info.profile import InformationProfile, as_profile
from ..results import Estimate
from .schedule import Schedule, as_schedule

__all__ = ["expected_kl", "block_cost", "working_profile"]  # the Bernoulli grid names live in .grids


def _as_schedule(schedule: Any, N: int) -> Schedule:
    """Kept for old imports: :func:`~symsched.schedules.schedule.as_schedule`."""
    return as_schedule(schedule)


def working_profile(profile: Any) -> InformationProfile:
    """The profile schedules compute on: itself when exact, its monotone projection when an estimate.

    >>> import symsched as ss
    >>> p = ss.InformationProfile((0.5, 0.7, 0.2), e=(0, 0.5, 1.2, 1.4), entropy=1.4,
    ...                         stderr=(0.1, 0.1, 0.2))
    >>> ss.working_profile(p).method
    'given+isotonic'
    """
    prof = as_profile(profile)
    return prof if prof.exact else prof.monotone()


def kl_estimate(prof: InformationProfile, weights: Any, value: float, what: str) -> Estimate:
    """An expected KL ``sum_j weights[j] h_j = value`` on an estimated (projected) profile, as an
    :class:`~symsched.results.Estimate`: standard error ``sqrt(w' C w)``, point value clipped at 0."""
    # on the projection, not the raw functional: the projection shrinks and biases it (projection_stderr)
    se = prof.projection_stderr(np.asarray(weights, dtype=float))
    label = f"{what} (on the monotone projection of the estimated profile [{prof.method.removesuffix('+isotonic')}])"
    if value < 0:
        return Estimate(0.0, se, label + f"; {value:.3g} clipped at 0")
    return Estimate(value, se, label)


def schedule_weights(N: int, sched: Schedule) -> np.ndarray:
    """``w`` with ``E KL = sum_j w_j h_j``: ``w_j = -1 + sum_{t: s_{t-1} = j} k_t``."""
    w = -np.ones(N)
    np.add.at(w, np.asarray(sched.starts, dtype=np.int64), np.asarray(sched.sizes, dtype=float))
    return w


def _check_N(prof: InformationProfile, sched_N: int, what: str = "schedule") -> None:
    if sched_N != prof.N:
        raise SymschedError(f"{what} reveals N = {sched_N} tokens but the profile has N = {prof.N} "
                            f"(len(h) = {prof.N}); they must match")


def _finish(prof: InformationProfile, value: Any) -> Any:
    ar = prof.arithmetic
    if prof.precision == "float":
        return float(value)
    return ar.finalize(value)


def expected_kl(profile: Any, schedule: Any) -> Any:
    """Exact ``E_sigma KL(p || q_sigma) = sum_t k_t h_{s_{t-1}} - H`` of a schedule.

    Parameters
    ----------
    profile : InformationProfile or sequence
        The information profile (or its ``h`` values).
    schedule : Schedule, sequence of int, OptimalSchedule or RandomizedSchedule
        Sizes ``k_1..k_K`` (zero sizes allowed: they cost nothing). For a
        :class:`~symsched.schedules.randomized.RandomizedSchedule` the exact expectation over its law.

    Returns
    -------
    number or Estimate
        float, mpmath ``mpf`` or a sympy expression, following the profile's precision. This is the
        error averaged over the random reveal order (the identity), an upper bound on the KL of the
        sampler's mixture law. For an estimated profile, an :class:`~symsched.results.Estimate`
        computed on its monotone projection (see the module docstring).

    Raises
    ------
    ValueError
        If the schedule's ``N`` differs from the profile's.

    Examples
    --------
    >>> import symsched as ss
    >>> round(ss.expected_kl([0.7, 0.4, 0.1], [1, 2]), 12)   # w(0,1) + w(1,3) = 0 + (0.4 - 0.1)
    0.3
    >>> ss.expected_kl([0.7, 0.4, 0.1], [3]) == ss.as_profile([0.7, 0.4, 0.1]).total_correlation
    True
    """
    prof = as_profile(profile)
    if not isinstance(schedule, Schedule) and callable(getattr(schedule, "expected_kl", None)):
        return schedule.expected_kl(prof)  # a RandomizedSchedule: its exact expectation (no import cycle)
    sched = as_schedule(schedule)
    _check_N(prof, sched.N)
    if not prof.exact:
        proj = prof.monotone()
        return kl_estimate(proj, schedule_weights(prof.N, sched), _float_kl(proj, sched), "E KL")
    if prof.precision == "float":
        return _float_kl(prof, sched)
    ar = prof.arithmetic
    with ar.workprec():
        terms = [ar.convert(k) * prof.h[a] for a, k in zip(sched.starts, sched.sizes) if k]
        total = ar.sum(terms) - ar.sum(prof.h)
    return _finish(prof, total)


def _float_kl(prof: InformationProfile, sched: Schedule) -> float:
    # Sum the non-negative terms h_a - h_j directly: no cancellation against H.
    h = np.asarray(prof.h, dtype=float)  # float profiles hold Python floats
    starts = np.repeat(np.asarray(sched.starts, dtype=np.int64), np.asarray(sched.sizes, dtype=np.int64))
    # A sum of terms >= 0; a rounding-level tie (within as_profile's tolerance) must not print as -1e-17.
    return max(float(np.sum(h[starts] - h)), 0.0)


def block_cost(profile: Any, a: int, b: int) -> Any:
    """Block cost ``w(a, b) = sum_{j=a}^{b-1} (h_a - h_j) >= 0`` of revealing tokens ``a+1..b`` in one step.

    Examples
    --------
    >>> import symsched as ss
    >>> round(ss.block_cost([0.7, 0.4, 0.1], 0, 3), 12)
    0.9
    """
    prof = as_profile(profile)
    if not (isinstance(a, (int, np.integer)) and isinstance(b, (int, np.integer)) and 0 <= a <= b <= prof.N):
        raise SymschedError(f"block_cost: need integers 0 <= a <= b <= N = {prof.N}, got a = {a!r}, b = {b!r}")
    if not prof.exact:
        proj = prof.monotone()
        w = np.zeros(prof.N)
        w[a:b] = -1.0
        if b > a:
            w[a] += b - a
        return kl_estimate(proj, w, float(np.dot(w, proj.as_array())), f"w({a}, {b})")
    if a == b:
        return prof.arithmetic.finalize(prof.arithmetic.zero) if prof.precision != "float" else 0.0
    ar = prof.arithmetic
    with ar.workprec():
        total = ar.sum([prof.h[a] - prof.h[j] for j in range(a, b)])
    return _finish(prof, total)

