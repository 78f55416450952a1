"""The unmasking schedule: how many tokens are revealed at each of K steps."""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from ..errors import SymschedError
from ..results import Result

__all__ = ["Schedule"]


class Schedule(Result, Sequence[int]):
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

    def __init__(self, sizes: Iterable[int], N: int | None = None, allow_zero: bool = False,
                 name: str | None = None):
        if isinstance(sizes, Schedule):
            allow_zero = allow_zero or sizes._allow_zero
            name = name or sizes.name
        raw = list(np.asarray(sizes).ravel()) if isinstance(sizes, np.ndarray) else list(sizes)
        if not raw:
            raise SymschedError("Schedule: at least one step is needed (got no sizes)")
        out = []
        for t, k in enumerate(raw):
            if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
                if isinstance(k, (float, np.floating)) and float(k).is_integer():
                    k = int(k)
                else:
                    raise SymschedError(f"Schedule: size k_{t + 1} = {k!r} is not an integer")
            k = int(k)
            if k < 0 or (k == 0 and not allow_zero):
                raise SymschedError(f"Schedule: size k_{t + 1} = {k} must be "
                                    f"{'non-negative' if allow_zero else 'positive'}")
            out.append(k)
        if sum(out) == 0:
            raise SymschedError("Schedule: sizes sum to 0; at least one token must be revealed")
        if N is not None and sum(out) != N:
            raise SymschedError(f"Schedule: sizes {out if len(out) <= 20 else '...'} sum to {sum(out)}, not N = {N}")
        self._sizes = tuple(out)
        self._allow_zero = allow_zero
        self.name = name
        self._freeze()

    @classmethod
    def from_breakpoints(cls, breakpoints: Sequence[int], allow_zero: bool = False,
                         name: str | None = None) -> "Schedule":
        """Build from partial sums ``0 = s_0 <= s_1 <= ... <= s_K = N``."""
        s = [int(x) for x in breakpoints]
        if len(s) < 2 or s[0] != 0:
            raise SymschedError(f"Schedule.from_breakpoints: expected 0 = s_0 < ... < s_K = N, got {s}")
        return cls([b - a for a, b in zip(s, s[1:])], allow_zero=allow_zero, name=name)

    # -- sequence protocol --------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._sizes)

    def __getitem__(self, t):
        return self._sizes[t]

    def __iter__(self):
        return iter(self._sizes)

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

    def without_empty_steps(self) -> "Schedule":
        """The same schedule with zero-size steps dropped (same law, fewer counted steps)."""
        return Schedule([k for k in self._sizes if k], name=self.name)

    def reversed(self) -> "Schedule":
        return Schedule(self._sizes[::-1], allow_zero=self._allow_zero, name=self.name)

    # -- display ------------------------------------------------------------------------------
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
