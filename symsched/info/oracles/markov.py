"""The oracle of a Markov random field: variable elimination in the log domain, backward sampling.

The factors are rescaled to maximum 1 and one greedy elimination order is fixed per model; ``log Z`` is
computed once, and the elimination steps are kept: drawing ``x`` walks them backwards (each variable's
conditional given the variables eliminated after it is the product of the factors merged when it was summed
out).  ``log p(x_A) = log Z(x_A) - log Z`` fixes ``A``'s axes to the rows' values.  A field whose
elimination width exceeds :data:`MRF_ELIMINATION_BUDGET` entries is refused here (the Gibbs route of
:func:`symsched.info.estimators.gibbs.gibbs_profile` handles it).
"""

from __future__ import annotations

import numpy as np

from ...errors import ModelTooLargeError
from ...models.markov import MarkovRandomField
from .base import ModelOracle, categorical, normalise_last, register_oracle
from .contraction import BATCH, log_eliminate, mrf_plan

__all__ = ["MarkovRandomFieldOracle", "MRF_ELIMINATION_BUDGET", "mrf_elimination_width"]

#: Largest intermediate factor (entries, per row) that variable elimination on a Markov random field may build.
MRF_ELIMINATION_BUDGET = 2 ** 16


def mrf_elimination_width(model: MarkovRandomField) -> int:
    """The largest intermediate factor (entries) of variable elimination along the greedy order used here."""
    return mrf_plan(model)[4]


@register_oracle(MarkovRandomField)
class MarkovRandomFieldOracle(ModelOracle):
    """Exact draws, marginals and conditionals of a :class:`~symsched.MarkovRandomField` within the
    elimination budget."""

    family = "mrf"

    def __init__(self, model: MarkovRandomField, budget: float | None = None):
        super().__init__(model)
        factors, log_top, self.rank, self.elim_order, width = mrf_plan(model)
        self.factors = factors
        self.elimination_entries = width
        limit = MRF_ELIMINATION_BUDGET if budget is None else budget
        if width > limit:
            raise ModelTooLargeError(
                f"variable elimination on this Markov random field (N={self.n}; largest intermediate factor "
                "along a greedy order)", width, limit,
                "reduce the model (its treewidth), or estimate its profile by Gibbs sampling "
                "(symsched.info.gibbs.gibbs_profile)")
        self._steps: list = []
        # log of the rescaled factors' partition function; log Z of the model adds the scales back
        self._log_z_scaled = float(log_eliminate(list(factors), self.elim_order, None, 1, self._steps)[0])
        self.log_z = self._log_z_scaled + log_top

    def cost(self, rows, revealed):
        # one elimination of up to N Python-level steps per marginal (about 8 us each, whatever the rows)
        return (self.n - revealed + 1) * self.n * (8e3 + rows * self.elimination_entries)

    def _log_conditionals_at(self, T, x):
        return self.log_conditionals_by_marginals(T, x)

    def _sample(self, rng, size):
        x = np.zeros((size, self.n), dtype=np.int64)
        u = rng.random((self.n, size))
        for v, group in reversed(self._steps):
            probs = np.ones((size, self.cards[v]))
            for arr, ls in group:
                others = [w for w in ls if w != v]
                probs = probs * np.moveaxis(arr, ls.index(v), -1)[tuple(x[:, w] for w in others)]
            x[:, v] = categorical(u[v], probs)
        return x

    def _log_marginal(self, subset, x):
        observed = set(subset)
        work = []
        for arr, ls in self.factors:
            obs = [a for a, u in enumerate(ls) if u in observed]
            free = [a for a, u in enumerate(ls) if u not in observed]
            if obs:
                work.append((np.transpose(arr, obs + free)[tuple(x[:, ls[a]] for a in obs)],
                             [BATCH] + [ls[a] for a in free]))
            else:
                work.append((arr, ls))
        order = [v for v in self.elim_order if v not in observed]
        return log_eliminate(work, order, BATCH, x.shape[0]) - self._log_z_scaled

    def _conditionals_given(self, T, x):
        # p(x_T, X_i = v) for every value v: one elimination each, in the log domain (no underflow on
        # large fields), then normalised per row
        out = np.full((x.shape[0], self.n, self.V), -np.inf)
        for i, v, logm in self._log_marginals_each_value(T, x):
            out[:, i, v] = logm
        top = out.max(axis=-1, keepdims=True)
        with np.errstate(invalid="ignore"):
            return normalise_last(np.exp(out - np.where(np.isfinite(top), top, 0.0)))
