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
import matplotlib.pyplot as plt  # noqa: E402

import symsched as ss  # noqa: E402
from reference import brute_measures, brute_profile, brute_sampler, random_joint  # noqa: E402


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
