"""A sampler's expected KL split by interaction order (docs/interaction.md).

The KL of a step that reveals the set ``A`` given revealed values ``x_R`` is ``TC(X_A | X_R = x_R)``, the
total correlation of the conditional law ``p(x_A | x_R)``.  Amari's hierarchy splits each such TC into
orders ``k = 2..|A|`` (:func:`symsched.info.exact.interaction.interaction_terms`); averaging over the random
order (a schedule) or over the paths of an adaptive policy splits the expected KL exactly:

    E KL = Σ_k E KL_k,   E KL_k = Σ_t E[ KL(p^(k)(x_A | x_R) ‖ p^(k−1)(x_A | x_R)) ].

Routes: exact enumeration of every step's revealed set, revealed values and revealed block (random
order) or of the policy's path tree; Monte Carlo over ``(R, A, x)`` for random order beyond the budget,
with the covariance of the per-draw term vectors (so every order, every step and the total carry a
standard error; see "Uncertainty of derived quantities" in docs/concepts.md).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from itertools import combinations
from typing import Any

import numpy as np

from ..errors import ModelTooLargeError, SymschedError
from ..info.exact.interaction import (DEFAULT_IPF_BUDGET, InteractionDecomposition, decompose_joint,
                                interaction_terms)
from ..info.estimators.engine import MonteCarloOptions, MonteCarloRoute, montecarlo_options
from ..models.table import as_model
from ..schedules.schedule import as_schedule
from ..validation import check_budget, check_choice
from .adaptive import POLICIES, select_positions

__all__ = ["interaction_decomposition"]

#: Monte Carlo draws of (R, A, x) per step by default.
DEFAULT_DRAWS = 400


def _cond_batch(p: np.ndarray, R: tuple, A: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Conditional laws of ``X_A`` given each ``x_R`` (rows with ``p(x_R) > 0``) and those ``p(x_R)``."""
    N = p.ndim
    keep = tuple(sorted(R + A))
    other = tuple(a for a in range(N) if a not in keep)
    q = p.sum(axis=other) if other else p
    order = [keep.index(a) for a in R] + [keep.index(a) for a in A]
    q = np.transpose(q, order)
    cards_A = q.shape[len(R):]
    q = q.reshape((-1,) + cards_A)
    w = q.reshape(q.shape[0], -1).sum(axis=1)
    pos = w > 0
    cond = q[pos] / w[pos].reshape((-1,) + (1,) * len(A))
    return cond, w[pos]


def _given(p: np.ndarray, values: dict) -> tuple[np.ndarray, list]:
    """The law of the unrevealed variables given ``values`` (position -> state), and those positions in order."""
    sub = p[tuple(values[i] if i in values else slice(None) for i in range(p.ndim))]
    return sub / sub.sum(), [i for i in range(p.ndim) if i not in values]


def _block(sub: np.ndarray, rest: list, A: tuple) -> np.ndarray:
    """The marginal law of the positions ``A`` from a law over the positions ``rest``."""
    other = tuple(j for j, i in enumerate(rest) if i not in A)
    return sub.sum(axis=other) if other else sub


def _step_terms(p: np.ndarray, R: tuple, A: tuple, n_orders: int) -> np.ndarray:
    """``E_{x_R}`` of the order terms of ``TC(X_A | x_R)``, padded to ``n_orders`` (orders 2..)."""
    out = np.zeros(n_orders)
    if len(A) < 2:
        return out
    cond, w = _cond_batch(p, R, A)
    t = interaction_terms(cond)
    out[: t.shape[1]] = w @ t
    return out


def _exact_cost(N: int, cards: tuple, sizes: tuple) -> float:
    cost, s = 0.0, 0
    size = math.prod(cards)
    for k in sizes:
        if k >= 2:
            cost += math.comb(N, s) * math.comb(N - s, k) * (size + 50.0 * max(cards) ** k * 2 ** k)
        s += k
    return cost


def _schedule_exact(p: np.ndarray, sizes: tuple) -> np.ndarray:
    N = p.ndim
    n_orders = max(max(sizes) - 1, 1)
    by = np.zeros((len(sizes), n_orders))
    s = 0
    for t, k in enumerate(sizes):
        if k >= 2:
            pairs = 0
            for R in combinations(range(N), s):
                rest = [i for i in range(N) if i not in R]
                for A in combinations(rest, k):
                    by[t] += _step_terms(p, R, A, n_orders)
                    pairs += 1
            by[t] /= pairs
        s += k
    return by


