"""Semi-autoregressive blocks and fixed partitions on hidden Markov models, at any length (docs/concepts.md §7).

The observed tokens of an HMM are not Markov, and the entropy of its output has no closed form
(Blackwell 1957), so the exact value at large ``N`` is out of reach; it is an expectation over the
revealed tokens of quantities that *are* exact given them, which this module computes exactly where the
revealed configurations can be enumerated, and averages over exact draws of the HMM otherwise.

Blocks. Block ``b`` (positions ``B``, its sizes ``k_t``, partial sums ``s_t``) costs::

    E_{x_<B ~ p} [ Σ_t k_t h^{(b)}_{s_{t-1}}(x_<B) − H(X_B | X_<B = x_<B) ],

linear in conditional entropies, so averaging exact per-prefix values is unbiased.  Given the prefix,
``p(x_B | x_<B)`` depends on it only through the filtered belief ``P(Z_a | x_<a)`` of the hidden state
at the block start (a forward pass); the block's conditional table comes from that belief by a
forward pass over the block, and its profile from the subset-entropy lattice
(:func:`symsched.info.exact.subsets.lattice_entropies`) of the table ``w(prefix) p(x_B | prefix)`` with the
prefix as one more axis: ``H(prefix, X_T) − H(prefix)`` is the weighted mean of ``H(X_T | prefix)``.

* ``"hmm-exact"``: every prefix enumerated (equal beliefs merged), weighted by its probability;
* ``"hmm-montecarlo"``: prefixes drawn exactly from the HMM, in batches.  When the block's table is
  small its per-prefix value is exact as above; otherwise the block term is itself sampled along the
  draw: a uniform order inside the block, and for each step ``Σ_{i∈S_t} H(X_i | x_<B, x_{C_t})``
  minus the chain rule of ``H(X_{S_t} | x_<B, x_{C_t})`` in positional order (exact posteriors, two
  forward–backward passes per step, as for partitions below): the information gains inside the step,
  small along every draw, so the variance stays low.  Both are unbiased.

Partitions. Step ``t`` (revealing ``S_t`` after ``C_t``, any positions) costs
``E_{x_{C_t}}[Σ_{i∈S_t} H(X_i | x_{C_t}) − H(X_{S_t} | x_{C_t})]``: exact from the marginal table of
``C_t ∪ S_t`` (a forward pass keeping those axes: every ``x_{C_t}`` weighted by its probability), or
sampled: ``Σ_{i∈S_t} H(X_i | x_{C_t})`` by forward–backward with evidence at ``C_t``, minus the chain rule
``Σ_m H(X_{s_m} | x_{C_t}, x_{s_1..s_{m-1}})`` in positional order along the draw, whose mean is
``H(X_{S_t} | X_{C_t})``; every term of the chain rule comes from one pass (forward with evidence
``C_t ∪ S_t``, backward with ``C_t``: left of ``s_m`` the evidence is ``C_t`` and ``s_1..s_{m-1}``, right
of it ``C_t`` only).  A step of one token costs exactly 0, and the terms differ by small information
gains, so the variance stays low.

Monte Carlo runs on the skeleton of :mod:`symsched.info.estimators.engine`: batches of exact draws of the HMM
(:mod:`symsched.info.oracles`), batch ``k`` from ``SeedSequence(seed, spawn_key=(0, k))``, so the same seed
gives the same numbers; every term of a batch comes from the same draws, and the covariance of the terms'
means is kept (the total's standard error is ``sqrt(1' C 1)``); sampling stops, between rounds of 8
batches, when the total's standard error meets ``stderr`` (after at least ``MIN_BATCHES`` batches) or at
``samples`` draws.  Each term is shown clipped at 0 (every term is a conditional KL); the total is the sum of
the unclipped terms, clipped once, so noise around 0 does not bias it upwards.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..values import entropy_last_axis
from ..errors import ModelTooLargeError
from ..info.estimators.engine import MonteCarloRoute, montecarlo_options
from ..info.estimators.montecarlo import DEFAULT_MAX_SAMPLES, DEFAULT_STDERR
from ..info.oracles import oracle_for
from ..info.exact.subsets import lattice_entropies, lattice_size

__all__ = ["hmm_blockwise_terms", "hmm_partition_terms", "check_montecarlo_options", "MONTECARLO_BUDGET",
           "MIN_BATCHES", "BATCH_DRAWS"]

#: Draws per batch (one batch mean per block and batch).
BATCH_DRAWS = 128
#: Batches before the standard error may stop the sampling.
MIN_BATCHES = 16
#: Largest estimated cost (elementary operations, vectorised) of a Monte Carlo run at its sample cap.
MONTECARLO_BUDGET = 5e10
#: A sampled block's terms are exact per prefix when its lattice ``prod (c_i + 1)`` is at most this.
INNER_EXACT_LATTICE = 20_000


def check_montecarlo_options(stderr: Any, samples: Any, seed: Any, where: str) -> tuple:
    """``(target, cap, entropy)`` from ``stderr``, ``samples`` and ``seed``, checked as on every Monte Carlo
    route (:func:`symsched.info.estimators.engine.montecarlo_options`; defaults 0.01 nats and 20000 draws)."""
    opts = montecarlo_options(where, stderr=stderr, samples=samples, seed=seed, default_stderr=DEFAULT_STDERR,
                              default_samples=DEFAULT_MAX_SAMPLES)
    return opts.target, opts.cap, opts.entropy


# -- the model as float arrays ------------------------------------------------------------------------------
class _HMM:
    def __init__(self, model: Any):
        self.N = model.N
        self.init = np.asarray(model.initial_distribution, dtype=float)
        self.trans = [np.asarray(t, dtype=float) for t in model.transition_matrices]
        self.emis = [np.asarray(e, dtype=float) for e in model.emission_matrices]
        self.cards = tuple(e.shape[1] for e in self.emis)
        self.states = [len(self.init)] + [t.shape[1] for t in self.trans]

    def step_cost(self, u: int) -> float:
        """Operations of one forward step at position ``u`` for one row."""
        m = self.states[u]
        return float(m * self.cards[u] + m * (self.states[u + 1] if u + 1 < self.N else 1))


def _normalise(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = a.sum(axis=1)
    return a / np.where(s > 0, s, 1.0)[:, None], s


def _posterior_entropies(hmm: _HMM, first: int, belief: np.ndarray, x: np.ndarray, before: np.ndarray,
                         after: np.ndarray) -> np.ndarray:
    """``H(X_u | evidence)`` for every row and position ``u`` of ``first .. first + L - 1`` (``L = x.shape[1]``):
    forward from the hidden-state belief at ``first`` with evidence ``x[r, v]`` where ``before[r, v]`` (it
    counts for positions ``v < u``), backward with evidence where ``after[r, v]`` (positions ``v > u``).

    With ``before = after = C`` this is the posterior given ``x_C``; with ``before = C ∪ S`` and
    ``after = C`` it is, at ``u ∈ S``, the posterior given ``x_C`` and the tokens of ``S`` left of ``u``: the
    chain rule of ``H(X_S | x_C)`` in positional order, for every ``u`` of one pass."""
    n, L = x.shape
    lik, pred = [], []
    alpha = belief
    for u in range(L):
        pos = first + u
        if u:
            alpha = alpha @ hmm.trans[pos - 1]
        pred.append(alpha)
        e = hmm.emis[pos].T[x[:, u]]            # (n, m): P(x_u | Z_u = z)
        alpha, _ = _normalise(alpha * np.where(before[:, u][:, None], e, 1.0))
        lik.append(np.where(after[:, u][:, None], e, 1.0))
    H = np.zeros((n, L))
    beta = np.ones_like(pred[-1])
    for u in range(L - 1, -1, -1):
        pos = first + u
        if u < L - 1:
            beta, _ = _normalise((lik[u + 1] * beta) @ hmm.trans[pos].T)
        post, _ = _normalise(pred[u] * beta)   # Z_u given the evidence other than x_u
        H[:, u] = entropy_last_axis(post @ hmm.emis[pos])
    return H


def _forward_draws(hmm: _HMM, x: np.ndarray, stop: int) -> list:
    """Along draws ``x``: the beliefs ``P(Z_u | x_<u)`` for ``u = 0..stop-1``."""
    n = x.shape[0]
    alpha = np.broadcast_to(hmm.init, (n, len(hmm.init)))
    beliefs = []
    for u in range(stop):
        if u:
            alpha = alpha @ hmm.trans[u - 1]
        beliefs.append(alpha)
        alpha, _ = _normalise(alpha * hmm.emis[u].T[x[:, u]])
    return beliefs


# -- a block's term from beliefs at its start: the lattice of the weighted conditional tables ---------------
def _block_tables(hmm: _HMM, block: tuple, beliefs: np.ndarray) -> np.ndarray:
    """``p(x_B | belief)`` for every belief row: shape ``(n, c_1, ..., c_B)`` (a forward pass over the block)."""
    A = beliefs
    for u in block:
        if u != block[0]:
            A = A @ hmm.trans[u - 1]
        A = A[..., None, :] * hmm.emis[u].T     # (..., c_u, m)
    return A.sum(axis=-1)


def _popcounts(n: int) -> np.ndarray:
    masks = np.arange(2 ** n, dtype=np.int64)
    return sum(((masks >> i) & 1) for i in range(n)) if n else np.zeros(1, dtype=np.int64)


def _block_term_from_beliefs(hmm: _HMM, block: tuple, sizes: list, weights: np.ndarray,
                             beliefs: np.ndarray) -> tuple[float, list]:
    """``Σ_w weight · (Σ_t k_t h_{s_{t-1}}(belief) − H(X_B | belief))`` and the mean profile ``h``."""
    W = _block_tables(hmm, block, beliefs) * (weights / weights.sum()).reshape((-1,) + (1,) * len(block))
    H = lattice_entropies(W)
    B = len(block)
    # bit 0 is the prefix axis: H(prefix, X_T) - H(prefix) = E_prefix H(X_T | prefix)
    cond = H[1::2] - H[1]
    pop = _popcounts(B)
    e = [math.fsum(cond[pop == j].tolist()) / math.comb(B, j) for j in range(B + 1)]
    e[0] = 0.0
    h = [e[j + 1] - e[j] for j in range(B)]
    return _identity(h, sizes) - e[B], h


def _identity(h: list, sizes: list) -> float:
    s, acc = 0, []
    for k in sizes:
        if k:
            acc.append(k * h[s])
        s += k
    return math.fsum(acc)


def _prefix_beliefs(hmm: _HMM, a: int) -> tuple[np.ndarray, np.ndarray]:
    """Every prefix ``x_<a`` of positive probability enumerated: (weights, beliefs at ``a``), equal beliefs
    merged (their weights added; exact float equality only)."""
    alpha = hmm.init[None, :]
    for u in range(a):
        alpha = (alpha[:, None, :] * hmm.emis[u].T[None]).reshape(-1, hmm.states[u])
        alpha = alpha[alpha.sum(axis=1) > 0]
        alpha = alpha @ hmm.trans[u]
    beliefs, w = _normalise(alpha)
    keep = w > 0
    beliefs, w = beliefs[keep], w[keep]
    uniq, inverse = np.unique(beliefs, axis=0, return_inverse=True)
    return np.bincount(inverse.ravel(), weights=w, minlength=len(uniq)), uniq


def _exact_block_cost(hmm: _HMM, block: tuple) -> float:
    prefixes = float(math.prod(hmm.cards[: block[0]]))
    cards = [hmm.cards[u] for u in block]
    m = max(hmm.states)
    return prefixes * (block[0] * m * m + 1) + (prefixes + 1) * lattice_size(cards) + \
        prefixes * float(math.prod(cards)) * m


def _inner_exact(hmm: _HMM, block: tuple) -> bool:
    return lattice_size([hmm.cards[u] for u in block]) <= INNER_EXACT_LATTICE


def _mc_block_cost(hmm: _HMM, block: tuple, sizes: list, batch: int) -> float:
    """Operations per draw of a sampled block."""
    cards = [hmm.cards[u] for u in block]
    if _inner_exact(hmm, block):
        m = max(hmm.states)
        return (batch + 1) * lattice_size(cards) / batch + float(math.prod(cards)) * m
    rows = 2 * sum(1 for k in sizes if k > 1)
    return 4.0 * rows * sum(hmm.step_cost(u) for u in block) + 16.0 * len(block) * rows


def _sampled_block(hmm: _HMM, block: tuple, sizes: list, x: np.ndarray, beliefs: list,
                   rng: np.random.Generator) -> float:
    """One batch mean of a sampled block's term (see the module docstring)."""
    a, B = block[0], len(block)
    belief = beliefs[a]
    n = x.shape[0]
    if _inner_exact(hmm, block):
        return _block_term_from_beliefs(hmm, block, sizes, np.full(n, 1.0 / n), belief)[0]
    # a uniform order inside the block per draw; step t reveals S_t after C_t.  Its term along the draw,
    # Σ_{u∈S_t} [H(X_u | x_C) − H(X_u | x_C, x_{S_t left of u})], is the information gained inside the step
    # (the chain rule of H(X_S | x_C) in positional order): small, so the variance stays low
    rank = np.argsort(rng.random((n, B)), axis=1).argsort(axis=1)
    steps, s = [], 0
    for k in sizes:
        if k > 1:             # a step of one token costs exactly 0
            steps.append((s, k))
        s += k
    if not steps:
        return 0.0
    C = [rank < s for s, _ in steps]
    CS = [rank < s + k for s, k in steps]
    R = len(steps)
    H = _posterior_entropies(hmm, a, np.tile(belief, (2 * R, 1)), np.tile(x[:, a:a + B], (2 * R, 1)),
                             np.concatenate(C + CS), np.concatenate(C + C)).reshape(2, R, n, B)
    S = np.stack(CS) & ~np.stack(C)
    return float(np.mean(((H[0] - H[1]) * S).sum(axis=(0, 2))))


