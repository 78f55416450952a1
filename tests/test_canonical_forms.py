"""Canonical closed forms (issue #18): symbolic results as a person would write them, with unchanged values.

References are independent of symsched: numpy brute force on hand-built joint tables
(tests/reference.py), mpmath evaluations of the expressions as computed (``simplify="none"``), and
closed forms derived by hand in the comments.
"""

import itertools
import random
from fractions import Fraction as F

import mpmath
import networkx as nx
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import symsched as ss
from symsched.arithmetic import h2, positive_form, simplify_information
from symsched.errors import SymschedError

from reference import brute_profile

EPS = sp.Symbol("epsilon", positive=True)
U = sp.Symbol("u")

# A 4-node network A -> B, A -> C, (B, C) -> D with one symbolic parameter and assorted rationals:
# the case whose profile used to hold log(<901-digit integer>) and log(x**y).
CPD_A = [F(1, 3), F(2, 3)]
CPD_B = [[F(3, 4), F(1, 4)], [F(2, 5), F(3, 5)]]
CPD_D = [[[F(5, 7), F(2, 7)], [F(1, 2), F(1, 2)]], [[F(1, 6), F(5, 6)], [F(9, 11), F(2, 11)]]]


def _cpd_c(e):
    return [[1 - e, e], [e, 1 - e]]


def _network(e):
    bn = ss.BayesianNetwork()
    for v in "ABCD":
        bn.add_variable(v, states=2)
    bn.set_cpd("A", CPD_A)
    bn.set_cpd("B", CPD_B, parents=["A"])
    bn.set_cpd("C", _cpd_c(e), parents=["A"])
    bn.set_cpd("D", CPD_D, parents=["B", "C"])
    return bn


def _joint(e):
    """The network's joint table by hand (numpy), axes A, B, C, D."""
    a, b, c, d = (np.array(x, dtype=float) for x in (CPD_A, CPD_B, _cpd_c(F(e)), CPD_D))
    return np.einsum("a,ab,ac,bcd->abcd", a, b, c, d)


@pytest.fixture(scope="module")
def network_profiles():
    model = _network(EPS)
    return (ss.information_profile(model, precision="symbolic"),
            ss.information_profile(model, precision="symbolic", simplify="none"))


def _logs(expr):
    return [a for a in sp.preorder_traversal(expr) if isinstance(a, sp.log)]


def _values(prof):
    return [*prof.h, *prof.e, prof.entropy, prof.total_correlation, prof.dual_total_correlation]


def test_no_huge_integers_or_powers_inside_logs(network_profiles):
    prof, _ = network_profiles
    for expr in _values(prof):
        for lg in _logs(sp.sympify(expr)):
            arg = lg.args[0]
            ints = [abs(int(n)) for n in sp.preorder_traversal(arg) if isinstance(n, sp.Integer)]
            assert max(ints, default=0) <= 10 ** 12, lg
            assert not any(isinstance(p, sp.Pow) and not p.exp.is_Integer for p in sp.preorder_traversal(arg)), lg
            if not arg.free_symbols:
                assert arg.is_Integer and sp.isprime(arg), lg  # logs of constants are logs of primes
    # short enough to read: the raw h_3 had thousands of characters
    assert max(len(str(h)) for h in prof.h) < 2000


def test_canonical_values_equal_the_computed_ones(network_profiles):
    prof, raw = network_profiles
    rng = random.Random(1)
    for _ in range(4):
        e = mpmath.mpf(rng.uniform(0.01, 0.99))
        for a, b in zip(_values(prof), _values(raw)):
            va = mpmath.mpf(sp.N(sp.sympify(a).subs(EPS, sp.Float(e, 40)), 30))
            vb = mpmath.mpf(sp.N(sp.sympify(b).subs(EPS, sp.Float(e, 40)), 30))
            assert abs(va - vb) < mpmath.mpf(10) ** -20, (a, b)