class _ScheduleRoute(MonteCarloRoute):
    """The schedule split on the Monte Carlo skeleton: batch ``k`` (its own seed) draws ``batch_size`` paths
    and keeps their per-draw term matrices as its side (the covariance is then taken over the draws)."""

    where = "interaction_decomposition"
    batch_size = 20
    min_batches = 1
    keeps_side = True

    def __init__(self, p: np.ndarray, sizes: tuple, draws: int):
        self.p, self.sizes, self.draws = p, sizes, draws
        self.n_terms = len(sizes) * max(max(sizes) - 1, 1)

    def cap_batches(self, opts) -> int:
        return math.ceil(self.draws / self.batch_size)

    def batch(self, label: int, rng: np.random.Generator) -> tuple:
        size = min(self.batch_size, self.draws - self.batch_index * self.batch_size)
        terms = _draw_terms(self.p, self.sizes, size, rng)
        return terms.mean(axis=0), terms

    def batch_cost(self, label: int) -> float:
        return float(self.batch_size * len(self.sizes) * self.p.size)


def _schedule_montecarlo(p: np.ndarray, sizes: tuple, opts: MonteCarloOptions) -> tuple[np.ndarray, np.ndarray]:
    """``(mean term matrix, per-draw rows)`` from ``opts.cap`` draws in seeded batches."""
    run = _ScheduleRoute(p, sizes, opts.cap).run(dataclasses.replace(opts, target=-1.0))
    flat = np.concatenate(run.sides[0])
    return flat.mean(axis=0), flat.reshape(flat.shape[0], -1)


