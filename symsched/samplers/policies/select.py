"""``select_positions``: one step of a registered policy, for given conditionals."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...errors import SymschedError
from ...models.validation import as_entry_array, check_probability_table
from ...validation import finite_real, int_sequence, positive_int
from .base import TIES, choose_top, get_policy

__all__ = ["select_positions"]


def select_positions(policy: str, positions: Sequence[int], conditionals: Sequence[Sequence[float]],
                     k: int | None = None, threshold: float | None = None, gamma: float | None = None,
                     ties: str = "lowest-index", seed=None) -> tuple:
    """The positions a policy reveals, given the conditionals of the masked positions.

    Parameters
    ----------
    policy : str
        A registered policy whose choice is a function of the conditionals (not ``"random"``).
    positions : sequence of int
        The masked positions.
    conditionals : sequence of probability vectors
        ``p(X_i = · | x_C)`` for each masked position, in the order of ``positions``.
    k, threshold, gamma : the rule's parameter (``k`` for the top-k rules; ``gamma`` in bits).
    ties : {"lowest-index", "random"}
        Among equal scores, the smaller positions, or uniformly random ones (``seed``).

    Returns
    -------
    tuple of int
        The chosen positions, sorted.

    Examples
    --------
    >>> select_positions("confidence", [0, 1, 2], [[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]], k=2)
    (1, 2)
    >>> select_positions("threshold", [0, 1, 2], [[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]], threshold=0.95)
    (1,)
    >>> select_positions("entropy-bound", [0, 1], [[0.5, 0.5], [0.5, 0.5]], gamma=0.1)   # ties: smaller first
    (0,)
    """
    pol = get_policy(policy, "select_positions")
    if pol.order_free or pol.chooser is not None:
        raise SymschedError(f"select_positions: policy {pol.name!r} does not choose from the conditionals")
    if ties not in TIES:
        raise SymschedError(f"select_positions: ties must be one of {TIES}, got {ties!r:.60}")
    positions = int_sequence(positions, "positions", "select_positions", minimum=0, allow_empty=True)
    if not isinstance(conditionals, (list, tuple, np.ndarray)) or len(conditionals) != len(positions):
        raise SymschedError(f"select_positions: conditionals must be one probability vector per position "
                            f"({len(positions)}), got {conditionals!r:.80}")
    vecs = []
    for j, c in enumerate(conditionals):
        arr = as_entry_array(c, f"select_positions: conditionals[{j}]")
        if arr.ndim != 1 or arr.size == 0:
            raise SymschedError(f"select_positions: conditionals[{j}] must be a probability vector, got shape "
                                f"{arr.shape}")
        check_probability_table(arr, f"select_positions: conditionals[{j}]", axis=None)
        vecs.append(np.asarray([float(v) for v in arr]))
    param = None
    if pol.parameter is not None:
        value = threshold if pol.parameter == "threshold" else gamma
        finite_real(value, pol.parameter, "select_positions")
        param = pol.check(value)
    elif k is not None:
        k = positive_int(k, "k", "select_positions")
    if not vecs:
        return ()
    probs = np.zeros((1, len(vecs), max(len(v) for v in vecs)))
    for j, v in enumerate(vecs):
        probs[0, j, :len(v)] = v
    scores = pol.scores(probs, np.asarray(positions))
    if pol.sized:
        counts = np.array([len(vecs) if k is None else min(k, len(vecs))])
    else:
        counts = pol.counts(scores, param)
    chosen = choose_top(scores, counts, ties, np.random.default_rng(seed))
    return tuple(sorted(positions[j] for j in np.flatnonzero(chosen[0])))
