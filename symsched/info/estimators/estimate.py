"""Information profiles estimated from data: an array of samples, shape ``(n_samples, N)``.

Every route returns an estimate (``exact`` False) with the covariance of its ``h_j`` from a bootstrap over
the rows (``bootstrap`` resamples; it measures sampling variance, not bias), combined with the error of
sampling the subsets when not all subsets of a size are used (each ``e_j`` enters ``h_{j-1}`` and ``h_j``
with opposite signs).  Every derived number (``H``, TC, DTC, the expected KL of a schedule) takes its
standard error from this covariance (docs/uncertainty.md).

Entropies of empirical subset marginals (``h_j = e_{j+1} - e_j``, ``e_j`` the mean over ``j``-subsets)
    ``"plugin"``
        The empirical entropy.  Biased low, by about ``(m - 1) / (2 n)`` nats for a marginal with ``m``
        observed values and ``n`` rows, and much more once ``m`` is comparable to ``n``.  Its values are kept;
        the bootstrap's estimate of the bias enters its covariance as a systematic allowance.
    ``"miller-madow"``
        Plug-in plus ``(m - 1) / (2 n)`` (Miller 1955).  (``miller_madow=True`` with ``"plugin"`` is the same.)
    ``"chao-shen"``
        The coverage-adjusted Horvitz–Thompson estimator of Chao & Shen (2003, Environ. Ecol. Stat. 10:429):
        ``p̂_k = C n_k / n`` with the Good–Turing coverage ``C = 1 - f_1 / n`` (``f_1`` singletons), and
        ``Ĥ = -Σ_k p̂_k log p̂_k / (1 - (1 - p̂_k)^n)``.  Chosen over NSB (needs a numerical integral over a
        Dirichlet mixture and a known alphabet size, which the joint alphabet of a subset of tokens is not)
        and over Grassberger's digamma estimator because it also corrects for unseen configurations,
        which dominate large subsets.  The tests check it against the ``infomeasure`` library's
        implementation when that is installed.
Model-based (fit a model, then its exact profile)
    ``"markov"``
        A Markov chain of order ``k`` (pooled over positions with ``homogeneous=True``) fitted by
        maximum likelihood; ``k`` in ``0..max_order`` minimises BIC ``= -2 log L + d log(n N)`` (``d`` free
        parameters, ``n N`` observed symbols; Katz 1981, Csiszár & Shields 2000) or AIC ``= -2 log L + 2 d``,
        unless ``order=`` fixes it.  Orders 0 and 1 use the O(N^2) chain route; higher orders are Bayesian
        networks on the general exact route (small ``N`` only).
    ``"bayesian-network"``
        A structure learned with pgmpy's hill climbing on the BIC score (optional dependency), parameters
        by maximum likelihood, then its exact profile.  The bootstrap refits the parameters on the
        learned structure: it does not include the uncertainty of the structure.
A configuration of parents never seen gets a uniform conditional row (it has probability 0 in the fit).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from itertools import combinations
from typing import Any

import numpy as np
import sympy as sp

from ...errors import ModelTooLargeError, SymschedError
from ...models.bayesian import BayesianNetwork
from ...models.chains import markov_chain
from ...models.families import independent
from ...results import Estimate
from ...validation import check_log_base, data_rows
from ..denoisers.denoiser import salted_rng
from .engine import MonteCarloOptions, MonteCarloRoute, montecarlo_options
from ..measures import information_profile
from ..profile import InformationProfile
from ..progress import WorkProgress

__all__ = ["estimate_profile", "estimate_with_errors", "estimate_replicates", "estimate_measures",
           "entropy_from_counts", "fit_markov_chain", "sample_adequacy", "DATA_METHODS", "ENTROPY_ESTIMATORS",
           "DEFAULT_DATA_METHOD", "resolve_data_method"]


def _rows_and_cards(samples: Any, cardinalities: Any) -> tuple[np.ndarray, tuple]:
    """The rows as an int array ``(n, N)`` and each column's cardinality (given, or the largest value + 1),
    checked against the rows; ``samples`` may also be a pair ``(rows, cardinalities)``."""
    samples, pair_cards = data_rows(samples, "estimate_profile")
    cardinalities = pair_cards if cardinalities is None else cardinalities
    x = _as_samples(samples)
    N = x.shape[1]
    cards = tuple(int(c) for c in (x.max(axis=0) + 1 if cardinalities is None else cardinalities))
    if len(cards) != N or any(int(x[:, i].max()) >= cards[i] for i in range(N)):
        raise SymschedError(f"cardinalities {cards} do not fit the samples' columns (N = {N})")
    return x, cards


def _as_samples(samples: Any) -> np.ndarray:
    try:
        arr = np.asarray(samples)
    except ValueError:  # ragged rows
        raise SymschedError("samples: expected an array of shape (n_samples, N), got rows of different "
                            "lengths") from None
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise SymschedError(f"samples: expected an array of shape (n_samples, N), got shape {arr.shape}")
    if arr.dtype.kind not in "iub":
        if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise SymschedError("samples: expected integer state indices")
    if arr.min() < 0:
        raise SymschedError(f"samples: negative state index {int(arr.min())}")
    return arr.astype(np.int64)


def estimate_profile(samples: Any, method: str = "auto", *, cardinalities: Any = None,
                     miller_madow: bool = False, subsets_per_size: int = 200, seed: Any = None,
                     homogeneous: bool = False, base: Any = None, **options: Any) -> InformationProfile:
    """Estimate the information profile from samples, with standard errors (an estimate: ``exact`` False).

    Parameters
    ----------
    samples : array_like, shape (n_samples, N)
        Integer state indices, or the ``(rows, states)`` pair of :func:`~symsched.read_data` /
        :func:`~symsched.load_dataset` (its states fix ``cardinalities``).
    method : {"auto", "plugin", "miller-madow", "chao-shen", "markov", "bayesian-network"}
        ``"auto"`` (the default, :data:`DEFAULT_DATA_METHOD`) checks whether the rows cover their patterns
        (:func:`sample_adequacy`) and picks Miller-Madow subset entropies or a homogeneous Markov chain (order by
        BIC, at least 1), or refuses; the result's ``notes`` say which and why.  See
        :func:`estimate_with_errors` (which also lists the further ``options``: ``order``, ``max_order``,
        ``criterion``, ``bootstrap``, ``max_indegree``, ``max_cost``).
    cardinalities : sequence of int, optional
        State counts (default: ``max + 1`` per column).
    miller_madow : bool
        Add the Miller–Madow bias correction to each plug-in entropy.
    subsets_per_size : int
        All subsets of a size when there are at most this many, else this many at random.
    seed : optional
        For the bootstrap and the random subsets.
    homogeneous : bool
        ``"markov"``: one transition matrix for all steps.
    base : number, optional

    Examples
    --------
    >>> import numpy as np, symsched as ss
    >>> x = np.array([[0, 0], [1, 1], [0, 0], [1, 1]])
    >>> prof = ss.estimate_profile(x, "plugin", seed=0)
    >>> [round(v, 6) for v in prof.h], prof.method
    ([0.693147, 0.0], 'estimate (plugin, all subsets)')
    >>> rows = ss.sample_exact(ss.binary_symmetric_chain(40, 0.1), 300, seed=0)   # every row seen once
    >>> ss.estimate_profile(rows, seed=0, bootstrap=4).method
    'estimate (markov order 1, BIC, at least 1, homogeneous)'
    """
    x, cards = _rows_and_cards(samples, cardinalities)
    if method in DATA_METHODS + ("auto",):  # the estimators with standard errors: estimate_with_errors
        return estimate_with_errors(x, method, cardinalities=cards, miller_madow=miller_madow,
                                    subsets_per_size=subsets_per_size, seed=seed, homogeneous=homogeneous,
                                    base=base, **options)
    raise SymschedError(f"method must be one of {DATA_METHODS + ('auto',)}, got {method!r}")


# -- estimators with standard errors (issue 17) -------------------------------------------------------

ENTROPY_ESTIMATORS = ("plugin", "miller-madow", "chao-shen")
DATA_METHODS = ENTROPY_ESTIMATORS + ("markov", "bayesian-network")
#: The default estimator of :func:`estimate_profile` (and of the command line): ``"auto"`` checks the sample's
#: adequacy (:func:`sample_adequacy`) and uses subset entropies with the Miller-Madow correction when the
#: rows cover their patterns, else a homogeneous Markov chain with its order chosen by BIC (at least 1); it
#: refuses when neither applies.  The result's ``notes`` say which estimator was used and why.
DEFAULT_DATA_METHOD = "auto"
#: Good-Turing coverage of the whole rows below which ``"auto"`` does not trust subset entropies.
MIN_COVERAGE = 0.9
#: Rows per distinct whole-row pattern below which ``"auto"`` does not trust subset entropies (measured: at 5
#: rows a pattern the Miller-Madow DTC of a 5-token chain is 1.7 standard errors off on average, at 15 0.6).
MIN_ROWS_PER_PATTERN = 10
CRITERIA = ("bic", "aic")
DEFAULT_BOOTSTRAP = 50
#: Default budget on (rows x subsets x (bootstrap + 1)) count updates of the subset estimators.
DEFAULT_DATA_COST = 5e9


def entropy_from_counts(counts: Any, estimator: str = "plugin") -> np.ndarray:
    """Entropy estimates (nats) from histograms: ``counts`` of shape ``(..., bins)`` (zeros allowed).

    Parameters
    ----------
    counts : array_like
        Non-negative counts; the last axis holds the bins of one histogram.
    estimator : {"plugin", "miller-madow", "chao-shen"}
        See the module docstring.

    Examples
    --------
    >>> round(float(entropy_from_counts([5, 5])), 6), round(float(entropy_from_counts([5, 5], "miller-madow")), 6)
    (0.693147, 0.743147)
    """
    if estimator not in ENTROPY_ESTIMATORS:
        raise SymschedError(f"estimator must be one of {ENTROPY_ESTIMATORS}, got {estimator!r}")
    c = np.asarray(counts, dtype=float)
    if c.ndim == 0 or (c < 0).any() or not np.all(np.isfinite(c)):
        raise SymschedError("counts: expected a non-negative finite array with the bins on the last axis")
    n = c.sum(axis=-1, keepdims=True)
    if (n <= 0).any():
        raise SymschedError("counts: a histogram with no observations has no entropy estimate")
    p = c / n
    logp = np.log(np.where(c > 0, p, 1.0))
    if estimator == "chao-shen":
        f1 = (c == 1).sum(axis=-1, keepdims=True)
        f1 = np.where(f1 >= n, n - 1, f1)  # all singletons: coverage would be 0 (Chao & Shen's adjustment)
        pa = (1 - f1 / n) * p
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(c > 0, -pa * np.log(np.where(c > 0, pa, 1.0)) / (1 - (1 - pa) ** n), 0.0)
        return terms.sum(axis=-1)
    h = -(p * logp).sum(axis=-1)
    if estimator == "miller-madow":
        h = h + ((c > 0).sum(axis=-1) - 1) / (2 * n[..., 0])
    return h


#: Numpy operations cost about this many element updates each in Python overhead (a subset's columns are
#: combined one at a time), so a thousand columns of fifty rows are not "50 updates" each.
_CALL_OVERHEAD = 500
#: Most entries of the bootstrap's (resamples x rows) weight matrix (8 bytes each).
MAX_BOOTSTRAP_ENTRIES = 10 ** 8


def _check_data_cost(n: int, N: int, method: str, subsets_per_size: int, reps: int, max_cost: float | None) -> None:
    """Refuse before allocating anything: the bootstrap's weight matrix, and for the subset estimators the
    work ``sum_j m_j (j + reps + 1) (n + overhead)`` (``m_j`` subsets of size ``j``: ``j`` columns combined,
    then ``reps + 1`` histograms)."""
    if reps * n > MAX_BOOTSTRAP_ENTRIES:
        raise ModelTooLargeError(f"estimate_profile: bootstrap = {reps} resamples of {n} rows (a weight matrix of "
                                 f"{reps * n:.3g} entries)", reps * n, MAX_BOOTSTRAP_ENTRIES,
                                 f"use bootstrap <= {max(2, MAX_BOOTSTRAP_ENTRIES // max(n, 1))} (50-200 resamples "
                                 "give standard errors to a few percent)")
    if method not in ENTROPY_ESTIMATORS:
        return
    budget = DEFAULT_DATA_COST if max_cost is None else float(max_cost)
    cost = float(sum(min(math.comb(N, j), subsets_per_size) * (j + reps + 1) for j in range(1, N + 1))) \
        * (n + _CALL_OVERHEAD)
    if cost > budget:
        raise ModelTooLargeError(f"estimate_profile({method!r}) on {n} rows and N = {N} columns with "
                                 f"subsets_per_size = {subsets_per_size} and bootstrap = {reps}", cost, budget,
                                 "lower subsets_per_size or bootstrap, use a model-based method "
                                 "(method='markov'), or raise max_cost")


def _bootstrap_weights(n: int, reps: int, rng: np.random.Generator) -> np.ndarray:
    """Row multiplicities of ``reps`` bootstrap resamples, shape (reps, n)."""
    return rng.multinomial(n, np.full(n, 1.0 / n), size=reps) if reps else np.zeros((0, n), dtype=np.int64)


#: Codes are ranked by counting (not sorting) while their range is at most this many times the rows.
_DENSE_CODES = 4


def _subset_codes(x: np.ndarray, T: list) -> tuple[np.ndarray, int]:
    """Inverse index of each row's configuration on the columns ``T`` and the number of configurations.

    Mixed-radix integer codes, re-numbered densely (``np.unique``) whenever the next column could overflow.
    """
    codes = np.zeros(len(x), dtype=np.int64)
    bound = 1
    for t in T:
        col = x[:, t]
        radix = int(col.max()) + 1
        if bound * radix >= 2 ** 62:
            _, codes = np.unique(codes, return_inverse=True)
            codes = codes.ravel().astype(np.int64)
            bound = int(codes.max()) + 1
        codes = codes * radix + col
        bound *= radix
    if bound <= _DENSE_CODES * len(codes):
        # the rank of each code among the codes present, as np.unique's inverse, by counting: O(rows + bound)
        # instead of a sort (the subset route's main cost at 20000 rows)
        present = np.bincount(codes, minlength=bound) > 0
        rank = np.cumsum(present) - 1
        return rank[codes], int(rank[-1]) + 1
    _, inv = np.unique(codes, return_inverse=True)
    inv = inv.ravel()
    return inv, int(inv.max()) + 1


def _subset_route(x: np.ndarray, estimator: str, subsets_per_size: int, rng: np.random.Generator,
                  weights: np.ndarray, max_cost: float, bar: WorkProgress) -> tuple:
    """(h, stderr, all_subsets) from the subset estimators with bootstrap weights."""
    n, N = x.shape
    sizes = [min(math.comb(N, j), subsets_per_size) for j in range(1, N + 1)]
    cost = float(n) * sum(sizes) * (len(weights) + 1)
    if cost > max_cost:
        raise ModelTooLargeError(f"estimate_profile({estimator!r}) on {n} rows, N={N}, {sum(sizes)} subsets and "
                                 f"{len(weights)} bootstrap resamples", cost, max_cost,
                                 "lower subsets_per_size or bootstrap, use fewer rows, or raise max_cost")
    reps = len(weights)
    # the random subsets drawn first, size by size, in the order they always were; then each size is one batch
    # of the Monte Carlo skeleton
    per_size = []
    for j in range(1, N + 1):
        if math.comb(N, j) <= subsets_per_size:
            per_size.append(([list(T) for T in combinations(range(N), j)], False))
        else:
            per_size.append(([sorted(rng.choice(N, size=j, replace=False).tolist()) for _ in range(subsets_per_size)],
                             True))
    all_subsets = not any(sampled for _, sampled in per_size)
    rows = _replicates(SubsetSizesRoute(x, estimator, per_size, weights, bar), N)
    e = [0.0] + rows[:, 0].tolist()
    e_sub_var = [0.0] + rows[:, 1].tolist()
    e_boot = [np.zeros(reps)] + list(rows[:, 2:])
    h = [e[j + 1] - e[j] for j in range(N)]
    boot_h = np.stack([e_boot[j + 1] - e_boot[j] for j in range(N)], axis=1) if reps else np.zeros((0, N))
    # h_j = e_{j+1} - e_j: the bootstrap covariance of the h_j, plus the subset-sampling variance of each e_j,
    # which enters h_{j-1} and h_j with opposite signs
    cov = _sample_cov(boot_h)
    D = np.zeros((N, N + 1))
    D[np.arange(N), np.arange(1, N + 1)], D[np.arange(N), np.arange(N)] = 1.0, -1.0
    cov = cov + D @ np.diag(e_sub_var) @ D.T
    if estimator == "plugin" and reps > 1:
        # the plug-in is biased low (about (m - 1) / (2 n) per marginal) and keeps its values: the bootstrap's
        # estimate of that bias, signed, enters the covariance as a systematic allowance (it adds up across j)
        bias = boot_h.mean(axis=0) - np.asarray(h)
        cov = cov + np.outer(bias, bias)
    return h, cov, all_subsets, boot_h


def _replicates(route: MonteCarloRoute, batches: int) -> np.ndarray:
    """The ``batches`` vectors of a route whose batches are fixed replicates (sizes, resamples), in order: no
    standard-error target, every batch runs, here (the route updates its :class:`WorkProgress` bar; the seed was
    used before, to draw the resamples and subsets up front as they always were)."""
    opts = montecarlo_options("estimate_profile", samples=max(2, batches), seed=0, progress=False)
    run = route.run(dataclasses.replace(opts, target=-1.0))
    return np.asarray(run.batch_means[0]).reshape(batches, -1)


class SubsetSizesRoute(MonteCarloRoute):
    """The subset estimators on the Monte Carlo skeleton: batch ``k`` is size ``j = k + 1``: its pre-drawn
    subsets' entropies on the data and on every bootstrap resample, as ``[mean entropy, its subset-sampling
    variance (0 when every subset is used), the resamples' mean entropies]``."""

    where = "estimate_profile"
    batch_size = 1
    min_batches = 1

    def __init__(self, x: np.ndarray, estimator: str, per_size: list, weights: np.ndarray, bar: WorkProgress):
        self.x, self.estimator, self.per_size, self.weights, self.bar = x, estimator, per_size, weights, bar
        self.n_terms = 2 + len(weights)

    def cap_batches(self, opts: MonteCarloOptions) -> int:
        return len(self.per_size)

    def batch(self, label: int, rng: Any) -> np.ndarray:
        subsets, sampled = self.per_size[self.batch_index]
        reps = len(self.weights)
        point, boot = [], []
        for T in subsets:
            inv, groups = _subset_codes(self.x, T)
            point.append(float(entropy_from_counts(np.bincount(inv, minlength=groups), self.estimator)))
            if reps:
                counts = np.stack([np.bincount(inv, weights=w, minlength=groups) for w in self.weights])
                boot.append(entropy_from_counts(counts, self.estimator))
        point_arr = np.asarray(point)
        var = float(point_arr.var(ddof=1) / len(point_arr)) if sampled and len(point_arr) > 1 else 0.0
        self.bar.update()
        return np.concatenate([[float(point_arr.mean()), var], np.mean(boot, axis=0) if reps else np.zeros(0)])


