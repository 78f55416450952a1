"""Literature regimes of parallel decoding, built as models and computed exactly.

ParallelBench (Kang et al., ICLR 2026; formulas re-derived, docs/references.md)
    *Replace-Random*: one uniformly chosen position of ``n`` is replaced (a one-hot vector of ``n`` bits):
    ``TC = (n−1)(log₂ n − log₂(n−1)) → log₂ e`` bits.  *Shuffle*: a uniformly random permutation of ``n``
    distinct items: ``TC = n log₂ n − log₂ n!``; decoding ``k`` tokens per step gives a valid permutation
    with probability ``Π_steps m!/((m−k)! m^k)`` (``m`` items left), i.e. ``(n−1)!!/n!!`` at ``k = 2`` and
    ``n!/nⁿ`` at ``k = n``.  :func:`support_accuracy` measures it on the sampler's exact law.
Wen, Liang & Lu (2026; introduction read, no constants)
    An order-``m`` Markov chain is sampled with *zero* error in ``O(m log n)`` rounds by bisection: each
    round reveals tokens separated by ``m`` revealed consecutive tokens, which the Markov property makes
    conditionally independent (:func:`bisection_blocks`, :func:`markov_bisection_table`).  A uniformly
    random permutation needs linearly many rounds: any two masked tokens are dependent, so zero error
    takes ``n`` rounds, and ``n − 1`` rounds cost at least ``log(n/(n−1))`` (:func:`permutation_rounds_table`).

Examples
--------
>>> from symsched.info.measures import total_correlation
>>> round(float(total_correlation(replace_random_model(4), base=2)), 12), replace_random_tc(4)
(1.245112497837, (-3*log(3) + 3*log(4))/log(2))
>>> shuffle_topk_accuracy(4, 2), shuffle_topk_accuracy(4, 4)
(Fraction(3, 8), Fraction(3, 32))
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import combinations, permutations
from typing import Any
from collections.abc import Sequence

import numpy as np
import sympy as sp

from ..errors import SymschedError
from ..info.measures import information_profile
from ..models.bayesian import BayesianNetwork
from ..models.base import check_enumerable
from ..models.table import from_joint
from ..printing import Table
from ..results import Result
from ..validation import check_log_base, check_variable_count, int_sequence
from ..schedules.optimal import optimal_schedule
from .adaptive import policy_kl
from .conditionals import joint_of

__all__ = ["replace_random_model", "shuffle_model", "replace_random_tc", "shuffle_tc", "shuffle_topk_accuracy",
           "support_accuracy", "bisection_blocks", "order_m_chain", "markov_bisection_table",
           "permutation_rounds_table", "RegimeTable"]


def _n(n: Any, what: str, least: int = 1, name: str = "n", budget: float | None = None) -> int:
    """An integer ``>= least``, refused beyond ``budget`` (default MAX_VARIABLES) before anything is built."""
    return check_variable_count(n, name, what, minimum=least, budget=budget)


def _table_size(states: int, axes: int) -> float:
    """``states ** axes`` as a float, ``inf`` beyond the float range (for the enumeration budget)."""
    return math.inf if axes * math.log2(max(states, 1)) > 1000 else float(states) ** axes


#: Largest n of the closed forms that take n! exactly (its digits alone grow like n log n).
MAX_EXACT_FACTORIAL = 10 ** 5


# -- ParallelBench ---------------------------------------------------------------------------------------
def replace_random_model(n: int):
    """ParallelBench's Replace-Random as a model: ``n`` bits, exactly one of them 1, at a uniform position."""
    n = _n(n, "replace_random_model", 2)
    check_enumerable(_table_size(2, n), f"replace_random_model: the joint table of n = {n} bits")
    table = np.full((2,) * n, Fraction(0), dtype=object)
    for i in range(n):
        idx = [0] * n
        idx[i] = 1
        table[tuple(idx)] = Fraction(1, n)
    return from_joint(table)


def shuffle_model(n: int):
    """ParallelBench's Shuffle as a model: ``n`` tokens over ``n`` items, a uniformly random permutation."""
    n = _n(n, "shuffle_model", 2)
    check_enumerable(_table_size(n, n), f"shuffle_model: the joint table of n = {n} tokens over n items")
    table = np.full((n,) * n, Fraction(0), dtype=object)
    w = Fraction(1, math.factorial(n))
    for perm in permutations(range(n)):
        table[perm] = w
    return from_joint(table)


def replace_random_tc(n: int, base: Any = 2) -> sp.Expr:
    """``(n−1)(log n − log(n−1))`` (bits by default), exact."""
    n = _n(n, "replace_random_tc", 2)
    return (n - 1) * (sp.log(n) - sp.log(n - 1)) / _log_base(base, "replace_random_tc")


