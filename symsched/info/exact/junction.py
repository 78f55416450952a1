"""Exact entropy, TC, DTC and O-information of graphical models by one calibrated junction tree.

A Bayesian network or a Markov random field is a product of factors ``p(x) = prod_f psi_f(x_f) / Z``
(a network's CPDs have ``Z = 1``).  The quantities that ``entropy``, ``total_correlation``,
``dual_total_correlation`` and ``o_information`` need are local:

* ``H = log Z - sum_f E log psi_f(X_f)`` (for a network ``sum_i H(X_i | Pa_i)``): factor-scope marginals;
* ``h_0 = mean_i H(X_i)``: single marginals;
* ``h_{N-1} = mean_i H(X_i | X_{-i}) = mean_i [H(X_i, X_{MB_i}) - H(X_{MB_i})]``: the marginal of each
  Markov blanket ``MB_i`` (the neighbours of ``i`` in the moral graph);
* ``h_1 = mean_{a<b} H(X_a, X_b) - h_0`` (on request): pair marginals.

One elimination order (greedy min-fill) gives one clique ``C_v`` per variable (``v`` and its neighbours
when ``v`` is eliminated); ``C_v``'s parent is the clique of the first variable of ``C_v - {v}`` to be
eliminated after ``v``, so the message up from ``C_v`` sums out exactly ``v``.  Messages go up once
(normalised, their logarithms summed into ``log Z``) and down once (Hugin's division on the separator,
``0/0 = 0``); the calibrated clique beliefs ``beta_C`` then answer every query:

* a set inside one clique: a sum of its belief;
* a set ``S`` spread over several cliques: ``p(x_S) = sum prod_{C in T} beta_C / prod_{edges} mu_sep`` over
  the smallest subtree ``T`` whose cliques cover ``S`` (a calibrated subtree is a junction tree of its
  own variables' marginal), contracted pairwise by greedy elimination (never one ``einsum`` over many
  operands);
* pair marginals of every pair: one calibration with a batch axis holding the evidence ``X_a = s`` for
  every variable ``a`` and state ``s``.

A Markov blanket whose table is over ``blanket_budget`` entries is not enumerated: ``H(X_i | X_{MB_i})``
is then estimated as the mean of ``H(p(X_i | x_{MB_i}))`` (computed from the factors containing ``i``)
over exact draws ``x ~ p`` from the calibrated tree (each clique's new variable given its separator),
with the standard error of the mean; the other pieces stay exact.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...arithmetic import arithmetic
from ...errors import ModelTooLargeError, SymschedError
from ...models.bayesian import BayesianNetwork
from ...models.markov import MarkovRandomField

__all__ = [
    "DEFAULT_BLANKET_BUDGET",
    "DEFAULT_PIECES_STDERR",
    "DEFAULT_TREE_BUDGET",
    "JunctionTree",
    "NetworkPieces",
    "network_pieces",
]

#: Largest total number of clique-table entries of an accepted junction tree.
DEFAULT_TREE_BUDGET = 5e7
#: Largest table (entries of ``X_i`` and its Markov blanket, or of any intermediate) enumerated per blanket.
DEFAULT_BLANKET_BUDGET = 2e7
#: Target standard error (nats) of ``sum_i H(X_i | X_{-i})`` when some blankets are sampled.
DEFAULT_PIECES_STDERR = 0.01
#: Entries (batch times clique tables) of one batched calibration for pair marginals.
_PAIR_CHUNK_ENTRIES = 4e6
_MC_BATCH = 4096


def _min_fill_order(n: int, adj: list[set], cards: Sequence[int]) -> list[int]:
    """Greedy elimination order: fewest fill-in edges, then smallest clique table."""
    adj = [set(a) for a in adj]
    alive = set(range(n))
    order = []
    while alive:
        best, key = -1, None
        for v in alive:
            nb = adj[v]
            fill = 0
            if len(nb) > 1:
                nbl = list(nb)
                for k, a in enumerate(nbl):
                    fill += len(nb) - 1 - k - len(adj[a].intersection(nbl[k + 1:]))
            k2 = (fill, math.prod(cards[u] for u in nb) * cards[v], v)
            if key is None or k2 < key:
                best, key = v, k2
        nb = adj[best]
        for a in nb:
            adj[a] |= nb
            adj[a].discard(a)
            adj[a].discard(best)
        alive.discard(best)
        order.append(best)
    return order


def _moral_adjacency(n: int, scopes: Sequence[Sequence[int]]) -> list[set]:
    adj: list[set] = [set() for _ in range(n)]
    for vs in scopes:
        for a in vs:
            adj[a].update(u for u in vs if u != a)
    return adj


def _expand(arr: np.ndarray, sub: Sequence[int], full: Sequence[int]) -> np.ndarray:
    """``arr`` (batch axis first, then the sorted variables ``sub``) reshaped to broadcast against a
    table over the sorted variables ``full`` (``sub`` a subset of ``full``)."""
    pos = set(sub)
    shape = [arr.shape[0]]
    k = 1
    for v in full:
        if v in pos:
            shape.append(arr.shape[k])
            k += 1
        else:
            shape.append(1)
    return arr.reshape(shape)


def _without(scope: tuple, v: int) -> tuple:
    return tuple(u for u in scope if u != v)


def _safe_normalise(a: np.ndarray, in_place: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Divide each batch row by its sum (rows summing to zero stay zero); return the sums too."""
    s = a.reshape(a.shape[0], -1).sum(axis=1)
    div = np.where(s > 0, s, 1.0).reshape((-1,) + (1,) * (a.ndim - 1))
    if in_place:
        a /= div
        return a, s
    return a / div, s


