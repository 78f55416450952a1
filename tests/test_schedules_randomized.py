"""Randomized schedules: exact expected error by propagating the law of s_t, against path enumeration."""

from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

import symsched as ss
from symsched.schedules.randomized import RandomizedSchedule, binomial_bernoulli_grid, uniform_sizes

H = [F(3, 2), F(6, 5), F(1), F(1, 2), F(2, 5), F(1, 10), F(0)]


def enumerate_paths(rule, N, max_steps):
    """All (probability, sizes) paths of a Markov size rule, by explicit recursion."""
    out = []

    def rec(s, t, prob, sizes):
        if s == N:
            out.append((prob, tuple(sizes)))
            return
        assert t < max_steps, "rule did not finish"
        for k, p in rule(s, t, N).items():
            if p:
                rec(s + k, t + 1, prob * p, sizes + [k])

    rec(0, 0, F(1), [])
    return out


def path_kl(h, sizes):
    s, total = 0, F(0)
    for k in sizes:
        total += k * h[s] if k else 0
        s += k
    return total - sum(h)


def test_explicit_law_is_weighted_average():
    scheds = [[3, 4], [1, 2, 4], [7], [4, 3]]
    probs = [F(1, 2), F(1, 4), F(1, 8), F(1, 8)]
    r = RandomizedSchedule(list(zip(probs, scheds)))
    assert r.expected_kl(H) == sum(p * ss.expected_kl(H, s) for p, s in zip(probs, scheds))
    assert ss.expected_kl(H, r) == r.expected_kl(H)
    assert r.expected_steps() == F(1, 2) * 2 + F(1, 4) * 3 + F(1, 8) * 1 + F(1, 8) * 2
    hf = [float(x) for x in H]
    assert r.expected_kl(hf) == pytest.approx(float(r.expected_kl(H)), abs=1e-12)


@pytest.mark.parametrize("kmin,kmax", [(1, 1), (1, 2), (1, 3), (2, 4), (3, 3)])
def test_uniform_rule_matches_path_enumeration(kmin, kmax):
    rule = uniform_sizes(kmin, kmax)
    N = len(H)
    paths = enumerate_paths(rule, N, N)
    r = RandomizedSchedule(size_law=rule, N=N)
    assert r.expected_kl(H) == sum(p * path_kl(H, s) for p, s in paths)
    assert r.expected_steps() == sum(p * len(s) for p, s in paths)


def test_time_dependent_rule_with_empty_steps():
    # step t may reveal nothing with probability 1/3 at even t; finishes by revealing all at t = 5
    def rule(s, t, N):
        if t == 5:
            return {N - s: F(1)}
        if t % 2 == 0:
            return {0: F(1, 3), 1: F(2, 3)}
        return {min(2, N - s): F(1)}

    N = len(H)
    paths = enumerate_paths(rule, N, 6)
    r = RandomizedSchedule(size_law=rule, N=N, max_steps=6)
    assert r.expected_kl(H) == sum(p * path_kl(H, s) for p, s in paths)
    assert r.expected_steps() == sum(p * len(s) for p, s in paths)
    with pytest.raises(ValueError, match="max_steps"):
        RandomizedSchedule(size_law=rule, N=N, max_steps=3).expected_kl(H)


@given(st.lists(st.fractions(min_value=F(1, 20), max_value=F(19, 20), max_denominator=20), min_size=1,
                max_size=3, unique=True))
def test_bernoulli_grid_rule_equals_closed_form(inner):
    grid = [F(0)] + sorted(inner) + [F(1)]
    h = H[:5]
    r = RandomizedSchedule(size_law=binomial_bernoulli_grid(grid), N=len(h))
    closed = ss.bernoulli_expected_kl(h, grid)
    assert sp.sympify(r.expected_kl(h) - closed) == 0
    paths = enumerate_paths(binomial_bernoulli_grid(grid), len(h), len(grid) - 1)
    assert sp.Rational(sum(p * path_kl(h, s) for p, s in paths)) == sp.sympify(closed)


def test_float_bernoulli_grid_rule():
    grid = [0.0, 0.3, 0.7, 1.0]
    h = [1.1, 0.9, 0.8, 0.3, 0.2, 0.2]
    r = RandomizedSchedule(size_law=binomial_bernoulli_grid(grid), N=6)
    assert r.expected_kl(h) == pytest.approx(ss.bernoulli_expected_kl(h, grid), abs=1e-12)


def test_two_argument_rule_and_symbolic_profile():
    rule = lambda s, t: {1: F(1, 2), 2: F(1, 2)} if s < 2 else {1: F(1)}  # noqa: E731
    q = sp.Symbol("q", positive=True)
    h = [sp.log(q), sp.Integer(0), sp.Integer(0)]  # copy model: error (k_1 - 1) log q
    r = RandomizedSchedule(size_law=rule, N=3)
    assert sp.simplify(r.expected_kl(h) - sp.log(q) / 2) == 0


def test_sample_and_marginals():
    r = RandomizedSchedule(size_law=uniform_sizes(1, 3), N=10)
    a, b = r.sample(5), r.sample(5)
    assert a == b and a.N == 10
    rng = np.random.default_rng(0)
    draws = [r.sample(rng) for _ in range(2000)]
    mc = np.mean([float(ss.expected_kl([float(x) for x in H] + [0.0] * 3, d)) for d in draws])
    exact = float(r.expected_kl(H + [F(0)] * 3))
    assert abs(mc - exact) < 0.1
    m = r.marginals()
    assert all(sum(d.values()) == 1 for d in m)
    assert m[-1] == {10: 1}


def test_invalid_laws():
    with pytest.raises(ValueError, match="sum to"):
        RandomizedSchedule([(F(1, 2), [1, 2]), (F(1, 3), [2, 1])])
    with pytest.raises(ValueError, match="different N"):
        RandomizedSchedule([(F(1, 2), [1, 2]), (F(1, 2), [2, 2])])
    with pytest.raises(ValueError, match="exactly one"):
        RandomizedSchedule()
    bad = RandomizedSchedule(size_law=lambda s, t: {1: F(1, 2), 2: F(1, 3)}, N=3)
    with pytest.raises(ValueError, match="sum to"):
        bad.expected_kl([1.0, 0.5, 0.1])
    with pytest.raises(ValueError, match="N = 4"):
        RandomizedSchedule(size_law=uniform_sizes(1, 2), N=4).expected_kl([1.0, 0.5, 0.1])
