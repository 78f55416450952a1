"""compare_bounds: the exact values of a schedule beside the literature's bounds.

Reference values are recomputed here independently (block form of the identity, brute-force profile
and mixture law from the explicit joint table: helpers shared with test_schedules_bounds.py).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings

import symsched as ss
from symsched.schedules.compare import BoundsTable

from test_schedules_bounds import (brute_mixture_law, brute_profile, dtc_breakpoints, profile_and_schedule,
                                   random_joint, ref_expected_kl, ref_kl, sizes_of, tc_breakpoints)

@pytest.fixture
def model_profiles(monkeypatch):
    """The package's information_profile when present; else a brute-force stand-in (so the model path runs)."""
    import symsched.info

    if not hasattr(symsched.info, "information_profile"):
        monkeypatch.setattr(symsched.info, "information_profile",
                            lambda model: ss.as_profile(brute_profile(model.joint())), raising=False)


def test_on_plain_h_list():
    h = [0.9, 0.6, 0.5, 0.2, 0.2, 0.1]
    sizes = [3, 2, 1]
    t = ss.compare_bounds(h, sizes)
    assert isinstance(t, BoundsTable)
    assert t.exact_expected_kl == pytest.approx(ref_expected_kl(h, sizes))
    assert t.exact_mixture_kl is None and t.mixture_note == "needs the model"
    assert t.total_correlation == pytest.approx(sum(h[0] - x for x in h))
    assert t.dual_total_correlation == pytest.approx(sum(x - h[-1] for x in h))
    assert t.all_hold
    rows = t.to_rows()
    assert {"name", "source", "kind", "value", "proven", "holds", "note", "target", "exact"} <= set(rows[0])
    for r in t:
        if r.kind in ("order", "statement") or not r.proven:
            assert r.holds is None
        if r.holds is not None:
            assert r.proven and r.kind in ("upper", "lower")
    assert t["Li & Cai"].holds is True and t["Li & Cai"].exact == pytest.approx(t.exact_expected_kl)
    assert t["KL(p||q) <= E KL (convexity)"].exact is None
    text = str(t)
    assert "needs the model" in text and "Li & Cai" in text and len(repr(t)) < 200
    lines = text.splitlines()
    header = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("#"))
    assert lines[header + 1].lstrip().startswith("--")
    tex = t.latex()
    assert tex.startswith(r"\begin{array}") and tex.rstrip().endswith(r"\end{array}") and "$" not in tex
    assert tex.count(r"\\") >= len(t) + 1
    assert t._repr_latex_() == rf"$\displaystyle {tex}$" and "<table>" in t._repr_html_()
    # optimum at the same K is the brute-force minimum over 3-step schedules
    import itertools
    best = min(ref_expected_kl(h, sizes_of([0, *c, 6])) for c in itertools.combinations(range(1, 6), 2))
    assert t.optimal_kl == pytest.approx(best)


def test_ccl_rows_with_c_hat_and_eps():
    rng = np.random.default_rng(5)
    for _ in range(10):
        N = int(rng.integers(2, 40))
        h = sorted(rng.random(N) ** 2, reverse=True)
        tc = sum(h[0] - x for x in h)
        dtc = sum(x - h[-1] for x in h)
        c_hat, eps = max(tc, dtc) + 0.5, float(rng.uniform(0.05, 1))
        t = ss.compare_bounds(h, [N], c_hat=c_hat, eps=eps)
        zeta = 1 + math.ceil(c_hat / eps)
        tc_sched, dtc_sched = sizes_of(tc_breakpoints(N, zeta)), sizes_of(dtc_breakpoints(N, zeta))
        row = t["CCL TC schedule guarantee"]
        assert row.exact == pytest.approx(ref_expected_kl(h, tc_sched)) and row.holds is True
        assert row.value == pytest.approx(tc / (zeta - 1)) and row.value <= eps + 1e-12
        row = t["CCL DTC schedule guarantee"]
        assert row.exact == pytest.approx(ref_expected_kl(h, dtc_sched)) and row.holds is True
        row = t["CCL step count"]
        assert row.exact == max(len(tc_sched), len(dtc_sched)) and row.holds is True
        assert t["CCL Austin-type step count"].holds is None
        assert t.all_hold


def test_input_errors():
    with pytest.raises(ValueError, match="N = 3"):
        ss.compare_bounds([0.5, 0.3, 0.1], [2, 2])
    with pytest.raises(ValueError, match="c_hat"):
        ss.compare_bounds([0.5, 0.3, 0.1], [3], c_hat=1.0)


@given(profile_and_schedule())
@settings(max_examples=30)
def test_every_proven_row_holds_on_random_profiles(data):
    h, sizes = data
    t = ss.compare_bounds(h, sizes)
    assert t.exact_expected_kl == pytest.approx(ref_expected_kl(h, sizes), abs=1e-9)
    failing = [r for r in t if r.holds is False]
    assert not failing, failing
    assert all(r.holds is None for r in t if r.kind in ("order", "statement"))


def test_symbolic_and_fraction_profiles_print():
    from fractions import Fraction as F
    t = ss.compare_bounds([F(3, 4), F(1, 2), F(1, 4)], [2, 1])
    assert t.exact_expected_kl == F(1, 4)
    assert t.all_hold and "0.25" in str(t)
    assert r"\begin{array}" in t.latex()


def test_on_a_model_mixture_column(model_profiles):
    rng = np.random.default_rng(11)
    for trial in range(6):
        N = 3 if trial % 2 else 4
        joint = random_joint(rng, N, zeros=trial == 0)
        model = ss.from_joint(joint)
        h = brute_profile(joint)
        for sizes in ([N], [2, N - 2], [1] * N, [N - 1, 1]):
            t = ss.compare_bounds(model, sizes)
            q, avg = brute_mixture_law(joint, sizes)
            assert t.exact_expected_kl == pytest.approx(ref_expected_kl(h, sizes), abs=1e-9)
            assert t.exact_expected_kl == pytest.approx(avg, abs=1e-9)
            assert t.exact_mixture_kl == pytest.approx(ref_kl(joint, q), abs=1e-9)
            assert t.exact_mixture_tv == pytest.approx(0.5 * np.abs(joint - q).sum(), abs=1e-9)
            assert t["KL(p||q) <= E KL (convexity)"].holds is True
            assert all(r.holds is True for r in t if r.name == "Pinsker")
            assert t.all_hold


def test_on_a_model_without_mixture(model_profiles):
    rng = np.random.default_rng(2)
    model = ss.from_joint(random_joint(rng, 4))
    t = ss.compare_bounds(model, [2, 2], max_mixture_N=3)
    assert t.exact_mixture_kl is None and "max_mixture_N" in t.mixture_note
    t = ss.compare_bounds(model, [2, 2], include_mixture=False)
    assert t.exact_mixture_kl is None and t.mixture_note == "include_mixture=False"
    assert t.all_hold


def test_profile_with_free_symbols():
    import sympy as sp

    a = sp.Symbol("a", positive=True)
    t = ss.compare_bounds([2 * a, a, 0], [2, 1])
    assert sp.simplify(t.exact_expected_kl - a) == 0  # 2*2a + 1*0 - 3a
    assert sp.simplify(t["Li & Cai"].value - 2 * a) == 0 and t["Li & Cai"].holds is None
    assert t.optimal_kl is None and all(r.holds is None for r in t)
    assert "2 a" in t.latex() and "$" not in t.latex() and "3*a" in str(t)
