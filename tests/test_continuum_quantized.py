"""Tests of the quantized continuum limit L(r) (symsched.continuum.quantized).

Independent checks: a dynamic programme over all schedules on h_j = phi(j/N) (written here), hand
derivations of L(r) for profiles where the optimal sizes are explicit, an integer brute force of the
pointwise minimiser, and the exact vertex (mixing) case for piecewise-linear profiles.

Note on the reference figures of docs/concepts.md §4 for phi(u) = 1/(1+3u), r = 2.5: the exact discrete
optima 0.4487 (N=300) and 0.4474 (N=600) and the smooth value 0.4258 are reproduced below.  The value
L(r) = 0.4464 once printed in the design notes is not: the discrete optima converge at rate 1/N with
N(opt_N − L) ≈ 0.764 constant for N = 150..1200 only for L = 0.44614..., and Richardson extrapolation of the two figures
gives 2·0.4474 − 0.4487 = 0.4461.  The limit derived and verified here is L(2.5) = 0.446144 (0.4461).
"""

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

import symsched as ss
from symsched.continuum.quantized import QuantizedLimit, _m_of
from symsched.errors import SymschedError
from reference import banded_optimal_kl as dp_opt, identity_kl as ekl

u = sp.Symbol("u")
PHI = 1 / (1 + 3 * u)
LIM = ss.riemann_limit(PHI, u)
Q25 = LIM.quantized(sp.Rational(5, 2))


def h_hyp(N):
    return 1 / (1 + 3 * np.arange(N) / N)


# -- the reference example ----------------------------------------------------------------------
def test_reference_figures_and_rate():
    assert isinstance(Q25, QuantizedLimit)
    assert round(float(Q25.smooth_value), 4) == 0.4258
    assert round(float(Q25.L), 4) == 0.4461  # see the module docstring about 0.4464
    opts = {}
    for N in (150, 300, 600, 1200):
        K = 2 * N // 5
        # full DP (no band) where cheap; banded (band shown not to bind) above
        opt, largest = dp_opt(h_hyp(N), K, N if N <= 300 else 15)
        assert largest < 15
        opts[N] = opt
    assert round(opts[300], 4) == 0.4487 and round(opts[600], 4) == 0.4474  # docs/concepts.md §4
    scaled = [N * (opts[N] - float(Q25.L)) for N in opts]
    assert all(s > 0 for s in scaled)
    assert max(scaled) / min(scaled) < 1.01  # O(1/N) with a stable constant (~0.764)
    assert abs(2 * opts[1200] - opts[600] - float(Q25.L)) < 2e-5  # Richardson


def test_closed_form_hyperbolic_profile():
    # f = 3/(1+3u)^2 is decreasing: m = 1..M left to right, with m -> m+1 where f = c/(m(m+1)),
    # i.e. at u_m = (sqrt(3 m (m+1)/c) - 1)/3; phi(u) = 1/(1+3u) integrates the cost exactly.
    with mpmath.workdps(45):
        def pieces(c):
            pts, m = [mpmath.mpf(0)], 1
            while True:
                x = (mpmath.sqrt(3 * m * (m + 1) / c) - 1) / 3
                if x >= 1:
                    pts.append(mpmath.mpf(1))
                    return pts
                pts.append(max(x, mpmath.mpf(0)))
                m += 1

        def lam(c):
            p = pieces(c)
            return mpmath.fsum((p[i + 1] - p[i]) / (i + 1) for i in range(len(p) - 1))

        c = mpmath.findroot(lambda c: lam(c) - mpmath.mpf(2) / 5, (mpmath.mpf(3), mpmath.mpf(5)), solver="anderson")
        p = pieces(c)
        L = mpmath.fsum(i * (1 / (1 + 3 * p[i]) - 1 / (1 + 3 * p[i + 1])) / 2 for i in range(len(p) - 1))
        assert abs(Q25.c - c) < mpmath.mpf(10) ** -25
        assert abs(Q25.L - L) < mpmath.mpf(10) ** -28
        assert [m for *_, m in Q25.pieces] == list(range(1, len(p)))


def test_closed_form_sqrt_profile():
    # phi = 1 - sqrt(u), r = 2: sizes 1, 2, 3 with breaks at u = 1/c^2 and 9/c^2 (f = 1/(2 sqrt u)).
    # Constraint 1/c^2 + (9/c^2 - 1/c^2)/2 + (1 - 9/c^2)/3 = 1/2  ->  c^2 = 12, and then
    # L = ½[1·(φ(1/12) − φ(3/4)) + 2·(φ(3/4) − φ(1))] = ½[(√3/2 − 1/√12) + (2 − √3)] = 1 − 1/√3.
    q = ss.riemann_limit(1 - sp.sqrt(u), u).quantized(2)
    with mpmath.workdps(40):
        assert abs(q.c - mpmath.sqrt(12)) < mpmath.mpf(10) ** -27
        assert abs(q.L - (1 - 1 / mpmath.sqrt(3))) < mpmath.mpf(10) ** -27
        assert [m for *_, m in q.pieces] == [1, 2, 3]
        assert abs(q.pieces[0][1] - mpmath.mpf(1) / 12) < mpmath.mpf(10) ** -27


