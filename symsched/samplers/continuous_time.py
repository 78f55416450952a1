"""Continuous-time samplers with exact conditionals: Euler (τ-leaping) and the First-Hitting Sampler.

Reveal process (MDLM-style, see docs/references.md "Wainwright" and "Liang, Tan, Shroff & Liang"): each token
has a reveal time ``U_i ~ Unif[0, 1]`` (in reveal-fraction time: at time ``t`` a fraction ``t`` of the
tokens is revealed on average).

Euler / τ-leaping
    On a grid ``0 = t_0 < … < t_K = 1``, at step ``k`` each still-masked token is revealed with
    probability ``(t_k − t_{k−1}) / (1 − t_{k−1})``, and all tokens revealed at the step are drawn
    *independently*, each from its exact conditional given the tokens revealed before the step.  This
    is exactly the **Bernoulli sampler** of docs/concepts.md §2: a token lands in step ``k`` with probability
    ``t_k − t_{k−1}`` independently of the others, and the law given the reveal pattern is the
    factorized ``q_σ`` of its blocks (empty blocks allowed).  Its pattern-averaged error is therefore
    ``E KL = Σ_k (t_k − t_{k−1}) · N Σ_j Binom(j; N−1, t_{k−1}) h_j − H`` (docs/concepts.md §2; the schedules
    layer evaluates it from the profile), which :func:`pattern_averaged_kl` checks by enumeration.
    :func:`euler_law` gives the exact output law (the mixture over patterns), hence exact TV and KL.

First-Hitting Sampler (FHS)
    Jumps from one reveal event to the next: with ``m`` tokens masked at time ``t``, the next first
    hitting time is ``1 − (1 − t) V^{1/m}`` (``V ~ Unif[0, 1]``), one uniformly chosen masked token
    is revealed then, drawn from its exact conditional.  Tokens are revealed one at a time, so with
    exact conditionals the FHS samples ``p`` exactly (Liang et al.: no error beyond the score error);
    :func:`fhs_law` computes its law and the tests check it equals ``p``.

Liang et al.'s rates and constants for Euler could not be read (docs/references.md): :func:`euler_tv_curve`
only measures the exact TV against ``K`` and reports the observed order of decay in ``1/K``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import KW_ONLY, dataclass
from typing import Any
from collections.abc import Sequence

import numpy as np

from ..arithmetic import arithmetic
from ..values import to_float
from ..errors import SymschedError
from ..formatting import latex_number
from ..results import Result
from ..validation import check_variable_count, int_sequence
from .conditionals import ConditionalTables, joint_of, kl_divergence, tv_distance
from ..schedules.grids import reveal_grid  # the one grid convention (alias kept here)
from .factorized import (_check_budget, _check_n, _deterministic_rule, _float_tables, _reveal_step,
                         propagate_law)

__all__ = ["reveal_grid", "euler_law", "euler_kl", "euler_tv", "pattern_averaged_kl", "sample_euler",
           "fhs_law", "sample_fhs", "euler_tv_curve", "EulerCurve"]


def _bernoulli_rule(t0: Any, t1: Any, ar):
    with ar.workprec():
        pi = (ar.convert(t1) - ar.convert(t0)) / (ar.one - ar.convert(t0))
        stay = ar.one - pi

    def rule(R, rest):
        m = len(rest)
        for b in range(m + 1):
            with ar.workprec():
                w = pi ** b * stay ** (m - b) if ar.precision != "float" else float(pi) ** b * float(stay) ** (m - b)
            for B in itertools.combinations(rest, b):
                yield B, w
    return rule


def _grid_points(grid: Any, where: str) -> tuple:
    """``reveal_grid(grid)``; an integer ``K`` is checked first, so that a huge one is refused before its
    ``K + 1`` points are built (the exact routes then price the ``K`` steps against their budget)."""
    if isinstance(grid, (int, np.integer)) and not isinstance(grid, (bool, np.bool_)) and grid >= 1:
        check_variable_count(grid, "grid (the number of steps K)", where)
    return reveal_grid(grid)


def euler_law(model: Any, grid: Any, precision: str = "float", dps: int | None = None,
              fallback: str = "uniform", budget: float | None = None) -> np.ndarray:
    """Exact output law of the Euler (τ-leaping) sampler with exact conditionals.

    Parameters
    ----------
    model : model or ndarray
    grid : int or sequence
        ``K`` (uniform grid) or the points ``0 = t_0 < … < t_K = 1``.
    precision, dps, fallback, budget : see :func:`symsched.samplers.sampler_law`

    Examples
    --------
    >>> import symsched as ss
    >>> copy = ss.from_joint([[0.5, 0.0], [0.0, 0.5]])
    >>> euler_law(copy, 1).tolist()     # one step reveals everything at once
    [[0.25, 0.25], [0.25, 0.25]]
    >>> euler_law(copy, 2).tolist()     # both tokens in one step with probability 1/2
    [[0.375, 0.125], [0.125, 0.375]]
    """
    p = joint_of(model, precision, dps)
    pts = _grid_points(grid, "euler_law")
    K, N = len(pts) - 1, p.ndim
    _check_budget(K * 3.0 ** N * p.size, f"exact Euler law on {K} steps for a joint of shape {p.shape}",
                  precision, budget)
    ar = arithmetic(precision, dps)
    ct = ConditionalTables(p, ar, fallback)
    return propagate_law(ct, [_bernoulli_rule(a, b, ar) for a, b in zip(pts, pts[1:])])


def euler_kl(model: Any, grid: Any, precision: str = "float", dps: int | None = None, base: Any = None,
             budget: float | None = None) -> Any:
    """Exact ``KL(p ‖ q_Euler)`` of the Euler sampler's output law (the mixture over reveal patterns)."""
    p = joint_of(model, precision, dps)
    return kl_divergence(p, euler_law(p, grid, precision, dps, budget=budget), precision, dps, base)


