"""Checks on probability tables shared by every model constructor.

Nothing is ever renormalised: a table that does not sum to one (beyond :data:`SUM_TOLERANCE` for
float entries, exactly for exact and symbolic entries) is refused with a message naming it.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..arithmetic import SUM_TOLERANCE
from ..errors import InvalidModelError

__all__ = ["object_entries", "as_entry_array", "check_probability_table", "check_nonnegative_table", "is_exact_entry"]


def is_exact_entry(x: Any) -> bool:
    """Entries summed exactly: int, Fraction, sympy objects other than Float."""
    if isinstance(x, (bool, np.bool_)):
        return True
    if isinstance(x, (int, np.integer, Fraction)):
        return True
    if isinstance(x, sp.Basic):
        return not x.has(sp.Float)
    return False


def as_entry_array(table: Any, where: str) -> np.ndarray:
    """Keep a table's entries as given: float64 when all entries are plain floats/ints, else object.

    Exact entries (Fraction, sympy, mpf) are kept in an object array so that later arithmetic can
    be exact or carried out at any precision.
    """
    if isinstance(table, (bool, np.bool_)) or (isinstance(table, np.ndarray) and table.dtype.kind == "b"):
        raise InvalidModelError(f"{where}: expected probabilities, got booleans (True / False are not numbers "
                                "here; write 1 and 0)")
    if isinstance(table, np.ndarray) and table.dtype != object:
        if table.dtype.kind not in "biuf":
            raise InvalidModelError(f"{where}: expected numeric entries, got dtype {table.dtype}")
        # a copy: the model must not share (or freeze) the caller's array
        return np.array(table, dtype=float)
    try:
        arr = np.array(table, dtype=object)
    except ValueError as exc:  # ragged nesting
        raise InvalidModelError(f"{where}: not a rectangular table ({exc})") from None
    flat = arr.ravel()
    kinds = set(map(type, flat))  # one pass in C; the per-entry loop below only runs on unusual types
    if kinds & {bool, np.bool_}:
        raise InvalidModelError(f"{where}: expected probabilities, got the boolean {_first_bool(flat)!r} (True / "
                                "False are not numbers here; write 1 and 0)")
    if not kinds <= _PLAIN_NUMBERS:
        for x in flat:
            if isinstance(x, (list, tuple, np.ndarray)):
                raise InvalidModelError(f"{where}: not a rectangular table")
            if not isinstance(x, (int, float, Fraction, np.integer, np.floating, mpmath.mpf, sp.Basic)):
                raise InvalidModelError(f"{where}: entry {x!r} of type {type(x).__name__} is not a number")
    plain = kinds <= _PLAIN_NUMBERS - {bool, np.bool_} or \
        all(isinstance(x, (float, int, np.floating, np.integer)) and not isinstance(x, (bool, np.bool_)) for x in flat)
    if plain:
        try:
            return np.asarray(arr, dtype=float)
        except OverflowError:  # integers beyond the float range stay exact
            return arr
    return arr


def _first_bool(flat: np.ndarray) -> Any:
    return next(x for x in flat if isinstance(x, (bool, np.bool_)))


#: Entry types read as float64 without a per-entry check (ints and floats; bools are refused before).
_PLAIN_NUMBERS = {float, int, np.float64, np.float32, np.int64, np.int32, bool, np.bool_}


def _entry_status(x: Any, where: str) -> None:
    if isinstance(x, sp.Basic):
        if x.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise InvalidModelError(f"{where}: entry {x} is not finite")
        if x.is_extended_real is False or (x.is_number and not x.free_symbols and sp.im(x) != 0):
            raise InvalidModelError(f"{where}: entry {x} is not a real number (probabilities are real)")
        if x.is_negative:
            raise InvalidModelError(f"{where}: negative entry {x}")
        return
    if isinstance(x, (int, np.integer, Fraction)):  # exact, possibly beyond the float range
        if x < 0:
            raise InvalidModelError(f"{where}: negative entry {x!r}")
        return
    v = float(x)
    if math.isnan(v) or math.isinf(v):
        raise InvalidModelError(f"{where}: entry {x!r} is NaN or infinite")
    if v < 0:
        raise InvalidModelError(f"{where}: negative entry {x!r}")


def check_nonnegative_table(arr: np.ndarray, where: str) -> None:
    """Refuse NaN, infinite and negative entries (symbolic entries: only provably negative ones)."""
    if arr.dtype != object:
        if not np.all(np.isfinite(arr)):
            bad = np.argwhere(~np.isfinite(arr))[0]
            raise InvalidModelError(f"{where}: entry at index {tuple(int(i) for i in bad)} is NaN or infinite")
        if np.any(arr < 0):
            bad = np.argwhere(arr < 0)[0]
            raise InvalidModelError(f"{where}: negative entry {arr[tuple(bad)]!r} at index "
                                    f"{tuple(int(i) for i in bad)}")
        return
    for idx, x in np.ndenumerate(arr):
        _entry_status(x, f"{where} at index {idx}")


def _sum_is_one(values: list, where: str) -> None:
    if all(is_exact_entry(v) for v in values):
        total = sum((sp.sympify(v) if isinstance(v, sp.Basic) else
                     (sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sp.Integer(int(v)))
                     for v in values), sp.Integer(0))
        diff = sp.simplify(total - 1)
        if diff != 0 and diff.has(sp.cosh, sp.sinh, sp.tanh):  # partition functions written with cosh
            diff = sp.simplify(diff.rewrite(sp.exp))
        if diff == 0:
            return
        if diff.free_symbols:
            raise InvalidModelError(
                f"{where} sums to {sp.simplify(total)}, which cannot be shown to equal 1 for all values of "
                f"{sorted(map(str, diff.free_symbols))}; write the entries so that they sum to 1 exactly "
                "(e.g. [eps, 1 - eps])")
        raise InvalidModelError(f"{where} sums to {total}, not 1 (nothing is renormalised)")
    if any(isinstance(v, sp.Basic) and v.free_symbols for v in values):
        total = sp.nsimplify(sum(sp.sympify(v) for v in values))
        if sp.simplify(total - 1) != 0:
            raise InvalidModelError(f"{where} sums to {total}, not 1 (nothing is renormalised)")
        return
    total = mpmath.fsum(mpmath.mpf(v) if not isinstance(v, Fraction) else mpmath.mpf(v.numerator) / v.denominator
                        for v in values)
    if abs(total - 1) > SUM_TOLERANCE * max(1, len(values)):
        raise InvalidModelError(f"{where} sums to {mpmath.nstr(total, 12)}, not 1 "
                                f"(tolerance {SUM_TOLERANCE:g}; nothing is renormalised)")


def check_probability_table(arr: np.ndarray, where: str, axis: int | None = -1) -> None:
    """Check non-negativity and that every slice along ``axis`` sums to one (``axis=None``: the whole table).

    Raises
    ------
    InvalidModelError
        Naming ``where`` and, for conditional tables, the offending parent configuration.
    """
    check_nonnegative_table(arr, where)
    if arr.size == 0:
        raise InvalidModelError(f"{where}: empty table")
    if axis is None:
        if arr.dtype != object:
            total = math.fsum(arr.ravel())  # correctly rounded, C speed (no per-entry Python objects)
            if not abs(total - 1) <= SUM_TOLERANCE * max(1, arr.size):
                raise InvalidModelError(f"{where} sums to {total!r}, not 1 "
                                        f"(tolerance {SUM_TOLERANCE:g}; nothing is renormalised)")
            return
        _sum_is_one(list(arr.ravel()), where)
        return
    moved = np.moveaxis(arr, axis, -1)
    if moved.dtype != object:
        # one row per parent configuration, also for a parentless CPD (a single row): every table
        # goes through this check, so none may slip past it by having no leading axes
        sums = moved.reshape(-1, moved.shape[-1]).sum(axis=-1)
        bad = np.flatnonzero(~(np.abs(sums - 1) <= SUM_TOLERANCE * max(1, moved.shape[-1])))
        if bad.size:
            idx = tuple(int(i) for i in np.unravel_index(int(bad[0]), moved.shape[:-1]))
            row = f"{where}: the row for parent states {idx}" if idx else where
            raise InvalidModelError(f"{row} sums to {float(sums[bad[0]])!r}, not 1 (nothing is renormalised)")
        return
    for idx in np.ndindex(*moved.shape[:-1]):
        _sum_is_one(list(moved[idx]), f"{where}: the row for parent states {idx}" if idx else where)


def object_entries(tables) -> list:
    """Entries of the object (exact or symbolic) arrays among ``tables``: a model's symbolic parameters."""
    out = []
    for t in tables:
        if t is not None and t.dtype == object:
            out.extend(t.ravel())
    return out
