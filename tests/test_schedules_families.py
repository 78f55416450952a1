"""Schedule families: constant, alpha / fractions, geometric, log, and Chen-Cong-Li's TC / DTC schedules."""

import math
from fractions import Fraction as F

import pytest
import sympy as sp
from hypothesis import given, strategies as st

import symsched as ss
from symsched.schedules.families import (alpha_schedule, ccl_fixed_k_schedule, ccl_fixed_k_zeta, ccl_lambda,
                                         ccl_zeta, constant_schedule, dtc_schedule, dtc_schedule_zeta,
                                         geometric_schedule, log_schedule, schedule_from_fractions, tc_schedule,
                                         tc_schedule_zeta)


def _valid(s, N, K=None, zero=False):
    assert sum(s.sizes) == N
    assert all(k >= (0 if zero else 1) for k in s.sizes)
    if K is not None:
        assert s.K == K


# -- constant ------------------------------------------------------------------------------------

@given(st.integers(1, 60), st.data())
def test_constant_schedule_remainders(N, data):
    K = data.draw(st.integers(1, N))
    q, r = divmod(N, K)
    first, last, spread = (constant_schedule(N, K, m) for m in ("first", "last", "spread"))
    for s in (first, last, spread):
        _valid(s, N, K)
        assert set(s.sizes) <= {q, q + 1} and s.sizes.count(q + 1) == r
    assert first.sizes == tuple([q + 1] * r + [q] * (K - r))
    assert last.sizes == first.sizes[::-1]


def test_constant_schedule_errors():
    with pytest.raises(ValueError, match="K = 5.*N = 3"):
        constant_schedule(3, 5)
    with pytest.raises(ValueError, match="remainder"):
        constant_schedule(5, 2, "middle")


# -- fractions and alpha ---------------------------------------------------------------------------

@given(st.integers(1, 80), st.data())
def test_alpha_schedules_are_valid(N, data):
    K = data.draw(st.integers(1, N))
    for alpha in ("linear", "cosine", "polynomial"):
        _valid(alpha_schedule(N, K, alpha), N, K)
    s = alpha_schedule(N, K, "cosine", allow_zero=True)
    _valid(s, N, K, zero=True)


def test_linear_alpha_rounding_is_exact_half_even():
    # N k / K = 2.5, 5, 7.5 -> 2, 5, 8 (half to even, exact Fractions)
    assert alpha_schedule(10, 4).breakpoints == (0, 2, 5, 8, 10)
    for N, K in [(12, 4), (30, 6), (7, 7)]:
        assert alpha_schedule(N, K).sizes == constant_schedule(N, K).sizes
    # a callable equal to the linear alpha gives the same breakpoints through the float path
    assert alpha_schedule(12, 4, lambda tau: 1 - tau).sizes == (3, 3, 3, 3)


def test_cosine_and_polynomial_match_their_formulas():
    N, K = 100, 5
    expect = [0] + [round(N * (1 - math.cos(math.pi * k / (2 * K)))) for k in range(1, K)] + [N]
    assert list(alpha_schedule(N, K, "cosine").breakpoints) == expect
    expect_poly = [round(F(N) * (1 - (1 - F(k, K)) ** 3)) for k in range(K + 1)]
    assert list(alpha_schedule(N, K, "polynomial", power=3).breakpoints) == expect_poly


def test_fraction_repair_and_allow_zero():
    assert schedule_from_fractions(4, [0, 0.01, 0.02, 1]).sizes == (1, 1, 2)
    assert schedule_from_fractions(4, [0, 0.01, 0.02, 1], allow_zero=True).sizes == (0, 0, 4)
    assert schedule_from_fractions(5, [0, 0.99, 0.995, 1]).sizes == (3, 1, 1)  # backward pass
    with pytest.raises(ValueError, match="non-decreasing"):
        schedule_from_fractions(4, [0, 0.5, 0.2, 1])
    with pytest.raises(ValueError, match="start at 0"):
        schedule_from_fractions(4, [0.1, 1])
    with pytest.raises(ValueError, match="alpha"):
        alpha_schedule(5, 2, lambda tau: tau)  # wrong orientation


# -- geometric and log -----------------------------------------------------------------------------

@given(st.integers(2, 200), st.data())
def test_geometric_is_valid_and_non_decreasing(N, data):
    K = data.draw(st.integers(1, min(N, 20)))
    s = geometric_schedule(N, K)
    _valid(s, N, K)
    # sizes grow (up to rounding by one token)
    assert all(b >= a - 1 for a, b in zip(s.sizes, s.sizes[1:]))


def test_geometric_ratio_two_and_given_ratio():
    assert geometric_schedule(15, 4).sizes == (1, 2, 4, 8)
    assert geometric_schedule(31, 5).sizes == (1, 2, 4, 8, 16)
    assert geometric_schedule(15, 4, ratio=0.5).sizes == (8, 4, 2, 1)
    assert geometric_schedule(12, 3, ratio=1).sizes == (4, 4, 4)


@pytest.mark.parametrize("N", [1, 2, 3, 7, 8, 10, 100, 1000])
def test_log_schedule(N):
    s = log_schedule(N)
    _valid(s, N)
    assert s.K == math.ceil(math.log2(N + 1))
    assert list(s.sizes[:-1]) == [2 ** t for t in range(s.K - 1)] and 1 <= s.sizes[-1] <= 2 ** (s.K - 1)


# -- Chen, Cong & Li ---------------------------------------------------------------------------------

TC_100_5 = (20, 16, 12, 10, 8, 6, 5, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1)


