"""Monte Carlo building blocks vectorised over a batch of samples, and their distribution over workers.

:class:`BatchOracle` draws ``B`` samples of a model at once (ancestral sampling for a Bayesian
network, a forward pass for a hidden Markov model, backward sampling along a variable elimination order
for a Markov random field, the joint table when it is small) and evaluates
``log p(x_A)`` for all ``B`` samples in one contraction: the CPDs of the ancestors of ``A`` (barren
nodes sum to one) with the observed axes indexed by the samples, contracted by ``numpy.einsum`` along
a path computed once per set ``A``; an HMM by one forward pass over the batch.  The conditionals
``log p(x_i | x_T)`` of every ``i`` outside ``T`` (:meth:`BatchOracle.conditional_log_probs`) are
differences of such marginals, except for an HMM, where one forward-backward pass with evidence at
``T`` gives them all.  Structure (topological order, ancestor sets, CPD tables) is computed once per model.

:func:`batch_means` estimates ``h_j = E[log p(x_T) - log p(x_{T+i})]`` in *batches*: one random
``T``, every ``i`` outside it and ``B`` fresh samples per batch, so batch means are independent and identically
distributed and the standard error is that of the batch means (honest whatever the correlation
inside a batch).  Batch ``k`` of size ``j`` draws from its own seed, ``SeedSequence(seed,
spawn_key=(j, k))``, and batches run in rounds of a fixed number, so the numbers depend on the seed
only, never on how many workers ran them (local processes or a ``dask.distributed`` client).
"""

from __future__ import annotations

import math
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any
from collections.abc import Callable, Sequence

import networkx as nx
import numpy as np

from ..arithmetic import arithmetic
from ..errors import ModelTooLargeError, SymschedError
from ..models.base import DiscreteModel
from ..models.bayesian import BayesianNetwork
from ..models.chains import HiddenMarkovModel
from ..models.markov import MarkovRandomField

__all__ = ["BatchOracle", "batch_means", "resolve_workers", "entropy_of", "progress_bar", "BATCH_SIZE",
           "ROUND_BATCHES", "MRF_ELIMINATION_BUDGET",
           "mrf_elimination_width"]

#: Samples per batch (one random subset per batch).
BATCH_SIZE = 64
#: Batches per size ``j`` in one round; the stopping rule is checked between rounds ...
ROUND_BATCHES = 8
#: ... once at least this many batch means estimate the standard error.
MIN_BATCHES = 32
#: Marginal tables of a small joint kept for reuse.
_PATH_CACHE = 4096
_EINSUM_LABELS = 52
#: Largest intermediate factor (entries, per sample) that variable elimination on a Markov random field may build.
MRF_ELIMINATION_BUDGET = 2 ** 16


