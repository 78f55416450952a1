"""Jupyter display: the HTML of profiles, and numbers printed at the precision that was asked for.

Every number read back from the HTML or the text is compared with an independent computation: the
profile by brute force on the joint table (tests/reference.py), at 30 digits in mpmath from the exact
joint for the precision checks.  (The models' HTML is tested in test_export_plots.py beside plot_model.)
"""

import re

import mpmath
import numpy as np
import pytest

import symsched as ss
from reference import brute_measures, brute_profile, brute_profile_mp, demo_joint_exact, random_joint


def cells(html_text):
    tables = []
    for t in re.findall(r"<table.*?</table>", html_text, flags=re.S):
        rows = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r) for r in re.findall(r"<tr>(.*?)</tr>", t)]
        tables.append([r for r in rows if r])
    return tables


def test_profile_html_table_is_the_brute_force_profile():
    joint = random_joint((2, 3, 2, 2), 2)
    h, e = brute_profile(joint)
    H, tc, dtc = brute_measures(joint)
    prof = ss.information_profile(ss.from_joint(joint))
    table, summary = cells(prof._repr_html_())
    assert table[0] == ["j", "h_j", "e_{j+1}"]
    got = np.array([[float(x) for x in r[1:]] for r in table[1:]])
    np.testing.assert_allclose(got[:, 0], h, rtol=1e-5)              # printed at 6 significant digits
    np.testing.assert_allclose(got[:, 1], np.cumsum(h), rtol=1e-5)
    values = {r[0]: float(r[1]) for r in summary[1:]}
    assert values["H"] == pytest.approx(H, rel=1e-5) and values["TC"] == pytest.approx(tc, rel=1e-5)
    assert values["DTC"] == pytest.approx(dtc, rel=1e-5)
    assert "±" not in prof._repr_html_()


def test_profile_html_of_an_estimate_shows_its_standard_errors():
    joint = random_joint((2, 2, 2, 2, 2), 4)
    est = ss.information_profile(ss.from_joint(joint), method="montecarlo", stderr=0.02, seed=0)
    text = est._repr_html_()
    assert "estimate" in text
    table = cells(text)[0]
    assert "± stderr" in table[0][1]
    for j, row in enumerate(table[1:]):
        if float(est.stderr[j]) == 0:   # an entry the estimate computes exactly (h_0, h_1, h_{N-1})
            value = row[1].replace(" (exact)", "")
            assert row[1].endswith("(exact)")
        else:
            value, se = row[1].split(" ± ")
            assert float(se) == pytest.approx(float(est.stderr[j]), rel=0.05)
        assert float(value) == pytest.approx(float(est.h[j]), rel=1e-5)
    h_true, _ = brute_profile(joint)
    exact_rows = [j for j in range(len(h_true)) if float(est.stderr[j]) == 0]
    assert exact_rows and all(abs(float(est.h[j]) - h_true[j]) < 1e-12 for j in exact_rows)


def test_long_profile_html_is_cut_with_a_note():
    prof = ss.information_profile(ss.binary_symmetric_chain(100, 0.1))
    text = prof._repr_html_()
    table = cells(text)[0]
    assert "showing 30 of 100 rows" in text and len(table) == 1 + 31 and table[21][0] == "⋮"
    assert table[-1][0] == "99" and float(table[-1][1]) == pytest.approx(float(prof.h[99]), rel=1e-5)


def _digits_agreeing(text, ref):
    """How many significant digits of the printed number ``text`` agree with the 45-digit reference."""
    with mpmath.workdps(60):
        x = mpmath.mpf(text)
        err = abs(x - ref)
        return 60 if err == 0 else int(mpmath.floor(-mpmath.log10(err / abs(ref))))


def test_results_computed_with_dps_print_that_many_digits():
    ref = brute_profile_mp(demo_joint_exact(), 45)
    # the demo network from its exact Fractions (a float joint would limit the digits)
    bn = ss.from_joint(np.array([[[[[demo_joint_exact()[(c, s, r, w, ell)] for ell in range(2)] for w in range(2)]
                                   for r in range(2)] for s in range(2)] for c in range(2)], dtype=object))
    prof = ss.information_profile(bn, precision="mpmath", dps=30)
    assert prof.digits == 30
    table = cells(prof._repr_html_())[0]
    for j, row in enumerate(table[1:]):
        assert _digits_agreeing(row[1], ref[j]) >= 28, (row[1], ref[j])
    # results derived from the profile inherit its digits: the optimal schedule's E KL prints ~30 digits
    opt = ss.optimal_schedule(prof, 2)
    assert opt.digits == 30
    printed = re.search(r"kl=([0-9.]+)", str(opt)).group(1)
    sizes = opt.sizes
    with mpmath.workdps(50):
        ekl = sizes[0] * ref[0] + sizes[1] * ref[sizes[0]] - mpmath.fsum(ref)   # the identity, by hand
    assert _digits_agreeing(printed, ekl) >= 27, (printed, ekl)
    # and so does the printed report (what `symsched schedule --precision mpmath --dps 30` prints)
    rep = str(ss.report(bn, K=[2], precision="mpmath", dps=30, mixture=False, bounds=False))
    line = next(ln for ln in rep.splitlines() if re.match(r"\s*0\s", ln))
    assert _digits_agreeing(line.split()[1], ref[0]) >= 28
    # a float profile still prints 6 digits
    assert ss.information_profile(bn).digits == 6 and ss.optimal_schedule(ss.information_profile(bn), 2).digits == 6


def test_cli_dps_sets_the_printed_digits(capsys):
    from symsched.cli import main

    ref = brute_profile_mp(demo_joint_exact(), 45)
    assert main(["profile", "demo", "--precision", "mpmath", "--dps", "30"]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if re.match(r"\s*0\s", ln))
    assert _digits_agreeing(line.split()[1], ref[0]) >= 28
    assert main(["profile", "demo", "--precision", "mpmath", "--dps", "30", "--digits", "8"]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if re.match(r"\s*0\s", ln))
    assert len(line.split()[1].replace("0.", "", 1)) <= 8 and _digits_agreeing(line.split()[1], ref[0]) >= 7
