"""LaTeX output: one dispatcher for every symsched object and the formatting helpers they share.

Objects that hold formulas print themselves (their own ``latex()`` method); this module is where
the pieces several of them need live: number formatting (float, mpmath, exact), sequences and
tables.  :func:`to_latex` accepts anything symsched produces and returns a LaTeX string without
the surrounding ``$...$``.
"""

from __future__ import annotations

import numbers
import threading
from contextlib import contextmanager
from fractions import Fraction
from typing import Any
from collections.abc import Mapping, Sequence

import mpmath
import numpy as np
import sympy as sp

from ..errors import SymschedError
from ..formatting import latex_escape, latex_number
from ..validation import as_list, positive_int
from ..formatting import (LATEX_WIDTH, check_digits, latex_lines, latex_terms,
                          latex_width)

__all__ = ["to_latex", "latex_number", "latex_sequence", "latex_table", "latex_escape", "latex_preamble",
           "LATEX_PACKAGES"]

def latex_sequence(values: Sequence[Any], digits: int = 6, max_items: int | None = None) -> str:
    r"""``\left(v_1, \ldots\right)`` with each entry through :func:`to_latex`.

    ``max_items`` shortens long sequences to their first and last entries around ``\ldots``
    (the omission is visible, never silent).

    >>> latex_sequence([1, 0.5, 0.25])
    '\\left(1, 0.5, 0.25\\right)'
    """
    items = as_list(values, "values", "latex_sequence")
    check_digits(digits)
    if max_items is not None:  # the first entries, \ldots and the last: at least two shown
        max_items = positive_int(max_items, "max_items", "latex_sequence")
        if max_items < 2:
            raise SymschedError(f"latex_sequence: max_items must be at least 2 (the first and the last entries "
                                f"around \\ldots) or None for every entry, got max_items = {max_items}")
    if max_items is not None and len(items) > max_items:
        head = max_items - 1
        shown = [to_latex(v, digits) for v in items[:head]] + [r"\ldots", to_latex(items[-1], digits)]
    else:
        shown = [to_latex(v, digits) for v in items]
    one = r"\left(" + ", ".join(shown) + r"\right)"
    if latex_width(one) <= LATEX_WIDTH or len(shown) < 2:
        return one
    # wider than the page: whole entries per line, in an array so that it stays one math object
    lines = latex_lines([f"{v}," for v in shown[:-1]] + [shown[-1]], LATEX_WIDTH - 2)
    return r"\begin{array}{@{}l@{}}(" + r" \\ ".join(lines) + r")\end{array}"


#: Deepest nesting of lists / tuples / mappings printed (a deeper one is refused, not a RecursionError).
MAX_LATEX_NESTING = 100
_active = threading.local()


def to_latex(obj: Any, digits: int = 6) -> str:
    r"""LaTeX for any symsched object, number, expression or sequence (without ``$...$``).

    Dispatch, first match wins: objects with a ``latex()`` method (profiles, schedules, limits,
    bound tables, reports) print themselves; sympy objects go through :func:`sympy.latex`; numbers
    through :func:`latex_number`; strings are escaped as ``\text{...}``; mappings become
    ``key = value`` lists; other sequences and arrays become tuples.

    Parameters
    ----------
    obj : object
    digits : int
        Significant digits for inexact numbers.

    Raises
    ------
    SymschedError
        For an object with no LaTeX form.

    Examples
    --------
    >>> import symsched as ss
    >>> to_latex(ss.Schedule([2, 3]))
    '(2, 3)'
    >>> to_latex([0.5, 0.25])
    '\\left(0.5, 0.25\\right)'
    >>> import sympy as sp
    >>> to_latex(sp.sqrt(sp.Symbol("u")))
    '\\sqrt{u}'
    """
    check_digits(digits)
    method = getattr(obj, "latex", None)
    if callable(method) and not isinstance(obj, type):
        return method()
    leaf = _leaf_latex(obj, digits)
    if leaf is not None:
        return leaf
    if isinstance(obj, (Mapping, np.ndarray, list, tuple, range)) or (isinstance(obj, Sequence)
                                                                      and not isinstance(obj, bytes)):
        with _entered(obj):
            return _container_latex(obj, digits)
    raise SymschedError(f"to_latex: no LaTeX form for {type(obj).__name__} objects")


@contextmanager
def _entered(obj: Any):
    """Track the containers being printed: one that contains itself (directly or not) is refused."""
    stack = getattr(_active, "ids", None)
    if stack is None:
        stack = _active.ids = []
    if id(obj) in stack:
        raise SymschedError(f"to_latex: the {type(obj).__name__} contains itself (recursion detected "
                            f"{len(stack) - stack.index(id(obj))} level(s) down); a self-containing object has "
                            "no finite LaTeX form")
    if len(stack) >= MAX_LATEX_NESTING:
        raise SymschedError(f"to_latex: obj is nested more than {MAX_LATEX_NESTING} levels deep")
    stack.append(id(obj))
    try:
        yield
    finally:
        stack.pop()


def _leaf_latex(obj: Any, digits: int) -> str | None:
    """LaTeX of a number, formula or string; None for anything else."""
    if isinstance(obj, sp.Float):
        return latex_number(obj, digits)
    if isinstance(obj, sp.MatrixBase):
        return sp.latex(obj)
    if isinstance(obj, sp.Basic):
        tex = sp.latex(obj)
        if isinstance(obj, sp.Expr) and obj.is_Add and latex_width(tex) > LATEX_WIDTH:
            # a long sum: broken after whole terms, one aligned line each (amsmath)
            lines = latex_lines(latex_terms(obj), LATEX_WIDTH - 4)
            return "\\begin{aligned}\n&" + " \\\\\n&\\quad ".join(lines) + "\n\\end{aligned}"
        return tex
    if isinstance(obj, (numbers.Number, np.number, mpmath.mpf, Fraction, bool, np.bool_)):
        return latex_number(obj, digits)
    if isinstance(obj, str):
        return rf"\text{{{latex_escape(obj)}}}"
    return None


