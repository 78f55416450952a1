"""The bounds layer (symsched.bounds): import paths, refusals, the true tightness statements, estimates.

Every expected number comes from tests/reference.py (brute force on explicit joint tables, the identity
written out by hand) or from a closed form derived in the test; nothing here calls symsched to produce
the value it is compared with.
"""

import dataclasses
import json
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st
from scipy.optimize import isotonic_regression

import symsched as ss
from reference import brute_profile, brute_sampler, identity_kl, projected_stderr


# -- import paths -------------------------------------------------------------------------------

def test_round1_import_paths_are_the_bounds_package():
    import symsched.bounds
    import symsched.schedules.compare as old_compare
    from symsched.schedules import bounds as old_bounds
    from symsched.schedules.bounds import li_cai_bound

    assert old_bounds is symsched.bounds.statements and old_compare is symsched.bounds.compare
    assert li_cai_bound is ss.li_cai_bound is ss.bounds.li_cai_bound
    assert ss.compare_bounds is ss.bounds.compare_bounds is ss.schedules.compare_bounds
    assert set(ss.bounds.__all__) <= set(dir(ss))


# -- refusals (issue 12, item 8) ------------------------------------------------------------------

@pytest.mark.parametrize("kl", [float("nan"), np.float64("nan"), mpmath.mpf("nan"), sp.nan, sp.I, 1 + sp.I,
                                -0.5, mpmath.mpf(-1), sp.Rational(-1, 2), -sp.oo, sp.zoo])
def test_pinsker_refuses_nan_complex_negative(kl):
    with pytest.raises(ValueError, match="pinsker_tv"):
        ss.pinsker_tv(kl)


def test_pinsker_infinite_kl_gives_trivial_bound():
    # TV <= 1 always: an infinite KL (q misses part of p's support) bounds nothing beyond that
    assert ss.pinsker_tv(float("inf")) == 1.0 and ss.pinsker_tv(sp.oo) == 1
    assert ss.pinsker_tv(mpmath.inf) == 1 and float(ss.pinsker_bound(float("inf"))) == 1.0


@pytest.mark.parametrize("kl", [0.0, 0.3, 1.999, 2.0, 2.5, 40.0])
def test_pinsker_is_capped_at_one_in_every_arithmetic(kl):
    expected = min(1.0, math.sqrt(kl / 2))  # the inequality and TV <= 1, by hand
    assert ss.pinsker_tv(kl) == pytest.approx(expected, abs=1e-15)
    assert float(ss.pinsker_tv(mpmath.mpf(kl))) == pytest.approx(expected, abs=1e-15)
    assert float(ss.pinsker_tv(sp.nsimplify(kl))) == pytest.approx(expected, abs=1e-15)
    e = ss.pinsker_tv(ss.results.Estimate(kl, 0.5))
    assert float(e) == pytest.approx(expected) and 0 <= e.stderr <= 1 - float(e) + 1e-15


def test_pinsker_symbolic_kl_keeps_the_cap():
    x = sp.Symbol("x", nonnegative=True)
    tv = ss.pinsker_tv(x)
    assert tv.subs(x, 8) == 1 and tv.subs(x, sp.Rational(1, 2)) == sp.Rational(1, 2)


@pytest.mark.parametrize("eps", [float("nan"), float("inf"), -1e-3, mpmath.mpf("nan"), sp.nan])
def test_li_cai_refuses_bad_eps_train(eps):
    with pytest.raises(ValueError, match="eps_train"):
        ss.li_cai_bound([0.7, 0.4, 0.1, 0.1], [2, 2], eps_train=eps)


def test_li_cai_eps_train_adds():
    h, sizes = [0.7, 0.4, 0.1, 0.1], [2, 2]
    assert float(ss.li_cai_bound(h, sizes, eps_train=0.25)) == pytest.approx((2 - 1) * (0.7 - 0.1) + 0.25)


# -- the true tightness statements (issue 12: docstrings claimed equality for linear profiles) ------

def _copy_joint(N, q):
    joint = np.zeros((q,) * N)
    for a in range(q):
        joint[(a,) * N] = 1 / q
    return joint


