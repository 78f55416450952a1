"""The exact expected error of a schedule, from the information profile alone.

For sizes ``k_1..k_K`` with partial sums ``s_t`` (docs/concepts.md §2)::

    E_sigma KL(p || q_sigma) = sum_t k_t h_{s_{t-1}} - H = sum_t w(s_{t-1}, s_t),
    w(a, b) = sum_{j=a}^{b-1} (h_a - h_j) >= 0.

Everything here is computed in the profile's arithmetic: float64, mpmath, or exact sympy.
A plain sequence of ``h`` values is accepted wherever a profile is (see
:func:`symsched.info.profile.as_profile`).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from scipy.stats import binom

from ..errors import SymschedError
from ..info.profile import InformationProfile, as_profile
from .schedule import Schedule
from .families import _alpha_function

__all__ = ["expected_kl", "block_cost", "bernoulli_expected_kl", "mdlm_grid"]


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


# -- continuous-time (Bernoulli) schedules -----------------------------------------------------

def _check_grid(grid: Sequence[Any], where: str = "grid") -> list:
    g = list(grid)
    if len(g) < 2:
        raise SymschedError(f"{where}: need 0 = t_0 < ... < t_K = 1 with K >= 1, got {g}")
    fl = [float(x) for x in g]
    if fl[0] != 0 or fl[-1] != 1:
        raise SymschedError(f"{where}: must start at t_0 = 0 and end at t_K = 1, got t_0 = {g[0]!r}, "
                            f"t_K = {g[-1]!r}")
    for k in range(1, len(g)):
        if not fl[k] > fl[k - 1]:
            raise SymschedError(f"{where}: must be strictly increasing, but t_{k} = {g[k]!r} <= t_{k-1} = {g[k-1]!r}")
    return g


def bernoulli_expected_kl(profile: Any, grid: Sequence[Any]) -> Any:
    """Exact expected KL of the continuous-time (Bernoulli) sampler on a reveal grid.

    At step ``k`` every still-masked token is revealed independently with probability
    ``(t_k - t_{k-1}) / (1 - t_{k-1})`` (so at ``t_K = 1`` all remaining tokens are revealed).
    Then (docs/concepts.md §2, docs/references.md "Wainwright")::

        E KL = sum_k (t_k - t_{k-1}) * N * sum_j Binom(j; N-1, t_{k-1}) h_j - H.

    Parameters
    ----------
    profile : InformationProfile or sequence
    grid : sequence
        Reveal fractions ``0 = t_0 < t_1 < ... < t_K = 1`` (see :func:`mdlm_grid` for the
        MDLM time-grid convention). Floats, Fractions, sympy numbers or mpf.

    Returns
    -------
    number
        float (scipy binomial pmf), mpmath, or exact sympy (exact binomials; Fractions in the grid
        stay exact) following the profile's precision.

    Examples
    --------
    >>> import symsched as ss
    >>> round(ss.bernoulli_expected_kl([0.7, 0.4, 0.1], [0, 1]), 12)   # one step: TC
    0.9
    """
    prof = as_profile(profile)
    g = _check_grid(grid)
    N = prof.N
    if prof.precision == "float":

        t = np.array([float(x) for x in g])
        h = np.asarray(prof.h, dtype=float)
        j = np.arange(N)
        total = 0.0
        for k in range(1, len(t)):
            pmf = binom.pmf(j, N - 1, t[k - 1]) if N > 1 else np.ones(1)
            total += (t[k] - t[k - 1]) * N * float(np.dot(pmf, h))
        return float(total - float(prof.entropy))
    ar = prof.arithmetic
    with ar.workprec():
        tt = [ar.convert(x, f"grid[{i}]") for i, x in enumerate(g)]
        terms = []
        for k in range(1, len(tt)):
            p = tt[k - 1]
            inner = ar.sum([ar.binomial(N - 1, jj) * p ** jj * (ar.one - p) ** (N - 1 - jj) * prof.h[jj]
                            for jj in range(N)])
            terms.append((tt[k] - p) * N * inner)
        total = ar.sum(terms) - ar.sum(prof.h)
    return _finish(prof, total)


def mdlm_grid(K: int, eps: float = 1e-5, alpha: Any = "linear", power: float = 2, final: str = "merge") -> list:
    """Reveal-fraction grid of an MDLM / SEDD style sampler with ``K`` steps.

    Those samplers run the diffusion time ``tau`` on ``linspace(1, eps, K+1)``; with the MDLM
    convention ``alpha(tau)`` = probability that a token is unmasked at time ``tau``
    (``alpha(0) = 1`` clean, ``alpha(1) = 0`` all masked), the fraction revealed after step ``k`` is
    ``alpha(tau_k)``. Every masked token is revealed independently, as in
    :func:`bernoulli_expected_kl`. At ``tau_K = eps`` a fraction ``1 - alpha(eps)`` is still
    masked, which the sampler finishes off:

    * ``final="merge"`` (default): the last grid point is set to 1, i.e. the K-th step reveals every
      remaining token (Dream's convention: the remainder goes in the last step). ``K`` steps.
    * ``final="extra"``: keep ``alpha(eps)`` and append 1, a separate final "noise removal" step as
      in MDLM's sampler. ``K + 1`` steps.

    Parameters
    ----------
    K : int
        Number of sampler steps.
    eps : float
        Final time (MDLM's default is 1e-5).
    alpha : {"linear", "cosine", "polynomial"} or callable
        Noise schedule, see :func:`symsched.schedules.families.alpha_schedule`.
    power : float
        Exponent of the ``"polynomial"`` schedule.
    final : {"merge", "extra"}

    Returns
    -------
    list of float
        ``0 = t_0 < ... < t_K = 1`` (or ``K + 1`` steps with ``final="extra"``).

    Examples
    --------
    >>> import symsched as ss
    >>> [round(x, 6) for x in ss.mdlm_grid(4, eps=0.0)]
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """

    if not isinstance(K, (int, np.integer)) or K < 1:
        raise SymschedError(f"mdlm_grid: K must be a positive integer, got K = {K!r}")
    if not 0 <= eps < 1:
        raise SymschedError(f"mdlm_grid: eps must be in [0, 1), got eps = {eps!r}")
    if final not in ("merge", "extra"):
        raise SymschedError(f"mdlm_grid: final must be 'merge' or 'extra', got {final!r}")
    a = _alpha_function(alpha, power)
    taus = np.linspace(1.0, eps, K + 1)
    u = [float(a(float(t))) for t in taus]
    u[0] = 0.0
    if final == "merge" or eps == 0:
        u[-1] = 1.0
    else:
        u.append(1.0)
    return _check_grid(u, "mdlm_grid")
