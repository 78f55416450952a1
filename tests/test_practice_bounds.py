"""Wainwright's Thm 1 / Thm 3 and Fast-dLLM's Theorem 1, each checked against exact values on random models."""

import json
import math

import numpy as np
import pytest

import symsched as ss
from symsched import bounds_practice as bp
from reference import brute_bernoulli, brute_measures, brute_profile, kl, random_joint


def _peaked(shape, seed):
    rng = np.random.default_rng(seed)
    p = rng.random(shape) ** 8
    p /= p.sum()
    point = np.zeros(shape)
    point[tuple(rng.integers(0, c) for c in shape)] = 1
    a = rng.uniform(0.5, 0.99)
    return a * point + (1 - a) * p


@pytest.mark.parametrize("seed", range(12))
def test_wainwright_thm1_holds_on_random_models(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(int(c) for c in rng.integers(2, 4, size=int(rng.integers(2, 4))))
    joint = random_joint(shape, seed)
    h, _ = brute_profile(joint)
    K = int(rng.integers(2, 5))
    grid = [0] + sorted(rng.random(K - 1).tolist()) + [1]
    b = bp.wainwright_thm1_bound(h, grid)
    exact = brute_bernoulli(joint, grid)
    assert b.check(exact) and b.value >= exact - 1e-12
    assert "initial term" in b.note and json.dumps(b.parameters)


def test_wainwright_thm1_interior_terms_and_given_ends():
    h = [0.9, 0.6, 0.5, 0.2]
    grid = [0, 0.2, 0.5, 0.8, 1]
    b = bp.wainwright_thm1_bound(h, grid)
    ends = bp.wainwright_thm1_bound(h, grid, initial=0, completion=0).value
    # the first/last step errors are the Bernoulli KL of the grid minus the interior steps' exact errors
    interior_exact = (ss.bernoulli_expected_kl(h, grid) - bp._first_step_error(ss.as_profile(h), 0.2)
                      - bp._last_step_error(ss.as_profile(h), 0.8))
    assert ends >= interior_exact - 1e-12
    assert b.value == pytest.approx(ends + bp._first_step_error(ss.as_profile(h), 0.2)
                                    + bp._last_step_error(ss.as_profile(h), 0.8))
    # the last step's error written out: (1 - a) g(a) - int_a^1 g, checked against a two-step grid
    assert bp._last_step_error(ss.as_profile(h), 0.0) == pytest.approx(ss.bernoulli_expected_kl(h, [0, 1]))


def test_wainwright_asymptote_is_an_order_row():
    b = bp.wainwright_asymptote([0.9, 0.7, 0.5, 0.45, 0.3, 0.2], 64)
    assert b.kind == "order" and not b.proven and b.check(0.0) is None
    assert b.rate == pytest.approx(ss.optimal_bernoulli_grid([0.9, 0.7, 0.5, 0.45, 0.3, 0.2], 64).kl, rel=5e-3)


@pytest.mark.parametrize("seed", range(15))
def test_fastdllm_theorem_1_on_random_peaked_models(seed):
    rng = np.random.default_rng(100 + seed)
    shape = tuple(int(c) for c in rng.integers(2, 4, size=int(rng.integers(2, 5))))
    p = _peaked(shape, seed)
    _, tc, _ = brute_measures(p)
    margs = [p.sum(axis=tuple(k for k in range(p.ndim) if k != i)) for i in range(p.ndim)]
    prod = margs[0]
    for m in margs[1:]:
        prod = np.multiply.outer(prod, m)
    assert kl(p, prod) == pytest.approx(tc, abs=1e-12)
    kb, tb = bp.fastdllm_kl_bound(p), bp.fastdllm_tv_bound(p)
    assert kb.check(tc) and tb.check(0.5 * np.abs(p - prod).sum())
    assert bp.product_of_marginals_tv(p) == pytest.approx(0.5 * np.abs(p - prod).sum(), abs=1e-14)
    eps = 1 - min(m.max() for m in margs)
    assert kb.parameters["eps"] == pytest.approx(eps)


def test_fastdllm_copy_model_is_tight_and_eps_validation():
    # copy of a fair bit over n tokens: eps = 1/2, TC = (n - 1) log 2 = (n - 1) H_b(1/2): equality in the limit
    n = 4
    kb = bp.fastdllm_kl_bound(ss.copy_model(n, 2))
    assert kb.value == pytest.approx((n - 1) * math.log(2)) and kb.check((n - 1) * math.log(2))
    with pytest.raises(ValueError, match="eps must be"):
        bp.fastdllm_kl_bound(ss.copy_model(n, 2), eps=0.1)


def test_fastdllm_greedy_statement_on_random_models():
    seen = 0
    for seed in range(60):
        rng = np.random.default_rng(500 + seed)
        shape = tuple(int(c) for c in rng.integers(2, 4, size=int(rng.integers(2, 4))))
        p = _peaked(shape, seed)
        r = bp.fastdllm_greedy_check(p)
        assert r["n"] == p.ndim and r["eps"] == pytest.approx(
            1 - min(p.sum(axis=tuple(k for k in range(p.ndim) if k != i)).max() for i in range(p.ndim)))
        if r["hypothesis"]:
            seen += 1
            assert r["agree"]
            assert r["joint"] == tuple(int(i) for i in np.unravel_index(np.argmax(p), p.shape))
    assert seen >= 10
