"""Wainwright's continuous-time view (issue #14): unmasking growth and the optimal Bernoulli grid."""

import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy.optimize import minimize
from scipy.stats import binom

import symsched as ss
from reference import brute_bernoulli, brute_measures, brute_profile, noisy_repeated_bit_profile, random_joint


def gain_ref(h, t):
    """h(t) = N sum_j Binom(j; N-1, t) (h_0 - h_j), written out with mpmath."""
    N = len(h)
    return N * mpmath.fsum(mpmath.binomial(N - 1, j) * t ** j * (1 - t) ** (N - 1 - j) * (h[0] - h[j])
                           for j in range(N))


def F_ref(h, grid):
    """The Bernoulli formula of docs/concepts.md §2 with scipy's binomial pmf."""
    N = len(h)
    g = [N * float(np.dot(binom.pmf(np.arange(N), N - 1, t), h)) for t in grid[:-1]]
    return float(np.sum(np.diff(grid) * np.array(g)) - sum(h))


@pytest.mark.parametrize("seed,shape", [(0, (2, 2, 2, 2)), (1, (2, 3, 2)), (2, (3, 2, 2, 2))])
def test_growth_functions_against_their_definitions(seed, shape):
    joint = random_joint(shape, seed)
    h, _ = brute_profile(joint)
    g = ss.unmasking_growth(h)
    for t in (0.0, 0.2, 0.5, 0.9):
        assert g.gain(t) == pytest.approx(float(gain_ref(h, mpmath.mpf(t))), abs=1e-12)
        assert g.rate(t) == pytest.approx(float(mpmath.diff(lambda s: gain_ref(h, s), mpmath.mpf(t))), abs=1e-9)
    with mpmath.workdps(30):
        def mass_ref(p, q):
            return float(mpmath.quad(lambda t: t * (1 - t) * mpmath.diff(lambda s: gain_ref(h, s), t), [p, q]))
        assert g.mass(0.1, 0.7) == pytest.approx(mass_ref(0.1, 0.7), abs=1e-10)
        assert g.h01 == pytest.approx(mass_ref(0, 1), abs=1e-10)
    H, tc, dtc = brute_measures(joint)
    assert g.tc == pytest.approx(tc, abs=1e-10) and g.dtc == pytest.approx(dtc, abs=1e-10)
    assert g.gain(1.0) == pytest.approx(tc + dtc, abs=1e-10)
    N = len(h)
    tse = sum(((N - 1) / 2 - j) * h[j] for j in range(N))
    assert g.h01 == pytest.approx(2 * tse / (N + 1), abs=1e-12) and g.tse == pytest.approx(tse, abs=1e-12)
    assert g.h01 <= min(tc, dtc) + 1e-12
    # fine complexity and effective TC by plain quadrature of the definitions
    with mpmath.workdps(20):
        rate = lambda t: mpmath.diff(lambda s: gain_ref(h, s), t)  # noqa: E731
        P = float(mpmath.quad(lambda t: mpmath.sqrt(max(rate(t), 0)), [1 / N, 0.5, 1 - 1 / N])) ** 2
        eff = float(mpmath.quad(lambda t: t * min(1, -mpmath.log(t)) * rate(t), [0, 1 / math.e, 1]))
    assert g.fine == pytest.approx(P, rel=1e-7) and g.effective_tc == pytest.approx(eff, rel=1e-7)
    C = 2 * math.log(N - 1) * g.mass(1 / N, 1 - 1 / N)
    assert g.coarse == pytest.approx(C, rel=1e-12) and float(g) == pytest.approx(C / P, rel=1e-7)
    lam = 0.3
    r = 1 / (1 + math.exp(-lam))
    assert g.density(lam) == pytest.approx(r ** 2 * (1 - r) ** 2 * g.rate(r), rel=1e-12)


@pytest.mark.parametrize("d", [5, 12, 128])
def test_repeated_bit_and_parity_closed_forms(d):
    rep = ss.unmasking_growth(ss.information_profile(ss.copy_model(d, 2)))
    assert rep.h01 == pytest.approx((d - 1) / (d + 1) * math.log(2), abs=1e-12)
    par = ss.unmasking_growth(ss.information_profile(ss.parity_model(d)))
    assert par.h01 == pytest.approx((d - 1) / (d + 1) * math.log(2), abs=1e-12)


