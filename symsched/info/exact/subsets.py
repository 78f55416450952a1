"""Exact entropy profiles of general models from all subset marginals of the joint table.

``e_j = mean_{|T|=j} H(X_T)`` needs the entropy of every subset marginal.  Three exact routes:

* floats, the extended table (:func:`lattice_entropies`): every axis gets its sum appended, so a table
  of ``prod (c_i + 1)`` entries holds every subset marginal; it is walked block by block (leading axes
  fixed or summed out depth first, the trailing axes a cache-sized block extended, passed through
  ``x log x`` and reduced to its subset sums), the top-level branches on several threads;
* exact arithmetic (mpmath, sympy), depth-first: every marginal is derived from a superset's table by summing one
  axis (variables are removed in increasing position, so each subset is produced once and memory is one chain of
  tables); cost about ``prod_i (1 + card_i)`` additions;
* orbits: subsets in one orbit of the model's distribution automorphisms have equal entropy, so
  only one representative per orbit is marginalised (directly from the joint) and weighted by the
  orbit's size.  Chosen when it is cheaper.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any
from collections.abc import Sequence

import numpy as np

from ...arithmetic import Arithmetic
from ..estimators.batched import progress_bar, resolve_workers

__all__ = ["enumeration_cost", "subset_entropy_sums", "orbit_entropy_sums", "lattice_entropies", "lattice_size"]


def enumeration_cost(cardinalities: Sequence[int]) -> float:
    """Elementary operations of the depth-first route: ``prod (1 + c_i)`` plus a per-subset overhead.

    Exact (an int, possibly beyond the float range) while it has fewer than 4000 digits; beyond that
    ``math.inf``.  Never an ``OverflowError``: it is the check that refuses such models.
    """
    if sum(math.log10(1 + c) for c in cardinalities) + 3 > 4000 or len(cardinalities) > 13000:
        return math.inf
    return math.prod(1 + c for c in cardinalities) + 200 * 2 ** len(cardinalities)


def subset_entropy_sums(joint: np.ndarray, arith: Arithmetic, threads: int | None = None,
                        progress: bool | None = None, workers: Any = None) -> list:
    """``S_j = sum_{|T|=j} H(X_T)`` for ``j = 0..N``: the extended table in floats, depth-first otherwise."""
    n = joint.ndim
    if arith.precision == "float":
        sums = subset_sums_from_entropies(lattice_entropies(joint, threads, progress, workers), n)
        if arith.base is not None:
            sums = sums * arith.log(math.e)  # nats -> the requested base
        return [float(x) for x in sums]
    sums: list = [[] for _ in range(n + 1)]

    def visit(table: np.ndarray, start: int) -> None:
        sums[table.ndim].append(arith.entropy(table))
        for axis in range(start, table.ndim):
            visit(np.asarray(table.sum(axis=axis), dtype=table.dtype), axis)

    with arith.workprec():
        visit(joint, 0)
        sums[0] = [arith.zero]
        return [arith.sum(s) for s in sums]


def _orbit_representatives(n: int, perms: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Canonical (smallest) bitmask of every subset's orbit; returns representatives and orbit sizes."""
    masks = np.arange(2 ** n, dtype=np.int64)
    bits = [(masks >> i) & 1 for i in range(n)]
    canonical = masks.copy()
    for perm in perms:
        image = np.zeros_like(masks)
        for i in range(n):
            image |= bits[i] << int(perm[i])
        np.minimum(canonical, image, out=canonical)
    reps, counts = np.unique(canonical, return_counts=True)
    return reps, counts


def _float_entropy(table: np.ndarray, arith: Arithmetic) -> float:
    """``-sum p log p`` of a float table by an elementwise product (a BLAS dot may spin up threads)."""
    p = np.asarray(table, dtype=float).ravel()
    p = p[p > 0]
    v = float(-(p * np.log(p)).sum())
    return v if arith.base is None else v / math.log(float(arith.base))


