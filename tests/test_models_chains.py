"""Markov chains and HMMs against matrix products and brute-force sums over hidden paths."""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

import symsched as ss


def stochastic(rng, r, c):
    return rng.dirichlet(np.ones(c), size=r)


@pytest.mark.parametrize("seed", range(4))
def test_homogeneous_chain_marginals(seed):
    rng = np.random.default_rng(seed)
    k, n = int(rng.integers(2, 5)), int(rng.integers(2, 7))
    init, T = rng.dirichlet(np.ones(k)), stochastic(rng, k, k)
    mc = ss.markov_chain(n, init, T)
    p = mc.joint()
    assert math.isclose(p.sum(), 1, abs_tol=1e-12)
    law = init
    for t in range(n):
        marg = p.sum(axis=tuple(a for a in range(n) if a != t))
        np.testing.assert_allclose(marg, law, rtol=1e-12, atol=1e-15)
        law = law @ T
    assert len(mc.transition_matrices) == n - 1
    np.testing.assert_array_equal(mc.initial_distribution, init)
    # pairwise law of consecutive tokens: diag(law_t) T
    pair = p.sum(axis=tuple(range(2, n)))
    np.testing.assert_allclose(pair, init[:, None] * T, rtol=1e-12, atol=1e-15)


def test_nonstationary_chain_with_changing_state_counts():
    rng = np.random.default_rng(7)
    init = rng.dirichlet(np.ones(2))
    Ts = [stochastic(rng, 2, 3), stochastic(rng, 3, 4), stochastic(rng, 4, 2)]
    mc = ss.markov_chain(4, init, Ts)
    assert mc.cardinalities == (2, 3, 4, 2)
    p = mc.joint()
    for x in itertools.product(range(2), range(3), range(4), range(2)):
        ref = init[x[0]] * Ts[0][x[0], x[1]] * Ts[1][x[1], x[2]] * Ts[2][x[2], x[3]]
        assert math.isclose(p[x], ref, rel_tol=1e-12)
    np.testing.assert_allclose(p.sum(axis=(0, 1, 2)), init @ Ts[0] @ Ts[1] @ Ts[2], rtol=1e-12)
    assert [t.shape for t in mc.transition_matrices] == [(2, 3), (3, 4), (4, 2)]


def test_binary_symmetric_chain_exact_and_symbolic():
    mc = ss.binary_symmetric_chain(3, Fraction(1, 10))
    p = mc.joint(precision="symbolic")
    assert p[0, 1, 1] == sp.Rational(1, 2) * sp.Rational(1, 10) * sp.Rational(9, 10)
    e = sp.Symbol("eps")
    ms = ss.binary_symmetric_chain(3, e)
    assert ms.free_symbols == {e}
    ps = ms.joint(precision="symbolic")
    assert sp.simplify(ps[0, 1, 0] - e ** 2 / 2) == 0
    assert sp.simplify(ms.subs({e: Fraction(1, 10)}).joint(precision="symbolic")[0, 1, 1] - p[0, 1, 1]) == 0
    assert isinstance(ms.subs({e: sp.Rational(1, 4)}), ss.MarkovChain)


@pytest.mark.parametrize("seed", range(4))
def test_hmm_equals_sum_over_hidden_paths(seed):
    rng = np.random.default_rng(seed)
    n, k, m = int(rng.integers(1, 5)), int(rng.integers(2, 4)), int(rng.integers(2, 4))
    init = rng.dirichlet(np.ones(k))
    T = stochastic(rng, k, k)
    E = [stochastic(rng, k, m) for _ in range(n)]
    hmm = ss.hidden_markov_model(n, init, T, E)
    p = hmm.joint()
    assert hmm.variables == tuple(f"Y{i + 1}" for i in range(n))
    for y in itertools.product(range(m), repeat=n):
        ref = 0.0
        for z in itertools.product(range(k), repeat=n):
            term = init[z[0]] * E[0][z[0], y[0]]
            for t in range(1, n):
                term *= T[z[t - 1], z[t]] * E[t][z[t], y[t]]
            ref += term
        assert math.isclose(p[y], ref, rel_tol=1e-11)
    assert len(hmm.emission_matrices) == n and len(hmm.transition_matrices) == n - 1


def test_hmm_exact():
    h = Fraction(1, 2)
    hmm = ss.hidden_markov_model(2, [h, h], [[Fraction(3, 4), Fraction(1, 4)], [Fraction(1, 4), Fraction(3, 4)]],
                                 [[Fraction(1), Fraction(0)], [Fraction(0), Fraction(1)]])
    # identity emissions: the observations are the chain itself
    assert hmm.joint(precision="symbolic").tolist() == [[sp.Rational(3, 8), sp.Rational(1, 8)],
                                                         [sp.Rational(1, 8), sp.Rational(3, 8)]]


@pytest.mark.parametrize("call, match", [
    (lambda: ss.markov_chain(3, [0.5, 0.5], [[0.9, 0.1], [0.2, 0.7]]), r"transition matrix 1.*\(1,\).*sums"),
    (lambda: ss.markov_chain(3, [0.5, 0.6], [[0.9, 0.1], [0.2, 0.8]]), "initial distribution.*sums"),
    (lambda: ss.markov_chain(3, [0.5, 0.5], [np.full((2, 3), 1 / 3), np.full((2, 2), 0.5)]),
     r"transition matrix 2 \('X2' -> 'X3'\).*expected 3 rows"),
    (lambda: ss.markov_chain(3, [0.5, 0.5], [np.full((2, 2), 0.5)]), "list of 2"),
    (lambda: ss.hidden_markov_model(2, [0.5, 0.5], np.full((2, 2), 0.5), np.full((3, 2), 0.5)),
     "emission matrix 1.*'Y1'.*expected 2 rows"),
    (lambda: ss.markov_chain(0, [1.0], []), "n must be"),
])
def test_bad_chains(call, match):
    with pytest.raises(ValueError, match=match):
        call()
