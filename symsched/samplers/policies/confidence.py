"""``"confidence"``: the ``k_t`` masked positions with the most probable token.

At ``temperature=1`` the score is the probability of the token sampled there, as Dream's ``maskgit_plus``
computes it at temperature > 0 — the law of LLaDA's ``low_confidence`` (``"llada"``).
"""

from .base import Policy, register_policy, top1


def _score(probs, positions):
    return top1(probs)


register_policy(Policy(
    "confidence", "the k_t positions with the largest max_v p(x_i = v | x_R)",
    library="Dream generation_utils.py alg='maskgit_plus' (vendored in ZHZisZZ/dllm, "
            "dllm/pipelines/dream/models/generation_utils.py)",
    score=_score, sampled_token_score=True))
