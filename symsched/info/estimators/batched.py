"""The Monte Carlo profile's batches, on the model oracles and the Monte Carlo skeleton.

:class:`ProfileRoute` is the route of ``information_profile(method="montecarlo")`` on the skeleton of
:mod:`symsched.info.estimators.engine`: one group (stream of batches) per sampled size ``j``; one batch draws a uniform
revealed set ``T`` of size ``j`` and ``B`` exact samples (:mod:`symsched.info.oracles`), and returns the mean
of ``-log p(x_i | x_T)`` over the samples and every ``i`` outside ``T`` — an unbiased draw of ``h_j``
(averaging over ``i`` removes most of the variance between subsets).  Batch means are independent and
identically distributed, so the standard error is that of the batch means; different sizes draw from
different streams (``SeedSequence(seed, spawn_key=(j, k))``), so their covariance is zero.

This module also keeps the names the routes used before the oracles and the skeleton existed:
:func:`BatchOracle` (now :func:`symsched.info.oracles.oracle_for`), :func:`batch_means`,
:func:`resolve_workers`, :func:`entropy_of`, :func:`progress_bar`, :func:`mrf_elimination_width`.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Callable, Sequence

import numpy as np

from ...errors import SymschedError
from ...models.base import DiscreteModel
from ...models.markov import MarkovRandomField
from ...validation import check_workers, seed_entropy
from .engine import BatchRunner, MonteCarloRoute, batch_rng, montecarlo_options, progress_bar
from ..oracles import ModelOracle, MarkovRandomFieldOracle, oracle_for
from ..oracles import mrf_elimination_width as _width

__all__ = ["BatchOracle", "ProfileRoute", "batch_means", "resolve_workers", "entropy_of", "progress_bar",
           "BATCH_SIZE", "ROUND_BATCHES", "MRF_ELIMINATION_BUDGET", "mrf_elimination_width"]

#: Samples per batch (one random subset per batch).
BATCH_SIZE = 64
#: Batches per size ``j`` in one round; the stopping rule is checked between rounds ...
ROUND_BATCHES = 8
#: ... once at least this many batch means estimate the standard error.
MIN_BATCHES = 32
#: Largest intermediate factor (entries, per sample) that variable elimination on a Markov random field may build.
MRF_ELIMINATION_BUDGET = 2 ** 16
#: Default budget of the Monte Carlo profile, in estimated operations (about a nanosecond each).
PROFILE_BUDGET = 2e11

# kept for callers of the earlier module (the Gibbs route runs its chains through it)
_Runner = BatchRunner
batch_seed = batch_rng


def BatchOracle(model: DiscreteModel, joint_limit: int) -> ModelOracle:
    """The oracle of ``model`` (:func:`symsched.info.oracles.oracle_for`); a Markov random field beyond the joint
    table is checked against :data:`MRF_ELIMINATION_BUDGET`."""
    if not isinstance(model, DiscreteModel):
        raise SymschedError(f"BatchOracle: expected a symsched model, got {type(model).__name__}")
    if isinstance(model, MarkovRandomField) and model.joint_size() > joint_limit:
        return MarkovRandomFieldOracle(model, MRF_ELIMINATION_BUDGET)
    return oracle_for(model, joint_limit)


def mrf_elimination_width(model: MarkovRandomField) -> int:
    """The largest intermediate factor (entries) of variable elimination on ``model`` along the greedy
    order the Monte Carlo route uses; above :data:`MRF_ELIMINATION_BUDGET` that route samples by Gibbs.

    Examples
    --------
    >>> import networkx as nx
    >>> from symsched.models.markov import ising
    >>> mrf_elimination_width(ising(nx.path_graph(5), 0.3))
    4
    """
    if not isinstance(model, MarkovRandomField):
        raise SymschedError(f"mrf_elimination_width: expected a MarkovRandomField, got {type(model).__name__}")
    return _width(model)


def entropy_of(seed: Any) -> int:
    """The integer entropy every batch seed derives from (:func:`symsched.validation.seed_entropy`)."""
    return seed_entropy(seed)


def resolve_workers(workers: Any):
    """``None`` / 1 (this process), an int > 1 (local processes) or a ``dask.distributed.Client``."""
    return check_workers(workers)


def one_batch(oracle: ModelOracle, entropy: int, j: int, k: int, size: int) -> float:
    """Batch ``k`` of size ``j`` (see :class:`ProfileRoute`)."""
    return float(ProfileRoute(oracle, [j], size).batch(j, batch_rng(entropy, j, k))[0])


class ProfileRoute(MonteCarloRoute):
    """``h_j`` for the sizes ``js`` by batches of ``size`` exact samples (module docstring)."""

    where = "information_profile(method='montecarlo')"
    progress_desc = "Monte Carlo sizes"
    default_budget = PROFILE_BUDGET
    budget_hint = "lower samples= or stderr=, raise budget=, or reduce the model"

    def __init__(self, oracle: ModelOracle, js: Sequence[int], size: int = BATCH_SIZE):
        self.oracle, self.js, self.batch_size = oracle, list(js), int(size)
        self.round_batches, self.min_batches = ROUND_BATCHES, MIN_BATCHES

    def groups(self) -> list:
        return [(j, 1) for j in self.js]

    def batch(self, j: int, rng: np.random.Generator) -> np.ndarray:
        o = self.oracle
        T = tuple(sorted(rng.permutation(o.n)[:j].tolist()))
        x = o.sample(rng, self.batch_size)
        return np.array([-np.mean(o.conditional_log_probs(T, x))])

    def batch_cost(self, j: int) -> float:
        return self.oracle.cost(self.batch_size, j)

    def long(self) -> bool:
        return self.oracle.kind != "joint"


def batch_means(oracle: ModelOracle, js: Sequence[int], target: float, max_samples: int, entropy: int,
                workers: Any = None, time_budget: float | None = None, batch: int = BATCH_SIZE,
                progress: Callable | bool | None = None, budget: float | None = None) -> dict:
    """``{j: (mean, stderr, samples)}`` for every size in ``js``, by rounds of batches until each meets
    ``target`` (standard error of the batch means), reaches ``max_samples``, or ``time_budget`` runs out."""
    opts = montecarlo_options("batch_means", stderr=target, samples=max(2, int(max_samples)), seed=entropy,
                              budget=budget, time_budget=time_budget, workers=workers,
                              progress=progress if isinstance(progress, bool) else False)
    run = ProfileRoute(oracle, js, batch).run(opts)
    se = run.stderr
    return {j: (float(run.mean[k]), float(se[k]), run.batches[j] * batch) for k, j in enumerate(js)}
