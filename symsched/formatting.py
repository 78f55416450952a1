"""Number formatting shared by every layer: plain text and LaTeX, exact values kept exact.

The bottom layer (beside :mod:`.arithmetic`), so that result classes anywhere in the package print
their numbers the same way; :mod:`symsched.export` re-exports these names.
"""

from __future__ import annotations

import html
import math
import textwrap
import numbers
import unicodedata
from fractions import Fraction
from typing import Any
from collections.abc import Sequence

import mpmath
import numpy as np
import sympy as sp

from .errors import SymschedError

__all__ = ["format_value", "latex_number", "latex_escape", "text_table", "html_table", "latex_width", "latex_lines",
           "latex_terms", "latex_equations", "latex_fit", "latex_text", "latex_text_lines", "latex_array",
           "latex_label", "estimate_digits", "check_digits",
           "LATEX_WIDTH"]

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


# ASCII that the default OT1 text font prints wrongly ("KL(p||q)" as "KL(p——q)", "<" as "¡"): as math.
_ASCII_MATH = {"||": r"\ensuremath{\|}", "<=": r"\ensuremath{\le}", ">=": r"\ensuremath{\ge}",
               "|": r"\ensuremath{|}", "<": r"\ensuremath{<}", ">": r"\ensuremath{>}"}


def latex_escape(text: str) -> str:
    r"""Escape LaTeX's special characters in plain text (``a_b & c`` -> ``a\_b \& c``).

    Greek letters and the common math symbols become ``\ensuremath{...}`` so the text compiles
    under plain pdflatex.

    >>> latex_escape("50% of x_1")
    '50\\% of x\\_1'
    >>> latex_escape("E_σ KL")
    'E\\_\\ensuremath{\\sigma} KL'
    >>> latex_escape("KL(p||q) <= 1")
    'KL(p\\ensuremath{\\|}q) \\ensuremath{\\le} 1'
    """
    text = str(text)
    out, i = [], 0
    while i < len(text):
        pair = _ASCII_MATH.get(text[i:i + 2])
        if pair is not None:
            out.append(pair)
            i += 2
            continue
        c = text[i]
        out.append(_ESCAPES.get(c) or _UNICODE.get(c) or _ASCII_MATH.get(c, c))
        i += 1
    return "".join(out)


#: Largest number of significant digits a formatter prints (mpmath itself goes further, text does not need to).
MAX_DIGITS = 10_000


def check_digits(digits: Any, where: str = "digits") -> int:
    """``digits`` as a positive int (at most :data:`MAX_DIGITS`), or a ``SymschedError`` naming it."""
    if isinstance(digits, (bool, np.bool_)) or not isinstance(digits, (int, np.integer)) or not \
            1 <= digits <= MAX_DIGITS:
        raise SymschedError(f"{where} must be a positive integer <= {MAX_DIGITS}, got {digits!r}")
    return int(digits)


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
    digits = check_digits(digits)
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


def estimate_digits(value: Any, stderr: Any, digits: int = 6) -> int:
    """Significant digits of an estimate's value worth printing: down to the place of the second
    significant digit of its standard error (at most ``digits``; all ``digits`` when the error is 0).

    >>> estimate_digits(0.223896, 0.17), estimate_digits(0.1234, 0.0021), estimate_digits(12.5, 0)
    (2, 4, 6)
    """
    v, s = abs(float(value)), abs(float(stderr))
    if not (math.isfinite(v) and math.isfinite(s)) or s == 0:
        return digits
    if v == 0:
        return 1
    return int(min(digits, max(1, math.floor(math.log10(v)) - math.floor(math.log10(s)) + 2)))


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
    digits = check_digits(digits)
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
    right = [bool(rows) and all(_numeric_like(r[i]) or str(r[i]) in ("", "...") for r in rows)
             for i in range(len(header))]

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


# -- fitting LaTeX on the page ---------------------------------------------------------------------
#: Width budget of a displayed formula, in "characters" as estimated by :func:`latex_width`
#: (one unit is about 5.1pt in display math, measured with pdflatex: a 345pt article text block holds 67).
LATEX_WIDTH = 62