@pytest.mark.parametrize("N,q,sizes", [(4, 2, (2, 1, 1)), (4, 3, (2, 2)), (5, 2, (3, 2)), (6, 2, (3, 1, 2))])
def test_sharp_bound_is_attained_by_a_single_drop(N, q, sizes):
    # The copy model's profile drops once (h = (log q, 0, ..., 0)); with k_1 = k_max the identity is
    # (k_1 - 1) log q, equal to the bound.  E KL comes from enumerating every order of the joint table.
    joint = _copy_joint(N, q)
    h, _ = brute_profile(joint)
    assert h[0] == pytest.approx(math.log(q)) and max(abs(x) for x in h[1:]) < 1e-12
    expected, _ = brute_sampler(joint, sizes)
    assert expected == pytest.approx((sizes[0] - 1) * math.log(q))
    assert float(ss.li_cai_sharp_bound(h, sizes)) == pytest.approx(expected, rel=1e-12)
    if len(set(sizes)) == 1:
        assert float(ss.lavenant_zanella_constant_bound(h, sizes)) == pytest.approx(expected, rel=1e-12)


def test_sharp_bound_is_strict_when_the_drop_is_in_a_smaller_step():
    joint = _copy_joint(4, 2)
    h, _ = brute_profile(joint)
    expected, _ = brute_sampler(joint, (1, 3))
    assert expected == pytest.approx(0.0, abs=1e-12)
    assert float(ss.li_cai_sharp_bound(h, (1, 3))) == pytest.approx(2 * math.log(2))


@given(K=st.integers(1, 12), r=st.integers(2, 12), a=st.floats(0.5, 3.0), frac=st.floats(0.05, 1.0))
def test_linear_profile_ratio_is_n_over_2_n_minus_1(K, r, a, frac):
    # h_j = a - b j with constant sizes r: E KL = K b r (r - 1) / 2 and the bound is (r - 1) b (N - 1),
    # so E KL / bound = N / (2 (N - 1)) -> 1/2 (not 1, as the round-1 docstrings said).
    N = K * r
    b = frac * a / N
    h = [a - b * j for j in range(N)]
    exact = identity_kl(h, [r] * K)
    assert exact == pytest.approx(K * b * r * (r - 1) / 2, rel=1e-9)
    for bound in (ss.li_cai_sharp_bound(h, [r] * K), ss.lavenant_zanella_constant_bound(h, [r] * K)):
        assert exact / float(bound) == pytest.approx(N / (2 * (N - 1)), rel=1e-9)


