"""The best adaptive policy: the exact minimum of ``E Σ_t TC(X_{A_t} | x_{R_t})`` by dynamic programming.

Among deterministic adaptive policies (the next set a function of the revealed values, tokens drawn
independently from their exact conditionals) the path KL is ``E Σ_t TC(X_{A_t} | x_{R_t})`` (Wen–Liang–Lu),
so the best one solves

    V(R, x_R) = min_A [ TC(X_A | x_R) + E_{x_A | x_R} V(R ∪ A, x_{R ∪ A}) ],   V(all revealed) = 0,

over the sets ``A`` of the step's size (``sizes=``), or over every non-empty ``A`` with at most ``K`` steps
(``K=``: the remaining steps join the state, and step sizes may depend on the revealed values).  The
minimum is taken separately for every configuration ``x_R``: that is what makes the policy adaptive.  It
is the ceiling for any planner (learned or not) that picks positions from the revealed values.
"""

from __future__ import annotations

import math
from itertools import combinations
from typing import Any

import numpy as np

from ...errors import ModelTooLargeError, SymschedError
from ...models.table import as_model
from ...results import Result
from ..conditionals import as_sizes, joint_of

__all__ = ["optimal_policy", "OptimalPolicy", "DEFAULT_OPTIMAL_BUDGET"]

#: Estimated table operations of the dynamic programme.
DEFAULT_OPTIMAL_BUDGET = 2e8


class _Tables:
    """Marginals, conditional entropies and conditional expectations of a float joint table."""

    def __init__(self, joint: np.ndarray):
        self.p, self.N = joint, joint.ndim
        self._m: dict = {}

    def m(self, S: frozenset) -> np.ndarray:
        got = self._m.get(S)
        if got is None:
            drop = tuple(a for a in range(self.N) if a not in S)
            got = self._m[S] = self.p.sum(axis=drop, keepdims=True) if drop else self.p
        return got

    def cond(self, R: frozenset, A: tuple) -> np.ndarray:
        num, den = np.broadcast_arrays(self.m(R | set(A)), self.m(R))
        return np.divide(num, den, out=np.zeros(num.shape), where=den > 0)

    def tc(self, R: frozenset, A: tuple, c: np.ndarray) -> np.ndarray:
        """``TC(X_A | x_R)`` over the axes of ``R``."""
        def h(t, axes):
            return -np.where(t > 0, t * np.log(np.where(t > 0, t, 1.0)), 0.0).sum(axis=axes, keepdims=True)
        out = -h(c, A)
        for i in A:
            out = out + h(c.sum(axis=tuple(a for a in A if a != i), keepdims=True), (i,))
        return out


class OptimalPolicy(Result):
    """The best deterministic adaptive policy and its KL; see :func:`optimal_policy`.

    Attributes
    ----------
    kl : float
        ``min E Σ_t TC(X_{A_t} | x_{R_t})`` = the KL of the best policy.
    sizes : tuple or None
        The step sizes it was optimised for (``None`` with ``K``).
    K : int or None
        The step budget (step sizes free) it was optimised for.
    policy : callable
        ``policy(revealed, values, k)`` (with ``sizes``) or ``policy(revealed, values, step=t)`` (with ``K``):
        pass it to :func:`~symsched.policy_kl` (with the same ``sizes``) to run it.
    states : int
        Revealed sets visited by the programme.
    """

    _headline = "kl"
    _fields = ("kl", "sizes", "K", "N", "states")
    _repr_fields = ("kl", "sizes", "K")

    def __init__(self, *, kl, sizes, K, N, states, policy):
        self.kl, self.sizes, self.K, self.N, self.states = kl, sizes, K, N, states
        self.policy = policy
        self._freeze()

    def _title(self) -> str:
        what = f"sizes {self.sizes}" if self.sizes is not None else f"at most {self.K} steps"
        return f"Optimal adaptive policy ({what}): min E sum_t TC(X_A | x_R), exact"


def _argmin_update(best, arg, val, j):
    better = val < best - 1e-13
    return np.where(better, val, best), np.where(better, j, arg)


def _best_step(tab: _Tables, R: frozenset, cands: list, after) -> tuple:
    """The Bellman minimum over the candidate steps ``A`` from the revealed set ``R`` (per value of ``x_R``):
    the step's TC plus the expected value ``after(A)`` of the state it leads to; and the arg-min's index."""
    best, arg = None, None
    for j, A in enumerate(cands):
        c = tab.cond(R, A)
        val = tab.tc(R, A, c) + (c * after(A)).sum(axis=A, keepdims=True)
        if best is None:
            best, arg = val, np.zeros(val.shape, dtype=np.int64)
        else:
            best, arg = _argmin_update(best, arg, val, j)
    return np.where(tab.m(R) > 0, best, 0.0), arg


