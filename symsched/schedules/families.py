"""Schedule families used in practice and in the literature.

* :func:`constant_schedule` — even split (LLaDA / Fast-dLLM put the remainder on the first steps).
* :func:`alpha_schedule`, :func:`schedule_from_fractions` — schedules induced by a masking-rate
  (noise) function, rounded to integers reproducibly.
* :func:`geometric_schedule`, :func:`log_schedule` — geometrically growing sizes.
* :func:`tc_schedule`, :func:`dtc_schedule`, :func:`tc_schedule_zeta`, :func:`dtc_schedule_zeta`,
  :func:`ccl_fixed_k_schedule` — the TC / DTC schedules of Chen, Cong & Li (COLT 2026, Thm 9),
  built with exact integer arithmetic.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any
from collections.abc import Callable, Sequence

import mpmath
import numpy as np
import sympy as sp
from scipy.optimize import brentq

from ..errors import SymschedError
from ..validation import as_list, check_flag, check_NK, finite_real, positive_int
from .schedule import Schedule, repair_breakpoints

__all__ = ["constant_schedule", "alpha_schedule", "schedule_from_fractions", "geometric_schedule",
           "log_schedule", "tc_schedule", "dtc_schedule", "tc_schedule_zeta", "dtc_schedule_zeta",
           "ccl_zeta", "ccl_lambda", "ccl_fixed_k_zeta", "ccl_fixed_k_schedule"]


def _check_NK(N: Any, K: Any, where: str, allow_zero: bool = False) -> None:
    N, K = check_NK(N, K, where, allow_zero=True)
    if K > N and not allow_zero:
        raise SymschedError(f"{where}: K = {K} steps cannot each reveal at least one of N = {N} tokens "
                            "(need K <= N, or allow_zero=True)")


# -- constant ----------------------------------------------------------------------------------

def constant_schedule(N: int, K: int, remainder: str = "first") -> Schedule:
    """Even split of ``N`` tokens over ``K`` steps.

    Sizes are ``q = N // K`` or ``q + 1``; the ``r = N mod K`` larger steps are placed by
    ``remainder``:

    * ``"first"`` (default): on the first ``r`` steps — what LLaDA / Fast-dLLM's
      ``get_num_transfer_tokens`` does;
    * ``"last"``: on the last ``r`` steps;
    * ``"spread"``: evenly, breakpoints ``s_t = floor(t N / K)`` (Bresenham).

    Examples
    --------
    >>> import symsched as ss
    >>> ss.constant_schedule(10, 4).sizes, ss.constant_schedule(10, 4, "last").sizes
    ((3, 3, 2, 2), (2, 2, 3, 3))
    >>> ss.constant_schedule(10, 4, "spread").sizes
    (2, 3, 2, 3)
    """
    _check_NK(N, K, "constant_schedule")
    q, r = divmod(int(N), int(K))
    if remainder == "first":
        sizes = [q + 1] * r + [q] * (K - r)
    elif remainder == "last":
        sizes = [q] * (K - r) + [q + 1] * r
    elif remainder == "spread":
        bps = [t * N // K for t in range(K + 1)]
        sizes = [b - a for a, b in zip(bps, bps[1:])]
    else:
        raise SymschedError(f"constant_schedule: remainder must be 'first', 'last' or 'spread', got {remainder!r}")
    return Schedule(sizes, N=N, name="constant")


# -- fractions and noise schedules --------------------------------------------------------------

def _round_half_even(x: Any) -> int:
    """Round half to even; exact for Fractions / ints / sympy rationals, float64 otherwise."""
    if isinstance(x, sp.Basic):
        x = Fraction(str(sp.Rational(x))) if x.is_Rational else float(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    return int(round(x))  # Python's round is half-to-even for float and Fraction


def schedule_from_fractions(N: int, fractions: Sequence[Any], allow_zero: bool = False,
                            name: str | None = None) -> Schedule:
    """Schedule whose cumulative revealed fractions are ``fractions`` (``0 = u_0 <= ... <= u_K = 1``).

    Breakpoints are ``s_t = round_half_even(N * u_t)`` (exact when the ``u_t`` are Fractions,
    ints or sympy rationals; float64 otherwise). Rounding can make a step empty. With
    ``allow_zero=False`` (default) :func:`~symsched.schedules.schedule.repair_breakpoints` makes every
    size positive, moving each breakpoint as little as needed. With ``allow_zero=True`` the
    rounded breakpoints are kept as they are and empty steps count as steps.

    Examples
    --------
    >>> import symsched as ss
    >>> from fractions import Fraction as F
    >>> ss.schedule_from_fractions(10, [0, F(1, 4), F(1, 2), 1]).sizes   # 2.5 -> 2, 5
    (2, 3, 5)
    >>> ss.schedule_from_fractions(4, [0, 0.01, 0.02, 1]).sizes          # repaired: 0, 0 -> 1, 2
    (1, 1, 2)
    """
    u = as_list(fractions, "fractions", "schedule_from_fractions", expected="a sequence 0 = u_0 <= ... <= u_K = 1")
    K = len(u) - 1
    _check_NK(N, max(K, 1), "schedule_from_fractions", allow_zero)
    if K < 1:
        raise SymschedError(f"schedule_from_fractions: need K+1 >= 2 cumulative fractions, got {u}")
    fl = [finite_real(x, f"fractions[{t}]", "schedule_from_fractions") for t, x in enumerate(u)]
    if fl[0] != 0 or fl[-1] != 1:
        raise SymschedError(f"schedule_from_fractions: fractions must start at 0 and end at 1, got "
                            f"u_0 = {u[0]!r}, u_K = {u[-1]!r}")
    for t in range(1, K + 1):
        if fl[t] < fl[t - 1]:
            raise SymschedError(f"schedule_from_fractions: fractions must be non-decreasing, but "
                                f"u_{t} = {u[t]!r} < u_{t-1} = {u[t-1]!r}")
    s = [0] + [_round_half_even(N * (Fraction(x) if isinstance(x, (int, np.integer)) else x)) for x in u[1:-1]] + [N]
    s = [min(max(v, 0), N) for v in s]
    if not allow_zero:
        s = list(repair_breakpoints(s, N))
    return Schedule.from_breakpoints(s, allow_zero=allow_zero, name=name)


#: Named noise schedules ``alpha(tau)`` of :func:`alpha_schedule` and :func:`~symsched.mdlm_grid`.
ALPHAS = ("linear", "loglinear", "cosine", "mdlm-cosine", "mdlm-cosinesqr", "polynomial")


def _alpha_function(alpha: Any, power: float = 2) -> Callable[[Any], Any]:
    """The noise schedule ``alpha(tau)`` (MDLM convention: probability a token is unmasked at time tau)."""
    if not (callable(alpha) or isinstance(alpha, str)):
        raise SymschedError(f"alpha must be one of {ALPHAS} or a callable, got {alpha!r:.60}")
    if callable(alpha):
        f = alpha
        for tau, want in ((0.0, 1.0), (1.0, 0.0)):
            got = float(f(tau))
            if abs(got - want) > 1e-12:
                raise SymschedError(f"alpha: alpha({tau:g}) = {got!r}, expected {want:g} (MDLM convention: "
                                    "alpha(0) = 1 all revealed, alpha(1) = 0 all masked)")
        return f
    if alpha in ("linear", "loglinear"):
        return lambda tau: 1 - tau
    if alpha in ("mdlm-cosine", "mdlm-cosinesqr"):
        # MDLM's CosineNoise / CosineSqrNoise with the noise's eps cancelled (see rules.grid_rules.MDLM_NOISES)
        p = 1 if alpha == "mdlm-cosine" else 2
        return lambda tau: math.cos(math.pi * float(tau) / 2) ** p if 0 < tau < 1 else (1.0 if tau == 0 else 0.0)
    if alpha == "cosine":
        # MaskGIT's mask ratio cos(pi r / 2) at progress r = 1 - tau.
        return lambda tau: 1 - math.sin(math.pi * float(tau) / 2) if 0 < tau < 1 else (1.0 if tau == 0 else 0.0)
    if alpha == "polynomial":
        if not (isinstance(power, (int, float, Fraction)) and power > 0):
            raise SymschedError(f"alpha='polynomial': power must be a positive number, got power = {power!r}")
        return lambda tau: 1 - tau ** power
    raise SymschedError(f"alpha must be one of {ALPHAS} or a callable, got {alpha!r}")


def alpha_schedule(N: int, K: int, alpha: Any = "linear", power: float = 2, allow_zero: bool = False) -> Schedule:
    """Schedule induced by a masking-rate (noise) function ``alpha`` on the time grid ``k / K``.

    Convention (MDLM): ``alpha(tau)`` is the probability that a token is unmasked at diffusion time
    ``tau``; ``alpha(0) = 1`` (clean data), ``alpha(1) = 0`` (all masked). Sampling runs ``tau`` from 1
    down to 0 in ``K`` equal steps, so the fraction revealed after step ``k`` is
    ``u_k = alpha(1 - k/K)``. Named schedules:

    * ``"linear"``: ``alpha(tau) = 1 - tau`` — ``u_k = k/K`` (constant sizes up to rounding);
    * ``"loglinear"``: the same (MDLM's log-linear noise, whose ``alpha`` is ``1 - tau`` once its eps cancels);
    * ``"cosine"``: ``alpha(tau) = 1 - sin(pi tau / 2)`` — ``u_k = 1 - cos(pi k / (2K))``, MaskGIT's
      cosine mask ratio (few tokens first, many at the end);
    * ``"mdlm-cosine"``: ``alpha(tau) = cos(pi tau / 2)`` — ``u_k = sin(pi k / (2K))``, MDLM's ``CosineNoise``
      (many tokens first, few at the end: not MaskGIT's);
    * ``"mdlm-cosinesqr"``: ``alpha(tau) = cos(pi tau / 2)**2`` — MDLM's ``CosineSqrNoise``;
    * ``"polynomial"``: ``alpha(tau) = 1 - tau**power`` — ``u_k = 1 - (1 - k/K)**power``;
    * a callable ``alpha(tau)``.

    The fractions go through :func:`schedule_from_fractions` (round-half-even of ``N u_k``, exact for
    the linear schedule and for integer powers, whose ``u_k`` are computed as Fractions; then the
    deterministic repair to positive sizes unless ``allow_zero=True``).

    Examples
    --------
    >>> import symsched as ss
    >>> ss.alpha_schedule(10, 4).sizes          # 2.5 -> 2 and 7.5 -> 8 (half to even)
    (2, 3, 3, 2)
    >>> ss.alpha_schedule(20, 4, "cosine").sizes   # 20 (1 - cos(pi k / 8)) = 1.52, 5.86, 12.35
    (2, 4, 6, 8)
    """
    _check_NK(N, K, "alpha_schedule", allow_zero)
    if not isinstance(alpha, str):
        _alpha_function(alpha, power)  # refuses what is neither a named schedule nor a callable
    if alpha == "linear":
        u = [Fraction(k, K) for k in range(K + 1)]
    elif alpha == "polynomial" and isinstance(power, (int, np.integer)) and power > 0:
        u = [1 - (1 - Fraction(k, K)) ** int(power) for k in range(K + 1)]
    else:
        f = _alpha_function(alpha, power)
        u = [float(f(1 - k / K)) for k in range(K + 1)]
        u[0], u[-1] = 0.0, 1.0
    label = alpha if isinstance(alpha, str) else getattr(alpha, "__name__", "alpha")
    return schedule_from_fractions(N, u, allow_zero=allow_zero, name=f"alpha-{label}")


# -- geometric ---------------------------------------------------------------------------------

def _geometric_ratio(N: int, K: int) -> float:
    """The ratio rho with 1 + rho + ... + rho^(K-1) = N (rho = 1 when K = N)."""
    if K == 1:
        return 1.0
    if K == N:
        return 1.0

    g = lambda r: sum(r ** i for i in range(K)) - N  # noqa: E731
    return brentq(g, 1.0 + 1e-15, float(N), xtol=1e-14)


def geometric_schedule(N: int, K: int, ratio: float | None = None) -> Schedule:
    """Sizes growing geometrically, ``k_t ∝ ratio^(t-1)``, rounded to integers.

    Cumulative fractions ``u_t = (ratio^t - 1) / (ratio^K - 1)`` (``t/K`` when ``ratio = 1``) go through
    :func:`schedule_from_fractions` (round half to even, repair to positive sizes). By default
    ``ratio`` solves ``1 + ratio + ... + ratio^(K-1) = N``, so the unrounded sizes start at one token.
    ``ratio < 1`` gives decreasing sizes.

    Examples
    --------
    >>> import symsched as ss
    >>> ss.geometric_schedule(15, 4).sizes      # ratio 2: 1, 2, 4, 8
    (1, 2, 4, 8)
    """
    _check_NK(N, K, "geometric_schedule")
    rho = _geometric_ratio(N, K) if ratio is None else ratio
    if not (isinstance(rho, (int, float, Fraction, np.floating)) and rho > 0):
        raise SymschedError(f"geometric_schedule: ratio must be a positive number, got ratio = {ratio!r}")
    finite_real(rho, "ratio", "geometric_schedule")
    if rho == 1:
        u = [Fraction(t, K) for t in range(K + 1)]
    else:
        try:
            u = [(rho ** t - 1) / (rho ** K - 1) for t in range(K + 1)]
        except OverflowError:
            # rho^K beyond the float range (rho > 1): the same fractions with rho^K divided out
            u = [(rho ** (t - K) - rho ** -K) / (1 - rho ** -K) for t in range(K + 1)]
        u[0], u[-1] = 0, 1
    return schedule_from_fractions(N, u, name="geometric")


def log_schedule(N: int) -> Schedule:
    """Doubling sizes ``1, 2, 4, ...`` with the last step taking what remains: ``ceil(log2(N+1))`` steps.

    Examples
    --------
    >>> import symsched as ss
    >>> ss.log_schedule(7).sizes, ss.log_schedule(10).sizes
    ((1, 2, 4), (1, 2, 4, 3))
    """
    _check_NK(N, 1, "log_schedule")
    K = int(N).bit_length()  # = ceil(log2(N + 1)), exact
    sizes = [1 << t for t in range(K - 1)]
    sizes.append(N - sum(sizes))
    return Schedule(sizes, N=N, name="log")


# -- Chen, Cong & Li (COLT 2026), Thm 9 ------------------------------------------------------------

def _to_fraction(x: Any, where: str) -> Any:
    """An exact rational for float / int / Fraction / mpf / sympy rational; a sympy number otherwise."""
    if isinstance(x, (bool, np.bool_)):
        raise SymschedError(f"{where}: expected a number, got {x!r}")
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (float, np.floating)):
        if not math.isfinite(x):
            raise SymschedError(f"{where} = {x!r} is not finite")
        return Fraction(float(x))
    if isinstance(x, mpmath.mpf):
        man, exp = x.man_exp
        return Fraction(int(man)) * (Fraction(2) ** int(exp))
    if isinstance(x, sp.Basic):
        if x.free_symbols:
            raise SymschedError(f"{where} = {x} has free symbols; a number is needed")
        if x.is_Rational:
            return Fraction(int(x.p), int(x.q))
        return x
    raise SymschedError(f"{where}: expected a real number, got {type(x).__name__} {x!r}")


#: Largest c_hat / eps accepted by ccl_zeta: beyond 2^53, zeta exceeds any N a schedule can have.
_MAX_ZETA = 2 ** 53


def ccl_zeta(c_hat: Any, eps: Any) -> int:
    """``zeta = 1 + ceil(c_hat / eps)`` of Chen, Cong & Li's Thm 9, with an exact ceiling.

    Examples
    --------
    >>> import symsched as ss
    >>> ss.ccl_zeta(2, 0.5), ss.ccl_zeta(1, 0.25)
    (5, 5)

    Floats are converted to the exact rationals they denote before dividing, so the ceiling never
    suffers from a rounded quotient.
    """
    finite_real(c_hat, "c_hat", "ccl_zeta")  # NaN, complex and symbols are refused here, by name
    finite_real(eps, "eps", "ccl_zeta")
    c = _to_fraction(c_hat, "c_hat")
    e = _to_fraction(eps, "eps")
    if not e > 0:
        raise SymschedError(f"eps must be > 0, got eps = {eps!r}")
    if c < 0:
        raise SymschedError(f"c_hat (an upper estimate of TC or DTC) must be >= 0, got c_hat = {c_hat!r}")
    ratio = c / e
    if ratio > _MAX_ZETA:
        raise SymschedError(f"ccl_zeta: c_hat / eps = {c_hat!r:.30} / {eps!r:.30} is beyond 2^53: zeta would "
                            "exceed every N a schedule can have (any zeta >= N + 1 reveals one token per step); "
                            "check c_hat and eps")
    if isinstance(ratio, Fraction):
        return 1 + math.ceil(ratio)
    return 1 + int(sp.ceiling(sp.nsimplify(ratio) if not isinstance(ratio, sp.Basic) else ratio))


def ccl_lambda(N: int, zeta: int) -> int:
    """``lambda = floor(ln(N - zeta + 1) / ln(1 / (1 - 1/zeta))) + 2`` (for ``2 <= zeta <= N``), exactly.

    The floor is the largest ``m >= 0`` with ``(zeta / (zeta - 1))^m <= N - zeta + 1``, decided in
    integers: ``zeta^m <= (N - zeta + 1) (zeta - 1)^m``.
    """
    N = positive_int(N, "N", "ccl_lambda")
    zeta = positive_int(zeta, "zeta", "ccl_lambda")
    if not 2 <= zeta <= N:
        raise SymschedError(f"ccl_lambda: need 2 <= zeta <= N, got zeta = {zeta}, N = {N}")
    m, L = 0, N - zeta + 1
    while zeta ** (m + 1) <= L * (zeta - 1) ** (m + 1):
        m += 1
    return m + 2


def _check_zeta(N: int, zeta: Any, where: str) -> int:
    _check_NK(N, 1, where)
    if isinstance(zeta, (bool, np.bool_)) or not isinstance(zeta, (int, np.integer)) or zeta < 1:
        raise SymschedError(f"{where}: zeta must be a positive integer (zeta = 1 + ceil(c_hat/eps)), "
                            f"got zeta = {zeta!r}")
    return int(zeta)


def _tc_breakpoints(N: int, zeta: int) -> list:
    if zeta >= N + 1:
        return list(range(N + 1))
    if zeta == 1:
        # c_hat = 0: the estimate says the tokens are independent (TC = 0); one step is exact then.
        return [0, N]
    lam = ccl_lambda(N, zeta)
    s = [0]
    for _ in range(lam):
        s.append(s[-1] + (N - s[-1]) // zeta)
    s.extend(range(s[-1] + 1, N + 1))
    return s


def _dtc_breakpoints(N: int, zeta: int) -> list:
    # The DTC recursion N'_i = ceil(N'_{i-1} (1 - 1/zeta)) is, in integers, the TC recursion on the
    # remaining count R_i = N - N_i (see dtc_schedule_zeta's notes), so its breakpoints are the TC
    # breakpoints mirrored: sizes in reverse order. tests/test_schedules_bounds.py checks it against the
    # recursion itself.
    return [N - s for s in reversed(_tc_breakpoints(N, zeta))]


def _finish_ccl(bps: list, drop_empty: bool, name: str) -> Schedule:
    drop_empty = check_flag(drop_empty, "drop_empty", name)  # "no" is truthy: refused, not obeyed
    sched = Schedule.from_breakpoints(bps, allow_zero=True, name=name)
    return sched.without_empty_steps() if drop_empty else sched


def _ccl_schedule(N: Any, zeta: Any, drop_empty: bool, measure: str) -> Schedule:
    """The CCL ``measure`` ("TC" or "DTC") schedule for a given ``zeta``."""
    zeta = _check_zeta(N, zeta, f"{measure.lower()}_schedule_zeta")
    bps = (_tc_breakpoints if measure == "TC" else _dtc_breakpoints)(N, zeta)
    return _finish_ccl(bps, drop_empty, f"CCL {measure} (zeta={zeta})")


def tc_schedule_zeta(N: int, zeta: int, drop_empty: bool = False) -> Schedule:
    """Chen, Cong & Li's TC schedule (decreasing sizes) for a given ``zeta``.

    ``N_0 = 0``, ``N_i = floor(N_{i-1} + (N - N_{i-1}) / zeta)`` for ``i <= lambda`` (see
    :func:`ccl_lambda`), then steps of one token up to ``N``; sizes are the differences. Zero sizes can
    occur and count as steps (``drop_empty=True`` removes them: same expected KL, fewer steps).
    ``zeta >= N + 1`` gives one token per step; ``zeta = 1`` (``c_hat = 0``) a single step.
    Guarantee (their Thm 9): ``E KL <= TC / (zeta - 1)``, with at most
    ``2 + (1 + ln N) zeta`` steps. All arithmetic is exact integer arithmetic.

    Examples
    --------
    >>> import symsched as ss
    >>> ss.tc_schedule_zeta(13, 3).sizes
    (4, 3, 2, 1, 1, 0, 0, 1, 1)
    """
    return _ccl_schedule(N, zeta, drop_empty, "TC")


def dtc_schedule_zeta(N: int, zeta: int, drop_empty: bool = False) -> Schedule:
    """Chen, Cong & Li's DTC schedule (increasing sizes) for a given ``zeta``.

    ``N'_0 = N``, ``N'_i = ceil(N'_{i-1} (1 - 1/zeta))`` for ``i <= lambda``, then steps of one down to 0;
    the breakpoints are this sequence read in reverse. Guarantee: ``E KL <= DTC / (zeta - 1)``.

    Notes
    -----
    In exact arithmetic this is *always* the TC schedule reversed: with ``R_i = N - N_i`` the TC
    recursion reads ``R_i = R_{i-1} - floor(R_{i-1}/zeta) = ceil(R_{i-1} (1 - 1/zeta))``, the DTC
    recursion. (docs/references.md quotes ``1,1,0,1,1,1,2,2,4`` for ``N = 13, zeta = 3``: that list comes
    from evaluating the ceiling in floating point, where ``9 * (1 - 1/3) = 6.000000000000001``
    rounds up to 7. symsched uses integers: ``1,1,0,0,1,1,2,3,4``.)

    Examples
    --------
    >>> import symsched as ss
    >>> s = ss.dtc_schedule_zeta(13, 3)
    >>> s.sizes, s.sizes == ss.tc_schedule_zeta(13, 3).sizes[::-1]
    ((1, 1, 0, 0, 1, 1, 2, 3, 4), True)
    """
    return _ccl_schedule(N, zeta, drop_empty, "DTC")


def tc_schedule(N: int, c_hat: Any, eps: Any, drop_empty: bool = False) -> Schedule:
    """Chen, Cong & Li's TC schedule for an estimate ``c_hat >= TC`` and a target ``eps``.

    ``zeta = 1 + ceil(c_hat / eps)`` (:func:`ccl_zeta`), then :func:`tc_schedule_zeta`. If
    ``c_hat >= TC`` the schedule's expected KL is at most ``TC / (zeta - 1) <= eps`` (their Thm 9).

    Examples
    --------
    >>> import symsched as ss
    >>> ss.tc_schedule(100, 1.0, 0.25).K     # zeta = 5
    26
    """
    return tc_schedule_zeta(N, ccl_zeta(c_hat, eps), drop_empty)


def dtc_schedule(N: int, c_hat: Any, eps: Any, drop_empty: bool = False) -> Schedule:
    """Chen, Cong & Li's DTC schedule for an estimate ``c_hat >= DTC`` and a target ``eps``
    (``E KL <= DTC / (zeta - 1) <= eps``). See :func:`dtc_schedule_zeta`."""
    return dtc_schedule_zeta(N, ccl_zeta(c_hat, eps), drop_empty)


def ccl_fixed_k_zeta(N: int, K: int) -> int:
    """``zeta = floor((K - 2) / (1 + ln N))``, exactly (``ln N`` is irrational for ``N >= 2``, so a
    50-digit evaluation decides the floor; ``N = 1`` is exact)."""
    _check_NK(N, K, "ccl_fixed_k_zeta", allow_zero=True)
    if K <= 2:
        return 0
    if N == 1:
        return K - 2
    with mpmath.workdps(60):
        return int(mpmath.floor(mpmath.mpf(K - 2) / (1 + mpmath.log(N))))


def ccl_fixed_k_schedule(N: int, K: int, kind: str = "tc", drop_empty: bool = False,
                         fallback: str | None = None) -> Schedule:
    """CCL's construction at fixed K: a knowledge-free deterministic schedule with at most K steps.

    Label: "CCL's construction at fixed K" (docs/references.md, Zhao & Cai section). With
    ``zeta = floor((K - 2) / (1 + ln N))`` (:func:`ccl_fixed_k_zeta`) the TC (``kind="tc"``) or DTC
    (``kind="dtc"``) schedule of Chen, Cong & Li uses at most ``2 + (1 + ln N) zeta <= K`` steps
    (empty steps included) and guarantees ``E KL <= TC / (zeta - 1)`` (resp. ``DTC / (zeta - 1)``).
    It may use fewer than K steps; it is returned as built (splitting a step never increases the
    expected KL, so any padding up to K only helps).

    The guarantee needs ``zeta >= 2``, i.e. ``K >= 2 + 2 (1 + ln N)``. For smaller K a ValueError is
    raised, unless ``fallback="constant"``, which returns :func:`constant_schedule` ``(N, K)`` (no
    guarantee from this construction then).

    Examples
    --------
    >>> import symsched as ss
    >>> s = ss.ccl_fixed_k_schedule(100, 40)      # zeta = floor(38 / 5.605...) = 6
    >>> s.K <= 40, s.name
    (True, 'CCL fixed-K TC (zeta=6)')
    """
    if kind not in ("tc", "dtc"):
        raise SymschedError(f"ccl_fixed_k_schedule: kind must be 'tc' or 'dtc', got {kind!r}")
    check_flag(drop_empty, "drop_empty", "ccl_fixed_k_schedule")
    zeta = ccl_fixed_k_zeta(N, K)
    if zeta < 2:
        if fallback == "constant":
            return constant_schedule(N, min(K, N))
        kmin = 2 + 2 * (1 + math.log(N))
        raise SymschedError(f"ccl_fixed_k_schedule: K = {K} gives zeta = floor((K-2)/(1+ln N)) = {zeta} < 2 for "
                            f"N = {N}; the construction needs K >= {math.ceil(kmin)} (or pass fallback='constant')")
    build = _tc_breakpoints if kind == "tc" else _dtc_breakpoints
    return _finish_ccl(build(N, zeta), drop_empty, f"CCL fixed-K {kind.upper()} (zeta={zeta})")
