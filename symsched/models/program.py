"""Models written as programs: the exact joint of a generative Python function.

A *program* is a plain Python function whose only randomness is :func:`flip` and :func:`categorical`
and which returns its tokens (a list or tuple of ints or bools).  :func:`program` enumerates its
execution paths depth-first: it runs the function again and again with the sequence of choices forced
(the first run takes the first alternative everywhere; each later run changes the last choice that has
an untried alternative and takes the first alternative after it), multiplies the probabilities of the
choices along each path and adds them up per returned token tuple.  The probabilities may be numbers,
``Fraction`` or sympy expressions: exact ones stay exact, symbols stay symbolic.

The function must be deterministic given its choices (the enumeration checks that every re-run makes the
same choices with the same probabilities up to the forced point) and must not keep state between runs.
Alternatives whose probability is exactly zero are skipped.
"""

from __future__ import annotations

import math
import threading
from fractions import Fraction
from typing import Any
from collections.abc import Callable, Hashable, Sequence

import numpy as np
import sympy as sp

from ..errors import InvalidModelError, ModelTooLargeError, SymschedError
from .base import check_enumerable
from .table import JointDistribution

__all__ = ["flip", "categorical", "program", "ProgramModel", "DEFAULT_MAX_PATHS", "DEFAULT_MAX_CHOICES"]

#: Budget on the execution paths one program may have.
DEFAULT_MAX_PATHS = 10 ** 5
#: Budget on the random choices along one path (catches unbounded loops).
DEFAULT_MAX_CHOICES = 10 ** 4
#: Budget on the random choices of all paths together: the enumeration re-runs the program once per
#: path, so a loop that ends by chance (flip until heads) costs 1 + 2 + ... + n choices for n paths.
DEFAULT_MAX_WORK = 2 * 10 ** 6

_state = threading.local()


class _Trace:
    """The forced prefix of choices and what this run chose (index, alternatives' probabilities)."""

    def __init__(self, prefix: list, forced_probs: list, max_choices: int, last: bool = False):
        self.prefix, self.forced_probs, self.max_choices = prefix, forced_probs, max_choices
        self.last = last  # past the prefix: the last alternative instead of the first (the probe)
        self.choices: list[int] = []
        self.options: list[tuple] = []

    def choose(self, probs: tuple, what: str) -> int:
        k = len(self.choices)
        if k >= self.max_choices:
            raise ModelTooLargeError(f"program: a path makes more than {self.max_choices} random choices",
                                     k + 1, self.max_choices, "bound the program's loops or raise max_choices")
        if k < len(self.prefix):
            if len(probs) != len(self.forced_probs[k]) or any(
                    not _same(a, b) for a, b in zip(probs, self.forced_probs[k])):
                raise SymschedError(f"program: choice {k} ({what}) differs between runs with the same earlier "
                                    "choices; the function must be deterministic given its choices and keep no "
                                    "state between runs")
            c = self.prefix[k]
        else:
            c = _last_alternative(probs) if self.last else _next_alternative(probs, -1)
            if c is None:
                raise InvalidModelError(f"program: {what} has no alternative of non-zero probability")
        self.choices.append(c)
        self.options.append(probs)
        return c


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        return bool(a == b)
    except TypeError:  # pragma: no cover - exotic objects
        return False


def _is_zero(p: Any) -> bool:
    """Exactly zero (a symbolic probability is never skipped)."""
    if isinstance(p, sp.Basic):
        return p.is_zero is True
    return p == 0


def _next_alternative(probs: tuple, after: int) -> int | None:
    for c in range(after + 1, len(probs)):
        if not _is_zero(probs[c]):
            return c
    return None


def _last_alternative(probs: tuple) -> int | None:
    for c in range(len(probs) - 1, -1, -1):
        if not _is_zero(probs[c]):
            return c
    return None


