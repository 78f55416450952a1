"""Optimal schedules and the frontier, against brute force over all compositions."""

import itertools
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

import symsched as ss
from symsched.schedules.optimal import EXACT_DP_MAX_N, min_steps_for_kl, optimal_frontier, optimal_schedule


def compositions(N, K):
    for cuts in itertools.combinations(range(1, N), K - 1):
        bps = (0,) + cuts + (N,)
        yield bps


def cost(h, bps):
    """Brute-force cost straight from the definition w(a, b) = sum_{j=a}^{b-1} (h_a - h_j)."""
    return sum(sum(h[a] - h[j] for j in range(a, b)) for a, b in zip(bps, bps[1:]))


def brute_optimum(h, K):
    best, best_bps = None, []
    for bps in compositions(len(h), K):
        c = cost(h, bps)
        if best is None or c < best:
            best, best_bps = c, [bps]
        elif c == best:
            best_bps.append(bps)
    return best, best_bps


rational_profiles = st.lists(st.fractions(min_value=0, max_value=2, max_denominator=6), min_size=1,
                             max_size=10).map(lambda xs: sorted(xs, reverse=True))


@given(rational_profiles, st.data())
def test_dp_equals_brute_force_exact(h, data):
    N = len(h)
    K = data.draw(st.integers(1, N))
    best, best_bps = brute_optimum(h, K)
    opt = optimal_schedule(h, K)
    assert opt.kl == best and opt.dp_value == best
    assert "exact rational" in opt.method
    # tie rule: lexicographically smallest (s_{K-1}, ..., s_1) among the optima
    assert opt.breakpoints == min(best_bps, key=lambda b: b[::-1])
    naive = optimal_schedule(h, K, method="naive")
    assert naive.breakpoints == opt.breakpoints


@given(st.lists(st.floats(0, 3), min_size=2, max_size=12).map(lambda xs: sorted(xs, reverse=True)), st.data())
def test_dp_equals_brute_force_float(h, data):
    K = data.draw(st.integers(1, len(h)))
    best, _ = brute_optimum(h, K)
    opt = optimal_schedule(h, K)
    assert opt.kl == pytest.approx(best, abs=1e-9)
    assert opt.kl <= opt.constant_kl + 1e-12
    assert opt.improvement >= -1e-12


@given(st.lists(st.fractions(min_value=0, max_value=5, max_denominator=9), min_size=4, max_size=30).map(
    lambda xs: sorted(xs, reverse=True)), st.data())
def test_quadrangle_inequality(h, data):
    N = len(h)
    a, b, c, d = sorted(data.draw(st.lists(st.integers(0, N), min_size=4, max_size=4)))
    w = lambda x, y: ss.block_cost(h, x, y)  # noqa: E731
    assert w(a, c) + w(b, d) <= w(a, d) + w(b, c)


@given(rational_profiles)
def test_frontier_properties(h):
    prof = ss.as_profile(h)
    f = optimal_frontier(prof)
    N = prof.N
    assert len(f) == N
    vals = list(f)
    assert vals[0] == prof.total_correlation and vals[-1] == 0
    assert all(x >= y for x, y in zip(vals, vals[1:]))
    for K in range(1, N + 1):
        assert vals[K - 1] == optimal_schedule(prof, K).kl == brute_optimum(h, K)[0]
        assert f.schedules(K).breakpoints == optimal_schedule(prof, K).breakpoints


def test_frontier_float_agrees_with_single_k_and_naive():
    rng = np.random.default_rng(1)
    h = np.sort(rng.gamma(0.5, size=80))[::-1]
    f = optimal_frontier(h)
    for K in (1, 2, 5, 17, 40, 79, 80):
        opt = optimal_schedule(h, K)
        naive = optimal_schedule(h, K, method="naive")
        assert f[K - 1] == pytest.approx(opt.kl, abs=1e-10)
        assert naive.kl == pytest.approx(opt.kl, abs=1e-10)
        assert f.schedules(K).breakpoints == opt.breakpoints
    assert f[0] == pytest.approx(ss.as_profile(list(h)).total_correlation) and f[-1] == 0
    Ks, v = f.plot_data()
    assert len(Ks) == len(v) == 80


def test_design_reference_quantization_figures():
    # docs/concepts.md §4: phi(u) = 1/(1+3u), r = N/K = 2.5: exact optimum 0.4487 at N=300, 0.4474 at N=600
    for N, ref in ((300, 0.4487), (600, 0.4474)):
        h = [1 / (1 + 3 * j / N) for j in range(N)]
        assert optimal_schedule(h, int(N / 2.5)).kl == pytest.approx(ref, abs=5e-5)


def test_min_steps():
    h = [F(12, 10), F(1), F(7, 10), F(1, 2), F(1, 5), F(1, 10), F(0)]
    f = optimal_frontier(h)
    for target in [F(0), F(1, 10), F(1, 3), F(1), F(5, 2), sp.log(2) / 3]:
        scan = next(K for K in range(1, 8) if brute_optimum(h, K)[0] <= target)
        assert f.min_steps(target) == scan == min_steps_for_kl(h, target)
    hf = [float(x) for x in h]
    assert min_steps_for_kl(hf, 0.3) == next(K for K in range(1, 8) if brute_optimum(h, K)[0] <= F(3, 10))
    assert optimal_frontier(h, Kmax=2).min_steps(F(0)) is None
    with pytest.raises(ValueError, match="target"):
        min_steps_for_kl(h, -1)