class _TermsRoute(MonteCarloRoute):
    """The terms of blocks or partition steps on draws of the HMM, as a route of the Monte Carlo skeleton:
    one group (every term from the same draws, their covariance kept), stopping on the total's standard
    error."""

    min_batches = MIN_BATCHES
    round_batches = 8

    def __init__(self, hmm: _HMM, oracle: Any, n_terms: int, batch: int, per_draw: float, where: str):
        self.hmm, self.oracle, self.n_terms, self.batch_size = hmm, oracle, n_terms, batch
        self.per_draw, self.where = per_draw, where

    def batch(self, label: int, rng: np.random.Generator) -> np.ndarray:
        return np.asarray(self.terms(self.oracle.sample(rng, self.batch_size), rng), dtype=float)

    def batch_cost(self, label: int) -> float:
        return self.per_draw * self.batch_size

    def group_stderr(self, means: np.ndarray) -> float:
        return float(means.sum(axis=1).std(ddof=1) / math.sqrt(means.shape[0]))


class _BlockTerms(_TermsRoute):
    def __init__(self, hmm, oracle, blocks, per_sizes, sampled, stop, per_draw):
        super().__init__(hmm, oracle, len(sampled), BATCH_DRAWS, per_draw, "blockwise_expected_kl")
        self.blocks, self.per_sizes, self.sampled, self.stop = blocks, per_sizes, sampled, stop

    def terms(self, x: np.ndarray, rng: np.random.Generator) -> list:
        beliefs = _forward_draws(self.hmm, x, self.stop)
        return [_sampled_block(self.hmm, self.blocks[b], self.per_sizes[b], x, beliefs, rng) for b in self.sampled]


