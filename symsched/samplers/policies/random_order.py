"""``"random"``: ``k_t`` masked positions uniformly at random (the sampler of the schedule identity)."""

from .base import Policy, register_policy

register_policy(Policy(
    "random", "k_t uniformly random masked positions",
    library="LLaDA generate.py remasking='random' (ML-GSAI/LLaDA); the factorized sampler of the identity",
    order_free=True, temperatures=(0, 1)))
