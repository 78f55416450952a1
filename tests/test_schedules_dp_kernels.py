"""The float64 DP engine (compiled convex-hull layer, checkpointed backtracking).

Checked against brute force and the numpy DP."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import symsched as ss
import symsched.schedules.optimal as optimal
from symsched.schedules.dp_kernels import HAVE_NUMBA, float_dp
from symsched.schedules.optimal import optimal_frontier, optimal_schedule

from reference import brute_optimal, compositions, identity_kl

needs_numba = pytest.mark.skipif(not HAVE_NUMBA, reason="numba (optional extra 'fast') not installed")


def _numpy_layer(h):
    eng = optimal._Engine(ss.as_profile(list(h)), None)
    return lambda prev, k: eng.layer_dc(prev, k, k, len(h))


def _brute_bps(h, K):
    best = brute_optimal(h, K)
    return best, [c for c in compositions(len(h), K) if identity_kl(h, c) <= best + 1e-9]


profiles = st.lists(st.floats(0, 3), min_size=1, max_size=11).map(lambda xs: np.array(sorted(xs, reverse=True)))


@needs_numba
@settings(max_examples=60, deadline=None)
@given(profiles, st.data())
def test_compiled_dp_equals_brute_force(h, data):
    N = len(h)
    Kmax = data.draw(st.integers(1, N))
    values, paths = float_dp(h, Kmax, range(1, Kmax + 1))
    for K in range(1, Kmax + 1):
        best, _ = _brute_bps(h, K)
        assert values[K - 1] == pytest.approx(best, abs=1e-9)
        bps = paths[K]
        assert bps[0] == 0 and bps[-1] == N and len(bps) == K + 1
        sizes = [b - a for a, b in zip(bps, bps[1:])]
        assert min(sizes) >= 1 and identity_kl(h, sizes) == pytest.approx(best, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(profiles, st.data())
def test_checkpointed_backtracking_with_the_numpy_layer(h, data):
    # the numpy fallback goes through the same checkpointed backtracking (bounded memory)
    N = len(h)
    Kmax = data.draw(st.integers(1, N))
    wanted = data.draw(st.lists(st.integers(1, Kmax), min_size=1, max_size=4))
    values, paths = float_dp(h, Kmax, wanted, _numpy_layer(h))
    for K in set(wanted):
        best = brute_optimal(h, K)
        assert values[K - 1] == pytest.approx(best, abs=1e-9)
        sizes = [b - a for a, b in zip(paths[K], paths[K][1:])]
        assert identity_kl(h, sizes) == pytest.approx(best, abs=1e-9)
    missing = next(K for K in range(1, Kmax + 2) if K not in set(wanted))
    assert missing not in paths


@needs_numba
def test_compiled_and_numpy_layers_agree_on_a_large_profile(monkeypatch):
    h = np.sort(np.random.default_rng(4).gamma(0.6, size=600))[::-1]
    fast = optimal_frontier(h, Kmax=120)
    monkeypatch.setattr(optimal, "USE_COMPILED", False)
    slow = optimal_frontier(h, Kmax=120)
    assert "compiled" in fast.method and "compiled" not in slow.method
    np.testing.assert_allclose(fast.dp_values, slow.dp_values, rtol=0, atol=1e-11)
    for K in (1, 2, 7, 60, 120):
        assert fast[K - 1] == pytest.approx(slow[K - 1], abs=1e-11)
        naive = optimal_schedule(h, K, method="naive")
        assert fast[K - 1] == pytest.approx(naive.kl, abs=1e-11)


def test_frontier_beyond_the_paths_budget_recovers_schedules_lazily(monkeypatch):
    monkeypatch.setattr(optimal, "FRONTIER_TABLE_BUDGET", 10)
    h = np.sort(np.random.default_rng(5).random(30))[::-1]
    f = optimal_frontier(h)
    for K in (1, 5, 30):
        assert f.schedules(K).breakpoints == optimal_schedule(h, K).breakpoints
        assert f[K - 1] == pytest.approx(brute_optimal(h, K), abs=1e-9)


def test_ties_in_floats_keep_a_valid_optimum():
    h = np.array([1.0] * 6 + [0.5] * 6 + [0.0] * 6)
    for K in range(1, 19):
        opt = optimal_schedule(h, K)
        assert opt.kl == pytest.approx(brute_optimal(h, K), abs=1e-12)
        assert optimal_frontier(h).schedules(K).breakpoints == opt.breakpoints
