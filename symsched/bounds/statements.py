r"""Bounds from the literature on the factorized sampler's error, each stated, sourced and evaluated.

Every function here returns a :class:`Bound`: the value of one published (or symsched-derived)
statement for a given profile / schedule, with the exact statement, its source, its hypotheses and
two flags that say how far the number can be trusted:

``proven``
    True when the statement is a proven inequality on the quantity named in ``target`` (in the cited
    paper, or derived in symsched from the exact identity, which the docstring then proves).
``kind``
    ``"identity"`` (an exact value), ``"upper"`` / ``"lower"`` (a numeric bound), ``"order"`` (an
    :math:`O(\cdot)` / :math:`\Omega(\cdot)` statement whose constant is not known: ``value`` is None
    unless you pass the constant ``C`` yourself, and even then the number is *not* a proven bound),
    or ``"statement"`` (a qualitative fact that gives no number for the factorized sampler).

Conventions (``docs/concepts.md``): profile ``h_0..h_{N-1}``, schedule sizes ``k_1..k_K`` with partial
sums ``s_t``; ``E KL`` means :math:`\mathbb E_\sigma \mathrm{KL}(p\,\|\,q_\sigma)`, whose exact value is the
identity of Chen, Cong & Li :math:`\sum_t k_t h_{s_{t-1}} - H`; ``KL(p||q)`` is the divergence of the
sampler's own (mixture) output law, ``KL(p||q) <= E KL`` by convexity.  Natural logarithms.

The pieces: :class:`Bound` and :data:`SOURCES` live in :mod:`.bound`, the checked profile every
statement is a function of in :mod:`.checked`, Chen, Cong & Li's guarantees in :mod:`.ccl`; this
module keeps every name importable.

What could be read of each source is recorded in :data:`SOURCES` (and, in words, in
``docs/references.md``): where a statement or constant could not be read, the function says so and
takes the unknown as a parameter without a default.

On an estimated profile (``profile.exact`` False: Monte Carlo, data, denoiser) every function works on
the profile's monotone projection and returns a value of type :class:`symsched.results.Estimate`
(``value ± stderr``); see :func:`compare_bounds`.

Examples
--------
>>> import symsched as ss
>>> b = ss.li_cai_bound([0.7, 0.4, 0.1, 0.1], ss.Schedule([2, 2]))
>>> b.kind, b.proven, round(float(b.value), 12)
('upper', True, 0.6)
>>> ss.li_cai_sharp_bound([0.7, 0.4, 0.1, 0.1], ss.Schedule([2, 2])).value  # doctest: +ELLIPSIS
0.6...
"""

from __future__ import annotations

import math
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..values import to_float
from ..errors import SymschedError
from ..results import Estimate
from ..schedules.optimal import optimal_schedule
from ..schedules.schedule import Schedule
from ..validation import finite_real
from .bound import CHECK_RTOL, KINDS, SOURCES, Bound, Source, _fmt, _latex_value, _numeric  # noqa: F401
from .ccl import (ccl_austin_steps, ccl_dtc_guarantee, ccl_fixed_k_guarantee, ccl_log_lower_bound,
                  ccl_step_bound, ccl_tc_guarantee)
from .checked import CheckedProfile, _check_N, _ekl_coeffs, _scale, is_estimate  # noqa: F401

__all__ = [
    "Source", "Bound", "SOURCES",
    "identity_bound", "nonnegativity_bound", "tc_bound", "optimal_lower_bound", "convexity_bound",
    "li_cai_bound", "li_cai_sharp_bound", "lavenant_zanella_constant_bound",
    "ccl_tc_guarantee", "ccl_dtc_guarantee", "ccl_step_bound", "ccl_fixed_k_guarantee", "ccl_austin_steps",
    "ccl_log_lower_bound",
    "zhao_cai_rate", "liang_fhs_statement", "liang_euler_rate", "pinsker_tv", "pinsker_bound",
]


# ---------------------------------------------------------------------------------------------
# the identity and general facts


