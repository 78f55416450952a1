"""Expansions of E KL in 1/K and 1/N (symsched.continuum.expansion).

References: coefficients derived by hand below (Euler–Maclaurin with B_1 = -1/2), the exact
formula 1/2 Delta (N/K - 1) for linear phi with K | N, the discrete identity
E KL = sum_t k_t h_{s_{t-1}} - H computed directly, and mpmath quadrature.
"""

import math

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from symsched.continuum.expansion import (
    K_SYMBOL as K, N_SYMBOL as N, density_breakpoints, exact_breakpoint_kl, expected_kl_expansion,
    optimal_density, riemann_error)
from symsched.continuum.profiles import binary_symmetric_chain_limit_profile
from symsched.errors import SymschedError

u = sp.Symbol("u")
PHI = 1 / (1 + 3 * u)


def direct_kl(h, sizes):
    """The identity of docs/concepts.md §2, summed directly."""
    s, tot = 0, mpmath.mpf(0)
    for k in sizes:
        tot += k * h[s]
        s += k
    return tot - mpmath.fsum(h)


def test_constant_coefficients_by_hand():
    # D_0 = phi(1)-phi(0) = -3/4; D_1 = phi'(1)-phi'(0) = -3/16+3 = 45/16; D_3 = -162/256 + 162
    ex = expected_kl_expansion(PHI, u, order=4)
    D1, D3 = sp.Rational(45, 16), sp.Rational(-162, 256) + 162
    expected = [("N/K", sp.Rational(3, 8)), ("1", -sp.Rational(3, 8)), ("N/K^2", D1 / 12), ("1/N", -D1 / 12),
                ("N/K^4", -D3 / 720), ("1/N^3", D3 / 720)]
    assert [(lab, sp.nsimplify(c)) for lab, c in ex.terms] == expected
    assert ex.levels == [0, 0, 1, 1, 3, 3]
    assert sp.simplify(ex.truncation(2) - (sp.Rational(3, 8) * (N / K - 1))) == 0
    assert [float(c) for c in ex.numeric_coefficients(20)] == pytest.approx([float(c) for _, c in expected])


def test_linear_phi_has_zero_remainder():
    a, d = sp.Rational(7, 5), sp.Rational(2, 3)
    phi = a - d * u
    ex = expected_kl_expansion(phi, u, order=6)
    assert sp.simplify(ex.truncation() - d / 2 * (N / K - 1)) == 0
    with mpmath.workdps(40):
        for n, k in [(12, 3), (30, 5), (30, 30), (7, 1)]:
            h = [mpmath.mpf(7) / 5 - mpmath.mpf(2) / 3 * j / n for j in range(n)]
            exact = direct_kl(h, [n // k] * k)
            assert abs(exact - ex.evaluate(n, k, dps=40)) < mpmath.mpf(10) ** -35


def test_general_density_machinery_reduces_to_constant():
    ex_c = expected_kl_expansion(PHI, u, order=4)
    ex_d = expected_kl_expansion(PHI, u, schedule=sp.Integer(1) + 0 * u, order=4)
    assert sp.simplify(ex_c.truncation() - ex_d.truncation()) == 0


def test_optimal_density_and_leading_constant():
    kap = optimal_density(PHI, u)
    # kappa* = (int sqrt f)/sqrt f with sqrt f = sqrt3/(1+3u), int = (sqrt3/3) log 4
    assert sp.simplify(kap - (sp.log(4) / 3) * (1 + 3 * u)) == 0
    ex = expected_kl_expansion(PHI, u, schedule="optimal", order=2)
    lead = dict(ex.terms)["N/K"]
    assert sp.simplify(lead - sp.Rational(2, 3) * sp.log(2) ** 2) == 0
    # docs/concepts.md §4: the smooth formula at r = 2.5 gives 0.4258
    r = sp.Rational(5, 2)
    assert float(ex.truncation_level(0).subs(K, N / r)) == pytest.approx(0.4258, abs=5e-5)


def test_density_expansion_matches_exact_breakpoints():
    # a user density: 1/kappa = 1/2 + u (so int 1/kappa = 1)
    kap = 1 / (sp.Rational(1, 2) + u)
    ex = expected_kl_expansion(PHI, u, schedule=kap, order=3)
    with mpmath.workdps(30):
        errs = []
        for k in (20, 40, 80):
            n = 10 * k
            bp = density_breakpoints(kap, u, k, n)
            exact = exact_breakpoint_kl(PHI, bp, n, u)
            errs.append(abs(exact - ex.evaluate(n, k, level=0)))
            # every kept term helps: the full truncation is far closer than the leading one
            assert abs(exact - ex.evaluate(n, k)) < errs[-1] / 20
        # at fixed ratio N/K = 10 the level-0 truncation misses (a_2 r^2 - D_1/12)/N: order 1
        slope = math.log(errs[1] / errs[2]) / math.log(2)
        assert abs(slope - 1) < 0.3
    # the leading coefficient is 1/2 int f kappa (quadrature)
    a1 = mpmath.quad(lambda x: 0.5 * 3 / (1 + 3 * x) ** 2 / (0.5 + x), [0, 1])
    assert float(ex.numeric_coefficients()[0]) == pytest.approx(float(a1), rel=1e-12)


def test_unnormalised_density_is_refused():
    with pytest.raises(SymschedError, match="kappa"):
        expected_kl_expansion(PHI, u, schedule=2 + 0 * u)
    with pytest.raises(SymschedError, match="order"):
        expected_kl_expansion(PHI, u, order=0)
    with pytest.raises(SymschedError, match="schedule"):
        expected_kl_expansion(PHI, u, schedule="geometric")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=8))
