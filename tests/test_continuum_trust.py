"""Issue 12 (continuum): inadmissible phi refused, safe formula parsing, piecewise phi, docs numbers.

References: hand-derived quantiles of piecewise-constant sqrt(f), sympy's own parse of harmless
formulas (never of the payloads), and the exact discrete optimum by dense DP (tests/reference.py).
"""

import os
import re
from pathlib import Path

import mpmath
import pytest
import sympy as sp

import symsched as ss
from symsched.continuum.expansion import (
    exact_breakpoint_kl, expected_kl_expansion, optimal_density, riemann_error)
from symsched.errors import SymschedError
from symsched.parsing import parse_formula

from reference import dp_optimal_kl

u = sp.Symbol("u")
HALF = sp.Rational(1, 2)


# -- item 6: phi must be finite, real and non-increasing -------------------------------------------

@pytest.mark.parametrize("phi, words", [
    (1 / (u - HALF), "singularity at u = 1/2"),
    (1 / (u - HALF) ** 2, "singularity at u = 1/2"),
    (sp.tan(3 * u), "singularity at u = pi/6"),
    ((1 - u) + sp.I, "complex"),
    (sp.sqrt(u - 2), "complex"),
    (u, "non-increasing"),
    ((1 - u) * sp.log(1 - u), "non-increasing"),
])
def test_riemann_limit_refuses_inadmissible_phi(phi, words):
    with pytest.raises(SymschedError, match=re.escape(words)):
        ss.riemann_limit(phi, u)


@pytest.mark.parametrize("pole, words", [(HALF, "finite and real"), (sp.Rational(4987, 10000), "non-increasing")])
def test_pole_is_caught_numerically_without_sympy(pole, words):
    # the numeric fallback alone (sympy steps off) must see the pole: phi undefined on a grid point,
    # or jumping upwards across it
    from symsched.continuum.symbolic import check_phi
    phi = 1 / (u - pole)
    fn, f = sp.lambdify(u, phi, "mpmath"), sp.lambdify(u, -sp.diff(phi, u), "mpmath")
    with pytest.raises(SymschedError, match=words):
        check_phi(phi, u, fn, f, symbolic=False)


def test_admissible_phi_still_accepted_and_says_how():
    lim = ss.riemann_limit(1 / (1 + 3 * u), u)
    assert lim.methods["monotonicity"].startswith("proved")
    assert lim.leading_constant == sp.Rational(2, 3) * sp.log(2) ** 2


# -- item 9: expansions and breakpoints ------------------------------------------------------------

def test_expansion_and_density_refuse_increasing_phi():
    with pytest.raises(SymschedError, match="non-increasing"):
        expected_kl_expansion(u, u)
    with pytest.raises(SymschedError, match="non-increasing"):
        optimal_density(u, u)


def test_breakpoints_out_of_order_refused():
    with pytest.raises(SymschedError, match=r"strictly increasing.*breakpoints\[2\] = 3"):
        exact_breakpoint_kl(1 - u, [0, 7, 3, 10], 10, u)
    with pytest.raises(SymschedError, match=r"strictly increasing.*grid\[2\] = 0.3"):
        riemann_error(1 - u, [0, 0.7, 0.3, 1], u)
    with pytest.raises(SymschedError, match="u_K = 2"):
        riemann_error(1 - u, [0, 0.5, 2], u)


def test_in_order_breakpoints_unchanged():
    # E KL of an integer schedule = the discrete identity, summed by hand
    N, s = 10, [0, 3, 7, 10]
    with mpmath.workdps(40):
        h = [1 / (1 + 3 * mpmath.mpf(j) / N) for j in range(N)]
        direct = sum((b - a) * h[a] for a, b in zip(s, s[1:])) - sum(h)
    assert abs(exact_breakpoint_kl(1 / (1 + 3 * u), s, N, u) - direct) < mpmath.mpf(10) ** -25
    # R on a grid of a linear phi: sum (du)(1 - u_{t-1}) - 1/2, by hand
    g = [0, sp.Rational(1, 4), 1]
    assert abs(riemann_error(1 - u, g, u) - (sp.Rational(1, 4) + sp.Rational(3, 4) * sp.Rational(3, 4) - HALF)) < 1e-25


def test_optimal_expansion_with_f_zero_at_an_end_is_refused_clearly():
    # f = 2u vanishes at 0: kappa* is infinite there; used to give nan then a raw TypeError
    with pytest.raises(SymschedError, match=r"f\(0\) = 0"):
        expected_kl_expansion(1 - u ** 2, u, "optimal", order=2)


# -- numerical edges: piecewise phi whose f jumps --------------------------------------------------

# phi >= 0 on [0, 1] (h_j are entropies; a phi ending below 0 is refused): 1 + the original piecewise line,
# the same f = -phi' and so the same G and breakpoints
PIECE = sp.Piecewise((2 - 4 * u, u < sp.Rational(1, 3)), (sp.Rational(2, 3) - (u - sp.Rational(1, 3)), True))


