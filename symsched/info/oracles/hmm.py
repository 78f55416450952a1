"""The oracles of hidden Markov models and first-order Markov chains: forward filtering, backward passes.

A hidden Markov model is sampled along its hidden chain; ``log p(x_A)`` is one scaled forward pass (an
unobserved emission sums to one); every conditional ``p(X_i | x_R)`` of every row comes from one
forward-backward pass with evidence at the row's own revealed positions — rows with different revealed
sets share the pass (the evidence is a per-row mask), so a batch costs ``O(N)`` matrix products whatever
its patterns.  A first-order :class:`~symsched.MarkovChain` is the case of identity emissions.
"""

from __future__ import annotations

import numpy as np

from ...models.chains import HiddenMarkovModel, MarkovChain
from .base import ModelOracle, categorical, normalise_last, register_oracle

__all__ = ["HiddenMarkovOracle", "MarkovChainOracle"]


def _normalised_rows(a: np.ndarray) -> np.ndarray:
    """``a`` with rows summing to one, in place (every caller passes a fresh product); zero rows stay."""
    s = a.sum(axis=1, keepdims=True)
    return np.divide(a, s, out=a, where=s > 0)


@register_oracle(HiddenMarkovModel)
class HiddenMarkovOracle(ModelOracle):
    """Exact draws, marginals and conditionals of a :class:`~symsched.HiddenMarkovModel` of any length."""

    family = "hmm"

    def __init__(self, model):
        super().__init__(model)
        self._setup(np.asarray(model.initial_distribution, dtype=float),
                    [np.asarray(t, dtype=float) for t in model.transition_matrices],
                    [np.asarray(e, dtype=float) for e in model.emission_matrices])

    def _setup(self, initial, trans, emis) -> None:
        self.initial, self.trans, self.emis = initial, trans, emis
        self.states = [len(initial)] + [t.shape[1] for t in trans]

    def cost(self, rows, revealed):
        S = max(self.states)
        return self.n * (2e4 + 4.0 * rows * S * (S + self.V))

    def _sample(self, rng, size):
        x = np.zeros((size, self.n), dtype=np.int64)
        u = rng.random((2, self.n, size))
        z = categorical(u[0, 0], np.broadcast_to(self.initial, (size, len(self.initial))))
        for t in range(self.n):
            if t > 0:
                z = categorical(u[0, t], self.trans[t - 1][z])
            x[:, t] = categorical(u[1, t], self.emis[t][z])
        return x

    def _log_marginal(self, subset, x):
        B = x.shape[0]
        alpha = np.broadcast_to(self.initial, (B, len(self.initial))).copy()
        logp = np.zeros(B)
        observed = set(subset)
        for t in range(subset[-1] + 1):
            if t > 0:
                alpha = alpha @ self.trans[t - 1]
            if t in observed:
                alpha = alpha * self.emis[t][:, x[:, t]].T
                s = alpha.sum(axis=1)
                with np.errstate(divide="ignore"):
                    logp += np.log(s)
                alpha = alpha / np.where(s > 0, s, 1.0)[:, None]
        return logp

    def _conditionals_given(self, T, x):
        mask = np.zeros(x.shape, dtype=bool)
        mask[:, list(T)] = True
        return self._conditionals_masked(x, mask)

    def _log_conditionals_at(self, T, x):
        """``log p(x_i | x_T)`` at the rows' values for ``i`` outside ``T``: the evidence set is shared by the
        rows, so the passes need no per-row mask and only the ``N - |T|`` values wanted are formed (the
        general masked pass builds every ``(B, N, V)`` conditional: twice as slow on a 256-token batch)."""
        B, S = x.shape[0], len(self.initial)
        observed = np.zeros(self.n, dtype=bool)
        observed[list(T)] = True
        outside = np.flatnonzero(~observed)
        col = np.full(self.n, -1)
        col[outside] = np.arange(len(outside))
        fwd = np.empty((self.n, B, S))  # fwd[t] ∝ p(z_t, x_{T ∩ [0, t)})
        a = np.broadcast_to(self.initial, (B, S)).copy()
        for t in range(self.n):
            if t > 0:
                a = _normalised_rows(a @ self.trans[t - 1])
            fwd[t] = a
            if observed[t]:
                a = a * self.emis[t][:, x[:, t]].T
        out = np.empty((B, len(outside)))
        bwd = np.ones((B, self.states[-1]))  # ∝ p(x_{T ∩ (t, N)} | z_t)
        with np.errstate(divide="ignore", invalid="ignore"):  # evidence of probability 0: NaN, as conditionals
            for t in range(self.n - 1, -1, -1):
                if not observed[t]:
                    post = fwd[t] * bwd
                    s = post.sum(axis=1)
                    q = np.einsum("bs,sb->b", post, self.emis[t][:, x[:, t]])
                    out[:, col[t]] = np.log(np.where(s > 0, q / np.where(s > 0, s, 1.0), np.nan))
                if t > 0:
                    b = bwd * self.emis[t][:, x[:, t]].T if observed[t] else bwd
                    bwd = _normalised_rows(b @ self.trans[t - 1].T)
        return out

    def _conditionals_masked(self, x, mask):
        """One forward and one backward pass over the batch, the evidence at each row's revealed positions
        (every message renormalised per row, which changes no posterior)."""
        B = x.shape[0]
        fwd = []  # fwd[t] ∝ p(z_t, x_{R ∩ [0, t)})
        a = np.broadcast_to(self.initial, (B, len(self.initial))).copy()
        for t in range(self.n):
            if t > 0:
                a = _normalised_rows(a @ self.trans[t - 1])
            fwd.append(a)
            if mask[:, t].any():
                a = np.where(mask[:, t][:, None], a * self.emis[t][:, x[:, t]].T, a)
        out = np.zeros((B, self.n, self.V))
        bwd = np.ones((B, self.states[-1]))  # ∝ p(x_{R ∩ (t, N)} | z_t)
        for t in range(self.n - 1, -1, -1):
            post = fwd[t] * bwd
            s = post.sum(axis=1, keepdims=True)
            with np.errstate(invalid="ignore"):
                post = np.where(s > 0, post / np.where(s > 0, s, 1.0), np.nan)
            out[:, t, :self.cards[t]] = post @ self.emis[t]
            if t > 0:
                b = np.where(mask[:, t][:, None], bwd * self.emis[t][:, x[:, t]].T, bwd) if mask[:, t].any() \
                    else bwd
                bwd = _normalised_rows(b @ self.trans[t - 1].T)
        return normalise_last(out)


@register_oracle(MarkovChain)
class MarkovChainOracle(HiddenMarkovOracle):
    """A first-order :class:`~symsched.MarkovChain`: the hidden Markov model whose emissions are the identity
    (ancestral sampling as for any Bayesian network)."""

    family = "chain"

    def __init__(self, model):
        ModelOracle.__init__(self, model)
        trans = [np.asarray(t, dtype=float) for t in model.transition_matrices]
        self._setup(np.asarray(model.initial_distribution, dtype=float), trans,
                    [np.eye(c) for c in self.cards])

    def _sample(self, rng, size):
        x = np.zeros((size, self.n), dtype=np.int64)
        u = rng.random((self.n, size))
        x[:, 0] = categorical(u[0], np.broadcast_to(self.initial, (size, len(self.initial))))
        for t in range(1, self.n):
            x[:, t] = categorical(u[t], self.trans[t - 1][x[:, t - 1]])
        return x
