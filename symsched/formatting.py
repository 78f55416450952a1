"""Number formatting shared by every layer: plain text and LaTeX, exact values kept exact.

The bottom layer (beside :mod:`.arithmetic`), so that result classes anywhere in the package print
their numbers the same way; :mod:`symsched.export` re-exports these names.
"""

from __future__ import annotations

import html
import math
import numbers
import unicodedata
from fractions import Fraction
from typing import Any, Sequence

import mpmath
import numpy as np
import sympy as sp

from .errors import SymschedError
from .validation import MAX_DPS, positive_int

__all__ = ["format_value", "latex_number", "latex_escape", "text_table", "html_table"]

_ESCAPES = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}


_GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon phi "
          "chi psi omega").split()
# Non-ASCII symbols that labels use, as math inside text (plain pdflatex has no Unicode input for them).
_UNICODE = {unicodedata.lookup(f"GREEK SMALL LETTER {'LAMDA' if name == 'lambda' else name.upper()}"):
            rf"\ensuremath{{\{name}}}" for name in _GREEK}
_UNICODE.update({"ς": r"\ensuremath{\varsigma}", "Σ": r"\ensuremath{\Sigma}", "Δ": r"\ensuremath{\Delta}",
                 "Π": r"\ensuremath{\Pi}", "Φ": r"\ensuremath{\Phi}", "φ": r"\ensuremath{\varphi}",
                 "‖": r"\ensuremath{\|}", "−": "-", "≤": r"\ensuremath{\le}", "≥": r"\ensuremath{\ge}",
                 "→": r"\ensuremath{\to}", "×": r"\ensuremath{\times}", "√": r"\ensuremath{\surd}",
                 "∫": r"\ensuremath{\int}", "∞": r"\ensuremath{\infty}", "≈": r"\ensuremath{\approx}",
                 "±": r"\ensuremath{\pm}", "–": "--", "—": "---", "…": r"\ldots{}", "½": r"\ensuremath{\tfrac12}"})


def latex_escape(text: str) -> str:
    r"""Escape LaTeX's special characters in plain text (``a_b & c`` -> ``a\_b \& c``).

    Greek letters and the common math symbols become ``\ensuremath{...}`` so the text compiles
    under plain pdflatex.

    >>> latex_escape("50% of x_1")
    '50\\% of x\\_1'
    >>> latex_escape("E_σ KL")
    'E\\_\\ensuremath{\\sigma} KL'
    """
    return "".join(_ESCAPES.get(c) or _UNICODE.get(c, c) for c in str(text))


def _scientific(mantissa_exp: str) -> str:
    """``'1.5e-07'`` -> ``'1.5 \\times 10^{-7}'``; strings without an exponent are returned unchanged."""
    s = mantissa_exp.lower()
    if "e" not in s:
        return s
    mant, exp = s.split("e")
    exp_i = int(exp)
    if mant in ("1", "1.0"):
        return rf"10^{{{exp_i}}}"
    if mant in ("-1", "-1.0"):
        return rf"-10^{{{exp_i}}}"
    return rf"{mant} \times 10^{{{exp_i}}}"


