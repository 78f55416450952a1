"""One call for the practitioner's question: how many steps does each sampler need for this KL?

:func:`advise` puts, for every sampler rule the practice tables know (LLaDA, Fast-dLLM, Dream, dllm linear
and cosine, the MDLM / SEDD / Dream-origin Bernoulli grids, the optimal schedule) and, on a model small
enough, Fast-dLLM's confidence threshold: the fewest steps that meet a target expected KL (or the KL at a
given ``K``), the model calls as the library makes them, tokens per call, and why a rule has no answer
when it has none.  Every KL is exact for the profile (count rules by the identity of docs/concepts.md,
Bernoulli grids by their formula with the clean-up step, the threshold rule by the exact adaptive route).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any


from ..errors import ModelTooLargeError, SymschedError
from ..formatting import format_value
from ..info.profile import InformationProfile
from ..info.progress import WorkProgress
from ..models.base import DiscreteModel
from ..printing import LatexPrinter, Table
from ..results import Result
from ..schedules.optimal import min_steps_for_kl
from ..schedules.rules import sampler_rules
from ..validation import check_variable_count, choice_sequence, finite_real
from .policies import policy_kl
from .practice import PRACTICE_RULES, not_reached
from .practice import _prof as profile_of
from .practice import _rule_kl as rule_kl

__all__ = ["advise", "Advice", "ADVICE_RULES"]

#: Rules advised by default: every practice rule.
ADVICE_RULES = PRACTICE_RULES
#: Bernoulli grids are scanned up to this many times N steps by default (they never reach zero error).
GRID_SCAN_FACTOR = 16
#: Count rules are scanned up to this many times N steps (Dream's rounding can leave steps empty at K = N).
COUNT_SCAN_FACTOR = 2
#: Threshold values tried for Fast-dLLM's confidence rule (the smallest that meets the target is reported).
THRESHOLDS = tuple(Fraction(k, 100) for k in range(50, 100)) + (Fraction(1),)


class Advice(Result):
    """Per rule: steps needed for a target KL (or KL at ``K``), model calls, tokens per call, and notes.

    ``rows`` are dicts with keys ``columns``; ``to_pandas()`` gives a DataFrame; Jupyter shows an HTML
    table; ``plot()`` draws E KL against K per rule with the target.
    """

    _fields = ("title", "target", "K", "columns", "rows")
    _repr_fields = ("title",)
    columns = ("rule", "K", "kl", "model_calls", "tokens_per_call", "sizes", "note")

    def __init__(self, *, title: str, profile: InformationProfile, target: Any, K: int | None, rows: Sequence[dict]):
        self.title = title
        self.profile = profile
        self.target, self.K = target, K
        self.rows = tuple(dict(r) for r in rows)
        self._freeze()

    def row(self, rule: str) -> dict:
        """The row of ``rule``."""
        for r in self.rows:
            if r["rule"] == rule:
                return dict(r)
        raise KeyError(f"no row for rule {rule!r}; rules: {[r['rule'] for r in self.rows]}")

    def _table(self, columns: Sequence[str] | None = None) -> Table:
        cols = self.columns if columns is None else tuple(columns)
        return Table(cols, [tuple(r[c] for c in cols) for r in self.rows], title=self.title, decimals=True)

    def latex(self) -> str:
        """An ``array``: one row per rule (the notes stay in ``str``, ``to_dict`` and ``to_pandas``)."""
        return LatexPrinter().print_table(self, self._table(self.columns[:-1]))

    def plot(self, Kmax: int | None = None, ax=None):
        """E KL against K (1..Kmax, default N) for every count rule, grid and the optimum, target drawn in."""
        import matplotlib.pyplot as plt
        N = self.profile.N
        Kmax = N if Kmax is None else check_variable_count(Kmax, "Kmax", "Advice.plot")
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        for r in self.rows:
            rule = r["rule"]
            if rule == "threshold":
                continue
            Ks = [K for K in range(1, Kmax + 1) if rule != "optimal" or K <= N]
            ax.plot(Ks, [float(rule_kl(self.profile, rule, K)[0]) for K in Ks], label=rule, lw=1.2)
        if self.target is not None:
            ax.axhline(float(self.target), color="k", ls="--", lw=0.8, label="target")
        ax.set_xlabel("steps K")
        ax.set_ylabel("E KL (nats)")
        ax.set_yscale("symlog", linthresh=1e-3)
        ax.legend(fontsize=7)
        return ax


def _row(prof: InformationProfile, rule: str, K: int, note: str = "") -> dict:
    kl, sizes, calls = rule_kl(prof, rule, K)
    per_call = None if not calls else prof.N / float(calls)
    if sizes is None:  # a Bernoulli grid: its "-" in sizes says why
        note = "; ".join(x for x in (note, "sizes random (Bernoulli reveals), calls expected") if x)
    return {"rule": rule, "K": K, "kl": kl, "model_calls": calls, "tokens_per_call": per_call,
            "sizes": None if sizes is None else tuple(int(s) for s in sizes), "note": note}


def _scan_limit(prof: InformationProfile, rule: str, Kmax: int | None) -> int:
    """Steps scanned for ``rule`` (1 for the optimum: one bisection)."""
    if rule == "optimal":
        return 1
    grid = rule in sampler_rules("grid")
    return Kmax if Kmax is not None else (GRID_SCAN_FACTOR if grid else COUNT_SCAN_FACTOR) * prof.N


def _least_K(prof: InformationProfile, rule: str, target: float, Kmax: int | None, bar: WorkProgress) -> dict:
    if rule == "optimal":
        row = _row(prof, rule, min_steps_for_kl(prof, target), "optimal schedule (bisection, KL non-increasing)")
        bar.update()
        return row
    grid = rule in sampler_rules("grid")
    limit = _scan_limit(prof, rule, Kmax)
    for K in range(1, limit + 1):
        kl = rule_kl(prof, rule, K)[0]
        bar.update()
        if float(kl) <= target:
            bar.skip(limit - K)
            return _row(prof, rule, K, "least K (every smaller K checked)")
    why = not_reached(rule, limit, kl, target, grid)
    return {"rule": rule, "K": None, "kl": None, "model_calls": None, "tokens_per_call": None, "sizes": None,
            "note": why}


def _threshold_row(model: DiscreteModel | None, target: float | None, K: int | None, bar: WorkProgress) -> dict:
    empty = {"rule": "threshold", "K": None, "kl": None, "model_calls": None, "tokens_per_call": None,
             "sizes": None}
    if model is None:
        return {**empty, "note": "needs the model (an adaptive rule): pass the model, not its profile"}
    if K is not None:
        return {**empty, "note": "chooses its own number of steps; ask with target= for the τ that meets it"}
    try:
        for i, tau in enumerate(THRESHOLDS):
            r = policy_kl(model, "threshold", threshold=tau, method="exact")
            bar.update()
            if float(r.kl) <= target:
                bar.skip(len(THRESHOLDS) - i - 1)
                calls = r.expected_steps
                return {**empty, "K": calls, "kl": r.kl, "model_calls": calls,
                        "tokens_per_call": model.N / float(calls),
                        "note": f"τ = {float(tau):.2f}, the smallest of 0.50, 0.51, ..., 1 that meets the target; "
                                f"K and calls are the expected number of steps"}
    except ModelTooLargeError as exc:
        bar.skip(bar.total - bar.done)  # no τ is tried after the refusal
        return {**empty, "note": f"the exact adaptive route is over budget ({exc.estimate:.3g} operations); "
                                 f"use policy_kl(model, 'threshold', method='montecarlo')"}
    return {**empty, "note": "no τ in 0.50..1 meets the target"}


def advise(model_or_profile: Any, target: Any = None, *, K: Any = None, rules: Sequence[str] | None = None,
           Kmax: Any = None, threshold: bool | None = None, model: Any = None, progress: Any = None) -> Advice:
    """For each sampler rule: the fewest steps meeting ``target`` (or the KL at ``K``), with model calls.

    Parameters
    ----------
    model_or_profile : model or profile
        A symsched model (its exact profile is computed) or an information profile.
    target : number, optional
        Target expected KL in nats.  Exactly one of ``target`` and ``K``.
    K : int, optional
        A step budget: each rule's exact KL at ``K`` steps.
    rules : sequence of str, optional
        Default: every rule of :data:`~symsched.samplers.practice.PRACTICE_RULES`.
    Kmax : int, optional
        Largest K scanned (default ``2 N`` for count rules, ``16 N`` for Bernoulli grids).
    threshold : bool, optional
        Add Fast-dLLM's confidence-threshold rule (default True; it needs the model, so with a profile and
        no ``model=`` its row says so).
    model : model, optional
        The model behind a profile given as ``model_or_profile`` (for the threshold rule).
    progress : bool, optional
        A bar over the KL evaluations (every ``K`` scanned, each ``τ`` tried; its total shrinks when a scan stops
        early).  Default: shown when the run projects past a few seconds and someone watches (a terminal or
        Jupyter).

    Returns
    -------
    Advice
        One row per rule: ``rule, K, kl, model_calls, tokens_per_call, sizes, note``; a rule with no answer
        has ``None`` entries and the reason in ``note``.

    Examples
    --------
    >>> import symsched as ss
    >>> a = ss.advise([0.7, 0.4, 0.3, 0.1], target=0.2, rules=("llada", "optimal"))
    >>> a.row("llada")["K"], a.row("optimal")["K"], a.row("optimal")["sizes"]
    (4, 3, (1, 2, 1))
    """
    where = "advise"
    if (target is None) == (K is None):
        raise SymschedError(f"{where}: give exactly one of target= (a KL in nats) and K= (a step budget)")
    if model is not None and not isinstance(model, DiscreteModel):
        raise SymschedError(f"{where}: model must be a symsched model, got {type(model).__name__}")
    if isinstance(model_or_profile, DiscreteModel):
        model = model_or_profile
    try:
        prof = profile_of(model_or_profile)
    except SymschedError as exc:
        raise SymschedError(f"{where}: model_or_profile: {exc}") from None
    rules = ADVICE_RULES if rules is None else choice_sequence(rules, "rules", ADVICE_RULES, where)
    if Kmax is not None:
        Kmax = check_variable_count(Kmax, "Kmax", where)
    if threshold is not None and not isinstance(threshold, bool):
        raise SymschedError(f"{where}: threshold must be True or False, got {threshold!r}")
    add_threshold = True if threshold is None else threshold
    rows = []
    if target is not None:
        t = finite_real(target, "target", where, nonnegative=True)
    else:
        K = check_variable_count(K, "K", where)
    units = sum(_scan_limit(prof, r, Kmax) for r in rules) if target is not None else len(rules)
    units += len(THRESHOLDS) if add_threshold and model is not None and target is not None else 0
    with WorkProgress(progress, units, "advise", "KL", where) as bar:
        if target is not None:
            title = f"steps for E KL <= {format_value(target)} (N = {prof.N})"
            for rule in rules:
                rows.append(_least_K(prof, rule, float(t), Kmax, bar))
        else:
            title = f"E KL at K = {K} steps (N = {prof.N})"
            for rule in rules:
                if rule == "optimal" and K > prof.N:
                    rows.append(_row(prof, rule, prof.N, f"K > N: the optimum is at K = N = {prof.N}"))
                else:
                    rows.append(_row(prof, rule, K))
                bar.update()
        if add_threshold:
            rows.append(_threshold_row(model, None if target is None else float(target), K, bar))
    return Advice(title=title, profile=prof, target=target, K=K, rows=rows)
