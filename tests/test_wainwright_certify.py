"""Certified schedules from samples (Wainwright's Lemma 1, Prop. 2, Thm 2), checked against exact values.

The denoiser here is written from the joint table (the conditional of each masked position given the
revealed ones, by summing configurations), the data are drawn from the joint with numpy, and the exact
values (H(p, q), D(p, q) = (q - p)(h(q) - h(p)), the Bernoulli grid's KL) come from a brute-force profile
and the gain polynomial of tests/test_wainwright.py.
"""

import itertools
import math

import numpy as np
import pytest
from scipy.stats import binom

import symsched as ss
from symsched.errors import ModelTooLargeError, SymschedError
from test_wainwright import bernoulli_formula, gain_polynomial, ugc
from reference import brute_profile


def joint_denoiser(joint):
    joint = np.asarray(joint, float)
    N, V = joint.ndim, max(joint.shape)
    X = np.array(list(itertools.product(*[range(c) for c in joint.shape])))        # (C, N)
    p = joint.ravel()
    onehot = np.zeros((len(X), N, V))
    for i in range(N):
        onehot[np.arange(len(X)), i, X[:, i]] = 1.0

    def den(tokens):
        t = np.asarray(tokens)
        ok = np.all((t[:, None, :] < 0) | (t[:, None, :] == X[None, :, :]), axis=2)   # (B, C)
        w = ok * p[None, :]
        out = np.einsum("bc,civ->biv", w, onehot)
        return out / out.sum(axis=2, keepdims=True)

    return den


def draw(joint, m, rng):
    flat = rng.choice(joint.size, size=m, p=joint.ravel())
    return np.array(np.unravel_index(flat, joint.shape)).T


def mixture_joint(N=6):
    p = np.zeros((2,) * N)
    for x in itertools.product((0, 1), repeat=N):
        k = sum(x)
        p[x] = 0.5 * 0.85 ** (N - k) * 0.15 ** k + 0.5 * 0.2 ** (N - k) * 0.8 ** k
    return p


def test_lemma1_statistic_is_unbiased_for_D():
    """E Q over a block's dyadic levels equals Σ_j (v_{j+1} - v_j)(h(v_{j+1}) - h(v_j)) (eq. 31a), exactly."""
    joint = mixture_joint()
    hp = gain_polynomial(joint)
    levels = np.array([0.0, 0.1, 0.2, 0.45, 0.7, 0.9, 1.0])
    rng = np.random.default_rng(3)
    x = draw(joint, 4000, rng)
    K = ss.schedules.certify.level_kls(joint_denoiser(joint), x, levels, rng, 20000)
    for j in range(len(levels) - 1):
        exact = hp(levels[j + 1]) - hp(levels[j])
        z = (K[:, j].mean() - exact) / (K[:, j].std(ddof=1) / math.sqrt(len(K)))
        assert abs(z) < 4, (j, z)


def test_certificates_cover_the_exact_values_over_100_data_sets():
    joint = mixture_joint()
    h, _ = brute_profile(joint)
    hp = gain_polynomial(joint)
    den = joint_denoiser(joint)
    rng = np.random.default_rng(2027)
    delta, eps, misses_H, misses_kl, sharp_misses, Ks = 0.1, 0.4, 0, 0, 0, []
    for s in range(100):
        x = draw(joint, 60, rng)
        c = ss.certify_schedule(x, denoiser=den, eps=eps, delta=delta, blocks=2, seed=s)
        bp = c.breakpoints
        H = [ugc(hp, bp[k], bp[k + 1]) for k in range(2)]
        D_init = bp[0] * (hp(bp[0]) - hp(0.0))
        D_comp = (1 - bp[-1]) * (hp(1.0) - hp(bp[-1]))
        if any(Hk > e + r for Hk, e, r in zip(H, c.H_hat, c.radius)) or D_init > c.init_upper \
                or D_comp > c.completion_upper:
            misses_H += 1
        if c.K is not None:
            Ks.append(c.K)
            kl = bernoulli_formula(h, c.grid)
            assert c.steps - 2 <= c.K and c.certified_bound <= eps + 1e-12
            misses_kl += kl > eps
        # the sharper statement (55d): |2 mu - H_hat| <= r with mu = sum of D over the dyadic levels
        for k in range(2):
            lv = ss.schedules.certify.dyadic_levels(bp[k], bp[k + 1])
            mu = sum((b - a) * (hp(b) - hp(a)) for a, b in zip(lv, lv[1:]))
            sharp_misses += abs(2 * mu - c.H_hat[k]) > c.radius[k]
    print(f"misses: H {misses_H}, KL {misses_kl}, sharp (55d) {sharp_misses} of 200, median K {np.median(Ks)}")
    allowed = binom.ppf(0.999, 100, delta)
    assert misses_H <= allowed and misses_kl <= allowed
    assert sharp_misses <= binom.ppf(0.999, 200, delta / 4)
    assert len(Ks) >= 90


def test_model_route_and_refusals():
    c = ss.certify_schedule(ss.copy_model(4, 2), eps=1.0, samples=30, seed=0, alpha=float("inf"))
    assert c.moment_estimated and "plug-in" in c.note and not c.exact
    c2 = ss.certify_schedule(ss.copy_model(4, 2), eps=1.0, samples=30, seed=0, moment_bound=3.0)
    assert not c2.moment_estimated and c2.moment_bound == 3.0
    with pytest.raises(SymschedError, match="eps"):
        ss.certify_schedule(ss.copy_model(4, 2), eps=-1)
    with pytest.raises(SymschedError, match="denoiser"):
        ss.certify_schedule(np.zeros((5, 4), int), eps=1)
    with pytest.raises(SymschedError, match="data"):
        ss.certify_schedule(joint_denoiser(np.full((2, 2, 2), 1 / 8)), eps=1)
    with pytest.raises(ModelTooLargeError):
        ss.certify_schedule(ss.copy_model(4, 2), eps=1.0, samples=1000, max_rows=100)
