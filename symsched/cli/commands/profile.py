"""``symsched profile``: the information profile, H, TC and DTC of a model (or estimated from data)."""

from __future__ import annotations

from ...export import Report
from ...formatting import format_value
from ...info.corpus import read_data
from ...info.estimate import estimate_measures, estimate_replicates
from ..common import CommandOutput, profile_of
from ..errors import CLIError
from ..options import add_data_options, add_output_options, add_profile_options, model_parser

__all__: list = []


def add_parser(sub) -> None:
    p = model_parser(sub, "profile", "information profile, H, TC, DTC of a model", "Information profile of MODEL.")
    add_profile_options(p)
    add_data_options(p)
    add_output_options(p)


def run_data(args):
    """``profile data:FILE``: the profile estimated from samples, with H, TC and DTC and their errors."""
    path = args.model[len("data:"):]
    for name in ("block", "max_rows", "bootstrap"):
        value = getattr(args, name)
        if value is not None and value < (2 if name == "bootstrap" else 1):
            raise CLIError(f"--{name.replace('_', '-')} must be >= {2 if name == 'bootstrap' else 1}, got {value}")
    if args.max_order is not None and args.max_order < 0:
        raise CLIError(f"--max-order must be >= 0, got {args.max_order}")
    seed = 0 if args.seed is None else args.seed
    rows, states = read_data(path, block=args.block, max_rows=args.max_rows, seed=seed)
    orders = {} if args.max_order is None else {"max_order": args.max_order}  # else the API's default
    prof, boot = estimate_replicates((rows, states), args.estimator, homogeneous=True, bootstrap=args.bootstrap,
                                     seed=seed, base=args.base, subsets_per_size=20, **orders)
    m = estimate_measures(prof, boot)
    d = args.digits if args.digits is not None else prof.digits
    lines = [f"symsched profile: {args.model}",
             f"  rows: {rows.shape[0]} blocks of N = {rows.shape[1]} tokens"
             + (f", {len(states)} states" if states else ""),
             f"  method: {prof.method} (an estimate; errors from {args.bootstrap} bootstrap resamples)"]
    lines += [f"  why: {note}" for note in prof.notes if note.startswith("estimator chosen")] + [""]
    lines += [f"  h_{j:<3} = {format_value(v, d)} ± {format_value(s, 2)}" for j, (v, s) in
              enumerate(zip(prof.h, prof.stderr))]
    lines.append("")
    lines += [f"  {name:<4}= {format_value(m[name].value, d)} ± {format_value(m[name].stderr, 2)}  ({m[name].what})"
              for name in ("H", "TC", "DTC")]
    return CommandOutput("profile", {"profile": prof, **{k: m[k] for k in ("H", "TC", "DTC")}}, d), "\n".join(lines)


def run(args):
    if args.model.startswith("data:"):
        return run_data(args)
    model, prof = profile_of(args)
    rep = Report(f"symsched profile: {args.model}",
                 {"kind": type(model).__name__, "N": model.N, "variables": list(model.variables),
                     "cardinalities": list(model.cardinalities), "joint_size": model.joint_size()},
                 prof, [], None, None, None, [], args.digits)
    return prof, str(rep)  # --json / --latex: the profile itself (`profile MODEL --json` is its to_dict())
