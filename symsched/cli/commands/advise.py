"""``symsched advise``: how many steps each sampler needs for a target KL (or its KL at K).

For every sampler rule (LLaDA, Fast-dLLM, Dream, dllm, the MDLM / SEDD grids, the optimal schedule,
Fast-dLLM's confidence threshold): the fewest steps whose exact E KL meets --target, or the E KL at
-K steps, with the model calls each library makes (symsched.advise).
"""

from __future__ import annotations

from ...parsing import parse_number
from ...samplers import ADVICE_RULES, advise
from ..common import profile_of
from ..errors import CLIError
from ..options import add_output_options, add_profile_options, model_parser

__all__: list = []


def add_parser(sub) -> None:
    a = model_parser(sub, "advise", __doc__)
    g = a.add_mutually_exclusive_group(required=True)
    g.add_argument("--target", metavar="KL", help="target expected KL in nats (an exact number: 0.1, 1/20)")
    g.add_argument("-K", type=int, help="a step budget")
    a.add_argument("--rules", nargs="+", default=None, metavar="RULE",
                   help=f"rules among {', '.join(ADVICE_RULES)} (default: all)")
    a.add_argument("--kmax", type=int, default=None, help="largest K scanned (default 2N; 16N for grids)")
    a.add_argument("--no-threshold", action="store_true", help="skip Fast-dLLM's threshold rule")
    add_profile_options(a)
    add_output_options(a)


def run(args):
    rules = tuple(args.rules) if args.rules else None
    if rules:
        bad = [r for r in rules if r not in ADVICE_RULES]
        if bad:
            raise CLIError(f"--rules {' '.join(bad)}: unknown; expected some of {', '.join(ADVICE_RULES)}")
    if args.kmax is not None and args.kmax < 1:
        raise CLIError(f"--kmax must be >= 1, got {args.kmax}")
    if args.K is not None and args.K < 1:
        raise CLIError(f"-K must be >= 1, got {args.K}")
    target = None
    if args.target is not None:
        target = parse_number(args.target, "--target")
        if target < 0:
            raise CLIError(f"--target must be >= 0, got {args.target}")
    model, prof = profile_of(args)
    result = advise(prof, target=target, K=args.K, rules=rules, Kmax=args.kmax,
                    threshold=not args.no_threshold, model=model).with_digits(args.digits)
    head = f"symsched advise: {args.model} (N = {model.N}, {prof.method}, {prof.precision})"
    return result, head + "\n\n" + str(result)
