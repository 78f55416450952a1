"""Rounding real breakpoints to a valid integer schedule (used by the quantile and quantized schedules)."""

from __future__ import annotations

import mpmath

from ..schedules.schedule import repair_breakpoints  # noqa: F401 (the one repair lives in schedules)

__all__: list = []


def _round_half_up(x: mpmath.mpf) -> int:
    return int(mpmath.floor(x + mpmath.mpf(1) / 2))
