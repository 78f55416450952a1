"""``symsched profile``: the information profile, H, TC and DTC of a model (or estimated from data)."""

from __future__ import annotations

from dataclasses import replace

from ...export import Report
from ...export.display import model_summary
from ...formatting import format_value
from ...printing import TextPrinter
from ...info.estimators.estimate import estimate_measures
from ..common import CommandOutput, data_estimate, data_head, profile_of
from ..options import add_data_options, add_output_options, add_profile_options, add_verbose_option, model_parser

__all__: list = []


def add_parser(sub) -> None:
    p = model_parser(sub, "profile", "information profile, H, TC, DTC of a model", "Information profile of MODEL.")
    add_profile_options(p)
    add_data_options(p)
    add_output_options(p)
    add_verbose_option(p)


def run_data(args):
    """``profile data:FILE``: the profile estimated from samples, with H, TC and DTC and their errors."""
    rows, states, prof, boot, _ = data_estimate(args)
    m = estimate_measures(prof, boot)
    d = args.digits if args.digits is not None else prof.digits
    lines = [f"symsched profile: {args.model}"] + data_head(args, rows, states, prof) + [""]
    # the profile's own table (long ones summarised); H, TC and DTC below carry the bootstrap's errors
    table = prof._table()
    table = replace(table, title="Information profile h_j (value ± standard error)", summary=(),
                    notes=tuple(n for n in table.notes if not n.startswith("note:")))  # the notes are above
    lines += TextPrinter().print_table(prof.with_digits(d), table).splitlines()
    lines.append("")
    lines += [f"  {name:<4}= {format_value(m[name].value, d)} ± {format_value(m[name].stderr, 2)}  ({m[name].what})"
              for name in ("H", "TC", "DTC")]
    return CommandOutput("profile", {"profile": prof, **{k: m[k] for k in ("H", "TC", "DTC")}}, d), "\n".join(lines)


def run(args):
    if args.model.startswith("data:"):
        return run_data(args)
    model, prof = profile_of(args)
    rep = Report(f"symsched profile: {args.model}", model=model_summary(model), profile=prof, schedules=[],
                 frontier=None, bounds=None, bounds_schedule=None, unavailable=[], digits=args.digits,
                 verbose=args.verbose)
    return prof, str(rep)  # --json / --latex: the profile itself (`profile MODEL --json` is its to_dict())