def _categorical(u: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Inverse-cdf draws, one per row of ``probs`` (rows summing to 1), from uniforms ``u``."""
    cum = np.cumsum(probs, axis=-1)
    return np.minimum((cum < (u * cum[:, -1])[:, None]).sum(axis=1), probs.shape[1] - 1)


class BatchOracle:
    """Samples and ``log p(x_A)`` of one model, vectorised over samples (see the module docstring)."""

    def __init__(self, model: DiscreteModel, joint_limit: int):
        self.n = model.N
        self.cards = tuple(model.cardinalities)
        self._tables: dict = {}
        if model.joint_size() <= joint_limit:
            self.kind = "joint"
            self.joint = np.asarray(model.joint("float"), dtype=float)
            self._flat_cdf = np.cumsum(self.joint.ravel())
        elif isinstance(model, BayesianNetwork):
            self.kind = "bn"
            names = model.variables
            self.order = [model.index_of(v) for v in nx.topological_sort(model)]
            self.family = {}
            for v in names:
                parents, table = model.cpd(v)
                i = model.index_of(v)
                self.family[i] = (tuple(model.index_of(p) for p in parents), np.asarray(table, dtype=float))
            self.ancestors = [0] * self.n  # bitmask of the variable and its ancestors
            for i in self.order:
                mask = 1 << i
                for p in self.family[i][0]:
                    mask |= self.ancestors[p]
                self.ancestors[i] = mask
            self.rank = _elimination_rank(self.n, [self.family[i][0] + (i,) for i in range(self.n)], self.cards)
        elif isinstance(model, HiddenMarkovModel):
            self.kind = "hmm"
            self.initial = np.asarray(model.initial_distribution, dtype=float)
            self.trans = [np.asarray(t, dtype=float) for t in model.transition_matrices]
            self.emis = [np.asarray(e, dtype=float) for e in model.emission_matrices]
        elif isinstance(model, MarkovRandomField):
            self.kind = "mrf"
            self._init_mrf(model)
        else:
            raise SymschedError(f"BatchOracle: no batched sampler for {type(model).__name__} beyond its joint table")

    def _init_mrf(self, model: MarkovRandomField) -> None:
        """Factors rescaled to max 1 (log scale kept), one greedy elimination order, its width checked
        against :data:`MRF_ELIMINATION_BUDGET`, ``log Z`` once, and the elimination steps kept for
        backward (exact) sampling."""
        factors, log_top, self.rank, self.elim_order, width = _mrf_plan(model)
        self.factors = factors
        self.elimination_entries = width
        if width > MRF_ELIMINATION_BUDGET:
            raise ModelTooLargeError(
                f"variable elimination on this Markov random field (N={self.n}; largest intermediate factor "
                f"along a greedy order)", width, MRF_ELIMINATION_BUDGET,
                "reduce the model (its treewidth), or compute the profile exactly on a smaller one")
        self._steps: list = []
        # log of the rescaled factors' partition function; log Z of the model adds the scales back
        self._log_z_scaled = float(_log_eliminate(list(factors), self.elim_order, None, 1, self._steps)[0])
        self.log_z = self._log_z_scaled + log_top

    # -- sampling ------------------------------------------------------------------------------
    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` independent samples, shape ``(size, N)``."""
        if self.kind == "joint":
            u = rng.random(size) * self._flat_cdf[-1]
            flat = np.minimum(np.searchsorted(self._flat_cdf, u, side="right"), self.joint.size - 1)
            return np.stack(np.unravel_index(flat, self.joint.shape), axis=1)
        x = np.zeros((size, self.n), dtype=np.int64)
        if self.kind == "mrf":
            # backward sampling: v's conditional given the variables eliminated after it is the product of
            # the factors that were merged when v was summed out
            u = rng.random((self.n, size))
            for v, group in reversed(self._steps):
                probs = np.ones((size, self.cards[v]))
                for arr, ls in group:
                    others = [w for w in ls if w != v]
                    probs = probs * np.moveaxis(arr, ls.index(v), -1)[tuple(x[:, w] for w in others)]
                x[:, v] = _categorical(u[v], probs)
            return x
        if self.kind == "bn":
            u = rng.random((self.n, size))
            for v in self.order:
                parents, table = self.family[v]
                probs = table[tuple(x[:, p] for p in parents)] if parents else \
                    np.broadcast_to(table, (size, table.shape[-1]))
                x[:, v] = _categorical(u[v], probs)
            return x
        u = rng.random((2, self.n, size))
        z = _categorical(u[0, 0], np.broadcast_to(self.initial, (size, len(self.initial))))
        for t in range(self.n):
            if t > 0:
                z = _categorical(u[0, t], self.trans[t - 1][z])
            x[:, t] = _categorical(u[1, t], self.emis[t][z])
        return x

    # -- marginals -----------------------------------------------------------------------------
    def log_marginal(self, subset: Sequence[int], x: np.ndarray) -> np.ndarray:
        """``log p(x_A)`` for every row of ``x`` (shape ``(B, N)``), ``A = subset``."""
        subset = tuple(sorted(int(k) for k in subset))
        B = x.shape[0]
        if not subset:
            return np.zeros(B)
        if self.kind == "joint":
            table = self._tables.get(subset)
            if table is None:
                drop = tuple(k for k in range(self.n) if k not in subset)
                table = self.joint.sum(axis=drop) if drop else self.joint
                if len(self._tables) < _PATH_CACHE:
                    self._tables[subset] = table
            p = table[tuple(x[:, k] for k in subset)]
        elif self.kind == "hmm":
            return self._hmm_log_marginal(subset, x)
        elif self.kind == "mrf":
            return self._mrf_log_marginal(subset, x)
        else:
            p = self._bn_marginal(subset, x)
        with np.errstate(divide="ignore"):
            return np.log(p)

    def conditional_log_probs(self, T: Sequence[int], x: np.ndarray) -> np.ndarray:
        """``log p(x_i | x_T)`` for every sample and every ``i`` outside ``T``: shape ``(B, N - |T|)``,
        columns in increasing ``i``.  One forward-backward pass for an HMM; otherwise
        ``log p(x_{T+i}) - log p(x_T)``, one marginal per ``i``."""
        T = tuple(sorted(T))
        outside = [i for i in range(self.n) if i not in set(T)]
        if self.kind == "hmm":
            return self._hmm_conditionals(T, outside, x)
        base = self.log_marginal(T, x) if T else np.zeros(x.shape[0])
        return np.stack([self.log_marginal(tuple(sorted(T + (i,))), x) - base for i in outside], axis=1)

    def _hmm_conditionals(self, T: tuple, outside: list, x: np.ndarray) -> np.ndarray:
        """``p(x_i | x_T) = Σ_z p(z_i | x_T) e_i(x_i | z)``: the hidden state's posterior given the evidence at
        ``T`` only, by a forward and a backward pass over the batch (each renormalised per sample, which
        changes no posterior), so all ``N - |T|`` conditionals cost O(N) matrix products, not O(N²)."""
        B, S = x.shape[0], len(self.initial)
        observed = np.zeros(self.n, dtype=bool)
        observed[list(T)] = True
        fwd = np.empty((self.n, B, S))  # fwd[t] ∝ p(z_t, x_{T ∩ [0, t)})
        a = np.broadcast_to(self.initial, (B, S)).copy()
        for t in range(self.n):
            if t > 0:
                a = a @ self.trans[t - 1]
                a /= a.sum(axis=1, keepdims=True)
            fwd[t] = a
            if observed[t]:
                a = a * self.emis[t][:, x[:, t]].T
        bwd = np.ones((B, S))  # ∝ p(x_{T ∩ (t, N)} | z_t)
        out = np.empty((B, len(outside)))
        col = {i: c for c, i in enumerate(outside)}
        for t in range(self.n - 1, -1, -1):
            if not observed[t]:
                post = fwd[t] * bwd
                post /= post.sum(axis=1, keepdims=True)
                with np.errstate(divide="ignore"):
                    out[:, col[t]] = np.log(np.einsum("bs,sb->b", post, self.emis[t][:, x[:, t]]))
            if t > 0:
                b = bwd * self.emis[t][:, x[:, t]].T if observed[t] else bwd
                bwd = b @ self.trans[t - 1].T
                bwd /= bwd.sum(axis=1, keepdims=True)
        return out

    def _bn_marginal(self, subset: tuple, x: np.ndarray) -> np.ndarray:
        keep = 0
        for v in subset:
            keep |= self.ancestors[v]
        observed = set(subset)
        hidden = [k for k in range(self.n) if keep >> k & 1 and k not in observed]
        label = {k: i for i, k in enumerate(hidden)}
        batch = len(hidden)
        operands: list = []
        for v in range(self.n):
            if not keep >> v & 1:
                continue
            parents, table = self.family[v]
            vars_ = parents + (v,)
            obs = [a for a, u in enumerate(vars_) if u in observed]
            free = [a for a, u in enumerate(vars_) if u not in observed]
            if obs:
                arr = np.transpose(table, obs + free)[tuple(x[:, vars_[a]] for a in obs)]
                operands += [arr, [batch] + [label[vars_[a]] for a in free]]
            else:
                operands += [table, [label[u] for u in vars_]]
        order = [label[k] for k in sorted(hidden, key=self.rank.__getitem__)]
        if len(hidden) + 1 <= _EINSUM_LABELS:
            path = _path_from_order(operands[1::2], order, batch)
            return np.einsum(*operands, [batch], optimize=path)
        return _eliminate_stepwise(list(zip(operands[0::2], operands[1::2])), order, batch)

    def _mrf_log_marginal(self, subset: tuple, x: np.ndarray) -> np.ndarray:
        """``log p(x_A) = log Z(x_A) - log Z``: the factors with ``A``'s axes indexed by the samples, the
        rest summed out in the model's elimination order (log domain, rescaled at every step)."""
        observed = set(subset)
        work = []
        for arr, ls in self.factors:
            obs = [a for a, u in enumerate(ls) if u in observed]
            free = [a for a, u in enumerate(ls) if u not in observed]
            if obs:
                work.append((np.transpose(arr, obs + free)[tuple(x[:, ls[a]] for a in obs)],
                             [_BATCH] + [ls[a] for a in free]))
            else:
                work.append((arr, ls))
        order = [v for v in self.elim_order if v not in observed]
        return _log_eliminate(work, order, _BATCH, x.shape[0]) - self._log_z_scaled

    def _hmm_log_marginal(self, subset: tuple, x: np.ndarray) -> np.ndarray:
        B = x.shape[0]
        alpha = np.broadcast_to(self.initial, (B, len(self.initial))).copy()
        logp = np.zeros(B)
        observed = set(subset)
        for t in range(subset[-1] + 1):
            if t > 0:
                alpha = alpha @ self.trans[t - 1]
            if t in observed:
                alpha = alpha * self.emis[t][:, x[:, t]].T
                s = alpha.sum(axis=1)
                with np.errstate(divide="ignore"):
                    logp += np.log(s)
                alpha = alpha / np.where(s > 0, s, 1.0)[:, None]
        return logp


def _mrf_plan(model: MarkovRandomField) -> tuple:
    """``(factors rescaled to max 1 plus a unit factor per variable, log of the scales, elimination rank,
    greedy elimination order, largest intermediate factor along it)``."""
    factors, log_top = [], 0.0
    for vs, a in model.factors(arithmetic("float")):
        a = np.asarray(a, dtype=float)
        top = float(a.max())
        if not top > 0 or not np.isfinite(top):
            raise SymschedError(f"Markov random field factor over variables {list(vs)}: expected finite "
                                f"non-negative entries, not all zero; got max {top!r}")
        factors.append((a / top, list(vs)))
        log_top += math.log(top)
    cards = tuple(model.cardinalities)
    # a unit factor per variable: every variable then appears in the elimination
    factors += [(np.ones(c), [i]) for i, c in enumerate(cards)]
    rank = _elimination_rank(len(cards), [tuple(ls) for _, ls in factors], cards)
    order = sorted(range(len(cards)), key=rank.__getitem__)
    scopes = [set(ls) for _, ls in factors]
    width = 0
    for v in order:
        merged = set().union(*(sc for sc in scopes if v in sc))
        width = max(width, math.prod(cards[u] for u in merged))
        scopes = [sc for sc in scopes if v not in sc] + [merged - {v}]
    return factors, log_top, rank, order, width


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
    return _mrf_plan(model)[4]


def _elimination_rank(n: int, families: Sequence[tuple], cards: Sequence[int]) -> list[int]:
    """Position of every variable in one greedy min-weight elimination order of the moral graph (computed once
    per model; every marginal then eliminates its hidden variables in this order)."""
    adj = [set() for _ in range(n)]
    for fam in families:
        for a in fam:
            adj[a] |= set(fam) - {a}
    rank, left = [0] * n, set(range(n))
    for pos in range(n):
        v = min(left, key=lambda u: (math.prod(cards[w] for w in adj[u] & left) * cards[u], u))
        rank[v] = pos
        nb = adj[v] & left
        for a in nb:
            adj[a] |= nb - {a}
        left.discard(v)
    return rank


_BATCH = -1  # the batch label of an MRF elimination (variables are labelled by their index)


def _log_eliminate(work: list, order: Sequence[int], batch: Any, size: int, steps: list | None = None) -> np.ndarray:
    """``log`` of the sum over the labels in ``order`` of the product of ``work`` (``(array, labels)`` pairs;
    ``batch`` labels a per-sample axis, or None), one label at a time; every merged factor is divided by its
    maximum (per sample) and the logarithm of that scale accumulated, so nothing over- or underflows.
    ``steps`` (when given) receives ``(label, factors merged)`` per elimination, for backward sampling."""
    log_scale = np.zeros(size)
    for lv in order:
        group = [w for w in work if lv in w[1]]
        if not group:
            continue
        if steps is not None:
            steps.append((lv, group))
        rest = [w for w in work if lv not in w[1]]
        merged = list(dict.fromkeys(u for _, ls in group for u in ls))
        keep = [u for u in merged if u != lv]
        local = {u: i for i, u in enumerate(merged)}
        args: list = []
        for arr, ls in group:
            args += [arr, [local[u] for u in ls]]
        out = np.einsum(*args, [local[u] for u in keep], optimize="greedy")
        axes = tuple(k for k, u in enumerate(keep) if u != batch)
        top = out.max(axis=axes, keepdims=True) if axes else out
        top = np.where(top > 0, top, 1.0)
        out = out / top
        top = np.log(top.reshape(-1)) if batch in keep else np.full(size, float(np.log(top.reshape(-1)[0])))
        log_scale += top
        work = rest + [(out, keep)]
    total = np.ones(size)
    for arr, ls in work:  # only batch axes (or scalars) are left
        total = total * (arr if ls else float(arr))
    with np.errstate(divide="ignore"):
        return np.log(total) + log_scale


def _path_from_order(labels: Sequence[list], order: Sequence[int], batch: int) -> list:
    """An ``einsum`` contraction path that sums the hidden labels out in ``order``."""
    ops = [set(ls) for ls in labels]
    path: list = ["einsum_path"]
    for lv in order:
        idx = tuple(k for k, ls in enumerate(ops) if lv in ls)
        if not idx:
            continue
        merged = set().union(*(ops[k] for k in idx))
        rest = [ls for k, ls in enumerate(ops) if k not in idx]
        needed = set().union(*rest) if rest else set()
        ops = rest + [{u for u in merged if u in needed or u == batch}]
        path.append(idx)
    if len(ops) > 1:
        path.append(tuple(range(len(ops))))
    return path


def _eliminate_stepwise(work: list, order: Sequence[int], batch: int) -> np.ndarray:
    """The same contraction one eliminated label at a time, each step relabelled locally: for marginals with
    more hidden ancestors than one ``einsum`` call can label (52); each step's labels are its merged factor's."""
    for lv in order:
        group = [w for w in work if lv in w[1]]
        if not group:
            continue
        rest = [w for w in work if lv not in w[1]]
        needed = {u for _, ls in rest for u in ls} | {batch}
        merged = list(dict.fromkeys(u for _, ls in group for u in ls))
        keep = [u for u in merged if u != lv and u in needed]
        local = {u: i for i, u in enumerate(merged)}
        if len(local) > _EINSUM_LABELS:
            raise SymschedError(f"batched elimination: a factor of {len(local)} variables exceeds einsum's "
                                f"{_EINSUM_LABELS} labels (treewidth too large for exact marginals)")
        args: list = []
        for arr, ls in group:
            args += [arr, [local[u] for u in ls]]
        work = rest + [(np.einsum(*args, [local[u] for u in keep], optimize="greedy"), keep)]
    labels = list(dict.fromkeys(u for _, ls in work for u in ls))
    local = {u: i for i, u in enumerate(labels)}
    args = []
    for arr, ls in work:
        args += [arr, [local[u] for u in ls]]
    return np.einsum(*args, [local[batch]])


# -- batches, seeds and workers ---------------------------------------------------------------------

def entropy_of(seed: Any) -> int:
    """The integer entropy every batch seed derives from: ``seed`` itself (an int), drawn from a Generator,
    or fresh (``None``)."""
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2 ** 63))
    if isinstance(seed, np.random.SeedSequence):
        return int(seed.generate_state(2, np.uint64).astype(object)[0])
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)) and seed >= 0:
        return int(seed)
    raise SymschedError(f"seed must be None, a non-negative int or a numpy Generator, got {seed!r}")


