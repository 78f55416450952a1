"""One definition per adaptive policy, looked up by name.

A :class:`Policy` says how a rule scores a masked position from its exact conditional, how many
positions it reveals at a step, and where it was read in a library's code.  The exact route
(:mod:`.exact`), the Monte Carlo route (:mod:`.montecarlo`) and the optimal-policy search all call the
same two vectorised functions, :meth:`Policy.scores` and :meth:`Policy.counts`, on a stack of
conditionals ``(rows, positions, states)``; nothing else in the package switches on a policy's name.

Conventions shared by every policy:

* scores are compared after rounding to :data:`SCORE_DECIMALS` decimals, so that two scores equal in
  exact arithmetic but computed along different floating-point paths count as tied;
* ``ties="lowest-index"`` keeps the smaller position among tied scores; ``ties="random"`` draws the
  kept ones uniformly among the tied (the law that does not depend on how positions are numbered);
* ``temperature=0`` scores a position by its arg-max token, ``temperature=1`` by the token sampled
  there (Dream's ``maskgit_plus`` and Fast-dLLM's rule at temperature > 0).  Tokens are drawn from the
  exact conditionals in both cases.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

import numpy as np

from ...values import to_float
from ...errors import SymschedError

__all__ = ["Policy", "register_policy", "get_policy", "policy_names", "SCORE_DECIMALS", "TIES",
           "top_counts", "choose_top", "tie_split"]

#: Scores (and thresholds, entropy budgets) are compared after rounding to this many decimals.
SCORE_DECIMALS = 10
TIES = ("lowest-index", "random")
_LN2 = math.log(2.0)


@dataclass(frozen=True)
class Policy:
    """An adaptive unmasking rule.

    Parameters
    ----------
    name : str
        The name :func:`~symsched.policy_kl` accepts.
    summary : str
        One line for the docs table.
    library : str
        The library function it stands for, with the file and commit read ("" when none).
    score : callable or None
        ``score(probs, positions) -> scores``: ``probs`` has shape ``(rows, M, states)`` (zero-padded
        states), ``positions`` the ``M`` masked positions; larger scores are revealed first.  ``None``
        for ``"random"`` (uniform sets).
    count : callable or None
        ``count(sorted_scores, param) -> k`` per row for rules that choose how many tokens to reveal
        (``sorted_scores`` descending, rounded); ``None`` for rules that take ``sizes``.
    parameter : str or None
        The keyword of ``count``'s parameter (``"threshold"``, ``"gamma"``).
    check : callable or None
        ``check(value) -> float``: validates the parameter (raises naming it).
    sampled_token_score : bool
        At ``temperature > 0`` the score of a position is the probability of the token sampled there
        (LLaDA's ``low_confidence``, Dream's ``maskgit_plus``, Fast-dLLM's threshold): the selection
        then sees the sampled values, so Wen–Liang–Lu's identity and the Monte Carlo route do not
        apply, and the exact route enumerates the candidates.
    default_temperature : {0, 1}
        The temperature used when the caller gives none (the library's default behaviour).
    temperatures : tuple
        The temperatures that are modelled (0: arg-max token's score; 1: sampled token's score).
    order_free : bool
        Selection independent of the conditionals (``"random"``).
    """

    name: str
    summary: str
    library: str = ""
    score: Callable | None = None
    count: Callable | None = None
    parameter: str | None = None
    check: Callable | None = None
    sampled_token_score: bool = False
    default_temperature: int = 0
    temperatures: tuple = (0, 1)
    order_free: bool = False
    chooser: Callable | None = None

    @property
    def sized(self) -> bool:
        return self.count is None

    def scores(self, probs: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Rounded scores ``(rows, M)``."""
        return np.round(self.score(probs, positions), SCORE_DECIMALS)

    def counts(self, scores: np.ndarray, param: Any) -> np.ndarray:
        """Tokens to reveal per row, for the rules that choose it (at least one, at most the number of
        selectable columns; ``-inf`` marks a column that may not be chosen)."""
        srt = -np.sort(-scores, axis=1)
        k = np.asarray(self.count(srt, param), dtype=np.int64)
        return np.clip(k, 1, np.isfinite(scores).sum(axis=1))


_REGISTRY: dict[str, Policy] = {}


def register_policy(policy: Policy, replace: bool = False) -> Policy:
    """Add a policy to the registry (``replace=True`` to redefine a name)."""
    if not isinstance(policy, Policy):
        raise SymschedError(f"register_policy: expected a Policy, got {type(policy).__name__}")
    if policy.name in _REGISTRY and not replace:
        raise SymschedError(f"register_policy: a policy named {policy.name!r} exists (pass replace=True)")
    if policy.chooser is None and (policy.score is None) != policy.order_free:
        raise SymschedError(f"register_policy: {policy.name!r} needs a score unless it is order-free")
    _REGISTRY[policy.name] = policy
    return policy


def policy_names() -> tuple:
    """The registered policy names, in registration order."""
    return tuple(_REGISTRY)


def get_policy(name: Any, where: str = "policy_kl") -> Policy:
    """The registered :class:`Policy` of a name (a :class:`Policy` is returned as is)."""
    if isinstance(name, Policy):
        return name
    if callable(name):
        return Policy("custom", "the caller's function of the revealed values", chooser=name, temperatures=(0,))
    if isinstance(name, str) and name in _REGISTRY:
        return _REGISTRY[name]
    raise SymschedError(f"{where}: policy must be one of {policy_names()} or a callable, got {name!r:.80}")


# -- selection, shared by every route -----------------------------------------------------------------
def top_counts(scores: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split each row at its ``k``-th largest score: (sure mask, tied mask, how many tied to keep)."""
    rows = np.arange(scores.shape[0])
    srt = -np.sort(-scores, axis=1)
    kth = srt[rows, k - 1][:, None]
    sure = scores > kth
    tied = scores == kth
    return sure, tied, k - sure.sum(axis=1)


def choose_top(scores: np.ndarray, k: np.ndarray, ties: str, rng: np.random.Generator | None = None
               ) -> np.ndarray:
    """Boolean ``(rows, M)``: the ``k`` best per row, ties by the smaller column or uniformly at random.

    ``scores`` are already rounded; ``-inf`` marks columns that may not be chosen.
    """
    k = np.asarray(k, dtype=np.int64)
    if np.all(k == 1) and ties == "lowest-index":
        # arg-max returns the first maximum: the smaller position among ties, without a sort
        out = np.zeros(scores.shape, dtype=bool)
        out[np.arange(scores.shape[0]), np.argmax(scores, axis=1)] = True
        return out
    sure, tied, r = top_counts(scores, k)
    if ties == "lowest-index":
        return sure | (tied & (np.cumsum(tied, axis=1) <= r[:, None]))
    u = np.where(tied, rng.random(scores.shape), 2.0)
    cut = np.sort(u, axis=1)[np.arange(scores.shape[0]), np.maximum(r, 1) - 1][:, None]
    return sure | (tied & (u <= cut) & (r[:, None] > 0))


def tie_split(scores: np.ndarray, k: np.ndarray):
    """For the exact route with ``ties="random"``: per row, the sure columns, the tied ones and how many
    of them are kept (each subset of that size equally likely)."""
    return top_counts(scores, np.asarray(k, dtype=np.int64))


# -- score helpers (float arrays, states on the last axis, zero padding allowed) ----------------------
def top1(probs: np.ndarray) -> np.ndarray:
    return probs.max(axis=-1)


def margin(probs: np.ndarray) -> np.ndarray:
    if probs.shape[-1] == 1:
        return probs[..., 0]
    part = -np.partition(-probs, 1, axis=-1)
    return part[..., 0] - part[..., 1]


def entropy_nats(probs: np.ndarray) -> np.ndarray:
    safe = np.where(probs > 0, probs, 1.0)
    return -(probs * np.log(safe)).sum(axis=-1)


def entropy_bits(probs: np.ndarray) -> np.ndarray:
    return entropy_nats(probs) / _LN2


def check_probability(value: Any, name: str) -> float:
    v = to_float(value, name)
    if not (math.isfinite(v) and 0 <= v <= 1):
        raise SymschedError(f"policy_kl: {name} must lie in [0, 1], got {value!r}")
    return v


def check_nonnegative(value: Any, name: str) -> float:
    v = to_float(value, name)
    if not (math.isfinite(v) and v >= 0):
        raise SymschedError(f"policy_kl: {name} must be a finite number >= 0, got {value!r}")
    return v
