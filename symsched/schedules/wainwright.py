"""Wainwright's Prop. 1 sampler: geometric reveal odds per block (docs/concepts.md §9, "Certified block schedules").

Given a block partition ``t_0 = b_0 < ... < b_M = T`` with partition complexity ``C``
(:func:`~symsched.schedules.partition.partition_complexity`) and a budget ``K >= 2{M + 2 ln(ψ(T)/ψ(t_0))}``,
block ``m`` gets the multiplier ``ρ_m = min{1, (4√C/K) √(S_m/H_m)}`` and the reveal odds ``ψ(t) = t/(1-t)``
grow geometrically inside it: ``ψ(t_{j+1}) = min{(1+ρ_m) ψ(t_j), ψ(b_{m+1})}``. Block ``m`` then takes
``n_m = ⌈S_m / ln(1+ρ_m)⌉`` steps and ``Σ n_m <= K`` (the proof of his Thm 2). While ``ρ_m < 1``,
``n_m ≈ S_m/ρ_m`` and ``Σ_m S_m/ρ_m = K/4``: the sampler uses about a quarter of the budget. Every step's ratio
``ψ(t_{j+1})/ψ(t_j) - 1`` is at most ``ρ_m``, so his Thm 1 gives ``KL <= Σ ρ_m H_m + init + completion
<= 4C/K + init + completion``.

symsched's convention for the ends: the sampler starts with one Bernoulli step from the fully masked state
to ``t_0`` and ends with one clean-up step from ``T`` to 1 (every remaining token at once), exactly as
:func:`~symsched.schedules.grids.bernoulli_expected_kl` does for a grid ``0, t_0, ..., T, 1``. Its
``init`` and ``completion`` terms are the exact errors of those two steps, so the whole grid's exact KL is
``Σ`` of its steps' exact errors ``∫_a^b (b - u) h'(u) du``.

The fixed-cardinality version (his eqs. 15b–17b): reveal counts ``a_j`` on the grid ``j/N``; per block the
next count is the largest ``a <= a_{m+1}`` with ``ψ(a/N) <= (1+ρ_m) ψ((a_j+1)/N)``, with the card growth
masses ``H^card(a, b) = Σ_{a<j<b} (j/N)(1-j/N) N (h_{j-1} - h_j)`` in place of ``H``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
from scipy.stats import binom

from ..errors import SymschedError
from ..results import Estimate, Result
from ..validation import check_steps
from .grids import bernoulli_expected_kl
from .kl import block_cost, expected_kl
from .partition import (FloatGrowth, PartitionComplexity, _working_profile, block_allocation, canonical_interval,
                        partition_complexity, phi)

__all__ = ["wainwright_schedule", "WainwrightSchedule"]


def minimum_steps(M: int, t0: float, T: float) -> int:
    """Prop. 1's condition ``K >= 2{M + 2 ln(ψ(T)/ψ(t_0))}``, as the smallest integer ``K``."""
    return math.ceil(2 * (M + 2 * (phi(T) - phi(t0))) - 1e-12)


def step_coefficients(N: int, a: float, b: float) -> np.ndarray:
    """``c`` with the exact error of the Bernoulli step ``[a, b]`` equal to ``c @ h``:
    ``(b - a) N Binom(j; N-1, a) - [P(Binom(N, b) > j) - P(Binom(N, a) > j)]``."""
    j = np.arange(N)
    first = (b - a) * N * (binom.pmf(j, N - 1, a) if N > 1 else np.ones(1))
    return first - (binom.sf(j, N, b) - binom.sf(j, N, a))


def step_error(prof, a: Any, b: Any) -> Any:
    """Exact error ``∫_a^b (b - u) h'(u) du`` of one Bernoulli step, in the profile's arithmetic."""
    if prof.precision == "float":
        return max(float(step_coefficients(prof.N, float(a), float(b)) @ prof.as_array()), 0.0)
    ar, N = prof.arithmetic, prof.N
    with ar.workprec():
        A, B = ar.convert(a), ar.convert(b)

        def pmf(n, j, x):
            return ar.binomial(n, j) * x ** j * (ar.one - x) ** (n - j)

        terms = []
        for j in range(N):
            tail_b = ar.sum([pmf(N, i, B) for i in range(j + 1, N + 1)])
            tail_a = ar.sum([pmf(N, i, A) for i in range(j + 1, N + 1)])
            terms.append(((B - A) * N * pmf(N - 1, j, A) - (tail_b - tail_a)) * prof.h[j])
        return ar.finalize(ar.sum(terms))