class RefitRoute(MonteCarloRoute):
    """The model-based estimators' bootstrap on the Monte Carlo skeleton: batch ``k`` refits the model on
    resample ``k`` (its row weights drawn up front) and returns the refitted model's exact profile."""

    where = "estimate_profile"
    batch_size = 1
    min_batches = 1

    def __init__(self, fit: Callable, weights: np.ndarray, N: int, bar: WorkProgress):
        self.fit, self.weights, self.bar, self.n_terms = fit, weights, bar, N

    def cap_batches(self, opts: MonteCarloOptions) -> int:
        return len(self.weights)

    def batch(self, label: int, rng: Any) -> np.ndarray:
        h = self.fit(self.weights[self.batch_index].astype(float))
        self.bar.update()
        return np.asarray(h, dtype=float)


def _sample_cov(boot: np.ndarray) -> np.ndarray:
    """Covariance of the columns of the replicates ``boot`` (``reps x N``); zeros with fewer than 2."""
    N = boot.shape[1]
    return np.atleast_2d(np.cov(boot, rowvar=False, ddof=1)).reshape(N, N) if len(boot) > 1 else np.zeros((N, N))


def _count_table(x: np.ndarray, child: int, parents: tuple, cards: tuple, weights: np.ndarray | None) -> np.ndarray:
    """Counts of (parents..., child) configurations, shape (card(P1), ..., card(child))."""
    shape = tuple(cards[p] for p in parents) + (cards[child],)
    flat = np.ravel_multi_index(tuple(x[:, p] for p in parents) + (x[:, child],), shape)
    return np.bincount(flat, weights=weights, minlength=math.prod(shape)).reshape(shape).astype(float)


