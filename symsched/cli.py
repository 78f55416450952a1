"""Command line: ``symsched demo | profile MODEL | schedule MODEL -K K | rules MODEL -K K | policy MODEL | limit PHI``.

Every command takes ``--json`` (the result's ``to_dict()``, and nothing else, on stdout) and ``--latex``
(its math-mode ``latex()``); a command that computes several results returns them as one
:class:`CommandOutput`.

``python -m symsched demo`` (what ``make demo`` runs) profiles a built-in 5-variable Bayesian network
and prints the report of :func:`symsched.report`.  MODEL is a ``.bif`` file (plain or ``.gz``) or a
built-in family written ``name:arg:arg`` (``symsched profile --help`` lists them).  Every number
printed is computed exactly by the library; nothing is estimated unless ``--method montecarlo``
is asked for.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import re
import shutil
import sys
import textwrap
import zlib
from fractions import Fraction
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from collections.abc import Callable, Sequence

import mpmath
import networkx as nx
import sympy as sp

from .bounds import compare_bounds
from .continuum import riemann_limit
from .errors import SymschedError
from .export import Report, report
from .formatting import format_value, latex_escape
from .info import information_profile
from .models import (BayesianNetwork, beta_bernoulli, binary_symmetric_chain, copy_model, independent, ising,
                     load_example, parity_model, read_bif)
from .files import read_capped
from .parsing import parse_formula, parse_number
from .info.corpus import read_data
from .info.estimate import estimate_measures, estimate_replicates
from .results import FLOAT_DIGITS, Result, _latex_any, digits_for
from .samplers import POLICIES, PRACTICE_RULES, compare_policies, kl_by_rule, policy_kl, rule_comparison
from .schedules import Schedule
from .validation import MAX_DPS

__all__ = ["main", "parse_model", "demo_model", "MODEL_SPECS", "CommandOutput", "COMPARED_POLICIES"]

#: Policies ``symsched policy MODEL --sizes ...`` compares when no ``--policy`` is given.
COMPARED_POLICIES = ("confidence", "margin", "entropy", "llada", "random")


class _CLIError(Exception):
    """A user error on the command line: printed as one line, exit status 2."""


def _int_arg(text: str, what: str, minimum: int = 1) -> int:
    try:
        v = int(text)
    except ValueError:
        raise _CLIError(f"{what} must be an integer, got {text!r}") from None
    if v < minimum:
        raise _CLIError(f"{what} must be >= {minimum}, got {v}")
    return v


def _num_arg(text: str, what: str) -> Fraction:
    """Numbers in model specs are read exactly ("0.1" is 1/10), so every precision sees the same value; by the
    formula parser's bounded reader (``1e-99999999`` is refused, not built as a 10^8-digit fraction)."""
    try:
        return parse_number(text, what)
    except SymschedError as exc:
        raise _CLIError(f"{what} must be a number, got {text[:40]!r}: {exc}") from None


def _spec_chain(args):
    n = _int_arg(args[0], "chain N", 2)
    eps = _num_arg(args[1], "chain flip probability eps")
    if not 0 <= eps <= 1:
        raise _CLIError(f"chain flip probability eps must be in [0, 1], got {args[1]}")
    return binary_symmetric_chain(n, eps)


def _spec_copy(args):
    n = _int_arg(args[0], "copy N")
    q = _int_arg(args[1], "copy q", 2) if len(args) > 1 else 2
    return copy_model(n, q)


def _spec_parity(args):
    return parity_model(_int_arg(args[0], "parity N", 2))


def _spec_independent(args):
    n = _int_arg(args[0], "independent N")
    q = _int_arg(args[1], "independent q", 2) if len(args) > 1 else 2
    return independent(n, q)


def _spec_ising_cycle(args):
    n = _int_arg(args[0], "ising-cycle N", 3)
    J = _num_arg(args[1], "ising-cycle coupling J")
    h = _num_arg(args[2], "ising-cycle field") if len(args) > 2 else 0
    return ising(nx.cycle_graph(n), J, field=h)