class WainwrightSchedule(Result):
    """Wainwright's Prop. 1 sampler for a block partition (:func:`wainwright_schedule`).

    Attributes
    ----------
    K : int
        The budget of interior steps (his ``N``).
    M : int
        Blocks.
    cardinality : bool
        False: the Bernoulli sampler on ``grid``; True: the fixed-cardinality sampler with ``sizes``.
    breakpoints : tuple
        The partition used (uniform in log-odds, the boundary programme's, or the caller's).
    S, H : tuple
        Per block: log-reveal-odds length and growth mass (card masses when ``cardinality``).
    C : number
        ``(Σ √(S_m H_m))²`` (exact in the profile's arithmetic for the Bernoulli version).
    rho : tuple
        The multipliers ``ρ_m``.
    block_steps : tuple
        Steps taken inside each block; ``interior_steps = Σ block_steps <= K``.
    steps : int
        Steps actually used in all: ``interior_steps`` plus the initial and the clean-up step.
    grid : tuple
        Reveal fractions ``0, t_0, ..., T, 1`` (Bernoulli); for ``cardinality``, the counts ``a_j / N``.
    sizes : tuple or None
        Tokens per step (``cardinality``): ``a_0, a_1 - a_0, ..., N - A``.
    kl : number
        The sampler's exact expected KL: :func:`~symsched.schedules.grids.bernoulli_expected_kl` of
        ``grid`` (Bernoulli) or :func:`~symsched.schedules.kl.expected_kl` of ``sizes``.
    init, completion : number
        Exact errors of the first step (fully masked to ``t_0``) and of the clean-up step (``T`` to 1).
    thm1 : float or Estimate
        His Thm 1 (17a / 17b) evaluated on this grid: ``Σ (ψ-ratio - 1) H(step) + init + completion``.
    bound : number
        ``4C/K + init + completion`` (Prop. 1, 28b) >= ``thm1`` >= ``kl``.
    lower : number
        ``C/K``: below the optimum ``ip_value`` of the integer programme (26b) (eq. 28c).
    allocation, ip_value : tuple, float
        The exact optimum of (26b): steps per block and ``Σ (exp(S_m/K_m) - 1) H_m``.
    partition : PartitionComplexity or None
        The Bernoulli partition complexity (None for ``cardinality``).
    note : str
    """

    _headline = "kl"
    _fields = ("K", "M", "cardinality", "steps", "block_steps", "rho", "kl", "thm1", "bound", "lower", "ip_value",
               "allocation", "C", "init", "completion", "breakpoints", "grid", "sizes", "exact", "note")
    _repr_fields = ("K", "M", "steps", "kl", "bound")

    def __init__(self, **kw):
        for k, v in kw.items():
            setattr(self, k, v)
        self._freeze()

    @property
    def interior_steps(self) -> int:
        return int(sum(self.block_steps))


def geometric_bernoulli(breakpoints: tuple, rho: tuple) -> tuple:
    """Interior grid points and steps per block for geometric reveal odds (float)."""
    lam = [phi(float(b)) for b in breakpoints]
    pts: list = [breakpoints[0]]
    steps = []
    for m, r in enumerate(rho):
        S = lam[m + 1] - lam[m]
        inc = math.log1p(r)
        n = max(1, math.ceil(S / inc * (1 - 1e-12)))
        for j in range(1, n):
            pts.append(1.0 / (1.0 + math.exp(-(lam[m] + j * inc))))
        pts.append(breakpoints[m + 1])
        steps.append(n)
    return tuple(pts), tuple(steps)


def _exactify(prof, x: Any) -> Any:
    """A grid point for the profile's arithmetic: floats become exact Fractions unless the profile is float."""
    if prof.precision == "float" or not isinstance(x, (float, np.floating)):
        return x
    return Fraction(float(x))


