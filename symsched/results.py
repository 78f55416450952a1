"""One protocol for every result object (docs/concepts.md, "Results").

Every class that a user gets back from a computation — profiles, schedules, optimal schedules,
frontiers, bounds and their tables, limits, expansions, verification tables, estimates, reports —
derives from :class:`Result` and so behaves the same way:

* ``float(r)`` is its headline number (the class names it in ``_headline``); a class with no single
  headline number raises ``TypeError`` saying so;
* ``r.to_dict()`` is JSON-serialisable (:func:`jsonable` converts exact values to strings beside a float);
* ``r.latex()`` is math-mode LaTeX that compiles under amsmath (no ``$``, tables as ``array``);
* ``_repr_latex_`` / ``_repr_html_`` for Jupyter, a short ``repr`` and a readable ``str``;
* numbers print with ``r.digits`` significant digits (set from the requested precision);
* immutable once built (:meth:`Result._freeze`), like a frozen dataclass.

A subclass fills hooks, scipy.stats style: ``_headline`` (attribute name), ``_fields`` (the attributes
that ``to_dict``, ``str`` and the default ``latex`` / HTML show, in order) and ``_repr_fields`` (the few
that the short ``repr`` shows); a result that is a table defines ``_table()`` (a
:class:`symsched.printing.Table`), from which :mod:`symsched.printing` prints ``str``, HTML, the default
LaTeX, ``to_pandas()`` and ``to_csv()`` (docs/concepts.md, "Tables"); it overrides :meth:`latex` when a
formula says more than a table.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any, ClassVar

import mpmath
import numpy as np
import sympy as sp

from .errors import SymschedError
from .formatting import estimate_digits, format_value, latex_number
from .printing import Table, html_of, latex_any, latex_of, text, to_csv, to_pandas

__all__ = ["Result", "Estimate", "ItemsView", "jsonable", "digits_for"]

#: Significant digits printed for floats.
FLOAT_DIGITS = 6


def digits_for(precision: str = "float", dps: int | None = None) -> int:
    """Significant digits to print for a result computed at ``precision`` (``dps`` for mpmath)."""
    if precision == "mpmath" and dps:
        return max(1, int(dps))
    return FLOAT_DIGITS


def jsonable(x: Any) -> Any:
    """A JSON-serialisable form of ``x``.

    Floats stay floats (non-finite ones become the strings ``"nan"``, ``"inf"``, ``"-inf"``, which JSON
    lacks); exact and high-precision numbers (Fraction, mpmath, sympy) become ``{"value": str, "float": f}``
    so that nothing exact is lost and a float is at hand; sequences become lists, mappings dicts with
    string keys, results their own ``to_dict()``.

    >>> from fractions import Fraction
    >>> jsonable(Fraction(1, 3))
    {'value': '1/3', 'float': 0.3333333333333333}
    >>> jsonable((1, 0.5, None))
    [1, 0.5, None]
    """
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        v = float(x)
        return v if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
    if isinstance(x, Result):
        return x.to_dict()
    if isinstance(x, Fraction):
        return {"value": str(x), "float": float(x)}
    if isinstance(x, mpmath.mpf):
        return {"value": mpmath.nstr(x, mpmath.mp.dps), "float": float(x)}
    if isinstance(x, sp.Basic):
        out: dict = {"value": str(x)}
        if not getattr(x, "free_symbols", None):
            try:
                out["float"] = jsonable(float(x))
            except (TypeError, ValueError):
                pass
        return out
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, np.ndarray):
        return [jsonable(v) for v in x.tolist()]
    if isinstance(x, (list, tuple, set, frozenset)) or (hasattr(x, "__iter__") and hasattr(x, "__len__")):
        return [jsonable(v) for v in x]
    if isinstance(x, numbers.Real):
        return jsonable(float(x))
    if hasattr(x, "to_dict"):
        return x.to_dict()
    return str(x)


def _short(x: Any, digits: int) -> str:
    if isinstance(x, (tuple, list)):
        items = [_short(v, digits) for v in x[:6]]
        return "(" + ", ".join(items) + (", ..." if len(x) > 6 else "") + ")"
    if isinstance(x, str):
        return repr(x) if len(x) <= 38 else repr(x[:35] + "...")
    if isinstance(x, Result):
        text = repr(x)
        return text if len(text) <= 40 else type(x).__name__
    text = format_value(x, digits)
    return text if len(text) <= 40 else text[:37] + "..."


class Result:
    """Base of every result class: the one result protocol (see the module docstring)."""

    _headline: ClassVar[str | None] = None
    _fields: ClassVar[tuple] = ()
    _repr_fields: ClassVar[tuple | None] = None
    # -- printed precision ----------------------------------------------------------------------
    @property
    def digits(self) -> int:
        """Printed significant digits: as set on the instance, else those of the profile the result was
        computed from (``dps`` for an mpmath profile, so a result computed at 30 digits prints 30), else
        :data:`FLOAT_DIGITS`."""
        own = self.__dict__.get("_digits")
        if own is not None:
            return own
        prof = self.__dict__.get("profile")
        inherited = getattr(prof, "digits", None) if prof is not None and prof is not self else None
        return inherited if isinstance(inherited, int) and not isinstance(inherited, bool) else FLOAT_DIGITS

    @digits.setter
    def digits(self, value: int | None) -> None:
        object.__setattr__(self, "_digits", value)

    def with_digits(self, digits: int) -> Result:
        """A copy that prints ``digits`` significant digits; the result itself stays as it is (immutable).

        >>> from symsched.results import Estimate
        >>> e = Estimate(0.123456789, 0.001)
        >>> e.with_digits(3).digits, e.digits
        (3, 6)
        """
        if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or digits < 1:
            raise SymschedError(f"with_digits: digits must be an integer >= 1, got {digits!r}")
        new = object.__new__(type(self))
        # every attribute copied as it is (object.__setattr__: the copy is frozen like the original)
        slots = [n for c in type(self).__mro__ for n in getattr(c, "__slots__", ())
                 if n not in ("__dict__", "__weakref__")]
        for name, value in [*getattr(self, "__dict__", {}).items(), *((n, getattr(self, n)) for n in slots
                                                                        if hasattr(self, n))]:
            object.__setattr__(new, name, value)
        object.__setattr__(new, "_digits", int(digits))
        return new

    # -- immutability ---------------------------------------------------------------------------
    def _freeze(self) -> None:
        """Call at the end of ``__init__``: from then on attributes cannot be set."""
        object.__setattr__(self, "_frozen", True)

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_frozen", False):
            raise AttributeError(f"{type(self).__name__} is immutable (cannot set {name!r})")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if getattr(self, "_frozen", False):
            raise AttributeError(f"{type(self).__name__} is immutable (cannot delete {name!r})")
        object.__delattr__(self, name)

    # -- numbers ----------------------------------------------------------------------------------
    def __float__(self) -> float:
        if self._headline is None:
            raise TypeError(f"{type(self).__name__} has no single headline number; see its attributes")
        value = getattr(self, self._headline)
        if isinstance(value, sp.Basic) and value.free_symbols:
            raise TypeError(f"{type(self).__name__}.{self._headline} = {value} has free symbols "
                            f"{sorted(map(str, value.free_symbols))}; substitute values first")
        return float(value)

    def _field_items(self) -> list:
        return [(name, getattr(self, name)) for name in self._fields]

    def to_dict(self) -> dict:
        """A JSON-serialisable dict: ``{"type": class name, field: value, ...}``."""
        out = {"type": type(self).__name__}
        for name, value in self._field_items():
            out[name] = jsonable(value)
        return out

    # -- display (one rendering path: symsched.printing) --------------------------------------------
    def _title(self) -> str:
        return type(self).__name__

    def _table(self) -> Table | None:
        """The hook of a result that is a table: a :class:`symsched.printing.Table` (columns, raw rows,
        title, context, summary, notes), from which ``str``, HTML, the default LaTeX, ``to_pandas()`` and
        CSV are printed.  None (the default): a record, printed from ``_fields``."""
        return None

    def latex(self) -> str:
        """Math-mode LaTeX (no surrounding ``$``): the table as an ``array``, or a two-column ``array`` of
        the fields; a class overrides it when a formula says more than a table."""
        return latex_of(self)

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"

    def _repr_html_(self) -> str:
        return html_of(self)

    def to_pandas(self, exact: bool = False):
        """A ``pandas.DataFrame``: one row per table row (a record: one row of its fields); an estimate's
        column gets a ``<column>_stderr`` column beside it.  Exact numbers become floats unless ``exact``.
        pandas is an optional extra (``pip install 'symsched[tables]'``)."""
        return to_pandas(self, exact=exact)

    def to_csv(self) -> str:
        """The rows as comma-separated values with a header line (exact values as exact text)."""
        return to_csv(self)

    def __repr__(self) -> str:
        names = self._repr_fields if self._repr_fields is not None else self._fields[:4]
        parts = [f"{n}={_short(getattr(self, n), self.digits)}" for n in names]
        return f"{type(self).__name__}({', '.join(parts)})"

    def __str__(self) -> str:
        return text(self)


class ItemsView:
    """Sequence behaviour of a result that *is* its tuple of values (a profile its ``h``, a schedule its
    sizes, a grid its points): ``len``, indexing and iteration go to the attribute named by ``_items``.
    Put it before :class:`collections.abc.Sequence` in the bases, which then adds ``index``, ``count``,
    ``reversed`` and ``in``."""

    __slots__ = ()
    _items: ClassVar[str] = ""

    def __len__(self) -> int:
        return len(getattr(self, self._items))

    def __getitem__(self, i):
        return getattr(self, self._items)[i]

    def __iter__(self):
        return iter(getattr(self, self._items))


class Estimate(Result):
    """A number estimated with a standard error: ``value ± stderr`` (never presented as exact).

    Every quantity derived from an estimated profile (expected KL, an optimum's KL, TC, DTC, a bound)
    is returned as an :class:`Estimate`; ``float()`` gives the point value.

    Parameters
    ----------
    value : float
        The point estimate.
    stderr : float
        Its standard error (>= 0, finite).
    what : str, optional
        What was estimated (shown in ``str``).

    Examples
    --------
    >>> e = Estimate(0.1234, 0.0021, "E KL")
    >>> float(e), e.stderr
    (0.1234, 0.0021)
    >>> str(e)
    'E KL = 0.1234 ± 0.0021 (estimate)'
    >>> e.latex()
    '0.1234 \\\\pm 0.0021'
    """

    _headline = "value"
    _fields = ("value", "stderr", "what")
    _plus_minus = True  # printers show it as value ± stderr (symsched.printing)
    exact = False

    def __init__(self, value: Any, stderr: Any, what: str = ""):
        v, s = float(value), float(stderr)
        if not math.isfinite(v):
            raise ValueError(f"Estimate{' of ' + what if what else ''}: value {value!r} is not finite")
        if not (math.isfinite(s) and s >= 0):
            raise ValueError(f"Estimate{' of ' + what if what else ''}: stderr must be finite and >= 0, got {stderr!r}")
        self.value, self.stderr, self.what = v, s, str(what)
        self._freeze()

    def interval(self, z: float = 1.96) -> tuple:
        """``(value − z·stderr, value + z·stderr)`` (a normal-approximation interval)."""
        return (self.value - z * self.stderr, self.value + z * self.stderr)

    def __repr__(self) -> str:
        return f"Estimate({format_value(self.value, self._value_digits())} ± {format_value(self.stderr, 2)})"

    def __str__(self) -> str:
        head = f"{self.what} = " if self.what else ""
        return f"{head}{format_value(self.value, self._value_digits())} ± {format_value(self.stderr, 2)} (estimate)"

    def latex(self) -> str:
        return rf"{latex_number(self.value, self._value_digits())} \pm {latex_number(self.stderr, 2)}"

    def _value_digits(self) -> int:
        """Only the digits the standard error vouches for."""
        return estimate_digits(self.value, self.stderr, self.digits)


_latex_any = latex_any  # the old private spelling (other branches may still use it)