def orbit_count(n: int, perms: Sequence[Sequence[int]]) -> int:
    return len(_orbit_representatives(n, perms)[0])


def orbit_entropy_sums(joint: np.ndarray, arith: Arithmetic, perms: Sequence[Sequence[int]]) -> list:
    """``S_j`` computed from one marginal per orbit of the permutation group ``perms``."""
    n = joint.ndim
    reps, counts = _orbit_representatives(n, perms)
    sums: list = [[] for _ in range(n + 1)]
    with arith.workprec():
        for mask, count in zip(reps.tolist(), counts.tolist()):
            drop = tuple(i for i in range(n) if not (mask >> i) & 1)
            size = n - len(drop)
            if size == 0:
                continue
            table = joint.sum(axis=drop) if drop else joint
            h = _float_entropy(table, arith) if arith.precision == "float" else arith.entropy(table)
            sums[size].append(h * arith.convert(count))
        return [arith.zero] + [arith.sum(s) for s in sums[1:]]


def choose_route(cardinalities: Sequence[int], perms: Sequence[Sequence[int]]) -> str:
    """``"orbits"`` when the group is non-trivial and one marginal per orbit is cheaper, else ``"dfs"``."""
    n = len(cardinalities)
    if len(perms) <= 1 or n > 26:
        return "dfs"
    orbit_cost = orbit_count(n, perms) * (math.prod(cardinalities) + 200.0)
    return "orbits" if orbit_cost < enumeration_cost(cardinalities) else "dfs"


def entropy_profile_from_sums(sums: Sequence[Any], arith: Arithmetic) -> list:
    """``e_j = S_j / C(N, j)``."""
    n = len(sums) - 1
    with arith.workprec():
        return [s / arith.binomial(n, j) if j else arith.zero for j, s in enumerate(sums)]


# -- the float route: every subset marginal from one extended table, block by block ----------------------------------

#: Entries of the extended table handled at once (x log x and sums on cache-sized blocks).
LATTICE_BLOCK = 1 << 16
#: Extended tables beyond this many entries are spread over threads (numpy releases the GIL) ...
THREADED_ENTRIES = 1 << 22
#: ... and show a progress bar (when tqdm is installed) unless ``progress=False``: a couple of seconds.
PROGRESS_ENTRIES = 1 << 28
_TINY = np.nextafter(0.0, 1.0)


def lattice_size(cardinalities: Sequence[int]) -> float:
    """Entries of the extended table, ``prod (c_i + 1)`` (a float: never overflows)."""
    return math.exp(sum(math.log(c + 1.0) for c in cardinalities))


