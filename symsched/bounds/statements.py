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
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Mapping, Sequence

import mpmath
import numpy as np
import sympy as sp

from ..arithmetic import is_symbolic_value, to_float
from ..errors import SymschedError
from ..info.profile import InformationProfile, as_profile
from ..formatting import estimate_digits, format_value, latex_number
from ..results import Estimate, Result
from ..schedules.kl import expected_kl
from ..schedules.families import ccl_fixed_k_zeta, ccl_zeta
from ..schedules.optimal import optimal_schedule
from ..schedules.schedule import Schedule, as_schedule
from ..validation import finite_real

__all__ = [
    "Source", "Bound", "SOURCES",
    "identity_bound", "nonnegativity_bound", "tc_bound", "optimal_lower_bound", "convexity_bound",
    "li_cai_bound", "li_cai_sharp_bound", "lavenant_zanella_constant_bound",
    "ccl_tc_guarantee", "ccl_dtc_guarantee", "ccl_step_bound", "ccl_fixed_k_guarantee", "ccl_austin_steps",
    "ccl_log_lower_bound",
    "zhao_cai_rate", "liang_fhs_statement", "liang_euler_rate", "pinsker_tv", "pinsker_bound",
]

KINDS = ("identity", "upper", "lower", "order", "statement")

#: Relative tolerance of :meth:`Bound.check` on float comparisons (values are sums of O(N) terms).
CHECK_RTOL = 1e-9


@dataclass(frozen=True, repr=False)
class Source(Result):
    """A reference: who, what, when, where in the paper, and how much of it could be read.

    The same sources, in words, with what each statement is: ``docs/references.md``.
    """

    _fields = ("key", "authors", "title", "year", "venue", "read")
    _repr_fields = ("key", "year")

    key: str
    authors: str
    title: str
    year: int | None
    venue: str = ""
    read: str = ""

    def cite(self, where: str = "") -> str:
        """Short citation, e.g. ``"Chen, Cong & Li (2026), Thm 4/16"``."""
        base = self.authors if self.year is None else f"{self.authors} ({self.year})"
        return f"{base}, {where}" if where else base


#: The sources symsched reproduces, with how much of each could be read (docs/references.md).
SOURCES: dict = {
    "CCL": Source("CCL", "Chen, Cong & Li", "Optimal Inference Schedules for Masked Diffusion Models", 2026,
                  "COLT 2026 (PMLR vol. 336)", "read in full"),
    "LI_CAI": Source("LI_CAI", "Li & Cai",
                     "A Convergence Theory for Diffusion Language Models: An Information-Theoretic Perspective "
                     "(revised as: Breaking AR's Sampling Bottleneck: Provable Acceleration via Diffusion "
                     "Language Models)", 2025, "arXiv:2505.21400",
                     "read through Chen, Cong & Li's restatement; the lower bound's exact form was not read"),
    "LZ": Source("LZ", "Lavenant & Zanella",
                 "Error Bounds and Optimal Schedules for Masked Diffusions with Factorized Approximations", 2025,
                 "arXiv:2510.25544", "abstract and secondary summaries only"),
    "ZHAO_CAI": Source("ZHAO_CAI", "Zhao & Cai", "Adaptation to Intrinsic Dependence in Diffusion Language Models",
                       2026, "arXiv:2602.20126", "abstract only"),
    "LIANG": Source("LIANG", "Liang, Tan, Shroff & Liang", "Sharp Convergence Rates for Masked Diffusion Models",
                    2026, "arXiv:2602.22505", "abstract only"),
    "SYMSCHED": Source("SYMSCHED", "symsched", "derived in symsched from the exact identity (proof in the docstring)",
                       None, "", "derivation in this module"),
    "PINSKER": Source("PINSKER", "Pinsker", "Pinsker's inequality (sharp constant: Kullback, Csiszár)", None, "",
                      "textbook"),
}


