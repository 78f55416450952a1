"""Safe parsing of user formula strings into sympy expressions (never ``eval`` / ``sympify`` of a string).

A formula such as ``"1/(1 + 3*u)"`` reaches the package from the command line, from
``riemann_limit("...")`` and from every other place that accepts a formula as text.  ``sympy.sympify``
of a string runs Python's ``eval`` on it, so ``"__import__('os').remove('x') or 1 - u"`` would run
code.  Here the text is parsed with :mod:`ast` and the expression is built node by node from a
whitelist:

* numbers (integer and decimal literals, read exactly: ``0.1`` is ``1/10``), names (symbols, or the
  constants ``pi``, ``E``, ``I``), ``+ - * / ** ^`` (``^`` is a power, as in mathematics), unary
  ``+``/``-`` and parentheses;
* calls of the known functions in :data:`FUNCTIONS` with positional arguments.

Anything else (attribute access, subscripts, lambda, strings, comparisons, keywords, dunder or
private names, ...) is refused with a :class:`~symsched.errors.SymschedError` (a ``ValueError``)
naming the offending token.  Numbers are bounded: literals of more than :data:`MAX_LITERAL_DIGITS`
digits and powers of numbers whose value would exceed :data:`MAX_RESULT_DIGITS` digits (``9**9**9``)
are refused before sympy evaluates them.

Examples
--------
>>> import sympy as sp
>>> u = sp.Symbol("u")
>>> parse_formula("1/(1 + 3*u)", {"u": u})
1/(3*u + 1)
>>> parse_formula("0.1 * u^2", {"u": u})
u**2/10
>>> parse_formula("__import__('os').getcwd()")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
symsched.errors.SymschedError: formula "__import__('os').getcwd()": attribute access '.getcwd' is not allowed ...
"""

from __future__ import annotations

import ast
import math
import re
from fractions import Fraction
from typing import Any
from collections.abc import Iterable, Mapping

import sympy as sp

from .errors import SymschedError

__all__ = ["parse_formula", "parse_number", "as_expression", "FUNCTIONS", "CONSTANTS"]

#: Functions a formula may call, by name.
FUNCTIONS: dict = {
    "exp": sp.exp, "log": sp.log, "ln": sp.log, "sqrt": sp.sqrt,
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "asin": sp.asin, "acos": sp.acos, "atan": sp.atan,
    "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "asinh": sp.asinh, "acosh": sp.acosh,
    "atanh": sp.atanh, "abs": sp.Abs, "erf": sp.erf, "gamma": sp.gamma, "loggamma": sp.loggamma,
    "min": sp.Min, "max": sp.Max,
}
#: Named constants a formula may use.
CONSTANTS: dict = {"pi": sp.pi, "E": sp.E, "I": sp.I}

#: Longest formula accepted (characters): a bound on the parser's work.
MAX_LENGTH = 5000
#: Longest number literal accepted (characters).
MAX_LITERAL_DIGITS = 200
#: Largest written exponent of a number literal, in absolute value (``1e-308`` .. ``1e308``, the range of
#: floating-point numbers): the literal is read exactly, so ``1e-99999999`` would be a 10^8-digit fraction.
MAX_LITERAL_EXPONENT = 308
#: Largest number any step of a formula may produce (decimal digits of numerator plus denominator), e.g.
#: refuses ``9**9**9`` and ``gamma(gamma(gamma(5)))``.  Below Python's limit of 4300 digits for printing an
#: integer, so every number a formula holds can also be printed in a message or a report.
MAX_RESULT_DIGITS = 4000
#: Largest number (digits) raised to a non-integer power or passed to a function: sympy looks for perfect
#: powers and small factors of a number it takes a root of, which takes seconds from about a thousand digits
#: on, and its automatic rules for functions take roots too (``sin(acos(x))`` is ``sqrt(1 - x**2)``).
MAX_ROOT_DIGITS = 300
#: Deepest nesting of functions (and roots) applied to constants, e.g. ``exp(sqrt(2))``: sympy's automatic
#: rules ask questions about such constants (is it real? an integer?) that take minutes from three levels
#: on (``sinh(sinh(loggamma(-1/2)))``, ``abs(sqrt(loggamma(I)))``).  Functions of the variable are not limited.
MAX_CONSTANT_NESTING = 2
#: Deepest nesting accepted (Python's own parser and sympy recurse on it).  A chain of the same operator
#: (``a + b - c + ...``, ``a * b / c * ...``) is one level however long: depth is nesting, not breadth.
MAX_DEPTH = 100

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_DIGITS = r"\d(?:_?\d)*"
_DECIMAL = re.compile(rf"(?P<sign>[+-]?)(?P<int>{_DIGITS})?(?:\.(?P<frac>{_DIGITS})?)?"
                      rf"(?:[eE](?P<exp>[+-]?{_DIGITS}))?\Z")
