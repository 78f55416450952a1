"""The oracle of an exchangeable family (copy, parity, Beta-Bernoulli, product mixtures, ...).

The law of an exchangeable sequence given revealed tokens depends only on their symbol counts: every masked
position has the same conditional, the family's predictive ``P(next = s | counts)``
(:meth:`~symsched.models.families.ExchangeableModel.float_predictive`).  Draws are sequential predictive
draws, and ``log p(x_A)`` is the chain rule of predictives along ``A``.
"""

from __future__ import annotations

import numpy as np

from ...arithmetic import arithmetic
from ...models.families import ExchangeableModel
from .base import ModelOracle, categorical, normalise_last, register_oracle

__all__ = ["ExchangeableOracle"]


@register_oracle(ExchangeableModel)
class ExchangeableOracle(ModelOracle):
    """Exact draws, marginals and conditionals of an exchangeable model of any length."""

    family = "exchangeable"

    def __init__(self, model: ExchangeableModel):
        super().__init__(model)
        self.q = int(model.q)

    def cost(self, rows, revealed):
        return 1e4 + rows * (self.n * self.q + self.q * len(getattr(self.model, "weights", ())))

    def _predictive(self, counts: np.ndarray) -> np.ndarray:
        """Predictive rows for count rows of possibly different totals (grouped by total)."""
        out = np.empty(counts.shape, dtype=float)
        totals = counts.sum(axis=1)
        for t in np.unique(totals):
            rows = np.flatnonzero(totals == t)
            out[rows] = self.model.float_predictive(counts[rows])
        return out

    def _sample(self, rng, size):
        x = np.zeros((size, self.n), dtype=np.int64)
        counts = np.zeros((size, self.q), dtype=np.int64)
        u = rng.random((self.n, size))
        for t in range(self.n):
            x[:, t] = categorical(u[t], self.model.float_predictive(counts))
            counts[np.arange(size), x[:, t]] += 1
        return x

    def _log_marginal(self, subset, x):
        B = x.shape[0]
        counts = np.zeros((B, self.q), dtype=np.int64)
        logp = np.zeros(B)
        for a in subset:
            p = self.model.float_predictive(counts)[np.arange(B), x[:, a]]
            with np.errstate(divide="ignore"):
                logp += np.log(p)
            counts[np.arange(B), x[:, a]] += 1
        return logp

    def _conditionals_masked(self, x, mask):
        B = x.shape[0]
        counts = np.zeros((B, self.q), dtype=np.int64)
        for s in range(self.q):
            counts[:, s] = ((x == s) & mask).sum(axis=1)
        pred = self._predictive(counts)
        pred[~self._possible(counts)] = np.nan
        out = np.zeros((B, self.n, self.V))
        out[:, :, :self.q] = pred[:, None, :]
        return normalise_last(out)

    def _possible(self, counts: np.ndarray) -> np.ndarray:
        """Whether revealed tokens with these symbol counts have positive probability (a float 0 is confirmed
        by the chain rule of predictives, which does not underflow)."""
        ok = np.ones(len(counts), dtype=bool)
        uniq, inv = np.unique(counts, axis=0, return_inverse=True)
        ar = arithmetic("float")
        for u, c in enumerate(uniq):
            if float(self.model.sequence_probability(tuple(int(v) for v in c), ar)) > 0:
                continue
            run = np.zeros((1, self.q), dtype=np.int64)
            for s in range(self.q):
                for _ in range(int(c[s])):
                    if not self.model.float_predictive(run)[0, s] > 0:
                        ok[np.asarray(inv).ravel() == u] = False
                        break
                    run[0, s] += 1
                else:
                    continue
                break
        return ok

    def _conditionals_given(self, T, x):
        mask = np.zeros(x.shape, dtype=bool)
        mask[:, list(T)] = True
        return self._conditionals_masked(x, mask)