def _add(prof, *terms) -> Any:
    if prof.precision == "float":
        return math.fsum(float(t) for t in terms)
    ar = prof.arithmetic
    with ar.workprec():
        total = ar.sum([ar.convert(t) for t in terms])
    return total if prof.precision == "symbolic" else ar.finalize(total)


def _check_K(K: Any, M: int, t0: Any, T: Any) -> int:
    K = check_steps(K, "K", "wainwright_schedule")
    need = minimum_steps(M, float(t0), float(T))
    if K < need:
        raise SymschedError(f"wainwright_schedule: Prop. 1 needs K >= 2(M + 2 ln(psi(T)/psi(t0))) = "
                            f"{2 * (M + 2 * (phi(float(T)) - phi(float(t0)))):.4g} steps for M = {M} blocks on "
                            f"[{float(t0):.4g}, {float(T):.4g}]: ask for K >= {need} (or fewer blocks)")
    return K


def _bernoulli(prof, estimated: bool, pc: PartitionComplexity, K: int) -> dict:
    rho = pc.rho(K)
    inner, block_steps = geometric_bernoulli(pc.breakpoints, rho)
    grid = (0, *[_exactify(prof, x) for x in inner], 1)
    t0, T = pc.breakpoints[0], pc.breakpoints[-1]
    fg = FloatGrowth(prof.as_array())
    g = [float(x) for x in grid]
    cum = fg.cumulative(np.array(g[1:-1]))
    body = math.fsum((g[k + 1] * (1 - g[k]) / (g[k] * (1 - g[k + 1])) - 1) * max(cum[k] - cum[k - 1], 0.0)
                     for k in range(1, len(g) - 2))
    alloc, ip_value = pc.allocation(K)
    if estimated:
        kl = bernoulli_expected_kl(prof, [float(x) for x in grid])
        c_init = step_coefficients(prof.N, 0.0, float(t0))
        c_comp = step_coefficients(prof.N, float(T), 1.0)
        h = prof.as_array()
        init, completion = float(c_init @ h), float(c_comp @ h)
        se = _bound_stderr(prof, pc, K, c_init + c_comp)
        bound = Estimate(4 * float(pc.C) / K + init + completion, se, "4C/K + init + completion")
        lower = Estimate(float(pc.C) / K, pc.C.stderr / K, "C/K")
        # Thm 1's value is linear in h too: each interior block's mass times its coefficient, plus the ends
        grad = c_init + c_comp
        for k in range(1, len(g) - 2):
            if cum[k] - cum[k - 1] > 0:
                grad = grad + (g[k + 1] * (1 - g[k]) / (g[k] * (1 - g[k + 1])) - 1) * fg.h_coefficients(g[k], g[k + 1])
        thm1 = Estimate(body + init + completion, prof.linear_stderr(grad), "Thm 1")
        init = Estimate(init, prof.linear_stderr(c_init), "init")
        completion = Estimate(completion, prof.linear_stderr(c_comp), "completion")
    else:
        kl = bernoulli_expected_kl(prof, grid)
        init, completion = step_error(prof, 0, t0), step_error(prof, T, 1)
        ar = prof.arithmetic
        with ar.workprec():
            C = ar.convert(pc.C) if prof.precision != "symbolic" else pc.C
            bound = _add(prof, 4 * C / K, init, completion)
            lower = C / K if prof.precision == "symbolic" else ar.finalize(C / K)
        thm1 = body + float(init) + float(completion)
    return dict(rho=rho, block_steps=block_steps, grid=grid, sizes=None, kl=kl, init=init, completion=completion,
                thm1=thm1, bound=bound, lower=lower, allocation=alloc, ip_value=ip_value, C=pc.C, S=pc.S, H=pc.H,
                partition=pc)


def _bound_stderr(prof, pc: PartitionComplexity, K: int, c_ends: np.ndarray) -> float:
    """Delta-method standard error of ``4C/K + init + completion`` (all functions of the same ``h``)."""
    b = np.array([float(x) for x in pc.breakpoints])
    fg = FloatGrowth(prof.as_array())
    S = np.array([float(s) for s in pc.S])
    H = np.array([float(x) for x in pc.H])
    root = math.sqrt(float(pc.C))
    grad = np.array(c_ends, dtype=float)
    for m in range(pc.M):
        if H[m] > 0:
            grad += 4 / K * root * math.sqrt(S[m] / H[m]) * fg.h_coefficients(b[m], b[m + 1])
    return prof.linear_stderr(grad)


