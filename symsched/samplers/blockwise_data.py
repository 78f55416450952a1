"""The error of semi-autoregressive blocks estimated from data rows, with a bootstrap standard error.

:func:`estimate_blockwise_kl` is :func:`~symsched.samplers.blockwise.blockwise_expected_kl` for samples instead
of a model, with the estimator :func:`~symsched.estimate_profile` would use on the same rows (``method="auto"``
decides the same way, :func:`~symsched.info.estimators.estimate.resolve_data_method`):

* subset entropies (``"miller-madow"``, ``"plugin"``, ``"chao-shen"``): block ``b`` with prefix ``P`` has
  ``e^{(b)}_j = mean_{T ⊂ B_b, |T| = j} Ĥ(X_{P ∪ T}) − Ĥ(X_P)`` from the rows' histograms, every subset of
  every block (``2^B`` per block);
* a Markov chain (``"markov"``): the chain fitted by maximum likelihood (order by BIC, as the profile's), then
  its exact blockwise error through the chain route.

The standard error is the spread over ``bootstrap`` resamples of the rows (the same fit or the same subsets on
each resample); like every bootstrap here it measures sampling variance, not the estimator's bias.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np

from ..errors import ModelTooLargeError, SymschedError
from ..info.denoisers.denoiser import check_tokens, salted_rng
from ..info.progress import WorkProgress
from ..info.estimators.estimate import DATA_METHODS, ENTROPY_ESTIMATORS, entropy_from_counts, fit_markov_chain, \
    resolve_data_method
from ..results import Estimate
from ..validation import data_rows
from .blockwise import BlockwiseKL, _block_sizes, blockwise_expected_kl, left_to_right_blocks

__all__ = ["estimate_blockwise_kl", "DEFAULT_BLOCK_DATA_COST"]

#: Default budget of the subset route: (subsets) x (rows) x (bootstrap + 1) histogram updates.
DEFAULT_BLOCK_DATA_COST = 5e9


def _subset_terms(x: np.ndarray, blocks: list, per_sizes: list, estimator: str, weights: np.ndarray,
                  bar: WorkProgress) -> np.ndarray:
    """Each block's term for the point (row 0) and every resample (rows 1..), shape (reps + 1, blocks)."""
    w_all = np.vstack([np.ones(len(x)), weights])
    cache: dict = {}

    def H(cols: tuple) -> np.ndarray:
        if cols not in cache:
            if not cols:
                cache[cols] = np.zeros(len(w_all))
            else:
                _, inv = np.unique(x[:, list(cols)], axis=0, return_inverse=True)
                inv = inv.ravel()
                groups = int(inv.max()) + 1
                counts = np.stack([np.bincount(inv, weights=w, minlength=groups) for w in w_all])
                cache[cols] = entropy_from_counts(counts, estimator)
        return cache[cols]

    out = []
    for blk, sz in zip(blocks, per_sizes):
        prefix = tuple(range(blk[0]))
        base = H(prefix)
        e = [np.zeros(len(w_all))]
        for j in range(1, len(blk) + 1):
            e.append(np.mean([H(prefix + T) for T in combinations(blk, j)], axis=0) - base)
        term, s = -e[-1], 0
        for k in sz:
            if k:
                term = term + k * (e[s + 1] - e[s])
            s += k
        out.append(term)
        bar.update()
    return np.stack(out, axis=1)


def _markov_terms(x: np.ndarray, cards: tuple, blocks: list, per_sizes: list, order: int, homogeneous: bool,
                  weights: np.ndarray, bar: WorkProgress) -> np.ndarray:
    """Each block's term of the fitted chain's exact blockwise error, for the rows and every resample."""
    L = len(blocks[0])
    out = []
    for w in [None] + list(weights):
        xb = x if w is None else np.repeat(x, w.astype(np.int64), axis=0)
        model = fit_markov_chain(xb, order=order, homogeneous=homogeneous, cardinalities=cards)[0]
        out.append([float(t) for t in blockwise_expected_kl(model, L, per_sizes).per_block])
        bar.update()
    return np.asarray(out)


