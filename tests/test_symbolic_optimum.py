"""Optimal schedules of profiles with free symbols (issue 29, "Symbolic optima").

References share no code with the symbolic route: the float optimum (the float DP of optimal_schedule /
optimal_frontier on the float profile of the same chain) and, independently of symsched, the brute-force
profile of the chain's explicit joint table with the identity ``sum_t k_t h_{s_{t-1}} - H`` over every
composition (tests/reference.py).  The 4-token crossover is located by float bisection on that brute-force
difference.
"""

import re
import shutil
import subprocess

import numpy as np
import pytest
import sympy as sp

import symsched as ss

from reference import brute_profile, compositions, identity_kl, symmetric_chain_joint

EPS = sp.Symbol("epsilon", positive=True)
VALUES = np.linspace(0.012, 0.488, 20)  # 20 parameter values in (0, 1/2)


@pytest.fixture(scope="module")
def chain3():
    return ss.information_profile(ss.binary_symmetric_chain(3, EPS), precision="symbolic")


@pytest.fixture(scope="module")
def opt4():
    prof = ss.information_profile(ss.binary_symmetric_chain(4, EPS), precision="symbolic")
    return ss.optimal_schedule(prof, 2, domain=(0, sp.Rational(1, 2)))


def _value(expr, v):
    """A symbolic value at eps = v (the exact binary value of v), evaluated at 30 digits."""
    return float(sp.N(sp.sympify(expr).subs(EPS, sp.Rational(v)), 30))


def _brute(n, v, K):
    h, _ = brute_profile(symmetric_chain_joint(n, v))
    return min((identity_kl(h, c), c) for c in compositions(n, K))


def _same_argmin(prof_float, sizes, expected_sizes):
    """Equal sizes, or a tie: both schedules' values agree within 1e-12 on the float profile."""
    if tuple(sizes) == tuple(expected_sizes):
        return True
    return abs(ss.expected_kl(prof_float, sizes) - ss.expected_kl(prof_float, expected_sizes)) < 1e-12


def test_three_token_chain_two_steps_matches_the_float_optimum(chain3):
    res = ss.optimal_schedule(chain3, 2)
    assert isinstance(res, ss.SymbolicOptimum) and res.symbols == (EPS,)
    assert {s for s, _ in res.candidates} == {(1, 2), (2, 1)}
    for sizes, expr in res.candidates:  # each candidate is the package's E KL formula
        assert sp.simplify(expr - ss.expected_kl(chain3, sizes)) == 0
    for v in VALUES:
        prof_f = ss.information_profile(ss.binary_symmetric_chain(3, float(v)))
        best = ss.optimal_schedule(prof_f, 2)
        assert _value(res.optimum, v) == pytest.approx(best.kl, abs=1e-12)
        assert _value(res.optimum, v) == pytest.approx(_brute(3, v, 2)[0], abs=1e-12)
        at = res.at(float(v))
        assert float(at.kl) == pytest.approx(best.kl, abs=1e-12)
        assert _same_argmin(prof_f, at.sizes, best.sizes), (v, at.sizes, best.sizes)
        assert _same_argmin(prof_f, res.sizes_at(float(v)), _brute(3, v, 2)[1])


def test_frontier_matches_the_float_frontier(chain3):
    front = ss.optimal_frontier(chain3)
    assert isinstance(front, ss.SymbolicFrontier) and len(front) == 3
    for v in VALUES:
        prof_f = ss.information_profile(ss.binary_symmetric_chain(3, float(v)))
        ref = ss.optimal_frontier(prof_f)
        at = front.at(float(v))
        for K in range(1, 4):
            assert _value(front[K - 1], v) == pytest.approx(ref[K - 1], abs=1e-12), (v, K)
            assert _value(front[K - 1], v) == pytest.approx(_brute(3, v, K)[0], abs=1e-12), (v, K)
            assert _same_argmin(prof_f, at[K - 1].sizes, ref.schedule(K).sizes), (v, K)


