"""The factorized sampler: exact laws against brute force, the E_sigma KL identity, Monte Carlo.

Every expected value here is computed independently inside this file: the sampler's law by a direct
product of conditionals summed out of the joint table for every permutation, the information profile
by itertools.combinations over the joint.
"""

import itertools
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import symsched as ss
from symsched.errors import ModelTooLargeError, SymschedError
from symsched.samplers import (count_orders, exact_sampler_kl, montecarlo_sampler_kl, order_averaged_kl,
                               order_law, ordered_set_partitions, sample_factorized, sampler_law)
from symsched.samplers.conditionals import kl_divergence


# -- independent helpers ---------------------------------------------------------------------------
def random_bn_joint(rng, cards, max_parents=2, alpha=0.6):
    """Joint of a random Bayesian network in topological order 0..N-1 (chain rule, by hand)."""
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
    """p_S(x_S) by summing the joint's slice."""
    return p[tuple(x[a] if a in S else slice(None) for a in range(p.ndim))].sum()


def brute_q_sigma(p, blocks):
    """q_sigma(x) = prod_t prod_{i in B_t} p(x_i | x_R), with the uniform fallback where p_R(x_R) = 0."""
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


def brute_mixture(p, sizes):
    """Average of q_sigma over all N! permutations cut into blocks (the definition of the sampler)."""
    N = p.ndim
    acc = np.zeros(p.shape)
    perms = list(itertools.permutations(range(N)))
    cuts = np.cumsum((0,) + tuple(sizes))
    for perm in perms:
        acc += brute_q_sigma(p, [perm[a:b] for a, b in zip(cuts, cuts[1:])])
    return acc / len(perms)


def brute_profile(p):
    """(h, H) by brute force: e_j = mean over |T| = j of H(X_T)."""
    N = p.ndim

    def H(S):
        m = p.sum(axis=tuple(a for a in range(N) if a not in S)).ravel() if len(S) < N else p.ravel()
        m = m[m > 0]
        return float(-(m * np.log(m)).sum())

    e = [np.mean([H(S) for S in itertools.combinations(range(N), j)]) for j in range(N + 1)]
    return np.diff(e), e[-1]


def identity_value(h, H, sizes):
    s, total = 0, 0.0
    for k in sizes:
        total += k * h[s]
        s += k
    return total - H


def compositions(N):
    """All tuples of positive integers summing to N."""
    out = []
    for cuts in itertools.product((0, 1), repeat=N - 1):
        sizes, k = [], 1
        for c in cuts:
            if c:
                sizes.append(k)
                k = 1
            else:
                k += 1
        out.append(tuple(sizes + [k]))
    return out


def brute_kl(p, q):
    m = p > 0
    assert np.all(q[m] > 0), "support of p must be inside the support of q"
    return float(np.sum(p[m] * np.log(p[m] / q[m])))


# -- exact laws ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("cards,sizes,seed", [
    ((2, 3), (1, 1), 0), ((2, 3), (2,), 1), ((2, 2, 3), (1, 2), 2), ((2, 2, 3), (2, 1), 3),
    ((3, 2, 2, 2), (2, 2), 4), ((2, 3, 2, 2), (1, 3), 5), ((2, 2, 2, 2), (3, 1), 6),
])
def test_mixture_law_matches_bruteforce(cards, sizes, seed):
    rng = np.random.default_rng(seed)
    for p in (random_table(rng, cards, zeros=0.3), random_bn_joint(rng, cards)):
        q = sampler_law(ss.from_joint(p), sizes)
        assert q.shape == p.shape
        assert math.isclose(q.sum(), 1.0, abs_tol=1e-12)
        assert np.allclose(q, brute_mixture(p, sizes), atol=1e-13)


def test_order_law_matches_bruteforce_and_depends_on_blocks_only():
    rng = np.random.default_rng(11)
    p = random_table(rng, (2, 3, 2, 2), zeros=0.25)
    m = ss.from_joint(p)
    blocks = [(2, 0), (3,), (1,)]
    q = order_law(m, blocks)
    assert np.allclose(q, brute_q_sigma(p, blocks), atol=1e-14)
    # the order inside a block does not matter; the order of blocks does (in general)
    assert np.allclose(q, order_law(m, [(0, 2), (3,), (1,)]), atol=1e-15)
    assert np.allclose(sampler_law(m, [2, 1, 1], order=[("X1", "X3"), ["X4"], ["X2"]]), q, atol=1e-15)
    q2 = order_law(m, [(3,), (2, 0), (1,)])
    assert not np.allclose(q, q2)


