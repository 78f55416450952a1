"""Rounding real breakpoints to a valid integer schedule (used by the quantile and quantized schedules)."""

from __future__ import annotations

import mpmath

__all__: list = []


def _round_half_up(x: mpmath.mpf) -> int:
    return int(mpmath.floor(x + mpmath.mpf(1) / 2))
