"""The contract every model satisfies: an ordered set of finite variables and a joint pmf.

A model is whatever :mod:`symsched.info` can compute with.  Graph-based models (Bayesian network,
Markov random field) are networkx graphs that also inherit :class:`DiscreteModel`; structured
families add what their fast exact methods need (see :mod:`symsched.models.families`).

Token order
-----------
``model.variables`` is the order of the axes of ``model.joint()`` and of the tokens ``X_1..X_N``:
the order in which variables were added, never a topological or sorted order.
"""

from __future__ import annotations

import html
import itertools
import math
from typing import Any
from collections.abc import Hashable, Iterable, Mapping, Sequence

import numpy as np

from ..arithmetic import Arithmetic, arithmetic
from ..values import free_symbols_of
from ..errors import ModelTooLargeError
from ..errors import InvalidModelError
from ..errors import SymschedError, format_count
from ..formatting import format_value
from ..validation import check_budget

__all__ = ["DiscreteModel", "DEFAULT_MAX_ENTRIES", "check_enumerable", "describe_cardinalities", "model_tables",
           "html_model"]

#: Default budget on the number of entries of an explicit joint table (about 0.5 GiB of float64).
DEFAULT_MAX_ENTRIES = 2 ** 26


def check_enumerable(size: float, what: str, max_entries: float | None = None) -> None:
    """Refuse an enumeration of ``size`` entries beyond ``max_entries`` with the estimate in the message."""
    budget = check_budget(max_entries, "max_entries")
    budget = DEFAULT_MAX_ENTRIES if budget is None else budget
    if not isinstance(size, (int, float, np.integer, np.floating)) or isinstance(size, (bool, np.bool_)) \
            or not size >= 0:  # NaN fails >= 0
        raise SymschedError(f"check_enumerable: size (the number of entries of {what}) must be a non-negative "
                            f"number, got {size!r}")
    if size > budget:
        raise ModelTooLargeError(f"{what} would have {format_count(size)} entries", size, budget)


def describe_cardinalities(cards: Sequence[int]) -> str:
    """The state counts for a message: the tuple when short, else a summary (N, distinct counts)."""
    cards = tuple(cards)
    if len(cards) <= 12:
        return str(cards)
    return f"({', '.join(map(str, cards[:4]))}, ..., {cards[-1]}) (N = {len(cards)}, counts {sorted(set(cards))})"


class DiscreteModel:
    """Mixin for a joint pmf over ordered finite variables.

    Subclasses implement :attr:`variables`, :meth:`states` and :meth:`_joint_array`, and
    :meth:`subs` when they hold parameters.
    """

    # -- structure ----------------------------------------------------------------------------
    @property
    def variables(self) -> tuple:
        """Variable names in token order (the axes of :meth:`joint`)."""
        raise NotImplementedError  # pragma: no cover - abstract

    def states(self, variable: Hashable) -> tuple:
        """State labels of ``variable``."""
        raise NotImplementedError  # pragma: no cover - abstract

    @property
    def N(self) -> int:
        """Number of tokens."""
        return len(self.variables)

    @property
    def cardinalities(self) -> tuple:
        """State counts in token order."""
        return tuple(len(self.states(v)) for v in self.variables)

    def joint_size(self) -> int:
        """Number of entries of the explicit joint table."""
        return math.prod(self.cardinalities)

    # -- parameters ---------------------------------------------------------------------------
    def parameters(self) -> Iterable[Any]:
        """Every parameter value of the model (CPT entries, couplings, ...), for symbol discovery."""
        return ()

    @property
    def free_symbols(self) -> set:
        """The sympy symbols the model's parameters depend on."""
        return free_symbols_of(self.parameters())

    @property
    def is_symbolic(self) -> bool:
        return bool(self.free_symbols)

    def subs(self, mapping: Mapping[Any, Any]) -> DiscreteModel:
        """A copy with sympy symbols replaced by values (``{eps: 0.1}``)."""
        raise NotImplementedError(f"{type(self).__name__} has no parameters to substitute")  # pragma: no cover

    # -- the joint pmf ------------------------------------------------------------------------
    def _joint_array(self, arith: Arithmetic) -> np.ndarray:
        """The joint table in ``arith`` (float64 or object array), axes in token order."""
        raise NotImplementedError  # pragma: no cover - abstract

    def joint(self, precision: str = "float", dps: int | None = None,
              max_entries: float | None = None) -> np.ndarray:
        """The explicit joint table, shape ``cardinalities``, axes in token order.

        Parameters
        ----------
        precision : {"float", "mpmath", "symbolic"}
        dps : int, optional
            Digits for ``"mpmath"``.
        max_entries : int, optional
            Budget on the table's size (default :data:`DEFAULT_MAX_ENTRIES`).

        Raises
        ------
        ModelTooLargeError
            When the table would exceed ``max_entries``; the message gives its size.
        SymbolicValueError
            For ``precision="float"``/``"mpmath"`` on a model with unresolved symbols.
        """
        check_enumerable(self.joint_size(), f"the joint table of {type(self).__name__} "
                         f"with cardinalities {describe_cardinalities(self.cardinalities)}", max_entries)
        return self._joint_array(arithmetic(precision, dps))

    def index_of(self, variable: Hashable) -> int:
        try:
            return self.variables.index(variable)
        except ValueError:
            raise KeyError(f"unknown variable {variable!r}; variables are {list(self.variables)}") from None

    # -- symmetry -----------------------------------------------------------------------------
    def distribution_automorphisms(self, max_candidates: int | None = None) -> list[tuple[int, ...]]:
        """Permutations of token positions that leave the joint pmf unchanged.

        Each permutation ``pi`` (a tuple, ``pi[i]`` the image of position ``i``) satisfies
        ``p(x_{pi^{-1}(0)}, ...) = p(x)``.  The default is the identity alone, which is always correct;
        graph models return the automorphisms of their graph that also map every parameter onto an
        equal one.  Subsets in one orbit have equal entropy, which :mod:`symsched.info` exploits.
        """
        return [tuple(range(self.N))]

    def __len__(self) -> int:  # pragma: no cover - graphs override with node count, which is N too
        return self.N

    # -- Jupyter ------------------------------------------------------------------------------
    def _repr_html_(self) -> str:
        return html_model(self)