def euler_tv(model: Any, grid: Any, budget: float | None = None) -> float:
    """Exact total variation ``TV(p, q_Euler)`` (float)."""
    p = joint_of(model, "float")
    return tv_distance(p, euler_law(p, grid, budget=budget))


def pattern_averaged_kl(model: Any, grid: Any, precision: str = "float", dps: int | None = None,
                        base: Any = None, budget: float | None = None) -> Any:
    """``E_pattern KL(p ‖ q_pattern)`` of the Euler/Bernoulli sampler, by enumerating the ``K^N`` patterns.

    A pattern assigns each token the step that reveals it (probability ``Π_i (t_{k_i} − t_{k_i − 1})``);
    ``q_pattern`` is the factorized law of its blocks.  Equals the profile formula
    ``Σ_k (t_k − t_{k−1}) N Σ_j Binom(j; N−1, t_{k−1}) h_j − H`` — this function is its brute-force check.
    """
    p = joint_of(model, precision, dps)
    pts = _grid_points(grid, "pattern_averaged_kl")
    K, N = len(pts) - 1, p.ndim
    _check_budget(float(K) ** N * N * p.size, f"pattern enumeration ({K}^{N} patterns) for a joint of shape "
                  f"{p.shape}", precision, budget)
    ar = arithmetic(precision, dps, base)
    ct = ConditionalTables(p, arithmetic(precision, dps))
    with ar.workprec():
        dt = [ar.convert(b) - ar.convert(a) for a, b in zip(pts, pts[1:])]
    terms = []
    for pattern in itertools.product(range(K), repeat=N):
        with ar.workprec():
            w = ar.one
            for k in pattern:
                w = w * dt[k]
        blocks = [tuple(i for i in range(N) if pattern[i] == k) for k in range(K)]
        q = propagate_law(ct, [_deterministic_rule(B, ct.arith) for B in blocks if B])
        kl = kl_divergence(p, q, precision, dps, base)
        with ar.workprec():
            terms.append(w * (ar.convert(kl) if precision != "float" else kl))
    with ar.workprec():
        return ar.finalize(ar.sum(terms))


def sample_euler(model: Any, grid: Any, n: int, seed: Any = None, max_entries: float | None = None) -> np.ndarray:
    """``n`` samples ``(n, N)`` of the Euler (τ-leaping) sampler with exact conditionals."""
    n = _check_n(n)
    ct = _float_tables(model, max_entries)
    pts = [to_float(t) for t in _grid_points(grid, "sample_euler")]
    rng = np.random.default_rng(seed)
    X = np.zeros((n, ct.N), dtype=np.int64)
    revealed = np.zeros((n, ct.N), dtype=bool)
    for a, b in zip(pts, pts[1:]):
        pi = (b - a) / (1 - a)
        block = ~revealed & (rng.random((n, ct.N)) < pi)
        if b == pts[-1]:
            block = ~revealed  # t_K = 1: everything left is revealed (pi = 1 up to rounding)
        _reveal_step(ct, X, revealed, block, rng)
        revealed |= block
    return X


def fhs_law(model: Any, precision: str = "float", dps: int | None = None, budget: float | None = None) -> np.ndarray:
    """Exact output law of the First-Hitting Sampler with exact conditionals.

    Each event reveals one uniformly chosen masked token (the reveal times are i.i.d., so the next one
    to hit is uniform among the masked), drawn from its exact conditional; the event times do not
    enter the law.  With exact conditionals the result equals ``p``.

    >>> import symsched as ss
    >>> fhs_law(ss.from_joint([[0.5, 0.0], [0.0, 0.5]])).tolist()
    [[0.5, 0.0], [0.0, 0.5]]
    """
    p = joint_of(model, precision, dps)
    N = p.ndim
    _check_budget(2.0 ** N * N * p.size, f"exact FHS law for a joint of shape {p.shape}", precision, budget)
    ar = arithmetic(precision, dps)
    ct = ConditionalTables(p, ar)

    def rule(R, rest):
        w = ar.one / ar.convert(len(rest)) if ar.precision != "float" else 1.0 / len(rest)
        for i in rest:
            yield (i,), w

    return propagate_law(ct, [rule] * N)


