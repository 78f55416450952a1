"""Certified schedules from samples: Wainwright's Lemma 1 estimator, Prop. 2 and Thm 2 (docs/concepts.md §9).

Along a *forced-mask* reveal trajectory for token ``i`` (``i`` kept masked, every other token ``l`` revealed
once its uniform time ``U_l <= t``, the same ``U`` at every ``t``), the denoiser's law ``μ_i(·, X_{t|i})``
changes as ``t`` grows. His Lemma 1: ``(q - p) Σ_i E KL(μ_i(·, X_{q|i}) || μ_i(·, X_{p|i})) = (q - p)(h(q) - h(p))
=: D(p, q)`` exactly, and ``D <= H(p, q) <= 2D`` when ``ψ(q)/ψ(p) <= 2``. Cutting a block ``[p, q]`` at the
reveal-odds doublings ``v_j`` (32a), one clean sample gives the statistic ``Q = Σ_i Σ_j (v_{j+1} - v_j)
KL(μ_i(X_{v_{j+1}|i}) || μ_i(X_{v_j|i}))`` (32b) with ``E Q <= H(p, q) <= 2 E Q``. Over ``m`` samples,
the truncated mean ``Ĥ = (2/m) Σ min{Q, τ}`` (33b) and the radius (36a, the per-block form of 34b)

    r̂ = √(2 V̂ ln(4/η) / m) + 4 (q - p) B_α (7 ln(4/η) / (3(m - 1)))^{1 - 2/α}

give ``H(p, q) <= Ĥ + r̂`` with probability ``>= 1 - η`` (Prop. 2) when ``B_α`` bounds the ``α/2``-th moment
of the per-level KL sums (33a). Thm 2: with ``Ĉ = (Σ_k √(S_k (Ĥ_k + r̂_k)))²`` and ``ρ̂_k = min{1, (4√Ĉ/K)
√(S_k/(Ĥ_k + r̂_k))}``, ``KL <= 4Ĉ/K + init + completion`` with probability ``>= 1 - δ``; ``K >= 8Ĉ/ε``
gives ``KL <= ε`` when the ends are at most ``ε/2`` (eq. 38).

symsched's ends: the initial Bernoulli step ``[0, t_0]`` and the clean-up step ``[T, 1]`` have exact errors
``∫_a^b (b - u) h'(u) du <= (b - a)(h(b) - h(a)) = D(a, b)``, which the same trajectories estimate without
bias (one level each, no factor 2). The failure probability ``δ`` is split evenly over the ``M`` blocks and
the two ends. The certified step count is the smallest ``K`` (at least Prop. 1's minimum) with
``4Ĉ/K + init_upper + completion_upper <= ε``; his ``⌈8Ĉ/ε⌉`` is reported beside it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import ModelTooLargeError, SymschedError
from ..info.denoisers.denoiser import check_tokens, exact_denoiser, salted_rng
from ..info.estimators.montecarlo import sample_exact
from ..models.base import DiscreteModel
from ..results import Result
from ..validation import check_steps, data_rows
from .partition import _check_breakpoints, canonical_interval, phi, uniform_breakpoints
from .wainwright import geometric_bernoulli, minimum_steps

__all__ = ["certify_schedule", "ScheduleCertificate"]

#: Default budget on denoiser rows (one row = one sequence with one revealed set).
DEFAULT_MAX_ROWS = 2 * 10 ** 6


def dyadic_levels(p: float, q: float) -> list:
    """Reveal-odds doublings of ``[p, q]`` (32a): ``ψ(v_j) = min{2^j ψ(p), ψ(q)}``."""
    lo, hi = phi(p), phi(q)
    J = max(1, math.ceil((hi - lo) / math.log(2) - 1e-12))
    return [p] + [1 / (1 + math.exp(-(lo + j * math.log(2)))) for j in range(1, J)] + [q]


class ScheduleCertificate(Result):
    """A data-certified Bernoulli schedule (:func:`certify_schedule`).

    Attributes
    ----------
    K : int or None
        Certified number of interior steps: the smallest ``K >= 2{M + 2 ln(ψ(T)/ψ(t_0))}`` with
        ``certified_bound <= eps`` (None when the estimated ends alone exceed ``eps``).
    k_paper : int
        Wainwright's ``⌈8Ĉ/ε⌉`` (eq. 38; valid when ``init_upper + completion_upper <= ε/2``).
    certified_bound : float or None
        ``4Ĉ/K + init_upper + completion_upper``: the KL bound holding with probability ``>= 1 - delta``.
    C_hat : float
        ``(Σ_k √(S_k (Ĥ_k + r̂_k)))²`` (36b).
    H_hat, radius : tuple
        Per block: the truncated estimate ``Ĥ_k`` (33b) and its radius ``r̂_k`` (36a).
    S, breakpoints : tuple
    init_upper, completion_upper : float
        Upper confidence limits of ``D(0, t_0)`` and ``D(T, 1)``, which bound the exact errors of the initial
        and the clean-up steps.
    grid, rho, steps : tuple, tuple, int
        Thm 2's schedule for ``K``: reveal fractions ``0, t_0, ..., T, 1``, multipliers ``ρ̂_k``, and
        the number of steps it uses (interior plus the two end steps).
    moment_bound, alpha : float
        ``B_α`` of (33a) and ``α``; ``moment_estimated`` says whether ``B_α`` was a plug-in from the samples.
    samples : int
    eps, delta : float
    note : str
    """

    _headline = "K"
    _fields = ("K", "k_paper", "eps", "delta", "certified_bound", "C_hat", "H_hat", "radius", "S", "init_upper",
               "completion_upper", "steps", "rho", "moment_bound", "alpha", "moment_estimated", "samples",
               "breakpoints", "grid", "note")
    _repr_fields = ("K", "C_hat", "certified_bound", "eps")
    exact = False

    def __init__(self, **kw):
        for k, v in kw.items():
            setattr(self, k, v)
        self._freeze()


def _resolve(source: Any, denoiser: Any, data: Any, samples: int, seed: Any) -> tuple:
    if isinstance(source, DiscreteModel):
        if denoiser is not None or data is not None:
            raise SymschedError("certify_schedule: with a model, the denoiser (its exact conditionals) and the data "
                                "(samples drawn from it) are made here; leave denoiser and data unset")
        return exact_denoiser(source), sample_exact(source, samples, seed=salted_rng(seed, 27)), \
            tuple(source.cardinalities)
    if callable(source) and not isinstance(source, np.ndarray):
        if data is None:
            raise SymschedError("certify_schedule: a denoiser needs data= (clean sample rows, shape (m, N))")
        den, rows = source, data
    else:
        if denoiser is None or not callable(denoiser):
            raise SymschedError("certify_schedule: source must be a model, a denoiser (with data=) or data rows (with "
                                f"denoiser=, a callable tokens -> probabilities); got source = {source!r:.60}")
        if data is not None:
            raise SymschedError("certify_schedule: pass the data once (as the first argument or data=)")
        den, rows = denoiser, source
    x = check_tokens(data_rows(rows, "certify_schedule", "data")[0], what="certify_schedule data")
    if (x < 0).any():
        raise SymschedError("certify_schedule: data rows must be clean samples (no -1 masked entries)")
    return den, x, None


def level_kls(den: Callable, x: np.ndarray, levels: np.ndarray, rng: np.random.Generator, batch: int) -> np.ndarray:
    """``K[l, j] = Σ_i KL(μ_i(X_{v_{j+1}|i}) || μ_i(X_{v_j|i}))`` for sample ``l`` and consecutive levels."""
    m, N = x.shape
    L = len(levels)
    U = rng.random((m, N))
    out = np.zeros((m, L - 1))
    eye = np.eye(N, dtype=bool)
    per = max(1, batch // (N * L))
    for start in range(0, m, per):
        xs, us = x[start:start + per], U[start:start + per]
        b = len(xs)
        revealed = (us[:, None, None, :] <= levels[None, :, None, None]) & ~eye[None, None, :, :]  # (b, L, i, l)
        tokens = np.where(revealed, xs[:, None, None, :], -1).reshape(b * L * N, N)
        probs = np.asarray(den(tokens), dtype=float)
        if probs.ndim != 3 or probs.shape[:2] != (b * L * N, N) or not np.all(np.isfinite(probs)):
            raise SymschedError(f"certify_schedule: the denoiser returned shape {probs.shape}, expected "
                                f"({b * L * N}, {N}, V) of finite probabilities")
        mu = probs.reshape(b, L, N, N, -1)[:, :, np.arange(N), np.arange(N), :]   # (b, L, i, V): position i
        mu = np.clip(mu, 0.0, None)
        mu = mu / np.maximum(mu.sum(axis=-1, keepdims=True), 1e-300)
        P, Q = mu[:, 1:], mu[:, :-1]
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(P > 0, P * (np.log(P) - np.log(np.maximum(Q, 1e-300))), 0.0)
        out[start:start + b] = np.maximum(terms.sum(axis=(-1, -2)), 0.0)
    return out


def _truncated(stat_levels: np.ndarray, widths: np.ndarray, factor: float, eta: float, alpha: float,
               B: float) -> tuple:
    """Prop. 2 for one piece: ``(estimate, radius)`` from the per-sample level KL sums of that piece."""
    m = stat_levels.shape[0]
    Q = stat_levels @ widths
    span = float(widths.sum())
    lg = math.log(4 / eta)
    c = 7 * lg / (3 * (m - 1))
    if math.isfinite(alpha):   # truncation at tau = M c^(-2/alpha): Bernstein range term and bias, each M c^(1-2/alpha)
        tau = span * B * c ** (-2 / alpha)
        tail = 2 * span * B * c ** (1 - 2 / alpha)
    else:                      # B bounds the level sums almost surely: no truncation bias
        tau = span * B
        tail = tau * c
    Y = factor * np.minimum(Q, tau)
    est = float(Y.mean())
    V = float(np.var(Y, ddof=1))
    radius = math.sqrt(2 * V * lg / m) + factor * tail
    return est, radius


def _moment(stat_levels: np.ndarray, alpha: float) -> float:
    """Plug-in ``B_α = max_j (mean_l K_{l,j}^{α/2})^{2/α}`` (the sample's largest value for ``α = inf``)."""
    if not math.isfinite(alpha):
        return float(stat_levels.max(initial=0.0))
    return float(np.max(np.mean(stat_levels ** (alpha / 2), axis=0)) ** (2 / alpha))


def certify_schedule(source: Any, eps: float, delta: float = 0.05, *, denoiser: Callable | None = None,
                     data: Any = None, samples: int = 200, blocks: int = 1, breakpoints: Any = None, t0: Any = None,
                     T: Any = None, alpha: float = 4.0, moment_bound: float | None = None, seed: Any = 0,
                     max_rows: float | None = None, batch_size: int = 4096) -> ScheduleCertificate:
    """A Bernoulli schedule certified from samples to have KL <= ``eps`` with probability >= ``1 - delta``.

    Parameters
    ----------
    source : model, denoiser or data
        A symsched model (its exact conditionals and ``samples`` draws from it), a denoiser (callable
        ``tokens (B, N) -> probabilities (B, N, V)``, with ``data=``), or clean data rows (with ``denoiser=``).
    eps : float
        Target KL (nats).
    delta : float
        Failure probability, split evenly over the ``M`` blocks and the two end steps.
    blocks, breakpoints, t0, T
        The partition: ``blocks`` of equal log-odds length on ``[t0, T]`` (default ``1/N``, ``1 - 1/N``), or
        explicit ``breakpoints``.
    alpha, moment_bound : float
        Moment order ``α >= 4`` (``inf``: an almost-sure bound) and ``B_α`` of his condition (33a). Without
        ``moment_bound`` a plug-in from the same samples is used — the probability statement then holds
        only insofar as the plug-in bounds the moment (``moment_estimated`` True; the note says so).
    max_rows : float
        Budget on denoiser rows (``samples x N x levels``; default 2e6): refused over it with the estimate.

    Returns
    -------
    ScheduleCertificate
        ``float()`` is ``K``, the certified number of interior steps (None when the end terms alone exceed
        ``eps``: widen ``[t0, T]``). The estimates are never exact (``exact = False``).

    Examples
    --------
    >>> import symsched as ss
    >>> c = ss.certify_schedule(ss.copy_model(4, 2), eps=3.0, samples=40, seed=1)
    >>> c.K is not None and c.certified_bound <= 3.0, len(c.H_hat)
    (True, 1)
    """
    den, x, _ = _resolve(source, denoiser, data, check_steps(samples, "samples", "certify_schedule"), seed)
    m, N = x.shape
    if m < 2:
        raise SymschedError(f"certify_schedule: need at least 2 sample rows, got {m}")
    for name, v in (("eps", eps), ("delta", delta)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)) \
                or not math.isfinite(float(v)) or v <= 0:
            raise SymschedError(f"certify_schedule: {name} must be a positive number, got {v!r}")
    if not delta < 1:
        raise SymschedError(f"certify_schedule: delta must be below 1, got {delta!r}")
    if not (isinstance(alpha, (int, float, np.integer, np.floating)) and not isinstance(alpha, bool)
            and alpha >= 4):
        raise SymschedError(f"certify_schedule: alpha must be a number >= 4 (or inf), got {alpha!r}")
    if moment_bound is not None and not (isinstance(moment_bound, (int, float, np.integer, np.floating))
                                         and math.isfinite(moment_bound) and moment_bound > 0):
        raise SymschedError(f"certify_schedule: moment_bound must be a positive number, got {moment_bound!r}")
    if breakpoints is not None:
        if blocks != 1 or t0 is not None or T is not None:
            raise SymschedError("certify_schedule: with breakpoints=, leave blocks, t0 and T unset")
        bp = tuple(float(b) for b in _check_breakpoints(breakpoints))
    else:
        if N < 3 and (t0 is None or T is None):
            raise SymschedError(f"certify_schedule: N = {N} < 3 has no canonical interval; give t0 and T")
        lo, hi = canonical_interval(N, t0, T)
        bp = tuple(float(b) for b in uniform_breakpoints(lo, hi,
                                                         check_steps(blocks, "blocks", "certify_schedule")))
    M = len(bp) - 1
    pieces = [dyadic_levels(bp[k], bp[k + 1]) for k in range(M)]
    levels = sorted({0.0, 1.0, *[v for pc in pieces for v in pc]})
    rows = m * N * len(levels)
    budget = DEFAULT_MAX_ROWS if max_rows is None else float(max_rows)
    if rows > budget:
        raise ModelTooLargeError(f"certify_schedule: {m} samples x N = {N} x {len(levels)} reveal levels", rows,
                                 budget, "use fewer samples or blocks, or raise max_rows")
    lev = np.array(levels)
    Kl = level_kls(den, x, lev, salted_rng(seed, 2027), batch_size)
    index = {v: j for j, v in enumerate(levels)}
    eta = delta / (M + 2)

    def piece(a, b):
        j0, j1 = index[a], index[b]
        return Kl[:, j0:j1], np.diff(lev[j0:j1 + 1])

    moment_estimated = moment_bound is None
    H_hat, radius = [], []
    for k in range(M):
        st, wd = piece(bp[k], bp[k + 1])
        B = _moment(st, alpha) if moment_estimated else float(moment_bound)
        e, r = _truncated(st, wd, 2.0, eta, float(alpha), B)
        H_hat.append(e)
        radius.append(r)
    ends = []
    for a, b in ((0.0, bp[0]), (bp[-1], 1.0)):
        st, wd = piece(a, b)
        B = _moment(st, alpha) if moment_estimated else float(moment_bound)
        e, r = _truncated(st, wd, 1.0, eta, float(alpha), B)
        ends.append(e + r)
    S = [phi(bp[k + 1]) - phi(bp[k]) for k in range(M)]
    upper = [h + r for h, r in zip(H_hat, radius)]
    C_hat = math.fsum(math.sqrt(s * u) for s, u in zip(S, upper)) ** 2
    kmin = minimum_steps(M, bp[0], bp[-1])
    room = eps - ends[0] - ends[1]
    K = max(kmin, math.ceil(4 * C_hat / room - 1e-12)) if room > 0 else None
    note = (f"B_alpha is a plug-in from the same {m} samples (alpha = {alpha}): the confidence statement assumes it "
            "bounds the moment (33a)") if moment_estimated else f"B_alpha = {moment_bound} given (alpha = {alpha})"
    if K is None:
        note += f"; the estimated end terms ({ends[0] + ends[1]:.4g}) alone exceed eps: widen [t0, T]"
        grid, rho, steps, bound = (), (), 0, None
    else:
        rho = tuple(1.0 if u <= 0 else min(1.0, 4 * math.sqrt(C_hat) / K * math.sqrt(s / u)) for s, u in zip(S, upper))
        inner, block_steps = geometric_bernoulli(bp, rho)
        grid = (0.0, *inner, 1.0)
        steps = int(sum(block_steps)) + 2
        bound = 4 * C_hat / K + ends[0] + ends[1]
    return ScheduleCertificate(K=K, k_paper=math.ceil(8 * C_hat / eps - 1e-12), eps=float(eps), delta=float(delta),
                               certified_bound=bound, C_hat=C_hat, H_hat=tuple(H_hat), radius=tuple(radius),
                               S=tuple(S), init_upper=ends[0], completion_upper=ends[1], steps=steps, rho=rho,
                               moment_bound=None if moment_estimated else float(moment_bound), alpha=float(alpha),
                               moment_estimated=moment_estimated, samples=m, breakpoints=bp, grid=grid, note=note)