def test_public_examples():
    tc = tc_schedule_zeta(100, 5)
    assert tc.sizes == TC_100_5 and tc.K == 26
    assert dtc_schedule_zeta(100, 5).sizes == TC_100_5[::-1]
    assert tc_schedule_zeta(13, 3).sizes == (4, 3, 2, 1, 1, 0, 0, 1, 1)
    assert tc_schedule_zeta(100, 5, drop_empty=True).sizes == tuple(k for k in TC_100_5 if k)


def test_dtc_exact_versus_the_float_ceiling_list_in_literature():
    # Exact integer ceilings: the DTC recursion is the TC recursion on the remaining count.
    assert dtc_schedule_zeta(13, 3).sizes == (1, 1, 0, 0, 1, 1, 2, 3, 4)
    # The list 1,1,0,1,1,1,2,2,4 (once quoted in the literature notes) is what a float ceiling produces
    # (9 * (1 - 1/3) > 6 in floats).
    r = [13]
    for _ in range(ccl_lambda(13, 3)):
        r.append(math.ceil(r[-1] * (1 - 1 / 3)))
    r.extend(range(r[-1] - 1, -1, -1))
    bps = r[::-1]
    assert tuple(b - a for a, b in zip(bps, bps[1:])) == (1, 1, 0, 1, 1, 1, 2, 2, 4)


@given(st.integers(1, 400), st.integers(1, 450))
def test_dtc_is_tc_reversed_and_step_count_bound(N, zeta):
    tc, dtc = tc_schedule_zeta(N, zeta), dtc_schedule_zeta(N, zeta)
    _valid(tc, N, zero=True)
    assert dtc.sizes == tc.sizes[::-1]
    if zeta >= N + 1:
        assert tc.sizes == (1,) * N
    if zeta >= 2:
        assert tc.K <= 2 + (1 + math.log(N)) * zeta
        # sizes non-increasing except the tail of ones after empty steps
        nz = [k for k in tc.sizes if k]
        assert nz == sorted(nz, reverse=True)


def test_lambda_formula_against_logs():
    for N in range(2, 120):
        for zeta in range(2, N + 1):
            x = math.log(N - zeta + 1) / math.log(1 / (1 - 1 / zeta))
            if abs(x - round(x)) > 1e-9:  # away from float-ambiguous integers
                assert ccl_lambda(N, zeta) == math.floor(x) + 2


def test_zeta_from_estimate_is_exact():
    assert ccl_zeta(F(1), F(1, 4)) == 5 and ccl_zeta(2, 0.5) == 5
    assert ccl_zeta(0, 0.1) == 1  # c_hat = 0: one step
    assert ccl_zeta(F(3, 10), F(1, 10)) == 4
    assert tc_schedule(100, F(1), F(1, 4)).sizes == TC_100_5
    assert dtc_schedule(100, F(1), F(1, 4)).sizes == TC_100_5[::-1]
    assert tc_schedule(7, 0, 1).sizes == (7,)
    with pytest.raises(ValueError, match="eps"):
        ccl_zeta(1, 0)
    # an exact irrational estimate: 3 log 2 / (1/10) = 20.79... -> zeta = 22
    assert ccl_zeta(3 * sp.log(2), sp.Rational(1, 10)) == 22


nonincreasing = st.lists(st.fractions(min_value=0, max_value=2, max_denominator=12), min_size=2, max_size=40).map(
    lambda xs: sorted(xs, reverse=True))


@given(nonincreasing, st.integers(2, 12))
def test_ccl_guarantees_hold(h, zeta):
    prof = ss.as_profile(h)
    N = prof.N
    tc_kl = ss.expected_kl(prof, tc_schedule_zeta(N, zeta))
    dtc_kl = ss.expected_kl(prof, dtc_schedule_zeta(N, zeta))
    assert tc_kl <= prof.total_correlation / (zeta - 1)
    assert dtc_kl <= prof.dual_total_correlation / (zeta - 1)


def test_ccl_guarantees_on_extreme_profiles():
    for N in (5, 17, 64):
        copy = [F(1)] + [F(0)] * (N - 1)
        parity = [F(1)] * (N - 1) + [F(0)]
        for zeta in (2, 3, 5, 9):
            for h in (copy, parity):
                prof = ss.as_profile(h)
                assert ss.expected_kl(prof, tc_schedule_zeta(N, zeta)) <= prof.total_correlation / (zeta - 1)
                assert ss.expected_kl(prof, dtc_schedule_zeta(N, zeta)) <= prof.dual_total_correlation / (zeta - 1)


@given(st.integers(2, 300), st.integers(3, 200))
def test_ccl_fixed_k(N, K):
    zeta = ccl_fixed_k_zeta(N, K)
    assert zeta == math.floor((K - 2) / (1 + math.log(N))) or abs((K - 2) / (1 + math.log(N)) - round(
        (K - 2) / (1 + math.log(N)))) < 1e-9
    if zeta < 2:
        with pytest.raises(ValueError, match="zeta"):
            ccl_fixed_k_schedule(N, K)
        s = ccl_fixed_k_schedule(N, K, fallback="constant")
        _valid(s, N)
        assert s.K == min(K, N)
    else:
        for kind in ("tc", "dtc"):
            s = ccl_fixed_k_schedule(N, K, kind)
            _valid(s, N, zero=True)
            assert s.K <= K


def test_fixed_k_guarantee():
    h = [F(1, j + 1) for j in range(50)]
    prof = ss.as_profile(h)
    for K in (20, 30, 45):
        zeta = ccl_fixed_k_zeta(50, K)
        s = ccl_fixed_k_schedule(50, K)
        assert ss.expected_kl(prof, s) <= prof.total_correlation / (zeta - 1)
