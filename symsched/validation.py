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
import os
from fractions import Fraction
from typing import Any
from collections.abc import Iterable

import mpmath
import numpy as np
import sympy as sp

from .errors import ModelTooLargeError, SymschedError, format_count
from .files import describe_path

__all__ = ["positive_int", "nonnegative_int", "check_NK", "finite_real", "check_budget", "check_dps",
            "check_log_base", "MAX_DPS", "MAX_VARIABLES", "check_variable_count", "int_sequence", "check_choice",
            "check_path", "choice_sequence", "check_steps", "as_list", "MAX_STEPS",
           "check_samples", "check_stderr_target", "check_time_budget", "check_cost_budget", "check_progress",
           "seed_entropy", "check_workers", "data_rows"]

__all__ += ["check_flag"]

#: Largest ``dps`` accepted for ``precision="mpmath"``: beyond it one logarithm alone takes seconds.
MAX_DPS = 10_000

#: Most variables (tokens) a model may have: each one gets a name, a state list and per-variable
#: tables, so beyond this even building the model takes minutes and gigabytes.
MAX_VARIABLES = 10 ** 7

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


def check_variable_count(value: Any, name: str = "n", where: str | None = None, *, minimum: int = 1,
                         per_variable: float = 1.0, budget: float | None = None) -> int:
    """A number of variables (or states, or draws): an int ``>= minimum`` whose cost, ``value * per_variable``
    objects, is within ``budget`` (default :data:`MAX_VARIABLES`); refused *before* anything is allocated.

    Over budget: a :class:`~symsched.errors.ModelTooLargeError` naming the argument, with the estimate.
    """
    if not _is_integer(value) or value < minimum:
        kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise SymschedError(f"{_prefix(where)}{name} must be {kind}, got {name} = {value!r}")
    b = MAX_VARIABLES if budget is None else budget
    cost = int(value) * per_variable
    if cost > b:
        raise ModelTooLargeError(f"{_prefix(where)}{name} = {format_count(value)} (about {format_count(cost)} "
                                 "objects to build)", cost, b,
                                 f"use a smaller {name}; for long sequences use a structured route (chains and "
                                 "exchangeable families have closed forms) on a length you can build")
    return int(value)


def int_sequence(value: Any, name: str, where: str | None = None, *, minimum: int = 1,
                 allow_empty: bool = False, max_length: int | None = None) -> tuple[int, ...]:
    """A finite sequence of ints ``>= minimum`` (list, tuple, range or 1-d integer array) as a tuple.

    Refused, naming ``name``: scalars, strings, nested or ragged sequences, floats, bools, NaN, too long.
    """
    if isinstance(value, (str, bytes)) or isinstance(value, (set, frozenset, dict)) or \
            not isinstance(value, (list, tuple, range, np.ndarray)):
        raise SymschedError(f"{_prefix(where)}{name} must be a sequence of integers, got {_short(value)}")
    if isinstance(value, np.ndarray) and value.ndim != 1:
        raise SymschedError(f"{_prefix(where)}{name} must be a 1-d sequence of integers, got an array of shape "
                            f"{value.shape}")
    n = len(value)
    if max_length is not None and n > max_length:
        raise ModelTooLargeError(f"{_prefix(where)}{name} has {n} entries", n, max_length,
                                 f"give at most {max_length} entries")
    out = []
    for i, v in enumerate(value):
        if not _is_integer(v) or v < minimum:
            raise SymschedError(f"{_prefix(where)}{name}[{i}] must be an integer >= {minimum}, got {_short(v)}")
        out.append(int(v))
    if not out and not allow_empty:
        raise SymschedError(f"{_prefix(where)}{name} must not be empty")
    return tuple(out)


def check_choice(value: Any, name: str, choices: Any, where: str | None = None) -> str:
    """``value`` as one of the strings ``choices`` (refusing non-strings, e.g. arrays, before any ``==``)."""
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        raise SymschedError(f"{_prefix(where)}{name} must be one of {', '.join(map(repr, choices))}, "
                            f"got {_short(value)}")
    return value


