"""Continuous-time samplers: Euler / tau-leaping (the Bernoulli sampler) and the First-Hitting Sampler.

Expected values come from independent computations in this file: the Euler law by brute-force
enumeration of reveal patterns with conditionals summed out of the joint, the Bernoulli expected-KL
formula written out from a brute-force information profile.
"""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from scipy import stats

import symsched as ss
from symsched.errors import ModelTooLargeError, SymschedError
from symsched.samplers import (euler_kl, euler_law, euler_tv, euler_tv_curve, fhs_law, pattern_averaged_kl,
                               reveal_grid, sample_euler, sample_fhs)
from symsched.samplers.conditionals import tv_distance


def random_bn_joint(rng, cards, max_parents=2, alpha=0.5):
    N = len(cards)
    joint = np.ones(cards)
    for i in range(N):
        k = int(rng.integers(0, min(i, max_parents) + 1))
        parents = sorted(rng.choice(i, size=k, replace=False).tolist()) if k else []
        cpd = rng.dirichlet(np.full(cards[i], alpha), size=[cards[a] for a in parents])
        shape = [1] * N
        for a in parents:
            shape[a] = cards[a]
        shape[i] = cards[i]
        joint = joint * cpd.reshape(shape)
    return joint


def random_table(rng, cards, zeros=0.3):
    t = rng.dirichlet(np.full(int(np.prod(cards)), 0.7))
    t[rng.random(t.size) < zeros] = 0.0
    if t.sum() == 0:
        t[0] = 1.0
    return (t / t.sum()).reshape(cards)


def brute_marg(p, x, S):
    return p[tuple(x[a] if a in S else slice(None) for a in range(p.ndim))].sum()


def brute_q_blocks(p, blocks):
    q = np.zeros(p.shape)
    for x in np.ndindex(p.shape):
        val, R = 1.0, set()
        for B in blocks:
            for i in B:
                den = brute_marg(p, x, R)
                val *= brute_marg(p, x, R | {i}) / den if den > 0 else 1.0 / p.shape[i]
            R |= set(B)
        q[x] = val
    return q


def brute_euler(p, grid):
    """Sum over reveal patterns (token i revealed at step k with probability t_k - t_{k-1})."""
    N, K = p.ndim, len(grid) - 1
    q = np.zeros(p.shape)
    for pattern in itertools.product(range(K), repeat=N):
        w = math.prod(grid[k + 1] - grid[k] for k in pattern)
        q += w * brute_q_blocks(p, [[i for i in range(N) if pattern[i] == k] for k in range(K)])
    return q


def brute_profile(p):
    N = p.ndim

    def H(S):
        m = p.sum(axis=tuple(a for a in range(N) if a not in S)).ravel() if len(S) < N else p.ravel()
        m = m[m > 0]
        return float(-(m * np.log(m)).sum())

    e = [np.mean([H(S) for S in itertools.combinations(range(N), j)]) for j in range(N + 1)]
    return np.diff(e), e[-1]


def bernoulli_formula(h, H, grid):
    """Sum_k (t_k - t_{k-1}) N sum_j Binom(j; N-1, t_{k-1}) h_j - H, written out."""
    N = len(h)
    total = 0.0
    for a, b in zip(grid, grid[1:]):
        total += (b - a) * N * sum(math.comb(N - 1, j) * a ** j * (1 - a) ** (N - 1 - j) * h[j] for j in range(N))
    return total - H


GRIDS = [[0.0, 1.0], [0.0, 0.5, 1.0], [0.0, 0.2, 0.5, 1.0], [0.0, 0.1, 0.3, 0.6, 1.0]]


# -- Euler = Bernoulli sampler ------------------------------------------------------------------------
@pytest.mark.parametrize("cards,seed", [((2, 3), 0), ((2, 2, 3), 1), ((3, 2, 2), 2)])
@pytest.mark.parametrize("grid", GRIDS[:3])
def test_euler_law_matches_pattern_bruteforce(cards, seed, grid):
    rng = np.random.default_rng(seed)
    p = random_table(rng, cards, zeros=0.25)
    q = euler_law(ss.from_joint(p), grid)
    assert math.isclose(q.sum(), 1.0, abs_tol=1e-12)
    assert np.allclose(q, brute_euler(p, grid), atol=1e-13)


@pytest.mark.parametrize("seed,cards", [(0, (2, 3, 2)), (1, (2, 2, 2, 3)), (2, (3, 2, 2, 2)), (3, (2, 2, 2, 2, 2))])
def test_pattern_averaged_kl_equals_bernoulli_formula(seed, cards):
    rng = np.random.default_rng(seed)
    p = random_bn_joint(rng, cards)
    h, H = brute_profile(p)
    grids = GRIDS if len(cards) <= 4 else GRIDS[:3]
    for grid in grids:
        pa = pattern_averaged_kl(p, grid)
        assert pa == pytest.approx(bernoulli_formula(h, H, grid), abs=1e-10)
        # the mixture over patterns is no worse than the pattern average (convexity)
        assert euler_kl(p, grid) <= pa + 1e-12
    error = pytest.importorskip("symsched.schedules.error")
    for grid in grids:
        assert error.bernoulli_expected_kl(list(h), grid) == pytest.approx(pattern_averaged_kl(p, grid), abs=1e-10)


def test_euler_one_step_is_product_of_marginals():
    rng = np.random.default_rng(4)
    p = random_bn_joint(rng, (2, 3, 2))
    assert np.allclose(euler_law(p, 1), ss.samplers.sampler_law(p, [3]), atol=1e-15)
    h, H = brute_profile(p)
    assert euler_kl(p, 1) == pytest.approx(3 * h[0] - H, abs=1e-12)