_ZERO_WIDTH = {"left", "right", "bigl", "bigr", "Bigl", "Bigr", "big", "Big", "displaystyle", "textstyle",
               "scriptstyle", "hline", "limits", "nolimits", "mathstrut", "phantom", "strut"}
_SPACES = {",": 0.3, ":": 0.4, ";": 0.5, " ": 0.6, "!": -0.3, "quad": 2.0, "qquad": 4.0}
_ONE_ARG_TEXT = {"text", "mathrm", "mathbf", "mathit", "mathsf", "mathtt", "operatorname", "textbf", "textit",
                 "mathbb", "mathcal", "boldsymbol", "widetilde", "widehat", "overline", "hat", "tilde", "bar",
                 "ensuremath", "mbox"}


def _group(s: str, i: int) -> tuple[str, int]:
    """The braced group (or single token) starting at ``s[i]``, and the index after it."""
    while i < len(s) and s[i] == " ":
        i += 1
    if i >= len(s):
        return "", i
    if s[i] != "{":
        if s[i] == "\\":
            j = i + 1
            while j < len(s) and s[j].isalpha():
                j += 1
            return s[i:max(j, i + 2)], max(j, i + 2)
        return s[i], i + 1
    depth, j = 0, i
    while j < len(s):
        if s[j] == "\\":
            j += 2
            continue
        depth += s[j] == "{"
        depth -= s[j] == "}"
        j += 1
        if depth == 0:
            break
    return s[i + 1:j - 1], j


def latex_width(tex: str) -> float:
    r"""A rough printed width of math-mode LaTeX, in characters (fractions count their wider part,
    scripts 70%, ``\left``/``\right`` nothing): what the layout helpers compare to :data:`LATEX_WIDTH`.

    >>> latex_width(r"\frac{1}{3} \log{\left(2 \right)}")
    8.0
    """
    w, i = 0.0, 0
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            j = i + 1
            while j < len(tex) and tex[j].isalpha():
                j += 1
            name = tex[i + 1:j] if j > i + 1 else tex[i + 1:i + 2]
            i = j if j > i + 1 else i + 2
            if name in ("frac", "dfrac", "tfrac", "binom"):
                a, i = _group(tex, i)
                b, i = _group(tex, i)
                w += max(latex_width(a), latex_width(b)) * (0.75 if name == "tfrac" else 1.0) + 0.5
            elif name in ("sqrt",):
                a, i = _group(tex, i)
                w += latex_width(a) + 1.0
            elif name in _ONE_ARG_TEXT:
                a, i = _group(tex, i)
                w += len(a) * 0.9 if name in ("text", "mbox") else latex_width(a)
            elif name in ("begin", "end"):
                _, i = _group(tex, i)
                if name == "begin" and tex[i:i + 1] == "{":
                    _, i = _group(tex, i)  # column spec of array
            elif name in _ZERO_WIDTH:
                pass
            elif name in _SPACES:
                w += _SPACES[name]
            elif name in ("log", "exp", "min", "max", "sin", "cos", "tan", "lim", "det", "sup", "inf", "ln"):
                w += len(name) + 0.5
            elif name in ("sum", "int", "prod"):
                w += 1.5
            elif name == "\\":
                pass
            else:
                w += 1.0
        elif c in "^_":
            a, i = _group(tex, i + 1)
            w += 0.7 * latex_width(a)
        elif c in "{} &":
            i += 1
        elif c in "+-=<>":
            w += 1.8
            i += 1
        elif c == ",":
            w += 0.6
            i += 1
        else:
            w += 1.0
            i += 1
    return w


def latex_lines(pieces: list, width: float = LATEX_WIDTH) -> list:
    """Group LaTeX fragments into lines no wider than ``width`` (a fragment wider than that gets a line
    of its own; fragments are never cut)."""
    lines: list = []
    cur: list = []
    cur_w = 0.0
    for p in pieces:
        pw = latex_width(p)
        if cur and cur_w + pw > width:
            lines.append(" ".join(cur))
            cur, cur_w = [], 0.0
        cur.append(p)
        cur_w += pw
    if cur:
        lines.append(" ".join(cur))
    return lines


