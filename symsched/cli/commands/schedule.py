"""``symsched schedule``: optimal vs constant schedules and the bounds tables."""

from __future__ import annotations

from ...bounds import compare_bounds
from ...export import report
from ...formatting import latex_escape
from ...schedules import Schedule
from ..common import CommandOutput, check_K, profile_options
from ..options import add_output_options, add_profile_options, model_k_parser
from ..specs import parse_model

__all__: list = []


def add_parser(sub) -> None:
    s = model_k_parser(sub, "schedule", "optimal vs constant schedules and the bounds tables",
                       "Optimal and constant K-step schedules of MODEL, with exact E KL, and the literature's "
                       "bounds for each of them.")
    s.add_argument("--no-mixture", action="store_true", help="skip the exact mixture KL (exponential in N)")
    s.add_argument("--no-bounds", action="store_true", help="skip the bounds tables")
    add_profile_options(s)
    add_output_options(s)


def run(args):
    model = parse_model(args.model)
    check_K(args.K, model.N)
    rep = report(model, K=args.K, precision=args.precision, dps=args.dps, base=args.base,
                 method=args.method, mixture=not args.no_mixture, title=f"symsched schedule: {args.model}",
                 digits=args.digits, bounds=False, profile_options=profile_options(args))
    if args.no_bounds or rep.schedules == []:
        return rep
    tables = []
    for row in rep.schedules:  # every K asked, constant and optimal
        t = compare_bounds(rep.profile, Schedule(row["sizes"]), include_mixture=False)
        tables.append((f"bounds, K = {row['K']}, {row['schedule']} schedule {tuple(row['sizes'])}", t))
    text = [str(rep), "", "Bounds from the literature (symsched.compare_bounds), for each schedule above:"]
    for title, t in tables:
        text += ["", title + ":"] + ["  " + line if line else "" for line in str(t).splitlines()]
    parts = {"report": rep, "bounds": [{"K": row["K"], "schedule": row["schedule"], "table": t}
                                       for row, (_, t) in zip(rep.schedules, tables)]}
    out = CommandOutput("schedule", parts, args.digits)
    # latex: the report, then each table under its title
    latex = (r"\begin{gathered} " + rep.latex() + "".join(rf" \\ \text{{{latex_escape(title)}}} \\ {t.latex()}"
                                                         for title, t in tables) + r" \end{gathered}")
    return out, "\n".join(text), latex
