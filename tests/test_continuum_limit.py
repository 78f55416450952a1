"""Tests of symsched.continuum.limit: riemann_limit, its constants, quantile schedule and LaTeX.

Independent checks: hand-derived closed forms, mpmath quadrature / root finding written here, exact
rational evaluation of the discrete identity E KL = sum_t k_t h_{s_{t-1}} - H, and a dynamic
programme over all schedules (written here, not the package's).
"""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

import symsched as ss
from symsched.continuum.limit import RiemannLimit, repair_breakpoints, riemann_limit
from symsched.errors import SymbolicValueError, SymschedError
from reference import banded_optimal_kl as dp_opt, identity_kl as ekl

u = sp.Symbol("u")
PHI_HYP = 1 / (1 + 3 * u)


# -- independent helpers ------------------------------------------------------------------------
def h_of(phi, N):
    fn = sp.lambdify(u, phi, "numpy")
    return np.asarray(fn(np.arange(N) / N), float) * np.ones(N)


# -- closed forms -------------------------------------------------------------------------------
def test_closed_forms_hyperbolic_profile():
    lim = riemann_limit(PHI_HYP, u)
    # by hand: f = 3/(1+3u)^2, sqrt f = sqrt3/(1+3u), int_0^1 = sqrt3 ln4 / 3
    S = sp.sqrt(3) * sp.log(4) / 3
    assert sp.simplify(lim.f - 3 / (1 + 3 * u) ** 2) == 0
    assert sp.simplify(lim.delta - sp.Rational(3, 4)) == 0
    assert sp.simplify(lim.sqrt_f_integral - S) == 0
    assert sp.simplify(lim.cdf - sp.log(1 + 3 * u) / sp.log(4)) == 0
    y = sp.Symbol("y", positive=True)
    assert sp.simplify(lim.inverse_cdf.subs(lim.inverse_cdf.free_symbols.pop(), y) - (4 ** y - 1) / 3) == 0
    assert sp.simplify(lim.leading_constant - S ** 2 / 2) == 0
    assert sp.simplify(lim.constant_leading_constant - sp.Rational(3, 8)) == 0
    assert sp.simplify(lim.gain - S ** 2 / sp.Rational(3, 4)) == 0
    assert sp.simplify(lim.density - S * (1 + 3 * u) / sp.sqrt(3)) == 0
    assert lim.methods["sqrt_f_integral"].startswith("exact")
    assert lim.methods["inverse_cdf"].startswith("exact")
    with mpmath.workdps(40):
        for yv in ("0.1", "0.5", "0.93"):
            want = (mpmath.mpf(4) ** mpmath.mpf(yv) - 1) / 3
            assert abs(lim.inverse_cdf_value(yv, 35) - want) < mpmath.mpf(10) ** -33
    # the constants against quadrature done here
    with mpmath.workdps(40):
        Sq = mpmath.quad(lambda x: mpmath.sqrt(3) / (1 + 3 * x), [0, 1])
        assert abs(lim.numeric("leading_constant", 35) - Sq ** 2 / 2) < mpmath.mpf(10) ** -33


@pytest.mark.parametrize("phi", [PHI_HYP, 1 - u ** 2, (1 - u) ** 2, 1 - sp.sqrt(u), sp.exp(-2 * u),
                                 sp.log(2 - u)])
def test_density_normalised_and_cdf_inverse(phi):
    lim = riemann_limit(phi, u)
    with mpmath.workdps(30):
        kappa = sp.lambdify(u, lim.density, "mpmath")
        total = mpmath.quad(lambda x: 1 / kappa(x), [0, 1])
        assert abs(total - 1) < mpmath.mpf(10) ** -20
        # G(G^{-1}(y)) = y and G by quadrature of sqrt(-phi') written here
        fn = sp.lambdify(u, -sp.diff(phi, u), "mpmath")
        S = mpmath.quad(lambda x: mpmath.sqrt(fn(x)), [0, 1])
        for t, x in enumerate(lim.breakpoints(4)):
            xv = mpmath.mpf(sp.N(x, 40))
            G = mpmath.quad(lambda z: mpmath.sqrt(fn(z)), [0, xv]) / S if xv > 0 else 0
            assert abs(G - mpmath.mpf(t) / 4) < mpmath.mpf(10) ** -18


def test_numeric_fallback_inverse_matches_independent_root_finding():
    # sqrt f = sqrt(1 + 3u^2)/(1 + u + u^3): no elementary antiderivative for sympy
    phi = 1 / (1 + u + u ** 3)
    lim = riemann_limit(phi, u, symbolic_timeout=1.5)
    bps = lim.breakpoints(5)
    fn = sp.lambdify(u, -sp.diff(phi, u), "mpmath")
    with mpmath.workdps(40):
        S = mpmath.quad(lambda x: mpmath.sqrt(fn(x)), [0, 1])
        for t in range(1, 5):
            x = mpmath.findroot(lambda z: mpmath.quad(lambda w: mpmath.sqrt(fn(w)), [0, z]) / S - mpmath.mpf(t) / 5,
                                mpmath.mpf(t) / 5)
            assert abs(mpmath.mpf(sp.N(bps[t], 40)) - x) < mpmath.mpf(10) ** -25
        assert abs(lim.numeric("sqrt_f_integral") - S) < mpmath.mpf(10) ** -25


