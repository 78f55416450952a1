"""Exact draws and batched conditionals for the Monte Carlo route (joint tables, chains, HMMs, networks)."""

from __future__ import annotations

import math

import numpy as np

from ...info.montecarlo import JOINT_TABLE_LIMIT, _Oracle
from ...models.chains import HiddenMarkovModel, MarkovChain

__all__ = ["policy_oracle"]

#: Joint tables up to this many entries give the conditionals of a batch directly.
JOINT_LIMIT = 2 ** 14


def _categorical(u, probs):
    cum = np.cumsum(probs, axis=1)
    return np.minimum((u[:, None] > cum).sum(axis=1), probs.shape[1] - 1)


class _JointOracle:
    family = "joint"

    def __init__(self, model):
        self.joint = np.asarray(model.joint("float"), float)
        self.cards, self.n, self.V = tuple(self.joint.shape), self.joint.ndim, max(self.joint.shape)
        self.configs = np.stack(np.unravel_index(np.arange(self.joint.size), self.joint.shape), axis=1)
        self.flat = self.joint.ravel()
        self.cost_per_call = float(self.joint.size * self.n)

    def sample(self, rng, size):
        flat = rng.choice(self.flat.size, size=size, p=self.flat / self.flat.sum())
        return self.configs[flat].copy()

    def conditionals(self, x, mask):
        match = ((self.configs[None, :, :] == x[:, None, :]) | ~mask[:, None, :]).all(axis=2)
        w = match * self.flat[None, :]
        out = np.zeros((x.shape[0], self.n, self.V))
        for i in range(self.n):
            for v in range(self.cards[i]):
                out[:, i, v] = w[:, self.configs[:, i] == v].sum(axis=1)
        s = out.sum(axis=2, keepdims=True)
        return out / np.where(s > 0, s, 1.0)


class _HMMOracle:
    family = "hmm"

    def __init__(self, model, chain: bool):
        self.cards, self.n = tuple(int(c) for c in model.cardinalities), model.N
        self.V = max(self.cards)
        self.initial = np.asarray(model.initial_distribution, float)
        self.trans = [np.asarray(t, float) for t in model.transition_matrices]
        self.emis = [np.eye(c) for c in self.cards] if chain else [np.asarray(e, float)
                                                                    for e in model.emission_matrices]
        self.family = "chain" if chain else "hmm"

    def sample(self, rng, size):
        x = np.zeros((size, self.n), dtype=np.int64)
        u = rng.random((2, self.n, size))
        z = _categorical(u[0, 0], np.broadcast_to(self.initial, (size, len(self.initial))))
        for t in range(self.n):
            if t > 0:
                z = _categorical(u[0, t], self.trans[t - 1][z])
            x[:, t] = _categorical(u[1, t], self.emis[t][z])
        return x


class _LogMarginalOracle:
    """Any model the profile route samples (Bayesian networks, fields): conditionals by ratios of marginals."""

    family = "generic"

    def __init__(self, model):
        self.o = _Oracle(model, np.random.default_rng(0))
        self.cards, self.n = tuple(int(c) for c in model.cardinalities), model.N
        self.V = max(self.cards)
        self.cost_per_call = float(self.n * self.V * 50 * self.n)

    def sample(self, rng, size):
        self.o.rng = rng
        return self.o.sample(size)

    def conditionals(self, x, mask):
        out = np.zeros((x.shape[0], self.n, self.V))
        for b in range(x.shape[0]):
            R = tuple(np.flatnonzero(mask[b]).tolist())
            base = self.o.log_marginal(R, tuple(int(x[b, a]) for a in R)) if R else 0.0
            for i in range(self.n):
                if mask[b, i]:
                    out[b, i, x[b, i]] = 1.0
                    continue
                sub = tuple(sorted(R + (i,)))
                for v in range(self.cards[i]):
                    vals = tuple(v if a == i else int(x[b, a]) for a in sub)
                    lp = self.o.log_marginal(sub, vals)
                    out[b, i, v] = math.exp(lp - base) if lp > -math.inf else 0.0
        s = out.sum(axis=2, keepdims=True)
        return out / np.where(s > 0, s, 1.0)


def policy_oracle(model):
    if isinstance(model, MarkovChain):
        return _HMMOracle(model, True)
    if isinstance(model, HiddenMarkovModel):
        return _HMMOracle(model, False)
    if model.joint_size() <= JOINT_LIMIT:
        return _JointOracle(model)
    _ = JOINT_TABLE_LIMIT
    return _LogMarginalOracle(model)
