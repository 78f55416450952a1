"""The report: every number it holds and prints against brute force on the explicit joint table.

References (tests/reference.py): the profile from subset entropies, H/TC/DTC from their
definitions, E KL and the mixture KL by enumerating every order of the sampler, the optimum by
enumerating every composition of N.
"""

import math
import re
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

import symsched as ss
from symsched.cli import demo_model
from symsched.export.display import format_value
from reference import (brute_measures, brute_optimal, brute_profile, brute_sampler, demo_joint,
                                    identity_kl, random_joint)


def constant_sizes(N, K):
    q, r = divmod(N, K)
    return tuple(q + 1 if t < r else q for t in range(K))


@pytest.fixture(scope="module")
def demo_report():
    return ss.report(demo_model(), K=[2, 3])


def test_demo_model_is_the_hand_multiplied_joint():
    np.testing.assert_allclose(demo_model().joint(), demo_joint(), atol=1e-15)


def test_report_numbers_against_brute_force(demo_report):
    joint = demo_joint()
    h, e = brute_profile(joint)
    H, tc, dtc = brute_measures(joint)
    r = demo_report
    np.testing.assert_allclose([float(x) for x in r.profile.h], h, atol=1e-12)
    m = r.measures()
    assert math.isclose(m["H"], H, rel_tol=1e-12)
    assert math.isclose(m["TC"], tc, rel_tol=1e-10)
    assert math.isclose(m["DTC"], dtc, rel_tol=1e-10)
    assert math.isclose(m["O-information"], tc - dtc, abs_tol=1e-10)
    assert [(row["K"], row["schedule"]) for row in r.schedules] == \
        [(2, "constant"), (2, "optimal"), (3, "constant"), (3, "optimal")]
    for row in r.schedules:
        K, sizes = row["K"], row["sizes"]
        assert sum(sizes) == 5 and len(sizes) == K
        expected, mixture = brute_sampler(joint, sizes)  # the definitions, by enumeration of orders
        assert math.isclose(row["expected_kl"], expected, rel_tol=1e-9, abs_tol=1e-12)
        assert math.isclose(row["mixture_kl"], mixture, rel_tol=1e-9, abs_tol=1e-12)
        if row["schedule"] == "constant":
            assert tuple(sizes) == constant_sizes(5, K)
        else:
            assert math.isclose(row["expected_kl"], brute_optimal(h, K), rel_tol=1e-9, abs_tol=1e-12)
    np.testing.assert_allclose(r.frontier, [brute_optimal(h, K) for K in range(1, 6)], atol=1e-12)


def test_report_text_prints_the_same_numbers(demo_report):
    text = str(demo_report)
    joint = demo_joint()
    h, e = brute_profile(joint)
    H, tc, dtc = brute_measures(joint)
    # every printed value is the exact value at 6 significant digits
    for j, (hj, ej) in enumerate(zip(h, e[1:])):
        m = re.search(rf"^\s+{j}\s+(\S+)\s+(\S+)$", text, re.M)
        assert m, j
        assert math.isclose(float(m.group(1)), hj, rel_tol=1e-5) and math.isclose(float(m.group(2)), ej, rel_tol=1e-5)
    for label, v in (("H:", H), ("TC:", tc), ("DTC:", dtc)):
        line = next(li for li in text.splitlines() if li.strip().startswith(label))
        assert math.isclose(float(line.split()[-1]), v, rel_tol=1e-5)
    for row in demo_report.schedules:
        expected, mixture = brute_sampler(joint, row["sizes"])
        line = next(li for li in text.splitlines()
                    if li.split()[:2] == [str(row["K"]), row["schedule"]])
        printed = [float(x) for x in line.split(")")[-1].split()]
        assert math.isclose(printed[0], expected, rel_tol=1e-5)
        assert math.isclose(printed[1], mixture, rel_tol=1e-5)
    assert "Not computed" not in text  # N = 5: everything is computed


def test_html_latex_and_dict(demo_report):
    html = demo_report._repr_html_()
    assert html.count("<table>") >= 3 and "optimal" in html
    lx = demo_report._repr_latex_()
    assert lx.startswith("$$") and lx.endswith("$$") and r"\begin{array}" in lx
    assert demo_report.latex_document().count(r"\begin{tabular}") >= 1
    assert "$" not in demo_report.latex() and demo_report.latex().startswith(r"\begin{gathered}")
    d = demo_report.to_dict()
    import json

    json.dumps(d)  # plain values only
    assert d["model"]["N"] == 5 and d["model"]["cardinalities"] == [2] * 5
    assert [s["expected_kl"] for s in d["schedules"]] == [float(r["expected_kl"]) for r in demo_report.schedules]


def test_profile_only_lists_what_is_missing():
    r = ss.report([0.7, 0.5, 0.45, 0.3, 0.1], K=2)
    assert all(row["mixture_kl"] is None for row in r.schedules)
    assert any("only a profile was given" in u for u in r.unavailable)
    text = str(r)
    assert "KL(p||q) mixture" not in text and "Not computed:" in text
    # the numbers are the identity on the given h
    h = [0.7, 0.5, 0.45, 0.3, 0.1]
    assert math.isclose(r.schedules[0]["expected_kl"], identity_kl(h, (3, 2)))
    assert math.isclose(r.schedules[1]["expected_kl"], brute_optimal(h, 2))


def test_large_model_mixture_not_computed_but_identity_is():
    joint = random_joint((2,) * 6, 5)
    r = ss.report(ss.from_joint(joint), K=3, max_mixture_N=5, frontier=False)
    assert all(row["mixture_kl"] is None for row in r.schedules)
    assert any("N = 6 > max_mixture_N = 5" in u for u in r.unavailable)
    h, _ = brute_profile(joint)
    assert math.isclose(r.schedules[0]["expected_kl"], identity_kl(h, (2, 2, 2)), rel_tol=1e-9)
    assert r.frontier is None


def test_symbolic_profile_schedules_listed_as_not_computed():
    eps = sp.Symbol("eps", positive=True)
    r = ss.report([eps, eps / 2], K=1)
    assert r.schedules == [] and r.frontier is None
    assert any("free symbols ['eps']" in u for u in r.unavailable)
    assert "eps" in str(r)


def test_exact_profile_stays_exact():
    r = ss.report([Fraction(1, 2), Fraction(1, 4), Fraction(1, 8)], K=2, frontier=False)
    row = r.schedules[0]  # constant (2, 1): 2*(1/2) + 1*(1/8) - 7/8
    assert sp.nsimplify(row["expected_kl"]) == sp.Rational(1, 4)
    assert "1/4" in str(r)


def test_bad_K():
    with pytest.raises(ValueError, match="K = 7 must be an integer between 1 and N = 3"):
        ss.report([0.5, 0.3, 0.1], K=7)


def test_format_value():
    assert format_value(None) == "n/a"
    assert format_value(0.123456789) == "0.123457"
    assert format_value(Fraction(3, 8)) == "3/8"
    assert format_value(sp.Rational(3, 8)) == "3/8"
    assert format_value(2 * sp.log(2)) == "2*log(2) ≈ 1.38629"
    assert format_value(sp.Symbol("x") + 1) == "x + 1"
    with mpmath.workdps(30):
        assert format_value(mpmath.mpf(1) / 3, 20) == "0.33333333333333333333"
