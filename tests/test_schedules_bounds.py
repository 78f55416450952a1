"""Literature bounds (symsched.schedules.bounds) against independent exact computations.

Every reference value here is recomputed in this file from first principles: the information profile
by brute force over subsets of an explicit joint table, the expected KL by the block form of the
identity, the sampler's mixture law by enumerating every reveal order, and Chen, Cong & Li's schedules
from their recursions in integer arithmetic.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import symsched as ss
from symsched.schedules import bounds as B

# ---------------------------------------------------------------------------------------------
# independent references


def ref_expected_kl(h, sizes):
    """Block form of the identity: sum_t sum_{m=s_{t-1}}^{s_t - 1} (h_{s_{t-1}} - h_m)."""
    total, s = 0, 0
    for k in sizes:
        total += sum(h[s] - h[m] for m in range(s, s + k))
        s += k
    return total


def entropy(p):
    p = np.asarray(p, dtype=float).ravel()
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def brute_profile(joint):
    """h_j = e_{j+1} - e_j with e_j = mean_{|T| = j} H(X_T), by enumerating all subsets."""
    N = joint.ndim
    e = []
    for j in range(N + 1):
        vals = []
        for T in itertools.combinations(range(N), j):
            other = tuple(i for i in range(N) if i not in T)
            vals.append(entropy(joint.sum(axis=other)) if T else 0.0)
        e.append(float(np.mean(vals)))
    return [e[j + 1] - e[j] for j in range(N)]


def brute_mixture_law(joint, sizes):
    """The factorized sampler's output law q = E_sigma q_sigma, and E_sigma KL(p || q_sigma), over every order."""
    N = joint.ndim
    q = np.zeros_like(joint)
    avg_kl = 0.0
    perms = list(itertools.permutations(range(N)))
    xs = list(itertools.product(*[range(c) for c in joint.shape]))
    for perm in perms:
        q_sigma = np.zeros_like(joint)
        blocks, s = [], 0
        for k in sizes:
            blocks.append(perm[s:s + k])
            s += k
        for x in xs:
            prob, revealed = 1.0, []
            for blk in blocks:
                for i in blk:  # each token of the block from its exact conditional given the revealed ones
                    axes = tuple(a for a in range(N) if a not in revealed and a != i)
                    marg = joint.sum(axis=axes) if axes else joint
                    kept = sorted(revealed + [i])
                    idx = tuple(x[a] for a in kept)
                    num = marg[idx]
                    den = marg.sum(axis=kept.index(i))[tuple(x[a] for a in kept if a != i)] if revealed \
                        else 1.0
                    # a context impossible under p (tokens of one block drawn independently): uniform
                    # conditional, the convention of symsched.samplers (only moves q outside supp p)
                    prob *= 1.0 / joint.shape[i] if den == 0 else num / den
                revealed = revealed + list(blk)
            q_sigma[x] = prob
        assert abs(q_sigma.sum() - 1) < 1e-12
        q += q_sigma / len(perms)
        avg_kl += ref_kl(joint, q_sigma) / len(perms)
    return q, avg_kl


def ref_kl(p, q):
    p, q = p.ravel(), q.ravel()
    m = p > 0
    return float((p[m] * np.log(p[m] / q[m])).sum())