def test_vertex_case_linear_profile():
    # f = 1/2 constant: at r = 5/2 the optimum mixes sizes 2 and 3 (60% of tokens in 3s): L = 2/5.
    q = ss.riemann_limit(1 - u / 2, u).quantized(sp.Rational(5, 2))
    assert q.mixed
    with mpmath.workdps(40):
        assert abs(q.L - mpmath.mpf(2) / 5) < mpmath.mpf(10) ** -28
        three = mpmath.fsum(b - a for a, b, m in q.pieces if m == 3)
        assert abs(three - mpmath.mpf(3) / 5) < mpmath.mpf(10) ** -25
    assert sorted({m for *_, m in q.pieces}) == [2, 3]
    # the discrete optimum is exactly 2/5 whenever 5 | N (0.2N blocks of 3 and of 2)
    for N in (50, 100):
        h = 1 - np.arange(N) / (2 * N)
        opt, _ = dp_opt(h, 2 * N // 5, N)
        assert abs(opt - 0.4) < 1e-10
        assert abs(ekl(h, q.schedule(N).sizes) - 0.4) < 1e-10


def test_vertex_case_piecewise_linear_profile():
    # f = 2 on [0, 1/4), 1/2 after; r = 3.  By hand: c = 6, size 2 on the first part, sizes 3 and 4
    # mixed on the second (ell = 5/18 there): L = 1/4 + 1/2 = 3/4.
    phi = sp.Piecewise((1 - 2 * u, u < sp.Rational(1, 4)), (sp.Rational(5, 8) - u / 2, True))
    q = ss.riemann_limit(phi, u).quantized(3)
    assert q.mixed
    with mpmath.workdps(40):
        assert abs(q.L - mpmath.mpf(3) / 4) < mpmath.mpf(10) ** -25
        assert abs(q.c - 6) < mpmath.mpf(10) ** -20
    assert [m for *_, m in q.pieces] == [2, 3, 4]


@settings(max_examples=150, deadline=None)
@given(st.floats(1e-3, 1e3), st.floats(1e-3, 1e4))
def test_pointwise_minimiser_brute_force(f, c):
    # the Lagrangian f(m-1) + c/m (times 1/2) over integer m, minimised by enumeration
    ms = np.arange(1, 20001, dtype=float)
    vals = f * (ms - 1) + c / ms
    m = _m_of(mpmath.mpf(c), mpmath.mpf(f))
    assert f * (m - 1) + c / m <= vals.min() * (1 + 1e-12)
    assert m * (m - 1) <= c / f * (1 + 1e-12) and c / f <= m * (m + 1) * (1 + 1e-12)


@settings(max_examples=8, deadline=None)
@given(st.fractions(1, 12))
def test_L_at_least_smooth_value_and_schedule_valid(r):
    q = LIM.quantized(r, dps=20)
    assert q.L >= q.smooth_value - mpmath.mpf(10) ** -15
    N = 97
    K = q.K_for(N)
    if 1 <= K <= N:
        s = q.schedule(N)
        assert s.K == K and s.N == N and min(s) >= 1


def test_large_ratio_reduces_to_sqrt_rule():
    for r in (10, 40, 160):
        q = LIM.quantized(r, dps=20)
        rel = (q.L - q.smooth_value) / q.L
        assert 0 <= rel < 0.3 / r ** 2 + 1e-12


def test_prescribed_schedule_is_near_optimal():
    for N in (300, 1200):
        K = 2 * N // 5
        h = h_hyp(N)
        opt, _ = dp_opt(h, K, 15)
        sched = Q25.schedule(N)
        assert sched.K == K and sched.N == N
        e = ekl(h, sched.sizes)
        assert opt <= e + 1e-12 and e - float(Q25.L) < 2.0 / N


def test_tail_when_f_vanishes():
    lim = ss.riemann_limit((1 - u) ** 2, u)
    q_small = lim.quantized(3, dps=20, max_block=16)
    q_big = lim.quantized(3, dps=20, max_block=400)
    assert q_small.tail_measure > 0 and q_big.tail_measure < q_small.tail_measure
    assert abs(q_small.L - q_big.L) <= q_small.tail_error_estimate
    assert "smooth rule" in q_small.method
    s = q_small.schedule(300)
    assert s.K == 100 and s.N == 300


def test_edge_cases_and_errors():
    assert LIM.quantized(1).L == 0
    with pytest.raises(SymschedError, match="r = N/K"):
        LIM.quantized(sp.Rational(1, 2))
    with pytest.raises(SymschedError, match="max_block"):
        LIM.quantized(2, max_block=1)
    with pytest.raises(SymschedError, match="K = 0"):
        Q25.schedule(1)


def test_display():
    t = Q25.latex()
    assert "L(2.5)" in t and "\\begin{cases}" in t
    assert Q25._repr_latex_().startswith("$")
    assert "QuantizedLimit" in repr(Q25)
    assert Q25.block_size(0.5) == 3


def test_agrees_with_package_schedules_layer():
    # cross-check of the schedules layer (written by another helper) against the DP here
    for N in (300, 600):
        K = 2 * N // 5
        h = h_hyp(N)
        opt, _ = dp_opt(h, K, N)
        assert abs(ss.optimal_schedule(list(h), K).kl - opt) < 1e-10
        sched = Q25.schedule(N)
        assert abs(float(ss.expected_kl(list(h), sched)) - ekl(h, sched.sizes)) < 1e-10
