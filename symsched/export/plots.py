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

import networkx as nx
import numpy as np
import sympy as sp

from ..errors import SymschedError
from ..info.profile import as_profile
from ..models.base import DiscreteModel, model_tables
from ..schedules.kl import expected_kl
from ..schedules.families import constant_schedule
from ..results import Estimate
from ..schedules.optimal import Frontier, OptimalSchedule, optimal_frontier
from ..schedules.schedule import Schedule, as_schedule

__all__ = ["plot_profile", "plot_schedule", "plot_frontier", "plot_density", "plot_model"]


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
    # constrained layout makes room for a legend placed outside the axes
    _, ax = plt.subplots(figsize=(6.5, 4.5), layout="constrained")
    return ax


#: Where a figure's legend goes: outside the axes, so that it never hides data.
LEGEND_PLACES = ("below", "right", "best", None)


def _legend(ax, where: str | None, ncol: int = 2):
    """Place the legend: ``"below"`` (default) or ``"right"`` of the axes, ``"best"`` inside, or none."""
    if where not in LEGEND_PLACES:
        raise SymschedError(f"legend must be one of {LEGEND_PLACES}, got {where!r}")
    if where is None:
        return None
    if where == "best":
        return ax.legend(loc="best", fontsize="small")
    if where == "right":
        return ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize="small")
    return ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), borderaxespad=0.0, fontsize="small",
                     ncol=ncol, frameon=False)


def _integer_axis(axis) -> None:
    """Ticks only at integers (steps K, step t, block sizes)."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _is_estimate(prof) -> bool:
    return not getattr(prof, "exact", True) or any(float(s) > 0 for s in getattr(prof, "stderr", ()) or ())


def _value_and_stderr(v) -> tuple:
    """``(value, stderr)`` of a number or an estimate (``symsched.results.Estimate``: stderr attribute)."""
    return float(v), float(getattr(v, "stderr", 0.0) or 0.0)


def _label_number(v, what: str) -> str:
    value, se = _value_and_stderr(v)
    return f"{what} = {value:.4g} ± {se:.2g} (estimate)" if se > 0 else f"{what} = {value:.4g}"


def _finish_profile_axes(ax, prof, title: str, legend: str | None = "below", pad: float | None = None):
    """Axes of a figure drawn over the profile against ``u = j/N``: labels, limits, title, legend."""
    ax.set_xlabel(r"$u = j/N$")
    ax.set_ylabel(rf"$h_j$ ({_unit(prof)})")
    ax.set_xlim(0, 1)
    ax.set_title(title, pad=pad)
    _legend(ax, legend)
    return ax


def _profile(profile: Any):
    prof = as_profile(profile)
    try:
        return prof, prof.as_array()
    except ValueError as exc:
        raise SymschedError(f"plotting needs numeric h values: {exc}") from None


def _unit(prof) -> str:
    return "nats" if prof.base is None else f"log base {prof.base}"


def plot_profile(profile: Any, ax=None, shade: bool = True, legend: str | None = "below"):
    """Plot ``h_j`` against ``j/N`` as a step function, with the TC and DTC areas shaded.

    TC is the area between the level ``h_0`` and the profile (above it), DTC the area between the
    profile and the level ``h_{N-1}`` (below it); on the ``u = j/N`` axis these areas are
    ``TC/N`` and ``DTC/N``.  An estimated profile (``exact`` False, or non-zero ``stderr``) is drawn
    with error bars ``h_j ± stderr_j`` and its legend says "estimate", with TC and DTC ± their standard
    errors where the profile carries them.

    Parameters
    ----------
    profile : InformationProfile or sequence of h values (numeric; substitute symbols first)
    ax : matplotlib Axes, optional
    shade : bool
        Shade the TC and DTC areas.
    legend : {"below", "right", "best", None}
        Where the legend goes: outside the axes by default, so that it hides no data.

    Returns
    -------
    matplotlib Axes
        The step line has ``gid="profile"`` (x data: the ``N+1`` grid points ``j/N``, y data: ``h``
        followed by ``h_{N-1}``); the shaded regions have ``gid="tc-area"`` and ``gid="dtc-area"``;
        for an estimate, the error bars are a line collection ``gid="stderr"`` (one vertical segment
        per ``j``, at ``u = j/N``, from ``h_j - stderr_j`` to ``h_j + stderr_j``).

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
    estimate = _is_estimate(prof)
    if shade:
        num = prof.numeric()
        tc = _with_stderr(num.total_correlation, getattr(num, "total_correlation_stderr", 0.0), estimate)
        dtc = _with_stderr(num.dual_total_correlation, getattr(num, "dual_total_correlation_stderr", 0.0), estimate)
        a = ax.fill_between(u, y, h[0], step="post", alpha=0.25, color="tab:red",
                            label=f"{_label_number(tc, 'TC')} (area x N)")
        a.set_gid("tc-area")
        b = ax.fill_between(u, h[-1], y, step="post", alpha=0.25, color="tab:blue",
                            label=f"{_label_number(dtc, 'DTC')} (area x N)")
        b.set_gid("dtc-area")
    (line,) = ax.step(u, y, where="post", color="black", lw=1.8,
                      label=r"$h_j$" + (" (estimate)" if estimate else ""))
    line.set_gid("profile")
    if estimate:
        se = np.array([float(x) for x in prof.stderr])
        bars = ax.errorbar(u[:-1], h, yerr=se, fmt="o", color="black", ms=3, capsize=2, elinewidth=1,
                           label=r"$\pm$ 1 standard error")
        bars.lines[2][0].set_gid("stderr")
    else:
        ax.plot(u[:-1], h, "o", color="black", ms=3)
    title = f"Information profile (N = {N})" + (", estimated" if estimate else "")
    return _finish_profile_axes(ax, prof, title, legend)