class _Leaf:
    """Per-thread buffers for the trailing axes: ``-sum x log x`` of every trailing sub-marginal of a block."""

    def __init__(self, cards: tuple[int, ...]):
        self.cards = cards
        self.t = len(cards)
        # extension, one axis at a time on the outermost unextended axis (contiguous rows):
        # level u holds (prod_{i<u} (c_i + 1), c_u + 1, prod_{i>u} c_i), the last slot of axis u its sum
        self.ext = []
        P, R = 1, int(np.prod(cards)) if cards else 1
        for c in cards:
            R //= c
            self.ext.append(np.empty((P, c + 1, R)))
            P *= c + 1
        size = P
        # reduction: after step u the layout is (axes u+1.., b_0, .., b_u), b = 0 "in T", 1 "summed out"
        self.red = []
        rest = size
        for c in cards:
            rest = rest // (c + 1) * 2
            self.red.append(np.empty((rest // 2, 2)))
        self.work = np.empty(size)
        bits = np.arange(2 ** self.t)
        # C-order position sum_u b_u 2^(t-1-u)  ->  subset mask sum_u (1 - b_u) 2^u
        self.mask = np.zeros(2 ** self.t, dtype=np.int64)
        for u in range(self.t):
            b = (bits >> (self.t - 1 - u)) & 1
            self.mask |= (1 - b) << u

    def entropies(self, block: np.ndarray) -> np.ndarray:
        """``H`` (nats) of every sub-marginal of ``block`` over the trailing axes, indexed by subset mask."""
        cur = np.asarray(block).reshape(1, -1)
        for c, new in zip(self.cards, self.ext):
            src = cur.reshape(new.shape[0], c, new.shape[2])
            new[:, :c, :] = src
            total = new[:, c, :]
            # explicit adds: a numpy reduction over a short middle axis is many times slower
            if c == 1:
                total[...] = src[:, 0, :]
            else:
                np.add(src[:, 0, :], src[:, 1, :], out=total)
                for v in range(2, c):
                    np.add(total, src[:, v, :], out=total)
            cur = new
        flat = cur.reshape(-1)
        w = self.work
        np.maximum(flat, _TINY, out=w)  # 0 log 0 = 0: log of the tiniest float is finite, times 0
        np.log(w, out=w)
        np.multiply(w, flat, out=w)
        cur = w
        for u, c in enumerate(self.cards):
            cur = cur.reshape(c + 1, -1)
            out = self.red[u]
            if c == 1:
                out[:, 0] = cur[0]
            else:
                np.add(cur[0], cur[1], out=out[:, 0])
                for v in range(2, c):
                    np.add(out[:, 0], cur[v], out=out[:, 0])
            out[:, 1] = cur[c]
            cur = out
        res = np.empty(2 ** self.t)
        res[self.mask] = -cur.reshape(-1)
        return res


def _branch_tables(joint: np.ndarray, depth: int) -> list[tuple[int, np.ndarray]]:
    """Every pattern of the first ``depth`` axes (a value, or summed out) with its table over the other axes.

    Returns ``(mask, table)`` pairs, ``mask`` the bits of the axes kept (given a value) among the first ``depth``.
    """
    out = [(0, joint)]
    for axis in range(depth):
        nxt = []
        for mask, table in out:
            for v in range(table.shape[0]):
                nxt.append((mask | (1 << axis), table[v]))
            nxt.append((mask, table.sum(axis=0)))
        out = nxt
    return out


def _lattice_branch(table: np.ndarray, lead: int, trail: int, acc: np.ndarray, leaf: _Leaf, tick) -> None:
    """Add the trailing-subset entropies of every leaf under ``table`` to ``acc[lead_mask]``.

    ``table`` spans ``lead`` leading axes (to be fixed or summed out, depth first) then the trailing ones.
    """
    def visit(tab: np.ndarray, depth: int, mask: int) -> None:
        if depth == lead:
            acc[mask] += leaf.entropies(tab)
            tick()
            return
        for v in range(tab.shape[0]):
            visit(tab[v], depth + 1, mask | (1 << depth))
        visit(np.add.reduce(tab, axis=0), depth + 1, mask)

    visit(table, 0, 0)


def _branch_job(table: np.ndarray, levels: int, trail_cards: tuple) -> np.ndarray:
    """One top-level branch on a worker process: the subset sums of every leaf under ``table``."""
    sub = np.zeros((2 ** levels, 2 ** len(trail_cards)))
    _lattice_branch(table, levels, len(trail_cards), sub, _Leaf(trail_cards), lambda *a: None)
    return sub


def lattice_entropies(joint: np.ndarray, threads: int | None = None, progress: bool | None = None,
                      workers: Any = None) -> np.ndarray:
    """``H(X_T)`` (nats, float64) of every subset ``T`` of the axes, indexed by bitmask (bit ``i`` = axis ``i``).

    Every axis gets its sum appended, so the extended table of ``prod (c_i + 1)`` entries holds every
    subset marginal; it is never held at once: the leading axes are fixed to a value or summed out depth
    first, and each leaf (the trailing axes, a cache-sized block) is extended, passed through
    ``x log x`` and reduced to its ``2^t`` subset sums.  Top-level branches run on ``threads`` threads.

    Parameters
    ----------
    joint : float ndarray
        The joint table (non-negative, summing to 1).
    threads : int, optional
        Threads (default: every core when the extended table exceeds ``THREADED_ENTRIES``, else 1).
    progress : bool, optional
        A tqdm progress bar (default: when tqdm is installed and the table exceeds ``PROGRESS_ENTRIES``).
    workers : int or dask.distributed.Client, optional
        Run the top-level branches on that many local processes or on a dask cluster instead of threads
        (the same numbers either way).

    Examples
    --------
    >>> import numpy as np
    >>> H = lattice_entropies(np.full((2, 2), 0.25))
    >>> np.round(H / np.log(2), 12).tolist()  # {}, {0}, {1}, {0, 1}
    [0.0, 1.0, 1.0, 2.0]
    """
    joint = np.ascontiguousarray(joint, dtype=float)
    cards = joint.shape
    n = len(cards)
    size = lattice_size(cards)
    trail, block = 0, 1
    while trail < n and (trail == 0 or block * (cards[n - 1 - trail] + 1) <= LATTICE_BLOCK):
        block *= cards[n - 1 - trail] + 1
        trail += 1
    lead = n - trail
    if threads is None:
        threads = min(os.cpu_count() or 1, 8) if size > THREADED_ENTRIES else 1
    threads = max(1, int(threads))
    # top-level branches (all leaves cost the same); their number does not depend on `threads`, and their
    # results are added in branch order, so the numbers are the same whatever the number of threads
    depth = 0
    while depth < lead and math.prod(c + 1 for c in cards[:depth]) < 8:
        depth += 1
    branches = _branch_tables(joint, depth)
    leaves_each = math.prod(c + 1 for c in cards[depth:lead])
    bar = progress_bar(progress, size > PROGRESS_ENTRIES, len(branches) * leaves_each, "subset marginals", "block")
    tick = bar.update if bar is not None else (lambda *a: None)
    leaves = threading.local()

    def run(branch: tuple[int, np.ndarray]) -> np.ndarray:
        if not hasattr(leaves, "leaf"):
            leaves.leaf = _Leaf(cards[lead:])
        sub = np.zeros((2 ** (lead - depth), 2 ** trail))
        _lattice_branch(branch[1], lead - depth, trail, sub, leaves.leaf, tick)
        return sub

    remote = resolve_workers(workers)
    levels = lead - depth
    try:
        if isinstance(remote, int):
            with ProcessPoolExecutor(remote, mp_context=multiprocessing.get_context("spawn")) as pool:
                results = []
                for sub in pool.map(_branch_job, [t for _, t in branches], [levels] * len(branches),
                                    [cards[lead:]] * len(branches)):
                    results.append(sub)
                    tick(leaves_each)
        elif remote is not None:
            futures = remote.map(_branch_job, [t for _, t in branches], levels=levels, trail_cards=cards[lead:],
                                 pure=False)
            results = remote.gather(futures)
            tick(len(branches) * leaves_each)
        elif threads == 1:
            results = [run(b) for b in branches]
        else:
            with ThreadPoolExecutor(min(threads, len(branches))) as pool:
                results = list(pool.map(run, branches))
    finally:
        if bar is not None:
            bar.close()
    acc = np.zeros((2 ** lead, 2 ** trail))
    rows = np.arange(2 ** (lead - depth)) << depth
    for (mask, _), sub in zip(branches, results):
        acc[mask + rows] += sub
    # mask = lead bits + (trail bits << lead)
    return np.ascontiguousarray(acc.T).reshape(-1)


def subset_sums_from_entropies(H: np.ndarray, n: int) -> np.ndarray:
    """``S_j = sum_{|T| = j} H(X_T)`` from the per-subset entropies (indexed by bitmask)."""
    masks = np.arange(2 ** n, dtype=np.int64)
    pop = np.zeros(2 ** n, dtype=np.int64)
    for i in range(n):
        pop += (masks >> i) & 1
    sums = np.zeros(n + 1)
    for j in range(n + 1):
        sums[j] = math.fsum(H[pop == j].tolist())
    return sums
