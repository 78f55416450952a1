"""One rendering path for every result (docs/concepts.md, "Tables"): text, HTML, LaTeX, pandas and CSV.

A result that *is* a table says so with one hook, :meth:`symsched.results.Result._table`, returning a
:class:`Table` (column names, raw rows, and optionally a title, context lines above it, summary numbers
under it and notes); every other result is a *record* rendered from its ``_fields``.  The printers here
turn either into text, HTML, LaTeX, a ``pandas.DataFrame`` or CSV, so a table is laid out in one place
only; ``str(result)``, ``result._repr_html_()``, ``result.latex()`` (unless the class writes a formula),
``result.to_pandas()`` and the command line all go through them.

The printers dispatch sympy style: ``printer.doprint(obj)`` calls the first ``_print_<ClassName>`` method
found along the object's class hierarchy, so a printer subclass can lay out one class differently
without touching it; the default ``_print_Result`` uses the ``_table`` hook, else the field list.

Long tables are summarised in text, HTML and LaTeX (the first and last rows around an ellipsis, saying
how many are hidden); ``to_pandas()`` and CSV always hold every row.

This module sits in the bottom layer and knows results only by their hooks (``_table``, ``_fields``,
``_title``, ``digits``, ``latex``; an estimate-like value sets ``_plus_minus`` and prints as
``value ± stderr``).
"""

from __future__ import annotations

import csv
import html
import io
import numbers
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from .formatting import (LATEX_WIDTH, estimate_digits, format_value, html_table, latex_array, latex_lines,
                         latex_number, latex_text, latex_text_lines, latex_width, text_table)

__all__ = ["Table", "TextPrinter", "HtmlPrinter", "LatexPrinter", "PandasPrinter", "text", "html_of", "latex_of",
           "to_pandas", "to_csv", "is_tabular", "format_value_any", "latex_any", "PANDAS_HINT",
           "TEXT_MAX_ROWS", "HTML_MAX_ROWS"]

#: Tables longer than this print their first 16 and last 6 rows in text (``to_pandas()`` has them all).
TEXT_MAX_ROWS = 40
#: Tables longer than this show their first 20 and last 10 rows in HTML and LaTeX.
HTML_MAX_ROWS = 40
#: What to install for :func:`to_pandas` (the ``tables`` extra).
PANDAS_HINT = "pip install 'symsched[tables]' (or pip install pandas)"


@dataclass(frozen=True)
class Table:
    """A result's tabular content, as returned by its ``_table()`` hook.

    Attributes
    ----------
    columns : tuple of str
        Column names (also the DataFrame's columns).
    rows : tuple of tuple
        Raw values, one tuple per row (numbers stay numbers; the printers format them).
    title : str
        Caption (default: the result's ``_title()``).
    header : tuple of str
        Context lines printed above the table.
    summary : tuple of (name, value)
        Totals printed under the table (``H``, ``TC``, ...).
    notes : tuple of str
        Lines printed last.
    digits : dict
        Significant digits per column (others: the result's ``digits``).
    stderr : dict
        ``{column: column of its standard errors}``: text and HTML show ``value ± stderr`` in one cell and
        drop the error column; pandas and CSV keep both.
    latex_columns : tuple of str
        Column headers as LaTeX (default: the names as text).
    zero_error : str
        Shown after a value whose standard error is 0 in a column where others have one (an entry computed
        without sampling error).
    formats : dict
        ``{column: function value -> text}`` for the cells of text, HTML and LaTeX (``holds`` as yes / NO).
    hidden : tuple of str
        Columns left out of text and LaTeX (long notes printed as footnotes instead); HTML, pandas and CSV
        keep them.
    decimals : bool
        Show exact numbers (fractions, sympy numbers) as decimals in text, HTML and LaTeX (a convergence
        table's errors); ``to_pandas(exact=True)`` and CSV keep them exact.
    """

    columns: tuple
    rows: tuple
    title: str = ""
    header: tuple = ()
    summary: tuple = ()
    notes: tuple = ()
    digits: dict = field(default_factory=dict)
    stderr: dict = field(default_factory=dict)
    latex_columns: tuple = ()
    zero_error: str = " (exact)"
    formats: dict = field(default_factory=dict)
    hidden: tuple = ()
    decimals: bool = False

    def __post_init__(self):
        object.__setattr__(self, "columns", tuple(str(c) for c in self.columns))
        object.__setattr__(self, "rows", tuple(tuple(r) for r in self.rows))
        bad = [i for i, r in enumerate(self.rows) if len(r) != len(self.columns)]
        if bad:
            raise ValueError(f"Table: row {bad[0]} has {len(self.rows[bad[0]])} cells for {len(self.columns)} "
                             f"columns {self.columns}")

    def shown(self, hide: bool = False) -> tuple:
        """``(columns, rows)`` as text and HTML show them: each error column folded into its value's
        (and the ``hidden`` columns left out with ``hide``)."""
        folded = set(self.stderr.values()) | (set(self.hidden) if hide else set())
        keep = [i for i, c in enumerate(self.columns) if c not in folded]
        idx = {c: i for i, c in enumerate(self.columns)}
        rows = []
        for r in self.rows:
            rows.append(tuple((r[i], r[idx[self.stderr[c]]]) if c in self.stderr else r[i]
                              for i, c in ((i, self.columns[i]) for i in keep)))
        return tuple(self.columns[i] for i in keep), tuple(rows)


