"""Small pieces the rule modules share: exact reading of ``eps``, blocks as each library forms them."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from ...errors import SymschedError
from ...validation import check_steps, finite_real, positive_int

__all__ = ["exact_decimal", "whole_blocks", "ceil_blocks", "check_arithmetic", "check_eps"]


def exact_decimal(x: Any, where: str) -> Fraction:
    """A number as an exact Fraction; a Python float is read as the decimal it prints as (``1e-3`` is 1/1000)."""
    if isinstance(x, (bool, np.bool_)):
        raise SymschedError(f"{where}: expected a number, got {x!r}")
    finite_real(x, "eps", where)
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    if isinstance(x, (float, np.floating)):
        return Fraction(repr(float(x)))
    try:
        return Fraction(x)
    except (TypeError, ValueError):
        try:
            return Fraction(str(x))
        except (TypeError, ValueError):
            raise SymschedError(f"{where}: eps must be a number, got {x!r:.60}") from None


def check_eps(x: Any, where: str, closed_at_zero: bool = False) -> Fraction:
    e = exact_decimal(x, where)
    if not ((0 <= e) if closed_at_zero else (0 < e)) or not e < 1:
        raise SymschedError(f"{where}: eps must be in {'[0' if closed_at_zero else '(0'}, 1), got eps = {x!r}")
    return e


def check_arithmetic(value: Any, where: str) -> str:
    if value not in ("float32", "exact"):
        raise SymschedError(f"{where}: arithmetic must be 'float32' (the library's own) or 'exact' (the idealised "
                            f"rational variant), got {value!r:.60}")
    return value


def whole_blocks(N: int, K: int, block_length: Any, where: str) -> tuple:
    """LLaDA-style blocks: ``N`` a multiple of the block length, ``K`` a multiple of the number of blocks
    (the library asserts both). Returns ``(block lengths, steps per block)``."""
    if block_length is None:
        return [N], K
    B = positive_int(block_length, "block_length", where)
    if N % B:
        raise SymschedError(f"{where}: N = {N} is not a multiple of block_length = {B} (the library asserts "
                            f"gen_length % block_length == 0; choose block_length dividing N)")
    nb = check_steps(N // B, "N / block_length", f"{where}: blocks")
    if K % nb:
        raise SymschedError(f"{where}: K = {K} steps cannot be split evenly over {nb} blocks (the library asserts "
                            f"steps % num_blocks == 0; use K a multiple of {nb})")
    return [B] * nb, K // nb


def ceil_blocks(N: int, K: int, block_length: Any, where: str) -> tuple:
    """dllm-style blocks: ``ceil(N / B)`` blocks, the last one partial, ``ceil(K / blocks)`` steps in each."""
    if block_length is None:
        return [N], K
    B = positive_int(block_length, "block_length", where)
    nb = check_steps(math.ceil(N / B), "ceil(N / block_length)", f"{where}: blocks")
    return [B] * (nb - 1) + [N - B * (nb - 1)], math.ceil(K / nb)
