"""Command line: ``symsched demo | profile MODEL | schedule MODEL -K K | limit PHI``.

``python -m symsched demo`` (what ``make demo`` runs) profiles a built-in 5-variable Bayesian network
and prints the report of :func:`symsched.report`.  MODEL is a ``.bif`` file (plain or ``.gz``) or a
built-in family written ``name:arg:arg`` (``symsched profile --help`` lists them).  Every number
printed is computed exactly by the library; nothing is estimated unless ``--method montecarlo``
is asked for.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import sys
import zlib
from fractions import Fraction
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable, Sequence

import networkx as nx
import sympy as sp

from .continuum import riemann_limit
from .errors import SymschedError
from .export import Report, report
from .formatting import format_value
from .info import information_profile
from .models import (BayesianNetwork, beta_bernoulli, binary_symmetric_chain, copy_model, independent, ising,
                     load_example, parity_model, read_bif)
from .parsing import parse_formula
from .info.corpus import read_data
from .info.estimate import estimate_measures, estimate_replicates

__all__ = ["main", "parse_model", "demo_model", "MODEL_SPECS"]


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
    """Numbers in model specs are read exactly ("0.1" is 1/10), so every precision sees the same value."""
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise _CLIError(f"{what} must be a number, got {text!r}") from None


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
        raw = Path(path).read_bytes()
        return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    except (OSError, EOFError, zlib.error):
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


def _add_profile_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--precision", choices=("float", "mpmath", "symbolic"), default="float",
                   help="arithmetic of the profile (default float)")
    p.add_argument("--dps", type=int, default=None, help="decimal digits for --precision mpmath")
    p.add_argument("--base", default=None,
                   help="logarithm base, e.g. 2 for bits (default: natural logarithms, nats)")
    p.add_argument("--method", choices=("auto", "exact", "montecarlo"), default="auto",
                   help="how the profile is computed (default auto: exact whenever possible)")
    p.add_argument("--digits", type=int, default=None,
                   help="significant digits printed (default: --dps with --precision mpmath, else 6)")


def _add_data_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("data (MODEL = data:FILE, a UTF-8 text or a .npy array of int tokens)")
    g.add_argument("--block", type=int, default=None, help="tokens per row: the text is cut into blocks of this many")
    g.add_argument("--estimator", default="markov",
                   choices=("markov", "plugin", "miller-madow", "chao-shen", "bayesian-network"),
                   help="estimate_profile method (default markov: a homogeneous chain, order by BIC)")
    g.add_argument("--max-order", type=int, default=1, help="markov: largest order tried (default 1)")
    g.add_argument("--bootstrap", type=int, default=20, help="bootstrap resamples for the errors (default 20)")
    g.add_argument("--max-rows", type=int, default=20000, help="rows used, drawn at random (default 20000)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="symsched",
        description="Exact information profiles and unmasking schedules for masked diffusion.",
        epilog=_specs_help(), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    d = sub.add_parser("demo", help="report on the built-in 5-variable Bayesian network",
                       description="Profile the built-in 5-variable Bayesian network and compare schedules.")
    d.add_argument("-K", type=int, nargs="+", default=None, help="step counts to compare (default 2 3)")
    d.add_argument("--digits", type=int, default=6, help="significant digits printed (default 6)")

    p = sub.add_parser("profile", help="information profile, H, TC, DTC of a model",
                       description="Information profile of MODEL.", epilog=_specs_help(),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", metavar="MODEL")
    _add_profile_options(p)
    _add_data_options(p)

    s = sub.add_parser("schedule", help="optimal vs constant schedules and the bounds table",
                       description="Optimal and constant K-step schedules of MODEL, with exact E KL and bounds.",
                       epilog=_specs_help(), formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("model", metavar="MODEL")
    s.add_argument("-K", type=int, nargs="+", required=True, help="step count(s)")
    s.add_argument("--no-mixture", action="store_true", help="skip the exact mixture KL (exponential in N)")
    _add_profile_options(s)

    lim = sub.add_parser("limit", help="continuum (Riemann) limit of a profile function phi(u)",
                         description="Continuum limit for h_j ~ phi(j/N): leading constants, optimal density, "
                                     "quantile breakpoints and the quantized objective L(r).")
    lim.add_argument("phi", metavar="PHI", help='non-increasing function of u on [0, 1], e.g. "1/(1+3*u)"')
    lim.add_argument("-K", type=int, default=5, help="number of steps for the breakpoints (default 5)")
    lim.add_argument("-N", type=int, default=None, help="also print the integer schedule for this N")
    lim.add_argument("-r", nargs="*", default=[], help="ratios N/K (>= 1) for the quantized limit L(r)")
    lim.add_argument("--digits", type=int, default=6, help="significant digits printed (default 6)")
    return parser


def _base(text):
    if text is None:
        return None
    try:
        v = Fraction(text)
    except ValueError:
        raise _CLIError(f"--base must be a number > 1, got {text!r}") from None
    if v <= 1:
        raise _CLIError(f"--base must be a number > 1, got {text!r}")
    return int(v) if v.denominator == 1 else v


def _cmd_demo(args, out) -> None:
    rep = report(demo_model(), K=args.K if args.K else [2, 3], digits=args.digits)
    print(rep, file=out)


def _profile_of(args):
    base = _base(args.base)  # options first: a bad option should not wait for a model to be built
    model = parse_model(args.model)
    prof = information_profile(model, method=args.method, precision=args.precision, dps=args.dps, base=base)
    return model, prof


def _cmd_profile_data(args, out) -> None:
    """``profile data:FILE``: the profile estimated from samples, with H, TC and DTC and their errors."""
    path = args.model[len("data:"):]
    for name in ("block", "max_rows", "bootstrap"):
        value = getattr(args, name)
        if value is not None and value < (2 if name == "bootstrap" else 1):
            raise _CLIError(f"--{name.replace('_', '-')} must be >= {2 if name == 'bootstrap' else 1}, got {value}")
    if args.max_order < 0:
        raise _CLIError(f"--max-order must be >= 0, got {args.max_order}")
    seed = getattr(args, "seed", None)
    seed = 0 if seed is None else seed
    rows, states = read_data(path, block=args.block, max_rows=args.max_rows, seed=seed)
    prof, boot = estimate_replicates(rows, args.estimator, homogeneous=True, max_order=args.max_order,
                                        bootstrap=args.bootstrap, seed=seed, base=_base(args.base),
                                        subsets_per_size=20)
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
    print("\n".join(lines), file=out)


def _cmd_profile(args, out) -> None:
    if args.model.startswith("data:"):
        return _cmd_profile_data(args, out)
    model, prof = _profile_of(args)
    rep = Report(f"symsched profile: {args.model}",
                 {"kind": type(model).__name__, "N": model.N, "variables": list(model.variables),
                     "cardinalities": list(model.cardinalities), "joint_size": model.joint_size()},
                 prof, [], None, None, None, [], args.digits)
    print(rep, file=out)


def _cmd_schedule(args, out) -> None:
    base = _base(args.base)
    model = parse_model(args.model)
    for k in args.K:
        if not 1 <= k <= model.N:
            raise _CLIError(f"-K {k}: the number of steps must be between 1 and N = {model.N}")
    rep = report(model, K=args.K, precision=args.precision, dps=args.dps, base=base,
                 method=args.method, mixture=not args.no_mixture, title=f"symsched schedule: {args.model}",
                 digits=args.digits)
    print(rep, file=out)


def _cmd_limit(args, out) -> None:
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
    lim = riemann_limit(phi, u)
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
    if args.N is not None:
        sched = lim.schedule(args.N, args.K)
        lines.append(f"Integer schedule for N = {args.N}: sizes {tuple(sched.sizes)}")
    for r_text, r_value in ratios:
        q = lim.quantized(r_value)
        lines.append("")
        lines.append(f"Quantized limit at r = N/K = {r_text}: L(r) = {format_value(q.L, d)}  "
                     f"(smooth sqrt-f rule: {format_value(q.smooth_value, d)}; {q.method})")
    print("\n".join(lines), file=out)


def _version() -> str:
    try:
        return version("symsched")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown (not installed)"


_COMMANDS = {"demo": _cmd_demo, "profile": _cmd_profile, "schedule": _cmd_schedule, "limit": _cmd_limit}


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
        if getattr(args, "digits", 6) is not None and args.digits < 1:
            raise _CLIError(f"--digits must be >= 1, got {args.digits}")
        _COMMANDS[args.command](args, out)
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
