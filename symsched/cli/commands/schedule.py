"""``symsched schedule``: optimal vs constant schedules and the bounds tables.

Optimal and constant K-step schedules of MODEL, with exact E KL, and the literature's bounds for
each of them.  With MODEL = data:FILE: the schedules of the profile estimated from the rows
(estimate_profile's default estimator, said which), each E KL with its standard error.
--block-length L adds LLaDA's semi-autoregressive blocks of L tokens.
"""

from __future__ import annotations

from ...bounds import compare_bounds
from ...export import report
from ...formatting import format_value, latex_escape
from ...samplers import blockwise_expected_kl, estimate_blockwise_kl
from ...schedules import Schedule, constant_schedule, expected_kl, optimal_schedule, sampler_schedule
from ..common import CommandOutput, check_K, data_estimate, data_head, max_order, profile_options
from ..errors import CLIError
from ..options import add_data_options, add_output_options, add_profile_options, add_verbose_option, model_k_parser
from ..specs import parse_model

__all__: list = []


def add_parser(sub) -> None:
    s = model_k_parser(sub, "schedule", __doc__)
    s.add_argument("--no-mixture", action="store_true", help="skip the exact mixture KL (exponential in N)")
    s.add_argument("--no-bounds", action="store_true", help="skip the bounds tables")
    s.add_argument("--block-length", type=int, default=None, metavar="L",
                   help="also the E KL of semi-autoregressive blocks of L tokens (LLaDA's block_length: blocks left "
                        "to right, K split evenly over them, random order inside; symsched.blockwise_expected_kl, "
                        "or estimate_blockwise_kl for data:FILE). Not --block, which cuts a data file into rows")
    add_profile_options(s)
    add_data_options(s)
    add_output_options(s)
    add_verbose_option(s)


def _semi_ar(args, N: int, K: int):
    """LLaDA's per-block counts for K steps over blocks of ``--block-length`` (refused as LLaDA refuses)."""
    L = args.block_length
    if not 1 <= L <= N:
        raise CLIError(f"--block-length {L}: must be between 1 and N = {N}")
    try:
        return sampler_schedule("llada", N, K, block_length=L)
    except ValueError as exc:
        raise CLIError(f"--block-length {L} with -K {K}: {exc}") from None


def run_data(args):
    """``schedule data:FILE -K ...``: optimal and constant schedules of the estimated profile, E KL ± stderr."""
    rows, states, prof, _, seed = data_estimate(args)
    N = prof.N
    check_K(args.K, N)
    d = args.digits
    lines = [f"symsched schedule: {args.model}"] + data_head(args, rows, states, prof)
    parts = []
    for K in args.K:
        lines += ["", f"  K = {K}:"]
        for name, sched in (("optimal", optimal_schedule(prof, K).schedule), ("constant", constant_schedule(N, K))):
            kl = expected_kl(prof, sched)
            parts.append({"K": K, "schedule": name, "sizes": [int(k) for k in sched.sizes], "expected_kl": kl})
            lines.append(f"    {name:<22} E KL = {format_value(float(kl), d)} ± {format_value(kl.stderr, 2)}  "
                         f"sizes {tuple(int(k) for k in sched.sizes)}")
        if args.block_length is not None:
            s = _semi_ar(args, N, K)
            r = estimate_blockwise_kl((rows, states), args.block_length, s, args.estimator, bootstrap=args.bootstrap,
                                      seed=seed, homogeneous=True, **max_order(args))
            name = f"llada, blocks of {args.block_length}"
            parts.append({"K": K, "schedule": name, "sizes": [list(b) for b in s.block_sizes], "expected_kl": r.kl,
                          "method": r.method})
            lines.append(f"    {name:<22} E KL = {format_value(float(r), d)} ± {format_value(r.stderr, 2)}  "
                         f"sizes per block {s.block_sizes[0]} ({r.method})")
    out = CommandOutput("schedule", {"profile": prof, "schedules": parts}, d)
    return out, "\n".join(lines)


def run(args):
    if args.model.startswith("data:"):
        return run_data(args)
    model = parse_model(args.model)
    check_K(args.K, model.N)
    rep = report(model, K=args.K, precision=args.precision, dps=args.dps, base=args.base,
                 method=args.method, mixture=not args.no_mixture, title=f"symsched schedule: {args.model}",
                 digits=args.digits, bounds=False, profile_options=profile_options(args), verbose=args.verbose)
    semi = []
    if args.block_length is not None:
        for K in args.K:
            s = _semi_ar(args, model.N, K)
            r = blockwise_expected_kl(model, args.block_length, s, precision=args.precision)
            semi.append({"K": K, "schedule": f"llada, blocks of {args.block_length}",
                         "sizes": [list(b) for b in s.block_sizes], "expected_kl": r.kl, "method": r.method})
    if (args.no_bounds or rep.schedules == []) and not semi:
        return rep
    tables = []
    for row in ([] if args.no_bounds else rep.schedules):  # every K asked, constant and optimal
        t = compare_bounds(rep.profile, Schedule(row["sizes"]), include_mixture=False)
        tables.append((f"bounds, K = {row['K']}, {row['schedule']} schedule {tuple(row['sizes'])}", t))
    text = [str(rep)]
    if semi:
        text += ["", "Semi-autoregressive blocks (symsched.blockwise_expected_kl):"]
        text += [f"  K = {r['K']}, {r['schedule']}: E KL = {format_value(r['expected_kl'], args.digits)}  "
                 f"sizes per block {tuple(r['sizes'][0])}" for r in semi]
    if tables:
        text += ["", "Bounds from the literature (symsched.compare_bounds), for each schedule above:"]
    for title, t in tables:
        text += ["", title + ":"] + ["  " + line if line else "" for line in str(t).splitlines()]
    parts = {"report": rep, "bounds": [{"K": row["K"], "schedule": row["schedule"], "table": t}
                                       for row, (_, t) in zip(rep.schedules, tables)]}
    if semi:
        parts["semi_autoregressive"] = semi
    out = CommandOutput("schedule", parts, args.digits)
    # latex: the report, then each table under its title
    latex = (r"\begin{gathered} " + rep.latex() + "".join(rf" \\ \text{{{latex_escape(title)}}} \\ {t.latex()}"
                                                         for title, t in tables) + r" \end{gathered}")
    return out, "\n".join(text), latex