class _PartitionTerms(_TermsRoute):
    def __init__(self, hmm, oracle, fwd, bwd, query, last, batch, per_draw):
        super().__init__(hmm, oracle, len(query), batch, per_draw, "partition_kl")
        self.fwd, self.bwd, self.query, self.last = fwd, bwd, query, last

    def terms(self, x: np.ndarray, rng: np.random.Generator) -> list:
        hmm, last, R = self.hmm, self.last, len(self.query)
        n = x.shape[0]
        H = _posterior_entropies(hmm, 0, np.broadcast_to(hmm.init, (2 * R * n, len(hmm.init))),
                                 np.tile(x[:, :last], (2 * R, 1)), np.repeat(self.fwd[:, :last], n, axis=0),
                                 np.repeat(self.bwd[:, :last], n, axis=0)).reshape(2, R, n, last)
        gains = ((H[0] - H[1]) * self.query[:, None, :last]).sum(axis=2)    # (R, n)
        return [float(v) for v in gains.mean(axis=1)]


def _run_terms(route: _TermsRoute, target: float, cap: int, entropy: int) -> tuple:
    """(means, stderrs, total stderr, draws, covariance) of a route's terms."""
    run = route.run(montecarlo_options(route.where, stderr=target, samples=cap, seed=entropy, progress=False))
    total_se = float(math.sqrt(max(run.covariance.sum(), 0.0)))
    return run.mean, run.stderr, total_se, run.draws, run.covariance


