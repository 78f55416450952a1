"""The command line's own error: a user error, printed as one line with exit status 2, and exact number arguments."""

from __future__ import annotations

from fractions import Fraction


from ..errors import SymschedError
from ..parsing import parse_number

__all__: list = []


class CLIError(Exception):
    """A user error on the command line: printed as one line, exit status 2."""


def int_arg(text: str, what: str, minimum: int = 1) -> int:
    try:
        v = int(text)
    except ValueError:
        raise CLIError(f"{what} must be an integer, got {text!r}") from None
    if v < minimum:
        raise CLIError(f"{what} must be >= {minimum}, got {v}")
    return v


def num_arg(text: str, what: str) -> Fraction:
    """Numbers in model specs are read exactly ("0.1" is 1/10), so every precision sees the same value; by the
    formula parser's bounded reader (``1e-99999999`` is refused, not built as a 10^8-digit fraction)."""
    try:
        return parse_number(text, what)
    except SymschedError as exc:
        raise CLIError(f"{what} must be a number, got {text[:40]!r}: {exc}") from None
