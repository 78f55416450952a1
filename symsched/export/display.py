"""The report: a model's profile, its schedules and the literature's bounds, in one printable object.

:func:`report` computes everything exactly from the model (or from a profile), and :class:`Report`
prints it as plain text (what ``make demo`` shows), HTML and LaTeX (Jupyter), or a dict.
Nothing is estimated to fill a gap: what cannot be computed for a model (the exact mixture KL of a
large model, the optimal schedule of a profile with free symbols, ...) is listed under
"Not computed" with the reason.
"""

from __future__ import annotations

import html
import math
from dataclasses import replace
from fractions import Fraction
from typing import Any
from collections.abc import Sequence

import mpmath
import numpy as np
import sympy as sp

from ..errors import ModelTooLargeError, SymschedError
from ..bounds.compare import compare_bounds
from ..info.measures import information_profile
from ..info.profile import InformationProfile, as_profile
from ..results import Estimate, Result
from ..samplers.factorized import exact_sampler_kl
from ..schedules.kl import expected_kl
from ..schedules.families import constant_schedule
from ..schedules.optimal import optimal_frontier, optimal_schedule
from ..validation import as_list
from ..formatting import format_value, html_table as _html_table
from ..printing import HtmlPrinter, Table, TextPrinter
from .latex import latex_escape, latex_number, latex_sequence, latex_table

__all__ = ["Report", "report", "format_value"]

#: Longest profile table printed in full (longer ones show their first and last rows and say so).
MAX_TEXT_ROWS = 40
#: Longest frontier printed in full on its line (longer ones: the first 16 and last 4 values).
MAX_FRONTIER_SHOWN = 24
#: Default largest N for which the report computes the sampler's exact mixture KL by enumeration.
DEFAULT_MAX_MIXTURE_N = 10
#: Models with more variables than this print a summary (N, cardinalities, edges, table size as a power of
#: ten, the first and last names) instead of every variable, unless the report is verbose.
MODEL_LIST_MAX = 24


def model_summary(model: Any) -> dict:
    """What a report says about a model: ``kind``, ``N``, ``variables``, ``cardinalities``, ``joint_size``
    and, for a graph (Bayesian network, Markov random field), ``edges``."""
    out = {"kind": type(model).__name__, "N": model.N, "variables": list(model.variables),
           "cardinalities": list(model.cardinalities), "joint_size": model.joint_size()}
    edges = getattr(model, "number_of_edges", None)
    if callable(edges):
        out["edges"] = int(edges())
    return out


def _power_of_ten(n: int) -> str:
    """``n`` itself when short, else ``≈ 10^x`` (a 121-digit table size says nothing digit by digit)."""
    if n < 10 ** 12:
        return f"{n:,}"
    return f"≈ 10^{math.log10(n):.1f}"


def model_lines(m: dict, verbose: bool = False) -> list:
    """The model's lines of a printed report: every variable and cardinality up to :data:`MODEL_LIST_MAX`
    variables (or with ``verbose``), else a summary."""
    edges = f", {m['edges']} edges" if "edges" in m else ""
    names, cards = list(m["variables"]), list(m["cardinalities"])
    if verbose or len(names) <= MODEL_LIST_MAX:
        return [f"Model: {m['kind']}, N = {m['N']} variables{edges}",
                f"  variables:     {', '.join(map(str, names))}",
                f"  cardinalities: {', '.join(map(str, cards))} (joint table: {m['joint_size']} entries)"]
    counts = {c: cards.count(c) for c in sorted(set(cards))}
    card_text = (f"all {cards[0]}" if len(counts) == 1 else
                 f"{min(cards)} to {max(cards)} (" + ", ".join(f"{n} with {c}" for c, n in counts.items()) + ")")
    shown = ", ".join(map(str, names[:3])) + ", ..., " + ", ".join(map(str, names[-2:]))
    return [f"Model: {m['kind']}, N = {m['N']} variables{edges}",
            f"  variables:     {shown}  ({len(names)} in all; --verbose lists them)",
            f"  cardinalities: {card_text}",
            f"  joint table:   {_power_of_ten(int(m['joint_size']))} entries"]


