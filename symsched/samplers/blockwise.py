"""Exact error of semi-autoregressive blocks and of fixed ordered partitions (docs/concepts.md §7).

Semi-autoregressive blocks (LLaDA ``block_length``, BD3-LM, dllm): blocks ``B_1, B_2, ...`` left to
right; inside block ``b`` the positions are revealed in a uniformly random order with that block's
sizes. With ``h^{(b)}_j = E_{T ⊂ B_b, |T| = j, i ∈ B_b \\ T} H(X_i | X_{<B_b}, X_T)``::

    E KL = Σ_b [ Σ_t k^{(b)}_t h^{(b)}_{s_{t-1}} − H(X_{B_b} | X_{<B_b}) ]

(one block gives §2's identity). ``h^{(b)}`` is the information profile of block ``b`` conditioned on
everything before it: ``e^{(b)}_j = mean_{|T|=j} H(X_{<B_b ∪ T}) − H(X_{<B_b})``.

Fixed ordered partition ``S_1, ..., S_K`` (left to right, DUS's dilated strides, any order): with
``C_t`` the positions revealed before step ``t``::

    KL(p ‖ q) = Σ_t [ Σ_{i ∈ S_t} H(X_i | X_{C_t}) − H(X_{S_t} | X_{C_t}) ].

Routes:

* explicit tables and general models within the enumeration budget: subset entropies of the joint;
* Markov chains (:class:`~symsched.models.chains.MarkovChain`), at any length: every subset of a
  chain is a Markov chain, so ``H(X_A) = H(X_{a_1}) + Σ_m H(X_{a_{m+1}} | X_{a_m})`` from two-point
  laws. For blocks the mean over subsets ``T`` collapses by counting: ``q`` is the first element of
  ``j``-subsets in ``C(B−q, j−1)`` ways and ``p < q`` are consecutive in ``C(p−1+B−q, j−2)`` ways
  (Vandermonde), an ``O(B³)`` sum per block. Float arithmetic.

* hidden Markov models (float), at any length: :mod:`.blockwise_hmm` (their observed subsets are not
  Markov, and their output entropy has no closed form): each block's (each step's) term is an expectation
  over the revealed prefix of quantities exact given it, through the filtered belief of the hidden state;
  exact by enumeration of the prefixes within the budget (``method="hmm-exact"``), averaged over exact
  draws of the HMM otherwise (``"hmm-montecarlo"``: an estimate, ``exact`` False, standard errors on the
  total and on every term).  Other precisions go through the enumeration route.
"""

from __future__ import annotations

import itertools
import math
from typing import Any
from collections.abc import Sequence

import numpy as np
from scipy.special import gammaln

from ..arithmetic import arithmetic
from ..errors import ModelTooLargeError, SymbolicValueError, SymschedError
from ..info.measures import DEFAULT_MAX_COST, information_profile
from ..info.exact.subsets import enumeration_cost
from ..models.chains import HiddenMarkovModel, MarkovChain
from ..models.table import as_model
from ..validation import check_budget, check_choice, check_variable_count
from ..printing import Table
from ..results import Estimate, Result
from ..schedules.kl import expected_kl
from ..schedules.schedule import Schedule
from .blockwise_hmm import check_montecarlo_options, hmm_blockwise_terms, hmm_partition_terms
from .conditionals import joint_of, resolve_positions

__all__ = ["blockwise_expected_kl", "partition_kl", "BlockwiseKL", "PartitionKL", "left_to_right_blocks",
           "DEFAULT_SUBSET_BUDGET"]

#: Default budget of the enumeration route: (subset marginals) x (joint entries).
DEFAULT_SUBSET_BUDGET = 2e8




