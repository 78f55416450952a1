"""``"threshold"``: every masked position whose confidence is at least ``τ``, and at least the best one."""

import numpy as np

from .base import Policy, check_probability, register_policy, top1


def _score(probs, positions):
    return top1(probs)


def _count(sorted_scores, tau):
    return (sorted_scores >= np.round(tau, 10)).sum(axis=1)


def _check(v):
    # a module-level function, not a lambda: the policy is pickled for worker processes
    return check_probability(v, "threshold")


register_policy(Policy(
    "threshold", "every position with confidence >= tau, at least the most confident one",
    library="Fast-dLLM llada/generate.py get_transfer_index(threshold=...) (NVlabs/Fast-dLLM); the "
            "CB sampler of omerlux/DUS generate.py",
    score=_score, count=_count, parameter="threshold", check=_check,
    sampled_token_score=True))
