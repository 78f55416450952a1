"""The oracle of a Bayesian network: ancestral sampling, marginals and conditionals by one contraction.

``p(x_A)`` for a batch contracts the CPDs of the ancestors of ``A`` (barren nodes sum to one) with the
observed axes indexed by the rows, along a path that eliminates the hidden variables in one greedy order
computed once per model; the conditionals of every masked position given a revealed set ``T`` are the
same contraction with the queried variable kept, one per position.  Paths are cached by
``(revealed set, queried variable)``, so a Monte Carlo run that meets the same revealed set again pays
only the contraction.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from ...errors import ModelTooLargeError
from ...models.bayesian import BayesianNetwork
from ..exact.junction import JunctionTree
from .base import ModelOracle, categorical, normalise_last, register_oracle
from .contraction import EINSUM_LABELS, elimination_rank, eliminate_stepwise, path_from_order

__all__ = ["BayesianNetworkOracle"]

#: Contraction paths kept (keyed by revealed set and queried variable).
PATH_CACHE = 8192
#: Junction trees up to this many clique-table entries answer the conditionals and marginals of a batch (one
#: calibration with the revealed values fixed serves every position); beyond, one contraction per position.
JUNCTION_TREE_ENTRIES = 2e6


@register_oracle(BayesianNetwork)
class BayesianNetworkOracle(ModelOracle):
    """Exact draws, marginals and conditionals of a :class:`~symsched.BayesianNetwork` of any size."""

    family = "bayesian"

    def __init__(self, model: BayesianNetwork):
        super().__init__(model)
        self.order = [model.index_of(v) for v in nx.topological_sort(model)]
        self.parents: dict = {}
        self.cpd: dict = {}
        for v in model.variables:
            parents, table = model.cpd(v)
            i = model.index_of(v)
            self.parents[i] = tuple(model.index_of(p) for p in parents)
            self.cpd[i] = np.asarray(table, dtype=float)
        self.ancestors = [0] * self.n  # bitmask of the variable and its ancestors
        for i in self.order:
            mask = 1 << i
            for p in self.parents[i]:
                mask |= self.ancestors[p]
            self.ancestors[i] = mask
        self.rank = elimination_rank(self.n, [self.parents[i] + (i,) for i in range(self.n)], self.cards)
        self._paths: dict = {}
        self._entries = float(sum(t.size for t in self.cpd.values()))
        self._jt: JunctionTree | None | bool = False  # built on first use (False: not tried yet)

    def junction_tree(self) -> JunctionTree | None:
        """The calibrated junction tree of the network, or None beyond :data:`JUNCTION_TREE_ENTRIES`."""
        if self._jt is False:
            try:
                self._jt = JunctionTree(self.cards, [(self.parents[i] + (i,), self.cpd[i]) for i in range(self.n)],
                                        JUNCTION_TREE_ENTRIES)
            except ModelTooLargeError:
                self._jt = None
        return self._jt

    def cost(self, rows, revealed):
        jt = self.junction_tree()
        if jt is not None:  # one calibration: a few numpy calls per clique, each over rows x its table
            return self.n * (2e4 + 4 * rows * jt.size / self.n)
        return (self.n - revealed + 1) * (5e4 + rows * self._entries)

    def _log_conditionals_at(self, T, x):
        jt = self.junction_tree()
        if jt is None:
            return self.log_conditionals_by_marginals(T, x)
        outside = [i for i in range(self.n) if i not in set(T)]
        probs = jt.conditionals(T, x)[:, outside, :]
        q = np.take_along_axis(probs, x[:, outside][:, :, None], axis=-1)[:, :, 0]
        with np.errstate(divide="ignore"):
            return np.log(q)

    def _sample(self, rng, size):
        x = np.zeros((size, self.n), dtype=np.int64)
        u = rng.random((self.n, size))
        for v in self.order:
            parents, table = self.parents[v], self.cpd[v]
            probs = table[tuple(x[:, p] for p in parents)] if parents else \
                np.broadcast_to(table, (size, table.shape[-1]))
            x[:, v] = categorical(u[v], probs)
        return x

    def _contract(self, observed: tuple, query: int | None, x: np.ndarray) -> np.ndarray:
        """``p(x_observed)`` per row (``query`` None) or ``p(x_observed, X_query = .)``: shape (B,) or (B, c)."""
        keep = 0
        for v in observed + (() if query is None else (query,)):
            keep |= self.ancestors[v]
        obs = set(observed)
        hidden = [k for k in range(self.n) if keep >> k & 1 and k not in obs]
        label = {k: i for i, k in enumerate(hidden)}
        batch = len(hidden)
        operands: list = []
        for v in range(self.n):
            if not keep >> v & 1:
                continue
            vars_ = self.parents[v] + (v,)
            table = self.cpd[v]
            o = [a for a, u in enumerate(vars_) if u in obs]
            free = [a for a, u in enumerate(vars_) if u not in obs]
            if o:
                arr = np.transpose(table, o + free)[tuple(x[:, vars_[a]] for a in o)]
                operands += [arr, [batch] + [label[vars_[a]] for a in free]]
            else:
                operands += [table, [label[u] for u in vars_]]
        if not observed:  # nothing depends on the rows: one vector, repeated
            order = [label[k] for k in sorted(hidden, key=self.rank.__getitem__) if k != query]
            vec = np.einsum(*operands, [label[query]], optimize="greedy") if len(hidden) <= EINSUM_LABELS else \
                eliminate_stepwise(list(zip(operands[0::2], operands[1::2])), order, [label[query]])
            return np.broadcast_to(vec, (x.shape[0], len(vec)))
        out_labels = [batch] if query is None else [batch, label[query]]
        order = [label[k] for k in sorted(hidden, key=self.rank.__getitem__) if k != query]
        if len(hidden) + 1 <= EINSUM_LABELS:
            key = (observed, query)
            path = self._paths.get(key)
            if path is None:
                path = path_from_order(operands[1::2], order, set(out_labels))
                if len(self._paths) < PATH_CACHE:
                    self._paths[key] = path
            return np.einsum(*operands, out_labels, optimize=path)
        return eliminate_stepwise(list(zip(operands[0::2], operands[1::2])), order, out_labels)

    def _log_marginal(self, subset, x):
        jt = self.junction_tree()
        if jt is not None:
            return jt.log_marginal(subset, x)
        with np.errstate(divide="ignore"):
            return np.log(self._contract(subset, None, x))

    def _conditionals_given(self, T, x):
        jt = self.junction_tree()
        if jt is not None:
            return normalise_last(jt.conditionals(T, x))
        out = np.zeros((x.shape[0], self.n, self.V))
        Ts = set(T)
        for i in range(self.n):
            if i not in Ts:
                out[:, i, :self.cards[i]] = self._contract(T, i, x)
        return normalise_last(out)

    def marginal_table(self, subset):
        """One contraction of the ancestors' CPDs with ``subset`` kept (None beyond einsum's labels)."""
        subset = tuple(sorted(subset))
        keep = 0
        for v in subset:
            keep |= self.ancestors[v]
        members = [k for k in range(self.n) if keep >> k & 1]
        if len(members) > EINSUM_LABELS:
            return None
        remap = {u: k for k, u in enumerate(members)}
        operands: list = []
        for v in members:
            operands += [self.cpd[v], [remap[u] for u in self.parents[v] + (v,)]]
        return np.einsum(*operands, [remap[u] for u in subset], optimize="greedy")

    def markov_blanket(self, i):
        m, v = self.model, self.model.variables[i]
        blanket = set(m.predecessors(v)) | set(m.successors(v))
        for c in m.successors(v):
            blanket |= set(m.predecessors(c))
        blanket.discard(v)
        return tuple(sorted(m.index_of(u) for u in blanket))
