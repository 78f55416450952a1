"""Dream's confidence algorithms (``maskgit_plus``, ``topk_margin``, ``entropy``): floor counts on a linspace.

Read in the Dream team's ``generation_utils.py`` as vendored in the dllm library (``_sample``): times
``torch.linspace(1, eps, steps + 1)`` in float32; with ``M`` tokens masked, step ``i < steps - 1``
reveals ``int(M * (1 - t_{i+1} / t_i))`` computed in float32 (truncation), the last step the rest.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import numpy as np

from ...errors import SymschedError
from ...validation import check_steps, nonnegative_int
from ..schedule import as_schedule
from .base import RuleSource, SamplerRule, register_rule
from .common import check_arithmetic, check_eps
from .float32 import round_to_float32, torch_linspace32

__all__ = ["dream_counts", "dream_timesteps", "DreamRule"]

_F = np.float32


@lru_cache(maxsize=512)
def _times32(steps: int, eps: float) -> tuple:
    return tuple(torch_linspace32(1.0, eps, steps + 1))


def dream_counts(B: int, steps: int, eps=Fraction(1, 1000), arithmetic: str = "float32") -> list:
    """Dream's counts (confidence algorithms) for ``B`` masked tokens in ``steps`` steps.

    ``arithmetic="float32"`` (default) is Dream's own code: float32 times from ``torch.linspace`` (emulated
    exactly), ``int(M * (1 - s / t))`` in float32. ``"exact"`` is the idealised rational rule
    ``floor(M (1 - t_{i+1}/t_i))``.

    >>> dream_counts(10, 4)
    [2, 2, 2, 4]
    >>> dream_counts(4, 4)      # steps = length: the first step reveals nothing
    [0, 1, 1, 2]
    >>> dream_counts(8, 4, eps=0.5), dream_counts(8, 4, eps=0.5, arithmetic="exact")
    ([1, 0, 1, 6], [1, 1, 1, 5])
    """
    B = nonnegative_int(B, "B", "dream_counts")
    steps = check_steps(steps, "steps", "dream_counts")
    e = check_eps(eps, "dream_counts")
    check_arithmetic(arithmetic, "dream_counts")
    M, out = int(B), []
    if arithmetic == "exact":
        t = [1 - (1 - e) * Fraction(i, steps) for i in range(steps + 1)]
        for i in range(steps - 1):
            k = math.floor(M * (1 - t[i + 1] / t[i]))
            out.append(k)
            M -= k
    else:
        t = _times32(steps, float(e))
        one = _F(1)
        for i in range(steps - 1):
            k = int(_F(M) * (one - t[i + 1] / t[i]))    # float32 throughout; int() truncates (k >= 0)
            out.append(k)
            M -= k
    return out + [M]


class DreamRule(SamplerRule):
    name = "dream"
    library = "Dream"
    sources = (RuleSource("ZHZisZZ/dllm", "dllm/pipelines/dream/models/generation_utils.py",
                          "81c80162c35bc308ac46faae13d3af5731f29ad5", "_sample, alg != 'origin'"),)
    options = {"eps": Fraction(1, 1000), "arithmetic": "float32"}
    modelled = ("counts int(M (1 - s/t)) on torch.linspace(1, eps, K + 1), in float32 as the library (torch's "
                "CPU linspace emulated exactly), the last step takes the rest; empty steps kept (each a call)")
    not_modelled = ("which positions (maskgit_plus / topk_margin / entropy scores: policies); alg_temp > 0 "
                    "(positions drawn by softmax); a batch of several sequences (M is averaged over the batch)")
    export_format = "dream"

    def check_options(self, opts, where):
        return {"eps": check_eps(opts["eps"], where), "arithmetic": check_arithmetic(opts["arithmetic"], where)}

    def block_sizes(self, N, K, opts):
        return [dream_counts(N, K, opts["eps"], opts["arithmetic"])]



def _count32(M: int, t: np.float32, s: np.float32) -> int:
    return int(_F(M) * (_F(1) - s / t))


def dream_timesteps(sizes) -> list:
    """Float32 times ``t_0 = 1, ..., t_K`` that Dream's own loop turns back into exactly ``sizes``.

    Stand-in for Dream's ``timesteps = torch.linspace(1, eps, steps + 1)`` (a float32 tensor of these values):
    its float32 ``int(M * (1 - t_{i+1} / t_i))`` then reveals ``sizes[i]`` at step ``i < K - 1`` and the last
    step the rest. Each ``t_{i+1}`` is the float32 nearest the middle of the interval of times that give
    the count (searched among neighbours until the float32 count is right); an empty step repeats the time.
    A step that reveals every remaining token while further steps follow needs ``1 - s/t >= 1``, i.e. a
    time ``s <= 0``: the times go below zero there (Dream uses the times only for these counts).

    >>> dream_timesteps([1, 1, 2])          # 4 * (1 - 0.625) = 1.5 -> 1; 3 * (1 - 0.5) = 1.5 -> 1; the rest
    [1.0, 0.625, 0.3125, 0.15625]
    """
    sizes = list(as_schedule(sizes, allow_zero=True).sizes)
    M, t = sum(sizes), _F(1)
    out = [t]
    for i, k in enumerate(sizes[:-1]):
        if M == 0 or k == 0:
            s = t                                    # 1 - s/t = 0: nothing revealed (0 * anything finite = 0)
        else:
            target = Fraction(float(t)) * (Fraction(M - k) - Fraction(1, 2)) / M
            if k == M:
                target = -Fraction(float(t)) / (2 * M)   # 1 - s/t = 1 + 1/(2M): int(M + 1/2) = M
            s = round_to_float32(target)
            for _ in range(64):
                got = _count32(M, t, s)
                if got == k:
                    break
                s = np.nextafter(s, _F(np.inf) if (got > k) == (t > 0) else _F(-np.inf))
            else:   # pragma: no cover - the middle of an interval of width t/M is never 64 ulps off
                raise SymschedError(f"export_schedule('dream'): no float32 time gives {k} of {M} at step {i}")
        out.append(s)
        M -= k
        t = s
    out.append(_F(t / 2) if t != 0 else t)
    return [float(x) for x in out]


register_rule(DreamRule())