def _conditional(counts: np.ndarray) -> np.ndarray:
    """Row-normalised counts; an unseen parent configuration gets the uniform row (probability 0 anyway)."""
    tot = counts.sum(axis=-1, keepdims=True)
    return np.where(tot > 0, counts / np.where(tot > 0, tot, 1.0), 1.0 / counts.shape[-1])


def _log_likelihood(counts: np.ndarray) -> float:
    tot = counts.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(counts > 0, counts * np.log(np.where(counts > 0, counts / np.where(tot > 0, tot, 1), 1)), 0)
    return float(terms.sum())


def _markov_parents(N: int, k: int) -> list:
    return [tuple(range(max(0, t - k), t)) for t in range(N)]


def _fit_counts(x: np.ndarray, cards: tuple, parents: list, homogeneous_order: int | None,
                weights: np.ndarray | None) -> list:
    """Count tables per position; with a homogeneous order k, positions t >= k share pooled counts."""
    tables = [_count_table(x, t, parents[t], cards, weights) for t in range(len(cards))]
    k = homogeneous_order
    if k is not None and len(cards) > k:
        pooled = sum(tables[k:])
        tables[k:] = [pooled] * (len(cards) - k)
    return tables


def _parameter_count(cards: tuple, parents: list, homogeneous_order: int | None) -> int:
    d = [math.prod(cards[p] for p in parents[t]) * (cards[t] - 1) for t in range(len(cards))]
    k = homogeneous_order
    return sum(d) if k is None or len(cards) <= k else sum(d[:k]) + d[k]


