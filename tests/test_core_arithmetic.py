"""The arithmetic backends agree with each other and with closed forms."""

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

from symsched.arithmetic import arithmetic, simplify_information, to_float
from symsched.errors import SymbolicValueError


def test_entropy_three_precisions_agree():
    probs = [Fraction(1, 2), Fraction(1, 3), Fraction(1, 6)]
    expected = -sum(float(p) * math.log(float(p)) for p in probs)
    f = arithmetic("float")
    m = arithmetic("mpmath", dps=40)
    s = arithmetic("symbolic")
    vf = f.entropy(f.array(probs))
    vm = m.entropy(m.array(probs))
    vs = s.finalize(s.entropy(s.array(probs)))
    assert vf == pytest.approx(expected, rel=1e-14)
    # mpmath at 40 digits equals the exact symbolic value to 40 digits
    with mpmath.workdps(45):
        exact = mpmath.mpf(sp.N(vs, 60))
        assert abs(vm - exact) < mpmath.mpf(10) ** -40


def test_symbolic_closed_forms_are_textbook():
    s = arithmetic("symbolic")
    assert s.finalize(s.entropy(s.array([Fraction(1, 8)] * 8))) == 3 * sp.log(2)
    assert arithmetic("symbolic", base=2).finalize(
        arithmetic("symbolic", base=2).entropy(s.array([Fraction(1, 4)] * 4))) == 2


def test_zero_probabilities_contribute_nothing():
    for prec in ("float", "mpmath", "symbolic"):
        a = arithmetic(prec)
        v = a.entropy(a.array([Fraction(1, 2), 0, Fraction(1, 2)]))
        assert float(v) == pytest.approx(math.log(2), rel=1e-12)


def test_base_two_is_nats_over_log_two():
    p = np.array([0.2, 0.3, 0.5])
    assert arithmetic("float", base=2).entropy(p) == pytest.approx(arithmetic("float").entropy(p) / math.log(2))


def test_mpmath_fraction_conversion_is_exact_to_every_digit():
    a = arithmetic("mpmath", dps=60)
    x = a.convert(Fraction(1, 3))
    with mpmath.workdps(80):
        assert abs(x - mpmath.mpf(1) / 3) < mpmath.mpf(10) ** -65


def test_float_refuses_unresolved_symbols_naming_them():
    eps = sp.Symbol("eps")
    with pytest.raises(SymbolicValueError, match="eps"):
        arithmetic("float").convert(eps, "cpd entry")
    with pytest.raises(ValueError, match="eps"):
        to_float(1 - eps)


@pytest.mark.parametrize("kw,match", [({"precision": "double"}, "precision"), ({"dps": 0}, "dps"),
                                      ({"base": 1}, "base")])
def test_bad_arguments(kw, match):
    with pytest.raises(ValueError, match=match):
        arithmetic(**kw)


def test_simplify_expands_logs_of_rationals():
    assert simplify_information(-sp.log(sp.Rational(1, 8))) == 3 * sp.log(2)


def test_arithmetic_module_keeps_every_name_after_the_split():
    """symsched.arithmetic re-exports the number helpers (symsched.values) and the canonical forms
    (symsched.canonical): the same objects, under the old import path."""
    import symsched.arithmetic as ar
    import symsched.canonical as canon
    import symsched.values as vals

    for mod in (canon, vals):
        for name in mod.__all__:
            assert getattr(ar, name) is getattr(mod, name), name
    assert set(canon.__all__) | set(vals.__all__) >= set(ar.__all__) - {"Arithmetic", "arithmetic", "PRECISIONS",
                                                                          "SUM_TOLERANCE"}
    assert ar.GUARD_DIGITS == 10 and ar.DEFAULT_DPS == 50
