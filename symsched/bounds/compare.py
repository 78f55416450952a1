r"""Bounds side by side: the exact error of a schedule next to every bound the literature gives.

:func:`compare_bounds` evaluates the statements of :mod:`symsched.schedules.bounds` for one profile
(or model) and one schedule, computes the exact quantity each one is about, and says whether each
proven bound holds.  The result, a :class:`BoundsTable`, prints as an aligned text table, as LaTeX
(``latex()``, a ``tabular``) and as HTML in notebooks.

Columns: ``bound`` is the statement's value, ``exact`` the exact value of the quantity it is about
(``target``: the given schedule's ``E KL``, the CCL TC schedule's ``E KL``, the mixture ``KL(p||q)``,
a step count, ...), ``holds`` compares them for proven numeric bounds only (``None`` otherwise: rate
rows never claim to hold).
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field, replace
from typing import Any

from ..errors import ModelTooLargeError, SymbolicValueError, SymschedError
from ..info.measures import information_profile
from ..info.profile import InformationProfile, as_profile
from ..models.base import DiscreteModel
from ..samplers.conditionals import joint_of, tv_distance
from ..samplers.factorized import exact_sampler_kl, sampler_law
from ..schedules.families import ccl_fixed_k_schedule, dtc_schedule, tc_schedule
from ..schedules.schedule import Schedule, as_schedule
from ..formatting import LATEX_WIDTH, latex_fit, latex_text_lines
from ..printing import Table
from ..results import Result, jsonable
from . import statements as B
from . import wainwright as W
from .bound import _latex_value
from .checked import CheckedProfile, _dtc, _tc
from .statements import _fmt

__all__ = ["BoundRow", "BoundsTable", "compare_bounds"]


@dataclass(frozen=True, repr=False)
class BoundRow(Result):
    """One line of a :class:`BoundsTable`: a :class:`~symsched.bounds.Bound` beside the exact value.

    ``exact`` is the value of the quantity the bound is about (an :class:`~symsched.results.Estimate`
    when the table was built from an estimated profile); ``float(row)`` is the bound's value.
    """

    name: str
    _: KW_ONLY
    source: str
    kind: str
    target: str
    value: Any
    exact: Any
    proven: bool
    holds: bool | None
    note: str = ""
    bound: B.Bound | None = field(default=None, repr=False, compare=False)

    _headline = "value"
    _fields = ("name", "source", "kind", "target", "value", "exact", "proven", "holds", "note")
    _repr_fields = ("name", "value", "exact", "holds")

    def __float__(self) -> float:
        if self.value is None:
            raise TypeError(f"row {self.name!r} has no value ({self.kind} statement)")
        return float(self.value)

    def to_dict(self) -> dict:
        """The row's fields (numbers through :func:`symsched.results.jsonable`)."""
        return {name: jsonable(value) for name, value in self._field_items()}


def _shown_value(row: BoundRow) -> str:
    if row.value is not None:
        return _fmt(row.value)
    b = row.bound
    if b is not None and b.rate is not None:
        return f"rate {_fmt(b.rate)}"
    return "n/a"


def _holds(h: bool | None) -> str:
    return {True: "yes", False: "NO", None: "-"}[h]


