"""The dllm library's MDLM sampler: ``get_num_transfer_tokens`` with an alpha scheduler, blocks of ``block_size``.

Read in ``dllm/core/samplers/utils.py`` (counts), ``dllm/core/schedulers/alpha.py`` (schedulers) and
``dllm/core/samplers/mdlm.py`` (blocks). For step ``j`` of ``steps``, with ``t = (steps - j)/steps`` and
``s = t - 1/steps`` (Python floats, then float32 tensors), the scheduler returns
``r = (1 - alpha(s)) / (1 - alpha(t))`` in float32 (``.item()``); the count is
``round(M * (1 - r))`` in float64 (half to even), capped at ``M``; the loop stops once nothing is masked
and the zeros are compacted away (LLaDA is not conditioned on time). Blocks: ``ceil(N / block_size)`` of
them, the last one partial, each with ``ceil(steps / blocks)`` steps.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import mpmath
import numpy as np

from ...errors import SymschedError
from ...validation import check_steps, nonnegative_int
from .base import RuleSource, SamplerRule, register_rule
from .common import ceil_blocks, check_arithmetic

__all__ = ["dllm_counts", "DllmRule"]

_F = np.float32
_HALF_PI32 = _F(math.pi / 2)


def _alpha32(alpha: str, i: np.float32) -> np.float32:
    if alpha == "linear":
        return _F(1) - i
    # cos of the float32 argument (formed in float32, as torch does), correctly rounded to float32. torch's own
    # float32 cos is off by one unit in the last place for about 5 % of these arguments; no count on the
    # dense test grid changes, the 'dllm-stochastic' probabilities move by one float32 ulp of the ratio (<= 6e-8).
    return _F(1) - _F(math.cos(float(_HALF_PI32 * (_F(1) - i))))


def _ratio_exact(alpha: str, j: int, steps: int):
    t, s = Fraction(steps - j, steps), Fraction(steps - 1 - j, steps)
    if alpha == "linear":
        return s / t                       # (1 - alpha(s)) / (1 - alpha(t)) with alpha(x) = 1 - x
    with mpmath.workdps(40):
        c = [mpmath.cos(mpmath.pi / 2 * (1 - mpmath.mpf(x.numerator) / x.denominator)) for x in (s, t)]
        return c[0] / c[1]


def dllm_counts(B: int, steps: int, alpha: str = "linear", arithmetic: str = "float32",
                drop_empty: bool = True) -> list:
    """The dllm library's counts for ``B`` masked tokens in ``steps`` steps (empty steps dropped by default).

    ``arithmetic="float32"`` (default) is the library's own code; ``"exact"`` rounds the exact expected count.

    >>> dllm_counts(10, 3), dllm_counts(10, 3, arithmetic="exact")   # exactly 7/2 at step 2: float32 breaks the tie
    ([3, 3, 4], [3, 4, 3])
    >>> dllm_counts(3, 6)           # the zeros it makes are compacted away
    [1, 1, 1]
    """
    B = nonnegative_int(B, "B", "dllm_counts")
    steps = check_steps(steps, "steps", "dllm_counts")
    if alpha not in ("linear", "cosine"):
        raise SymschedError(f"sampler_schedule('dllm'): alpha must be 'linear' or 'cosine', got {alpha!r:.60}")
    check_arithmetic(arithmetic, "dllm_counts")
    return list(_dllm_counts(B, steps, alpha, arithmetic, bool(drop_empty)))


@lru_cache(maxsize=4096)
def _dllm_counts(B: int, steps: int, alpha: str, arithmetic: str, drop_empty: bool) -> tuple:
    M, out = B, []
    for j in range(steps):
        if M == 0:
            break                          # the library stops; the remaining slots stay zero
        if arithmetic == "exact":
            x = M * (1 - _ratio_exact(alpha, j, steps))
            k = round(x) if isinstance(x, Fraction) else int(mpmath.nint(x))   # both round half to even
        else:
            s32, t32 = _F((steps - 1 - j) / steps), _F((steps - j) / steps)
            r = (_F(1) - _alpha32(alpha, s32)) / (_F(1) - _alpha32(alpha, t32))
            k = int(np.round(float(M) * (1.0 - float(r))))          # float64, half to even (torch.round)
        k = min(max(k, 0), M)
        out.append(k)
        M -= k
    out += [0] * (steps - len(out))
    if M:
        raise SymschedError(f"sampler_schedule('dllm'): {M} tokens left masked after {steps} steps (alpha = {alpha!r})")
    return tuple(k for k in out if k) if drop_empty else tuple(out)


class DllmRule(SamplerRule):
    name = "dllm"
    library = "dllm"
    sources = (RuleSource("ZHZisZZ/dllm", "dllm/core/samplers/utils.py", "2d962f3378712b2ea4f5d5967b1488758fa61ba9",
                          "get_num_transfer_tokens"),
               RuleSource("ZHZisZZ/dllm", "dllm/core/schedulers/alpha.py", "2d962f3378712b2ea4f5d5967b1488758fa61ba9",
                          "LinearAlphaScheduler, CosineAlphaScheduler, reverse_mask_prob"),
               RuleSource("ZHZisZZ/dllm", "dllm/core/samplers/mdlm.py", "13ba37270529105b8d6daca89ecfcd21bfca15d9",
                          "MDLMSampler.sample: blocks"))
    options = {"block_length": None, "alpha": "linear", "arithmetic": "float32", "drop_empty": True,
               "stochastic": False}
    modelled = ("round(M (1 - r)) with the scheduler's float32 ratio, half to even, zeros compacted away (no model "
                "call); ceil(N/B) blocks, the last partial, ceil(K/blocks) steps each (so calls can exceed K)")
    not_modelled = ("stochastic_transfer=True here (Binomial counts: the grid rule 'dllm-stochastic'); "
                    "low_confidence positions (a policy); the library's default block_size=128 (None: one block)")
    export_format = "alpha"

    def check_options(self, opts, where):
        if opts["alpha"] not in ("linear", "cosine"):
            raise SymschedError(f"{where}: alpha must be 'linear' or 'cosine', got {opts['alpha']!r:.60}")
        check_arithmetic(opts["arithmetic"], where)
        if opts["stochastic"]:
            raise SymschedError(f"{where}: stochastic=True draws Binomial counts (a law over sizes, not one "
                                "schedule): use sampler_grid('dllm-stochastic', K), its Bernoulli grid")
        return {**opts, "drop_empty": bool(opts["drop_empty"]), "stochastic": False}

    def block_sizes(self, N, K, opts):
        blocks, per = ceil_blocks(N, K, opts["block_length"], f"sampler_schedule({self.name!r})")
        return [dllm_counts(B, per, opts["alpha"], opts["arithmetic"], opts["drop_empty"]) for B in blocks]


def _stochastic_probabilities(K: int, alpha: str, arithmetic: str) -> list:
    """Step j's reveal probability ``1 - r_j`` of each masked token (``r_j`` the scheduler's ratio), exactly."""
    out = []
    for j in range(K):
        if arithmetic == "exact" and alpha == "linear":
            out.append(1 - _ratio_exact(alpha, j, K))
            continue
        if arithmetic == "exact":
            raise SymschedError("sampler_grid('dllm-stochastic'): arithmetic='exact' is rational only for "
                                "alpha='linear' (the cosine ratio is irrational); use the library's float32")
        s32, t32 = _F((K - 1 - j) / K), _F((K - j) / K)
        r = (_F(1) - _alpha32(alpha, s32)) / (_F(1) - _alpha32(alpha, t32))
        out.append(1 - Fraction(float(r)))                      # the float32 ratio, as a Python float
    return out


class DllmStochasticRule(SamplerRule):
    """dllm with ``stochastic_transfer=True``: each step draws ``Binomial(M, 1 - r_j)`` tokens, which is the
    Bernoulli sampler on the grid ``1 - u_j = prod_{i <= j} r_i`` (each masked token revealed independently)."""

    name = "dllm-stochastic"
    kind = "grid"
    library = "dllm"
    sources = DllmRule.sources
    options = {"alpha": "linear", "arithmetic": "float32"}
    modelled = ("Binomial(M, 1 - r) counts with the scheduler's float32 ratio r (cosine: float32 cos correctly "
                "rounded, torch's is one ulp off in ~5 % of the steps), i.e. the Bernoulli grid "
                "1 - u_j = prod r_i (positions random); one block; expected calls of one sequence: steps that "
                "reveal nothing are compacted away, the loop stops once nothing is masked")
    not_modelled = "blocks (one block of N tokens); low_confidence positions (a policy)"
    export_format = "grid"

    def check_options(self, opts, where):
        if opts["alpha"] not in ("linear", "cosine"):
            raise SymschedError(f"{where}: alpha must be 'linear' or 'cosine', got {opts['alpha']!r:.60}")
        check_arithmetic(opts["arithmetic"], where)
        return {**opts, "eps": Fraction(0)}

    def times(self, K, opts):
        t, out = Fraction(1), [Fraction(1)]
        for p in _stochastic_probabilities(K, opts["alpha"], opts["arithmetic"]):
            t = t * (1 - p)
            out.append(t)
        return out, True

    def expected_model_calls(self, N, K, opts):
        # token-wise independence: a token is revealed at step j with probability t_j - t_{j+1}; a step with no
        # reveal has no entry after compaction (and none after the loop stops), so it costs no call
        # in floats: the exact rationals have denominators of about 24 K bits, raised to the N-th power (minutes
        # at K = 500, N = 64); log1p / expm1 keep the digits of a small reveal probability
        t = [float(x) for x in self.times(K, opts)[0]]  # exact differences cost a gcd of 24 K-bit integers each
        total = 0.0
        for j in range(K):
            d = t[j] - t[j + 1]                           # t_j d / t_j = p_j: no cancellation to speak of
            total += 1.0 if d >= 1 else -math.expm1(N * math.log1p(-d))
        return total


register_rule(DllmRule())
register_rule(DllmStochasticRule())
