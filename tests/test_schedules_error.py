"""Exact expected KL of a schedule: checked against the sampler's definition on explicit joint tables."""

import itertools
import math
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

import symsched as ss
from symsched.schedules.error import block_cost, bernoulli_expected_kl, expected_kl, mdlm_grid


# -- independent brute force: profile and sampler error from a joint table ---------------------

def _marginal(p, keep):
    drop = tuple(i for i in range(p.ndim) if i not in keep)
    return p.sum(axis=drop) if drop else p


def _H(q):
    q = q[q > 0]
    return float(-(q * np.log(q)).sum())


def brute_profile(p):
    """h_j = e_{j+1} - e_j with e_j the mean entropy of j-subsets (direct enumeration)."""
    N = p.ndim
    e = [np.mean([_H(_marginal(p, T).ravel()) for T in itertools.combinations(range(N), j)]) if j else 0.0
         for j in range(N + 1)]
    return [e[j + 1] - e[j] for j in range(N)]


def brute_sampler_kl(p, sizes):
    """E over uniformly random orders of KL(p || q_sigma), q_sigma the factorized sampler's law."""
    N = p.ndim
    kls = []
    for order in itertools.permutations(range(N)):
        blocks, pos = [], 0
        for k in sizes:
            blocks.append(order[pos:pos + k])
            pos += k
        q = np.ones_like(p)
        revealed = []
        for B in blocks:
            if not B:
                continue
            for i in B:
                # p(x_i | x_revealed) broadcast over the full table
                keep_joint = tuple(sorted(revealed + [i]))
                joint = _marginal(p, keep_joint)
                cond = _marginal(p, tuple(sorted(revealed))) if revealed else np.array(1.0)
                # align axes: expand to full table shape
                full_joint = np.expand_dims(joint, tuple(a for a in range(N) if a not in keep_joint))
                rv = tuple(sorted(revealed))
                full_cond = np.expand_dims(cond, tuple(a for a in range(N) if a not in rv)) if revealed else cond
                q = q * (full_joint / full_cond)
            revealed += list(B)
        mask = p > 0
        kls.append(float((p[mask] * np.log(p[mask] / q[mask])).sum()))
    return float(np.mean(kls))


@pytest.mark.parametrize("sizes", [(2, 2), (1, 3), (3, 1), (4,), (1, 1, 1, 1), (1, 2, 1), (2, 1, 1), (0, 2, 0, 2)])
def test_identity_matches_sampler_definition(sizes):
    rng = np.random.default_rng(7)
    p = rng.dirichlet(np.full(16, 0.7)).reshape(2, 2, 2, 2)
    h = brute_profile(p)
    assert expected_kl(h, list(sizes)) == pytest.approx(brute_sampler_kl(p, sizes), abs=1e-12)


def test_identity_on_three_state_variables():
    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.ones(27)).reshape(3, 3, 3)
    h = brute_profile(p)
    for sizes in [(1, 2), (2, 1), (3,), (1, 1, 1)]:
        assert expected_kl(h, ss.Schedule(sizes)) == pytest.approx(brute_sampler_kl(p, sizes), abs=1e-12)


# -- algebraic properties ------------------------------------------------------------------------

profiles = st.lists(st.fractions(min_value=0, max_value=3, max_denominator=20), min_size=1, max_size=9).map(
    lambda xs: sorted(xs, reverse=True))


@given(profiles, st.data())
def test_identity_equals_sum_of_block_costs(h, data):
    N = len(h)
    cuts = data.draw(st.lists(st.integers(1, N - 1), unique=True, max_size=N - 1)) if N > 1 else []
    bps = [0] + sorted(cuts) + [N]
    sizes = [b - a for a, b in zip(bps, bps[1:])]
    kl = expected_kl(h, sizes)
    assert kl == sum(block_cost(h, a, b) for a, b in zip(bps, bps[1:]))
    assert all(block_cost(h, a, b) >= 0 for a, b in zip(bps, bps[1:]))
    # float path agrees with the exact one
    hf = [float(x) for x in h]
    assert expected_kl(hf, sizes) == pytest.approx(float(kl), abs=1e-12)


@given(profiles)
def test_extremes_all_ones_and_one_step(h):
    prof = ss.as_profile(h)
    assert expected_kl(prof, [1] * prof.N) == 0
    assert expected_kl(prof, [prof.N]) == prof.total_correlation


def test_order_of_sizes_matters():
    h = [F(9, 10), F(6, 10), F(5, 10), F(1, 10), F(0)]
    # by hand: (2,3): w(0,2) = 0.3, w(2,5) = (0.5-0.1) + 0.5 = 0.9 ; (3,2): w(0,3) = 0.3+0.4, w(3,5) = 0.1
    assert expected_kl(h, [2, 3]) == F(12, 10)
    assert expected_kl(h, [3, 2]) == F(8, 10)


