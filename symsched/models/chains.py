"""Markov chains (a Bayesian network on a path) and hidden Markov models (tokens = observations)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any
from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import sympy as sp

from ..arithmetic import Arithmetic
from ..errors import InvalidModelError
from ..validation import check_variable_count, finite_real
from .base import DiscreteModel, _check_names
from .bayesian import BayesianNetwork, _subs_array
from .validation import as_entry_array, check_probability_table, object_entries

__all__ = ["MarkovChain", "markov_chain", "binary_symmetric_chain", "HiddenMarkovModel", "hidden_markov_model"]


def _matrix_list(value: Any, count: int, what: str) -> list[np.ndarray]:
    """One matrix (repeated ``count`` times) or a list of ``count`` matrices, each validated as rows summing to 1."""
    if count == 0:
        return []
    if isinstance(value, np.ndarray) and value.dtype != object and value.ndim == 3:
        mats = list(value)
    elif isinstance(value, (list, tuple)) and len(value) > 0 and \
            np.ndim(as_entry_array(value[0], f"{what} 1")) == 2:
        mats = list(value)
    else:
        mats = [value] * count
    if len(mats) != count:
        raise InvalidModelError(f"{what}: expected one matrix or a list of {count}, got a list of {len(mats)}")
    out, seen = [], {}
    for t, m in enumerate(mats):
        if id(m) in seen:  # one matrix repeated (a homogeneous chain): validated once, shared read-only
            out.append(seen[id(m)])
            continue
        arr = as_entry_array(m, f"{what} {t + 1}")
        if arr.ndim != 2:
            raise InvalidModelError(f"{what} {t + 1}: expected a matrix (2 axes), got shape {arr.shape}")
        check_probability_table(arr, f"{what} {t + 1}", axis=-1)
        arr = arr.copy()  # never the caller's array: it is made read-only below
        arr.flags.writeable = False
        seen[id(m)] = arr
        out.append(arr)
    return out


def _initial(initial: Any, what: str = "initial distribution") -> np.ndarray:
    arr = as_entry_array(initial, what)
    if arr.ndim != 1:
        raise InvalidModelError(f"{what}: expected a vector, got shape {arr.shape}")
    check_probability_table(arr, what, axis=None)
    return arr


def _check_chaining(first: int, mats: Sequence[np.ndarray], what: str, names: Sequence[Hashable]) -> list[int]:
    cards = [first]
    for t, m in enumerate(mats):
        if m.shape[0] != cards[-1]:
            raise InvalidModelError(f"{what} {t + 1} ({names[t]!r} -> {names[t + 1]!r}): expected {cards[-1]} rows "
                                    f"(the states of {names[t]!r}), got shape {m.shape}")
        cards.append(m.shape[1])
    return cards


class MarkovChain(BayesianNetwork):
    """A Markov chain ``X1 -> X2 -> ... -> Xn`` as a :class:`BayesianNetwork`.

    :attr:`initial_distribution` and :attr:`transition_matrices` are read from the CPDs, so they
    always describe the current network.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> mc = markov_chain(3, [F(1, 2), F(1, 2)], [[F(9, 10), F(1, 10)], [F(1, 10), F(9, 10)]])
    >>> mc.variables
    ('X1', 'X2', 'X3')
    >>> mc.joint(precision="symbolic")[0, 0, 0]
    81/200
    """

    @property
    def initial_distribution(self) -> np.ndarray:
        first = self.variables[0]
        parents, t = self.cpd(first)
        if parents:
            raise InvalidModelError(f"MarkovChain: first variable {first!r} has parents {list(parents)}")
        return t

    def _set_path_cpds(self, names: Sequence[Hashable], init: np.ndarray, mats: Sequence[np.ndarray]) -> None:
        """The CPDs of the path ``names[0] -> names[1] -> ...`` from tables :func:`markov_chain` validated
        (shapes chained, rows summing to one); a path has no cycle, so no per-node search for one."""
        self.set_cpd(names[0], init)
        for t in range(1, len(names)):
            node = self._node[names[t]]
            node["parents"], node["cpd"] = (names[t - 1],), mats[t - 1]
        self.add_edges_from(zip(names[:-1], names[1:]))

    @property
    def transition_matrices(self) -> list[np.ndarray]:
        vs = self.variables
        out = []
        for prev, v in zip(vs[:-1], vs[1:]):
            parents, t = self.cpd(v)
            if parents != (prev,):
                raise InvalidModelError(f"MarkovChain: variable {v!r} has parents {list(parents)}, expected "
                                        f"[{prev!r}] (the chain structure was edited)")
            out.append(t)
        return out


def markov_chain(n: int, initial: Any, transition: Any,
                 names: Sequence[Hashable] | None = None) -> MarkovChain:
    """A Markov chain of ``n`` tokens ``X1..Xn``.

    Parameters
    ----------
    n : int
        Number of tokens (>= 1).
    initial : vector
        Law of ``X1``.
    transition : matrix or list of ``n - 1`` matrices
        ``T[a, b] = P(X_{t+1} = b | X_t = a)``; one matrix (homogeneous, square) or one per step
        (non-stationary; state counts may change between steps when the shapes chain).
    names : sequence, optional
        Variable names (default ``X1..Xn``).

    Examples
    --------
    >>> mc = markov_chain(4, [0.3, 0.7], [[0.9, 0.1], [0.2, 0.8]])
    >>> mc.joint().sum(axis=(0, 1, 2)).round(6).tolist()
    [0.5409, 0.4591]
    """
    n = check_variable_count(n, "n", "markov_chain")
    names = _check_names(names, int(n), "markov_chain")
    init = _initial(initial)
    mats = _matrix_list(transition, n - 1, "transition matrix")
    cards = _check_chaining(len(init), mats, "transition matrix", names)
    mc = MarkovChain()
    for v, k in zip(names, cards):
        mc.add_variable(v, k)
    mc._set_path_cpds(names, init, mats)
    return mc


def binary_symmetric_chain(n: int, eps: Any) -> MarkovChain:
    """Uniform binary chain flipping with probability ``eps`` at each step (``eps`` may be a sympy symbol).

    Examples
    --------
    >>> import sympy as sp
    >>> e = sp.Symbol("epsilon")
    >>> binary_symmetric_chain(2, e).joint(precision="symbolic").tolist()
    [[1/2 - epsilon/2, epsilon/2], [epsilon/2, 1/2 - epsilon/2]]
    """
    if not (isinstance(eps, sp.Basic) and eps.free_symbols):
        # a number: a probability (the table check below would only name the matrix, not eps)
        if not 0 <= finite_real(eps, "eps", "binary_symmetric_chain") <= 1:
            raise InvalidModelError(f"binary_symmetric_chain: eps (the flip probability) must be in [0, 1], "
                                    f"got {eps!r}")
    if isinstance(eps, sp.Basic):
        half, one = sp.Rational(1, 2), sp.Integer(1)
    elif isinstance(eps, (Fraction, int)) and not isinstance(eps, bool):
        half, one = Fraction(1, 2), Fraction(1)
    else:
        half, one = 0.5, 1.0
    return markov_chain(n, [half, half], [[one - eps, eps], [eps, one - eps]])


class HiddenMarkovModel(DiscreteModel):
    """A hidden Markov model whose tokens are the observations ``Y1..Yn`` (hidden states summed out).

    The joint over observations is computed by the forward recursion.

    Attributes
    ----------
    initial_distribution : array
    transition_matrices : list of ``n - 1`` arrays (hidden ``t -> t+1``)
    emission_matrices : list of ``n`` arrays, ``E_t[z, y] = P(Y_t = y | Z_t = z)``

    Examples
    --------
    >>> hmm = hidden_markov_model(3, [0.5, 0.5], [[0.9, 0.1], [0.1, 0.9]], [[0.8, 0.2], [0.3, 0.7]])
    >>> round(float(hmm.joint().sum()), 12)
    1.0
    """

    def __init__(self, initial: Any, transitions: Sequence[Any], emissions: Sequence[Any],
                 names: Sequence[Hashable] | None = None):
        for arg, val in (("emissions", emissions), ("transitions", transitions)):
            if not (isinstance(val, (list, tuple)) or (isinstance(val, np.ndarray) and val.ndim == 3)):
                raise InvalidModelError(f"HiddenMarkovModel: {arg} must be a list of matrices (one per step), "
                                        f"got {type(val).__name__}")
        n = check_variable_count(len(emissions), "number of emissions", "HiddenMarkovModel")
        self._names = _check_names(names, n, "hidden_markov_model")
        self.initial_distribution = _initial(initial, "initial distribution of the hidden chain")
        self.emission_matrices = _matrix_list(list(emissions), n, "emissions: emission matrix")
        # n - 1 transitions between the n emissions: a count mismatch names both
        self.transition_matrices = _matrix_list(list(transitions), n - 1,
                                                f"transitions (between {n} emissions): transition matrix") \
            if n > 1 else []
        hidden = [f"Z{t + 1}" for t in range(n)]
        cards = _check_chaining(len(self.initial_distribution), self.transition_matrices,
                                "transition matrix", hidden)
        for t, (k, e) in enumerate(zip(cards, self.emission_matrices)):
            if e.shape[0] != k:
                raise InvalidModelError(f"emission matrix {t + 1} (of {self._names[t]!r}): expected {k} rows "
                                        f"(hidden states), got shape {e.shape}")

    @property
    def variables(self) -> tuple:
        return self._names

    def states(self, variable: Hashable) -> tuple:
        return tuple(range(self.emission_matrices[self.index_of(variable)].shape[1]))

    @property
    def cardinalities(self) -> tuple:
        # the base looks every variable up by name: O(N^2) at the lengths people decode
        return tuple(e.shape[1] for e in self.emission_matrices)

    def parameters(self):
        return object_entries([self.initial_distribution, *self.transition_matrices, *self.emission_matrices])

    def subs(self, mapping: Mapping[Any, Any]) -> HiddenMarkovModel:
        return HiddenMarkovModel(_subs_array(self.initial_distribution, mapping),
                                 [_subs_array(t, mapping) for t in self.transition_matrices],
                                 [_subs_array(e, mapping) for e in self.emission_matrices], self._names)

    def _joint_array(self, arith: Arithmetic) -> np.ndarray:
        with arith.workprec():
            pi = arith.array(self.initial_distribution)
            Ts = [arith.array(t) for t in self.transition_matrices]
            Es = [arith.array(e) for e in self.emission_matrices]
            # alpha[y_1..y_t, z_t] = P(y_1..y_t, Z_t = z_t)
            alpha = Es[0].T * pi[None, :]
            for t in range(1, len(Es)):
                b = np.matmul(alpha, Ts[t - 1])
                alpha = b[..., None, :] * Es[t].T
            return alpha.sum(axis=-1)

    def __repr__(self) -> str:
        return f"HiddenMarkovModel(N={self.N}, hidden states={len(self.initial_distribution)})"


def hidden_markov_model(n: int, initial: Any, transition: Any, emission: Any,
                        names: Sequence[Hashable] | None = None) -> HiddenMarkovModel:
    """An HMM with ``n`` observed tokens ``Y1..Yn``; ``transition`` and ``emission`` are one matrix
    (homogeneous) or a list (``n - 1`` transitions, ``n`` emissions).  See :class:`HiddenMarkovModel`."""
    n = check_variable_count(n, "n", "hidden_markov_model")
    names = _check_names(names, int(n), "hidden_markov_model") if names is not None else \
        tuple(f"Y{i + 1}" for i in range(n))
    trans = _matrix_list(transition, n - 1, "transition matrix")
    emis = _matrix_list(emission, n, "emission matrix")
    return HiddenMarkovModel(initial, trans, emis, names)
