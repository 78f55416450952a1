"""Estimates carry their uncertainty (docs/concepts.md, "Estimates"; issue #12): exact pieces inside Monte Carlo,
standard errors of H / TC / DTC, the monotone projection, and schedules on estimates."""

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import symsched as ss
from symsched.errors import ModelTooLargeError
from symsched.results import Estimate

from reference import brute_optimal, identity_kl, isotonic_nonincreasing_brute, projected_stderr


@pytest.fixture(scope="module")
def asia():
    return ss.load_example("asia")


@pytest.fixture(scope="module")
def asia_exact(asia):
    return ss.information_profile(asia)


@pytest.fixture(scope="module")
def asia_mc(asia):
    return ss.information_profile(asia, method="montecarlo", seed=0)


def test_asia_montecarlo_exact_pieces_and_error_bars(asia_exact, asia_mc):
    ex, mc = np.array(asia_exact.h), np.array(asia_mc.h)
    assert asia_exact.exact and not asia_mc.exact
    # TC, DTC and H computed exactly inside the estimate: equal to the exact route's
    assert asia_mc.total_correlation == pytest.approx(asia_exact.total_correlation, abs=1e-12)
    assert asia_mc.dual_total_correlation == pytest.approx(asia_exact.dual_total_correlation, abs=1e-12)
    assert asia_mc.entropy == pytest.approx(asia_exact.entropy, abs=1e-12)
    assert asia_mc.total_correlation_stderr == 0 and asia_mc.dual_total_correlation_stderr == 0
    assert asia_mc.entropy_stderr == 0
    se = np.array(asia_mc.stderr)
    assert list(np.flatnonzero(se == 0)) == [0, 1, 7]
    assert np.allclose(mc[se == 0], ex[se == 0], atol=1e-12)
    assert np.all(np.abs(mc - ex)[se > 0] < 4 * se[se > 0])
    assert asia_mc.method == "montecarlo (h_0, h_1, h_{N-1}, H without sampling error)"


def test_asia_optimal_schedule_on_estimate(asia_exact, asia_mc):
    for K in range(1, 9):
        opt = ss.optimal_schedule(asia_mc, K)
        assert isinstance(opt.kl, Estimate) and opt.kl.value >= 0 and opt.kl.stderr >= 0
        assert opt.on_projection and not opt.exact and "monotone projection" in opt.note
        # the optimum of the projection, checked by brute force over all compositions
        assert float(opt.kl) == pytest.approx(brute_optimal(list(asia_mc.monotone().h), K), abs=1e-12)
        # and within its error bars of the true optimum's value for this schedule
        true = ss.expected_kl(asia_exact, opt.schedule)
        assert abs(float(opt.kl) - true) <= 4 * opt.kl.stderr + 1e-12
    one = ss.optimal_schedule(asia_mc, 1).kl  # K = 1 is TC: exact, also on the projection (total kept)
    assert one.stderr == 0 and one.value == pytest.approx(asia_exact.total_correlation, abs=1e-12)
    assert asia_mc.monotone().entropy == pytest.approx(asia_exact.entropy, abs=1e-12)
    with_model = ss.report(ss.load_example("asia"), K=[2], method="montecarlo", bounds=False)
    assert not with_model.exact
    full = ss.report(asia_mc)  # with the bounds table (its rows name statements such as "FHS exact")
    assert "±" in str(full) and "compare_bounds could not" not in str(full)
    for r in (ss.report(asia_mc, K=[2, 7], bounds=False), ss.report(asia_mc, K=[3], bounds=False, frontier=True),
              with_model):
        for text in (str(r), r._repr_html_(), r.latex()):
            assert "±" in text or r"\pm" in text
            assert "exact" not in text.lower()


def test_asia_stderr_matches_spread_over_seeds(asia):
    runs = [ss.information_profile(asia, method="montecarlo", seed=s, stderr=0.02) for s in range(12)]
    h = np.array([r.h for r in runs])
    se = np.array([r.stderr for r in runs])
    sampled = se[0] > 0
    ratio = h[:, sampled].std(axis=0, ddof=1) / se[:, sampled].mean(axis=0)
    assert np.all((ratio > 0.4) & (ratio < 2.0)), ratio  # 12 seeds: the sample sd is within ~±40 %
    kl = np.array([float(ss.optimal_schedule(r, 3).kl) for r in runs])
    kl_se = np.mean([ss.optimal_schedule(r, 3).kl.stderr for r in runs])
    assert 0.3 < kl.std(ddof=1) / kl_se < 2.5
    # every optimum's error bar covers the true E KL of the schedule it chose (seed 0, K = 7 used to
    # print 0 ± 0 for a true 0.016 when the projection pooled h_5 and h_6)
    exact = ss.information_profile(asia)
    for r in runs:
        for K in range(1, 9):
            opt = ss.optimal_schedule(r, K)
            assert abs(opt.kl.value - ss.expected_kl(exact, opt.schedule)) <= 4 * opt.kl.stderr + 1e-12


