"""Variable elimination shared by the network oracles: orders, einsum paths, log-domain elimination.

Every function here works on *factors* ``(array, labels)``: one axis per label, a label being a variable
index, or :data:`BATCH` for the axis of the rows of a batch.
"""

from __future__ import annotations

import heapq
import math
from typing import Any
from collections.abc import Sequence

import numpy as np

from ...arithmetic import arithmetic
from ...errors import SymschedError

__all__ = ["BATCH", "EINSUM_LABELS", "elimination_rank", "path_from_order", "eliminate_stepwise",
           "log_eliminate", "mrf_plan"]

#: The label of the per-row axis in an MRF elimination (variables are labelled by their index).
BATCH = -1
#: Most labels one ``numpy.einsum`` call accepts.
EINSUM_LABELS = 52


def elimination_rank(n: int, families: Sequence[tuple], cards: Sequence[int]) -> list[int]:
    """Position of every variable in one greedy min-weight elimination order of the moral graph (computed once
    per model; every marginal then eliminates its hidden variables in this order)."""
    adj = [set() for _ in range(n)]
    for fam in families:
        for a in fam:
            adj[a] |= set(fam) - {a}
    # a heap of (weight, variable) with stale entries skipped: eliminating v changes only its neighbours'
    # weights, so this picks the same variable as a min over all remaining ones (same ties: lowest index),
    # in O(fill log n) instead of O(n^2) (a 60x60 grid took 54 s)
    left = set(range(n))

    same = len(set(cards)) == 1  # then the product is a power: the same integer, without the loop

    def weight(u: int) -> int:
        if same:
            return cards[u] ** (len(adj[u] & left) + 1)
        return math.prod(cards[w] for w in adj[u] & left) * cards[u]

    current = [weight(u) for u in range(n)]
    heap = [(current[u], u) for u in range(n)]
    heapq.heapify(heap)
    rank = [0] * n
    for pos in range(n):
        while True:
            w, v = heapq.heappop(heap)
            if v in left and w == current[v]:
                break
        rank[v] = pos
        nb = adj[v] & left
        left.discard(v)
        for a in nb:
            adj[a] |= nb - {a}
            adj[a].discard(v)
        for a in nb:
            current[a] = weight(a)
            heapq.heappush(heap, (current[a], a))
    return rank


def path_from_order(labels: Sequence[list], order: Sequence[int], keep: Any) -> list:
    """An ``einsum`` contraction path that sums the hidden labels out in ``order``, keeping the labels of
    the set ``keep`` (the batch axis, a queried variable)."""
    ops = [set(ls) for ls in labels]
    path: list = ["einsum_path"]
    for lv in order:
        idx = tuple(k for k, ls in enumerate(ops) if lv in ls)
        if not idx:
            continue
        merged = set().union(*(ops[k] for k in idx))
        rest = [ls for k, ls in enumerate(ops) if k not in idx]
        needed = set().union(*rest) if rest else set()
        ops = rest + [{u for u in merged if u in needed or u in keep}]
        path.append(idx)
    if len(ops) > 1:
        path.append(tuple(range(len(ops))))
    return path


def eliminate_stepwise(work: list, order: Sequence[int], keep: Sequence[int]) -> np.ndarray:
    """The same contraction one eliminated label at a time, each step relabelled locally (for contractions
    with more labels than one ``einsum`` call takes); the result has the axes ``keep`` in that order."""
    for lv in order:
        group = [w for w in work if lv in w[1]]
        if not group:
            continue
        rest = [w for w in work if lv not in w[1]]
        needed = {u for _, ls in rest for u in ls} | set(keep)
        merged = list(dict.fromkeys(u for _, ls in group for u in ls))
        kept = [u for u in merged if u != lv and u in needed]
        local = {u: i for i, u in enumerate(merged)}
        if len(local) > EINSUM_LABELS:
            raise SymschedError(f"batched elimination: a factor of {len(local)} variables exceeds einsum's "
                                f"{EINSUM_LABELS} labels (treewidth too large for exact marginals)")
        args: list = []
        for arr, ls in group:
            args += [arr, [local[u] for u in ls]]
        work = rest + [(np.einsum(*args, [local[u] for u in kept], optimize="greedy"), kept)]
    labels = list(dict.fromkeys(u for _, ls in work for u in ls))
    local = {u: i for i, u in enumerate(labels)}
    args = []
    for arr, ls in work:
        args += [arr, [local[u] for u in ls]]
    return np.einsum(*args, [local[u] for u in keep])


def log_eliminate(work: list, order: Sequence[int], batch: Any, size: int, steps: list | None = None) -> np.ndarray:
    """``log`` of the sum over the labels in ``order`` of the product of ``work`` (``(array, labels)`` pairs;
    ``batch`` labels a per-row axis, or None), one label at a time; every merged factor is divided by its
    maximum (per row) and the logarithm of that scale accumulated, so nothing over- or underflows.
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


def mrf_plan(model: Any) -> tuple:
    """``(factors rescaled to max 1 plus a unit factor per variable, log of the scales, elimination rank,
    greedy elimination order, largest intermediate factor along it)`` of a Markov random field."""
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
    rank = elimination_rank(len(cards), [tuple(ls) for _, ls in factors], cards)
    order = sorted(range(len(cards)), key=rank.__getitem__)
    # the scopes touching each variable, kept up to date (a rescan of every scope per step was quadratic)
    touching: list = [[] for _ in cards]
    for k, (_, ls) in enumerate(factors):
        for u in set(ls):
            touching[u].append(k)
    scopes = [set(ls) for _, ls in factors]
    alive = [True] * len(scopes)
    width = 0
    for v in order:
        ks = [k for k in touching[v] if alive[k]]
        merged = set().union(*(scopes[k] for k in ks))
        width = max(width, math.prod(cards[u] for u in merged))
        for k in ks:
            alive[k] = False
        scopes.append(merged - {v})
        alive.append(True)
        for u in scopes[-1]:
            touching[u].append(len(scopes) - 1)
    return factors, log_top, rank, order, width
