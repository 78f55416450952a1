"""The Monte Carlo route: policies run on paths ``x ~ p``, batch by batch, on common random numbers.

A route on the Monte Carlo skeleton (:class:`symsched.info.estimators.engine.MonteCarloRoute`), which checks the
options, runs the batches here or on workers and stops them.  Batch ``j`` draws its paths and each policy's own
randomness (random order, random tie-breaking, the sampler runs that count model calls) from
``SeedSequence(seed, spawn_key=(j, role))``: the numbers do not depend on how many workers ran the batches,
and every policy sees the same paths (paired differences).  Batches are added until every requested
standard error is reached (checked after every batch, on the paths: the largest standard error of a
policy's mean and of a paired difference), ``samples`` paths are done, the ``budget`` of estimated
operations (no batch starts beyond it) or the ``time_budget`` in seconds is spent (no batch starts that is
expected to end after it).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import warnings

import numpy as np

from ...errors import ModelTooLargeError, SymschedError
from ...info.estimators.engine import MonteCarloRoute, montecarlo_options
from ...validation import check_budget
from .oracle_adapter import policy_oracle
from .paths import path_cost, run_paths, step_pass

__all__ = ["run_montecarlo", "DEFAULT_MC_BUDGET", "DEFAULT_SAMPLES"]

#: Estimated elementary operations one Monte Carlo call may spend by default (a few minutes on one core).
DEFAULT_MC_BUDGET = 2e11
#: Paths drawn when neither ``samples`` nor ``stderr`` is given.
DEFAULT_SAMPLES = 2000
#: Paths drawn when ``stderr`` is given and ``samples`` is not: the cap.
MAX_SAMPLES = 10 ** 6


def _rng(entropy: int, j: int, role: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(j, role))))


class PolicyRoute(MonteCarloRoute):
    """Policies on common paths: one group; batch ``k`` runs every policy on the same ``size`` paths and returns
    the sufficient statistics of the policies' per-path totals ``[n, mean (P), centred cross-products (P x P)]``
    (so the target applies to the paths' standard errors, pooled exactly across batches), and keeps every
    policy's per-path terms, model calls and ties as the batch's side."""

    where = "policy_kl"
    min_batches = 1
    min_stderr_batches = 1
    check_every_batch = True
    keeps_side = True
    budget_hint = "raise budget=, or use fewer policies or steps"

    def __init__(self, model, specs, batch: int, target_n: int, per_path: float, cap: int, width: int):
        self.model, self.specs, self.batch_size, self.target_n = model, specs, batch, target_n
        self.per_path, self.cap, self.round_batches = per_path, cap, width
        self.P = len(specs)
        self.n_terms = 1 + self.P + self.P ** 2
        self._state = None

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_state"} | {"_state": None}

    def _setup(self):
        if self._state is None:
            oracle = policy_oracle(self.model)
            self._state = (oracle, step_pass(oracle, self.model))
        return self._state

    def rng_for(self, entropy: int, label: int, k: int):
        return functools.partial(_rng, entropy, k)

    def batch(self, label: int, rngs) -> tuple:
        size = min(self.batch_size, max(self.target_n - self.batch_index * self.batch_size, 1))
        oracle, stepper = self._setup()
        x = oracle.sample(rngs(0), size)
        out = []
        for p, spec in enumerate(self.specs):
            terms, steps, _, tied = run_paths(stepper, spec["policy"], x, spec["sizes"], spec["param"],
                                              spec["ties"], rngs(1 + p))
            calls = None
            if spec["count_steps"]:
                _, calls, _, _ = run_paths(stepper, spec["policy"], x, spec["sizes"], spec["param"], spec["ties"],
                                           rngs(1001 + p), sampler=True)
            out.append((terms, steps, calls, tied))
        totals = np.stack([o[0].sum(axis=1) for o in out], axis=1)
        centred = totals - totals.mean(axis=0)
        return np.concatenate([[len(totals)], totals.mean(axis=0), (centred.T @ centred).ravel()]), out

    def batch_cost(self, label: int) -> float:
        return self.per_path * self.batch_size

    def cap_batches(self, opts) -> int:
        return self.cap

    def group_stderr(self, means: np.ndarray) -> float:
        return _stderrs(_pooled_covariance(means, self.P))


def _pooled_covariance(rows: np.ndarray, P: int) -> np.ndarray:
    """The covariance of the policies' mean totals over all paths, from the batches' ``[n, mean, centred
    cross-products]`` (Chan et al.'s pairwise update: exact, no second pass over the paths)."""
    counts, means, m2 = rows[:, 0], rows[:, 1:1 + P], rows[:, 1 + P:].reshape(-1, P, P)
    n = counts.sum()
    if n < 2:
        return np.full((P, P), math.inf)
    mean = (counts[:, None] * means).sum(axis=0) / n
    d = means - mean
    scatter = m2.sum(axis=0) + np.einsum("b,bi,bj->ij", counts, d, d)
    return scatter / (n - 1) / n


def _stderrs(cov: np.ndarray) -> float:
    """The largest standard error among the policies' means and their pairwise differences."""
    var = np.diag(cov)
    worst = var.max()
    P = cov.shape[0]
    for a in range(P):
        for b in range(a + 1, P):
            worst = max(worst, var[a] + var[b] - 2 * cov[a, b])
    return math.sqrt(max(worst, 0.0)) if math.isfinite(worst) else math.inf


def _sizes(model, specs, samples, stderr, budget, batch, where) -> tuple:
    """``(paths wanted, paths a batch, operations a path, budget)``; refuses a first batch over the budget."""
    if not hasattr(model, "joint_size"):
        raise SymschedError(f"{where}: Monte Carlo needs a symsched model, got {type(model).__name__}")
    target_n = samples if samples is not None else (MAX_SAMPLES if stderr is not None else DEFAULT_SAMPLES)
    oracle = policy_oracle(model)
    stepper = step_pass(oracle, model)
    if batch is None:
        batch = 256 if getattr(oracle, "family", "") in ("hmm", "chain", "joint") else 32
    batch = max(2, min(int(batch), target_n))
    per_path = 0.0
    for spec in specs:
        nsteps = len(spec["sizes"]) if spec["sizes"] is not None else model.N
        per_path += path_cost(stepper, nsteps) * (2 if spec["count_steps"] else 1)
    b = DEFAULT_MC_BUDGET if budget is None else budget
    if per_path * min(batch, target_n) > b:
        raise ModelTooLargeError(f"{where}: Monte Carlo paths on N = {model.N} ({per_path:.3g} operations a path)",
                                 per_path * batch, b, hint="raise budget=, or use fewer policies or steps")
    return target_n, batch, per_path, b


def run_montecarlo(model, specs, samples=None, stderr=None, seed=0, budget=None, time_budget=None, workers=None,
                   batch=None, where="policy_kl") -> dict:
    """Per-path results of every policy in ``specs`` on common paths.

    Returns ``{"terms": [array (n, steps) per policy], "calls": [array (n,) or None], "n": n, "stopped": why}``
    (``why``: ``"stderr"``, ``"samples"``, ``"budget"`` or ``"time_budget"``).
    """
    opts = montecarlo_options(where, stderr=stderr, samples=samples, seed=seed, time_budget=time_budget,
                              workers=workers)
    budget = check_budget(budget, "budget", where)  # inf allowed here: no limit
    target_n, batch, per_path, b = _sizes(model, specs, None if samples is None else opts.cap, stderr, budget,
                                          batch, where)
    cost = per_path * batch
    by_budget = math.inf if math.isinf(b) else max(1, int(b // cost))
    while by_budget > 1 and by_budget * cost > b:  # no batch starts beyond the budget (float rounding)
        by_budget -= 1
    by_samples = math.ceil(target_n / batch)
    width = opts.workers if isinstance(opts.workers, int) else 1
    route = PolicyRoute(model, specs, batch, target_n, per_path, int(min(by_samples, by_budget)), width)
    route.where = where
    run = route.run(dataclasses.replace(opts, target=-1.0 if stderr is None else opts.target, budget=b,
                                        progress=False))
    results = run.sides[0]
    n = sum(r[0][0].shape[0] for r in results)
    k = len(results)
    stopped = ("stderr" if run.stopped == "target" else "time_budget" if run.stopped == "time_budget"
               else "samples" if n >= target_n or k < by_budget else "budget")
    if stopped in ("budget", "time_budget") and stderr is not None:
        warnings.warn(f"{where}: stopped by {stopped} after {n} paths with standard error "
                      f"{route.group_stderr(run.batch_means[0]):.3g} above the target {opts.target:g}",
                      RuntimeWarning, stacklevel=3)
    out = {"n": n, "stopped": stopped, "terms": [], "calls": [], "ties": []}
    for p in range(len(specs)):
        terms = [r[p][0] for r in results]
        width = max(t.shape[1] for t in terms)
        out["terms"].append(np.concatenate([np.pad(t, ((0, 0), (0, width - t.shape[1]))) for t in terms]))
        out["calls"].append(np.concatenate([r[p][2] for r in results]) if specs[p]["count_steps"] else None)
        out["ties"].append(any(r[p][3] for r in results))
    return out
