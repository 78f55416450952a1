"""Count rules of the samplers in use: how many tokens each step reveals (docs/concepts.md §7).

A *count rule* turns ``(N, K, options)`` into integer sizes, as the sampler's own code computes them,
including the empty steps (size 0) some rules make: such a step costs a model call and reveals
nothing. The rules were re-implemented from the samplers' documented behaviour and from reading their
code (no code was copied):

``"llada"``
    LLaDA ``generate.py`` / ``get_num_transfer_tokens`` (also Fast-dLLM's copy): blocks of
    ``block_length`` tokens left to right (``N`` must be a multiple of it), ``K / (N / block_length)``
    steps per block (``K`` must be a multiple of the number of blocks); in a block of ``B`` tokens with
    ``K_b`` steps each step reveals ``B // K_b`` tokens and the first ``B mod K_b`` steps one more.
``"dream"``
    Dream ``generation_utils._sample`` with a confidence algorithm (``maskgit_plus``,
    ``topk_margin``, ``entropy``): times ``t = linspace(1, eps, K + 1)``; with ``M`` tokens masked,
    step ``i < K`` reveals ``int(M (1 - t_{i+1} / t_i))`` (the floor of the expected count) and the
    last step reveals the rest. With ``steps = length`` the first step reveals nothing.
``"dllm"``
    The dllm library's ``get_num_transfer_tokens`` with an alpha scheduler (``LinearAlphaScheduler``
    ``alpha(t) = 1 - t``, ``CosineAlphaScheduler`` ``alpha(t) = 1 - cos(pi/2 (1 - t))``): per block, for
    ``t = (K - j)/K``, ``s = t - 1/K``, ``k = round(M (1 - (1 - alpha(s)) / (1 - alpha(t))))`` rounded
    half to even (``torch.round``), capped at ``M``; empty steps are dropped (the library compacts them
    away: LLaDA is not conditioned on time), so ``model_calls`` can be below ``K``.
``"first-hitting"``
    BD3-LM's default first-hitting sampler: one token per step (``K = N``).
``"dus"``
    Dilated unmasking (DUS): inside a block of ``B = 2^m`` tokens, ``m`` steps of sizes
    ``2, 2, 4, ..., B/2`` at fixed dilated positions (:func:`dus_blocks`). The sizes follow
    docs/references.md ("Samplers in use"); the positions are the binary dilation that gives those sizes.

Arithmetic: ``"dream"`` and ``"dllm"`` are computed exactly (Fractions) by default, so a count on an
exact tie (``2.5``) is rounded as the rule says; ``arithmetic="float32"`` reproduces the floating
point of the original code, which can break an exact tie the other way (dllm, ``N = 3``, ``K = 6``:
exactly ``3 (1 - 5/6) = 0.5`` rounds to 0, the library's float32 ``5/6`` gives ``0.50000006`` and 1)
(torch's default float32 for Dream's ``linspace`` and dllm's scheduler;
torch's ``linspace`` is emulated, ``torch.linspace`` itself is used when torch is installed).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from ..errors import SymschedError
from ..validation import check_steps, finite_real, nonnegative_int, positive_int
from .grids import _exact_number
from .schedule import Schedule

__all__ = ["sampler_schedule", "SamplerSchedule", "SAMPLER_RULES", "dus_blocks", "llada_counts", "dream_counts",
           "dllm_counts"]

SAMPLER_RULES = ("llada", "dream", "dllm", "first-hitting", "dus")


class SamplerSchedule(Schedule):
    """A :class:`Schedule` made by a sampler's count rule: sizes (empty steps kept) plus the rule's blocks.

    Attributes
    ----------
    rule : str
    block_length : int or None
        The semi-autoregressive block length (None: one block of all ``N`` tokens).
    block_sizes : tuple of tuple
        The sizes of each block's steps (one tuple per block).
    options : dict
        The rule's options as used.
    model_calls : int
        Steps including empty ones (each costs a forward pass).
    nonempty_steps : int
    """

    __slots__ = ("rule", "block_length", "block_sizes", "options")

    def __init__(self, block_sizes, rule: str, block_length: int | None, options: dict):
        flat = [k for blk in block_sizes for k in blk]
        # Set before Schedule.__init__, which freezes the instance.
        self.rule, self.block_length = rule, block_length
        self.block_sizes = tuple(tuple(int(k) for k in blk) for blk in block_sizes)
        self.options = dict(options)
        super().__init__(flat, allow_zero=True, name=rule)

    def without_empty_steps(self) -> SamplerSchedule:
        """The same rule with its empty steps dropped (same law, fewer model calls)."""
        return SamplerSchedule([[k for k in blk if k] for blk in self.block_sizes], self.rule, self.block_length,
                               {**self.options, "drop_empty": True})

    def to_dict(self) -> dict:
        return {"type": "SamplerSchedule", "rule": self.rule, "sizes": list(self.sizes), "N": self.N,
                "block_length": self.block_length, "block_sizes": [list(b) for b in self.block_sizes],
                "model_calls": self.model_calls, "nonempty_steps": self.nonempty_steps,
                "options": {k: (str(v) if isinstance(v, Fraction) else v) for k, v in self.options.items()}}

    def __repr__(self) -> str:
        base = super().__repr__()
        extra = f", block_length={self.block_length}" if self.block_length else ""
        return base.replace("Schedule([", "SamplerSchedule([", 1).replace(")  #", f"{extra})  #", 1)


def _positive_int(x: Any, what: str) -> int:
    return positive_int(x, what, "sampler_schedule")


def _blocks(N: int, block_length: Any, rule: str) -> list:
    if block_length is None:
        return [N]
    B = _positive_int(block_length, "block_length")
    if N % B:
        raise SymschedError(f"sampler_schedule({rule!r}): N = {N} is not a multiple of block_length = {B} "
                            f"({rule} requires whole blocks; choose block_length dividing N)")
    check_steps(N // B, "N / block_length", f"sampler_schedule({rule!r}): blocks")
    return [B] * (N // B)


def _steps_per_block(K: int, nblocks: int, rule: str) -> int:
    if K % nblocks:
        raise SymschedError(f"sampler_schedule({rule!r}): K = {K} steps cannot be split evenly over {nblocks} blocks "
                            f"(the sampler asserts steps % num_blocks == 0; use K a multiple of {nblocks})")
    return K // nblocks


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


def _torch_linspace32(start: float, end: float, n: int) -> np.ndarray:
    """``torch.linspace(start, end, n)`` in float32: torch itself when installed, else its CPU kernel's rule
    (``start + i*step`` on the first half, ``end - (n-1-i)*step`` on the second)."""
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        return torch.linspace(start, end, n, dtype=torch.float32).numpy()
    f = np.float32
    step = (f(end) - f(start)) / f(n - 1)
    out = np.empty(n, dtype=np.float32)
    half = n // 2
    for i in range(n):
        out[i] = f(start) + step * f(i) if i < half else f(end) - step * f(n - 1 - i)
    return out


def _as_fraction(x: Any, what: str) -> Fraction:
    v = _exact_number(x, f"sampler_schedule: {what}")
    try:
        return Fraction(v)
    except (TypeError, ValueError):
        raise SymschedError(f"sampler_schedule: {what} must be a number, got {x!r}") from None


def dream_counts(B: int, steps: int, eps: Any = Fraction(1, 1000), arithmetic: str = "exact") -> list:
    """Dream's counts (confidence algorithms) for ``B`` masked tokens in ``steps`` steps.

    ``int(M (1 - t_{i+1}/t_i))`` on ``t = linspace(1, eps, steps + 1)``, the last step takes the rest.

    >>> dream_counts(10, 4)
    [2, 2, 2, 4]
    >>> dream_counts(4, 4)      # steps = length: the first step reveals nothing
    [0, 1, 1, 2]
    """
    B = nonnegative_int(B, "B", "dream_counts")
    steps = check_steps(steps, "steps", "dream_counts")
    finite_real(eps, "eps", "dream_counts")
    e = _as_fraction(eps, "eps")
    if not 0 < e < 1:
        raise SymschedError(f"sampler_schedule('dream'): eps must be in (0, 1), got eps = {eps!r}")
    M, out = int(B), []
    if arithmetic == "exact":
        t = [1 - (1 - e) * Fraction(i, steps) for i in range(steps + 1)]
        for i in range(steps):
            k = M if i == steps - 1 else math.floor(M * (1 - t[i + 1] / t[i]))
            out.append(k)
            M -= k
    elif arithmetic == "float32":
        t = _torch_linspace32(1.0, float(e), steps + 1)
        for i in range(steps):
            if i == steps - 1:
                k = M
            else:
                # num_mask_token is a float32 tensor; 1 - s/t in float32; int() truncates (counts are >= 0)
                k = int(np.float32(M) * (np.float32(1) - t[i + 1] / t[i]))
            out.append(k)
            M -= k
    else:
        raise SymschedError(f"sampler_schedule: arithmetic must be 'exact' or 'float32', got {arithmetic!r}")
    return out


def _dllm_alpha(alpha: str):
    if not isinstance(alpha, str):
        alpha = repr(alpha)[:60]  # refused below, naming alpha
    if alpha == "linear":
        return (lambda t: 1 - t), True
    if alpha == "cosine":
        return (lambda t: 1 - math.cos(math.pi / 2 * (1 - float(t)))), False
    raise SymschedError(f"sampler_schedule('dllm'): alpha must be 'linear' or 'cosine', got {alpha!r}")


def dllm_counts(B: int, steps: int, alpha: str = "linear", arithmetic: str = "exact", drop_empty: bool = True) -> list:
    """The dllm library's counts for ``B`` masked tokens in ``steps`` steps (empty steps dropped by default).

    >>> dllm_counts(10, 4)          # 2.5 -> 2, 8/3 -> 3, 2.5 -> 2, 3
    [2, 3, 2, 3]
    >>> dllm_counts(3, 6)           # the zeros it makes are compacted away
    [1, 1, 1]
    """
    B = nonnegative_int(B, "B", "dllm_counts")
    steps = check_steps(steps, "steps", "dllm_counts")
    a, rational = _dllm_alpha(alpha)
    M, out = B, []
    for j in range(steps):
        if M == 0:
            out.append(0)  # the library stops; the slot stays empty and is compacted away below
            continue
        if arithmetic == "exact":
            t, s = Fraction(steps - j, steps), Fraction(steps - 1 - j, steps)
            if rational:
                p = 1 - (1 - a(s)) / (1 - a(t))
                x = M * p
                k = round(x)  # Fraction rounds half to even, as torch.round
            else:
                with mpmath.workdps(40):
                    x = M * (1 - (1 - (1 - mpmath.cos(mpmath.pi / 2 * (1 - mpmath.mpf(s.numerator) / s.denominator))))
                             / (1 - (1 - mpmath.cos(mpmath.pi / 2 * (1 - mpmath.mpf(t.numerator) / t.denominator)))))
                    k = int(mpmath.nint(x))  # mpmath.nint rounds half to even
        elif arithmetic == "float32":
            s32, t32 = np.float32((steps - 1 - j) / steps), np.float32((steps - j) / steps)
            if rational:
                r = (np.float32(1) - (np.float32(1) - s32)) / (np.float32(1) - (np.float32(1) - t32))
            else:
                half_pi = np.float32(math.pi / 2)
                r = (np.float32(1) - (np.float32(1) - np.cos(half_pi * (np.float32(1) - s32)))) / \
                    (np.float32(1) - (np.float32(1) - np.cos(half_pi * (np.float32(1) - t32))))
            x = float(M) * (1.0 - float(r))  # .item() to a Python float, then float64 times the count
            k = int(np.round(x))  # numpy rounds half to even, as torch.round
        else:
            raise SymschedError(f"sampler_schedule: arithmetic must be 'exact' or 'float32', got {arithmetic!r}")
        k = min(max(k, 0), M)
        out.append(k)
        M -= k
    if M:
        raise SymschedError(f"sampler_schedule('dllm'): {M} tokens left masked after {steps} steps (alpha = {alpha!r})")
    return [k for k in out if k] if drop_empty else out


def dus_blocks(B: int, offset: int = 0) -> list:
    """DUS's dilated positions in a block of ``B = 2^m`` tokens: ``m`` groups of sizes ``2, 2, 4, ..., B/2``.

    Group 1 is ``{0, B/2}``; group ``r >= 2`` holds the odd multiples of ``B / 2^r``, so every step
    reveals tokens as far apart as possible from each other (stride ``B / 2^{r-1}``).

    >>> dus_blocks(8)
    [(0, 4), (2, 6), (1, 3, 5, 7)]
    """
    B = check_steps(B, "B", "dus_blocks")
    offset = nonnegative_int(offset, "offset", "dus_blocks")
    if B < 2 or B & (B - 1):
        raise SymschedError(f"dus: block_length must be a power of two >= 2, got {B}")
    m = B.bit_length() - 1
    groups = [(offset, offset + B // 2)]
    for r in range(2, m + 1):
        step = B >> r
        groups.append(tuple(offset + step * odd for odd in range(1, 2 ** r, 2)))
    return groups


def sampler_schedule(rule: str, N: int, K: int | None = None, **options: Any) -> SamplerSchedule:
    """The per-step counts a sampler uses for ``N`` tokens in ``K`` steps (empty steps kept where it makes them).

    Parameters
    ----------
    rule : {"llada", "dream", "dllm", "first-hitting", "dus"}
        See the module docstring for each rule and its source.
    N : int
        Tokens to generate.
    K : int, optional
        Steps (``"first-hitting"``: ``N``; ``"dus"``: ``(N/B) log2 B``, the only value it accepts).
    **options
        ``block_length`` (llada, dllm, dus; default: one block), ``eps`` (dream, default ``1e-3``),
        ``alpha`` (dllm: ``"linear"`` or ``"cosine"``), ``arithmetic`` (dream, dllm: ``"exact"`` or
        ``"float32"``), ``drop_empty`` (dllm default True as the library; False keeps its empty slots).

    Returns
    -------
    SamplerSchedule
        A :class:`Schedule` whose ``.sizes`` keep the rule's empty steps, with ``.model_calls``,
        ``.nonempty_steps``, ``.block_sizes`` and ``.without_empty_steps()``.

    Examples
    --------
    >>> import symsched as ss
    >>> [ss.sampler_schedule(r, 10, 4).sizes for r in ("llada", "dream", "dllm")]
    [(3, 3, 2, 2), (2, 2, 2, 4), (2, 3, 2, 3)]
    >>> s = ss.sampler_schedule("dream", 4, 4)
    >>> s.sizes, s.model_calls, s.nonempty_steps
    ((0, 1, 1, 2), 4, 3)
    >>> ss.sampler_schedule("llada", 8, 6, block_length=4).block_sizes
    ((2, 1, 1), (2, 1, 1))
    """
    if not isinstance(rule, str) or rule not in SAMPLER_RULES:
        raise SymschedError(f"sampler_schedule: rule must be one of {SAMPLER_RULES}, got {rule!r:.60} "
                            "(time grids of 'mdlm', 'sedd', 'dream-origin' are in sampler_grid)")
    N = _positive_int(N, "N")
    allowed = {"llada": {"block_length"}, "dream": {"eps", "arithmetic"},
               "dllm": {"block_length", "alpha", "arithmetic", "drop_empty"},
               "first-hitting": {"block_length"}, "dus": {"block_length"}}[rule]
    unknown = set(options) - allowed
    if unknown:
        raise SymschedError(f"sampler_schedule({rule!r}): unknown option(s) {sorted(unknown)}; "
                            f"it takes {sorted(allowed)}")
    block_length = options.get("block_length")
    if rule == "first-hitting":
        check_steps(N, "N", "sampler_schedule('first-hitting') (one step per token)")
        if K is not None and _positive_int(K, "K") != N:
            raise SymschedError(f"sampler_schedule('first-hitting'): one token per step needs K = N = {N}, got K = {K}")
        blocks = _blocks(N, block_length, rule)
        return SamplerSchedule([[1] * B for B in blocks], rule, block_length, {})
    if rule == "dus":
        B = N if block_length is None else _positive_int(block_length, "block_length")
        blocks = _blocks(N, B, rule)
        sizes = [[len(g) for g in dus_blocks(B)] for _ in blocks]
        implied = sum(len(s) for s in sizes)
        if K is not None and _positive_int(K, "K") != implied:
            raise SymschedError(f"sampler_schedule('dus'): blocks of {B} take log2({B}) = {len(sizes[0])} steps each, "
                                f"K = {implied} in all; got K = {K}")
        return SamplerSchedule(sizes, rule, block_length, {})
    if K is None:
        raise SymschedError(f"sampler_schedule({rule!r}): the number of steps K is required")
    K = check_steps(K, "K", "sampler_schedule")
    if rule == "dream":
        if block_length is not None:
            raise SymschedError("sampler_schedule('dream'): Dream has no block_length")
        eps = options.get("eps", Fraction(1, 1000))
        counts = dream_counts(N, K, eps, options.get("arithmetic", "exact"))
        return SamplerSchedule([counts], rule, None, {"eps": _as_fraction(eps, "eps"),
                                                      "arithmetic": options.get("arithmetic", "exact")})
    blocks = _blocks(N, block_length, rule)
    per = _steps_per_block(K, len(blocks), rule)
    if rule == "llada":
        return SamplerSchedule([llada_counts(B, per) for B in blocks], rule, block_length, {})
    alpha = options.get("alpha", "linear")
    arith = options.get("arithmetic", "exact")
    drop = bool(options.get("drop_empty", True))
    return SamplerSchedule([dllm_counts(B, per, alpha, arith, drop) for B in blocks], rule, block_length,
                           {"alpha": alpha, "arithmetic": arith, "drop_empty": drop})
