"""Monte Carlo information profiles with standard errors, exact where exactness stays cheap.

``h_j = E[-log p(X_i | X_T)]`` with ``X ~ p``, ``T`` uniform of size ``j`` and ``i`` uniform outside
``T``: each draw gives an unbiased sample of ``h_j``; draws continue until the standard error reaches
the target (or the cap on samples).  ``log p(x_A)`` comes from the joint table when it is small, from
variable elimination on a Bayesian network's CPDs (ancestors of ``A`` only), from a forward pass
for a hidden Markov model, or, for a Markov random field, from variable elimination on its factors in
the log domain (``log Z`` once, then ``A``'s values fixed) with exact samples by backward sampling along
the elimination order; a field whose elimination width exceeds
:data:`symsched.info.batched.MRF_ELIMINATION_BUDGET` is estimated by Gibbs sampling instead
(:func:`symsched.info.gibbs.gibbs_profile`: outer chains for ``X ~ p``, conditional inner chains with
Rao-Blackwellised ``p_hat(x_i | x_T)``, batch means over independent chains).

Exact pieces (docs/concepts.md, "Estimates").  Quantities that need only small marginal tables are computed exactly
rather than sampled, when their tables fit in :data:`EXACT_PIECES_BUDGET` entries:

* ``h_0 = mean_i H(X_i)`` (single marginals) and ``h_1 = e_2 - e_1`` (pair marginals);
* ``h_{N-1} = mean_i H(X_i | MB_i)`` (Markov blankets; for a joint table, ``H - mean_i H(X_{-i})``);
* ``H`` (``sum_i H(X_i | Pa_i)`` for a Bayesian network, the joint table otherwise).

The other ``h_j`` are sampled independently of each other (so their covariance is diagonal,
``stderr_j**2``).  When ``H`` is exact the sampled values are then adjusted to the known total
``sum_j h_j = H`` by the best linear unbiased correction ``y_j - v_j (sum y - R) / sum v`` (``v_j``
their variances, ``R`` the exact remainder); the covariance becomes ``diag(v) - v v' / sum v``. With
``H``, ``h_0`` and ``h_{N-1}`` exact, ``TC = N h_0 - H`` and ``DTC = H - N h_{N-1}`` carry no sampling
error at all.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np

from ..arithmetic import arithmetic, to_float
from ..errors import ModelTooLargeError, SymschedError
from ..models.base import DiscreteModel
from ..models.bayesian import BayesianNetwork
from ..models.chains import HiddenMarkovModel
from ..models.markov import MarkovRandomField
from . import batched
from .batched import BatchOracle, batch_means, entropy_of, mrf_elimination_width, progress_bar
from .gibbs import gibbs_profile
from .elimination import bn_log_marginal, hmm_log_marginal
from .profile import InformationProfile

__all__ = ["montecarlo_profile", "sample_exact", "DEFAULT_STDERR", "JOINT_TABLE_LIMIT", "EXACT_PIECES_BUDGET"]

DEFAULT_STDERR = 0.01
#: Joint tables up to this many entries are used directly for sampling and marginals.
JOINT_TABLE_LIMIT = 2 ** 20
DEFAULT_MAX_SAMPLES = 20_000
#: Largest total number of marginal-table entries spent on one exact piece (h_0, h_1, h_{N-1}, H).
EXACT_PIECES_BUDGET = 200_000
#: Largest number of variable-elimination steps (one per variable summed out of one batched ``log p(x_A)``)
#: the smallest Monte Carlo run on a Markov random field may take (~8 us each: a few minutes).
MRF_ELIMINATION_STEPS_BUDGET = 2 * 10 ** 7


class _Oracle:
    """Draws samples of ``X ~ p`` and evaluates ``log p(x_A)`` for one model."""

    def __init__(self, model: DiscreteModel, rng: np.random.Generator):
        self.model, self.rng, self.n = model, rng, model.N
        self._cache: dict = {}
        if model.joint_size() <= JOINT_TABLE_LIMIT:
            self.joint = model.joint("float")
            self.kind = "joint"
        elif isinstance(model, BayesianNetwork):
            self.kind = "bn"
            self.factors = [(vs, np.asarray(a, dtype=float)) for vs, a in model.factors(arithmetic("float"))]
            self.order = [model.index_of(v) for v in nx.topological_sort(model)]
            self.cpd = {model.index_of(v): (tuple(model.index_of(p) for p in model.cpd(v)[0]),
                                            np.asarray(model.cpd(v)[1], dtype=float)) for v in model.nodes}
        elif isinstance(model, HiddenMarkovModel):
            self.kind = "hmm"
        elif isinstance(model, MarkovRandomField):
            self.kind = "mrf"  # variable elimination in the log domain, exact backward sampling
            self.mrf = BatchOracle(model, -1)
        else:
            raise ModelTooLargeError(
                f"Monte Carlo for {type(model).__name__} with N={model.N} needs its joint table "
                f"({model.joint_size():.3g} entries) to sample and evaluate marginals; only Bayesian networks and "
                "hidden Markov models and Markov random fields are handled beyond that", model.joint_size(),
                JOINT_TABLE_LIMIT,
                "reduce the model, or express it as a BayesianNetwork")

    def sample(self, size: int) -> np.ndarray:
        if self.kind == "joint":
            flat = self.rng.choice(self.joint.size, size=size, p=self.joint.ravel() / self.joint.sum())
            return np.stack(np.unravel_index(flat, self.joint.shape), axis=1)
        if self.kind == "mrf":
            return self.mrf.sample(self.rng, size)
        if self.kind == "bn":
            x = np.zeros((size, self.n), dtype=np.int64)
            for v in self.order:
                parents, table = self.cpd[v]
                probs = (table[tuple(x[:, p] for p in parents)] if parents
                         else np.broadcast_to(table, (size, len(table))))
                x[:, v] = _categorical(self.rng, probs)
            return x
        m = self.model
        x = np.zeros((size, self.n), dtype=np.int64)
        init = np.asarray(m.initial_distribution, float)
        z = _categorical(self.rng, np.broadcast_to(init, (size, len(init))))
        for t in range(self.n):
            if t > 0:
                z = _categorical(self.rng, np.asarray(m.transition_matrices[t - 1], float)[z])
            x[:, t] = _categorical(self.rng, np.asarray(m.emission_matrices[t], float)[z])
        return x

    def log_marginal(self, subset: tuple, values: tuple) -> float:
        if not subset:
            return 0.0
        if self.kind == "joint":
            table = self._cache.get(subset)
            if table is None:
                drop = tuple(k for k in range(self.n) if k not in subset)
                table = self.joint.sum(axis=drop) if drop else self.joint
                if len(self._cache) < 4096:
                    self._cache[subset] = table
            p = table[values]
            return math.log(p) if p > 0 else -math.inf
        if self.kind == "mrf":
            row = np.zeros((1, self.n), dtype=np.int64)
            row[0, list(subset)] = values
            return float(self.mrf.log_marginal(subset, row)[0])
        evidence = dict(zip(subset, values))
        if self.kind == "bn":
            return bn_log_marginal(self.model, self.factors, evidence)
        return hmm_log_marginal(self.model, evidence)


    # -- exact marginal tables (small subsets) -----------------------------------------------------
    def table_cost(self, subset: tuple) -> int:
        return math.prod(self.model.cardinalities[k] for k in subset)

    def marginal_entropy(self, subset: tuple) -> float:
        """``H(X_A)`` from the exact marginal table of ``A`` (joint sums, or one elimination per cell)."""
        subset = tuple(sorted(subset))
        if not subset:
            return 0.0
        if self.kind == "joint":
            drop = tuple(k for k in range(self.n) if k not in subset)
            p = (self.joint.sum(axis=drop) if drop else self.joint).ravel()
        elif self.kind == "bn" and (table := self._bn_table(subset)) is not None:
            p = table.ravel()
        else:
            cards = [self.model.cardinalities[k] for k in subset]
            p = np.array([math.exp(self.log_marginal(subset, cell)) for cell in np.ndindex(*cards)])
        p = p[p > 0]
        return float(-(p * np.log(p)).sum())

    def _bn_table(self, subset: tuple) -> np.ndarray | None:
        """The marginal table of ``subset`` in one contraction of its ancestors' CPDs (barren nodes sum
        to one), or None when those carry more variables than ``einsum`` can label."""
        names = self.model.variables
        keep = set(subset)
        for v in subset:
            keep |= {self.model.index_of(a) for a in nx.ancestors(self.model, names[v])}
        if len(keep) > 52:
            return None
        relevant = [(vs, a) for vs, a in self.factors if vs[-1] in keep]
        remap = {u: k for k, u in enumerate(sorted(keep))}
        operands: list = []
        for vs, a in relevant:
            operands += [a, [remap[u] for u in vs]]
        return np.einsum(*operands, [remap[u] for u in subset], optimize="greedy")

    def markov_blanket(self, i: int) -> tuple:
        """Indices of the Markov blanket of variable ``i`` (Bayesian networks), else ``None``."""
        if self.kind == "joint" or not isinstance(self.model, BayesianNetwork):
            return None
        m, v = self.model, self.model.variables[i]
        blanket = set(m.predecessors(v)) | set(m.successors(v))
        for c in m.successors(v):
            blanket |= set(m.predecessors(c))
        blanket.discard(v)
        return tuple(sorted(m.index_of(u) for u in blanket))

    def exact_pieces(self, budget: int) -> tuple[dict, float | None]:
        """Exact ``{j: h_j}`` for j in {0, 1, N-1} and the exact entropy ``H`` (None) where affordable."""
        n, out, H = self.n, {}, None
        cards = self.model.cardinalities
        singles = [(k,) for k in range(n)]
        if sum(map(self.table_cost, singles)) <= budget:
            e1 = sum(self.marginal_entropy(s) for s in singles) / n
            out[0] = e1
            pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
            if n >= 2 and sum(map(self.table_cost, pairs)) <= budget:
                out[1] = sum(self.marginal_entropy(s) for s in pairs) / len(pairs) - e1
        if self.kind == "joint":
            p = self.joint.ravel()
            p = p[p > 0]
            H = float(-(p * np.log(p)).sum())
            if n >= 2:
                out[n - 1] = H - sum(self.marginal_entropy(tuple(k for k in range(n) if k != i))
                                     for i in range(n)) / n
        elif self.kind == "bn":
            fams = [tuple(sorted(set(self.cpd[i][0]) | {i})) for i in range(n)]
            if sum(self.table_cost(f) for f in fams) <= budget:
                H = sum(self.marginal_entropy(f) - self.marginal_entropy(self.cpd[i][0]) for i, f in enumerate(fams))
            blankets = [self.markov_blanket(i) for i in range(n)]
            if n >= 2 and sum(self.table_cost(b) * (1 + cards[i]) for i, b in enumerate(blankets)) <= budget:
                out[n - 1] = sum(self.marginal_entropy(b + (i,)) - self.marginal_entropy(b)
                                 for i, b in enumerate(blankets)) / n
        if n == 1 and H is not None:
            out[0] = H
        return out, H


def sample_exact(model: DiscreteModel, n: int, seed: Any = None) -> np.ndarray:
    """``n`` independent draws of ``X ~ p``: an int array of shape ``(n, N)`` of state indices.

    From the joint table when it has at most 2^20 entries, by ancestral sampling for larger Bayesian
    networks, by the hidden chain for hidden Markov models and by backward sampling along a variable
    elimination order for Markov random fields.

    Examples
    --------
    >>> import symsched as ss
    >>> x = ss.sample_exact(ss.copy_model(3, 2), 5, seed=0)
    >>> x.shape, bool((x == x[:, :1]).all())
    ((5, 3), True)
    """
    if not isinstance(model, DiscreteModel):
        raise SymschedError(f"sample_exact: expected a symsched model, got {type(model).__name__}")
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise SymschedError(f"sample_exact: n must be a positive integer, got {n!r}")
    return _Oracle(model, np.random.default_rng(seed)).sample(int(n))


def _categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    cum = np.cumsum(probs, axis=-1)
    u = rng.random(probs.shape[0]) * cum[:, -1]
    return np.minimum((cum < u[:, None]).sum(axis=1), probs.shape[1] - 1)


def montecarlo_profile(model: DiscreteModel, stderr: float | None = None, seed: Any = None,
                       samples: int | None = None, base: Any = None,
                       exact_pieces: bool = True, workers: Any = None,
                       time_budget: float | None = None, progress: bool | None = None) -> InformationProfile:
    """Monte Carlo estimate of the information profile, with a standard error per ``h_j``.

    Parameters
    ----------
    model : DiscreteModel
    stderr : float
        Target standard error per ``h_j`` in nats (default 0.01); draws stop once it is met.
    seed : int or numpy Generator, optional
    samples : int, optional
        Cap on draws per ``j`` (default 20000); when it binds, the reported stderr is above target.
    base : number, optional
        Logarithm base of the result.
    exact_pieces : bool
        Compute ``h_0``, ``h_1``, ``h_{N-1}`` and ``H`` exactly where their marginal tables are small
        (default True; see the module docstring).
    workers : int or dask.distributed.Client, optional
        Run the batches on that many local processes or on a dask cluster; the same ``seed`` gives the
        same numbers whatever the workers (per-batch seeds, fixed rounds: :mod:`symsched.info.batched`).
    time_budget : float, optional
        Seconds after which sampling stops (at the end of a round) even where the target is not met;
        the standard errors then say how far it got.  Results then depend on the machine's speed.
    progress : bool, optional
        A tqdm bar over the sampled sizes (default: on beyond joint tables, when tqdm is installed).

    Returns
    -------
    InformationProfile
        ``exact=False``, ``method="montecarlo"`` (``"montecarlo (h_0, h_1, ..., H without sampling
        error)"`` naming the pieces computed exactly); ``stderr`` holds the per-``h_j`` standard errors (0 for
        exact entries) and ``covariance`` their covariance; ``e`` is the cumulative sum of ``h``.  A Markov random
        field whose elimination width is over budget gives ``method="montecarlo (gibbs)"`` with batch-means standard
        errors and diagnostic ``notes`` (:func:`symsched.info.gibbs.gibbs_profile`).

    Examples
    --------
    >>> import symsched as ss
    >>> prof = ss.information_profile(ss.copy_model(3, 2), method="montecarlo", seed=0)
    >>> [round(x, 6) for x in prof.h], prof.exact
    ([0.693147, 0.0, 0.0], False)
    """
    target = DEFAULT_STDERR if stderr is None else float(stderr)
    if not target > 0:
        raise SymschedError(f"stderr must be a positive target in nats, got {stderr!r}")
    cap = DEFAULT_MAX_SAMPLES if samples is None else int(samples)
    if cap < 2:
        raise SymschedError(f"samples must be >= 2, got {samples!r}")
    if (isinstance(model, MarkovRandomField) and model.joint_size() > JOINT_TABLE_LIMIT
            and mrf_elimination_width(model) > batched.MRF_ELIMINATION_BUDGET):
        return gibbs_profile(model, stderr=target, seed=seed, samples=cap, base=base, workers=workers,
                             time_budget=time_budget, progress=progress)
    if isinstance(model, MarkovRandomField) and model.joint_size() > JOINT_TABLE_LIMIT:
        # every batch of size j evaluates N - j + 1 marginals, each one elimination over up to N variables
        # (Python steps, whatever the batch size); the exact pieces add N * K more
        least = min(batched.MIN_BATCHES, max(2, math.ceil(cap / batched.BATCH_SIZE)))
        n = model.N
        steps = n * (least * sum(n - j + 1 for j in range(n)) + sum(model.cardinalities))
        if steps > MRF_ELIMINATION_STEPS_BUDGET:
            raise ModelTooLargeError(
                f"Monte Carlo by variable elimination on this Markov random field (N={n}: {least} batches per size, "
                "each N - j + 1 eliminations)", steps, MRF_ELIMINATION_STEPS_BUDGET,
                "reduce the model, or sample it by Gibbs without elimination: symsched.info.gibbs.gibbs_profile(model, "
                "stderr=...)")
    entropy = entropy_of(seed)  # every batch's seed derives from it (the same numbers on any workers)
    oracle = _Oracle(model, np.random.default_rng(entropy))
    scale = 1.0 if base is None else 1.0 / math.log(to_float(base, "base"))
    N = model.N
    known, H = oracle.exact_pieces(EXACT_PIECES_BUDGET) if exact_pieces else ({}, None)
    h, var = np.zeros(N), np.zeros(N)
    for j, v in known.items():
        h[j] = v
    # sampled sizes: batches of samples vectorised (ancestral sampling, one contraction per marginal),
    # every i outside a random T per batch (see symsched.info.batched)
    todo = [j for j in range(N) if j not in known]
    if todo:
        batches = BatchOracle(model, JOINT_TABLE_LIMIT)
        bar = progress_bar(progress, batches.kind != "joint", len(todo), "Monte Carlo sizes", "size")
        try:
            means = batch_means(batches, todo, target / scale, cap, entropy, workers=workers,
                                time_budget=time_budget,
                                progress=None if bar is None else (lambda done, total: bar.update(done - bar.n)))
        finally:
            if bar is not None:
                bar.close()
        for j, (mean, err, _) in means.items():
            h[j], var[j] = mean, err ** 2
    sampled = [j for j in range(N) if j not in known]
    cov = np.diag(var)
    if H is not None and sampled:
        # Best linear unbiased adjustment to the exact total (see the module docstring).
        R = H - sum(known.values())
        V = float(var[sampled].sum())
        if V > 0:
            h[sampled] -= var[sampled] * (float(h[sampled].sum()) - R) / V
            cov -= np.outer(var, var) / V
        else:
            h[sampled] += (R - float(h[sampled].sum())) / len(sampled)
    h, cov = h * scale, cov * scale ** 2
    se = np.sqrt(np.maximum(cov.diagonal(), 0.0))
    pieces = [f"h_{j}" if j < N - 1 or N <= 2 else "h_{N-1}" for j in sorted(known)] + (["H"] if H is not None else [])
    # Named without the word "exact": the profile as a whole is an estimate.
    label = "montecarlo" + (f" ({', '.join(pieces)} without sampling error)" if pieces else "")
    e = tuple(float(x) for x in np.concatenate([[0.0], np.cumsum(h)]))
    return InformationProfile(tuple(float(x) for x in h), e, e[-1], "float", label, base,
                              tuple(float(x) for x in se), exact=False, covariance=cov)
