"""Plots: the data drawn on the figure equals what it claims to show.

The profile of each test model is computed here by brute force on its explicit joint table
(averages of subset entropies), independently of symsched.info; the shaded areas on the figure,
measured with the shoelace formula, must equal TC / N, DTC / N and E KL / N computed from the
joint table and the definition of the sampler's error.
"""

import math

import matplotlib
import numpy as np
import pytest
import sympy as sp

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import symsched as ss
from reference import brute_measures, brute_profile, brute_sampler, random_joint


def shoelace(collection):
    area = 0.0
    for path in collection.get_paths():
        v = path.vertices
        x, y = v[:, 0], v[:, 1]
        area += 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    return area


def by_gid(ax, gid, kind="lines"):
    return [a for a in getattr(ax, kind) if a.get_gid() == gid]


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.mark.parametrize("seed,shape", [(0, (2, 2, 2)), (1, (2, 3, 2, 2)), (2, (3, 2, 2, 2, 2))])
def test_profile_line_and_areas(seed, shape):
    joint = random_joint(shape, seed)
    h, _ = brute_profile(joint)
    H, tc, dtc = brute_measures(joint)
    N = len(h)
    ax = ss.plot_profile(h)
    (line,) = by_gid(ax, "profile")
    np.testing.assert_allclose(line.get_ydata()[:N], h, rtol=0, atol=1e-12)
    np.testing.assert_allclose(line.get_xdata(), np.arange(N + 1) / N)
    (tc_area,) = by_gid(ax, "tc-area", "collections")
    (dtc_area,) = by_gid(ax, "dtc-area", "collections")
    assert math.isclose(shoelace(tc_area) * N, tc, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(shoelace(dtc_area) * N, dtc, rel_tol=1e-9, abs_tol=1e-12)
    # the legend states the same TC and DTC values
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"TC = {tc:.4g} (area x N)" in texts and f"DTC = {dtc:.4g} (area x N)" in texts


def test_profile_on_given_axes_and_symbolic_refused():
    fig, ax = plt.subplots()
    assert ss.plot_profile([0.5, 0.5], ax=ax) is ax
    eps = sp.Symbol("eps")
    with pytest.raises(ValueError, match="numeric"):
        ss.plot_profile([eps, eps / 2])


@pytest.mark.parametrize("sizes", [(2, 2), (1, 3), (3, 1), (4,)])
def test_schedule_area_is_expected_kl(sizes):
    joint = random_joint((2, 2, 2, 2), 7)
    h, _ = brute_profile(joint)
    N = len(h)
    ax = ss.plot_schedule(ss.Schedule(sizes), h)
    (approx,) = by_gid(ax, "approximation")
    # left-Riemann steps: h at the start of each block
    starts = np.repeat(np.cumsum((0,) + sizes[:-1]), sizes)
    np.testing.assert_allclose(approx.get_ydata()[:N], np.asarray(h)[starts], atol=1e-12)
    (area,) = by_gid(ax, "kl-area", "collections")
    assert math.isclose(shoelace(area) * N, brute_sampler(joint, sizes)[0], rel_tol=1e-9, abs_tol=1e-12)
    assert len(by_gid(ax, "breakpoint")) == len(sizes) - 1


def test_schedule_without_profile_draws_sizes():
    ax = ss.plot_schedule([3, 1, 2])
    bars = by_gid(ax, "sizes", "patches")
    assert [b.get_height() for b in bars] == [3, 1, 2]


def test_schedule_profile_size_mismatch():
    with pytest.raises(ValueError, match="reveals 3 tokens but the profile has N = 2"):
        ss.plot_schedule([1, 2], [0.5, 0.25])


def constant_sizes(N, K):
    """Even split, the remainder on the first steps (LLaDA's rule), by hand."""
    q, r = divmod(N, K)
    return tuple(q + 1 if t < r else q for t in range(K))


def test_frontier_lines_match_brute_force():
    from reference import brute_optimal, identity_kl

    joint = random_joint((2, 2, 3, 2, 2), 11)
    h, _ = brute_profile(joint)
    N = len(h)
    ax = ss.plot_frontier(h)
    (opt,) = by_gid(ax, "optimal")
    (const,) = by_gid(ax, "constant")
    np.testing.assert_array_equal(opt.get_xdata(), np.arange(1, N + 1))
    np.testing.assert_allclose(opt.get_ydata(), [brute_optimal(h, K) for K in range(1, N + 1)], atol=1e-12)
    np.testing.assert_allclose(const.get_ydata(), [identity_kl(h, constant_sizes(N, K)) for K in range(1, N + 1)],
                               atol=1e-12)
    # K = 1 costs TC, K = N costs nothing
    assert math.isclose(opt.get_ydata()[0], brute_measures(joint)[1], rel_tol=1e-9)
    assert abs(opt.get_ydata()[-1]) < 1e-12
    # a Frontier object is drawn as it is, with its profile's constant curve
    ax2 = ss.plot_frontier(ss.optimal_frontier(h))
    np.testing.assert_allclose(by_gid(ax2, "optimal")[0].get_ydata(), opt.get_ydata(), atol=1e-12)
    assert by_gid(ax2, "constant")


def test_frontier_needs_input():
    with pytest.raises(ValueError, match="give a profile"):
        ss.plot_frontier()


def test_density_and_breakpoints_closed_form():
    # phi = 1/(1+3u): sqrt f = sqrt(3)/(1+3u), int_0^b sqrt f = ln(1+3b)/sqrt(3), so
    # kappa*(u) = (int_0^1 sqrt f)/sqrt f(u) = (2 ln 2 / 3)(1 + 3u) and b_t = (4^{t/K} - 1)/3.
    u = sp.Symbol("u")
    K = 5
    ax = ss.plot_density(ss.riemann_limit(1 / (1 + 3 * u), u), K=K)
    (line,) = by_gid(ax, "density")
    x = np.asarray(line.get_xdata())
    np.testing.assert_allclose(line.get_ydata(), 2 * math.log(2) / 3 * (1 + 3 * x), rtol=1e-12)
    bps = sorted(v.get_xdata()[0] for v in by_gid(ax, "breakpoint"))
    np.testing.assert_allclose(bps, [(4 ** (t / K) - 1) / 3 for t in range(1, K)], rtol=1e-12)


def test_density_refuses_bad_K():
    u = sp.Symbol("u")
    with pytest.raises(ValueError, match="K must be a positive integer"):
        ss.plot_density(ss.riemann_limit(1 - u / 2, u), K=0)


# -- the model's graph and tables (issue #18) -----------------------------------------------------

def random_cpd(rng, shape):
    t = rng.random(shape) + 0.05
    return t / t.sum(axis=-1, keepdims=True)


def small_network(seed=3):
    """A 4-node DAG with a ternary variable and a two-parent CPD; the tables drawn by hand here."""
    rng = np.random.default_rng(seed)
    bn = ss.BayesianNetwork()
    for v, c in (("A", 2), ("B", 3), ("C", 2), ("D", 2)):
        bn.add_variable(v, states=c)
    cpds = {"A": ((), random_cpd(rng, (2,))), "B": (("A",), random_cpd(rng, (2, 3))),
            "C": (("A",), random_cpd(rng, (2, 2))), "D": (("B", "C"), random_cpd(rng, (3, 2, 2)))}
    for v, (parents, t) in cpds.items():
        bn.set_cpd(v, t, parents=list(parents))
    return bn, cpds


def test_model_plot_draws_each_cpd_and_edge():
    bn, cpds = small_network()
    ax = ss.plot_model(bn)
    (nodes,) = by_gid(ax, "nodes", "collections")
    offsets = nodes.get_offsets()
    assert len(offsets) == 4
    pos = dict(zip("ABCD", map(tuple, offsets)))
    # parents left of their children (topological generations)
    assert pos["A"][0] < pos["B"][0] == pos["C"][0] < pos["D"][0]
    edges = sorted((tuple(a.xyann), tuple(a.xy)) for a in by_gid(ax, "edge", "texts"))
    expected = sorted((pos[p], pos[v]) for v, (parents, _) in cpds.items() for p in parents)
    assert edges == expected
    shapes = [t.get_text() for t in by_gid(ax, "shape", "texts")]
    assert shapes == ["×".join(map(str, t.shape)) for _, t in cpds.values()]
    images = [im for inset in ax.child_axes for im in inset.images if im.get_gid() == "table"]
    assert len(images) == 4
    for im, (_parents, t) in zip(images, cpds.values()):
        data = np.asarray(im.get_array())
        # rows: the variable's states; columns: parent configurations in C order; each column sums to 1
        np.testing.assert_allclose(data, t.reshape(-1, t.shape[-1]).T, atol=1e-15)
        np.testing.assert_allclose(data.sum(axis=0), 1, atol=1e-12)


def test_model_plot_markov_field_and_plain_joint():
    import networkx as nx

    mrf = ss.ising(nx.path_graph(3), 0.7)
    ax = ss.plot_model(mrf)
    assert len(by_gid(ax, "edge", "texts")) == 2
    images = [im for inset in ax.child_axes for im in inset.images]
    # one factor per edge: exp(J s_i s_j) with s = 2x - 1, scaled by its largest entry
    for im in images:
        data = np.asarray(im.get_array())
        np.testing.assert_allclose(data, [[math.exp(0.7), math.exp(-0.7)], [math.exp(-0.7), math.exp(0.7)]],
                                   rtol=1e-12)
        assert im.get_clim() == (0, math.exp(0.7))
    ax2 = ss.plot_model(ss.from_joint(random_joint((2, 2), 0)))
    assert len(by_gid(ax2, "nodes", "collections")[0].get_offsets()) == 2
    assert not by_gid(ax2, "edge", "texts")


def test_model_plot_symbolic_tables_shape_only_and_bad_input():
    eps = sp.Symbol("eps")
    ax = ss.plot_model(ss.binary_symmetric_chain(3, eps))
    assert [t.get_text() for t in by_gid(ax, "shape", "texts")] == ["2", "2×2", "2×2"]
    # the root's (1/2, 1/2) is a number and is drawn; the two tables in eps are not
    images = [im for inset in ax.child_axes for im in inset.images if im.get_gid() == "table"]
    assert len(images) == 1 and np.asarray(images[0].get_array()).tolist() == [[0.5], [0.5]]
    with pytest.raises(ValueError, match="expected a symsched model"):
        ss.plot_model([0.5, 0.5])
    with pytest.raises(ValueError, match="no position for"):
        ss.plot_model(ss.binary_symmetric_chain(3, 0.1), layout={"X1": (0, 0)})
    with pytest.raises(ValueError, match="layout must be"):
        ss.plot_model(ss.binary_symmetric_chain(3, 0.1), layout=float("nan"))
    with pytest.raises(ValueError, match=r"positions of \['X2'\] are not finite"):
        ss.plot_model(ss.binary_symmetric_chain(3, 0.1), layout={"X1": (0, 0), "X2": (1, float("nan")), "X3": (2, 0)})
    # a networkx layout function is accepted
    import networkx as nx

    ax = ss.plot_model(ss.binary_symmetric_chain(3, 0.1), layout=nx.circular_layout)
    assert len(by_gid(ax, "nodes", "collections")[0].get_offsets()) == 3


def html_cells(text):
    """The cells of each <table> in an HTML string: a list of tables, each a list of rows of cell texts."""
    import re

    tables = []
    for t in re.findall(r"<table.*?</table>", text, flags=re.S):
        rows = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r) for r in re.findall(r"<tr>(.*?)</tr>", t)]
        tables.append(rows)
    return tables