def identity_bound(profile: Any, schedule: Any) -> Bound:
    r"""The exact expected KL (Chen, Cong & Li, Thm 4/16): an identity, not a bound.

    .. math:: \mathbb E_\sigma \mathrm{KL}(p\,\|\,q_\sigma) = \sum_t k_t h_{s_{t-1}} - H
       = \sum_t \sum_{m=s_{t-1}}^{s_t-1} (h_{s_{t-1}} - h_m),

    the L1 error of the left step approximation of the profile on the schedule's nodes.  No assumption
    on the distribution; exact conditionals.

    Examples
    --------
    >>> import symsched as ss
    >>> round(ss.identity_bound([0.7, 0.4, 0.1], [1, 2]).value, 12)
    0.3
    """
    cp = CheckedProfile.of(profile)
    prof, sched = cp.prof, cp.schedule(schedule, "identity_bound")
    return Bound(
        "exact identity" if not cp.estimated else "identity (estimated)", "identity", "E KL",
        statement=r"\mathbb{E}_\sigma \mathrm{KL}(p\|q_\sigma) = \sum_{t=1}^K k_t h_{s_{t-1}} - H",
        source=SOURCES["CCL"], where="Thm 4 / Thm 16",
        hypotheses=("exact conditionals", "any distribution, any schedule"),
        proven=True, value=cp.identity(sched), parameters={"N": prof.N, "K": sched.K})


def nonnegativity_bound(profile: Any, schedule: Any) -> Bound:
    r"""``E KL >= 0``, with equality for ``K = N`` (all sizes one): a KL divergence is non-negative."""
    cp = CheckedProfile.of(profile)
    prof, sched = cp.prof, cp.schedule(schedule, "nonnegativity_bound")
    zero = prof.arithmetic.zero if prof.precision != "float" else 0.0
    return Bound("E KL >= 0", "lower", "E KL", statement=r"\mathbb{E}_\sigma \mathrm{KL} \ge 0",
                 source=SOURCES["SYMSCHED"], where="",
                 hypotheses=("none",), proven=True, value=cp.finish(zero), parameters={"N": prof.N, "K": sched.K})


def tc_bound(profile: Any, schedule: Any) -> Bound:
    r"""``E KL <= TC`` for every schedule, with equality for ``K = 1``.

    Proof (from the identity): ``h`` is non-increasing, so ``h_{s_{t-1}} <= h_0`` and
    :math:`\sum_t k_t h_{s_{t-1}} - H \le N h_0 - H = \sum_i H(X_i) - H = \mathrm{TC}`; with one step
    the inequality is an equality.

    Examples
    --------
    >>> import symsched as ss
    >>> round(ss.tc_bound([0.7, 0.4, 0.1], [3]).value, 12)
    0.9
    """
    cp = CheckedProfile.of(profile)
    prof, sched = cp.prof, cp.schedule(schedule, "tc_bound")
    return Bound("E KL <= TC", "upper", "E KL", statement=r"\mathbb{E}_\sigma \mathrm{KL} \le \mathrm{TC} = N h_0 - H",
                 source=SOURCES["SYMSCHED"], where="", hypotheses=("exact conditionals", "any schedule"), proven=True,
                 value=cp.tc, parameters={"N": prof.N, "K": sched.K},
                 note="equality for K = 1 (one step reveals everything independently)")


def optimal_lower_bound(profile: Any, K: int) -> Bound:
    r"""``E KL >= min over K-step schedules``: the exact optimum (``optimal_schedule(profile, K).kl``).

    Any schedule with ``K`` non-empty steps is one of the schedules the optimum ranges over, so its
    ``E KL`` is at least the optimum (Chen, Cong & Li: the optimal schedule is the best ``K``-step
    left-step approximation of the profile).
    """
    cp = CheckedProfile.of(profile)
    prof = cp.prof
    if isinstance(K, bool) or not isinstance(K, (int, np.integer)) or not 1 <= K:
        raise SymschedError(f"optimal_lower_bound: K must be a positive integer, got {K!r}")
    K = min(int(K), prof.N)  # more than N steps cannot do better than N steps (error 0)
    opt = optimal_schedule(prof, K)
    return Bound(f"optimal {K}-step schedule", "lower", "E KL",
                 statement=r"\mathbb{E}_\sigma \mathrm{KL}(k) \ge \min_{|k'| = K} \mathbb{E}_\sigma \mathrm{KL}(k')",
                 source=SOURCES["CCL"], where="optimal schedule = best K-step approximation",
                 hypotheses=("exact conditionals",),
                 proven=True, value=cp.with_stderr(opt.kl, _ekl_coeffs(prof.N, opt.sizes), "optimal E KL"),
                 parameters={"N": prof.N, "K": K, "optimal_sizes": tuple(opt.sizes)},
                 note=f"optimal sizes {tuple(opt.sizes) if len(opt.sizes) <= 12 else '(...)'}")


