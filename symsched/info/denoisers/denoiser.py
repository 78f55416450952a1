"""Information profiles from a denoiser: any model of the conditionals ``p(x_i | x_T)``.

A *denoiser* is a callable taking token arrays of shape ``(B, N)`` (integer state indices, ``-1`` for a
masked position) and returning probabilities of shape ``(B, N, V)``: row ``b``, position ``i`` holds the
model's conditional law of ``X_i`` given the revealed tokens of row ``b``.  A trained masked diffusion
model is one (see :mod:`symsched.info.denoisers.torch_denoiser`); :func:`exact_denoiser` makes one from any
symsched model, with the exact conditionals.

:func:`denoiser_profile` estimates (docs/concepts.md §10)::

    h_j = E_{x ~ data, |T| = j, i not in T} H(p(X_i | x_T))        (loss="entropy")
    h_j = E_{x ~ data, |T| = j, i not in T} [-log p(x_i | x_T)]     (loss="cross-entropy")

One denoiser call on a row ``x`` with ``T`` revealed gives the conditionals of every masked position, so
each (row, ``T``) draw contributes the mean over its ``N - j`` masked positions — an unbiased draw of
``h_j`` when the denoiser is exact and the rows are samples of its law.  The cross-entropy is the
masked-diffusion training loss at mask ratio ``1 - j/N``; for an imperfect model it exceeds the true
``h_j`` by the expected KL of the model's conditionals (it estimates the curve from above), while the
entropy variant estimates the model's own profile.  The draws are stratified over ``j`` (the same number
for every size); rows are dealt out without replacement, disjoint across sizes while the data last, so the
``h_j`` estimates are independent; when rows must be reused the standard error is clustered by row.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any
from collections.abc import Callable

import networkx as nx
import numpy as np

from ...arithmetic import arithmetic
from ...values import entropy_last_axis
from ...validation import check_budget, check_log_base, data_rows, positive_int, seed_entropy
from ...errors import ModelTooLargeError, SymbolicValueError, SymschedError
from ...models.base import DiscreteModel
from ...models.bayesian import BayesianNetwork
from ...models.chains import HiddenMarkovModel, MarkovChain
from ...models.markov import MarkovRandomField
from ..exact.elimination import eliminate
from ..estimators.engine import MonteCarloRoute, montecarlo_options
from ..profile import InformationProfile

__all__ = ["exact_denoiser", "ExactDenoiser", "denoiser_profile", "check_tokens", "estimated_profile",
           "LOSSES", "DEFAULT_SAMPLES_PER_SIZE"]

LOSSES = ("entropy", "cross-entropy")
ROUTES = ("auto", "joint", "elimination", "chain")
DEFAULT_SAMPLES_PER_SIZE = 200
#: Joint tables up to this many entries are sliced directly; larger graphical models use elimination.
JOINT_TABLE_LIMIT = 2 ** 20
#: Default budget on the entries of one intermediate factor of variable elimination.
ELIMINATION_MAX_ENTRIES = 2 ** 22
#: Default budget on denoiser calls (one call = one row with one revealed set).
DEFAULT_MAX_CALLS = 10 ** 6


def check_tokens(tokens: Any, cardinalities: tuple | None = None, what: str = "tokens") -> np.ndarray:
    """Validate a token array ``(B, N)`` of state indices with ``-1`` for masked; returns int64."""
    arr = np.asarray(tokens)
    if arr.ndim != 2 or arr.shape[1] < 1:
        raise SymschedError(f"{what}: expected an integer array of shape (B, N) with -1 for masked positions, "
                            f"got shape {arr.shape}")
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind == "b" or arr.size == 0:
            arr = arr.astype(np.int64)
        elif arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise SymschedError(f"{what}: expected integer state indices (-1 = masked), got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if arr.size and arr.min() < -1:
        raise SymschedError(f"{what}: entry {int(arr.min())} is below -1 (states are 0..card-1, -1 = masked)")
    if cardinalities is not None:
        if arr.shape[1] != len(cardinalities):
            raise SymschedError(f"{what}: {arr.shape[1]} positions per row, the model has N = {len(cardinalities)}")
        too_big = arr >= np.asarray(cardinalities)[None, :]
        if too_big.any():
            b, i = map(int, np.argwhere(too_big)[0])
            raise SymschedError(f"{what}: row {b}, position {i} holds state {int(arr[b, i])}, but the variable has "
                                f"{cardinalities[i]} states")
    return arr


class ExactDenoiser:
    """The exact conditionals of a symsched model, as a batched denoiser (see :func:`exact_denoiser`).

    Attributes
    ----------
    model : DiscreteModel
    N : int
    cardinalities : tuple
    V : int
        The largest cardinality: the last axis of the output (smaller variables are padded with zeros).
    route : {"joint", "elimination"}
    """

    def __init__(self, model: DiscreteModel, max_entries: float | None = None, route: str = "auto"):
        if not isinstance(model, DiscreteModel):
            raise SymschedError(f"exact_denoiser: expected a symsched model, got {type(model).__name__}")
        if model.free_symbols:
            raise SymbolicValueError(f"exact_denoiser: the model has free symbols "
                                     f"{sorted(map(str, model.free_symbols))}; substitute values first (model.subs)")
        self.model = model
        self.N = model.N
        self.cardinalities = tuple(model.cardinalities)
        self.V = max(self.cardinalities)
        self.max_entries = ELIMINATION_MAX_ENTRIES if max_entries is None else float(max_entries)
        if route not in ROUTES:
            raise SymschedError(f"exact_denoiser: route must be one of {ROUTES}, got {route!r}")
        if route == "chain" and not isinstance(model, MarkovChain):
            raise SymschedError(f'exact_denoiser: route="chain" needs a MarkovChain, got {type(model).__name__}')
        small = model.joint_size() <= min(JOINT_TABLE_LIMIT, self.max_entries)
        if route == "chain" or (route == "auto" and not small and isinstance(model, MarkovChain)):
            self.route = "chain"
            self._chain = _ChainConditionals(model)
        elif route == "joint" or (route == "auto" and small):
            if model.joint_size() > self.max_entries:
                raise ModelTooLargeError(f"exact_denoiser: the joint table of {type(model).__name__}",
                                         model.joint_size(), self.max_entries, 'use route="elimination"')
            self.route = "joint"
            self._joint = model.joint("float")
        else:
            self.route = "elimination"
            self._factors = _float_factors(model)

    def __call__(self, tokens: Any) -> np.ndarray:
        x = check_tokens(tokens, self.cardinalities)
        out = np.zeros((x.shape[0], self.N, self.V))
        for b, row in enumerate(x):
            masked = np.flatnonzero(row < 0)
            for i in np.flatnonzero(row >= 0):
                out[b, i, row[i]] = 1.0  # a revealed token is known: its conditional is a point mass
            if masked.size:
                for i, probs in zip(masked, self._conditionals(row, masked, b)):
                    out[b, i, :len(probs)] = probs
        return out

    def _conditionals(self, row: np.ndarray, masked: np.ndarray, b: int) -> list:
        if self.route == "chain":
            return self._chain.conditionals(row, masked, b)
        if self.route == "joint":
            sub = self._joint[tuple(int(v) if v >= 0 else slice(None) for v in row)]
            total = float(sub.sum())
            _check_context(total, b)
            axes = range(sub.ndim)
            return [sub.sum(axis=tuple(a for a in axes if a != k)) / total for k in range(sub.ndim)]
        evidence = {int(i): int(v) for i, v in enumerate(row) if v >= 0}
        out = []
        for i in masked:
            vec = np.asarray(eliminate(self._relevant(evidence, int(i)), evidence, keep=int(i),
                                       max_entries=self.max_entries), dtype=float)
            total = float(vec.sum())
            _check_context(total, b)
            out.append(vec / total)
        return out

    def _relevant(self, evidence: dict, i: int) -> list:
        if not isinstance(self.model, BayesianNetwork):
            return self._factors
        # barren nodes (not ancestors of the evidence or of X_i) sum to one and are left out
        names = self.model.variables
        keep = set(evidence) | {i}
        for v in list(keep):
            keep |= {self.model.index_of(a) for a in nx.ancestors(self.model, names[v])}
        return [(vs, a) for vs, a in self._factors if vs[-1] in keep]

    def __repr__(self) -> str:
        return f"ExactDenoiser({type(self.model).__name__}, N={self.N}, V={self.V}, route={self.route!r})"


class _ChainConditionals:
    """Exact conditionals of a first-order Markov chain from its nearest revealed neighbours.

    By the Markov property ``p(x_i | x_R) ∝ p(x_i | x_l) p(x_r | x_i)`` with ``l`` (``r``) the nearest revealed
    position left (right) of ``i``; ``p(x_i | x_l)`` is row ``x_l`` of ``P[l, i] = T_l ... T_{i-1}`` (the
    marginal of ``X_i`` when there is no ``l``) and ``p(x_r | x_i)`` is column ``x_r`` of ``P[i, r]``.  All
    products ``P[a, b]`` are formed once: O(N^2) matrix products.
    """

    def __init__(self, chain: MarkovChain):
        self.N = chain.N
        mats = [np.asarray(T, dtype=float) for T in chain.transition_matrices]
        self.marginals = [np.asarray(chain.initial_distribution, dtype=float)]
        for T in mats:
            self.marginals.append(self.marginals[-1] @ T)
        self.P: dict = {}
        for a in range(self.N):
            acc = np.eye(len(self.marginals[a]))
            for c in range(a + 1, self.N):
                acc = acc @ mats[c - 1]
                self.P[a, c] = acc

    def conditionals(self, row: np.ndarray, masked: np.ndarray, b: int) -> list:
        revealed = np.flatnonzero(row >= 0)
        out = []
        for i in masked:
            k = np.searchsorted(revealed, i)
            left = self.P[revealed[k - 1], i][row[revealed[k - 1]]] if k > 0 else self.marginals[i]
            right = self.P[i, revealed[k]][:, row[revealed[k]]] if k < len(revealed) else 1.0
            vec = left * right
            total = float(vec.sum())
            _check_context(total, b)
            out.append(vec / total)
        return out


def _check_context(total: float, b: int) -> None:
    if not total > 0:
        raise SymschedError(f"exact_denoiser: row {b}'s revealed tokens have probability 0 under the model; "
                            "its conditionals are undefined")


def _float_factors(model: DiscreteModel) -> list:
    """Factors ``(indices, float array)`` whose product is proportional to the joint (hidden variables of an HMM
    get indices from ``N`` on); every token gets a unit factor so that elimination can keep any of them."""
    ar = arithmetic("float")
    n = model.N
    if isinstance(model, (BayesianNetwork, MarkovRandomField)):
        factors = [(tuple(vs), np.asarray(a, dtype=float)) for vs, a in model.factors(ar)]
    elif isinstance(model, HiddenMarkovModel):
        factors = [((n,), np.asarray(model.initial_distribution, dtype=float))]
        factors += [((n + t - 1, n + t), np.asarray(T, dtype=float)) for t, T in
                    enumerate(model.transition_matrices, start=1)]
        factors += [((n + t, t), np.asarray(E, dtype=float)) for t, E in enumerate(model.emission_matrices)]
    else:
        raise ModelTooLargeError(
            f"exact_denoiser for {type(model).__name__} needs its joint table ({model.joint_size():.3g} entries); "
            "variable elimination handles Bayesian networks, Markov random fields and hidden Markov models",
            model.joint_size(), JOINT_TABLE_LIMIT, "reduce the model, or express it as a BayesianNetwork")
    if isinstance(model, BayesianNetwork):
        return factors  # the CPD of X_i mentions i already (and pruning keys on its last index)
    return factors + [((i,), np.ones(c)) for i, c in enumerate(model.cardinalities)]


def exact_denoiser(model: DiscreteModel, max_entries: float | None = None, route: str = "auto") -> ExactDenoiser:
    """The exact conditionals of a model as a batched denoiser.

    Parameters
    ----------
    model : DiscreteModel
        Any symsched model with numeric parameters.  Joint tables up to 2^20 entries are sliced
        directly; longer first-order Markov chains use their nearest revealed neighbours; larger Bayesian
        networks, Markov random fields and hidden Markov models use variable
        elimination (one elimination per masked position and row; a Bayesian network keeps only the
        ancestors of the revealed tokens and of the queried one).
    max_entries : float, optional
        Budget on the entries of any intermediate table (default 2^22); over it the call raises
        ``ModelTooLargeError`` before building the table.
    route : {"auto", "joint", "elimination", "chain"}
        Force one route (``"auto"``: the joint table when it fits, else the nearest-neighbour formula for a
        first-order :class:`~symsched.MarkovChain`, else elimination).

    Returns
    -------
    ExactDenoiser
        ``den(tokens)`` with tokens of shape ``(B, N)`` (state indices, ``-1`` = masked) returns
        probabilities of shape ``(B, N, V)``, ``V`` the largest cardinality (zeros pad smaller
        variables); a revealed position gets the point mass on its token.  A row whose revealed tokens
        have probability 0 raises ``ValueError`` (its conditionals are undefined).

    Examples
    --------
    >>> import numpy as np, symsched as ss
    >>> den = ss.exact_denoiser(ss.markov_chain(3, [0.5, 0.5], [[0.9, 0.1], [0.1, 0.9]]))
    >>> den(np.array([[0, -1, -1]]))[0, 1].round(6).tolist()   # p(X2 | X1 = 0)
    [0.9, 0.1]
    >>> den(np.array([[0, -1, 1]]))[0, 1].round(6).tolist()    # p(X2 | X1 = 0, X3 = 1)
    [0.5, 0.5]
    """
    max_entries = check_budget(max_entries, "max_entries", "exact_denoiser")  # NaN would disable the budget
    return ExactDenoiser(model, max_entries, route)


def estimated_profile(h: Any, stderr: Any, method: str, base: Any = None) -> InformationProfile:
    """An :class:`InformationProfile` holding an estimate: ``e`` the cumulative sums of ``h``, ``exact`` False.

    The entropy is ``sum h`` (its error accumulates those of the ``h_j``).
    """
    h = tuple(float(v) for v in h)
    se = tuple(float(s) for s in stderr)
    if len(se) != len(h) or not all(math.isfinite(v) for v in h + se) or min(se, default=0.0) < 0:
        raise SymschedError(f"estimated profile: h and stderr must be finite, of equal length, stderr >= 0 "
                            f"(got {len(h)} values and {len(se)} errors)")
    e = tuple(float(v) for v in np.concatenate([[0.0], np.cumsum(h)]))
    kwargs = {}
    if "exact" in {f.name for f in dataclasses.fields(InformationProfile)}:
        kwargs["exact"] = False
    return InformationProfile(h, e=e, entropy=e[-1], precision="float", method=method, base=base, stderr=se, **kwargs)


def salted_entropy(seed: Any, salt: int) -> Any:
    """The seed of the denoiser route, salted as :func:`salted_rng` (a Generator is used as it is)."""
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer, np.random.SeedSequence)) or \
            (not isinstance(seed, np.random.SeedSequence) and seed < 0):
        raise SymschedError(f"denoiser_profile: seed must be None, a non-negative int, a numpy Generator or "
                            f"SeedSequence, got seed = {seed!r}")
    return np.random.SeedSequence([salt] + list(np.atleast_1d(
        seed.entropy if isinstance(seed, np.random.SeedSequence) else seed).tolist()))


def salted_rng(seed: Any, salt: int) -> np.random.Generator:
    """A generator for ``seed`` whose stream differs from ``default_rng(seed)``'s.

    Users draw data with ``seed=0`` and then estimate with ``seed=0``; the same stream would make the
    bootstrap weights or the revealed sets correlate with the data (seen: a bootstrap replicate 9 standard
    errors off).  A Generator passed in is used as it is.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if not isinstance(seed, np.random.SeedSequence):
        seed_entropy(seed)  # the shared refusal: a non-negative int (not a bool, a float or a string)
    return np.random.default_rng(np.random.SeedSequence([salt] + list(np.atleast_1d(
        np.random.SeedSequence(seed).entropy if isinstance(seed, np.random.SeedSequence) else seed).tolist())))


