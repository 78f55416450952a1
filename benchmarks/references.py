"""Reference implementations the benchmarks time beside symsched, written from the definitions.

None of them imports symsched: each is the straightforward way a user would compute the same
quantity with numpy (or mpmath, numba, dit, pgmpy when installed), so the ratio in RESULTS.md says
what symsched's route gains over that.
"""

from __future__ import annotations

import itertools
import math

import numpy as np


# -- the subset lattice ------------------------------------------------------------------------------------------------

def lattice_reference(joint: np.ndarray, block: int = 1 << 16) -> np.ndarray:
    """H(X_T) of every subset (bitmask order) from the extended table, vectorised numpy, one thread.

    Every axis gets its sum appended (np.concatenate), so the extended table of prod(c_i + 1) entries
    holds every subset marginal.  The leading axes are enumerated (a value or summed out) so that each
    piece over the trailing axes has at most `block` entries (x log x and the sums stay in cache).
    """
    joint = np.asarray(joint, dtype=float)
    n, cards = joint.ndim, joint.shape
    trail, size = 0, 1
    while trail < n and (trail == 0 or size * (cards[n - 1 - trail] + 1) <= block):
        size *= cards[n - 1 - trail] + 1
        trail += 1
    lead = n - trail
    out = np.zeros(2 ** n)
    masks_t = None
    for pattern in itertools.product(*[list(range(c)) + [None] for c in cards[:lead]]):
        idx = tuple(slice(None) if v is None else v for v in pattern)
        piece = joint[idx]
        summed = tuple(i for i, v in enumerate(v for v in pattern if v is None))
        if summed:
            piece = piece.sum(axis=summed)
        ext = piece
        for ax in range(trail):
            ext = np.concatenate([ext, ext.sum(axis=ax, keepdims=True)], axis=ax)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(ext > 0, ext * np.log(np.where(ext > 0, ext, 1.0)), 0.0)
        # split every axis into (values summed, the sum slot): 2^trail subset sums
        for ax in range(trail):
            c = cards[lead + ax]
            terms = np.concatenate([terms.take(range(c), axis=ax).sum(axis=ax, keepdims=True),
                                    terms.take([c], axis=ax)], axis=ax)
        if masks_t is None:
            pos = np.arange(2 ** trail)
            masks_t = np.zeros(2 ** trail, dtype=np.int64)
            for ax in range(trail):
                masks_t |= (1 - ((pos >> (trail - 1 - ax)) & 1)) << ax
        lead_mask = sum(1 << i for i, v in enumerate(pattern) if v is not None)
        out[lead_mask + (masks_t << lead)] -= terms.ravel()
    return out


def subset_sums(H: np.ndarray, n: int) -> np.ndarray:
    pop = np.array([bin(m).count("1") for m in range(2 ** n)])
    return np.array([H[pop == j].sum() for j in range(n + 1)])


def profile_from_lattice(joint: np.ndarray) -> list[float]:
    """h_0..h_{N-1} from the lattice reference."""
    n = np.ndim(joint)
    S = subset_sums(lattice_reference(joint), n)
    e = [S[j] / math.comb(n, j) for j in range(n + 1)]
    return [e[j + 1] - e[j] for j in range(n)]
