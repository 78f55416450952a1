"""``"left-to-right"``: the ``k_t`` leftmost masked positions (autoregressive order, ``k_t`` tokens a step).

It ignores the conditionals, so its law is the fixed-partition law of consecutive blocks — the example
of CONTRIBUTING.md's "Adding a policy".
"""

import numpy as np

from .base import Policy, register_policy


def _score(probs, positions):
    return np.broadcast_to(-np.asarray(positions, dtype=float), probs.shape[:-1])


register_policy(Policy(
    "left-to-right", "the k_t leftmost masked positions",
    library="autoregressive order in blocks of k_t tokens (no library default; a reference point)",
    score=_score))