def _model_from_counts(tables: list, parents: list, cards: tuple):
    """The fitted model: a product (no parents), a first-order chain, or a Bayesian network."""
    N = len(cards)
    if all(not p for p in parents):
        return independent(marginals=[_conditional(t) for t in tables])
    if all(parents[t] == ((t - 1,) if t else ()) for t in range(N)):
        return markov_chain(N, _conditional(tables[0]), [_conditional(t) for t in tables[1:]])
    bn = BayesianNetwork()
    for t in range(N):
        bn.add_variable(f"X{t + 1}", cards[t])
    for t in range(N):
        bn.set_cpd(f"X{t + 1}", _conditional(tables[t]), parents=[f"X{p + 1}" for p in parents[t]])
    return bn


def fit_markov_chain(samples: Any, order: int | None = None, max_order: int = 2, criterion: str = "bic",
                     homogeneous: bool = False, cardinalities: Any = None, pseudocount: float = 0.0,
                     min_order: int = 0) -> tuple:
    """Fit a Markov chain of order ``k`` by maximum likelihood, ``k`` chosen by BIC or AIC.

    ``pseudocount`` (e.g. 0.5, Krichevsky–Trofimov) is added to every count of the returned model's tables
    (not to the likelihoods that choose the order): a model scored on held-out data must not give probability
    0 to a transition it never saw.  ``min_order`` is the least order tried (``method="auto"`` uses 1).

    Returns
    -------
    (model, order, scores)
        The fitted model (a product model for ``k = 0``, a chain for ``k = 1``, a Bayesian network
        beyond), its order and ``{k: criterion value}`` for every candidate (lower is better).

    Examples
    --------
    >>> import numpy as np, symsched as ss
    >>> x = ss.sample_exact(ss.markov_chain(6, [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]]), 2000, seed=1)
    >>> fit_markov_chain(x, homogeneous=True)[1]
    1
    """
    samples, pair_cards = data_rows(samples, "fit_markov_chain")
    cardinalities = pair_cards if cardinalities is None else cardinalities
    x = _as_samples(samples)
    n, N = x.shape
    cards = tuple(int(c) for c in (x.max(axis=0) + 1 if cardinalities is None else cardinalities))
    if criterion not in CRITERIA:
        raise SymschedError(f"criterion must be one of {CRITERIA}, got {criterion!r}")
    if homogeneous and len(set(cards)) != 1:
        raise SymschedError("homogeneous=True needs equal cardinalities in every column")
    if order is not None:
        if not isinstance(order, (int, np.integer)) or isinstance(order, bool) or not 0 <= order < N:
            raise SymschedError(f"order must be an integer in 0..{N - 1}, got {order!r}")
        candidates = [int(order)]
    else:
        if not isinstance(max_order, (int, np.integer)) or isinstance(max_order, bool) or max_order < 0:
            raise SymschedError(f"max_order must be a non-negative integer, got {max_order!r}")
        if not isinstance(min_order, (int, np.integer)) or isinstance(min_order, bool) or min_order < 0:
            raise SymschedError(f"min_order must be a non-negative integer, got {min_order!r}")
        lo = min(int(min_order), N - 1)
        candidates = list(range(lo, max(min(int(max_order), N - 1), lo) + 1))
    scores = {}
    for k in candidates:
        parents = _markov_parents(N, k)
        hom = k if homogeneous else None
        ll = sum(_log_likelihood(t) for t in _distinct(_fit_counts(x, cards, parents, hom, None)))
        d = _parameter_count(cards, parents, hom)
        scores[k] = -2 * ll + (d * math.log(n * N) if criterion == "bic" else 2 * d)
    if not (isinstance(pseudocount, (int, float)) and math.isfinite(pseudocount) and pseudocount >= 0):
        raise SymschedError(f"pseudocount must be a finite number >= 0, got {pseudocount!r}")
    best = min(scores, key=lambda k: (scores[k], k))
    parents = _markov_parents(N, best)
    tables = _fit_counts(x, cards, parents, best if homogeneous else None, None)
    model = _model_from_counts([t + pseudocount for t in tables], parents, cards)
    return model, best, scores