def test_variable_elimination_keeps_tc_exact_on_a_larger_network(monkeypatch):
    import symsched.info.montecarlo as mc_mod

    rng = np.random.default_rng(5)
    bn = ss.BayesianNetwork()
    names = [f"V{i}" for i in range(9)]
    for v in names:
        bn.add_variable(v, states=2)
    for i, v in enumerate(names):
        parents = [names[k] for k in range(max(0, i - 2), i)]
        t = rng.random((2,) * len(parents) + (2,)) + 0.1
        bn.set_cpd(v, t / t.sum(axis=-1, keepdims=True), parents=parents)
    exact = ss.information_profile(bn)
    monkeypatch.setattr(mc_mod, "JOINT_TABLE_LIMIT", 1)  # CPDs and elimination only
    mc = ss.information_profile(bn, method="montecarlo", seed=1, stderr=0.03)
    assert mc.total_correlation == pytest.approx(exact.total_correlation, abs=1e-10)
    assert mc.dual_total_correlation == pytest.approx(exact.dual_total_correlation, abs=1e-10)
    for j in (0, 1, bn.N - 1):
        assert mc.h[j] == pytest.approx(exact.h[j], abs=1e-10) and mc.stderr[j] == 0


def test_stderr_of_derived_measures_is_linear_algebra():
    se = (0.1, 0.2, 0.05, 0.3)
    h = (0.9, 0.6, 0.7, 0.1)
    e = tuple(np.concatenate([[0], np.cumsum(h)]))
    p = ss.InformationProfile(h, e=e, entropy=e[-1], stderr=se)
    v = np.square(se)
    assert p.entropy_stderr == pytest.approx(math.sqrt(v.sum()))
    assert p.total_correlation_stderr == pytest.approx(math.sqrt(9 * v[0] + v[1:].sum()))
    assert p.dual_total_correlation_stderr == pytest.approx(math.sqrt(v[:3].sum() + 9 * v[3]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 2), min_size=2, max_size=7), st.data())
def test_monotone_is_weighted_isotonic_regression(y, data):
    se = data.draw(st.lists(st.floats(0.01, 1), min_size=len(y), max_size=len(y)))
    e = tuple(np.concatenate([[0], np.cumsum(y)]))
    p = ss.InformationProfile(tuple(y), e=e, entropy=e[-1], stderr=tuple(se))
    ref = np.maximum(isotonic_nonincreasing_brute(y, 1 / np.square(se)), 0)
    q = p.monotone()
    assert np.allclose(q.h, ref, atol=1e-9)
    assert q.method.endswith("+isotonic") and not q.exact and q.monotone() is q


def test_monotone_keeps_exact_entries_fixed():
    h = (0.5, 0.3, 0.45, 0.2)  # h_1 exact; the noisy h_2 above it is pulled down to it
    p = ss.InformationProfile(h, e=tuple(np.concatenate([[0], np.cumsum(h)])), entropy=sum(h), stderr=(0, 0, 0.1, 0.1),
                              exact=False)
    assert np.allclose(p.monotone().h, (0.5, 0.3, 0.3, 0.2))
    assert p.monotone().stderr[1] == 0
    assert p.monotone().stderr[2] == pytest.approx(0.1)  # pulled onto h_1, but its own noise is kept
    # the schedule cost of that pooled pair is then an estimate with a non-zero standard error: that of the
    # projection (h_2 drawn around 0.3 is pulled down onto h_1 whenever above it)
    cost = ss.block_cost(p, 1, 3)
    assert cost.value == 0 and cost.stderr == pytest.approx(projected_stderr(p.monotone().h, (0, 0, 0.1, 0.1),
                                                                          [0, 1, -1, 0]), rel=0.12)
    assert 0.03 < cost.stderr < 0.1      # below the raw sqrt(w' C w) = 0.1: the projection shrinks it




