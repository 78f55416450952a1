"""Gibbs sampling for Markov random fields whose elimination width is over budget, and the Gibbs
information profile.

Sampler.  The Markov graph (variables sharing a factor) is coloured greedily (networkx); variables
of one colour are conditionally independent given the others, so a whole colour class is updated
at once: for every variable ``v`` of the class and every factor touching it, the factor's log-table
row selected by the other variables' current states is gathered in one indexing operation over all
rows (chains) and all slots ``(v, factor)`` of the class, summed per variable, normalised and
sampled.  One sweep costs about ``rows * K * sum_v (factors touching v)`` gathered numbers (``K`` the
largest cardinality), with one numpy operation per colour class instead of one per variable.

Profile (:func:`gibbs_profile`).  ``h_j = E[H(X_i | X_T = x_T)]`` with ``X ~ p``, ``T`` uniform of
size ``j`` and ``i`` uniform outside ``T`` (the Rao-Blackwellised form of ``E[-log p(X_i | X_T)]``):

* outer draws ``X ~ p``: one Gibbs chain per batch, after ``burn_in`` sweeps, ``draws`` states
  ``thin`` sweeps apart;
* inner: for each outer draw and size ``j`` a random ``T``; ``inner_chains`` conditional Gibbs chains
  on the variables outside ``T`` (``x_T`` clamped), started at the outer draw, then the
  Rao-Blackwellised estimate ``p_hat(k | x_T) = mean_s p(x_i = k | x_{-i}^(s))`` (the local
  conditional on the Markov blanket, read off while the colour class of ``i`` is updated) for every
  ``i`` outside ``T`` and every state ``k`` at once.  Given ``x_T`` the outer draw's other variables
  are a draw of ``p(x_{-T} | x_T)``, so each inner chain is stationary from its first sweep and
  ``p_hat`` is unbiased for ``p(. | x_T)``.  (Reading ``-log p_hat(x_i | x_T)`` at the outer value
  ``x_i`` instead would be biased: the chain starts at a state that knows ``x_i``, and on a 20x20
  grid 20 sweeps do not forget it -- ``h_0`` came out 0.02 nats low.)
* ``H(p_hat)`` is biased low (Jensen).  The delta method gives ``E H(p_bar) ~ H(p) - sum_k
  Var(p_bar_k) / (2 p_k)``; ``Var(p_bar)`` is estimated from the spread of the independent inner
  chains (``s^2 / inner_chains``) and added back (the corrected entropy is capped at the log of the
  cardinality); the result names the largest correction.  The inner chains share their start, which
  the spread between them cannot see, and a mean of ``n`` correlated sweeps leaves a bias falling as
  ``1/n``: every batch's ``h`` is therefore extrapolated to infinitely long inner chains,
  ``2 h(n) - h(n/2)`` with ``h(n/2)`` from the first half of the same sweeps (Richardson), and the batch
  means carry the extra variance.  Measured on an 8x8 Ising grid at J = 0.35 (``h_0 = log 2`` by
  symmetry) with ``h_0`` computed per batch like every other ``h_j``: 5 + 20 inner sweeps leave it
  0.0078 nats low without the extrapolation and 0.0025 (2.9 standard errors of a run to 0.0009) with
  it; 5 + 80 sweeps leave 0.0001.  The removed first
  order is reported, and half of it (where it is significant) is added in quadrature to the standard
  error as an allowance for the second-order remainder (measured at 30-45 % of the first order: 0.0025
  of 0.0057 at 20 sweeps above); a warning says so when that allowance exceeds the sampling error.  Strongly coupled
  fields with inner chains shorter than their correlation time are biased low by more than this accounts for.
* ``h_{N-1} = E[H(X_i | X_{-i})]`` is local: read off the outer draws directly, no inner chain.
  ``h_0 = mean_i H(X_i)`` conditions on nothing, so its Rao-Blackwellised marginals (the unclamped
  inner chains) are pooled over all batches before the entropy is taken: the Jensen bias falls with
  the whole run, not one batch, and the jackknife over batches removes its remaining ``1/B`` order and
  gives the standard error.
* batch means: each batch is an independent outer chain with its own inner chains, seeded from one
  ``SeedSequence`` by batch number (the same numbers whatever ``workers``), so the spread of the
  batch estimates carries all the variance; batches run in rounds until every ``h_j`` meets the
  standard-error target (after at least :data:`GIBBS_MIN_CHAINS` batches), the cap on draws, or the
  time budget.
* diagnostics: split R-hat over the batches' energy traces (``-log`` of the unnormalised weight,
  recorded over the second half of the burn-in and the sampling sweeps); above
  :data:`GIBBS_RHAT_WARN` a warning is issued and the result's notes say so.

Cost.  Per batch about ``[(burn_in + draws * thin) + 2 * draws * (N - 1) * inner_chains *
(inner_burn_in + inner_sweeps)] * K * slots`` gathered numbers (``slots = sum_v factors touching v``);
the minimum run (:data:`GIBBS_MIN_CHAINS` batches, or fewer when ``samples`` caps it) is estimated
before anything runs and refused above :data:`GIBBS_BUDGET` (``ModelTooLargeError``); the same budget
bounds the whole run: no batch starts beyond it, and a result stopped there before meeting its
standard-error target warns and says so in its notes.
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings
from typing import Any

import networkx as nx
import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from ...arithmetic import arithmetic, entropy_last_axis, to_float
from ...errors import ModelTooLargeError, SymschedError
from ...models.markov import MarkovRandomField
from .batched import entropy_of, mrf_elimination_width
from ...validation import check_flag
from .engine import MonteCarloOptions, MonteCarloRoute, montecarlo_options
from ..exact.junction import network_pieces
from ..profile import InformationProfile
from .gibbs_kernel import class_update

__all__ = ["GibbsSampler", "gibbs_chains", "chain_batch_means", "split_rhat", "gibbs_profile", "gibbs_cost",
           "GIBBS_BUDGET", "GIBBS_MIN_CHAINS", "GIBBS_RHAT_WARN", "GIBBS_RHAT_REFUSE", "GIBBS_PIECES_WIDTH"]

#: Largest number of gathered log-potential entries a Gibbs run may cost (about 7 minutes of numpy on one
#: core at the ~1.2e8 a second measured by benchmarks/run.py): a minimum run above it is refused, and no
#: batch starts beyond it.
GIBBS_BUDGET = 5 * 10 ** 10
#: Batches (independent outer chains) before a standard-error target may stop the run.
GIBBS_MIN_CHAINS = 8
#: Batches per round (fixed, so the numbers do not depend on the workers).
GIBBS_ROUND = 4
#: Split R-hat of the energy above which the result warns that the chains may not have converged.
GIBBS_RHAT_WARN = 1.1
#: Split R-hat of the energy above which the profile is refused (unless ``allow_poor_mixing=True``): measured on
#: a 4x5 field with asymmetric pairwise potentials and a field (no cluster move applies; docs/uncertainty.md):
#: H's rms z 0.7-1.2 at coupling <= 1.2 (R-hat <= 1.13 up to 1.0), while at coupling 1.3 runs with R-hat
#: 1.3-1.4 were up to 3.8 standard errors off, and at 1.5 every run had R-hat 1.49-2.09 and H 0.4-0.9 nats high;
#: the standard errors cannot see it.
GIBBS_RHAT_REFUSE = 1.2
#: Largest elimination width (table entries) at which the Gibbs route computes H, h_0 and h_{N-1} exactly.
GIBBS_PIECES_WIDTH = 2 ** 20
#: Gathered log-potential entries a second, above any measured rate (~1.2e8 with numba): a run over the time
#: budget even at this rate is refused without timing a sweep.
_FAST_RATE = 2e9
#: Gathered entries per row chunk of the inner chains (bounds memory: 8 bytes each).
_CHUNK_ENTRIES = 2 ** 21


class GibbsSampler:
    """The local conditionals of a Markov random field compiled for colour-class Gibbs updates.

    Parameters
    ----------
    model : MarkovRandomField

    Attributes
    ----------
    classes : list of int arrays
        The colour classes (a greedy colouring of the Markov graph).
    slots : int
        ``sum_v`` (factors touching ``v``): the gathered rows per sweep and chain.

    Examples
    --------
    >>> import networkx as nx
    >>> from symsched.models.markov import ising
    >>> s = GibbsSampler(ising(nx.grid_2d_graph(3, 3), 0.5))
    >>> len(s.classes), s.slots
    (2, 24)
    """

    def __init__(self, model: MarkovRandomField):
        if not isinstance(model, MarkovRandomField):
            raise SymschedError(f"Gibbs sampling: expected a MarkovRandomField, got {type(model).__name__}")
        #: ``class_update``'s choice: None the numba kernel when installed, False numpy (the same draws)
        self.compiled: bool | None = None
        self.cards = tuple(int(c) for c in model.cardinalities)
        n, K = len(self.cards), max(self.cards)
        self.n, self.K = n, K
        factors = []
        for vs, a in model.factors(arithmetic("float")):
            a = np.asarray(a, dtype=float)
            if not (np.all(np.isfinite(a)) and np.all(a >= 0) and a.max() > 0):
                raise SymschedError(f"Gibbs sampling: the factor over variables {list(vs)} needs finite non-negative "
                                    "entries, not all zero")
            with np.errstate(divide="ignore"):
                factors.append((list(vs), np.log(a)))
        graph = nx.Graph()
        graph.add_nodes_from(range(n))
        for vs, _ in factors:
            graph.add_edges_from((u, w) for k, u in enumerate(vs) for w in vs[k + 1:])
        colour = nx.greedy_color(graph, strategy="largest_first")
        ncol = max(colour.values()) + 1
        self.classes = [np.array(sorted(v for v in range(n) if colour[v] == c), dtype=np.intp) for c in range(ncol)]
        touching: list = [[] for _ in range(n)]
        for vs, lt in factors:
            for k, v in enumerate(vs):
                touching[v].append((vs, lt, k))
        self._plans = [self._class_plan(cls, touching) for cls in self.classes]
        self._top_state = [np.asarray(self.cards, dtype=np.intp)[cls] - 1 for cls in self.classes]
        self.slots = sum(max(1, len(t)) for t in touching)
        # the energy: every factor's log-table entry at the state, in one gather
        flat, offs, scope_idx, strides = [], [], [], []
        r = max((len(vs) for vs, _ in factors), default=1)
        start = 0
        for vs, lt in factors:
            flat.append(lt.ravel())
            offs.append(start)
            start += lt.size
            st = np.cumprod((list(lt.shape[1:]) + [1])[::-1])[::-1] if lt.ndim else np.array([1])
            scope_idx.append(list(vs) + [n] * (r - len(vs)))
            strides.append(list(st) + [0] * (r - len(vs)))
        self._energy = (np.concatenate(flat) if flat else np.zeros(1), np.array(offs, dtype=np.intp),
                        np.array(scope_idx, dtype=np.intp).reshape(len(factors), r),
                        np.array(strides, dtype=np.intp).reshape(len(factors), r))
        self.cluster = _cluster_plan(factors, self.cards, K)

    def _class_plan(self, cls: np.ndarray, touching: list) -> tuple:
        """For one colour class: the stacked log-table rows (padded to ``K`` states with -inf), each slot's
        offset, other variables (the dummy column ``n`` pads) and strides, and the slot runs per variable."""
        n, K = self.n, self.K
        rows, offs, others, strides, starts = [], [], [], [], []
        at = 0
        for v in cls:
            starts.append(len(offs))
            entries = touching[v] or [([int(v)], np.zeros(self.cards[v]), 0)]
            for vs, lt, k in entries:
                moved = np.moveaxis(lt, k, -1)
                table = moved.reshape(-1, self.cards[v])
                pad = np.full((table.shape[0], K), -np.inf)
                pad[:, :self.cards[v]] = table
                rows.append(pad)
                ot = [u for u in vs if u != v]
                shape = [self.cards[u] for u in ot]
                st = np.cumprod((shape[1:] + [1])[::-1])[::-1].tolist() if ot else []
                offs.append(at)
                others.append(ot)
                strides.append(st)
                at += table.shape[0]
        r = max(1, max(len(o) for o in others))
        oth = np.array([o + [n] * (r - len(o)) for o in others], dtype=np.intp)
        std = np.array([s + [0] * (r - len(s)) for s in strides], dtype=np.intp)
        table = np.ascontiguousarray(np.concatenate(rows).T)  # (K, rows): one contiguous gather per state
        return table, np.array(offs, dtype=np.intp), oth, std, np.array(starts, dtype=np.intp)

    # -- the moves -----------------------------------------------------------------------------------
    def class_conditionals(self, c: int, x: np.ndarray) -> np.ndarray:
        """``p(x_v = k | x_{-v})`` for every variable ``v`` of colour class ``c``: shape ``(rows, |class|, K)``
        (states beyond a variable's cardinality have probability 0); ``x`` has ``N + 1`` columns (the
        last a dummy 0)."""
        return np.stack(self._columns(c, x), axis=-1)

    def _columns(self, c: int, x: np.ndarray) -> list:
        """:meth:`class_conditionals` as ``K`` arrays of shape ``(rows, |class|)``, one per state."""
        table, offs, oth, std, starts = self._plans[c]
        idx = offs + x[:, oth[:, 0]] * std[:, 0]
        for k in range(1, oth.shape[1]):  # a column at a time: no (rows, slots, arity) temporary
            idx += x[:, oth[:, k]] * std[:, k]
        # one state column at a time: reductions over a tiny last axis are slow in numpy
        cols = [np.add.reduceat(table[k][idx], starts, axis=1) for k in range(self.K)]
        top = cols[0].copy()
        for col in cols[1:]:
            np.maximum(top, col, out=top)
        if not np.all(np.isfinite(top)):
            bad = int(self.classes[c][np.nonzero(~np.isfinite(top))[1][0]])
            raise SymschedError(f"Gibbs sampling: variable {bad} has no state of positive weight given a chain's "
                                "current state (zero factors disconnect the support; start states matter)")
        w = [np.exp(col - top) for col in cols]
        total = w[0].copy()
        for col in w[1:]:
            total += col
        return [col / total for col in w]

    def sweep(self, x: np.ndarray, rng: np.random.Generator, clamp: np.ndarray | None = None,
              acc: np.ndarray | None = None) -> None:
        """One systematic sweep over the colour classes, in place on ``x`` (``rows x (N + 1)``).

        ``clamp`` (``rows x N`` bool) keeps those entries fixed; with ``acc`` (``rows x N x K``) the
        conditionals ``p(x_v = k | x_{-v})`` at the state each class is updated from are added to it."""
        for c, cls in enumerate(self.classes):
            # one compiled pass per class when numba is installed (symsched.info.gibbs_kernel), else numpy;
            # the same draws from the same uniforms either way
            class_update(self._plans[c], self._top_state[c], cls, x, rng.random((x.shape[0], len(cls))),
                         clamp, acc, compiled=self.compiled)

    def cluster_move(self, x: np.ndarray, rng: np.random.Generator, clamp: np.ndarray | None = None) -> None:
        """One Swendsen-Wang move, in place on ``x`` (``rows x (N + 1)``); needs :attr:`cluster` (not None).

        Every ferromagnetic Potts bond ``exp(beta [x_u == x_v])`` between equal states opens with probability
        ``1 - exp(-beta)``; each connected cluster then takes a new state from the product of its variables'
        one-variable factors.  A cluster holding a clamped variable keeps its state (the move then samples
        the conditional law given the clamped values).  Whole domains flip in one move, where single-site
        updates need a time exponential in the coupling."""
        eu, ev, prob, unary = self.cluster
        rows, n = x.shape[0], self.n
        opened = (x[:, eu] == x[:, ev]) & (rng.random((rows, len(eu))) < prob)
        r, e = np.nonzero(opened)
        src, dst = r * n + eu[e], r * n + ev[e]
        # CSR built directly (sorted by source): scipy's COO conversion dominated the move's time
        order = np.argsort(src, kind="stable")
        indptr = np.zeros(rows * n + 1, dtype=np.int32)
        np.cumsum(np.bincount(src, minlength=rows * n), out=indptr[1:])
        graph = sparse.csr_matrix((np.ones(len(src)), dst[order].astype(np.int32), indptr),
                                  shape=(rows * n, rows * n))
        ncomp, labels = connected_components(graph, directed=True, connection="weak")
        logw = np.stack([np.bincount(labels, weights=unary[:, k][np.arange(rows * n) % n], minlength=ncomp)
                         for k in range(self.K)], axis=1)
        logw -= logw.max(axis=1, keepdims=True)
        w = np.exp(logw)
        cum = np.cumsum(w, axis=1)
        u = rng.random(ncomp) * cum[:, -1]
        colour = np.minimum((cum < u[:, None]).sum(axis=1), self.K - 1)
        if clamp is not None:
            held = clamp.ravel()
            colour[labels[held]] = x[:, :n].ravel()[held]
        x[:, :n] = colour[labels].reshape(rows, n)

    def conditionals(self, x: np.ndarray) -> np.ndarray:
        """``p(x_v = k | x_{-v})`` at the states ``x`` (``rows x (N + 1)``) for every variable: shape
        ``(rows, N, K)`` (0 beyond a variable's cardinality)."""
        out = np.empty((x.shape[0], self.n, self.K))
        for c, cls in enumerate(self.classes):
            out[:, cls, :] = self.class_conditionals(c, x)
        return out

    def energy(self, x: np.ndarray) -> np.ndarray:
        """``-log`` of the unnormalised weight (sum of the factors' log-potentials) at every row of ``x``."""
        flat, offs, scope, strides = self._energy
        if not len(offs):
            return np.zeros(x.shape[0])
        return -flat[offs + (x[:, scope] * strides).sum(axis=-1)].sum(axis=1)

    def start(self, rng: np.random.Generator, rows: int) -> np.ndarray:
        """Uniform random states, ``rows x (N + 1)`` (the last column the dummy 0)."""
        x = np.zeros((rows, self.n + 1), dtype=np.intp)
        x[:, :self.n] = np.floor(rng.random((rows, self.n)) * np.asarray(self.cards)).astype(np.intp)
        return x


def _cluster_plan(factors: list, cards: tuple, K: int) -> tuple | None:
    """``(u, v, open probability, one-variable log-weights N x K)`` when every factor is over one variable or
    is a ferromagnetic Potts bond between two variables of equal cardinality (``exp(a + beta [x_u == x_v])``,
    ``beta >= 0``): the fields where Swendsen-Wang moves apply; None otherwise."""
    n = len(cards)
    unary = np.zeros((n, K))
    for v in range(n):
        unary[v, cards[v]:] = -1e30  # states beyond a variable's cardinality never occur
    eu, ev, prob = [], [], []
    for vs, lt in factors:
        if not np.all(np.isfinite(lt)):
            return None
        if len(vs) == 1:
            unary[vs[0], :cards[vs[0]]] += lt
            continue
        if len(vs) != 2 or vs[0] == vs[1] or lt.shape[0] != lt.shape[1]:
            return None
        q = lt.shape[0]
        diag, off = np.diag(lt), lt[~np.eye(q, dtype=bool)]
        scale = max(1.0, float(np.abs(lt).max()))
        if np.ptp(diag) > 1e-12 * scale or (q > 1 and np.ptp(off) > 1e-12 * scale) or (q > 1 and diag[0] < off[0]):
            return None
        if q > 1 and diag[0] > off[0]:
            eu.append(vs[0])
            ev.append(vs[1])
            prob.append(-math.expm1(off[0] - diag[0]))
    if not eu:
        return None
    return np.array(eu, dtype=np.intp), np.array(ev, dtype=np.intp), np.array(prob), unary


def _check_int(where: str, name: str, value: Any, low: int) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)) or value < low:
        raise SymschedError(f"{where}: {name} must be an integer >= {low}, got {value!r}")
    return int(value)