def is_result(x: Any) -> bool:
    return hasattr(type(x), "_fields") and callable(getattr(x, "to_dict", None)) and \
        callable(getattr(x, "latex", None))


def _is_pm(x: Any) -> bool:
    return bool(getattr(type(x), "_plus_minus", False))


def table_of(obj: Any) -> Table | None:
    """The object's :class:`Table` (its ``_table()`` hook), or None for a record."""
    hook = getattr(obj, "_table", None)
    return hook() if callable(hook) else None


def is_tabular(obj: Any) -> bool:
    """True when ``obj`` renders as a table (its ``_table()`` hook returns one)."""
    return table_of(obj) is not None


def _digits(obj: Any) -> int:
    d = getattr(obj, "digits", None)
    return d if isinstance(d, int) and not isinstance(d, bool) else 6


def _title(obj: Any, table: Table | None = None) -> str:
    if table is not None and table.title:
        return table.title
    t = getattr(obj, "_title", None)
    return t() if callable(t) else type(obj).__name__


def _cut(rows: tuple, limit: int, head: int, tail: int) -> tuple:
    """``rows`` itself, or its first ``head`` and last ``tail`` rows around ``None`` (the ellipsis)."""
    if len(rows) <= limit:
        return tuple(rows)
    return tuple(rows[:head]) + (None,) + tuple(rows[-tail:])


# -- plain-text cells ---------------------------------------------------------------------------------
def format_value_any(x: Any, digits: int = 6) -> str:
    """:func:`~symsched.formatting.format_value` extended to sequences and nested results (plain text)."""
    if _is_pm(x):
        return f"{format_value(x.value, estimate_digits(x.value, x.stderr, digits))} ± {format_value(x.stderr, 2)}"
    if is_result(x):
        return repr(x)
    if isinstance(x, (tuple, list)):
        return "(" + ", ".join(format_value_any(v, digits) for v in x) + ")"
    return format_value(x, digits)


def text_cell(x: Any, digits: int) -> str:
    """One table cell as text: ``-`` for a missing value, ``v ± se`` for an estimate, long tuples cut."""
    if _pair(x):
        v, se, mark = x
        if se is None or (isinstance(se, numbers.Real) and float(se) == 0):
            return text_cell(v, digits) + mark
        return f"{format_value(v, digits)} ± {format_value(float(se), 2)}"
    if x is None:
        return "-"
    if isinstance(x, str):
        return x
    if isinstance(x, (tuple, list)):
        items = [text_cell(v, digits) for v in x[:12]]
        return "(" + ", ".join(items) + (", ..." if len(x) > 12 else "") + ")"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k}: {text_cell(v, digits)}" for k, v in list(x.items())[:8]) + \
            (", ..." if len(x) > 8 else "") + "}"
    out = format_value_any(x, digits)
    # a long symbolic expression is cut in a table cell (the result's attributes hold it whole)
    return out if len(out) <= 80 or not isinstance(x, sp.Basic) else out[:77] + "..."


class _Pair(tuple):
    """A (value, stderr, text after a zero error) cell of a folded column (told apart from a tuple value)."""


def _pair(x: Any) -> bool:
    return isinstance(x, _Pair)