class _Entropies:
    """``H(X_A)`` for subsets ``A`` of positions, memoised: from the joint table or through a chain."""

    def __init__(self, model: Any, precision: str, n_subsets: float, budget: float | None, what: str):
        self.N = model.N  # a model (as_model): the callers convert tables
        self.precision = precision
        self.cache: dict = {frozenset(): 0}
        self.chain = isinstance(model, MarkovChain) and precision == "float"
        if self.chain:
            init = np.asarray(model.initial_distribution, dtype=float)
            self.T = [np.asarray(t, dtype=float) for t in model.transition_matrices]
            self.mu = [init]
            for t in self.T:
                self.mu.append(self.mu[-1] @ t)
            self.method = "chain"
            return
        cards = list(model.cardinalities)
        cost = n_subsets * float(math.prod(cards))
        b = DEFAULT_SUBSET_BUDGET if budget is None else budget
        if cost > b:
            raise ModelTooLargeError(what, cost, b, hint="Markov chains, and hidden Markov models at "
                                     "precision='float', go through their structure at any length; for other "
                                     "models use smaller blocks or raise the budget argument")
        self.ar = arithmetic(precision)
        self.joint = joint_of(model, precision)
        self.method = "enumeration"

    @staticmethod
    def _h(p: np.ndarray) -> float:
        p = p[p > 0]
        return float(-(p * np.log(p)).sum())

    def pair(self, a: int, b: int) -> float:
        """``H(X_b | X_a)`` for a chain, ``a < b`` (``a = -1``: ``H(X_b)``)."""
        if a < 0:
            return self._h(self.mu[b])
        m = np.eye(len(self.mu[a]))
        for t in self.T[a:b]:
            m = m @ t
        return self._h(self.mu[a][:, None] * m) - self._h(self.mu[a])

    def pair_row(self, a: int, stop: int) -> list:
        """``[H(X_b | X_a) for b in a+1..stop-1]`` with one running matrix product."""
        out = []
        m = np.eye(len(self.mu[a]))
        ha = self._h(self.mu[a])
        for b in range(a + 1, stop):
            m = m @ self.T[b - 1]
            out.append(self._h(self.mu[a][:, None] * m) - ha)
        return out

    def __call__(self, A) -> Any:
        key = frozenset(A)
        if key in self.cache:
            return self.cache[key]
        if self.chain:
            s = sorted(key)
            val = self.pair(-1, s[0]) + sum(self.pair(x, y) for x, y in zip(s, s[1:]))
        else:
            drop = tuple(i for i in range(self.N) if i not in key)
            table = self.joint.sum(axis=drop) if drop else self.joint
            with self.ar.workprec():
                val = self.ar.entropy(np.asarray(table))
        self.cache[key] = val
        return val


def _finish(precision: str, x: Any) -> Any:
    return float(x) if precision == "float" else arithmetic(precision).finalize(x)


def left_to_right_blocks(N: int, block_length: int) -> list:
    """Consecutive blocks of ``block_length`` positions (the last one shorter if it does not divide ``N``).

    >>> left_to_right_blocks(5, 2)
    [(0, 1), (2, 3), (4,)]
    """
    N = check_variable_count(N, "N", "left_to_right_blocks")
    if isinstance(block_length, (bool, np.bool_)) or not isinstance(block_length, (int, np.integer)) or \
            block_length < 1:
        raise SymschedError(f"block_length must be a positive integer, got {block_length!r}")
    return [tuple(range(a, min(a + int(block_length), N))) for a in range(0, N, int(block_length))]


def _block_sizes(sizes: Any, blocks: list) -> list:
    per = getattr(sizes, "block_sizes", None)  # a SamplerSchedule knows its blocks
    if per is not None and len(per) == len(blocks):
        sizes = per
    if isinstance(sizes, Schedule):
        sizes = sizes.sizes
    try:
        items = list(sizes)
    except TypeError:
        raise SymschedError(f"sizes: expected a sequence of sizes or one sequence per block, got {sizes!r}") from None
    if not items:
        raise SymschedError("sizes: empty")
    nested = all(hasattr(x, "__len__") and not isinstance(x, str) for x in items)
    if nested:
        if len(items) != len(blocks):
            raise SymschedError(f"sizes: {len(items)} size sequences for {len(blocks)} blocks; give one per block "
                                "or one sequence for every block")
        out = [list(x) for x in items]
    else:
        out = [items for _ in blocks]
    for b, (blk, sz) in enumerate(zip(blocks, out)):
        for k in sz:
            if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or k < 0:
                raise SymschedError(f"sizes of block {b + 1}: {k!r} is not a non-negative integer")
        if sum(sz) != len(blk):
            raise SymschedError(f"sizes of block {b + 1} {tuple(sz)} sum to {sum(sz)}, but the block has {len(blk)} "
                                f"positions (block_length = {len(blocks[0])}, model N = {blocks[-1][-1] + 1})")
    return [[int(k) for k in sz] for sz in out]


