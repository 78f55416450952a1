"""LaTeX export: the dispatcher, number formatting and tables.

Numbers are checked by parsing the LaTeX back (``a \\times 10^{b}`` -> float) and comparing with the
value at the printed precision, exact values by sympy's own parser of the printed fraction.
"""

import math
import re
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import symsched as ss
from symsched.export.latex import latex_escape, latex_number, latex_sequence, latex_table, to_latex


def parse_latex_number(s: str) -> float:
    """Invert latex_number's float form: '1.5 \\times 10^{-7}', '10^{3}', '-0.25'."""
    s = s.strip()
    m = re.fullmatch(r"(-?[0-9.]+) \\times 10\^\{(-?\d+)\}", s)
    if m:
        return float(m.group(1)) * 10.0 ** int(m.group(2))
    m = re.fullmatch(r"(-?)10\^\{(-?\d+)\}", s)
    if m:
        return (-1.0 if m.group(1) else 1.0) * 10.0 ** int(m.group(2))
    return float(s)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
       st.integers(min_value=1, max_value=15))
def test_float_roundtrip_to_printed_digits(x, digits):
    back = parse_latex_number(latex_number(x, digits))
    # digits significant digits: relative error at most half a unit in the last place
    assert math.isclose(back, x, rel_tol=0.5 * 10.0 ** (1 - digits) * 1.0000001, abs_tol=1e-300)


@given(st.fractions(max_denominator=10 ** 6))
def test_fraction_is_exact(q):
    s = latex_number(q)
    m = re.fullmatch(r"(-?)\\frac\{(\d+)\}\{(\d+)\}", s)
    if q.denominator == 1:
        assert s == str(q.numerator)
    else:
        assert m, s
        assert Fraction(int(m.group(2)), int(m.group(3))) * (-1 if m.group(1) else 1) == q


def test_mpmath_keeps_requested_digits():
    with mpmath.workdps(60):
        x = mpmath.mpf(1) / 7
        s = latex_number(x, 40)
    assert s.startswith("0.142857142857142857142857142857142857142")
    assert len(s.replace("0.", "", 1)) == 40


def test_special_values_and_bad_digits():
    assert latex_number(float("inf")) == r"\infty"
    assert latex_number(float("-inf")) == r"-\infty"
    assert latex_number(float("nan")) == r"\mathrm{NaN}"
    assert latex_number(np.int64(7)) == "7"
    with pytest.raises(ValueError, match="digits"):
        latex_number(0.5, digits=0)
    with pytest.raises(ValueError, match="expected a number"):
        latex_number("0.5")


def test_sympy_expressions_go_through_sympy_latex():
    eps = sp.Symbol("epsilon")
    e = -eps * sp.log(eps) - (1 - eps) * sp.log(1 - eps)
    assert to_latex(e) == sp.latex(e)
    assert to_latex(sp.Rational(3, 4)) == r"\frac{3}{4}"
    # a sympy Float is a number: formatted to the requested digits, not sympy's 15
    assert to_latex(sp.Float("0.123456789"), digits=3) == "0.123"


def test_dispatch_to_objects_latex_methods():
    sched = ss.Schedule([2, 3])
    assert to_latex(sched) == sched.latex() == "(2, 3)"
    prof = ss.as_profile([Fraction(1, 2), Fraction(1, 4)])
    assert to_latex(prof) == prof.latex()

    class Custom:
        def latex(self):
            return r"\alpha"

    assert to_latex(Custom()) == r"\alpha"


def test_sequences_mappings_arrays_strings():
    assert to_latex((1, Fraction(1, 2), 0.25)) == r"\left(1, \frac{1}{2}, 0.25\right)"
    assert to_latex(np.array([[1, 2], [3, 4]])) == r"\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix}"
    assert to_latex({"TC": Fraction(1, 2)}) == r"\mathrm{TC} = \frac{1}{2}"
    assert to_latex("a_b") == r"\text{a\_b}"
    # shortening is visible: the first entries, an ellipsis, the last entry
    assert latex_sequence(range(10), max_items=4) == r"\left(0, 1, 2, \ldots, 9\right)"
    with pytest.raises(ValueError, match="no LaTeX form"):
        to_latex(object())


def test_escape():
    assert latex_escape("100% & $x_1$ #{}") == r"100\% \& \$x\_1\$ \#\{\}"


def test_table_structure_and_cells():
    rows = [{"schedule": "constant", "E KL": 0.25, "mix": None},
            {"schedule": "opt_1", "E KL": Fraction(1, 8), "mix": 0.1}]
    t = latex_table(rows)
    lines = t.splitlines()
    assert lines[0] == r"\begin{tabular}{lrr}" and lines[-1] == r"\end{tabular}"
    assert lines[2] == r"schedule & E KL & mix \\"
    assert lines[4] == r"constant & $0.25$ & -- \\"
    assert lines[5] == r"opt\_1 & $\frac{1}{8}$ & $0.1$ \\"
    # every body row has as many cells as columns
    for line in lines[4:6]:
        assert line.count(" & ") == 2
    wrapped = latex_table([[1, 2]], columns=["a", "b"], caption="E KL at 50%")
    assert wrapped.startswith(r"\begin{table}") and r"\caption{E KL at 50\%}" in wrapped


def test_table_refuses_ragged_rows_and_bad_align():
    with pytest.raises(ValueError, match="row 1 has 1 cells, expected 2"):
        latex_table([[1, 2], [3]])
    with pytest.raises(ValueError, match="align"):
        latex_table([[1, 2]], align="lrr")
    with pytest.raises(ValueError, match="no columns"):
        latex_table([])