def _spec_ising_grid(args):
    r = _int_arg(args[0], "ising-grid rows")
    c = _int_arg(args[1], "ising-grid columns")
    J = _num_arg(args[2], "ising-grid coupling J")
    return ising(nx.grid_2d_graph(r, c), J)


def _spec_beta_bernoulli(args):
    n = _int_arg(args[0], "beta-bernoulli N")
    a = _num_arg(args[1], "beta-bernoulli a") if len(args) > 1 else 1
    b = _num_arg(args[2], "beta-bernoulli b") if len(args) > 2 else 1
    return beta_bernoulli(n, a, b)


def _spec_example(args):
    return load_example(args[0])


def _spec_demo(args):
    return demo_model()


#: Built-in MODEL specs: name -> (argument synopsis, minimum and maximum argument counts, builder, help).
MODEL_SPECS: dict[str, tuple[str, int, int, Callable, str]] = {
    "demo": ("demo", 0, 0, _spec_demo, "the 5-variable Bayesian network of `symsched demo`"),
    "chain": ("chain:N:EPS", 2, 2, _spec_chain, "binary symmetric Markov chain, flip probability EPS"),
    "copy": ("copy:N[:Q]", 1, 2, _spec_copy, "N copies of one uniform Q-ary symbol (default Q = 2)"),
    "parity": ("parity:N", 1, 1, _spec_parity, "N-1 fair bits and their XOR"),
    "independent": ("independent:N[:Q]", 1, 2, _spec_independent, "N independent uniform Q-ary tokens"),
    "ising-cycle": ("ising-cycle:N:J[:FIELD]", 2, 3, _spec_ising_cycle, "Ising model on the N-cycle"),
    "ising-grid": ("ising-grid:R:C:J", 3, 3, _spec_ising_grid, "Ising model on the R x C grid"),
    "beta-bernoulli": ("beta-bernoulli:N[:A:B]", 1, 3, _spec_beta_bernoulli,
                       "exchangeable Beta(A, B)-Bernoulli sequence (default A = B = 1)"),
    "example": ("example:NAME", 1, 1, _spec_example, "a network shipped with symsched (symsched.load_example)"),
}


def _specs_help() -> str:
    lines = ["MODEL is a .bif / .bif.gz file or one of:"]
    lines += [f"  {syn:<26} {hlp}" for syn, *_ , hlp in MODEL_SPECS.values()]
    return "\n".join(lines)


def parse_model(spec: str):
    """Build a model from a command-line MODEL: a ``.bif`` path or ``name:arg:...`` (see :data:`MODEL_SPECS`).

    Numbers are read exactly (``0.1`` is the fraction 1/10).

    Examples
    --------
    >>> parse_model("copy:3").N
    3
    """
    name, *args = spec.split(":")
    if name not in MODEL_SPECS:
        if spec.endswith((".bif", ".bif.gz")) or os.path.sep in spec or os.path.exists(spec):
            if not os.path.isfile(spec):
                what = "is not a file" if os.path.exists(spec) else "does not exist"
                raise _CLIError(f"MODEL file {spec!r} {what}")
            return _read_model_file(spec)
        raise _CLIError(f"unknown MODEL {spec!r}.\n{_specs_help()}")
    syn, lo, hi, build, _ = MODEL_SPECS[name]
    if not lo <= len(args) <= hi:
        raise _CLIError(f"MODEL {spec!r}: expected {syn}")
    return build(args)


def _line_of(raw: bytes, offset: int) -> int:
    return raw[:offset].count(b"\n") + 1


def _read_model_file(path: str):
    """:func:`read_bif`, with every way a file can be unreadable turned into one line naming it."""
    try:
        return read_bif(path)
    except SymschedError as exc:
        raise _CLIError(f"{path}: {exc}") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise _CLIError(f"{path}: the gzip file is truncated or corrupt ({exc}); download or compress it "
                        "again (`gzip -t FILE` checks it)") from None
    except UnicodeDecodeError as exc:
        raw = _file_text_bytes(path)
        line = _line_of(raw, exc.start) if raw is not None else "?"
        raise _CLIError(f"{path}, line {line}: byte {exc.object[exc.start:exc.start + 1]!r} is not UTF-8 text; "
                        "save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)") from None
    except OSError as exc:
        raise _CLIError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    except ValueError as exc:  # e.g. a table entry that is not a number
        token = re.search(r"'([^']*)'", str(exc))
        where = ""
        raw = _file_text_bytes(path)
        if token and raw is not None:
            at = re.search(rb"(?<![\w.])" + re.escape(token.group(1).encode()) + rb"(?![\w.])", raw)
            if at:
                where = f", line {_line_of(raw, at.start())}"
        raise _CLIError(f"{path}{where}: {exc}; every table entry must be a number") from None