class BlockwiseKL(Result):
    """``E KL`` of semi-autoregressive blocks (:func:`blockwise_expected_kl`): exact, or an estimate.

    Attributes
    ----------
    kl : number or Estimate
        The expected KL (average over the random orders inside blocks); an
        :class:`~symsched.results.Estimate` (value ± standard error) when any block was sampled.
    per_block : tuple
        Each block's term ``Σ_t k_t h^{(b)}_{s_{t-1}} − H(X_B | X_{<B})`` (point values, never negative).
    per_block_stderr : tuple of float
        Their standard errors (0 for exact blocks).
    stderr : float
        Standard error of ``kl`` (0 when exact; from the draws' block totals, covariances included).
    block_profiles : tuple
        ``h^{(b)}`` of each block (averaged over its prefixes); None for a block whose terms were sampled.
    block_length : int
    sizes : tuple of tuple
    random_order_kl : number, Estimate or None
        The same flat sizes with random positions over all ``N`` tokens (§2's identity), when asked; an
        Estimate when the model's profile had to be estimated.
    method : str
        ``"enumeration"``, ``"chain"``, ``"hmm-exact"`` or ``"hmm-montecarlo"``.
    exact : bool
    samples : int or None
        Draws of the Monte Carlo route.
    """

    _headline = "kl"
    _fields = ("kl", "block_length", "sizes", "per_block", "per_block_stderr", "stderr", "random_order_kl",
               "method", "exact", "samples")
    _repr_fields = ("kl", "block_length", "method")

    def __init__(self, kl, *, per_block, block_profiles, block_length, sizes, random_order_kl, method,
                 per_block_stderr=None, stderr=0.0, samples=None):
        self.kl, self.per_block = kl, tuple(per_block)
        self.block_profiles = tuple(None if p is None else tuple(p) for p in block_profiles)
        self.block_length, self.sizes = block_length, tuple(map(tuple, sizes))
        self.per_block_stderr = tuple(per_block_stderr) if per_block_stderr is not None else \
            tuple(0.0 for _ in self.per_block)
        self.stderr, self.samples = float(stderr), samples
        self.random_order_kl, self.method = random_order_kl, method
        self.exact = not isinstance(kl, Estimate)
        self._freeze()

    def _table(self) -> Table:
        """One row per block: its sizes and its term of ``E KL`` (± standard error when sampled)."""
        rows = [(b + 1, sz, t, se) for b, (sz, t, se) in enumerate(zip(self.sizes, self.per_block,
                                                                          self.per_block_stderr))]
        summary = (("E KL", self.kl),) + ((("random positions, same sizes", self.random_order_kl),)
                                          if self.random_order_kl is not None else ())
        head = (f"block_length = {self.block_length}, method = {self.method}"
                + (f", {self.samples} draws" if self.samples else "") + ("" if self.exact else " (estimate)"),)
        return Table(("block", "sizes", "kl", "kl_stderr"), rows, title="Blockwise E KL (semi-autoregressive blocks)",
                     header=head, summary=summary, stderr={"kl": "kl_stderr"})


def _block_profile_chain(ent: _Entropies, block: tuple) -> list:
    """``e^{(b)}_j`` for ``j = 0..B`` of a block of a chain, by the counting formula (float)."""
    B = len(block)
    a = block[0]
    c = a - 1  # the conditioning token (-1: none)
    # G[p][q] for 0 <= p < q <= B: p = 0 is the conditioning token, p >= 1 the block's p-th position
    G = np.zeros((B + 1, B + 1))
    G[0, 1:] = ent.pair_row(c, a + B) if c >= 0 else [ent.pair(-1, a + q - 1) for q in range(1, B + 1)]
    for p in range(1, B):
        G[p, p + 1:] = ent.pair_row(a + p - 1, a + B)
    # Group the pair terms by d = p - 1 + B - q (their count C(d, j-2) depends on d only), and weigh by
    # C(d, j-2) / C(B, j) in log space so long blocks do not overflow.
    def log_comb(n, k):
        return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)

    first = G[0, 1:]                                         # q = 1..B, count C(B - q, j - 1)
    S = np.zeros(max(B - 1, 1))
    for p in range(1, B):
        q = np.arange(p + 1, B + 1)
        np.add.at(S, p - 1 + B - q, G[p, p + 1:])
    e = [0.0]
    dq = B - np.arange(1, B + 1)
    dd = np.arange(len(S))
    for j in range(1, B + 1):
        lc = log_comb(B, j)
        ok = dq >= j - 1
        total = float(np.sum(first[ok] * np.exp(log_comb(dq[ok], j - 1) - lc)))
        if j >= 2:
            ok = dd >= j - 2
            total += float(np.sum(S[ok] * np.exp(log_comb(dd[ok], j - 2) - lc)))
        e.append(total)
    return e