def test_euler_exact_arithmetic():
    counts = np.array([[[3, 1], [0, 2]], [[1, 1], [2, 5]]])
    fr = np.vectorize(lambda c: Fraction(int(c), int(counts.sum())), otypes=[object])(counts)
    q = euler_law(ss.from_joint(fr), 2, precision="symbolic")
    assert all(isinstance(v, sp.Rational) for v in q.ravel())
    assert sp.Add(*q.ravel()) == 1
    assert np.allclose(np.array(q, dtype=float), brute_euler(counts / counts.sum(), [0, 0.5, 1]), atol=1e-15)


def test_euler_tv_decreases_to_zero():
    rng = np.random.default_rng(6)
    for p in (random_bn_joint(rng, (2, 3, 2, 2)), random_table(rng, (2, 2, 2, 2), zeros=0.3)):
        curve = euler_tv_curve(ss.from_joint(p), Ks=(1, 2, 4, 8, 16, 32, 64))
        tv = np.array(curve.tv)
        assert np.all(np.diff(tv) < 0)
        assert tv[-1] < tv[0] / 20
        assert tv[0] == pytest.approx(tv_distance(p, ss.samplers.sampler_law(p, [4])), abs=1e-14)
        assert curve.tv[3] == pytest.approx(euler_tv(p, 8), abs=1e-15)
        # Pinsker: TV <= sqrt(KL / 2)
        assert all(t <= math.sqrt(k / 2) + 1e-12 for t, k in zip(curve.tv, curve.kl))
        # measured order of decay: on these models TV halves when K doubles at large K
        assert 1.6 < tv[-2] / tv[-1] < 2.4
        assert 0.5 < curve.observed_order < 1.5
        assert "observed TV order" in str(curve) and len(repr(curve)) < 200


def test_sample_euler_frequencies():
    rng = np.random.default_rng(7)
    p = random_table(rng, (2, 3, 2), zeros=0.2)
    n = 20000
    x = sample_euler(p, [0, 0.3, 1], n, seed=5)
    q = euler_law(p, [0, 0.3, 1]).ravel()
    counts = np.bincount(np.ravel_multi_index(x.T, p.shape), minlength=p.size)
    keep = q > 0
    assert np.all(counts[~keep] == 0)
    assert stats.chisquare(counts[keep], n * q[keep] / q[keep].sum()).pvalue > 1e-3


# -- First-Hitting Sampler --------------------------------------------------------------------------------
@pytest.mark.parametrize("seed,cards", [(0, (2, 3)), (1, (2, 2, 3)), (2, (3, 2, 2, 2)), (3, (2, 2, 2, 2, 2))])
def test_fhs_law_is_exact(seed, cards):
    rng = np.random.default_rng(seed)
    for p in (random_bn_joint(rng, cards), random_table(rng, cards, zeros=0.3)):
        q = fhs_law(ss.from_joint(p))
        assert tv_distance(p, q) < 1e-12


def test_fhs_law_exact_symbolic():
    counts = np.array([[[3, 0], [0, 2]], [[1, 1], [2, 5]]])
    fr = np.vectorize(lambda c: Fraction(int(c), int(counts.sum())), otypes=[object])(counts)
    q = fhs_law(ss.from_joint(fr), precision="symbolic")
    assert all(sp.sympify(a - sp.Rational(b.numerator, b.denominator)) == 0 for a, b in zip(q.ravel(), fr.ravel()))


def test_sample_fhs_frequencies_and_times():
    rng = np.random.default_rng(9)
    p = random_table(rng, (2, 3, 2), zeros=0.2)
    n = 20000
    x, times = sample_fhs(ss.from_joint(p), n, seed=11, return_times=True)
    counts = np.bincount(np.ravel_multi_index(x.T, p.shape), minlength=p.size)
    keep = p.ravel() > 0
    assert np.all(counts[~keep] == 0)
    assert stats.chisquare(counts[keep], n * p.ravel()[keep]).pvalue > 1e-3
    assert np.all(np.diff(times, axis=1) > 0) and np.all((times > 0) & (times < 1))
    # event times are the order statistics of 3 uniforms: E[U_(m)] = m / 4
    se = times.std(axis=0) / math.sqrt(n)
    assert np.all(np.abs(times.mean(axis=0) - np.array([1, 2, 3]) / 4) < 4 * se)


# -- grids and errors --------------------------------------------------------------------------------------
def test_reveal_grid_and_errors():
    assert reveal_grid(2) == (Fraction(0), Fraction(1, 2), Fraction(1))
    for bad in (0, [0.1, 1.0], [0.0, 0.6, 0.6, 1.0], [0.0, 1.5], "x"):
        with pytest.raises(SymschedError, match="grid"):
            reveal_grid(bad)
    assert reveal_grid([0.0, 0.5]) == (0.0, 0.5, 1)  # a grid ending below 1 gets its clean-up step
    p = np.full((2, 2, 2), 1 / 8)
    with pytest.raises(ModelTooLargeError):
        euler_law(p, 4, budget=10)
    with pytest.raises(ModelTooLargeError):
        pattern_averaged_kl(p, 4, budget=10)
    with pytest.raises(SymschedError, match="positive integer"):
        sample_fhs(p, -1)
    with pytest.raises(SymschedError, match="Ks"):
        euler_tv_curve(p, Ks=())
