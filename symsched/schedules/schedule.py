"""The unmasking schedule: how many tokens are revealed at each of K steps."""

from __future__ import annotations

from typing import Any
from collections.abc import Iterable, Sequence

import numpy as np
import sympy as sp

from ..errors import SymschedError
from ..printing import Table
from ..results import ItemsView, Result
from ..validation import as_list

__all__ = ["Schedule", "as_schedule", "repair_breakpoints"]


class Schedule(Result, ItemsView, Sequence[int]):
    """Sizes ``k_1..k_K`` of the unmasking steps, summing to ``N``.

    Parameters
    ----------
    sizes : sequence of int
        Positive integers (non-negative with ``allow_zero=True``: the schedules of Chen, Cong & Li
        can contain empty steps, which still count as steps).
    N : int, optional
        If given, the sizes must sum to it.
    allow_zero : bool
        Accept zero sizes.
    name : str, optional
        A label used in printing (e.g. ``"constant"``, ``"optimal"``).

    Examples
    --------
    >>> import symsched as ss
    >>> s = ss.Schedule([2, 3])
    >>> s.N, s.K, s.breakpoints
    (5, 2, (0, 2, 5))
    >>> s.latex()
    '(2, 3)'
    """

    __slots__ = ("_sizes", "_allow_zero", "name")
    _fields = ("sizes", "N", "K", "name")  # the result protocol (symsched.results); no headline number

    def __init__(self, sizes: Iterable[int], *, N: int | None = None, allow_zero: bool = False,
                 name: str | None = None):
        if isinstance(sizes, Schedule):
            allow_zero = allow_zero or sizes._allow_zero
            name = name or sizes.name
        raw = as_list(sizes, "sizes", "Schedule", expected="a sequence of integers")
        if not raw:
            raise SymschedError("Schedule sizes: at least one step is needed (got no sizes)")
        out = []
        for t, k in enumerate(raw):
            if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
                if isinstance(k, sp.Integer):  # an exact integer (refused before, wrongly)
                    k = int(k)
                elif isinstance(k, (float, np.floating)) and float(k).is_integer():
                    k = int(k)
                else:
                    raise SymschedError(f"Schedule sizes: k_{t + 1} = {k!r:.40} is not an integer")
            k = int(k)
            if k < 0 or (k == 0 and not allow_zero):
                raise SymschedError(f"Schedule sizes: k_{t + 1} = {k} must be "
                                    f"{'non-negative' if allow_zero else 'positive'}")
            out.append(k)
        if sum(out) == 0:
            raise SymschedError("Schedule sizes: they sum to 0; at least one token must be revealed")
        if N is not None and sum(out) != N:
            raise SymschedError(f"Schedule: sizes {out if len(out) <= 20 else '...'} sum to {sum(out)}, not N = {N}")
        self._sizes = tuple(out)
        self._allow_zero = allow_zero
        self.name = name
        self._freeze()

    @classmethod
    def from_breakpoints(cls, breakpoints: Sequence[int], allow_zero: bool = False,
                         name: str | None = None) -> Schedule:
        """Build from partial sums ``0 = s_0 <= s_1 <= ... <= s_K = N``."""
        s = [int(x) for x in breakpoints]
        if len(s) < 2 or s[0] != 0:
            raise SymschedError(f"Schedule.from_breakpoints: expected 0 = s_0 < ... < s_K = N, got {s}")
        return cls([b - a for a, b in zip(s, s[1:])], allow_zero=allow_zero, name=name)

    _items = "_sizes"  # the sequence protocol (results.ItemsView)

    def __eq__(self, other) -> bool:
        if isinstance(other, Schedule):
            return self._sizes == other._sizes
        if isinstance(other, (tuple, list)):
            return self._sizes == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._sizes)

    # -- derived quantities -------------------------------------------------------------------
    @property
    def sizes(self) -> tuple:
        return self._sizes

    @property
    def N(self) -> int:
        return sum(self._sizes)

    @property
    def K(self) -> int:
        """Number of steps (empty steps included)."""
        return len(self._sizes)

    @property
    def breakpoints(self) -> tuple:
        """Partial sums ``s_0 = 0, s_1, ..., s_K = N``."""
        return (0, *np.cumsum(self._sizes).tolist())

    @property
    def starts(self) -> tuple:
        """``s_{t-1}`` for ``t = 1..K``: revealed tokens before each step."""
        return self.breakpoints[:-1]

    @property
    def has_empty_steps(self) -> bool:
        return 0 in self._sizes

    @property
    def model_calls(self) -> int:
        """Steps the sampler runs, empty ones included (each is a forward pass)."""
        return len(self._sizes)

    @property
    def nonempty_steps(self) -> int:
        """Steps that reveal at least one token."""
        return sum(1 for k in self._sizes if k)

    def without_empty_steps(self) -> Schedule:
        """The same schedule with zero-size steps dropped (same law, fewer counted steps)."""
        return Schedule([k for k in self._sizes if k], name=self.name)

    def reversed(self) -> Schedule:
        return Schedule(self._sizes[::-1], allow_zero=self._allow_zero, name=self.name)

    # -- display ------------------------------------------------------------------------------
    def _table(self) -> Table:
        """One row per step ``t``: its size ``k_t`` and the tokens revealed after it, ``s_t``."""
        rows = [(t + 1, k, s) for t, (k, s) in enumerate(zip(self._sizes, self.breakpoints[1:]))]
        name = f" {self.name}" if self.name else ""
        return Table(("t", "k_t", "s_t"), rows, title=f"Schedule{name}: N = {self.N}, K = {self.K}",
                     latex_columns=("t", "k_t", "s_t"))

    def latex(self) -> str:
        """LaTeX tuple of the sizes (runs of equal sizes collapsed as ``k^{\\times r}`` when long)."""
        if self.K <= 12:
            return "(" + ", ".join(map(str, self._sizes)) + ")"
        runs, prev, count = [], None, 0
        for k in self._sizes + (None,):
            if k == prev:
                count += 1
                continue
            if prev is not None:
                runs.append(str(prev) if count == 1 else f"{prev}^{{\\times {count}}}")
            prev, count = k, 1
        return "(" + ", ".join(runs) + ")"

    def _repr_latex_(self) -> str:
        label = rf"\text{{{self.name}}}\ " if self.name else ""
        return rf"${label}{self.latex()},\ K={self.K},\ N={self.N}$"

    def __repr__(self) -> str:
        shown = ", ".join(map(str, self._sizes)) if self.K <= 20 else \
            ", ".join(map(str, self._sizes[:10])) + ", ..., " + ", ".join(map(str, self._sizes[-3:]))
        label = f", name={self.name!r}" if self.name else ""
        return f"Schedule([{shown}]{label})  # K={self.K}, N={self.N}"

    __str__ = __repr__