def _with_stderr(value, stderr, estimate: bool):
    """A number for a legend: the value, or an object carrying ``stderr`` for an estimate."""
    if isinstance(value, Estimate) or not estimate:
        return value
    return Estimate(float(value), float(stderr or 0.0), "")


def _as_schedule(schedule: Any):
    return as_schedule(schedule)  # an optimal-schedule result gives its named Schedule ("optimal")


def _schedule_label(schedule: Any, sched: Schedule) -> str:
    name = sched.name or ("optimal" if isinstance(schedule, OptimalSchedule) else "")
    if not name:
        return "schedule"
    return name if "schedule" in name else f"{name} schedule"


#: Block sizes are written on schedule figures with at most this many steps (more would overlap).
ANNOTATE_MAX_STEPS = 40


def plot_schedule(schedule: Any, profile: Any = None, ax=None, annotate: bool | None = None,
                  legend: str | None = "below"):
    """Draw a schedule: its blocks over the profile, or its block sizes alone.

    With a profile, the figure shows the profile (step function) and the schedule's left-Riemann
    approximation, equal to ``h_{s_{t-1}}`` on each block ``[s_{t-1}, s_t)``; the shaded gap
    between them has area ``E KL / N`` (the exact identity ``E KL = sum_t k_t h_{s_{t-1}} - H``;
    ``± stderr`` in the legend for an estimated profile).  Each block's size ``k_t`` is written above
    it.  Without a profile, a bar chart of the sizes ``k_t`` against the step ``t`` (integer axes).
    The title keeps the schedule's name ("optimal schedule" for :func:`symsched.optimal_schedule`).

    Parameters
    ----------
    schedule : Schedule, an object with ``.sizes`` (e.g. an optimal-schedule result) or a sequence of sizes
    profile : InformationProfile or sequence of h values, optional
    ax : matplotlib Axes, optional
    annotate : bool, optional
        Write the block sizes (default: when the schedule has at most :data:`ANNOTATE_MAX_STEPS` steps).
    legend : {"below", "right", "best", None}

    Returns
    -------
    matplotlib Axes
        With a profile: lines ``gid="profile"`` and ``gid="approximation"`` (both on the ``N+1``
        points ``j/N``), the region ``gid="kl-area"``, vertical lines ``gid="breakpoint"`` and texts
        ``gid="block-size"`` (``k_t`` at the block's centre ``(s_{t-1} + s_t)/(2N)``; empty steps are
        not written).  Without: bar patches ``gid="sizes"`` (heights ``k_t``) and texts ``gid="block-size"``.

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
    label = _schedule_label(schedule, sched)
    if annotate is None:
        annotate = sched.K <= ANNOTATE_MAX_STEPS
    if profile is None:
        bars = ax.bar(np.arange(1, sched.K + 1), sched.sizes, color="tab:green", label=label)
        for bar in bars:
            bar.set_gid("sizes")
        if annotate:
            for t, k in enumerate(sched.sizes, start=1):
                ax.text(t, k, str(k), ha="center", va="bottom", fontsize="x-small", gid="block-size")
        _integer_axis(ax.xaxis)
        _integer_axis(ax.yaxis)
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
    ekl = expected_kl(prof.numeric(), sched)
    area = ax.fill_between(u, y, ya, step="post", alpha=0.3, color="tab:orange",
                           label=f"{_label_number(ekl, 'E KL')} (area x N)")
    area.set_gid("kl-area")
    (pl,) = ax.step(u, y, where="post", color="black", lw=1.5, label=r"$h_j$")
    pl.set_gid("profile")
    (al,) = ax.step(u, ya, where="post", color="tab:orange", lw=2, label=f"{label} (left Riemann)")
    al.set_gid("approximation")
    for s in bps[1:-1]:
        v = ax.axvline(s / N, color="grey", lw=0.8, ls=":")
        v.set_gid("breakpoint")
    if annotate:
        # block sizes along the top edge (axes coordinates in y, so they stay clear of the curves)
        for a, b in zip(bps, bps[1:]):
            if b > a:
                ax.text((a + b) / (2 * N), 1.01, str(b - a), ha="center", va="bottom", fontsize="small",
                        color="tab:orange", transform=ax.get_xaxis_transform(), gid="block-size")
    # room between the title and the block sizes written along the top edge
    return _finish_profile_axes(ax, prof, f"{label}: K = {sched.K}, N = {N}", legend, pad=16 if annotate else None)


def _constant_curve(prof) -> list:
    """The constant schedule's E KL for K = 1..N (numbers, or Estimates for an estimated profile)."""
    return [expected_kl(prof, constant_schedule(prof.N, K)) for K in range(1, prof.N + 1)]


