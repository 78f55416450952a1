"""Adaptive (confidence-ordered) samplers, exactly: docs/concepts.md §8.

The samplers practitioners run by default choose *which* masked positions to reveal from the model's
own conditionals.  With exact conditionals ``p(x_i | x_C)`` (``C`` the revealed positions) the rules are

``"random"``
    ``k_t`` uniformly random masked positions (the sampler of docs/concepts.md §2; LLaDA ``remasking="random"``).
``"confidence"``
    the ``k_t`` positions with the largest ``max_v p(X_i = v | x_C)`` (Dream ``alg="maskgit_plus"``).
``"margin"``
    the largest top-1 minus top-2 probability (Dream ``alg="topk_margin"``).
``"entropy"``
    the smallest ``H(X_i | x_C)`` (Dream ``alg="entropy"``, its default; the EB-sampler's order).
``"threshold"``
    every masked position with confidence ``≥ τ``, at least the most confident one (Fast-dLLM's
    ``get_transfer_index`` with ``threshold``; no step count: the number of model calls is random).
``"entropy-bound"``
    the ``k`` lowest-entropy positions, ``k`` the largest with ``Σ_{i≤k} H_i − max_{i≤k} H_i ≤ γ``
    (EB-sampler, Ben-Hamu et al. 2025, as docs/references.md states it; their code was not found to read).
``"llada"``
    LLaDA's ``remasking="low_confidence"``: draw a candidate for every masked position from its
    conditional, score each position by the probability of *its own candidate*, keep the ``k_t`` best
    candidates and discard the others.

The chosen tokens are drawn independently from their exact conditionals, and ties are broken by the
smaller position.  Scores are compared after rounding to :data:`SCORE_DECIMALS` decimals (so that two
mathematically equal scores computed along different floating-point paths count as tied); a threshold
``τ`` or a budget ``γ`` is compared with the same tolerance.

What the practitioners' code does (read, not copied): LLaDA's ``generate.py`` (as carried in
Fast-dLLM's ``llada/generate.py``) proposes ``x0 = argmax(logits + Gumbel noise)`` — a *sample* at
temperature 1 — and scores it by ``softmax(logits)[x0]``, then keeps the top ``k`` per step; with
``threshold`` set, Fast-dLLM's ``get_transfer_index`` keeps every masked position whose score is
``≥ threshold`` or-ed with the arg-max position.  Dream's ``sample_tokens(..., margin_confidence,
neg_entropy)`` scores by the top probability, the top-1 − top-2 margin or the negative entropy.  At
temperature 0 those samplers decode the arg-max token; here every revealed token is *drawn* from its
conditional (temperature 1), so that the output law is a distribution to compare with ``p``, and the
confidence of ``"confidence"`` / ``"threshold"`` is the top probability of the conditional.

Exact route
-----------
The sampler is run on the tree of revealed values: a node is a revealed set ``R`` at step ``t``, with
two tables over ``x_R`` — the partial law ``G`` of the sampler (summed over the paths into the node)
and the path probability ``π(x_R)`` of the policy when the values are those of ``x ~ p``.  Nodes are
memoised on ``(R, t)``; the policy is evaluated for every configuration ``x_R`` and the configurations
are grouped by the set they reveal, so each group costs one table product.  Everything stays in the
model's arithmetic: Fraction / sympy entries with ``precision="symbolic"`` give an exact law and KL.
The result carries

* ``kl``: ``KL(p ‖ q)`` of the sampler's output law ``q`` (``law``, for small models);
* ``expected_steps`` and ``steps_distribution``: the number of model calls when the sampler runs
  (random for the threshold rules);
* ``conditional_tc``: Wen–Liang–Lu's ``E_{x∼p} Σ_t TC(X_{S_t} | X_{C_t} = x_{C_t})``.  For a policy
  whose sets are a function of the revealed values (every rule but ``"random"`` and ``"llada"``) it
  equals ``kl`` (``identity`` is True; the tests check it).  For ``"random"`` it is the order-averaged
  ``E_σ KL(p ‖ q_σ) = Σ_t k_t h_{s_{t−1}} − H`` of docs/concepts.md §2, an upper bound of ``kl``; for
  ``"llada"`` it is ``None`` (the selection sees the sampled candidates: its law is biased, not only
  factorized).

Monte Carlo route
-----------------
For larger models: draw ``x ~ p``, follow the policy on ``x``'s values and add the conditional total
correlations, each from exact marginals (the joint table when it is small, variable elimination on a
Bayesian network's CPDs, a forward pass for a hidden Markov model).  The mean is an unbiased estimate
of the KL by the identity above; its standard error is reported and the estimate is never presented
as exact.  The expected number of model calls of the threshold rules is estimated by running the
sampler itself.  ``"random"`` (mixture KL) and ``"llada"`` have no such estimator and are exact only.

Examples
--------
>>> import symsched as ss
>>> copy = ss.copy_model(3)                  # three copies of one fair bit
>>> r = ss.policy_kl(copy, "confidence", sizes=[1, 2])
>>> round(r.kl, 6), r.expected_steps         # once one copy is seen the rest are certain
(0.0, 2)
>>> round(ss.policy_kl(copy, "random", sizes=[2, 1]).kl, 6)   # = TC of two fair copies
0.693147
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from itertools import combinations, product
from typing import Any
from collections.abc import Sequence

import numpy as np

from ..arithmetic import Arithmetic, arithmetic, to_float
from ..errors import ModelTooLargeError, SymschedError
from ..info.montecarlo import JOINT_TABLE_LIMIT, _Oracle
from ..models.table import as_model
from ..models.validation import as_entry_array, check_probability_table
from ..formatting import latex_number, latex_text
from ..results import Estimate, Result, _latex_any
from ..validation import check_choice, finite_real, int_sequence, positive_int
from .conditionals import ConditionalTables, as_sizes, joint_of, kl_divergence

__all__ = ["policy_kl", "PolicyResult", "POLICIES", "select_positions", "SCORE_DECIMALS",
           "DEFAULT_POLICY_BUDGET"]

POLICIES = ("random", "confidence", "margin", "entropy", "threshold", "entropy-bound", "llada")
#: Scores (and thresholds, entropy budgets) are compared after rounding to this many decimals.
SCORE_DECIMALS = 10
#: Budget of the exact route (estimated elementary table operations), per arithmetic.
DEFAULT_POLICY_BUDGET = {"float": 3e7, "mpmath": 3e5, "symbolic": 1e5}
#: Default number of Monte Carlo draws.
DEFAULT_SAMPLES = 2000
#: ``H(X_S | x_C)`` is summed exactly when ``X_S`` has at most this many configurations; beyond, the
#: single-draw unbiased term ``−log p(x_S | x_C)`` replaces it.
MAX_BLOCK_CONFIGS = 4096

_SIZED = ("random", "confidence", "margin", "entropy", "llada")


# -- the selection rules ------------------------------------------------------------------------------
def _round(x: float) -> float:
    return round(float(x), SCORE_DECIMALS)


def _position_scores(probs: Sequence[float]) -> tuple[float, float, float]:
    """(confidence, margin, −entropy) of one conditional distribution (floats)."""
    p = sorted((float(v) for v in probs), reverse=True)
    conf = p[0]
    margin = p[0] - (p[1] if len(p) > 1 else 0.0)
    ent = -math.fsum(v * math.log(v) for v in p if v > 0)
    return conf, margin, -ent


def select_positions(policy: str, positions: Sequence[int], conditionals: Sequence[Sequence[float]],
                     k: int | None = None, threshold: float | None = None, gamma: float | None = None) -> tuple:
    """The positions a deterministic policy reveals, given the conditionals of the masked positions.

    Parameters
    ----------
    policy : {"confidence", "margin", "entropy", "threshold", "entropy-bound"}
    positions : sequence of int
        The masked positions.
    conditionals : sequence of probability vectors
        ``p(X_i = · | x_C)`` for each masked position, in the order of ``positions``.
    k, threshold, gamma : the rule's parameter (``k`` for the top-k rules).

    Returns
    -------
    tuple of int
        The chosen positions, sorted.

    Examples
    --------
    >>> select_positions("confidence", [0, 1, 2], [[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]], k=2)
    (1, 2)
    >>> select_positions("threshold", [0, 1, 2], [[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]], threshold=0.95)
    (1,)
    >>> select_positions("entropy-bound", [0, 1], [[0.5, 0.5], [0.5, 0.5]], gamma=0.1)   # ties: smaller first
    (0,)
    """
    scores = {"confidence": 0, "threshold": 0, "margin": 1, "entropy": 2, "entropy-bound": 2}
    check_choice(policy, "policy", scores, "select_positions")
    positions = int_sequence(positions, "positions", "select_positions", minimum=0, allow_empty=True)
    if not isinstance(conditionals, (list, tuple, np.ndarray)) or len(conditionals) != len(positions):
        raise SymschedError(f"select_positions: conditionals must be one probability vector per position "
                            f"({len(positions)}), got {conditionals!r:.80}")
    for j, c in enumerate(conditionals):
        arr = as_entry_array(c, f"select_positions: conditionals[{j}]")
        if arr.ndim != 1 or arr.size == 0:
            raise SymschedError(f"select_positions: conditionals[{j}] must be a probability vector, got shape "
                                f"{arr.shape}")
        check_probability_table(arr, f"select_positions: conditionals[{j}]", axis=None)
    if policy == "threshold":
        finite_real(threshold, "threshold", "select_positions")
    elif policy == "entropy-bound":
        finite_real(gamma, "gamma", "select_positions")
    elif k is not None:
        k = positive_int(k, "k", "select_positions")
    return _select(policy, positions, conditionals, k, threshold, gamma)


def _select(policy: str, positions: Sequence[int], conditionals: Sequence[Sequence[float]], k: int | None,
            threshold: Any, gamma: Any) -> tuple:
    """:func:`select_positions` on arguments already checked (the samplers' inner loop)."""
    which = {"confidence": 0, "threshold": 0, "margin": 1, "entropy": 2, "entropy-bound": 2}[policy]
    scored = [(_position_scores(c), i) for i, c in zip(positions, conditionals)]
    if not scored:
        return ()
    # Descending score, ties to the smaller position.
    ranked = sorted(scored, key=lambda si: (-_round(si[0][which]), si[1]))
    if policy == "threshold":
        tau = _round(threshold)
        chosen = [i for s, i in ranked if _round(s[0]) >= tau] or [ranked[0][1]]
        return tuple(sorted(set(chosen) | {ranked[0][1]}))
    if policy == "entropy-bound":
        ents = [-s[2] for s, _ in ranked]
        k_best, total = 1, 0.0
        for j in range(len(ranked)):
            total += ents[j]
            # ranked by ascending entropy: the max of the first j+1 is the last one
            if _round(total - ents[j]) <= _round(gamma):
                k_best = j + 1
            else:
                break
        return tuple(sorted(i for _, i in ranked[:k_best]))
    return tuple(sorted(i for _, i in ranked[:k]))


# -- the result -----------------------------------------------------------------------------------------
class PolicyResult(Result):
    """The error and cost of an adaptive sampler (see :func:`policy_kl`).

    Attributes
    ----------
    policy : str
        The rule (a callable policy shows as ``"custom"``).
    parameter : str
        Its parameter (sizes, ``τ`` or ``γ``).
    kl : number or Estimate
        ``KL(p ‖ q)`` of the sampler's output law (an :class:`~symsched.results.Estimate` by Monte Carlo).
    stderr : float
        Standard error of ``kl`` (0 when exact).
    exact : bool
    expected_steps : number or Estimate
        Expected number of model calls of the sampler.
    steps_distribution : dict or None
        ``{steps: probability}`` (exact route).
    conditional_tc : number, Estimate or None
        ``E_{x∼p} Σ_t TC(X_{S_t} | x_{C_t})`` (None for ``"llada"``).
    identity : bool
        True when ``conditional_tc`` equals ``kl`` (positions a function of the revealed values).
    method : str
        ``"exact"`` or ``"montecarlo"``.
    n : int or None
        Monte Carlo draws.
    law : ndarray or None
        The sampler's output law (exact route), shape ``model.cardinalities``.
    """

    _headline = "kl"
    _fields = ("policy", "parameter", "kl", "stderr", "exact", "expected_steps", "steps_distribution",
               "conditional_tc", "identity", "method", "n")
    _repr_fields = ("policy", "parameter", "kl", "expected_steps")

    def __init__(self, policy, parameter, kl, stderr, exact, expected_steps, steps_distribution,
                 conditional_tc, identity, method, n=None, law=None, digits=None):
        self.policy, self.parameter = policy, parameter
        self.kl, self.stderr, self.exact = kl, stderr, exact
        self.expected_steps, self.steps_distribution = expected_steps, steps_distribution
        self.conditional_tc, self.identity = conditional_tc, identity
        self.method, self.n, self.law = method, n, law
        if digits:
            self.digits = digits
        self._freeze()

    def latex(self) -> str:
        rows = []
        for name, value in self._field_items():
            if isinstance(value, dict):
                value = tuple(rf"{t}\mapsto {latex_number(v, self.digits)}" for t, v in value.items())
                text = r"\left(" + ", ".join(value) + r"\right)"
            else:
                text = _latex_any(value, self.digits)
            rows.append(rf"{latex_text(name)} & {text}")
        return r"\begin{array}{ll} " + r" \\ ".join(rows) + r" \end{array}"

    def _title(self) -> str:
        kind = "exact" if self.exact else "Monte Carlo estimate"
        return f"Adaptive sampler {self.policy} ({self.parameter}): KL(p || q), {kind}"


# -- validation -----------------------------------------------------------------------------------------
def _check_policy(policy, sizes, threshold, gamma, N):
    if callable(policy):
        if threshold is not None or gamma is not None:
            raise SymschedError("policy_kl: a callable policy takes neither threshold nor gamma")
        return "custom", (as_sizes(sizes, N, "sizes") if sizes is not None else None)
    if not isinstance(policy, str) or policy not in POLICIES:
        raise SymschedError(f"policy_kl: policy must be one of {POLICIES} or a callable, got {policy!r:.80}")
    if policy in _SIZED:
        if sizes is None:
            raise SymschedError(f"policy_kl: policy {policy!r} needs sizes (tokens per step, summing to N = {N})")
        if threshold is not None or gamma is not None:
            raise SymschedError(f"policy_kl: policy {policy!r} takes sizes, not threshold or gamma")
        return policy, as_sizes(sizes, N, "sizes")
    if sizes is not None:
        raise SymschedError(f"policy_kl: policy {policy!r} chooses how many tokens to reveal; give no sizes")
    if policy == "threshold":
        if threshold is None or gamma is not None:
            raise SymschedError("policy_kl: policy 'threshold' needs threshold=τ (and no gamma)")
        tau = to_float(threshold, "threshold")
        if not 0 <= tau <= 1:
            raise SymschedError(f"policy_kl: threshold must lie in [0, 1], got {threshold!r}")
    if policy == "entropy-bound":
        if gamma is None or threshold is not None:
            raise SymschedError("policy_kl: policy 'entropy-bound' needs gamma=γ (and no threshold)")
        g = to_float(gamma, "gamma")
        if not (math.isfinite(g) and g >= 0):
            raise SymschedError(f"policy_kl: gamma must be a finite number >= 0, got {gamma!r}")
    return policy, None


def _parameter_text(policy, sizes, threshold, gamma) -> str:
    if policy == "threshold":
        return f"tau = {threshold}"
    if policy == "entropy-bound":
        return f"gamma = {gamma}"
    return f"sizes = {tuple(sizes)}" if sizes is not None else "custom"


def _cost(policy: str, N: int, cards: Sequence[int], sizes) -> float:
    """Estimated elementary table operations of the exact route."""
    c = max(cards) if cards else 1
    full = float(math.prod(cards))
    total = 0.0
    if sizes is not None:
        s, nodes = 0, 1.0
        for k in sizes:
            per = N * c ** (s + 1)
            if policy == "llada":
                # one interpreted-Python product per (configuration, candidate vector): weigh it as ~40 ops
                per += 40 * full * (N - s)
            elif policy == "random":
                per += 2 * math.comb(N - s, k) * c ** (s + k) * max(k, 1)
            else:
                per += min(c ** s, math.comb(N - s, k)) * c ** (s + k) * max(k, 1)
            total += nodes * per
            # revealed sets reachable after this step: a deterministic rule branches at most once per
            # configuration of the revealed values
            branch = math.comb(N - s, k) if policy in ("random", "llada") else min(c ** s, math.comb(N - s, k))
            s += k
            nodes = min(float(math.comb(N, s)), nodes * branch)
        return total
    for s in range(N):
        # any step count up to s, any revealed subset: one product of at most the joint's size
        total += math.comb(N, s) * (s + 1) * (N * c ** (s + 1) + full)
    return total


# -- the exact route --------------------------------------------------------------------------------------
def _where(ar: Arithmetic, mask: np.ndarray, table: np.ndarray) -> np.ndarray:
    if ar.precision == "float":
        return np.where(mask, table, 0.0)
    out = np.where(mask, table, ar.zero)
    return np.asarray(out, dtype=object)


def _neg_xlogx(ar: Arithmetic, table: np.ndarray) -> np.ndarray:
    if ar.precision == "float":
        t = np.asarray(table, dtype=float)
        return np.where(t > 0, -t * np.log(np.where(t > 0, t, 1.0)), 0.0)
    f = np.frompyfunc(lambda v: ar.zero if ar.is_zero(v) else -v * ar.log(v), 1, 1)
    return np.asarray(f(table), dtype=object)


def _block_conditional(ct: ConditionalTables, R: frozenset, S: tuple) -> np.ndarray:
    """``p(x_S | x_R)`` over the axes ``R ∪ S`` (zero where ``p_R(x_R) = 0``)."""
    num, den = ct.marginal(R | set(S)), ct.marginal(R)
    ar = ct.arith
    if ar.precision == "float":
        num_b, den_b = np.broadcast_arrays(num, den)
        return np.divide(num_b, den_b, out=np.zeros(num_b.shape), where=den_b > 0)
    num_b, den_b = np.broadcast_arrays(num, den)
    out = np.empty(num_b.shape, dtype=object)
    for idx in np.ndindex(num_b.shape):
        d = den_b[idx]
        out[idx] = ar.zero if ar.is_zero(d) else num_b[idx] / d
    return out


def _axis_vector(table: np.ndarray, idx: tuple, axis: int) -> list:
    full = list(idx)
    out = []
    for v in range(table.shape[axis]):
        full[axis] = v
        out.append(table[tuple(full)])
    return out


def _float_of(x) -> float:
    return float(x) if not isinstance(x, Fraction) else x.numerator / x.denominator


class _Exact:
    """The tree of revealed values, level by level (one level per model call)."""

    def __init__(self, ct: ConditionalTables, policy, name: str, sizes, threshold, gamma):
        self.ct, self.ar, self.N = ct, ct.arith, ct.N
        self.policy, self.name, self.sizes = policy, name, sizes
        self.threshold = None if threshold is None else to_float(threshold, "threshold")
        self.gamma = None if gamma is None else to_float(gamma, "gamma")
        self.ctc_terms: list = []

    def _zero_like(self, shape) -> np.ndarray:
        ar = self.ar
        if ar.precision == "float":
            return np.zeros(shape)
        out = np.empty(shape, dtype=object)
        out.fill(ar.zero)
        return out

    def _add(self, level: dict, key: frozenset, G: np.ndarray, pi: np.ndarray | None) -> None:
        if key in level:
            g0, p0 = level[key]
            level[key] = (g0 + G, None if pi is None else p0 + pi)
        else:
            level[key] = (G, pi)

    def _groups(self, R: frozenset, M: list, G: np.ndarray, k: int | None) -> list:
        """[(S, mask over x_R or None, weight)] for the deterministic and random rules."""
        ar = self.ar
        if self.name == "random":
            w = ar.one / ar.binomial(len(M), k) if ar.precision != "float" else 1.0 / math.comb(len(M), k)
            return [(S, None, w) for S in combinations(M, k)]
        one = ar.one if ar.precision != "float" else 1.0
        if self.name == "custom":
            groups: dict[tuple, np.ndarray] = {}
            for idx in np.ndindex(G.shape):
                S = _custom_choice(self.policy, R, {a: idx[a] for a in R}, M, k)
                mask = groups.get(S)
                if mask is None:
                    mask = groups[S] = np.zeros(G.shape, dtype=bool)
                mask[idx] = True
            return [(S, m, one) for S, m in groups.items()]
        chosen = self._vector_choice(R, M, G.shape, k)
        sets, inverse = np.unique(chosen, axis=0, return_inverse=True)
        inverse = np.asarray(inverse).reshape(G.shape)
        return [(tuple(M[j] for j in np.flatnonzero(row)), inverse == u, one) for u, row in enumerate(sets)]

    def _vector_choice(self, R: frozenset, M: list, shape: tuple, k: int | None) -> np.ndarray:
        """Boolean (configurations × masked positions): the rule's choice for every ``x_R`` at once.

        The same rule as :func:`select_positions` (scores rounded to ``SCORE_DECIMALS``, descending,
        ties to the smaller position), vectorised over the configurations of ``x_R``.
        """
        size = int(np.prod(shape))
        if not M:
            return np.zeros((size, 0), dtype=bool)
        conf, margin, negent = [], [], []
        for i in M:
            c = self.ct.conditional(i, R)
            c = np.asarray(c, dtype=float) if c.dtype != float else c
            srt = np.sort(c, axis=i)
            top1 = np.take(srt, [-1], axis=i)
            top2 = np.take(srt, [-2], axis=i) if c.shape[i] > 1 else np.zeros_like(top1)
            ent = -np.sum(np.where(c > 0, c * np.log(np.where(c > 0, c, 1.0)), 0.0), axis=i, keepdims=True)
            conf.append(np.broadcast_to(top1, shape).ravel())
            margin.append(np.broadcast_to(top1 - top2, shape).ravel())
            negent.append(np.broadcast_to(-ent, shape).ravel())
        raw = {"confidence": conf, "threshold": conf, "margin": margin, "entropy": negent,
               "entropy-bound": negent}[self.name]
        scores = np.round(np.stack(raw, axis=1).reshape(size, len(M)), SCORE_DECIMALS)
        # columns are in increasing position, so a stable sort breaks ties by the smaller position
        order = np.argsort(-scores, axis=1, kind="stable")
        rows = np.arange(size)[:, None]
        out = np.zeros((size, len(M)), dtype=bool)
        if self.name == "threshold":
            out = scores >= round(self.threshold, SCORE_DECIMALS)
            out[np.arange(size), order[:, 0]] = True
            return out
        if self.name == "entropy-bound":
            ents = -np.stack(negent, axis=1).reshape(size, len(M))[rows, order]
            prefix = np.cumsum(ents, axis=1) - ents
            take = np.round(prefix, SCORE_DECIMALS) <= round(self.gamma, SCORE_DECIMALS)
            kk = np.maximum(take.sum(axis=1), 1)        # the condition is monotone in the prefix length
            sel = np.arange(len(M))[None, :] < kk[:, None]
            out[np.repeat(np.arange(size), len(M)).reshape(size, len(M))[sel], order[sel]] = True
            return out
        out[rows, order[:, :k]] = True
        return out

    def _step(self, R: frozenset, G: np.ndarray, pi: np.ndarray, k: int | None, nxt: dict) -> None:
        ct, ar = self.ct, self.ar
        M = [i for i in range(self.N) if i not in R]
        pR = ct.marginal(R)
        for S, mask, w in self._groups(R, M, G, k):
            Gm = G * w if mask is None else _where(ar, mask, G)
            pim = pi * w if mask is None else _where(ar, mask, pi)
            T = Gm
            for i in S:
                T = T * ct.conditional(i, R)
            self._add(nxt, R.union(S), T, pim)
            if S:
                # Wen–Liang–Lu: the p-weight of this branch times TC(X_S | x_R).
                tc = -_neg_xlogx(ar, _block_conditional(ct, R, S)).sum(axis=S, keepdims=True)
                for i in S:
                    tc = tc + _neg_xlogx(ar, ct.conditional(i, R)).sum(axis=i, keepdims=True)
                self.ctc_terms.append((pim * pR * tc).sum())

    def _step_llada(self, R: frozenset, G: np.ndarray, k: int, nxt: dict) -> None:
        ct, ar = self.ct, self.ar
        M = [i for i in range(self.N) if i not in R]
        conds = {i: ct.conditional(i, R) for i in M}
        outs: dict[tuple, np.ndarray] = {}
        shape_of = lambda S: tuple(ct.cards[a] if (a in R or a in S) else 1 for a in range(self.N))  # noqa: E731
        for idx in np.ndindex(G.shape):
            g = G[idx]
            if ar.is_zero(g):
                continue
            vecs = [_axis_vector(conds[i], idx, i) for i in M]
            for cand in product(*[range(ct.cards[i]) for i in M]):
                w = g
                for vec, v in zip(vecs, cand):
                    w = w * vec[v]
                if ar.is_zero(w):
                    continue
                # Score = probability of each position's own candidate; top k, ties to the smaller position.
                ranked = sorted(range(len(M)), key=lambda j: (-_round(_float_of(vecs[j][cand[j]])), M[j]))
                S = tuple(sorted(M[j] for j in ranked[:k]))
                out = outs.get(S)
                if out is None:
                    out = outs[S] = self._zero_like(shape_of(S))
                tgt = list(idx)
                for j, i in enumerate(M):
                    if i in S:
                        tgt[i] = cand[j]
                out[tuple(tgt)] = out[tuple(tgt)] + w
        for S, out in outs.items():
            self._add(nxt, R.union(S), out, None)

    def run(self):
        ar, N = self.ar, self.N
        full = frozenset(range(N))
        one = ar.one if ar.precision != "float" else 1.0
        start = self._zero_like((1,) * N) + one
        level = {frozenset(): (start, None if self.name == "llada" else start.copy())}
        finished: dict[int, np.ndarray] = {}
        t = 0
        with ar.workprec():
            while level:
                nxt: dict = {}
                for R, (G, pi) in level.items():
                    if R == full and (self.sizes is None or t == len(self.sizes)):
                        finished[t] = finished[t] + G if t in finished else G
                        continue
                    if self.sizes is not None and t >= len(self.sizes):
                        raise SymschedError(f"the sizes {self.sizes} end with positions {sorted(full - R)} "
                                            "masked")
                    k = self.sizes[t] if self.sizes is not None else None
                    if k is not None and k > N - len(R):
                        raise SymschedError(f"step {t + 1} asks for {k} tokens but only {N - len(R)} are masked")
                    if self.name == "llada":
                        self._step_llada(R, G, k, nxt)
                    else:
                        self._step(R, G, pi, k, nxt)
                level = nxt
                t += 1
        return finished


def _custom_choice(policy: Callable, R: frozenset, values: dict, M: list, k: int | None) -> tuple:
    S = policy(R, values) if k is None else policy(R, values, k)
    try:
        S = tuple(sorted(int(i) for i in S))
    except TypeError:
        raise SymschedError(f"policy_kl: the policy returned {S!r}; expected a collection of positions") from None
    if not S and k != 0:
        raise SymschedError(f"policy_kl: the policy returned no positions with {sorted(M)} masked")
    if not set(S) <= set(M):
        raise SymschedError(f"policy_kl: the policy returned positions {S} but only {sorted(M)} are masked")
    if k is not None and len(S) != k:
        raise SymschedError(f"policy_kl: the policy returned {len(S)} positions at a step of size {k}")
    return S


def _exact_result(model, policy, name, sizes, threshold, gamma, precision, dps, budget, keep_law):
    joint = joint_of(model, precision, dps)
    for v in np.ravel(joint):
        if isinstance(v, Fraction) or not hasattr(v, "free_symbols") or not v.free_symbols:
            continue
        raise SymschedError("policy_kl: adaptive policies compare probabilities, so the model needs numeric "
                            f"parameters; substitute the symbols {sorted(map(str, v.free_symbols))} first")
    N = joint.ndim
    cost = _cost(name, N, joint.shape, sizes)
    b = DEFAULT_POLICY_BUDGET[precision] if budget is None else budget
    if cost > b:
        raise ModelTooLargeError(f"exact law of the {name!r} sampler on a joint of shape {joint.shape}", cost, b,
                                 hint='use method="montecarlo" (not for "random" or "llada"), or raise budget=')
    ar = arithmetic(precision, dps)
    ct = ConditionalTables(joint, ar)
    engine = _Exact(ct, policy, name, sizes, threshold, gamma)
    finished = engine.run()
    with ar.workprec():
        law = sum(np.broadcast_to(G, ct.cards) for G in finished.values())
        law = np.array(law, dtype=law.dtype)
        steps = {t: ar.finalize(ar.sum(np.ravel(G))) for t, G in sorted(finished.items())}
        expected = ar.finalize(ar.sum([ar.convert(t) * steps[t] if ar.precision != "float" else t * steps[t]
                                       for t in steps]))
        kl = kl_divergence(joint, law, precision, dps)
        if precision == "float" and kl < 0:
            kl = 0.0   # rounding: KL(p || q) >= 0, and a float sum of ~1e-17 terms is all this is
        ctc = None if name == "llada" else ar.finalize(ar.sum(engine.ctc_terms) if engine.ctc_terms else ar.zero)
    if sizes is not None:
        expected = len(sizes)
    identity = name not in ("random", "llada")
    return PolicyResult(name, _parameter_text(name, sizes, threshold, gamma), kl, 0.0, True, expected, steps, ctc,
                        identity, "exact", None, law if keep_law else None,
                        digits=dps if precision == "mpmath" and dps else None)


# -- the Monte Carlo route ----------------------------------------------------------------------------------
class _Paths:
    """Runs one policy path at a time with exact marginals from an oracle (joint, elimination, forward)."""

    def __init__(self, oracle: _Oracle, policy, name, sizes, threshold, gamma, cards):
        self.o, self.policy, self.name, self.sizes = oracle, policy, name, sizes
        self.threshold = None if threshold is None else to_float(threshold, "threshold")
        self.gamma = None if gamma is None else to_float(gamma, "gamma")
        self.cards, self.N = cards, len(cards)

    def _logp(self, values: dict) -> float:
        keys = tuple(sorted(values))
        return self.o.log_marginal(keys, tuple(values[a] for a in keys))

    def _conditional(self, values: dict, base: float, i: int) -> list:
        out = []
        for v in range(self.cards[i]):
            lp = self._logp({**values, i: v})
            out.append(math.exp(lp - base) if lp > -math.inf and base > -math.inf else 0.0)
        s = math.fsum(out)
        return [v / s for v in out] if s > 0 else [1.0 / self.cards[i]] * self.cards[i]

    def run(self, x: np.ndarray | None, rng: np.random.Generator) -> tuple[int, float]:
        """(steps, Σ_t TC(X_S | x_C)) along ``x`` (x ~ p), or (steps, nan) running the sampler (x None)."""
        values: dict = {}
        t, tc_sum = 0, 0.0
        while len(values) < self.N:
            M = [i for i in range(self.N) if i not in values]
            base = self._logp(values) if values else 0.0
            conds = [self._conditional(values, base, i) for i in M]
            k = self.sizes[t] if self.sizes is not None else None
            if self.name == "custom":
                S = _custom_choice(self.policy, frozenset(values), dict(values), M, k)
            else:
                S = _select(self.name, M, conds, k, self.threshold, self.gamma)
            if x is None:
                for i in S:
                    c = conds[M.index(i)]
                    values[i] = int(min(np.searchsorted(np.cumsum(c), rng.random() * math.fsum(c), side="right"),
                                        len(c) - 1))
            else:
                tc = math.fsum(-v * math.log(v) for i in S for v in conds[M.index(i)] if v > 0)
                nconf = math.prod(self.cards[i] for i in S)
                if nconf <= MAX_BLOCK_CONFIGS:
                    hs = 0.0
                    for xs in product(*[range(self.cards[i]) for i in S]):
                        lp = self._logp({**values, **dict(zip(S, xs))})
                        if lp > -math.inf:
                            r = math.exp(lp - base)
                            hs -= r * math.log(r) if r > 0 else 0.0
                    tc -= hs
                    for i in S:
                        values[i] = int(x[i])
                else:
                    for i in S:
                        values[i] = int(x[i])
                    tc += self._logp(values) - base   # unbiased single-draw −H(X_S | x_C) term
                tc_sum += tc
            t += 1
        return t, tc_sum


def _mc_result(model, policy, name, sizes, threshold, gamma, n, seed, budget):
    if name in ("random", "llada"):
        what = ("the random-order sampler's mixture KL" if name == "random"
                else "LLaDA's low_confidence sampler (its selection sees the sampled candidates)")
        raise SymschedError(f"policy_kl: Monte Carlo has no unbiased estimator of {what}; use method='exact' on a "
                            "smaller model" + (", or ss.expected_kl(profile, sizes) for the order-averaged KL"
                                               if name == "random" else ""))
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise SymschedError(f"policy_kl: n (Monte Carlo draws) must be an integer >= 2, got {n!r}")
    if not hasattr(model, "joint_size"):
        raise SymschedError(f"policy_kl: Monte Carlo needs a symsched model, got {type(model).__name__}")
    cards = tuple(model.cardinalities)
    N = len(cards)
    c = max(cards)
    per_draw = N * N * c + N * c ** max(sizes or [1])
    cost = n * per_draw * (1 if model.joint_size() <= JOINT_TABLE_LIMIT else 20)
    b = 2e8 if budget is None else budget
    if cost > b:
        raise ModelTooLargeError(f"Monte Carlo run of the {name!r} policy with n = {n} on N = {N}", cost, b,
                                 hint="lower n or raise budget=")
    rng = np.random.default_rng(seed)
    oracle = _Oracle(model, rng)
    paths = _Paths(oracle, policy, name, sizes, threshold, gamma, cards)
    X = oracle.sample(int(n))
    vals = np.array([paths.run(X[r], rng)[1] for r in range(int(n))])
    mean, se = float(np.mean(vals)), float(np.std(vals, ddof=1) / math.sqrt(n))
    what = f"KL(p || q) of the {name} sampler"
    kl = Estimate(max(mean, 0.0), se, what + (" (clipped at 0)" if mean < 0 else ""))
    if sizes is not None:
        expected = len(sizes)
    else:
        steps = np.array([paths.run(None, rng)[0] for _ in range(int(n))], dtype=float)
        expected = Estimate(float(steps.mean()), float(steps.std(ddof=1) / math.sqrt(n)), "expected model calls")
    return PolicyResult(name, _parameter_text(name, sizes, threshold, gamma), kl, se, False, expected, None, kl, True,
                        "montecarlo", int(n), None)


# -- the public function ------------------------------------------------------------------------------------
def policy_kl(model: Any, policy: Any, sizes: Any = None, threshold: Any = None, gamma: Any = None,
              method: str = "auto", precision: str = "float", dps: int | None = None, n: int = DEFAULT_SAMPLES,
              seed: Any = 0, budget: float | None = None, law: bool | None = None) -> PolicyResult:
    """``KL(p ‖ q)`` of an adaptive sampler, its expected number of model calls and Wen–Liang–Lu's identity.

    Parameters
    ----------
    model : model or ndarray
        Any symsched model, or a joint table (validated as by :func:`~symsched.from_joint`).
    policy : str or callable
        One of :data:`POLICIES` (see the module docstring), or a callable ``policy(revealed, values)``
        (``policy(revealed, values, k)`` when ``sizes`` are given) returning the positions to reveal;
        ``revealed`` is a frozenset of positions, ``values`` a dict position → state index.  It must be
        deterministic (a function of the revealed values): the identity ``conditional_tc == kl`` and
        the Monte Carlo estimator rely on it.
    sizes : Schedule or sequence of int
        Tokens per step for ``"random"``, ``"confidence"``, ``"margin"``, ``"entropy"``, ``"llada"``.
    threshold : number
        ``τ`` of ``"threshold"`` (Fast-dLLM's default is 0.9).
    gamma : number
        ``γ`` of ``"entropy-bound"`` (EB-sampler's default is 0.1).
    method : {"auto", "exact", "montecarlo"}
        ``"auto"`` is exact within ``budget``, Monte Carlo beyond (where an estimator exists).
    precision, dps : arithmetic of the exact route (``"symbolic"`` keeps Fraction / sympy entries exact).
    n, seed : Monte Carlo draws and seed.
    budget : float, optional
        Exact route: estimated table operations (default :data:`DEFAULT_POLICY_BUDGET`); refused beyond
        with :class:`~symsched.errors.ModelTooLargeError`.
    law : bool, optional
        Keep the output law in the result (default: when it has at most 4096 entries).

    Returns
    -------
    PolicyResult
        ``float(r) == r.kl``; ``r.expected_steps``; ``r.conditional_tc``; ``r.stderr``; ``r.law``.

    Examples
    --------
    >>> import symsched as ss
    >>> from fractions import Fraction as F
    >>> bn = ss.BayesianNetwork()
    >>> bn.add_variable("A"); bn.add_variable("B")
    >>> bn.set_cpd("A", [F(1, 2), F(1, 2)])
    >>> bn.set_cpd("B", [[F(9, 10), F(1, 10)], [F(1, 10), F(9, 10)]], parents=["A"])
    >>> r = ss.policy_kl(bn, "threshold", threshold=F(1, 2), precision="symbolic")
    >>> r.kl, r.expected_steps        # both confidences are 1/2 >= τ: one step: KL = TC = log 2 - h(1/10)
    (-log(5) + 9*log(3)/5, 1)
    >>> import sympy as sp
    >>> sp.simplify(r.kl - r.conditional_tc)     # Wen–Liang–Lu's identity, exactly
    0
    """
    if method not in ("auto", "exact", "montecarlo"):
        raise SymschedError(f"policy_kl: method must be 'auto', 'exact' or 'montecarlo', got {method!r}")
    model = as_model(model, "policy_kl")
    N = model.N
    name, sizes_t = _check_policy(policy, sizes, threshold, gamma, N)
    if method == "montecarlo":
        return _mc_result(model, policy, name, sizes_t, threshold, gamma, n, seed, None)
    cards = tuple(model.cardinalities)
    keep = (math.prod(cards) <= 4096) if law is None else bool(law)
    if method == "auto":
        b = DEFAULT_POLICY_BUDGET.get(precision, DEFAULT_POLICY_BUDGET["float"]) if budget is None else budget
        if _cost(name, N, cards, sizes_t) > b and name not in ("random", "llada"):
            return _mc_result(model, policy, name, sizes_t, threshold, gamma, n, seed, None)
    return _exact_result(model, policy, name, sizes_t, threshold, gamma, precision, dps, budget, keep)
