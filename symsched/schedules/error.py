"""The exact expected error of a schedule, from the information profile alone.

For sizes ``k_1..k_K`` with partial sums ``s_t`` (docs/concepts.md §2)::

    E_sigma KL(p || q_sigma) = sum_t k_t h_{s_{t-1}} - H = sum_t w(s_{t-1}, s_t),
    w(a, b) = sum_{j=a}^{b-1} (h_a - h_j) >= 0.

Everything here is computed in the profile's arithmetic: float64, mpmath, or exact sympy.
A plain sequence of ``h`` values is accepted wherever a profile is (see
:func:`symsched.info.profile.as_profile`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import SymschedError
from ..info.profile import InformationProfile, as_profile
from .schedule import Schedule
from .families import _alpha_function

__all__ = ["expected_kl", "block_cost"]  # the Bernoulli grid names live in .grids (still importable here)


def _as_schedule(schedule: Any, N: int) -> Schedule:
    if isinstance(schedule, Schedule):
        return schedule
    inner = getattr(schedule, "schedule", None)  # an OptimalSchedule result
    if isinstance(inner, Schedule):
        return inner
    if isinstance(schedule, (str, bytes)) or not hasattr(schedule, "__len__"):
        raise SymschedError(f"schedule: expected a Schedule or a sequence of sizes, got {type(schedule).__name__}")
    return Schedule(schedule, allow_zero=True)


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
    number
        float, mpmath ``mpf`` or a sympy expression, following the profile's precision. This is the
        error averaged over the random reveal order (the identity), an upper bound on the KL of the
        sampler's mixture law.

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
    from .randomized import RandomizedSchedule  # randomized.py does not import this module at load time

    if isinstance(schedule, RandomizedSchedule):
        return schedule.expected_kl(prof)
    sched = _as_schedule(schedule, prof.N)
    _check_N(prof, sched.N)
    if prof.precision == "float":
        # Sum the non-negative terms h_a - h_j directly: no cancellation against H.
        h = np.asarray(prof.h, dtype=float)  # float profiles hold Python floats
        starts = np.repeat(np.asarray(sched.starts, dtype=np.int64), np.asarray(sched.sizes, dtype=np.int64))
        return float(np.sum(h[starts] - h))
    ar = prof.arithmetic
    with ar.workprec():
        terms = [ar.convert(k) * prof.h[a] for a, k in zip(sched.starts, sched.sizes) if k]
        total = ar.sum(terms) - ar.sum(prof.h)
    return _finish(prof, total)


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
    if a == b:
        return prof.arithmetic.finalize(prof.arithmetic.zero) if prof.precision != "float" else 0.0
    ar = prof.arithmetic
    with ar.workprec():
        total = ar.sum([prof.h[a] - prof.h[j] for j in range(a, b)])
    return _finish(prof, total)


# -- continuous-time (Bernoulli) schedules: one grid convention, in .grids -------------------------
# The old names stay importable from here.
from .grids import bernoulli_expected_kl, check_grid as _check_grid, mdlm_grid  # noqa: E402,F401
