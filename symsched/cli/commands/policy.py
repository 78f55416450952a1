"""``symsched policy``: adaptive (confidence-ordered) samplers: exact KL(p || q).

KL(p || q) of adaptive unmasking policies (symsched.policy_kl): one policy in detail, or several
compared on the same sizes (symsched.compare_policies).
"""

from __future__ import annotations

from ...samplers import POLICIES, compare_policies, policy_kl
from ..common import COMPARED_POLICIES, chosen
from ..errors import CLIError, num_arg
from ..options import add_output_options, model_parser
from ..specs import parse_model

__all__: list = []


def add_parser(sub) -> None:
    a = model_parser(sub, "policy", __doc__)
    a.add_argument("--policy", nargs="+", default=None, metavar="POLICY",
                   help=f"one or more of {', '.join(POLICIES)} (default: compare {', '.join(COMPARED_POLICIES)})")
    a.add_argument("--sizes", type=int, nargs="+", default=None, help="tokens revealed per step (sum N)")
    a.add_argument("--threshold", default=None, help="tau of the threshold policy (e.g. 0.9)")
    a.add_argument("--gamma", default=None, help="gamma of the entropy-bound policy (e.g. 0.1)")
    a.add_argument("--method", choices=("auto", "exact", "montecarlo"), default="auto",
                   help="exact enumeration within --max-cost, Monte Carlo beyond (auto)")
    a.add_argument("--samples", type=int, default=None, help="Monte Carlo draws")
    a.add_argument("--seed", type=int, default=None, help="Monte Carlo seed (default 0)")
    a.add_argument("--max-cost", type=float, default=None, help="budget of the exact enumeration")
    add_output_options(a)


def run(args):
    policies = chosen(args.policy, POLICIES, COMPARED_POLICIES, "--policy")
    threshold = None if args.threshold is None else num_arg(args.threshold, "--threshold")
    gamma = None if args.gamma is None else num_arg(args.gamma, "--gamma")
    model = parse_model(args.model)
    sizes = args.sizes
    if sizes is not None and (min(sizes) < 1 or sum(sizes) != model.N):
        raise CLIError(f"--sizes {' '.join(map(str, sizes))}: need positive sizes summing to N = {model.N}")
    options = {"budget": args.max_cost}
    if len(policies) == 1:
        mc = {"seed": 0 if args.seed is None else args.seed, **({"n": args.samples} if args.samples else {})}
        r = policy_kl(model, policies[0], sizes=sizes, threshold=threshold, gamma=gamma, method=args.method,
                      law=False, **options, **mc)
        return r.with_digits(args.digits)
    if sizes is None:
        raise CLIError("--sizes is needed to compare several policies (the same sizes for each)")
    if args.method == "montecarlo":
        raise CLIError("--method montecarlo: comparisons are exact; give one --policy for a Monte Carlo estimate")
    return compare_policies(model, sizes, policies, **options).with_digits(args.digits)
