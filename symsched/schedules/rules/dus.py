"""Dilated unmasking (DUS, ``generate.py`` of omerlux/DUS): fixed, spread-out positions in each block.

Read in ``generate_scheduled`` with ``scheduler="dilated"``: in a block of ``B`` positions,
``dilated_unmask_levels`` takes the stride ``B // base**base_skip`` and reveals every position at a
multiple of the stride not yet revealed, divides the stride by ``base`` and repeats while it is >= 1, then
reveals any leftovers; ``merge_last_level`` merges the last level into the one before when it is smaller.
``scheduler="binary"`` (the function's default) reveals block midpoints level by level
(``binary_search_levels``). The number of steps is fixed by ``B``; ``K`` must match it.

``remasking``: the library's default ``"low_confidence"`` re-masks, after every step but the last, the
positions of that step whose confidence is below ``confidence_threshold``. Those positions are never
visited again (each level writes only its own positions), so the output can keep mask tokens: that is not
a sampler of the joint law and it is refused; only ``remasking="none"`` is modelled.
"""

from __future__ import annotations

from ...errors import SymschedError
from ...validation import check_steps, nonnegative_int, positive_int
from .base import RuleSource, SamplerRule, register_rule
from .common import whole_blocks

__all__ = ["dus_blocks", "DUSRule"]


def _dilated(B: int, base: int, skip: int) -> list:
    if base == 1:
        return [list(range(B))]
    stride, levels, seen = B // base ** skip, [], set()
    while stride >= 1:
        level = [i for i in range(0, B, stride) if i not in seen]
        if level:
            levels.append(level)
            seen.update(level)
        stride //= base
    rest = [i for i in range(B) if i not in seen]
    return levels + ([rest] if rest else [])


def _binary(B: int) -> list:
    levels: list = []
    stack = [(0, B - 1, 0)]
    while stack:                       # depth-first, left before right, as the recursion visits them
        lo, hi, d = stack.pop()
        if lo > hi:
            continue
        while len(levels) <= d:
            levels.append([])
        mid = (lo + hi) // 2
        levels[d].append(mid)
        stack.append((mid + 1, hi, d + 1))
        stack.append((lo, mid - 1, d + 1))
    return levels


def dus_blocks(B: int, offset: int = 0, base: int = 2, base_skip: int = 1, scheduler: str = "dilated") -> list:
    """DUS's positions in a block of ``B`` tokens: one tuple per step (see the module docstring).

    Examples
    --------
    >>> dus_blocks(8)
    [(0, 4), (2, 6), (1, 3, 5, 7)]
    >>> [len(g) for g in dus_blocks(10)], [len(g) for g in dus_blocks(32, base=3)]
    ([2, 4, 4], [4, 9, 19])
    """
    B = check_steps(B, "B", "dus_blocks")
    offset = nonnegative_int(offset, "offset", "dus_blocks")
    base = positive_int(base, "base", "dus_blocks")
    skip = positive_int(base_skip, "base_skip", "dus_blocks")
    if scheduler not in ("dilated", "binary"):
        raise SymschedError(f"dus_blocks: scheduler must be 'dilated' or 'binary', got {scheduler!r:.60}")
    levels = _dilated(B, base, skip) if scheduler == "dilated" else _binary(B)
    if len(levels) >= 2 and len(levels[-1]) < len(levels[-2]):
        levels = levels[:-2] + [levels[-2] + levels[-1]]       # merge_last_level
    return [tuple(offset + i for i in level) for level in levels]


class DUSRule(SamplerRule):
    name = "dus"
    library = "DUS"
    sources = (RuleSource("omerlux/DUS", "generate.py", "abd7723fd0fd39a2881ddaa8f96ddab2ad3c44a0",
                          "generate_scheduled, dilated_unmask_levels, binary_search_levels, merge_last_level"),)
    options = {"block_length": None, "base": 2, "base_skip": 1, "scheduler": "dilated", "remasking": "none"}
    modelled = ("the fixed positions of every level (any block length, base, base_skip; 'dilated' or 'binary'), "
                "merge_last_level, whole blocks left to right, one model call per level")
    not_modelled = ("remasking='low_confidence' / 'high_entropy' (the library's default: re-masked positions are "
                    "never revisited, so the output can keep masks; refused); generate(n_transfer='inc_dilated') "
                    "uses these counts with confidence positions (a policy)")

    def check_options(self, opts, where):
        if opts["remasking"] != "none":
            raise SymschedError(f"{where}: only remasking='none' is modelled; with {opts['remasking']!r:.40} the "
                                "library re-masks low-confidence positions that no later level revisits, so its "
                                "output can keep mask tokens (a different law, not a sampler of the joint)")
        if opts["scheduler"] not in ("dilated", "binary"):
            raise SymschedError(f"{where}: scheduler must be 'dilated' or 'binary', got {opts['scheduler']!r:.60}")
        for k in ("base", "base_skip"):
            positive_int(opts[k], k, where)
        return opts

    def _groups(self, N, opts):
        B = N if opts["block_length"] is None else positive_int(opts["block_length"], "block_length",
                                                                 f"sampler_schedule({self.name!r})")
        blocks, _ = whole_blocks(N, N // B if N % B == 0 else 1, B, f"sampler_schedule({self.name!r})")
        return [dus_blocks(B, b * B, opts["base"], opts["base_skip"], opts["scheduler"]) for b in range(len(blocks))]

    def implied_steps(self, N, opts):
        return sum(len(g) for g in self._groups(N, opts))

    def block_sizes(self, N, K, opts):
        return [[len(level) for level in g] for g in self._groups(N, opts)]

    def positions(self, N, opts):
        return [level for g in self._groups(N, opts) for level in g]


class FirstHittingRule(SamplerRule):
    name = "first-hitting"
    library = "BD3-LM"
    sources = ()
    options = {"block_length": None}
    modelled = "one token per step (K = N), whole blocks left to right, positions uniformly at random"
    not_modelled = "BD3-LM's code was not read in this round: the rule is the paper's description"

    def implied_steps(self, N, opts):
        return check_steps(N, "N", "sampler_schedule('first-hitting') (one step per token)")

    def block_sizes(self, N, K, opts):
        blocks, _ = whole_blocks(N, N, opts["block_length"], f"sampler_schedule({self.name!r})")
        return [[1] * B for B in blocks]


register_rule(FirstHittingRule())
register_rule(DUSRule())
