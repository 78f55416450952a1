"""Wainwright's partition complexity and Prop. 1 sampler, against computations written out here.

References (no symsched code): the unmasking gain ``h(t) = Σ_i E_A I(Z_i; Z_A)`` (each other token in ``A``
with probability ``t``) from the joint table's subset entropies, as a numpy polynomial; ``H(p, q) =
∫_p^q t(1-t) h'(t) dt`` by exact polynomial integration; a Bernoulli step's error ``∫_a^b (b-u) h'(u) du``
the same way; the Bernoulli grid's expected KL written out from a brute-force profile; the paper's closed
form ``q_rep(λ) = N(N-1) ln 2 r²(1-r)^N`` integrated with mpmath; brute force over allocations and
breakpoints.
"""

import itertools
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st
from numpy.polynomial import Polynomial as Poly
from scipy.stats import binom

import symsched as ss
from symsched.errors import SymschedError
from reference import brute_profile, entropy, identity_kl, marginal, random_joint


def gain_polynomial(joint):
    """h(t) from its definition (15a): Σ_i Σ_A t^|A| (1-t)^(N-1-|A|) I(Z_i; Z_A), A ⊆ [N] \\ {i}."""
    joint = np.asarray(joint, float)
    N = joint.ndim
    H = {(): 0.0}
    for k in range(1, N + 1):
        for T in itertools.combinations(range(N), k):
            H[T] = entropy(marginal(joint, T))
    t = Poly([0.0, 1.0])
    total = Poly([0.0])
    for i in range(N):
        others = [a for a in range(N) if a != i]
        for k in range(N):
            for A in itertools.combinations(others, k):
                mi = H[(i,)] + H[A] - H[tuple(sorted(A + (i,)))]
                total = total + mi * t ** k * (1 - t) ** (N - 1 - k)
    return total


def ugc(hpoly, p, q):
    f = (Poly([0.0, 1.0, -1.0]) * hpoly.deriv()).integ()
    return f(q) - f(p)


def step_err(hpoly, a, b):
    f = (Poly([b, -1.0]) * hpoly.deriv()).integ()
    return f(b) - f(a)


def bernoulli_formula(h, grid):
    """E KL = Σ_k (t_k - t_{k-1}) N Σ_j Binom(j; N-1, t_{k-1}) h_j - H, written out."""
    N = len(h)
    t = [float(x) for x in grid]
    return sum((t[k] - t[k - 1]) * N * sum(binom.pmf(j, N - 1, t[k - 1]) * h[j] for j in range(N))
               for k in range(1, len(t))) - sum(h)


def phi(r):
    return math.log(r / (1 - r))


joints = st.builds(lambda shape, seed: random_joint(shape, seed),
                   st.lists(st.integers(2, 3), min_size=3, max_size=5).map(tuple), st.integers(0, 10 ** 6))


@given(joints, st.integers(1, 4), st.integers(0, 10 ** 6))
def test_partition_complexity_matches_the_definition(joint, M, seed):
    rng = np.random.default_rng(seed)
    N = joint.ndim
    h, _ = brute_profile(joint)
    hp = gain_polynomial(joint)
    b = np.sort(rng.uniform(0.02, 0.98, M + 1))
    if np.min(np.diff(b)) < 1e-3:
        b = np.linspace(0.1, 0.9, M + 1)
    pc = ss.partition_complexity(h, list(b))
    H = [ugc(hp, b[m], b[m + 1]) for m in range(M)]
    S = [phi(b[m + 1]) - phi(b[m]) for m in range(M)]
    C = sum(math.sqrt(s * max(x, 0)) for s, x in zip(S, H)) ** 2
    scale = max(1.0, sum(h))
    assert np.allclose(pc.H, H, atol=1e-9 * scale, rtol=0)
    assert np.allclose(pc.S, S, atol=1e-12, rtol=1e-12)
    assert abs(float(pc) - C) < 1e-9 * scale
    # Cauchy-Schwarz (29): C <= (phi(T) - phi(t0)) H(t0, T), equality for one block
    cs = (phi(b[-1]) - phi(b[0])) * ugc(hp, b[0], b[-1])
    assert abs(pc.cauchy_schwarz - cs) < 1e-9 * scale
    assert float(pc) <= cs + 1e-12 * scale
    if M == 1:
        assert abs(float(pc) - cs) < 1e-12 * scale
    assert N == pc.N