def _file_text_bytes(path: str) -> bytes | None:
    """The file's bytes, decompressed if gzip (None if that fails too)."""
    try:
        return read_capped(path)
    except (OSError, ValueError):
        return None


def install_hint(extra: str, package_dir: str | Path | None = None) -> str:
    """How to install an optional extra: for a source checkout (editable) or an installed package.

    ``package_dir`` is the directory of the ``symsched`` package (default: this one); a checkout
    is recognised by the ``pyproject.toml`` beside it.

    >>> install_hint("pgmpy").startswith("pip install")
    True
    """
    root = Path(package_dir if package_dir is not None else Path(__file__).parent).resolve().parent
    if (root / "pyproject.toml").is_file() and (root / "symsched" / "__init__.py").is_file():
        return f'pip install -e ".[{extra}]" (run in the source checkout {root})'
    return f'pip install "symsched[{extra}]"'


#: Optional dependency (top-level module) -> the extra of pyproject.toml that installs it.
_EXTRAS = {"pgmpy": "pgmpy", "matplotlib": "plot", "dit": "dit"}


def demo_model():
    """The built-in example: a 5-variable Bayesian network (cloudy / sprinkler / rain / wet grass / slippery).

    The classic "sprinkler" network with a fifth node: Cloudy -> Sprinkler, Cloudy -> Rain,
    (Sprinkler, Rain) -> WetGrass, WetGrass -> Slippery.  All variables are binary (0 = false,
    1 = true); the conditional tables are exact fractions, so the model is exact in every precision.
    Token order is the order of definition: Cloudy, Sprinkler, Rain, WetGrass, Slippery.
    """
    F = Fraction
    bn = BayesianNetwork()
    bn.name = "sprinkler network (5 variables)"
    for v in ("Cloudy", "Sprinkler", "Rain", "WetGrass", "Slippery"):
        bn.add_variable(v, states=2)
    bn.set_cpd("Cloudy", [F(1, 2), F(1, 2)])
    bn.set_cpd("Sprinkler", [[F(1, 2), F(1, 2)], [F(9, 10), F(1, 10)]], parents=["Cloudy"])
    bn.set_cpd("Rain", [[F(4, 5), F(1, 5)], [F(1, 5), F(4, 5)]], parents=["Cloudy"])
    bn.set_cpd("WetGrass", [[[1, 0], [F(1, 10), F(9, 10)]],
                            [[F(1, 10), F(9, 10)], [F(1, 100), F(99, 100)]]], parents=["Sprinkler", "Rain"])
    bn.set_cpd("Slippery", [[F(19, 20), F(1, 20)], [F(3, 10), F(7, 10)]], parents=["WetGrass"])
    return bn


class CommandOutput(Result):
    """What one command computed when it is more than one result: named parts, in order.

    ``to_dict()`` is ``{"type": "CommandOutput", "command": ..., part: part's to_dict(), ...}`` and
    ``latex()`` stacks the parts' math-mode LaTeX in a ``gathered`` block, each under its name.
    """

    def __init__(self, command: str, parts: dict, digits: int = FLOAT_DIGITS):
        self.command = command
        self.parts = dict(parts)
        self.digits = digits
        self._freeze()

    def _field_items(self) -> list:
        return [("command", self.command)] + list(self.parts.items())

    def latex(self) -> str:
        lines = []
        for name, value in self.parts.items():
            lines.append(rf"\text{{{latex_escape(name.replace('_', ' '))}}}")
            lines.append(value.latex() if isinstance(value, Result) else _latex_any(value, self.digits))
        return r"\begin{gathered} " + r" \\ ".join(lines) + r" \end{gathered}"


