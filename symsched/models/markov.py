"""Markov random fields on a :class:`networkx.Graph`, with the Ising and Potts families.

A factor is a non-negative potential table over a set of variables (shape = their cardinalities in
the order given); it need not be normalised.  ``p(x) = prod_f phi_f(x_f) / Z``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any
from collections.abc import Hashable, Mapping, Sequence

import mpmath
import networkx as nx
import numpy as np
import sympy as sp

from ..arithmetic import Arithmetic, arithmetic
from ..values import to_float
from ..errors import InvalidModelError, SymschedError
from ..validation import check_variable_count, finite_real
from .base import check_enumerable, describe_cardinalities
from .symmetry import MAX_CANDIDATES, mrf_automorphisms
from .bayesian import GraphVariables, _subs_array, broadcast_factor, product_of_factors
from .validation import as_entry_array, check_nonnegative_table, object_entries

__all__ = ["MarkovRandomField", "ising", "potts"]


class MarkovRandomField(nx.Graph, GraphVariables):
    """A Markov random field: finite variables, non-negative factors on cliques, ``p ∝ prod factors``.

    Examples
    --------
    >>> mrf = MarkovRandomField()
    >>> mrf.add_variable("A", 2); mrf.add_variable("B", 2)
    >>> from fractions import Fraction as F
    >>> mrf.add_factor(["A", "B"], [[F(3), F(1)], [F(1), F(3)]])
    >>> mrf.partition_function(precision="symbolic")
    8
    >>> mrf.joint(precision="symbolic").tolist()
    [[3/8, 1/8], [1/8, 3/8]]
    """

    def __init__(self, incoming_graph_data=None, **attr):
        super().__init__(incoming_graph_data, **attr)
        self._factors: list[tuple[tuple, np.ndarray]] = []

    def add_variable(self, name: Hashable, states: int | Sequence = 2) -> None:
        """Add a variable (the next token) with ``states`` (a count or labels)."""
        self._add_variable_node(name, states)

    def add_factor(self, variables: Sequence[Hashable], table: Any) -> None:
        """Add a potential over ``variables`` (shape = their cardinalities, in that order); adds clique edges."""
        if isinstance(variables, (str, bytes)) or not isinstance(variables, (list, tuple)):
            variables = (variables,)
        variables = tuple(variables)
        if not variables:
            raise InvalidModelError("add_factor: a factor needs at least one variable")
        for v in variables:
            if v not in self._node:
                raise InvalidModelError(f"factor over {list(variables)}: unknown variable {v!r}")
        if len(set(variables)) != len(variables):
            raise InvalidModelError(f"factor over {list(variables)}: duplicate variables")
        where = f"factor over {list(variables)}"
        arr = as_entry_array(table, where)
        expected = tuple(len(self.states(v)) for v in variables)
        if arr.shape != expected:
            raise InvalidModelError(f"{where}: expected shape {expected}, got {arr.shape}")
        check_nonnegative_table(arr, where)
        arr.flags.writeable = False
        self._factors.append((variables, arr))
        for i, u in enumerate(variables):
            for w in variables[i + 1:]:
                self.add_edge(u, w)

    @property
    def factor_list(self) -> list[tuple[tuple, np.ndarray]]:
        """The factors as ``(variables, table)`` pairs, in the order added."""
        return list(self._factors)

    def parameters(self):
        return object_entries(t for _, t in self._factors)

    def subs(self, mapping: Mapping[Any, Any]) -> MarkovRandomField:
        new = self._same_variables()
        for vs, t in self._factors:
            new.add_factor(vs, _subs_array(t, mapping))
        return new

    # nx.Graph precedes GraphVariables in the MRO, so its copy (which knows nothing of the factors) would win
    copy = GraphVariables.copy

    def _copy_tables(self, new) -> None:
        new._factors = list(self._factors)

    def factors(self, arith: Arithmetic) -> list[tuple[tuple[int, ...], np.ndarray]]:
        """Unnormalised factors ``(token indices, table in arith)``; divide by :meth:`partition_function`."""
        for v in self.nodes:
            self.states(v)
        pos = {v: i for i, v in enumerate(self.nodes)}
        return [(tuple(pos[v] for v in vs), arith.array(t, f"factor over {list(vs)}")) for vs, t in self._factors]

    def _unnormalised(self, arith: Arithmetic) -> np.ndarray:
        return product_of_factors(self.factors(arith), self.cardinalities, arith)

    def _unnormalised_float(self) -> tuple[np.ndarray, float]:
        """``(u, shift)`` with ``prod factors = u * exp(shift)`` and ``max u = 1`` when rescaled.

        The direct product is kept when it is safely inside the float range; otherwise (potentials of
        1e300, couplings of hundreds) the factors' logarithms are summed and the maximum subtracted,
        so that any finite potentials give the right normalised joint.
        """
        arith = arithmetic("float")
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            try:
                u = self._unnormalised(arith)
            except OverflowError:  # an exact potential beyond the float range
                u = None
        if u is not None and np.all(np.isfinite(u)):
            top = float(u.max())
            if top >= _SAFE_MIN:
                return u, 0.0
        pos = {v: i for i, v in enumerate(self.nodes)}
        logs = [(tuple(pos[v] for v in vs), _log_table(t, f"factor over {list(vs)}")) for vs, t in self._factors]
        scale = 1.0
        with np.errstate(invalid="ignore", over="ignore"):
            total = self._log_total(logs, 1.0)
            if np.isposinf(total).any() or np.isnan(total).any():
                # Log-potentials near the float limit (couplings ~1e308) overflow when summed: sum them in
                # units of the largest one; terms far smaller than it are then below float resolution,
                # which changes no probability that exp(scale * difference) can represent.
                scale = max(float(np.max(np.abs(lt[np.isfinite(lt)]), initial=0.0)) for _, lt in logs)
                total = self._log_total(logs, scale)
        top = float(np.max(total))
        if not math.isfinite(top):
            raise InvalidModelError("MarkovRandomField: the partition function Z is zero (every configuration "
                                    "has zero potential)")
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            u = np.exp(scale * (total - top))
        return u, scale * top

    def _log_total(self, logs: list, scale: float) -> np.ndarray:
        total = np.zeros(self.cardinalities)
        for idx, lt in logs:
            total = total + broadcast_factor(lt / scale, idx, len(self.cardinalities))
        return total

    def _z(self, table: np.ndarray, arith: Arithmetic) -> Any:
        z = arith.sum(table.ravel())
        if arith.precision == "symbolic":
            z = sp.simplify(z) if sp.count_ops(z) < 200 else z
        if arith.is_zero(z):
            raise InvalidModelError("MarkovRandomField: the partition function Z is zero (every configuration "
                                    "has zero potential)")
        return z

    def partition_function(self, precision: str = "float", dps: int | None = None,
                           max_entries: float | None = None) -> Any:
        """``Z = sum_x prod_f phi_f(x_f)``, exactly by enumeration (within the joint-size budget).

        In floats a ``Z`` beyond the float range is refused (use ``precision="mpmath"``).
        """
        check_enumerable(self.joint_size(), f"the partition function of {type(self).__name__} "
                         f"with cardinalities {describe_cardinalities(self.cardinalities)}", max_entries)
        arith = arithmetic(precision, dps)
        if precision == "float":
            for v in self.nodes:
                self.states(v)
            u, shift = self._unnormalised_float()
            z = self._z(u, arith)
            log_z = math.log(z) + shift
            if log_z > _LOG_FLOAT_MAX:
                raise SymschedError(f"MarkovRandomField: Z = exp({log_z:.6g}) exceeds the float range; use "
                                    "partition_function(precision='mpmath')")
            return math.exp(log_z) if shift else float(z)
        with arith.workprec():
            return arith.finalize(self._z(self._unnormalised(arith), arith)) if precision != "symbolic" \
                else self._z(self._unnormalised(arith), arith)

    def _joint_array(self, arith: Arithmetic) -> np.ndarray:
        if arith.precision == "float":
            for v in self.nodes:
                self.states(v)
            u, _ = self._unnormalised_float()
            return u / self._z(u, arith)
        with arith.workprec():
            u = self._unnormalised(arith)
            z = self._z(u, arith)
            return u / z

    def distribution_automorphisms(self, max_candidates: int = MAX_CANDIDATES) -> list[tuple[int, ...]]:
        """Graph automorphisms mapping every factor onto an equal one (see :mod:`symsched.models.symmetry`)."""
        return mrf_automorphisms(self, max_candidates)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(N={self.number_of_nodes()}, cardinalities="
                f"{tuple(len(d.get('states') or ()) for d in self._node.values())}, "
                f"factors={len(self._factors)})")


#: A float product whose largest entry is below this is recomputed in the log domain (underflow risk).
_SAFE_MIN = 1e-250
_LOG_FLOAT_MAX = math.log(np.finfo(float).max)


def _log_entry(x: Any, where: str) -> float:
    """``log x`` in float for one potential of any kind (exact entries through sympy, so exp(1000) is fine)."""
    if isinstance(x, (float, int, np.floating, np.integer)) and not isinstance(x, sp.Basic):
        return math.log(x) if x > 0 else -math.inf
    if isinstance(x, Fraction):
        return math.log(x.numerator) - math.log(x.denominator) if x > 0 else -math.inf
    if isinstance(x, mpmath.mpf):
        return float(mpmath.log(x)) if x > 0 else -math.inf
    x = sp.sympify(x)
    if x.is_zero:
        return -math.inf
    return to_float(sp.expand_log(sp.log(x), force=True), where)


def _log_table(table: np.ndarray, where: str) -> np.ndarray:
    if table.dtype != object:
        with np.errstate(divide="ignore"):
            return np.log(table)
    out = np.empty(table.shape, dtype=float)
    for idx, x in np.ndenumerate(table):
        out[idx] = _log_entry(x, where)
    return out


# -- Ising and Potts ------------------------------------------------------------------------------
def _exact(x: Any) -> Any:
    """An mpf as the exact binary rational it is (so its exponential can be taken at any precision later)."""
    if isinstance(x, mpmath.mpf):
        if not mpmath.isfinite(x):
            raise InvalidModelError(f"expected a finite number, got {x!r}")
        sign, man, exp, _ = x._mpf_
        return (-1) ** sign * sp.Integer(man) * sp.Integer(2) ** exp
    return x


#: Float exponents beyond this give sympy Float potentials (unbounded exponent range) instead of overflowing.
_FLOAT_EXP_LIMIT = 700.0


def _exp(x: Any) -> Any:
    """exp keeping the kind: float -> float, exact/sympy/mpf -> exact ``sympy.exp``.

    mpf parameters become exact sympy exponentials, evaluated later at the working precision of the
    computation (``precision="mpmath", dps=...``), not at mpmath's default 15 digits now.  A float
    exponent beyond +-700 gives a sympy Float (no overflow or underflow); the joint is then formed
    in the log domain (see :meth:`MarkovRandomField._unnormalised_float`).
    """
    if isinstance(x, (float, np.floating)):
        if not math.isfinite(float(x)):
            raise InvalidModelError(f"expected a finite number, got {x!r}")
        if abs(float(x)) > _FLOAT_EXP_LIMIT:
            return sp.exp(sp.Float(float(x)))
        return math.exp(float(x))
    if isinstance(x, Fraction):
        return sp.exp(sp.Rational(x.numerator, x.denominator))
    if isinstance(x, (int, np.integer, sp.Basic, mpmath.mpf)) and not isinstance(x, bool):
        return sp.exp(sp.sympify(_exact(x)))
    raise InvalidModelError(f"expected a number or sympy expression, got {type(x).__name__} {x!r}")


def _mul(a: Any, b: Any) -> Any:
    if isinstance(a, Fraction) and isinstance(b, sp.Basic):
        a = sp.Rational(a.numerator, a.denominator)
    if isinstance(b, Fraction) and isinstance(a, sp.Basic):
        b = sp.Rational(b.numerator, b.denominator)
    return a * b


def _check_parameter(x: Any, what: str) -> Any:
    """A coupling or field: a finite real number, or a sympy expression in symbols (not complex, not a bool)."""
    if isinstance(x, sp.Basic) and x.free_symbols:
        if x.is_extended_real is False:
            raise InvalidModelError(f"{what} must be real, got {x}")
        return x
    if isinstance(x, mpmath.mpf):
        if not mpmath.isfinite(x):
            raise InvalidModelError(f"{what} must be a finite real number, got {x!r}")
        return x
    finite_real(x, what)
    return x


def _per_edge(graph: nx.Graph, value: Any, what: str) -> dict:
    if not isinstance(value, Mapping):
        return {e: _check_parameter(value, what) for e in graph.edges}
    out = {}
    used = set()
    for u, v in graph.edges:
        used.update({(u, v), (v, u), frozenset((u, v))})
    extra = [k for k in value if k not in used]
    if extra:  # silently ignored before: a typo'd pair would leave its edge at another value
        raise InvalidModelError(f"{what}: {extra[0]!r} is not an edge of the graph (values are given per edge; "
                                f"{len(extra)} key(s) name no edge)")
    for u, v in graph.edges:
        if (u, v) in value:
            out[(u, v)] = value[(u, v)]
        elif (v, u) in value:
            out[(u, v)] = value[(v, u)]
        elif frozenset((u, v)) in value:
            out[(u, v)] = value[frozenset((u, v))]
        else:
            raise InvalidModelError(f"{what}: no value for edge ({u!r}, {v!r})")
    return {e: _check_parameter(x, f"{what} of edge {e}") for e, x in out.items()}


def _per_node(graph: nx.Graph, value: Any, what: str) -> dict:
    if not isinstance(value, Mapping):
        return {n: _check_parameter(value, what) for n in graph.nodes}
    missing = [n for n in graph.nodes if n not in value]
    extra = [k for k in value if k not in graph]
    if extra:
        raise InvalidModelError(f"{what}: {extra[0]!r} is not a node of the graph (values are given per node)")
    if missing:
        raise InvalidModelError(f"{what}: no value for node {missing[0]!r}")
    return {n: _check_parameter(value[n], f"{what} of node {n!r}") for n in graph.nodes}


def _is_zero(x: Any) -> bool:
    return (not isinstance(x, sp.Basic) or not x.free_symbols) and x == 0


def _check_graph(graph: Any, what: str) -> None:
    if not isinstance(graph, nx.Graph):
        raise InvalidModelError(f"{what}: expected a networkx graph, got {type(graph).__name__}")
    if graph.is_directed() or graph.is_multigraph():
        raise InvalidModelError(f"{what}: expected a simple undirected graph (use nx.Graph(graph))")
    loops = list(nx.selfloop_edges(graph))
    if loops:
        raise InvalidModelError(f"{what}: self-loop at node {loops[0][0]!r}")


def ising(graph: nx.Graph, coupling: Any, field: Any = 0) -> MarkovRandomField:
    """Ising model ``p(x) ∝ exp(sum_{ij in E} J_ij s_i s_j + sum_i h_i s_i)``, ``s = 2x - 1``.

    Parameters
    ----------
    graph : networkx.Graph
        Variables are its nodes, in graph order; each has states ``0, 1`` (spin ``-1, +1``).
    coupling : number, sympy expression, or dict edge -> value
        ``J`` (uniform) or per edge (keys ``(u, v)``, either orientation).
    field : number, sympy expression, or dict node -> value
        ``h`` (uniform) or per node.

    Notes
    -----
    Float parameters give float potentials; integers, Fractions and sympy values give exact
    ``sympy.exp`` potentials (so a symbolic profile is possible on tiny graphs).

    Examples
    --------
    >>> import networkx as nx
    >>> m = ising(nx.path_graph(2), 0.5)
    >>> p = m.joint()
    >>> round(float(p[0, 0]), 6), round(float(p[0, 1]), 6)
    (0.365529, 0.134471)
    """
    _check_graph(graph, "ising")
    J = {e: _exact(v) for e, v in _per_edge(graph, coupling, "ising coupling").items()}
    h = {n: _exact(v) for n, v in _per_node(graph, field, "ising field").items()}
    mrf = MarkovRandomField()
    for n in graph.nodes:
        mrf.add_variable(n, 2)
    for n in graph.nodes:
        if not _is_zero(h[n]):
            mrf.add_factor([n], [_exp(_mul(-1, h[n])), _exp(h[n])])
    for (u, v), j in J.items():
        a, b = _exp(_mul(-1, j)), _exp(j)
        mrf.add_factor([u, v], [[b, a], [a, b]])
    mrf.graph["family"] = "ising"
    return mrf


def potts(graph: nx.Graph, q: int, coupling: Any, field: Any = 0) -> MarkovRandomField:
    """Potts model ``p(x) ∝ exp(sum_{ij in E} J_ij [x_i = x_j] + sum_i h_i [x_i = 0])``, ``x_i in 0..q-1``.

    The field term favours state 0 (a common convention; the literature varies, so say which one you
    use).  ``coupling`` and ``field`` are as in :func:`ising` (uniform or per edge / per node).

    Examples
    --------
    >>> import networkx as nx
    >>> m = potts(nx.path_graph(2), 3, 1)
    >>> m.joint(precision="symbolic")[0, 0]
    E/(6 + 3*E)
    """
    _check_graph(graph, "potts")
    q = check_variable_count(q, "q", "potts", per_variable=2)
    J = {e: _exact(v) for e, v in _per_edge(graph, coupling, "potts coupling").items()}
    h = {n: _exact(v) for n, v in _per_node(graph, field, "potts field").items()}
    mrf = MarkovRandomField()
    for n in graph.nodes:
        mrf.add_variable(n, int(q))
    def one(x):  # the potential exp(0), of the same kind as the others
        return 1.0 if isinstance(x, (float, np.floating)) else sp.Integer(1)

    for n in graph.nodes:
        if not _is_zero(h[n]):
            mrf.add_factor([n], [_exp(h[n])] + [one(h[n])] * (q - 1))
    for (u, v), j in J.items():
        e, o = _exp(j), one(j)
        mrf.add_factor([u, v], [[e if a == b else o for b in range(q)] for a in range(q)])
    mrf.graph["family"] = "potts"
    return mrf