def check_flag(value: Any, name: str, where: str | None = None, *, allow_none: bool = False) -> bool | None:
    """A yes/no option: ``True`` or ``False`` (numpy bools too), or ``None`` when ``allow_none``.

    Anything else is refused naming the argument: ``"no"`` and ``"yes"`` are both truthy, so ``exact="no"``
    would silently mean yes, and ``1`` / ``0.0`` hide what was meant.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if value is None and allow_none:
        return None
    allowed = "True, False or None" if allow_none else "True or False"
    raise SymschedError(f"{_prefix(where)}{name} must be {allowed}, got {name} = {_short(value)}")


def choice_sequence(value: Any, name: str, choices: Any, where: str | None = None) -> tuple[str, ...]:
    """A sequence (list or tuple) of strings, each one of ``choices``; a lone string is refused (it would
    iterate over its characters)."""
    if not isinstance(value, (list, tuple)):
        raise SymschedError(f"{_prefix(where)}{name} must be a list of names among {', '.join(map(repr, choices))}"
                            f", got {_short(value)}")
    return tuple(check_choice(v, f"{name}[{i}]", choices, where) for i, v in enumerate(value))


def check_path(value: Any, name: str = "path", where: str | None = None, *, must_exist: bool = True) -> str:
    """A file name (str or ``os.PathLike``) as a str; with ``must_exist``, refused when no such file exists."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, bytes) or not isinstance(value, str) or not value:
        raise SymschedError(f"{_prefix(where)}{name} must be a file name (str or pathlib.Path), got {_short(value)}")
    if must_exist and (what := describe_path(value)) is not None:
        # a directory, FIFO or device is named as such (reading a FIFO or /dev/zero would never end)
        raise SymschedError(f"{_prefix(where)}{name}: {value!r} {what}")
    return value