def shuffle_tc(n: int, base: Any = 2) -> sp.Expr:
    """``n log n − log n!`` (bits by default), exact."""
    n = _n(n, "shuffle_tc", 2, budget=MAX_EXACT_FACTORIAL)
    return (n * sp.log(n) - sp.log(sp.factorial(n))) / _log_base(base, "shuffle_tc")


def _log_base(base: Any, where: str) -> Any:
    """``log(base)`` of a checked base (None: natural logarithms, 1)."""
    base = check_log_base(base, where)
    return sp.Integer(1) if base is None else sp.log(sp.sympify(base))


def shuffle_topk_accuracy(n: int, k: int) -> Fraction:
    """Probability that decoding a uniform permutation ``k`` tokens per step gives a permutation.

    ``Π_steps m!/((m−k_t)! m^{k_t})`` over the steps (``m`` tokens masked, ``k_t = min(k, m)``):
    ``(n−1)!!/n!!`` at ``k = 2`` and ``n!/nⁿ`` at ``k = n`` (ParallelBench).
    """
    n = _n(n, "shuffle_topk_accuracy", 2, budget=MAX_EXACT_FACTORIAL)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n:
        raise SymschedError(f"shuffle_topk_accuracy: k must be an integer in 1..{n}, got {k!r}")
    out, m = Fraction(1), n
    while m > 0:
        kt = min(k, m)
        out *= Fraction(math.factorial(m), math.factorial(m - kt) * m ** kt)
        m -= kt
    return out


def support_accuracy(model: Any, policy: str, **kwargs) -> Any:
    """``q(supp p) = Σ_{x: p(x) > 0} q(x)``: the probability the sampler outputs a valid sequence.

    ``kwargs`` go to :func:`~symsched.samplers.adaptive.policy_kl` (exact route, law kept).

    >>> support_accuracy(shuffle_model(3), "confidence", sizes=[3], precision="symbolic")
    2/9
    """
    r = policy_kl(model, policy, method="exact", law=True, **kwargs)
    p = joint_of(model, kwargs.get("precision", "float"), kwargs.get("dps"))
    vals = [q for pv, q in zip(np.ravel(p), np.ravel(r.law)) if pv != 0]
    total = sum(vals[1:], vals[0])
    return sp.nsimplify(total) if isinstance(total, sp.Basic) else total