def latex_terms(expr: Any) -> list:
    """The terms of a sympy sum as LaTeX fragments with their signs (``["a", "- b", "+ c"]``)."""
    expr = sp.sympify(expr)
    terms = expr.as_ordered_terms() if expr.is_Add else [expr]
    out = []
    for k, t in enumerate(terms):
        neg = t.could_extract_minus_sign()
        body = sp.latex(-t if neg else t)
        out.append(("- " if neg else ("+ " if k else "")) + body)
    return out


def latex_equations(rows: list, width: float = LATEX_WIDTH) -> str:
    r"""An ``aligned`` block of ``lhs = rhs`` lines; a long sum is broken after whole terms and a long
    sequence after whole entries (continuation lines indented), so every line fits ``width``.

    ``rows`` holds ``(lhs, rhs)`` pairs: ``lhs`` is LaTeX (``None`` for a remark line under the
    equations); ``rhs`` is a sympy expression, a LaTeX string, or a list of LaTeX strings (printed as a
    parenthesised sequence).

    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> print(latex_equations([("H", sum(x**k / k for k in range(1, 9)))], width=20))
    \begin{aligned}
    H &= \frac{x^{8}}{8} + \frac{x^{7}}{7} + \frac{x^{6}}{6} + \frac{x^{5}}{5} \\
    &\quad + \frac{x^{4}}{4} + \frac{x^{3}}{3} + \frac{x^{2}}{2} + x
    \end{aligned}
    """
    out = []
    for lhs, rhs in rows:
        if lhs is None:  # a continuation line (a remark) under the equations
            out.append(rf"&\quad {rhs}")
            continue
        room = max(width - latex_width(lhs) - 2.0, width / 3)
        if isinstance(rhs, (list, tuple)):
            items = [f"{v}," for v in rhs[:-1]] + [f"{rhs[-1]}" if rhs else ""]
            lines = latex_lines(items, room - 2)
            lines[0] = "(" + lines[0]
            lines[-1] = lines[-1] + ")"
        elif isinstance(rhs, sp.Basic):
            lines = latex_lines(latex_terms(rhs), room)
        else:
            lines = [str(rhs)]
        out.append(rf"{lhs} &= {lines[0]}")
        out.extend(rf"&\quad {ln}" for ln in lines[1:])
    return "\\begin{aligned}\n" + " \\\\\n".join(out) + "\n\\end{aligned}"


def latex_fit(parts: list, sep: str = r",\quad ", width: float = LATEX_WIDTH) -> str:
    r"""Join formula parts with ``sep`` on one line when it fits ``width``, else one ``gathered`` line
    per group of parts that fits.

    >>> latex_fit(["a = 1", "b = 2"])
    'a = 1,\\quad b = 2'
    """
    one = sep.join(parts)
    if latex_width(one) <= width or len(parts) < 2:
        return one
    pieces = [p + (sep.rstrip() if k < len(parts) - 1 else "") for k, p in enumerate(parts)]
    return "\\begin{gathered}" + r" \\ ".join(latex_lines(pieces, width)) + "\\end{gathered}"


# Characters that cannot stay inside \text{} in math mode as both pdflatex and MathJax (Jupyter) read it:
# they are set as math between the text pieces (MathJax prints "\_" inside \text{} literally).
_TEXT_AS_MATH = {"_": r"\_", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "{": r"\{", "}": r"\}",
                 "~": r"\sim", "^": r"\hat{}", "\\": r"\backslash", "||": r"\|", "<=": r"\le", ">=": r"\ge",
                 "|": "|", "<": "<", ">": ">"}


def latex_text(text: str) -> str:
    r"""Plain text for math mode: ``\text{...}`` pieces, with LaTeX's special characters, ``||``,
    ``<=`` and Greek letters set as math between them, so that pdflatex and MathJax print the same.

    >>> latex_text("k_max & E KL <= TC")
    '\\text{k}\\_\\text{max }\\&\\text{ E KL }\\le\\text{ TC}'
    """
    text = str(text)
    out, buf, i = [], "", 0

    def flush():
        if buf:
            out.append(rf"\text{{{buf}}}")
        return ""
    while i < len(text):
        two = text[i:i + 2]
        if two in _TEXT_AS_MATH:
            buf = flush()
            out.append(_TEXT_AS_MATH[two])
            i += 2
            continue
        c = text[i]
        if c in _TEXT_AS_MATH:
            buf = flush()
            out.append(_TEXT_AS_MATH[c])
        elif c in _UNICODE:
            buf = flush()
            out.append(_UNICODE[c].replace(r"\ensuremath{", "{"))
        else:
            buf += c
        i += 1
    flush()
    return "".join(out) or r"\text{}"