def batch_seed(entropy: int, j: int, k: int) -> np.random.Generator:
    """The generator of batch ``k`` of size ``j``: a function of the seed only."""
    return np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(j, k)))


def one_batch(oracle: BatchOracle, entropy: int, j: int, k: int, size: int) -> float:
    """The mean of ``log p(x_T) - log p(x_{T+i})`` over ``size`` samples and every ``i`` outside ``T``,
    ``T`` uniform of size ``j`` drawn for this batch (averaging over ``i`` removes most of the variance
    between subsets at ``N - j`` contractions per batch)."""
    rng = batch_seed(entropy, j, k)
    T = tuple(sorted(rng.permutation(oracle.n)[:j].tolist()))
    x = oracle.sample(rng, size)
    return float(-np.mean(oracle.conditional_log_probs(T, x)))


_WORKER_ORACLE: list = []


def _init_worker(oracle: Any, fn: Callable = one_batch) -> None:
    _WORKER_ORACLE[:] = [oracle, fn]


def _worker_batch(task: tuple) -> Any:
    return _WORKER_ORACLE[1](_WORKER_ORACLE[0], *task)


def _dask_batch(task: tuple, oracle: Any, fn: Callable = one_batch) -> Any:
    return fn(oracle, *task)


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


def resolve_workers(workers: Any):
    """``None`` / 1 (this process), an int > 1 (local processes) or a ``dask.distributed.Client``."""
    if workers is None:
        return None
    if isinstance(workers, (bool, np.bool_)):
        raise SymschedError(f"workers must be None, a positive int or a dask.distributed Client, got {workers!r}")
    if isinstance(workers, (int, np.integer)):
        if workers < 1:
            raise SymschedError(f"workers must be a positive number of processes, got {workers!r}")
        return None if workers == 1 else int(workers)
    if type(workers).__name__ == "Client" and hasattr(workers, "map") and hasattr(workers, "gather"):
        return workers
    raise SymschedError(f"workers must be None, a positive int or a dask.distributed Client, got "
                        f"{type(workers).__name__}")