def _mc_refusal(what: str, cost: float) -> None:
    if cost > MONTECARLO_BUDGET:
        raise ModelTooLargeError(what, cost, MONTECARLO_BUDGET,
                                 hint="lower samples= (the cap on draws), shorten the blocks, or split the model")


# -- blocks -------------------------------------------------------------------------------------------------
def hmm_blockwise_terms(model: Any, blocks: list, per_sizes: list, budget: float, method: str, stderr: Any,
                        samples: Any, seed: Any) -> dict:
    """Each block's term (exact or sampled) of a hidden Markov model; see the module docstring.

    ``method``: ``"auto"`` (exact while the enumeration fits ``budget``, blocks left to right, sampled
    after), ``"exact"`` (refuse beyond the budget) or ``"montecarlo"`` (every block with a prefix sampled).
    Returns ``{"terms", "stderr", "profiles", "exact_blocks", "total_stderr", "draws"}``.
    """
    hmm = _HMM(model)
    n_exact, spent = 0, 0.0   # the exact blocks are the first ones: their cost grows with the prefix
    for b, blk in enumerate(blocks):
        cost = _exact_block_cost(hmm, blk)
        if (method != "montecarlo" or blk[0] == 0) and spent + cost <= budget:
            n_exact, spent = n_exact + 1, spent + cost
            continue
        if method == "exact":
            raise ModelTooLargeError(
                f"blockwise_expected_kl of a hidden Markov model (N={hmm.N}), exact: block {b + 1} "
                f"(positions {blk[0]}..{blk[-1]}) enumerates {math.prod(hmm.cards[:blk[0]]):.3g} prefixes "
                f"and the {lattice_size([hmm.cards[u] for u in blk]):.3g}-entry lattice of its table",
                spent + cost, budget, 'use method="auto" or "montecarlo" (an estimate with standard errors), '
                                      "or raise the budget argument")
        break
    terms = [0.0] * len(blocks)
    errs = [0.0] * len(blocks)
    profiles: list = [None] * len(blocks)
    for b in range(n_exact):
        w, bel = _prefix_beliefs(hmm, blocks[b][0])
        terms[b], profiles[b] = _block_term_from_beliefs(hmm, blocks[b], per_sizes[b], w, bel)
    sampled = list(range(n_exact, len(blocks)))
    total_se, draws, cov = 0.0, 0, np.zeros((0, 0))
    if sampled:
        target, cap, entropy = check_montecarlo_options(stderr, samples, seed, "blockwise_expected_kl")
        stop = blocks[sampled[-1]][-1] + 1
        per_draw = sum(hmm.step_cost(u) for u in range(stop)) * 3 + \
            sum(_mc_block_cost(hmm, blocks[b], per_sizes[b], BATCH_DRAWS) for b in sampled)
        _mc_refusal(f"blockwise_expected_kl of a hidden Markov model (N={hmm.N}), Monte Carlo over "
                    f"{len(sampled)} blocks at up to {cap} draws", per_draw * cap)

        route = _BlockTerms(hmm, oracle_for(model, 0), blocks, per_sizes, sampled, stop, per_draw)
        means, se, total_se, draws, cov = _run_terms(route, target, cap, entropy)
        for b, mval, sval in zip(sampled, means, se):
            terms[b], errs[b] = float(mval), float(sval)
    return {"terms": terms, "stderr": errs, "profiles": profiles, "exact_blocks": n_exact,
            "total_stderr": total_se, "draws": draws, "covariance": _embed(cov, sampled, len(blocks))}


