"""``"margin"``: the ``k_t`` masked positions with the largest top-1 minus top-2 probability."""

from .base import Policy, margin, register_policy


def _score(probs, positions):
    return margin(probs)


register_policy(Policy(
    "margin", "the k_t positions with the largest top-1 - top-2 probability",
    library="Dream generation_utils.py alg='topk_margin' (margin of the probabilities at any temperature)",
    score=_score))
