"""Matplotlib figures: the information profile, a schedule over it, the optimal frontier, the continuum density.

matplotlib is an optional dependency (``pip install symsched[plot]``); it is imported inside each
function so that the rest of symsched works without it.  Every function draws on ``ax`` (a new
figure's axes when ``ax`` is None) and returns the Axes.  Drawn artists carry a ``gid`` naming what
they show (``"profile"``, ``"tc-area"``, ...), so the data on a figure can be read back and checked.

Geometry used throughout: the profile is the step function equal to ``h_j`` on ``[j/N, (j+1)/N)``.
With ``u = j/N`` on the horizontal axis, an area of ``A`` on the figure is ``A * N`` nats, so the
TC, DTC and E KL regions have areas ``TC/N``, ``DTC/N`` and ``E KL/N``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from ..errors import SymschedError
from ..info.profile import as_profile
from ..schedules.error import expected_kl
from ..schedules.families import constant_schedule
from ..schedules.optimal import Frontier, optimal_frontier
from ..schedules.schedule import Schedule

__all__ = ["plot_profile", "plot_schedule", "plot_frontier", "plot_density"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - exercised only without matplotlib
        raise ImportError("symsched's plots need matplotlib: pip install symsched[plot]") from None
    return plt


def _axes(ax):
    if ax is not None:
        return ax
    plt = _pyplot()
    _, ax = plt.subplots(figsize=(6, 4))
    return ax


def _finish_profile_axes(ax, prof, title: str):
    """Axes of a figure drawn over the profile against ``u = j/N``: labels, limits, title, legend."""
    ax.set_xlabel(r"$u = j/N$")
    ax.set_ylabel(rf"$h_j$ ({_unit(prof)})")
    ax.set_xlim(0, 1)
    ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    return ax


def _profile(profile: Any):
    prof = as_profile(profile)
    try:
        return prof, prof.as_array()
    except ValueError as exc:
        raise SymschedError(f"plotting needs numeric h values: {exc}") from None


def _unit(prof) -> str:
    return "nats" if prof.base is None else f"log base {prof.base}"


def plot_profile(profile: Any, ax=None, shade: bool = True):
    """Plot ``h_j`` against ``j/N`` as a step function, with the TC and DTC areas shaded.

    TC is the area between the level ``h_0`` and the profile (above it), DTC the area between the
    profile and the level ``h_{N-1}`` (below it); on the ``u = j/N`` axis these areas are
    ``TC/N`` and ``DTC/N``.

    Parameters
    ----------
    profile : InformationProfile or sequence of h values (numeric; substitute symbols first)
    ax : matplotlib Axes, optional
    shade : bool
        Shade the TC and DTC areas.

    Returns
    -------
    matplotlib Axes
        The step line has ``gid="profile"`` (x data: the ``N+1`` grid points ``j/N``, y data: ``h``
        followed by ``h_{N-1}``); the shaded regions have ``gid="tc-area"`` and ``gid="dtc-area"``.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import symsched as ss
    >>> ax = ss.plot_profile([0.7, 0.4, 0.1])
    >>> [l for l in ax.lines if l.get_gid() == "profile"][0].get_ydata()[:3].tolist()
    [0.7, 0.4, 0.1]
    """
    ax = _axes(ax)
    prof, h = _profile(profile)
    N = len(h)
    u = np.arange(N + 1) / N
    y = np.append(h, h[-1])
    if shade:
        tc = prof.numeric().total_correlation
        dtc = prof.numeric().dual_total_correlation
        a = ax.fill_between(u, y, h[0], step="post", alpha=0.25, color="tab:red",
                            label=f"TC = {tc:.4g} (area x N)")
        a.set_gid("tc-area")
        b = ax.fill_between(u, h[-1], y, step="post", alpha=0.25, color="tab:blue",
                            label=f"DTC = {dtc:.4g} (area x N)")
        b.set_gid("dtc-area")
    (line,) = ax.step(u, y, where="post", color="black", lw=1.8, label=r"$h_j$")
    line.set_gid("profile")
    ax.plot(u[:-1], h, "o", color="black", ms=3)
    return _finish_profile_axes(ax, prof, f"Information profile (N = {N})")


def _as_schedule(schedule: Any):
    if isinstance(schedule, Schedule):
        return schedule
    sizes = getattr(schedule, "sizes", schedule)
    return Schedule(sizes, allow_zero=True)


def plot_schedule(schedule: Any, profile: Any = None, ax=None):
    """Draw a schedule: its blocks over the profile, or its block sizes alone.

    With a profile, the figure shows the profile (step function) and the schedule's left-Riemann
    approximation, equal to ``h_{s_{t-1}}`` on each block ``[s_{t-1}, s_t)``; the shaded gap
    between them has area ``E KL / N`` (the exact identity ``E KL = sum_t k_t h_{s_{t-1}} - H``).
    Without a profile, a bar chart of the sizes ``k_t`` against the step ``t``.

    Parameters
    ----------
    schedule : Schedule, an object with ``.sizes`` (e.g. an optimal-schedule result) or a sequence of sizes
    profile : InformationProfile or sequence of h values, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        With a profile: lines ``gid="profile"`` and ``gid="approximation"`` (both on the ``N+1``
        points ``j/N``), the region ``gid="kl-area"`` and vertical lines ``gid="breakpoint"``.
        Without: bar patches ``gid="sizes"`` (heights ``k_t``).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import symsched as ss
    >>> ax = ss.plot_schedule(ss.Schedule([1, 2]), [0.7, 0.4, 0.1])
    >>> [l for l in ax.lines if l.get_gid() == "approximation"][0].get_ydata()[:3].tolist()
    [0.7, 0.4, 0.4]
    """
    ax = _axes(ax)
    sched = _as_schedule(schedule)
    label = sched.name or "schedule"
    if profile is None:
        bars = ax.bar(np.arange(1, sched.K + 1), sched.sizes, color="tab:green", label=label)
        for bar in bars:
            bar.set_gid("sizes")
        ax.set_xlabel("step t")
        ax.set_ylabel(r"block size $k_t$")
        ax.set_title(f"{label}: K = {sched.K}, N = {sched.N}")
        return ax
    prof, h = _profile(profile)
    N = len(h)
    if sched.N != N:
        raise SymschedError(f"plot_schedule: the schedule reveals {sched.N} tokens but the profile has N = {N}")
    approx = np.empty(N)
    bps = sched.breakpoints
    for a, b in zip(bps, bps[1:]):
        if b > a:
            approx[a:b] = h[a]
    u = np.arange(N + 1) / N
    y = np.append(h, h[-1])
    ya = np.append(approx, approx[-1])
    ekl = float(expected_kl(prof.numeric(), sched))
    area = ax.fill_between(u, y, ya, step="post", alpha=0.3, color="tab:orange",
                           label=f"E KL = {ekl:.4g} (area x N)")
    area.set_gid("kl-area")
    (pl,) = ax.step(u, y, where="post", color="black", lw=1.5, label=r"$h_j$")
    pl.set_gid("profile")
    (al,) = ax.step(u, ya, where="post", color="tab:orange", lw=2, label=f"{label} (left Riemann)")
    al.set_gid("approximation")
    for s in bps[1:-1]:
        v = ax.axvline(s / N, color="grey", lw=0.8, ls=":")
        v.set_gid("breakpoint")
    return _finish_profile_axes(ax, prof, f"{label}: K = {sched.K}, N = {N}")


def _constant_curve(prof) -> list:
    return [float(expected_kl(prof, constant_schedule(prof.N, K))) for K in range(1, prof.N + 1)]


def plot_frontier(profile: Any = None, ax=None, constant: bool = True, frontier: Any = None):
    """Optimal E KL against the number of steps K = 1..N, with the constant schedule's curve.

    Parameters
    ----------
    profile : InformationProfile, sequence of h values, or a Frontier, optional
        A :class:`symsched.Frontier` is drawn as it is (with its profile's constant curve).
        Otherwise the frontier is computed with :func:`symsched.optimal_frontier` (and the constant curve with
        :func:`symsched.constant_schedule` and :func:`symsched.expected_kl`).  A plain sequence is
        read as h values, as everywhere in symsched.
    ax : matplotlib Axes, optional
    constant : bool
        Also draw the constant schedule's E KL for every K (needs ``profile``).
    frontier : sequence, optional
        A frontier already computed (optimal E KL for K = 1..N); then ``profile`` is needed only
        for the constant curve.

    Returns
    -------
    matplotlib Axes
        Lines ``gid="optimal"`` (x: K = 1..N, y: the frontier) and ``gid="constant"``.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import symsched as ss
    >>> ax = ss.plot_frontier([0.7, 0.4, 0.1])
    >>> [l for l in ax.lines if l.get_gid() == "optimal"][0].get_xdata().tolist()
    [1, 2, 3]
    """
    if profile is None and frontier is None:
        raise SymschedError("plot_frontier: give a profile (or h values), or frontier=...")
    if isinstance(profile, Frontier):
        profile, frontier = profile.profile, profile
    prof = None if profile is None else _profile(profile)[0]
    if frontier is None:
        frontier = optimal_frontier(prof)
    values = (frontier.plot_data()[1].tolist() if isinstance(frontier, Frontier)  # one source of the numbers
              else [float(v) for v in frontier])
    if prof is not None and len(values) != prof.N:
        raise SymschedError(f"plot_frontier: the frontier has {len(values)} values but the profile has N = {prof.N}")
    ax = _axes(ax)
    Ks = np.arange(1, len(values) + 1)
    (lo,) = ax.plot(Ks, values, "o-", color="tab:orange", ms=3, label="optimal schedule")
    lo.set_gid("optimal")
    if constant and prof is not None:
        (lc,) = ax.plot(Ks, _constant_curve(prof), "s--", color="tab:grey", ms=3, label="constant schedule")
        lc.set_gid("constant")
    ax.set_xlabel("number of steps K")
    ax.set_ylabel(r"$\mathbb{E}_\sigma\,\mathrm{KL}(p\,\|\,q_\sigma)$" + (f" ({_unit(prof)})" if prof else ""))
    ax.set_title(f"Optimal frontier (N = {len(values)})")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_density(limit: Any, ax=None, K: int = 10, points: int = 400):
    """The continuum optimum: the density ``κ*(u)`` and the ``√f`` quantile breakpoints for K steps.

    Parameters
    ----------
    limit : the result of :func:`symsched.riemann_limit`
    ax : matplotlib Axes, optional
    K : int
        Number of steps whose closed-form breakpoints ``s_t/N = G^{-1}(t/K)`` are drawn.
    points : int
        Grid points for the curve.

    Returns
    -------
    matplotlib Axes
        Line ``gid="density"`` (κ* on a grid of ``(0, 1)``), vertical lines ``gid="breakpoint"``
        at the interior breakpoints.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import sympy as sp, symsched as ss
    >>> u = sp.Symbol("u")
    >>> ax = ss.plot_density(ss.riemann_limit(1 - u**2 / 2, u), K=4)
    >>> len([l for l in ax.lines if l.get_gid() == "breakpoint"])
    3
    """

    if isinstance(K, bool) or not isinstance(K, (int, np.integer)) or K < 1:
        raise SymschedError(f"plot_density: K must be a positive integer, got {K!r}")
    ax = _axes(ax)
    dens = sp.sympify(limit.density)
    syms = sorted(dens.free_symbols, key=str)
    if len(syms) > 1:
        raise SymschedError(f"plot_density: the density depends on {syms}; substitute parameter values first")
    # Open grid: the density may be infinite where f = -phi' vanishes (an end point, typically).
    grid = (np.arange(points) + 0.5) / points
    if syms:
        fn = sp.lambdify(syms[0], dens, "mpmath")
        y = np.array([float(fn(x)) if np.isfinite(complex(fn(x)).real) else np.nan for x in grid])
    else:
        y = np.full(points, float(dens))
    (ld,) = ax.plot(grid, y, color="tab:purple", lw=1.8, label=r"$\kappa^*(u) \propto f(u)^{-1/2}$")
    ld.set_gid("density")
    bps = [float(b) for b in limit.breakpoints(K)]
    interior = [b for b in bps if 0 < b < 1]
    for i, b in enumerate(interior):
        v = ax.axvline(b, color="grey", lw=0.8, ls=":", label=f"breakpoints, K = {K}" if i == 0 else None)
        v.set_gid("breakpoint")
    ax.set_xlim(0, 1)
    ax.set_xlabel("u")
    ax.set_ylabel("relative block size")
    ax.set_title("Continuum-optimal block-size density")
    ax.legend(loc="best", fontsize="small")
    return ax