def tc_breakpoints(N, zeta):
    """Chen, Cong & Li's TC schedule, written out from docs/references.md in integer arithmetic."""
    if zeta >= N + 1:
        return list(range(N + 1))
    lam = math.floor(math.log(N - zeta + 1) / math.log(zeta / (zeta - 1))) + 2
    b = [0]
    for _ in range(lam):
        b.append(b[-1] + (N - b[-1]) // zeta)  # floor(N_{i-1} + (N - N_{i-1}) / zeta)
    b += list(range(b[-1] + 1, N + 1))
    return b


def dtc_breakpoints(N, zeta):
    if zeta >= N + 1:
        return list(range(N + 1))
    lam = math.floor(math.log(N - zeta + 1) / math.log(zeta / (zeta - 1))) + 2
    r = [N]
    for _ in range(lam):
        r.append(-((-r[-1] * (zeta - 1)) // zeta))  # ceil(N'_{i-1} (1 - 1/zeta))
    r += list(range(r[-1] - 1, -1, -1))
    return r[::-1]


def sizes_of(bps):
    return [b - a for a, b in zip(bps, bps[1:])]


# ---------------------------------------------------------------------------------------------
# strategies

profiles = st.lists(st.floats(0, 3, allow_nan=False), min_size=1, max_size=30).map(
    lambda xs: sorted(xs, reverse=True))


@st.composite
def profile_and_schedule(draw, allow_zero=True):
    h = draw(profiles)
    N = len(h)
    cuts = sorted(draw(st.lists(st.integers(0 if allow_zero else 1, N), max_size=N + 3)))
    bps = [0] + [c for c in cuts if (allow_zero or 0 < c < N)] + [N]
    if not allow_zero:
        bps = sorted(set(bps))
    return h, sizes_of(bps)


def _close_ge(a, b):
    return a >= b - 1e-9 * max(1.0, abs(a), abs(b))


# ---------------------------------------------------------------------------------------------
# the general facts and Li & Cai


@given(profile_and_schedule())
def test_proven_bounds_hold_on_random_profiles(data):
    h, sizes = data
    sched = ss.Schedule(sizes, allow_zero=True)
    exact = ref_expected_kl(h, sizes)
    ident = B.identity_bound(h, sched)
    assert ident.kind == "identity" and ident.check(exact)
    assert ident.value == pytest.approx(exact, abs=1e-9)
    for f in (B.tc_bound, B.li_cai_bound, B.li_cai_sharp_bound, B.convexity_bound):
        b = f(h, sched)
        assert b.kind == "upper" and b.proven
        assert _close_ge(b.numeric(), exact), (b, exact)
        assert b.check(exact) is True
    # the sharpening is indeed sharper, and both have the stated closed forms
    kmax = max(sizes)
    rng = h[0] - h[-1]
    assert B.li_cai_sharp_bound(h, sched).value == pytest.approx((kmax - 1) * rng)
    assert B.li_cai_bound(h, sched).value == pytest.approx((2 ** math.ceil(math.log2(kmax)) - 1) * rng)
    assert B.li_cai_sharp_bound(h, sched).value <= B.li_cai_bound(h, sched).value + 1e-12
    assert B.tc_bound(h, sched).value == pytest.approx(sum(h[0] - x for x in h))
    zero = B.nonnegativity_bound(h, sched)
    assert zero.check(exact) is True
    if len(set(sizes)) == 1:
        lz = B.lavenant_zanella_constant_bound(h, sched)
        assert lz.check(exact) is True and lz.value == pytest.approx((len(h) // len(sizes) - 1) * rng)


@given(profile_and_schedule(allow_zero=False))
def test_li_cai_sharp_proof_steps(data):
    """The two inequalities of the proof, block by block: w(a,b) <= (b-a-1)(h_a - h_{b-1}), then the sum."""
    h, sizes = data
    s, per_block = 0, []
    for k in sizes:
        w = sum(h[s] - h[m] for m in range(s, s + k))
        bound = (k - 1) * (h[s] - h[s + k - 1])
        assert w <= bound + 1e-12
        per_block.append(bound)
        s += k
    assert sum(per_block) <= (max(sizes) - 1) * (h[0] - h[-1]) + 1e-12


@given(profile_and_schedule(allow_zero=False))
def test_optimal_lower_bound_and_tc_equality(data):
    h, sizes = data
    exact = ref_expected_kl(h, sizes)
    lower = B.optimal_lower_bound(h, len(sizes))
    assert lower.kind == "lower" and lower.check(exact) is True
    # K = 1 makes E KL <= TC an equality
    one = ref_expected_kl(h, [len(h)])
    assert B.tc_bound(h, [len(h)]).value == pytest.approx(one, abs=1e-12)


def test_optimal_lower_bound_is_brute_force_minimum():
    rng = np.random.default_rng(3)
    for _ in range(20):
        N = int(rng.integers(1, 9))
        h = sorted(rng.random(N), reverse=True)
        for K in range(1, N + 1):
            best = min(ref_expected_kl(h, sizes_of([0, *c, N]))
                       for c in itertools.combinations(range(1, N), K - 1))
            assert B.optimal_lower_bound(h, K).value == pytest.approx(best, abs=1e-12)


@given(st.lists(st.fractions(0, 3), min_size=1, max_size=12).map(lambda xs: sorted(xs, reverse=True)),
       st.data())
@settings(max_examples=25)
def test_exact_arithmetic_bounds(h, data):
    """Fraction profiles give exact sympy values, equal to the Fraction computation of the formula."""
    N = len(h)
    cuts = sorted(set(data.draw(st.lists(st.integers(1, max(1, N - 1)), max_size=N))) - {N})
    sizes = sizes_of([0, *cuts, N]) if N > 1 else [1]
    exact = ref_expected_kl(h, sizes)
    kmax = max(sizes)
    sharp = B.li_cai_sharp_bound(h, sizes)
    lc = B.li_cai_bound(h, sizes)
    assert sp.sympify(sharp.value) == sp.Rational((kmax - 1) * (h[0] - h[-1]))
    assert sp.sympify(lc.value) == sp.Rational(((1 << (kmax - 1).bit_length()) - 1) * (h[0] - h[-1]))
    assert sp.Rational(exact) <= sharp.value <= lc.value
    assert sp.sympify(B.identity_bound(h, sizes).value) == sp.Rational(exact)


def test_li_cai_factor_is_next_power_of_two_minus_one():
    for k in range(1, 70):
        b = B.li_cai_bound([1.0] + [0.0] * (k - 1), [k])
        assert b.parameters["factor"] == 2 ** math.ceil(math.log2(k)) - 1
        assert b.value == pytest.approx(b.parameters["factor"])
    with pytest.raises(ValueError, match="eps_train"):
        B.li_cai_bound([0.5, 0.1], [2], eps_train=-1)
    assert B.li_cai_bound([0.5, 0.1], [2], eps_train=0.25).value == pytest.approx(0.4 + 0.25)


def test_linear_profile_constant_schedule():
    """Linear profile, slope 1/N, constant sizes k: each block costs k(k-1)/(2N) (closed form)."""
    N, K = 12, 3
    h = [1 - j / N for j in range(N)]  # slope 1/N
    k = N // K
    exact = K * k * (k - 1) / 2 / N
    assert B.identity_bound(h, [k] * K).value == pytest.approx(exact)
    assert B.lavenant_zanella_constant_bound(h, [k] * K).value == pytest.approx((k - 1) * (N - 1) / N)
    with pytest.raises(ValueError, match="constant schedule"):
        B.lavenant_zanella_constant_bound(h, [5, 7])


# ---------------------------------------------------------------------------------------------
# Chen, Cong & Li's TC / DTC schedules


def test_reference_example_N100_zeta5():
    assert sizes_of(tc_breakpoints(100, 5)) == [20, 16, 12, 10, 8, 6, 5, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1,
                                                0, 0, 0, 0, 0, 1, 1, 1, 1]
    assert list(ss.tc_schedule(100, 1.0, 0.25).sizes) == sizes_of(tc_breakpoints(100, 5))
    step = B.ccl_step_bound(100, 1.0, 0.25)
    assert step.parameters["zeta"] == 5
    assert step.numeric() == pytest.approx(2 + (1 + math.log(100)) * 5)
    assert step.check(26) is True and step.check(31) is False


@given(profiles, st.data())
@settings(max_examples=60)
def test_ccl_guarantees_on_random_profiles(h, data):
    N = len(h)
    tc = sum(h[0] - x for x in h)
    dtc = sum(x - h[-1] for x in h)
    eps = data.draw(st.floats(0.01, 5))
    slack = data.draw(st.floats(0, 3))
    for measure, c, bps_of, build in (("TC", tc, tc_breakpoints, ss.tc_schedule),
                                      ("DTC", dtc, dtc_breakpoints, ss.dtc_schedule)):
        c_hat = c + slack + 1e-3  # an estimate >= the true value
        zeta = 1 + math.ceil(Fraction(c_hat) / Fraction(eps))
        ref = sizes_of(bps_of(N, zeta))
        sched = build(N, c_hat, eps)
        assert list(sched.sizes) == ref  # the families helper's construction agrees with ours
        f = B.ccl_tc_guarantee if measure == "TC" else B.ccl_dtc_guarantee
        g = f(h, c_hat, eps)
        assert g.parameters["zeta"] == zeta
        assert g.value == pytest.approx(c / (zeta - 1))
        exact = ref_expected_kl(h, ref)
        assert g.check(exact) is True
        assert exact <= eps + 1e-12  # c_hat >= TC (resp. DTC)
        step = B.ccl_step_bound(N, c_hat, eps)
        assert len(ref) <= 2 + (1 + math.log(N)) * zeta + 1e-9
        assert step.check(len(ref)) is True


def test_ccl_guarantee_holds_for_every_zeta_exhaustively():
    """E KL <= TC/(zeta-1) and DTC/(zeta-1) for all N <= 40, zeta <= N + 1, on extreme and random profiles."""
    rng = np.random.default_rng(0)
    for N in range(1, 41):
        cand = [sorted(rng.random(N) ** 3, reverse=True) for _ in range(2)]
        cand += [[1.0 if j <= c else 0.0 for j in range(N)] for c in range(0, N, max(1, N // 5))]
        for zeta in range(2, N + 2):
            tcs, dts = sizes_of(tc_breakpoints(N, zeta)), sizes_of(dtc_breakpoints(N, zeta))
            assert len(tcs) <= 2 + (1 + math.log(N)) * zeta
            for h in cand:
                tc = sum(h[0] - x for x in h)
                dtc = sum(x - h[-1] for x in h)
                assert ref_expected_kl(h, tcs) <= tc / (zeta - 1) + 1e-12
                assert ref_expected_kl(h, dts) <= dtc / (zeta - 1) + 1e-12


def test_ccl_fixed_k_guarantee():
    rng = np.random.default_rng(1)
    for _ in range(40):
        N = int(rng.integers(2, 80))
        K = int(rng.integers(1, 60))
        h = sorted(rng.random(N) ** 2, reverse=True)
        tc = sum(h[0] - x for x in h)
        zeta = max(0, math.floor((K - 2) / (1 + math.log(N))))  # K <= 2: no construction (0)
        g = B.ccl_fixed_k_guarantee(h, K)
        assert g.parameters["zeta"] == zeta
        if zeta < 2:
            assert g.value is None and g.check(0.0) is None
            continue
        sched = ss.ccl_fixed_k_schedule(N, K)
        assert sched.K <= K
        assert list(sched.sizes) == sizes_of(tc_breakpoints(N, zeta))
        assert g.value == pytest.approx(tc / (zeta - 1))
        assert g.check(ref_expected_kl(h, sched.sizes)) is True


def test_ccl_guarantee_input_errors():
    with pytest.raises(ValueError, match="c_hat"):
        B.ccl_tc_guarantee([0.5, 0.1], 0, 0.1)
    with pytest.raises(ValueError, match="eps"):
        B.ccl_dtc_guarantee([0.5, 0.1], 1, 0)
    with pytest.raises(ValueError, match="N"):
        B.ccl_step_bound(0, 1, 0.1)


# ---------------------------------------------------------------------------------------------
# rates and statements never claim to hold


@given(profile_and_schedule(allow_zero=False), st.floats(0.1, 10), st.floats(0, 3))
@settings(max_examples=20)
def test_rate_rows_never_claim(data, C, a):
    h, sizes = data
    K, N = len(sizes), len(h)
    # Zhao & Cai's statement is for K < N (refused otherwise)
    zc = [B.zhao_cai_rate(h, K), B.zhao_cai_rate(h, K, "DTC"),
          B.zhao_cai_rate(h, K, "TC", C=C, log_exponent=a, log_of="N")] if K < N else []
    rows = [B.ccl_austin_steps(h, 0.1), B.ccl_austin_steps(h, 0.1, C=C), B.ccl_log_lower_bound(N),
            B.ccl_log_lower_bound(N, C=C), *zc, B.liang_euler_rate(N, K), B.liang_fhs_statement()]
    for b in rows:
        assert b.kind in ("order", "statement") and not b.proven
        assert b.check(0.0) is None and b.check(1e9) is None
    assert rows[0].value is None and rows[0].rate == math.ceil(math.sqrt(sum(x - h[-1] for x in h) * N / 0.1))
    assert rows[1].value == pytest.approx(C * rows[0].rate)
    assert rows[2].value is None and rows[2].rate == pytest.approx(math.log(N))
    if zc:
        assert zc[0].value is None and zc[0].rate == pytest.approx(sum(h[0] - x for x in h) / K)
        assert zc[2].value == pytest.approx(C * math.log(N) ** a * zc[0].rate)
    with pytest.raises(ValueError):
        B.Bound("x", "order", "E KL", statement="", source=B.SOURCES["CCL"], proven=True)


# ---------------------------------------------------------------------------------------------
# Pinsker


@given(st.lists(st.floats(0.01, 1), min_size=2, max_size=8), st.data())
@settings(max_examples=40)
def test_pinsker_on_random_pairs(p, data):
    q = data.draw(st.lists(st.floats(0.01, 1), min_size=len(p), max_size=len(p)))
    p = np.array(p) / sum(p)
    q = np.array(q) / sum(q)
    kl = ref_kl(p, q)
    tv = 0.5 * np.abs(p - q).sum()
    assert B.pinsker_tv(kl) >= tv - 1e-12
    assert B.pinsker_bound(kl).check(tv) is True
    assert B.pinsker_tv(sp.Rational(1, 2)) == sp.Rational(1, 2)


# ---------------------------------------------------------------------------------------------
# small joint tables: profile, identity and the mixture law by brute force


def random_joint(rng, N, card=2, zeros=False):
    p = rng.random((card,) * N) ** 3
    if zeros:
        p[rng.random(p.shape) < 0.3] = 0.0
        if p.sum() == 0:
            p.flat[0] = 1.0
    return p / p.sum()


def test_bounds_on_random_joint_tables():
    rng = np.random.default_rng(7)
    for trial in range(25):
        N = int(rng.integers(2, 5))
        joint = random_joint(rng, N, card=int(rng.integers(2, 4)) if N <= 3 else 2, zeros=trial % 3 == 0)
        h = brute_profile(joint)
        for sizes in set(tuple(sizes_of([0, *c, N])) for K in range(1, N + 1)
                         for c in itertools.combinations(range(1, N), K - 1)):
            exact = ref_expected_kl(h, sizes)
            q, avg = brute_mixture_law(joint, sizes)
            mix = ref_kl(joint, q)
            # the identity (CCL Thm 4) against the order average computed from the laws themselves
            assert B.identity_bound(h, sizes).value == pytest.approx(avg, abs=1e-10)
            if len(sizes) == N:
                assert mix == pytest.approx(0.0, abs=1e-12) and np.allclose(q, joint)
            tv = 0.5 * np.abs(joint - q).sum()
            assert mix <= exact + 1e-10  # convexity
            assert B.convexity_bound(h, sizes).check(mix) is True
            assert B.pinsker_bound(mix).check(tv) is True
            for f in (B.tc_bound, B.li_cai_bound, B.li_cai_sharp_bound):
                assert f(h, sizes).check(exact) is True
            # the identity is the order average of KL(p || q_sigma): checked through the TC closed form
            if len(sizes) == 1:
                marg = sum(entropy(joint.sum(axis=tuple(a for a in range(N) if a != i))) for i in range(N))
                assert exact == pytest.approx(marg - entropy(joint), abs=1e-10)


@st.composite
def small_joint_and_schedule(draw):
    N = draw(st.integers(2, 4))
    card = 2 if N == 4 else draw(st.integers(2, 3))
    w = draw(st.lists(st.one_of(st.just(0.0), st.floats(0.001, 1)), min_size=card ** N, max_size=card ** N))
    w = np.array(w)
    if w.sum() == 0:
        w[0] = 1.0
    joint = (w / w.sum()).reshape((card,) * N)
    cuts = sorted(set(draw(st.lists(st.integers(1, N - 1), max_size=N - 1))))
    return joint, sizes_of([0, *cuts, N])


@given(small_joint_and_schedule())
@settings(max_examples=15)
def test_bounds_on_hypothesis_joint_tables(data):
    joint, sizes = data
    h = brute_profile(joint)
    q, avg = brute_mixture_law(joint, sizes)
    exact = B.identity_bound(h, sizes).value
    assert exact == pytest.approx(avg, abs=1e-9)
    mix = ref_kl(joint, q)
    assert B.convexity_bound(h, sizes).check(mix) is True
    for f in (B.tc_bound, B.li_cai_bound, B.li_cai_sharp_bound, B.nonnegativity_bound):
        assert f(h, sizes).check(avg) is True
    assert B.optimal_lower_bound(h, len(sizes)).check(avg) is True
    assert B.pinsker_bound(mix).check(0.5 * np.abs(joint - q).sum()) is True


def test_check_semantics_and_display():
    up = B.Bound("u", "upper", "E KL", statement="x", source=B.SOURCES["CCL"], proven=True, value=1.0)
    lo = B.Bound("l", "lower", "E KL", statement="x", source=B.SOURCES["CCL"], proven=True, value=1.0)
    unproven = B.Bound("n", "upper", "E KL", statement="x", source=B.SOURCES["CCL"], proven=False, value=1.0)
    assert up.check(0.5) is True and up.check(1.5) is False and up.check(None) is None
    assert lo.check(1.5) is True and lo.check(0.5) is False
    assert unproven.check(0.5) is None
    with pytest.raises(ValueError, match="kind"):
        B.Bound("z", "bogus", "E KL", statement="x", source=B.SOURCES["CCL"])
    b = B.li_cai_bound([0.7, 0.4, 0.1, 0.1], [2, 2])
    assert "Li & Cai" in repr(b) and b.latex().startswith(r"\mathbb{E}") and "0.6" in b.latex()
    assert b._repr_latex_() == f"${b.latex()}$"
    assert B.ccl_austin_steps([0.7, 0.4], 0.1).latex() == B.ccl_austin_steps([0.7, 0.4], 0.1).statement
    assert B.SOURCES["LZ"].read.startswith("abstract")