def test_model_html_prints_cpds_like_pgmpy():
    bn, cpds = small_network()
    tables = html_cells(bn._repr_html_())
    assert len(tables) == 4
    # P(D | B, C): header rows B=..., C=...; then one row per state of D, one column per (b, c)
    rows = tables[3]
    assert rows[0][1:] == [f"B={b}" for b in range(3) for _ in range(2)]
    assert rows[1][1:] == [f"C={c}" for _ in range(3) for c in range(2)]
    t = cpds["D"][1]
    for d in range(2):
        assert rows[2 + d][0] == f"D={d}"
        got = [float(x) for x in rows[2 + d][1:]]
        np.testing.assert_allclose(got, [t[b, c, d] for b in range(3) for c in range(2)], rtol=1e-3)


def test_model_html_truncates_large_tables_politely():
    bn = ss.BayesianNetwork()
    parents = [f"P{i}" for i in range(5)]
    for v in parents + ["Y"]:
        bn.add_variable(v, states=2)
    for p in parents:
        bn.set_cpd(p, [0.5, 0.5])
    rng = np.random.default_rng(0)
    t = random_cpd(rng, (2,) * 6)
    bn.set_cpd("Y", t, parents=parents)
    text = bn._repr_html_()
    assert "showing 2 of 2 rows and 7 of 32 columns" in text
    rows = html_cells(text)[-1]
    assert len(rows[0]) == 1 + 8 and rows[0][-2] == "&hellip;"
    # the last column is the last parent configuration (all ones)
    assert float(rows[-1][-1]) == pytest.approx(t[1, 1, 1, 1, 1, 1], rel=1e-3)
    # a model with many variables lists the tables it left out
    chain = ss.binary_symmetric_chain(20, 0.1)
    assert "8 more tables not shown" in chain._repr_html_()