def _check_names(names: Sequence[Hashable] | None, n: int, where: str) -> tuple:

    if names is None:
        return tuple(f"X{i + 1}" for i in range(n))
    names = tuple(names)
    if len(names) != n:
        raise InvalidModelError(f"{where}: {len(names)} names given for {n} variables")
    if len(set(names)) != n:
        raise InvalidModelError(f"{where}: variable names must be distinct, got {list(names)}")
    return names


# -- display: the model's tables, pgmpy-style ------------------------------------------------------
#: Limits of the HTML display (tables shown, columns / rows per table); beyond them it says what it left out.
HTML_MAX_TABLES = 12
HTML_MAX_COLUMNS = 8
HTML_MAX_ROWS = 8
#: An explicit joint table is displayed for models without CPDs or factors up to this many entries.
HTML_MAX_JOINT = 64


def model_tables(model: DiscreteModel) -> list[dict]:
    """The tables that define ``model``, for display: CPDs, factors, or a small explicit joint.

    Each entry is a dict with ``title``, ``variable`` (the table's row variable or None), ``columns``
    (the column variables, e.g. a CPD's parents) and ``table`` (an array with the column variables' axes
    first and the row variable's axis last; a factor puts its last variable on the rows).  A Bayesian
    network gives one CPD per variable (``P(X | parents)``), a Markov random field its factors, any
    other model its joint table when it has at most :data:`HTML_MAX_JOINT` entries (else nothing).

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> import symsched as ss
    >>> bn = ss.BayesianNetwork(); bn.add_variable("A"); bn.add_variable("B")
    >>> bn.set_cpd("A", [F(1, 2), F(1, 2)]); bn.set_cpd("B", [[1, 0], [F(1, 4), F(3, 4)]], parents=["A"])
    >>> [(t["title"], t["table"].shape) for t in model_tables(bn)]
    [('P(A)', (2,)), ('P(B | A)', (2, 2))]
    """
    out = []
    if callable(getattr(model, "cpd", None)):
        for v in model.variables:
            parents, table = model.cpd(v)
            cond = f" | {', '.join(map(str, parents))}" if parents else ""
            out.append({"title": f"P({v}{cond})", "variable": v, "columns": tuple(parents), "table": table})
        return out
    factors = getattr(model, "factor_list", None)
    if factors is not None:
        for vs, table in factors:
            out.append({"title": f"factor over ({', '.join(map(str, vs))})", "variable": vs[-1],
                        "columns": tuple(vs[:-1]), "table": table})
        return out
    if model.joint_size() <= HTML_MAX_JOINT:
        vs = model.variables
        table = model.joint(precision="symbolic" if model.is_symbolic else "float")
        out.append({"title": "joint table p(x)", "variable": vs[-1], "columns": tuple(vs[:-1]), "table": table})
    return out