def _plain(x: Any) -> Any:
    """A JSON-friendly value: float for floats, ints kept, exact and high-precision values as strings."""
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x)
    if isinstance(x, mpmath.mpf):
        return mpmath.nstr(x, mpmath.mp.dps if mpmath.mp.dps > 15 else 17)
    if isinstance(x, (Fraction, sp.Basic)):
        return str(x)
    if isinstance(x, Estimate):
        return {"value": x.value, "stderr": x.stderr, "estimate": True}
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return str(x)


class Report(Result):
    """Everything :func:`report` computed about one model (or profile), ready to print.

    Attributes
    ----------
    title : str
    model : dict
        Summary: ``kind``, ``N``, ``variables``, ``cardinalities`` (absent entries when a profile was given).
    profile : InformationProfile
    schedules : list of dict
        One row per (K, schedule): ``K``, ``schedule`` (name), ``sizes``, ``expected_kl`` (the exact
        identity ``E_sigma KL(p || q_sigma)``) and ``mixture_kl`` (exact ``KL(p || q)`` of the
        sampler's output law, or None when not computed).
    frontier : tuple or None
        Optimal E KL for K = 1..N.
    bounds : object or None
        The bounds table of :func:`symsched.compare_bounds` for ``bounds_schedule``.
    bounds_schedule : Schedule or None
    unavailable : list of str
        What was not computed, each with its reason.
    digits : int, optional
        Significant digits when printing (default: the profile's, i.e. ``dps`` for an mpmath profile, else 6).
    verbose : bool, optional
        List every variable and cardinality of a model with more than :data:`MODEL_LIST_MAX` variables
        (default: a summary — N, cardinalities, edges, the table size as a power of ten, the first and last names).
    """

    # the result protocol (symsched.results): no single headline number; to_dict below
    _fields = ("title", "model", "profile", "schedules", "frontier", "bounds", "unavailable")

    def __init__(self, title, *, model, profile, schedules, frontier, bounds, bounds_schedule, unavailable,
                 digits=None, verbose=False):
        self.title = title
        self.model = model
        self.profile = profile
        self.schedules = schedules
        self.frontier = frontier
        self.bounds = bounds
        self.bounds_schedule = bounds_schedule
        self.unavailable = unavailable
        self.digits = digits  # None: the profile's digits (dps for an mpmath profile; Result.digits)
        self.verbose = bool(verbose)  # list every variable of a large model
        self._freeze()

    # -- pieces shared by the renderers --------------------------------------------------------
    def _unit(self) -> str:
        base = self.profile.base
        return "nats" if base is None else ("bits" if base == 2 else f"log base {base}")

    @property
    def exact(self) -> bool:
        """False when the profile is an estimate (then every derived number is an Estimate)."""
        return self.profile.exact

    def measures(self) -> dict:
        """``H``, ``TC``, ``DTC`` and O-information of the profile (Estimates for an estimated profile)."""
        p = self.profile
        out = {"H": p.entropy, "TC": p.total_correlation, "DTC": p.dual_total_correlation,
               "O-information": p.o_information}
        if p.exact:
            return out
        w_tc, w_dtc = -np.ones(p.N), np.ones(p.N)
        w_tc[0] += p.N
        w_dtc[-1] -= p.N
        se = {"H": p.entropy_stderr, "TC": p.total_correlation_stderr, "DTC": p.dual_total_correlation_stderr,
              "O-information": p.linear_stderr(w_tc - w_dtc)}
        return {k: Estimate(float(v), se[k], k) for k, v in out.items()}

    def _num(self, x: Any, digits: int | None = None) -> str:
        d = self.digits if digits is None else digits
        if isinstance(x, Estimate):
            return f"{format_value(x.value, d)} ± {format_value(x.stderr, 2)}"
        return format_value(x, d)

    def _kl_note(self) -> str:
        if self.exact:
            return "E KL = E_sigma KL(p || q_sigma) = sum_t k_t h_{s_{t-1}} - H (exact identity)"
        return ("E KL = sum_t k_t h_{s_{t-1}} - H on the monotone projection of the estimated profile "
                "(weighted isotonic regression): estimates ± standard errors")

    def _has_mixture(self) -> bool:
        return any(r["mixture_kl"] is not None for r in self.schedules)

    @property
    def _SCHEDULE_HEADER(self):
        return ["K", "schedule", "sizes", "E KL (identity)" if self.exact else "E KL estimate (+- se)"] + \
            (["KL(p||q) mixture"] if self._has_mixture() else [])

    def _profile_table(self) -> Table:
        """The profile's own table (symsched.printing), under the report's heading; H, TC, DTC come after."""
        p = self.profile
        # an estimate's entries without sampling error show "± 0": nothing in an estimated report says "exact"
        return replace(p._table(), summary=(), zero_error=" ± 0",
                       title=f"Information profile h_j = E H(X_i | X_T), |T| = j  [{p.method}, {p.precision}, "
                             f"{self._unit()}]")

    def _schedule_table(self) -> Table:
        mix = self._has_mixture()
        rows = [(r["K"], r["schedule"], tuple(r["sizes"]), r["expected_kl"]) + ((r["mixture_kl"],) if mix else ())
                for r in self.schedules]
        return Table(self._SCHEDULE_HEADER, rows, title="Schedules", formats={"sizes": _sizes_text})

    # -- renderers ------------------------------------------------------------------------------
    def __str__(self) -> str:
        p, d = self.profile, self.digits
        out = [self.title, "=" * len(self.title)]
        m = self.model
        if "kind" in m:
            out += model_lines(m, self.verbose)
        else:
            out.append(f"Profile given directly, N = {p.N}")
        out.append("")
        out += TextPrinter(MAX_TEXT_ROWS).print_table(self, self._profile_table()).splitlines()
        if not self.exact:
            out.append(f"  (an estimate [{p.method}]: h_j with the standard errors shown; a zero standard error "
                       "marks an entry computed without sampling error)")
        out.append("")
        for k, v in self.measures().items():
            out.append(f"  {k + ':':<15}{self._num(v, d)}")
        if self.schedules:
            out.append("")
            out.append("Schedules. " + self._kl_note())
            if self._has_mixture():
                out.append("KL(p||q) mixture = KL of the sampler's output law, " +
                           ("exact by enumeration (<= E KL)" if self.exact else
                            "by enumeration on the model (no sampling error; the E KL column is estimated)"))
            out += TextPrinter().print_table(self, self._schedule_table()).splitlines()[1:]
        if self.frontier is not None:
            out.append("")
            out.append("Optimal E KL for K = 1..N" + ("" if self.exact else " (estimates ± standard errors)") + ":")
            values = [self._num(v, 4) for v in self.frontier]
            if len(values) > MAX_FRONTIER_SHOWN:  # a long frontier: its start and its end (Report.frontier has all)
                values = values[:16] + [f"... ({len(values) - 20} more) ..."] + values[-4:]
            out.append("  " + ", ".join(values))
        if self.bounds is not None:
            out.append("")
            out.append("Bounds from the literature (symsched.compare_bounds):")
            out.extend("  " + line if line else "" for line in str(self.bounds).splitlines())
        if self.unavailable:
            out.append("")
            out.append("Not computed:")
            out.extend(f"  - {u}" for u in self.unavailable)
        return "\n".join(out)

    def __repr__(self) -> str:
        return f"<Report {self.title!r}: N = {self.profile.N}, {len(self.schedules)} schedule rows>"

    def _repr_html_(self) -> str:
        d = self.digits
        parts = [f"<h3>{html.escape(self.title)}</h3>"]
        m = self.model
        if "kind" in m:
            parts.append("<p>" + "<br>".join(html.escape(ln.strip()) for ln in model_lines(m, self.verbose)) + "</p>")
        parts.append(HtmlPrinter().print_table(self, self._profile_table()))
        parts.append(_html_table([[k, self._num(v, d)] for k, v in self.measures().items()], ["measure", "value"]))
        if self.schedules:
            parts.append("<p>E KL: exact identity; KL(p||q): the sampler's mixture law, exact by enumeration.</p>"
                         if self.exact else f"<p>{html.escape(self._kl_note())}</p>")
            parts.append(HtmlPrinter().print_table(self, self._schedule_table()))
        if self.bounds is not None:
            parts.append("<p>Bounds from the literature (symsched.compare_bounds)</p>")
            parts.append(self.bounds._repr_html_() if hasattr(self.bounds, "_repr_html_")
                         else f"<pre>{html.escape(str(self.bounds))}</pre>")
        if self.unavailable:
            parts.append("<p>Not computed:</p><ul>" + "".join(f"<li>{html.escape(u)}</li>" for u in self.unavailable)
                         + "</ul>")
        return "\n".join(parts)

    def latex_document(self) -> str:
        """LaTeX for a document body (text mode): the profile and the bounds in display math, the
        schedules as a ``tabular``; :meth:`latex` is the math-mode form of the whole report."""
        parts = [f"\\[ {self.profile.latex()} \\]"]
        if self.schedules:
            mix = self._has_mixture()
            rows = [[r["K"], r["schedule"], _sizes_text(r["sizes"]), r["expected_kl"]]
                    + ([r["mixture_kl"]] if mix else []) for r in self.schedules]
            parts.append(latex_table(rows, self._SCHEDULE_HEADER, digits=self.digits))
        if self.bounds is not None and hasattr(self.bounds, "latex"):
            parts.append(f"\\[ {self.bounds.latex()} \\]")
        return "\n\n".join(parts)

    def _repr_latex_(self) -> str:
        return f"$${self.latex()}$$"

    def latex(self) -> str:
        """Math-mode LaTeX (no ``$``): the profile's formula line and the schedules as an ``array``."""
        # MathJax renders math, not tabular: an array inside display math.
        lines = [self.profile.latex()]
        if self.schedules:
            mix = self._has_mixture()

            def num(x):
                if isinstance(x, Estimate):
                    return x.latex()
                return "-" if x is None else latex_number(x, self.digits)
            rows = [rf"{r['K']} & \text{{{latex_escape(r['schedule'])}}} & {latex_sequence(r['sizes'], max_items=8)} & "
                    + num(r["expected_kl"]) + (f" & {num(r['mixture_kl'])}" if mix else "") for r in self.schedules]
            head = r"K & \text{schedule} & \text{sizes} & \mathbb{E}\,\mathrm{KL}" + \
                (r" & \mathrm{KL}(p\|q)" if mix else "")
            lines.append(rf"\begin{{array}}{{rlr{'rr' if mix else 'r'}}} " + head + r" \\ \hline "
                         + r" \\ ".join(rows) + r"\end{array}")
        if self.bounds is not None and hasattr(self.bounds, "latex"):
            lines.append(self.bounds.latex())
        return "\\begin{gathered}" + r" \\[4pt] ".join(lines) + r"\end{gathered}"

    def to_dict(self) -> dict:
        """Everything in the report as plain Python values (floats, or strings for exact/high-precision values)."""
        p = self.profile
        out = {
            "type": "Report",
            "title": self.title,
            "model": _plain(self.model),
            "profile": {"h": _plain(list(p.h)), "e": _plain(list(p.e)), "method": p.method,
                        "precision": p.precision, "base": _plain(p.base), "stderr": _plain(list(p.stderr))},
            "measures": _plain(self.measures()),
            "schedules": [_plain({**r, "sizes": list(r["sizes"])}) for r in self.schedules],
            "frontier": None if self.frontier is None else _plain(list(self.frontier)),
            "bounds": None,
            "unavailable": list(self.unavailable),
        }
        if self.bounds is not None:
            out["bounds"] = {"schedule": list(self.bounds_schedule), "rows": _plain(list(self.bounds.to_rows()))}
        return out


