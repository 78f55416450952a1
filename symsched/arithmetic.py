"""Arithmetic backends: one object per precision, used by every layer.

symsched computes the same quantities in three arithmetics:

``"float"``
    numpy float64, fast.
``"mpmath"``
    mpmath ``mpf`` at ``dps`` decimal digits (plus guard digits while computing).  Exact inputs
    (``int``, :class:`fractions.Fraction`, sympy rationals) are converted at the working precision,
    so results are accurate to every requested digit.
``"symbolic"``
    sympy expressions, exact by default (``Fraction`` becomes ``Rational``); floats stay ``Float``.

An :class:`Arithmetic` converts inputs, builds arrays (float64 or object arrays of mpf / sympy
objects, so numpy broadcasting and axis sums work in all three), takes logarithms in the requested
base and computes entropies with the convention ``0 log 0 = 0``.

Examples
--------
>>> from symsched.arithmetic import arithmetic
>>> import numpy as np
>>> arithmetic("float").entropy(np.array([0.5, 0.5]))  # doctest: +ELLIPSIS
0.693147...
>>> from fractions import Fraction
>>> sym = arithmetic("symbolic", base=2)
>>> sym.finalize(sym.entropy(sym.array([Fraction(1, 4)] * 4)))
2

The number helpers (:func:`to_float`, ...) live in :mod:`symsched.values` and the canonical symbolic forms
(:class:`h2`, :func:`simplify_information`, :func:`positive_form`) in :mod:`symsched.canonical`; every name is
importable from here as well.
"""


from __future__ import annotations

import math
import numbers
from contextlib import nullcontext
from dataclasses import dataclass
from fractions import Fraction
from typing import Any
from collections.abc import Iterable

import mpmath
import numpy as np
import sympy as sp

from .canonical import SIMPLIFY_MAX_OPS  # noqa: F401  (re-exported: symsched.arithmetic.SIMPLIFY_MAX_OPS)
from .canonical import SIMPLIFY_LEVELS, h2, positive_form, simplify_information
from .errors import SymschedError
from .validation import check_choice, check_dps, check_log_base
from .values import entropy_last_axis, free_symbols_of, is_symbolic_value, latex_value, to_float

__all__ = ["Arithmetic", "arithmetic", "PRECISIONS", "SUM_TOLERANCE", "is_symbolic_value",
           "free_symbols_of", "to_float", "entropy_last_axis", "latex_value", "h2", "simplify_information",
           "positive_form",
           "SIMPLIFY_LEVELS"]

PRECISIONS = ("float", "mpmath", "symbolic")
#: Absolute tolerance on "sums to one" for float entries (exact checks for exact entries).
SUM_TOLERANCE = 1e-9
#: Guard digits added to ``dps`` while an mpmath computation runs.
GUARD_DIGITS = 10
DEFAULT_DPS = 50