def test_numpy_lambdify_equals_brute_force(network_profiles):
    prof, _ = network_profiles
    h = sp.lambdify(EPS, list(prof.h), "numpy")
    rng = random.Random(2)
    for e in [rng.uniform(0.01, 0.99) for _ in range(5)]:
        ref, _ = brute_profile(_joint(e))
        assert np.allclose(np.array(h(e), dtype=float), ref, rtol=0, atol=1e-12)
    # vectorised over an array of parameter values
    es = np.linspace(0.05, 0.95, 7)
    out = sp.lambdify(EPS, prof.h[2], "numpy")(es)
    assert np.allclose(out, [brute_profile(_joint(e))[0][2] for e in es], rtol=0, atol=1e-12)


def test_zero_field_ising_marginal_is_log2():
    J = sp.Symbol("J", real=True)
    prof = ss.information_profile(ss.ising(nx.path_graph(3), J), precision="symbolic")
    # zero field: every spin is uniform by the s -> -s symmetry, whatever the coupling
    assert prof.h[0] == sp.log(2)
    # the rest is written with exp(2J) and log of polynomials in it, and equals the brute force
    for Jv in (-0.7, 0.3, 1.1):
        s = np.array([-1, 1])
        w = np.exp(Jv * (s[:, None, None] * s[None, :, None] + s[None, :, None] * s[None, None, :]))
        ref, _ = brute_profile(w / w.sum())
        got = [float(sp.N(x.subs(J, Jv), 20)) for x in prof.h]
        assert np.allclose(got, ref, rtol=0, atol=1e-12)
    assert not any(isinstance(a, sp.cosh) for x in prof.h for a in sp.preorder_traversal(x))


def test_constant_coupling_collapses():
    prof = ss.information_profile(ss.ising(nx.path_graph(3), sp.Rational(1, 2)), precision="symbolic")
    assert prof.h[0] == sp.log(2)


def test_binary_entropy_appears_for_a_noisy_copy():
    bn = ss.BayesianNetwork()
    bn.add_variable("A", states=2)
    bn.add_variable("B", states=2)
    bn.set_cpd("A", [F(1, 2), F(1, 2)])
    bn.set_cpd("B", _cpd_c(EPS), parents=["A"])
    prof = ss.information_profile(bn, precision="symbolic")
    # by hand: A and B are uniform, so h_0 = log 2 and h_1 = H(A, B) - H(A) = H(B | A) = h2(eps)
    assert prof.h[0] == sp.log(2)
    assert prof.h[1] == h2(EPS)
    assert prof.entropy == sp.log(2) + h2(EPS)


def test_h2_round_trip():
    x = sp.Symbol("varepsilon", positive=True)
    e = h2(x)
    assert sp.latex(e) == r"\mathrm{H}_{\mathrm{b}}\left(\varepsilon\right)"
    assert sp.latex(e ** 2) == r"\mathrm{H}_{\mathrm{b}}^{2}\left(\varepsilon\right)"
    assert simplify_information(e.rewrite(sp.log)) == e
    assert sp.diff(e, x).equals(sp.log(1 - x) - sp.log(x))
    for v in (0.01, 0.3, 0.5, 0.77):
        ref = -v * np.log(v) - (1 - v) * np.log(1 - v)
        assert float(e.subs(x, v)) == pytest.approx(ref, rel=1e-14)
        assert float(sp.N(h2(sp.Rational(v)), 30)) == pytest.approx(ref, rel=1e-14)
        for mod in ("numpy", "math", "mpmath"):
            assert float(sp.lambdify(x, 2 * e + 1, mod)(v)) == pytest.approx(2 * ref + 1, rel=1e-14)
    arr = np.array([0.1, 0.2])
    assert np.allclose(sp.lambdify(x, e, "numpy")(arr), -arr * np.log(arr) - (1 - arr) * np.log(1 - arr))
    assert h2(0) == 0 and h2(1) == 0 and h2(sp.Rational(1, 2)) == sp.log(2)


