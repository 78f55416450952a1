"""The oracle of any model through its joint table (used whenever the table is small)."""

from __future__ import annotations

import numpy as np

from ...models.base import DiscreteModel
from .base import ORACLES, ModelOracle, normalise_last

__all__ = ["JointOracle"]

#: Marginal tables of a joint kept for reuse.
_CACHE = 4096


class JointOracle(ModelOracle):
    """Draws by the inverse cdf of the flattened table; marginals and conditionals by cached sums."""

    family = "joint"

    def __init__(self, model: DiscreteModel):
        super().__init__(model)
        self.joint = np.asarray(model.joint("float"), dtype=float)
        self._flat_cdf = np.cumsum(self.joint.ravel())
        self._tables: dict = {}

    def table(self, subset: tuple) -> np.ndarray:
        """The marginal table of ``subset`` (sorted), cached."""
        t = self._tables.get(subset)
        if t is None:
            drop = tuple(k for k in range(self.n) if k not in subset)
            t = self.joint.sum(axis=drop) if drop else self.joint
            if len(self._tables) < _CACHE:
                self._tables[subset] = t
        return t

    def _sample(self, rng, size):
        u = rng.random(size) * self._flat_cdf[-1]
        flat = np.minimum(np.searchsorted(self._flat_cdf, u, side="right"), self.joint.size - 1)
        return np.stack(np.unravel_index(flat, self.joint.shape), axis=1).astype(np.int64)

    def _log_marginal(self, subset, x):
        p = self.table(subset)[tuple(x[:, k] for k in subset)]
        with np.errstate(divide="ignore"):
            return np.log(p)

    def _conditionals_given(self, T, x):
        out = np.zeros((x.shape[0], self.n, self.V))
        Ts = set(T)
        for i in range(self.n):
            if i in Ts:
                continue
            sub = tuple(sorted(Ts | {i}))
            t = np.moveaxis(self.table(sub), sub.index(i), -1)
            out[:, i, :self.cards[i]] = t[tuple(x[:, k] for k in T)] if T else t
        return normalise_last(out)

    def marginal_table(self, subset):
        return self.table(tuple(sorted(subset)))

    def exact_entropy(self):
        p = self.joint.ravel()
        p = p[p > 0]
        return float(-(p * np.log(p)).sum())

    def _log_conditionals_at(self, T, x):
        # log p(x_{T+i}) - log p(x_T) as the generic ratio of marginals, with one log for every i: the
        # Monte Carlo profile calls this once per small batch, where a log (and its errstate) per i showed
        Ts = set(T)
        probs = []
        for i in range(self.n):
            if i not in Ts:
                sub = tuple(sorted(Ts | {i}))
                probs.append(self.table(sub)[tuple(x[:, k] for k in sub)])
        with np.errstate(divide="ignore"):
            logs = np.log(np.stack(probs, axis=1))
            return logs - np.log(self.table(T)[tuple(x[:, k] for k in T)])[:, None] if T else logs

    def cost(self, rows, revealed):
        return (self.n - revealed) * (1e4 + 4.0 * rows)


ORACLES["joint"] = JointOracle