_FRACTION = re.compile(rf"(?P<num>[+-]?{_DIGITS})\s*/\s*(?P<den>{_DIGITS})\Z")
_OPERATOR_TOKENS = {"Or": "or", "And": "and", "Not": "not", "Invert": "~", "Lt": "<", "Gt": ">", "LtE": "<=",
                    "GtE": ">=", "Eq": "==", "NotEq": "!=", "Is": "is", "IsNot": "is not", "In": "in",
                    "NotIn": "not in", "Mod": "%", "FloorDiv": "//", "MatMult": "@", "BitOr": "|",
                    "BitAnd": "&", "BitXor": "^", "LShift": "<<", "RShift": ">>"}
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_LOG10_2 = math.log10(2)


def _allowed() -> str:
    return ("allowed: numbers, symbols, + - * / ** ^, parentheses and the functions "
            + ", ".join(sorted(FUNCTIONS)))


def parse_number(text: Any, what: str = "number") -> Fraction:
    """A number written as text (``"0.1"``, ``"-2.5e-3"``, ``"1/3"``, ``"7"``) read exactly as a Fraction.

    The one reader of numbers typed by users (formula literals, the command line's ``--threshold``,
    ``--gamma``, ``--base`` and model parameters).  It is bounded before anything is built: at most
    :data:`MAX_LITERAL_DIGITS` characters and an exponent of at most :data:`MAX_LITERAL_EXPONENT` in
    absolute value (``1e-99999999`` would otherwise be a fraction with 10^8 digits).

    >>> parse_number("0.1")
    Fraction(1, 10)
    >>> parse_number("1e-99999999", "--threshold")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symsched.errors.SymschedError: --threshold: number '1e-99999999' has the exponent -99999999; at most 308 ...
    """
    if not isinstance(text, str):
        raise SymschedError(f"{what}: expected a number written as text, got {type(text).__name__}")
    s = text.strip()
    shown = s if len(s) <= 40 else s[:37] + "..."
    if len(s) > MAX_LITERAL_DIGITS:
        raise SymschedError(f"{what}: number {shown!r} has {len(s)} characters (at most {MAX_LITERAL_DIGITS})")
    frac = _FRACTION.match(s)
    if frac:
        den = int(frac.group("den"))
        if den == 0:
            raise SymschedError(f"{what}: number {shown!r} divides by zero")
        return Fraction(int(frac.group("num")), den)
    m = _DECIMAL.match(s)
    if m is None or (m.group("int") is None and m.group("frac") is None):
        raise SymschedError(f"{what}: {shown!r} is not a decimal number (e.g. 0.1, 2.5e-3 or 1/3)")
    exponent = int(m.group("exp") or 0)
    if abs(exponent) > MAX_LITERAL_EXPONENT:
        raise SymschedError(f"{what}: number {shown!r} has the exponent {exponent}; at most "
                            f"{MAX_LITERAL_EXPONENT} in absolute value (the range of floating-point numbers)")
    int_part = (m.group("int") or "").replace("_", "")
    frac_part = (m.group("frac") or "").replace("_", "")
    value = Fraction(int(int_part + frac_part or "0")) * Fraction(10) ** (exponent - len(frac_part))
    return -value if m.group("sign") == "-" else value


def _rational_digits(x: sp.Rational) -> float:
    """Decimal digits of a rational number, numerator plus denominator (``log10|p| + log10 q``)."""
    return (math.log10(abs(int(x.p))) if x.p else 0.0) + math.log10(int(x.q))