def sample_fhs(model: Any, n: int, seed: Any = None, return_times: bool = False,
               max_entries: float | None = None):
    """``n`` samples of the First-Hitting Sampler; optionally the event times ``(n, N)`` too.

    With ``m`` tokens masked at time ``t`` the next event is at ``1 − (1 − t) V^{1/m}`` (the first of
    ``m`` remaining uniform reveal times), and it reveals a uniformly chosen masked token.
    """
    n = _check_n(n)
    ct = _float_tables(model, max_entries)
    N = ct.N
    rng = np.random.default_rng(seed)
    X = np.zeros((n, N), dtype=np.int64)
    revealed = np.zeros((n, N), dtype=bool)
    times = np.zeros((n, N))
    t = np.zeros(n)
    for m in range(N, 0, -1):
        t = 1.0 - (1.0 - t) * rng.random(n) ** (1.0 / m)
        times[:, N - m] = t
        # a uniform masked position per row: rank of a uniform among the masked ones
        scores = np.where(revealed, np.inf, rng.random((n, N)))
        pick = np.argmin(scores, axis=1)
        block = np.zeros((n, N), dtype=bool)
        block[np.arange(n), pick] = True
        _reveal_step(ct, X, revealed, block, rng)
        revealed |= block
    return (X, times) if return_times else X


@dataclass(frozen=True, repr=False)
class EulerCurve(Result):
    """Exact TV and KL of the Euler sampler against the number of steps ``K`` (uniform grids).

    Attributes
    ----------
    Ks : tuple of int
    tv, kl : tuple of float
        ``TV(p, q_Euler)`` and ``KL(p ‖ q_Euler)`` for each ``K``.
    observed_order : float
        ``−slope`` of a least-squares fit of ``log TV`` on ``log K`` over the ``K`` values with
        ``TV > 0``: TV behaves like ``C · K^{−order}`` over the range.  Liang et al.'s constants are
        unknown (docs/references.md); this is a measurement, not their bound.
    kl_order : float
        The same fit for the KL.
    """

    _fields = ("Ks", "tv", "kl", "observed_order", "kl_order")  # result protocol; no single headline number
    _repr_fields = ("Ks", "observed_order", "kl_order")

    Ks: tuple
    tv: tuple
    kl: tuple
    _: KW_ONLY
    observed_order: float
    kl_order: float

    def latex(self) -> str:
        rows = r" \\ ".join(f"{K} & {latex_number(tv, 4)} & {latex_number(kl, 4)}"
                            for K, tv, kl in zip(self.Ks, self.tv, self.kl))
        return (r"\begin{array}{rrr} K & \mathrm{TV} & \mathrm{KL} \\ \hline " + rows +
                rf"\end{{array}}\quad \mathrm{{TV}} \sim K^{{-{self.observed_order:.2f}}}")

    def __str__(self) -> str:
        pairs = ", ".join(f"K={K}: TV={tv:.3g}" for K, tv in zip(self.Ks, self.tv))
        return (f"EulerCurve({pairs}; observed TV order {self.observed_order:.3g}, KL order "
                f"{self.kl_order:.3g})")


def _fit_order(Ks: Sequence[int], vals: Sequence[float]) -> float:
    pts = [(math.log(K), math.log(v)) for K, v in zip(Ks, vals) if v > 0 and math.isfinite(v)]
    if len(pts) < 2:
        return math.nan
    x, y = np.array(pts).T
    return float(-np.polyfit(x, y, 1)[0])


def euler_tv_curve(model: Any, Ks: Sequence[int] = (1, 2, 4, 8, 16, 32), budget: float | None = None) -> EulerCurve:
    """Exact ``TV(p, q_Euler)`` and ``KL(p ‖ q_Euler)`` on uniform grids with ``K`` steps, for each ``K``.

    Examples
    --------
    >>> import symsched as ss
    >>> curve = euler_tv_curve(ss.from_joint([[0.5, 0.0], [0.0, 0.5]]), Ks=[1, 2, 4])
    >>> [round(v, 4) for v in curve.tv]
    [0.5, 0.25, 0.125]
    """
    if isinstance(Ks, (list, tuple, range, np.ndarray)) and len(Ks) == 0:
        raise SymschedError("euler_tv_curve: Ks is empty; give step counts such as (1, 2, 4, 8)")
    Ks = int_sequence(Ks, "Ks", "euler_tv_curve")
    p = np.asarray(joint_of(model, "float"), dtype=float)
    tvs, kls = [], []
    for K in Ks:
        q = euler_law(p, K, budget=budget)
        tvs.append(tv_distance(p, q))
        kls.append(kl_divergence(p, q))
    return EulerCurve(Ks, tuple(tvs), tuple(kls), observed_order=_fit_order(Ks, tvs), kl_order=_fit_order(Ks, kls))
