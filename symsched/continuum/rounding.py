"""Rounding real breakpoints to a valid integer schedule (used by the quantile and quantized schedules)."""

from __future__ import annotations

from typing import Sequence

import mpmath

from ..errors import SymschedError

__all__: list = []


def _round_half_up(x: mpmath.mpf) -> int:
    return int(mpmath.floor(x + mpmath.mpf(1) / 2))


def repair_breakpoints(raw: Sequence[int], N: int) -> tuple:
    """Make rounded breakpoints a valid schedule: ``0 = s_0 < s_1 < ... < s_K = N``.

    Deterministic repair, documented: fix ``s_0 = 0`` and ``s_K = N``; clamp each inner ``s_t`` to
    ``[t, N − K + t]`` (the only values leaving room for the other steps); then a forward pass
    ``s_t = max(s_t, s_{t−1} + 1)``.  Clamping keeps a non-decreasing sequence non-decreasing, and
    the forward pass cannot leave the clamp range (``s_{t−1} + 1 ≤ N − K + t``), so the result is
    strictly increasing and ends at ``N``.  Values already valid are left unchanged.

    >>> repair_breakpoints([0, 0, 1, 1, 5], 5)
    (0, 1, 2, 3, 5)
    """
    K = len(raw) - 1
    if K < 1:
        raise SymschedError(f"breakpoints: need at least two breakpoints, got {list(raw)}")
    if K > N:
        raise SymschedError(f"breakpoints: K = {K} steps need K <= N = {N}")
    s = [int(v) for v in raw]
    s[0], s[K] = 0, N
    for t in range(1, K):
        s[t] = min(max(s[t], t), N - K + t)
    for t in range(1, K):
        s[t] = max(s[t], s[t - 1] + 1)
    return tuple(s)