def _probe_unbounded(fn: Callable, args: tuple, kwargs: dict, depth: int) -> tuple | None:
    """Run ``fn`` once taking the last alternative at every choice; refuse if that path never ends.

    The enumeration takes the first alternative first, so an unbounded path along the first ones is met at
    once; one along the last ones (``while flip(): ...``) would be met only after ``max_choices`` paths of
    growing length, i.e. about ``max_choices**2 / 2`` choices (hours).  This probe finds it in
    ``max_choices`` choices.  Returns the alternatives of the probe's first choice (every run must offer the
    same ones: checked against the enumeration's first run).
    """
    trace = _state.trace = _Trace([], [], depth, last=True)
    try:
        fn(*args, **kwargs)
    except ModelTooLargeError as exc:
        name = getattr(fn, "__name__", fn)
        raise ModelTooLargeError(f"program {name!r}: taking the last alternative at every choice, a path makes "
                                 f"more than {depth} random choices: the program has unbounded paths (a loop that "
                                 "ends only by chance, e.g. flip until heads), whose enumeration would not end",
                                 exc.estimate, exc.budget,
                                 "bound the loop (e.g. `for _ in range(n)` with a fixed n), or raise max_choices if "
                                 "the paths are long but finite") from None
    except Exception:  # any other failure of this path is met (and reported) by the enumeration
        pass
    finally:
        _state.trace = None
    return trace.options[0] if trace.options else None


def _current(what: str) -> _Trace:
    trace = getattr(_state, "trace", None)
    if trace is None:
        raise SymschedError(f"{what} is a random choice of a program: call it inside a function passed to "
                            "ss.program(fn, *args)")
    return trace


def _check_probability(p: Any, what: str) -> Any:
    if isinstance(p, (bool, np.bool_)) or isinstance(p, str):
        raise InvalidModelError(f"{what}: expected a probability (number, Fraction or sympy expression), got {p!r}")
    if isinstance(p, sp.Basic):
        if p.free_symbols:
            return p
        value = float(p)
    elif isinstance(p, (int, float, Fraction, np.integer, np.floating)):
        value = float(p)
        if isinstance(p, (np.integer, np.floating)):
            p = p.item()
    else:
        raise InvalidModelError(f"{what}: expected a probability (number, Fraction or sympy expression), got {p!r}")
    if not (math.isfinite(value) and 0 <= value <= 1):
        raise InvalidModelError(f"{what}: probability {p!r} is not in [0, 1]")
    return p


def _complement(p: Any) -> Any:
    if isinstance(p, sp.Basic):
        return 1 - p
    if isinstance(p, (int, Fraction)):
        return 1 - Fraction(p)
    return 1.0 - p


def flip(p: Any = Fraction(1, 2)) -> bool:
    """A random choice inside a program: True with probability ``p`` (default 1/2).

    ``p`` may be a float, a ``Fraction`` or a sympy expression.  Outside :func:`program` it raises
    ``ValueError``.

    Examples
    --------
    >>> from fractions import Fraction
    >>> import symsched as ss
    >>> ss.program(lambda: [ss.flip(Fraction(1, 4))]).joint("symbolic").tolist()
    [3/4, 1/4]
    """
    p = _check_probability(p, "flip(p)")
    return bool(_current("flip(p)").choose((_complement(p), p), f"flip({p})"))


def categorical(probs: Sequence[Any]) -> int:
    """A random choice inside a program: index ``k`` with probability ``probs[k]``.

    The probabilities must sum to one exactly (floats: within 1e-9; sympy: provably), nothing is
    renormalised.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> import symsched as ss
    >>> def two_dice():
    ...     a = ss.categorical([F(1, 3)] * 3)
    ...     return [a, (a + ss.categorical([F(1, 2), F(1, 2)])) % 3]
    >>> ss.program(two_dice).joint("symbolic")[0].tolist()
    [1/6, 1/6, 0]
    """
    if isinstance(probs, (str, bytes)) or not hasattr(probs, "__len__") or len(probs) < 1:
        raise InvalidModelError(f"categorical(probs): expected a non-empty sequence of probabilities, got {probs!r}")
    values = tuple(_check_probability(p, f"categorical(probs)[{k}]") for k, p in enumerate(probs))
    if any(isinstance(v, sp.Basic) for v in values):
        total = sp.simplify(sum(sp.sympify(v) for v in values) - 1)
        ok = total == 0
    elif all(isinstance(v, (int, Fraction)) for v in values):
        ok = sum(Fraction(v) for v in values) == 1
    else:
        ok = abs(math.fsum(float(v) for v in values) - 1) <= 1e-9
    if not ok:
        raise InvalidModelError(f"categorical(probs): the probabilities {list(values)} do not sum to 1 "
                                "(nothing is renormalised)")
    return _current("categorical(probs)").choose(values, f"categorical({list(values)})")