def _add_output_options(p: argparse.ArgumentParser, digits: bool = True) -> None:
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


def _add_profile_options(p: argparse.ArgumentParser) -> None:
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


def _add_data_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("data (MODEL = data:FILE, a UTF-8 text or a .npy array of int tokens)")
    g.add_argument("--block", type=int, default=None, help="tokens per row: the text is cut into blocks of this many")
    g.add_argument("--estimator", default="markov",
                   choices=("markov", "plugin", "miller-madow", "chao-shen", "bayesian-network"),
                   help="estimate_profile method (default markov: a homogeneous chain, order by BIC)")
    g.add_argument("--max-order", type=int, default=1, help="markov: largest order tried (default 1)")
    g.add_argument("--bootstrap", type=int, default=20, help="bootstrap resamples for the errors (default 20)")
    g.add_argument("--max-rows", type=int, default=20000, help="rows used, drawn at random (default 20000)")


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line on stderr (exit status 2), like every other error."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _model_parser(sub, name: str, help: str, description: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help, description=description, epilog=_specs_help(),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", metavar="MODEL")
    return p


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="symsched",
        description="Exact information profiles and unmasking schedules for masked diffusion. "
                    "Every command takes --json (the result's to_dict()) and --latex (math-mode LaTeX).",
        epilog=_specs_help(), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    d = sub.add_parser("demo", help="report on the built-in 5-variable Bayesian network",
                       description="Profile the built-in 5-variable Bayesian network and compare schedules.")
    d.add_argument("-K", type=int, nargs="+", default=None, help="step counts to compare (default 2 3)")
    _add_output_options(d)

    p = _model_parser(sub, "profile", "information profile, H, TC, DTC of a model", "Information profile of MODEL.")
    _add_profile_options(p)
    _add_data_options(p)
    _add_output_options(p)

    s = _model_parser(sub, "schedule", "optimal vs constant schedules and the bounds tables",
                      "Optimal and constant K-step schedules of MODEL, with exact E KL, and the literature's "
                      "bounds for each of them.")
    s.add_argument("-K", type=int, nargs="+", required=True, help="step count(s)")
    s.add_argument("--no-mixture", action="store_true", help="skip the exact mixture KL (exponential in N)")
    s.add_argument("--no-bounds", action="store_true", help="skip the bounds tables")
    _add_profile_options(s)
    _add_output_options(s)

    r = _model_parser(sub, "rules", "practitioners' count rules (LLaDA, Dream, dllm, MDLM) vs the optimum",
                      "Exact E KL of the samplers' step-count rules at each K (symsched.kl_by_rule), and at each "
                      "K their counts and excess over the optimal schedule (symsched.rule_comparison).")
    r.add_argument("-K", type=int, nargs="+", required=True, help="step count(s)")
    r.add_argument("--rules", nargs="+", default=None, metavar="RULE",
                   help=f"rules among {', '.join(PRACTICE_RULES)} (default: all)")
    _add_profile_options(r)
    _add_output_options(r)

    a = _model_parser(sub, "policy", "adaptive (confidence-ordered) samplers: exact KL(p || q)",
                      "KL(p || q) of adaptive unmasking policies (symsched.policy_kl): one policy in detail, "
                      "or several compared on the same sizes (symsched.compare_policies).")
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
    _add_output_options(a)

    lim = sub.add_parser("limit", help="continuum (Riemann) limit of a profile function phi(u)",
                         description="Continuum limit for h_j ~ phi(j/N): leading constants, optimal density, "
                                     "quantile breakpoints and the quantized objective L(r).")
    lim.add_argument("phi", metavar="PHI", help='non-increasing function of u on [0, 1], e.g. "1/(1+3*u)"')
    lim.add_argument("-K", type=int, default=5, help="number of steps for the breakpoints (default 5)")
    lim.add_argument("-N", type=int, default=None, help="also print the integer schedule for this N")
    lim.add_argument("-r", nargs="*", default=[], help="ratios N/K (>= 1) for the quantized limit L(r)")
    lim.add_argument("--dps", type=int, default=None, help="digits printed (numeric fallbacks are computed "
                                                          "with at least this many)")
    _add_output_options(lim)
    return parser


