"""The protocol every model oracle follows, its shared checks, and the registry by model class.

A *model oracle* answers three questions about one model ``p`` for a whole batch of rows at once:

* :meth:`ModelOracle.sample` — ``B`` independent exact draws ``x ~ p`` (shape ``(B, N)``, state indices);
* :meth:`ModelOracle.log_marginal` — ``log p(x_A)`` for every row, ``A`` a set of positions;
* :meth:`ModelOracle.conditionals` — every conditional law ``p(X_i = v | x_R)`` of every position ``i`` given
  the revealed positions ``R`` of each row (shape ``(B, N, V)``, ``V`` the largest cardinality, zeros padding
  smaller variables; a revealed position holds the point mass on its value).

A family implements the hooks (``_sample``, ``_log_marginal``, ``_conditionals_given`` and, where one pass
serves rows with different revealed sets, ``_conditionals_masked``); the base class owns the public methods:
it checks the arguments once, groups rows by revealed-set pattern (one message-passing pass per pattern,
with the family's cached contraction paths), pads the output and fills the revealed positions.  This is the
design of scipy.stats' ``rv_generic``: public methods in the base, small private hooks per family.

Registry.  :func:`register_oracle` maps a model class to its oracle class; :func:`oracle_for` picks the
oracle of a model by walking its class's MRO (most specific first), after preferring the joint table when
it is small (``joint_limit`` entries; every family is exact through it).  Adding a model family is one
module with one decorated class (CONTRIBUTING.md, "Adding a model family").
"""

from __future__ import annotations

from typing import Any
from collections.abc import Sequence

import numpy as np

from ...errors import ModelTooLargeError, SymschedError
from ...models.base import DiscreteModel

__all__ = ["ModelOracle", "register_oracle", "oracle_for", "ORACLES", "categorical", "normalise_last",
           "JOINT_TABLE_LIMIT"]

#: Joint tables up to this many entries are used directly (every family is exact through its table).
JOINT_TABLE_LIMIT = 2 ** 20

#: model class -> oracle class (filled by :func:`register_oracle`).
ORACLES: dict = {}


