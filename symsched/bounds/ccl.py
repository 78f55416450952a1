"""Chen, Cong & Li (COLT 2026): the TC / DTC schedules' guarantees and their step counts.

What could be read of the paper and what each statement is: ``docs/references.md``.
"""

from __future__ import annotations

import math
from typing import Any

import sympy as sp

from ..values import to_float
from ..errors import SymschedError
from ..schedules.families import ccl_fixed_k_zeta, ccl_zeta
from ..validation import finite_real
from .bound import CHECK_RTOL, SOURCES, Bound, _fmt, _numeric
from .checked import CheckedProfile, _check_N, _scale

__all__ = ["ccl_tc_guarantee", "ccl_dtc_guarantee", "ccl_step_bound", "ccl_fixed_k_guarantee", "ccl_austin_steps",
           "ccl_log_lower_bound"]


def _ccl_zeta_positive(c_hat: Any, eps: Any, where: str) -> int:
    zeta = ccl_zeta(c_hat, eps)  # exact ceiling (symsched.schedules.families)
    if zeta < 2:
        raise SymschedError(f"{where}: c_hat must be > 0 (got c_hat = {c_hat!r}); with c_hat = 0 the schedule is a "
                            "single step, whose expected KL is TC exactly")
    return zeta


def _ccl_guarantee(profile: Any, c_hat: Any, eps: Any, measure: str) -> Bound:
    cp = CheckedProfile.of(profile)
    prof = cp.prof
    zeta = _ccl_zeta_positive(c_hat, eps, f"ccl_{measure.lower()}_guarantee")
    c = cp.tc if measure == "TC" else cp.dtc
    value = _scale(c, sp.Rational(1, zeta - 1))
    cf = _numeric(c, measure)
    covers = None if cf is None else (to_float(c_hat) >= cf - CHECK_RTOL * max(1.0, cf))
    shape = "decreasing" if measure == "TC" else "increasing"
    note = (f"zeta = {zeta}; applies to the CCL {measure} schedule built from (N = {prof.N}, c_hat, eps), "
            f"not to an arbitrary schedule. ")
    if covers is True:
        note += f"c_hat >= {measure}, so the bound is <= eps = {_fmt(eps)}."
    elif covers is False:
        note += f"c_hat < {measure}: the bound {measure}/(zeta - 1) still holds, but it may exceed eps."
    return Bound(f"CCL {measure} schedule guarantee", "upper", f"E KL of the CCL {measure} schedule",
                 statement=rf"\mathbb{{E}}_\sigma\mathrm{{KL}} \le \frac{{\mathrm{{{measure}}}}}{{\zeta - 1}}"
                 rf" \le \varepsilon,"
                 rf"\quad \zeta = 1 + \lceil \hat c / \varepsilon \rceil",
                 source=SOURCES["CCL"], where="Thm 9 and its appendix construction",
                 hypotheses=(f"schedule = CCL {measure} schedule ({shape} sizes) for (N, c_hat, eps)",
                  f"the '<= eps' part needs c_hat >= {measure}", "exact conditionals"),
                 proven=True, value=value, parameters={"N": prof.N, "c_hat": c_hat, "eps": eps, "zeta": zeta},
                 note=note)


def ccl_tc_guarantee(profile: Any, c_hat: Any, eps: Any) -> Bound:
    r"""Chen, Cong & Li, Thm 9: the TC schedule has ``E KL <= TC/(zeta - 1) <= eps`` (if ``c_hat >= TC``).

    ``zeta = 1 + ceil(c_hat/eps)``; the schedule (decreasing sizes) is
    :func:`symsched.schedules.families.tc_schedule`.  ``TC/(zeta - 1) <= TC eps / c_hat <= eps`` when
    ``c_hat >= TC``.  The value returned is ``TC/(zeta - 1)``: it bounds the TC schedule whatever ``c_hat``.
    """
    return _ccl_guarantee(profile, c_hat, eps, "TC")


def ccl_dtc_guarantee(profile: Any, c_hat: Any, eps: Any) -> Bound:
    r"""Chen, Cong & Li, Thm 9: the DTC schedule has ``E KL <= DTC/(zeta - 1) <= eps`` (if ``c_hat >= DTC``).

    Same ``zeta``; the schedule has increasing sizes (:func:`symsched.schedules.families.dtc_schedule`).
    """
    return _ccl_guarantee(profile, c_hat, eps, "DTC")


def ccl_step_bound(N: int, c_hat: Any, eps: Any) -> Bound:
    r"""Chen, Cong & Li, Thm 9: the TC / DTC schedules take at most ``2 + (1 + ln N)(1 + ceil(c_hat/eps))`` steps.

    Empty steps count as steps.  Exact value ``2 + (1 + log N) zeta`` as a sympy expression; use
    :meth:`Bound.numeric` for a float.

    Examples
    --------
    >>> import symsched as ss
    >>> b = ss.ccl_step_bound(100, 0.4, 0.1)
    >>> b.parameters["zeta"], round(b.numeric(), 4)
    (5, 30.0259)
    """
    _check_N(N, "ccl_step_bound")
    zeta = _ccl_zeta_positive(c_hat, eps, "ccl_step_bound")
    value = 2 + (1 + sp.log(int(N))) * zeta
    return Bound("CCL step count", "upper", "steps of the CCL TC / DTC schedule",
                 statement=r"K \le 2 + (1 + \ln N)\left(1 + \lceil \hat c/\varepsilon \rceil\right)",
                 source=SOURCES["CCL"], where="Thm 9",
                 hypotheses=("schedule = CCL TC or DTC schedule for (N, c_hat, eps)",
                                           "empty steps counted"),
                 proven=True, value=value, parameters={"N": int(N), "c_hat": c_hat, "eps": eps, "zeta": zeta})