def _block_profile_enum(ent: _Entropies, block: tuple, prefix: tuple) -> list:
    ar = ent.ar
    base = ent(prefix)
    e = [ar.zero]
    with ar.workprec():
        for j in range(1, len(block) + 1):
            vals = [ent(prefix + T) for T in itertools.combinations(block, j)]
            e.append(ar.sum(vals) / ar.convert(math.comb(len(block), j)) - base)
    return e


def _refuse_symbols(model: Any, precision: str, where: str) -> None:
    """The structure routes (chains, HMMs) compute in floats: symbols must be substituted first."""
    symbols = model.free_symbols if precision in ("float", "mpmath") else None
    if symbols:
        raise SymbolicValueError(f"{where}: the model has unresolved symbols {sorted(map(str, symbols))}; "
                                 f"substitute values with model.subs({{...}}) or use precision='symbolic' "
                                 f"(precision={precision!r} needs numbers)")


def _random_order_kl(model: Any, flat: list, stderr: Any, samples: Any, seed: Any) -> Any:
    """§2's identity for the flat sizes: from the exact profile of an HMM when it fits, else a Monte Carlo
    profile (then an Estimate)."""
    if enumeration_cost(model.cardinalities) <= DEFAULT_MAX_COST["float"]:
        prof = information_profile(model, method="exact")
    else:
        prof = information_profile(model, method="montecarlo", stderr=stderr, samples=samples, seed=seed,
                                   progress=False)
    return expected_kl(prof, Schedule(flat, allow_zero=True))


def _blockwise_hmm(model, blocks, per_sizes, block_length, compare, budget, method, stderr, samples, seed):
    b = DEFAULT_SUBSET_BUDGET if budget is None else budget
    check_montecarlo_options(stderr, samples, seed, "blockwise_expected_kl")  # bad values fail even when exact
    out = hmm_blockwise_terms(model, blocks, per_sizes, b, method, stderr, samples, seed)
    kl, vals = _estimate_from_terms(out, f"E KL (blocks of {block_length})")
    ro = _random_order_kl(model, [k for sz in per_sizes for k in sz], stderr, samples, seed) if compare else None
    return BlockwiseKL(kl, per_block=vals, block_profiles=out["profiles"], block_length=block_length, sizes=per_sizes,
                       random_order_kl=ro,
                       method="hmm-montecarlo" if out["draws"] else "hmm-exact", per_block_stderr=out["stderr"],
                       stderr=out["total_stderr"],
                       samples=out["draws"] or None)