def gibbs_chains(model: MarkovRandomField, chains: int, draws: int, seed: Any = None, burn_in: int = 200,
                 thin: int = 1) -> np.ndarray:
    """Draws of a Markov random field by Gibbs sampling, vectorised over independent chains and colour classes.

    Every chain starts uniformly at random, runs ``burn_in`` sweeps, then keeps one state every ``thin``
    sweeps.  Needs no elimination (any treewidth); the draws are correlated within a chain, so estimate
    with :func:`chain_batch_means` (chains are the batches).  Returns int states of shape
    ``(chains, draws, N)``.

    Examples
    --------
    >>> import networkx as nx
    >>> from symsched.models.markov import ising
    >>> gibbs_chains(ising(nx.path_graph(3), 0.5), chains=4, draws=10, seed=0, burn_in=5).shape
    (4, 10, 3)
    """
    for name, value, low in (("chains", chains, 2), ("draws", draws, 1), ("burn_in", burn_in, 0), ("thin", thin, 1)):
        _check_int("gibbs_chains", name, value, low)
    sampler = GibbsSampler(model)
    rng = np.random.default_rng(np.random.SeedSequence(entropy_of(seed)))
    x = sampler.start(rng, chains)
    out = np.empty((chains, draws, sampler.n), dtype=np.int64)
    for sweep in range(burn_in + draws * thin):
        sampler.sweep(x, rng)
        if sweep >= burn_in and (sweep - burn_in) % thin == thin - 1:
            out[:, (sweep - burn_in) // thin] = x[:, :sampler.n]
    return out


def chain_batch_means(values: np.ndarray) -> tuple[float, float]:
    """``(mean, stderr)`` of ``values`` of shape ``(chains, draws)``: each chain's mean is one batch, and the
    chains are independent, so the standard error of the batch means is honest whatever the autocorrelation
    inside a chain.

    Examples
    --------
    >>> chain_batch_means(np.array([[1.0, 1.0], [3.0, 3.0]]))
    (2.0, 1.0)
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or values.shape[0] < 2:
        raise SymschedError(f"chain_batch_means: expected shape (chains >= 2, draws), got {values.shape}")
    m = values.mean(axis=1)
    return float(m.mean()), float(m.std(ddof=1) / math.sqrt(len(m)))


def split_rhat(traces: np.ndarray) -> float:
    """Split R-hat (Gelman et al.) of ``traces`` of shape ``(chains, length)``: every trace cut in two
    halves, between- against within-half variance; near 1 when the chains agree, NaN when too short.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> bool(split_rhat(rng.normal(size=(8, 200))) < 1.05)
    True
    >>> bool(split_rhat(rng.normal(size=(8, 200)) + np.arange(8)[:, None]) > 2)
    True
    """
    traces = np.asarray(traces, dtype=float)
    if traces.ndim != 2:
        raise SymschedError(f"split_rhat: expected shape (chains, length), got {traces.shape}")
    half = traces.shape[1] // 2
    if half < 2 or traces.shape[0] < 1:
        return math.nan
    halves = np.concatenate([traces[:, :half], traces[:, -half:]], axis=0)
    within = float(halves.var(axis=1, ddof=1).mean())
    between = half * float(halves.mean(axis=1).var(ddof=1))
    if within == 0:
        return 1.0 if between == 0 else math.inf
    return math.sqrt(((half - 1) / half * within + between / half) / within)


class _Settings:
    """A sampler with the run's settings: what a worker needs for one batch."""

    def __init__(self, sampler: GibbsSampler, burn_in: int, draws: int, thin: int, inner_chains: int,
                 inner_burn_in: int, inner_sweeps: int, cluster: bool = False):
        self.sampler, self.burn_in, self.draws, self.thin, self.cluster = sampler, burn_in, draws, thin, cluster
        self.inner_chains, self.inner_burn_in, self.inner_sweeps = inner_chains, inner_burn_in, inner_sweeps


def gibbs_cost(sampler: GibbsSampler, batches: int, burn_in: int, draws: int, thin: int, inner_chains: int,
               inner_burn_in: int, inner_sweeps: int) -> int:
    """Gathered log-potential entries of ``batches`` batches (see the module docstring)."""
    n = sampler.n
    outer = burn_in + draws * thin + draws  # + the h_{N-1} conditionals
    inner = draws * max(n - 1, 1) * inner_chains * (inner_burn_in + inner_sweeps)
    return int(batches * (outer + inner) * sampler.K * sampler.slots)


def _gibbs_batch(run: _Settings, rng: np.random.Generator) -> tuple:
    """One batch: one outer chain and its inner chains.  Returns ``(h per size 0..N-1, Jensen correction
    per size, energy trace, h from the first half of the inner sweeps, mean Rao-Blackwellised marginals
    (N x K) of the unclamped inner chains)``."""
    s, n = run.sampler, run.sampler.n
    x = s.start(rng, 1)
    trace, draws = [], []
    window = run.burn_in - run.burn_in // 2
    for sweep in range(run.burn_in + run.draws * run.thin):
        if run.cluster:
            s.cluster_move(x, rng)
        s.sweep(x, rng)
        if sweep >= window:
            trace.append(float(s.energy(x)[0]))
        if sweep >= run.burn_in and (sweep - run.burn_in) % run.thin == run.thin - 1:
            draws.append(x[0].copy())
    outer = np.array(draws)  # (draws, N + 1)
    h, corr = np.zeros(n), np.zeros(n)
    if n >= 2:
        h[n - 1] = float(entropy_last_axis(s.conditionals(outer)).mean())
    sizes = list(range(max(n - 1, 1)))
    R = run.inner_chains
    # rows ordered (draw, size, inner chain); T uniform of size j per (draw, size)
    clamp = np.zeros((len(draws), len(sizes), n), dtype=bool)
    for d in range(len(draws)):
        for a, j in enumerate(sizes):
            clamp[d, a, rng.permutation(n)[:j]] = True
    clamp = np.repeat(clamp.reshape(-1, n), R, axis=0)
    x0 = np.repeat(outer, len(sizes) * R, axis=0)
    groups, halves, jensen = (np.empty(x0.shape[0] // R) for _ in range(3))
    # j = 0 conditions on nothing: its Rao-Blackwellised marginals are pooled over the whole run (see
    # gibbs_profile), so the batch returns their mean here
    marginals, size_of_row = np.zeros((n, s.K)), (np.arange(x0.shape[0]) // R) % len(sizes)
    # whole groups of R inner chains per chunk; memory ~ chunk * max(K * slots of a class, N * K)
    per_row = s.K * max(max(len(p[1]) for p in s._plans), n)
    chunk = max(R, (_CHUNK_ENTRIES // per_row) // R * R)
    log_card = np.log(np.asarray(s.cards, dtype=float))
    for lo in range(0, x0.shape[0], chunk):
        xs, cl = x0[lo:lo + chunk].copy(), clamp[lo:lo + chunk]
        for _ in range(run.inner_burn_in):
            if run.cluster:
                s.cluster_move(xs, rng, clamp=cl)
            s.sweep(xs, rng, clamp=cl)
        acc = np.zeros((xs.shape[0], n, s.K))
        half = run.inner_sweeps // 2
        for sweep in range(run.inner_sweeps):
            if run.cluster:
                s.cluster_move(xs, rng, clamp=cl)
            s.sweep(xs, rng, clamp=cl, acc=acc)
            if sweep == half - 1:  # the first half alone: how the estimate moves with the inner length
                acc_half = acc.copy()
        marginals += acc[size_of_row[lo:lo + chunk] == 0].sum(axis=0) / run.inner_sweeps
        free = ~cl[::R]
        count = free.sum(axis=-1)
        g = slice(lo // R, lo // R + len(free))
        for out, a, sweeps in ((groups, acc, run.inner_sweeps), (halves, acc_half, half)):
            ent, c = _corrected_entropy(a / sweeps, R, log_card)
            out[g] = np.where(free, ent, 0.0).sum(axis=-1) / count
            if out is groups:
                jensen[g] = np.where(free, c, 0.0).sum(axis=-1) / count
    h_half = h.copy()
    h[sizes] = groups.reshape(len(draws), len(sizes)).mean(axis=0)
    h_half[sizes] = halves.reshape(len(draws), len(sizes)).mean(axis=0)
    corr[sizes] = jensen.reshape(len(draws), len(sizes)).mean(axis=0)
    if n == 1:
        h, h_half, corr = h[:1], h_half[:1], corr[:1]
    return h, corr, np.array(trace), h_half, marginals / (len(draws) * R)


def _extrapolated(batch: tuple) -> np.ndarray:
    """A batch's ``h`` extrapolated to infinitely long inner chains: the bias of ``h`` from ``n`` averaged
    sweeps falls as ``1/n`` (Jensen on a mean of ``n`` correlated draws, and the transient of the shared
    start), so ``2 h(n) - h(n/2)`` removes its first order (Richardson).  Per batch, so the batch means
    carry the extrapolation's extra variance."""
    return 2 * batch[0] - batch[3]


def _corrected_entropy(p_hat: np.ndarray, R: int, log_card: np.ndarray) -> tuple:
    """``(H(p_bar) + c, c)`` per group of ``R`` rows of ``p_hat`` (``rows x N x K``): ``p_bar`` their mean and
    ``c = sum_k Var(p_bar_k) / (2 p_bar_k)`` the delta-method Jensen correction (capped at log K_i)."""
    p_hat = p_hat.reshape(-1, R, *p_hat.shape[1:])
    p_bar = p_hat.mean(axis=1)
    var_bar = p_hat.var(axis=1, ddof=1) / R
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(p_bar > 0, var_bar / (2 * p_bar), 0.0).sum(axis=-1)
    return np.minimum(entropy_last_axis(p_bar) + c, log_card), c


def gibbs_profile(model: MarkovRandomField, stderr: float | None = None, seed: Any = None,
                  samples: int | None = None, base: Any = None, workers: Any = None,
                  time_budget: float | None = None, progress: bool | None = None, burn_in: int = 200,
                  draws: int = 2, thin: int = 10, inner_chains: int = 4, inner_burn_in: int = 5,
                  inner_sweeps: int = 20, budget: int | None = None, cluster: bool | None = None,
                  exact_pieces: bool = True, allow_poor_mixing: bool = False) -> InformationProfile:
    """Gibbs estimate of the information profile of a Markov random field of any treewidth.

    ``information_profile(model, method="montecarlo")`` takes this route when variable elimination is
    over :data:`symsched.info.batched.MRF_ELIMINATION_BUDGET`; see the module docstring for the
    estimator, its bias correction, batch means and cost.

    Parameters
    ----------
    model : MarkovRandomField
    stderr : float, optional
        Target standard error of every ``h_j`` in nats (default 0.01).
    seed : int or numpy Generator, optional
    samples : int, optional
        Cap on outer draws per ``h_j`` (default 20000): at most ``ceil(samples / draws)`` batches (>= 2).
    base : number, optional
        Logarithm base of the result.
    workers : int or dask.distributed.Client, optional
        Run the batches on local processes or a dask cluster; the numbers do not depend on it.
    time_budget : float, optional
        Seconds: no batch starts that would end after it (the run keeps what it has, at least 2 batches);
        a run whose 2 batches are estimated (from a timed sweep) to take well over it is refused
        (``ModelTooLargeError``) with the estimate.  With numba, the first call in a process also compiles
        the sweep kernel (about 2 s, once), which the timed sweep includes.
    progress : bool, optional
        A tqdm bar over the batches (default on, when tqdm is installed).
    burn_in, draws, thin : int
        Outer chain: sweeps dropped, draws kept per batch, sweeps between them.
    inner_chains, inner_burn_in, inner_sweeps : int
        Independent conditional chains per outer draw and size (>= 2: their spread gives the Jensen
        correction), sweeps dropped (0 by default: they start stationary) and sweeps averaged in each.
    budget : int, optional
        Largest cost (gathered entries) of the run (default :data:`GIBBS_BUDGET`): a minimum run above it
        is refused, and no batch starts beyond it.
    cluster : bool, optional
        Add a Swendsen-Wang move (:meth:`GibbsSampler.cluster_move`) before every sweep of the outer and
        inner chains.  Default: on when the field allows it (every factor over one variable or a
        ferromagnetic Potts bond: Ising and Potts models with J >= 0 and any field), which removes the bias
        of single-site chains that cannot leave a magnetised domain (measured in docs/uncertainty.md).

    exact_pieces : bool
        Compute ``H``, ``h_0`` and ``h_{N-1}`` exactly by a junction tree
        (:func:`symsched.info.junction.network_pieces`) when the field's elimination width allows (at most
        :data:`GIBBS_PIECES_WIDTH` table entries), and condition the sampled ``h_j`` on them: the generalised
        least-squares adjustment ``h - C A' (A C A')^+ (A h - b)`` with its covariance
        ``C - C A' (A C A')^+ A C`` (the Gaussian conditional given the exact values, which then carry no
        error).  Default True.
    allow_poor_mixing : bool
        A split R-hat of the energy above :data:`GIBBS_RHAT_REFUSE` (over at least 4 chains) means the chains
        disagree (stuck in different modes), and the estimate is then biased by more than its standard error
        says: the call is refused with the way forward, unless this is True (then it warns and says so in the
        notes).

    Returns
    -------
    InformationProfile
        ``exact=False``, ``method="montecarlo (gibbs)"``, batch-means ``stderr`` and ``covariance`` (the
        covariance of the batch vectors of all ``h_j``: every ``h_j`` of a batch comes from the same outer
        chain), and ``notes`` with the batches, split R-hat of the energy and the largest Jensen correction.

    Examples
    --------
    >>> import networkx as nx
    >>> from symsched.models.markov import ising
    >>> prof = gibbs_profile(ising(nx.path_graph(3), 0.4), seed=0, samples=8, burn_in=20, progress=False)
    >>> prof.method, prof.exact, len(prof.h), all(s > 0 for s in prof.stderr[1:])
    ('montecarlo (gibbs)', False, 3, True)
    """
    opts = _check_options(stderr, samples, seed, budget, time_budget, workers, progress, cluster, burn_in=burn_in,
                          draws=draws, thin=thin, inner_chains=inner_chains, inner_burn_in=inner_burn_in,
                          inner_sweeps=inner_sweeps)
    scale = 1.0 if base is None else 1.0 / math.log(to_float(base, "base"))
    sampler = GibbsSampler(model)
    if cluster and sampler.cluster is None:
        raise SymschedError("cluster=True needs every factor over one variable or a ferromagnetic Potts bond "
                            "(Ising/Potts with J >= 0); pass cluster=False for single-site Gibbs")
    cluster = sampler.cluster is not None if cluster is None else bool(cluster)
    run = _Settings(sampler, burn_in, draws, thin, inner_chains, inner_burn_in, inner_sweeps, cluster)
    limit = GIBBS_BUDGET if opts.budget is None else opts.budget
    # a cluster move costs about one more sweep
    per_batch = gibbs_cost(sampler, 1, burn_in, draws, thin, inner_chains, inner_burn_in, inner_sweeps) * (
        2 if cluster else 1)
    cap_batches, capped_by_budget, seconds = _plan(run, opts, per_batch, limit)
    # the exact pieces first: their time counts against the time budget
    began = time.perf_counter()
    pieces = _exact_pieces(model) if exact_pieces and sampler.n >= 2 else None
    if opts.time_budget is not None:
        opts = dataclasses.replace(opts, time_budget=max(opts.time_budget - (time.perf_counter() - began), 1e-9))
    route = GibbsRoute(run, per_batch, cap_batches, seconds)
    mc = route.run(dataclasses.replace(opts, target=opts.target / scale, budget=limit))
    results = mc.sides[0]
    mean, cov, notes = _summarise(run, results, scale, opts.target, limit, per_batch, cap_batches, capped_by_budget,
                                  check_flag(allow_poor_mixing, "allow_poor_mixing", "gibbs_profile"))
    if pieces is not None:
        mean, cov, note = _pin_exact_pieces(pieces, mean, cov, float(np.log(max(sampler.cards))), len(results))
        notes.append(note)
    if mc.stopped == "time_budget":
        notes.append(f"stopped by time_budget={time_budget:g} s after {len(results)} batches "
                     f"({mc.elapsed:.3g} s): the standard errors say how far it got")
    h = mean * scale
    e = tuple(float(v) for v in np.concatenate([[0.0], np.cumsum(h)]))
    cov = cov * scale ** 2
    se = np.sqrt(np.maximum(cov.diagonal(), 0.0))
    return InformationProfile(tuple(float(v) for v in h), e=e, entropy=e[-1], precision="float",
                              method="montecarlo (gibbs)", base=base,
                              stderr=tuple(float(v) for v in se), exact=False, notes=tuple(notes), covariance=cov)


def _check_options(stderr: Any, samples: Any, seed: Any, budget: Any, time_budget: Any, workers: Any,
                   progress: Any, cluster: Any, **counts: Any) -> MonteCarloOptions:
    """:func:`gibbs_profile`'s arguments checked: the shared Monte Carlo options, the chain lengths, ``cluster``."""
    opts = montecarlo_options("gibbs_profile", stderr=stderr, samples=samples, seed=seed, budget=budget,
                              time_budget=time_budget, workers=workers, progress=progress)
    lows = {"burn_in": 0, "draws": 1, "thin": 1, "inner_chains": 2, "inner_burn_in": 0, "inner_sweeps": 2}
    for name, value in counts.items():
        _check_int("gibbs_profile", name, value, lows[name])
    if cluster is not None and not isinstance(cluster, (bool, np.bool_)):
        raise SymschedError(f"gibbs_profile: cluster must be True, False or None (automatic), got {cluster!r}")
    return opts


def _plan(run: _Settings, opts: MonteCarloOptions, per_batch: float, limit: float) -> tuple:
    """``(most batches, whether the budget set that, estimated seconds a batch)``; refuses a minimum run over
    the budget, or whose two batches are expected to take well over the time budget, with the estimate."""
    n, draws = run.sampler.n, run.draws
    cap_batches = max(2, math.ceil(opts.cap / draws))
    least = min(GIBBS_MIN_CHAINS, cap_batches)
    sizes = (f"{draws} draws x {n - 1} sizes x {run.inner_chains} inner chains x "
             f"{run.inner_burn_in + run.inner_sweeps} sweeps")
    if least * per_batch > limit:
        raise ModelTooLargeError(
            f"Gibbs profile of this Markov random field (N={n}, {run.sampler.slots} factor slots, {least} batches of "
            f"{sizes})", least * per_batch, limit, "pass samples=2 for the smallest run, or call "
            "symsched.info.gibbs.gibbs_profile with fewer draws / inner_sweeps, or a larger budget=")
    how = "from a timed sweep"
    seconds = per_batch / _FAST_RATE if opts.time_budget is not None else 0.0
    if opts.time_budget is not None and 2 * seconds > 1.5 * opts.time_budget + 0.05:
        # over the time budget even at a rate faster than any measured: refused before timing a sweep (which
        # may compile the numba kernel first, seconds of its own)
        how = f"at least, at {_FAST_RATE:.0e} gathered entries a second (faster than measured on any machine)"
    elif opts.time_budget is not None:
        seconds = per_batch / _gather_rate(run.sampler)
    if opts.time_budget is not None and 2 * seconds > 1.5 * opts.time_budget + 0.05:
        raise ModelTooLargeError(
            f"Gibbs profile within time_budget={opts.time_budget:g} s (N={n}: one batch of {sizes} is estimated at "
            f"{seconds:.3g} s {how}, and at least 2 batches are needed for a standard error)",
            2 * seconds, opts.time_budget, f"raise time_budget to about {2 * seconds:.2g} s, or call "
            "symsched.info.gibbs.gibbs_profile with fewer draws / inner_chains / inner_sweeps")
    budget_batches = cap_batches if math.isinf(limit) else max(least, int(limit // max(per_batch, 1)))
    return min(cap_batches, budget_batches), budget_batches < cap_batches, seconds


def _exact_pieces(model: MarkovRandomField) -> Any:
    """The junction tree's exact ``H``, ``h_0``, ``h_{N-1}`` when the field's elimination width is at most
    :data:`GIBBS_PIECES_WIDTH` entries, else None."""
    if mrf_elimination_width(model) > GIBBS_PIECES_WIDTH:
        return None
    try:
        return network_pieces(model)
    except ModelTooLargeError:
        return None


def _pin_exact_pieces(pieces: Any, mean: np.ndarray, cov: np.ndarray, top: float, batches: int) -> tuple:
    """``(mean, cov, note)``: the sampled ``h_j`` conditioned on the exact pieces (see :func:`gibbs_profile`)."""
    n = len(mean)
    rows, values, names = [np.ones(n)], [pieces.entropy], ["H"]
    rows.append(np.eye(n)[0])
    values.append(pieces.h0)
    names.append("h_0")
    if pieces.h_last_stderr == 0:  # a sampled blanket makes h_{N-1} an estimate: it is not pinned then
        rows.append(np.eye(n)[n - 1])
        values.append(pieces.h_last)
        names.append("h_{N-1}")
    A, b = np.array(rows), np.array(values)
    # the covariance comes from `batches` vectors: conditioning on m pieces leaves batches - 1 - m degrees of
    # freedom, and the residual variance is rescaled to them (as a regression's is); too few: not pinned
    dof = batches - 1 - len(b)
    if dof < 4:
        return mean, cov, (f"{', '.join(names)} are known exactly (junction tree) but not used: {batches} batches "
                           f"leave too few degrees of freedom to condition the sampled h_j on them (need "
                           f"{len(b) + 5}; raise samples)")
    gain = cov @ A.T @ np.linalg.pinv(A @ cov @ A.T)
    moved = float(np.sum(A[0] * mean) - b[0])
    moved_se = math.sqrt(max(float(A[0] @ cov @ A[0]), 1e-300))
    mean = mean - gain @ (A @ mean - b)
    P = np.eye(n) - gain @ A
    cov = P @ cov @ P.T * ((batches - 1) / dof)
    cov = (cov + cov.T) / 2
    mean[0] = pieces.h0
    cov[0, :] = cov[:, 0] = 0.0
    if "h_{N-1}" in names:
        mean[-1] = pieces.h_last
        cov[-1, :] = cov[:, -1] = 0.0
    np.fill_diagonal(cov, np.maximum(cov.diagonal(), 0.0))
    note = (f"{', '.join(names)} exact by a junction tree; the sampled h_j conditioned on them by generalised "
            f"least squares on their covariance (the sampled H was {moved:+.3g} nats off, "
            f"{moved / moved_se:+.2g} of its stderr)")
    if np.any(mean < 0) or np.any(mean > top):
        # set to the bound, and the excess moved onto the other sampled h_j by their variances (H stays exact)
        clipped = np.clip(mean, 0.0, top)
        excess = float(clipped.sum() - mean.sum())
        var = np.where((clipped == mean) & (cov.diagonal() > 0), cov.diagonal(), 0.0)
        mean = clipped - (excess * var / var.sum() if var.sum() > 0 else 0.0)
        note += "; adjusted h_j outside [0, log K] set to the bound, the excess spread over the others"
    return mean, cov, note


def _gather_rate(sampler: GibbsSampler) -> float:
    """Gathered log-potential entries a second on this machine, from one timed sweep of 64 chains."""
    rng = np.random.default_rng(0)
    x = sampler.start(rng, 64)
    sampler.sweep(x, rng)  # warm the caches
    start = time.perf_counter()
    sampler.sweep(x, rng)
    took = max(time.perf_counter() - start, 1e-6)
    return 64 * sampler.K * sampler.slots / took


class GibbsRoute(MonteCarloRoute):
    """The Gibbs profile on the Monte Carlo skeleton: one group of the ``N`` extrapolated ``h_j``; a batch is one
    outer chain with its inner chains (:func:`_gibbs_batch`), its whole output kept as the batch's side for
    :func:`_summarise` (the pooled ``h_0``, traces, corrections).  Batch ``k`` draws from
    ``SeedSequence(seed, spawn_key=(k,))``, as before the skeleton: the same numbers."""

    where = "gibbs_profile"
    progress_desc = "Gibbs batches"
    round_batches = GIBBS_ROUND
    min_batches = GIBBS_MIN_CHAINS
    keeps_side = True
    budget_hint = "pass samples=2 for the smallest run, or fewer draws / inner_sweeps, or a larger budget="

    def __init__(self, run: _Settings, per_batch: float, cap: int, seconds: float):
        self.settings, self.per_batch, self.cap, self.seconds = run, per_batch, cap, seconds
        self.n_terms = run.sampler.n

    def rng_for(self, entropy: int, label: int, k: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(k,)))

    def batch(self, label: int, rng: np.random.Generator) -> tuple:
        out = _gibbs_batch(self.settings, rng)
        return _extrapolated(out), out

    def batch_cost(self, label: int) -> float:
        return float(self.per_batch)

    def cap_batches(self, opts: MonteCarloOptions) -> int:
        return self.cap

    def batch_seconds(self) -> float:
        return self.seconds

    def long(self) -> bool:
        return True


def _refuse_poor_mixing(run: _Settings, rhat: float, batches: int) -> None:
    moves = ("with Swendsen-Wang moves" if run.cluster else "single-site" + (
        "; cluster=True adds Swendsen-Wang moves" if run.sampler.cluster is not None else
        " (no cluster move applies: the field is not a ferromagnetic Ising/Potts model)"))
    raise SymschedError(
        f"gibbs_profile: the {batches} chains do not mix (split R-hat of the energy {rhat:.3g} > "
        f"{GIBBS_RHAT_REFUSE}; {moves}): they sit in different modes, and the estimate would be biased by more "
        "than its standard error says (measured in docs/uncertainty.md). Ways forward: the exact route "
        "(information_profile(model, method='exact')) when the elimination width allows; a much longer burn_in= "
        "and thin= (helps only if the chains cross between modes); or allow_poor_mixing=True to get the biased "
        "estimate with a warning")


def _summarise(run: _Settings, results: list, scale: float, target: float, limit: int, per_batch: int,
               cap_batches: int, capped_by_budget: bool, allow_poor_mixing: bool = False) -> tuple:
    """``(mean h, covariance, notes)`` from the batches (warnings issued here).

    The covariance is that of the batch vectors of all ``h_j`` (``h_0`` by its jackknife pseudo-values),
    plus the outer product of the systematic allowance (half the first-order bias the extrapolation
    removed, signed): the allowance moves every ``h_j`` the same way, so it adds up across ``j``."""
    sampler, n = run.sampler, run.sampler.n
    V = np.array([_extrapolated(r) for r in results])
    B = len(V)
    corr = np.array([r[1] for r in results]).mean(axis=0)
    traces = [r[2] for r in results]
    rhat = split_rhat(np.array(traces)) if traces and len(traces[0]) else math.nan
    # with fewer than 4 chains R-hat itself is too noisy to refuse on (a well-mixed 2-chain run can exceed it):
    # the warning below stays
    if rhat > GIBBS_RHAT_REFUSE and len(results) >= 4 and not allow_poor_mixing:
        _refuse_poor_mixing(run, rhat, len(results))
    worst = int(np.argmax(corr))
    drift = np.array([r[0] - r[3] for r in results])
    bias, bias_se = drift.mean(axis=0), drift.std(axis=0, ddof=1) / math.sqrt(B)
    if n >= 2:
        bias[0] = bias_se[0] = 0.0  # h_0 is pooled over the batches below, not extrapolated
        # h_0 = mean_i H(p(X_i)): the marginals condition on nothing, so they are pooled over every batch
        # (Jensen bias ~ 1/(all sweeps), not 1/(one batch's)); the jackknife pseudo-values over batches
        # remove the remaining 1/B order and stand for h_0 in the batch vectors
        M = np.array([r[4] for r in results])
        h0_all = float(entropy_last_axis(M.mean(axis=0)).mean())
        loo = np.array([entropy_last_axis((M.sum(axis=0) - M[b]) / (B - 1)).mean() for b in range(B)])
        V[:, 0] = B * h0_all - (B - 1) * loo
    mean = V.mean(axis=0)
    cov = np.atleast_2d(np.cov(V, rowvar=False, ddof=1)) / B
    se = np.sqrt(np.maximum(cov.diagonal(), 0.0))
    big = int(np.argmax(np.abs(bias)))
    moves = "a Swendsen-Wang move and a sweep" if run.cluster else "single-site sweeps"
    notes = [f"Gibbs sampling ({len(sampler.classes)} colour classes; {moves}): {B} independent outer chains "
             f"(batches) of {run.burn_in} burn-in sweeps and {run.draws} draws {run.thin} sweeps apart; "
             f"{run.inner_chains} inner chains of {run.inner_burn_in} + {run.inner_sweeps} sweeps per draw and size; "
             "stderr and covariance by batch means",
             f"split R-hat of the energy over the chains: {rhat:.4g}",
             f"Jensen bias of H(p_hat) removed by the delta method: largest mean correction "
             f"{corr[worst] * scale:.3g} at h_{worst}",
             f"first-order bias of the inner chains' length removed by extrapolation (2 h(full) - h(half), "
             f"h(half) from the first half of the inner sweeps): largest {bias[big] * scale:+.2g} "
             f"+- {bias_se[big] * scale:.2g} at h_{big}"]
    warn = []
    if capped_by_budget and B >= cap_batches and not np.all(se <= target / scale):
        warn.append(f"Gibbs profile: stopped at {B} batches, the most the budget allows ({limit:.3g} gathered "
                    f"entries, {per_batch:.3g} a batch), before every h_j reached the stderr target {target:g}: "
                    "the standard errors say how far it got; raise budget= (gibbs_profile) or the target")
    if not rhat <= GIBBS_RHAT_WARN:
        warn.append(f"Gibbs profile: split R-hat of the energy is {rhat:.4g} (> {GIBBS_RHAT_WARN}): the chains may "
                    "not have converged; raise burn_in (gibbs_profile) and check the standard errors")
    # what the extrapolation leaves is of second order; measured, it was 30-45 % of the first order removed
    # (module docstring), so half of it enters the covariance as a systematic allowance
    allowance = np.where(np.abs(bias) > 2 * bias_se, 0.5 * bias, 0.0)
    if np.any(np.abs(allowance) > se):
        worst_sys = int(np.argmax(np.abs(allowance) - se))
        warn.append(f"Gibbs profile: the systematic allowance for the inner chains' length "
                    f"({abs(allowance[worst_sys]) * scale:.2g} at h_{worst_sys}, half the first-order bias removed by "
                    "extrapolation) exceeds the sampling error: the standard errors include it, and raising "
                    "inner_sweeps (gibbs_profile) shrinks it")
    if np.any(allowance != 0):
        notes.append(f"standard errors include a systematic allowance of half the first-order bias removed (its "
                     f"second-order remainder), largest {float(np.abs(allowance).max()) * scale:.2g}")
    cov = cov + np.outer(allowance, allowance)
    for msg in warn:
        warnings.warn(msg, RuntimeWarning, stacklevel=3)
    notes += warn
    if n >= 2:
        notes.append("h_0 from the Rao-Blackwellised marginals pooled over all batches (jackknife bias correction "
                     "and stderr)")
    # an extrapolated mean may cross the bounds every h_j obeys (0 <= h_j <= log of the largest cardinality)
    top = float(np.log(max(sampler.cards)))
    out = (mean < 0) | (mean > top)
    if np.any(out):
        notes.append(f"{int(out.sum())} extrapolated h_j outside [0, log {max(sampler.cards)}] set to the bound "
                     f"(largest excess {float(np.max(np.maximum(-mean, mean - top))) * scale:.2g})")
        mean = np.clip(mean, 0.0, top)
    return mean, cov, notes