def latex_number(x: Any, digits: int = 6) -> str:
    r"""LaTeX of one number: ``digits`` significant digits for floats and mpf, exact forms kept exact.

    Parameters
    ----------
    x : int, float, numpy scalar, Fraction, mpmath.mpf or sympy expression
    digits : int
        Significant digits for inexact values (float, mpf, sympy Float).

    Examples
    --------
    >>> latex_number(0.000001234)
    '1.234 \\times 10^{-6}'
    >>> from fractions import Fraction
    >>> latex_number(Fraction(1, 3))
    '\\frac{1}{3}'
    >>> import sympy as sp
    >>> latex_number(2 * sp.log(2))
    '2 \\log{\\left(2 \\right)}'
    """
    digits = positive_int(digits, "digits", "latex_number", maximum=MAX_DPS)
    if isinstance(x, (bool, np.bool_)):
        return str(int(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return str(x.numerator)
        sign = "-" if x < 0 else ""
        return rf"{sign}\frac{{{abs(x.numerator)}}}{{{x.denominator}}}"
    if isinstance(x, (float, np.floating)):
        v = float(x)
        if math.isnan(v):
            return r"\mathrm{NaN}"
        if math.isinf(v):
            return r"\infty" if v > 0 else r"-\infty"
        return _scientific(f"{v:.{digits}g}")
    if isinstance(x, mpmath.mpf):
        if mpmath.isnan(x):
            return r"\mathrm{NaN}"
        if mpmath.isinf(x):
            return r"\infty" if x > 0 else r"-\infty"
        return _scientific(mpmath.nstr(x, digits, strip_zeros=True, min_fixed=-4, max_fixed=digits))
    if isinstance(x, sp.Float):
        return latex_number(mpmath.mpf(x._mpf_) if hasattr(x, "_mpf_") else float(x), digits)
    if isinstance(x, sp.Basic):
        return sp.latex(x)
    if isinstance(x, numbers.Real):
        return latex_number(float(x), digits)
    raise SymschedError(f"latex_number: expected a number, got {type(x).__name__} {x!r}")


def format_value(x: Any, digits: int = 6) -> str:
    """Plain-text form of a number: ``digits`` significant digits, exact values kept exact.

    floats and mpmath numbers get ``digits`` significant digits; ints and Fractions print exactly;
    sympy expressions print as sympy does, followed by ``≈ value`` when they have no free symbols
    and are not plain numbers; ``None`` prints as ``n/a``.

    Examples
    --------
    >>> format_value(0.24709012345)
    '0.24709'
    >>> import sympy as sp
    >>> format_value(2 * sp.log(2))
    '2*log(2) ≈ 1.38629'
    """
    digits = positive_int(digits, "digits", "format_value", maximum=MAX_DPS)
    if x is None:
        return "n/a"
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, Fraction):
        return str(x)
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.{digits}g}"
    if isinstance(x, mpmath.mpf):
        return mpmath.nstr(x, digits)
    if isinstance(x, sp.Basic):
        if isinstance(x, sp.Float):
            return mpmath.nstr(mpmath.mpf(x._mpf_), digits)
        if isinstance(x, (sp.Integer, sp.Rational)) or x.free_symbols:
            return str(x)
        try:
            return f"{x} ≈ {mpmath.nstr(mpmath.mpf(sp.N(x, digits + 5)._mpf_), digits)}"
        except (TypeError, AttributeError, ValueError):
            return str(x)
    if isinstance(x, numbers.Real):
        return f"{float(x):.{digits}g}"
    return str(x)


def _numeric_like(s: Any) -> bool:
    s = str(s)
    return bool(s) and (s[0].isdigit() or s[0] in "-+.") and not s.startswith("(")


def text_table(rows: Sequence[Sequence[Any]], header: Sequence[str], indent: str = "  ") -> str:
    """Fixed-width plain-text columns; a column whose cells are all numbers is right-aligned.

    >>> print(text_table([["a", "1.5"], ["bb", "10"]], ["name", "x"], indent=""))
    name    x
    ----  ---
    a     1.5
    bb     10
    """
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    right = [bool(rows) and all(_numeric_like(r[i]) for r in rows) for i in range(len(header))]

    def line(cells):
        return indent + "  ".join(str(c).rjust(w) if r else str(c).ljust(w)
                                  for c, w, r in zip(cells, widths, right)).rstrip()
    sep = indent + "  ".join("-" * w for w in widths)
    return "\n".join([line(header), sep] + [line(r) for r in rows])


def html_table(rows: Sequence[Sequence[Any]], header: Sequence[str], caption: str = "") -> str:
    """An HTML ``<table>`` of plain-text cells (escaped), with an optional caption.

    >>> html_table([["a&b", 1]], ["name", "x"])
    '<table><thead><tr><th>name</th><th>x</th></tr></thead><tbody><tr><td>a&amp;b</td><td>1</td></tr></tbody></table>'
    """
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
