"""One Monte Carlo skeleton for every estimate route: checks, seeds, batches, workers, stopping, covariance.

A route is a subclass of :class:`MonteCarloRoute` that fills a few hooks; the base class owns the public
protocol, in the spirit of scipy.stats' ``rv_generic``:

* **Options** — :func:`montecarlo_options` checks ``stderr``, ``samples``, ``seed``, ``budget``,
  ``time_budget``, ``workers`` and ``progress`` once, with the same meaning and the same refusals on every
  route (``samples`` an int >= 2, never ``2.5``, ``"100"`` or ``True``; ``stderr`` and ``budget`` finite and
  positive; ``time_budget`` finite positive seconds; ``workers`` None, a positive int or a dask Client;
  ``progress`` None/True/False; ``seed`` None, a non-negative int, a Generator or a SeedSequence).
* **Streams** — the route's estimated quantities (its *terms*, e.g. the ``h_j``) are split into *groups*
  (:meth:`MonteCarloRoute.groups`): each group is one stream of independent batches, and one batch of a
  group returns the batch means of all the group's terms at once (from the same draws, so they may be
  correlated; their covariance is kept).  Different groups draw independently (zero covariance).
* **Seeds** — batch ``k`` of group ``g`` draws from ``SeedSequence(entropy, spawn_key=(g, k))``; batches run
  in rounds of :attr:`MonteCarloRoute.round_batches` per active group, and stopping is decided between
  rounds, so the numbers depend on the seed only — the same for any ``workers``, local processes or a
  ``dask.distributed`` Client.
* **Stopping** — a group stops once its standard error (:meth:`MonteCarloRoute.group_stderr`, by default
  the largest of its terms') meets the target after at least :attr:`min_batches` batches, or at the
  ``samples`` cap; all stop when ``time_budget`` seconds or ``budget`` operations are spent (at the end of
  the batch in progress on one process, of the round on workers).  A run whose smallest possible size
  (``min_batches`` per group) already exceeds ``budget`` is refused before any work, with the estimate.
* **Result** — :class:`MonteCarloRun`: the mean of every term, the covariance of the means (the sample
  covariance of the batch vectors over the number of batches, per group), standard errors, batches per
  group, the reason it stopped.  Exact pieces a route adds later enter with zero variance and covariance.
* **Progress** — one tqdm bar (optional dependency) over batches, its total re-estimated after every round
  from the batches each group still needs, so its ETA is honest.

Hooks of a route (``self`` must pickle, for workers):

``groups()``
    ``[(label, n_terms), ...]``: a non-negative int label per stream (it keys the seeds) and its number of
    terms.  Default: one group ``(0, self.n_terms)``.
``batch(label, rng)``
    One batch of group ``label``: a float vector of its ``n_terms`` batch means.
``batch_cost(label)``
    Estimated operations of one batch (for ``budget`` and the refusal message).  Default 1.
``group_stderr(means)``
    The standard error the target applies to, from the ``(k, n_terms)`` batch means of a group.
``cap_batches(opts)``
    Most batches per group (default ``ceil(samples / batch_size)``).
``rng_for(entropy, label, k)``
    What :meth:`batch` receives as ``rng`` (default :func:`batch_rng`; a route whose seeding predates the
    skeleton keeps its numbers by overriding it, and one that needs several streams per batch may return a
    factory of them).
``batch_seconds()``
    Estimated seconds of one batch before any has run (default 0): with ``time_budget`` no batch starts that
    is expected to end after it (the estimate is then the mean of the batches run).

While :meth:`MonteCarloRoute.batch` runs, ``self.batch_index`` is the batch's index ``k`` (for routes that
deal pre-drawn data out to batches, like the denoiser route).

Attributes a route may set: :attr:`~MonteCarloRoute.keeps_side` (``batch`` returns ``(vector, side)``, and the
run keeps every batch's ``side`` object in :attr:`MonteCarloRun.sides`, for what is not a batch mean: traces,
per-draw values), :attr:`~MonteCarloRoute.check_every_batch` (stop at the first batch that meets the target,
not at the end of its round: the numbers still do not depend on the workers, since later batches of the round
are dropped) and :attr:`~MonteCarloRoute.min_stderr_batches` (batches a time budget always lets run: 2 for a
standard error from batch means, 1 for a route whose error comes from the draws inside a batch).

Example: a route estimating the mean of a uniform variable.

>>> import numpy as np
>>> class Uniform(MonteCarloRoute):
...     where = "uniform example"
...     batch_size = 100
...     def groups(self):
...         return [(0, 1)]
...     def batch(self, label, rng):
...         return np.array([rng.random(self.batch_size).mean()])
>>> run = Uniform().run(montecarlo_options("uniform example", stderr=0.01, seed=0))
>>> bool(abs(run.mean[0] - 0.5) < 4 * run.stderr[0] <= 0.04), run.stopped
(True, 'target')
"""