def test_schedule_estimates_have_linear_standard_errors():
    h = (0.8, 0.5, 0.45, 0.1)
    se = (0.05, 0.05, 0.05, 0.05)
    p = ss.InformationProfile(h, e=tuple(np.concatenate([[0], np.cumsum(h)])), entropy=sum(h), stderr=se)
    est = ss.expected_kl(p, [1, 2, 1])
    assert isinstance(est, Estimate)
    assert est.value == pytest.approx(identity_kl(list(h), (1, 2, 1)))
    # E KL = h_0 + 2 h_1 + h_3 - sum h = h_1 - h_2: linear, but on the projection (h_1 - h_2 is one
    # standard error, so the projection often pools them): below the raw sqrt(2) * 0.05
    assert est.stderr == pytest.approx(projected_stderr(h, se, [0, 1, -1, 0]), rel=0.12)
    assert est.stderr < math.sqrt(2) * 0.05
    rs = ss.RandomizedSchedule([(0.5, [1, 2, 1]), (0.5, [2, 2])])
    r = ss.expected_kl(p, rs)
    assert r.value == pytest.approx(0.5 * identity_kl(list(h), (1, 2, 1)) + 0.5 * identity_kl(list(h), (2, 2)))
    # weights 0.5 (h_1 - h_2) + 0.5 (h_0 - h_1 + h_2 - h_3) = 0.5 h_0 - 0.5 h_3 (far apart: never pooled)
    assert r.stderr == pytest.approx(math.sqrt(0.5) * 0.05, rel=0.08)
    assert r.stderr == pytest.approx(projected_stderr(h, se, [0.5, 0, 0, -0.5]), rel=0.12)
    b = ss.bernoulli_expected_kl(p, [0, 1])
    assert isinstance(b, Estimate) and b.value == pytest.approx(p.total_correlation)
    f = ss.optimal_frontier(p)
    assert all(isinstance(v, Estimate) and v.value >= 0 for v in f) and f[-1].value == 0
    assert ss.min_steps_for_kl(p, 0.06) == 3


def test_noisy_estimate_never_gives_negative_kl():
    rng = np.random.default_rng(0)
    for _ in range(20):
        h = np.sort(rng.random(12))[::-1] + rng.normal(0, 0.05, 12)
        p = ss.InformationProfile(tuple(h), e=tuple(np.concatenate([[0], np.cumsum(h)])), entropy=float(h.sum()),
                                  stderr=(0.05,) * 12)
        for K in (2, 5, 11):
            assert ss.optimal_schedule(p, K).kl.value >= 0
        assert ss.expected_kl(p, [1] * 12).value == 0


def test_auto_fallback_at_mpmath_says_exact_route_is_over_budget():
    big = ss.ising(__import__("networkx").path_graph(8), 0.3)
    with pytest.raises(ModelTooLargeError,
                       match=r"over|exceeds.*montecarlo.*precision=\"float\"|raise max_cost") as exc:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ss.information_profile(ss.from_joint(big.joint()), method="auto", precision="mpmath", max_cost=10)
    assert "runs in floats" not in str(exc.value) and "estimated cost" in str(exc.value)


def test_estimate_profile_inputs_and_covariance():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, size=(300, 20))
    with pytest.raises(ValueError, match="base"):
        ss.estimate_profile(x, base=0.5)
    with pytest.raises(ValueError, match="subsets_per_size"):
        ss.estimate_profile(x, subsets_per_size=0)
    p = ss.estimate_profile(x[:, :8], subsets_per_size=5, seed=1, base=2, miller_madow=True)
    assert not p.exact and all(math.isfinite(v) for v in p.h) and p.entropy_stderr >= 0
    # the bootstrap over rows carries the data's own sampling noise into every number, H included
    assert p.entropy_stderr > 0 and p.stderr[-1] > 0 and p.dual_total_correlation_stderr > 0
    assert not ss.estimate_profile(x[:, :4]).exact


def test_randomized_rule_on_estimate_matches_its_explicit_law():
    h = (0.8, 0.5, 0.55, 0.1, 0.05)
    p = ss.InformationProfile(h, e=tuple(np.concatenate([[0], np.cumsum(h)])), entropy=sum(h),
                              stderr=(0.02, 0.05, 0.05, 0.1, 0.03))
    N, rule = 5, ss.uniform_sizes(1, 2)

    def paths(s, t, prob, sizes):
        if s == N:
            yield prob, sizes
            return
        for k, pk in rule(s, t, N).items():
            yield from paths(s + k, t + 1, prob * pk, sizes + [k])

    explicit = ss.RandomizedSchedule([(pr, sz) for pr, sz in paths(0, 0, Fraction(1), [])])
    by_rule = ss.RandomizedSchedule(size_law=rule, N=N)
    a, b = ss.expected_kl(p, explicit), ss.expected_kl(p, by_rule)
    assert a.value == pytest.approx(b.value, abs=1e-12) and a.stderr == pytest.approx(b.stderr, rel=1e-12)
    # and by hand on the projection: every path's identity value, averaged
    proj = list(p.monotone().h)
    assert a.value == pytest.approx(sum(float(pr) * identity_kl(proj, sz) for pr, sz in paths(0, 0, Fraction(1), [])))
