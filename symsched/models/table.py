"""A model given by its explicit joint table."""

from __future__ import annotations

from typing import Any
from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import sympy as sp

from ..arithmetic import Arithmetic
from ..errors import InvalidModelError, ModelTooLargeError, SymschedError
from .base import DiscreteModel, _check_names, check_enumerable
from .validation import as_entry_array, check_probability_table

__all__ = ["JointDistribution", "from_joint", "as_model"]


#: Largest explicit table of exact or symbolic entries (each is checked and summed as a Python object).
MAX_OBJECT_ENTRIES = 2 ** 20


def _check_table_budget(size: int, objects: bool) -> None:
    if objects and size > MAX_OBJECT_ENTRIES:
        raise ModelTooLargeError(f"from_joint: a table of {size} exact or symbolic entries (each validated and "
                                 "summed as a Python object)", size, MAX_OBJECT_ENTRIES,
                                 "give float entries (np.asarray(table, dtype=float)) or a structured model "
                                 "(BayesianNetwork, MarkovRandomField, a family)")
    check_enumerable(size, "from_joint: the joint table")


class JointDistribution(DiscreteModel):
    """An explicit joint pmf ``p[x_1, ..., x_N]``.

    Parameters
    ----------
    table : array_like
        Shape ``(card_1, ..., card_N)``, non-negative, summing to one.  Entries may be floats,
        ``Fraction``, mpmath ``mpf`` or sympy expressions; exact entries stay exact.
    names : sequence, optional
        Variable names (default ``X1..XN``).
    states : mapping or sequence, optional
        State labels per variable (default ``0..card-1``).

    Examples
    --------
    >>> import symsched as ss
    >>> m = ss.from_joint([[0.5, 0.0], [0.0, 0.5]], names=["A", "B"])
    >>> m.cardinalities
    (2, 2)
    """

    def __init__(self, table: Any, names: Sequence[Hashable] | None = None,
                 states: Mapping[Hashable, Sequence] | Sequence[Sequence] | None = None):
        size = int(np.size(table)) if isinstance(table, np.ndarray) else None
        if size is not None:  # refuse before copying or scanning what is over budget
            _check_table_budget(size, table.dtype == object)
        arr = as_entry_array(table, "joint table")
        _check_table_budget(arr.size, arr.dtype == object)
        if arr.ndim == 0:
            raise InvalidModelError("joint table: expected an array with one axis per variable, got a scalar")
        if any(s < 1 for s in arr.shape):
            raise InvalidModelError(f"joint table: every axis needs at least one state, got shape {arr.shape}")
        check_probability_table(arr, "joint table", axis=None)
        arr.flags.writeable = False  # our own copy (as_entry_array copies): later edits cannot reach it
        self._table = arr
        self._names = _check_names(names, arr.ndim, "from_joint")
        self._states = {}
        for i, v in enumerate(self._names):
            if states is None:
                labels = tuple(range(arr.shape[i]))
            else:
                labels = tuple(states[v] if isinstance(states, Mapping) else states[i])
            if len(labels) != arr.shape[i]:
                raise InvalidModelError(f"from_joint: variable {v!r} has {arr.shape[i]} states in the table "
                                        f"but {len(labels)} labels")
            self._states[v] = labels

    @property
    def variables(self) -> tuple:
        return self._names

    def states(self, variable: Hashable) -> tuple:
        try:
            return self._states[variable]
        except KeyError:
            raise KeyError(f"unknown variable {variable!r}; variables are {list(self._names)}") from None

    def parameters(self):
        return self._table.ravel() if self._table.dtype == object else ()

    def subs(self, mapping):
        if self._table.dtype != object:
            return self
        new = np.empty(self._table.shape, dtype=object)
        for idx, x in np.ndenumerate(self._table):
            new[idx] = sp.sympify(x).subs(mapping) if isinstance(x, sp.Basic) else x
        return JointDistribution(new, self._names, self._states)

    def _joint_array(self, arith: Arithmetic) -> np.ndarray:
        return arith.array(self._table, "joint table")

    def __repr__(self) -> str:
        return f"JointDistribution(N={self.N}, cardinalities={self.cardinalities})"


def from_joint(table: Any, names: Sequence[Hashable] | None = None,
               states: Mapping[Hashable, Sequence] | Sequence[Sequence] | None = None) -> JointDistribution:
    """Build a model from an explicit joint pmf (see :class:`JointDistribution`)."""
    return JointDistribution(table, names, states)


def as_model(model: Any, where: str | None = None, name: str = "model", *, tables: bool = True) -> DiscreteModel:
    """The one check of every ``model=`` argument: a symsched model, or (``tables``) a joint table as a
    numpy array, which goes through :func:`from_joint` (a pmf: finite, real, non-negative, summing to 1).

    Anything else, and a table that is not a pmf, is refused with a message naming ``name``.

    Examples
    --------
    >>> from symsched.models.table import as_model
    >>> as_model(np.array([0.5, 0.5])).N
    1
    >>> as_model(3.0, "sampler_law")
    Traceback (most recent call last):
    ...
    symsched.errors.SymschedError: sampler_law: model must be a symsched model (BayesianNetwork, \
MarkovRandomField, from_joint(...), ...) or a joint table (numpy array), got float
    """
    pre = f"{where}: " if where else ""
    if isinstance(model, DiscreteModel):
        if model.N < 1:
            raise SymschedError(f"{pre}{name} has no variables (N = 0)")
        return model
    if tables and isinstance(model, np.ndarray):
        try:
            return from_joint(model)
        except InvalidModelError as exc:
            raise InvalidModelError(f"{pre}{name} (a joint table) must be a pmf (finite, real, non-negative, "
                                    f"summing to 1): {exc}") from None
    kinds = " or a joint table (numpy array)" if tables else ""
    raise SymschedError(f"{pre}{name} must be a symsched model (BayesianNetwork, MarkovRandomField, "
                        f"from_joint(...), ...){kinds}, got {type(model).__name__}")
