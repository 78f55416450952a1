"""``symsched rules``: practitioners' count rules (LLaDA, Dream, dllm, MDLM) vs the optimum.

Exact E KL of the samplers' step-count rules at each K (symsched.kl_by_rule), and at each K their
counts and excess over the optimal schedule (symsched.rule_comparison).
"""

from __future__ import annotations

from ...samplers import PRACTICE_RULES, kl_by_rule, rule_comparison
from ..common import CommandOutput, check_K, chosen, profile_of
from ..options import add_output_options, add_profile_options, model_k_parser

__all__: list = []


def add_parser(sub) -> None:
    r = model_k_parser(sub, "rules", __doc__)
    r.add_argument("--rules", nargs="+", default=None, metavar="RULE",
                   help=f"rules among {', '.join(PRACTICE_RULES)} (default: all)")
    add_profile_options(r)
    add_output_options(r)


def run(args):
    rules = chosen(args.rules, PRACTICE_RULES, PRACTICE_RULES, "--rules")
    model, prof = profile_of(args)
    check_K(args.K, model.N)
    table = kl_by_rule(prof, args.K, rules).with_digits(args.digits)
    comparisons = [rule_comparison(prof, k, rules).with_digits(args.digits) for k in args.K]
    out = CommandOutput("rules", {"kl_by_rule": table, "comparisons": comparisons}, args.digits)
    text = [f"symsched rules: {args.model} (N = {model.N}, {prof.method}, {prof.precision})", "", str(table)]
    for c in comparisons:
        text += ["", str(c)]
    return out, "\n".join(text)