def _path_probability(options: list, choices: list) -> Any:
    prob: Any = 1
    for probs, c in zip(options, choices):
        p = probs[c]
        if isinstance(prob, sp.Basic) or isinstance(p, sp.Basic):
            prob = sp.sympify(prob) * sp.sympify(p)
        elif isinstance(p, float) or isinstance(prob, float):
            prob = float(prob) * float(p)
        else:
            prob = Fraction(prob) * Fraction(p)
    return prob


def _tokens(value: Any, path: int) -> tuple:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (list, tuple)) or not value:
        raise InvalidModelError(f"program: path {path} returned {value!r}; expected a non-empty list or tuple of "
                                "ints or bools (the tokens)")
    out = []
    for k, v in enumerate(value):
        if isinstance(v, (bool, np.bool_)):
            out.append(int(v))
        elif isinstance(v, (int, np.integer)) and v >= 0:
            out.append(int(v))
        else:
            raise InvalidModelError(f"program: path {path} returned {v!r} as token {k}; tokens are ints >= 0 or bools")
    return tuple(out)


class ProgramModel(JointDistribution):
    """The exact joint of a program (see :func:`program`): a :class:`JointDistribution` that also records
    the function and the number of execution paths enumerated (``.paths``)."""

    def __init__(self, table: Any, names: Sequence[Hashable] | None = None, fn: Callable | None = None,
                 paths: int = 0):
        super().__init__(table, names)
        self.fn, self.paths = fn, int(paths)

    def __repr__(self) -> str:
        name = getattr(self.fn, "__name__", "program")
        return f"ProgramModel({name}, N={self.N}, cardinalities={self.cardinalities}, paths={self.paths})"