def test_gain_at_most_one_equality_iff_constant_f():
    for phi in [1 - u / 2, 3 * (1 - u) + 2]:
        assert riemann_limit(phi, u).gain == 1
    for phi in [PHI_HYP, 1 - u ** 2, sp.exp(-2 * u), 1 - sp.sqrt(u), sp.log(2 - u)]:
        g = float(sp.N(riemann_limit(phi, u).gain))
        assert 0 < g < 1 - 1e-6


# -- discrete identities ------------------------------------------------------------------------
@pytest.mark.parametrize("N,K", [(6, 3), (12, 4), (20, 5), (21, 7), (30, 1), (8, 8)])
def test_constant_schedule_exact_for_linear_phi(N, K):
    lim = riemann_limit(1 - u / 2, u)
    h = [1 - Fraction(j, 2 * N) for j in range(N)]
    exact = ekl(h, [N // K] * K)
    est = lim.kl_estimate(N, K, "constant")
    assert est == sp.Rational(exact.numerator, exact.denominator)
    assert est == sp.Rational(1, 4) * (sp.Rational(N, K) - 1)


def test_large_ratio_optimum_approaches_leading_constant():
    lim = riemann_limit(PHI_HYP, u)
    lead = float(sp.N(lim.leading_constant))
    gaps = []
    for N, K in [(1000, 100), (4000, 100)]:
        h = h_of(PHI_HYP, N)
        W = 6 * N // K
        opt, used = dp_opt(h, K, W)
        assert used < W  # band not binding
        gaps.append(abs(opt * K / N - lead))
        # the sqrt-f quantile schedule is nearly optimal and the leading estimate is close
        e = ekl(h, lim.schedule(N, K).sizes)
        assert opt <= e + 1e-12
        if N == 4000:
            assert (e - opt) / opt < 1e-3
            assert abs(float(lim.kl_estimate(N, K)) - opt) / opt < 0.01
    assert gaps[1] < gaps[0] / 3 and gaps[1] / lead < 0.03


def test_optimal_schedule_matches_exhaustive_dp_small():
    # K breakpoints from the quantile rule are never better than the true optimum, and the
    # quantile schedule beats the constant one for a strongly curved profile
    phi = sp.exp(-4 * u)
    lim = riemann_limit(phi, u)
    N, K = 200, 20
    h = h_of(phi, N)
    opt, used = dp_opt(h, K, N)
    e_q = ekl(h, lim.schedule(N, K).sizes)
    e_c = ekl(h, [N // K] * K)
    assert opt <= e_q + 1e-12 < e_c
    assert (e_q - opt) / opt < 0.02


@settings(max_examples=60, deadline=None)
@given(N=st.integers(1, 400), data=st.data())
def test_schedule_has_exactly_K_positive_sizes(N, data):
    K = data.draw(st.integers(1, N))
    phi = data.draw(st.sampled_from([PHI_HYP, 1 - u ** 2, (1 - u) ** 2, 1 - sp.sqrt(u)]))
    sched = _LIMS[phi].schedule(N, K)
    assert isinstance(sched, ss.Schedule)
    assert sched.K == K and sched.N == N and min(sched.sizes) >= 1


_LIMS = {p: riemann_limit(p, u) for p in [PHI_HYP, 1 - u ** 2, (1 - u) ** 2, 1 - sp.sqrt(u)]}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-5, 60), min_size=2, max_size=30), st.integers(0, 40))
def test_repair_breakpoints_valid_and_idempotent(raw, extra):
    K = len(raw) - 1
    N = K + extra
    s = repair_breakpoints(sorted(raw), N)
    assert s[0] == 0 and s[-1] == N and all(b > a for a, b in zip(s, s[1:]))
    assert repair_breakpoints(s, N) == s


def test_breakpoints_integer_rounding():
    lim = riemann_limit(PHI_HYP, u)
    N, K = 1000, 7
    s = lim.breakpoints(K, N=N)
    for t in range(K + 1):
        assert s[t] == int(mpmath.floor(N * (mpmath.mpf(4) ** (mpmath.mpf(t) / K) - 1) / 3 + 0.5))
    with pytest.raises(SymschedError):
        lim.breakpoints(11, N=10)


# -- parameters, validation ---------------------------------------------------------------------
def test_symbolic_parameters_flow_through():
    a, b = sp.symbols("a b", positive=True)
    phi = a * (1 - u) + b
    with pytest.raises(SymschedError, match="a.*b|params"):
        riemann_limit(phi, u)
    lim = riemann_limit(phi, u, allow_symbols=True)
    assert lim.leading_constant == a / 2 and lim.constant_leading_constant == a / 2 and lim.gain == 1
    assert sp.simplify(lim.kl_estimate(10, 5) - (2 * a / 2 - a / 2)) == 0
    with pytest.raises(SymbolicValueError):
        lim.schedule(10, 5)
    with pytest.raises(SymbolicValueError):
        lim.quantized(2)
    lim2 = riemann_limit(phi, u, params={"a": 2, "b": 1})
    assert lim2.leading_constant == 1 and lim2.delta == 2


def test_bad_input():
    with pytest.raises(SymschedError, match="non-increasing"):
        riemann_limit(u ** 2, u)
    with pytest.raises(SymschedError, match="non-increasing"):
        riemann_limit(-u * sp.log(u) - (1 - u) * sp.log(1 - u), u)
    with pytest.raises(SymschedError, match="non-increasing"):
        riemann_limit(sp.cos(6 * u), u)
    with pytest.raises(SymschedError, match="Symbol"):
        riemann_limit(1 - u, "u")
    with pytest.raises(SymschedError, match="schedule"):
        riemann_limit(1 - u, u).kl_estimate(4, 2, "geometric")
    with pytest.raises(SymschedError):
        riemann_limit(1 - u, u).schedule(3, 4)
    with pytest.raises(SymschedError, match="finite|bounded"):
        riemann_limit(-sp.log(u), u)
    with pytest.raises(SymschedError, match="discontinuous"):
        riemann_limit(sp.Piecewise((1 - u, u < sp.Rational(1, 3)), (sp.Rational(1, 2) - u / 4, True)), u)
    # continuous piecewise profiles are accepted
    riemann_limit(sp.Piecewise((1 - 2 * u, u < sp.Rational(1, 4)), (sp.Rational(5, 8) - u / 2, True)), u)


def test_independent_tokens():
    lim = riemann_limit(sp.log(2) + 0 * u, u)
    assert lim.is_independent and lim.leading_constant == 0 and lim.gain == 1
    assert lim.schedule(10, 3).sizes == (3, 4, 3) or sum(lim.schedule(10, 3).sizes) == 10
    assert lim.breakpoints(4) == (0, sp.Rational(1, 4), sp.Rational(1, 2), sp.Rational(3, 4), 1)
    assert any("independent" in n for n in lim.notes)
    assert lim.quantized(3).L == 0


def test_u_inferred_and_string_input():
    assert riemann_limit("1 - u**2").leading_constant == sp.Rational(4, 9)


# -- display ------------------------------------------------------------------------------------
def test_latex_and_derivation():
    lim = riemann_limit(PHI_HYP, u)
    d = lim.derivation()
    assert d.startswith("\\begin{align}") and d.endswith("\\end{align}")
    for piece in ["\\varphi(u)", "f(u) = -\\varphi'(u)", "\\kappa^*(u)", "G(u)", "G^{-1}", "gain"]:
        assert piece in d
    lim.add_lines(r"a_2 &= 1")
    assert "a_2 &= 1" in lim.derivation() and "extra" in lim.derivation([r"\text{extra} &= 0"])
    assert lim._repr_latex_().startswith("$\\displaystyle \\begin{aligned}")  # the Result protocol's display form
    assert "RiemannLimit" in repr(lim)
    assert isinstance(ss.riemann_limit(PHI_HYP, u), RiemannLimit)


def test_numeric_phi_precision():
    f = riemann_limit(PHI_HYP, u).numeric_phi(50)
    with mpmath.workdps(60):
        assert abs(f(mpmath.mpf(1) / 7) - 1 / (1 + 3 * mpmath.mpf(1) / 7)) < mpmath.mpf(10) ** -48


def test_constant_schedule_exact_via_schedules_layer():
    lim = riemann_limit(1 - u / 2, u)
    for N, K in [(12, 4), (30, 6)]:
        h = [1 - Fraction(j, 2 * N) for j in range(N)]
        val = ss.expected_kl(h, ss.constant_schedule(N, K))
        assert sp.nsimplify(val) == lim.kl_estimate(N, K, "constant")


def test_symbolic_time_limit_survives_code_that_swallows_the_timeout():
    # sympy catches exceptions in places; a swallowed timeout must not leave the attempt running
    import time

    from symsched.continuum.symbolic import try_sympy
    swallowed = []

    def stubborn():
        t0 = time.monotonic()
        try:
            while time.monotonic() - t0 < 20:
                pass
        except Exception:  # what sympy's assumptions code does
            swallowed.append("Exception")
        except BaseException:  # even a bare except: the alarm repeats
            swallowed.append("BaseException")
        while time.monotonic() - t0 < 20:
            pass
        return sp.Integer(1)

    t0 = time.monotonic()
    assert try_sympy(stubborn, 0.3) is None
    assert time.monotonic() - t0 < 5 and swallowed == ["BaseException"]
    assert try_sympy(lambda: sp.Integer(2), 0.3) == 2  # the alarm is off again afterwards
    time.sleep(0.6)
