"""Samplers: verification by simulation and by exact enumeration of the sampler's law.

The factorized (fixed-size) sampler of DESIGN.md §2 (:mod:`.factorized`), the continuous-time Euler /
τ-leaping and First-Hitting samplers (:mod:`.continuous_time`), all with exact conditionals computed
from the joint table (:mod:`.conditionals`).
"""

from .conditionals import ConditionalTables
from .factorized import (MonteCarloEstimate, count_orders, exact_sampler_kl, montecarlo_sampler_kl,
                         order_averaged_kl, order_law, ordered_set_partitions, sample_factorized, sampler_law)
from .continuous_time import (EulerCurve, euler_kl, euler_law, euler_tv, euler_tv_curve, fhs_law,
                              pattern_averaged_kl, reveal_grid, sample_euler, sample_fhs)

__all__ = ["ConditionalTables",
           "MonteCarloEstimate", "count_orders", "exact_sampler_kl", "montecarlo_sampler_kl", "order_averaged_kl",
           "order_law", "ordered_set_partitions", "sample_factorized", "sampler_law",
           "EulerCurve", "euler_kl", "euler_law", "euler_tv", "euler_tv_curve", "fhs_law", "pattern_averaged_kl",
           "reveal_grid", "sample_euler", "sample_fhs"]
from .adaptive import POLICIES, PolicyResult, policy_kl, select_positions

__all__ += ["POLICIES", "PolicyResult", "policy_kl", "select_positions"]