def _container_latex(obj: Any, digits: int) -> str:
    if isinstance(obj, Mapping):
        return r",\quad ".join(f"{_key_latex(k)} = {to_latex(v, digits)}" for k, v in obj.items())
    if isinstance(obj, np.ndarray):
        if obj.ndim == 0:
            return to_latex(obj.item(), digits)
        if obj.ndim == 2:
            rows = [r" & ".join(to_latex(v, digits) for v in row) for row in obj]
            return r"\begin{pmatrix}" + r" \\ ".join(rows) + r"\end{pmatrix}"
        return latex_sequence(list(obj), digits)
    return latex_sequence(obj, digits)


def _key_latex(key: Any) -> str:
    if isinstance(key, str):
        return rf"\mathrm{{{latex_escape(key)}}}" if len(key) > 1 else key
    return to_latex(key)


def _cell(value: Any, digits: int) -> str:
    """A table cell: text stays text, numbers and formulas go in math mode, None is a dash."""
    if value is None:
        return "--"
    if isinstance(value, str):
        return latex_escape(value)
    return f"${to_latex(value, digits)}$"


def latex_table(rows: Sequence[Any], columns: Sequence[str] | None = None, align: str | None = None,
                digits: int = 6, caption: str | None = None) -> str:
    r"""A LaTeX ``tabular`` (standard LaTeX only, no extra packages).

    Parameters
    ----------
    rows : sequence of sequences or of mappings
        One entry per row.  Mapping rows are read in the order of ``columns`` (default: the keys of
        the first row).  Strings are escaped text, numbers and formulas are set in math mode,
        ``None`` prints as ``--`` (a value that is not available, shown as such).
    columns : sequence of str, optional
        Header labels (escaped as text).  Required for sequence rows only if a header is wanted.
    align : str, optional
        Column alignment, e.g. ``"lrr"`` (default: ``l`` then ``r`` for every other column).
    digits : int
        Significant digits for inexact numbers.
    caption : str, optional
        Wraps the tabular in a ``table`` environment with this caption.

    Raises
    ------
    SymschedError
        If rows have different lengths, or ``align`` does not match the number of columns.

    Examples
    --------
    >>> print(latex_table([["constant", 0.25], ["optimal", 0.125]], columns=["schedule", "E KL"]))
    \begin{tabular}{lr}
    \hline
    schedule & E KL \\
    \hline
    constant & $0.25$ \\
    optimal & $0.125$ \\
    \hline
    \end{tabular}
    """
    rows = as_list(rows, "rows", "latex_table", expected="a sequence of rows")
    check_digits(digits)
    for i, r in enumerate(rows):
        if isinstance(r, (str, bytes)) or not hasattr(r, "__iter__"):
            raise SymschedError(f"latex_table: rows[{i}] must be a sequence or a mapping, got {r!r}")
    if rows and isinstance(rows[0], Mapping):
        if columns is None:
            columns = list(rows[0].keys())
        body = []
        for i, r in enumerate(rows):
            if not isinstance(r, Mapping):
                raise SymschedError(f"latex_table: rows[{i}] is not a mapping like rows[0]")
            body.append([r.get(c) for c in columns])
    else:
        body = [as_list(r, f"rows[{i}]", "latex_table", expected="a sequence of cells") for i, r in enumerate(rows)]
    ncols = len(columns) if columns is not None else (len(body[0]) if body else 0)
    if ncols == 0:
        raise SymschedError("latex_table: no columns (give rows or column labels)")
    for i, r in enumerate(body):
        if len(r) != ncols:
            raise SymschedError(f"latex_table: rows: row {i} has {len(r)} cells, expected {ncols}")
    if align is None:
        align = "l" + "r" * (ncols - 1)
    if len(align.replace("|", "")) != ncols:
        raise SymschedError(f"latex_table: align {align!r} does not describe {ncols} columns")
    lines = [rf"\begin{{tabular}}{{{align}}}", r"\hline"]
    if columns is not None:
        lines += [" & ".join(latex_escape(c) for c in columns) + r" \\", r"\hline"]
    lines += [" & ".join(_cell(v, digits) for v in r) + r" \\" for r in body]
    lines += [r"\hline", r"\end{tabular}"]
    out = "\n".join(lines)
    if caption is not None:
        out = "\n".join([r"\begin{table}[ht]", r"\centering", out,
                         rf"\caption{{{latex_escape(caption)}}}", r"\end{table}"])
    return out

#: The LaTeX packages every result's ``latex()`` needs: amsmath (``gathered``, ``\operatorname``, ``\text``)
#: and amssymb (``\mathbb{E}``).
LATEX_PACKAGES = ("amsmath", "amssymb")


def latex_preamble() -> str:
    r"""The preamble under which every result's ``latex()`` compiles (tested with pdflatex).

    Put it before ``\begin{document}``; results are math mode, so wrap them in ``$...$``, ``\[...\]`` or an
    ``equation``.  The binary entropy prints as ``\mathrm{H}_{\mathrm{b}}(p)`` so that it cannot be read as
    a profile entry ``h_j``.

    >>> print(latex_preamble())
    \usepackage{amsmath}
    \usepackage{amssymb}
    """
    return "\n".join(rf"\usepackage{{{p}}}" for p in LATEX_PACKAGES)
