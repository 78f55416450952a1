"""Exceptions raised by symsched.

Every error on bad input is a :class:`ValueError` subclass, so ``except ValueError`` catches them all;
the message names the offending variable, table, size or argument and says what was expected.
"""

from __future__ import annotations

import math

__all__ = ["SymschedError", "InvalidModelError", "ModelTooLargeError", "SymbolicValueError"]


def format_count(x: float | int) -> str:
    """A size or cost in 3 significant digits; integers beyond float range as ``~10^k`` (never an OverflowError)."""
    try:
        return f"{float(x):.3g}"
    except OverflowError:
        return f"~10^{len(str(abs(int(x)))) - 1}"


def _as_float(x: float | int) -> float:
    try:
        return float(x)
    except OverflowError:
        return math.inf


class SymschedError(ValueError):
    """Base class of symsched's input errors."""


class InvalidModelError(SymschedError):
    """A model's structure or parameters are invalid (cycle, bad CPT, wrong shape, ...)."""


class ModelTooLargeError(SymschedError):
    """An exact computation would exceed its budget.

    Attributes
    ----------
    estimate : float
        The estimated cost (entries of a table, or elementary operations) of the refused computation.
    budget : float
        The budget it was compared with.
    """

    def __init__(self, what: str, estimate: float, budget: float, hint: str | None = None):
        self.estimate = _as_float(estimate)
        self.budget = _as_float(budget)
        hint = hint or ('use method="montecarlo" (information_profile(model, method="montecarlo", '
                        'stderr=...)) or raise the budget argument')
        super().__init__(f"{what}: estimated cost {format_count(estimate)} exceeds the budget "
                         f"{format_count(budget)}; {hint}")


class SymbolicValueError(SymschedError):
    """A numeric operation met unresolved sympy symbols (substitute values or use precision='symbolic')."""