def _distinct(tables: list) -> list:
    """Each table once: a pooled table is shared by the positions past the order and holds all their counts."""
    seen: dict = {}
    for t in tables:
        seen.setdefault(id(t), t)
    return list(seen.values())


def _model_profile(model, base: Any, max_cost: Any) -> tuple:
    prof = information_profile(model, method="exact", base=base, max_cost=max_cost)
    return [float(v) for v in prof.h]


def _model_route(x: np.ndarray, cards: tuple, parents: list, hom: int | None, weights: np.ndarray, base: Any,
                 max_cost: Any, bar: WorkProgress) -> tuple:
    def fit(w):
        return _model_profile(_model_from_counts(_fit_counts(x, cards, parents, hom, w), parents, cards), base,
                              max_cost)

    h = fit(None)
    bar.update()
    if not len(weights):
        return h, np.zeros((len(h), len(h))), np.zeros((0, len(h)))
    boot = _replicates(RefitRoute(fit, weights, len(h), bar), len(weights))
    return h, _sample_cov(boot), boot


def _learned_parents(x: np.ndarray, cards: tuple, max_indegree: int | None) -> list:
    """Parents per position from pgmpy's hill climbing on the BIC score (optional dependency)."""
    try:
        import pandas as pd  # pgmpy's own dependency: present wherever pgmpy is
        import pgmpy  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SymschedError('method="bayesian-network" needs pgmpy (pip install "symsched[pgmpy]")') from exc
    N = x.shape[1]
    names = [f"X{t + 1}" for t in range(N)]
    frame = pd.DataFrame({v: pd.Categorical(x[:, t], categories=range(cards[t])) for t, v in enumerate(names)})
    dag = _hill_climb(frame, max_indegree)
    return [tuple(sorted(names.index(p) for p in dag.predecessors(v))) for v in names]


