"""Explicit joint tables, profiles and schedules: validation and derived quantities."""

import itertools
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

import symsched as ss
from symsched.errors import ModelTooLargeError
from symsched.info.profile import as_profile
from symsched.models.base import check_enumerable


# --- explicit joint tables -------------------------------------------------------------------
def test_from_joint_keeps_exact_entries():
    t = [[Fraction(1, 3), Fraction(1, 6)], [Fraction(1, 6), Fraction(1, 3)]]
    m = ss.from_joint(t, names=["A", "B"], states=[["lo", "hi"], ["x", "y"]])
    sym = m.joint(precision="symbolic")
    assert sym[0, 0] == sp.Rational(1, 3)
    assert m.states("A") == ("lo", "hi")
    assert m.joint().dtype == float


@pytest.mark.parametrize("table,match", [
    ([[0.5, 0.2], [0.2, 0.2]], "sums to"),
    ([[0.5, -0.1], [0.3, 0.3]], "negative"),
    ([[0.5, float("nan")], [0.25, 0.25]], "NaN"),
    ([[0.5, float("inf")], [0.25, 0.25]], "NaN or infinite"),
    ([[Fraction(1, 2), Fraction(1, 3)], [0, 0]], "sums to 5/6"),
    ([[0.5, 0.5], [0.5]], "rectangular"),
])
def test_from_joint_refuses_bad_tables(table, match):
    with pytest.raises(ValueError, match=match):
        ss.from_joint(table)


def test_from_joint_symbolic_must_sum_to_one_exactly():
    eps = sp.Symbol("eps", positive=True)
    ss.from_joint([eps / 2, (1 - eps) / 2, Fraction(1, 2)])  # sums to 1 identically
    with pytest.raises(ValueError, match="cannot be shown"):
        ss.from_joint([eps, 1 - 2 * eps])


def test_from_joint_names_and_states_checked():
    with pytest.raises(ValueError, match="names"):
        ss.from_joint([0.5, 0.5], names=["A", "B"])
    with pytest.raises(ValueError, match="distinct"):
        ss.from_joint([[0.25, 0.25], [0.25, 0.25]], names=["A", "A"])
    with pytest.raises(ValueError, match="labels"):
        ss.from_joint([0.5, 0.5], states=[["a", "b", "c"]])


def test_too_large_refused_with_estimate():
    with pytest.raises(ModelTooLargeError, match=r"1\.07e\+09.*montecarlo"):
        check_enumerable(2 ** 30, "a joint table")


def test_subs_on_symbolic_table():
    a = sp.Symbol("a")
    m = ss.from_joint([a, 1 - a])
    assert m.free_symbols == {a}
    assert m.subs({a: Fraction(1, 4)}).joint("symbolic")[0] == sp.Rational(1, 4)


# --- profiles --------------------------------------------------------------------------------
def brute_tc_dtc(p):
    """TC and DTC directly from a joint table, independent of the profile code."""
    n = p.ndim

    def H(q):
        q = q[q > 0]
        return float(-(q * np.log(q)).sum())

    h_joint = H(p.ravel())
    singles = sum(H(p.sum(axis=tuple(k for k in range(n) if k != i)).ravel()) for i in range(n))
    loo = sum(h_joint - H(p.sum(axis=i).ravel()) for i in range(n))
    return singles - h_joint, h_joint - loo


def brute_h(p):
    n = p.ndim

    def H(q):
        q = q[q > 0]
        return float(-(q * np.log(q)).sum())

    e = []
    for j in range(n + 1):
        vals = [H(p.sum(axis=tuple(k for k in range(n) if k not in T)).ravel()) if T else 0.0
                for T in itertools.combinations(range(n), j)]
        e.append(sum(vals) / len(vals))
    return [e[j + 1] - e[j] for j in range(n)]


@pytest.mark.parametrize("seed", range(4))
def test_profile_areas_are_tc_and_dtc(seed):
    rng = np.random.default_rng(seed)
    p = rng.random((2, 3, 2, 2)) ** 3
    p /= p.sum()
    prof = as_profile(brute_h(p))
    tc, dtc = brute_tc_dtc(p)
    assert prof.total_correlation == pytest.approx(tc, abs=1e-12)
    assert prof.dual_total_correlation == pytest.approx(dtc, abs=1e-12)
    assert prof.o_information == pytest.approx(tc - dtc, abs=1e-12)
    assert prof.entropy == pytest.approx(sum(brute_h(p)), abs=1e-12)


def test_profile_precisions():
    prof = as_profile([Fraction(3, 4), Fraction(1, 2), 0])
    assert prof.precision == "symbolic"
    assert prof.total_correlation == 1  # 0 + 1/4 + 3/4
    assert prof.dual_total_correlation == sp.Rational(5, 4)
    mp = as_profile([mpmath.mpf(1), mpmath.mpf("0.5")])
    assert mp.precision == "mpmath"
    assert prof.numeric().h == (0.75, 0.5, 0.0)


@pytest.mark.parametrize("h,match", [([0.1, 0.5], r"h\[1\]"), ([0.5, -0.2], "negative"), ([], "empty"),
                                     ([float("nan")], "finite"), ("abc", "sequence")])
def test_profile_refuses_non_profiles(h, match):
    with pytest.raises(ValueError, match=match):
        as_profile(h)


def test_noisy_profile_accepted_on_request():
    assert as_profile([0.1, 0.2], check=False).h == (0.1, 0.2)


@given(st.lists(st.floats(0, 3, allow_nan=False), min_size=1, max_size=30))
def test_areas_partition_the_rectangle(values):
    h = sorted(values, reverse=True)
    prof = as_profile(h)
    N = len(h)
    # TC + DTC = N (h_0 - h_{N-1}): the areas above and below fill the rectangle
    assert prof.total_correlation + prof.dual_total_correlation == pytest.approx(N * (h[0] - h[-1]), abs=1e-9)
    assert prof.total_correlation >= -1e-12 and prof.dual_total_correlation >= -1e-12
    assert prof.e[-1] == pytest.approx(sum(h))


def test_profile_latex_and_repr():
    prof = as_profile([Fraction(1), Fraction(1, 2)])
    assert r"\mathrm{TC}" in prof.latex() and prof._repr_latex_().startswith("$")
    assert "N=2" in repr(prof)


# --- schedules -------------------------------------------------------------------------------
def test_schedule_basics():
    s = ss.Schedule([2, 3])
    assert (s.N, s.K, s.breakpoints, s.starts) == (5, 2, (0, 2, 5), (0, 2))
    assert s == (2, 3) and s != ss.Schedule([3, 2])
    assert ss.Schedule.from_breakpoints([0, 2, 5]) == s
    assert s.reversed() == (3, 2)
    long = ss.Schedule([1] * 20 + [5])
    assert long.latex() == r"(1^{\times 20}, 5)"


@pytest.mark.parametrize("sizes,kw,match", [
    ([2, 0, 3], {}, "k_2 = 0"), ([2, -1], {}, "k_2"), ([1.5, 2], {}, "k_1"), ([], {}, "at least one"),
    ([2, 3], {"N": 6}, "sum to 5, not N = 6"), ([True, 1], {}, "integer"),
])
def test_schedule_validation(sizes, kw, match):
    with pytest.raises(ValueError, match=match):
        ss.Schedule(sizes, **kw)


def test_schedule_with_empty_steps():
    s = ss.Schedule([2, 0, 3], allow_zero=True)
    assert s.K == 3 and s.has_empty_steps and s.without_empty_steps() == (2, 3)