# -- Wen, Liang & Lu ----------------------------------------------------------------------------------------
def bisection_blocks(n: int, m: int = 1) -> list:
    """Rounds of positions that sample an order-``m`` Markov chain of length ``n`` with zero error.

    The positions are cut into ``L = ⌈n/m⌉`` consecutive segments of ``m``; segments are revealed by
    bisection (each round of segments takes the middle segment of every unrevealed gap), a round of
    segments taking ``m`` sub-rounds (the ``j``-th token of each chosen segment in sub-round ``j``).
    Two tokens of one round are separated by a whole revealed segment, so they are conditionally
    independent given the revealed tokens.  Rounds: ``m · ⌈log₂(L + 1)⌉``.

    >>> bisection_blocks(7)
    [(3,), (1, 5), (0, 2, 4, 6)]
    """
    n = _n(n, "bisection_blocks")
    m = _n(m, "bisection_blocks", name="m")
    L = -(-n // m)
    gaps, rounds = [(0, L - 1)], []
    while gaps:
        mids, nxt = [], []
        for a, b in gaps:
            c = (a + b) // 2
            mids.append(c)
            if a <= c - 1:
                nxt.append((a, c - 1))
            if c + 1 <= b:
                nxt.append((c + 1, b))
        for j in range(min(m, n)):  # sub-rounds j >= n hold no position
            block = tuple(sorted(s * m + j for s in mids if s * m + j < n))
            if block:
                rounds.append(block)
        gaps = nxt
    return rounds


def order_m_chain(n: int, m: int = 1, seed: Any = 0, states: int = 2) -> BayesianNetwork:
    """A random order-``m`` Markov chain on ``n`` tokens (each token's CPD given its ``m`` predecessors).

    Entries are exact fractions ``a/Σa`` with integers ``a`` in ``1..9`` (so exact arithmetic applies).
    """
    n = _n(n, "order_m_chain")
    m = _n(m, "order_m_chain", name="m")
    if isinstance(states, (bool, np.bool_)) or not isinstance(states, (int, np.integer)) or states < 1:
        raise SymschedError(f"order_m_chain: states must be a positive integer, got {states!r:.80}")
    check_enumerable(n * _table_size(int(states), min(m, n - 1) + 1),
                     f"order_m_chain: the CPDs of n = {n} tokens with states = {states}, m = {m}")
    rng = np.random.default_rng(seed)
    bn = BayesianNetwork()
    for i in range(n):
        bn.add_variable(f"X{i + 1}", states=states)
    for i in range(n):
        parents = [f"X{j + 1}" for j in range(max(0, i - m), i)]
        shape = (states,) * len(parents) + (states,)
        raw = rng.integers(1, 10, size=shape)
        table = np.empty(shape, dtype=object)
        for idx in np.ndindex(shape):
            table[idx] = Fraction(int(raw[idx]), int(raw[idx[:-1]].sum()))
        bn.set_cpd(f"X{i + 1}", table, parents=parents)
    return bn


class RegimeTable(Result):
    """A table of exact values against ``n`` (``columns``, ``rows``)."""

    _fields = ("title", "columns", "rows")
    _repr_fields = ("title",)

    def __init__(self, title: str, columns: Sequence[str], rows: Sequence[tuple]):
        self.title, self.columns, self.rows = title, tuple(columns), tuple(tuple(r) for r in rows)
        self._freeze()

    def column(self, name: str) -> tuple:
        j = self.columns.index(name)
        return tuple(r[j] for r in self.rows)

    def _table(self) -> Table:
        return Table(self.columns, self.rows, title=self.title)


def markov_bisection_table(ns: Sequence[int], m: int = 1, seed: Any = 0) -> RegimeTable:
    """Order-``m`` chains: bisection's rounds and exact KL (zero) beside random and confidence order.

    Columns: ``n``; ``rounds`` of :func:`bisection_blocks`; their bound ``m*ceil(log2(L+1))``; ``KL bisection`` (the
    exact KL of the fixed partition, computed in exact arithmetic); with the same number of rounds,
    ``E KL optimal random`` (the optimal random-order schedule's order-averaged KL) and
    ``KL confidence`` (the exact KL of confidence order with the optimal schedule's sizes).
    """
    ns = int_sequence(ns, "ns", "markov_bisection_table")
    m = _n(m, "markov_bisection_table", name="m")
    rows = []
    for n in ns:
        model = order_m_chain(n, m, seed)
        blocks = bisection_blocks(n, m)
        K = len(blocks)

        def policy(revealed, values, blocks=blocks):
            return next(B for B in blocks if not set(B) <= revealed)

        bis = policy_kl(model, policy, method="exact", precision="symbolic" if n <= 5 else "float",
                        budget=1e9, law=False)
        opt = optimal_schedule(information_profile(model), K)
        conf = policy_kl(model, "confidence", sizes=opt.sizes, method="exact", budget=1e9, law=False)
        L = -(-n // m)
        rows.append((n, K, m * math.ceil(math.log2(L + 1)), bis.kl, float(opt.kl), conf.kl))
    return RegimeTable(f"order-{m} Markov chains: bisection reaches zero error in O(m log n) rounds",
                       ("n", "rounds", "bound m*ceil(log2(L+1))", "KL bisection", "E KL optimal random",
                        "KL confidence"), rows)


def _compositions(n: int, K: int):
    for cuts in combinations(range(1, n), K - 1):
        bps = (0,) + cuts + (n,)
        yield tuple(b - a for a, b in zip(bps, bps[1:]))


def permutation_rounds_table(ns: Sequence[int]) -> RegimeTable:
    """Uniform random permutations: rounds needed for zero error, and the least error one round short.

    Columns: ``n``; ``rounds for KL = 0`` (the smallest ``K`` for which some ``K``-step schedule of the
    confidence rule — every rule coincides here, all conditionals being uniform — has zero exact KL);
    ``min KL, n-1 rounds`` over every ``(n−1)``-step schedule; ``log(n/(n-1))``; ``KL, k = 2`` (two tokens
    per step) beside ``−log`` of :func:`shuffle_topk_accuracy` ``(n, 2)``, which it equals.
    """
    ns = int_sequence(ns, "ns", "permutation_rounds_table", minimum=2)
    rows = []
    for n in ns:
        model = shuffle_model(n)
        need = None
        for K in range(1, n + 1):
            best = min(policy_kl(model, "confidence", sizes=c, method="exact", budget=1e9, law=False).kl
                       for c in _compositions(n, K))
            if K == n - 1:
                short = best
            if best <= 1e-12 and need is None:
                need = K
                break
        two = policy_kl(model, "confidence", sizes=[2] * (n // 2) + [1] * (n % 2), method="exact",
                        budget=1e9, law=False).kl
        rows.append((n, need, short, math.log(n / (n - 1)), two, -math.log(shuffle_topk_accuracy(n, 2))))
    return RegimeTable("uniform random permutations need n rounds for zero error",
                       ("n", "rounds for KL = 0", "min KL, n-1 rounds", "log(n/(n-1))", "KL, k = 2",
                        "-log acc(n, 2)"), rows)
