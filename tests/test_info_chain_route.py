"""The fast Markov chain route (h_j directly, O(N log N) when homogeneous) against brute force and 30-digit mpmath."""

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import symsched as ss
from symsched.arithmetic import arithmetic
from symsched.errors import ModelTooLargeError
from symsched.info.measures import DEFAULT_MAX_COST
from symsched.info.structured import _binomial_tail_sums, chain_cost, chain_information_profile, is_homogeneous

from reference import brute_profile, mp_chain_profile

FLOAT = arithmetic("float")


def _max_abs(ref, values):
    return max(abs(float(a - mpmath.mpf(b))) for a, b in zip(ref, values))


@pytest.mark.parametrize("seed", range(6))
def test_homogeneous_and_general_chains_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    n, q = int(rng.integers(2, 9)), int(rng.integers(2, 4))
    init, T = rng.dirichlet(np.ones(q)), rng.dirichlet(np.ones(q), size=q)
    Ts = [rng.dirichlet(np.ones(q) * 0.5, size=q) for _ in range(n - 1)]
    for chain in (ss.markov_chain(n, init, T), ss.markov_chain(n, init, Ts)):
        prof = ss.information_profile(chain)
        assert prof.method == "exact (chain)"
        h_ref, e_ref = brute_profile(chain.joint())
        np.testing.assert_allclose(prof.h, h_ref, rtol=0, atol=1e-13)
        np.testing.assert_allclose(prof.e, e_ref, rtol=0, atol=1e-13)


def test_changing_state_counts_and_zero_entries_match_brute_force():
    rng = np.random.default_rng(11)
    shapes = [(2, 3), (3, 1), (1, 4), (4, 3), (3, 2)]
    mats = []
    for s in shapes:
        m = rng.random(s) * (rng.random(s) > 0.3) + np.eye(*s)
        mats.append(m / m.sum(axis=1, keepdims=True))
    chain = ss.markov_chain(6, [0.25, 0.75], mats)
    np.testing.assert_allclose(ss.information_profile(chain).h, brute_profile(chain.joint())[0], rtol=0, atol=1e-13)


def test_deterministic_and_single_token_chains():
    copy = ss.markov_chain(7, [0.2, 0.3, 0.5], np.eye(3))
    h = ss.information_profile(copy).h
    assert h[0] == pytest.approx(brute_profile(copy.joint())[0][0], abs=1e-15)
    assert max(abs(x) for x in h[1:]) < 1e-15
    one = ss.markov_chain(1, [0.3, 0.7], [[0.9, 0.1], [0.2, 0.8]])
    assert ss.information_profile(one).h == pytest.approx((-(0.3 * math.log(0.3) + 0.7 * math.log(0.7)),), abs=1e-15)


def test_homogeneous_chain_n400_to_1e12_of_30_digit_mpmath():
    init, T = [0.3, 0.7], [[0.9, 0.1], [0.25, 0.75]]
    h_ref, e_ref = mp_chain_profile(init, [T] * 399, dps=30)
    prof = ss.information_profile(ss.markov_chain(400, init, T))
    assert _max_abs(h_ref, prof.h) < 1e-12
    assert _max_abs(e_ref, prof.e) < 1e-12


def test_three_state_chain_n150_and_bits_against_mpmath():
    rng = np.random.default_rng(5)
    init, T = rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(3), size=3)
    h_ref, _ = mp_chain_profile(init, [T] * 149, dps=30)
    assert _max_abs(h_ref, ss.information_profile(ss.markov_chain(150, init, T)).h) < 1e-13
    bits = ss.information_profile(ss.markov_chain(150, init, T), base=2).h
    assert _max_abs([x / mpmath.log(2) for x in h_ref], bits) < 1e-13


def test_non_homogeneous_chain_against_mpmath():
    rng = np.random.default_rng(2)
    Ts = [rng.dirichlet(np.ones(3), size=3) for _ in range(39)]
    init = rng.dirichlet(np.ones(3))
    h_ref, _ = mp_chain_profile(init, Ts, dps=30)
    assert not is_homogeneous(Ts)
    assert _max_abs(h_ref, ss.information_profile(ss.markov_chain(40, init, Ts)).h) < 1e-13


