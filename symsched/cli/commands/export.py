"""``symsched export``: a K-step schedule in the format a sampler's code loads.

The optimal K-step schedule of MODEL (or a rule's, --rule), written as a sampler loads it: 'llada'
the per-block step counts of LLaDA's generate loop, 'dream' the float32 time grid that Dream's loop
turns back into exactly these counts, 'counts' / 'grid' plain lists, 'json' everything with the
exact E KL (symsched.export_schedule).
"""

from __future__ import annotations

import json
from fractions import Fraction

from ...export import export_schedule
from ...samplers import PRACTICE_RULES
from ...schedules import expected_kl, optimal_schedule, sampler_schedule
from ..common import check_K, profile_of
from ..errors import CLIError
from ..options import add_profile_options, model_parser

__all__: list = []

#: Formats of ``symsched export`` (``export_schedule``'s names).
FORMATS = ("llada", "dream", "counts", "grid", "json")


def add_parser(sub) -> None:
    e = model_parser(sub, "export", __doc__)
    e.add_argument("-K", type=int, required=True, help="number of steps")
    e.add_argument("--format", choices=FORMATS, default="json", help="file format (default json)")
    e.add_argument("--rule", default="optimal", metavar="RULE",
                   help="'optimal' (default) or a count rule: " + ", ".join(r for r in PRACTICE_RULES
                                                                          if r != "optimal"))
    e.add_argument("-o", "--output", default=None, metavar="FILE", help="write to FILE (default: stdout)")
    add_profile_options(e)


def _schedule(args, model, prof):
    if args.rule == "optimal":
        return optimal_schedule(prof, args.K).schedule
    if args.rule not in PRACTICE_RULES:
        raise CLIError(f"--rule {args.rule}: unknown; expected optimal or one of {', '.join(PRACTICE_RULES)}")
    try:
        return sampler_schedule(args.rule, model.N, args.K)
    except ValueError as exc:
        raise CLIError(f"--rule {args.rule}: {exc} (Bernoulli grids have no fixed counts to export)") from None


def _plain(x):
    if isinstance(x, Fraction):
        return float(x)
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x


def run(args):
    model, prof = profile_of(args)
    check_K([args.K], model.N)
    sched = _schedule(args, model, prof)
    if args.format == "json":
        kl = expected_kl(prof, sched)
        payload = {"model": args.model, "N": model.N, "K": args.K, "rule": args.rule,
                   "sizes": [int(k) for k in sched.sizes], "expected_kl": float(kl),
                   "llada": export_schedule(sched, "llada"), "dream": _plain(export_schedule(sched, "dream"))}
    else:
        payload = _plain(export_schedule(sched, args.format))
    text = json.dumps(payload)
    if args.output:
        try:
            with open(args.output, "w") as fh:
                fh.write(text + "\n")
        except OSError as exc:
            raise CLIError(f"--output {args.output}: {exc.strerror}") from None
        return None  # nothing to print: the file is the output
    print(text)
    return None
