"""What every command shares: the user-error type, exact number arguments, the profile options, the output type."""

from __future__ import annotations

from ..formatting import latex_escape
from ..info import information_profile
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