class BoundsTable(Result):
    """Exact values of a schedule and the literature's bounds beside them.

    Attributes
    ----------
    rows : tuple of BoundRow
    schedule : Schedule
    profile : InformationProfile
        The profile the bounds were evaluated on (an estimate's monotone projection).
    N, K : int
    exact : bool
        False when built from an estimated profile: every number is then an
        :class:`~symsched.results.Estimate` (``value ± stderr``) and nothing is labelled exact.
    exact_expected_kl : number or Estimate
        ``E_sigma KL`` by the identity (Chen, Cong & Li); ``float(table)`` gives it.
    exact_mixture_kl : number or None
        ``KL(p || q)`` of the sampler's output law (exact enumeration; needs the model and small N).
    mixture_note : str
        Why the mixture value is missing, when it is.
    exact_mixture_tv : float or None
        ``TV(p, q)`` of the sampler's output law (same conditions).
    optimal_kl : number or None
        The optimal ``E KL`` over schedules with the same number of non-empty steps.
    total_correlation, dual_total_correlation : number
    """

    _headline = "exact_expected_kl"
    _fields = ("N", "K", "exact", "schedule", "exact_expected_kl", "exact_mixture_kl", "exact_mixture_tv",
               "optimal_kl", "total_correlation", "dual_total_correlation", "all_hold", "rows")
    _repr_fields = ("N", "K", "exact_expected_kl", "all_hold")

    def __init__(self, rows, *, schedule, profile, exact_expected_kl, exact_mixture_kl, mixture_note,
                 exact_mixture_tv, optimal_kl, exact=True):
        self.rows = tuple(rows)
        self.schedule = schedule
        self.profile = profile
        self.exact = bool(exact)
        self.N, self.K = profile.N, schedule.K
        self.exact_expected_kl = exact_expected_kl
        self.exact_mixture_kl = exact_mixture_kl
        self.mixture_note = mixture_note
        self.exact_mixture_tv = exact_mixture_tv
        self.optimal_kl = optimal_kl
        self.total_correlation = _tc(profile)
        self.dual_total_correlation = _dtc(profile)
        self._freeze()

    # -- access -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, key):
        if isinstance(key, str):
            for r in self.rows:
                if r.name == key:
                    return r
            raise KeyError(f"no row named {key!r}; rows are {[r.name for r in self.rows]}")
        return self.rows[key]

    def to_rows(self) -> list[dict]:
        """The rows as a list of dicts (keys name, source, kind, target, value, exact, proven, holds, note)."""
        return [r.to_dict() for r in self.rows]

    @property
    def all_hold(self) -> bool:
        """True when no proven bound fails (rows that claim nothing are ignored)."""
        return all(r.holds is not False for r in self.rows)

    # -- text ---------------------------------------------------------------------------------
    def _value_column(self) -> str:
        return "exact" if self.exact else "estimate"

    def _header_lines(self) -> list[str]:
        ex = "exact " if self.exact else ""
        mix = _fmt(self.exact_mixture_kl) if self.exact_mixture_kl is not None else f"n/a ({self.mixture_note})"
        lines = [f"schedule {self.schedule.latex()}  (N = {self.N}, K = {self.K})"]
        if not self.exact:
            lines.append(f"estimated profile ({self.profile.method}): every number is value ± standard error, "
                         "on the monotone projection; 'holds' is checked on that projection")
        return lines + [f"{ex}E_sigma KL (identity) = {_fmt(self.exact_expected_kl)}   "
                        f"{ex}mixture KL(p||q) = {mix}",
                        f"optimal E KL at the same K = {_fmt(self.optimal_kl)}   TC = {_fmt(self.total_correlation)}   "
                        f"DTC = {_fmt(self.dual_total_correlation)}   (nats)"]

    def _table(self) -> Table:
        """One row per bound: ``#``, name, kind, target, the bound's value (``rate ...`` for a rate-only
        statement), the exact value (or estimate) it is about, holds, proven, source, note; the schedule
        and the headline numbers above it, the notes as footnotes in text."""
        cols = ("#", "name", "kind", "target", "bound", self._value_column(), "holds", "proven", "source", "note")
        rows = [(i + 1, r.name, r.kind, r.target, r.value if r.value is not None else
                 (None if _shown_value(r) == "n/a" else _shown_value(r)), r.exact, r.holds, r.proven, r.source,
                 r.note) for i, r in enumerate(self.rows)]
        head = self._header_lines()
        notes = [f"  [{i + 1}] {r.note}" for i, r in enumerate(self.rows) if r.note]
        return Table(cols, rows, title=head[0], header=tuple(head[1:]) + ("",),
                     notes=("", "notes:", *notes) if notes else (), hidden=("note",),
                     formats={"bound": lambda v: "n/a" if v is None else (v if isinstance(v, str) else _fmt(v)),
                              self._value_column(): _fmt, "holds": _holds,
                              "proven": lambda v: "yes" if v else "no"})

    # -- LaTeX / HTML -------------------------------------------------------------------------
    def _tex(self, x: Any) -> str:
        if x is None:
            return "\\text{--}"
        if isinstance(x, (bool, int)):
            return str(x)
        return _latex_value(x, self.digits)

    def latex(self) -> str:
        """A math-mode ``array`` that fits an article's text width: per bound a line with its name, value,
        the exact value and whether it holds, then (smaller) its statement and its kind, target and source."""
        def t(s, width=LATEX_WIDTH, style=""):
            return latex_text_lines(s, width, style)

        small = r"\scriptstyle "
        lines = [r"\begin{array}{rlrrl}", r"\hline",
                 " & ".join([r"\#", t("bound"), t("value"), t(self._value_column()), t("holds")]) + r" \\",
                 r"\hline"]
        for i, r in enumerate(self.rows):
            val = self._tex(r.value) if r.value is not None else (
                rf"\text{{rate }} {self._tex(r.bound.rate)}" if r.bound is not None and r.bound.rate is not None
                else t("n/a"))
            lines.append(f"{i + 1} & {t(r.name, 26)} & {val} & {self._tex(r.exact)} & {t(_holds(r.holds))} \\\\")
            if r.bound is not None:
                lines.append(rf"& \multicolumn{{4}}{{l}}{{{small}{r.bound.statement}}} \\")
            about = f"{r.kind} bound on {r.target}; {r.source}"
            lines.append(rf"& \multicolumn{{4}}{{l}}{{{t(about, LATEX_WIDTH - 4, small)}}} \\[2pt]")
        mix = self._tex(self.exact_mixture_kl) if self.exact_mixture_kl is not None else t("n/a")
        foot = latex_fit([rf"\text{{schedule }} {self.schedule.latex()}", f"N={self.N}", f"K={self.K}",
                          rf"\mathbb{{E}}_\sigma\mathrm{{KL}} = {self._tex(self.exact_expected_kl)}",
                          rf"\mathrm{{KL}}(p\|q) = {mix}\ \text{{(nats)}}"], sep=r",\ ", width=LATEX_WIDTH - 12)
        lines += [r"\hline", r"\multicolumn{5}{l}{" + foot + r"} \\", r"\end{array}"]
        return "\n".join(lines)