def test_count_orders():
    for sizes in [(2, 3), (1, 1, 1, 1), (3, 1, 2), (5,)]:
        N = sum(sizes)
        parts = list(ordered_set_partitions(N, sizes))
        assert len(parts) == len(set(parts)) == count_orders(sizes)
        assert count_orders(sizes) == math.factorial(N) // math.prod(math.factorial(k) for k in sizes)


# -- the identity and the mixture inequality ----------------------------------------------------------
@settings(max_examples=12)
@given(seed=st.integers(0, 10 ** 6), N=st.integers(2, 5), data=st.data())
def test_identity_order_averaged_kl(seed, N, data):
    rng = np.random.default_rng(seed)
    cards = tuple(data.draw(st.lists(st.integers(2, 3), min_size=N, max_size=N)))
    p = random_bn_joint(rng, cards) if seed % 2 else random_table(rng, cards, zeros=0.2)
    sizes = data.draw(st.sampled_from(compositions(N)))
    h, H = brute_profile(p)
    model = ss.from_joint(p)
    oa = order_averaged_kl(model, sizes)
    assert oa == pytest.approx(identity_value(h, H, sizes), abs=1e-10)
    mix = exact_sampler_kl(model, sizes)
    assert mix == pytest.approx(brute_kl(p, brute_mixture(p, sizes) if N <= 4 else sampler_law(model, sizes)),
                                abs=1e-10)
    assert mix <= oa + 1e-12          # convexity of KL


@pytest.mark.parametrize("sizes", [(2, 3), (3, 2), (1, 1, 1, 1, 1, 1), (2, 2, 2), (1, 2, 3), (3, 2, 1), (6,)])
def test_identity_N6_mixed_cardinalities(sizes):
    rng = np.random.default_rng(7)
    cards = (2, 3, 2, 2, 3, 2) if sum(sizes) == 6 else (2, 3, 2, 2, 3)
    p = random_bn_joint(rng, cards)
    h, H = brute_profile(p)
    oa = order_averaged_kl(ss.from_joint(p), sizes)
    assert oa == pytest.approx(identity_value(h, H, sizes), abs=1e-10)


def test_identity_agrees_with_schedules_expected_kl():
    error = pytest.importorskip("symsched.schedules.error")
    rng = np.random.default_rng(3)
    p = random_bn_joint(rng, (2, 3, 2, 2, 2))
    h, H = brute_profile(p)
    for sizes in [(2, 3), (3, 2), (1, 4), (1, 1, 1, 2)]:
        assert error.expected_kl(list(h), sizes) == pytest.approx(order_averaged_kl(p, sizes), abs=1e-10)


def test_design_example_shape_sizes_2_3():
    """A 5-variable BN where sizes (2,3) give a strictly smaller mixture KL than the identity, and
    the order of sizes matters."""
    rng = np.random.default_rng(5)
    p = random_bn_joint(rng, (2, 2, 2, 2, 2), max_parents=2, alpha=0.3)
    model = ss.from_joint(p)
    h, H = brute_profile(p)
    ident = {s: identity_value(h, H, s) for s in [(2, 3), (3, 2)]}
    mix = {s: exact_sampler_kl(model, s) for s in [(2, 3), (3, 2)]}
    for s in ident:
        assert mix[s] < ident[s] - 1e-3
        assert order_averaged_kl(model, s) == pytest.approx(ident[s], abs=1e-10)
        assert mix[s] < 0.7 * ident[s]
    assert abs(ident[(2, 3)] - ident[(3, 2)]) > 1e-2
    assert abs(mix[(2, 3)] - mix[(3, 2)]) > 1e-2