# -- partitions ---------------------------------------------------------------------------------------------
def _marginal_table(hmm: _HMM, keep: tuple) -> np.ndarray:
    """The marginal table of the observed positions ``keep`` (sorted), one forward pass; unobserved emissions
    sum to one."""
    alpha = hmm.init
    last = keep[-1]
    kept = set(keep)
    for u in range(last + 1):
        if u:
            alpha = alpha @ hmm.trans[u - 1]
        if u in kept:
            alpha = alpha[..., None, :] * hmm.emis[u].T
    return alpha.sum(axis=-1)


def _table_entropy(table: np.ndarray, keep_axes: list) -> float:
    drop = tuple(k for k in range(table.ndim) if k not in keep_axes)
    p = (table.sum(axis=drop) if drop else table).ravel()
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def hmm_partition_terms(model: Any, parts: list, budget: float, method: str, stderr: Any, samples: Any,
                        seed: Any) -> dict:
    """Each step's conditional total correlation (exact or sampled) of a hidden Markov model."""
    hmm = _HMM(model)
    m = max(hmm.states)
    terms = [0.0] * len(parts)
    errs = [0.0] * len(parts)
    exact, sampled, spent, C = [], [], 0.0, ()
    for t, S in enumerate(parts):
        if len(S) > 1:   # a step of one token costs exactly 0
            keep = tuple(sorted(C + tuple(S)))
            cost = float(math.prod(hmm.cards[u] for u in keep)) * (m * (keep[-1] + 2) + len(S) + 2)
            if method != "montecarlo" and spent + cost <= budget:
                exact.append((t, keep, C, S))
                spent += cost
            elif method == "exact":
                raise ModelTooLargeError(
                    f"partition_kl of a hidden Markov model (N={hmm.N}), exact: step {t + 1} needs the marginal "
                    f"table of {len(keep)} positions", spent + cost, budget,
                    'use method="auto" or "montecarlo" (an estimate with standard errors), or raise the budget '
                    "argument")
            else:
                sampled.append((t, C, S))
        C = C + tuple(S)
    for t, keep, C, S in exact:
        table = _marginal_table(hmm, keep)
        ax = {u: k for k, u in enumerate(keep)}
        cax = [ax[u] for u in C]
        hc = _table_entropy(table, cax) if C else 0.0
        singles = math.fsum(_table_entropy(table, cax + [ax[i]]) - hc for i in S)
        terms[t] = singles - (_table_entropy(table, list(range(len(keep)))) - hc)
    total_se, draws, cov = 0.0, 0, np.zeros((0, 0))
    if sampled:
        target, cap, entropy = check_montecarlo_options(stderr, samples, seed, "partition_kl")
        N = hmm.N
        # two rows per step: forward and backward with evidence C_t (every H(X_i | x_C)), and forward with
        # C_t ∪ S_t, backward with C_t (the chain rule of H(X_S | x_C) in positional order)
        before, query = [], []
        for _t, C, S in sampled:
            c = np.zeros(N, dtype=bool)
            c[list(C)] = True
            cs = c.copy()
            cs[list(S)] = True
            before.append((c, cs))
            q = np.zeros(N, dtype=bool)
            q[list(S)] = True
            query.append(q)
        R = len(sampled)
        fwd = np.array([b[0] for b in before] + [b[1] for b in before])
        bwd = np.array([b[0] for b in before] * 2)
        query = np.array(query)
        last = max(max(S) for _, _, S in sampled) + 1    # positions beyond the last query add nothing ...
        last = max(last, max((max(C) for _, C, _ in sampled if C), default=0) + 1)   # ... beyond evidence
        batch = max(8, min(BATCH_DRAWS, 8192 // (2 * R)))
        per_draw = 2 * R * 4.0 * sum(hmm.step_cost(u) for u in range(last))
        _mc_refusal(f"partition_kl of a hidden Markov model (N={N}), Monte Carlo over {R} steps at up to {cap} "
                    "draws", per_draw * cap)

        route = _PartitionTerms(hmm, oracle_for(model, 0), fwd, bwd, query, last, batch, per_draw)
        means, se, total_se, draws, cov = _run_terms(route, target, cap, entropy)
        for (t, _, _), mval, sval in zip(sampled, means, se):
            terms[t], errs[t] = float(mval), float(sval)
    return {"terms": terms, "stderr": errs, "sampled": [t for t, _, _ in sampled], "total_stderr": total_se,
            "draws": draws, "covariance": _embed(cov, [t for t, _, _ in sampled], len(parts))}


def _embed(cov: np.ndarray, where: list, size: int) -> np.ndarray:
    """The covariance of the sampled terms placed in the full ``size x size`` matrix (exact terms: zeros)."""
    out = np.zeros((size, size))
    if where:
        out[np.ix_(where, where)] = cov
    return out
