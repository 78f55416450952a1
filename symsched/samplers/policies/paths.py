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
from .base import Policy, choose_top
from .exact import custom_choice

__all__ = ["HMMPass", "GenericPass", "run_paths", "step_pass"]


def _entropy(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0).sum(axis=-1)


def _norm(a: np.ndarray) -> np.ndarray:
    s = a.sum(axis=1, keepdims=True)
    return a / np.where(s > 0, s, 1.0)


class HMMPass:
    """Forward-backward on a hidden Markov model (a Markov chain: identity emissions), per-row evidence."""

    def __init__(self, initial, trans, emis, cards):
        self.initial = np.asarray(initial, float)
        self.trans = [np.asarray(t, float) for t in trans]
        self.emis = [np.asarray(e, float) for e in emis]
        self.cards, self.n, self.V = tuple(cards), len(cards), max(cards)
        self._bwd: list | None = None

    def ops_per_step(self) -> float:
        s = max(len(self.initial), max((t.shape[1] for t in self.trans), default=1))
        return 3.0 * self.n * (s * s + s * self.V)

    def conditionals(self, x: np.ndarray, mask: np.ndarray) -> np.ndarray:
        B = x.shape[0]
        fwd = []
        a = np.broadcast_to(self.initial, (B, len(self.initial))).copy()
        for t in range(self.n):
            if t > 0:
                a = _norm(a @ self.trans[t - 1])
            fwd.append(a)
            if mask[:, t].any():
                a = np.where(mask[:, t][:, None], a * self.emis[t][:, x[:, t]].T, a)
        out = np.zeros((B, self.n, self.V))
        bwd = np.ones((B, self.emis[-1].shape[0]))
        self._bwd = [None] * self.n
        for t in range(self.n - 1, -1, -1):
            self._bwd[t] = bwd
            out[:, t, :self.cards[t]] = _norm(fwd[t] * bwd) @ self.emis[t]
            if t > 0:
                b = np.where(mask[:, t][:, None], bwd * self.emis[t][:, x[:, t]].T, bwd) if mask[:, t].any() else bwd
                bwd = _norm(b @ self.trans[t - 1].T)
        return _norm3(out)

    def chain_entropies(self, x: np.ndarray, mask: np.ndarray, chosen: np.ndarray) -> np.ndarray:
        """``Σ_{a ∈ A} H(X_a | x_R, x_{A ∩ [0, a)})`` per row (after :meth:`conditionals` on the same mask)."""
        B = x.shape[0]
        total = np.zeros(B)
        a = np.broadcast_to(self.initial, (B, len(self.initial))).copy()
        evidence = mask | chosen
        for t in range(self.n):
            if t > 0:
                a = _norm(a @ self.trans[t - 1])
            if chosen[:, t].any():
                post = _norm(a * self._bwd[t])
                total += np.where(chosen[:, t], _entropy(post @ self.emis[t]), 0.0)
            if evidence[:, t].any():
                a = np.where(evidence[:, t][:, None], a * self.emis[t][:, x[:, t]].T, a)
        return total


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


def _choose(policy: Policy, probs, revealed, k, param, ties, rng, values) -> np.ndarray:
    B, N = revealed.shape
    if policy.chooser is not None:
        out = np.zeros((B, N), dtype=bool)
        for b in range(B):
            M = [i for i in range(N) if not revealed[b, i]]
            if not M:
                continue
            R = frozenset(np.flatnonzero(revealed[b]).tolist())
            S = custom_choice(policy.chooser, R, {a: int(values[b, a]) for a in R}, M,
                              None if k is None else int(k))
            out[b, list(S)] = True
        return out
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
    return chosen & live[:, None] & ~revealed


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

    Along ``x ~ p`` (``sampler=False``): returns ``(per-step TC terms (B, steps), steps (B,), None)``.
    ``sampler=True`` runs the sampler itself (tokens drawn independently from their conditionals; ``x``'s
    values are ignored): returns ``(None, steps, the sampled sequences)``.
    """
    B, N = x.shape
    x = x.copy()
    revealed = np.zeros((B, N), dtype=bool)
    steps = np.zeros(B, dtype=np.int64)
    terms = []
    t = 0
    while not revealed.all():
        if sizes is not None and t >= len(sizes):
            raise SymschedError(f"the sizes {tuple(sizes)} end with positions masked")
        probs = _defined(stepper.conditionals(x, revealed), stepper_cards(stepper))
        k = None if sizes is None else sizes[t]
        chosen = _choose(policy, probs, revealed, k, param, ties, rng, x)
        steps += chosen.any(axis=1)
        if sampler:
            u = rng.random((B, N))
            cum = np.cumsum(probs, axis=2)
            draw = np.minimum((u[:, :, None] > cum).sum(axis=2), np.asarray(stepper_cards(stepper))[None, :] - 1)
            x = np.where(chosen, draw, x)
        else:
            H = _entropy(probs)
            term = (H * chosen).sum(axis=1) - stepper.chain_entropies(x, revealed, chosen)
            terms.append(term)
        revealed |= chosen
        t += 1
    if sampler:
        return None, steps, x
    return np.stack(terms, axis=1) if terms else np.zeros((B, 0)), steps, None


def stepper_cards(stepper) -> tuple:
    return stepper.cards if hasattr(stepper, "cards") else stepper.oracle.cards


def path_cost(stepper, steps: int) -> float:
    return float(steps) * stepper.ops_per_step()

