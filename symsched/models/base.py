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

import math
from typing import Any, Hashable, Iterable, Mapping, Sequence

import numpy as np

from ..arithmetic import Arithmetic, arithmetic, free_symbols_of
from ..errors import ModelTooLargeError
from ..errors import InvalidModelError
from ..errors import SymschedError, format_count
from ..validation import check_budget

__all__ = ["DiscreteModel", "DEFAULT_MAX_ENTRIES", "check_enumerable", "describe_cardinalities"]

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

    def subs(self, mapping: Mapping[Any, Any]) -> "DiscreteModel":
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


def _check_names(names: Sequence[Hashable] | None, n: int, where: str) -> tuple:

    if names is None:
        return tuple(f"X{i + 1}" for i in range(n))
    names = tuple(names)
    if len(names) != n:
        raise InvalidModelError(f"{where}: {len(names)} names given for {n} variables")
    if len(set(names)) != n:
        raise InvalidModelError(f"{where}: variable names must be distinct, got {list(names)}")
    return names
