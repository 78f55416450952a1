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
"""

from __future__ import annotations

import math
import numbers
from contextlib import nullcontext
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any
from collections.abc import Iterable

import mpmath
import numpy as np
import sympy as sp
from sympy.functions.elementary.hyperbolic import HyperbolicFunction
from sympy.polys.polyerrors import BasePolynomialError

from .errors import SymbolicValueError, SymschedError
from .formatting import latex_number
from .validation import check_choice, check_dps, check_log_base

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


#: Expressions larger than this (in sympy operation count) skip ``simplify`` even at level "full".
SIMPLIFY_MAX_OPS = 400
#: The levels of :func:`simplify_information` (``simplify=`` on the symbolic routes).
SIMPLIFY_LEVELS = ("none", "fast", "full")
#: Prime factors of integers inside logarithms are searched up to this bound (trial division);
#: a cofactor left over stays as one logarithm.
_FACTOR_LIMIT = 10 ** 6
#: Log arguments (and coefficients) larger than this operation count are left as they are.
_CANON_MAX_OPS = 3000


class h2(sp.Function):
    r"""Binary entropy in nats, ``h2(x) = -x log x - (1 - x) log(1 - x)``, as a sympy function.

    Canonical forms write ``-x log x - (1 - x) log(1 - x)`` as ``h2(x)``; it prints as
    ``\mathrm{H}_{\mathrm{b}}\left(x\right)`` in LaTeX (not ``h_2``, which reads as a profile entry),
    evaluates numerically (``evalf``, ``float``) and lambdifies with numpy, math and mpmath.

    Examples
    --------
    >>> import sympy as sp
    >>> eps = sp.Symbol("varepsilon", positive=True)
    >>> sp.latex(h2(eps))
    '\\mathrm{H}_{\\mathrm{b}}\\left(\\varepsilon\\right)'
    >>> h2(sp.Rational(1, 2)), h2(0)
    (log(2), 0)
    >>> round(float(h2(sp.Rational(1, 10))), 12)
    0.325082973391
    >>> f = sp.lambdify(eps, h2(eps), "numpy")
    >>> round(float(f(0.1)), 12)
    0.325082973391
    """

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_zero or (x - 1).is_zero:
            return sp.S.Zero
        if x == sp.S.Half:
            return sp.log(2)
        if x.is_Float:
            return -x * sp.log(x) - (1 - x) * sp.log(1 - x)
        return None

    def _eval_rewrite_as_log(self, x, **kwargs):
        return -x * sp.log(x) - (1 - x) * sp.log(1 - x)

    def _eval_evalf(self, prec):
        return self.rewrite(sp.log)._eval_evalf(prec)

    def fdiff(self, argindex=1):
        x = self.args[0]
        return sp.log(1 - x) - sp.log(x)

    def _latex(self, printer, exp=None):
        arg = printer._print(self.args[0])
        # H_b, not h_2: the profile's entries are h_j, and h_{2} would read as one of them
        head = r"\mathrm{H}_{\mathrm{b}}" if exp is None else rf"\mathrm{{H}}_{{\mathrm{{b}}}}^{{{exp}}}"
        return rf"{head}\left({arg}\right)"

    def _code(self, printer, log):
        x = printer._print(self.args[0])
        return f"(-({x})*{log}({x}) - (1 - ({x}))*{log}(1 - ({x})))"

    def _numpycode(self, printer):
        return self._code(printer, printer._module_format("numpy.log"))

    def _pythoncode(self, printer):
        return self._code(printer, printer._module_format("math.log"))

    def _mpmathcode(self, printer):
        return self._code(printer, printer._module_format("mpmath.log"))

    def _lambdacode(self, printer):
        return self._code(printer, "log")


def _log_rational(q: sp.Rational) -> sp.Expr:
    """``log(q)`` of a positive rational as a combination of logs of primes (``log(12) = 2 log 2 + log 3``).

    Factors are found by trial division up to ``_FACTOR_LIMIT``; a large cofactor stays one logarithm.
    """
    out = sp.S.Zero
    for n, sign in ((q.p, 1), (q.q, -1)):
        for p, k in sp.factorint(n, limit=_FACTOR_LIMIT).items():
            out += sign * k * sp.log(sp.Integer(p), evaluate=False) if p > 1 else 0
    return out


def _value_at(expr: sp.Expr, point: dict) -> complex | None:
    try:
        v = complex(expr.evalf(30, subs=point) if point else sp.N(expr, 30))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return v if math.isfinite(v.real) and math.isfinite(v.imag) else None


def _positive_at(expr: sp.Expr, point: dict) -> bool:
    v = _value_at(expr, point)
    return v is not None and abs(v.imag) <= 1e-25 * max(1.0, abs(v.real)) and v.real > 1e-25


#: Values tried for the reference point (distinct per symbol so that no factor vanishes by accident).
_PROBES = [sp.Rational(n, d) for n, d in ((113, 1000), (271, 1000), (37, 100), (7, 1000), (613, 1000), (89, 1000),
                                            (431, 1000), (17, 100), (3, 1000), (1327, 1000))]


def _reference_point(expr: sp.Expr, args: list) -> dict | None:
    """A point of the free symbols at which every log argument of ``expr`` is a positive real number.

    Splitting ``log(a b) = log a + log b`` is valid wherever ``a, b > 0``; the canonical form picks the
    factor signs that are positive at this point, so it equals the original on the region around it
    where no factor vanishes (for probabilities: the whole parameter domain).
    """
    symbols = sorted(expr.free_symbols, key=str)
    if not symbols:
        return {}
    for shift in range(len(_PROBES)):
        point = {}
        for i, s in enumerate(symbols):
            v = _PROBES[(shift + 3 * i) % len(_PROBES)]
            if s.is_negative:
                v = -v
            point[s] = v
        if all(_positive_at(a, point) for a in args):
            return point
    return None


@lru_cache(maxsize=4096)
def _split_log_cached(arg: sp.Expr, point: tuple | None) -> sp.Expr:
    return _split_log(arg, None if point is None else dict(point))


def _split_log(arg: sp.Expr, point: dict | None) -> sp.Expr:
    """``log(arg)`` as a sum of logs of primes and of sign-normalised irreducible factors.

    Every transformation is the identity on the region around ``point`` (all factors positive there);
    without a point only rational and exponential arguments are transformed.
    """
    if arg.is_Rational:
        return _log_rational(arg) if arg > 0 else sp.log(arg)
    if arg is sp.E:
        return sp.S.One
    if isinstance(arg, sp.exp) and arg.args[0].is_extended_real:
        return arg.args[0]
    if point is None or sp.count_ops(arg) > _CANON_MAX_OPS:
        return sp.log(arg)
    if arg.has(HyperbolicFunction):
        arg = arg.rewrite(sp.exp)
    if arg.is_Pow:
        base, e = arg.as_base_exp()
        if e.is_extended_real and _positive_at(base, point):
            return e * _split_log(base, point)
        return sp.log(arg)
    if arg.is_Mul and all(_positive_at(a, point) for a in arg.args):
        return sp.Add(*[_split_log(a, point) for a in arg.args])
    try:
        num, den = sp.fraction(sp.cancel(arg))
        const, parts = sp.S.One, []
        for poly, sign in ((num, 1), (den, -1)):
            c, factors = sp.factor_list(poly)
            const *= c ** sign
            for f, k in factors:
                parts.append((f, sign * k))
    except (BasePolynomialError, NotImplementedError):
        return sp.log(arg)
    if len(parts) == 1 and parts[0][1] == 1 and const == 1 and parts[0][0] == arg:
        return sp.log(arg)  # irreducible already: keep it (sign-normalised)
    out = sp.S.Zero
    for f, k in parts:
        if isinstance(f, sp.exp) and f.args[0].is_extended_real:
            out += k * f.args[0]
            continue
        if f.is_Pow and isinstance(f.base, sp.exp) and f.base.args[0].is_extended_real:
            out += k * f.exp * f.base.args[0]
            continue
        v = _value_at(f, point)
        if v is None or abs(v.imag) > 1e-25 or v.real == 0:
            return sp.log(arg)
        if v.real < 0:
            f, const = sp.expand(-f), (-const if k % 2 else const)
        out += k * (sp.log(f) if f.free_symbols else _split_log(f, point))
    if not (const.is_Rational and const > 0):
        if _positive_at(const, point) and not const.free_symbols:
            return out + sp.log(const)
        return sp.log(arg)
    return out + _log_rational(const)


def _coefficient(c: sp.Expr, level: str) -> sp.Expr:
    if c.is_Rational or sp.count_ops(c) > _CANON_MAX_OPS:
        return c
    if c.has(HyperbolicFunction):
        c = c.rewrite(sp.exp)
    try:
        c = sp.factor(c)
    except (BasePolynomialError, NotImplementedError):
        pass
    c = positive_form(c)
    if level == "full" and sp.count_ops(c) <= SIMPLIFY_MAX_OPS:
        c = sp.simplify(c)
    return c


def _binary_entropies(terms: dict) -> dict:
    """Replace ``-k a log a - k (1 - a) log(1 - a)`` by ``k h2(a)`` in ``{log atom: coefficient}``."""
    atoms = [a for a in terms if isinstance(a, sp.log) and a.args[0].free_symbols]
    for i, la in enumerate(atoms):
        for lb in atoms[i + 1:]:
            if la not in terms or lb not in terms:
                continue
            a, b = la.args[0], lb.args[0]
            if sp.expand(a + b - 1) != 0:
                continue
            k = sp.cancel(-terms[la] / a)
            if sp.cancel(terms[lb] + k * b) != 0:
                continue
            x = a if sp.count_ops(a) <= sp.count_ops(b) else b
            del terms[la], terms[lb]
            key = h2(x)
            terms[key] = sp.factor(terms.get(key, 0) + k)
    return terms


def simplify_information(expr: Any, level: str = "fast") -> Any:
    """Canonical form of an entropy-like sympy expression: what a person would write.

    Levels (``simplify=`` on the symbolic routes):

    ``"none"``
        the expression as computed.
    ``"fast"`` (default)
        logarithms split into logs of primes and of irreducible factors (``log(1/8) = -3 log 2``,
        ``log(ε - ε²) = log ε + log(1 - ε)``, ``log(x**y) = y log x``, ``log(exp(x)) = x``; hyperbolic
        functions rewritten with ``exp``), never recombined into ``log(<huge integer>)``; terms collected
        by logarithm with factored coefficients; ``-k a log a - k(1 - a) log(1 - a)`` written as
        ``k h2(a)``. The factor signs are chosen positive at a reference point where every log
        argument is positive, so the form equals the original on that region (for probabilities, the
        parameter domain).
    ``"full"``
        as ``"fast"``, then sympy's ``simplify`` on every coefficient (slower).

    Examples
    --------
    >>> import sympy as sp
    >>> simplify_information(-sp.log(sp.Rational(1, 8)))
    3*log(2)
    >>> e = sp.Symbol("e", positive=True)
    >>> simplify_information(-e * sp.log(e) - (1 - e) * sp.log(1 - e))
    h2(e)
    >>> simplify_information(sp.log(e - e**2) - sp.log(e))
    log(1 - e)
    """
    if level not in SIMPLIFY_LEVELS:
        raise SymschedError(f"simplify must be one of {SIMPLIFY_LEVELS}, got {level!r}")
    if isinstance(expr, sp.Float) or not isinstance(expr, sp.Basic) or level == "none":
        return expr
    logs = list(expr.atoms(sp.log))
    point = _reference_point(expr, [a.args[0] for a in logs]) if logs else {}
    if logs:
        key = None if point is None else tuple(sorted(point.items(), key=lambda kv: str(kv[0])))
        expr = expr.xreplace({a: _split_log_cached(a.args[0], key) for a in logs})
    expr = sp.expand(expr)
    # no simplify() on the whole: it would recombine the logs into log(<huge integer>) and log(x**y)
    atoms = sorted(expr.atoms(sp.log), key=sp.default_sort_key)
    parts = sp.collect(expr, atoms, evaluate=False) if atoms else {sp.S.One: expr}
    terms = {a: _coefficient(c, level) for a, c in parts.items()}
    terms = {a: c for a, c in terms.items() if c != 0}
    terms = _binary_entropies(terms)
    rest = terms.pop(sp.S.One, sp.S.Zero)
    return sp.Add(*[c * a for a, c in terms.items()], rest)


def positive_form(expr: Any) -> Any:
    """Write negative constant factors the way a person would: ``-4 (1 - e^{1/2})^2/(1 - e)`` becomes
    ``4 (e^{1/2} - 1)^2/(e - 1)``.

    Every constant sum (no free symbols) that is a factor or the base of an integer power and is
    negative is negated, and the overall sign adjusted; the value is unchanged.

    >>> import sympy as sp
    >>> positive_form(-4 * (1 - sp.exp(sp.Rational(1, 2)))**2 / (1 - sp.E))
    4*(-1 + exp(1/2))**2/(-1 + E)
    """
    if not isinstance(expr, sp.Basic):
        return expr
    if expr.is_Add:
        return sp.Add(*[positive_form(t) for t in expr.args])
    if not expr.is_Mul:
        return expr
    sign, factors, changed = 1, [], False
    for f in expr.args:
        base, e = f.as_base_exp()
        if base.is_Add and not base.free_symbols and e.is_Integer and base.is_negative:
            sign = -sign if int(e) % 2 else sign
            factors.append(sp.Pow(sp.expand(-base), e))
            changed = True
        else:
            factors.append(f)
    # rebuilt only when something changed: Mul(-1/12, e + 1) would otherwise be distributed again
    return sign * sp.Mul(*factors) if changed else expr


def latex_value(x: Any, precision: str) -> str:
    """LaTeX of one number of the given precision: 6 significant digits for floats, 15 for mpmath
    (as ``1.5 \\times 10^{-7}``), sympy's form for symbolic values."""
    if precision == "float":
        return latex_number(float(x), 6)
    if precision == "symbolic":
        return sp.latex(sp.sympify(x))
    return latex_number(x if isinstance(x, mpmath.mpf) else mpmath.mpf(sp.Float(x, 20)._mpf_), 15)


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
