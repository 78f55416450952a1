"""Bounds of Wainwright's continuous-time view (issue #14), beside the exact values.

* :func:`wainwright_thm1_bound` — Wainwright's Thm 1 for the Bernoulli sampler on a grid.
* :func:`wainwright_asymptote` — his Thm 3's leading term ``P/(2K)`` for the optimal grid (an order).

Fast-dLLM's Theorem 1 (KL, TV and greedy statements) lives in :mod:`symsched.samplers.fastdllm`
(``fast_dllm_bounds``, ``fast_dllm_check``), checked against exact values there; it is not repeated here.

Wainwright's Prop. 1, Cor. 1 and Lemma 3 (block schedules) live in :mod:`symsched.bounds.wainwright`.

It uses :class:`~symsched.bounds.statements.Bound` and only adds rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import SymschedError
from ..info.profile import as_profile
from .statements import Bound, Source
from ..schedules.grids import bernoulli_expected_kl, reveal_grid
from ..schedules.growth import unmasking_growth

__all__ = ["wainwright_thm1_bound", "wainwright_asymptote", "WAINWRIGHT"]

WAINWRIGHT = Source("WAINWRIGHT", "Wainwright", "The data geometry of masking diffusion: certified-optimal schedules "
                    "via unmasking growth complexity", year=2026, venue="",
                    read="read in full (docs/references.md); the initial "
                    "and completion terms of Thm 1 are not restated there")


def wainwright_thm1_bound(profile: Any, grid: Any, initial: Any = None, completion: Any = None) -> Bound:
    r"""Wainwright's Thm 1 for the Bernoulli sampler: ``KL ≤ Σ_k (ψ(t_k)/ψ(t_{k−1}) − 1) H(t_{k−1}, t_k)`` + ends.

    ``ψ(t) = t/(1−t)``, ``H(p, q)`` the growth complexity. The interior terms (steps with ``t_{k−1} > 0``
    and ``t_k < 1``) are each an upper bound on that step's exact error
    ``∫_{t_{k−1}}^{t_k} (t_k − s) h'(s) ds``: ``ψ(b)/ψ(a) − 1 = (b − a)/(a(1 − b))`` and
    ``b − s ≤ (b − a) s(1 − s)/(a(1 − b))`` on ``[a, b]`` (equality fails only in the right direction at
    both ends, and the right side is concave). The paper's *initial and completion terms* (first and last
    steps, where ``ψ`` is 0 or infinite) are not restated in docs/references.md: pass them as ``initial`` and
    ``completion``; by default the exact errors of the first and last steps stand in for them (the row's
    note says so).

    Examples
    --------
    >>> import symsched as ss
    >>> h, grid = [0.9, 0.6, 0.5, 0.2], [0, 0.3, 0.6, 1]
    >>> wainwright_thm1_bound(h, grid).check(ss.bernoulli_expected_kl(h, grid))
    True
    """
    prof = as_profile(profile)
    pts = reveal_grid(grid)
    g = unmasking_growth(prof)
    K = len(pts) - 1
    interior = []
    ar = prof.arithmetic
    with ar.workprec():
        for a, b in zip(pts[1:-2], pts[2:-1]):
            A, B = ar.convert(a), ar.convert(b)
            interior.append((B - A) / (A * (ar.one - B)) * ar.convert(g.mass(a, b)))
        body = ar.sum(interior) if interior else ar.zero
    notes = []
    if K == 1:
        first = bernoulli_expected_kl(prof, pts)
        ends = [first]
        notes.append("one step: the bound is the exact error")
    else:
        if initial is None:
            initial = _first_step_error(prof, pts[1])
            notes.append("initial term KL(P_t0 || Q_t0): the exact error of the first step")
        if completion is None:
            completion = _last_step_error(prof, pts[-2])
            notes.append("completion term Gamma_C(T): the exact error of the last step")
        ends = [initial, completion]
    with ar.workprec():
        value = body + ar.sum([ar.convert(x) for x in ends])
    value = float(value) if prof.precision == "float" else ar.finalize(value)
    return Bound("Wainwright Thm 1", "upper", "E KL (Bernoulli sampler)",
                 statement=r"\mathbb{E}\,\mathrm{KL} \le \sum_k \Bigl(\tfrac{\psi(t_k)}{\psi(t_{k-1})} - 1\Bigr)"
                 r" H(t_{k-1}, t_k) + \text{initial} + \text{completion},\ \psi(t) = \tfrac{t}{1-t}",
                 source=WAINWRIGHT, where="Thm 1", hypotheses=("Bernoulli sampler", "exact conditionals"), proven=True,
                 value=value,
                 parameters={"N": prof.N, "K": K}, note="; ".join(notes))


def _first_step_error(prof, t1):
    """Exact error of the first step ``[0, t_1]``: the Bernoulli KL of ``[0, t_1, 1]`` minus its last step's."""
    return _sub(prof, bernoulli_expected_kl(prof, [0, t1, 1]), _last_step_error(prof, t1))


def _last_step_error(prof, a):
    """Exact error of the step ``[a, 1]``: ``(1 − a) g(a) − ∫_a^1 g`` with ``g(a) = N Σ_j Binom(j; N−1, a) h_j``
    and ``∫_a^1 g = Σ_j h_j P(Binom(N, a) <= j)``."""
    ar, N = prof.arithmetic, prof.N
    with ar.workprec():
        A = ar.convert(a)

        def pmf(n, j):
            return ar.binomial(n, j) * A ** j * (ar.one - A) ** (n - j)

        ga = N * ar.sum([pmf(N - 1, j) * prof.h[j] for j in range(N)])
        integral = ar.sum([prof.h[j] * ar.sum([pmf(N, i) for i in range(j + 1)]) for j in range(N)])
        val = (ar.one - A) * ga - integral
    return float(val) if prof.precision == "float" else ar.finalize(val)


def _sub(prof, x, y):
    if prof.precision == "float":
        return float(x) - float(y)
    ar = prof.arithmetic
    with ar.workprec():
        return ar.finalize(ar.convert(x) - ar.convert(y))


def wainwright_asymptote(profile: Any, K: int) -> Bound:
    """Wainwright's Thm 3: the optimal Bernoulli grid's error is ``P/(2K) + o(1/K)`` at fixed ``N`` (an order).

    ``P`` here is ``(∫_0^1 √h')²`` (``UnmaskingGrowth.fine_full``); his canonical-interval ``P`` is
    ``UnmaskingGrowth.fine``. Not a bound at finite ``K``.
    """
    if isinstance(K, (bool, np.bool_)) or not isinstance(K, (int, np.integer)) or K < 1:
        raise SymschedError(f"wainwright_asymptote: K must be a positive integer, got {K!r}")
    g = unmasking_growth(profile)
    return Bound("Wainwright Thm 3", "order", "optimal Bernoulli E KL",
                 statement=r"\min_{\text{grid}} \mathbb{E}\,\mathrm{KL}"
                 r" = \frac{P}{2K} + o(1/K)", source=WAINWRIGHT, where="Thm 3",
                 hypotheses=("Bernoulli sampler", "N fixed, K to infinity"),
                 proven=False, value=None, rate=g.fine_full / (2 * K),
                 parameters={"N": g.N, "K": int(K), "P": g.fine_full})
