"""MODEL on the command line: a ``.bif`` file or a built-in family ``name:arg:arg`` (:data:`MODEL_SPECS`)."""

from __future__ import annotations

import gzip
import os
import re
import textwrap
import zlib
from fractions import Fraction
from pathlib import Path
from collections.abc import Callable

import networkx as nx

from ..errors import SymschedError
from ..models import (BayesianNetwork, beta_bernoulli, binary_symmetric_chain, copy_model, empirical_model,
                      independent, ising, load_dataset, load_example, parity_model, read_bif)
from ..models.bif import example_names
from ..files import read_capped
from .errors import CLIError, int_arg, num_arg

__all__ = ["parse_model", "demo_model", "MODEL_SPECS", "install_hint", "model_forms", "DATA_COMMANDS"]


def _spec_chain(args):
    n = int_arg(args[0], "chain N", 2)
    eps = num_arg(args[1], "chain flip probability eps")
    if not 0 <= eps <= 1:
        raise CLIError(f"chain flip probability eps must be in [0, 1], got {args[1]}")
    return binary_symmetric_chain(n, eps)


def _spec_copy(args):
    n = int_arg(args[0], "copy N")
    q = int_arg(args[1], "copy q", 2) if len(args) > 1 else 2
    return copy_model(n, q)


def _spec_parity(args):
    return parity_model(int_arg(args[0], "parity N", 2))


def _spec_independent(args):
    n = int_arg(args[0], "independent N")
    q = int_arg(args[1], "independent q", 2) if len(args) > 1 else 2
    return independent(n, q)


def _spec_ising_cycle(args):
    n = int_arg(args[0], "ising-cycle N", 3)
    J = num_arg(args[1], "ising-cycle coupling J")
    h = num_arg(args[2], "ising-cycle field") if len(args) > 2 else 0
    return ising(nx.cycle_graph(n), J, field=h)


def _spec_ising_grid(args):
    r = int_arg(args[0], "ising-grid rows")
    c = int_arg(args[1], "ising-grid columns")
    J = num_arg(args[2], "ising-grid coupling J")
    return ising(nx.grid_2d_graph(r, c), J)


def _spec_beta_bernoulli(args):
    n = int_arg(args[0], "beta-bernoulli N")
    a = num_arg(args[1], "beta-bernoulli a") if len(args) > 1 else 1
    b = num_arg(args[2], "beta-bernoulli b") if len(args) > 2 else 1
    return beta_bernoulli(n, a, b)


def _spec_example(args):
    return load_example(args[0])


def _spec_demo(args):
    return demo_model()


def _spec_english_words(args):
    K = int_arg(args[0], "english-words K")
    if len(args) > 1 and args[1] != "frequency":
        raise CLIError(f"english-words:K[:frequency]: the second part must be 'frequency', got {args[1]!r}")
    return empirical_model(load_dataset(f"english-words:{K}", weights="frequency" if len(args) > 1 else None))


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
    "example": ("example:NAME", 1, 1, _spec_example, "a network shipped with symsched (symsched.load_example): "
                + ", ".join(example_names())),
    "english-words": ("english-words:K[:frequency]", 1, 2, _spec_english_words,
                      "the exact empirical law of the K-letter English words (symsched.load_dataset; the 'data' "
                      "extra), optionally weighted by word frequency"),
}

#: Commands that read ``data:FILE`` (samples, estimated with standard errors).
DATA_COMMANDS = ("profile", "schedule")
#: The MODEL forms that are not ``name:args`` families: (synopsis, help).
OTHER_FORMS = (
    ("FILE.bif, FILE.bif.gz", "a Bayesian network in the BIF format (e.g. the bnlearn repository's)"),
    ("data:FILE", "samples, estimated with standard errors (" + " and ".join(DATA_COMMANDS) + " only): a UTF-8 "
                  "text cut into rows of --block characters, a .npy int array (rows, or a stream cut by --block), "
                  "or a data set of symsched.load_dataset: data:digits, data:english-words:K"),
)


def model_forms() -> list:
    """Every MODEL form the command line reads, as ``(synopsis, help)`` in the order ``--help`` lists them:
    the families of :data:`MODEL_SPECS`, then :data:`OTHER_FORMS` (the help is generated from these, so a new
    form cannot be left out of it)."""
    return [(syn, hlp) for syn, *_, hlp in MODEL_SPECS.values()] + list(OTHER_FORMS)


def specs_help() -> str:
    lines = ["MODEL is one of:"]
    for syn, hlp in model_forms():
        lines += textwrap.wrap(hlp, 110, initial_indent=f"  {syn:<28} ", subsequent_indent=" " * 31)
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
    if name == "data":
        raise CLIError(f"MODEL {spec!r}: data:FILE (samples) is read by {' and '.join(DATA_COMMANDS)} only")
    if name not in MODEL_SPECS:
        if spec.endswith((".bif", ".bif.gz")) or os.path.sep in spec or os.path.exists(spec):
            if not os.path.isfile(spec):
                what = "is not a file" if os.path.exists(spec) else "does not exist"
                raise CLIError(f"MODEL file {spec!r} {what}")
            return _read_model_file(spec)
        raise CLIError(f"unknown MODEL {spec!r}.\n{specs_help()}")
    syn, lo, hi, build, _ = MODEL_SPECS[name]
    if not lo <= len(args) <= hi:
        raise CLIError(f"MODEL {spec!r}: expected {syn}")
    return build(args)


def _line_of(raw: bytes, offset: int) -> int:
    return raw[:offset].count(b"\n") + 1


def _read_model_file(path: str):
    """:func:`read_bif`, with every way a file can be unreadable turned into one line naming it."""
    try:
        return read_bif(path)
    except SymschedError as exc:
        raise CLIError(f"{path}: {exc}") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise CLIError(f"{path}: the gzip file is truncated or corrupt ({exc}); download or compress it "
                       "again (`gzip -t FILE` checks it)") from None
    except UnicodeDecodeError as exc:
        raw = _file_text_bytes(path)
        line = _line_of(raw, exc.start) if raw is not None else "?"
        raise CLIError(f"{path}, line {line}: byte {exc.object[exc.start:exc.start + 1]!r} is not UTF-8 text; "
                       "save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)") from None
    except OSError as exc:
        raise CLIError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    except ValueError as exc:  # e.g. a table entry that is not a number
        token = re.search(r"'([^']*)'", str(exc))
        where = ""
        raw = _file_text_bytes(path)
        if token and raw is not None:
            at = re.search(rb"(?<![\w.])" + re.escape(token.group(1).encode()) + rb"(?![\w.])", raw)
            if at:
                where = f", line {_line_of(raw, at.start())}"
        raise CLIError(f"{path}{where}: {exc}; every table entry must be a number") from None


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
    root = Path(package_dir if package_dir is not None else Path(__file__).parent.parent).resolve().parent
    if (root / "pyproject.toml").is_file() and (root / "symsched" / "__init__.py").is_file():
        return f'pip install -e ".[{extra}]" (run in the source checkout {root})'
    return f'pip install "symsched[{extra}]"'


#: Optional dependency (top-level module) -> the extra of pyproject.toml that installs it.
EXTRAS = {"pgmpy": "pgmpy", "matplotlib": "plot", "dit": "dit"}


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
