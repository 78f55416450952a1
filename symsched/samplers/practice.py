"""Answers to the questions practitioners ask (docs/references.md, "What practitioners ask"), exactly.

* :func:`steps_for_target` — the least number of steps (and model calls) each sampler rule needs to reach
  a target KL for a profile;
* :func:`kl_by_rule` — the KL each rule gets at each ``K``;
* :func:`rule_comparison` — at one ``(N, K)``: each rule's counts beside the optimal schedule's, and the
  price of each rounding (LLaDA vs Dream vs dllm);
* :func:`block_length_sweep` — a model's exact KL under semi-autoregressive blocks of each length.

Count rules use §2's identity (random positions over all ``N`` tokens, one block); Bernoulli rules
(``"mdlm"``, ``"dream-origin"``) use the Bernoulli formula with the clean-up step; blocks need the model
(:func:`~symsched.samplers.blockwise.blockwise_expected_kl`). All numbers are exact in the profile's
arithmetic; the tables are :class:`PracticeTable` results.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Sequence

import numpy as np

from ..errors import ModelTooLargeError, SymschedError
from ..info.measures import information_profile
from ..info.profile import InformationProfile, as_profile
from ..info.progress import WorkProgress
from ..models.table import as_model
from ..formatting import format_value
from ..printing import Table
from ..results import Result
from ..validation import check_variable_count, choice_sequence, finite_real, int_sequence
from ..schedules.count_rules import sampler_schedule
from ..schedules.kl import expected_kl
from ..schedules.grids import bernoulli_expected_kl, sampler_grid
from ..schedules.rules import sampler_rules
from ..schedules.optimal import min_steps_for_kl, optimal_schedule
from .blockwise import blockwise_expected_kl

__all__ = ["steps_for_target", "kl_by_rule", "rule_comparison", "block_length_sweep", "PracticeTable",
           "PRACTICE_RULES"]

#: Rules the tables know: the registry's count rules with random positions and free ``K`` (one block), its
#: Bernoulli grids, ``"dllm-cosine"`` (dllm with ``alpha="cosine"``) and the optimal schedule.
PRACTICE_RULES = tuple(r for r in sampler_rules("counts") if r not in ("first-hitting", "dus")) + \
    ("dllm-cosine",) + sampler_rules("grid") + ("optimal",)


class PracticeTable(Result):
    """A table of answers: ``columns`` and ``rows`` (tuples), with a title.

    ``float()`` is not defined (no single headline); ``rows_as_dicts()`` gives one dict per row.
    """

    _fields = ("title", "columns", "rows")
    _repr_fields = ("title",)

    def __init__(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, note: str = ""):
        self.title, self.columns = title, tuple(columns)
        self.rows = tuple(tuple(r) for r in rows)
        self.note = note
        self._freeze()

    def rows_as_dicts(self) -> list:
        return [dict(zip(self.columns, r)) for r in self.rows]

    def column(self, name: str) -> tuple:
        i = self.columns.index(name)
        return tuple(r[i] for r in self.rows)

    def to_dict(self) -> dict:
        out = super().to_dict()
        out["note"] = self.note
        return out

    def _table(self) -> Table:
        return Table(self.columns, self.rows, title=self.title, notes=(self.note,) if self.note else ())


def _prof(profile_or_model: Any) -> InformationProfile:
    if isinstance(profile_or_model, InformationProfile) or isinstance(profile_or_model, (list, tuple, np.ndarray)):
        try:
            return as_profile(profile_or_model)
        except ModelTooLargeError:
            raise
        except SymschedError as exc:
            raise SymschedError(f"profile_or_model (a profile): {exc}") from None
    return information_profile(as_model(profile_or_model, name="profile_or_model", tables=False))


def _rule_kl(prof: InformationProfile, rule: str, K: int):
    """(KL, sizes or None, model calls) of a rule at K steps, random positions, one block."""
    N = prof.N
    if rule == "dllm-cosine":
        s = sampler_schedule("dllm", N, K, alpha="cosine")
        return expected_kl(prof, s), s.sizes, s.model_calls
    if rule in sampler_rules("counts"):
        s = sampler_schedule(rule, N, K)
        return expected_kl(prof, s), s.sizes, s.model_calls
    if rule in sampler_rules("grid"):
        g = sampler_grid(rule, K, N=N)     # model calls as the library makes them, for one sequence
        calls = g.model_calls
        return bernoulli_expected_kl(prof, g), None, (calls if calls == int(calls) else float(calls))
    if rule == "optimal":
        o = optimal_schedule(prof, K)
        return o.kl, tuple(o.sizes), K
    raise SymschedError(f"unknown rule {rule!r}; expected one of {PRACTICE_RULES}")


def not_reached(rule: str, Kmax: int, kl: Any, target: Any, grid: bool) -> str:
    """Why a rule has no ``K <= Kmax`` meeting ``target`` (its KL at ``Kmax`` is ``kl``), and which ``Kmax`` to pass.

    The suggestion extrapolates ``E KL ∝ 1/K`` from ``Kmax`` (the large-``K`` law of count rules and grids).
    """
    at = f"E KL at K = {Kmax} is {format_value(float(kl), 4)} > {format_value(target)}"
    if float(target) <= 0:
        if grid:
            return (f"{rule}: a Bernoulli grid keeps a positive error at every K (two tokens can be revealed in one "
                    f"step, and the clean-up reveals the rest at once), so a target of 0 is never met ({at})")
        return f"needs > Kmax = {Kmax} steps ({at}); a target of 0 needs one token per step: pass a larger Kmax"
    suggest = max(Kmax + 1, int(np.ceil(Kmax * float(kl) / float(target))))
    return (f"needs > Kmax = {Kmax} steps ({at}); pass Kmax={suggest} (E KL ∝ 1/K reaches the target near "
            f"K = {suggest})")


def _check_rules(rules: Sequence[str]) -> tuple:
    return choice_sequence(rules, "rules", PRACTICE_RULES)


def steps_for_target(profile_or_model: Any, target: Any, rules: Sequence[str] = ("llada", "dream", "dllm",
                                                                                      "mdlm", "optimal"),
                     Kmax: int | None = None, progress: Any = None) -> PracticeTable:
    """The least ``K`` at which each rule's exact KL is ``<= target``, with its model calls and KL.

    Model calls are counted as each library makes them (MDLM: the expected calls of one sequence with its
    ``ddpm_cache`` predictor, as a float). Count rules and Bernoulli grids are scanned
    ``K = 1, 2, ...`` (their KL need not decrease with ``K``: rounding can make a larger ``K`` worse); the
    optimal schedule by bisection (its KL is non-increasing). A rule that does not reach the target by
    ``Kmax`` (default ``N``; Bernoulli grids always keep a positive error) gets ``None`` and its ``note`` says
    why and which ``Kmax`` to pass (from ``E KL ∝ 1/K`` at ``Kmax``).  ``progress``: a bar over the ``K`` values
    scanned (None: when the scan projects past a few seconds and someone watches).

    Examples
    --------
    >>> import symsched as ss
    >>> t = ss.steps_for_target([0.7, 0.4, 0.3, 0.1], 0.2, rules=("llada", "optimal"))
    >>> t.rows_as_dicts()[1]["K"], t.rows_as_dicts()[1]["sizes"]
    (3, (1, 2, 1))
    >>> print(ss.steps_for_target([0.7, 0.4, 0.3, 0.1], 0.2, rules=("mdlm",)).rows_as_dicts()[0]["note"])
    needs > Kmax = 4 steps (E KL at K = 4 is 0.3062 > 0.2); pass Kmax=7 (E KL ∝ 1/K reaches the target near K = 7)
    """
    prof = _prof(profile_or_model)
    rules = _check_rules(rules)
    N = prof.N
    Kmax = N if Kmax is None else check_variable_count(Kmax, "Kmax", "steps_for_target")
    finite_real(target, "target", "steps_for_target", nonnegative=True)
    rows = []
    bar = WorkProgress(progress, sum(1 if r == "optimal" else Kmax for r in rules), "steps_for_target", "K",
                       "steps_for_target")
    with bar:
        for rule in rules:
            if rule == "optimal":
                K = min_steps_for_kl(prof, target)
                kl, sizes, calls = _rule_kl(prof, rule, K)
                rows.append((rule, K, calls, kl, sizes, "bisection (the optimum's KL is non-increasing in K)"))
                bar.update()
                continue
            found = None
            for K in range(1, Kmax + 1):
                kl, sizes, calls = _rule_kl(prof, rule, K)
                bar.update()
                if float(kl) <= float(target):
                    found = (rule, K, calls, kl, sizes, "least K (every smaller K checked)")
                    bar.skip(Kmax - K)
                    break
            rows.append(found or (rule, None, None, None, None,
                                  not_reached(rule, Kmax, kl, target, rule in sampler_rules("grid"))))
    return PracticeTable(f"least steps for E KL <= {format_value(target)} (N = {N})",
                         ("rule", "K", "model_calls", "kl", "sizes", "note"), rows,
                         note="count rules: one block, random positions (the identity); Bernoulli grids: with "
                              "their clean-up step" + (", sizes '-' (a grid's step sizes are random, Binomial)"
                                                       if any(r in sampler_rules("grid") for r in rules) else ""))


def kl_by_rule(profile_or_model: Any, Ks: Sequence[int], rules: Sequence[str] = ("llada", "dream", "dllm", "mdlm",
                                                                                "optimal")) -> PracticeTable:
    """The exact KL each rule gets at each ``K`` (one row per ``K``, one column per rule).

    Examples
    --------
    >>> import symsched as ss
    >>> t = ss.kl_by_rule([0.7, 0.4, 0.3, 0.1], [1, 4], rules=("llada", "optimal"))
    >>> [[round(v, 6) for v in r[1:]] for r in t.rows]
    [[1.3, 1.3], [0.0, 0.0]]
    """
    prof = _prof(profile_or_model)
    rules = _check_rules(rules)
    rows = []
    for K in int_sequence(Ks, "Ks", "kl_by_rule"):
        check_variable_count(K, "K in Ks", "kl_by_rule")
        rows.append((int(K),) + tuple(_rule_kl(prof, r, int(K))[0] if (r != "optimal" or K <= prof.N) else None
                                      for r in rules))
    blank = "optimal" in rules and any(r[0] > prof.N for r in rows)
    return PracticeTable(f"E KL by rule (N = {prof.N})", ("K",) + rules, rows,
                         note=f"optimal is '-' at K > N = {prof.N}: a schedule has at most N non-empty steps (its "
                              "KL at K = N is 0)" if blank else "")


def rule_comparison(profile_or_model: Any, K: int, rules: Sequence[str] = ("llada", "dream", "dllm", "dllm-cosine",
                                                                          "mdlm", "optimal")) -> PracticeTable:
    """At one ``(N, K)``: each rule's counts, model calls, exact KL and its excess over the optimal schedule.

    The excess of LLaDA, Dream and dllm over each other is the price of their roundings: the same even
    split, rounded three ways.

    Examples
    --------
    >>> import symsched as ss
    >>> t = ss.rule_comparison([0.9, 0.8, 0.6, 0.5, 0.3, 0.3, 0.2, 0.1, 0.1, 0.05], 4,
    ...                        rules=("llada", "dream", "dllm", "optimal"))
    >>> t.column("sizes")
    ((3, 3, 2, 2), (2, 2, 2, 4), (2, 3, 2, 3), (2, 2, 3, 3))
    """
    prof = _prof(profile_or_model)
    rules = _check_rules(rules)
    K = check_variable_count(K, "K", "rule_comparison")
    opt = optimal_schedule(prof, K).kl if K <= prof.N else None
    rows = []
    for r in rules:
        kl, sizes, calls = _rule_kl(prof, r, K)
        excess = None if opt is None else float(kl) - float(opt)
        rows.append((r, sizes, calls, kl, excess))
    why = [f"excess_over_optimal is '-' at K > N = {prof.N} (no schedule has more than N non-empty steps)"] \
        if opt is None else []
    if any(r[1] is None for r in rows):
        why.append("sizes '-' for Bernoulli grids: their step sizes are random (Binomial), not fixed counts")
    return PracticeTable(f"rules at N = {prof.N}, K = {K}",
                         ("rule", "sizes", "model_calls", "kl", "excess_over_optimal"),
                         rows, note="; ".join(why))


def block_length_sweep(model: Any, K: int, block_lengths: Sequence[int] | None = None, rule: str = "llada",
                       compare: bool | None = None, progress: Any = None) -> PracticeTable:
    """A model's exact KL under semi-autoregressive blocks of each length, with ``rule``'s per-block counts.

    Parameters
    ----------
    model : model
        Markov chains at any length; hidden Markov models at any length (beyond enumeration the KLs are
        estimates, ``value ± stderr``); other models within the enumeration budget.
    K : int
        Total steps (split evenly over the blocks, as LLaDA requires).
    block_lengths : sequence of int, optional
        Default: every divisor ``B`` of ``N`` with ``K`` a multiple of ``N / B``.
    rule : {"llada", "fast-dllm", "dllm"}
        The rule's per-block counts as its library forms them (dllm: ``ceil(N/B)`` blocks, the last one
        partial, so any ``B`` is accepted).
    compare : bool, optional
        Add the KL of random positions over all ``N`` with the same flat counts.  Default: when the model's
        profile has an exact route (chains, tables, small networks); otherwise the column is left out and the
        table's note says why (it would need a Monte Carlo profile, minutes at hundreds of tokens: pass
        ``compare=True`` to ask for it).
    progress : bool, optional
        A bar over the block lengths (None: when the sweep projects past a few seconds and someone watches).

    Examples
    --------
    >>> import symsched as ss
    >>> t = ss.block_length_sweep(ss.binary_symmetric_chain(8, 0.1), 4, [2, 8])
    >>> t.column("block_length"), [round(v, 4) for v in t.column("kl")]
    ((2, 8), [0.807, 0.3064])
    """
    if rule not in ("llada", "fast-dllm", "dllm"):
        raise SymschedError(f"block_length_sweep: rule must be 'llada', 'fast-dllm' or 'dllm', got {rule!r:.60}")
    model = as_model(model, "block_length_sweep")
    N = model.N
    K = check_variable_count(K, "K", "block_length_sweep")
    if block_lengths is None:
        block_lengths = [B for B in range(1, N + 1) if N % B == 0 and K % (N // B) == 0]
    block_lengths = int_sequence(block_lengths, "block_lengths", "block_length_sweep")
    note = ""
    if compare is None:
        try:  # the exact route refuses at once (with its cost estimate) where only Monte Carlo would do
            information_profile(model, method="exact")
            compare = True
        except ModelTooLargeError as exc:
            compare = False
            note = (f"random_order_kl left out: this model has no exact profile (estimated cost "
                    f"{exc.estimate:.3g}); compare=True estimates it by Monte Carlo, which takes minutes")
    elif not isinstance(compare, bool):
        raise SymschedError(f"block_length_sweep: compare must be True, False or None, got {compare!r:.60}")
    rows = []
    with WorkProgress(progress, len(block_lengths), "block_length_sweep", "block length", "block_length_sweep") as bar:
        for B in block_lengths:
            s = sampler_schedule(rule, N, K, block_length=int(B))
            r = blockwise_expected_kl(model, int(B), s, compare=compare)
            rows.append((int(B), len(s.block_sizes), s.block_sizes[0], r.kl, r.random_order_kl))  # Estimate kept
            bar.update()
    if compare is False and not note:
        note = "random_order_kl '-': not computed (compare=False)"
    return PracticeTable(f"block-length sweep ({rule}, N = {N}, K = {K})",
                         ("block_length", "blocks", "sizes_per_block", "kl", "random_order_kl"), rows, note=note)