def plot_frontier(profile: Any = None, ax=None, constant: bool = True, frontier: Any = None, logy: bool = False,
                  legend: str | None = "below"):
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
    logy : bool
        Logarithmic E KL axis (the frontier falls over orders of magnitude); the zero at ``K = N`` is
        not drawn on it (its data stay on the line).
    legend : {"below", "right", "best", None}

    Returns
    -------
    matplotlib Axes
        Lines ``gid="optimal"`` (x: K = 1..N, y: the frontier) and ``gid="constant"``; the K axis has
        integer ticks.  Values that are estimates (``symsched.results.Estimate``, from an estimated
        profile) get error bars ``± stderr``: line collections ``gid="optimal-stderr"`` and
        ``gid="constant-stderr"``.

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
    errors = [_value_and_stderr(v)[1] for v in frontier]
    if prof is not None and len(values) != prof.N:
        raise SymschedError(f"plot_frontier: the frontier has {len(values)} values but the profile has N = {prof.N}")
    ax = _axes(ax)
    Ks = np.arange(1, len(values) + 1)
    _line_with_errors(ax, Ks, values, errors, "optimal", "o-", "tab:orange", "optimal schedule")
    if constant and prof is not None:
        curve = _constant_curve(prof)
        _line_with_errors(ax, Ks, [float(v) for v in curve], [_value_and_stderr(v)[1] for v in curve],
                          "constant", "s--", "tab:grey", "constant schedule")
    if logy:
        ax.set_yscale("log", nonpositive="mask")
    _integer_axis(ax.xaxis)
    ax.set_xlabel("number of steps K")
    ax.set_ylabel(r"$\mathbb{E}_\sigma\,\mathrm{KL}(p\,\|\,q_\sigma)$" + (f" ({_unit(prof)})" if prof else ""))
    estimate = any(e > 0 for e in errors)
    ax.set_title(f"Optimal frontier (N = {len(values)})" + (", estimate ± 1 s.e." if estimate else ""))
    _legend(ax, legend)
    return ax