def blockwise_expected_kl(model: Any, block_length: int, sizes: Any, precision: str = "float",
                          compare: bool = False, budget: float | None = None, method: str = "auto",
                          stderr: float | None = None, samples: int | None = None,
                          seed: Any = None) -> BlockwiseKL:
    """``E KL`` of a semi-autoregressive sampler: blocks left to right, random order inside each block.

    Parameters
    ----------
    model : model or ndarray
        Any model (explicit table, Bayesian network, MRF: by enumeration within the budget), a
        :class:`~symsched.models.chains.MarkovChain` (through its structure, any length) or a
        :class:`~symsched.models.chains.HiddenMarkovModel` (through its structure, any length: exact
        by enumeration of the prefixes within the budget, Monte Carlo beyond; see :mod:`.blockwise_hmm`).
    block_length : int
        Block length ``B`` (the last block is shorter when ``B`` does not divide ``N``).
    sizes : sequence, sequence of sequences, or SamplerSchedule
        Step sizes used in every block, or one sequence per block (zeros allowed: empty steps add
        nothing), or a ``sampler_schedule(...)`` result (its per-block sizes).
    precision : {"float", "mpmath", "symbolic"}
        Arithmetic of the enumeration route (the chain route is float).
    compare : bool
        Also compute the KL of the same flat sizes with random positions over all ``N`` tokens.
    budget : float, optional
        Cost limit of the enumeration route (subset marginals times joint entries; for an HMM the
        enumerated prefixes times the lattice of each block's table), default 2e8.
    method : {"auto", "exact", "montecarlo"}
        Hidden Markov models (float) only: ``"auto"`` is exact while the enumeration fits ``budget`` and
        samples the remaining blocks; ``"exact"`` refuses beyond it (``ModelTooLargeError``);
        ``"montecarlo"`` samples every block that has a prefix.
    stderr, samples, seed :
        Monte Carlo (as ``information_profile(method="montecarlo")``): target standard error of the total
        in nats (default 0.01), cap on draws (default 20000; when it binds, the reported standard error
        is above target) and seed (the same seed gives the same numbers).  With ``compare=True`` on an
        HMM beyond exact profiles, they also drive the Monte Carlo profile.

    Returns
    -------
    BlockwiseKL
        ``float()`` is the expected KL; ``exact`` False and ``kl`` an
        :class:`~symsched.results.Estimate` when a block was sampled.

    Examples
    --------
    >>> import symsched as ss
    >>> chain = ss.binary_symmetric_chain(4, 0.1)
    >>> r = ss.blockwise_expected_kl(chain, 2, [2], compare=True)   # I(X1;X2) + I(X3;X4|X2)
    >>> round(float(r), 6), round(r.random_order_kl, 6)             # = log 2 - 2 h(.1) + h(.18)
    (0.514375, 0.33998)
    >>> hmm = ss.hidden_markov_model(64, [0.5, 0.5], [[0.9, 0.1], [0.1, 0.9]], [[0.8, 0.2], [0.2, 0.8]])
    >>> r = ss.blockwise_expected_kl(hmm, 8, [4, 4], stderr=0.05, seed=0)
    >>> r.method, r.exact, r.stderr > 0, r.per_block_stderr[0]     # the first block has no prefix: exact
    ('hmm-montecarlo', False, True, 0.0)
    """
    check_choice(method, "method", ("auto", "exact", "montecarlo"), "blockwise_expected_kl")
    budget = check_budget(budget, "budget", "blockwise_expected_kl")
    model = as_model(model, "blockwise_expected_kl")
    N = model.N
    blocks = left_to_right_blocks(N, block_length)
    per_sizes = _block_sizes(sizes, blocks)
    _refuse_symbols(model, precision, "blockwise_expected_kl")
    if isinstance(model, HiddenMarkovModel) and precision == "float":
        return _blockwise_hmm(model, blocks, per_sizes, int(block_length), compare, budget, method, stderr,
                              samples, seed)
    if method == "montecarlo":
        raise SymschedError("blockwise_expected_kl: method='montecarlo' is for hidden Markov models (float); "
                            f"this {type(model).__name__} is computed exactly (or refused beyond the budget)")
    n_subsets = float(sum(2 ** len(b) for b in blocks))
    ent = _Entropies(model, precision, n_subsets, budget, f"blockwise_expected_kl ({len(blocks)} blocks of up to "
                     f"{block_length} positions, {n_subsets:.3g} subset marginals)")
    terms, profiles = [], []
    for blk, sz in zip(blocks, per_sizes):
        prefix = tuple(range(blk[0]))
        e = _block_profile_chain(ent, blk) if ent.method == "chain" else _block_profile_enum(ent, blk, prefix)
        h = [e[j + 1] - e[j] for j in range(len(blk))]
        s, acc = 0, []
        for k in sz:
            if k:
                acc.append(k * h[s])
            s += k
        if ent.method == "chain":
            terms.append(sum(acc) - e[-1])
        else:
            with ent.ar.workprec():
                terms.append(ent.ar.sum(acc) - e[-1])
        profiles.append(h)
    total = sum(terms) if ent.method == "chain" else ent.ar.sum(terms)
    total = _finish(precision if ent.method != "chain" else "float", total)
    if precision == "float" or ent.method == "chain":
        total = max(total, 0.0) if total > -1e-12 else total  # rounding of a non-negative sum of block costs
    ro = None
    if compare:
        flat = [k for sz in per_sizes for k in sz]
        ro = expected_kl(information_profile(model, precision=precision), Schedule(flat, allow_zero=True))
    return BlockwiseKL(total, per_block=[_finish("float" if ent.method == "chain" else precision, t) for t in terms],
                       block_profiles=profiles, block_length=int(block_length), sizes=per_sizes, random_order_kl=ro,
                       method=ent.method)


