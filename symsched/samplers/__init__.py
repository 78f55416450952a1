"""Samplers: verification by simulation and by exact enumeration of the sampler's law.

The factorized (fixed-size) sampler of docs/concepts.md §2 (:mod:`.factorized`), the continuous-time Euler /
τ-leaping and First-Hitting samplers (:mod:`.continuous_time`), all with exact conditionals computed
from the joint table (:mod:`.conditionals`).
"""

from .conditionals import ConditionalTables
from .factorized import (MonteCarloEstimate, count_orders, exact_sampler_kl, mixture_kl, montecarlo_sampler_kl,
                         order_averaged_kl, order_averaged_kl_estimate, order_law, ordered_set_partitions,
                         sample_factorized, sampler_law)
from .continuous_time import (EulerCurve, euler_kl, euler_law, euler_tv, euler_tv_curve, fhs_law,
                              pattern_averaged_kl, reveal_grid, sample_euler, sample_fhs)

__all__ = ["ConditionalTables",
           "MonteCarloEstimate", "count_orders", "exact_sampler_kl", "montecarlo_sampler_kl", "order_averaged_kl",
           "mixture_kl", "order_averaged_kl_estimate",
           "order_law", "ordered_set_partitions", "sample_factorized", "sampler_law",
           "EulerCurve", "euler_kl", "euler_law", "euler_tv", "euler_tv_curve", "fhs_law", "pattern_averaged_kl",
           "sample_euler", "sample_fhs"]
from .adaptive import POLICIES, PolicyResult, policy_kl, select_positions
from .policies import Policy, policy_names, register_policy
from .policies.optimal import OptimalPolicy, optimal_policy
from .policies.remasking import RemaskingResult, remasking_kl

__all__ += ["POLICIES", "PolicyResult", "policy_kl", "select_positions", "Policy", "policy_names", "register_policy",
            "OptimalPolicy", "optimal_policy", "RemaskingResult", "remasking_kl"]
from .adaptive_frontier import AdaptiveFrontier, PolicyComparison, adaptive_frontier, compare_policies, equal_sizes

__all__ += ["AdaptiveFrontier", "PolicyComparison", "adaptive_frontier", "compare_policies", "equal_sizes"]
from .fastdllm import FastDLLMBounds, FastDLLMCheck, fast_dllm_bounds, fast_dllm_check
from .regimes import (RegimeTable, bisection_blocks, markov_bisection_table, order_m_chain, permutation_rounds_table,
                      replace_random_model, replace_random_tc, shuffle_model, shuffle_tc, shuffle_topk_accuracy,
                      support_accuracy)

__all__ += ["FastDLLMBounds", "FastDLLMCheck", "fast_dllm_bounds", "fast_dllm_check",
            "RegimeTable", "bisection_blocks", "markov_bisection_table", "order_m_chain", "permutation_rounds_table",
            "replace_random_model", "replace_random_tc", "shuffle_model", "shuffle_tc", "shuffle_topk_accuracy",
            "support_accuracy"]

# -- semi-autoregressive blocks and fixed partitions (issue #14) --
from .blockwise import *
from .practice import *
from . import blockwise as _blockwise, practice as _practice

__all__ += _blockwise.__all__ + _practice.__all__
from .interaction import interaction_decomposition

__all__ += ["interaction_decomposition"]
from .advice import ADVICE_RULES, Advice, advise

__all__ += ["advise", "Advice", "ADVICE_RULES"]
from .blockwise_data import estimate_blockwise_kl

__all__ += ["estimate_blockwise_kl"]