def estimate_blockwise_kl(samples: Any, block_length: int, sizes: Any, method: str = "auto", *,
                          bootstrap: int = 20, seed: Any = None, homogeneous: bool = False, order: Any = None,
                          max_order: int = 2, max_cost: float | None = None, progress: Any = None) -> BlockwiseKL:
    """``E KL`` of a semi-autoregressive sampler (blocks left to right, random order inside), estimated from rows.

    Parameters
    ----------
    samples : array_like, shape (n, N)
        Integer state indices, or the ``(rows, states)`` pair of :func:`~symsched.read_data`.
    block_length, sizes :
        As :func:`~symsched.blockwise_expected_kl` (``sizes``: per-block step sizes, or one sequence for every
        block, or a ``sampler_schedule(..., block_length=...)``).
    method : {"auto", "plugin", "miller-madow", "chao-shen", "markov"}
        The estimator, chosen as :func:`~symsched.estimate_profile` chooses it (default ``"auto"``).
    bootstrap : int
        Resamples of the rows for the standard error (at least 2).
    seed : optional
    homogeneous, order, max_order :
        ``"markov"``: as :func:`~symsched.info.estimators.estimate.fit_markov_chain` (``"auto"`` fits a
        homogeneous chain of order >= 1 by BIC).
    max_cost : float, optional
        Subset estimators: budget on ``subsets x rows x (bootstrap + 2)`` (default 5e9), checked first.
    progress : bool, optional
        A bar over the blocks (subset route) or the chain fits (the data's and one per resample).  Default:
        shown when the run projects past a few seconds and someone watches.

    Returns
    -------
    BlockwiseKL
        ``kl`` an :class:`~symsched.results.Estimate` (``exact`` False), ``per_block`` / ``per_block_stderr``,
        ``method`` ``"data: <estimator>"``, ``samples`` the number of rows.

    Examples
    --------
    >>> import symsched as ss
    >>> chain = ss.binary_symmetric_chain(12, 0.1)
    >>> r = ss.estimate_blockwise_kl(ss.sample_exact(chain, 500, seed=0), 3, [1, 2], seed=0)
    >>> r.method, r.exact, round(float(r), 3), round(r.stderr, 3)
    ('data: markov order 1, BIC, at least 1, homogeneous', False, 0.304, 0.003)
    >>> round(float(ss.blockwise_expected_kl(chain, 3, [1, 2])), 3)    # the truth, 0.6 standard errors away
    0.306
    """
    where = "estimate_blockwise_kl"
    rows, cards = data_rows(samples, where)
    x = check_tokens(rows, what=f"{where}: samples")
    if (x < 0).any():
        raise SymschedError(f"{where}: samples must be fully observed (no -1 entries)")
    n, N = x.shape
    cards = tuple(int(c) for c in (x.max(axis=0) + 1 if cards is None else cards))
    if method not in DATA_METHODS + ("auto",) or method == "bayesian-network":
        raise SymschedError(f"{where}: method must be one of {('auto',) + ENTROPY_ESTIMATORS + ('markov',)}, "
                            f"got {method!r:.60}")
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, (int, np.integer)) or bootstrap < 2:
        raise SymschedError(f"{where}: bootstrap must be an integer >= 2 (resamples for the standard error), "
                            f"got {bootstrap!r}")
    blocks = left_to_right_blocks(N, block_length)
    per_sizes = _block_sizes(sizes, blocks)
    chosen, hom, least, why = resolve_data_method(x, method, order, homogeneous, cards)
    reps = int(bootstrap)
    rng = salted_rng(seed, 29)
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=reps)
    if chosen in ENTROPY_ESTIMATORS:
        cost = float(sum(2 ** len(b) for b in blocks)) * n * (reps + 2)
        budget = DEFAULT_BLOCK_DATA_COST if max_cost is None else float(max_cost)
        if cost > budget:
            raise ModelTooLargeError(f"{where}({chosen!r}): {len(blocks)} blocks of up to {len(blocks[0])} tokens "
                                     f"(2^B subsets each), {n} rows, {reps} resamples", cost, budget,
                                     "use shorter blocks, fewer rows or bootstrap, method='markov', or raise max_cost")
        with WorkProgress(progress, len(blocks), where, "block", where) as bar:
            terms = _subset_terms(x, blocks, per_sizes, chosen, weights, bar)
        label = chosen
    else:
        k = order if order is not None else fit_markov_chain(x, None, max_order, "bic", hom, cards,
                                                             min_order=least)[1]
        with WorkProgress(progress, reps + 1, where, "fit", where) as bar:
            terms = _markov_terms(x, cards, blocks, per_sizes, int(k), hom, weights, bar)
        how = "fixed" if order is not None else "BIC" + (f", at least {least}" if least else "")
        label = f"markov order {k}, {how}{', homogeneous' if hom else ''}"
    totals = terms.sum(axis=1)
    se = float(np.std(totals[1:], ddof=1))
    per_se = tuple(float(v) for v in np.std(terms[1:], axis=0, ddof=1))
    kl = Estimate(float(totals[0]), se, f"E KL (blocks of {len(blocks[0])}, estimated from {n} rows: {label})")
    return BlockwiseKL(kl, per_block=[float(v) for v in terms[0]], block_profiles=[None] * len(blocks),
                       block_length=int(block_length), sizes=per_sizes, random_order_kl=None,
                       method=f"data: {label}", per_block_stderr=per_se, stderr=se, samples=n)