def _hill_climb(frame: Any, max_indegree: int | None) -> Any:
    try:  # pgmpy >= 1.1: scikit-learn style estimator
        from pgmpy.causal_discovery import HillClimbSearch
    except ImportError:  # pragma: no cover - older pgmpy
        from pgmpy.estimators import HillClimbSearch

        return HillClimbSearch(frame).estimate(scoring_method="bicscore", max_indegree=max_indegree,
                                               show_progress=False)
    search = HillClimbSearch(scoring_method="bic-d", max_indegree=max_indegree, return_type="dag",
                             show_progress=False)
    return search.fit(frame).causal_graph_


def estimate_with_errors(samples: Any, method: str = "auto", *, cardinalities: Any = None,
                         miller_madow: bool = False, subsets_per_size: int = 200, seed: Any = None,
                         homogeneous: bool = False, base: Any = None, order: int | None = None,
                         max_order: int = 2, criterion: str = "bic", bootstrap: int = DEFAULT_BOOTSTRAP,
                         max_indegree: int | None = 2, max_cost: float | None = None,
                         progress: Any = None) -> InformationProfile:
    """The information profile estimated from samples, with bootstrap standard errors.

    Parameters
    ----------
    samples : array_like, shape (n_samples, N)
        As for :func:`estimate_profile`: state indices, or a ``(rows, states)`` pair.
    method : {"auto", "plugin", "miller-madow", "chao-shen", "markov", "bayesian-network"}
        See the module docstring and :data:`DEFAULT_DATA_METHOD`.
    cardinalities : sequence of int, optional
        State counts (default: ``max + 1`` per column).
    miller_madow : bool
        With ``"plugin"``: the same as ``"miller-madow"``.
    subsets_per_size : int
        Subset estimators: all subsets of a size when there are at most this many, else this many at random.
    seed : optional
        For the bootstrap and the random subsets.
    homogeneous : bool
        ``"markov"``: one transition table for all positions past the order.
    base : number, optional
        Logarithm base (default: nats).
    order, max_order, criterion :
        ``"markov"``: a fixed order, or the order in ``0..max_order`` minimising ``criterion``
        (``"bic"`` or ``"aic"``).
    bootstrap : int
        Bootstrap resamples of the rows for the standard errors, at least 2 (0 was accepted before and
        reported errors of 0); refused when ``bootstrap x rows`` passes 10^8 or the subset estimators'
        work passes ``max_cost`` (both before anything is allocated).
    max_indegree : int, optional
        ``"bayesian-network"``: cap on the parents of a node in the structure search.
    max_cost : float, optional
        Subset estimators: budget on row-subset-resample updates (default 5e9); model-based: budget of
        the exact profile route.
    progress : bool, optional
        A bar over the work: the subset sizes, or the model fits (the data's and one per resample).  Default: shown
        when the run projects past a few seconds and someone watches (a terminal or Jupyter).

    Returns
    -------
    InformationProfile
        ``exact`` False, ``stderr`` per ``h_j``; the method says the estimator (and the chosen order).

    Examples
    --------
    >>> import symsched as ss
    >>> x = ss.sample_exact(ss.copy_model(3, 2), 400, seed=0)
    >>> prof = ss.estimate_profile(x, "chao-shen", seed=0)
    >>> round(prof.h[0], 2), round(prof.h[1], 6), prof.method
    (0.69, 0.0, 'estimate (chao-shen, all subsets)')
    """
    prof, _ = estimate_replicates(samples, method, cardinalities=cardinalities, miller_madow=miller_madow,
                                  subsets_per_size=subsets_per_size, seed=seed, homogeneous=homogeneous, base=base,
                                  order=order, max_order=max_order, criterion=criterion, bootstrap=bootstrap,
                                  max_indegree=max_indegree, max_cost=max_cost, progress=progress)
    return prof