def _line_with_errors(ax, x, y, errors, gid: str, fmt: str, color: str, label: str):
    (line,) = ax.plot(x, y, fmt, color=color, ms=3, label=label)
    line.set_gid(gid)
    if any(e > 0 for e in errors):
        bars = ax.errorbar(x, y, yerr=errors, fmt="none", ecolor=color, elinewidth=1, capsize=2)
        bars.lines[2][0].set_gid(f"{gid}-stderr")


def plot_density(limit: Any, ax=None, K: int = 10, points: int = 400, legend: str | None = "below"):
    """The continuum optimum: the density ``κ*(u)`` and the ``√f`` quantile breakpoints for K steps.

    Parameters
    ----------
    limit : the result of :func:`symsched.riemann_limit`
    ax : matplotlib Axes, optional
    K : int
        Number of steps whose closed-form breakpoints ``s_t/N = G^{-1}(t/K)`` are drawn.
    points : int
        Grid points for the curve.
    legend : {"below", "right", "best", None}

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
    _legend(ax, legend)
    return ax


def _layers(graph) -> dict:
    """Node -> (layer, index in layer): topological generations for a DAG, one layer per component otherwise."""
    if graph.is_directed():
        gens = list(nx.topological_generations(graph))
    else:
        gens = [list(graph.nodes)]
    return {v: (g, i, len(layer)) for g, layer in enumerate(gens) for i, v in enumerate(layer)}


def _model_layout(model, layout):
    if layout is not None:
        if not (isinstance(layout, dict) or callable(layout)):
            raise SymschedError(f"plot_model: layout must be a dict {{variable: (x, y)}} or a networkx layout "
                                f"function, got {type(layout).__name__}")
        pos = layout if isinstance(layout, dict) else layout(model)
        missing = [v for v in model.variables if v not in pos]
        if missing:
            raise SymschedError(f"plot_model: the layout has no position for {missing}")
        out = {v: np.asarray(pos[v], dtype=float) for v in model.variables}
        bad = [v for v, p in out.items() if p.shape != (2,) or not np.all(np.isfinite(p))]
        if bad:
            raise SymschedError(f"plot_model: the layout's positions of {bad} are not finite (x, y) pairs")
        return out
    if isinstance(model, nx.DiGraph):
        layers = _layers(model)
        # Generations left to right, each centred vertically: parents sit left of their children.
        return {v: np.array([g, (n - 1) / 2 - i]) for v, (g, i, n) in layers.items()}
    if isinstance(model, nx.Graph) and model.number_of_edges():
        return {v: np.asarray(p, dtype=float) * 2 for v, p in nx.spring_layout(model, seed=0).items()}
    # No graph: the tokens on a line.
    return {v: np.array([i, 0.0]) for i, v in enumerate(model.variables)}


def _numeric_table(table) -> np.ndarray | None:
    try:
        return np.asarray([float(x) for x in np.asarray(table, dtype=object).ravel()]).reshape(np.shape(table))
    except (TypeError, ValueError):
        return None  # symbolic entries: only the shape is drawn


def plot_model(model: Any, ax=None, layout: Any = None, heatmaps: bool | None = None):
    """Draw a model's graph with each variable's CPD (or each factor) as a small heat-map and its shape.

    A Bayesian network is laid out by topological generations (parents left of their children); a Markov
    random field by networkx's spring layout (seed 0); a model without a graph (an explicit joint, a
    structured family) as its tokens on a line.  Beside each variable of a Bayesian network, the heat-map
    of ``P(X | parents)`` has one row per state of ``X`` and one column per parent configuration
    (each column sums to one; colour scale 0 to 1) and the text gives the table's shape (parents' axes,
    then the variable's).  A Markov random field's factors are drawn at the centre of their variables,
    scaled by their largest entry.

    Parameters
    ----------
    model : a symsched model (BayesianNetwork, MarkovRandomField, or any other model)
    ax : matplotlib Axes, optional
    layout : dict or callable, optional
        Positions ``{variable: (x, y)}``, or a networkx layout function such as ``nx.circular_layout``.
    heatmaps : bool, optional
        Draw the tables as heat-maps (default: when the model has at most 25 tables).  Symbolic tables are
        never drawn as heat-maps; their shape is.

    Returns
    -------
    matplotlib Axes
        Node markers ``gid="nodes"`` (offsets: the positions in ``model.variables`` order), one annotation
        ``gid="edge"`` per edge (``xyann`` the tail, ``xy`` the head), texts ``gid="shape"`` (the table's
        shape, e.g. ``"2×2"``), and heat-map images ``gid="table"`` whose data are the tables drawn,
        rows = states of the variable, columns = configurations of the others (C order).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import symsched as ss
    >>> ax = ss.plot_model(ss.binary_symmetric_chain(3, 0.1))
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "shape"]
    ['2', '2×2', '2×2']
    """
    if not isinstance(model, DiscreteModel):
        raise SymschedError(f"plot_model: expected a symsched model, got {type(model).__name__}")
    pos = _model_layout(model, layout)
    tables = model_tables(model) if isinstance(model, nx.Graph) else []
    if heatmaps is None:
        heatmaps = len(tables) <= 25
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(8, 5))
    xy = np.array([pos[v] for v in model.variables])
    span = max(float(np.ptp(xy[:, 0])) if len(xy) else 0.0, float(np.ptp(xy[:, 1])) if len(xy) else 0.0, 1.0)
    size = 0.22 * span / max(1.0, np.sqrt(len(tables) or 1) / 2)
    directed = isinstance(model, nx.DiGraph)
    drawn = 0
    if isinstance(model, nx.Graph):
        for a, b in model.edges:
            ann = ax.annotate("", xy=pos[b], xytext=pos[a], zorder=1,
                              arrowprops=dict(arrowstyle="-|>" if directed else "-", color="grey", lw=1.2,
                                              shrinkA=12, shrinkB=12))
            ann.set_gid("edge")
    # marker areas grow with the label so that names stay inside their node
    nodes = ax.scatter(xy[:, 0], xy[:, 1], s=[max(500, 45 * len(str(v)) ** 2) for v in model.variables],
                       color="white", edgecolors="black", zorder=2)
    nodes.set_gid("nodes")
    for v in model.variables:
        ax.text(*pos[v], str(v), ha="center", va="center", fontsize="small", zorder=3)
    for entry in tables:
        if directed:
            anchor = pos[entry["variable"]]
        else:  # a factor sits at the centre of its variables
            anchor = np.mean([pos[w] for w in entry["columns"] + (entry["variable"],)], axis=0)
        shape = tuple(np.shape(entry["table"]))
        txt = ax.text(anchor[0], anchor[1] - 0.09 * span, "×".join(map(str, shape)), ha="center", va="top",
                      fontsize="x-small", color="tab:blue", zorder=3)
        txt.set_gid("shape")
        values = _numeric_table(entry["table"]) if heatmaps else None
        if values is None:
            continue
        card = shape[-1]
        image = values.reshape(-1, card).T  # rows: the variable's states; columns: configurations
        scale = 1.0 if directed else (float(image.max()) or 1.0)
        inset = ax.inset_axes([anchor[0] + 0.06 * span, anchor[1] + 0.04 * span, size, size * 0.7],
                              transform=ax.transData)
        im = inset.imshow(image, cmap="Blues", vmin=0, vmax=scale, aspect="auto", interpolation="nearest")
        im.set_gid("table")
        drawn += 1
        inset.set_xticks([])
        inset.set_yticks([])
        inset.set_title(entry["title"], fontsize="xx-small", pad=2)
    ax.set_xlim(xy[:, 0].min() - 0.2 * span, xy[:, 0].max() + 0.15 * span + size)
    ax.set_ylim(xy[:, 1].min() - 0.2 * span, xy[:, 1].max() + 0.12 * span + size)
    ax.set_axis_off()
    if drawn:
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize

        # one scale for every heat-map: probabilities (CPDs), or each factor's entries over its largest
        sm = ScalarMappable(norm=Normalize(0, 1), cmap="Blues")
        ax.figure.colorbar(sm, ax=ax, fraction=0.025, pad=0.01,
                           label="probability" if directed else "entry / largest entry of its factor")
    ax.set_title(f"{type(model).__name__}: N = {model.N}, cardinalities "
                 f"{model.cardinalities if model.N <= 12 else str(model.cardinalities[:12])[:-1] + ', ...)'}")
    return ax
