"""Schedules' numerical edges and input checks (issue #12): values re-evaluated from breakpoints,
cost checks, no cancellation, and hand-built profiles / NaN inputs refused."""

from fractions import Fraction

import numpy as np
import pytest

import symsched as ss
import symsched.schedules.optimal as opt_mod
from symsched.errors import ModelTooLargeError

from reference import accurate_optimal_values, identity_kl


def _phi_profile(N):
    return [0.7 / (1 + 3 * j / N) for j in range(N)]


@pytest.fixture(scope="module")
def near_flat():
    N = 300
    h = _phi_profile(N)
    return h, accurate_optimal_values(h, N)


def test_min_steps_for_kl_decides_on_reevaluated_values(near_flat):
    h, ref = near_flat
    N = len(h)
    eng = opt_mod._Engine(ss.as_profile(h), None)
    triggered = 0
    for K in range(N - 12, N):
        target = ref[K - 1] * (1 - 5e-12)  # just below the K-step optimum: K + 1 steps are needed
        expected = next(k for k in range(1, N + 1) if ref[k - 1] <= target)
        assert expected == K + 1
        assert ss.min_steps_for_kl(h, target) == expected
        # the raw float DP minimum alone (off by ~1e-11 relative here) would answer K
        triggered += float(opt_mod._solve(eng, K, "auto")[1]) <= target
    assert triggered > 0