class PartitionKL(Result):
    """``KL(p ‖ q)`` of a fixed ordered partition (:func:`partition_kl`): exact, or an estimate.

    Attributes
    ----------
    kl : number or Estimate
        An :class:`~symsched.results.Estimate` when any step was sampled (hidden Markov models).
    per_step : tuple
        Each step's conditional total correlation ``Σ_{i∈S_t} H(X_i|X_{C_t}) − H(X_{S_t}|X_{C_t})`` (point
        values, never negative).
    per_step_stderr : tuple of float
        Their standard errors (0 for exact steps).
    stderr : float
        Standard error of ``kl``.
    blocks : tuple of tuple
        The partition, as positions.
    method : str
    exact : bool
    samples : int or None
    """

    _headline = "kl"
    _fields = ("kl", "blocks", "per_step", "per_step_stderr", "stderr", "method", "exact", "samples")
    _repr_fields = ("kl", "method")

    def __init__(self, kl, *, per_step, blocks, method, per_step_stderr=None, stderr=0.0, samples=None):
        self.kl, self.per_step, self.blocks, self.method = kl, tuple(per_step), blocks, method
        self.per_step_stderr = tuple(per_step_stderr) if per_step_stderr is not None else \
            tuple(0.0 for _ in self.per_step)
        self.stderr, self.samples = float(stderr), samples
        self.exact = not isinstance(kl, Estimate)
        self._freeze()

    def _table(self) -> Table:
        """One row per step: its positions and its conditional total correlation (± standard error)."""
        rows = [(t + 1, tuple(blk), v, se) for t, (blk, v, se) in enumerate(zip(self.blocks, self.per_step,
                                                                                   self.per_step_stderr))]
        head = (f"method = {self.method}" + (f", {self.samples} draws" if self.samples else "")
                + ("" if self.exact else " (estimate)"),)
        return Table(("step", "positions", "tc", "tc_stderr"), rows, title="KL(p || q) of a fixed ordered partition",
                     header=head, summary=(("KL(p || q)", self.kl),), stderr={"tc": "tc_stderr"})


def _estimate_from_terms(out: dict, what: str) -> tuple:
    """Each term's point value clipped at 0 (each is a conditional KL), and the total as an Estimate when any
    term was sampled (else a float).  The total is the sum of the unclipped terms, clipped once: clipping
    every term first would bias it upwards wherever several terms sit within noise of 0."""
    terms, errs = out["terms"], out["stderr"]
    clipped = [i for i, (t, e) in enumerate(zip(terms, errs)) if e > 0 and t < 0]
    vals = [max(t, 0.0) if e > 0 else (0.0 if -1e-12 < t < 0 else t) for t, e in zip(terms, errs)]
    if out["draws"]:
        raw = math.fsum(terms)
        total = max(raw, 0.0)
        note = (f"; {len(clipped)} sampled term(s) below 0 shown as 0" if clipped else "") + \
            ("; the total, below 0, clipped at 0" if raw < 0 else "")
        return Estimate(total, out["total_stderr"], what + note), vals
    total = math.fsum(vals)
    return total, vals