def _digits(x: Any) -> float:
    """Digits of the largest rational number inside a sympy expression (0 when there is none)."""
    if isinstance(x, sp.Rational):
        return _rational_digits(x)
    if not isinstance(x, sp.Basic) or not x.args:
        return 0.0
    return max((_rational_digits(r) for r in x.atoms(sp.Rational)), default=0.0)


def _root_bases(factors: list) -> float:
    """Digits of the product of the rational bases raised to non-integer powers among ``factors`` (sympy
    multiplies such bases together, ``sqrt(a) * sqrt(b) = sqrt(a b)``, and then factors the product)."""
    total = 0.0
    for f in factors:
        for a in sp.Mul.make_args(f):
            if isinstance(a, sp.Pow) and isinstance(a.base, sp.Rational) and not a.exp.is_integer:
                total += _rational_digits(a.base)
    return total


def _shown(x: sp.Expr) -> str:
    """A number or expression for a message, without printing thousands of digits."""
    if isinstance(x, sp.Rational) and _rational_digits(x) > 20:
        return f"a {_rational_digits(x):.0f}-digit number"
    text = str(x) if _digits(x) <= 20 else "an expression with large numbers"
    return text if len(text) <= 40 else text[:37] + "..."


def _sum_digits(terms: list) -> float:
    """Bound on the digits of the numbers in ``sum(terms)``: like terms add their rational coefficients,
    whose sum has a numerator below ``count * max|p| * L`` over the denominator ``L = lcm(q)``."""
    lcm, top, count = 1, 0, 0
    cap = int(MAX_RESULT_DIGITS / _LOG10_2) + 1
    for t in terms:
        for a in sp.Add.make_args(t):
            c = a.as_coeff_Mul()[0]
            if isinstance(c, sp.Rational):
                lcm = lcm // math.gcd(lcm, int(c.q)) * int(c.q)
                if lcm.bit_length() > cap:
                    return math.inf
                top, count = max(top, abs(int(c.p)).bit_length()), count + 1
    return (top + 2 * lcm.bit_length() + count.bit_length()) * _LOG10_2


def _gamma_digits(x: sp.Expr) -> tuple[float, str]:
    """Digits of ``gamma(x)`` for a rational ``x`` (sympy evaluates it exactly, as a factorial), with the
    count as words; ``(0, "")`` for anything else."""
    if not isinstance(x, sp.Rational) or abs(x) < 2:
        return 0.0, ""
    d = _rational_digits(x)
    if d > 12:  # |x| log10|x| digits, x itself with d digits
        return math.inf, f"about 10^{d:.0f} digits"
    v = abs(float(x))
    return v * math.log10(v), f"about {v * math.log10(v):.3g} digits"


def _log10_size(x: sp.Expr) -> float:
    """``log10 |x|`` of a number (its order of magnitude), evaluated in floating point; inf when that fails."""
    try:
        v = sp.N(x, 15)
        if v == 0:
            return -math.inf
        return float(sp.log(sp.Abs(v), 10).evalf(15))
    except (TypeError, ValueError, OverflowError, ArithmeticError):
        return math.inf


def _function_depth(x: Any) -> int:
    """How deeply functions and non-integer powers are nested in a sympy expression."""
    if not isinstance(x, sp.Basic) or not x.args:
        return 0
    inner = max(_function_depth(a) for a in x.args)
    if isinstance(x, (sp.Function, sp.Min, sp.Max)) or (isinstance(x, sp.Pow) and not x.exp.is_Integer):
        return inner + 1
    return inner


#: Functions whose value at a real ``x`` has about ``|x| / ln 10`` digits.
_EXPONENTIAL = ("exp", "sinh", "cosh")