# -- figures for papers: integer axes, log scale, estimates, legends, names, block sizes (issue #18) --

def _ticks_are_integers(axis):
    ticks = [t for t in axis.get_majorticklocs()]
    return ticks and all(float(t).is_integer() for t in ticks)


def test_integer_axes_and_log_frontier():
    joint = random_joint((2, 2, 3, 2, 2, 2, 2), 5)
    h, _ = brute_profile(joint)
    N = len(h)
    ax = ss.plot_frontier(h, logy=True)
    ax.figure.canvas.draw()
    assert ax.get_yscale() == "log" and _ticks_are_integers(ax.xaxis)
    # the log axis hides the zero at K = N, the line keeps every number (checked against brute force)
    from reference import brute_optimal

    np.testing.assert_allclose(by_gid(ax, "optimal")[0].get_ydata(),
                               [brute_optimal(h, K) for K in range(1, N + 1)], atol=1e-12)
    ax2 = ss.plot_schedule([3, 1, 2])
    ax2.figure.canvas.draw()
    assert _ticks_are_integers(ax2.xaxis) and _ticks_are_integers(ax2.yaxis)
    assert [t.get_text() for t in by_gid(ax2, "block-size", "texts")] == ["3", "1", "2"]


def test_schedule_title_keeps_optimal_and_block_sizes_are_written():
    joint = random_joint((2, 2, 2, 2, 2, 2), 9)
    h, _ = brute_profile(joint)
    N = len(h)
    from reference import brute_optimal, compositions, identity_kl

    opt = ss.optimal_schedule(h, 3)
    ax = ss.plot_schedule(opt, h)
    assert ax.get_title().startswith("optimal schedule: K = 3")
    # the sizes drawn are a brute-force optimum: their identity value is the minimum over every composition
    sizes = [int(t.get_text()) for t in by_gid(ax, "block-size", "texts")]
    assert sum(sizes) == N and math.isclose(identity_kl(h, sizes), brute_optimal(h, 3), rel_tol=1e-12)
    assert identity_kl(h, sizes) <= min(identity_kl(h, c) for c in compositions(N, 3)) + 1e-12
    starts = np.cumsum([0] + sizes[:-1])
    centres = [t.get_position()[0] for t in by_gid(ax, "block-size", "texts")]
    np.testing.assert_allclose(centres, (starts + np.array(sizes) / 2) / N)
    # empty steps are not written; the others are
    ax2 = ss.plot_schedule(ss.Schedule([2, 0, 4], allow_zero=True), h)
    assert [t.get_text() for t in by_gid(ax2, "block-size", "texts")] == ["2", "4"]
    assert not by_gid(ss.plot_schedule([1] * 6, h, annotate=False), "block-size", "texts")


