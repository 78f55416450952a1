"""Sampler rules, one module per library, in one registry (:mod:`.base`); see CONTRIBUTING.md."""

from .base import RuleSource, SamplerRule, get_rule, register_rule, rule_table, sampler_rules
from .float32 import round_to_float32, torch_linspace32
from .llada import llada_counts
from .dream import dream_counts, dream_timesteps
from .dllm import dllm_counts
from .dus import dus_blocks
from . import grid_rules

__all__ = ["SamplerRule", "RuleSource", "register_rule", "get_rule", "sampler_rules", "rule_table",
           "llada_counts", "dream_counts", "dream_timesteps", "dllm_counts", "dus_blocks", "round_to_float32",
           "torch_linspace32"]
