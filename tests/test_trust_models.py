"""Issue #12 (models, arithmetic, cheap information routes): no silent wrong number, no crash, bounded costs.

Every expected value comes from an independent computation: closed forms, the log-domain brute force
and the mpmath references of tests/reference.py (which share no code with symsched).
"""

import math
import os
import tempfile
import warnings

import mpmath
import networkx as nx
import numpy as np
import pytest
import sympy as sp

import symsched as ss
from symsched.errors import InvalidModelError, ModelTooLargeError, SymschedError
from symsched.samplers.factorized import exact_sampler_kl, order_averaged_kl, sampler_law
from symsched.validation import check_budget, check_dps, check_log_base, check_NK, finite_real, positive_int

from reference import (brute_measures, brute_profile, entropy, ising_log_factors, log_domain_joint,
                       mp_beta_bernoulli_logp, mp_exchangeable_h, mp_ising_profile, mp_mixture_logp)

LOG2 = math.log(2)


def h2(p):
    return -sum(x * math.log(x) for x in (p, 1 - p) if x > 0)


# -- 1. every table goes through one complete check ------------------------------------------------
@pytest.mark.parametrize("table", [[0.5, 0.6], [3.0, 5.0], [0.5, 0.4], [1.0, float("nan")], [-0.5, 1.5]])
def test_parentless_float_cpd_checked(table):
    bn = ss.BayesianNetwork()
    bn.add_variable("A", 2)
    with pytest.raises(InvalidModelError, match="CPD of 'A'"):
        bn.set_cpd("A", table)


