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

__all__ = ["parse_formula", "as_expression", "FUNCTIONS", "CONSTANTS"]

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
#: Longest number literal accepted (digits).
MAX_LITERAL_DIGITS = 200
#: Largest number a power of two numbers may produce (decimal digits), e.g. refuses ``9**9**9``.
MAX_RESULT_DIGITS = 10000
#: Deepest nesting accepted (Python's own parser and sympy recurse on it).
MAX_DEPTH = 100

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_OPERATOR_TOKENS = {"Or": "or", "And": "and", "Not": "not", "Invert": "~", "Lt": "<", "Gt": ">", "LtE": "<=",
                    "GtE": ">=", "Eq": "==", "NotEq": "!=", "Is": "is", "IsNot": "is not", "In": "in",
                    "NotIn": "not in", "Mod": "%", "FloorDiv": "//", "MatMult": "@", "BitOr": "|",
                    "BitAnd": "&", "BitXor": "^", "LShift": "<<", "RShift": ">>"}
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


def _allowed() -> str:
    return ("allowed: numbers, symbols, + - * / ** ^, parentheses and the functions "
            + ", ".join(sorted(FUNCTIONS)))


def _digits(x: sp.Expr) -> float:
    """Decimal digits of the magnitude of a rational number (0 for anything else)."""
    if isinstance(x, sp.Rational):
        p, q = abs(int(x.p)), int(x.q)
        return max(p.bit_length(), q.bit_length()) * math.log10(2)
    if isinstance(x, sp.Float):
        return abs(float(sp.log(abs(x), 10))) if x != 0 else 0.0
    return 0.0


class _Builder:
    def __init__(self, text: str, symbols: Mapping[str, sp.Symbol], symbol_options: Mapping):
        self.text = text
        self.symbols = dict(symbols)
        self.symbol_options = dict(symbol_options)

    def fail(self, message: str) -> SymschedError:
        return SymschedError(f"formula {self.text!r}: {message} ({_allowed()})")

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
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            a, b = self.build(node.left, depth + 1), self.build(node.right, depth + 1)
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                return a * b
            if isinstance(node.op, ast.Div):
                if b == 0:
                    raise self.fail("division by zero")
                return a / b
            return self.power(a, b)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise self.fail(self.describe(node) + " is not allowed")

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
        segment = ast.get_source_segment(self.text, node)
        return f"{type(node).__name__.lower()} {segment!r}" if segment else type(node).__name__

    def number(self, node: ast.Constant) -> sp.Expr:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(f"{type(value).__name__} literal {ast.get_source_segment(self.text, node)!r} "
                            "is not allowed")
        literal = ast.get_source_segment(self.text, node) or repr(value)
        if len(literal) > MAX_LITERAL_DIGITS:
            raise self.fail(f"number literal of {len(literal)} characters (at most {MAX_LITERAL_DIGITS})")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(f"number {literal!r} is not finite")
        try:  # read exactly: "0.1" is 1/10, "1e-3" is 1/1000
            return sp.Rational(Fraction(literal.replace("_", "")))
        except (ValueError, ZeroDivisionError):
            raise self.fail(f"number literal {literal!r} is not a decimal number") from None

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

    def power(self, a: sp.Expr, b: sp.Expr) -> sp.Expr:
        # A power of two numbers is evaluated by sympy at once: bound the size of the result first.
        if b.is_number and isinstance(b, (sp.Rational, sp.Float)):
            if a.is_number and isinstance(a, (sp.Rational, sp.Float)):
                size = abs(float(b)) * max(_digits(a), 1.0)
                if size > MAX_RESULT_DIGITS:
                    base = str(a) if len(str(a)) <= 20 else f"a {_digits(a):.0f}-digit number"
                    raise self.fail(f"power {base}**{b} would have about {size:.3g} digits "
                                    f"(at most {MAX_RESULT_DIGITS})")
                if a == 0 and b < 0:
                    raise self.fail("division by zero (0 to a negative power)")
            elif abs(b) > MAX_RESULT_DIGITS:
                raise self.fail(f"exponent {b} is too large (at most {MAX_RESULT_DIGITS} in absolute value)")
        return a ** b

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
        try:
            return FUNCTIONS[fname](*args)
        except (TypeError, ValueError) as exc:
            raise self.fail(f"{fname}() with {len(args)} argument(s): {exc}") from None


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