def convexity_bound(profile: Any, schedule: Any) -> Bound:
    r"""``KL(p || q) <= E_sigma KL(p || q_sigma)``: the sampler's output law ``q = E_sigma q_sigma``.

    KL is jointly convex, hence convex in its second argument; Jensen's inequality over the random
    order gives the bound, often strictly (the 5-variable network of ``make demo`` with sizes (2, 3):
    0.130 vs 0.325 nats, both by enumeration of every order).
    """
    cp = CheckedProfile.of(profile)
    prof, sched = cp.prof, cp.schedule(schedule, "convexity_bound")
    return Bound("KL(p||q) <= E KL (convexity)", "upper", "KL(p||q)",
                 statement=r"\mathrm{KL}(p\|\mathbb{E}_\sigma q_\sigma) \le \mathbb{E}_\sigma \mathrm{KL}(p\|q_\sigma)",
                 source=SOURCES["CCL"], where="sampler's law vs the identity", hypotheses=("exact conditionals",),
                 proven=True,
                 value=cp.identity(sched), parameters={"N": prof.N, "K": sched.K})


# ---------------------------------------------------------------------------------------------
# Li & Cai


def _kmax(sched: Schedule) -> int:
    return max(sched.sizes)


def li_cai_bound(profile: Any, schedule: Any, eps_train: Any = 0) -> Bound:
    r"""Li & Cai (2025): ``E KL <= (2^{ceil(log2 k_max)} - 1)(h_0 - h_{N-1}) + eps_train``.

    Statement (read through Chen, Cong & Li's restatement), for any sizes:

    .. math:: \mathbb E\,\mathrm{KL} \le \bigl(2^{\lceil \log_2 k_{\max} \rceil} - 1\bigr)\,
       \frac1N \sum_i I(X_i; X_{-i}) + \varepsilon_{\rm train},
       \qquad \frac1N \sum_i I(X_i; X_{-i}) = h_0 - h_{N-1}.

    With exact conditionals ``eps_train = 0`` (the default here is that setting, not a guessed
    constant: pass the training error of an approximate model explicitly).  Balanced sizes give
    ``O(1/K)`` times ``sum_i I(X_i; X_{-i})``.  The exact form of their lower bound could not be read
    and is not reproduced.  Implied by :func:`li_cai_sharp_bound` since ``2^{ceil(log2 k)} >= k``.
    symsched checks it against the order-averaged ``E KL`` (the identity); since the output law's
    ``KL(p||q) <= E KL``, it then holds for ``KL(p||q)`` as well, whichever of the two the paper bounds.

    Parameters
    ----------
    eps_train : number
        Training (conditional-estimation) error term; ``0`` for exact conditionals.
    """
    cp = CheckedProfile.of(profile)
    prof, sched = cp.prof, cp.schedule(schedule, "li_cai_bound")
    kmax = _kmax(sched)
    factor = (1 << (kmax - 1).bit_length()) - 1  # 2^{ceil(log2 kmax)} - 1, exact in integers
    value = _scale(cp.range, factor)
    eps = finite_real(eps_train, "eps_train (the training error of the conditionals; 0 for exact ones)",
                      "li_cai_bound", nonnegative=True)
    if eps_train != 0:
        if isinstance(value, Estimate):
            value = Estimate(value.value + eps, value.stderr, value.what)
        else:
            value = value + (prof.arithmetic.convert(eps_train, "eps_train") if prof.precision != "float"
                             else eps)
    return Bound("Li & Cai", "upper", "E KL",
                 statement=r"\mathbb{E}\,\mathrm{KL} \le (2^{\lceil \log_2 k_{\max} \rceil} - 1)(h_0 - h_{N-1})"
                 r" + \varepsilon_{\mathrm{train}}",
                 source=SOURCES["LI_CAI"], where="main upper bound (as restated by Chen, Cong & Li)",
                 hypotheses=("any sizes", "eps_train = 0 with exact conditionals"), proven=True, value=value,
                 parameters={"N": prof.N, "K": sched.K, "k_max": kmax, "factor": factor, "eps_train": eps_train})