def _row(bound: B.Bound, exact: Any, note: str | None = None) -> BoundRow:
    return BoundRow(bound.name, source=bound.citation, kind=bound.kind, target=bound.target, value=bound.value,
                    exact=exact, proven=bound.proven, holds=bound.check(exact),
                    note=bound.note if note is None else note, bound=bound)


def _as_schedule(schedule: Any, N: int) -> Schedule:
    sched = as_schedule(schedule)
    if sched.N != N:
        raise SymschedError(f"compare_bounds: schedule {tuple(sched.sizes) if sched.K <= 20 else '(...)'} sums to "
                            f"{sched.N}, but the profile / model has N = {N} tokens")
    return sched


def _wainwright_rows(prof: InformationProfile, K: int, estimated: bool) -> list:
    """Wainwright's Cor. 1 and Prop. 1 at the same K: his Bernoulli samplers, each beside its own exact KL."""
    cite = W.WAINWRIGHT.cite("Cor. 1 / Prop. 1")
    if prof.N < 3 or estimated or prof.precision == "symbolic" and any(
            getattr(x, "free_symbols", None) for x in prof.h):
        why = ("n/a: needs N >= 3 (the interval [1/N, 1 - 1/N])" if prof.N < 3 else
               "n/a for an estimated or symbolic-parameter profile (his samplers' exact KL needs numbers)")
        return [BoundRow("Wainwright Cor. 1 / Prop. 1", source=cite, kind="upper",
                         target="E KL of his Bernoulli samplers", value=None, exact=None, proven=True,
                         holds=None, note=why)]
    rows = []
    S = W.phi(1 - 1 / prof.N) - W.phi(1 / prof.N)
    if K >= S:
        b = W.wainwright_cor1_bound(prof, K)
        rows.append(_row(b, b.parameters["exact_kl"], f"his one-block geometric grid with K = {K} (+ first and "
                                                      f"clean-up step): exact E KL {_fmt(b.parameters['exact_kl'])}"))
    M = next((m for m in (3, 2, 1) if K >= W.minimum_steps(m, 1 / prof.N, 1 - 1 / prof.N)), None)
    if M is None:
        rows.append(BoundRow("Wainwright Prop. 1", source=W.WAINWRIGHT.cite("Prop. 1"), kind="upper",
                             target="E KL of his M-block geometric sampler", value=None, exact=None,
                             proven=True, holds=None, note=f"n/a: K = {K} is below Prop. 1's minimum "
                             f"{W.minimum_steps(1, 1 / prof.N, 1 - 1 / prof.N)} for one block"))
    else:
        b = W.wainwright_prop1_bound(prof, K, blocks=M, partition="optimal" if M > 1 else "uniform")
        rows.append(_row(b, b.parameters["exact_kl"], f"{M} blocks (boundary programme); {b.note}"))
    return rows


