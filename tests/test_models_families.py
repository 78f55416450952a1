"""Exchangeable families: joints against explicit constructions, prefix_law against joint marginals."""

import itertools
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st
from scipy import integrate, stats

import symsched as ss

FLOAT = ss.arithmetic("float")


def entropy(p):
    p = np.asarray(p, dtype=float).ravel()
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def check_prefix_law(model, arith=FLOAT):
    """For each j, prefix_law's entropy equals that of the explicit marginal of the first j tokens, and
    the marginal of *any* j tokens (here also the last j) is the same."""
    p = model.joint().astype(float)
    n = model.N
    for j in range(n + 1):
        law = model.prefix_law(j, arith)
        total = sum(m * float(q) for m, q in law)
        assert math.isclose(total, 1.0, abs_tol=1e-12)
        h = -sum(m * float(q) * math.log(float(q)) for m, q in law if float(q) > 0)
        first = p.sum(axis=tuple(range(j, n))) if j < n else p
        last = p.sum(axis=tuple(range(0, n - j))) if j < n else p
        assert math.isclose(h, entropy(first), abs_tol=1e-12)
        assert math.isclose(h, entropy(last), abs_tol=1e-12)


def test_copy_model():
    m = ss.copy_model(4, 3)
    p = m.joint()
    ref = np.zeros((3,) * 4)
    for a in range(3):
        ref[(a,) * 4] = 1 / 3
    np.testing.assert_array_equal(p, ref)
    check_prefix_law(m)
    sym = m.joint(precision="symbolic")
    assert sym[1, 1, 1, 1] == sp.Rational(1, 3) and sym[0, 1, 1, 1] == 0


def test_parity_model():
    n = 5
    m = ss.parity_model(n)
    ref = np.zeros((2,) * n)
    for bits in itertools.product((0, 1), repeat=n - 1):
        ref[bits + (sum(bits) % 2,)] = 2.0 ** -(n - 1)
    np.testing.assert_array_equal(m.joint(), ref)
    check_prefix_law(m)
    assert m.joint(precision="symbolic")[1, 1, 0, 0, 0] == sp.Rational(1, 16)


def test_independent_iid_and_product():
    m = ss.independent(3, [0.2, 0.5, 0.3])
    p = m.joint()
    for x in itertools.product(range(3), repeat=3):
        assert math.isclose(p[x], math.prod([0.2, 0.5, 0.3][a] for a in x), rel_tol=1e-14)
    check_prefix_law(m)
    pm = ss.independent(marginals=[[0.1, 0.9], [Fraction(1, 3), Fraction(1, 3), Fraction(1, 3)]])
    assert isinstance(pm, ss.ProductModel) and not isinstance(pm, ss.ExchangeableModel)
    assert pm.cardinalities == (2, 3) and len(pm.marginals) == 2
    ex = ss.independent(marginals=[[Fraction(1, 4), Fraction(3, 4)], [Fraction(1, 3), Fraction(2, 3)]])
    assert ex.joint(precision="symbolic")[1, 1] == sp.Rational(1, 2)


def test_beta_bernoulli_against_integration():
    a, b, n = 1.5, 0.7, 4
    m = ss.beta_bernoulli(n, a, b)
    p = m.joint()
    for x in itertools.product((0, 1), repeat=n):
        k = sum(x)
        ref, _ = integrate.quad(lambda t: t ** k * (1 - t) ** (n - k) * stats.beta.pdf(t, a, b), 0, 1,
                                epsabs=1e-13, epsrel=1e-12)
        assert math.isclose(p[x], ref, rel_tol=1e-8)
    check_prefix_law(m)
    mp = m.joint(precision="mpmath", dps=30)
    np.testing.assert_allclose(mp.astype(float), p, rtol=1e-13)


def test_beta_bernoulli_symbolic():
    a, b = sp.symbols("a b", positive=True)
    m = ss.beta_bernoulli(3, a, b)
    assert m.free_symbols == {a, b}
    p = m.joint(precision="symbolic")
    # B(a+k, b+n-k) / B(a, b), written with gamma functions independently
    ref = sp.gamma(a + 1) * sp.gamma(b + 2) * sp.gamma(a + b) / (sp.gamma(a) * sp.gamma(b) * sp.gamma(a + b + 3))
    assert sp.simplify(sp.gammasimp(p[1, 0, 0] - ref)) == 0
    # a = b = 1: uniform mixing gives p(sequence with k ones) = k!(n-k)!/(n+1)!
    u = ss.beta_bernoulli(3, 1, 1).joint(precision="symbolic")
    assert u[1, 0, 0] == sp.Rational(math.factorial(1) * math.factorial(2), math.factorial(4))
    assert m.subs({a: 1, b: 1}).joint(precision="symbolic")[1, 0, 0] == u[1, 0, 0]


def test_product_mixture_brute_force():
    w = [0.3, 0.7]
    comps = [[0.1, 0.6, 0.3], [0.5, 0.25, 0.25]]
    m = ss.product_mixture(3, w, comps)
    p = m.joint()
    for x in itertools.product(range(3), repeat=3):
        ref = sum(wc * math.prod(c[a] for a in x) for wc, c in zip(w, comps))
        assert math.isclose(p[x], ref, rel_tol=1e-13)
    check_prefix_law(m)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 4), st.integers(2, 3), st.integers(1, 3), st.integers(0, 2 ** 31))
def test_product_mixture_prefix_law_property(n, q, c, seed):
    rng = np.random.default_rng(seed)
    m = ss.product_mixture(n, rng.dirichlet(np.ones(c)), rng.dirichlet(np.ones(q), size=c))
    check_prefix_law(m)


def test_exact_entries_in_mpmath_agree_with_rational():
    m = ss.independent(2, [Fraction(1, 3), Fraction(2, 3)])
    mp = m.joint(precision="mpmath", dps=60)
    with mpmath.workdps(70):
        assert abs(mp[0, 1] - mpmath.mpf(2) / 9) < mpmath.mpf(10) ** -56


@pytest.mark.parametrize("call, match", [
    (lambda: ss.beta_bernoulli(3, -1.0, 1.0), "a must be positive"),
    (lambda: ss.copy_model(0), "n must be"),
    (lambda: ss.independent(2, [0.5, 0.6]), "marginal 1.*sums"),
    (lambda: ss.product_mixture(2, [0.5, 0.5], [[1.0, 0.0]]), r"components.*expected shape \(2, q\)"),
    (lambda: ss.copy_model(3).prefix_law(4, FLOAT), "j must be"),
])
def test_bad_family_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