def test_extremes():
    rng = np.random.default_rng(5)
    for p in (random_bn_joint(rng, (2, 3, 2, 2)), random_table(rng, (3, 2, 2), zeros=0.4)):
        N = p.ndim
        model = ss.from_joint(p)
        assert np.allclose(sampler_law(model, (1,) * N), p, atol=1e-14)
        assert exact_sampler_kl(model, (1,) * N) == pytest.approx(0.0, abs=1e-12)
        # K = 1: product of the marginals, KL = TC
        prod = np.ones(p.shape)
        for i in range(N):
            shape = [1] * N
            shape[i] = p.shape[i]
            prod = prod * p.sum(axis=tuple(a for a in range(N) if a != i)).reshape(shape)
        assert np.allclose(sampler_law(model, (N,)), prod, atol=1e-14)
        h, H = brute_profile(p)
        tc = N * h[0] - H
        assert exact_sampler_kl(model, (N,)) == pytest.approx(tc, abs=1e-12)
        assert order_averaged_kl(model, (N,)) == pytest.approx(tc, abs=1e-12)


def test_closed_forms_copy_and_parity():
    # copy of 3 fair bits: K = 1 costs TC = 2 log 2; parity: K = 1 costs TC = log 2
    copy = np.zeros((2, 2, 2))
    copy[0, 0, 0] = copy[1, 1, 1] = 0.5
    assert exact_sampler_kl(copy, [3]) == pytest.approx(2 * math.log(2), abs=1e-12)
    parity = np.zeros((2, 2, 2))
    for x in itertools.product((0, 1), repeat=2):
        parity[x + ((x[0] + x[1]) % 2,)] = 0.25
    assert exact_sampler_kl(parity, [3]) == pytest.approx(math.log(2), abs=1e-12)
    # parity with (2, 1): the first two tokens are independent fair bits, then the XOR is exact
    assert exact_sampler_kl(parity, [2, 1]) == pytest.approx(0.0, abs=1e-12)


def test_base_and_support():
    rng = np.random.default_rng(9)
    p = random_table(rng, (2, 3, 2), zeros=0.3)
    q = sampler_law(p, (2, 1))
    assert np.all(q[p > 0] > 0)
    assert exact_sampler_kl(p, (2, 1), base=2) == pytest.approx(exact_sampler_kl(p, (2, 1)) / math.log(2), rel=1e-12)
    assert kl_divergence(np.array([0.5, 0.5]), np.array([1.0, 0.0])) == math.inf


# -- exact arithmetic -----------------------------------------------------------------------------------
def test_symbolic_law_is_exact_and_mpmath_agrees():
    rng = np.random.default_rng(4)
    counts = rng.integers(0, 6, size=(2, 2, 3))
    counts[0, 0, 0] += 1
    total = int(counts.sum())
    fr = np.array([[[Fraction(int(c), total) for c in row] for row in mat] for mat in counts], dtype=object)
    model = ss.from_joint(fr)
    sizes = (2, 1)
    q = sampler_law(model, sizes, precision="symbolic")
    assert all(isinstance(v, sp.Rational) for v in q.ravel())
    assert sp.Add(*q.ravel()) == 1
    pf = counts / total
    assert np.allclose(np.array(q, dtype=float), brute_mixture(pf, sizes), atol=1e-15)
    kl_sym = exact_sampler_kl(model, sizes, precision="symbolic")
    kl_mp = exact_sampler_kl(model, sizes, precision="mpmath", dps=40)
    with mpmath.workdps(40):
        assert abs(mpmath.mpf(sp.N(kl_sym, 50)) - kl_mp) < mpmath.mpf(10) ** -35
    assert float(kl_mp) == pytest.approx(brute_kl(pf, brute_mixture(pf, sizes)), abs=1e-13)
    # the identity holds to 35 digits in mpmath
    oa = order_averaged_kl(model, sizes, precision="mpmath", dps=40)
    h, H = brute_profile(pf)
    assert float(oa) == pytest.approx(identity_value(h, H, sizes), abs=1e-12)