@dataclass(frozen=True, eq=False)
class Bound(Result):
    """One statement about the sampler's error, evaluated.

    Attributes
    ----------
    name : str
        Short label.
    kind : {"identity", "upper", "lower", "order", "statement"}
    target : str
        The quantity the statement is about (``"E KL"``, ``"E KL of the CCL TC schedule"``,
        ``"KL(p||q)"``, ``"TV(p,q)"``, ``"steps"``, ...).
    statement : str
        The statement in LaTeX, in symsched's notation.
    source : Source
    where : str
        Theorem / section in the source, when known.
    hypotheses : tuple of str
    proven : bool
        Whether ``value`` is a proven bound on ``target`` (always False for ``"order"`` rows).
    value : number or None
        The bound's value (None for a rate whose constant is unknown and not given).
    rate : number or None
        For ``"order"`` rows: the rate expression evaluated with constant 1.
    parameters : dict
        The inputs the value was computed from (``N``, ``K``, ``zeta``, ``C``, ...).
    note : str

    ``float(bound)`` is ``value`` (a ``TypeError`` when there is none).  On an estimated profile
    ``value`` is an :class:`~symsched.results.Estimate` and ``exact`` is False.
    """

    _headline = "value"
    _fields = ("name", "kind", "target", "value", "rate", "proven", "exact", "statement", "citation",
               "hypotheses", "parameters", "note")
    _repr_fields = ("name", "kind", "value", "proven")

    name: str
    kind: str
    target: str
    statement: str
    source: Source
    where: str = ""
    hypotheses: tuple = ()
    proven: bool = False
    value: Any = None
    rate: Any = None
    parameters: Mapping = field(default_factory=dict)
    note: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise SymschedError(f"Bound: kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind in ("order", "statement") and self.proven:
            raise SymschedError(f"Bound {self.name!r}: an {self.kind!r} row cannot claim a proven numeric bound")

    @property
    def citation(self) -> str:
        return self.source.cite(self.where)

    @property
    def exact(self) -> bool:
        """False when the value was derived from an estimated profile (it is then an ``Estimate``)."""
        return not isinstance(self.value, Estimate)

    def __float__(self) -> float:
        if self.value is None:
            raise TypeError(f"Bound {self.name!r} has no value ({self.kind} statement"
                            + ("; pass its constant C" if self.kind == "order" and self.rate is not None else "")
                            + ")")
        return Result.__float__(self)

    def numeric(self) -> float | None:
        """``value`` as a float (None when there is no value or it still has free symbols)."""
        return _numeric(self.value, f"value of {self.name}")

    def check(self, exact: Any, rtol: float = CHECK_RTOL) -> bool | None:
        """Does the proven bound hold against ``exact``? None when nothing numeric is claimed.

        Upper bounds need ``value >= exact``, lower bounds ``value <= exact``, identities equality, all up
        to ``rtol`` relative to the larger magnitude (floats carry rounding).  ``"order"`` and
        ``"statement"`` rows, unproven rows, and rows or exact values that are None or symbolic give None.
        """
        if not self.proven or self.kind in ("order", "statement") or exact is None:
            return None
        v = self.numeric()
        x = _numeric(exact, "exact")
        if v is None or x is None:
            return None
        tol = rtol * max(1.0, abs(v), abs(x))
        if self.kind == "upper":
            return v >= x - tol
        if self.kind == "lower":
            return v <= x + tol
        return abs(v - x) <= tol

    # -- display ------------------------------------------------------------------------------
    def latex(self) -> str:
        """The statement in LaTeX, followed by its value when there is one."""
        if self.value is None:
            return self.statement
        return rf"{self.statement} \quad [= {_latex_value(self.value, self.digits)}]"

    def _repr_latex_(self) -> str:
        return f"${self.latex()}$"

    def __repr__(self) -> str:
        extra = "" if self.rate is None else f", rate={_fmt(self.rate)}"
        return f"Bound({self.name!r}, kind={self.kind!r}, value={_fmt(self.value)}{extra}, proven={self.proven})"


# ---------------------------------------------------------------------------------------------
# helpers


def _numeric(x: Any, where: str) -> float | None:
    """``x`` as a float; None when there is none or it has free symbols (an ``Estimate`` gives its value)."""
    if x is None or is_symbolic_value(x):
        return None
    if isinstance(x, Estimate):
        return float(x)
    return to_float(x, where)


def _fmt(x: Any, digits: int = 6) -> str:
    """Plain text of a bound's number: ``-`` for none, ``v ± s`` for an estimate, else ``digits`` digits."""
    if x is None:
        return "-"
    if isinstance(x, (bool, int)):
        return str(x)
    if isinstance(x, Estimate):
        return f"{format_value(x.value, estimate_digits(x.value, x.stderr, digits))} ± {format_value(x.stderr, 2)}"
    if isinstance(x, sp.Basic) and x.free_symbols:
        return str(x)
    try:
        return format_value(to_float(x), digits)
    except (TypeError, ValueError):
        return str(x)


def _latex_value(x: Any, digits: int = 6) -> str:
    if isinstance(x, Estimate):
        return x.latex()
    if isinstance(x, sp.Basic):
        return sp.latex(x)
    return latex_number(to_float(x), digits)


def is_estimate(profile: Any) -> bool:
    """True for an estimated profile (Monte Carlo, data, denoiser): ``profile.exact`` is False.

    Profiles built before profiles carried ``exact`` count as estimates when a standard error is non-zero.
    """
    exact = getattr(profile, "exact", None)
    if exact is None:
        exact = not any(float(s) for s in getattr(profile, "stderr", ()))
    return not exact


def _profile(profile: Any) -> InformationProfile:
    """The profile the statements are evaluated on: an estimate's monotone projection, else itself."""
    prof = as_profile(profile)
    if not is_estimate(prof):
        return prof
    return prof.monotone()


def _with_stderr(prof: InformationProfile, value: Any, coeffs: Sequence[float], what: str) -> Any:
    """``value`` of the linear functional ``sum_j coeffs[j] h_j``; an :class:`Estimate` on an estimate.

    The standard error ``sum_j |coeffs[j]| stderr_j`` bounds the functional's standard deviation
    whatever the correlation between the ``h_j`` estimates (triangle inequality), so it is
    conservative.  A negative point value (rounding on the projection) is clipped at 0 and says so.
    """
    if isinstance(value, Estimate) or not is_estimate(prof):
        return value
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
    prof = _profile(profile)
    sched = _schedule(schedule, prof.N, "identity_bound")
    return Bound(
        "exact identity" if not is_estimate(prof) else "identity (estimated)", "identity", "E KL",
        r"\mathbb{E}_\sigma \mathrm{KL}(p\|q_\sigma) = \sum_{t=1}^K k_t h_{s_{t-1}} - H",
        SOURCES["CCL"], "Thm 4 / Thm 16", ("exact conditionals", "any distribution, any schedule"),
        True, _identity_value(prof, sched), parameters={"N": prof.N, "K": sched.K})


def nonnegativity_bound(profile: Any, schedule: Any) -> Bound:
    r"""``E KL >= 0``, with equality for ``K = N`` (all sizes one): a KL divergence is non-negative."""
    prof = _profile(profile)
    sched = _schedule(schedule, prof.N, "nonnegativity_bound")
    zero = prof.arithmetic.zero if prof.precision != "float" else 0.0
    return Bound("E KL >= 0", "lower", "E KL", r"\mathbb{E}_\sigma \mathrm{KL} \ge 0", SOURCES["SYMSCHED"], "",
                 ("none",), True, _finish(prof, zero), parameters={"N": prof.N, "K": sched.K})


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
    prof = _profile(profile)
    sched = _schedule(schedule, prof.N, "tc_bound")
    return Bound("E KL <= TC", "upper", "E KL", r"\mathbb{E}_\sigma \mathrm{KL} \le \mathrm{TC} = N h_0 - H",
                 SOURCES["SYMSCHED"], "", ("exact conditionals", "any schedule"), True,
                 _tc(prof), parameters={"N": prof.N, "K": sched.K},
                 note="equality for K = 1 (one step reveals everything independently)")


def optimal_lower_bound(profile: Any, K: int) -> Bound:
    r"""``E KL >= min over K-step schedules``: the exact optimum (``optimal_schedule(profile, K).kl``).

    Any schedule with ``K`` non-empty steps is one of the schedules the optimum ranges over, so its
    ``E KL`` is at least the optimum (Chen, Cong & Li: the optimal schedule is the best ``K``-step
    left-step approximation of the profile).
    """
    prof = _profile(profile)
    if isinstance(K, bool) or not isinstance(K, (int, np.integer)) or not 1 <= K:
        raise SymschedError(f"optimal_lower_bound: K must be a positive integer, got {K!r}")
    K = min(int(K), prof.N)  # more than N steps cannot do better than N steps (error 0)
    opt = optimal_schedule(prof, K)
    return Bound(f"optimal {K}-step schedule", "lower", "E KL",
                 r"\mathbb{E}_\sigma \mathrm{KL}(k) \ge \min_{|k'| = K} \mathbb{E}_\sigma \mathrm{KL}(k')",
                 SOURCES["CCL"], "optimal schedule = best K-step approximation", ("exact conditionals",),
                 True, _with_stderr(prof, opt.kl, _ekl_coeffs(prof.N, opt.sizes), "optimal E KL"),
                 parameters={"N": prof.N, "K": K, "optimal_sizes": tuple(opt.sizes)},
                 note=f"optimal sizes {tuple(opt.sizes) if len(opt.sizes) <= 12 else '(...)'}")


def convexity_bound(profile: Any, schedule: Any) -> Bound:
    r"""``KL(p || q) <= E_sigma KL(p || q_sigma)``: the sampler's output law ``q = E_sigma q_sigma``.

    KL is jointly convex, hence convex in its second argument; Jensen's inequality over the random
    order gives the bound, often strictly (the 5-variable network of ``make demo`` with sizes (2, 3):
    0.130 vs 0.325 nats, both by enumeration of every order).
    """
    prof = _profile(profile)
    sched = _schedule(schedule, prof.N, "convexity_bound")
    return Bound("KL(p||q) <= E KL (convexity)", "upper", "KL(p||q)",
                 r"\mathrm{KL}(p\|\mathbb{E}_\sigma q_\sigma) \le \mathbb{E}_\sigma \mathrm{KL}(p\|q_\sigma)",
                 SOURCES["CCL"], "sampler's law vs the identity", ("exact conditionals",), True,
                 _identity_value(prof, sched), parameters={"N": prof.N, "K": sched.K})


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
    prof = _profile(profile)
    sched = _schedule(schedule, prof.N, "li_cai_bound")
    kmax = _kmax(sched)
    factor = (1 << (kmax - 1).bit_length()) - 1  # 2^{ceil(log2 kmax)} - 1, exact in integers
    value = _scale(_range(prof), factor)
    eps = finite_real(eps_train, "eps_train (the training error of the conditionals; 0 for exact ones)",
                      "li_cai_bound", nonnegative=True)
    if eps_train != 0:
        if isinstance(value, Estimate):
            value = Estimate(value.value + eps, value.stderr, value.what)
        else:
            value = value + (prof.arithmetic.convert(eps_train, "eps_train") if prof.precision != "float"
                             else eps)
    return Bound("Li & Cai", "upper", "E KL",
                 r"\mathbb{E}\,\mathrm{KL} \le (2^{\lceil \log_2 k_{\max} \rceil} - 1)(h_0 - h_{N-1})"
                 r" + \varepsilon_{\mathrm{train}}",
                 SOURCES["LI_CAI"], "main upper bound (as restated by Chen, Cong & Li)",
                 ("any sizes", "eps_train = 0 with exact conditionals"), True, value,
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
    prof = _profile(profile)
    sched = _schedule(schedule, prof.N, "li_cai_sharp_bound")
    kmax = _kmax(sched)
    return Bound("(k_max - 1)(h_0 - h_{N-1})", "upper", "E KL",
                 r"\mathbb{E}_\sigma\mathrm{KL} \le (k_{\max} - 1)(h_0 - h_{N-1})",
                 SOURCES["SYMSCHED"], "sharpening of Li & Cai via the CCL identity", ("exact conditionals",),
                 True, _scale(_range(prof), kmax - 1), parameters={"N": prof.N, "K": sched.K, "k_max": kmax},
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
    prof = _profile(profile)
    sched = _schedule(schedule, prof.N, "lavenant_zanella_constant_bound")
    if len(set(sched.sizes)) != 1:
        raise SymschedError(f"lavenant_zanella_constant_bound: needs a constant schedule (all sizes N/K with K | N), "
                            f"got sizes {tuple(sched.sizes) if sched.K <= 20 else '(...)'}")
    r = sched.sizes[0]
    return Bound("constant schedule, (N/K - 1)(h_0 - h_{N-1})", "upper", "E KL",
                 r"\mathbb{E}_\sigma\mathrm{KL} \le \left(\tfrac{N}{K} - 1\right)(h_0 - h_{N-1})",
                 SOURCES["LZ"], "derived in symsched (statement of the paper not available)",
                 ("constant schedule, K divides N", "exact conditionals"), True,
                 _scale(_range(prof), r - 1), parameters={"N": prof.N, "K": sched.K, "N/K": r},
                 note="derived in symsched, following Lavenant & Zanella (statement of the paper not available); "
                      "dimension-free: depends on N/K and the profile's range only")


# ---------------------------------------------------------------------------------------------
# Chen, Cong & Li: TC / DTC schedules and step counts


def _ccl_zeta_positive(c_hat: Any, eps: Any, where: str) -> int:
    zeta = ccl_zeta(c_hat, eps)  # exact ceiling (symsched.schedules.families)
    if zeta < 2:
        raise SymschedError(f"{where}: c_hat must be > 0 (got c_hat = {c_hat!r}); with c_hat = 0 the schedule is a "
                            "single step, whose expected KL is TC exactly")
    return zeta


def _ccl_guarantee(profile: Any, c_hat: Any, eps: Any, measure: str) -> Bound:
    prof = _profile(profile)
    zeta = _ccl_zeta_positive(c_hat, eps, f"ccl_{measure.lower()}_guarantee")
    c = _tc(prof) if measure == "TC" else _dtc(prof)
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
                 rf"\mathbb{{E}}_\sigma\mathrm{{KL}} \le \frac{{\mathrm{{{measure}}}}}{{\zeta - 1}} \le \varepsilon,"
                 rf"\quad \zeta = 1 + \lceil \hat c / \varepsilon \rceil",
                 SOURCES["CCL"], "Thm 9 and its appendix construction",
                 (f"schedule = CCL {measure} schedule ({shape} sizes) for (N, c_hat, eps)",
                  f"the '<= eps' part needs c_hat >= {measure}", "exact conditionals"),
                 True, value, parameters={"N": prof.N, "c_hat": c_hat, "eps": eps, "zeta": zeta}, note=note)


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
                 r"K \le 2 + (1 + \ln N)\left(1 + \lceil \hat c/\varepsilon \rceil\right)",
                 SOURCES["CCL"], "Thm 9", ("schedule = CCL TC or DTC schedule for (N, c_hat, eps)",
                                           "empty steps counted"),
                 True, value, parameters={"N": int(N), "c_hat": c_hat, "eps": eps, "zeta": zeta})


def _check_N(N: Any, where: str) -> None:
    if isinstance(N, bool) or not isinstance(N, (int, np.integer)) or N < 1:
        raise SymschedError(f"{where}: N must be a positive integer, got {N!r}")


def ccl_fixed_k_guarantee(profile: Any, K: int) -> Bound:
    r"""Knowledge-free deterministic schedule at fixed ``K`` (the comparison for Zhao & Cai).

    Chen, Cong & Li's TC construction with ``zeta = floor((K - 2)/(1 + ln N))`` needs no knowledge of
    the distribution, has at most ``K`` steps, and by their Thm 9 satisfies ``E KL <= TC/(zeta - 1)``
    (the guarantee holds for every ``zeta >= 2`` whatever ``c_hat``; refining a schedule to use all
    ``K`` steps can only lower ``E KL``).  Labelled as such: this is symsched's concrete comparison
    point for Zhao & Cai's ``O~(TC/K)``, whose own size law could not be read.  Needs ``zeta >= 2``,
    i.e. ``K >= 2 + 2(1 + ln N)``; otherwise ``value`` is None with a note.
    """
    prof = _profile(profile)
    zeta = ccl_fixed_k_zeta(prof.N, K)
    tc = _tc(prof)
    if zeta < 2:
        value, note = None, (f"not applicable: zeta = floor((K-2)/(1+ln N)) = {zeta} < 2 "
                             f"(needs K >= 2 + 2(1 + ln N) = {2 + 2 * (1 + math.log(prof.N)):.3g})")
    else:
        value = _scale(tc, sp.Rational(1, zeta - 1))
        note = (f"zeta = {zeta}; CCL's TC construction at fixed K (knowledge-free), the deterministic "
                "comparison for Zhao & Cai")
    return Bound(f"CCL TC construction at K = {K}", "upper", "E KL of the CCL fixed-K schedule",
                 r"\mathbb{E}_\sigma\mathrm{KL} \le \frac{\mathrm{TC}}{\zeta - 1},\quad"
                 r" \zeta = \left\lfloor \frac{K - 2}{1 + \ln N} \right\rfloor",
                 SOURCES["CCL"], "Thm 9 at fixed K (comparison for Zhao & Cai)",
                 ("schedule = CCL TC construction with this zeta (<= K steps)", "zeta >= 2", "exact conditionals"),
                 True, value, parameters={"N": prof.N, "K": int(K), "zeta": zeta}, note=note)


def ccl_austin_steps(profile: Any, eps: Any, C: Any = None) -> Bound:
    r"""Chen, Cong & Li: ``K <~ ceil(sqrt(DTC N / eps))`` steps suffice (Austin-type bound; constant not given).

    An ``O(·)`` statement: ``rate = ceil(sqrt(DTC·N/eps))``; ``value = C·rate`` only when you pass ``C``
    (the paper's constant could not be read: no default), and even then it is not a proven bound.
    """
    prof = _profile(profile)
    e = finite_real(eps, "eps", "ccl_austin_steps", positive=True)
    dtc = _numeric(prof.dual_total_correlation, "DTC")
    rate = None if dtc is None else math.ceil(math.sqrt(dtc * prof.N / e))
    c = None if C is None else finite_real(C, "C", "ccl_austin_steps")
    value = None if (c is None or rate is None) else c * rate
    if value is not None and not math.isfinite(value):
        raise SymschedError(f"ccl_austin_steps: C = {C!r} times the rate {rate} overflows a float")
    return Bound("CCL Austin-type step count", "order", "steps for E KL <= eps",
                 r"K \lesssim \left\lceil \sqrt{\mathrm{DTC}\, N / \varepsilon} \right\rceil",
                 SOURCES["CCL"], "Austin-type bound", ("constant not given in the paper",), False, value, rate,
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
                 r"K = \Omega(\log N) \text{ for some distributions}", SOURCES["CCL"], "lower bound",
                 ("worst case over a family of distributions", "constant not given"), False, value,
                 math.log(N), parameters={"N": int(N), "C": C},
                 note="rate only: a worst-case statement over distributions, not about this model")


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
    prof = _profile(profile)
    if measure not in ("TC", "DTC"):
        raise SymschedError(f"zhao_cai_rate: measure must be 'TC' or 'DTC', got {measure!r}")
    _check_N(K, "zhao_cai_rate (K)")
    c = _numeric(prof.total_correlation if measure == "TC" else prof.dual_total_correlation, measure)
    rate = None if c is None else c / int(K)
    value = None
    if C is not None and log_exponent is not None and log_of is not None and rate is not None:
        if log_of not in ("N", "K"):
            raise SymschedError(f"zhao_cai_rate: log_of must be 'N' or 'K', got {log_of!r}")
        x = prof.N if log_of == "N" else int(K)
        value = to_float(C, "C") * math.log(x) ** to_float(log_exponent, "log_exponent") * rate
    note = "order statement, constant and log factor unknown: rate only unless C, log_exponent, log_of are given"
    if int(K) >= prof.N:
        note += f"; stated for K < N (here K = {K}, N = {prof.N})"
    return Bound(f"Zhao & Cai O~({measure}/K)", "order", "E KL (randomized sizes)",
                 rf"\mathbb{{E}}\,\mathrm{{KL}} = \widetilde{{O}}(\mathrm{{{measure}}}/K)",
                 SOURCES["ZHAO_CAI"], "abstract", ("randomized unmasking sizes (law not readable)", "K < N"),
                 False, value, rate, parameters={"N": prof.N, "K": int(K), "C": C, "log_exponent": log_exponent,
                                                 "log_of": log_of}, note=note)


def liang_fhs_statement() -> Bound:
    r"""Liang, Tan, Shroff & Liang (2026): the First-Hitting Sampler has no error beyond the score error.

    With exact conditionals (zero score error) this says ``TV(p, q_FHS) = 0``: FHS reveals one token
    at a time at the first hitting times of the continuous-time chain, so it samples ``p`` exactly —
    a checkable statement (``symsched.samplers`` tests it).  It is about a different sampler, so it
    says nothing about the factorized sampler's KL: ``kind="statement"``, no value.
    """
    return Bound("Liang et al.: FHS exact", "statement", "TV(p, q_FHS)",
                 r"\mathrm{TV}(p, q_{\mathrm{FHS}}) \le (\text{score error}) = 0 \text{ with exact conditionals}",
                 SOURCES["LIANG"], "abstract", ("first-hitting sampler", "exact conditionals"), False, None,
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
                 r"\mathrm{TV}(p, q_{\mathrm{Euler}}) \text{: upper and matching lower bound in } d, \varepsilon",
                 SOURCES["LIANG"], "abstract", ("Euler / tau-leaping sampler", "rate and constants not readable"),
                 False, None, None, parameters={"d": int(N), "steps": int(K)},
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
                 r"\mathrm{TV}(p,q) \le \min\{1, \sqrt{\mathrm{KL}(p\|q)/2}\}",
                 SOURCES["PINSKER"], "", ("KL in nats",), True, pinsker_tv(kl), parameters={"from": of},
                 note=f"from {of}")