def estimate_replicates(samples: Any, method: str = "auto", *, cardinalities: Any = None,
                        miller_madow: bool = False, subsets_per_size: int = 200, seed: Any = None,
                        homogeneous: bool = False, base: Any = None, order: int | None = None,
                        max_order: int = 2, criterion: str = "bic", bootstrap: int = DEFAULT_BOOTSTRAP,
                        max_indegree: int | None = 2, max_cost: float | None = None, progress: Any = None) -> tuple:
    """:func:`estimate_with_errors` and its bootstrap replicates: ``(profile, H)`` with ``H`` of shape
    ``(bootstrap, N)``, row ``b`` the profile estimated on resample ``b`` (the same random subsets).

    Any number derived from the profile gets its standard error as the spread of that number over the
    rows of ``H`` (this keeps the correlations between the ``h_j``); see :func:`estimate_measures`.

    Examples
    --------
    >>> import numpy as np, symsched as ss
    >>> x = ss.sample_exact(ss.markov_chain(4, [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]]), 1000, seed=0)
    >>> prof, H = estimate_replicates(x, "markov", bootstrap=10, seed=1)
    >>> H.shape, bool(np.allclose(H.std(axis=0, ddof=1), prof.stderr))
    ((10, 4), True)
    """
    x, cards = _rows_and_cards(samples, cardinalities)
    n, N = x.shape
    if method not in DATA_METHODS + ("auto",):
        raise SymschedError(f"method must be one of {DATA_METHODS + ('auto',)}, got {method!r}")
    if not isinstance(bootstrap, (int, np.integer)) or isinstance(bootstrap, bool) or bootstrap < 2:
        # 0 would report standard errors of 0: an estimate presented as exact
        raise SymschedError(f"bootstrap must be an integer >= 2 (resamples for the standard errors), got {bootstrap!r}")
    if n < 2:
        raise SymschedError(f"samples: {n} row; an estimate with a standard error needs at least 2 rows")
    if isinstance(subsets_per_size, (bool, np.bool_)) or not isinstance(subsets_per_size, (int, np.integer)) \
            or subsets_per_size < 2:
        raise SymschedError(f"subsets_per_size must be an integer >= 2, got {subsets_per_size!r}")
    check_log_base(base, "estimate_profile")
    if isinstance(base, sp.Basic) and base.free_symbols:
        raise SymschedError(f"estimate_profile: base must be a number > 1 (estimates are floats), got {base!r}")
    notes: tuple = ()
    min_order = 0
    if method == "auto":
        method, homogeneous, min_order, why = _resolve_auto(x, cards, order)
        notes = (why,)
    rng = salted_rng(seed, 18)
    _check_data_cost(n, N, method, int(subsets_per_size), int(bootstrap), max_cost)
    weights = _bootstrap_weights(n, int(bootstrap), rng)
    scale = 1.0 if base is None else 1.0 / math.log(float(base))
    if method in ENTROPY_ESTIMATORS:
        estimator = "miller-madow" if (method == "plugin" and miller_madow) else method
        budget = DEFAULT_DATA_COST if max_cost is None else float(max_cost)
        with WorkProgress(progress, N, "estimate_profile", "size", "estimate_profile") as bar:
            h, cov, complete, boot = _subset_route(x, estimator, int(subsets_per_size), rng, weights, budget, bar)
        label = f"estimate ({estimator}, {'all' if complete else 'sampled'} subsets)"
        return _data_profile(np.asarray(h) * scale, cov * scale ** 2, label, base, notes), boot * scale
    if method == "markov":
        _, k, _ = fit_markov_chain(x, order, max_order, criterion, homogeneous, cards, min_order=min_order)
        how = "fixed" if order is not None else criterion.upper() + (f", at least {min_order}" if min_order else "")
    else:
        k, how = None, ""
    bar = WorkProgress(progress, int(bootstrap) + 1, "estimate_profile", "fit", "estimate_profile")
    while True:
        if k is None:
            parents, hom = _learned_parents(x, cards, max_indegree), None
            label = "estimate (bayesian network, pgmpy hill climbing on BIC)"
        else:
            parents, hom = _markov_parents(N, k), (k if homogeneous else None)
            label = f"estimate (markov order {k}, {how}{', homogeneous' if homogeneous else ''})"
        first = bar.done
        try:
            h, cov, boot = _model_route(x, cards, parents, hom, weights, base, max_cost, bar)
            break
        except ModelTooLargeError as exc:
            bar.skip(first - bar.done)  # the fits of the refused order are redone at the next one
            if notes and k is not None and k > max(min_order, 1):
                # method="auto": the order BIC prefers has no affordable exact profile; the next lower one is
                # used and the notes say so (its error bars do not include the misfit of the coarser model)
                notes += (f"BIC prefers order {k}, whose exact profile is over budget ({exc.estimate:.3g} > "
                          f"{exc.budget:.3g}); order {k - 1} used instead (its error bars do not include the misfit "
                          "of the coarser model)",)
                k -= 1
                continue
            bar.close()
            raise ModelTooLargeError(f"the exact profile of the fitted model ({label})", exc.estimate, exc.budget,
                                     "lower max_order (orders 0 and 1 use the O(N^2) chain route) "
                                     "or raise max_cost") from exc
    bar.close()
    return _data_profile(np.asarray(h), cov, label, base, notes), boot


def _data_profile(h: np.ndarray, cov: np.ndarray, method: str, base: Any, notes: tuple) -> InformationProfile:
    """An estimated profile with its covariance (``e`` the cumulative sums of ``h``)."""
    if not (np.all(np.isfinite(h)) and np.all(np.isfinite(cov))):
        raise SymschedError(f"{method}: the estimate or its covariance is not finite")
    cov = (cov + cov.T) / 2
    se = np.sqrt(np.maximum(cov.diagonal(), 0.0))
    e = tuple(float(v) for v in np.concatenate([[0.0], np.cumsum(h)]))
    return InformationProfile(tuple(float(v) for v in h), e=e, entropy=e[-1], precision="float", method=method,
                              base=base,
                              stderr=tuple(float(v) for v in se), exact=False, covariance=cov, notes=notes)


