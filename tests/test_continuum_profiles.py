"""Limit profiles of model families and the monotone fit (symsched.continuum.profiles).

Independent references: brute force on explicit joint tables (small N), the exact gap formula of the
binary symmetric chain and the exchangeable formula of the Beta–Bernoulli model (both checked against
the brute force here), direct truncated double sums of the gap-law formula, mpmath quadrature.
"""

import itertools
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

import symsched as ss
from symsched.continuum.profiles import (
    beta_bernoulli_limit_profile, binary_entropy, binary_symmetric_chain_limit_profile, check_limit_profile,
    copy_limit_profile, fit_limit_profile, limit_profile, parity_limit_profile)
from symsched.errors import SymschedError


# -- independent references -------------------------------------------------------------------

def chain_joint(N, eps):
    """Explicit joint table of the stationary binary symmetric chain (uniform start)."""
    p = np.zeros((2,) * N)
    for x in itertools.product((0, 1), repeat=N):
        flips = sum(a != b for a, b in zip(x, x[1:]))
        p[x] = 0.5 * eps ** flips * (1 - eps) ** (N - 1 - flips)
    return p


def brute_h(joint):
    """h_j from the explicit joint table: mean over subsets of marginal entropies."""
    N = joint.ndim

    def H(T):
        if not T:
            return 0.0
        axes = tuple(i for i in range(N) if i not in T)
        m = joint.sum(axis=axes).ravel()
        m = m[m > 0]
        return float(-(m * np.log(m)).sum())
    e = [np.mean([H(T) for T in itertools.combinations(range(N), j)]) for j in range(N + 1)]
    return [e[j + 1] - e[j] for j in range(N)]


def chain_gap_h(N, eps):
    """Exact h_j of the finite chain: H(X_T) = log 2 + sum over consecutive gaps g of h2(eps_g),
    and C(N-g-1, j-2)(N-g) subsets of size j have a consecutive pair at gap g (mpmath)."""
    rho = 1 - 2 * mpmath.mpf(eps)
    hg = [None] + [binary_entropy((1 - rho ** g) / 2) for g in range(1, N)]
    e = [mpmath.mpf(0), mpmath.log(2)]
    for j in range(2, N + 1):
        tot = mpmath.fsum(hg[g] * (N - g) * math.comb(N - g - 1, j - 2) for g in range(1, N - j + 2))
        e.append(mpmath.log(2) + tot / math.comb(N, j))
    return [e[j + 1] - e[j] for j in range(N)]


def bb_h(N, a, b):
    """Exact h_j of N exchangeable Beta(a,b)-Bernoulli bits from H(X_T) depending on |T| only."""
    def e(j):
        tot = mpmath.mpf(0)
        for s in range(j + 1):
            m = mpmath.beta(a + s, b + j - s) / mpmath.beta(a, b)
            tot -= math.comb(j, s) * m * mpmath.log(m)
        return tot
    es = [e(j) for j in range(N + 1)]
    return [es[j + 1] - es[j] for j in range(N)]


# -- binary symmetric chain --------------------------------------------------------------------

def test_gap_formula_matches_brute_force():
    for N, eps in [(5, 0.1), (6, 0.3)]:
        bf = brute_h(chain_joint(N, eps))
        gf = chain_gap_h(N, eps)
        assert max(abs(x - float(y)) for x, y in zip(bf, gf)) < 1e-12


def test_information_profile_of_chain_if_available():
    fam = getattr(ss, "binary_symmetric_chain", None)
    if fam is None or not hasattr(ss, "information_profile"):
        pytest.skip("models/info helpers have not landed binary_symmetric_chain / information_profile yet")
    prof = ss.information_profile(fam(6, 0.2))
    assert max(abs(float(x) - float(y)) for x, y in zip(prof.h, chain_gap_h(6, 0.2))) < 1e-10