def test_exact_in_the_profile_arithmetic():
    g = ss.unmasking_growth(ss.information_profile(ss.copy_model(5, 2), precision="symbolic"))
    assert sp.simplify(g.h01 - sp.Rational(2, 3) * sp.log(2)) == 0
    assert sp.simplify(g.tc - 4 * sp.log(2)) == 0 and sp.simplify(g.dtc - sp.log(2)) == 0
    assert isinstance(g.coarse, sp.Expr) and float(g.coarse) == pytest.approx(
        ss.unmasking_growth(ss.information_profile(ss.copy_model(5, 2))).coarse, rel=1e-12)
    assert sp.simplify(g.mass(sp.Rational(1, 5), sp.Rational(4, 5)) - g.mass(sp.Rational(1, 5), sp.Rational(4, 5))) == 0


@pytest.mark.parametrize("eta,ratio", [(0.01, 4.51), (0.30, 2.16), (0.45, 1.65)])
def test_wainwright_figure_1(eta, ratio):
    # noisy repeated bit, d = 128 (profile from tests/reference.py, independent of symsched)
    g = ss.unmasking_growth(noisy_repeated_bit_profile(128, eta))
    assert round(float(g), 2) == ratio
    assert g.coarse >= g.fine  # C / P >= 1


# -- the optimal Bernoulli grid -------------------------------------------------------------------
H_TEST = [0.9, 0.7, 0.5, 0.45, 0.3, 0.2]


def test_optimal_grid_k2_equals_a_scan():
    r = ss.optimal_bernoulli_grid(H_TEST, 2)
    ts = np.linspace(1e-4, 1 - 1e-4, 4001)
    vals = [F_ref(H_TEST, [0, t, 1]) for t in ts]
    i = int(np.argmin(vals))
    assert r.kl == pytest.approx(vals[i], abs=1e-6) and r.kl <= vals[i] + 1e-12
    assert r.grid[1] == pytest.approx(ts[i], abs=1e-3)
    assert r.lower_bound <= r.kl and r.gap < 1e-3


@pytest.mark.parametrize("K", [3, 5])
def test_optimal_grid_beats_every_grid_tried(K):
    r = ss.optimal_bernoulli_grid(H_TEST, K)
    assert r.kl == pytest.approx(F_ref(H_TEST, list(r.grid)), abs=1e-12)
    rng = np.random.default_rng(K)
    for _ in range(200):
        g = np.concatenate([[0], np.sort(rng.random(K - 1)), [1]])
        assert F_ref(H_TEST, g) >= r.kl - 1e-12
    for x0 in (np.linspace(0, 1, K + 1)[1:-1], np.sort(rng.random(K - 1))):
        res = minimize(lambda x: F_ref(H_TEST, np.concatenate([[0], np.sort(np.clip(x, 0, 1)), [1]])), x0,
                       method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 20000})
        assert r.kl <= res.fun + 1e-10
    assert r.kl <= r.sqrt_rate_kl and r.kl <= r.uniform_kl
    assert r.gradient_norm < 1e-8 and r.hessian_min_eigenvalue > 0 and 0 <= r.gap < 2e-3


def test_k_times_error_approaches_half_the_fine_complexity():
    rel = []
    for K in (4, 16, 64):
        r = ss.optimal_bernoulli_grid(H_TEST, K)
        rel.append(K * r.kl / (K * r.asymptote) - 1)
    assert rel[0] > rel[1] > rel[2] > 0 and rel[2] < 0.005
    # the asymptote's constant is (int_0^1 sqrt(h'))^2 / 2, checked by quadrature of the definition
    with mpmath.workdps(20):
        P = float(mpmath.quad(lambda t: mpmath.sqrt(mpmath.diff(lambda s: gain_ref(H_TEST, s), t)), [0, 0.5, 1])) ** 2
    assert ss.unmasking_growth(H_TEST).fine_full == pytest.approx(P, rel=1e-7)
    assert r.asymptote == pytest.approx(P / (2 * 64), rel=1e-4)