def test_frontier_without_tables_reevaluates(near_flat, monkeypatch):
    h, ref = near_flat
    N = len(h)
    monkeypatch.setattr(opt_mod, "FRONTIER_TABLE_BUDGET", 10)  # the Kmax (N + 1) > budget path
    f = ss.optimal_frontier(h)
    assert f._tables is None
    for K in (1, 2, N // 2, N - 3, N - 2, N - 1, N):
        assert f[K - 1] == pytest.approx(ref[K - 1], rel=1e-9, abs=1e-300)
    assert f[N - 1] == 0 and f.min_steps(0) == N
    target = ref[N - 6] * (1 + 1e-11)
    assert f.min_steps(target) == next(k for k in range(1, N + 1) if ref[k - 1] <= target)


def test_frontier_prints_no_negative_zero():
    # flat tails: the DP minima at K near N are 0 up to rounding and may come out as -1e-16
    h = [0.9] + [0.3] * 30 + [0.1] * 30
    f = ss.optimal_frontier(h)
    assert all(v >= 0 for v in f) and all(v >= 0 for v in f.as_array())
    assert list(f)[2:] == [0.0] * (len(h) - 2)  # two drops: K = 3 already costs nothing (raw DP: 8.9e-15)
    assert "-" not in repr(f).split("values=")[1].split(")")[0] and "-" not in f.latex().split(":")[1]
    ref = accurate_optimal_values(h, len(h))
    assert np.allclose(list(f), ref, rtol=1e-9, atol=1e-15)


def test_cost_checks_refuse_before_running():
    N = 10 ** 6
    h = np.linspace(1.0, 0.0, N)
    prof = ss.as_profile(list(h))
    with pytest.raises(ModelTooLargeError, match=r"optimal_frontier.*N = 1000000.*Kmax"):
        ss.optimal_frontier(prof)
    with pytest.raises(ModelTooLargeError, match=r"min_steps_for_kl.*answer lies in"):
        ss.min_steps_for_kl(prof, 1e-9, max_cost=1e8)
    with pytest.raises(ValueError, match="max_cost"):
        ss.optimal_frontier([0.5, 0.2], max_cost=float("nan"))
    assert ss.optimal_frontier(prof, Kmax=1)[0] == pytest.approx(float(np.sum(h[0] - h)))


def test_min_steps_for_kl_refuses_nan_and_negative_targets():
    for bad in (float("nan"), -0.1, "0.1", None):
        with pytest.raises(ValueError, match="target"):
            ss.min_steps_for_kl([0.7, 0.4, 0.1], bad)
    with pytest.raises(ValueError, match="target"):
        ss.optimal_frontier([0.7, 0.4, 0.1]).min_steps(float("nan"))


def test_randomized_all_ones_rule_has_no_cancellation():
    N = 20000
    h = [1.0 / (1 + j) + 0.25 for j in range(N)]
    rule = ss.RandomizedSchedule(size_law=lambda s, t: {1: 1.0}, N=N)
    assert rule.expected_kl(h) == 0.0  # the all-ones schedule: E KL = 0 exactly
    small = [0.9, 0.5, 0.45, 0.1]
    law = ss.RandomizedSchedule(size_law=ss.uniform_sizes(1, 2), N=4)
    exact = law.expected_kl([Fraction(x).limit_denominator(10 ** 6) for x in small])
    assert law.expected_kl(small) == pytest.approx(float(exact), rel=1e-12)


def test_randomized_nan_probabilities_refused():
    with pytest.raises(ValueError, match="probabilit"):
        ss.RandomizedSchedule([(float("nan"), [1, 2]), (1.0, [3])])
    bad = ss.RandomizedSchedule(size_law=lambda s, t: {1: float("nan"), 2: 1.0}, N=3)
    with pytest.raises(ValueError, match="probabilit"):
        bad.expected_kl([0.5, 0.3, 0.1])


def test_hand_built_profiles_are_validated():
    def P(h, e, entropy, **kw):
        return ss.InformationProfile(h, e=e, entropy=entropy, **kw)

    with pytest.raises(ValueError, match="non-increasing"):
        P((0.2, 0.6), (0, 0.2, 0.8), 0.8)  # increasing: would give E KL -0.4
    with pytest.raises(ValueError, match="negative"):
        P((0.5, -0.2), (0, 0.5, 0.3), 0.3)
    with pytest.raises(ValueError, match="not finite"):
        P((0.5, float("nan")), (0, 0.5, float("nan")), float("nan"))
    with pytest.raises(ValueError, match="partial sums"):
        P((0.5, 0.2), (0, 0.5, 0.9), 0.9)
    with pytest.raises(ValueError, match="e has"):
        P((0.5, 0.2), (0, 0.5), 0.5)
    with pytest.raises(ValueError, match="entropy"):
        P((0.5, 0.2), (0, 0.5, 0.7), 2.0)
    with pytest.raises(ValueError, match="stderr"):
        P((0.5, 0.2), (0, 0.5, 0.7), 0.7, stderr=(0.1, float("nan")))
    with pytest.raises(ValueError, match="exact=True"):
        P((0.5, 0.2), (0, 0.5, 0.7), 0.7, stderr=(0.1, 0.1), exact=True)
    # an increasing estimate is legal (noise), and schedules use its projection
    est = P((0.2, 0.6), (0, 0.2, 0.8), 0.8, stderr=(0.1, 0.1))
    assert float(ss.expected_kl(est, [2])) == pytest.approx(0.0) and ss.expected_kl(est, [2]).value >= 0


def test_as_profile_relative_tolerance():
    with pytest.raises(ValueError, match="non-increasing"):
        ss.as_profile([1e-10, 2e-10, 0.0])  # passed the old absolute 1e-9 check
    ss.as_profile([1e-10, 1e-10 * (1 + 1e-12), 0.0])  # rounding-level ties still pass
    tiny = [3e-10, 1e-10, 2e-10, 0.0]
    assert not ss.as_profile(tiny, check=False).exact
    opt = ss.optimal_schedule(ss.as_profile(tiny, check=False), 2)
    assert float(opt.kl) == pytest.approx(min(identity_kl([3e-10, 1.5e-10, 1.5e-10, 0.0], c)
                                              for c in [(1, 3), (2, 2), (3, 1)]), abs=1e-22)


def test_as_schedule_is_the_one_coercion():
    opt = ss.optimal_schedule([0.7, 0.4, 0.1], 2)
    assert ss.as_schedule(opt) is opt.schedule
    assert ss.as_schedule(np.array([1, 0, 2]), N=3).sizes == (1, 0, 2)
    with pytest.raises(ValueError, match="N = 4"):
        ss.as_schedule([1, 2], N=4)
    with pytest.raises(ValueError, match="RandomizedSchedule"):
        ss.as_schedule(ss.RandomizedSchedule([(1, [1, 2])]))
    with pytest.raises(ValueError, match="positive"):
        ss.as_schedule([1, 0, 2], allow_zero=False)
    import symsched.schedules.error as old

    assert old.expected_kl is ss.expected_kl and old.bernoulli_expected_kl is ss.bernoulli_expected_kl
