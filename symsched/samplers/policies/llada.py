"""``"llada"``: LLaDA's ``remasking="low_confidence"`` — a candidate drawn at every masked position, each
position scored by the probability of its own candidate, the ``k_t`` best kept.  It is ``"confidence"`` at
temperature 1 (the default here); at temperature 0 the candidate is the arg-max token and it is
``"confidence"`` at temperature 0."""

from .base import Policy, register_policy, top1


def _score(probs, positions):
    return top1(probs)


register_policy(Policy(
    "llada", "top-k by the probability of each position's sampled candidate",
    library="LLaDA generate.py get_num_transfer_tokens + remasking='low_confidence' (ML-GSAI/LLaDA)",
    score=_score, sampled_token_score=True, default_temperature=1))