@pytest.mark.parametrize("where", ["below", "right"])
def test_legend_is_off_the_data(where):
    h, _ = brute_profile(random_joint((2, 2, 2, 2), 1))
    for ax in (ss.plot_profile(h, legend=where), ss.plot_schedule([2, 2], h, legend=where),
               ss.plot_frontier(h, legend=where)):
        ax.figure.canvas.draw()
        legend, frame = ax.get_legend().get_window_extent(), ax.get_window_extent()
        assert not legend.overlaps(frame), f"legend {legend} overlaps the axes {frame}"
        assert legend.x0 >= 0 and legend.y0 >= 0  # and stays on the figure
    with pytest.raises(ValueError, match="legend must be one of"):
        ss.plot_profile(h, legend="top")


def test_estimated_profile_has_error_bars_covering_the_truth():
    joint = random_joint((2, 2, 2, 2, 2), 4)
    h_true, _ = brute_profile(joint)
    est = ss.information_profile(ss.from_joint(joint), method="montecarlo", stderr=0.02, seed=1)
    se = np.asarray(est.stderr, dtype=float)
    # the cheap entries (h_0, h_1, h_{N-1}) are exact (stderr 0), the others estimated
    assert np.any(se > 0) and np.all(se >= 0) and not est.exact
    ax = ss.plot_profile(est)
    (bars,) = by_gid(ax, "stderr", "collections")
    segs = np.asarray(bars.get_segments())
    N = len(h_true)
    np.testing.assert_allclose(segs[:, 0, 0], np.arange(N) / N)
    np.testing.assert_allclose(segs[:, 0, 1], np.asarray(est.h, float) - se, atol=1e-15)
    np.testing.assert_allclose(segs[:, 1, 1], np.asarray(est.h, float) + se, atol=1e-15)
    # the bars are honest: the exact profile (brute force) lies within 4 standard errors
    lo, hi = segs[:, 0, 1], segs[:, 1, 1]
    assert np.all(np.abs(np.asarray(est.h, float) - h_true) <= 4 * se + 1e-12), (lo, hi, h_true)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("(estimate)" in t for t in texts) and "estimated" in ax.get_title()
    # an exact profile has no error bars
    assert not by_gid(ss.plot_profile(h_true), "stderr", "collections")


