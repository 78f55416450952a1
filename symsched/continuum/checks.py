"""Argument checks shared by the continuum modules: one message style, the culprit always named."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any
from collections.abc import Sequence

import mpmath
import numpy as np
import sympy as sp

from ..errors import ModelTooLargeError, SymschedError

__all__: list = []

#: Largest ``dps`` accepted (mpmath at 10^4 digits is already slow; beyond it memory runs out).
MAX_DPS = 10_000
#: Largest number of quantiles / breakpoints computed in one call.
MAX_POINTS = 100_000
#: Guard digits added to ``dps`` inside numeric computations.
GUARD = 10
#: Largest expansion order (the symbolic work grows quickly with it).
MAX_ORDER = 12


def positive_int(v: Any, name: str, maximum: int | None = None, what: str = "") -> int:
    """``v`` as an int >= 1 (no bool, no float), refused above ``maximum`` with the way forward."""
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
        raise SymschedError(f"{name} must be a positive integer, got {v!r}")
    v = int(v)
    if maximum is not None and v > maximum:
        raise ModelTooLargeError(f"{name} = {v}{' (' + what + ')' if what else ''}", v, maximum,
                                 f"use {name} <= {maximum}")
    return v


def dps_arg(dps: Any, name: str = "dps", minimum: int = 5) -> int:
    if isinstance(dps, bool) or not isinstance(dps, (int, np.integer)) or dps < minimum:
        raise SymschedError(f"{name} must be an integer >= {minimum}, got {dps!r}")
    if dps > MAX_DPS:
        raise ModelTooLargeError(f"{name} = {dps} decimal digits", int(dps), MAX_DPS, f"use {name} <= {MAX_DPS}")
    return int(dps)


def choice(v: Any, name: str, options: Sequence[str]) -> str:
    if not isinstance(v, str) or v not in options:
        raise SymschedError(f"{name} must be one of {list(options)}, got {v!r}")
    return v


def sequence(values: Any, name: str, min_len: int = 1) -> list:
    """A one-dimensional sequence (list, tuple, 1-d array) of at least ``min_len`` items."""
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise SymschedError(f"{name}: expected a one-dimensional sequence, got an array of shape {values.shape}")
        values = values.tolist()
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple, range)):
        raise SymschedError(f"{name}: expected a sequence of numbers, got {type(values).__name__} {values!r}")
    if len(values) < min_len:
        raise SymschedError(f"{name}: expected at least {min_len} value(s), got {list(values)!r}")
    return list(values)


def real(x: Any, name: str) -> mpmath.mpf:
    """A finite real number as mpmath (at the current precision)."""
    if isinstance(x, bool) or isinstance(x, (str, bytes, list, tuple, np.ndarray, dict)) or x is None:
        raise SymschedError(f"{name}: expected a real number, got {type(x).__name__} {x!r}")
    try:
        if isinstance(x, Fraction):
            v = mpmath.mpf(x.numerator) / x.denominator
        elif isinstance(x, sp.Basic):
            if x.free_symbols:
                raise SymschedError(f"{name}: expected a number, got the expression {x}")
            c = sp.N(x, mpmath.mp.dps + 5)
            if c.has(sp.nan, sp.zoo) or not c.is_real:
                raise SymschedError(f"{name}: expected a finite real number, got {x}")
            v = mpmath.mpf(c)
        else:
            v = mpmath.mpf(x)
    except (TypeError, ValueError) as exc:
        raise SymschedError(f"{name}: expected a real number, got {type(x).__name__} {x!r}") from exc
    if not mpmath.isfinite(v):
        raise SymschedError(f"{name}: expected a finite real number, got {x!r}")
    return v


def reals(values: Any, name: str, min_len: int = 1) -> list:
    return [real(x, f"{name}[{i}]") for i, x in enumerate(sequence(values, name, min_len))]


def finite_ratio(r: Any, name: str = "r") -> None:
    """Refuse NaN / infinite floats before they reach Fraction (which raises OverflowError)."""
    if isinstance(r, float) and not math.isfinite(r):
        raise SymschedError(f"{name}: expected a finite number N/K >= 1, got {r!r}")