def latex_text_lines(text: str, width: float = LATEX_WIDTH, style: str = "") -> str:
    r"""Plain text as math-mode LaTeX (:func:`latex_text`): one line when it fits, else a one-column
    ``array`` of wrapped lines.  ``style`` (e.g. ``\scriptstyle``) is put in front of every line.

    >>> latex_text_lines("a_b & c")
    '\\text{a}\\_\\text{b }\\&\\text{ c}'
    """
    scale = {"\\scriptstyle": 0.7, "\\scriptscriptstyle": 0.5}.get(style.strip(), 1.0)
    chars = max(12, int(width / scale))
    chunks = textwrap.wrap(str(text), chars) or [""]
    lines = [f"{style}{latex_text(c)}" for c in chunks]
    if len(lines) == 1:
        return lines[0]
    return "\\begin{array}{@{}l@{}}" + r" \\ ".join(lines) + "\\end{array}"


def latex_label(name: str) -> str:
    r"""A column or quantity name as math: ``"error_limit"`` -> ``\mathrm{error}_{\mathrm{limit}}``.

    No escapes inside ``\text{}`` (MathJax in Jupyter shows ``error\_limit`` literally); Greek names
    and single letters stay italic symbols.

    >>> latex_label("order_error_limit")
    '\\mathrm{order}_{\\mathrm{error},\\mathrm{limit}}'
    >>> latex_label("N")
    'N'
    """
    def word(w):
        if w in _GREEK:
            return "\\" + w
        if len(w) == 1 and w.isalpha():
            return w
        return rf"\mathrm{{{w}}}" if w.isalnum() else latex_text(w)

    head, *rest = str(name).split("_")
    out = word(head)
    if rest:
        out += "_{" + ",".join(word(w) for w in rest if w) + "}"
    return out


def latex_array(header: Sequence[str], rows: Sequence[Sequence[str]], align: str, width: float = LATEX_WIDTH,
                foot: str | None = None) -> str:
    r"""A math-mode table (``array``) that fits ``width``: as is when it fits, else in ``\scriptstyle``,
    else split into stacked arrays of column groups (each repeating the first column).

    ``header`` and the cells are LaTeX; ``foot`` is an optional line under the table.
    """
    ncols = len(align)

    def col_widths(cells_rows):
        return [max([latex_width(r[c]) for r in cells_rows] or [0]) for c in range(ncols)]

    all_rows = [list(header)] + [list(r) for r in rows]
    widths = col_widths(all_rows)

    def total(cols, scale=1.0):
        return scale * (sum(widths[c] for c in cols) + 2.0 * (len(cols) - 1))

    def block(cols, style=""):
        def line(r):
            return " & ".join(f"{style}{r[c]}" if r[c] else "" for c in cols)
        body = [line(header) + r" \\ \hline"] + [line(r) + r" \\" for r in rows]
        spec = "".join(align[c] for c in cols)
        return rf"\begin{{array}}{{{spec}}} \hline " + " ".join(body) + r" \hline \end{array}"

    cols = list(range(ncols))
    if total(cols) <= width:
        tables = [block(cols)]
    elif total(cols, 0.72) <= width:
        tables = [block(cols, r"\scriptstyle ")]
    else:
        groups, cur = [], [0]
        for c in cols[1:]:
            if total(cur + [c], 0.72) > width and len(cur) > 1:
                groups.append(cur)
                cur = [0]
            cur.append(c)
        groups.append(cur)
        tables = [block(g, r"\scriptstyle ") for g in groups]
    if foot:
        tables.append(foot)
    if len(tables) == 1:
        return tables[0]
    return r"\begin{gathered}" + r" \\[2pt] ".join(tables) + r"\end{gathered}"
