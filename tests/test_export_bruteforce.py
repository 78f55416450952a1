"""The shared references (tests/reference.py) checked against closed forms and hand computations."""

import itertools
import math

import numpy as np
import pytest

from reference import brute_measures, brute_profile, brute_sampler, demo_joint, identity_kl, random_joint
from reference import _blocks, _order_law  # noqa: F401


# -- the references themselves are checked against closed forms ---------------------------------

def test_copy_and_parity_closed_forms():
    N = 4
    copy = np.zeros((2,) * N)
    copy[(0,) * N] = copy[(1,) * N] = 0.5
    h, _ = brute_profile(copy)
    np.testing.assert_allclose(h, [math.log(2)] + [0] * (N - 1), atol=1e-12)
    H, tc, dtc = brute_measures(copy)
    assert math.isclose(tc, (N - 1) * math.log(2)) and math.isclose(dtc, math.log(2))
    parity = np.zeros((2,) * N)
    for x in itertools.product(range(2), repeat=N - 1):
        parity[x + (sum(x) % 2,)] = 2.0 ** -(N - 1)
    h, _ = brute_profile(parity)
    np.testing.assert_allclose(h, [math.log(2)] * (N - 1) + [0], atol=1e-12)
    H, tc, dtc = brute_measures(parity)
    assert math.isclose(tc, math.log(2)) and math.isclose(dtc, (N - 1) * math.log(2))


@pytest.mark.parametrize("sizes", [(2, 2), (1, 3), (3, 1), (1, 1, 2)])
def test_definition_matches_identity_and_mixture_is_smaller(sizes):
    joint = random_joint((2, 3, 2, 2), 3)
    h, _ = brute_profile(joint)
    expected, mixture = brute_sampler(joint, sizes)
    assert math.isclose(expected, identity_kl(h, sizes), rel_tol=1e-9, abs_tol=1e-12)
    assert -1e-12 <= mixture <= expected + 1e-12


def test_demo_joint_is_a_distribution():
    j = demo_joint()
    assert math.isclose(j.sum(), 1.0) and j.shape == (2,) * 5