def ccl_fixed_k_guarantee(profile: Any, K: int) -> Bound:
    r"""Knowledge-free deterministic schedule at fixed ``K`` (the comparison for Zhao & Cai).

    Chen, Cong & Li's TC construction with ``zeta = floor((K - 2)/(1 + ln N))`` needs no knowledge of
    the distribution, has at most ``K`` steps, and by their Thm 9 satisfies ``E KL <= TC/(zeta - 1)``
    (the guarantee holds for every ``zeta >= 2`` whatever ``c_hat``; refining a schedule to use all
    ``K`` steps can only lower ``E KL``).  Labelled as such: this is symsched's concrete comparison
    point for Zhao & Cai's ``O~(TC/K)``, whose own size law could not be read.  Needs ``zeta >= 2``,
    i.e. ``K >= 2 + 2(1 + ln N)``; otherwise ``value`` is None with a note.
    """
    cp = CheckedProfile.of(profile)
    prof = cp.prof
    zeta = ccl_fixed_k_zeta(prof.N, K)
    tc = cp.tc
    if zeta < 2:
        value, note = None, (f"not applicable: zeta = floor((K-2)/(1+ln N)) = {zeta} < 2 "
                             f"(needs K >= 2 + 2(1 + ln N) = {2 + 2 * (1 + math.log(prof.N)):.3g})")
    else:
        value = _scale(tc, sp.Rational(1, zeta - 1))
        note = (f"zeta = {zeta}; CCL's TC construction at fixed K (knowledge-free), the deterministic "
                "comparison for Zhao & Cai")
    return Bound(f"CCL TC construction at K = {K}", "upper", "E KL of the CCL fixed-K schedule",
                 statement=r"\mathbb{E}_\sigma\mathrm{KL} \le \frac{\mathrm{TC}}{\zeta - 1},\quad"
                 r" \zeta = \left\lfloor \frac{K - 2}{1 + \ln N} \right\rfloor",
                 source=SOURCES["CCL"], where="Thm 9 at fixed K (comparison for Zhao & Cai)",
                 hypotheses=("schedule = CCL TC construction with this zeta (<= K steps)", "zeta >= 2",
                             "exact conditionals"),
                 proven=True, value=value, parameters={"N": prof.N, "K": int(K), "zeta": zeta}, note=note)


def ccl_austin_steps(profile: Any, eps: Any, C: Any = None) -> Bound:
    r"""Chen, Cong & Li: ``K <~ ceil(sqrt(DTC N / eps))`` steps suffice (Austin-type bound; constant not given).

    An ``O(·)`` statement: ``rate = ceil(sqrt(DTC·N/eps))``; ``value = C·rate`` only when you pass ``C``
    (the paper's constant could not be read: no default), and even then it is not a proven bound.
    """
    cp = CheckedProfile.of(profile)
    prof = cp.prof
    e = finite_real(eps, "eps", "ccl_austin_steps", positive=True)
    dtc = _numeric(prof.dual_total_correlation, "DTC")
    rate = None if dtc is None else math.ceil(math.sqrt(dtc * prof.N / e))
    c = None if C is None else finite_real(C, "C", "ccl_austin_steps")
    value = None if (c is None or rate is None) else c * rate
    if value is not None and not math.isfinite(value):
        raise SymschedError(f"ccl_austin_steps: C = {C!r} times the rate {rate} overflows a float")
    return Bound("CCL Austin-type step count", "order", "steps for E KL <= eps",
                 statement=r"K \lesssim \left\lceil \sqrt{\mathrm{DTC}\, N / \varepsilon} \right\rceil",
                 source=SOURCES["CCL"], where="Austin-type bound", hypotheses=("constant not given in the paper",),
                 proven=False, value=value, rate=rate,
                 parameters={"N": prof.N, "eps": eps, "C": C},
                 note="order statement, constant unknown: rate only unless C is given (never a proven bound)")


def ccl_log_lower_bound(N: int, C: Any = None) -> Bound:
    r"""Chen, Cong & Li: ``Omega(log N)`` steps are necessary for some distributions (constant not given).

    ``rate = ln N``; ``value = C ln N`` only with a user-supplied ``C``.  It concerns a family of
    distributions, not the model at hand, so it never "holds" or fails on one model.
    """
    _check_N(N, "ccl_log_lower_bound")
    value = None if C is None else finite_real(C, "C", "ccl_log_lower_bound") * math.log(N)
    return Bound("CCL log N lower bound", "order", "steps needed (some distributions)",
                 statement=r"K = \Omega(\log N) \text{ for some distributions}", source=SOURCES["CCL"],
                 where="lower bound",
                 hypotheses=("worst case over a family of distributions", "constant not given"), proven=False,
                 value=value,
                 rate=math.log(N), parameters={"N": int(N), "C": C},
                 note="rate only: a worst-case statement over distributions, not about this model")
