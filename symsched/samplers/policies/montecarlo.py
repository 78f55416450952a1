"""The Monte Carlo route: policies run on paths ``x ~ p``, batch by batch, on common random numbers.

Batch ``j`` draws its paths and each policy's own randomness (random order, random tie-breaking, the
sampler runs that count model calls) from ``SeedSequence(seed, spawn_key=(j, role))``: the numbers do not
depend on how many workers ran the batches, and every policy sees the same paths (paired differences).
Batches are added until every requested standard error is reached, ``samples`` paths are done, the
``budget`` of estimated operations or the ``time_budget`` in seconds is spent.
"""

from __future__ import annotations

import math
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np

from ...errors import ModelTooLargeError, SymschedError
from ...info.batched import entropy_of, resolve_workers
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


class _Job:
    """Everything one batch needs (picklable: workers receive it once)."""

    def __init__(self, model, specs, batch, count_steps):
        self.model, self.specs, self.batch, self.count_steps = model, specs, batch, count_steps
        self._state = None

    def _setup(self):
        if self._state is None:
            oracle = policy_oracle(self.model)
            self._state = (oracle, step_pass(oracle, self.model))
        return self._state

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_state"} | {"_state": None}

    def __call__(self, task):
        j, entropy, size = task
        oracle, stepper = self._setup()
        x = oracle.sample(_rng(entropy, j, 0), size)
        out = []
        for p, spec in enumerate(self.specs):
            terms, steps, _, tied = run_paths(stepper, spec["policy"], x, spec["sizes"], spec["param"],
                                              spec["ties"], _rng(entropy, j, 1 + p))
            calls = None
            if self.count_steps[p]:
                _, calls, _, _ = run_paths(stepper, spec["policy"], x, spec["sizes"], spec["param"], spec["ties"],
                                           _rng(entropy, j, 1001 + p), sampler=True)
            out.append((terms, steps, calls, tied))
        return out


_JOB = None


def _init(job):
    global _JOB
    _JOB = job


def _remote(task):
    return _JOB(task)


def _check_count(value, name, minimum=1):
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise SymschedError(f"policy_kl: {name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_positive(value, name):
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or value <= 0:
        raise SymschedError(f"policy_kl: {name} must be a finite number > 0, got {value!r}")
    return float(value)


def _stderrs(totals: np.ndarray) -> float:
    """The largest standard error among the policies' means and their pairwise differences."""
    n = totals.shape[0]
    if n < 2:
        return math.inf
    cov = np.atleast_2d(np.cov(totals, rowvar=False, ddof=1)) / n
    var = np.diag(cov)
    worst = var.max()
    P = totals.shape[1]
    for a in range(P):
        for b in range(a + 1, P):
            worst = max(worst, var[a] + var[b] - 2 * cov[a, b])
    return math.sqrt(max(worst, 0.0))


def run_montecarlo(model, specs, samples=None, stderr=None, seed=0, budget=None, time_budget=None, workers=None,
                   batch=None, where="policy_kl") -> dict:
    """Per-path results of every policy in ``specs`` on common paths.

    Returns ``{"terms": [array (n, steps) per policy], "calls": [array (n,) or None], "n": n, "stopped": why}``.
    """
    samples = _check_count(samples, "samples", 2)
    stderr = _check_positive(stderr, "stderr")
    time_budget = _check_positive(time_budget, "time_budget")
    budget = _check_positive(budget, "budget")
    workers = resolve_workers(workers)
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
    job = _Job(model, specs, batch, [s["count_steps"] for s in specs])
    entropy = entropy_of(seed)
    results: list = []
    n, spent, start, stopped = 0, 0.0, time.perf_counter(), "samples"
    pool = None
    if isinstance(workers, int):
        pool = ProcessPoolExecutor(workers, mp_context=get_context("fork"), initializer=_init, initargs=(job,))
    j = 0
    try:
        while n < target_n:
            width = workers if isinstance(workers, int) else 1
            tasks = [(j + w, entropy, min(batch, max(target_n - n - w * batch, 1))) for w in range(width)]
            tasks = [t for w, t in enumerate(tasks) if n + w * batch < target_n]
            got = list(pool.map(_remote, tasks)) if pool is not None else [job(t) for t in tasks]
            for res in got:
                j += 1
                results.append(res)
                n += res[0][1].shape[0]
                spent += per_path * batch
                if stderr is not None and _stderrs(_totals(results)) <= stderr:
                    stopped = "stderr"
                    break
                if n >= target_n:
                    break
                if spent + per_path * batch > b:
                    stopped = "budget"
                    break
                if time_budget is not None and time.perf_counter() - start > time_budget:
                    stopped = "time_budget"
                    break
            else:
                continue
            break
    finally:
        if pool is not None:
            pool.shutdown()
    if stopped in ("budget", "time_budget") and stderr is not None:
        warnings.warn(f"{where}: stopped by {stopped} after {n} paths with standard error "
                      f"{_stderrs(_totals(results)):.3g} above the target {stderr:g}", RuntimeWarning, stacklevel=3)
    out = {"n": n, "stopped": stopped, "terms": [], "calls": [], "ties": []}
    for p in range(len(specs)):
        terms = [r[p][0] for r in results]
        width = max(t.shape[1] for t in terms)
        out["terms"].append(np.concatenate([np.pad(t, ((0, 0), (0, width - t.shape[1]))) for t in terms]))
        out["calls"].append(np.concatenate([r[p][2] for r in results]) if specs[p]["count_steps"] else None)
        out["ties"].append(any(r[p][3] for r in results))
    return out


def _totals(results) -> np.ndarray:
    return np.stack([np.concatenate([r[p][0].sum(axis=1) for r in results]) for p in range(len(results[0]))],
                    axis=1)