def _mixture(model: Any, sched: Schedule, include_mixture: bool, max_mixture_N: int) -> tuple:
    """(KL(p||q), TV(p, q), note) of the sampler's mixture law, by enumeration when the model allows it."""
    if model is None:
        return None, None, "needs the model"
    if not include_mixture:
        return None, None, "include_mixture=False"
    if sched.N > max_mixture_N:
        return None, None, f"N = {sched.N} > max_mixture_N = {max_mixture_N}"
    try:
        p = joint_of(model)
        return exact_sampler_kl(model, sched), tv_distance(p, sampler_law(p, sched)), ""
    except SymbolicValueError:
        return None, None, "the model has free symbols (substitute values for the mixture law)"
    except ModelTooLargeError as exc:
        return None, None, f"too large to enumerate: {exc}"


def _ccl_rows(cp: CheckedProfile, c_hat: Any, eps: Any) -> list:
    """Chen, Cong & Li's own TC / DTC schedules for ``(c_hat, eps)``: guarantees, step count, Austin rate."""
    N, rows = cp.N, []
    tcs, dtcs = tc_schedule(N, c_hat, eps), dtc_schedule(N, c_hat, eps)
    for bound, s in ((B.ccl_tc_guarantee(cp, c_hat, eps), tcs), (B.ccl_dtc_guarantee(cp, c_hat, eps), dtcs)):
        rows.append(_row(bound, cp.identity(s), f"{bound.note} Schedule {s.latex()}."))
    steps = B.ccl_step_bound(N, c_hat, eps)
    rows.append(_row(steps, max(tcs.K, dtcs.K), f"TC schedule: {tcs.K} steps, DTC schedule: {dtcs.K} steps "
                                               "(empty steps counted)"))
    rows.append(_row(B.ccl_austin_steps(cp, eps), None))
    return rows


