"""Names that say what they hold (issue 13), with the round-1 spellings kept as working aliases."""

import types

import matplotlib
import numpy as np
import pytest

import symsched as ss
from reference import brute_sampler, identity_kl

matplotlib.use("Agg")

H = [0.9, 0.6, 0.5, 0.2, 0.1, 0.0]


def test_arithmetic_is_the_module_and_still_callable():
    import symsched.arithmetic as module

    assert ss.arithmetic is module and isinstance(ss.arithmetic, types.ModuleType)
    assert ss.arithmetic("mpmath", 30) == ss.make_arithmetic("mpmath", 30) == module.arithmetic("mpmath", 30)
    assert ss.arithmetic.to_float(0.5) == 0.5


def test_remaining_fraction_is_the_ratio_gain_held():
    opt = ss.optimal_schedule(H, 2)
    const = ss.constant_schedule(len(H), 2)
    expected = identity_kl(H, opt.sizes) / identity_kl(H, const.sizes)  # reference: the identity written out
    assert opt.remaining_fraction == pytest.approx(expected) and opt.gain == opt.remaining_fraction <= 1


def test_frontier_schedule_and_one_plot():
    fr = ss.optimal_frontier(H)
    assert fr.schedule(3) is fr.schedules(3) and fr.schedule(3).sizes == ss.optimal_schedule(H, 3).sizes
    K, v = fr.plot_data()
    best = [min(identity_kl(H, s) for s in _compositions(len(H), k)) for k in K]
    assert np.allclose(v, best, atol=1e-12)
    ax = ss.plot_frontier(fr)
    drawn = [ln for ln in ax.lines if ln.get_gid() == "optimal"][0].get_ydata()
    assert np.allclose(drawn, v, atol=0)  # Frontier.plot and plot_frontier draw the same numbers
    line = fr.plot(ax=matplotlib.pyplot.figure().gca()).lines[0]
    assert np.allclose(line.get_ydata(), v, atol=0)


def _compositions(N, K):
    from reference import compositions
    return compositions(N, K)


def test_sampler_kl_names_by_quantity():
    assert ss.mixture_kl is ss.exact_sampler_kl
    assert ss.order_averaged_kl_estimate is ss.montecarlo_sampler_kl
    model = ss.copy_model(3, 2)
    joint = np.asarray(model.joint(), float)
    expected, mixture = brute_sampler(joint, (2, 1))
    assert ss.mixture_kl(model, [2, 1]) == pytest.approx(mixture, abs=1e-12)
    est = ss.order_averaged_kl_estimate(model, [2, 1], n=4000, seed=1)
    assert abs(est.value - expected) <= 4 * est.stderr + 1e-12


def test_package_all_is_explicit_and_complete():
    public = [n for n in dir(ss) if not n.startswith("_") and not isinstance(getattr(ss, n), types.ModuleType)]
    assert sorted(set(public) - set(ss.__all__)) == []
    assert len(ss.__all__) == len(set(ss.__all__)) and all(hasattr(ss, n) for n in ss.__all__)
    assert set(ss.bounds.__all__) <= set(ss.__all__)
