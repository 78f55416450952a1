"""Policy paths vectorised over a batch: exact draws, exact conditionals, the steps' conditional TCs.

Along a path ``x ~ p`` the policy reveals ``x``'s own values, so the tokens revealed at a step are an
exact draw of ``X_A`` from ``p(· | x_R)``.  The step's term of Wen–Liang–Lu's identity is

    TC(X_A | x_R) = Σ_{a ∈ A} H(X_a | x_R) − H(X_A | x_R),

with ``H(X_A | x_R) = Σ_j H(X_{a_j} | x_R, X_{a_1..a_{j−1}})`` (the chain rule in increasing position).
The path's own values ``x_{a_1..a_{j−1}}`` are a draw from ``p(· | x_R)``, so replacing each conditional
entropy given ``X_{a<j}`` by the exact entropy given ``x_{a<j}`` keeps the estimate unbiased while only
the dependence among the step's own tokens is sampled (far less noise than ``log p(x_A | x_R)``).
Hidden Markov models and Markov chains get every piece from one forward-backward pass and one more
forward pass per step (:class:`HMMPass`); other families call their oracle's conditionals once per
revealed token (:class:`GenericPass`).
"""

from __future__ import annotations

import numpy as np

from ...errors import SymschedError
from . import hmm_kernels
from .base import Policy, choose_top, top_counts
from .exact import custom_choice

__all__ = ["HMMPass", "GenericPass", "run_paths", "step_pass"]


def _entropy(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0).sum(axis=-1)


def _norm(a: np.ndarray) -> np.ndarray:
    s = a.sum(axis=1, keepdims=True)
    return a / np.where(s > 0, s, 1.0)


