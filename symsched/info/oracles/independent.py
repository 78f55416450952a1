"""The oracle of independent tokens (:func:`symsched.independent`): the worked example of
CONTRIBUTING.md, "Adding a model family".

A product law ``p(x) = Π_i p_i(x_i)`` reveals nothing about one token from the others: every conditional is
the token's own marginal, ``log p(x_A) = Σ_{i∈A} log p_i(x_i)``, and draws are independent per position.
"""

from __future__ import annotations

import numpy as np

from ...values import to_float
from ...models.families import IIDModel, ProductModel
from .base import ModelOracle, categorical, register_oracle

__all__ = ["IndependentOracle"]


@register_oracle(ProductModel, IIDModel)
class IndependentOracle(ModelOracle):
    """Exact draws, marginals and conditionals of a product of independent tokens of any length."""

    family = "independent"

    def __init__(self, model: ProductModel):
        super().__init__(model)
        # one padded table of the marginals: row i holds p_i over the states of X_i (zeros beyond)
        self.table = np.zeros((self.n, self.V))
        for i, m in enumerate(model.marginals):
            self.table[i, :len(m)] = [to_float(v, "marginal") for v in m]
        with np.errstate(divide="ignore"):
            self.log_table = np.log(self.table)

    def cost(self, rows, revealed):
        return 1e3 + rows * self.n * self.V

    def _sample(self, rng, size):
        u = rng.random((self.n, size))
        return np.stack([categorical(u[i], np.broadcast_to(self.table[i], (size, self.V)))
                         for i in range(self.n)], axis=1).astype(np.int64)

    def _log_marginal(self, subset, x):
        cols = list(subset)
        return self.log_table[cols, x[:, cols]].sum(axis=1)

    def _conditionals_masked(self, x, mask):
        return np.broadcast_to(self.table, (x.shape[0], self.n, self.V)).copy()

    def _conditionals_given(self, T, x):
        return self._conditionals_masked(x, None)

    def exact_entropy(self):
        p = self.table[self.table > 0]
        return float(-(p * np.log(p)).sum())