def as_schedule(schedule: Any, N: int | None = None, allow_zero: bool = True) -> Schedule:
    """Coerce "a schedule" into a :class:`Schedule` (the twin of :func:`~symsched.info.profile.as_profile`).

    Accepts a :class:`Schedule`, a result holding one (an ``OptimalSchedule``: its ``.schedule``), an
    object with integer ``.sizes``, or a sequence / array of sizes. Every function that takes a
    schedule goes through here.

    Parameters
    ----------
    schedule : Schedule, OptimalSchedule, sequence of int
    N : int, optional
        Required total (the profile's or model's ``N``); a mismatch raises naming both.
    allow_zero : bool
        Accept empty steps (default True: they reveal nothing and cost nothing).

    Raises
    ------
    ValueError
        For anything that is not a sequence of non-negative integer sizes, or a total other than ``N``.

    Examples
    --------
    >>> import symsched as ss
    >>> ss.as_schedule([2, 0, 1], N=3)
    Schedule([2, 0, 1])  # K=3, N=3
    >>> ss.as_schedule(ss.optimal_schedule([0.7, 0.4, 0.1], 2)).sizes
    (2, 1)
    """
    if not isinstance(schedule, Schedule):
        inner = getattr(schedule, "schedule", None)
        if isinstance(inner, Schedule):
            schedule = inner
        elif getattr(schedule, "size_law", None) is not None or type(schedule).__name__ == "RandomizedSchedule":
            raise SymschedError("schedule: a RandomizedSchedule is a law over schedules, not one schedule; use its "
                                "expected_kl(profile) or sample() a schedule from it")
        elif isinstance(schedule, (str, bytes)) or not hasattr(schedule, "__len__"):
            sizes = getattr(schedule, "sizes", None)
            if sizes is None:
                raise SymschedError(f"schedule: expected a Schedule or a sequence of sizes, got "
                                    f"{type(schedule).__name__}")
            schedule = Schedule(sizes, allow_zero=allow_zero)
        else:
            schedule = Schedule(schedule, allow_zero=allow_zero)
    if not allow_zero and schedule.has_empty_steps:
        raise SymschedError(f"schedule {schedule.sizes[:20]} has empty steps; positive sizes are required here")
    if N is not None and schedule.N != N:
        raise SymschedError(f"schedule reveals N = {schedule.N} tokens but N = {N} is required (the profile or model "
                            "has that many variables); they must match")
    return schedule


def repair_breakpoints(raw: Sequence[int], N: int) -> tuple:
    """Make rounded breakpoints a valid schedule: ``0 = s_0 < s_1 < ... < s_K = N``.

    The one repair of rounded schedules (continuum quantizations, fractions, noise schedules).
    Deterministic: fix ``s_0 = 0`` and ``s_K = N``; clamp each inner ``s_t`` to ``[t, N − K + t]`` (the
    only values leaving room for the other steps); then a forward pass ``s_t = max(s_t, s_{t−1} + 1)``.
    Clamping keeps a non-decreasing sequence non-decreasing, and the forward pass cannot leave the
    clamp range (``s_{t−1} + 1 ≤ N − K + t``), so the result is strictly increasing and ends at ``N``.
    Values already valid are left unchanged; on non-decreasing input each breakpoint moves as little as
    needed (the same result as a forward ``max`` pass followed by a backward ``min`` pass).

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