class _Builder:
    """Builds the sympy expression node by node, bounding the size of every number before sympy makes it."""

    def __init__(self, text: str, symbols: Mapping[str, sp.Symbol], symbol_options: Mapping):
        self.text = text
        self.symbols = dict(symbols)
        self.symbol_options = dict(symbol_options)
        # ast offsets count UTF-8 bytes per line; one table instead of ast.get_source_segment, which
        # splits the whole text again for every literal
        self.lines = [line.encode("utf-8") for line in text.split("\n")]

    def fail(self, message: str) -> SymschedError:
        shown = self.text if len(self.text) <= 200 else self.text[:100] + " ... " + self.text[-60:]
        return SymschedError(f"formula {shown!r}: {message} ({_allowed()})")

    def segment(self, node: ast.AST) -> str | None:
        try:
            if node.lineno == node.end_lineno:
                return self.lines[node.lineno - 1][node.col_offset:node.end_col_offset].decode("utf-8")
            parts = [self.lines[node.lineno - 1][node.col_offset:]] + self.lines[node.lineno:node.end_lineno - 1] \
                + [self.lines[node.end_lineno - 1][:node.end_col_offset]]
            return b"\n".join(parts).decode("utf-8")
        except (AttributeError, IndexError, TypeError, UnicodeDecodeError):
            return None

    def checked(self, value: sp.Expr, what: str) -> sp.Expr:
        size = _digits(value)
        if size > MAX_RESULT_DIGITS:
            raise self.fail(f"{what} holds a number of about {size:.3g} digits (at most {MAX_RESULT_DIGITS})")
        return value

    def build(self, node: ast.AST, depth: int = 0) -> sp.Expr:
        if depth > MAX_DEPTH:
            raise self.fail(f"nesting deeper than {MAX_DEPTH} levels")
        if isinstance(node, ast.Expression):
            return self.build(node.body, depth + 1)
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            v = self.build(node.operand, depth + 1)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            return self.sum(node, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            return self.product(node, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            return self.power(self.build(node.left, depth + 1), self.build(node.right, depth + 1))
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise self.fail(self.describe(node) + " is not allowed")

    def chain(self, node: ast.BinOp, ops: tuple) -> list:
        """``[(op, operand), ...]`` of a left-nested chain ``a op b op c ...`` (one nesting level)."""
        out = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, ops):
            out.append((node.op, node.right))
            node = node.left
        out.append((None, node))
        return out[::-1]

    def sum(self, node: ast.BinOp, depth: int) -> sp.Expr:
        terms = []
        for op, operand in self.chain(node, (ast.Add, ast.Sub)):
            v = self.build(operand, depth + 1)
            terms.append(-v if isinstance(op, ast.Sub) else v)
        size = _sum_digits(terms)
        if size > MAX_RESULT_DIGITS:
            raise self.fail(f"a sum of {len(terms)} terms would hold a number of about {size:.3g} digits "
                            f"(at most {MAX_RESULT_DIGITS})")
        return self.checked(sp.Add(*terms), "a sum")

    def product(self, node: ast.BinOp, depth: int) -> sp.Expr:
        factors = []
        for op, operand in self.chain(node, (ast.Mult, ast.Div)):
            v = self.build(operand, depth + 1)
            if isinstance(op, ast.Div):
                if v == 0:
                    raise self.fail("division by zero")
                v = self.power(v, sp.S.NegativeOne)
            factors.append(v)
        size = sum(_digits(f) for f in factors) + math.log10(len(factors))
        if size > MAX_RESULT_DIGITS:
            raise self.fail(f"a product of {len(factors)} factors would hold a number of about {size:.3g} digits "
                            f"(at most {MAX_RESULT_DIGITS})")
        roots = _root_bases(factors)
        if roots > MAX_ROOT_DIGITS:
            raise self.fail(f"a product of roots of numbers with {roots:.0f} digits in all (sympy multiplies them "
                            f"and factors the product; at most {MAX_ROOT_DIGITS} digits)")
        return self.checked(sp.Mul(*factors), "a product")

    def describe(self, node: ast.AST) -> str:
        if isinstance(node, ast.Attribute):
            return f"attribute access '.{node.attr}'"
        if isinstance(node, ast.Subscript):
            return "subscript '[...]'"
        if isinstance(node, ast.Lambda):
            return "'lambda'"
        if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare)):
            op = getattr(node, "op", None) or (node.ops[0] if isinstance(node, ast.Compare) else None)
            name = type(op).__name__ if op is not None else type(node).__name__
            return f"operator {_OPERATOR_TOKENS.get(name, name)!r}"
        segment = self.segment(node)
        return f"{type(node).__name__.lower()} {segment!r}" if segment else type(node).__name__

    def number(self, node: ast.Constant) -> sp.Expr:
        value = node.value
        literal = self.segment(node) or repr(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(f"{type(value).__name__} literal {literal!r} is not allowed")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(f"number {literal!r} is not finite")
        try:  # read exactly ("0.1" is 1/10) by the one bounded reader of numbers
            return sp.Rational(parse_number(literal, "number literal"))
        except SymschedError as exc:
            raise self.fail(str(exc)) from None

    def name(self, ident: str) -> sp.Expr:
        if ident in self.symbols:
            return self.symbols[ident]
        if ident in CONSTANTS:
            return CONSTANTS[ident]
        if ident in FUNCTIONS:
            raise self.fail(f"function name {ident!r} used without arguments")
        if not _NAME.match(ident):
            raise self.fail(f"name {ident!r} is not allowed (names start with a letter; no '_' prefix)")
        sym = sp.Symbol(ident, **self.symbol_options)
        self.symbols[ident] = sym
        return sym

    def constants_nested(self, outer: str, args: list) -> None:
        """Refuse a function (or root) of constants that already nest :data:`MAX_CONSTANT_NESTING` levels."""
        for a in args:
            if isinstance(a, sp.Basic) and not a.free_symbols and _function_depth(a) >= MAX_CONSTANT_NESTING:
                raise self.fail(f"{outer} of the constant {_shown(a)}: functions of constants nest more than "
                                f"{MAX_CONSTANT_NESTING} levels (sympy's automatic rules can take minutes on such "
                                "constants); compute the constant and write its value")

    def power(self, a: sp.Expr, b: sp.Expr) -> sp.Expr:
        # sympy evaluates a power of numbers at once: bound the size of the result before asking for it
        if isinstance(b, sp.Rational):
            size = float(abs(b)) * _digits(a)
            if size > MAX_RESULT_DIGITS:
                raise self.fail(f"power ({_shown(a)})**{_shown(b)} would have about {size:.3g} digits "
                                f"(at most {MAX_RESULT_DIGITS})")
            if abs(b) > MAX_RESULT_DIGITS:
                raise self.fail(f"exponent {_shown(b)} is too large (at most {MAX_RESULT_DIGITS} in absolute value)")
            if a == 0 and b < 0:
                raise self.fail("division by zero (0 to a negative power)")
            if not b.is_integer:
                self.constants_nested("a root", [a])
                roots = max(_root_bases([a]), _digits(a))
                if roots > MAX_ROOT_DIGITS:
                    raise self.fail(f"root ({_shown(a)})**{b} of a number with {roots:.0f} digits (sympy factors "
                                    f"it; at most {MAX_ROOT_DIGITS} digits)")
        elif a.is_number and b.is_number and a != 0:
            self.constants_nested("a power", [a, b])
            # e.g. E**(10**299) or 10**pi: sympy keeps it, but its size is that of the number it stands for
            size = abs(_log10_size(a) * float(sp.re(sp.N(b, 15))))
            if size > MAX_RESULT_DIGITS:
                raise self.fail(f"power ({_shown(a)})**({_shown(b)}) stands for a number of about {size:.3g} "
                                f"digits (at most {MAX_RESULT_DIGITS})")
        return self.checked(a ** b, "a power")

    def call(self, node: ast.Call, depth: int) -> sp.Expr:
        if not isinstance(node.func, ast.Name):
            raise self.fail(self.describe(node.func) + " is not allowed as a function")
        fname = node.func.id
        if fname not in FUNCTIONS:
            raise self.fail(f"function {fname!r} is not allowed")
        if node.keywords:
            raise self.fail(f"keyword arguments to {fname}() are not allowed")
        if any(isinstance(a, ast.Starred) for a in node.args) or not node.args:
            raise self.fail(f"{fname}() needs plain positional arguments")
        args = [self.build(a, depth + 1) for a in node.args]
        if fname == "sqrt" and len(args) == 1:
            return self.power(args[0], sp.S.Half)
        self.constants_nested(f"{fname}()", args)
        size = max(_digits(a) for a in args)
        if fname not in ("abs", "min", "max") and size > MAX_ROOT_DIGITS:
            raise self.fail(f"the argument of {fname}() holds a number of {size:.0f} digits (at most "
                            f"{MAX_ROOT_DIGITS}: sympy's rules for functions take roots of their arguments)")
        if fname in ("gamma", "loggamma") and len(args) == 1:
            size, words = _gamma_digits(args[0])
            if size > MAX_RESULT_DIGITS:
                raise self.fail(f"{fname}({_shown(args[0])}) is evaluated through gamma({_shown(args[0])}), a "
                                f"number of {words} (at most {MAX_RESULT_DIGITS})")
        if fname in _EXPONENTIAL and args[0].is_number:
            x = abs(float(sp.re(sp.N(args[0], 15))))
            if x / math.log(10) > MAX_RESULT_DIGITS:
                raise self.fail(f"{fname}({_shown(args[0])}) is a number of about {x / math.log(10):.3g} digits "
                                f"(at most {MAX_RESULT_DIGITS})")
        try:
            value = FUNCTIONS[fname](*args)
        except (TypeError, ValueError, OverflowError, ZeroDivisionError) as exc:
            raise self.fail(f"{fname}() with {len(args)} argument(s): {exc}") from None
        return self.checked(value, f"{fname}()")


def parse_formula(text: str, symbols: Mapping[str, sp.Symbol] | Iterable[sp.Symbol] = (), *,
                  symbol_options: Mapping | None = None) -> sp.Expr:
    """Parse a formula string into a sympy expression without executing anything.

    Parameters
    ----------
    text : str
        The formula, e.g. ``"1/(1 + 3*u)"``; ``^`` means a power.
    symbols : mapping name -> Symbol, or iterable of Symbols
        Symbols to use for these names (e.g. the caller's ``u`` with its assumptions); other names
        become new symbols.
    symbol_options : mapping, optional
        Assumptions for new symbols (e.g. ``{"real": True}``).

    Raises
    ------
    SymschedError
        Naming the offending token, for anything outside the whitelist (see the module docstring).
    """
    if not isinstance(text, str):
        raise SymschedError(f"formula: expected a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise SymschedError(f"formula: {len(text)} characters (at most {MAX_LENGTH})")
    if not text.strip():
        raise SymschedError("formula: empty string")
    if not isinstance(symbols, Mapping):
        symbols = {str(s): s for s in symbols}
    # ``^`` is a power with the power's precedence (u^2/2 is (u**2)/2), so it is rewritten before
    # parsing rather than read as Python's lower-precedence xor; strings are refused anyway
    source = text.strip().replace("^", "**")
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        where = f" at column {exc.offset}" if getattr(exc, "offset", None) else ""
        raise SymschedError(f"formula {text!r}: not a formula{where} ({getattr(exc, 'msg', exc)})") from None
    builder = _Builder(source, symbols, symbol_options or {})
    try:
        return sp.sympify(builder.build(tree), strict=True)
    except RecursionError:
        raise builder.fail("too deeply nested") from None


def as_expression(x: Any, symbols: Mapping[str, sp.Symbol] | Iterable[sp.Symbol] = (), what: str = "phi",
                  symbol_options: Mapping | None = None) -> sp.Expr:
    """A sympy expression from a formula string (parsed safely), a sympy object or a plain number.

    Never parses a string with ``sympify`` and never converts an arbitrary object through its ``str``.
    """
    if isinstance(x, str):
        return parse_formula(x, symbols, symbol_options=symbol_options)
    if isinstance(x, bool):
        raise SymschedError(f"{what}: expected a formula or a number, got the bool {x!r}")
    if isinstance(x, Fraction):
        return sp.Rational(x.numerator, x.denominator)
    if isinstance(x, float) and not math.isfinite(x):
        raise SymschedError(f"{what}: expected a finite number, got {x!r}")
    try:
        out = sp.sympify(x, strict=True)
    except (sp.SympifyError, TypeError, ValueError) as exc:
        raise SymschedError(f"{what}: expected a sympy expression, a formula string or a number, "
                            f"got {type(x).__name__} {x!r}") from exc
    if not isinstance(out, sp.Expr):
        raise SymschedError(f"{what}: expected an expression or a number, got {type(x).__name__} {x!r}")
    if out.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        raise SymschedError(f"{what}: expected a finite value, got {x!r}")
    return out