def _solve_sizes(tab: _Tables, sizes: tuple) -> tuple[float, dict, int]:
    N = tab.N
    bounds = np.cumsum((0,) + sizes)
    V = {frozenset(range(N)): np.zeros((1,) * N)}
    table: dict = {}
    for t in range(len(sizes) - 1, -1, -1):
        nxt: dict = {}
        for R in map(frozenset, combinations(range(N), int(bounds[t]))):
            M = [i for i in range(N) if i not in R]
            cands = list(combinations(M, sizes[t]))
            nxt[R], arg = _best_step(tab, R, cands, lambda A: V[R | set(A)])
            table[(t, R)] = (cands, arg)
        V = nxt
    return float(V[frozenset()].sum()), table, len(table)


def _solve_budget(tab: _Tables, K: int) -> tuple[float, dict, int]:
    N = tab.N
    full = frozenset(range(N))
    subsets = [frozenset(s) for r in range(N + 1) for s in combinations(range(N), r)]
    V = {full: np.zeros((1,) * N)}
    prev: dict = {}
    table: dict = {}
    for r in range(1, K + 1):                # r steps remain
        cur = {full: np.zeros((1,) * N)}
        for R in subsets:
            if R == full:
                continue
            M = [i for i in range(N) if i not in R]
            cands = [A for size in range(1, len(M) + 1) for A in combinations(M, size)
                     if r > 1 or size == len(M)]
            cur[R], arg = _best_step(tab, R, cands,
                                     lambda A: V[full] if R | set(A) == full else prev[R | set(A)])
            table[(r, R)] = (cands, arg)
        prev = cur
    return float(prev[frozenset()].sum()), table, len(table)


def _cost(N: int, cards, sizes, K) -> float:
    full = float(math.prod(cards))
    if sizes is not None:
        s, total = 0, 0.0
        for k in sizes:
            total += math.comb(N, s) * math.comb(N - s, k) * full * (k + 2)
            s += k
        return total
    return float(K) * 3.0 ** N * full * N


def optimal_policy(model: Any, sizes: Any = None, K: int | None = None, budget: float | None = None
                   ) -> OptimalPolicy:
    """The best deterministic adaptive policy and its exact KL, by dynamic programming over revealed values.

    Parameters
    ----------
    model : model or ndarray
        A model small enough for its joint table (a few binary tokens up to N ≈ 10).
    sizes : Schedule or sequence of int
        Tokens per step: the minimum over policies revealing ``sizes[t]`` tokens at step ``t``.
    K : int
        Or a step budget: the minimum over policies with at most ``K`` steps whose sizes may depend on the
        revealed values.
    budget : float, optional
        Estimated table operations (default :data:`DEFAULT_OPTIMAL_BUDGET`); refused beyond.

    Returns
    -------
    OptimalPolicy
        ``o.kl`` and ``o.policy`` (``ss.policy_kl(model, o.policy, sizes=sizes).kl == o.kl``).

    Examples
    --------
    >>> import symsched as ss
    >>> o = ss.optimal_policy(ss.copy_model(3), sizes=[1, 2])   # see one copy first: the rest is certain
    >>> round(o.kl, 12), round(ss.policy_kl(ss.copy_model(3), o.policy, sizes=[1, 2]).kl, 12)
    (0.0, 0.0)
    """
    model = as_model(model, "optimal_policy")
    N = model.N
    if (sizes is None) == (K is None):
        raise SymschedError("optimal_policy: give sizes= (tokens per step) or K= (a step budget), exactly one")
    if sizes is not None:
        sizes = tuple(int(k) for k in as_sizes(sizes, N, "sizes"))
    else:
        if isinstance(K, bool) or not isinstance(K, (int, np.integer)) or not 1 <= K <= N:
            raise SymschedError(f"optimal_policy: K must be an integer in 1..{N}, got {K!r}")
        K = int(K)
    cards = tuple(model.cardinalities)
    cost = _cost(N, cards, sizes, K)
    b = DEFAULT_OPTIMAL_BUDGET if budget is None else float(budget)
    if cost > b:
        raise ModelTooLargeError(f"optimal_policy: dynamic programme over revealed sets and values, N = {N}", cost, b,
                                 hint="a smaller model, or raise budget=")
    tab = _Tables(np.asarray(joint_of(model, "float"), dtype=float))
    if sizes is not None:
        kl, table, states = _solve_sizes(tab, sizes)
    else:
        kl, table, states = _solve_budget(tab, K)
    return OptimalPolicy(kl=max(kl, 0.0), sizes=sizes, K=K, N=N, states=states,
                         policy=_policy_function(table, N, sizes, K))


def _policy_function(table: dict, N: int, sizes, K):
    def lookup(key, R, values):
        cands, arg = table[key]
        idx = tuple(int(values[a]) if a in R else 0 for a in range(N))
        return cands[int(arg[idx])]

    if sizes is not None:
        def policy(revealed, values, k=None, step=0):
            return lookup((step, frozenset(revealed)), frozenset(revealed), values)
    else:
        def policy(revealed, values, k=None, step=0):
            return lookup((K - step, frozenset(revealed)), frozenset(revealed), values)
    policy.wants_step = True
    return policy
