"""``symsched demo``: report on the built-in 5-variable Bayesian network."""

from __future__ import annotations

from ...export import report
from ..options import add_output_options
from ..specs import demo_model

__all__: list = []


def add_parser(sub) -> None:
    d = sub.add_parser("demo", help="report on the built-in 5-variable Bayesian network",
                       description="Profile the built-in 5-variable Bayesian network and compare schedules.")
    d.add_argument("-K", type=int, nargs="+", default=None, help="step counts to compare (default 2 3)")
    add_output_options(d)


def run(args):
    return report(demo_model(), K=args.K if args.K else [2, 3], digits=args.digits)
