"""Command line: ``symsched demo | profile MODEL | schedule MODEL -K K | rules MODEL -K K | policy MODEL | limit PHI``.

Every command takes ``--json`` (the result's ``to_dict()``, and nothing else, on stdout) and ``--latex``
(its math-mode ``latex()``); a command that computes several results returns them as one
:class:`CommandOutput`.

``python -m symsched demo`` (what ``make demo`` runs) profiles a built-in 5-variable Bayesian network
and prints the report of :func:`symsched.report`.  MODEL is a ``.bif`` file (plain or ``.gz``) or a
built-in family written ``name:arg:arg`` (``symsched profile --help`` lists them).  Every number
printed is computed exactly by the library; nothing is estimated unless ``--method montecarlo``
is asked for.

The package: :mod:`.specs` (MODEL specs), :mod:`.options` (the parser's shared options and their checks),
:mod:`.render` (``--json``, ``--latex``, text fitted to the terminal), :mod:`.common` (what commands share)
and one module per command in :mod:`.commands`, each with ``add_parser(sub)`` and ``run(args)``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from importlib.metadata import PackageNotFoundError, version
from collections.abc import Sequence

from ..errors import SymschedError
from .commands import advise, demo, export, limit, policy, profile, rules, schedule
from .common import COMPARED_POLICIES, CommandOutput
from .errors import CLIError
from .options import Parser, check_options
from .render import emit
from .specs import EXTRAS, MODEL_SPECS, demo_model, install_hint, parse_model, specs_help

__all__ = ["main", "parse_model", "demo_model", "MODEL_SPECS", "CommandOutput", "COMPARED_POLICIES"]


def _version() -> str:
    try:
        return version("symsched")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown (not installed)"


#: The commands, in the order ``symsched --help`` lists them: name -> module with ``add_parser`` and ``run``.
COMMANDS = {"demo": demo, "profile": profile, "schedule": schedule, "rules": rules, "advise": advise,
            "export": export, "policy": policy, "limit": limit}


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="symsched",
        description="Exact information profiles and unmasking schedules for masked diffusion. "
                    "Every command takes --json (the result's to_dict()) and --latex (math-mode LaTeX).",
        epilog=specs_help(), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    for command in COMMANDS.values():
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 on success, 2 on a usage or input error).

    Examples
    --------
    >>> main(["--version"])
    symsched 0.1.0
    0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse printed its message (or --help)
        return int(exc.code or 0)
    out = sys.stdout
    if args.version:
        print(f"symsched {_version()}", file=out)
        return 0
    if args.command is None:
        parser.print_help(out)
        return 0
    try:
        check_options(args)
        emit(args, COMMANDS[args.command].run(args), out)
    except CLIError as exc:
        print(f"symsched {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except SymschedError as exc:  # bad input met inside the library: its message names the culprit
        print(f"symsched {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:  # an optional dependency is missing
        missing = (getattr(exc, "name", None) or "").split(".")[0]
        if missing not in EXTRAS:
            m = re.search(r"\b(pgmpy|matplotlib|dit)\b", str(exc))
            missing = m.group(1) if m else missing
        if missing in EXTRAS:
            print(f"symsched {args.command}: error: this needs the optional package {missing}, which is not "
                  f"installed: {install_hint(EXTRAS[missing])}", file=sys.stderr)
        else:
            print(f"symsched {args.command}: error: a required package is missing ({exc}); reinstall symsched",
                  file=sys.stderr)
        return 2
    except ValueError as exc:  # bad input met in a lower layer that did not use SymschedError
        print(f"symsched {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"symsched {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` etc.: not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return 0
