"""Monte Carlo information profiles with standard errors, exact where exactness stays cheap.

``h_j = E[-log p(X_i | X_T)]`` with ``X ~ p``, ``T`` uniform of size ``j`` and ``i`` uniform outside
``T``: each draw gives an unbiased sample of ``h_j``; draws continue until the standard error reaches
the target (or the cap on samples).  ``log p(x_A)`` comes from the joint table when it is small, from
variable elimination on a Bayesian network's CPDs (ancestors of ``A`` only), from a forward pass
for a hidden Markov model, or, for a Markov random field, from variable elimination on its factors in
the log domain (``log Z`` once, then ``A``'s values fixed) with exact samples by backward sampling along
the elimination order; a field whose elimination width exceeds
:data:`symsched.info.estimators.batched.MRF_ELIMINATION_BUDGET` is estimated by Gibbs sampling instead
(:func:`symsched.info.estimators.gibbs.gibbs_profile`: outer chains for ``X ~ p``, conditional inner chains with
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

import dataclasses
import math
from typing import Any

import numpy as np

from ...values import to_float
from ...errors import ModelTooLargeError, SymschedError
from ...models.base import DiscreteModel
from ...models.bayesian import BayesianNetwork
from ...models.markov import MarkovRandomField
from . import batched
from .batched import mrf_elimination_width
from .engine import montecarlo_options
from .gibbs import gibbs_profile
from ..exact.junction import exact_pieces as junction_exact_pieces
from ..oracles import BayesianNetworkOracle, ModelOracle
from ..profile import InformationProfile

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
    """The adaptive samplers' view of a model oracle: a bound generator, one row at a time.

    Kept for :mod:`symsched.samplers.adaptive` until it uses :func:`symsched.info.oracles.oracle_for`
    directly; new code should use that."""

    def __init__(self, model: DiscreteModel, rng: np.random.Generator):
        self.model, self.rng, self.n = model, rng, model.N
        self.oracle = _oracle(model)
        self.kind = self.oracle.kind

    def sample(self, size: int) -> np.ndarray:
        return self.oracle.sample(self.rng, int(size))

    def log_marginal(self, subset: tuple, values: tuple) -> float:
        if not subset:
            return 0.0
        row = np.zeros((1, self.n), dtype=np.int64)
        row[0, list(subset)] = values
        return float(self.oracle.log_marginal(subset, row)[0])


def _oracle(model: DiscreteModel) -> ModelOracle:
    try:
        return batched.BatchOracle(model, JOINT_TABLE_LIMIT)
    except ModelTooLargeError as exc:
        if isinstance(model, MarkovRandomField):
            raise
        raise ModelTooLargeError(
            f"Monte Carlo for {type(model).__name__} with N={model.N} needs its joint table "
            f"({model.joint_size():.3g} entries) to sample and evaluate marginals; beyond it only the families "
            "with a model oracle are handled (Bayesian networks, Markov chains, hidden Markov models, Markov "
            "random fields, exchangeable and independent tokens)", model.joint_size(), JOINT_TABLE_LIMIT,
            "reduce the model, or express it as a BayesianNetwork") from exc


def marginal_entropy(oracle: ModelOracle, subset: tuple) -> float:
    """``H(X_A)`` from the exact marginal table of ``A`` (the family's table, or one batched marginal over
    every cell of ``A``)."""
    subset = tuple(sorted(subset))
    if not subset:
        return 0.0
    table = oracle.marginal_table(subset)
    if table is not None:
        p = np.asarray(table, dtype=float).ravel()
    else:
        cells = np.array(list(np.ndindex(*[oracle.cards[k] for k in subset])), dtype=np.int64)
        rows = np.zeros((len(cells), oracle.n), dtype=np.int64)
        rows[:, list(subset)] = cells
        p = np.exp(oracle.log_marginal(subset, rows))
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def _exact_pieces(oracle: ModelOracle, budget: int) -> tuple[dict, float | None]:
    """Exact ``{j: h_j}`` for j in {0, 1, N-1} and the exact entropy ``H`` (None) where affordable."""
    n, out = oracle.n, {}
    cards = oracle.cards
    if oracle.kind != "joint":  # a network or field: all pieces from one calibrated junction tree
        got = junction_exact_pieces(oracle.model, blanket_budget=budget)
        if got is not None:
            return got

    def cost(subset):
        return math.prod(cards[k] for k in subset)

    singles = [(k,) for k in range(n)]
    if sum(map(cost, singles)) <= budget:
        e1 = sum(marginal_entropy(oracle, s) for s in singles) / n
        out[0] = e1
        pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
        if n >= 2 and sum(map(cost, pairs)) <= budget:
            out[1] = sum(marginal_entropy(oracle, s) for s in pairs) / len(pairs) - e1
    H = oracle.exact_entropy()
    if oracle.kind == "joint":
        if n >= 2:
            out[n - 1] = H - sum(marginal_entropy(oracle, tuple(k for k in range(n) if k != i))
                                 for i in range(n)) / n
    elif isinstance(oracle.model, BayesianNetwork):
        if oracle.kind != "bn":   # a Markov chain: its CPD tables give the family pieces
            oracle = BayesianNetworkOracle(oracle.model)
        fams = [tuple(sorted(set(oracle.parents[i]) | {i})) for i in range(n)]
        if sum(cost(f) for f in fams) <= budget:
            H = sum(marginal_entropy(oracle, f) - marginal_entropy(oracle, oracle.parents[i])
                    for i, f in enumerate(fams))
        blankets = [oracle.markov_blanket(i) for i in range(n)]
        if n >= 2 and sum(cost(b) * (1 + cards[i]) for i, b in enumerate(blankets)) <= budget:
            out[n - 1] = sum(marginal_entropy(oracle, b + (i,)) - marginal_entropy(oracle, b)
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
    return _oracle(model).sample(np.random.default_rng(seed), int(n))


def montecarlo_profile(model: DiscreteModel, stderr: float | None = None, seed: Any = None,
                       samples: int | None = None, base: Any = None,
                       exact_pieces: bool = True, workers: Any = None,
                       time_budget: float | None = None, progress: bool | None = None,
                       budget: float | None = None) -> InformationProfile:
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
        same numbers whatever the workers (per-batch seeds, fixed rounds: :mod:`symsched.info.estimators.batched`).
    time_budget : float, optional
        Seconds after which sampling stops (at the end of a round) even where the target is not met;
        the standard errors then say how far it got.  Results then depend on the machine's speed.
    progress : bool, optional
        A tqdm bar over the batches (default: on beyond joint tables, when tqdm is installed).
    budget : float, optional
        Estimated operations (about a nanosecond each) the sampling may spend: refused before any work when
        even the smallest run (32 batches per size) exceeds it, and sampling stops once it is spent
        (default 2e11; 1.6e11 on a Markov random field by elimination).

    Returns
    -------
    InformationProfile
        ``exact=False``, ``method="montecarlo"`` (``"montecarlo (h_0, h_1, ..., H without sampling
        error)"`` naming the pieces computed exactly); ``stderr`` holds the per-``h_j`` standard errors (0 for
        exact entries) and ``covariance`` their covariance; ``e`` is the cumulative sum of ``h``.  A Markov random
        field whose elimination width is over budget gives ``method="montecarlo (gibbs)"`` with batch-means standard
        errors and diagnostic ``notes`` (:func:`symsched.info.estimators.gibbs.gibbs_profile`).

    Examples
    --------
    >>> import symsched as ss
    >>> prof = ss.information_profile(ss.copy_model(3, 2), method="montecarlo", seed=0)
    >>> [round(x, 6) for x in prof.h], prof.exact
    ([0.693147, 0.0, 0.0], False)
    """
    exact_pieces_on = exact_pieces
    where = "information_profile(method='montecarlo')"
    opts = montecarlo_options(where, stderr=stderr, samples=samples, seed=seed, budget=budget,
                              time_budget=time_budget, workers=workers, progress=progress,
                              default_samples=DEFAULT_MAX_SAMPLES)
    if (isinstance(model, MarkovRandomField) and model.joint_size() > JOINT_TABLE_LIMIT
            and mrf_elimination_width(model) > batched.MRF_ELIMINATION_BUDGET):
        return gibbs_profile(model, stderr=opts.target, seed=seed, samples=opts.cap, base=base, workers=workers,
                             time_budget=time_budget, progress=progress)
    oracle = _oracle(model)
    scale = 1.0 if base is None else 1.0 / math.log(to_float(base, "base"))
    N = model.N
    known, H = _exact_pieces(oracle, EXACT_PIECES_BUDGET) if exact_pieces_on else ({}, None)
    h, cov = np.zeros(N), np.zeros((N, N))
    for j, v in known.items():
        h[j] = v
    todo = [j for j in range(N) if j not in known]
    if todo:
        route = batched.ProfileRoute(oracle, todo)
        if isinstance(model, MarkovRandomField) and opts.budget is None and oracle.kind == "mrf":
            route.default_budget = MRF_ELIMINATION_STEPS_BUDGET * 8e3
            route.budget_hint = ("reduce the model, raise budget=, or sample it by Gibbs without elimination: "
                                 "symsched.info.gibbs.gibbs_profile(model, stderr=...)")
        run = route.run(dataclasses.replace(opts, target=opts.target / scale))
        for k, j in enumerate(todo):
            h[j] = run.mean[k]
        cov[np.ix_(todo, todo)] = run.covariance
    if H is not None and todo:
        # Best linear unbiased adjustment to the exact total (see the module docstring): the correction
        # y - C 1 (1' y - R) / (1' C 1), covariance C - C 1 1' C / (1' C 1)
        R = H - sum(known.values())
        c1 = cov.sum(axis=1)
        V = float(c1.sum())
        if V > 0:
            h -= c1 * (float(h[todo].sum()) - R) / V
            cov -= np.outer(c1, c1) / V
        else:
            h[todo] += (R - float(h[todo].sum())) / len(todo)
    h, cov = h * scale, cov * scale ** 2
    se = np.sqrt(np.maximum(cov.diagonal(), 0.0))
    pieces = [f"h_{j}" if j < N - 1 or N <= 2 else "h_{N-1}" for j in sorted(known)] + (["H"] if H is not None else [])
    # Named without the word "exact": the profile as a whole is an estimate.
    label = "montecarlo" + (f" ({', '.join(pieces)} without sampling error)" if pieces else "")
    e = tuple(float(x) for x in np.concatenate([[0.0], np.cumsum(h)]))
    return InformationProfile(tuple(float(x) for x in h), e=e, entropy=e[-1], precision="float", method=label,
                              base=base,
                              stderr=tuple(float(x) for x in se), exact=False, covariance=cov)