def test_symbolic_profiles():
    q = sp.Symbol("q", positive=True)
    lq = sp.log(3)
    copy = [lq] + [sp.Integer(0)] * 5
    assert optimal_schedule(copy, 1).kl == 5 * lq
    opt = optimal_schedule(copy, 2)
    assert opt.kl == 0 and opt.sizes[0] == 1
    # irrational profile, N <= EXACT_DP_MAX_N: mpmath DP, exact re-evaluation, equal to brute force
    h = [sp.log(7), sp.log(5), sp.log(4), sp.log(3), sp.log(2), sp.log(2), sp.Integer(0)]
    for K in (2, 3, 4):
        opt = optimal_schedule(h, K)
        assert "mpmath" in opt.method
        best, best_bps = brute_optimum([float(x) for x in h], K)
        assert opt.breakpoints in best_bps
        assert float(opt.kl) == pytest.approx(best, abs=1e-12)
        assert isinstance(opt.kl, sp.Basic)
        assert "optimal" in opt.latex() and opt._repr_latex_().startswith("$")
    # free symbols: every candidate's E KL as an expression (issue 29; tests/test_symbolic_optimum.py)
    sym = optimal_schedule([q, sp.Integer(0)], 1)
    assert type(sym).__name__ == "SymbolicOptimum" and sym.optimum == q  # 2 h_0 - (h_0 + h_1)


def test_mpmath_profile_and_large_exact_profile():
    with mpmath.workdps(30):
        h = [mpmath.mpf(1) / (j + 1) for j in range(12)]
    opt = optimal_schedule(h, 4)
    assert isinstance(opt.kl, mpmath.mpf) and "mpmath" in opt.method
    best, bps = brute_optimum([float(x) for x in h], 4)
    assert opt.breakpoints in bps and float(opt.kl) == pytest.approx(best, abs=1e-12)
    N = EXACT_DP_MAX_N + 10
    hr = [F(1, j + 1) for j in range(N)]
    big = optimal_schedule(hr, 7)
    assert "float64" in big.method and isinstance(big.kl, sp.Basic)
    forced = optimal_schedule(hr, 7, exact=True)
    assert "exact rational" in forced.method and forced.kl == big.kl


def test_gain_and_improvement_definitions():
    h = [F(2), F(1), F(1, 2), F(1, 4), F(0), F(0)]
    opt = optimal_schedule(h, 3)
    assert opt.gain == opt.kl / opt.constant_kl and opt.gain <= 1
    assert opt.improvement == opt.constant_kl - opt.kl
    assert opt.constant_kl == ss.expected_kl(h, ss.constant_schedule(6, 3))
    indep = optimal_schedule([0.5, 0.5, 0.5], 2)
    assert indep.kl == 0 and indep.gain == 1.0


def test_non_monotone_estimate_uses_its_projection():
    h = [1.0, 0.4, 0.6, 0.1, 0.3]  # a noisy estimate: not an information profile
    prof = ss.as_profile(h, check=False)
    assert not prof.exact
    proj = [1.0, 0.5, 0.5, 0.2, 0.2]  # equal-weight isotonic regression, by hand
    for K in (2, 3):
        opt = optimal_schedule(prof, K)
        assert opt.on_projection and not opt.exact and "projection" in opt.note
        assert float(opt.kl) == pytest.approx(brute_optimum(proj, K)[0], abs=1e-12)


def test_bad_K():
    with pytest.raises(ValueError, match="K = 4.*N = 3"):
        optimal_schedule([0.5, 0.3, 0.1], 4)
    with pytest.raises(ValueError, match="K = 0"):
        optimal_schedule([0.5, 0.3, 0.1], 0)
    with pytest.raises(ValueError, match="method"):
        optimal_schedule([0.5, 0.3, 0.1], 2, method="smawk")


def test_large_inputs_run_and_agree():
    # speed is measured in benchmarks/ (make bench), never asserted here
    h = np.sort(np.random.default_rng(2).random(4096))[::-1]
    opt = optimal_schedule(h, 64)
    assert opt.K == 64 and opt.kl <= opt.constant_kl + 1e-12
    f = optimal_frontier(h[:1024])
    assert f.dp_values[0] == pytest.approx(ss.as_profile(list(h[:1024])).total_correlation)
    assert f.schedules(64).breakpoints == optimal_schedule(h[:1024], 64).breakpoints


def test_public_names_and_result_as_schedule():
    for name in ("expected_kl", "optimal_schedule", "optimal_frontier", "min_steps_for_kl", "Frontier",
                 "OptimalSchedule", "constant_schedule", "tc_schedule", "RandomizedSchedule", "block_cost",
                 "bernoulli_expected_kl", "mdlm_grid"):
        assert hasattr(ss, name), name
    h = [F(3, 2), F(1), F(1, 2), F(1, 3), F(0)]
    opt = ss.optimal_schedule(h, 2)
    assert ss.expected_kl(h, opt) == opt.kl == ss.expected_kl(h, list(opt))
    assert opt.schedule.name == "optimal" and tuple(opt) == opt.sizes and len(opt) == 2