@given(joints, st.integers(1, 3), st.sampled_from(["uniform", "optimal"]), st.integers(0, 60))
def test_prop1_sampler_exact_kl_and_its_bounds(joint, M, partition, extra):
    N = joint.ndim
    h, _ = brute_profile(joint)
    hp = gain_polynomial(joint)
    t0, T = 1 / N, 1 - 1 / N
    Kmin = math.ceil(2 * (M + 2 * (phi(T) - phi(t0))))
    K = Kmin + extra
    w = ss.wainwright_schedule(h, K, blocks=M, partition=partition, mesh=60)
    g = [float(x) for x in w.grid]
    assert g[0] == 0 and g[-1] == 1 and abs(g[1] - t0) < 1e-15 and abs(g[-2] - T) < 1e-15
    assert np.all(np.diff(g) > 0)
    assert w.interior_steps <= K and w.steps == len(g) - 1 == w.interior_steps + 2
    scale = max(1.0, sum(h))
    # the exact KL is the Bernoulli-grid formula of its own grid, = the sum of its steps' exact errors
    assert abs(w.kl - bernoulli_formula(h, g)) < 1e-9 * scale
    assert abs(w.kl - sum(step_err(hp, g[k], g[k + 1]) for k in range(len(g) - 1))) < 1e-9 * scale
    assert abs(w.init - step_err(hp, 0, t0)) < 1e-9 * scale
    assert abs(w.completion - step_err(hp, T, 1)) < 1e-9 * scale
    # every step's reveal-odds ratio is within its block's 1 + rho
    bl = [phi(float(b)) for b in w.breakpoints]
    for k in range(1, len(g) - 2):
        m = max(i for i in range(w.M) if phi(g[k]) >= bl[i] - 1e-12)
        assert phi(g[k + 1]) - phi(g[k]) <= math.log1p(w.rho[m]) + 1e-9
    thm1 = sum((g[k + 1] * (1 - g[k]) / (g[k] * (1 - g[k + 1])) - 1) * ugc(hp, g[k], g[k + 1])
               for k in range(1, len(g) - 2)) + w.init + w.completion
    assert abs(w.thm1 - thm1) < 1e-9 * scale
    tol = 1e-12 * scale
    assert w.kl <= thm1 + tol and thm1 <= w.bound + tol
    assert abs(w.bound - (4 * float(w.C) / K + w.init + w.completion)) < 1e-12 * scale
    assert abs(w.lower - float(w.C) / K) < 1e-15 * scale
    assert w.lower <= w.ip_value + tol                       # (28c)
    assert sum(w.allocation) == K


@given(st.lists(st.floats(0.01, 5.0), min_size=1, max_size=4), st.lists(st.floats(0.0, 3.0), min_size=4, max_size=4),
       st.integers(0, 6))
def test_integer_programme_is_solved_exactly(S, H, extra):
    M = len(S)
    H = H[:M]
    K = M + extra
    pc_like = ss.schedules.partition.block_allocation(np.array(S), np.array(H), K)
    best = min(sum(math.expm1(s / k) * x for s, k, x in zip(S, ks, H))
               for ks in itertools.product(range(1, K + 1), repeat=M) if sum(ks) == K)
    assert abs(pc_like[1] - best) <= 1e-12 * max(1.0, best)
    C = sum(math.sqrt(s * x) for s, x in zip(S, H)) ** 2
    assert pc_like[1] >= C / K - 1e-12 * max(1.0, C)


def test_boundary_programme_against_brute_force():
    joint = random_joint((2, 3, 2, 2, 3), 11)
    h, _ = brute_profile(joint)
    hp = gain_polynomial(joint)
    N, M, mesh = 5, 3, 10
    pc = ss.partition_complexity(h, blocks=M, optimize=True, mesh=mesh)
    lam = np.linspace(phi(1 / N), phi(1 - 1 / N), mesh + 1)
    tau = 1 / (1 + np.exp(-lam))

    def cost(idx):
        return sum(math.sqrt((lam[j] - lam[i]) * max(ugc(hp, tau[i], tau[j]), 0)) for i, j in zip(idx, idx[1:]))

    best = min(cost((0, *c, mesh)) for c in itertools.combinations(range(1, mesh), M - 1))
    assert abs(math.sqrt(float(pc)) - best) < 1e-9
    uniform = ss.partition_complexity(h, blocks=M)
    assert float(pc) <= float(uniform) + 1e-12 or mesh % M  # the uniform partition is on the mesh when M | mesh