def _base(text):
    """``--base``: ``e`` (natural logarithms: None), or a number > 1 (2 for bits, 10, ...)."""
    if text is None or text.strip().lower() == "e":
        return None
    try:
        v = parse_number(text, "--base")
    except SymschedError:
        raise _CLIError(f"--base must be a number > 1 (or e), got {text[:40]!r}") from None
    if v <= 1:
        raise _CLIError(f"--base must be a number > 1 (or e), got {text!r}")
    return int(v) if v.denominator == 1 else v


def _check_options(args) -> None:
    """Options that need no model, checked first (a bad option should not wait for a model to be built);
    fills ``args.precision`` and ``args.digits`` with their resolved values."""
    if getattr(args, "width", None) is not None and args.width < 20:
        raise _CLIError(f"--width must be >= 20, got {args.width}")
    dps = getattr(args, "dps", None)
    if dps is not None and not 1 <= dps <= MAX_DPS:
        raise _CLIError(f"--dps must be between 1 and {MAX_DPS}, got {dps}")
    if hasattr(args, "precision"):
        if args.precision is None:
            args.precision = "mpmath" if dps is not None else "float"
        elif dps is not None and args.precision != "mpmath":
            raise _CLIError(f"--dps {dps} needs --precision mpmath (got --precision {args.precision})")
    if getattr(args, "digits", None) is not None and args.digits < 1:
        raise _CLIError(f"--digits must be >= 1, got {args.digits}")
    if getattr(args, "digits", 0) is None:
        args.digits = digits_for(getattr(args, "precision", "mpmath"), dps)
    for name in ("stderr", "max_cost"):
        v = getattr(args, name, None)
        if v is not None and not (math.isfinite(v) and v > 0):
            raise _CLIError(f"--{name.replace('_', '-')} must be a finite number > 0, got {v}")
    if getattr(args, "samples", None) is not None and args.samples < 1:
        raise _CLIError(f"--samples must be >= 1, got {args.samples}")
    if getattr(args, "seed", None) is not None and args.seed < 0:
        raise _CLIError(f"--seed must be >= 0, got {args.seed}")
    if hasattr(args, "base"):
        args.base = _base(args.base)


def _profile_options(args) -> dict:
    return {"stderr": args.stderr, "seed": args.seed, "samples": args.samples, "max_cost": args.max_cost}


def _profile_of(args):
    model = parse_model(args.model)
    prof = information_profile(model, method=args.method, precision=args.precision, dps=args.dps, base=args.base,
                               **_profile_options(args))
    return model, prof


def _check_K(Ks, N) -> None:
    for k in Ks:
        if not 1 <= k <= N:
            raise _CLIError(f"-K {k}: the number of steps must be between 1 and N = {N}")


def _cmd_demo(args):
    return report(demo_model(), K=args.K if args.K else [2, 3], digits=args.digits)


def _cmd_profile_data(args):
    """``profile data:FILE``: the profile estimated from samples, with H, TC and DTC and their errors."""
    path = args.model[len("data:"):]
    for name in ("block", "max_rows", "bootstrap"):
        value = getattr(args, name)
        if value is not None and value < (2 if name == "bootstrap" else 1):
            raise _CLIError(f"--{name.replace('_', '-')} must be >= {2 if name == 'bootstrap' else 1}, got {value}")
    if args.max_order < 0:
        raise _CLIError(f"--max-order must be >= 0, got {args.max_order}")
    seed = 0 if args.seed is None else args.seed
    rows, states = read_data(path, block=args.block, max_rows=args.max_rows, seed=seed)
    prof, boot = estimate_replicates(rows, args.estimator, homogeneous=True, max_order=args.max_order,
                                     bootstrap=args.bootstrap, seed=seed, base=args.base, subsets_per_size=20)
    m = estimate_measures(prof, boot)
    d = args.digits if args.digits is not None else prof.digits
    lines = [f"symsched profile: {args.model}",
             f"  rows: {rows.shape[0]} blocks of N = {rows.shape[1]} tokens"
             + (f", {len(states)} states" if states else ""),
             f"  method: {prof.method} (an estimate; errors from {args.bootstrap} bootstrap resamples)", ""]
    lines += [f"  h_{j:<3} = {format_value(v, d)} ± {format_value(s, 2)}" for j, (v, s) in
              enumerate(zip(prof.h, prof.stderr))]
    lines.append("")
    lines += [f"  {name:<4}= {format_value(m[name].value, d)} ± {format_value(m[name].stderr, 2)}  ({m[name].what})"
              for name in ("H", "TC", "DTC")]
    return CommandOutput("profile", {"profile": prof, **{k: m[k] for k in ("H", "TC", "DTC")}}, d), "\n".join(lines)