from __future__ import annotations

import dataclasses
import math
import multiprocessing
import pickle
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from typing import Any
from collections.abc import Callable, Sequence

import numpy as np

from ...errors import ModelTooLargeError, SymschedError
from ...validation import (check_cost_budget, check_progress, check_samples, check_stderr_target, check_time_budget,
                          check_workers, seed_entropy)

__all__ = ["MonteCarloOptions", "montecarlo_options", "MonteCarloRoute", "MonteCarloRun", "BatchRunner",
           "batch_rng", "progress_bar", "DEFAULT_STDERR", "DEFAULT_SAMPLES"]

DEFAULT_STDERR = 0.01
#: Default cap on draws per term.
DEFAULT_SAMPLES = 20_000


@dataclasses.dataclass(frozen=True)
class MonteCarloOptions:
    """The checked options of one Monte Carlo call (see :func:`montecarlo_options`)."""

    where: str
    target: float
    cap: int
    entropy: int
    budget: float | None
    time_budget: float | None
    workers: Any
    progress: bool | None


def montecarlo_options(where: str, *, stderr: Any = None, samples: Any = None, seed: Any = None, budget: Any = None,
                       time_budget: Any = None, workers: Any = None, progress: Any = None,
                       default_stderr: float = DEFAULT_STDERR, default_samples: int = DEFAULT_SAMPLES,
                       samples_name: str = "samples", budget_name: str = "budget") -> MonteCarloOptions:
    """Every Monte Carlo keyword checked once, the same way on every route (module docstring).

    ``where`` names the public function in the messages; ``samples_name`` and ``budget_name`` the route's own
    keywords for the cap on draws and the budget.
    """
    target = default_stderr if stderr is None else check_stderr_target(stderr, "stderr", where)
    cap = default_samples if samples is None else check_samples(samples, samples_name, where)
    return MonteCarloOptions(where, float(target), int(cap), seed_entropy(seed, "seed", where),
                             check_cost_budget(budget, budget_name, where), check_time_budget(time_budget, where=where),
                             check_workers(workers, where=where), check_progress(progress, where=where))


def batch_rng(entropy: int, label: int, k: int) -> np.random.Generator:
    """The generator of batch ``k`` of group ``label``: a function of the seed only."""
    return np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(label, k)))


@dataclasses.dataclass
class MonteCarloRun:
    """What :meth:`MonteCarloRoute.run` measured: per-term means, the covariance of the means, per-group batch
    counts, and why it stopped (``"target"``, ``"samples"``, ``"time_budget"`` or ``"budget"``)."""

    mean: np.ndarray
    covariance: np.ndarray
    batches: dict
    draws: int
    stopped: str
    elapsed: float
    cost: float
    batch_means: dict
    sides: dict = dataclasses.field(default_factory=dict)

    @property
    def stderr(self) -> np.ndarray:
        return np.sqrt(np.maximum(np.diag(self.covariance), 0.0))


