"""Bayesian networks on a :class:`networkx.DiGraph`.

A conditional probability table (CPD) of ``X`` with parents ``(P1, ..., Pm)`` has shape
``(card(P1), ..., card(Pm), card(X))`` in the order of the parents given, and its last axis sums
to one.  (pgmpy stores the transpose; :mod:`symsched.models.bif` converts at that boundary only.)
Entries are kept as given, so ``Fraction``/sympy entries stay exact and mpmath entries keep their digits.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Hashable, Iterable, Mapping, Sequence

import networkx as nx
import numpy as np
import sympy as sp

from ..arithmetic import Arithmetic
from ..errors import InvalidModelError
from .base import DiscreteModel
from .symmetry import MAX_CANDIDATES, bn_automorphisms
from .validation import as_entry_array, check_probability_table, object_entries

__all__ = ["BayesianNetwork"]


def _state_labels(name: Hashable, states: Any) -> tuple:
    """State labels from a count or a sequence of distinct labels."""
    if isinstance(states, (int, np.integer)) and not isinstance(states, bool):
        if states < 1:
            raise InvalidModelError(f"variable {name!r}: needs at least one state, got states={states}")
        return tuple(range(int(states)))
    if isinstance(states, (str, bytes)) or not isinstance(states, Iterable):
        raise InvalidModelError(f"variable {name!r}: states must be a positive integer or a sequence of "
                                f"labels, got {states!r}")
    labels = tuple(states)
    if not labels:
        raise InvalidModelError(f"variable {name!r}: needs at least one state, got an empty list")
    if len(set(labels)) != len(labels):
        raise InvalidModelError(f"variable {name!r}: state labels must be distinct, got {list(labels)}")
    return labels


class GraphVariables(DiscreteModel):
    """Variables stored as graph nodes (with a ``states`` attribute), in insertion (token) order."""

    @property
    def variables(self) -> tuple:
        return tuple(self.nodes)

    def states(self, variable: Hashable) -> tuple:
        if variable not in self._node:
            raise InvalidModelError(f"unknown variable {variable!r}; variables are {list(self.nodes)}")
        labels = self._node[variable].get("states")
        if labels is None:
            raise InvalidModelError(f"variable {variable!r} has no states: add it with add_variable")
        return labels

    def _add_variable_node(self, name: Hashable, states: int | Sequence, **attrs) -> None:
        if name in self._node:
            raise InvalidModelError(f"variable {name!r} already exists")
        self.add_node(name, states=_state_labels(name, states), **attrs)

    def _same_variables(self):
        """A model of the same class with the same graph attributes and variables, and no tables yet."""
        new = self.__class__()
        new.graph.update(self.graph)
        for v in self.nodes:
            new.add_variable(v, self.states(v))
        return new

    def _copy_tables(self, new) -> None:
        """Copy what the graph's node and edge attributes do not hold (a subclass's own tables)."""

    def copy(self, as_view: bool = False):
        if as_view:
            return super().copy(as_view=True)
        new = self.__class__()
        new.graph.update(self.graph)
        new.add_nodes_from((n, dict(d)) for n, d in self._node.items())
        new.add_edges_from(self.edges)
        self._copy_tables(new)
        return new


def broadcast_factor(table: np.ndarray, indices: Sequence[int], ndim: int) -> np.ndarray:
    """View ``table`` (axes = variables ``indices``, any order) as an ``ndim``-axis array for broadcasting.

    Axes are sorted into token order and the missing variables get length-one axes, so products of
    factors broadcast to the joint table for float64 and object arrays alike.
    """
    order = sorted(range(len(indices)), key=lambda a: indices[a])
    t = np.transpose(table, order) if len(indices) > 1 else table
    shape = [1] * ndim
    for a in order:
        shape[indices[a]] = table.shape[a]
    return t.reshape(shape)


def product_of_factors(factors: Sequence[tuple[tuple[int, ...], np.ndarray]], cards: Sequence[int],
                       arith: Arithmetic) -> np.ndarray:
    """Product of factors (``(indices, array)`` pairs in ``arith``) as a full table of shape ``cards``."""
    if arith.precision == "float":
        out = np.ones(tuple(cards), dtype=float)
    else:
        out = np.empty(tuple(cards), dtype=object)
        out.fill(arith.one)
    for idx, arr in factors:
        out = out * broadcast_factor(arr, idx, len(cards))
    return out


def _subs_array(arr: np.ndarray, mapping: Mapping) -> np.ndarray:
    if arr.dtype != object:
        return arr
    new = np.empty(arr.shape, dtype=object)
    for idx, x in np.ndenumerate(arr):
        new[idx] = x.subs(mapping) if isinstance(x, sp.Basic) else x
    return new


class BayesianNetwork(nx.DiGraph, GraphVariables):
    """A Bayesian network: a DAG of finite variables with one CPD per variable.

    Node attributes: ``states`` (labels), ``parents`` (tuple, the CPD's axis order) and ``cpd``
    (the table).  Token order is the order of :meth:`add_variable` calls.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> bn = BayesianNetwork()
    >>> bn.add_variable("A", 2)
    >>> bn.add_variable("B", ["lo", "hi"])
    >>> bn.set_cpd("A", [F(1, 2), F(1, 2)])
    >>> bn.set_cpd("B", [[F(3, 4), F(1, 4)], [F(1, 4), F(3, 4)]], parents=["A"])
    >>> bn.joint(precision="symbolic").tolist()
    [[3/8, 1/8], [1/8, 3/8]]
    >>> list(bn.edges)
    [('A', 'B')]
    """

    def __init__(self, incoming_graph_data=None, **attr):
        super().__init__(incoming_graph_data, **attr)

    # -- structure ----------------------------------------------------------------------------
    def add_variable(self, name: Hashable, states: int | Sequence = 2) -> None:
        """Add a variable with ``states`` (a count or a sequence of labels); it becomes the next token."""
        self._add_variable_node(name, states, parents=None, cpd=None)

    def set_cpd(self, name: Hashable, table: Any, parents: Sequence[Hashable] = ()) -> None:
        """Set ``P(name | parents)``; ``table`` has shape ``(card(P1), ..., card(Pm), card(name))``.

        Raises
        ------
        InvalidModelError
            Unknown variable or parent, duplicate or self parent, wrong shape, a row not summing to
            one, a negative/NaN/infinite entry, or a directed cycle (named).
        """
        if name not in self._node:
            raise InvalidModelError(f"set_cpd: unknown variable {name!r}; add it with add_variable first")
        if isinstance(parents, (str, bytes)):
            parents = (parents,)
        parents = tuple(parents)
        for p in parents:
            if p not in self._node:
                raise InvalidModelError(f"CPD of {name!r}: unknown parent {p!r}")
        if name in parents:
            raise InvalidModelError(f"CPD of {name!r}: a variable cannot be its own parent")
        if len(set(parents)) != len(parents):
            raise InvalidModelError(f"CPD of {name!r}: duplicate parents in {list(parents)}")
        where = f"CPD of {name!r}"
        arr = as_entry_array(table, where)
        expected = tuple(len(self.states(p)) for p in parents) + (len(self.states(name)),)
        if arr.shape != expected:
            raise InvalidModelError(f"{where}: expected shape {expected} (parents {list(parents)} then "
                                    f"{name!r}), got {arr.shape}")
        check_probability_table(arr, where, axis=-1)
        old = list(self.in_edges(name))
        self.remove_edges_from(old)
        self.add_edges_from((p, name) for p in parents)
        try:
            cycle = nx.find_cycle(self, source=name)
        except nx.NetworkXNoCycle:
            cycle = None
        if cycle is not None:
            self.remove_edges_from([(p, name) for p in parents])
            self.add_edges_from(old)
            path = " -> ".join(repr(u) for u, _ in cycle) + f" -> {cycle[0][0]!r}"
            raise InvalidModelError(f"CPD of {name!r}: parents {list(parents)} create the cycle {path}")
        arr.flags.writeable = False
        self._node[name]["parents"] = parents
        self._node[name]["cpd"] = arr

    def cpd(self, name: Hashable) -> tuple[tuple, np.ndarray]:
        """``(parents, table)`` of ``name`` (table axes: parents in that order, then ``name``)."""
        self.states(name)
        if self._node[name].get("cpd") is None:
            raise InvalidModelError(f"variable {name!r} has no CPD: call set_cpd({name!r}, ...)")
        return self._node[name]["parents"], self._node[name]["cpd"]

    def check_complete(self) -> None:
        """Every variable has states and a CPD whose parents are exactly its graph predecessors."""
        for v in self.nodes:
            parents, _ = self.cpd(v)
            if set(parents) != set(self.predecessors(v)):
                raise InvalidModelError(f"variable {v!r}: CPD parents {list(parents)} differ from the graph's "
                                        f"parents {list(self.predecessors(v))} (edges were edited directly)")

    # -- parameters ---------------------------------------------------------------------------
    def parameters(self):
        return object_entries(self._node[v].get("cpd") for v in self.nodes)

    def subs(self, mapping: Mapping[Any, Any]) -> BayesianNetwork:
        """A new network with sympy symbols replaced (tables re-validated)."""
        new = self._same_variables()
        for v in self.nodes:
            if self._node[v].get("cpd") is not None:
                parents, t = self.cpd(v)
                new.set_cpd(v, _subs_array(t, mapping), parents)
        return new

    copy = GraphVariables.copy  # nx.DiGraph precedes GraphVariables in the MRO

    # -- the joint ----------------------------------------------------------------------------
    def factors(self, arith: Arithmetic) -> list[tuple[tuple[int, ...], np.ndarray]]:
        """One factor per CPD: ``(token indices of (parents..., variable), table in arith)``."""
        self.check_complete()
        pos = {v: i for i, v in enumerate(self.nodes)}
        out = []
        for v in self.nodes:
            parents, t = self.cpd(v)
            out.append((tuple(pos[p] for p in parents) + (pos[v],), arith.array(t, f"CPD of {v!r}")))
        return out

    def _joint_array(self, arith: Arithmetic) -> np.ndarray:
        with arith.workprec():
            return product_of_factors(self.factors(arith), self.cardinalities, arith)

    def distribution_automorphisms(self, max_candidates: int = MAX_CANDIDATES) -> list[tuple[int, ...]]:
        """Graph automorphisms mapping every CPD onto an equal one (see :mod:`symsched.models.symmetry`)."""
        return bn_automorphisms(self, max_candidates)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(N={self.number_of_nodes()}, cardinalities="
                f"{tuple(len(d.get('states') or ()) for d in self._node.values())}, edges={list(self.edges)})")