# -- LaTeX cells ----------------------------------------------------------------------------------------
def latex_any(x: Any, digits: int) -> str:
    """Math-mode LaTeX of a field value: a result, a number, text, or a sequence of them (wrapped to fit)."""
    if x is None:
        return r"\text{n/a}"
    if isinstance(x, str):
        return latex_text_lines(x, LATEX_WIDTH - 18)  # long notes wrap instead of running off the page
    if is_result(x):
        return x.latex()
    if isinstance(x, (tuple, list)):
        items = [latex_any(v, digits) for v in x]
        if len(items) > 12:
            items = items[:10] + [r"\ldots", items[-1]]
        one = r"\left(" + ", ".join(items) + r"\right)"
        if latex_width(one) <= LATEX_WIDTH - 18:
            return one
        # too wide for the value column of the default two-column array: wrap after whole entries
        lines = latex_lines([f"{v}," for v in items[:-1]] + [items[-1]], LATEX_WIDTH - 20)
        return r"\begin{array}{@{}l@{}}(" + r" \\ ".join(lines) + r")\end{array}"
    if isinstance(x, dict):
        return latex_any(tuple(f"{k}: {format_value_any(v, digits)}" for k, v in x.items()), digits)
    if isinstance(x, (bool, np.bool_)):
        return rf"\text{{{bool(x)}}}"
    return latex_number(x, digits)


def latex_cell(x: Any, digits: int) -> str:
    if _pair(x):
        v, se, _ = x
        if se is None or (isinstance(se, numbers.Real) and float(se) == 0):
            return latex_cell(v, digits)
        return rf"{latex_number(v, digits)} \pm {latex_number(float(se), 2)}"
    if x is None:
        return r"\text{--}"
    if isinstance(x, str):
        return latex_text(x)
    if isinstance(x, (tuple, list)) and len(x) > 12:
        return r"\left(" + ", ".join(latex_any(v, digits) for v in x[:10]) + r", \ldots\right)"
    return latex_any(x, digits)


# -- the printers -----------------------------------------------------------------------------------
class Printer:
    """Base printer: :meth:`doprint` dispatches on the class hierarchy (``_print_<ClassName>``)."""

    def doprint(self, obj: Any) -> Any:
        for cls in type(obj).__mro__:
            method = getattr(self, f"_print_{cls.__name__}", None)
            if method is not None:
                return method(obj)
        raise TypeError(f"{type(self).__name__}: cannot print {type(obj).__name__}")  # pragma: no cover

    def _print_Result(self, obj: Any) -> Any:
        table = table_of(obj)
        return self.print_table(obj, table) if table is not None else self.print_fields(obj)

    def print_table(self, obj: Any, table: Table) -> Any:  # pragma: no cover - every printer overrides
        raise NotImplementedError

    def print_fields(self, obj: Any) -> Any:  # pragma: no cover - every printer overrides
        raise NotImplementedError


def _decimal(x: Any) -> Any:
    if isinstance(x, (Fraction, mpmath.mpf)) or (isinstance(x, sp.Basic) and x.is_number and not x.is_Integer):
        try:
            return float(x)
        except (TypeError, ValueError):
            return x
    return x


def _shown_rows(table: Table, hide: bool = False) -> tuple:
    """Columns and rows as shown: an error column folded into its value's (header ``name ± stderr``; a zero
    error in a column with others shows ``(exact)``), exact numbers as decimals when the table asks."""
    cols, rows = table.shown(hide)
    if table.decimals:
        rows = tuple(tuple(tuple(map(_decimal, v)) if isinstance(v, tuple) else _decimal(v) for v in r) for r in rows)
    if table.stderr:
        fold = [c in table.stderr for c in cols]
        some = [f and any(isinstance(r[i][1], numbers.Real) and float(r[i][1]) > 0 for r in rows)
                for i, f in enumerate(fold)]
        rows = tuple(tuple(_Pair((*v, table.zero_error if s else "")) if f else v for v, f, s in zip(r, fold, some))
                     for r in rows)
        cols = tuple(f"{c} ± stderr" if s else c for c, s in zip(cols, some))
    return cols, rows


def _cells(obj: Any, table: Table, cols: tuple, row: tuple, cell, tex: bool = False) -> list:
    d = _digits(obj)
    out = []
    for v, c in zip(row, cols):
        f = table.formats.get(c)
        out.append((latex_text(f(v)) if tex else f(v)) if f is not None else cell(v, table.digits.get(c, d)))
    return out