def test_piecewise_cdf_and_breakpoints_exact_digits():
    # sqrt f = 2 on [0, 1/3), 1 on (1/3, 1]: G(1/3) = (2/3)/(4/3) = 1/2, G(2/3) = 3/4 (by hand)
    lim = ss.riemann_limit(PIECE, u)
    assert abs(lim.cdf_value(sp.Rational(1, 3)) - mpmath.mpf(1) / 2) < mpmath.mpf(10) ** -28
    expected = [0, sp.Rational(1, 6), sp.Rational(1, 3), sp.Rational(2, 3), 1]
    for b, e in zip(lim.breakpoints(4), expected):
        assert abs(sp.N(b - e, 40)) < 1e-28


def test_piecewise_results_do_not_depend_on_earlier_calls():
    a = ss.riemann_limit(PIECE, u)
    first = a.breakpoints(4)
    b = ss.riemann_limit(PIECE, u)
    b.cdf_value(sp.Rational(1, 7))
    b.cdf_value(sp.Rational(5, 9))
    b.breakpoints(7)
    assert b.breakpoints(4) == first


def test_kink_from_max_is_split():
    # f = 1 on [0, 1/2), 4 on (1/2, 1]: sqrt f integrates to 3/2; the median is 5/8 (by hand)
    lim = ss.riemann_limit(3 - u - 3 * sp.Max(0, u - HALF), u)  # phi(1) = 1/2 >= 0 (h_j are entropies)
    assert abs(sp.N(lim.breakpoints(2)[1] - sp.Rational(5, 8), 40)) < 1e-28


# -- docs/concepts.md: L(2.5) for phi = 1/(1+3u) ---------------------------------------------------

def test_docs_quantized_example_numbers():
    text = (Path(__file__).resolve().parents[1] / "docs" / "concepts.md").read_text()
    m = re.search(r"optimum is ([0-9.]+) at `N = 300` and ([0-9.]+) at `N = 600`, `L\(2\.5\) = ([0-9.]+)`", text)
    assert m, "the worked example moved: update this test"
    at300, at600, L_doc = map(float, m.groups())
    exact = {N: dp_optimal_kl([1 / (1 + 3 * j / N) for j in range(N)], int(N / 2.5)) for N in (300, 600)}
    assert round(exact[300], 4) == at300 and round(exact[600], 4) == at600
    # O(1/N) convergence: Richardson extrapolation of the exact optima is an independent L(2.5)
    richardson = 2 * exact[600] - exact[300]
    L = float(ss.riemann_limit(1 / (1 + 3 * u), u).quantized(2.5).L)
    assert abs(L - richardson) < 1e-5
    assert round(L, 6) == L_doc


# -- formula strings are parsed, never executed ----------------------------------------------------

PAYLOADS = [
    "__import__('pathlib').Path('{f}').touch() or 1-u",
    "(1-u) + __import__('pathlib').Path('{f}').touch()",
    "exp(u).__class__.__init__.__globals__",
    "u.func",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "(lambda: __import__('os').system('touch {f}'))()",
    "open('{f}', 'w')",
    "eval('1')",
    "u[0]",
    "'1-u'",
    "u if u else 1",
    "__builtins__",
    "_u",
    "exp(x=u)",
    "exp(*[u])",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_refused_and_never_run(payload, tmp_path):
    target = tmp_path / "pwned"
    text = payload.format(f=target)
    with pytest.raises(SymschedError, match="formula"):
        parse_formula(text, {"u": u})
    with pytest.raises(SymschedError, match="formula"):
        ss.riemann_limit(text, u)
    with pytest.raises(SymschedError, match="formula"):
        expected_kl_expansion(text, u)
    assert not target.exists()


@pytest.mark.parametrize("text", ["9**9**9", "(10**999)**999", "u**(9**9)", "2**-100000", "1" * 300, "1e400",
                                  "(" * 300 + "u" + ")" * 300])
def test_huge_numbers_and_nesting_refused(text):
    with pytest.raises(SymschedError, match="formula"):
        parse_formula(text, {"u": u})


@pytest.mark.parametrize("text", ["1/(1+3*u)", "1 - u**2", "exp(-u) * log(2)", "sqrt(1 - u) + sin(u) * cos(u)",
                                  "2**10 * u", "-(u - 1)^3", "abs(u - 1) / 2 + max(u, 1)"])
def test_harmless_formulas_agree_with_sympy(text):
    # sympy's parser is trusted on these harmless strings (^ means power in ours, xor in Python)
    expected = sp.sympify(text.replace("^", "**"), locals={"u": u, "abs": sp.Abs, "max": sp.Max})
    assert sp.simplify(parse_formula(text, {"u": u}) - expected) == 0


def test_decimals_are_read_exactly():
    assert parse_formula("0.1*u", {"u": u}) == u / 10
    assert ss.riemann_limit("1 - 0.5*u", u).delta == HALF


def test_string_phi_keeps_the_callers_symbol():
    ur = sp.Symbol("u", real=True)
    assert ss.riemann_limit("1/(1+3*u)", ur).u is ur
    assert not os.path.exists("x")


def test_caret_is_a_power_with_power_precedence():
    # u^2/2 means (u**2)/2 and 0.1*u^2 means u**2/10 (Python's ^ would bind after * and /)
    assert parse_formula("u^2/2", {"u": u}) == u ** 2 / 2
    assert parse_formula("0.1 * u^2", {"u": u}) == u ** 2 / 10
    assert parse_formula("2^3^2", {"u": u}) == 2 ** 9
