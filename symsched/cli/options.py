"""The argument parser: options shared by the commands, and their checks that need no model."""

from __future__ import annotations

import argparse
import inspect
import math


from ..errors import SymschedError
from ..info.estimators.estimate import DATA_METHODS, DEFAULT_DATA_METHOD
from ..parsing import parse_number
from ..results import digits_for
from ..validation import MAX_DPS
from .errors import CLIError
from .specs import specs_help

__all__: list = []


def add_output_options(p: argparse.ArgumentParser, digits: bool = True) -> None:
    g = p.add_argument_group("output")
    fmt = g.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true",
                     help="print the result's to_dict() as JSON, and nothing else, on stdout")
    fmt.add_argument("--latex", action="store_true", help="print the result's math-mode LaTeX (no $)")
    if digits:
        g.add_argument("--digits", type=int, default=None,
                       help="significant digits printed (default 6; with --dps, that many)")
    g.add_argument("--width", type=int, default=None,
                   help="columns of text output (default: the terminal's width; unlimited when not a terminal)")


def add_profile_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("profile")
    g.add_argument("--precision", choices=("float", "mpmath", "symbolic"), default=None,
                   help="arithmetic of the profile (default float; mpmath when --dps is given)")
    g.add_argument("--dps", type=int, default=None,
                   help="decimal digits of mpmath arithmetic; also the digits printed")
    g.add_argument("--base", default=None,
                   help="logarithm base: e (nats, the default), 2 (bits), 10, or any number > 1")
    g.add_argument("--method", choices=("auto", "exact", "montecarlo"), default="auto",
                   help="how the profile is computed (default auto: exact whenever possible)")
    g.add_argument("--seed", type=int, default=None, help="random seed of every estimate (Monte Carlo, bootstrap)")
    g.add_argument("--stderr", type=float, default=None,
                   help="Monte Carlo target standard error per h_j (default 0.01)")
    g.add_argument("--samples", type=int, default=None, help="Monte Carlo cap on samples per h_j")
    g.add_argument("--max-cost", type=float, default=None,
                   help="budget of the exact route (estimated operations); refused beyond it")


def add_verbose_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--verbose", action="store_true",
                   help="list every variable and cardinality of a large model (default: a summary beyond "
                        "24 variables: N, cardinalities, edges, table size, the first and last names)")


def add_data_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("data (MODEL = data:FILE, a UTF-8 text or a .npy array of int tokens)")
    g.add_argument("--block", type=int, default=None, help="tokens per row: the text is cut into blocks of this many")
    # the API's default, so that the command line and estimate_profile agree on the same file
    g.add_argument("--estimator", default=DEFAULT_DATA_METHOD, choices=(DEFAULT_DATA_METHOD,) + tuple(
                   m for m in DATA_METHODS if m != DEFAULT_DATA_METHOD),
                   help=f"estimate_profile method (default {DEFAULT_DATA_METHOD}: checks whether the rows cover their "
                   "patterns, then Miller-Madow subset entropies or a homogeneous Markov chain of order >= 1 by BIC)")
    g.add_argument("--max-order", type=int, default=None,
                   help="markov: largest order tried (default: estimate_profile's, 2; a higher order whose exact "
                   "profile is over budget falls back to the next under --estimator auto)")
    g.add_argument("--bootstrap", type=int, default=20, help="bootstrap resamples for the errors (default 20)")
    g.add_argument("--max-rows", type=int, default=20000, help="rows used, drawn at random (default 20000)")


class Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line on stderr (exit status 2), like every other error."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def command_texts(name: str, doc: str) -> tuple:
    """``(help, description)`` of a command from its module docstring: the first line, without its
    ``symsched NAME``: prefix, is the one-line help; the paragraphs after it are the description, printed
    as written (so a command's texts live in one place, its docstring, and read the same in both)."""
    first, _, rest = inspect.cleandoc(doc).partition("\n")
    short = first.split(":", 1)[1].strip() if first.startswith(f"``symsched {name}``:") else first.strip()
    return short.rstrip("."), (rest.strip() or short)


def model_parser(sub, name: str, help: str, description: str | None = None) -> argparse.ArgumentParser:
    """A subcommand taking MODEL; with ``description=None``, ``help`` is the command module's docstring
    (:func:`command_texts`)."""
    if description is None:
        help, description = command_texts(name, help)
    p = sub.add_parser(name, help=help, description=description, epilog=specs_help(),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", metavar="MODEL")
    return p


def model_k_parser(sub, name: str, help: str, description: str | None = None) -> argparse.ArgumentParser:
    """:func:`model_parser` with the step counts ``-K K [K ...]`` (required)."""
    p = model_parser(sub, name, help, description)
    p.add_argument("-K", type=int, nargs="+", required=True, help="step count(s)")
    return p


def _base(text):
    """``--base``: ``e`` (natural logarithms: None), or a number > 1 (2 for bits, 10, ...)."""
    if text is None or text.strip().lower() == "e":
        return None
    try:
        v = parse_number(text, "--base")
    except SymschedError:
        raise CLIError(f"--base must be a number > 1 (or e), got {text[:40]!r}") from None
    if v <= 1:
        raise CLIError(f"--base must be a number > 1 (or e), got {text!r}")
    return int(v) if v.denominator == 1 else v


def check_options(args) -> None:
    """Options that need no model, checked first (a bad option should not wait for a model to be built);
    fills ``args.precision`` and ``args.digits`` with their resolved values."""
    if getattr(args, "width", None) is not None and args.width < 20:
        raise CLIError(f"--width must be >= 20, got {args.width}")
    dps = getattr(args, "dps", None)
    if dps is not None and not 1 <= dps <= MAX_DPS:
        raise CLIError(f"--dps must be between 1 and {MAX_DPS}, got {dps}")
    if hasattr(args, "precision"):
        if args.precision is None:
            args.precision = "mpmath" if dps is not None else "float"
        elif dps is not None and args.precision != "mpmath":
            raise CLIError(f"--dps {dps} needs --precision mpmath (got --precision {args.precision})")
    if getattr(args, "digits", None) is not None and args.digits < 1:
        raise CLIError(f"--digits must be >= 1, got {args.digits}")
    if getattr(args, "digits", 0) is None:
        args.digits = digits_for(getattr(args, "precision", "mpmath"), dps)
    for name in ("stderr", "max_cost"):
        v = getattr(args, name, None)
        if v is not None and not (math.isfinite(v) and v > 0):
            raise CLIError(f"--{name.replace('_', '-')} must be a finite number > 0, got {v}")
    if getattr(args, "samples", None) is not None and args.samples < 1:
        raise CLIError(f"--samples must be >= 1, got {args.samples}")
    if getattr(args, "seed", None) is not None and args.seed < 0:
        raise CLIError(f"--seed must be >= 0, got {args.seed}")
    if hasattr(args, "base"):
        args.base = _base(args.base)