def _sizes_text(sizes) -> str:
    sizes = list(sizes)
    if len(sizes) <= 12:
        return "(" + ", ".join(map(str, sizes)) + ")"
    return "(" + ", ".join(map(str, sizes[:8])) + f", ... {len(sizes) - 10} more ..., " + \
        ", ".join(map(str, sizes[-2:])) + ")"


def _default_Ks(N: int) -> list:
    Ks = sorted({k for k in (2, 3, math.ceil(N / 2)) if 1 <= k < N})
    return Ks or [1]


def report(model: Any, K: int | Sequence[int] | None = None, precision: str = "float", dps: int | None = None,
           base: Any = None, method: str = "auto", mixture: bool = True,
           max_mixture_N: int = DEFAULT_MAX_MIXTURE_N, bounds: bool = True, frontier: bool | None = None,
           title: str | None = None, digits: int | None = None, profile_options: dict | None = None,
           verbose: bool = False) -> Report:
    """Profile a model and compare the constant and optimal schedules for a few K, exactly.

    Parameters
    ----------
    model : model, InformationProfile or sequence of h values
        With a profile only, the mixture KL (which needs the joint law) is listed as not computed.
    K : int or sequence of int, optional
        Step counts to compare (default: 2, 3 and ceil(N/2), those below N).
    precision, dps, base, method :
        Passed to :func:`symsched.information_profile`.
    mixture : bool
        Compute the exact mixture KL ``KL(p || q)`` of the sampler (:func:`symsched.exact_sampler_kl`)
        when ``N <= max_mixture_N`` (its cost grows exponentially with N).
    bounds : bool
        Add the bounds table of :func:`symsched.compare_bounds` for the constant schedule of the
        largest K.
    frontier : bool, optional
        Include the optimal E KL for every K = 1..N (default: when N <= 40).
    title : str, optional
    digits : int, optional
        Significant digits when printing (default: the profile's, i.e. ``dps`` for ``precision="mpmath"``, else 6).
    profile_options : dict, optional
        More keywords for :func:`symsched.information_profile` (``stderr``, ``seed``, ``samples``, ``max_cost``).
    verbose : bool
        Print every variable of a large model (see :class:`Report`).

    Returns
    -------
    Report

    Examples
    --------
    >>> import symsched as ss
    >>> r = ss.report(ss.copy_model(4, 2), K=2)
    >>> [row["schedule"] for row in r.schedules]
    ['constant', 'optimal']
    """
    unavailable: list[str] = []
    is_model = not isinstance(model, (InformationProfile, list, tuple, np.ndarray))
    if is_model:
        prof = information_profile(model, method=method, precision=precision, dps=dps, base=base,
                                   **(profile_options or {}))
        summary = model_summary(model)
        name = getattr(model, "name", "") or ""
        default_title = f"symsched report: {name}" if name else f"symsched report: {type(model).__name__}"
    else:
        try:
            prof = as_profile(model, base=base)
        except SymschedError as exc:
            if type(exc) is not SymschedError:
                raise
            raise SymschedError(f"report: model (here a sequence of h values) is not a profile: {exc}") from None
        summary = {"N": prof.N}
        default_title = "symsched report: given profile"
    N = prof.N
    if K is None:
        Ks = _default_Ks(N)
    elif isinstance(K, (list, tuple, range, np.ndarray)):
        Ks = as_list(K, "K", "report", expected="an integer or a sequence of integers")
        if not Ks:
            raise SymschedError("report: K is an empty sequence; give at least one number of steps (or None)")
    else:
        Ks = [K]
    for k in Ks:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= N:
            raise SymschedError(f"report: K = {k!r} must be an integer between 1 and N = {N}")

    free = sorted(str(s) for h in prof.h if isinstance(h, sp.Basic) for s in h.free_symbols)
    rows: list[dict] = []
    if free:
        unavailable.append(f"schedules: the profile depends on the free symbols {sorted(set(free))}; "
                           "substitute values (model.subs({...})) to compare schedules")
    else:
        mix_ok = is_model and mixture
        if is_model and mixture and N > max_mixture_N:
            mix_ok = False
            unavailable.append(f"mixture KL(p||q): N = {N} > max_mixture_N = {max_mixture_N} "
                               "(enumeration cost grows exponentially)" +
                               ("; E KL is exact for every N" if prof.exact else ""))
        elif not is_model and mixture:
            unavailable.append("mixture KL(p||q): needs the model's joint law, only a profile was given")
        for k in Ks:
            const = constant_schedule(N, k)
            opt = optimal_schedule(prof, k)
            opt_sched = opt.schedule
            for label, sched, ekl in (("constant", const, expected_kl(prof, const)),
                                      ("optimal", opt_sched, opt.kl)):
                mix = None
                if mix_ok:
                    try:
                        mix = exact_sampler_kl(model, sched)
                    except ModelTooLargeError as exc:
                        mix_ok = False
                        unavailable.append(f"mixture KL(p||q): {exc}")
                rows.append({"K": int(k), "schedule": label, "sizes": tuple(sched.sizes),
                             "expected_kl": ekl, "mixture_kl": mix})

    front = None
    if frontier is None:
        frontier = N <= 40
    if frontier and not free:
        front = tuple(optimal_frontier(prof))

    table, bsched = None, None
    if bounds and not free:
        bsched = constant_schedule(N, max(Ks))
        # With the model (small N), compare_bounds also shows the mixture KL beside the bounds.
        with_model = is_model and mixture and N <= max_mixture_N
        table = compare_bounds(model if with_model else prof, bsched, include_mixture=with_model,
                                  max_mixture_N=max_mixture_N)

    return Report(title or default_title, model=summary, profile=prof, schedules=rows, frontier=front, bounds=table,
                  bounds_schedule=bsched, unavailable=unavailable, digits=digits, verbose=verbose)