def program(fn: Callable, *args: Any, max_paths: int | None = None, max_choices: int | None = None,
            cardinalities: Sequence[int] | None = None, names: Sequence[Hashable] | None = None,
            max_work: int | None = None, **kwargs: Any) -> ProgramModel:
    """The exact joint distribution of a generative program, by enumerating its execution paths.

    Parameters
    ----------
    fn : callable
        ``fn(*args, **kwargs)`` makes random choices only with :func:`flip` and :func:`categorical`
        and returns the tokens: a list or tuple of ints (``>= 0``) or bools, of the same length on every path.
    *args, **kwargs :
        Passed to ``fn`` (e.g. sympy symbols: the joint then depends on them).
    max_paths : int, optional
        Budget on execution paths (default 10^5); counted as they are enumerated, over it
        ``ModelTooLargeError``.
    max_choices : int, optional
        Budget on the random choices of one path (default 10^4).  Before the enumeration, one run taking
        the last alternative at every choice looks for an unbounded path (``while flip(): ...``) and
        refuses the program at once if it finds one.
    max_work : int, optional
        Budget on the random choices of all paths together (default 2 x 10^6).
    cardinalities : sequence of int, optional
        State counts per token (default: the largest value returned, plus one).
    names : sequence, optional
        Variable names (default ``X1..XN``).

    Returns
    -------
    ProgramModel
        A :class:`JointDistribution` (exact entries stay exact, symbols stay symbolic) usable by every
        profile, schedule and sampler routine.

    Examples
    --------
    >>> import sympy as sp, symsched as ss
    >>> eps = sp.Symbol("eps", positive=True)
    >>> def noisy_copies(eps):
    ...     b = ss.flip(sp.Rational(1, 2))
    ...     return [b ^ ss.flip(eps) for _ in range(3)]
    >>> m = ss.program(noisy_copies, eps)
    >>> m.paths, m.cardinalities
    (16, (2, 2, 2))
    >>> sp.factor(m.joint("symbolic")[0, 0, 1])
    -eps*(eps - 1)/2
    """
    if not callable(fn):
        raise SymschedError(f"program: fn must be callable, got {type(fn).__name__}")
    budget = DEFAULT_MAX_PATHS if max_paths is None else int(max_paths)
    depth = DEFAULT_MAX_CHOICES if max_choices is None else int(max_choices)
    work_budget = DEFAULT_MAX_WORK if max_work is None else int(max_work)
    if getattr(_state, "trace", None) is not None:
        raise SymschedError("program: programs cannot be nested (fn called ss.program)")
    first = _probe_unbounded(fn, args, kwargs, depth)
    work = 0
    joint: dict[tuple, Any] = {}
    prefix: list[int] = []
    forced: list[tuple] = []
    paths = 0
    length = None
    while True:
        paths += 1
        if paths > budget:
            raise ModelTooLargeError(f"program {getattr(fn, '__name__', fn)!r}: more than {budget} execution paths",
                                     paths, budget, "raise max_paths, or write the program with fewer choices")
        trace = _Trace(prefix, forced, depth)
        _state.trace = trace
        try:
            value = fn(*args, **kwargs)
        finally:
            _state.trace = None
        if paths == 1 and first is not None and trace.options and (
                len(first) != len(trace.options[0]) or any(not _same(a, b) for a, b in zip(first, trace.options[0]))):
            raise SymschedError("program: choice 0 differs between runs; the function must be deterministic given "
                                "its choices and keep no state between runs")
        work += len(trace.choices)
        if work > work_budget:
            raise ModelTooLargeError(f"program {getattr(fn, '__name__', fn)!r}: {paths} execution paths enumerated "
                                     f"with {work} random choices in all, and not done", work, work_budget,
                                     "bound the program's loops (paths that keep growing mean a loop that ends only "
                                     "by chance), or raise max_work")
        tokens = _tokens(value, paths - 1)
        if length is None:
            length = len(tokens)
        elif len(tokens) != length:
            raise InvalidModelError(f"program: path {paths - 1} returned {len(tokens)} tokens, earlier paths "
                                    f"returned {length}; every path must return the same number")
        prob = _path_probability(trace.options, trace.choices)
        joint[tokens] = prob if tokens not in joint else _add(joint[tokens], prob)
        # backtrack: the last choice with an untried alternative of non-zero probability
        k = len(trace.choices) - 1
        while k >= 0 and _next_alternative(trace.options[k], trace.choices[k]) is None:
            k -= 1
        if k < 0:
            break
        prefix = trace.choices[:k] + [_next_alternative(trace.options[k], trace.choices[k])]
        forced = trace.options[: k + 1]
    seen = tuple(max(t[i] for t in joint) + 1 for i in range(length))
    if cardinalities is None:
        cards = seen
    else:
        cards = tuple(int(c) for c in cardinalities)
        if len(cards) != length or any(c < s for c, s in zip(cards, seen)):
            raise InvalidModelError(f"program: cardinalities {cards} do not hold the returned tokens "
                                    f"(needed at least {seen})")
    check_enumerable(math.prod(cards), f"the joint table of program {getattr(fn, '__name__', fn)!r}")
    exact = any(isinstance(v, sp.Basic) for v in joint.values()) or not any(
        isinstance(v, float) for v in joint.values())
    table = np.zeros(cards, dtype=object if exact else float)
    if exact:
        table[...] = 0
    for tokens, prob in joint.items():
        table[tokens] = sp.expand(prob) if isinstance(prob, sp.Basic) else prob
    return ProgramModel(table, names, fn, paths)


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, sp.Basic) or isinstance(b, sp.Basic):
        return sp.sympify(a) + sp.sympify(b)
    if isinstance(a, float) or isinstance(b, float):
        return float(a) + float(b)
    return Fraction(a) + Fraction(b)