def _draw_terms(p: np.ndarray, sizes: tuple, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Per-draw term matrices: each draw picks, for every step, a random R, A and ``x ~ p``."""
    N = p.ndim
    n_orders = max(max(sizes) - 1, 1)
    flat = p.ravel() / p.sum()
    samples = np.zeros((draws, len(sizes), n_orders))
    for m in range(draws):
        x = np.unravel_index(rng.choice(flat.size, p=flat), p.shape)
        perm = rng.permutation(N)
        s = 0
        for t, k in enumerate(sizes):
            if k >= 2:
                A = tuple(sorted(perm[s:s + k].tolist()))
                sub, rest = _given(p, {i: x[i] for i in perm[:s].tolist()})
                t_k = interaction_terms(_block(sub, rest, A)[None, ...])[0]
                samples[m, t, : t_k.size] = t_k
            s += k
    return samples


def _policy_exact(p: np.ndarray, policy: Any, sizes: tuple | None, threshold: Any, gamma: Any,
                  budget: float) -> np.ndarray:
    """Depth-first over the policy's path tree: ``(R, x_R)`` with its probability under ``p``."""
    N = p.ndim
    rows: dict = {}
    visits = [0]

    def visit(R: frozenset, values: dict, prob: float, t: int) -> None:
        if len(R) == N:
            return
        visits[0] += 1
        if visits[0] * p.size > budget:
            raise ModelTooLargeError("interaction_decomposition: the policy's path tree", visits[0] * p.size,
                                     budget, "pass a larger budget=, or use a smaller model")
        sub, M = _given(p, values)
        k = None if sizes is None else sizes[t]
        A = _choose(policy, R, values, M, sub, k, threshold, gamma)
        cond = _block(sub, M, A)
        if len(A) >= 2:
            terms = interaction_terms(cond[None, ...])[0]
            row = rows.setdefault(t, np.zeros(N - 1))
            row[: terms.size] += prob * terms
        for xa in zip(*np.nonzero(cond)):
            nv = dict(values)
            nv.update({i: int(v) for i, v in zip(A, xa)})
            visit(R | frozenset(A), nv, prob * float(cond[xa]), t + 1)

    visit(frozenset(), {}, 1.0, 0)
    steps = max(rows) + 1 if rows else 1
    out = np.zeros((steps, max(N - 1, 1)))
    for t, row in rows.items():
        out[t, : row.size] = row[: out.shape[1]]
    return out


def _choose(policy: Any, R: frozenset, values: dict, M: list, sub: np.ndarray, k: int | None,
            threshold: Any, gamma: Any) -> tuple:
    if callable(policy):
        S = policy(R, dict(values)) if k is None else policy(R, dict(values), k)
        S = tuple(sorted(int(i) for i in S))
        if not S or not set(S) <= set(M) or (k is not None and len(S) != k):
            raise SymschedError(f"interaction_decomposition: the policy returned {S} with {sorted(M)} masked"
                                + (f" at a step of size {k}" if k is not None else ""))
        return S
    conds = [_block(sub, M, (i,)) for i in M]
    return select_positions(policy, M, conds, k=k, threshold=threshold, gamma=gamma, ties="lowest-index")


def _result(by: np.ndarray, flat_samples: np.ndarray | None, total_what: str, method: str) -> InteractionDecomposition:
    steps, n_orders = by.shape
    orders = list(range(2, n_orders + 2))
    terms = {k: float(by[:, k - 2].sum()) for k in orders}
    by_step = tuple(float(v) for v in by.sum(axis=1))
    by_step_order = tuple({k: float(by[t, k - 2]) for k in orders} for t in range(steps))
    total = float(by.sum())
    if flat_samples is None:
        return InteractionDecomposition(terms=terms, total=total, what=total_what, by_step=by_step,
                                        by_step_order=by_step_order, method=method)
    n = flat_samples.shape[0]
    cov = np.cov(flat_samples, rowvar=False, ddof=1) / n if n > 1 else np.zeros((by.size, by.size))
    cov = np.atleast_2d(cov)

    def se(weights: np.ndarray) -> float:
        return float(math.sqrt(max(weights @ cov @ weights, 0.0)))

    eye = np.eye(steps * n_orders).reshape(steps, n_orders, -1)
    stderr = {k: se(eye[:, k - 2, :].sum(axis=0)) for k in orders}
    step_se = tuple(se(eye[t].sum(axis=0)) for t in range(steps))
    return InteractionDecomposition(terms=terms, total=total, what=total_what, by_step=by_step,
                                    by_step_order=by_step_order, exact=False, stderr=stderr,
                                    total_stderr=se(np.ones(steps * n_orders)), step_stderr=step_se,
                                    covariance=cov, method=method)


def interaction_decomposition(model: Any, schedule: Any = None, *, policy: Any = None, threshold: Any = None,
                              gamma: Any = None, method: str = "auto", precision: str = "float",
                              dps: int | None = None, samples: int | None = None, seed: Any = 0,
                              budget: float | None = None) -> InteractionDecomposition:
    """Total correlation, or a sampler's expected KL, split by interaction order (docs/interaction.md).

    Parameters
    ----------
    model : model or array_like
        Any symsched model whose joint table fits in memory, or a joint table.
    schedule : Schedule or sequence of int, optional
        Tokens per step of the random-order sampler.  Without it (and without ``policy``) the model's
        ``TC`` is split: ``terms[k] = KL(p^(k) ‖ p^(k−1))``.
    policy : str or callable, optional
        An adaptive policy as in :func:`~symsched.policy_kl` (a deterministic one: ``"confidence"``,
        ``"margin"``, ``"entropy"`` with ``sizes`` given as ``schedule``; ``"threshold"`` with
        ``threshold=``; ``"entropy-bound"`` with ``gamma=``; or a callable ``policy(revealed, values[, k])``).
        ``"random"`` is the schedule case; ``"llada"`` is refused (its choice sees the sampled candidates, so
        its KL is not a sum of conditional total correlations).  Ties between equal scores go to the
        smaller position (``ties="lowest-index"`` of :func:`~symsched.policy_kl`): the split needs a policy
        that is a function of the revealed values.
    method : {"auto", "exact", "montecarlo"}
        ``"auto"``: exact within ``budget``, else Monte Carlo (random order only).
    precision, dps : arithmetic of the model-only split (``"float"``, ``"mpmath"``, ``"symbolic"``); the
        schedule and policy splits run in float.
    samples : int, optional
        Monte Carlo draws (an int >= 2, default 400); each draw samples, for every step, a random revealed set,
        block and ``x ~ p``.
    seed : int, optional
        Seed of the Monte Carlo draws (batches of 20 draws seeded by index, as on every Monte Carlo route).
    budget : float, optional
        Estimated operations refused beyond (default :data:`~symsched.info.exact.interaction.DEFAULT_IPF_BUDGET`).

    Returns
    -------
    InteractionDecomposition
        ``terms`` (= ``by_order``) sum to ``total`` (TC, or ``E KL``); ``by_step`` for samplers; standard
        errors and the covariance on Monte Carlo results.

    Examples
    --------
    >>> import symsched as ss
    >>> d = ss.interaction_decomposition(ss.parity_model(3))
    >>> {k: round(v, 6) for k, v in d.terms.items()}        # parity: pure synergy, all at order 3
    {2: 0.0, 3: 0.693147}
    >>> d = ss.interaction_decomposition(ss.parity_model(3), [3])
    >>> round(d.total, 6), round(d.by_order[3], 6)
    (0.693147, 0.693147)
    """
    where = "interaction_decomposition"
    check_choice(method, "method", ("auto", "exact", "montecarlo"), where)
    model = as_model(model, where)
    N = model.N
    limit = DEFAULT_IPF_BUDGET if budget is None else check_budget(budget, "budget", where)
    if schedule is None and policy is None:
        if method == "montecarlo":
            raise SymschedError(f"{where}: the model's TC split is computed exactly; method='montecarlo' applies "
                                f"to a schedule's split")
        return decompose_joint(model, precision=precision, dps=dps, budget=limit)
    if precision != "float" or dps is not None:
        raise SymschedError(f"{where}: the schedule and policy splits run in float; precision={precision!r} and "
                            f"dps apply to the model's TC split only")
    opts = montecarlo_options(where, samples=samples, seed=seed, default_samples=DEFAULT_DRAWS)
    draws = opts.cap
    if policy is not None and policy != "random":
        return _policy_route(model, schedule, policy, threshold, gamma, method, limit)
    if threshold is not None or gamma is not None:
        raise SymschedError(f"{where}: threshold and gamma go with an adaptive policy, not a schedule")
    if schedule is None:
        raise SymschedError(f"{where}: policy 'random' needs the sizes (schedule=)")
    sizes = tuple(int(k) for k in as_schedule(schedule, N).sizes)
    cost = _exact_cost(N, tuple(model.cardinalities), sizes)
    what = f"E KL of schedule {sizes} (random order)"
    if method == "exact" and cost > limit:
        raise ModelTooLargeError(f"{where}: exact enumeration of the schedule's steps", cost, limit,
                                 "pass a larger budget=, or method='montecarlo' (an estimate with its standard error)")
    p = model.joint("float")
    if method == "montecarlo" or cost > limit:
        mean, flat = _schedule_montecarlo(p, sizes, opts)
        return _result(mean, flat, what, f"Monte Carlo ({draws} draws)")
    by = _schedule_exact(p, sizes)
    return _result(by, None, what, "exact (float)")


def _policy_route(model, schedule, policy, threshold, gamma, method, limit) -> InteractionDecomposition:
    where = "interaction_decomposition"
    N = model.N
    if isinstance(policy, str):
        check_choice(policy, "policy", POLICIES, where)
        if policy == "llada":
            raise SymschedError(f"{where}: policy 'llada' chooses among sampled candidates, so its KL is not "
                                f"E Σ_t TC(X_A | x_R) and has no split by order; use a deterministic policy")
    elif not isinstance(policy, Callable):
        raise SymschedError(f"{where}: policy must be one of {POLICIES} or a callable, got {policy!r:.80}")
    if method == "montecarlo":
        raise SymschedError(f"{where}: the policy split is exact (enumeration of the policy's paths); "
                            f"method='montecarlo' is available for random order")
    sized = callable(policy) or policy in ("confidence", "margin", "entropy")
    sizes = None
    if schedule is not None:
        sizes = tuple(int(k) for k in as_schedule(schedule, N).sizes)
    elif sized and not callable(policy):
        raise SymschedError(f"{where}: policy {policy!r} needs the sizes (schedule=)")
    p = model.joint("float")
    by = _policy_exact(p, policy, sizes, threshold, gamma, limit)
    name = policy if isinstance(policy, str) else getattr(policy, "__name__", "custom")
    return _result(by, None, f"KL of policy {name!r}", "exact (float)")