def _short(value: Any) -> str:
    """A value for a message: its repr, cut short; arrays by shape."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    r = repr(value)
    return r if len(r) <= 60 else r[:57] + "..."


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


# -- Monte Carlo options: one meaning and one refusal for every estimate route ------------------------------

def check_samples(value: Any, name: str = "samples", where: str | None = None, *, minimum: int = 2) -> int:
    """A number of draws: a Python or numpy int ``>= minimum``; floats (``2.5``, ``2.0``), strings and bools
    are refused rather than converted (``int(2.7)`` would silently drop draws)."""
    if not _is_integer(value) or value < minimum:
        raise SymschedError(f"{_prefix(where)}{name} must be an integer >= {minimum} (a number of draws), "
                            f"got {name} = {_short(value)}")
    return int(value)


def _finite_positive(value: Any, name: str, where: str | None, what: str) -> float:
    """``value`` as a finite float ``> 0`` (bools, NaN, infinities and strings refused); ``what`` ends the
    message (what the number counts)."""
    v = _real_or_none(value)
    if v is None or not math.isfinite(v) or not v > 0:
        raise SymschedError(f"{_prefix(where)}{name} must be a finite positive {what}, got {name} = {_short(value)}")
    return v


def check_stderr_target(value: Any, name: str = "stderr", where: str | None = None) -> float:
    """A target standard error: a finite number ``> 0`` (not a bool, not NaN or inf)."""
    return _finite_positive(value, name, where, "target (in nats)")


def check_time_budget(value: Any, name: str = "time_budget", where: str | None = None) -> float | None:
    """Seconds of wall time: ``None`` (no limit) or a finite number ``> 0`` (not a bool, not NaN)."""
    return None if value is None else _finite_positive(value, name, where, "number of seconds (or None)")


def check_cost_budget(value: Any, name: str = "budget", where: str | None = None) -> float | None:
    """An operations budget of a Monte Carlo route: ``None`` (the route's default) or a finite number
    ``> 0``; NaN, infinities, bools and strings are refused (a NaN budget would compare false and
    silently disable the check)."""
    return None if value is None else _finite_positive(value, name, where,
                                                       "number of operations (or None for the default)")


def check_progress(value: Any, name: str = "progress", where: str | None = None) -> bool | None:
    """``None`` (automatic), ``True`` or ``False``; anything else (``"yes"``, 1) is refused."""
    if value is None or isinstance(value, (bool, np.bool_)):
        return None if value is None else bool(value)
    raise SymschedError(f"{_prefix(where)}{name} must be True, False or None (automatic), got {_short(value)}")


def seed_entropy(seed: Any, name: str = "seed", where: str | None = None) -> int:
    """The integer entropy every batch seed derives from: ``seed`` itself (a non-negative int), drawn from a
    numpy Generator, taken from a SeedSequence, or fresh (``None``)."""
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2 ** 63))
    if isinstance(seed, np.random.SeedSequence):
        return int(seed.generate_state(2, np.uint64).astype(object)[0])
    if _is_integer(seed) and seed >= 0:
        return int(seed)
    raise SymschedError(f"{_prefix(where)}{name} must be None, a non-negative int, a numpy Generator or "
                        f"SeedSequence, got {name} = {_short(seed)}")


def check_workers(value: Any, name: str = "workers", where: str | None = None):
    """``None`` / 1 (this process: returns None), an int > 1 (local processes) or a ``dask.distributed.Client``
    (returned as is)."""
    if value is None:
        return None
    if _is_integer(value):
        if value < 1:
            raise SymschedError(f"{_prefix(where)}{name} must be a positive number of processes, got {value!r}")
        return None if value == 1 else int(value)
    if type(value).__name__ == "Client" and hasattr(value, "map") and hasattr(value, "gather"):
        return value
    raise SymschedError(f"{_prefix(where)}{name} must be None, a positive int or a dask.distributed Client, got "
                        f"{_short(value)}")


def _is_states(value: Any) -> bool:
    """``read_data``'s alphabet (a sequence of str) or ``load_dataset``'s per-token label tuples."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)) or not value:
        return False
    return all(isinstance(s, str) for s in value) or \
        all(isinstance(s, (tuple, list)) and all(isinstance(c, str) for c in s) for s in value)


def data_rows(samples: Any, where: str, name: str = "samples") -> tuple[Any, tuple | None]:
    """``(rows, cardinalities)`` from data rows or from the ``(rows, states)`` / ``(rows, metadata)`` pair that
    :func:`~symsched.read_data`, :func:`~symsched.text_blocks` and :func:`~symsched.load_dataset` return.

    The states fix the cardinalities (an alphabet for every token, or one label tuple per token); ``None``
    when unknown (plain rows, or ``.npy`` data whose ``states`` is None).  A 2-tuple that is neither such a pair
    nor two rows of numbers of one length is refused as ambiguous.

    >>> import numpy as np
    >>> data_rows((np.array([[0, 1], [2, 0]]), (" ", "a", "b")), "f")[1]
    (3, 3)
    >>> data_rows(((0, 1), (1, 0)), "f")                # two rows, not a pair
    (((0, 1), (1, 0)), None)
    """
    if not (isinstance(samples, tuple) and len(samples) == 2):
        return samples, None
    first, second = samples
    try:
        dims = np.ndim(first)
    except ValueError:  # a ragged first element
        dims = -1
    meta = second.get("states") if isinstance(second, dict) else second
    if dims == 2 and (second is None or isinstance(second, dict) or _is_states(second)):
        rows = np.asarray(first)
        if meta is None:
            return rows, None
        if not _is_states(meta):
            raise SymschedError(f"{_prefix(where)}{name}: the states of the (rows, states) pair must be labels (str), "
                                f"got {meta!r:.60}")
        N = rows.shape[1]
        if all(isinstance(s, str) for s in meta):
            return rows, (len(meta),) * N
        if len(meta) != N:
            raise SymschedError(f"{_prefix(where)}{name}: {len(meta)} label tuples for rows of {N} tokens")
        return rows, tuple(len(s) for s in meta)
    numeric = dims == 1 and np.ndim(second) == 1 and len(first) == len(second) and all(
        isinstance(v, numbers.Number) and not isinstance(v, bool) for v in (*first, *second))
    if numeric:
        return samples, None
    raise SymschedError(f"{_prefix(where)}{name}: ambiguous 2-tuple; expected the (rows, states) pair that "
                        "read_data / load_dataset return (rows a 2-D integer array, states None, labels or a "
                        "metadata dict), or rows as an array of shape (n, N) (np.asarray(...) for two rows)")