def li_cai_sharp_bound(profile: Any, schedule: Any) -> Bound:
    r"""``E KL <= (k_max - 1)(h_0 - h_{N-1})``: Li & Cai's bound sharpened through the identity.

    Derived in symsched (docs/references.md notes it follows at once from Chen, Cong & Li's identity); it
    implies Li & Cai's bound since ``k_max <= 2^{ceil(log2 k_max)}``.  Proof: the block cost
    :math:`w(a,b) = \sum_{j=a}^{b-1}(h_a - h_j)` has a zero term ``j = a`` and every other term at most
    ``h_a - h_{b-1}`` (``h`` non-increasing), so ``w(a, b) <= (b - a - 1)(h_a - h_{b-1})``.  Summing over
    blocks, ``sum_t (k_t - 1)(h_{s_{t-1}} - h_{s_t - 1}) <= (k_max - 1) sum_t (h_{s_{t-1}} - h_{s_t - 1})``,
    and the last sum runs over disjoint ordered intervals of a non-increasing sequence, so it is at
    most ``h_0 - h_{N-1}`` (the dropped gaps ``h_{s_t - 1} - h_{s_t}`` are >= 0).  Empty steps cost 0.

    When it is tight: equality holds for a single drop, ``h = (h_0, c, ..., c)`` (e.g. the copy
    model), when the first step is a largest one (``k_1 = k_max``): both sides are
    ``(k_1 - 1)(h_0 - c)``.  It is *not* tight for smooth profiles: for a linear profile with constant
    sizes ``E KL / bound = N / (2(N - 1))``, which tends to 1/2.

    Examples
    --------
    >>> import symsched as ss
    >>> b = ss.li_cai_sharp_bound([0.7, 0.0, 0.0, 0.0], [2, 2])  # a single drop: equality
    >>> round(float(b), 12), round(float(ss.expected_kl([0.7, 0.0, 0.0, 0.0], [2, 2])), 12)
    (0.7, 0.7)
    """
    cp = CheckedProfile.of(profile)
    prof, sched = cp.prof, cp.schedule(schedule, "li_cai_sharp_bound")
    kmax = _kmax(sched)
    return Bound("(k_max - 1)(h_0 - h_{N-1})", "upper", "E KL",
                 statement=r"\mathbb{E}_\sigma\mathrm{KL} \le (k_{\max} - 1)(h_0 - h_{N-1})",
                 source=SOURCES["SYMSCHED"], where="sharpening of Li & Cai via the CCL identity",
                 hypotheses=("exact conditionals",),
                 proven=True, value=_scale(cp.range, kmax - 1), parameters={"N": prof.N, "K": sched.K, "k_max": kmax},
                 note="derived in symsched from Chen, Cong & Li's identity; implies Li & Cai's bound")


# ---------------------------------------------------------------------------------------------
# Lavenant & Zanella (derived in symsched)


def lavenant_zanella_constant_bound(profile: Any, schedule: Any) -> Bound:
    r"""Constant schedule, ``K | N``: ``E KL <= (N/K - 1)(h_0 - h_{N-1})`` — dimension-free.

    Derived in symsched, following Lavenant & Zanella (the statement of the paper is not available:
    only its abstract — "bounds that depend only on the average number of tokens per step, independent
    of the sequence length" — could be read, and no formula of theirs is reproduced here).  What the
    identity proves: with all sizes equal to ``N/K``, :func:`li_cai_sharp_bound` reads
    ``(N/K - 1)(h_0 - h_{N-1})``, which depends on ``N`` only through ``N/K`` and on the distribution
    only through the profile's range ``h_0 - h_{N-1} <= h_0 <= max_i ln|X_i|``.  It is an equality for
    a single drop ``h = (h_0, c, ..., c)`` (the copy model); for a linear profile the exact value is
    ``N / (2(N - 1))`` times the bound (tending to 1/2).  The continuum leading term ``(N/K) ½∫ f κ - ½Δ`` lives in
    :mod:`symsched.continuum`.

    Raises
    ------
    SymschedError
        If the schedule is not constant (all sizes ``N/K``).
    """
    cp = CheckedProfile.of(profile)
    prof, sched = cp.prof, cp.schedule(schedule, "lavenant_zanella_constant_bound")
    if len(set(sched.sizes)) != 1:
        raise SymschedError(f"lavenant_zanella_constant_bound: needs a constant schedule (all sizes N/K with K | N), "
                            f"got sizes {tuple(sched.sizes) if sched.K <= 20 else '(...)'}")
    r = sched.sizes[0]
    return Bound("constant schedule, (N/K - 1)(h_0 - h_{N-1})", "upper", "E KL",
                 statement=r"\mathbb{E}_\sigma\mathrm{KL} \le \left(\tfrac{N}{K} - 1\right)(h_0 - h_{N-1})",
                 source=SOURCES["LZ"], where="derived in symsched (statement of the paper not available)",
                 hypotheses=("constant schedule, K divides N", "exact conditionals"), proven=True,
                 value=_scale(cp.range, r - 1), parameters={"N": prof.N, "K": sched.K, "N/K": r},
                 note="derived in symsched, following Lavenant & Zanella (statement of the paper not available); "
                      "dimension-free: depends on N/K and the profile's range only")