@dataclass(frozen=True)
class Arithmetic:
    """A precision (float / mpmath / symbolic), a working precision and a logarithm base.

    Parameters
    ----------
    precision : {"float", "mpmath", "symbolic"}
    dps : int
        Decimal digits for ``"mpmath"`` (ignored otherwise).
    base : number or None
        Logarithm base; ``None`` means natural logarithms (nats).
    simplify : {"none", "fast", "full"}
        How symbolic results are put in canonical form (:func:`simplify_information`).
    """

    precision: str = "float"
    dps: int = DEFAULT_DPS
    base: Any = None
    simplify: str = "fast"

    # -- conversion ---------------------------------------------------------------------------
    @property
    def workdps(self) -> int:
        return self.dps + GUARD_DIGITS

    def workprec(self):
        """Context manager setting mpmath's working precision (a no-op for other precisions)."""
        if self.precision == "mpmath":
            return mpmath.workdps(self.workdps)
        return nullcontext()

    def convert(self, x: Any, where: str = "value") -> Any:
        """Convert one number (int, float, Fraction, mpf, sympy) into this arithmetic."""
        if self.precision == "float":
            return to_float(x, where)
        if self.precision == "mpmath":
            with mpmath.workdps(self.workdps):
                if isinstance(x, (bool, np.bool_)):
                    return mpmath.mpf(int(x))
                if isinstance(x, (int, np.integer)):
                    return mpmath.mpf(int(x))
                if isinstance(x, Fraction):
                    return mpmath.mpf(x.numerator) / x.denominator
                if isinstance(x, (float, np.floating)):
                    return mpmath.mpf(float(x))
                if isinstance(x, mpmath.mpf):
                    return +x
                if isinstance(x, sp.Basic):
                    if x.free_symbols:
                        to_float(x, where)  # raises the standard message
                    return mpmath.mpf(sp.N(x, self.workdps + 5))
                if isinstance(x, numbers.Real):
                    return mpmath.mpf(x)
            raise SymschedError(f"{where}: expected a real number, got {type(x).__name__} {x!r}")
        # symbolic
        if isinstance(x, sp.Basic):
            return x
        if isinstance(x, Fraction):
            return sp.Rational(x.numerator, x.denominator)
        if isinstance(x, (bool, np.bool_, int, np.integer)):
            return sp.Integer(int(x))
        if isinstance(x, (float, np.floating)):
            return sp.Float(float(x))
        if isinstance(x, mpmath.mpf):
            return sp.Float(x, self.dps)
        if isinstance(x, numbers.Real):
            return sp.sympify(x)
        raise SymschedError(f"{where}: expected a real number, got {type(x).__name__} {x!r}")

    def array(self, values: Any, where: str = "table") -> np.ndarray:
        """An array in this arithmetic: float64, or an object array of mpf / sympy entries."""
        arr = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
        if self.precision == "float":
            if arr.dtype != object:
                return np.asarray(arr, dtype=float)
            flat = [to_float(v, where) for v in arr.ravel()]
            return np.array(flat, dtype=float).reshape(arr.shape)
        flat = [self.convert(v, where) for v in np.asarray(arr, dtype=object).ravel()]
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(arr.shape)

    # -- constants and elementary functions ----------------------------------------------------
    @property
    def zero(self) -> Any:
        return self.convert(0)

    @property
    def one(self) -> Any:
        return self.convert(1)

    def from_nats(self, v: Any) -> Any:
        """A quantity in nats (natural logarithms) expressed in this arithmetic's base.

        The one place where symsched changes the unit of an information quantity.
        """
        if self.base is None:
            return v
        if self.precision == "float":
            return v / math.log(to_float(self.base, "base"))
        if self.precision == "mpmath":
            with mpmath.workdps(self.workdps):
                return v / mpmath.log(self.convert(self.base, "base"))
        return v / sp.log(sp.sympify(self.base))

    def log(self, x: Any) -> Any:
        """Logarithm in this arithmetic and base (natural when ``base`` is None)."""
        if self.precision == "float":
            return self.from_nats(math.log(x))
        if self.precision == "mpmath":
            with mpmath.workdps(self.workdps):
                return self.from_nats(mpmath.log(x))
        return self.from_nats(sp.log(x))

    def exp(self, x: Any) -> Any:
        if self.precision == "float":
            return math.exp(x)
        if self.precision == "mpmath":
            with mpmath.workdps(self.workdps):
                return mpmath.exp(x)
        return sp.exp(x)

    def binomial(self, n: int, k: int) -> Any:
        """C(n, k) in this arithmetic (exact integer underneath)."""
        return self.convert(math.comb(n, k) if 0 <= k <= n else 0)

    def is_zero(self, x: Any) -> bool:
        """True when ``x`` is (provably) zero; symbolic values that may vanish count as nonzero."""
        if self.precision == "symbolic":
            return bool(sp.sympify(x).is_zero)
        return x == 0

    def entropy(self, probs: Any) -> Any:
        """``-sum p log p`` over the entries of ``probs`` (zeros contribute nothing), in this base."""
        p = np.asarray(probs).ravel()
        if self.precision == "float":
            p = np.asarray(p, dtype=float)
            nz = p[p > 0]
            return self.from_nats(float(-np.dot(nz, np.log(nz))))
        if self.precision == "mpmath":
            with mpmath.workdps(self.workdps):
                return self.from_nats(-mpmath.fsum(x * mpmath.log(x) for x in p if x != 0))
        terms = [x * sp.log(x) for x in p if not sp.sympify(x).is_zero]
        return self.from_nats(-sp.Add(*terms))

    def sum(self, values: Iterable[Any]) -> Any:
        vals = list(values)
        if self.precision == "float":
            return math.fsum(float(v) for v in vals)
        if self.precision == "mpmath":
            with mpmath.workdps(self.workdps):
                return mpmath.fsum(vals)
        return sp.Add(*vals)

    def finalize(self, x: Any) -> Any:
        """Present a result: float, mpf rounded to ``dps``, or a simplified sympy expression."""
        if self.precision == "float":
            return float(x)
        if self.precision == "mpmath":
            with mpmath.workdps(self.dps):
                return +mpmath.mpf(x)
        return simplify_information(sp.sympify(x), self.simplify)

    def to_float(self, x: Any) -> float:
        return to_float(x)


def arithmetic(precision: str = "float", dps: int | None = None, base: Any = None,
               simplify: str = "fast") -> Arithmetic:
    """Validate and build an :class:`Arithmetic`.

    Raises
    ------
    ValueError
        If ``precision`` is unknown, ``dps`` is not a positive integer (or exceeds
        :data:`symsched.validation.MAX_DPS`: ``ModelTooLargeError``), ``base`` is not a finite
        number > 1, or ``simplify`` is not one of :data:`SIMPLIFY_LEVELS`.
    """
    check_choice(precision, "precision", PRECISIONS)
    if dps is not None and precision == "float":  # silently ignored before: the digits asked for were not had
        raise SymschedError(f"dps = {dps!r} sets the digits of precision='mpmath'; float arithmetic has about 16 "
                            "digits: pass precision='mpmath' with dps, or drop dps")
    dps = DEFAULT_DPS if dps is None else check_dps(dps)
    if simplify not in SIMPLIFY_LEVELS:
        raise SymschedError(f"simplify must be one of {SIMPLIFY_LEVELS}, got {simplify!r}")
    return Arithmetic(precision, dps, check_log_base(base), simplify)