def test_exact_breakpoint_kl_is_the_discrete_identity(sizes):
    n = sum(sizes)
    with mpmath.workdps(30):
        h = [1 / (1 + 3 * mpmath.mpf(j) / n) for j in range(n)]
        bp = [0]
        for k in sizes:
            bp.append(bp[-1] + k)
        assert abs(exact_breakpoint_kl(PHI, bp, n, u) - direct_kl(h, sizes)) < 1e-25
        # and the two-scale identity: N R(grid) - N E_N
        two_scale = n * riemann_error(PHI, [mpmath.mpf(b) / n for b in bp], u) - \
            n * riemann_error(PHI, [mpmath.mpf(j) / n for j in range(n + 1)], u)
        assert abs(two_scale - direct_kl(h, sizes)) < 1e-20


def test_density_breakpoints_quantiles():
    kap = optimal_density(PHI, u)
    bp = density_breakpoints(kap, u, 4)
    assert bp == pytest.approx([(4 ** (t / 4) - 1) / 3 for t in range(5)], abs=1e-13)
    assert density_breakpoints(kap, u, 4, 100, rounding="nearest") == [round(100 * (4 ** (t / 4) - 1) / 3)
                                                                        for t in range(5)]
    with pytest.raises(SymschedError, match="empty step"):
        density_breakpoints(kap, u, 10, 5, rounding="nearest")


def test_markov_profile_constant_expansion():
    lp = binary_symmetric_chain_limit_profile(0.2)
    ex = expected_kl_expansion(lp, order=2)
    with mpmath.workdps(25):
        D0 = lp(1) - lp(0)
        D1 = lp.derivative(1, 1) - lp.derivative(0, 1)
    c = ex.numeric_coefficients(20)
    assert [float(x) for x in c] == pytest.approx([-float(D0) / 2, float(D0) / 2, float(D1) / 12, -float(D1) / 12])
    assert ex.terms[0][1].has(sp.Sum)  # the symbolic coefficient keeps the series


def test_display():
    ex = expected_kl_expansion(PHI, u, schedule="optimal", order=2)
    assert "Expansion(schedule='optimal'" in repr(ex)
    assert ex.latex().startswith(r"\mathbb{E}") and ex._repr_latex_().startswith("$")
    assert len(ex) == len(ex.monomials) == len(ex.levels)


def test_agrees_with_riemann_limit_if_available():
    limit = pytest.importorskip("symsched.continuum.limit")
    from symsched.continuum.profiles import LimitProfile
    lim = LimitProfile(PHI, u).riemann_limit()
    ex = expected_kl_expansion(PHI, u, schedule="optimal", order=1)
    assert sp.simplify(lim.leading_constant - dict(ex.terms)["N/K"]) == 0
    assert sp.simplify(lim.constant_leading_constant + dict(ex.terms)["1"]) == 0
    ours = density_breakpoints(ex.kappa, u, 6)
    theirs = [float(x) for x in lim.breakpoints(6)]
    assert ours == pytest.approx(theirs, abs=1e-12)
    assert isinstance(limit.riemann_limit(PHI, u).leading_constant, sp.Basic)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(-9, 9), min_size=4, max_size=4), st.integers(1, 12), st.integers(1, 6))
def test_cubic_phi_constant_schedule_is_exact(coeffs, K_, r_):
    # Euler–Maclaurin terminates for a cubic: D_q = 0 for q >= 3 and B_3 = 0, so the order-4
    # expansion must equal the discrete identity exactly.  The algebra holds for any cubic, but
    # expected_kl_expansion refuses an increasing phi (issue 12), so the cubic is built
    # non-increasing: phi = c0 - r u - int_0^u (p + q t)^2 dt.
    c0, r, p, q = coeffs[0], abs(coeffs[1]), coeffs[2], coeffs[3]
    phi = sp.Integer(c0) - r * u - sp.integrate((p + q * u) ** 2, u)
    ex = expected_kl_expansion(phi, u, order=4)
    n = K_ * r_
    with mpmath.workdps(40):
        f = sp.lambdify(u, phi, "mpmath")
        h = [f(mpmath.mpf(j) / n) for j in range(n)]
        assert abs(direct_kl(h, [r_] * K_) - ex.evaluate(n, K_, dps=40)) < mpmath.mpf(10) ** -30


def test_rounding_effect_taylor_terms_explain_the_difference():
    from symsched.continuum.expansion import rounding_effect
    kap = 1 / (sp.Rational(1, 2) + u)
    for density, K_, n in [("optimal", 20, 260), ("optimal", 40, 1240), (kap, 15, 400), (kap, 40, 1240)]:
        r = rounding_effect(PHI, density, K_, n, u)
        # 'actual' is computed from the discrete identity at the rounded and the real breakpoints
        s = r["breakpoints"]
        with mpmath.workdps(30):
            h = [1 / (1 + 3 * mpmath.mpf(j) / n) for j in range(n)]
            assert abs(exact_breakpoint_kl(PHI, s, n, u) - direct_kl(h, [b - a for a, b in zip(s, s[1:])])) < 1e-20
        ratio = float((r["first_order"] + r["second_order"]) / r["actual"])
        assert 0.8 < ratio < 1.2
        assert r["heuristic_mean"] > 0
    # for phi = 1/(1+3u) the optimal quantile grid is geometric in 1/3 + u, which is exactly stationary:
    # the first-order term vanishes
    assert abs(rounding_effect(PHI, "optimal", 20, 260, u)["first_order"]) < 1e-12