class TextPrinter(Printer):
    """Plain text: the title, context lines, a fixed-width table (long ones summarised), summary, notes."""

    def __init__(self, max_rows: int = TEXT_MAX_ROWS):
        self.max_rows = max_rows

    def print_table(self, obj: Any, table: Table) -> str:
        cols, rows = _shown_rows(table, hide=True)
        shown = _cut(rows, self.max_rows, 16, 6)
        cells = [["..."] + [""] * (len(cols) - 1) if r is None else _cells(obj, table, cols, r, text_cell)
                 for r in shown]
        lines = [_title(obj, table)] + [f"  {h}" if h else "" for h in table.header]
        lines.append(text_table(cells, cols) if cols else "  (no columns)")
        if len(shown) < len(rows):
            lines.append(f"  ({len(rows) - len(shown) + 1} of {len(rows)} rows not shown; to_pandas() has them all)")
        lines += [f"  {name}: {text_cell(v, _digits(obj))}" for name, v in table.summary]
        lines += [f"  {n}" if n else "" for n in table.notes]
        return "\n".join(lines)

    def print_fields(self, obj: Any) -> str:
        d = _digits(obj)
        return "\n".join([_title(obj)] + [f"  {n}: {format_value_any(v, d)}" for n, v in obj._field_items()])


class HtmlPrinter(Printer):
    """HTML: a real ``<table>``, one ``<tr>`` per row (long tables cut around a ``⋮`` row)."""

    def __init__(self, max_rows: int = HTML_MAX_ROWS):
        self.max_rows = max_rows

    def print_table(self, obj: Any, table: Table) -> str:
        d = _digits(obj)
        cols, rows = _shown_rows(table)
        shown = _cut(rows, self.max_rows, 20, 10)
        cells = [["⋮"] * len(cols) if r is None else _cells(obj, table, cols, r, text_cell) for r in shown]
        caption = "; ".join([_title(obj, table), *(h for h in table.header if h)]) + \
            (f" (showing {len(shown) - 1} of {len(rows)} rows)" if len(shown) < len(rows) else "")
        parts = [html_table(cells, cols, caption=caption)]
        if table.summary:
            parts.append(html_table([(n, text_cell(v, d)) for n, v in table.summary], ("measure", "value")))
        parts += [f"<p>{html.escape(n)}</p>" for n in table.notes if n and not table.hidden]
        return "".join(parts)

    def _print_PolicyResult(self, obj: Any) -> str:
        # a per-class hook (sympy style): the record, then its per-step terms E TC(X_S | x_C) (which steps cost most)
        out = self.print_fields(obj)
        steps = getattr(obj, "step_kl", None)
        if steps:
            d = _digits(obj)
            out += html_table([(t + 1, text_cell(v, d)) for t, v in enumerate(steps)], ("step", "E TC(X_S | x_C)"),
                              caption="per-step terms of conditional_tc")
        return out

    def print_fields(self, obj: Any) -> str:
        # a record: its scalar fields in one table; a mapping or a long sequence gets a table of its own
        d = _digits(obj)
        scalars, subs = [], []
        for name, value in obj._field_items():
            if isinstance(value, dict) and value:
                subs.append(html_table([(text_cell(k, d), text_cell(v, d)) for k, v in value.items()],
                                       ("key", "value"), caption=name))
            elif isinstance(value, (tuple, list)) and len(value) > 6 and not any(is_result(v) for v in value):
                subs.append(html_table([(i + 1, text_cell(v, d)) for i, v in enumerate(value)], ("#", "value"),
                                       caption=name))
            else:
                scalars.append((name, format_value_any(value, d)))
        return html_table(scalars, ("field", "value"), caption=_title(obj)) + "".join(subs)