def _card_masses(h: np.ndarray, N: int, a: int, b: int) -> float:
    """``H^card(a, b) = Σ_{j=a+1}^{b-1} (j/N)(1 - j/N) N (h_{j-1} - h_j)`` (eq. 16b in our ``h``)."""
    j = np.arange(a + 1, b)
    return float(np.sum(j / N * (1 - j / N) * N * (h[j - 1] - h[j]))) if len(j) else 0.0


def _cardinality(prof, estimated: bool, counts: tuple, K: int) -> dict:
    N = prof.N
    h = prof.as_array()
    M = len(counts) - 1
    def psi(a):
        return a / (N - a)

    S = [math.log(psi(counts[m + 1]) / psi(counts[m])) for m in range(M)]
    H = [_card_masses(h, N, counts[m], counts[m + 1]) for m in range(M)]
    root = math.fsum(math.sqrt(s * x) for s, x in zip(S, H))
    C = root ** 2
    rho = tuple(1.0 if x <= 0 else min(1.0, 4 * root / K * math.sqrt(s / x)) for s, x in zip(S, H))
    a = [counts[0]]
    block_steps = []
    thm1_body = 0.0
    for m in range(M):
        end, n = counts[m + 1], 0
        while a[-1] < end:
            cap = (1 + rho[m]) * psi(a[-1] + 1)
            nxt = a[-1] + 1
            while nxt < end and psi(nxt + 1) <= cap * (1 + 1e-12):
                nxt += 1
            thm1_body += (psi(nxt) / psi(a[-1] + 1) - 1) * _card_masses(h, N, a[-1], nxt)
            a.append(nxt)
            n += 1
        block_steps.append(n)
    sizes = (counts[0], *np.diff(a).tolist(), N - counts[-1])
    sizes = tuple(int(s) for s in sizes if s)  # an empty first or last step is no step
    kl = expected_kl(prof, sizes)
    init, completion = block_cost(prof, 0, int(counts[0])), block_cost(prof, int(counts[-1]), N)
    alloc, ip_value = block_allocation(np.array(S), np.array(H), K)
    ends = float(init) + float(completion)
    note = "fixed-cardinality version: card growth masses H^card (eq. 16b), Thm 1 (17b) per step"
    bound = 4 * C / K + ends
    lower = C / K
    if estimated:
        note += "; computed on the estimate's monotone projection (C, bound, lower are point estimates)"
    return dict(rho=rho, block_steps=tuple(block_steps), grid=tuple(Fraction(x, N) for x in a), sizes=sizes, kl=kl,
                init=init, completion=completion, thm1=thm1_body + ends, bound=bound, lower=lower,
                allocation=alloc, ip_value=ip_value, C=C, S=tuple(S), H=tuple(H), partition=None, note=note)


def _card_counts(prof, breakpoints: tuple) -> tuple:
    N = prof.N
    counts = []
    for b in breakpoints:
        a = float(b) * N
        if abs(a - round(a)) > 1e-9:
            raise SymschedError(f"wainwright_schedule: cardinality=True needs breakpoints on the grid j/N (N = {N}), "
                                f"got {b!r}")
        counts.append(int(round(a)))
    return tuple(counts)