def test_optimal_grid_on_a_model_matches_brute_force_kl():
    joint = random_joint((2, 2, 3), 3)
    h, _ = brute_profile(joint)
    r = ss.optimal_bernoulli_grid(h, 2)
    assert float(r) == pytest.approx(brute_bernoulli(joint, list(r.grid)), abs=1e-10)
    assert ss.sqrt_rate_grid([0.7, 0.4, 0.1], 4) == pytest.approx((0, 0.25, 0.5, 0.75, 1), abs=1e-9)
    with pytest.raises(ValueError, match="K"):
        ss.optimal_bernoulli_grid(h, 0)


def test_estimated_profiles_are_labelled_and_carry_standard_errors():
    m = ss.binary_symmetric_chain(6, 0.1)
    est = ss.information_profile(m, method="montecarlo", stderr=0.02, seed=0)
    exact = ss.information_profile(m)
    g = ss.unmasking_growth(est)
    assert not g.exact and g.stderr["h01"] > 0 and g.stderr["coarse"] > 0
    # the delta method on the covariance: TC = (N-1) h_0 - sum_{j>0} h_j has the profile's own TC error (zero
    # here: the Monte Carlo route computes h_0 and H exactly, and the covariance knows it)
    assert g.stderr["tc"] == pytest.approx(est.total_correlation_stderr, abs=1e-12)
    w = 5 / 2 - np.arange(6)  # tse = sum_j ((N-1)/2 - j) h_j
    C = np.asarray(est.covariance_matrix().toarray() if hasattr(est.covariance_matrix(), "toarray")
                   else est.covariance_matrix())
    assert g.stderr["tse"] == pytest.approx(math.sqrt(float(w @ C @ w)), rel=1e-9)
    assert abs(g.tc - exact.total_correlation) < 5 * g.stderr["tc"] + 1e-12
    assert ss.unmasking_growth(exact).exact and ss.unmasking_growth(exact).stderr["tc"] == 0
    r = ss.bernoulli_expected_kl(est, ss.sampler_grid("mdlm", 3))
    from symsched.results import Estimate

    assert isinstance(r, Estimate)
    assert r.value >= 0 and r.stderr > 0 and not r.exact
    truth = ss.bernoulli_expected_kl(exact, ss.sampler_grid("mdlm", 3))
    assert abs(float(r) - truth) < 5 * r.stderr


def test_mpmath_profile_gives_high_precision_growth():
    from fractions import Fraction

    m = ss.binary_symmetric_chain(5, Fraction(1, 5))   # an exact parameter: mpmath and sympy see the same model
    gm = ss.unmasking_growth(ss.information_profile(m, precision="mpmath", dps=40))
    gf = ss.unmasking_growth(ss.information_profile(m))
    assert isinstance(gm.coarse, mpmath.mpf) and isinstance(gm.fine, mpmath.mpf)
    assert float(gm.coarse) == pytest.approx(gf.coarse, rel=1e-12)
    assert float(gm.fine) == pytest.approx(gf.fine, rel=1e-9)
    # the exact (symbolic) route agrees with mpmath to 30 digits on the linear quantities
    gs = ss.unmasking_growth(ss.information_profile(m, precision="symbolic"))
    with mpmath.workdps(40):
        assert abs(mpmath.mpf(sp.N(gs.h01, 40)) - gm.h01) < mpmath.mpf(10) ** -30


def test_results_follow_the_protocol():
    import json

    h = [0.9, 0.7, 0.5, 0.45, 0.3, 0.2]
    joint = random_joint((2, 2, 2), 0)
    objs = [ss.unmasking_growth(h), ss.optimal_bernoulli_grid(h, 3), ss.sampler_grid("mdlm", 3),
            ss.blockwise_expected_kl(joint, 2, [[1, 1], [1]]), ss.partition_kl(joint, [[0, 2], [1]]),
            ss.rule_comparison(h, 3)]
    for r in objs:
        json.dumps(r.to_dict())
        assert "$" not in r.latex() and r._repr_html_().startswith("<table") and str(r) and len(repr(r)) < 200
        with pytest.raises(AttributeError):
            r.foo = 1
    for r in objs[:2] + objs[3:5]:
        assert math.isfinite(float(r))