class LatexPrinter(Printer):
    """Math-mode LaTeX: a table as an ``array`` that fits the page (:func:`~symsched.formatting.latex_array`),
    a record as a two-column ``array`` of its fields."""

    def __init__(self, max_rows: int = HTML_MAX_ROWS):
        self.max_rows = max_rows

    def print_table(self, obj: Any, table: Table) -> str:
        d = _digits(obj)
        cols, rows = _shown_rows(table, hide=True)
        shown = _cut(rows, self.max_rows, 20, 10)
        right = [bool(rows) and all(r[i] is None or _pair(r[i]) or (isinstance(r[i], numbers.Number)
                                                                     and not isinstance(r[i], bool))
                                    or isinstance(r[i], (sp.Basic, mpmath.mpf)) for r in rows)
                 for i in range(len(cols))]
        body = [[r"\vdots"] + [""] * (len(cols) - 1) if r is None else _cells(obj, table, cols, r, latex_cell, True)
                for r in shown]
        foot = None
        if len(shown) < len(rows):
            foot = latex_text(f"({len(rows) - len(shown) + 1} of {len(rows)} rows not shown)")
        if table.summary:
            summary = r",\quad ".join(rf"{latex_text(n)} = {latex_cell(v if not _is_pm(v) else v, d)}"
                                      for n, v in table.summary)
            foot = summary if foot is None else rf"{foot} \\ {summary}"
        heads = dict(zip(table.columns, table.latex_columns)) if table.latex_columns else {}
        align = "".join("r" if x else "l" for x in right)
        return latex_array([heads.get(c) or latex_text(c) for c in cols], body, align, foot=foot)

    def print_fields(self, obj: Any) -> str:
        d = _digits(obj)
        rows = [rf"{latex_text(name)} & {latex_any(value, d)}" for name, value in obj._field_items()]
        return r"\begin{array}{ll} " + r" \\ ".join(rows) + r" \end{array}"


def plain_value(x: Any, exact: bool = False) -> Any:
    """A DataFrame cell: exact and high-precision numbers as floats (kept with ``exact=True``), the rest as is."""
    if exact or x is None or isinstance(x, (str, bool, np.bool_)):
        return x
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (Fraction, mpmath.mpf, np.floating)):
        return float(x)
    if isinstance(x, sp.Basic):
        return float(x) if x.is_number and x.is_real is not False else x
    if isinstance(x, numbers.Real):
        return float(x)
    return x


def records(columns: tuple, rows: tuple, exact: bool = False) -> tuple:
    """``(columns, list of dicts)`` of a table's rows as plain values; a column holding estimates gets a
    ``<column>_stderr`` column beside it (0 for its exact entries)."""
    out_cols: list = []
    split = set()
    for i, c in enumerate(columns):
        out_cols.append(c)
        if any(_is_pm(r[i]) for r in rows) and f"{c}_stderr" not in columns:
            out_cols.append(f"{c}_stderr")
            split.add(c)
    data = []
    for r in rows:
        rec = {}
        for c, v in zip(columns, r):
            if _is_pm(v):
                rec[c] = v.value
                if c in split:
                    rec[f"{c}_stderr"] = v.stderr
            else:
                rec[c] = plain_value(v, exact)
                if c in split:
                    rec[f"{c}_stderr"] = 0.0
        data.append(rec)
    return out_cols, data


class PandasPrinter(Printer):
    """A ``pandas.DataFrame``: every row of a table (an estimate-valued column adds ``<column>_stderr``),
    a record as one row of its fields."""

    def __init__(self, exact: bool = False):
        self.exact = exact

    @staticmethod
    def _pandas():
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - exercised only without the extra
            raise ImportError(f"to_pandas needs pandas: {PANDAS_HINT}") from None
        return pd

    def _frame(self, columns, rows):
        out_cols, data = records(columns, rows, self.exact)
        return self._pandas().DataFrame(data, columns=out_cols)

    def print_table(self, obj: Any, table: Table):
        return self._frame(table.columns, table.rows)

    def print_fields(self, obj: Any):
        items = obj._field_items()
        return self._frame([n for n, _ in items], [tuple(v for _, v in items)])


def text(obj: Any) -> str:
    """``str`` of a result."""
    return TextPrinter().doprint(obj)


def html_of(obj: Any) -> str:
    """``_repr_html_`` of a result."""
    return HtmlPrinter().doprint(obj)


def latex_of(obj: Any) -> str:
    """The default ``latex()`` of a result (a class with a formula overrides ``latex``)."""
    return LatexPrinter().doprint(obj)


def to_pandas(obj: Any, exact: bool = False):
    """``to_pandas()`` of a result (pandas is the optional ``tables`` extra)."""
    return PandasPrinter(exact).doprint(obj)


def to_csv(obj: Any) -> str:
    """Comma-separated values of a result's rows (a record: one row of its fields), with a header line;
    exact values as their exact text, every row included."""
    table = table_of(obj)
    if table is None:
        items = obj._field_items()
        table = Table(tuple(n for n, _ in items), (tuple(v for _, v in items),))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    cols, data = records(table.columns, table.rows, exact=True)
    w.writerow(cols)
    for rec in data:
        w.writerow(["" if rec[c] is None else (repr(rec[c]) if isinstance(rec[c], float) else str(rec[c]))
                    for c in cols])
    return buf.getvalue()
