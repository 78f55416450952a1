"""What every command shares: the user-error type, exact number arguments, the profile options, the output type."""

from __future__ import annotations

import os

import numpy as np

from ..formatting import latex_escape
from ..info import information_profile
from ..info.estimators.corpus import read_data
from ..models import load_dataset
from ..info.estimators.estimate import estimate_replicates
from ..results import FLOAT_DIGITS, Result, latex_any
from .errors import CLIError
from .specs import parse_model


__all__ = ["CommandOutput", "COMPARED_POLICIES"]

#: Policies ``symsched policy MODEL --sizes ...`` compares when no ``--policy`` is given.
COMPARED_POLICIES = ("confidence", "margin", "entropy", "llada", "random")


def chosen(values, known, default, option: str) -> tuple:
    """The names given to ``option`` (``default`` when none), refused with the known ones if one is unknown."""
    names = tuple(values) if values else tuple(default)
    bad = [v for v in names if v not in known]
    if bad:
        raise CLIError(f"{option} {' '.join(bad)}: unknown; expected some of {', '.join(known)}")
    return names


def profile_options(args) -> dict:
    return {"stderr": args.stderr, "seed": args.seed, "samples": args.samples, "max_cost": args.max_cost}


def profile_of(args):
    model = parse_model(args.model)
    prof = information_profile(model, method=args.method, precision=args.precision, dps=args.dps, base=args.base,
                               **profile_options(args))
    return model, prof


def data_estimate(args) -> tuple:
    """``MODEL = data:FILE`` (the options of ``add_data_options``): ``(rows, states, profile, replicates, seed)``.

    The same call as ``estimate_replicates(read_data(FILE, block=...), estimator, homogeneous=True,
    bootstrap=..., seed=..., subsets_per_size=20)`` in the API, so the command line and the API agree.
    """
    path = args.model[len("data:"):]
    for name in ("block", "max_rows", "bootstrap"):
        value = getattr(args, name)
        if value is not None and value < (2 if name == "bootstrap" else 1):
            raise CLIError(f"--{name.replace('_', '-')} must be >= {2 if name == 'bootstrap' else 1}, got {value}")
    if args.max_order is not None and args.max_order < 0:
        raise CLIError(f"--max-order must be >= 0, got {args.max_order}")
    seed = 0 if args.seed is None else args.seed
    rows, states = _read(path, args, seed)
    prof, boot = estimate_replicates((rows, states), args.estimator, homogeneous=True, bootstrap=args.bootstrap,
                                     seed=seed, base=args.base, subsets_per_size=20, **max_order(args))
    return rows, states, prof, boot, seed


def _read(path: str, args, seed: int) -> tuple:
    """``read_data`` of the file, or a data set of ``load_dataset`` named instead of a file."""
    if not os.path.exists(path) and (path == "digits" or path.startswith("english-words:")):
        rows, meta = load_dataset(path)
        if args.block is not None and args.block != rows.shape[1]:
            raise CLIError(f"--block {args.block}: the data set {path} has rows of {rows.shape[1]} tokens")
        if args.max_rows is not None and len(rows) > args.max_rows:
            keep = np.sort(np.random.default_rng(seed).choice(len(rows), size=args.max_rows, replace=False))
            rows = rows[keep]
            meta = {k: v for k, v in meta.items() if k == "states"}
        return rows, meta
    return read_data(path, block=args.block, max_rows=args.max_rows, seed=seed)


def max_order(args) -> dict:
    """``--max-order`` as a keyword, or nothing (then the API's default)."""
    return {} if args.max_order is None else {"max_order": args.max_order}


def data_head(args, rows, states, prof) -> list:
    """The lines that say what was read and which estimator ran (and why)."""
    lines = [f"  rows: {rows.shape[0]} blocks of N = {rows.shape[1]} tokens" + _states(states),
             f"  method: {prof.method} (an estimate; errors from {args.bootstrap} bootstrap resamples)"]
    return lines + [f"  why: {note}" for note in prof.notes if note.startswith("estimator chosen")]


def _states(states) -> str:
    labels = states.get("states") if isinstance(states, dict) else states
    if not labels:
        return ""
    return f", {len(labels)} states" if isinstance(labels[0], str) else f", {len(labels[0])} states per token"


def check_K(Ks, N) -> None:
    for k in Ks:
        if not 1 <= k <= N:
            raise CLIError(f"-K {k}: the number of steps must be between 1 and N = {N}")


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
            lines.append(value.latex() if isinstance(value, Result) else latex_any(value, self.digits))
        return r"\begin{gathered} " + r" \\ ".join(lines) + r" \end{gathered}"
