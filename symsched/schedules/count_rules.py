"""Count rules of the samplers in use: how many tokens each step reveals, as the library's own code does.

:func:`sampler_schedule` looks the rule up in the registry (:mod:`symsched.schedules.rules`, one module per
library, each naming the file and commit read) and returns a :class:`SamplerSchedule`: the sizes per step
as the library runs them (empty steps kept where it runs them), the blocks, and ``model_calls`` as the
library makes them. Defaults are the library's own, float32 arithmetic included;
``arithmetic="exact"`` (Dream, dllm) is the idealised rational variant. The rules:

``"llada"``       LLaDA ``generate.py``: whole blocks, ``B // K_b`` per step, the first ``B mod K_b`` one more.
``"fast-dllm"``   Fast-dLLM's copy of LLaDA: same counts; a block stops once unmasked (no trailing empty calls).
``"dream"``       Dream ``_sample`` (confidence algorithms): ``int(M (1 - s/t))`` in float32 on ``torch.linspace``.
``"dllm"``        dllm ``get_num_transfer_tokens``: ``round(M (1 - r))``, zeros compacted, ``ceil(N/B)`` blocks.
``"first-hitting"`` BD3-LM's first-hitting sampler: one token per step.
``"dus"``         DUS ``generate_scheduled``: dilated (or binary) levels of fixed positions in each block.

The docs page "Samplers as their libraries run them" has the table of sources, options and what is and
is not modelled.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..errors import SymschedError
from ..validation import check_steps, positive_int
from .rules import dllm_counts, dream_counts, dus_blocks, get_rule, llada_counts, sampler_rules
from .schedule import Schedule

__all__ = ["sampler_schedule", "SamplerSchedule", "SAMPLER_RULES", "dus_blocks", "llada_counts", "dream_counts",
           "dllm_counts"]

#: Names of the registered count rules (the registry is the authority: ``sampler_rules("counts")``).
SAMPLER_RULES = sampler_rules("counts")


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
        The rule's options as used (the library's defaults filled in).
    model_calls : int
        Denoiser calls as the library makes them (empty steps it runs included, steps it skips not).
    nonempty_steps : int
    positions : tuple or None
        Fixed positions of each step for deterministic rules (``"dus"``), else None. Such a rule is
        priced by ``partition_kl(model, s.positions)``: the identity of ``expected_kl`` assumes random
        positions and gives the KL of the same sizes in random order.
    """

    __slots__ = ("rule", "block_length", "block_sizes", "options", "_calls", "positions")

    def __init__(self, block_sizes, rule: str, *, block_length: int | None, options: dict,
                 model_calls: int | None = None,
                 positions=None):
        flat = [k for blk in block_sizes for k in blk]
        # Set before Schedule.__init__, which freezes the instance.
        self.rule, self.block_length = rule, block_length
        self.block_sizes = tuple(tuple(int(k) for k in blk) for blk in block_sizes)
        self.options = dict(options)
        self._calls = len(flat) if model_calls is None else int(model_calls)
        self.positions = None if positions is None else tuple(tuple(g) for g in positions)
        super().__init__(flat, allow_zero=True, name=rule)

    @property
    def model_calls(self) -> int:
        """Denoiser calls as the library makes them."""
        return self._calls

    def without_empty_steps(self) -> SamplerSchedule:
        """The same rule with its empty steps dropped (same law, fewer model calls)."""
        blocks = [[k for k in blk if k] for blk in self.block_sizes]
        return SamplerSchedule(blocks, self.rule, block_length=self.block_length,
                               options={**self.options, "drop_empty": True},
                               positions=self.positions)

    def to_dict(self) -> dict:
        return {"type": "SamplerSchedule", "rule": self.rule, "sizes": list(self.sizes), "N": self.N,
                "block_length": self.block_length, "block_sizes": [list(b) for b in self.block_sizes],
                "model_calls": self.model_calls, "nonempty_steps": self.nonempty_steps,
                "options": {k: (str(v) if isinstance(v, Fraction) else v) for k, v in self.options.items()}}

    def __repr__(self) -> str:
        base = super().__repr__()
        extra = f", block_length={self.block_length}" if self.block_length else ""
        return base.replace("Schedule([", "SamplerSchedule([", 1).replace(")  #", f"{extra})  #", 1)


def sampler_schedule(rule: str, N: int, K: int | None = None, **options: Any) -> SamplerSchedule:
    """The per-step counts a sampler's own code uses for ``N`` tokens in ``K`` steps.

    Parameters
    ----------
    rule : str
        A registered count rule: ``"llada"``, ``"fast-dllm"``, ``"dream"``, ``"dllm"``, ``"first-hitting"``,
        ``"dus"`` (``symsched.sampler_rules("counts")``; see the module docstring).
    N : int
        Tokens to generate.
    K : int, optional
        Steps (``"first-hitting"`` and ``"dus"`` fix it from ``N``; a given ``K`` must match).
    **options
        The rule's options; defaults are the library's (``get_rule(rule).options``): ``block_length``
        (llada, fast-dllm, dllm, first-hitting, dus), ``eps`` (dream, ``1e-3``), ``arithmetic`` (dream, dllm:
        ``"float32"`` or ``"exact"``), ``alpha`` (dllm: ``"linear"`` or ``"cosine"``), ``drop_empty`` (dllm),
        ``base``, ``base_skip``, ``scheduler`` (dus).

    Returns
    -------
    SamplerSchedule
        ``.sizes`` keep the empty steps the library runs; ``.model_calls``, ``.block_sizes``, ``.positions``.

    Examples
    --------
    >>> import symsched as ss
    >>> [ss.sampler_schedule(r, 10, 4).sizes for r in ("llada", "dream", "dllm")]
    [(3, 3, 2, 2), (2, 2, 2, 4), (2, 3, 2, 3)]
    >>> ss.sampler_schedule("dllm", 10, 3).sizes, ss.sampler_schedule("dllm", 10, 3, arithmetic="exact").sizes
    ((3, 3, 4), (3, 4, 3))
    >>> ss.sampler_schedule("dllm", 10, 4, block_length=4).sizes        # 3 blocks (4, 4, 2), 2 steps each
    (2, 2, 2, 2, 1, 1)
    >>> s = ss.sampler_schedule("dream", 4, 4)
    >>> s.sizes, s.model_calls, s.nonempty_steps
    ((0, 1, 1, 2), 4, 3)
    >>> ss.sampler_schedule("llada", 8, 6, block_length=4).block_sizes
    ((2, 1, 1), (2, 1, 1))
    >>> ss.sampler_schedule("dus", 10).sizes
    (2, 4, 4)
    """
    r = get_rule(rule, "counts", "sampler_schedule")
    N = positive_int(N, "N", "sampler_schedule")
    opts = r.resolve(options, "sampler_schedule")
    implied = r.implied_steps(N, opts)
    if implied is not None:
        if K is not None and positive_int(K, "K", "sampler_schedule") != implied:
            raise SymschedError(f"sampler_schedule({rule!r}): with N = {N} and these options the rule runs "
                                f"K = {implied} steps; got K = {K}")
        K = implied
    if K is None:
        raise SymschedError(f"sampler_schedule({rule!r}): the number of steps K is required")
    K = check_steps(K, "K", "sampler_schedule")
    blocks = r.block_sizes(N, K, opts)
    return SamplerSchedule(blocks, r.name, block_length=r.block_length(N, opts), options=opts,
                           model_calls=r.model_calls(blocks, opts),
                           positions=r.positions(N, opts))