def test_symbolic_closed_forms():
    q = sp.Symbol("q", positive=True)
    lq = sp.log(q)
    copy = [lq] + [sp.Integer(0)] * 4  # copy model: error (k_1 - 1) log q
    for sizes, k1 in [([1, 4], 1), ([3, 2], 3), ([5], 5)]:
        assert sp.simplify(expected_kl(copy, sizes) - (k1 - 1) * lq) == 0
    parity = [sp.log(2)] * 4 + [sp.Integer(0)]  # parity: log 2 iff the last step reveals >= 2 tokens
    assert expected_kl(parity, [3, 2]) == sp.log(2)
    assert expected_kl(parity, [2, 2, 1]) == 0


def test_mpmath_precision_matches_exact():
    h = [F(7, 3), F(5, 3), F(1, 7), F(1, 9)]
    exact = expected_kl(h, [2, 2])
    with mpmath.workdps(60):
        hm = [mpmath.mpf(x.numerator) / x.denominator for x in h]
    v = expected_kl(hm, [2, 2])
    assert isinstance(v, mpmath.mpf)
    with mpmath.workdps(60):
        assert abs(v - mpmath.mpf(exact.p) / exact.q) < mpmath.mpf(10) ** -45


def test_mismatched_N_and_bad_input():
    with pytest.raises(ValueError, match=r"N = 5.*N = 3"):
        expected_kl([0.5, 0.4, 0.1], [2, 3])
    with pytest.raises(ValueError, match="block_cost"):
        block_cost([0.5, 0.4], 1, 3)
    with pytest.raises(ValueError):
        expected_kl([0.5, 0.4], "12")


# -- Bernoulli (continuous-time) schedules --------------------------------------------------------

def brute_bernoulli(h, grid):
    """Enumerate reveal counts per step: E[sum_t c_t h_{s_{t-1}}] - H with binomial counts."""
    N, K = len(h), len(grid) - 1
    total = F(0)

    def rec(t, s, prob, acc):
        nonlocal total
        if t == K:
            assert s == N
            total += prob * acc
            return
        p = (grid[t + 1] - grid[t]) / (1 - grid[t])
        n = N - s
        for c in range(n + 1):
            pc = math.comb(n, c) * p ** c * (1 - p) ** (n - c)
            if pc:
                rec(t + 1, s + c, prob * pc, acc + (c * h[s] if c else 0))

    rec(0, 0, F(1), F(0))
    return total - sum(h)


@pytest.mark.parametrize("grid", [[F(0), F(1)], [F(0), F(1, 2), F(1)], [F(0), F(1, 5), F(1, 2), F(9, 10), F(1)],
                                  [F(0), F(1, 3), F(2, 3), F(1)]])
def test_bernoulli_formula_matches_enumeration(grid):
    h = [F(5, 4), F(1), F(3, 5), F(1, 2), F(1, 10)]
    exact = bernoulli_expected_kl(h, grid)
    assert sp.sympify(exact) == sp.Rational(brute_bernoulli(h, grid))
    got = bernoulli_expected_kl([float(x) for x in h], [float(x) for x in grid])
    assert got == pytest.approx(float(exact), abs=1e-12)
    with mpmath.workdps(40):
        hm = [mpmath.mpf(x.numerator) / x.denominator for x in h]
    vm = bernoulli_expected_kl(hm, grid)
    with mpmath.workdps(40):
        assert abs(vm - mpmath.mpf(sp.Rational(exact).p) / sp.Rational(exact).q) < mpmath.mpf(10) ** -35


def test_bernoulli_one_step_is_tc_and_grid_validation():
    prof = ss.as_profile([0.9, 0.5, 0.2])
    assert bernoulli_expected_kl(prof, [0, 1]) == pytest.approx(prof.total_correlation)
    with pytest.raises(ValueError, match="u_0 = 0"):
        bernoulli_expected_kl(prof, [0.1, 1])
    with pytest.raises(ValueError, match="increasing"):
        bernoulli_expected_kl(prof, [0, 0.5, 0.5, 1])


def test_mdlm_grid_conventions():
    g = mdlm_grid(4, eps=1e-3)
    assert len(g) == 5 and g[0] == 0 and g[-1] == 1
    assert g[1:-1] == pytest.approx([0.25 * (1 - 1e-3) * k for k in (1, 2, 3)])
    ge = mdlm_grid(4, eps=1e-3, final="extra")
    assert len(ge) == 6 and ge[-2] == pytest.approx(1 - 1e-3) and ge[-1] == 1
    gc = mdlm_grid(4, eps=0.0, alpha="cosine")
    assert gc == pytest.approx([1 - math.cos(math.pi * k / 8) for k in range(5)])
    with pytest.raises(ValueError, match="final"):
        mdlm_grid(3, final="x")
