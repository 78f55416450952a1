"""Numbers of every kind symsched handles (int, float, Fraction, mpmath ``mpf``, sympy): conversion to float,
symbol checks, the float entropy of a batch of distributions and the LaTeX of one value.

A bottom module: :mod:`symsched.arithmetic` builds on it and re-exports every name.
"""

from __future__ import annotations

import numbers
from fractions import Fraction
from typing import Any
from collections.abc import Iterable

import mpmath
import numpy as np
import sympy as sp

from .errors import SymbolicValueError, SymschedError
from .formatting import latex_number

__all__ = ["is_symbolic_value", "free_symbols_of", "to_float", "entropy_last_axis", "latex_value"]


def is_symbolic_value(x: Any) -> bool:
    """True when ``x`` is a sympy object with free symbols."""
    return isinstance(x, sp.Basic) and bool(x.free_symbols)


def free_symbols_of(values: Iterable[Any]) -> set:
    """Union of the free symbols of the sympy objects among ``values``."""
    out: set = set()
    for v in values:
        if isinstance(v, sp.Basic):
            out |= v.free_symbols
    return out


def entropy_last_axis(p: Any) -> np.ndarray:
    """Entropy in nats of every distribution along the last axis of a float array (``0 log 0 = 0``).

    Examples
    --------
    >>> entropy_last_axis([[0.5, 0.5], [1.0, 0.0]]).round(6).tolist()
    [0.693147, 0.0]
    """
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p > 0, -p * np.log(np.where(p > 0, p, 1.0)), 0.0).sum(axis=-1)


def to_float(x: Any, where: str = "value") -> float:
    """Convert a number of any supported kind to float; refuse unresolved symbols."""
    if isinstance(x, (float, int, np.floating, np.integer)):
        return float(x)
    if isinstance(x, Fraction):
        return x.numerator / x.denominator
    if isinstance(x, mpmath.mpf):
        return float(x)
    if isinstance(x, sp.Basic):
        if x.free_symbols:
            raise SymbolicValueError(
                f"{where} contains unresolved symbols {sorted(map(str, x.free_symbols))}: substitute "
                "values (model.subs({...})) or use precision='symbolic'")
        v = sp.N(x, 20)
        if not v.is_real:  # I, 1 + I, zoo: not a real number (float() would raise a TypeError)
            raise SymschedError(f"{where}: expected a real number, got {x}")
        return float(v)
    if isinstance(x, numbers.Real):
        return float(x)
    raise SymschedError(f"{where}: expected a real number, got {type(x).__name__} {x!r}")


def latex_value(x: Any, precision: str) -> str:
    """LaTeX of one number of the given precision: 6 significant digits for floats, 15 for mpmath
    (as ``1.5 \\times 10^{-7}``), sympy's form for symbolic values."""
    if precision == "float":
        return latex_number(float(x), 6)
    if precision == "symbolic":
        return sp.latex(sp.sympify(x))
    return latex_number(x if isinstance(x, mpmath.mpf) else mpmath.mpf(sp.Float(x, 20)._mpf_), 15)
