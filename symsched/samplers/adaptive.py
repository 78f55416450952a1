"""Adaptive (confidence-ordered) samplers, exactly and by Monte Carlo (docs/adaptive.md).

The implementation lives in :mod:`symsched.samplers.policies` (one module per rule, the exact route, the
Monte Carlo route); this module keeps the older import path working.

Examples
--------
>>> import symsched as ss
>>> copy = ss.copy_model(3)                  # three copies of one fair bit
>>> r = ss.policy_kl(copy, "confidence", sizes=[1, 2])
>>> round(r.kl, 6), r.expected_steps         # once one copy is seen the rest are certain
(0.0, 2)
>>> round(ss.policy_kl(copy, "random", sizes=[2, 1]).kl, 6)   # = TC of two fair copies
0.693147
"""

from .policies import (DEFAULT_POLICY_BUDGET, POLICIES, SCORE_DECIMALS, PolicyResult, policy_kl,
                       select_positions)
from .policies import get_policy
from .policies.exact import policy_cost

__all__ = ["policy_kl", "PolicyResult", "POLICIES", "select_positions", "SCORE_DECIMALS", "DEFAULT_POLICY_BUDGET"]


def _cost(policy, N, cards, sizes):
    """Estimated table operations of the exact route (benchmarks/bench_adaptive.py's reach search)."""
    pol = get_policy(policy)
    return policy_cost(pol, pol.sampled_token_score and pol.default_temperature > 0, N, cards, sizes)
