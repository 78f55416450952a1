"""Exact entropy profiles of general models from all subset marginals of the joint table.

``e_j = mean_{|T|=j} H(X_T)`` needs the entropy of every subset marginal.  Two exact routes:

* depth-first: every marginal is derived from a superset's table by summing one axis (variables
  are removed in increasing position, so each subset is produced once and memory is one chain of
  tables); cost about ``prod_i (1 + card_i)`` additions;
* orbits: subsets in one orbit of the model's distribution automorphisms have equal entropy, so
  only one representative per orbit is marginalised (directly from the joint) and weighted by the
  orbit's size.  Chosen when it is cheaper.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..arithmetic import Arithmetic

__all__ = ["enumeration_cost", "subset_entropy_sums", "orbit_entropy_sums"]


def enumeration_cost(cardinalities: Sequence[int]) -> float:
    """Elementary operations of the depth-first route: ``prod (1 + c_i)`` plus a per-subset overhead.

    Exact (an int, possibly beyond the float range) while it has fewer than 4000 digits; beyond that
    ``math.inf``.  Never an ``OverflowError``: it is the check that refuses such models.
    """
    if sum(math.log10(1 + c) for c in cardinalities) + 3 > 4000 or len(cardinalities) > 13000:
        return math.inf
    return math.prod(1 + c for c in cardinalities) + 200 * 2 ** len(cardinalities)


def subset_entropy_sums(joint: np.ndarray, arith: Arithmetic) -> list:
    """``S_j = sum_{|T|=j} H(X_T)`` for ``j = 0..N`` by depth-first marginalisation."""
    n = joint.ndim
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
            h = arith.entropy(joint.sum(axis=drop) if drop else joint)
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
