"""LLaDA (``generate.py``) and Fast-dLLM's copy of it: even counts per block, remainder on the first steps."""

from __future__ import annotations

from ...validation import check_steps, nonnegative_int
from .base import RuleSource, SamplerRule, register_rule
from .common import whole_blocks

__all__ = ["llada_counts", "LLaDARule", "FastDLLMRule"]


def llada_counts(B: int, steps: int) -> list:
    """LLaDA's counts for one block of ``B`` masked tokens in ``steps`` steps (remainder on the first steps).

    >>> llada_counts(10, 4)
    [3, 3, 2, 2]
    >>> llada_counts(2, 4)      # more steps than tokens: empty steps, still model calls
    [1, 1, 0, 0]
    """
    B = nonnegative_int(B, "B", "llada_counts")
    steps = check_steps(steps, "steps", "llada_counts")
    base, rem = divmod(B, steps)
    return [base + 1 if i < rem else base for i in range(steps)]


class LLaDARule(SamplerRule):
    name = "llada"
    library = "LLaDA"
    sources = (RuleSource("ML-GSAI/LLaDA", "generate.py", "41760b91240e934e7612b08d45a0642d680c098a",
                          "generate, get_num_transfer_tokens"),)
    options = {"block_length": None}
    modelled = ("counts per block (B // K_b, the first B mod K_b steps one more), whole blocks left to right, "
                "every step a model call (empty ones included); positions by remasking='random'")
    not_modelled = ("remasking='low_confidence' positions (a policy: policy_kl('llada')); cfg_scale; the "
                    "library's default block_length=128 (None here means one block)")
    export_format = "llada"

    def block_sizes(self, N, K, opts):
        blocks, per = whole_blocks(N, K, opts["block_length"], f"sampler_schedule({self.name!r})")
        return [llada_counts(B, per) for B in blocks]


class FastDLLMRule(LLaDARule):
    name = "fast-dllm"
    library = "Fast-dLLM"
    sources = (RuleSource("NVlabs/Fast-dLLM", "llada/generate.py", "f6b35ec3f1b16e1b3d3357938046559ae2d350fa",
                          "generate, get_num_transfer_tokens (threshold=None)"),)
    modelled = ("LLaDA's counts; a block stops once it is unmasked, so trailing empty steps are never run "
                "(no model call)")
    not_modelled = ("threshold= / factor= parallel decoding (adaptive: the 'threshold' policy); the KV-cache "
                    "variants (same counts and calls)")

    def block_sizes(self, N, K, opts):
        out = []
        for row in super().block_sizes(N, K, opts):
            while row and row[-1] == 0:
                row = row[:-1]     # the while-loop breaks once the block has no mask left
            out.append(row)
        return out


register_rule(LLaDARule())
register_rule(FastDLLMRule())