# ---------------------------------------------------------------------------------------------
# Zhao & Cai, Liang et al.


def zhao_cai_rate(profile: Any, K: int, measure: str = "TC", C: Any = None, log_exponent: Any = None,
                  log_of: str | None = None) -> Bound:
    r"""Zhao & Cai (2026): randomized sizes with ``E KL = O~(TC/K)`` (resp. ``O~(DTC/K)``) for ``K < N``.

    Only the abstract could be read: the law of the randomized sizes, the constant and the
    polylogarithmic factor hidden in ``O~`` are unknown.  ``rate = TC/K`` (resp. ``DTC/K``).  A number
    is produced only if you supply all of: ``C`` (the constant), ``log_exponent`` ``a`` and ``log_of``
    (``"N"`` or ``"K"``, the argument of the logarithm), giving ``C (ln x)^a TC/K``; it is still not a
    proven bound.  For a proven, knowledge-free deterministic comparison see
    :func:`ccl_fixed_k_guarantee`.
    """
    cp = CheckedProfile.of(profile)
    prof = cp.prof
    if measure not in ("TC", "DTC"):
        raise SymschedError(f"zhao_cai_rate: measure must be 'TC' or 'DTC', got {measure!r}")
    _check_N(K, "zhao_cai_rate (K)")
    if int(K) >= prof.N:  # accepted before with a note; the statement says nothing there (K = N is exact)
        raise SymschedError(f"zhao_cai_rate: K = {K} steps for N = {prof.N} tokens; the statement is for K < N "
                            "(with K = N steps of one token the sampler is exact)")
    c = _numeric(prof.total_correlation if measure == "TC" else prof.dual_total_correlation, measure)
    rate = None if c is None else c / int(K)
    value = None
    if C is not None and log_exponent is not None and log_of is not None and rate is not None:
        if log_of not in ("N", "K"):
            raise SymschedError(f"zhao_cai_rate: log_of must be 'N' or 'K', got {log_of!r}")
        x = prof.N if log_of == "N" else int(K)
        value = to_float(C, "C") * math.log(x) ** to_float(log_exponent, "log_exponent") * rate
    note = "order statement, constant and log factor unknown: rate only unless C, log_exponent, log_of are given"
    return Bound(f"Zhao & Cai O~({measure}/K)", "order", "E KL (randomized sizes)",
                 statement=rf"\mathbb{{E}}\,\mathrm{{KL}} = \widetilde{{O}}(\mathrm{{{measure}}}/K)",
                 source=SOURCES["ZHAO_CAI"], where="abstract",
                 hypotheses=("randomized unmasking sizes (law not readable)", "K < N"),
                 proven=False, value=value, rate=rate,
                 parameters={"N": prof.N, "K": int(K), "C": C, "log_exponent": log_exponent,
                                                 "log_of": log_of}, note=note)


def liang_fhs_statement() -> Bound:
    r"""Liang, Tan, Shroff & Liang (2026): the First-Hitting Sampler has no error beyond the score error.

    With exact conditionals (zero score error) this says ``TV(p, q_FHS) = 0``: FHS reveals one token
    at a time at the first hitting times of the continuous-time chain, so it samples ``p`` exactly —
    a checkable statement (``symsched.samplers`` tests it).  It is about a different sampler, so it
    says nothing about the factorized sampler's KL: ``kind="statement"``, no value.
    """
    return Bound("Liang et al.: FHS exact", "statement", "TV(p, q_FHS)",
                 statement=r"\mathrm{TV}(p, q_{\mathrm{FHS}}) \le (\text{score error}) = 0"
                 r" \text{ with exact conditionals}",
                 source=SOURCES["LIANG"], where="abstract", hypotheses=("first-hitting sampler", "exact conditionals"),
                 proven=False, value=None,
                 note="not applicable to the factorized sampler's KL; with exact conditionals FHS samples p "
                      "exactly (TV = 0), checked in symsched.samplers")