def _cut(n: int, limit: int) -> list:
    """Indices 0..n-1 shown within ``limit``: the first ones, None (an ellipsis), the last one."""
    if n <= limit:
        return list(range(n))
    return list(range(limit - 2)) + [None, n - 1]


def _html_table(model: DiscreteModel, entry: dict, digits: int) -> str:
    esc = html.escape
    table = np.asarray(entry["table"], dtype=object)
    cols = entry["columns"]
    col_states = [model.states(c) for c in cols]
    configs = list(itertools.product(*[range(len(s)) for s in col_states]))
    var = entry["variable"]
    row_states = model.states(var)
    show_c, show_r = _cut(len(configs), HTML_MAX_COLUMNS), _cut(len(row_states), HTML_MAX_ROWS)
    head = ""
    for a, c in enumerate(cols):
        cells = "".join("<th>&hellip;</th>" if k is None
                        else f"<th>{esc(str(c))}={esc(str(col_states[a][configs[k][a]]))}</th>"
                        for k in show_c)
        head += f"<tr><th></th>{cells}</tr>"
    body = ""
    for r in show_r:
        if r is None:
            body += "<tr><th>&vellip;</th>" + "<td>&vellip;</td>" * len(show_c) + "</tr>"
            continue
        cells = "".join("<td>&hellip;</td>" if k is None else
                        f"<td>{esc(format_value(table[configs[k] + (r,)], digits))}</td>" for k in show_c)
        body += f"<tr><th style='text-align:left'>{esc(str(var))}={esc(str(row_states[r]))}</th>{cells}</tr>"
    note = ""
    if len(show_c) < len(configs) or len(show_r) < len(row_states):
        note = (f"<br><small>shape {tuple(table.shape)}: showing {len(show_r) - (None in show_r)} of "
                f"{len(row_states)} rows and {len(show_c) - (None in show_c)} of {len(configs)} columns</small>")
    return (f"<table style='display:inline-table;margin:0 1em 1em 0;vertical-align:top'>"
            f"<caption style='text-align:left'><b>{esc(entry['title'])}</b>{note}</caption>{head}{body}</table>")


def html_model(model: DiscreteModel, digits: int = 4) -> str:
    """HTML of a model for Jupyter: a summary line and its tables (CPDs / factors), pgmpy-style.

    Each CPD has one column per parent configuration (a header row per parent) and one row per state
    of its variable, so every column sums to one.  Large tables are cut to their first columns and
    rows, an ellipsis and the last one, with a note giving the full shape; at most
    :data:`HTML_MAX_TABLES` tables are shown, and the display says how many more there are.

    Examples
    --------
    >>> import symsched as ss
    >>> "P(X2 | X1)" in html_model(ss.binary_symmetric_chain(3, 0.1))
    True
    """
    esc = html.escape
    cards = model.cardinalities
    shown_cards = ", ".join(map(str, cards[:20])) + (", ..." if len(cards) > 20 else "")
    head = (f"<p><b>{esc(type(model).__name__)}</b>: N = {model.N} variables, cardinalities "
            f"({esc(shown_cards)}), joint size {model.joint_size():,}")
    if model.is_symbolic:
        head += f", parameters {esc(', '.join(sorted(map(str, model.free_symbols))))}"
    head += "</p>"
    try:
        tables = model_tables(model)
    except (ValueError, KeyError) as exc:  # an incomplete network still displays its summary
        return head + f"<p><i>tables not available: {esc(str(exc))}</i></p>"
    shown = "".join(_html_table(model, t, digits) for t in tables[:HTML_MAX_TABLES])
    more = (f"<p><i>... {len(tables) - HTML_MAX_TABLES} more tables not shown</i></p>"
            if len(tables) > HTML_MAX_TABLES else "")
    if not tables:
        more = (f"<p><i>no tables shown: a structured family without CPDs or factors, and its joint table has more "
                f"than {HTML_MAX_JOINT} entries</i></p>")
    return f"<div>{head}{shown}{more}</div>"