def sample_adequacy(samples: Any) -> dict:
    """How well the rows cover their own patterns: ``rows``, ``distinct`` whole-row patterns, ``singletons``
    (patterns seen once), the Good–Turing ``coverage`` ``1 - singletons / rows`` (the estimated probability
    that a new row repeats a seen pattern) and ``adequate`` (``coverage >= MIN_COVERAGE`` and at least
    ``MIN_ROWS_PER_PATTERN`` rows per distinct pattern).

    Subset entropies (plug-in, Miller–Madow, Chao–Shen) of the largest subsets are entropies of whole-row
    patterns: when most rows are patterns seen once, the plug-in entropy is close to ``log(rows)`` whatever
    the truth, and the profile's tail comes out near 0 -- confidently wrong.

    Examples
    --------
    >>> import numpy as np
    >>> sample_adequacy(np.array([[0, 1], [0, 1], [1, 1], [1, 1]]))["coverage"]
    1.0
    >>> sample_adequacy(np.arange(12).reshape(4, 3))["adequate"]
    False
    """
    x = _as_samples(data_rows(samples, "sample_adequacy")[0])
    inv, distinct = _subset_codes(x, list(range(x.shape[1])))
    counts = np.bincount(inv, minlength=distinct)
    singletons = int((counts == 1).sum())
    coverage = 1.0 - singletons / len(x)
    return {"rows": len(x), "distinct": int(distinct), "singletons": singletons, "coverage": coverage,
            "adequate": coverage >= MIN_COVERAGE and len(x) >= MIN_ROWS_PER_PATTERN * distinct}


def resolve_data_method(samples: Any, method: str = "auto", order: Any = None, homogeneous: bool = False,
                        cardinalities: Any = None) -> tuple:
    """The estimator ``method`` stands for on these rows: ``(method, homogeneous, least order, why)``.

    ``"auto"`` decides as :func:`estimate_profile` does (:data:`DEFAULT_DATA_METHOD`); any other method is
    returned as given (least order 0, ``why`` empty).  For routes that estimate something other than the
    profile from the same rows (e.g. :func:`~symsched.estimate_blockwise_kl`) and must agree with it.
    """
    if method not in DATA_METHODS + ("auto",):
        raise SymschedError(f"method must be one of {DATA_METHODS + ('auto',)}, got {method!r}")
    if method != "auto":
        return method, bool(homogeneous), 0, ""
    samples, cards = data_rows(samples, "resolve_data_method")
    x = _as_samples(samples)
    cards = cardinalities if cardinalities is not None else cards
    cards = tuple(int(c) for c in (x.max(axis=0) + 1 if cards is None else cards))
    return _resolve_auto(x, cards, order)


def _resolve_auto(x: np.ndarray, cards: tuple, order: Any) -> tuple:
    """``method="auto"``: ``(method, homogeneous, least order, why)``; see :data:`DEFAULT_DATA_METHOD`."""
    a = sample_adequacy(x)
    seen = (f"Good-Turing coverage of whole rows {a['coverage']:.3f} ({a['distinct']} distinct patterns in "
            f"{a['rows']} rows, {a['singletons']} seen once; needed: coverage >= {MIN_COVERAGE} and "
            f">= {MIN_ROWS_PER_PATTERN} rows a pattern)")
    if a["adequate"]:
        return "miller-madow", False, 0, (f"estimator chosen by method='auto': subset entropies with the "
                                          f"Miller-Madow correction, because the rows cover their patterns: "
                                          f"{seen}")
    if len(set(cards)) != 1:
        raise SymschedError(
            f"estimate_profile(method='auto'): too few rows for subset entropies ({seen}: the "
            "plug-in would be confidently wrong), and the columns have different cardinalities, so a homogeneous "
            "Markov model does not apply; collect more rows, or choose a model: method='markov' (a chain per "
            "position) or method='bayesian-network'")
    least = 0 if order is not None else 1
    return "markov", True, least, (
        f"estimator chosen by method='auto': a homogeneous Markov chain (order by BIC, at least 1), because the rows "
        f"are too few for subset entropies: {seen} (the plug-in entropy of a pattern seen once "
        "is log(rows), whatever the truth)")


def estimate_measures(profile: InformationProfile, replicates: Any) -> dict:
    """H, TC and DTC of an estimated profile as :class:`~symsched.results.Estimate` values, with standard errors
    from the bootstrap replicates of :func:`estimate_replicates` (the correlations of the ``h_j`` kept).

    ``TC = sum_j (h_0 - h_j)`` and ``DTC = sum_j (h_j - h_{N-1})``.  A profile whose ``h`` comes partly from
    random subsets also carries that error in ``profile.stderr``; TC and DTC depend on ``e_1``, ``e_{N-1}``
    and ``e_N`` only, which always use every subset, so their errors are the bootstrap spread alone.

    Examples
    --------
    >>> import symsched as ss
    >>> from symsched.info.estimate import estimate_replicates
    >>> x = ss.sample_exact(ss.copy_model(3, 2), 500, seed=0)
    >>> prof, boot = estimate_replicates(x, "markov", seed=0, bootstrap=20)
    >>> m = estimate_measures(prof, boot)
    >>> print(m["TC"])    # the truth is 2 log 2 = 1.386
    TC = 1.375 ± 0.01 (estimate)
    """
    h = np.asarray(profile.h, dtype=float)
    boot = np.asarray(replicates, dtype=float).reshape(-1, len(h))

    def measures(v):
        return {"H": v.sum(axis=-1), "TC": (v[..., :1] - v).sum(axis=-1), "DTC": (v - v[..., -1:]).sum(axis=-1)}

    point, reps = measures(h), measures(boot)
    out = {}
    for name in ("H", "TC", "DTC"):
        se = float(np.std(reps[name], ddof=1)) if len(boot) > 1 else 0.0
        value = float(point[name])
        if name != "H" and value < 0:  # TC and DTC are >= 0: a noisy negative point is clipped and said so
            out[name] = Estimate(0.0, se, f"{name} (clipped at 0 from {value:.3g})")
        else:
            out[name] = Estimate(value, se, name)
    return out