class _Runner:
    """Runs batch tasks ``fn(oracle, *task)`` here, on local processes or on a dask client; results in task
    order.  ``fn`` must be a module-level function (it is pickled by reference)."""

    def __init__(self, oracle: Any, workers: Any, fn: Callable = one_batch):
        self.oracle, self.workers, self.fn, self._pool, self._remote = oracle, workers, fn, None, None

    def __enter__(self):
        if isinstance(self.workers, int):
            ctx = multiprocessing.get_context("spawn")  # no fork of a threaded parent (BLAS, dask)
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker,
                                             initargs=(self.oracle, self.fn))
        elif self.workers is not None:
            self._remote = self.workers.scatter(self.oracle, broadcast=True)
        return self

    def __exit__(self, *exc):
        if self._pool is not None:
            self._pool.shutdown()
        return False

    def run(self, tasks: list) -> list:
        if self._pool is not None:
            return list(self._pool.map(_worker_batch, tasks, chunksize=max(1, len(tasks) // (4 * self.workers))))
        if self._remote is not None:
            futures = self.workers.map(_dask_batch, tasks, oracle=self._remote, fn=self.fn, pure=False)
            return self.workers.gather(futures)
        return [self.fn(self.oracle, *t) for t in tasks]


def batch_means(oracle: BatchOracle, js: Sequence[int], target: float, max_samples: int, entropy: int,
                workers: Any = None, time_budget: float | None = None, batch: int = BATCH_SIZE,
                progress: Callable | None = None) -> dict:
    """``{j: (mean, stderr, samples)}`` for every size in ``js``, by rounds of batches until each meets
    ``target`` (standard error of the batch means), reaches ``max_samples``, or ``time_budget`` runs out."""
    js = list(js)
    means: dict = {j: [] for j in js}
    active = list(js)
    start = time.perf_counter()
    cap_batches = max(2, math.ceil(max_samples / batch))
    with _Runner(oracle, resolve_workers(workers)) as runner:
        while active:
            tasks = [(entropy, j, len(means[j]) + r, batch) for j in active for r in range(ROUND_BATCHES)]
            results = runner.run(tasks)
            for (_, j, _, _), value in zip(tasks, results):
                means[j].append(value)
            still = []
            for j in active:
                m = np.asarray(means[j])
                se = float(m.std(ddof=1) / math.sqrt(len(m)))
                if not ((se <= target and len(m) >= MIN_BATCHES) or len(m) >= cap_batches):
                    still.append(j)
            if progress is not None:
                progress(len(js) - len(still), len(js))
            active = still
            if time_budget is not None and time.perf_counter() - start > time_budget:
                break
    out = {}
    for j in js:
        m = np.asarray(means[j])
        out[j] = (float(m.mean()), float(m.std(ddof=1) / math.sqrt(len(m))), len(m) * batch)
    return out