def test_positive_forms_of_the_exponential_profile():
    lim = ss.riemann_limit(sp.exp(-U), U)
    for expr in (lim.gain, lim.leading_constant):
        for f in sp.Mul.make_args(expr):
            base = f.as_base_exp()[0]
            if base.is_Add and not base.free_symbols:
                assert base.is_positive, expr  # no (1 - e^{1/2}) or (1 - e)
    # by hand: int_0^1 sqrt(e^-u) = 2 (1 - e^{-1/2}), Delta = 1 - e^{-1}
    S = 2 * (1 - mpmath.exp(-0.5))
    assert float(lim.gain) == pytest.approx(float(S ** 2 / (1 - mpmath.exp(-1))), rel=1e-14)
    assert float(lim.leading_constant) == pytest.approx(float(S ** 2 / 2), rel=1e-14)
    assert positive_form(-4 * (1 - sp.exp(sp.Rational(1, 2))) ** 2 / (1 - sp.E)) == \
        4 * (sp.exp(sp.Rational(1, 2)) - 1) ** 2 / (sp.E - 1)


def test_limit_lambdifies_with_numpy():
    a = sp.Symbol("a", positive=True)
    lim = ss.riemann_limit(1 / (1 + a * U), U, allow_symbols=True)
    lead = sp.lambdify(a, lim.leading_constant, "numpy")
    for av in (0.5, 3.0, 7.25):
        # float route: the same limit with the number substituted, evaluated by mpmath quadrature
        f = lambda x: av / (1 + av * x) ** 2  # noqa: E731  -phi'
        ref = mpmath.quad(lambda x: mpmath.sqrt(f(x)), [0, 1]) ** 2 / 2
        assert float(lead(av)) == pytest.approx(float(ref), rel=1e-12)


def test_simplify_levels():
    raw = -sp.Rational(1, 8) * sp.log(sp.Rational(1, 8)) * 8
    assert simplify_information(raw, "none") is raw
    assert simplify_information(raw) == 3 * sp.log(2)
    assert simplify_information(raw, "full") == 3 * sp.log(2)
    with pytest.raises(SymschedError, match="simplify must be one of"):
        simplify_information(raw, "fastest")
    with pytest.raises(ValueError, match="simplify must be one of"):
        ss.information_profile(ss.copy_model(2), precision="symbolic", simplify="yes")
    full = ss.information_profile(_network(F(1, 5)), precision="symbolic", simplify="full")
    ref, _ = brute_profile(_joint(0.2))
    assert np.allclose([float(x) for x in full.h], ref, rtol=0, atol=1e-13)


def test_constants_become_logs_of_primes():
    expr = sp.Rational(1, 3) * sp.log(sp.Rational(2 ** 40 * 3 ** 7, 5 ** 3 * 7)) + sp.log(12)
    out = simplify_information(expr)
    assert all(sp.isprime(lg.args[0]) for lg in _logs(out))
    assert abs(sp.N(out - expr, 50)) < 1e-45


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(-5, 5), st.integers(1, 6), st.integers(0, 6), st.integers(1, 9)),
                min_size=1, max_size=5))
def test_split_logs_keep_their_value(terms):
    # sum c * log((m + n eps) / d) (positive on eps > 0), times eps-polynomial coefficients
    expr = sum(c * (1 + EPS) ** k * sp.log((m + n * EPS) ** 2 * (m + EPS) / d)
               for (c, m, n, d), k in zip(terms, itertools.cycle([0, 1, 2])))
    out = simplify_information(sp.sympify(expr))
    for v in (sp.Rational(1, 10), sp.Rational(7, 3)):
        assert abs(sp.N((out - expr).subs(EPS, v), 40)) < 1e-30
    for lg in _logs(out):
        assert not isinstance(lg.args[0], (sp.Pow, sp.Mul)), lg  # split into irreducible factors


def test_numeric_breakpoints_print_only_true_digits():
    # phi = 1 - 4u on [0, 1/4), 0 after: f = 4 then 0, G(u) = 4u on [0, 1/4] (by hand), so the K = 3
    # breakpoints are 1/12 and 1/6.  The numeric inverse used to integrate sqrt(f) across its jump
    # in one quadrature and printed 0.166155339737371452923427304137 for 1/6.
    phi = sp.Piecewise((1 - 4 * U, U < sp.Rational(1, 4)), (0, True))
    bps = ss.riemann_limit(phi, U, dps=30).breakpoints(3)
    for got, want in zip(bps, (0, sp.Rational(1, 12), sp.Rational(1, 6), 1)):
        assert abs(sp.N(got - want, 40)) < 1e-28, (got, want)
    assert str(bps[2]).startswith("0.1666666666666666666666666666")
