"""Canonical forms of symbolic information quantities: the binary entropy :class:`h2`,
:func:`simplify_information` (logarithms split over prime factors, ``h2`` recognised, coefficients
simplified) and :func:`positive_form` (a product written with its sign in front).

A bottom module: :mod:`symsched.arithmetic` uses it for ``simplify=`` and re-exports every name.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import sympy as sp
from sympy.functions.elementary.hyperbolic import HyperbolicFunction
from sympy.polys.polyerrors import BasePolynomialError

from .errors import SymschedError

__all__ = ["h2", "simplify_information", "positive_form", "SIMPLIFY_LEVELS", "SIMPLIFY_MAX_OPS"]


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
