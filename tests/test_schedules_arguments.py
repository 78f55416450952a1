"""Bad arguments of schedules, bounds and export are refused by name at one shared check (issue 12).

Each test names the root cause it pins: the one schedule coercion, the sequence and choice checks of
symsched.validation, step-count limits applied before allocating, finite reals for constants.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

import symsched as ss
from symsched.errors import ModelTooLargeError
from symsched.validation import MAX_STEPS, as_list, check_choice, check_steps

PROF = [0.7, 0.4, 0.1]


@pytest.mark.parametrize("bad", [3.0, float("nan"), 2, None, sp.I, Fraction(1, 3), np.zeros((2, 2)), "ab"])
def test_a_scalar_or_matrix_is_not_a_schedule(bad):
    with pytest.raises(ValueError, match="(?i)schedule sizes|schedule:"):
        ss.Schedule(bad)
    for fn in (ss.identity_bound, ss.li_cai_bound, ss.convexity_bound):
        with pytest.raises(ValueError, match="(?i)schedule"):
            fn(PROF, bad)


def test_schedule_still_reads_arrays_and_schedules_unchanged():
    assert ss.Schedule(np.array([1, 2])).sizes == (1, 2)
    s = ss.optimal_schedule(PROF, 2)
    assert ss.identity_bound(PROF, s).value == ss.identity_bound(PROF, s.schedule).value


def test_a_bad_profile_is_refused_naming_profile():
    with pytest.raises(ValueError, match="profile"):
        ss.expected_kl([[1], [2, 3]], [1, 1])
    with pytest.raises(ValueError, match="profile"):
        ss.block_cost([[1], [2, 3]], 0, 1)


def test_validation_helpers():
    assert as_list((1, 2), "x") == [1, 2] and as_list(np.arange(2), "x") == [0, 1]
    for bad in (1.0, "ab", np.zeros((2, 2)), None):
        with pytest.raises(ValueError, match="x must be"):
            as_list(bad, "x")
    assert check_choice("a", "kind", ("a", "b")) == "a"
    for bad in (np.zeros(2), ["a"], "c"):
        with pytest.raises(ValueError, match="kind must be one of"):
            check_choice(bad, "kind", ("a", "b"))
    assert check_steps(5, "K") == 5
    with pytest.raises(ModelTooLargeError, match="K = "):
        check_steps(MAX_STEPS + 1, "K")


@pytest.mark.parametrize("call", [
    lambda: ss.reveal_grid(10 ** 12), lambda: ss.mdlm_grid(10 ** 12), lambda: ss.sampler_grid("mdlm", 10 ** 12),
    lambda: ss.sampler_schedule("llada", 8, 10 ** 12), lambda: ss.llada_counts(10, 10 ** 12),
    lambda: ss.sqrt_rate_grid(PROF, 2, mesh=10 ** 12), lambda: ss.optimal_bernoulli_grid(PROF, 2, mesh=10 ** 6),
])
def test_huge_step_counts_are_refused_before_allocating(call):
    with pytest.raises(ModelTooLargeError):
        call()


def test_choice_arguments_given_arrays_name_the_argument():
    with pytest.raises(ValueError, match="alpha"):
        ss.alpha_schedule(6, 3, alpha=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="rule"):
        ss.sampler_grid([], 2)
    with pytest.raises(ValueError, match="format"):
        ss.export_schedule(ss.Schedule([1, 2]), np.zeros(2))


def test_constants_must_be_finite_reals():
    for bad in (float("nan"), float("inf"), sp.I):
        with pytest.raises(ValueError, match="C"):
            ss.ccl_log_lower_bound(6, C=bad)
        with pytest.raises(ValueError, match="c_hat"):
            ss.ccl_zeta(bad, 0.1)
    with pytest.raises(ValueError, match="eps_train"):
        ss.li_cai_bound(PROF, [1, 2], eps_train=sp.I)
    with pytest.raises(ValueError, match="c_hat"):  # zeta would be ~1e309: beyond any N
        ss.ccl_zeta(1e308, 0.1)
    assert ss.ccl_zeta(2 ** 52, 1) == 2 ** 52 + 1  # still exact just below the limit


def test_geometric_schedule_with_a_huge_ratio_matches_the_limit():
    # ratio -> inf: u_t -> 0 for t < K, so the repair gives one token per early step, the rest last
    assert ss.geometric_schedule(10, 3, 1e200).sizes == (1, 1, 8)
    assert ss.geometric_schedule(15, 4, 2.0).sizes == (1, 2, 4, 8)  # unchanged on ordinary input
    with pytest.raises(ValueError, match="ratio"):
        ss.geometric_schedule(6, 3, float("inf"))


def test_digits_are_checked_once_for_every_formatter():
    for fn in (ss.format_value, ss.latex_number, ss.to_latex):
        with pytest.raises(ValueError, match="digits"):
            fn(0.5, digits=10 ** 12)
        with pytest.raises(ValueError, match="digits"):
            fn(0.5, digits=2.5)
    assert ss.format_value(1 / 3, digits=3) == "0.333"


def test_count_rules_and_dtc_breakpoints_unchanged():
    assert ss.llada_counts(10, 4) == [3, 3, 2, 2] and ss.dream_counts(10, 4) == [2, 2, 2, 4]
    assert ss.dus_blocks(8) == [(0, 4), (2, 6), (1, 3, 5, 7)]
    with pytest.raises(ValueError, match="offset"):
        ss.dus_blocks(8, offset=math.nan)
    assert ss.dtc_schedule_zeta(13, 3).sizes == (1, 1, 0, 0, 1, 1, 2, 3, 4)