def _plogp_sum(p: np.ndarray) -> float:
    p = p.ravel()
    nz = p[p > 0]
    return float(-np.dot(nz, np.log(nz)))


class JunctionTree:
    """A calibrated junction tree of a product of factors (module docstring).

    Parameters
    ----------
    cards : sequence of int
        Number of states of each variable ``0..N-1``.
    factors : sequence of (variable indices, non-negative float array with one axis per index)
    budget : float
        Largest total of clique-table entries (``ModelTooLargeError`` beyond, with the estimate).

    Examples
    --------
    >>> import numpy as np
    >>> f = [((0,), np.array([0.3, 0.7])), ((0, 1), np.array([[0.9, 0.1], [0.2, 0.8]]))]
    >>> jt = JunctionTree([2, 2], f)
    >>> np.round(jt.marginal((1,)), 12).tolist()  # p(X1) = (0.27 + 0.14, 0.03 + 0.56)
    [0.41, 0.59]
    """

    def __init__(self, cards: Sequence[int], factors: Sequence[tuple[Sequence[int], Any]],
                 budget: float = DEFAULT_TREE_BUDGET):
        self.cards = tuple(int(c) for c in cards)
        n = self.n = len(self.cards)
        self.factors = []
        for vs, a in factors:
            vs = tuple(int(v) for v in vs)
            a = np.asarray(a, dtype=float)
            if len(set(vs)) != len(vs) or a.shape != tuple(self.cards[v] for v in vs):
                raise SymschedError(f"JunctionTree: factor over {vs} has shape {a.shape}")
            perm = np.argsort(vs)
            self.factors.append((tuple(vs[k] for k in perm), np.transpose(a, perm)))
        self.adj = _moral_adjacency(n, [vs for vs, _ in self.factors])
        order = _min_fill_order(n, self.adj, self.cards)
        rank = {v: k for k, v in enumerate(order)}
        adj = [set(a) for a in self.adj]
        cliques, parent = [None] * n, [-1] * n
        for v in order:
            nb = adj[v]
            cliques[v] = tuple(sorted(nb | {v}))
            if nb:
                parent[v] = min(nb, key=rank.__getitem__)
            for a in nb:
                adj[a] |= nb
                adj[a].discard(a)
                adj[a].discard(v)
        self.cliques, self.parent, self.rank = cliques, parent, rank
        self.size = sum(math.prod(self.cards[u] for u in c) for c in cliques)
        if self.size > budget:
            raise ModelTooLargeError(f"junction tree of {n} variables (largest clique "
                                     f"{max(len(c) for c in cliques)} variables)", self.size, budget,
                                     "raise the budget, or estimate by Monte Carlo (method='montecarlo')")
        self.children: list[list[int]] = [[] for _ in range(n)]
        for v in range(n):
            if parent[v] >= 0:
                self.children[parent[v]].append(v)
        # parents before children: reverse elimination order
        self.preorder = order[::-1]
        self.depth = [0] * n
        for v in self.preorder:
            if parent[v] >= 0:
                self.depth[v] = self.depth[parent[v]] + 1
        self.home = [order[min(rank[u] for u in vs)] if vs else -1 for vs, _ in self.factors]
        self._psi, self.log_scale = self._potentials()
        self.beliefs, self.seps, self.log_z = self._calibrate()

    def _potentials(self) -> tuple[list[np.ndarray], float]:
        psi = [np.ones((1,) + tuple(self.cards[u] for u in c)) for c in self.cliques]
        log_scale = 0.0
        for (vs, a), h in zip(self.factors, self.home):
            top = float(a.max()) if a.size else 0.0
            if not top > 0 or not math.isfinite(top):
                raise SymschedError(f"factor over {vs}: needs a finite positive entry (largest {top!r})")
            log_scale += math.log(top)
            if h < 0:
                continue
            psi[h] = psi[h] * _expand((a / top)[None], vs, self.cliques[h])
        return psi, log_scale

    def _calibrate(self, evidence: dict | None = None, reduced: tuple | None = None):
        """Clique beliefs (batch axis first), separator marginals and ``log Z`` per batch row.

        ``evidence`` maps a variable to a (batch, states) array multiplied into its home clique;
        ``reduced`` is ``(scopes, potentials)`` of a tree whose revealed variables were indexed away
        (:meth:`_reduce`): every table then spans only its clique's unrevealed variables."""
        scopes, psi = (self.cliques, self._psi) if reduced is None else reduced
        if evidence:
            psi = list(psi)
            for v, ind in evidence.items():
                psi[v] = psi[v] * _expand(ind, (v,), scopes[v])
        B = max(p.shape[0] for p in psi)
        collected = list(psi)
        up: list = [None] * self.n
        sums = np.empty((self.n, B))
        for v in reversed(self.preorder):
            c = scopes[v]
            for ch in self.children[v]:
                collected[v] = collected[v] * _expand(up[ch], _without(scopes[ch], ch), c)
            if collected[v].shape[0] != B:
                collected[v] = np.broadcast_to(collected[v], (B,) + collected[v].shape[1:]).copy()
            fresh = collected[v] is not psi[v]  # never divide the tree's own potentials in place
            collected[v], sums[v] = _safe_normalise(collected[v], fresh)
            if self.parent[v] >= 0:
                up[v] = collected[v].sum(axis=1 + c.index(v)) if v in c else collected[v]
        with np.errstate(divide="ignore"):
            log_z = self.log_scale + np.log(sums).sum(axis=0)
        beliefs = collected  # roots are normalised; the rest get their parent's separator below
        seps: list = [None] * self.n
        for v in self.preorder:
            p = self.parent[v]
            if p < 0:
                continue
            sep = _without(scopes[v], v)
            mu = beliefs[p].sum(axis=tuple(1 + k for k, u in enumerate(scopes[p]) if u not in sep))
            ratio = np.divide(mu, up[v], out=np.zeros_like(mu), where=up[v] > 0)
            beliefs[v] = beliefs[v] * _expand(ratio, sep, scopes[v])
            seps[v] = mu
        return beliefs, seps, log_z

    def _reduce(self, revealed: Sequence[int], x: np.ndarray) -> tuple:
        """Scopes and potentials with the revealed variables fixed at each row's values (batch axis = rows)."""
        rset = set(revealed)
        scopes, psi = [], []
        for c, table in zip(self.cliques, self._psi):
            rev = [k for k, u in enumerate(c) if u in rset]
            if not rev:
                scopes.append(c)
                psi.append(table)
                continue
            rest = [k for k, u in enumerate(c) if u not in rset]
            arr = np.transpose(table[0], rev + rest)
            scopes.append(tuple(c[k] for k in rest))
            psi.append(arr[tuple(x[:, c[k]] for k in rev)])
        return scopes, psi

    def _sep(self, v: int) -> tuple:
        """Variables shared by clique ``v`` and its parent (sorted)."""
        return _without(self.cliques[v], v)

    def _sep_marginal(self, v: int, beliefs: list) -> np.ndarray:
        cp, sep = self.cliques[self.parent[v]], set(self._sep(v))
        return beliefs[self.parent[v]].sum(axis=tuple(1 + k for k, u in enumerate(cp) if u not in sep))

    # -- queries -------------------------------------------------------------------------------------
    def marginal(self, subset: Sequence[int], beliefs: list | None = None, max_entries: float | None = None):
        """``p(x_S)`` as an array over ``S`` in the given order (batch axis first when ``beliefs``, a batched
        calibration's beliefs, are given).  ``ModelTooLargeError`` when an intermediate table of the
        contraction would exceed ``max_entries``."""
        subset = tuple(int(s) for s in subset)
        if len(set(subset)) != len(subset) or any(not 0 <= s < self.n for s in subset):
            raise SymschedError(f"JunctionTree.marginal: subset {subset} must hold distinct variables 0..{self.n - 1}")
        srt = tuple(sorted(subset))
        out = self._marginal(srt, self.beliefs if beliefs is None else beliefs, max_entries)
        out = np.transpose(out, [0] + [1 + srt.index(s) for s in subset])
        return out if beliefs is not None else out[0]

    def _root(self, v: int) -> int:
        while self.parent[v] >= 0:
            v = self.parent[v]
        return v

    def _marginal(self, srt: tuple, beliefs: list, max_entries: float | None) -> np.ndarray:
        """Batch-first marginal over the sorted variables ``srt``."""
        if srt:
            home = min(srt, key=self.rank.__getitem__)  # C_home holds every later-eliminated neighbour
            c = self.cliques[home]
            if set(srt) <= set(c):
                return beliefs[home].sum(axis=tuple(1 + k for k, u in enumerate(c) if u not in srt))
        comps: dict = {}
        for s in srt:
            comps.setdefault(self._root(s), []).append(s)
        if len(comps) > 1:  # independent components multiply
            parts = [(tuple(vs), self._marginal(tuple(vs), beliefs, max_entries)) for vs in comps.values()]
            return _product(parts, srt)
        tree = self._steiner(set(srt))
        factors = []
        for v in tree:
            factors.append((self.cliques[v], beliefs[v]))
            if self.parent[v] in tree:
                mu = self.seps[v] if beliefs is self.beliefs else self._sep_marginal(v, beliefs)
                factors.append((self._sep(v), np.divide(1.0, mu, out=np.zeros_like(mu), where=mu > 0)))
        return _contract(factors, srt, self.cards, max_entries)

    def _steiner(self, nodes: set) -> set:
        """The smallest subtree containing ``nodes`` (cliques of one tree of the forest)."""
        tree, heads = set(nodes), set(nodes)
        while len(heads) > 1:
            deep = max(heads, key=lambda v: (self.depth[v], v))
            heads.discard(deep)
            tree.add(self.parent[deep])
            heads.add(self.parent[deep])
        return tree

    def conditionals(self, revealed: Sequence[int], x: np.ndarray) -> np.ndarray:
        """``p(X_i = v | x_R)`` for every row of ``x`` and every variable ``i``, shape ``(B, N, V)`` (``V`` the
        largest cardinality, zeros padding smaller variables; a revealed ``i`` holds the point mass on its
        value): one batched calibration with the rows' values of ``R`` fixed serves every ``i``.  Rows with
        ``p(x_R) = 0`` get all-zero laws at the unrevealed positions."""
        revealed = tuple(int(v) for v in revealed)
        x = np.asarray(x, dtype=np.int64)
        scopes, psi = self._reduce(revealed, x)
        beliefs, _, log_z = self._calibrate(reduced=(scopes, psi))
        out = np.zeros((x.shape[0], self.n, max(self.cards)))
        rows = np.arange(x.shape[0])
        possible = np.isfinite(log_z)  # a component of probability zero leaves the others normalised
        for i in range(self.n):
            c = scopes[i]
            if i in c:
                beliefs[i] = beliefs[i] * possible.reshape((-1,) + (1,) * len(c))
                out[:, i, :self.cards[i]] = beliefs[i].sum(axis=tuple(1 + k for k, u in enumerate(c) if u != i))
            else:
                out[rows, i, x[:, i]] = 1.0
        return out

    def log_marginal(self, revealed: Sequence[int], x: np.ndarray) -> np.ndarray:
        """``log p(x_R)`` for every row of ``x`` (``-inf`` where it is zero), from one batched calibration."""
        revealed = tuple(int(v) for v in revealed)
        if not revealed:
            return np.zeros(np.shape(x)[0])
        _, _, log_z = self._calibrate(reduced=self._reduce(revealed, np.asarray(x, dtype=np.int64)))
        return log_z - self.log_z[0]

    def blanket(self, i: int) -> tuple:
        """The Markov blanket of ``i``: its neighbours in the moral graph (sorted)."""
        return tuple(sorted(self.adj[i]))

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` exact draws, an int array ``(size, N)``: each clique's own variable given its separator."""
        x = np.zeros((size, self.n), dtype=np.int64)
        for v in self.preorder:
            c = self.cliques[v]
            k = c.index(v)
            table = np.moveaxis(self.beliefs[v][0], k, -1)
            rest = c[:k] + c[k + 1:]
            if self.parent[v] < 0:
                flat = table.reshape(-1)
                idx = rng.choice(flat.size, size=size, p=flat / flat.sum())
                cells = np.unravel_index(idx, table.shape)
                for u, col in zip(rest + (v,), cells):
                    x[:, u] = col
                continue
            rows = table.reshape(-1, self.cards[v])
            code = np.ravel_multi_index(tuple(x[:, u] for u in rest), table.shape[:-1]) if rest else \
                np.zeros(size, dtype=np.int64)
            x[:, v] = _categorical(rng, rows[code])
        return x


def _categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    cum = np.cumsum(probs, axis=1)
    u = rng.random(probs.shape[0]) * cum[:, -1]
    return np.minimum((cum < u[:, None]).sum(axis=1), probs.shape[1] - 1)


def _contract(factors: list, keep: tuple, cards: Sequence[int], max_entries: float | None) -> np.ndarray:
    """``sum over variables not in keep of prod factors`` (each batch-first, variables sorted), returned over
    ``keep`` (sorted) with the batch axis first: greedy smallest-merge elimination, pairwise products."""
    work = [(tuple(vs), a) for vs, a in factors]
    keep_set = set(keep)
    B = max(a.shape[0] for _, a in work)

    def merged_size(vs: set) -> int:
        return B * math.prod(cards[u] for u in vs)

    while True:
        elim = {u for vs, _ in work for u in vs} - keep_set
        if not elim:
            break
        var = min(elim, key=lambda u: (merged_size({w for vs, _ in work if u in vs for w in vs}), u))
        touching = [(vs, a) for vs, a in work if var in vs]
        work = [(vs, a) for vs, a in work if var not in vs]
        scope = tuple(sorted({w for vs, _ in touching for w in vs}))
        if max_entries is not None and merged_size(set(scope)) > max_entries:
            raise ModelTooLargeError(f"marginal table (summing out variable {var})", merged_size(set(scope)),
                                     max_entries, "raise the blanket budget")
        prod = _product(touching, scope)
        out = tuple(u for u in scope if u != var)
        work.append((out, prod.sum(axis=1 + scope.index(var))))
    return _product(work, tuple(sorted(keep))) if work else np.ones((B,))


def _product(factors: list, scope: tuple) -> np.ndarray:
    """The product of batch-first factors as one table over ``scope`` (every variable of it in some factor)."""
    acc = None
    for vs, a in factors:
        term = _expand(a, vs, scope)
        acc = term if acc is None else acc * term
    return acc


class NetworkPieces:
    """``H``, ``h_0``, ``h_1`` (or None), ``h_{N-1}`` of a model and the measures they give (nats).

    ``h_last_stderr`` is 0 when every Markov blanket was enumerated; otherwise ``sampled`` names the
    variables whose ``H(X_i | X_{-i})`` was estimated from ``samples`` exact draws, and DTC and
    O-information carry ``N * h_last_stderr``.  ``H``, ``h_0``, ``h_1`` and TC are always exact.
    """

    def __init__(self, n: int, entropy: float, h0: float, h1: float | None, h_last: float, h_last_stderr: float,
                 sampled: tuple, samples: int, log_z: float, backend: str = "numpy"):
        self.N, self.entropy, self.h0, self.h1 = n, float(entropy), float(h0), None if h1 is None else float(h1)
        self.h_last, self.h_last_stderr = float(h_last), float(h_last_stderr)
        self.sampled, self.samples, self.log_z, self.backend = tuple(sampled), int(samples), float(log_z), backend

    @property
    def exact(self) -> bool:
        return not self.sampled

    @property
    def total_correlation(self) -> float:
        return self.N * self.h0 - self.entropy

    @property
    def dual_total_correlation(self) -> float:
        return self.entropy - self.N * self.h_last

    @property
    def dual_total_correlation_stderr(self) -> float:
        return self.N * self.h_last_stderr

    @property
    def o_information(self) -> float:
        return self.total_correlation - self.dual_total_correlation

    def __repr__(self) -> str:
        tail = f", {len(self.sampled)} blankets sampled ({self.samples} draws)" if self.sampled else ""
        return (f"NetworkPieces(N={self.N}, H={self.entropy:.6g}, h_0={self.h0:.6g}, h_N-1={self.h_last:.6g}"
                f"{tail})")


def _entropy_pieces(jt: JunctionTree) -> tuple[float, float]:
    """``(H, h_0)`` from the calibrated tree: ``H = log Z - sum_f E log psi_f``."""
    ent = float(jt.log_z[0])
    for (vs, a), h in zip(jt.factors, jt.home):
        if h < 0:
            ent -= math.log(float(a))
            continue
        p = jt.marginal(vs)
        with np.errstate(divide="ignore", invalid="ignore"):
            ent -= float(np.sum(np.where(p > 0, p * np.log(np.where(p > 0, a, 1.0)), 0.0)))
    h0 = sum(_plogp_sum(jt.marginal((i,))) for i in range(jt.n)) / jt.n
    return ent, h0


def _pair_mean_entropy(jt: JunctionTree) -> float:
    """Mean of ``H(X_a, X_b)`` over pairs, from batched calibrations with evidence ``X_a = s``."""
    n, cards = jt.n, jt.cards
    singles = [jt.marginal((i,)) for i in range(n)]
    rows = [(a, s) for a in range(n) for s in range(cards[a])]
    per_row = max(1, int(_PAIR_CHUNK_ENTRIES // max(jt.size, 1)))
    total = 0.0
    for start in range(0, len(rows), per_row):
        chunk = rows[start:start + per_row]
        evidence: dict = {}
        for a, _ in chunk:
            evidence.setdefault(a, np.ones((len(chunk), cards[a])))
        for a, ind in evidence.items():
            for k, (b, s) in enumerate(chunk):
                if b == a:
                    ind[k] = 0.0
                    ind[k, s] = 1.0
        beliefs, _, _ = jt._calibrate(evidence)
        weights = np.array([singles[a][s] for a, s in chunk])
        for b in range(n):
            cond = jt.marginal((b,), beliefs)  # p(x_b | X_a = s), rows of the chunk
            joint = cond * weights[:, None]
            for k, (a, _) in enumerate(chunk):
                if b > a:
                    p = joint[k]
                    nz = p[p > 0]
                    total -= float(np.dot(nz, np.log(nz)))
    return total / (n * (n - 1) / 2)


def _blanket_entropy(jt: JunctionTree, i: int, budget: float) -> float | None:
    """``H(X_i | X_{MB_i})`` by enumeration, or None when a table would exceed ``budget``."""
    mb = jt.blanket(i)
    if math.prod(jt.cards[u] for u in mb) * jt.cards[i] > budget:
        return None
    try:
        joint = jt.marginal(mb + (i,), max_entries=budget)
    except ModelTooLargeError:
        return None
    return _plogp_sum(joint) - _plogp_sum(joint.sum(axis=-1))


def _local_conditional_entropy(jt: JunctionTree, i: int, x: np.ndarray) -> np.ndarray:
    """``H(p(X_i | x_{MB_i}))`` for every draw (row of ``x``), from the factors containing ``i``."""
    logp = np.zeros((x.shape[0], jt.cards[i]))
    for vs, a in jt.factors:
        if i not in vs:
            continue
        k = vs.index(i)
        table = np.moveaxis(a, k, -1)
        idx = tuple(x[:, u] for u in vs if u != i)
        with np.errstate(divide="ignore"):
            logp += np.log(table[idx] if idx else np.broadcast_to(table, logp.shape))
    logp -= logp.max(axis=1, keepdims=True)
    p = np.exp(logp)
    p /= p.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0).sum(axis=1)


def _sampled_blankets(jt: JunctionTree, todo: list, stderr: float, seed: Any, max_samples: int,
                      time_budget: float | None) -> tuple[float, float, int]:
    """``(sum_i H(X_i | X_{MB_i}) over todo, its standard error, draws)`` from exact draws."""
    rng = np.random.default_rng(seed)
    values: list = []
    start = time.perf_counter()
    while True:
        x = jt.sample(rng, _MC_BATCH)
        values.append(sum(_local_conditional_entropy(jt, i, x) for i in todo))
        allv = np.concatenate(values)
        se = float(allv.std(ddof=1) / math.sqrt(len(allv)))
        if se <= stderr or len(allv) >= max_samples or (
                time_budget is not None and time.perf_counter() - start > time_budget):
            return float(allv.mean()), se, len(allv)


def network_pieces(model: Any, h1: bool = False, blanket_budget: float = DEFAULT_BLANKET_BUDGET,
                   tree_budget: float = DEFAULT_TREE_BUDGET, stderr: float | None = None, seed: Any = None,
                   samples: int | None = None, time_budget: float | None = None) -> NetworkPieces:
    """``H``, ``h_0``, ``h_{N-1}`` (and ``h_1`` when ``h1``) of a Bayesian network or Markov random field
    from one calibrated junction tree (module docstring), in nats.

    Parameters
    ----------
    model : BayesianNetwork or MarkovRandomField (float parameters)
    h1 : bool
        Also ``h_1`` (pair marginals: one batched calibration per chunk of evidence rows).
    blanket_budget : float
        Largest table enumerated for one Markov blanket; blankets beyond it are sampled.
    tree_budget : float
        Largest total of clique-table entries (``ModelTooLargeError`` beyond).
    stderr, seed, samples, time_budget :
        For sampled blankets: target standard error of ``sum_i H(X_i | X_{-i})`` (default 0.01 nats, so
        of DTC), seed, cap on draws (default 10^6) and seconds after which drawing stops.

    Examples
    --------
    >>> import symsched as ss
    >>> pieces = network_pieces(ss.load_example("asia"))
    >>> abs(pieces.entropy - ss.entropy(ss.from_joint(ss.load_example("asia").joint()))) < 1e-12
    True
    """
    if not isinstance(model, (BayesianNetwork, MarkovRandomField)):
        raise SymschedError(f"network_pieces: model must be a BayesianNetwork or MarkovRandomField, "
                            f"got {type(model).__name__}")
    if model.N < 1:
        raise SymschedError("network_pieces: the model has no variables")
    target = DEFAULT_PIECES_STDERR if stderr is None else float(stderr)
    if not (math.isfinite(target) and target > 0):
        raise SymschedError(f"network_pieces: stderr must be a positive number of nats, got {stderr!r}")
    cap = 10 ** 6 if samples is None else int(samples)
    if cap < 2:
        raise SymschedError(f"network_pieces: samples must be >= 2, got {samples!r}")
    jt = JunctionTree(model.cardinalities, model.factors(arithmetic("float")), tree_budget)
    n = jt.n
    H, h0 = _entropy_pieces(jt)
    pair = _pair_mean_entropy(jt) - h0 if h1 and n >= 2 else None
    exact_sum, todo = 0.0, []
    for i in range(n):
        v = _blanket_entropy(jt, i, blanket_budget)
        if v is None:
            todo.append(i)
        else:
            exact_sum += v
    mc_sum, mc_se, draws = 0.0, 0.0, 0
    if todo:
        mc_sum, mc_se, draws = _sampled_blankets(jt, todo, target, seed, cap, time_budget)
    if n == 1:
        return NetworkPieces(1, H, h0, None, H, 0.0, (), 0, float(jt.log_z[0]))
    return NetworkPieces(n, H, h0, pair, (exact_sum + mc_sum) / n, mc_se / n, tuple(todo), draws,
                         float(jt.log_z[0]))


def exact_pieces(model: Any, blanket_budget: float = DEFAULT_BLANKET_BUDGET,
                 tree_budget: float = DEFAULT_TREE_BUDGET) -> tuple[dict, float] | None:
    """The exact pieces a Monte Carlo profile keeps without sampling error: ``({0: h_0, 1: h_1, N-1: h_{N-1}},
    H)`` in nats, ``h_{N-1}`` only when every Markov blanket fits ``blanket_budget`` (nothing is sampled here).
    None when the model is not a network or field, has symbols, or its junction tree is over ``tree_budget``.

    >>> import symsched as ss
    >>> known, H = exact_pieces(ss.load_example("asia"))
    >>> sorted(known), round(H, 6) == round(ss.entropy(ss.load_example("asia")), 6)
    ([0, 1, 7], True)
    """
    if not isinstance(model, (BayesianNetwork, MarkovRandomField)) or model.free_symbols or model.N < 2:
        return None
    try:
        jt = JunctionTree(model.cardinalities, model.factors(arithmetic("float")), tree_budget)
    except ModelTooLargeError:
        return None
    H, h0 = _entropy_pieces(jt)
    out = {0: h0}
    if jt.size * sum(jt.cards) <= 50 * tree_budget:
        out[1] = _pair_mean_entropy(jt) - h0
    total = 0.0
    for i in range(jt.n):
        v = _blanket_entropy(jt, i, blanket_budget)
        if v is None:
            return out, H
        total += v
    out[jt.n - 1] = total / jt.n
    return out, H