def liang_euler_rate(N: int, K: int) -> Bound:
    r"""Liang, Tan, Shroff & Liang (2026): TV bound of the Euler (tau-leaping) sampler, tight in ``d`` and ``eps``.

    Only the abstract could be read: the rate's form and constants are unknown, so this row carries no
    value and no rate; ``parameters`` records ``d = N`` and the step count for reference.  symsched
    measures the Euler sampler's exact TV against its step count instead (``symsched.samplers``).
    """
    _check_N(N, "liang_euler_rate")
    _check_N(K, "liang_euler_rate (K)")
    return Bound("Liang et al.: Euler TV rate", "order", "TV(p, q_Euler)",
                 statement=r"\mathrm{TV}(p, q_{\mathrm{Euler}}) \text{: upper and matching lower bound in }"
                 r" d, \varepsilon",
                 source=SOURCES["LIANG"], where="abstract",
                 hypotheses=("Euler / tau-leaping sampler", "rate and constants not readable"),
                 proven=False, value=None, rate=None, parameters={"d": int(N), "steps": int(K)},
                 note="rate and constants could not be read; not applicable to the factorized sampler's KL")


# ---------------------------------------------------------------------------------------------
# Pinsker


def pinsker_tv(kl: Any) -> Any:
    r"""Pinsker's inequality with the trivial cap: ``TV(p, q) <= min(1, sqrt(KL(p || q) / 2))`` (KL in nats).

    A total variation distance never exceeds 1, so the bound is capped there: at ``KL >= 2`` Pinsker
    says nothing more, and an infinite KL (``q`` misses part of ``p``'s support) gives 1 rather than an
    infinite "bound".  Exact for sympy input (``Min(1, sqrt(KL/2))`` when ``KL`` is a symbol), mpmath for
    mpf input, float otherwise; NaN, complex and negative values are refused.  For an
    :class:`~symsched.results.Estimate` ``v ± s`` of the KL the result is an estimate too, with
    standard error ``min(1, sqrt((v + s)/2)) - min(1, sqrt(v/2))``: the image of the one-sigma step, which
    stays finite at ``v = 0`` where the delta method's ``s / (2 sqrt(2 v))`` does not.

    Examples
    --------
    >>> import symsched as ss
    >>> ss.pinsker_tv(0.5)
    0.5
    >>> ss.pinsker_tv(float("inf")), ss.pinsker_tv(8.0)     # TV <= 1 always
    (1.0, 1.0)
    """
    if isinstance(kl, Estimate):
        v = max(kl.value, 0.0)
        tv = min(1.0, math.sqrt(v / 2))
        return Estimate(tv, min(1.0, math.sqrt((v + kl.stderr) / 2)) - tv,
                        f"TV bound from {kl.what or 'a KL estimate'}")
    if isinstance(kl, sp.Basic):
        if kl == sp.oo:
            return sp.Integer(1)
        if kl is sp.nan or kl.is_extended_real is False or kl.is_infinite or kl.is_negative:
            raise SymschedError(f"pinsker_tv: KL must be a real number >= 0, got {kl}")
        if not kl.free_symbols and to_float(kl, "pinsker_tv: KL") < 0:
            raise SymschedError(f"pinsker_tv: KL must be >= 0, got {kl}")
        return sp.Min(sp.Integer(1), sp.sqrt(kl / 2))
    if isinstance(kl, mpmath.mpf):
        if mpmath.isnan(kl) or kl < 0:
            raise SymschedError(f"pinsker_tv: KL must be a number >= 0, got {kl}")
        return min(mpmath.mpf(1), mpmath.sqrt(kl / 2))
    v = to_float(kl, "pinsker_tv: KL")
    if math.isnan(v):
        raise SymschedError(f"pinsker_tv: KL must be a number >= 0, got {kl!r} (NaN)")
    if v < 0:
        if v > -1e-12:  # float rounding of an exact zero
            return 0.0
        raise SymschedError(f"pinsker_tv: KL must be >= 0, got {kl!r}")
    return min(1.0, math.sqrt(v / 2))


def pinsker_bound(kl: Any, of: str = "KL(p||q)") -> Bound:
    r"""``TV(p, q) <= min(1, sqrt(KL/2))`` as a :class:`Bound`, from a KL value (exact mixture KL, or ``E KL``).

    Since ``KL(p||q) <= E KL``, ``sqrt(E KL / 2)`` also bounds the sampler's TV; the cap at 1 is the
    trivial bound (see :func:`pinsker_tv`).
    """
    return Bound("Pinsker", "upper", "TV(p,q)",
                 statement=r"\mathrm{TV}(p,q) \le \min\{1, \sqrt{\mathrm{KL}(p\|q)/2}\}",
                 source=SOURCES["PINSKER"], where="", hypotheses=("KL in nats",), proven=True, value=pinsker_tv(kl),
                 parameters={"from": of},
                 note=f"from {of}")