def _cmd_profile(args):
    if args.model.startswith("data:"):
        return _cmd_profile_data(args)
    model, prof = _profile_of(args)
    rep = Report(f"symsched profile: {args.model}",
                 {"kind": type(model).__name__, "N": model.N, "variables": list(model.variables),
                     "cardinalities": list(model.cardinalities), "joint_size": model.joint_size()},
                 prof, [], None, None, None, [], args.digits)
    return prof, str(rep)  # --json / --latex: the profile itself (`profile MODEL --json` is its to_dict())


def _cmd_schedule(args):
    model = parse_model(args.model)
    _check_K(args.K, model.N)
    rep = report(model, K=args.K, precision=args.precision, dps=args.dps, base=args.base,
                 method=args.method, mixture=not args.no_mixture, title=f"symsched schedule: {args.model}",
                 digits=args.digits, bounds=False, profile_options=_profile_options(args))
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


def _cmd_rules(args):
    rules = tuple(args.rules) if args.rules else PRACTICE_RULES
    bad = [r for r in rules if r not in PRACTICE_RULES]
    if bad:
        raise _CLIError(f"--rules {' '.join(bad)}: unknown; expected some of {', '.join(PRACTICE_RULES)}")
    model, prof = _profile_of(args)
    _check_K(args.K, model.N)
    table = kl_by_rule(prof, args.K, rules)
    comparisons = [rule_comparison(prof, k, rules) for k in args.K]
    for t in (table, *comparisons):
        object.__setattr__(t, "digits", args.digits)  # print at the requested precision (results are frozen)
    out = CommandOutput("rules", {"kl_by_rule": table, "comparisons": comparisons}, args.digits)
    text = [f"symsched rules: {args.model} (N = {model.N}, {prof.method}, {prof.precision})", "", str(table)]
    for c in comparisons:
        text += ["", str(c)]
    return out, "\n".join(text)


def _cmd_policy(args):
    policies = tuple(args.policy) if args.policy else COMPARED_POLICIES
    bad = [p for p in policies if p not in POLICIES]
    if bad:
        raise _CLIError(f"--policy {' '.join(bad)}: unknown; expected some of {', '.join(POLICIES)}")
    threshold = None if args.threshold is None else _num_arg(args.threshold, "--threshold")
    gamma = None if args.gamma is None else _num_arg(args.gamma, "--gamma")
    model = parse_model(args.model)
    sizes = args.sizes
    if sizes is not None and (min(sizes) < 1 or sum(sizes) != model.N):
        raise _CLIError(f"--sizes {' '.join(map(str, sizes))}: need positive sizes summing to N = {model.N}")
    options = {"budget": args.max_cost}
    if len(policies) == 1:
        mc = {"seed": 0 if args.seed is None else args.seed, **({"n": args.samples} if args.samples else {})}
        r = policy_kl(model, policies[0], sizes=sizes, threshold=threshold, gamma=gamma, method=args.method,
                      law=False, **options, **mc)
        object.__setattr__(r, "digits", args.digits)
        return r
    if sizes is None:
        raise _CLIError("--sizes is needed to compare several policies (the same sizes for each)")
    if args.method == "montecarlo":
        raise _CLIError("--method montecarlo: comparisons are exact; give one --policy for a Monte Carlo estimate")
    r = compare_policies(model, sizes, policies, **options)
    object.__setattr__(r, "digits", args.digits)
    return r