class HMMPass:
    """Forward-backward on a hidden Markov model (a Markov chain: identity emissions), per-row evidence.

    The loops over positions do one small matrix product and one product with the evidence likelihoods
    per position (messages rescaled every :data:`RESCALE` positions); everything else is vectorised over
    positions and rows at once.
    """

    RESCALE = 8

    #: Sequences at least this long use the numba kernels when numba is installed (shorter ones do not pay
    #: for compiling them).
    NUMBA_FROM = 64

    def __init__(self, initial, trans, emis, cards, use_numba: bool | None = None):
        self.use_numba = len(cards) >= self.NUMBA_FROM if use_numba is None else use_numba
        self.cards, self.n, self.V = tuple(cards), len(cards), max(cards)
        states = [len(initial)] + [np.asarray(t).shape[1] for t in trans]
        S = self.S = max(states)
        self.initial = np.zeros(S)
        self.initial[:len(initial)] = np.asarray(initial, float)
        self.trans = np.zeros((max(self.n - 1, 0), S, S))
        for t, m in enumerate(trans):
            m = np.asarray(m, float)
            self.trans[t, :m.shape[0], :m.shape[1]] = m
        self.emis = np.zeros((self.n, S, self.V))
        for t, e in enumerate(emis):
            e = np.asarray(e, float)
            self.emis[t, :e.shape[0], :e.shape[1]] = e
        self._bwd: np.ndarray | None = None

    def ops_per_step(self) -> float:
        return 3.0 * self.n * (self.S * self.S + self.S * self.V)

    def _likelihoods(self, x: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """``(N, B, S)``: ``p(x_t | z_t)`` at the rows' evidence, 1 elsewhere."""
        lik = self.emis[np.arange(self.n)[None, :], :, x]             # (B, N, S)
        return np.where(mask[:, :, None], lik, 1.0).transpose(1, 0, 2)

    def _forward(self, lik: np.ndarray) -> np.ndarray:
        """Predictive messages ``∝ p(z_t, evidence before t)``: ``(N, B, S)``."""
        N, B, S = lik.shape
        fwd = np.empty((N, B, S))
        a = np.broadcast_to(self.initial, (B, S)).copy()
        for t in range(N):
            if t > 0:
                a = a @ self.trans[t - 1]
                if t % self.RESCALE == 0:
                    a /= np.maximum(a.max(axis=1, keepdims=True), 1e-300)
            fwd[t] = a
            a = a * lik[t]
        return fwd

    def _backward(self, lik: np.ndarray) -> np.ndarray:
        """``∝ p(evidence after t | z_t)``: ``(N, B, S)``."""
        N, B, S = lik.shape
        bwd = np.empty((N, B, S))
        b = np.ones((B, S))
        for t in range(N - 1, -1, -1):
            bwd[t] = b
            if t > 0:
                b = (b * lik[t]) @ self.trans[t - 1].T
                if t % self.RESCALE == 0:
                    b /= np.maximum(b.max(axis=1, keepdims=True), 1e-300)
        return bwd

    def conditionals(self, x: np.ndarray, mask: np.ndarray) -> np.ndarray:
        jit = hmm_kernels.compiled() if self.use_numba else None
        if jit is not None:
            probs, self.entropies, self._bwd = jit[0](self.initial, self.trans, self.emis, x, mask)
            return probs
        self.entropies = None
        lik = self._likelihoods(x, mask)
        fwd = self._forward(lik)
        bwd = self._backward(lik)
        self._bwd = bwd.transpose(1, 0, 2)
        post = fwd * bwd
        post /= np.where((s := post.sum(axis=2, keepdims=True)) > 0, s, 1.0)
        return _norm3(np.einsum("nbs,nsv->bnv", post, self.emis))

    def chain_entropies(self, x: np.ndarray, mask: np.ndarray, chosen: np.ndarray) -> np.ndarray:
        """``Σ_{a ∈ A} H(X_a | x_R, x_{A ∩ [0, a)})`` per row (after :meth:`conditionals` on the same mask)."""
        jit = hmm_kernels.compiled() if self.use_numba else None
        if jit is not None:
            return jit[1](self.initial, self.trans, self.emis, x, mask | chosen, chosen, self._bwd)
        fwd = self._forward(self._likelihoods(x, mask | chosen))
        b, t = np.nonzero(chosen)
        post = fwd[t, b] * self._bwd[b, t]
        post /= np.where((s := post.sum(axis=1, keepdims=True)) > 0, s, 1.0)
        h = _entropy(np.einsum("ks,ksv->kv", post, self.emis[t]))
        return np.bincount(b, weights=h, minlength=x.shape[0])


def _norm3(p: np.ndarray) -> np.ndarray:
    s = p.sum(axis=-1, keepdims=True)
    return p / np.where(s > 0, s, 1.0)


class GenericPass:
    """Any oracle with ``conditionals(x, mask)``: one call for the step, one per revealed token for its TC."""

    def __init__(self, oracle, cost_per_call: float):
        self.oracle, self.cost = oracle, cost_per_call
        self.n = oracle.n

    def ops_per_step(self) -> float:
        return 3.0 * self.cost

    def conditionals(self, x, mask):
        return self.oracle.conditionals(x, mask)

    def chain_entropies(self, x, mask, chosen):
        B = x.shape[0]
        total = np.zeros(B)
        order = np.where(chosen, np.arange(self.n)[None, :], self.n)
        order.sort(axis=1)
        counts = chosen.sum(axis=1)
        cur = mask.copy()
        rows = np.arange(B)
        for r in range(int(counts.max(initial=0))):
            live = counts > r
            pos = np.where(live, order[:, r], 0)
            p = self.oracle.conditionals(x, cur)
            total += np.where(live, _entropy(p[rows, pos]), 0.0)
            cur[rows[live], pos[live]] = True
        return total


def step_pass(oracle, model):
    """The pass object of an oracle: :class:`HMMPass` for chains and hidden Markov models."""
    if getattr(oracle, "family", None) in ("hmm", "chain"):
        return HMMPass(oracle.initial, oracle.trans, oracle.emis, oracle.cards)
    return GenericPass(oracle, getattr(oracle, "cost_per_call", float(model.N * max(model.cardinalities))))


def _choose(policy: Policy, probs, revealed, k, param, ties, rng, values, step=0) -> tuple:
    B, N = revealed.shape
    if policy.chooser is not None:
        out = np.zeros((B, N), dtype=bool)
        for b in range(B):
            M = [i for i in range(N) if not revealed[b, i]]
            if not M:
                continue
            R = frozenset(np.flatnonzero(revealed[b]).tolist())
            S = custom_choice(policy.chooser, R, {a: int(values[b, a]) for a in R}, M,
                              None if k is None else int(k), step)
            out[b, list(S)] = True
        return out, False
    if policy.order_free:
        scores = rng.random((B, N))
    else:
        scores = policy.scores(probs, np.arange(N))
    scores = np.where(revealed, -np.inf, scores)
    live = ~revealed.all(axis=1)
    if k is None:
        counts = np.where(live, policy.counts(np.where(live[:, None], scores, 0.0), param), 1)
    else:
        counts = np.full(B, k, dtype=np.int64)
    chosen = choose_top(scores, counts, "random" if policy.order_free else ties, rng)
    randomized = False
    if ties == "random" and not policy.order_free:
        _, tied, r = top_counts(scores, counts)
        randomized = bool(((tied.sum(axis=1) > r) & (r > 0) & live).any())
    return chosen & live[:, None] & ~revealed, randomized


def _defined(probs: np.ndarray, cards) -> np.ndarray:
    """Uniform conditionals where the revealed values have probability 0 (only a sampler run, whose
    factorized draws may leave the support, meets them; as in :class:`~symsched.ConditionalTables`)."""
    s = np.nan_to_num(probs).sum(axis=2)
    bad = ~(s > 0)
    if bad.any():
        uni = (np.arange(probs.shape[2])[None, :] < np.asarray(cards)[:, None]) / np.asarray(cards)[:, None]
        probs = np.where(bad[:, :, None], uni[None], np.nan_to_num(probs))
    return probs


def run_paths(stepper, policy: Policy, x: np.ndarray, sizes, param, ties: str, rng: np.random.Generator,
              sampler: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run the policy on a batch.

    Along ``x ~ p`` (``sampler=False``): returns ``(per-step TC terms (B, steps), steps (B,), None, ties)``.
    ``sampler=True`` runs the sampler itself (tokens drawn independently from their conditionals; ``x``'s
    values are ignored): returns ``(None, steps, the sampled sequences, ties)``.  ``ties`` is True when a
    tie was broken at random somewhere (the policy was then randomised).
    """
    B, N = x.shape
    x = x.copy()
    revealed = np.zeros((B, N), dtype=bool)
    steps = np.zeros(B, dtype=np.int64)
    terms = []
    randomized = False
    t = 0
    while not revealed.all():
        if sizes is not None and t >= len(sizes):
            raise SymschedError(f"the sizes {tuple(sizes)} end with positions masked")
        probs = stepper.conditionals(x, revealed)
        H = getattr(stepper, "entropies", None)
        if sampler or H is None:
            probs = _defined(probs, stepper_cards(stepper))
            H = _entropy(probs)
        k = None if sizes is None else sizes[t]
        chosen, tie_drawn = _choose(policy, probs, revealed, k, param, ties, rng, x, t)
        randomized |= tie_drawn
        steps += chosen.any(axis=1)
        if sampler:
            u = rng.random((B, N))
            cum = np.cumsum(probs, axis=2)
            draw = np.minimum((u[:, :, None] > cum).sum(axis=2), np.asarray(stepper_cards(stepper))[None, :] - 1)
            x = np.where(chosen, draw, x)
        else:
            term = (H * chosen).sum(axis=1) - stepper.chain_entropies(x, revealed, chosen)
            terms.append(term)
        revealed |= chosen
        t += 1
    if sampler:
        return None, steps, x, randomized
    return np.stack(terms, axis=1) if terms else np.zeros((B, 0)), steps, None, randomized


def stepper_cards(stepper) -> tuple:
    return stepper.cards if hasattr(stepper, "cards") else stepper.oracle.cards


def path_cost(stepper, steps: int) -> float:
    return float(steps) * stepper.ops_per_step()