def partition_kl(model: Any, blocks: Sequence[Any], precision: str = "float", budget: float | None = None,
                 method: str = "auto", stderr: float | None = None, samples: int | None = None,
                 seed: Any = None) -> PartitionKL:
    """``KL(p ‖ q)`` of the sampler that reveals the fixed sets ``S_1, S_2, ...`` in that order.

    Each set's tokens are drawn independently from their exact conditionals given the tokens revealed
    before it. Left to right (``[[0], [1], ...]`` gives 0), DUS's dilated strides
    (:func:`~symsched.schedules.count_rules.dus_blocks`) or any user order.

    Parameters
    ----------
    model : model or ndarray
    blocks : sequence of sequences
        A partition of the positions (integers or variable names); empty sets are allowed and add nothing.
    precision : {"float", "mpmath", "symbolic"}
    budget : float, optional
        Cost limit of the exact route (default 2e8); for a hidden Markov model, the marginal tables of
        ``C_t ∪ S_t`` (every ``x_{C_t}`` enumerated), summed over the steps computed exactly.
    method : {"auto", "exact", "montecarlo"}
        Hidden Markov models (float) only: ``"auto"`` computes each step exactly while the budget lasts
        and samples the others; ``"exact"`` refuses beyond it; ``"montecarlo"`` samples every step.
    stderr, samples, seed :
        Monte Carlo target standard error of the total (nats, default 0.01), cap on draws (default 20000)
        and seed, as in ``information_profile(method="montecarlo")``.

    Returns
    -------
    PartitionKL
        ``exact`` False and ``kl`` an :class:`~symsched.results.Estimate` when a step was sampled.

    Examples
    --------
    >>> import symsched as ss
    >>> copy = ss.copy_model(3, 2)
    >>> round(float(ss.partition_kl(copy, [[0, 2], [1]])), 6)    # log 2: the first pair is drawn independently
    0.693147
    """
    check_choice(method, "method", ("auto", "exact", "montecarlo"), "partition_kl")
    budget = check_budget(budget, "budget", "partition_kl")
    model = as_model(model, "partition_kl")
    N = model.N
    if not isinstance(blocks, (list, tuple)) or \
            not all(isinstance(S, (list, tuple, range, np.ndarray, set, frozenset)) for S in blocks):
        raise SymschedError(f"partition_kl: blocks must be a sequence of blocks (each a list of positions or "
                            f"variable names), got {blocks!r:.80}")
    parts = []
    for S in blocks:
        try:
            parts.append(resolve_positions(model, S, N))
        except SymschedError as exc:
            raise SymschedError(f"partition_kl: blocks: {exc}") from None
    flat = [i for S in parts for i in S]
    if sorted(flat) != list(range(N)):
        raise SymschedError(f"partition_kl: the blocks {parts} must partition the positions 0..{N - 1} (each once)")
    _refuse_symbols(model, precision, "partition_kl")
    if isinstance(model, HiddenMarkovModel) and precision == "float":
        check_montecarlo_options(stderr, samples, seed, "partition_kl")
        out = hmm_partition_terms(model, parts, DEFAULT_SUBSET_BUDGET if budget is None else budget, method,
                                  stderr, samples, seed)
        kl, vals = _estimate_from_terms(out, "KL (fixed partition)")
        return PartitionKL(kl, per_step=vals, blocks=tuple(parts),
                           method="hmm-montecarlo" if out["draws"] else "hmm-exact",
                           per_step_stderr=out["stderr"], stderr=out["total_stderr"], samples=out["draws"] or None)
    if method == "montecarlo":
        raise SymschedError("partition_kl: method='montecarlo' is for hidden Markov models (float); this "
                            f"{type(model).__name__} is computed exactly (or refused beyond the budget)")
    n_subsets = float(sum(len(S) + 2 for S in parts))
    ent = _Entropies(model, precision, n_subsets, budget, "partition_kl")
    ar = arithmetic("float" if ent.method == "chain" else precision)
    terms, C = [], ()
    with ar.workprec():
        for S in parts:
            if not S:
                terms.append(ar.zero)
                continue
            hc = ent(C)
            single = ar.sum([ent(C + (i,)) - hc for i in S])
            terms.append(single - (ent(C + tuple(S)) - hc))
            C = C + tuple(S)
        total = ar.sum(terms)
    prec = "float" if ent.method == "chain" else precision
    total = _finish(prec, total)
    if prec == "float" and -1e-12 < total < 0:
        total = 0.0
    return PartitionKL(total, per_step=[_finish(prec, t) for t in terms], blocks=tuple(parts), method=ent.method)