def _cmd_limit(args):
    u = sp.Symbol("u", real=True)
    try:  # parsed from a whitelist, never executed
        phi = parse_formula(args.phi, {"u": u}, symbol_options={"real": True})
    except SymschedError as exc:
        raise _CLIError(f"PHI {args.phi!r} is not a formula in u: {exc}") from None
    extra = phi.free_symbols - {u}
    if extra:
        raise _CLIError(f"PHI {args.phi!r} depends on {sorted(map(str, extra))}; only u is allowed")
    if args.K < 1:
        raise _CLIError(f"-K must be >= 1, got {args.K}")
    if args.N is not None and not 1 <= args.K <= args.N:
        raise _CLIError(f"-N {args.N}: needs N >= K = {args.K}")
    ratios = []
    for r in args.r:
        q = _num_arg(r, "-r (the ratio N/K)")
        if q < 1:
            raise _CLIError(f"-r {r}: the ratio N/K must be >= 1")
        ratios.append((r, q))
    lim = riemann_limit(phi, u, **({"dps": max(args.dps + 5, 30)} if args.dps else {}))
    d = args.digits
    lines = [f"Continuum limit of h_j ~ phi(j/N), phi(u) = {phi}", ""]
    lines.append(f"f(u) = -phi'(u)                          = {lim.f}")
    lines.append(f"Delta = phi(0) - phi(1)                  = {format_value(lim.delta, d)}")
    lines.append(f"int_0^1 sqrt(f) du                       = {format_value(lim.sqrt_f_integral, d)}")
    # expand_log shows kappa* as printed in the docs, e.g. (2u + 2/3) log 2 rather than log(2**(2u + 2/3))
    lines.append(f"optimal density kappa*(u)                = {sp.expand_log(lim.density, force=True)}")
    lines.append("")
    lines.append("Leading constants: lim (K/N) E KL as N/K -> infinity")
    lines.append(f"  optimal schedule  (1/2)(int sqrt f)^2  = {format_value(lim.leading_constant, d)}")
    lines.append(f"  constant schedule (1/2) Delta          = {format_value(lim.constant_leading_constant, d)}")
    lines.append(f"  gain (int sqrt f)^2 / int f            = {format_value(lim.gain, d)}")
    lines.append("")
    bps = lim.breakpoints(args.K)
    lines.append(f"Optimal breakpoints s_t/N = G^-1(t/K), K = {args.K}:")
    lines.extend(f"  t = {t}: {format_value(b, d)}" for t, b in enumerate(bps))
    parts = {"limit": lim, "K": args.K, "breakpoints": tuple(bps)}
    if args.N is not None:
        sched = lim.schedule(args.N, args.K)
        parts["schedule"] = sched
        lines.append(f"Integer schedule for N = {args.N}: sizes {tuple(sched.sizes)}")
    quantized = []
    for r_text, r_value in ratios:
        q = lim.quantized(r_value)
        quantized.append(q)
        lines.append("")
        lines.append(f"Quantized limit at r = N/K = {r_text}: L(r) = {format_value(q.L, d)}  "
                     f"(smooth sqrt-f rule: {format_value(q.smooth_value, d)}; {q.method})")
    if quantized:
        parts["quantized"] = quantized
    return CommandOutput("limit", parts, d), "\n".join(lines)


# -- width-aware text ---------------------------------------------------------------------------------
_RULE = re.compile(r"^(\s*)-+(?:  -+)*\s*$")


def _fit(text: str, width: int | None) -> str:
    """Text that fits ``width`` columns.

    A table (a header over a rule of dashes) too wide for the page is wrapped into panels: each repeats
    the key column (the first, and the second too when the first is a narrow index) and shows the next
    columns that fit, so nothing is lost.  Other long lines wrap with a hanging indent.
    """
    if width is None:
        return text
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        if i + 1 < len(lines) and _RULE.match(lines[i + 1]) and len(lines[i + 1].rstrip()) > width:
            j = i + 2
            while j < len(lines) and lines[j].strip() and not lines[j].lstrip().startswith("("):
                j += 1
            out += _table_panels(lines[i:j], width)
            i = j
            continue
        line = lines[i]
        if len(line) > width:
            indent = line[:len(line) - len(line.lstrip())]
            out += textwrap.wrap(line, width, subsequent_indent=indent + "    ", break_long_words=False,
                                 break_on_hyphens=False) or [line]
        else:
            out.append(line)
        i += 1
    return "\n".join(out)