def categorical(u: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Inverse-cdf draws, one per row of ``probs`` (rows with a positive sum), from uniforms ``u`` in [0, 1)."""
    cum = np.cumsum(probs, axis=-1)
    return np.minimum((cum < (u * cum[:, -1])[:, None]).sum(axis=1), probs.shape[1] - 1)


def register_oracle(*model_classes: type):
    """Class decorator: the decorated :class:`ModelOracle` serves models of ``model_classes`` (and their
    subclasses, unless a more specific class has its own oracle)."""
    def deco(cls):
        if not (isinstance(cls, type) and issubclass(cls, ModelOracle)):
            raise SymschedError(f"register_oracle: {cls!r} is not a ModelOracle subclass")
        for mc in model_classes:
            ORACLES[mc] = cls
        return cls
    return deco


def oracle_for(model: DiscreteModel, joint_limit: float = JOINT_TABLE_LIMIT) -> ModelOracle:
    """The oracle of ``model``: its joint table when it has at most ``joint_limit`` entries, else the oracle
    registered for the most specific class of its MRO.  Unknown families beyond the joint table raise
    :class:`~symsched.errors.ModelTooLargeError` with the table's size and the way forward."""
    if not isinstance(model, DiscreteModel):
        raise SymschedError(f"oracle_for: expected a symsched model, got {type(model).__name__}")
    if model.free_symbols:
        raise SymschedError(f"oracle_for: the model has free symbols {sorted(map(str, model.free_symbols))}; "
                            "substitute values first (model.subs)")
    from_table = ORACLES.get("joint")
    if from_table is not None and model.joint_size() <= joint_limit:
        return from_table(model)
    for klass in type(model).__mro__:
        if klass in ORACLES:
            return ORACLES[klass](model)
    names = sorted({c.__name__ for c in ORACLES if isinstance(c, type)})
    raise ModelTooLargeError(
        f"exact sampling and conditionals of {type(model).__name__} (N={model.N}) need its joint table "
        f"({model.joint_size():.3g} entries); oracles beyond it exist for {', '.join(names)}",
        model.joint_size(), joint_limit, "reduce the model, or express it as one of those families")


class ModelOracle:
    """Exact draws, marginals and conditionals of one model, vectorised over rows (module docstring).

    Attributes
    ----------
    model : DiscreteModel
    n : int
        Number of positions ``N``.
    cards : tuple of int
        Cardinality of every position.
    V : int
        The largest cardinality (the last axis of :meth:`conditionals`).
    family : str
        A short name of the family (``"joint"``, ``"bayesian"``, ``"hmm"``, ...).
    """

    family = "abstract"

    def __init__(self, model: DiscreteModel):
        self.model = model
        self.n = model.N
        self.cards = tuple(int(c) for c in model.cardinalities)
        self.V = max(self.cards)
        self._card_row, self._least_card = np.asarray(self.cards), min(self.cards)

    # -- public protocol (checks here, work in the hooks) ---------------------------------------------
    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` independent draws ``x ~ p``: int64 array of shape ``(size, N)``."""
        if not isinstance(rng, np.random.Generator):
            raise SymschedError(f"{type(self).__name__}.sample: rng must be a numpy Generator, got "
                                f"{type(rng).__name__}")
        if isinstance(size, (bool, np.bool_)) or not isinstance(size, (int, np.integer)) or size < 0:
            raise SymschedError(f"{type(self).__name__}.sample: size must be a non-negative int, got {size!r}")
        return self._sample(rng, int(size))

    def log_marginal(self, subset: Sequence[int], x: np.ndarray) -> np.ndarray:
        """``log p(x_A)`` for every row of ``x`` (shape ``(B, N)``; only the columns of ``A`` are read)."""
        subset = self._subset(subset)
        x = self._rows(x)
        if not subset:
            return np.zeros(x.shape[0])
        return self._log_marginal(subset, x)

    def conditionals(self, x: np.ndarray, revealed: Any = None) -> np.ndarray:
        """``p(X_i = v | x_R)`` for every row, position and state: shape ``(B, N, V)``.

        ``revealed`` is a set of positions shared by all rows, a boolean mask of shape ``(B, N)``, or None:
        then the entries ``x < 0`` are the masked ones (the denoiser convention).  Rows whose revealed
        values have probability 0 get NaN conditionals (they are undefined).
        """
        if revealed is None:
            x = self._rows(x, allow_masked=True)
            mask = x >= 0
            x = np.where(mask, x, 0)
        elif isinstance(revealed, np.ndarray) and revealed.dtype == bool:
            x = self._rows(x)
            if revealed.shape != x.shape:
                raise SymschedError(f"conditionals: revealed mask has shape {revealed.shape}, rows {x.shape}")
            mask = revealed
        else:
            x = self._rows(x)
            T = self._subset(revealed)
            mask = np.zeros(x.shape, dtype=bool)
            mask[:, list(T)] = True
        out = self._conditionals_masked(x, mask)
        # a revealed position is known: its conditional is the point mass on its value
        rows, cols = np.nonzero(mask)
        out[rows, cols, :] = 0.0
        out[rows, cols, x[rows, cols]] = 1.0
        return out

    def conditional_log_probs(self, T: Sequence[int], x: np.ndarray) -> np.ndarray:
        """``log p(x_i | x_T)`` at the row's own ``x_i``, for every ``i`` outside ``T`` (columns in increasing
        ``i``): shape ``(B, N - |T|)``."""
        T = self._subset(T)
        x = self._rows(x)
        if len(T) == self.n:
            return np.zeros((x.shape[0], 0))
        return self._log_conditionals_at(T, x)

    def conditional_entropies(self, x: np.ndarray, revealed: Any = None) -> np.ndarray:
        """``H(p(X_i | x_R))`` in nats for every row and position (0 at revealed positions): ``(B, N)``."""
        p = self.conditionals(x, revealed)
        with np.errstate(divide="ignore", invalid="ignore"):
            return -np.where(p > 0, p * np.log(p), 0.0).sum(axis=-1)

    @property
    def kind(self) -> str:
        """The family's short name as the Monte Carlo routes print it (``"bn"`` for a Bayesian network)."""
        return {"bayesian": "bn"}.get(self.family, self.family)

    def cost(self, rows: int, revealed: int) -> float:
        """Estimated operations (about a nanosecond each, Python overhead included) of
        :meth:`conditional_log_probs` for ``rows`` rows with ``revealed`` positions revealed."""
        return (self.n - revealed) * self.V * (1e4 + rows * self.n)

    # -- optional exact pieces (None: not cheap for this family) ---------------------------------------
    def marginal_table(self, subset: Sequence[int]) -> np.ndarray | None:
        """The exact marginal table of ``subset`` (sorted positions) when this family has it cheaply."""
        return None

    def markov_blanket(self, i: int) -> tuple | None:
        """Positions of the Markov blanket of ``i`` when the family knows it (else None)."""
        return None

    def exact_entropy(self) -> float | None:
        """The exact joint entropy ``H(X)`` in nats when it is cheap for this family (else None)."""
        return None

    # -- hooks ----------------------------------------------------------------------------------------
    def _sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        raise NotImplementedError  # pragma: no cover - every registered family implements it

    def _log_marginal(self, subset: tuple, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError  # pragma: no cover

    def _log_conditionals_at(self, T: tuple, x: np.ndarray) -> np.ndarray:
        """``log p(x_i | x_T)`` at the rows' values for ``i`` outside ``T``; default from :meth:`conditionals`."""
        outside = [i for i in range(self.n) if i not in set(T)]
        probs = self.conditionals(x, T)[:, outside, :]
        q = np.take_along_axis(probs, x[:, outside][:, :, None], axis=-1)[:, :, 0]
        with np.errstate(divide="ignore"):
            return np.log(q)

    def log_conditionals_by_marginals(self, T: tuple, x: np.ndarray) -> np.ndarray:
        """``log p(x_{T+i}) - log p(x_T)`` for every ``i`` outside ``T``: one marginal per position, no
        queried axis (cheaper than full conditionals where a marginal is one contraction)."""
        base = self._log_marginal(T, x) if T else np.zeros(x.shape[0])
        Ts = set(T)
        return np.stack([self._log_marginal(tuple(sorted(Ts | {i})), x) - base
                         for i in range(self.n) if i not in Ts], axis=1)

    def _conditionals_given(self, T: tuple, x: np.ndarray) -> np.ndarray:
        """Conditionals of every position given the positions ``T`` (shared by all rows): ``(B, N, V)``.
        The default takes ratios of marginals: ``p(x_T, X_i = v) / p(x_T)``, one marginal per (i, v)."""
        out = np.zeros((x.shape[0], self.n, self.V))
        base = self._log_marginal(T, x) if T else np.zeros(x.shape[0])
        for i, v, logm in self._log_marginals_each_value(T, x):
            with np.errstate(invalid="ignore"):
                out[:, i, v] = np.exp(logm - base)
        return normalise_last(out)

    def _log_marginals_each_value(self, T: tuple, x: np.ndarray):
        """``(i, v, log p(x_T, X_i = v))`` for every position ``i`` outside ``T`` and each of its values: one
        marginal each (the rows' values at ``i`` replaced by ``v``)."""
        Ts = set(T)
        for i in range(self.n):
            if i in Ts:
                continue
            sub = tuple(sorted(Ts | {i}))
            xi = x.copy()
            for v in range(self.cards[i]):
                xi[:, i] = v
                yield i, v, self._log_marginal(sub, xi)

    def _conditionals_masked(self, x: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Rows grouped by revealed pattern, one :meth:`_conditionals_given` per pattern."""
        out = np.empty((x.shape[0], self.n, self.V))
        patterns, inverse = np.unique(mask, axis=0, return_inverse=True)
        inverse = np.asarray(inverse).ravel()
        for p, pattern in enumerate(patterns):
            rows = np.flatnonzero(inverse == p)
            out[rows] = self._conditionals_given(tuple(np.flatnonzero(pattern).tolist()), x[rows])
        return out

    # -- shared checks --------------------------------------------------------------------------------
    def _subset(self, subset: Any) -> tuple:
        try:
            s = tuple(sorted({int(k) for k in subset}))
        except (TypeError, ValueError):
            raise SymschedError(f"expected a set of positions 0..{self.n - 1}, got {subset!r:.60}") from None
        if s and (s[0] < 0 or s[-1] >= self.n):
            raise SymschedError(f"positions must lie in 0..{self.n - 1}, got {list(s)!r:.60}")
        return s

    def _rows(self, x: Any, allow_masked: bool = False) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != self.n or x.dtype.kind not in "iu":
            raise SymschedError(f"expected an integer array of shape (B, {self.n}), got "
                                f"{x.dtype} array of shape {x.shape}")
        x = x.astype(np.int64, copy=False)
        low = -1 if allow_masked else 0
        # min and max first: the per-position comparison only when some value reaches the smallest cardinality
        if x.size and (x.min() < low or (x.max() >= self._least_card and (x >= self._card_row).any())):
            raise SymschedError(f"state indices must lie in {low}..card-1 for every position")
        return x

    def __repr__(self) -> str:
        return f"{type(self).__name__}({type(self.model).__name__}, N={self.n})"


def normalise_last(p: np.ndarray) -> np.ndarray:
    """Rows along the last axis divided by their sums (NaN where a sum is 0: undefined conditionals)."""
    s = p.sum(axis=-1, keepdims=True)
    return np.where(s > 0, p / np.where(s > 0, s, 1.0), np.nan)