@pytest.mark.parametrize("eps", [0.1, 0.3])
def test_chain_limit_endpoints_and_double_sum(eps):
    lp = binary_symmetric_chain_limit_profile(eps)
    with mpmath.workdps(30):
        assert abs(lp(0) - mpmath.log(2)) < 1e-25
        e = mpmath.mpf(eps)
        assert abs(lp(1) - (2 * binary_entropy(e) - binary_entropy(2 * e * (1 - e)))) < 1e-25
    # the task's gap-law double sum, summed directly (truncated where the geometric weights are < 1e-16)
    rho = 1 - 2 * eps
    h2 = [0.0] + [float(binary_entropy((1 - rho ** g) / 2)) for g in range(1, 400)]
    for x in (0.2, 0.5, 0.9):
        single = sum(x * (1 - x) ** (a - 1) * h2[a] for a in range(1, 200))
        double = sum(x * x * (1 - x) ** (g - 2) * (g - 1) * h2[g] for g in range(2, 399))
        assert abs(float(lp(x)) - (2 * single - double)) < 1e-12


def test_chain_limit_derivatives_and_symbolic_form():
    lp = binary_symmetric_chain_limit_profile(sp.Rational(1, 5))
    with mpmath.workdps(25):
        for n in (1, 2, 3):
            numeric = mpmath.diff(lambda y: lp(y), mpmath.mpf("0.4"), n)
            assert abs(lp.derivative(mpmath.mpf("0.4"), n) - numeric) < 1e-12
    # the sympy Sum form evaluates to the same number
    val = sp.N(lp.expr.subs(lp.u, sp.Rational(2, 5)), 20)
    assert abs(float(val) - float(lp(0.4))) < 1e-14
    assert lp.derivative(0.3, 1) < 0  # non-increasing


def test_chain_profile_converges_at_rate_one():
    lp = binary_symmetric_chain_limit_profile(0.2)
    table = check_limit_profile(lambda N: chain_gap_h(N, 0.2), lp, [40, 80, 160])
    orders = table.observed_orders["max_error"]
    assert abs(orders[-1] - 1) < 0.3
    assert float(table.rows[-1]["max_error"]) < float(table.rows[0]["max_error"]) / 3


# -- other families ----------------------------------------------------------------------------

def test_beta_bernoulli_limit_and_rate():
    lp = beta_bernoulli_limit_profile(1, 1)
    assert lp.expr == sp.Rational(1, 2)            # E h2(p), p ~ U(0,1): 2 * int -p log p = 1/2
    assert sp.simplify(lp.value_at_zero - sp.log(2)) == 0
    lp2 = beta_bernoulli_limit_profile(2, 3)
    with mpmath.workdps(20):
        ref = mpmath.quad(lambda p: binary_entropy(p) * p * (1 - p) ** 2 / mpmath.beta(2, 3), [0, 1])
        assert abs(lp2(0.5) - ref) < 1e-15
        h = bb_h(200, 2, 3)
        assert abs(h[0] - binary_entropy(mpmath.mpf(2) / 5)) < 1e-15
        # h_j = phi + 1/(2j) + O(1/j^2)
        assert abs(150 * (h[150] - ref) - 0.5) < 0.05
    table = check_limit_profile(lambda N: bb_h(N, 2, 3), lp2, [20, 40, 80], u_min=0.25)
    assert abs(table.observed_orders["max_error"][-1] - 1) < 0.3
    with pytest.raises(SymschedError, match="degenerate"):
        lp2.riemann_limit()