def _table_panels(block: list, width: int) -> list:
    """One fixed-width table (header, rule, rows) as panels of columns that fit ``width``."""
    rule = block[1]
    indent = _RULE.match(rule).group(1)
    spans = [m.span() for m in re.finditer(r"-+", rule)]
    # a narrow index column keys with its neighbour (e.g. "#  name"), if that pair leaves room
    nkey = 2 if len(spans) > 2 and spans[0][1] - spans[0][0] <= 4 and spans[1][1] <= width // 2 else 1
    key, rest = spans[:nkey], spans[nkey:]
    key_width = key[-1][1]
    panels: list[list] = [[]]
    for a, b in rest:
        used = key_width + sum(2 + (y - x) for x, y in panels[-1])
        if panels[-1] and used + 2 + (b - a) > width:
            panels.append([])
        panels[-1].append((a, b))

    def cut(line: str, cols) -> str:
        pieces = [line[a:b].ljust(b - a) for a, b in key + cols]
        return (indent + "  ".join(pieces)).rstrip()
    out: list[str] = []
    for n, cols in enumerate(panels):
        if n:
            out.append(f"{indent}(continued: {n + 1} of {len(panels)})")
        # a column wider than the page on its own: its cells wrap under the column's start
        hang = " " * (len(indent) + sum(2 + (b - a) for a, b in key))
        for line in block:
            text = cut(line, cols)
            if len(text) > width and not _RULE.match(text):
                out += textwrap.wrap(text, width, subsequent_indent=hang, break_long_words=True) or [text]
            else:
                out.append(text if len(text) <= width else text[:width])
    return out


def _width(args) -> int | None:
    if args.width is not None:
        return args.width
    if sys.stdout.isatty():  # scripts and pipes get every column
        return shutil.get_terminal_size().columns
    return None


def _emit(args, outcome, out) -> None:
    """Print a command's outcome: ``result`` or ``(result, text[, latex])``."""
    result, text, latex = (tuple(outcome) + (None, None))[:3] if isinstance(outcome, tuple) else (outcome, None, None)
    if args.json:
        dps = getattr(args, "dps", None)
        with mpmath.workdps(max(dps or 15, 15)):  # mpmath numbers serialise with every digit asked for
            print(json.dumps(result.to_dict(), allow_nan=False), file=out)
    elif args.latex:
        print(latex if latex is not None else result.latex(), file=out)
    else:
        print(_fit(text if text is not None else str(result), _width(args)), file=out)


def _version() -> str:
    try:
        return version("symsched")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown (not installed)"


_COMMANDS = {"demo": _cmd_demo, "profile": _cmd_profile, "schedule": _cmd_schedule, "rules": _cmd_rules,
             "policy": _cmd_policy, "limit": _cmd_limit}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 on success, 2 on a usage or input error).

    Examples
    --------
    >>> main(["--version"])
    symsched 0.1.0
    0
    """
    parser = _parser()
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
        _check_options(args)
        _emit(args, _COMMANDS[args.command](args), out)
    except _CLIError as exc:
        print(f"symsched {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except SymschedError as exc:  # bad input met inside the library: its message names the culprit
        print(f"symsched {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:  # an optional dependency is missing
        missing = (getattr(exc, "name", None) or "").split(".")[0]
        if missing not in _EXTRAS:
            m = re.search(r"\b(pgmpy|matplotlib|dit)\b", str(exc))
            missing = m.group(1) if m else missing
        if missing in _EXTRAS:
            print(f"symsched {args.command}: error: this needs the optional package {missing}, which is not "
                  f"installed: {install_hint(_EXTRAS[missing])}", file=sys.stderr)
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