def test_frontier_of_estimates_draws_their_error_bars():
    from symsched.results import Estimate

    values = [Estimate(0.8, 0.05), Estimate(0.3, 0.02), Estimate(0.1, 0.01), Estimate(0.0, 0.0)]
    ax = ss.plot_frontier(frontier=values)
    np.testing.assert_allclose(by_gid(ax, "optimal")[0].get_ydata(), [0.8, 0.3, 0.1, 0.0])
    (bars,) = by_gid(ax, "optimal-stderr", "collections")
    segs = np.asarray(bars.get_segments())
    np.testing.assert_allclose(segs[:, 0, 1], [0.75, 0.28, 0.09, 0.0])
    np.testing.assert_allclose(segs[:, 1, 1], [0.85, 0.32, 0.11, 0.0])
    assert "estimate" in ax.get_title()


def test_frontier_of_an_estimated_profile():
    from reference import brute_optimal

    joint = random_joint((2, 2, 2, 2, 2, 2), 8)
    h_true, _ = brute_profile(joint)
    est = ss.information_profile(ss.from_joint(joint), method="montecarlo", stderr=0.02, seed=2)
    front = list(ss.optimal_frontier(est))
    ax = ss.plot_frontier(est)
    line = by_gid(ax, "optimal")[0].get_ydata()
    np.testing.assert_allclose(line, [float(v) for v in front])
    assert np.all(line >= 0)                                          # never a negative KL
    (bars,) = by_gid(ax, "optimal-stderr", "collections")
    segs = np.asarray(bars.get_segments())
    np.testing.assert_allclose(segs[:, 1, 1] - segs[:, 0, 1], [2 * v.stderr for v in front], atol=1e-15)
    # the bars are honest: the true optimum (brute force on the exact profile) within 4 standard errors
    truth = np.array([brute_optimal(h_true, K) for K in range(1, len(h_true) + 1)])
    assert np.all(np.abs(line - truth) <= 4 * np.array([v.stderr for v in front]) + 1e-9)
    assert by_gid(ax, "constant-stderr", "collections")


def test_model_html_of_a_plain_joint_and_of_a_large_family():
    joint = random_joint((2, 3), 6)
    (rows,) = html_cells(ss.from_joint(joint)._repr_html_())
    # one column per state of X1, one row per state of X2: the joint's entries, transposed
    assert rows[0][1:] == ["X1=0", "X1=1"]
    got = np.array([[float(x) for x in r[1:]] for r in rows[1:]])
    np.testing.assert_allclose(got, joint.T, rtol=1e-3)
    text = ss.copy_model(64)._repr_html_()
    assert "no tables shown" in text and "joint size 18,446,744,073,709,551,616" in text