def _reference_crossover():
    """Where (1, 3) and (2, 2) cross for the 4-token chain: scan, then bisect the brute-force difference."""
    def d(v):
        h, _ = brute_profile(symmetric_chain_joint(4, v))
        return identity_kl(h, (1, 3)) - identity_kl(h, (2, 2))

    grid = np.linspace(0.01, 0.49, 49)
    signs = np.sign([d(v) for v in grid])
    changes = np.flatnonzero(signs[:-1] != signs[1:])
    assert len(changes) == 1  # one crossing in (0, 1/2)
    lo, hi = grid[changes[0]], grid[changes[0] + 1]
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if np.sign(d(mid)) == np.sign(d(lo)) else (lo, mid)
    return (lo + hi) / 2, np.sign(d(lo))


def test_four_token_crossover_located_and_certified(opt4):
    ref, left_sign = _reference_crossover()
    assert len(opt4.crossovers) == 1
    c = opt4.crossovers[0]
    assert abs(float(c.location) - ref) < 1e-10, (c.location, ref)
    assert c.certified and not c.exact and "interval arithmetic" in c.how
    assert float(c.bracket[0]) <= float(c.location) <= float(c.bracket[1])
    # left of the crossing (1, 3) is optimal when its E KL is the smaller one there
    assert (c.left, c.right) == (((1, 3), (2, 2)) if left_sign < 0 else ((2, 2), (1, 3)))
    assert isinstance(opt4.optimum, sp.Piecewise) and len(opt4.regions) == 2
    for v in (ref - 1e-6, ref + 1e-6, 0.05, 0.4):  # argmin and value on both sides, against brute force
        kl, sizes = _brute(4, v, 2)
        assert opt4.sizes_at(v) == sizes and opt4.at(v).sizes == sizes
        assert _value(opt4.optimum, v) == pytest.approx(kl, abs=1e-12)


def test_exact_crossover_of_a_rational_profile():
    u = sp.Symbol("u", positive=True)
    h = [1, 1 - u, (1 - u) / 2]
    # E(1,2) - E(2,1) = 2 h_1 - h_0 - h_2 = 3 (1 - u) / 2 - 1: zero at u = 1/3, by hand
    res = ss.optimal_schedule(h, 2, domain=(0, 1))
    (c,) = res.crossovers
    assert c.exact and c.certified and c.location == sp.Rational(1, 3)
    assert (c.left, c.right) == ((2, 1), (1, 2))  # E(2,1) = u is the smaller one below 1/3
    # an unbounded domain (u > 0) is not split, and says so
    free = ss.optimal_schedule(h, 2)
    assert not free.split and not free.regions and isinstance(free.optimum, sp.Min) and "domain" in free.note
    assert free.at(0.25).sizes == (2, 1) and free.at(0.5).sizes == (1, 2)


def test_several_symbols_give_the_minimum_and_evaluate_exactly():
    a, b = sp.symbols("a b", positive=True)
    res = ss.optimal_schedule([a + b, a, b], 2)
    assert not res.split and "2 free symbols" in res.note and isinstance(res.optimum, sp.Min)
    for va, vb in [(0.5, 0.2), (0.5, 0.3), (sp.Rational(3, 4), sp.Rational(1, 2))]:
        h = [float(va + vb), float(va), float(vb)]
        at = res.at({a: va, b: vb})
        assert float(at.kl) == pytest.approx(ss.optimal_schedule(h, 2).kl, abs=1e-12)
        assert float(at.kl) == pytest.approx(min(identity_kl(h, c) for c in compositions(3, 2)), abs=1e-12)


def test_identical_candidates_are_pruned_only_when_proved():
    u = sp.Symbol("u", positive=True)
    # h_1 = h_2 = h_3: (1, 1, 2) and (1, 2, 1) both cost h_0 + 3u - H = 0, identically; the DP's tie order
    # keeps (1, 1, 2) (smaller s_2)
    res = ss.optimal_schedule([1, u, u, u], 3, domain=(0, 1))
    assert {p[0]: p[1] for p in res.pruned} == {(1, 2, 1): (1, 1, 2)}
    assert [s for s, _ in res.candidates] == [(1, 1, 2), (2, 1, 1)]
    h = [1, 0.4, 0.4, 0.4]
    assert identity_kl(h, (1, 2, 1)) == pytest.approx(identity_kl(h, (1, 1, 2)), abs=1e-15)
    assert float(res.at(0.4).kl) == pytest.approx(min(identity_kl(h, c) for c in compositions(4, 3)), abs=1e-12)
    # a plain sequence: h_0 = h_1 makes (1, 2) never better than (2, 1) only if h_1 >= h_2, which is not
    # known for given values, so both stay
    assert len(ss.optimal_schedule([1, 1, u], 2, domain=(0, 1)).candidates) == 2