def test_copy_and_parity_atoms_cost_exactly():
    q = 3
    lp = copy_limit_profile(q)
    for sizes in [(1, 2, 3), (3, 3), (2, 1, 1, 2)]:
        N = sum(sizes)
        h = [math.log(q)] + [0.0] * (N - 1)
        s, direct = 0, 0.0
        for k in sizes:
            direct += k * h[s]
            s += k
        direct -= sum(h)
        assert abs(float(lp.atom_cost(sizes)) - direct) < 1e-12
        assert [float(x) for x in lp.h(N)] == pytest.approx(h)
    par = parity_limit_profile()
    for sizes in [(2, 2), (3, 1), (1, 1, 2)]:
        N = sum(sizes)
        h = [math.log(2)] * (N - 1) + [0.0]
        s, direct = 0, 0.0
        for k in sizes:
            direct += k * h[s]
            s += k
        direct -= sum(h)
        assert abs(float(par.atom_cost(sizes)) - direct) < 1e-12
    # parity profile from brute force on the explicit joint table
    N = 4
    joint = np.zeros((2,) * N)
    for x in itertools.product((0, 1), repeat=N - 1):
        joint[x + (sum(x) % 2,)] = 0.5 ** (N - 1)
    assert [float(v) for v in par.h(N)] == pytest.approx(brute_h(joint), abs=1e-12)


def test_independent_and_dispatch():
    lp = limit_profile("independent", entropy=sp.log(3))
    assert lp.is_regular and float(lp(0.7)) == pytest.approx(math.log(3))
    assert limit_profile("markov", eps=0.25).params["eps"] == sp.Float(0.25)
    with pytest.raises(SymschedError, match="family"):
        limit_profile("nope")
    with pytest.raises(SymschedError, match="eps"):
        binary_symmetric_chain_limit_profile(1.5)
    with pytest.raises(SymschedError, match="q"):
        copy_limit_profile(1)
    assert "varphi" in lp.latex() and lp._repr_latex_().startswith("$")


# -- fitting -----------------------------------------------------------------------------------

def test_fit_recovers_smooth_profile_constants():
    N = 400
    h = [1 / (1 + 3 * j / (N - 1)) for j in range(N)]
    fit = fit_limit_profile(h)                      # pchip, endpoints grid
    exact_lead = 0.5 * (math.sqrt(3) / 3 * math.log(4)) ** 2
    assert fit.leading_constant == pytest.approx(exact_lead, abs=1e-6)
    assert fit.delta == pytest.approx(0.75, abs=1e-15)
    # leave-one-out (doubled spacing) is small and bounds the true error at the midpoints
    mids = (np.arange(N - 1) + 0.5) / (N - 1)
    true_err = np.max(np.abs(fit.phi(mids) - 1 / (1 + 3 * mids)))
    assert true_err <= fit.fit_error < 5e-5
    # quantiles of G(u) = log(1+3u)/log 4
    bp = fit.breakpoints(5)
    ref = [(4 ** (t / 5) - 1) / 3 for t in range(6)]
    assert np.allclose(bp, ref, atol=1e-6)
    s = fit.breakpoints(5, N=100)
    assert s[0] == 0 and s[-1] == 100 and all(b > a for a, b in zip(s, s[1:]))
    u = np.linspace(0, 1, 7)
    assert np.allclose(fit.f(u), 3 / (1 + 3 * u) ** 2, rtol=1e-3)


def test_fit_linear_exact_and_refusals():
    fit = fit_limit_profile([2 - j / 10 for j in range(10)], method="linear", grid="left")
    assert fit.leading_constant == pytest.approx(0.5)
    assert fit.constant_leading_constant == pytest.approx(0.5)
    with pytest.raises(SymschedError, match="non-increasing"):
        fit_limit_profile([0.1, 0.5, 0.2])
    with pytest.raises(SymschedError, match="method"):
        fit_limit_profile([0.3, 0.2], method="spline")
    assert "NumericLimitProfile" in repr(fit)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=3, max_size=30), st.sampled_from(["pchip", "linear"]))
def test_fit_invariants(steps, method):
    # a random non-increasing profile: f >= 0 and Cauchy–Schwarz (int sqrt f)^2 <= int f = Delta
    h = list(np.cumsum(steps[::-1])[::-1] + 0.01)
    fit = fit_limit_profile(h, method=method)
    uu = np.linspace(0, 1, 101)
    assert (fit.f(uu) >= 0).all()
    assert fit.leading_constant <= fit.constant_leading_constant * (1 + 1e-9) + 1e-12
    assert fit.f_integral == pytest.approx(fit.delta, rel=1e-6, abs=1e-9)