def progress_bar(progress: bool | None, long: bool, total: int, desc: str, unit: str):
    """A tqdm bar when ``progress`` is True, or None (automatic) and the job is ``long``; else None.

    tqdm is optional (extra ``progress``): without it the automatic bar is silently off and
    ``progress=True`` says what to install.
    """
    if progress is False or (progress is None and not long):
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        if progress:
            raise SymschedError('progress=True needs tqdm: pip install "symsched[progress]"') from None
        return None
    return tqdm(total=total, desc=desc, unit=unit, leave=False)


# -- running batch tasks here, on local processes, or on a dask client ---------------------------------------
_WORKER_STATE: list = []


def _init_worker(blob: bytes, fn: Callable) -> None:
    _WORKER_STATE[:] = [pickle.loads(blob), fn]


def _worker_task(task: tuple) -> Any:
    return _WORKER_STATE[1](_WORKER_STATE[0], *task)


def _dask_task(task: tuple, payload: Any, fn: Callable) -> Any:
    return fn(payload, *task)


class BatchRunner:
    """Runs tasks ``fn(payload, *task)`` here, on local processes or on a dask client; results in task order.
    ``fn`` must be a module-level function (it is pickled by reference); ``payload`` is sent once."""

    def __init__(self, payload: Any, workers: Any, fn: Callable):
        self.payload, self.workers, self.fn, self._pool, self._remote = payload, workers, fn, None, None

    @property
    def local(self) -> bool:
        return self._pool is None and self._remote is None

    def __enter__(self):
        if isinstance(self.workers, int):
            try:  # workers are spawned and receive the payload pickled (once, here); one holding a lambda cannot go
                blob = pickle.dumps(self.payload)
            except (pickle.PicklingError, AttributeError, TypeError) as exc:
                where = getattr(self.payload, "where", "Monte Carlo")
                warnings.warn(f"{where}: workers={self.workers!r} not used: the work cannot be sent to worker "
                              f"processes ({type(exc).__name__}: {str(exc)[:80]}); running in this process, same "
                              "numbers (define the functions it holds at module level to use workers)",
                              RuntimeWarning, stacklevel=3)
                self.workers = None
                return self
            ctx = multiprocessing.get_context("spawn")  # no fork of a threaded parent (BLAS, dask)
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker,
                                             initargs=(blob, self.fn))
        elif self.workers is not None:
            self._remote = self.workers.scatter(self.payload, broadcast=True)
        return self

    def __exit__(self, *exc):
        if self._pool is not None:
            self._pool.shutdown()
        return False

    def run(self, tasks: list) -> list:
        if self._pool is not None:
            return list(self._pool.map(_worker_task, tasks, chunksize=max(1, len(tasks) // (4 * self.workers))))
        if self._remote is not None:
            futures = self.workers.map(_dask_task, tasks, payload=self._remote, fn=self.fn, pure=False)
            return self.workers.gather(futures)
        return [self.fn(self.payload, *t) for t in tasks]


def _route_batch(route: MonteCarloRoute, entropy: int, label: int, k: int) -> tuple:
    """``(vector, side)`` of batch ``k`` of group ``label`` (``side`` None unless the route keeps one)."""
    route.batch_index = k
    out = route.batch(label, route.rng_for(entropy, label, k))
    vector, side = out if route.keeps_side else (out, None)
    return np.asarray(vector, dtype=float).reshape(-1), side


class MonteCarloRoute:
    """Base class of every Monte Carlo route (module docstring: the hooks and the protocol)."""

    #: Name of the public function, for messages.
    where = "Monte Carlo"
    #: Draws per batch (a route may read it in :meth:`batch`).
    batch_size = 64
    #: Batches per active group in one round (stopping is decided between rounds).
    round_batches = 8
    #: Batches before the standard error may stop a group.
    min_batches = 32
    #: Default ``budget`` in operations (:meth:`batch_cost` units).
    default_budget = 1e12
    #: Label of the progress bar.
    progress_desc = "Monte Carlo"
    #: The hint of a budget refusal.
    budget_hint = "lower samples= or stderr= precision, or raise budget="
    #: ``batch`` returns ``(vector, side)`` and the run keeps the sides (module docstring).
    keeps_side = False
    #: Stop at the first batch meeting the target rather than at the end of its round.
    check_every_batch = False
    #: Batches per group a time budget always lets run.
    min_stderr_batches = 2

    n_terms = 1
    batch_index = 0

    # -- hooks ----------------------------------------------------------------------------------------
    def groups(self) -> list:
        return [(0, self.n_terms)]

    def batch(self, label: int, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError  # pragma: no cover - every route implements it

    def batch_cost(self, label: int) -> float:
        return 1.0

    def group_stderr(self, means: np.ndarray) -> float:
        k = means.shape[0]
        return float(means.std(axis=0, ddof=1).max() / math.sqrt(k))

    def long(self) -> bool:
        """Whether the automatic progress bar should show (the run is expected to take seconds; default no)."""
        return False

    def rng_for(self, entropy: int, label: int, k: int) -> Any:
        return batch_rng(entropy, label, k)

    def batch_seconds(self) -> float:
        return 0.0

    # -- the protocol ---------------------------------------------------------------------------------
    def check_budget(self, opts: MonteCarloOptions) -> float:
        """The budget in force, refusing a run whose smallest size (``min_batches`` per group) exceeds it."""
        budget = self.default_budget if opts.budget is None else opts.budget
        least = min(self.min_batches, self.cap_batches(opts))
        cost = sum(least * self.batch_cost(label) for label, _ in self.groups())
        if cost > budget:
            raise ModelTooLargeError(f"{opts.where}: Monte Carlo with at least {least} batches of "
                                     f"{self.batch_size} draws per group ({len(self.groups())} groups)",
                                     cost, budget, self.budget_hint)
        return budget

    def cap_batches(self, opts: MonteCarloOptions) -> int:
        return max(2, math.ceil(opts.cap / self.batch_size))

    def run(self, opts: MonteCarloOptions) -> MonteCarloRun:
        """Batches until every group meets the target or a cap (module docstring)."""
        groups = list(self.groups())
        labels = [g for g, _ in groups]
        if len(set(labels)) != len(labels) or any(not isinstance(g, int) or g < 0 for g in labels):
            raise SymschedError(f"{opts.where}: group labels must be distinct non-negative ints, got {labels}")
        budget = self.check_budget(opts)
        cap = self.cap_batches(opts)
        means: dict = {g: [] for g in labels}
        sides: dict = {g: [] for g in labels}
        active = list(labels)
        start = time.perf_counter()
        spent, stopped = 0.0, "target"
        bar = progress_bar(opts.progress, self.long(), len(labels) * min(cap, self.min_batches),
                           self.progress_desc, "batch")
        try:
            with BatchRunner(self, opts.workers, _route_batch) as runner:
                while active:
                    tasks = [(opts.entropy, g, len(means[g]) + r, ) for g in active for r in range(self.round_batches)
                             if len(means[g]) + r < cap]
                    before = {g: len(means[g]) for g in labels}
                    stopped = self._run_round(runner, tasks, means, sides, opts, start, bar)
                    if self.check_every_batch:
                        self._first_stop(means, sides, before, opts.target, cap)
                    spent = sum(len(means[g]) * self.batch_cost(g) for g in labels)
                    if stopped is None and spent >= budget:
                        stopped = "budget"
                    still = [g for g in active if not self._done(means[g], opts.target, cap)]
                    if bar is not None:
                        bar.total = sum(len(means[g]) for g in labels) + sum(
                            self._still_needed(means[g], opts.target, cap) for g in still)
                        bar.refresh()
                    active = still
                    if stopped is not None:
                        break
                if stopped is None or not active:
                    stopped = "target" if all(self._met(means[g], opts.target) for g in labels) else "samples"
        finally:
            if bar is not None:
                bar.close()
        run = self._summary(groups, means, stopped, time.perf_counter() - start, spent)
        run.sides = sides
        return run

    def _first_stop(self, means: dict, sides: dict, before: dict, target: float, cap: int) -> None:
        """Drops the batches of this round after the first one at which a group was done."""
        for g, lo in before.items():
            for i in range(max(lo, 1), len(means[g])):
                if self._done(means[g][:i], target, cap):
                    del means[g][i:], sides[g][i:]
                    break

    def _late(self, start: float, budget: float, done: int, ahead: int) -> bool:
        """Whether ``ahead`` more batches are expected to end after ``budget`` seconds (the mean batch so far,
        or :meth:`batch_seconds` before any)."""
        now = time.perf_counter() - start
        per = max(now / done if done else 0.0, self.batch_seconds())
        return now + ahead * per > budget

    def _run_round(self, runner: BatchRunner, tasks: list, means: dict, sides: dict, opts: MonteCarloOptions,
                   start: float, bar: Any) -> str | None:
        """Runs one round; on one process the time budget is checked before every batch (no batch starts that
        is expected to end after it), on workers before the round."""
        least = self.min_stderr_batches
        out = False
        if runner.local and opts.time_budget is not None:
            for t in tasks:
                g = t[1]
                out = out or self._late(start, opts.time_budget, sum(map(len, means.values())), 1)
                if out and len(means[g]) >= least:   # every group still gets the batches of a standard error
                    continue
                value, side = _route_batch(self, *t)
                means[g].append(value)
                sides[g].append(side)
                if bar is not None:
                    bar.update(1)
        else:
            if opts.time_budget is not None and all(len(m) >= least for m in means.values()):
                done = sum(map(len, means.values()))
                if done and self._late(start, opts.time_budget, done, len(tasks)):
                    return "time_budget"
            for (_, g, _), (value, side) in zip(tasks, runner.run(tasks)):
                means[g].append(value)
                sides[g].append(side)
            if bar is not None:
                bar.update(len(tasks))
        if opts.time_budget is not None and all(len(m) >= least for m in means.values()) and \
                (out or time.perf_counter() - start > opts.time_budget):
            return "time_budget"
        return None

    def _met(self, rows: list, target: float) -> bool:
        return len(rows) >= max(self.min_stderr_batches, self.min_batches) and \
            self.group_stderr(np.asarray(rows)) <= target

    def _done(self, rows: list, target: float, cap: int) -> bool:
        return self._met(rows, target) or len(rows) >= cap

    def _still_needed(self, rows: list, target: float, cap: int) -> int:
        k = len(rows)
        if k < 2:
            return max(0, min(cap, self.min_batches) - k)
        se = self.group_stderr(np.asarray(rows))
        need = math.ceil(k * (se / target) ** 2) if target > 0 else cap
        return max(0, min(cap, max(self.min_batches, need)) - k)

    def _summary(self, groups: Sequence, means: dict, stopped: str, elapsed: float, spent: float) -> MonteCarloRun:
        sizes = [n for _, n in groups]
        total = sum(sizes)
        mean = np.zeros(total)
        cov = np.zeros((total, total))
        pos = 0
        for g, n in groups:
            in_group = means[g]
            M = np.asarray(in_group, dtype=float).reshape(len(in_group), n)
            k = M.shape[0]
            mean[pos:pos + n] = M.mean(axis=0)
            # centred at the first batch before averaging: identical batches give exactly zero variance
            D = M - M[0]
            D = D - D.mean(axis=0)
            cov[pos:pos + n, pos:pos + n] = (D.T @ D) / (k - 1) / k if k > 1 else np.inf
            pos += n
        draws = sum(len(v) for v in means.values()) * self.batch_size
        return MonteCarloRun(mean, cov, {g: len(v) for g, v in means.items()}, draws, stopped, elapsed, spent,
                             {g: np.asarray(v) for g, v in means.items()})
