"""``"entropy-bound"``: the EB-sampler — the ``k`` lowest-entropy masked positions, ``k`` the largest with
``Σ_{i≤k} H_i − max_{i≤k} H_i ≤ γ``, entropies in bits as the reference code measures them."""

import numpy as np

from .base import Policy, check_nonnegative, entropy_bits, register_policy


def _score(probs, positions):
    return -entropy_bits(probs)


def _count(sorted_scores, gamma):
    ents = -sorted_scores                                  # ascending entropies (bits); +inf: not selectable
    with np.errstate(invalid="ignore"):
        before = np.cumsum(np.where(np.isfinite(ents), ents, 0.0), axis=1) - np.where(np.isfinite(ents), ents, 0.0)
    return (np.round(before, 10) <= np.round(gamma, 10)).sum(axis=1)


def _check(v):
    # a module-level function, not a lambda: the policy is pickled for worker processes
    return check_nonnegative(v, "gamma")


register_policy(Policy(
    "entropy-bound", "the k lowest-entropy positions, k the largest with sum - max of their entropies <= gamma "
                     "(bits)",
    library="omerlux/DUS generate.py generate_eb_sampler (commit c917168; entropy in bits of the softmax of "
            "the Gumbel-noised logits; at temperature 0 there is no noise)",
    score=_score, count=_count, parameter="gamma", check=_check,
    temperatures=(0,)))
