"""``"entropy"``: the ``k_t`` masked positions with the smallest conditional entropy."""

from .base import Policy, entropy_nats, register_policy


def _score(probs, positions):
    return -entropy_nats(probs)


register_policy(Policy(
    "entropy", "the k_t positions with the smallest H(X_i | x_R)",
    library="Dream generation_utils.py alg='entropy' (Dream's default; negative entropy at any temperature)",
    score=_score))