def test_nearly_deterministic_chain_is_accurate_and_non_increasing():
    # issue 12: eps = 1e-12 used to give an "exact" profile with 60 increases
    eps, n = 1e-12, 120
    prof = ss.information_profile(ss.binary_symmetric_chain(n, eps))
    h = np.array(prof.h)
    assert np.all(np.diff(h) <= 0)
    h_ref, _ = mp_chain_profile([0.5, 0.5], [[[1 - eps, eps], [eps, 1 - eps]]] * (n - 1), dps=30)
    assert _max_abs(h_ref, h) < 1e-16
    rel = max(abs(float((a - mpmath.mpf(b)) / a)) for a, b in zip(h_ref, h))
    assert rel < 1e-6  # h_j ~ 1e-11 .. 1e-9: the error is ~1e-18 absolute


def test_float_route_agrees_with_the_exact_arithmetic_route():
    F = Fraction
    chain = ss.markov_chain(25, [F(1, 3), F(2, 3)], [[F(7, 8), F(1, 8)], [F(1, 5), F(4, 5)]])
    mp = ss.information_profile(chain, precision="mpmath", dps=30)
    fl = ss.information_profile(chain)
    np.testing.assert_allclose([float(x) for x in mp.h], fl.h, rtol=0, atol=1e-14)


def test_chain_cost_is_checked_first():
    chain = ss.binary_symmetric_chain(60, 0.1)
    with pytest.raises(ModelTooLargeError, match="Markov chain with N=60") as info:
        ss.information_profile(chain, method="exact", precision="mpmath", max_cost=1e3)
    assert info.value.estimate == chain_cost(chain.cardinalities, True, "mpmath")
    assert 'precision="float"' in str(info.value)
    # a float homogeneous chain of 10^6 tokens is admitted by the default budget, 10^7 is refused
    assert chain_cost([2] * 10 ** 6, True, "float") < DEFAULT_MAX_COST["float"] < chain_cost([2] * 10 ** 7, True,
                                                                                                 "float")
    assert chain_cost([2] * 10 ** 4, False, "float") < DEFAULT_MAX_COST["float"] < chain_cost([2] * 10 ** 5, False,
                                                                                                  "float")
    assert math.isfinite(chain_cost([2] * 10 ** 6, True, "mpmath"))


def test_large_homogeneous_chain_runs_without_building_a_table():
    T = np.array([[0.95, 0.05], [0.3, 0.7]])
    h, e = chain_information_profile(np.array([0.5, 0.5]), [T] * 19999, FLOAT)
    assert len(h) == 20000 and np.all(np.diff(h) <= 0)
    assert e[-1] == pytest.approx(sum(h), rel=1e-12)
    # H(X) by the chain rule: H(X_1) + sum_t H(X_{t+1} | X_t)
    m, H = np.array([0.5, 0.5]), -(np.log(0.5))
    rows = -(T * np.log(T)).sum(axis=1)
    for _ in range(19999):
        H += m @ rows
        m = m @ T
    assert e[-1] == pytest.approx(H, rel=1e-11)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 60), st.data())
def test_binomial_tail_sums_equal_the_full_sums(K, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    x = rng.random(K + 1) ** 3
    ms = np.arange(K + 1)
    coef = np.ones(K + 1)
    exact = [sum(Fraction(math.comb(k, m), math.comb(K, m)) * Fraction(float(x[k])) for k in range(m, K + 1))
             for m in ms]
    full = _binomial_tail_sums(x, ms, coef, 0.0)
    cut = _binomial_tail_sums(x, ms, coef, 1e-12)
    for m in ms:
        assert abs(full[m] - float(exact[m])) <= 1e-13 * max(1.0, float(exact[m]))
        assert abs(cut[m] - float(exact[m])) <= 1e-12 + 1e-13 * float(exact[m])


def test_chain_construction_shares_one_validated_copy():
    T = np.array([[0.9, 0.1], [0.2, 0.8]])
    chain = ss.markov_chain(50, [0.5, 0.5], T)
    T[0, 0] = 0.5  # the caller's array is neither aliased nor made read-only
    chain.check_complete()
    assert list(chain.edges) == [(f"X{t}", f"X{t + 1}") for t in range(1, 50)]
    assert chain.cpd("X7")[0] == ("X6",)
    mats = chain.transition_matrices
    assert all(m is mats[0] for m in mats) and mats[0].tolist() == [[0.9, 0.1], [0.2, 0.8]]
    assert not mats[0].flags.writeable
    with pytest.raises(ValueError, match="transition matrix 1"):
        ss.markov_chain(4, [0.5, 0.5], [[0.9, 0.2], [0.2, 0.8]])