def _deal_rows(n_rows: int, sizes: int, per_size: int, rng: np.random.Generator) -> np.ndarray:
    """Row indices, shape (sizes, per_size): a random permutation dealt out, disjoint while the rows last."""
    need = sizes * per_size
    reps = -(-need // n_rows)
    order = np.concatenate([rng.permutation(n_rows) for _ in range(reps)])[:need]
    return order.reshape(sizes, per_size)


def denoiser_profile(den: Callable, data: Any, samples_per_size: int | None = None, seed: Any = 0,
                     loss: str = "entropy", batch_size: int = 256, max_calls: float | None = None,
                     base: Any = None, *, stderr: Any = None, time_budget: Any = None,
                     progress: Any = None) -> InformationProfile:
    """Estimate the information profile from a denoiser and data rows (docs/concepts.md §10).

    Parameters
    ----------
    den : callable
        ``den(tokens) -> probabilities``: tokens ``(B, N)`` int with ``-1`` for masked positions, output
        ``(B, N, V)`` (rows of each position sum to one over its states).  E.g. :func:`exact_denoiser`,
        or :func:`symsched.torch_denoiser` for a trained masked language model.
    data : array_like, shape (n_rows, N)
        Samples of the sequences (state indices ``0..V-1``), e.g. held-out data; or the ``(rows, states)``
        pair of :func:`~symsched.read_data` / :func:`~symsched.load_dataset`.
    samples_per_size : int
        (row, revealed set) draws per size ``j = 0..N-1`` (default 200): all of them, or the cap when
        ``stderr`` is given.  The standard error of ``h_j`` shrinks as ``1/sqrt(samples_per_size)``.
    seed : int or numpy Generator
    loss : {"entropy", "cross-entropy"}
        ``"entropy"``: ``H(p(X_i | x_T))`` — the denoiser's own profile.  ``"cross-entropy"``:
        ``-log p(x_i | x_T)`` — the masked-diffusion loss at mask ratio ``1 - j/N``; equal in expectation
        for an exact denoiser on its own samples, above the true profile for an imperfect one.
    batch_size : int
        Rows per denoiser call.
    max_calls : int, optional
        Budget on (row, revealed set) evaluations (default 10^6); the cost ``N · samples_per_size`` is
        checked before any call (``ModelTooLargeError``).
    base : number, optional
        Logarithm base (default: nats).
    stderr : float, optional
        Stop drawing once every ``h_j``'s standard error is at most this (checked every round of batches);
        default: draw all ``samples_per_size``.
    time_budget : float, optional
        Seconds after which drawing stops (the standard errors then say how far it got).
    progress : bool, optional
        A tqdm bar over the batches (default: off).

    Returns
    -------
    InformationProfile
        An estimate: ``exact`` False, ``stderr`` per ``h_j`` and ``covariance`` of the ``h_j`` (clustered by
        data row: draws that share a row, at one size or across sizes, count as one cluster), ``method``
        ``"denoiser (entropy)"`` or ``"denoiser (cross-entropy)"``.  It may be non-monotone by noise.  A size
        whose draws all give the same value (an exact ``h_0``) has standard error exactly 0.

    Examples
    --------
    >>> import numpy as np, symsched as ss
    >>> model = ss.copy_model(3, 2)
    >>> data = np.array([[0, 0, 0], [1, 1, 1]] * 10)
    >>> prof = ss.denoiser_profile(ss.exact_denoiser(model), data, samples_per_size=20)
    >>> [round(v, 6) for v in prof.h], prof.stderr
    ([0.693147, 0.0, 0.0], (0.0, 0.0, 0.0))
    """
    if not callable(den):
        raise SymschedError("denoiser_profile: den must be callable (tokens -> probabilities), "
                            f"got {type(den).__name__}")
    if loss not in LOSSES:
        raise SymschedError(f"denoiser_profile: loss must be one of {LOSSES}, got {loss!r}")
    x = check_tokens(data_rows(data, "denoiser_profile", "data")[0], what="data")
    if (x < 0).any():
        raise SymschedError("data: rows must be fully observed (no -1 entries)")
    n_rows, N = x.shape
    model_N = getattr(den, "N", None)
    if model_N is not None and model_N != N:
        raise SymschedError(f"data: rows have {N} positions but the denoiser's model has N = {model_N}")
    check_log_base(base, "denoiser_profile")
    where = "denoiser_profile"
    opts = montecarlo_options(where, stderr=stderr, samples=samples_per_size, seed=salted_entropy(seed, 17),
                              budget=max_calls, time_budget=time_budget, progress=progress,
                              default_samples=DEFAULT_SAMPLES_PER_SIZE, samples_name="samples_per_size",
                              budget_name="max_calls")
    if stderr is None:
        opts = dataclasses.replace(opts, target=0.0)    # every draw asked for
    batch_size = positive_int(batch_size, "batch_size", where)
    budget = DEFAULT_MAX_CALLS if opts.budget is None else opts.budget
    m = opts.cap
    cost = N * m
    if cost > budget:
        raise ModelTooLargeError(f"denoiser_profile with N={N} and samples_per_size={m} needs {cost} denoiser "
                                 "evaluations", cost, budget, "lower samples_per_size or raise max_calls")
    scale = 1.0 if base is None else 1.0 / math.log(float(base))
    route = DenoiserRoute(den, x, loss, m, batch_size, opts.entropy)
    run = route.run(opts)
    h, cov = route.estimate(run.batch_means[0])
    h, cov = h * scale, cov * scale ** 2
    se = np.sqrt(np.maximum(np.diag(cov), 0.0))
    prof = estimated_profile(h, se, f"denoiser ({loss})", base)
    return dataclasses.replace(prof, covariance=cov) if any(se) else prof


class DenoiserRoute(MonteCarloRoute):
    """The denoiser profile on the Monte Carlo skeleton: one group; batch ``k`` draws, for every size ``j``,
    ``draws`` (row, revealed set) pairs — rows dealt out once from a permutation of the data (disjoint across
    sizes and batches while the rows last), revealed sets from the batch's own seed — and returns every
    draw's loss (``N * draws`` values), so that :meth:`estimate` can cluster them by row."""

    where = "denoiser_profile"
    progress_desc = "denoiser draws"
    min_batches = 2
    round_batches = 4

    def __init__(self, den: Callable, x: np.ndarray, loss: str, cap: int, call_rows: int, entropy: int):
        self.den, self.x, self.loss, self.call_rows = den, x, loss, call_rows
        self.N = x.shape[1]
        self.batch_size = max(1, min(cap, max(8, 2048 // self.N)))
        batches = -(-cap // self.batch_size)
        self.rows = _deal_rows(x.shape[0], self.N, batches * self.batch_size,
                               np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(2 ** 31,))))
        self.n_terms = self.N * self.batch_size
        self.batch_index = 0

    def cap_batches(self, opts) -> int:
        return -(-opts.cap // self.batch_size)

    def batch(self, label: int, rng: np.random.Generator) -> np.ndarray:
        N, b, k = self.N, self.batch_size, self.batch_index
        rows = self.rows[:, k * b:(k + 1) * b].reshape(-1)
        masks = np.zeros((N, b, N), dtype=bool)  # True = masked
        for j in range(N):
            for s in range(b):
                masks[j, s, rng.permutation(N)[: N - j]] = True
        masks = masks.reshape(-1, N)
        values = np.empty(len(rows))
        for start in range(0, len(rows), self.call_rows):
            stop = min(start + self.call_rows, len(rows))
            clean = self.x[rows[start:stop]]
            mask = masks[start:stop]
            probs = _check_probs(self.den(np.where(mask, -1, clean)), stop - start, N)
            values[start:stop] = _losses(probs, clean, mask, self.loss, k * len(rows) + start)
        return values

    def batch_cost(self, label: int) -> float:
        return float(self.N * self.batch_size)

    def group_stderr(self, means: np.ndarray) -> float:
        per_size = means.reshape(means.shape[0], self.N, self.batch_size).mean(axis=2)
        return float(per_size.std(axis=0, ddof=1).max() / math.sqrt(means.shape[0]))

    def estimate(self, batches: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(h, covariance)`` from every draw, clustered by data row (see :func:`clustered_covariance`)."""
        k = batches.shape[0]
        values = batches.reshape(k, self.N, self.batch_size).transpose(1, 0, 2).reshape(self.N, -1)
        rows = self.rows[:, :k * self.batch_size]
        return values.mean(axis=1), clustered_covariance(values, rows)


def clustered_covariance(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Covariance of the row means of ``values`` (shape ``(N, m)``: ``m`` draws per size) with draws sharing a
    data row counted as one cluster, across sizes too: ``c_j c_l Σ_r S_rj S_rl / m²``, ``S_rj`` the sum of
    size ``j``'s residuals on row ``r`` and ``c_j = sqrt(g_j / (g_j - 1))`` (``g_j`` distinct rows at size ``j``):
    with distinct rows this is the usual ``s_j² / m`` on the diagonal and 0 off it.  Residuals are taken
    after subtracting the first draw, so a size whose draws are all equal gets exactly 0."""
    N, m = values.shape
    shifted = values - values[:, :1]
    resid = shifted - shifted.mean(axis=1, keepdims=True)
    uniq, inv = np.unique(rows, return_inverse=True)
    inv = np.asarray(inv).reshape(rows.shape)
    S = np.zeros((len(uniq), N))
    for j in range(N):
        S[:, j] = np.bincount(inv[j], weights=resid[j], minlength=len(uniq))
    g = np.array([len(np.unique(rows[j])) for j in range(N)], dtype=float)
    c = np.sqrt(np.where(g > 1, g / np.maximum(g - 1, 1), np.inf))
    cov = (S.T @ S) / m ** 2
    with np.errstate(invalid="ignore"):
        cov = cov * np.outer(c, c)
    return np.where(np.isnan(cov), 0.0, cov)


def _check_probs(probs: Any, B: int, N: int) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    if p.ndim != 3 or p.shape[:2] != (B, N):
        raise SymschedError(f"denoiser output: expected probabilities of shape ({B}, {N}, V), got {p.shape}")
    if not np.all(np.isfinite(p)) or p.min() < 0:
        raise SymschedError("denoiser output: probabilities must be finite and >= 0")
    sums = p.sum(axis=-1)
    bad = np.abs(sums - 1) > 1e-6
    if bad.any():
        b, i = map(int, np.argwhere(bad)[0])
        raise SymschedError(f"denoiser output: row {b}, position {i} sums to {sums[b, i]!r}, expected 1 "
                            "(nothing is renormalised)")
    return p


def _losses(p: np.ndarray, clean: np.ndarray, mask: np.ndarray, loss: str, offset: int) -> np.ndarray:
    """Mean loss over the masked positions of each row."""
    if loss == "entropy":
        per = entropy_last_axis(p)
    else:
        if clean.max() >= p.shape[-1]:
            raise SymschedError(f"data: state {int(clean.max())} is outside the denoiser's V = {p.shape[-1]} states")
        q = np.take_along_axis(p, clean[:, :, None], axis=-1)[:, :, 0]
        zero = mask & (q <= 0)
        if zero.any():
            b, i = map(int, np.argwhere(zero)[0])
            raise SymschedError(f"denoiser gave probability 0 to the observed token {int(clean[b, i])} at position "
                                f"{i} (draw {offset + b}): the cross-entropy is infinite")
        with np.errstate(divide="ignore"):
            per = -np.log(np.where(mask, q, 1.0))
    return (per * mask).sum(axis=1) / mask.sum(axis=1)