def _compile(tex, tmp_path):
    doc = "\n".join([r"\documentclass{article}", ss.latex_preamble(), r"\begin{document}", rf"\[ {tex} \]",
                     r"\end{document}", ""])
    (tmp_path / "s.tex").write_text(doc)
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "s.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    return run, (tmp_path / "s.log").read_text(errors="replace")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed: LaTeX not compiled")
def test_latex_compiles_with_exactly_the_preamble(opt4, chain3, tmp_path):
    for tex in (opt4.latex(), ss.optimal_frontier(chain3).latex()):
        assert r"\begin{cases}" in opt4.latex() and "$" not in tex
        run, log = _compile(tex, tmp_path)
        assert run.returncode == 0, run.stdout[-2000:]
        wide = [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
        assert all(w <= 5.0 for w in wide), wide


def test_display(opt4):
    text = str(opt4)
    assert "crossover (1, 3) -> (2, 2)" in text and "certified" in text and len(text.splitlines()) < 20
    assert "<table>" in opt4._repr_html_() and "certified" in opt4._repr_html_()
    assert repr(opt4).startswith("SymbolicOptimum(") and "\n" not in repr(opt4)
    with pytest.raises(TypeError, match="at"):
        float(opt4)
    d = opt4.to_dict()
    assert d["crossovers"][0]["certified"] is True and d["crossovers"][0]["left"] == [1, 3]


def test_bad_input_names_the_argument(chain3, opt4):
    with pytest.raises(ValueError, match="profile"):
        ss.optimal_schedule("not a profile", 2)
    for K in (0, 4):
        with pytest.raises(ValueError, match="K"):
            ss.optimal_schedule(chain3, K)
    with pytest.raises(ValueError, match="K = 5"):
        ss.optimal_frontier(chain3, Kmax=5)
    u = sp.Symbol("u", positive=True)
    with pytest.raises(ValueError, match=r"924 candidates.*MAX_SYMBOLIC_CANDIDATES.*subs"):
        ss.optimal_schedule([u / (j + 1) for j in range(13)], 7)
    with pytest.raises(ValueError, match="candidates"):
        ss.optimal_frontier([u / (j + 1) for j in range(11)])  # 2^10 = 1024 schedules over all K
    for bad in [(1, 0), (0,), "0..1", (0, sp.Symbol("z"))]:
        with pytest.raises(ValueError, match="domain"):
            ss.optimal_schedule(chain3, 2, domain=bad)
    with pytest.raises(ValueError, match="domain"):
        ss.optimal_schedule([0.7, 0.4, 0.1], 2, domain=(0, 1))  # no free symbols
    with pytest.raises(ValueError, match="value"):
        opt4.at(0.7)  # outside (0, 1/2)
    with pytest.raises(ValueError, match="value"):
        opt4.at("abc")
    with pytest.raises(ValueError, match="free symbols.*optimal_frontier"):
        ss.min_steps_for_kl(chain3, 0.1)
    with pytest.raises(ValueError, match="depends on epsilon.*at"):
        float(opt4.kl)  # code written for one schedule is refused with the way forward


@pytest.mark.slow
def test_five_token_chain_regions_match_the_float_dp():
    # several K, each with a crossover (near 0.0775 for K = 2, 0.034 for K = 3): the regions' schedule and the
    # Piecewise value against the float DP at 40 points of (0, 1/2)
    prof = ss.information_profile(ss.binary_symmetric_chain(5, EPS), precision="symbolic")
    for K in (2, 3):
        res = ss.optimal_schedule(prof, K, domain=(0, sp.Rational(1, 2)))
        assert len(res.crossovers) >= 1 and all(c.certified for c in res.crossovers)
        for v in np.linspace(0.005, 0.495, 40):
            prof_f = ss.information_profile(ss.binary_symmetric_chain(5, float(v)))
            best = ss.optimal_schedule(prof_f, K)
            assert _same_argmin(prof_f, res.sizes_at(float(v)), best.sizes), (K, v)
            assert _value(res.optimum, v) == pytest.approx(best.kl, abs=1e-12), (K, v)