@pytest.mark.parametrize("table", [[0.5, 0.6], [3.0, 5.0]])
def test_other_one_row_tables_checked(table):
    with pytest.raises(InvalidModelError, match="sums to"):
        ss.markov_chain(2, table, [[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(InvalidModelError, match="sums to"):
        ss.independent(marginals=[table])


_BIF = """network n {{ }}
variable A {{ type discrete [ 2 ] {{ a0, a1 }}; }}
/* a block
   comment */
variable B {{ type discrete [ 2 ] {{ b0, b1 }}; }}
probability ( A ) {{ table {a}; }}
probability ( B | A ) {{
  (a0) 0.9, 0.1;
  (a1) 0.2, 0.8;{extra}
}}
"""


def _write_bif(a="0.5, 0.5", extra=""):
    d = tempfile.mkdtemp()
    path = os.path.join(d, "net.bif")
    with open(path, "w") as f:
        f.write(_BIF.format(a=a, extra=extra))
    return path


def test_bif_row_given_twice_refused_with_file_and_line():
    path = _write_bif(extra="\n  (a0) 0.3, 0.7;")
    with pytest.raises(InvalidModelError, match=r"net\.bif, line 10: .*'B'.*\(a0\).*line 8"):
        ss.read_bif(path)
    ok = ss.read_bif(_write_bif())
    assert ok.cpd("B")[1].tolist() == [[0.9, 0.1], [0.2, 0.8]]


@pytest.mark.parametrize("tol", [-1e-4, float("nan"), float("inf"), 0.5])
def test_bif_bad_row_tolerance_refused(tol):
    with pytest.raises(SymschedError, match="row_tolerance"):
        ss.read_bif(_write_bif(), row_tolerance=tol)


@pytest.mark.parametrize("tol", [0, 1e-4])
def test_bif_parentless_bad_row_refused_at_any_tolerance(tol):
    with pytest.raises(InvalidModelError, match="'A'"):
        ss.read_bif(_write_bif(a="0.5, 0.6"), row_tolerance=tol)


# -- 2. samplers: raw joint arrays are validated like from_joint ----------------------------------------
@pytest.mark.parametrize("joint", [np.array([0.3, 0.3]), np.array([1.2, -0.2]), np.array([np.nan, 1.0]),
                                   np.array([0.5, 0.5j])])
def test_sampler_functions_refuse_bad_raw_joint(joint):
    for f in (lambda: exact_sampler_kl(joint, [1]), lambda: order_averaged_kl(joint, [1]),
              lambda: sampler_law(joint, [1]), lambda: ss.euler_kl(joint, [0, 1]) if hasattr(ss, "euler_kl")
              else exact_sampler_kl(joint, [1])):
        with pytest.raises(ValueError):
            f()


def test_sampler_raw_joint_still_works():
    p = np.array([[0.4, 0.1], [0.1, 0.4]])
    assert exact_sampler_kl(p, [2]) == pytest.approx(
        sum(p[a, b] * math.log(p[a, b] / (0.25)) for a in range(2) for b in range(2)), abs=1e-12)


def test_divergences_refuse_bad_laws():
    from symsched.samplers.conditionals import kl_divergence, tv_distance

    with pytest.raises(ValueError):
        kl_divergence(np.array([0.3, 0.3]), np.array([0.5, 0.5]))
    with pytest.raises(ValueError):
        tv_distance(np.array([0.5, 0.5]), np.array([np.nan, 1.0]))


# -- 3. MRFs with huge couplings and potentials ---------------------------------------------------------
@pytest.mark.parametrize("J", [400.0, 1e300, 1e308, -1e308])
def test_ising_path_huge_coupling_closed_form(J):
    prof = ss.information_profile(ss.ising(nx.path_graph(3), J))
    # two ground states (all equal, or alternating), every other configuration has relative weight <= e^-800;
    # at |J| ~ 1e308 the sum of the log-potentials overflows unless it is taken in units of the largest one
    assert prof.h == pytest.approx((LOG2, 0.0, 0.0), abs=1e-14)


@pytest.mark.parametrize("side,J", [(4, 30.0), (3, -30.0), (3, 0.7)])
def test_ising_grid_against_log_domain_brute_force(side, J):
    g = nx.grid_2d_graph(side, side)
    n = side * side
    pos = {v: i for i, v in enumerate(g.nodes)}
    edges = [(pos[u], pos[v]) for u, v in g.edges]
    ref = log_domain_joint(n, ising_log_factors(edges, J))
    H, tc, _ = brute_measures(ref)
    h0 = np.mean([entropy(ref.sum(axis=tuple(k for k in range(n) if k != i))) for i in range(n)])
    prof = ss.information_profile(ss.ising(g, J))
    assert prof.entropy == pytest.approx(H, abs=1e-10)
    assert prof.h[0] == pytest.approx(h0, abs=1e-10)
    assert prof.total_correlation == pytest.approx(tc, abs=1e-9)
    assert min(prof.h) >= -1e-12


def test_frustrated_triangle_any_coupling():
    # antiferromagnetic triangle: the six configurations with one unsatisfied edge share the mass
    for J in (-400.0, -1e4, -1e308):
        prof = ss.information_profile(ss.ising(nx.cycle_graph(3), J))
        assert prof.entropy == pytest.approx(math.log(6), abs=1e-12)
        ref_h, _ = brute_profile(np.array([[[0, 1], [1, 1]], [[1, 1], [1, 0]]]) / 6.0)
        assert prof.h == pytest.approx(ref_h, abs=1e-12)


def test_mrf_potentials_1e300():
    mrf = ss.MarkovRandomField()
    for v in "ABC":
        mrf.add_variable(v, 2)
    mrf.add_factor(["A", "B"], [[1e300, 1.0], [2.0, 1e300]])
    mrf.add_factor(["B", "C"], [[1e300, 3.0], [1.0, 1e300]])
    mrf.add_factor(["A"], [1e300, 5e299])
    logs = {("A", "B"): np.log([[1e300, 1.0], [2.0, 1e300]]), ("B", "C"): np.log([[1e300, 3.0], [1.0, 1e300]]),
            ("A",): np.log([1e300, 5e299])}
    ref = log_domain_joint(3, [((0, 1), lambda a, b: logs[("A", "B")][a, b]),
                               ((1, 2), lambda a, b: logs[("B", "C")][a, b]),
                               ((0,), lambda a: logs[("A",)][a])])
    joint = mrf.joint()
    assert np.all(np.isfinite(joint)) and joint.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.allclose(joint, ref, atol=1e-15)
    assert ss.information_profile(mrf).h == pytest.approx(brute_profile(ref)[0], abs=1e-12)
    with pytest.raises(SymschedError, match="float range"):
        mrf.partition_function()
    z = mrf.partition_function(precision="mpmath", dps=30)
    assert mpmath.log(z) == pytest.approx(math.log(1e300) * 3 + math.log(1 + 0.5), rel=1e-12)


def test_potts_huge_coupling():
    prof = ss.information_profile(ss.potts(nx.path_graph(3), 3, 900.0))
    assert prof.h == pytest.approx((math.log(3), 0.0, 0.0), abs=1e-14)


@pytest.mark.parametrize("J", ["1/3", "-0.71"])
def test_ising_mpf_parameters_every_digit(J):
    dps = 40
    with mpmath.workdps(dps + 10):
        Jm = mpmath.mpf(sp.Rational(J).p) / sp.Rational(J).q
    edges = [(0, 1), (1, 2), (0, 2)]
    ref = mp_ising_profile(3, edges, Jm, dps)
    prof = ss.information_profile(ss.ising(nx.cycle_graph(3), Jm), precision="mpmath", dps=dps)
    for x, y in zip(prof.h, ref):
        assert abs(x - y) < mpmath.mpf(10) ** (-dps + 2)


def test_potts_mpf_parameters_every_digit():
    dps = 35
    with mpmath.workdps(dps + 10):
        J = mpmath.mpf(2) / 7
        r = mpmath.exp(J) / (mpmath.exp(J) + 2)  # P(X2 = X1) on a 3-state Potts edge
        ref_h1 = -(r * mpmath.log(r) + 2 * ((1 - r) / 2) * mpmath.log((1 - r) / 2))
    prof = ss.information_profile(ss.potts(nx.path_graph(2), 3, J), precision="mpmath", dps=dps)
    with mpmath.workdps(dps + 10):
        assert abs(prof.h[1] - ref_h1) < mpmath.mpf(10) ** (-dps + 2)
        assert abs(prof.h[0] - mpmath.log(3)) < mpmath.mpf(10) ** (-dps + 2)


# -- 4. Beta–Bernoulli with huge parameters ------------------------------------------------------------
@pytest.mark.parametrize("a,b", [(1e15, 1e15), (1e13, 1e13), (3e12, 7e14), (0.5, 1e14)])
def test_beta_bernoulli_huge_parameters_against_mpmath(a, b):
    prof = ss.information_profile(ss.beta_bernoulli(3, a, b))
    logp = mp_beta_bernoulli_logp(a, b)
    for j in range(3):
        ref = float(mp_exchangeable_h(j, logp, dps=60))
        assert prof.h[j] == pytest.approx(ref, abs=1e-13)
    assert all(x <= LOG2 + 1e-15 for x in prof.h)


# -- exchangeable float profiles hold to ~1e-12 at every N ------------------------------------------------
@pytest.mark.parametrize("model,logp,js", [
    (ss.beta_bernoulli(3000, 1.0, 1.0), mp_beta_bernoulli_logp(1, 1), [0, 1, 999, 2998, 2999]),
    (ss.beta_bernoulli(3000, 0.5, 2.5), mp_beta_bernoulli_logp(0.5, 2.5), [0, 7, 1500, 2999]),
    (ss.product_mixture(2000, [0.3, 0.7], [[0.8, 0.2], [0.25, 0.75]]),
     mp_mixture_logp([0.3, 0.7], [0.2, 0.75]), [0, 3, 1000, 1999]),
])
def test_exchangeable_profiles_accurate_at_large_N(model, logp, js):
    prof = ss.information_profile(model)
    for j in js:
        ref = float(mp_exchangeable_h(j, logp, dps=30))
        assert abs(prof.h[j] - ref) < 1e-12, (j, prof.h[j], ref)
    assert all(prof.h[j + 1] <= prof.h[j] + 1e-15 for j in range(model.N - 1))


def test_beta_bernoulli_uniform_closed_form():
    # a = b = 1: the count of ones among j tokens is uniform on 0..j, next-token law (k+1)/(j+2)
    prof = ss.information_profile(ss.beta_bernoulli(1030, 1.0, 1.0))
    for j in (0, 1, 10, 1029):
        ref = math.fsum(h2((k + 1) / (j + 2)) for k in range(j + 1)) / (j + 1)
        assert prof.h[j] == pytest.approx(ref, abs=1e-12)


def test_exchangeable_base_two():
    prof = ss.information_profile(ss.beta_bernoulli(5, 2.0, 3.0), base=2)
    nats = ss.information_profile(ss.beta_bernoulli(5, 2.0, 3.0))
    assert prof.h == pytest.approx([x / LOG2 for x in nats.h], abs=1e-14)
    sym = ss.information_profile(ss.beta_bernoulli(5, 2, 3), precision="symbolic")
    assert [float(x) for x in sym.h] == pytest.approx(nats.h, abs=1e-13)


# -- crashes on large N -----------------------------------------------------------------------------------
def test_large_N_closed_forms():
    p = ss.information_profile(ss.independent(1100, [0.3, 0.7]))
    assert p.h == pytest.approx([h2(0.3)] * 1100, abs=1e-13)
    p = ss.information_profile(ss.parity_model(1100))
    assert p.h[:-1] == pytest.approx([LOG2] * 1099, abs=1e-13) and p.h[-1] == pytest.approx(0, abs=1e-13)
    p = ss.information_profile(ss.copy_model(1100, 3))
    assert p.h[0] == pytest.approx(math.log(3), abs=1e-14) and max(p.h[1:]) == pytest.approx(0, abs=1e-14)


def test_cost_estimate_never_overflows():
    g = nx.empty_graph(700)
    with pytest.raises(ModelTooLargeError) as exc:
        ss.information_profile(ss.ising(g, 0.1), method="exact")
    assert exc.value.estimate == math.inf or exc.value.estimate > 1e300
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ModelTooLargeError):  # auto falls back to Monte Carlo, which refuses too
            ss.information_profile(ss.ising(g, 0.1), method="auto")


def test_markov_chain_one_token():
    m = ss.markov_chain(1, [0.3, 0.7], [[0.5, 0.5], [0.5, 0.5]])
    assert ss.information_profile(m).h == pytest.approx((h2(0.3),), abs=1e-15)
    assert ss.information_profile(m, precision="symbolic").N == 1


def test_exchangeable_cost_check():
    q = 10
    comps = np.full((2, q), 1.0 / q)
    m = ss.product_mixture(30, [0.5, 0.5], comps)
    with pytest.raises(ModelTooLargeError, match="symbol-count vectors") as exc:
        ss.information_profile(m, method="exact")
    assert exc.value.estimate == math.comb(40, 10) * 10 * 2
    # within budget the same route is exact: compare with the brute force on the joint
    small = ss.product_mixture(4, [0.4, 0.6], [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])
    assert ss.information_profile(small).h == pytest.approx(brute_profile(small.joint())[0], abs=1e-13)


def test_dps_and_budget_arguments():
    with pytest.raises(ModelTooLargeError, match="dps"):
        ss.information_profile(ss.copy_model(2), precision="mpmath", dps=10 ** 7)
    with pytest.raises(SymschedError, match="max_cost"):
        ss.information_profile(ss.copy_model(2), max_cost=float("nan"))
    with pytest.raises(SymschedError, match="max_cost"):
        ss.information_profile(ss.copy_model(2), max_cost=-1)
    for base in (float("inf"), float("nan"), 1, 0.5, sp.I):
        with pytest.raises(SymschedError, match="base"):
            ss.information_profile(ss.copy_model(2), base=base)
    with pytest.raises(SymschedError, match="max_entries"):
        ss.copy_model(2).joint(max_entries=float("nan"))


# -- 5. copies at the boundary ------------------------------------------------------------------------
def test_from_joint_copies_the_callers_array():
    J = np.array([[0.4, 0.1], [0.1, 0.4]])
    m = ss.from_joint(J)
    J[0, 0] = 0.9
    assert m.joint()[0, 0] == 0.4


def test_set_cpd_and_add_factor_leave_the_callers_array_writable():
    t = np.array([0.25, 0.75])
    bn = ss.BayesianNetwork()
    bn.add_variable("A", 2)
    bn.set_cpd("A", t)
    assert t.flags.writeable
    t[0] = 0.5
    assert bn.cpd("A")[1].tolist() == [0.25, 0.75]
    f = np.array([[2.0, 1.0], [1.0, 2.0]])
    mrf = ss.MarkovRandomField()
    mrf.add_variable("A", 2)
    mrf.add_variable("B", 2)
    mrf.add_factor(["A", "B"], f)
    assert f.flags.writeable
    f[0, 0] = 100.0
    assert mrf.joint()[0, 0] == pytest.approx(2 / 6, abs=1e-15)


# -- 6. complex entries, parameters non-positive by their assumptions -------------------------------------
def test_complex_entries_refused():
    with pytest.raises(InvalidModelError, match="real"):
        ss.from_joint([sp.I, 1 - sp.I])
    bn = ss.BayesianNetwork()
    bn.add_variable("A", 2)
    with pytest.raises(InvalidModelError, match="real"):
        bn.set_cpd("A", [sp.Rational(1, 2) + sp.I, sp.Rational(1, 2) - sp.I])
    x = sp.Symbol("x", real=True)
    ss.from_joint([x, 1 - x])  # a real symbol may be a probability


def test_beta_parameters_checked_through_assumptions():
    a = sp.Symbol("a", positive=True)
    for bad in (-a, 1 - a - 1, a * sp.I, -1, 0, float("nan"), sp.I):
        with pytest.raises(InvalidModelError, match="beta_bernoulli"):
            ss.beta_bernoulli(2, bad, 1)
    ss.beta_bernoulli(2, a, 1)
    ss.beta_bernoulli(2, sp.Symbol("c"), 1)  # no assumption: allowed, values are checked on substitution


# -- shared argument checkers (issue #13) -------------------------------------------------------------
def test_shared_checkers():
    assert positive_int(np.int64(3), "N") == 3 and type(positive_int(np.int64(3), "N")) is int
    for bad in (0, -1, 2.0, True, "3", None):
        with pytest.raises(SymschedError, match="N must be a positive integer"):
            positive_int(bad, "N")
    assert check_NK(5, 5) == (5, 5)
    with pytest.raises(SymschedError, match="K = 6"):
        check_NK(5, 6, "f")
    assert check_NK(5, 6, allow_zero=True) == (5, 6)
    assert finite_real(sp.Rational(1, 4), "x") == 0.25
    for bad in (math.nan, math.inf, 1j, sp.Symbol("t"), "1", True):
        with pytest.raises(SymschedError, match="x must be a finite real number"):
            finite_real(bad, "x")
    assert check_budget(None) is None and check_budget(math.inf) == math.inf
    with pytest.raises(SymschedError):
        check_budget(math.nan)
    assert check_dps(30) == 30
    assert check_log_base(2) == 2 and check_log_base(sp.E) == sp.E


# -- issue #13: one automorphism matcher that never touches the user's graph; no import cycle in models ---
def test_automorphisms_leave_the_users_graph_alone():
    import copy

    bn = ss.markov_chain(3, [0.5, 0.5], [[0.9, 0.1], [0.1, 0.9]])
    bn.nodes["X2"]["_sym_key"] = "mine"  # a user attribute with the name the old matchers stamped
    before = copy.deepcopy(dict(bn.nodes(data=True)))
    bn.distribution_automorphisms()
    assert dict(bn.nodes(data=True)).keys() == before.keys()
    assert all(set(bn.nodes[v]) == set(before[v]) for v in bn.nodes)
    assert bn.nodes["X2"]["_sym_key"] == "mine"
    mrf = ss.ising(nx.cycle_graph(4), 0.3)
    mrf.edges[0, 1]["_sym_key"] = "edge attr"
    mrf.nodes[2]["_sym_key"] = "node attr"
    perms = mrf.distribution_automorphisms()
    assert len(perms) == 8
    assert mrf.edges[0, 1]["_sym_key"] == "edge attr" and mrf.nodes[2]["_sym_key"] == "node attr"
    assert all("_sym_key" not in d for u, v, d in mrf.edges(data=True) if (u, v) != (0, 1))
    # every permutation preserves the joint (checked on the table itself)
    p = mrf.joint()
    for pi in perms:
        assert np.allclose(np.transpose(p, np.argsort(pi)), p, atol=1e-15)


def test_models_package_has_no_import_cycle():
    import ast
    import pathlib

    root = pathlib.Path(ss.__file__).parent / "models"
    graph = {}
    for f in root.glob("*.py"):
        deps = set()
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                deps.add(node.module.split(".")[0])
        graph[f.stem] = deps & {g.stem for g in root.glob("*.py")}
    g = nx.DiGraph([(a, b) for a, bs in graph.items() for b in bs])
    assert list(nx.simple_cycles(g)) == []


def test_from_joint_budget_and_fast_validation():
    from fractions import Fraction

    from symsched.models.table import MAX_OBJECT_ENTRIES

    big = np.empty(MAX_OBJECT_ENTRIES + 1, dtype=object)
    big[:] = Fraction(1, MAX_OBJECT_ENTRIES + 1)
    with pytest.raises(ModelTooLargeError, match="float entries"):
        ss.from_joint(big)
    # a large float table is validated at C speed (its sum still checked)
    bad = np.full(2 ** 18, 1.0 / 2 ** 18)
    bad[0] += 1e-3
    with pytest.raises(InvalidModelError, match="sums to"):
        ss.from_joint(bad.reshape((2,) * 18))


# -- properties ------------------------------------------------------------------------------------------
from hypothesis import given, strategies as st  # noqa: E402


@given(st.lists(st.floats(-800.0, 800.0), min_size=12, max_size=12))
def test_mrf_any_finite_log_potentials_property(logs):
    """Pairwise factors exp(L) with |L| up to 800 (far beyond the float range when multiplied) on a 3-cycle."""
    scopes = [(0, 1), (1, 2), (0, 2)]
    tables = [np.array(logs[4 * i:4 * i + 4]).reshape(2, 2) for i in range(3)]
    mrf = ss.MarkovRandomField()
    for v in range(3):
        mrf.add_variable(v, 2)
    for sc, t in zip(scopes, tables):
        # potentials as exact exponentials of the float exponents: any size is representable
        mrf.add_factor(list(sc), [[sp.exp(sp.Float(x)) for x in row] for row in t])
    ref = log_domain_joint(3, [(sc, (lambda t: (lambda a, b: t[a, b]))(t)) for sc, t in zip(scopes, tables)])
    assert np.allclose(mrf.joint(), ref, atol=1e-12)
    assert ss.information_profile(mrf).h == pytest.approx(brute_profile(ref)[0], abs=1e-9)


@given(st.integers(1, 7), st.floats(0.05, 50.0), st.floats(0.05, 50.0))
def test_beta_bernoulli_float_route_matches_brute_force(n, a, b):
    m = ss.beta_bernoulli(n, a, b)
    assert ss.information_profile(m).h == pytest.approx(brute_profile(m.joint())[0], abs=1e-12)


def test_mrf_exact_integer_potential_beyond_float_range():
    mrf = ss.MarkovRandomField()
    mrf.add_variable("A", 2)
    mrf.add_variable("B", 2)
    mrf.add_factor(["A"], [10 ** 400, 1])
    mrf.add_factor(["A", "B"], [[1.0, 2.0], [3.0, 4.0]])
    # A = 0 with probability 1 - 1e-400; then B ~ (1/3, 2/3)
    ref = np.array([[1 / 3, 2 / 3], [0.0, 0.0]])
    assert np.allclose(mrf.joint(), ref, atol=1e-15)
    assert ss.information_profile(mrf).h == pytest.approx(brute_profile(ref)[0], abs=1e-14)