def wainwright_schedule(profile: Any, K: int, blocks: int | None = None, *, breakpoints: Any = None, t0: Any = None,
                        T: Any = None, cardinality: bool = False, partition: str = "uniform",
                        mesh: int = 400) -> WainwrightSchedule:
    """Wainwright's Prop. 1 sampler (eqs. 27–28): geometric reveal odds in each block, its exact KL and bounds.

    Parameters
    ----------
    profile : InformationProfile or sequence
    K : int
        Budget of interior steps (his ``N``); Prop. 1 needs ``K >= 2{M + 2 ln(ψ(T)/ψ(t_0))}`` and the call
        refuses smaller ``K``, naming the minimum. The sampler uses ``Σ_m ⌈S_m/ln(1+ρ_m)⌉ <= K`` interior
        steps, plus one initial step from the fully masked state to ``t_0`` and one clean-up step from ``T``
        to 1 (``steps`` counts all of them).
    blocks : int, optional
        ``M`` (default 1). The partition of ``[t0, T]``: equal log-odds lengths (``partition="uniform"``) or
        Wainwright's boundary programme (39) on a ``mesh``-interval log-odds mesh (``partition="optimal"``).
    breakpoints : sequence, optional
        An explicit partition ``t_0 = b_0 < ... < b_M = T`` instead of ``blocks``.
    t0, T : number, optional
        The interval (default ``1/N`` and ``1 - 1/N``).
    cardinality : bool
        The fixed-cardinality sampler (eqs. 15b–17b) on counts ``a_j``; breakpoints are rounded to
        multiples of ``1/N`` (``w.sizes``). Its ``init`` / ``completion`` are the exact errors of revealing
        ``N t_0`` tokens at once first and the last ``N (1 - T)`` at once at the end (zero for the defaults).

    Returns
    -------
    WainwrightSchedule
        ``float(w)`` is ``w.kl``, the exact expected KL of the sampler's own grid. The initial and the
        clean-up steps are part of it, and ``w.init`` / ``w.completion`` are their exact errors (the
        ``KL(P_{t_0} || Q_{t_0})`` and completion defect of his bound for these choices). Always
        ``kl <= thm1 <= bound = 4C/K + init + completion`` and ``lower = C/K <= ip_value``.

    Examples
    --------
    >>> import symsched as ss
    >>> prof = ss.information_profile(ss.copy_model(8, 2))
    >>> w = ss.wainwright_schedule(prof, 40, blocks=2)
    >>> w.interior_steps <= 40, w.kl <= w.thm1 <= w.bound, w.lower <= w.ip_value
    (True, True, True)
    """
    prof, estimated = _working_profile(profile)
    if not isinstance(cardinality, (bool, np.bool_)):
        raise SymschedError(f"wainwright_schedule: cardinality must be True or False, got {cardinality!r}")
    if partition not in ("uniform", "optimal"):
        raise SymschedError(f'wainwright_schedule: partition must be "uniform" or "optimal", got {partition!r}')
    if breakpoints is not None:
        if blocks is not None or t0 is not None or T is not None or partition != "uniform":
            raise SymschedError("wainwright_schedule: with breakpoints=, leave blocks, t0, T and partition unset")
        pc = partition_complexity(prof, breakpoints)
    else:
        if prof.N < 3 and (t0 is None or T is None):
            raise SymschedError(f"wainwright_schedule: N = {prof.N} < 3 has no canonical interval [1/N, 1 - 1/N]; "
                                "give t0 and T")
        lo, hi = canonical_interval(prof.N, t0, T)
        M = check_steps(1 if blocks is None else blocks, "blocks", "wainwright_schedule")
        pc = partition_complexity(prof, blocks=M, t0=lo, T=hi, optimize=partition == "optimal", mesh=mesh)
    bp = pc.breakpoints
    note = pc.note
    if cardinality:
        counts = _card_counts(prof, (bp[0], bp[-1])) if breakpoints is None else _card_counts(prof, bp)
        if breakpoints is None:
            inner = sorted({int(round(float(b) * prof.N)) for b in bp[1:-1]} - {counts[0], counts[1]})
            counts = (counts[0], *[c for c in inner if counts[0] < c < counts[1]], counts[1])
        K = _check_K(K, len(counts) - 1, Fraction(counts[0], prof.N), Fraction(counts[-1], prof.N))
        parts = _cardinality(prof, estimated, counts, K)
        bp = tuple(Fraction(c, prof.N) for c in counts)
        note = "; ".join(x for x in (note, parts.pop("note")) if x)
    else:
        K = _check_K(K, pc.M, bp[0], bp[-1])
        parts = _bernoulli(prof, estimated, pc, K)
    steps = len(parts["sizes"]) if cardinality else int(sum(parts["block_steps"])) + 2
    return WainwrightSchedule(K=K, M=len(bp) - 1, cardinality=bool(cardinality), breakpoints=bp, steps=steps,
                              exact=not estimated, note=note, precision=prof.precision, **parts)