def test_refinement_converges_to_the_fine_complexity():
    """Thm 3 numerically: C(U_M) never increases under refinement and tends to P = (∫√h')²."""
    prof = ss.information_profile(ss.product_mixture(12, [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]]))
    hp_vals = list(prof.h)
    Cs = [float(ss.partition_complexity(hp_vals, blocks=M)) for M in (1, 2, 4, 8, 16, 32, 64, 128)]
    P = ss.partition_complexity(hp_vals, blocks=1).fine
    assert all(a >= b - 1e-12 for a, b in zip(Cs, Cs[1:]))
    assert all(c >= P - 1e-9 for c in Cs)
    gaps = [c - P for c in Cs]
    assert gaps[-1] < 1e-3 * P and gaps[-1] < gaps[3] / 50   # O(1/M^2) for a smooth density
    # Lemma 3: sqrt C(U_M) <= sqrt P + l_d omega(2 l_d / M), omega the modulus of continuity of sqrt q
    N, ell = 12, math.log(11)
    lam = np.linspace(-ell, ell, 20001)
    r = 1 / (1 + np.exp(-lam))
    hprime = N * (N - 1) * sum(binom.pmf(j, N - 2, r) * (hp_vals[j] - hp_vals[j + 1]) for j in range(N - 1))
    f = np.sqrt(np.maximum(r ** 2 * (1 - r) ** 2 * hprime, 0))
    P_direct = float(np.trapezoid(f, lam)) ** 2
    assert abs(P_direct - P) < 1e-6 * P
    for M, C in zip((1, 2, 4, 8, 16), Cs):
        w = 2 * ell / M
        step = lam[1] - lam[0]
        k = int(round(w / step))
        omega = max(float(np.max(np.abs(f[s:] - f[:-s]))) for s in range(1, k + 1, max(1, k // 200)))
        assert math.sqrt(C) <= math.sqrt(P) + ell * omega + 1e-9


@pytest.mark.parametrize("model", ["copy", "parity"])
def test_paper_closed_forms_24ab(model):
    """q_rep(λ) = N(N-1) ln2 r²(1-r)^N and q_par(λ) = q_rep(-λ): block masses against mpmath quadrature."""
    N = 64
    prof = ss.information_profile(ss.copy_model(N, 2) if model == "copy" else ss.parity_model(N))
    mpmath.mp.dps = 30

    def q(lam):
        r = 1 / (1 + mpmath.exp(-lam))
        if model == "parity":
            r = 1 - r
        return N * (N - 1) * mpmath.log(2) * r ** 2 * (1 - r) ** N

    pc = ss.partition_complexity(prof, blocks=4)
    lam = [phi(float(b)) for b in pc.breakpoints]
    for m in range(4):
        ref = float(mpmath.quad(q, [lam[m], lam[m + 1]]))
        assert abs(pc.H[m] - ref) < 1e-9
    fine = float(mpmath.quad(lambda x: mpmath.sqrt(q(x)), [lam[0], 0, lam[-1]])) ** 2
    assert abs(pc.fine - fine) < 1e-7 * fine


@pytest.mark.parametrize("model", ["copy", "parity"])
def test_symbolic_h01_is_n_minus_1_over_n_plus_1_log2(model):
    N = 6
    m = ss.copy_model(N, 2) if model == "copy" else ss.parity_model(N)
    prof = ss.information_profile(m, precision="symbolic")
    g = ss.unmasking_growth(prof)
    assert sp.simplify(sp.sympify(g.h01) - sp.Rational(N - 1, N + 1) * sp.log(2)) == 0
    # the density in closed form (24a / 24b), symbolically
    r = sp.Symbol("r", positive=True)
    dens = sp.expand(r ** 2 * (1 - r) ** 2 * sp.sympify(g.rate(r)))
    closed = N * (N - 1) * sp.log(2) * (r ** 2 * (1 - r) ** N if model == "copy" else (1 - r) ** 2 * r ** N)
    assert sp.simplify(dens - sp.expand(closed)) == 0
    # and the partition complexity of a symbolic profile is exact: H sums to H(1/N, 1 - 1/N)
    pc = ss.partition_complexity(prof, [Fraction(1, N), Fraction(1, 2), Fraction(N - 1, N)])
    total = sp.sympify(g.mass(Fraction(1, N), Fraction(N - 1, N)))
    assert sp.simplify(sp.Add(*pc.H) - total) == 0
    assert abs(float(pc.C) - float(ss.partition_complexity(prof.numeric(), pc.breakpoints))) < 1e-12


def test_cardinality_version():
    joint = random_joint((2, 2, 3, 2, 2, 2), 5)
    h, _ = brute_profile(joint)
    N = 6
    for M in (1, 2, 3):
        K = math.ceil(2 * (M + 2 * (phi(1 - 1 / N) - phi(1 / N)))) + 3
        w = ss.wainwright_schedule(h, K, blocks=M, cardinality=True)
        assert sum(w.sizes) == N and all(s > 0 for s in w.sizes)
        assert w.steps == len(w.sizes) <= K + 2
        assert abs(w.kl - identity_kl(h, list(w.sizes))) < 1e-12
        # Thm 1 (17b) on the counts, written out: H^card(a, b) = Σ_{a<j<b} (j/N)(1-j/N) N (h_{j-1} - h_j)
        a = [round(float(x) * N) for x in w.grid]

        def hcard(lo, hi):
            return sum(j / N * (1 - j / N) * N * (h[j - 1] - h[j]) for j in range(lo + 1, hi))

        def psi(x):
            return x / (N - x)

        thm1 = sum((psi(a[k + 1]) / psi(a[k] + 1) - 1) * hcard(a[k], a[k + 1]) for k in range(len(a) - 1))
        assert abs(w.thm1 - (thm1 + w.init + w.completion)) < 1e-12
        assert w.kl <= w.thm1 + 1e-12 <= w.bound + 2e-12


def test_refusals():
    h = [0.7, 0.5, 0.4, 0.3, 0.2]
    with pytest.raises(SymschedError, match="K >= 16"):
        ss.wainwright_schedule(h, 10, blocks=2)
    with pytest.raises(SymschedError, match="strictly inside"):
        ss.partition_complexity(h, [0, 0.5])
    with pytest.raises(SymschedError, match="increase strictly"):
        ss.partition_complexity(h, [0.5, 0.5])
    with pytest.raises(SymschedError, match="cannot cover"):
        ss.partition_complexity(h, blocks=3).allocation(2)
    with pytest.raises(SymschedError, match="N = 2"):
        ss.wainwright_schedule([0.7, 0.2], 10)


def test_estimated_profile_standard_errors_are_calibrated():
    """The delta method on a known covariance: rms z of C and H_m over 40 noisy copies within [0.7, 1.4]."""
    h = np.array(ss.information_profile(ss.product_mixture(8, [0.5, 0.5], [[0.85, 0.15], [0.25, 0.75]])).h)
    N = len(h)
    rng = np.random.default_rng(0)
    A = rng.normal(size=(N, N)) * 2e-4
    cov = A @ A.T + np.diag(np.full(N, 1e-8))
    bp = [1 / N, 0.3, 0.6, 1 - 1 / N]
    exact = ss.partition_complexity(list(h), bp)
    zC, zH = [], []
    for _ in range(40):
        x = rng.multivariate_normal(h, cov)
        prof = ss.InformationProfile(tuple(x), e=tuple(np.concatenate([[0], np.cumsum(x)])), entropy=float(x.sum()),
                                     stderr=tuple(np.sqrt(np.diag(cov))), exact=False, covariance=cov)
        pc = ss.partition_complexity(prof, bp)
        assert not pc.exact and "covariance" in pc.note
        zC.append((float(pc.C) - float(exact)) / pc.C.stderr)
        zH.extend((float(e) - x0) / e.stderr for e, x0 in zip(pc.H, exact.H))
    for z in (zC, zH):
        rms = math.sqrt(np.mean(np.square(z)))
        assert 0.7 <= rms <= 1.4, rms
    diag = ss.InformationProfile(tuple(h), e=tuple(np.concatenate([[0], np.cumsum(h)])), entropy=float(h.sum()),
                                 stderr=tuple(np.full(N, 1e-3)), exact=False)
    assert "independent" in ss.partition_complexity(diag, bp).note
    w = ss.wainwright_schedule(diag, 40, blocks=2)
    assert w.bound.stderr > 0 and w.kl.stderr > 0 and not w.exact


@given(joints, st.integers(0, 30))
def test_cor1_and_prop1_rows_hold_against_the_exact_kl(joint, extra):
    N = joint.ndim
    h, _ = brute_profile(joint)
    hp = gain_polynomial(joint)
    t0, T = 1 / N, 1 - 1 / N
    S = phi(T) - phi(t0)
    K = math.ceil(S) + extra
    b = ss.wainwright_cor1_bound(h, K)
    lam = np.linspace(phi(t0), phi(T), K + 1)              # K equal log-odds steps, written out
    grid = [0.0, *(1 / (1 + np.exp(-lam))), 1.0]
    exact = bernoulli_formula(h, grid)
    assert abs(b.parameters["exact_kl"] - exact) < 1e-9
    value = 2 * ugc(hp, t0, T) / K * S + step_err(hp, 0, t0) + step_err(hp, T, 1)
    assert abs(b.value - value) < 1e-9 and exact <= value + 1e-12
    K1 = math.ceil(2 * (1 + 2 * S)) + extra
    p1 = ss.wainwright_prop1_bound(h, K1)
    assert p1.check(p1.parameters["exact_kl"])


def test_lemma3_and_the_bounds_table():
    for model in (ss.copy_model(10, 2), ss.parity_model(10),
                  ss.product_mixture(10, [0.5, 0.5], [[0.9, 0.1], [0.3, 0.7]])):
        prof = ss.information_profile(model)
        for M in (1, 2, 5, 20):
            b = ss.wainwright_lemma3_bound(prof, M)
            assert abs(b.parameters["exact"] - float(ss.partition_complexity(prof, blocks=M))) < 1e-12
            assert b.check(b.parameters["exact"])
        t = ss.compare_bounds(prof, [1] * 10)
        assert t["Wainwright Cor. 1"].holds and t["Wainwright Prop. 1"].holds is None   # K = 10 < Prop. 1's 20
        assert "n/a" in t["Wainwright Prop. 1"].note
    prof = ss.information_profile(ss.product_mixture(40, [0.5, 0.5], [[0.9, 0.1], [0.3, 0.7]]))
    t = ss.compare_bounds(prof, [1] * 40)
    w = t["Wainwright Prop. 1"]
    assert t.all_hold and w.holds and w.exact <= w.value and "3 blocks" in w.note


@pytest.mark.parametrize("model", ["copy", "parity"])
def test_paper_examples_sampler_kl_and_bound(model):
    """N = 64 repeated bit / parity: h written out (copy: h_0 = ln 2, rest 0; parity: h_{N-1} = 0, rest ln 2)."""
    N = 64
    h = [math.log(2)] + [0.0] * (N - 1) if model == "copy" else [math.log(2)] * (N - 1) + [0.0]
    for M, K in ((1, 60), (3, 80)):
        w = ss.wainwright_schedule(h, K, blocks=M, partition="optimal")
        assert abs(w.kl - bernoulli_formula(h, w.grid)) < 1e-9
        assert w.kl <= w.thm1 + 1e-12 <= w.bound + 2e-12 and w.interior_steps <= K


def test_equal_sqrt_q_grid_reaches_half_the_fine_complexity():
    """Thm 3 (41b): with grid points of equal √q mass on the canonical interval, K x (interior error) -> P/2."""
    prof = ss.information_profile(ss.product_mixture(10, [0.5, 0.5], [[0.9, 0.1], [0.25, 0.75]]))
    h = np.array(prof.h)
    N = len(h)
    lam = np.linspace(phi(1 / N), phi(1 - 1 / N), 200001)
    r = 1 / (1 + np.exp(-lam))
    hprime = N * (N - 1) * sum(binom.pmf(j, N - 2, r) * (h[j] - h[j + 1]) for j in range(N - 1))
    f = np.sqrt(np.maximum(r ** 2 * (1 - r) ** 2 * hprime, 0))
    F = np.concatenate([[0], np.cumsum((f[1:] + f[:-1]) / 2 * np.diff(lam))])
    P = F[-1] ** 2
    assert abs(P - ss.partition_complexity(prof, blocks=1).fine) < 1e-6 * P

    t = Poly([0.0, 1.0])
    hp = sum((N * math.comb(N - 1, j) * (h[0] - h[j])) * t ** j * (1 - t) ** (N - 1 - j) for j in range(N))
    ratios = []
    for K in (10, 40, 160):
        pts = np.interp(np.arange(K + 1) / K * F[-1], F, lam)
        g = 1 / (1 + np.exp(-pts))
        err = sum(step_err(hp, g[k], g[k + 1]) for k in range(K))     # the K interior steps' exact errors
        ratios.append(K * err / (P / 2))
    # the leading order is P/(2K): K x error / (P/2) -> 1, the gap shrinking like 1/K
    assert abs(ratios[-1] - 1) < 0.02 and abs(ratios[-1] - 1) < abs(ratios[0] - 1) / 4, ratios

