"""Argument checks shared by every layer: positive integers, (N, K) pairs, finite numbers, budgets, dps, bases.

One small set of checkers so that every public function refuses the same bad input with the same kind of
message (a :class:`~symsched.errors.SymschedError` naming the argument, its value and what was expected).
This is a bottom module: it imports only :mod:`symsched.errors` and the numeric libraries.

Examples
--------
>>> from symsched.validation import positive_int, check_NK, finite_real
>>> positive_int(3, "N")
3
>>> check_NK(10, 4, "uniform_schedule")
(10, 4)
>>> finite_real(float("nan"), "eps", "li_cai_bound")
Traceback (most recent call last):
...
symsched.errors.SymschedError: li_cai_bound: eps must be a finite real number, got nan
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any, Iterable

import mpmath
import numpy as np
import sympy as sp

from .errors import ModelTooLargeError, SymschedError

__all__ = ["positive_int", "nonnegative_int", "check_NK", "finite_real", "check_budget", "check_dps",
           "check_log_base", "check_choice", "check_steps", "as_list", "MAX_DPS", "MAX_STEPS"]

#: Largest ``dps`` accepted for ``precision="mpmath"``: beyond it one logarithm alone takes seconds.
MAX_DPS = 10_000

#: Largest number of steps (grid points, mesh cells) a grid or count rule is built with: each step is a
#: Python object (often an exact Fraction), so 10^6 already takes seconds and 10^12 would never finish.
MAX_STEPS = 1_000_000


def _prefix(where: str | None) -> str:
    return f"{where}: " if where else ""


def _is_integer(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def positive_int(value: Any, name: str, where: str | None = None, *, maximum: int | None = None) -> int:
    """``value`` as a Python int ``>= 1`` (and ``<= maximum`` when given); bools and floats are refused."""
    if not _is_integer(value) or value < 1:
        raise SymschedError(f"{_prefix(where)}{name} must be a positive integer, got {name} = {value!r}")
    if maximum is not None and value > maximum:
        raise SymschedError(f"{_prefix(where)}{name} must be at most {maximum}, got {name} = {value!r}")
    return int(value)


def nonnegative_int(value: Any, name: str, where: str | None = None) -> int:
    """``value`` as a Python int ``>= 0``."""
    if not _is_integer(value) or value < 0:
        raise SymschedError(f"{_prefix(where)}{name} must be a non-negative integer, got {name} = {value!r}")
    return int(value)


def check_NK(N: Any, K: Any, where: str | None = None, *, allow_zero: bool = False) -> tuple[int, int]:
    """``(N, K)`` as ints: positive integers with ``K <= N`` (each step reveals at least one token)
    unless ``allow_zero`` (empty steps allowed, any ``K >= 1``)."""
    N = positive_int(N, "N", where)
    K = positive_int(K, "K", where)
    if K > N and not allow_zero:
        raise SymschedError(f"{_prefix(where)}K = {K} steps cannot each reveal at least one of N = {N} tokens "
                            "(need K <= N)")
    return N, K


def finite_real(value: Any, name: str, where: str | None = None, *, positive: bool = False,
                nonnegative: bool = False) -> float:
    """``value`` as a finite float (refusing NaN, infinities, complex numbers, symbols and non-numbers).

    ``positive`` / ``nonnegative`` add the sign requirement.
    """
    v = _real_or_none(value)
    if v is None or not math.isfinite(v):
        raise SymschedError(f"{_prefix(where)}{name} must be a finite real number, got {value!r}")
    if positive and not v > 0:
        raise SymschedError(f"{_prefix(where)}{name} must be positive, got {value!r}")
    if nonnegative and not v >= 0:
        raise SymschedError(f"{_prefix(where)}{name} must be non-negative, got {value!r}")
    return v


def _real_or_none(value: Any) -> float | None:
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, Fraction):
        return value.numerator / value.denominator
    if isinstance(value, sp.Basic):
        if value.free_symbols or not value.is_number:
            return None
        c = complex(sp.N(value, 20))
        return c.real if c.imag == 0 else None
    if isinstance(value, (mpmath.mpf, numbers.Real, np.floating, np.integer)):
        try:
            return float(value)
        except OverflowError:  # an int beyond float range is a finite number, but out of any sane range
            return math.copysign(math.inf, value)
    return None


def check_budget(value: Any, name: str = "max_cost", where: str | None = None) -> float | None:
    """A cost budget: ``None`` (the default budget) or a positive number (``inf`` allowed: no budget).

    NaN is refused: it compares false with everything, so it would silently disable the budget.
    """
    if value is None:
        return None
    v = _real_or_none(value)
    if v is None or math.isnan(v) or not v > 0:
        raise SymschedError(f"{_prefix(where)}{name} must be a positive number (or None for the default "
                            f"budget), got {value!r}")
    return v


def check_dps(dps: Any, where: str | None = None) -> int:
    """Decimal digits for mpmath: a positive integer up to :data:`MAX_DPS` (beyond, a refusal with the cost)."""
    dps = positive_int(dps, "dps", where)
    if dps > MAX_DPS:
        raise ModelTooLargeError(f"{_prefix(where)}dps = {dps} digits (each logarithm costs about dps^1.6 word "
                                 "operations)", dps, MAX_DPS,
                                 f"ask for at most {MAX_DPS} digits, or use precision='symbolic' for exact values")
    return dps


def check_log_base(base: Any, where: str | None = None) -> Any:
    """A logarithm base: ``None`` (nats), a finite real number ``> 1``, or a sympy expression with symbols.

    Returned unchanged (exact bases stay exact).
    """
    if base is None or (isinstance(base, sp.Basic) and base.free_symbols):
        return base
    v = _real_or_none(base)
    if v is None or not math.isfinite(v) or not v > 1:
        raise SymschedError(f"{_prefix(where)}base must be a finite real number > 1 (e.g. 2 for bits), "
                            f"got {base!r}")
    return base


def check_choice(value: Any, choices: Any, name: str, where: str | None = None) -> str:
    """``value`` if it is one of the strings ``choices``; anything else (an array, a list, another string)
    is refused naming ``name`` and the choices (``value in choices`` alone is ambiguous for arrays and
    fails with a TypeError for unhashable values)."""
    if not isinstance(value, str) or value not in tuple(choices):
        raise SymschedError(f"{_prefix(where)}{name} must be one of {tuple(choices)}, got {name} = {value!r:.60}")
    return value


def check_steps(value: Any, name: str = "K", where: str | None = None, *, maximum: int = MAX_STEPS) -> int:
    """A number of steps / grid points: a positive integer, refused over ``maximum`` before anything is
    allocated (:class:`~symsched.errors.ModelTooLargeError` with the count and the limit)."""
    value = positive_int(value, name, where)
    if value > maximum:
        raise ModelTooLargeError(f"{_prefix(where)}{name} = {value} steps (one object per step)", value, maximum,
                                 f"ask for at most {maximum} steps ({name} <= {maximum})")
    return value


def as_list(value: Any, name: str, where: str | None = None, *, expected: str = "a sequence") -> list:
    """The entries of a sequence argument as a list: a list, tuple, 1-d array or other iterable.

    Strings, scalars (a number where a sequence is needed) and arrays of more than one dimension are
    refused naming ``name`` (``list(3.0)`` would be a TypeError, and ``ravel()`` would silently flatten
    a matrix).
    """
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise SymschedError(f"{_prefix(where)}{name} must be {expected} (1-d), got an array of shape "
                                f"{value.shape}")
        return list(value)
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise SymschedError(f"{_prefix(where)}{name} must be {expected}, got {type(value).__name__} {value!r:.40}")
    return list(value)