def test_linear_ratio_tends_to_one_half():
    ratios = []
    for N in (10, 100, 1000):
        h = [1 - j / N for j in range(N)]
        ratios.append(identity_kl(h, [2] * (N // 2)) / float(ss.li_cai_sharp_bound(h, [2] * (N // 2))))
    assert ratios == sorted(ratios, reverse=True) and abs(ratios[-1] - 0.5) < 1e-3


# -- estimates (issue 12: compare_bounds on a Monte Carlo profile) ---------------------------------

def _estimate(h, stderr, method="montecarlo"):
    """A hand-built estimated profile (exact=False where profiles carry the flag)."""
    e = tuple(float(x) for x in np.concatenate([[0.0], np.cumsum(h)]))
    kwargs = dict(h=tuple(map(float, h)), e=e, entropy=e[-1], precision="float", method=method,
                  stderr=tuple(map(float, stderr)))
    if "exact" in {f.name for f in dataclasses.fields(ss.InformationProfile)}:
        kwargs["exact"] = False
    return ss.InformationProfile(**kwargs)


def _coefficients(N, sizes):
    """E KL as a linear form in h, read off the identity on unit vectors (reference.identity_kl)."""
    return [identity_kl([1.0 if i == j else 0.0 for i in range(N)], sizes) for j in range(N)]


def test_compare_bounds_on_a_monotone_estimate_carries_standard_errors():
    h = [0.9, 0.7, 0.4, 0.35, 0.3, 0.1]
    se = [0.01, 0.02, 0.015, 0.01, 0.03, 0.02]
    sizes = [2, 3, 1]
    t = ss.compare_bounds(_estimate(h, se), sizes)
    assert t.exact is False
    ekl = t.exact_expected_kl
    assert isinstance(ekl, ss.results.Estimate) and float(ekl) == pytest.approx(identity_kl(h, sizes))
    # expected_kl of an estimate: the error of w'h on the monotone projection (h_3 = 0.35 and h_4 = 0.3 are
    # within noise, so the projection often pools them), below sqrt(w' C w) with C = diag(se^2)
    linear = np.sqrt(sum((c * s) ** 2 for c, s in zip(_coefficients(6, sizes), se)))
    assert ekl.stderr == pytest.approx(projected_stderr(h, se, _coefficients(6, sizes)), rel=0.12)
    assert ekl.stderr <= linear * 1.05
    tc = sum(h[0] - x for x in h)
    assert float(t.total_correlation) == pytest.approx(tc)
    # derived numbers: the delta method on the covariance (here diagonal), sqrt(w' C w)
    assert t.total_correlation.stderr == pytest.approx(np.sqrt(25 * se[0] ** 2 + sum(s ** 2 for s in se[1:])))
    li = t["Li & Cai"]
    assert float(li.value) == pytest.approx(3 * (h[0] - h[-1]))  # k_max = 3 -> 2^2 - 1
    assert li.value.stderr == pytest.approx(3 * np.hypot(se[0], se[-1]))


def test_compare_bounds_on_a_noisy_estimate_uses_the_isotonic_projection():
    h = [0.9, 0.6, 0.65, 0.3, 0.32, 0.1]  # two increases, by noise
    se = [0.01, 0.02, 0.02, 0.01, 0.03, 0.02]
    t = ss.compare_bounds(_estimate(h, se), [2, 2, 2])
    iso = isotonic_regression(h, weights=1 / np.square(se), increasing=False).x
    assert np.allclose(t.profile.h, iso, atol=1e-12)
    assert float(t) == pytest.approx(identity_kl(list(iso), [2, 2, 2]))
    assert all(float(r.value) >= 0 for r in t if isinstance(r.value, ss.results.Estimate) and r.target == "E KL")


@pytest.fixture(scope="module")
def asia_mc():
    return ss.information_profile(ss.load_example("asia"), method="montecarlo", seed=0)


def test_compare_bounds_on_a_montecarlo_profile(asia_mc):
    t = ss.compare_bounds(asia_mc, [2, 2, 2, 2])
    assert t.exact is False and t.all_hold
    numbers = [t.exact_expected_kl, t.optimal_kl, t.total_correlation, t.dual_total_correlation]
    numbers += [r.value for r in t if r.value is not None and r.kind != "order" and r.name != "E KL >= 0"]
    assert all(isinstance(x, ss.results.Estimate) and x.value >= 0 for x in numbers)
    text = str(t)
    header = text.split("\n\n")[0] + text.split("\n\n")[1].splitlines()[0]
    assert "±" in text and "exact" not in header.lower()
    assert "estimate" in t._repr_html_() and r"\pm" in t.latex() and "exact" not in t.latex().split(r"\\")[0]
    json.dumps(t.to_dict())
    # the estimate agrees with the exact value (brute force on the joint table) within its error bar
    joint = np.asarray(ss.load_example("asia").joint(), float)
    h_exact, _ = brute_profile(joint)
    exact = identity_kl(h_exact, [2, 2, 2, 2])
    assert abs(float(t) - exact) <= 3 * t.exact_expected_kl.stderr


def test_pinsker_of_an_estimate():
    e = ss.results.Estimate(0.08, 0.02, "E KL")
    tv = ss.pinsker_tv(e)
    assert float(tv) == pytest.approx(math.sqrt(0.04)) and tv.stderr == pytest.approx(math.sqrt(0.05) - 0.2)
    assert float(ss.pinsker_tv(ss.results.Estimate(0.0, 0.02))) == 0.0