def compare_bounds(prof_or_model: Any, schedule: Any, *, c_hat: Any = None, eps: Any = None,
                   include_mixture: bool = True, max_mixture_N: int = 8) -> BoundsTable:
    r"""The exact error of ``schedule`` beside every bound from the literature.

    Parameters
    ----------
    prof_or_model : InformationProfile, sequence of h values, or a model
        A model's profile is computed with ``symsched.information_profile(model)``; with a model of
        at most ``max_mixture_N`` tokens the sampler's exact mixture law is enumerated too.
    schedule : Schedule or sequence of int
        Sizes summing to ``N`` (empty steps allowed).
    c_hat, eps : number, optional
        Both given: add Chen, Cong & Li's TC / DTC schedule guarantees and step-count bound for
        ``(N, c_hat, eps)`` (their own schedules, built with
        :func:`~symsched.schedules.families.tc_schedule` / ``dtc_schedule``) and the Austin-type rate.
    include_mixture : bool
        Enumerate the mixture law when a small model is given (``KL(p||q)``, ``TV(p, q)``).
    max_mixture_N : int
        Largest ``N`` for that enumeration.

    Returns
    -------
    BoundsTable

    Notes
    -----
    An estimated profile (``exact`` False: Monte Carlo, data, denoiser) is replaced by its monotone
    projection (weighted isotonic regression); every number is then an
    :class:`~symsched.results.Estimate` with a conservative standard error (valid whatever the
    correlation of the ``h_j`` estimates), the table says so, and nothing in it is labelled exact.
    What each statement is and where it comes from: ``docs/references.md``.

    Examples
    --------
    >>> import symsched as ss
    >>> t = ss.compare_bounds([0.7, 0.4, 0.1, 0.1], [2, 2])
    >>> round(t.exact_expected_kl, 12), t.exact_mixture_kl is None, t.all_hold
    (0.3, True, True)
    >>> t["Li & Cai"].holds
    True
    """
    model = prof_or_model if isinstance(prof_or_model, DiscreteModel) else None
    if model is not None:
        prof = information_profile(model)
    else:
        prof = as_profile(prof_or_model)
    if not isinstance(prof, InformationProfile):  # pragma: no cover - as_profile always returns one
        raise SymschedError("compare_bounds: could not build an information profile")
    estimated = B.is_estimate(prof)
    cp = CheckedProfile(prof)  # checked and (an estimate) projected once; every statement below uses it
    prof = cp.prof
    if c_hat is not None and eps is None or c_hat is None and eps is not None:
        raise SymschedError("compare_bounds: pass both c_hat and eps (Chen, Cong & Li's schedules need both), "
                            f"got c_hat = {c_hat!r}, eps = {eps!r}")
    N = prof.N
    sched = _as_schedule(schedule, N)
    K_eff = sum(1 for k in sched.sizes if k)
    ekl = cp.identity(sched)

    mixture_kl, mixture_tv, mixture_note = _mixture(model, sched, include_mixture, max_mixture_N)

    rows: list[BoundRow] = []
    rows.append(_row(B.identity_bound(cp, sched), ekl,
                     "the exact value itself (the identity); the bounds below are compared with it" if not estimated
                     else "the identity on the projected estimate; the bounds below are compared with it"))
    rows[-1] = replace(rows[-1], holds=None)  # the identity is the exact value: nothing to check

    try:
        opt = B.optimal_lower_bound(cp, K_eff)
        opt_kl = opt.value
        rows.append(_row(opt, ekl, f"optimum over {K_eff}-step schedules; {opt.note}"))
    except SymbolicValueError:  # the optimum compares costs: it needs numbers, not free symbols
        opt_kl = None
        rows.append(BoundRow(f"optimal {K_eff}-step schedule", source=B.SOURCES["CCL"].cite(), kind="lower",
                             target="E KL", value=None, exact=ekl, proven=True, holds=None,
                             note="n/a for a profile with free symbols (substitute values first)"))
    rows.append(_row(B.nonnegativity_bound(cp, sched), ekl))
    rows.append(_row(B.tc_bound(cp, sched), ekl))
    rows.append(_row(B.li_cai_bound(cp, sched), ekl,
                     "Li & Cai's statement with eps_train = 0 (exact conditionals)"))
    rows.append(_row(B.li_cai_sharp_bound(cp, sched), ekl))
    if len(set(sched.sizes)) == 1:
        rows.append(_row(B.lavenant_zanella_constant_bound(cp, sched), ekl))
    else:
        rows.append(BoundRow("constant schedule, (N/K - 1)(h_0 - h_{N-1})", source=B.SOURCES["LZ"].cite(), kind="upper",
                             target="E KL", value=None, exact=ekl, proven=True, holds=None,
                             note="not applicable: needs a constant schedule (K | N); derived in symsched, following "
                             "Lavenant & Zanella (statement of the paper not available)"))

    # Zhao & Cai: their rates, and the knowledge-free deterministic comparison at the same K
    fixed = B.ccl_fixed_k_guarantee(cp, K_eff)
    if fixed.value is not None:
        fs = ccl_fixed_k_schedule(N, K_eff)
        fs_kl = cp.identity(fs)
        rows.append(_row(fixed, fs_kl, f"{fixed.note}; that schedule: {fs.latex()} "
                                       f"({fs.K} steps, E KL = {_fmt(fs_kl)})"))
    else:
        rows.append(_row(fixed, None))
    for measure in ("TC", "DTC") if K_eff < N else ():  # stated for K < N only
        rows.append(_row(B.zhao_cai_rate(cp, K_eff, measure), None))

    # Chen, Cong & Li's own schedules for (c_hat, eps)
    if c_hat is not None:
        rows += _ccl_rows(cp, c_hat, eps)
    rows.append(_row(B.ccl_log_lower_bound(N), None))

    # the sampler's own law, and TV
    conv = B.convexity_bound(cp, sched)
    rows.append(_row(conv, mixture_kl, None if mixture_kl is not None else f"mixture KL n/a ({mixture_note})"))
    if mixture_kl is not None:
        rows.append(_row(B.pinsker_bound(mixture_kl, "the exact mixture KL(p||q)"), mixture_tv))
    rows.append(_row(B.pinsker_bound(ekl, "E KL (>= KL(p||q))"), mixture_tv,
                     "from E KL (>= KL(p||q))" + ("" if mixture_tv is not None else
                                                  f"; the sampler's TV n/a ({mixture_note})")))
    rows.append(_row(B.liang_fhs_statement(), None))
    rows.append(_row(B.liang_euler_rate(N, sched.K), None))
    rows.extend(_wainwright_rows(prof, K_eff, estimated))

    return BoundsTable(rows, schedule=sched, profile=prof, exact_expected_kl=ekl, exact_mixture_kl=mixture_kl,
                       mixture_note=mixture_note, exact_mixture_tv=mixture_tv, optimal_kl=opt_kl, exact=not estimated)