# -- simulation -----------------------------------------------------------------------------------------
def test_sample_factorized_frequencies():
    rng = np.random.default_rng(8)
    p = random_table(rng, (2, 3, 2), zeros=0.2)
    sizes = (2, 1)
    n = 20000
    x = sample_factorized(ss.from_joint(p), sizes, n, seed=123)
    assert x.shape == (n, 3) and x.dtype.kind == "i"
    q = sampler_law(p, sizes).ravel()
    counts = np.bincount(np.ravel_multi_index(x.T, p.shape), minlength=p.size)
    assert np.all(counts[q == 0] == 0)
    keep = q > 0
    res = stats.chisquare(counts[keep], n * q[keep] / q[keep].sum())
    assert res.pvalue > 1e-3
    # the sampler is not p here: the same test against p must fail
    assert stats.chisquare(counts[p.ravel() > 0], n * p.ravel()[p.ravel() > 0]).pvalue < 1e-6 \
        or np.any(counts[p.ravel() == 0] > 0)


def test_montecarlo_within_four_stderr_and_shrinks():
    rng = np.random.default_rng(12)
    p = random_bn_joint(rng, (2, 3, 2, 2, 2))
    sizes = (2, 3)
    exact = order_averaged_kl(p, sizes)
    ests = [montecarlo_sampler_kl(ss.from_joint(p), sizes, n, seed=s) for n, s in [(2000, 1), (8000, 2), (32000, 3)]]
    for est in ests:
        assert abs(est.value - exact) < 4 * est.stderr
        assert "not the mixture" in repr(est)
    r1 = ests[1].stderr / ests[0].stderr
    r2 = ests[2].stderr / ests[1].stderr
    assert 0.4 < r1 < 0.6 and 0.4 < r2 < 0.6      # ~ 1/sqrt(4)
    assert ests[2].n == 32000 and ests[2].seed == 3
    # same seed, same estimate
    assert montecarlo_sampler_kl(p, sizes, 2000, seed=1).value == ests[0].value


# -- errors -----------------------------------------------------------------------------------------------
def test_bad_input():
    p = np.full((2, 2, 2), 1 / 8)
    with pytest.raises(SymschedError, match="N = 3"):
        sampler_law(p, (2, 2))
    with pytest.raises(SymschedError, match="partition"):
        order_law(p, [(0, 1), (1, 2)])
    with pytest.raises(SymschedError, match="sizes"):
        sampler_law(p, (1, 2), order=[(0, 1), (2,)])
    with pytest.raises(SymschedError, match="neither"):
        order_law(p, [("A",), (1, 2)])
    with pytest.raises(ModelTooLargeError):
        sampler_law(p, (1, 2), budget=10)
    with pytest.raises(ModelTooLargeError):
        order_averaged_kl(p, (1, 1, 1), budget=10)
    with pytest.raises(SymschedError, match="positive integer"):
        sample_factorized(p, (3,), 0)
    with pytest.raises(SymschedError):
        sampler_law(p, None)


def test_integration_with_models_info_schedules():
    """Through the public API: a BayesianNetwork, its information profile, expected_kl."""
    for name in ("BayesianNetwork", "information_profile", "expected_kl"):
        if not hasattr(ss, name):
            pytest.skip(f"symsched.{name} not available yet")
    bn = ss.BayesianNetwork()
    bn.add_variable("A", states=2)
    bn.add_variable("B", states=3)
    bn.add_variable("C", states=2)
    bn.add_variable("D", states=2)
    bn.set_cpd("A", np.array([0.3, 0.7]))
    bn.set_cpd("B", np.array([[0.8, 0.1, 0.1], [0.1, 0.2, 0.7]]), parents=["A"])
    bn.set_cpd("C", np.array([[[0.9, 0.1], [0.5, 0.5], [0.2, 0.8]], [[0.3, 0.7], [0.6, 0.4], [0.05, 0.95]]]),
               parents=["A", "B"])
    bn.set_cpd("D", np.array([[0.95, 0.05], [0.1, 0.9]]), parents=["C"])
    p = np.asarray(bn.joint(), dtype=float)
    h, H = brute_profile(p)
    prof = ss.information_profile(bn)
    assert np.allclose(prof.h, h, atol=1e-12)
    for sizes in [(2, 2), (1, 3), (3, 1), (4,)]:
        oa = order_averaged_kl(bn, sizes)
        assert ss.expected_kl(prof, sizes) == pytest.approx(oa, abs=1e-10)
        assert ss.exact_sampler_kl(bn, ss.Schedule(sizes)) <= oa + 1e-12
