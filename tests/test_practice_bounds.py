"""Wainwright's Thm 1 / Thm 3, checked against exact values on random models.

Fast-dLLM's Theorem 1 is checked with samplers/fastdllm.py."""

import json

import numpy as np
import pytest

import symsched as ss
from symsched.bounds import practice as bp
from reference import brute_bernoulli, brute_profile, random_joint


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
