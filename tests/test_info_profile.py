"""Information profiles against brute force on explicit joint tables, closed forms and other precisions."""

import itertools
import math
import warnings
from fractions import Fraction

import mpmath
import networkx as nx
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

import symsched as ss
from symsched.errors import ModelTooLargeError, SymbolicValueError

LOG2 = math.log(2)


def H(q):
    q = np.asarray(q, dtype=float).ravel()
    q = q[q > 0]
    return float(-(q * np.log(q)).sum())


def brute_profile(p):
    """h_j by looping over all subsets of the explicit joint table (independent of symsched.info)."""
    n = p.ndim
    e = [0.0]
    for j in range(1, n + 1):
        vals = [H(p.sum(axis=tuple(k for k in range(n) if k not in T))) for T in itertools.combinations(range(n), j)]
        e.append(sum(vals) / len(vals))
    return np.array([e[j + 1] - e[j] for j in range(n)])


def random_bn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 7))
    bn = ss.BayesianNetwork()
    names = [f"V{i}" for i in range(n)]
    for v in names:
        bn.add_variable(v, states=int(rng.integers(2, 4)))
    for i, v in enumerate(names):
        parents = [names[k] for k in range(i) if rng.random() < 0.5][:2]
        shape = tuple(len(bn.states(p)) for p in parents) + (len(bn.states(v)),)
        t = rng.random(shape) ** 2 + 0.01
        bn.set_cpd(v, t / t.sum(axis=-1, keepdims=True), parents=parents)
    return bn


def random_mrf(seed):
    rng = np.random.default_rng(seed)
    g = nx.gnp_random_graph(5, 0.5, seed=seed)
    mrf = ss.MarkovRandomField()
    for v in g.nodes:
        mrf.add_variable(v, states=int(rng.integers(2, 4)))
    for a, b in g.edges:
        mrf.add_factor([a, b], rng.random((len(mrf.states(a)), len(mrf.states(b)))) + 0.1)
    for v in g.nodes:
        mrf.add_factor([v], rng.random(len(mrf.states(v))) + 0.1)
    return mrf


@pytest.mark.parametrize("seed", range(6))
def test_bayesian_network_matches_brute_force(seed):
    bn = random_bn(seed)
    prof = ss.information_profile(bn)
    np.testing.assert_allclose(prof.h, brute_profile(bn.joint()), atol=1e-12)
    assert prof.entropy == pytest.approx(H(bn.joint()), abs=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_mrf_matches_brute_force(seed):
    mrf = random_mrf(seed)
    np.testing.assert_allclose(ss.information_profile(mrf).h, brute_profile(mrf.joint()), atol=1e-12)


def test_orbit_merging_on_symmetric_ising():
    model = ss.ising(nx.cycle_graph(7), 0.5, field=0.2)
    prof = ss.information_profile(model)
    assert "symmetries" in prof.method  # the dihedral group was used
    np.testing.assert_allclose(prof.h, brute_profile(model.joint()), atol=1e-12)


@pytest.mark.parametrize("n,q", [(2, 2), (5, 3)])
def test_non_homogeneous_chain_formula(n, q):
    rng = np.random.default_rng(n * q)
    init = rng.random(q)
    mats = [rng.random((q, q)) ** 3 + 0.01 for _ in range(n - 1)]
    chain = ss.markov_chain(n, init / init.sum(), [m / m.sum(axis=1, keepdims=True) for m in mats])
    prof = ss.information_profile(chain)
    assert prof.method == "exact (chain)"
    np.testing.assert_allclose(prof.h, brute_profile(chain.joint()), atol=1e-12)


def test_chain_with_changing_state_counts():
    rng = np.random.default_rng(3)
    shapes = [(2, 3), (3, 4), (4, 2)]
    mats = [rng.random(s) + 0.1 for s in shapes]
    chain = ss.markov_chain(4, [0.4, 0.6], [m / m.sum(axis=1, keepdims=True) for m in mats])
    np.testing.assert_allclose(ss.information_profile(chain).h, brute_profile(chain.joint()), atol=1e-12)


def test_hmm_and_exchangeable_families_match_brute_force():
    hmm = ss.hidden_markov_model(5, [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]], [[[0.8, 0.2], [0.3, 0.7]]] * 5)
    np.testing.assert_allclose(ss.information_profile(hmm).h, brute_profile(hmm.joint()), atol=1e-12)
    for model in (ss.beta_bernoulli(6, 0.7, 1.3), ss.product_mixture(5, [0.3, 0.7], [[0.9, 0.1], [0.2, 0.8]]),
                  ss.independent(marginals=[[0.5, 0.5], [0.1, 0.2, 0.7], [0.3, 0.7]])):
        np.testing.assert_allclose(ss.information_profile(model).h, brute_profile(model.joint()), atol=1e-12)


@pytest.mark.parametrize("n", [2, 5])
def test_closed_forms_symbolic(n):
    copy = ss.information_profile(ss.copy_model(n, 3), precision="symbolic")
    assert copy.h == (sp.log(3),) + (0,) * (n - 1)
    assert sp.simplify(copy.total_correlation - (n - 1) * sp.log(3)) == 0
    assert sp.simplify(copy.dual_total_correlation - sp.log(3)) == 0
    parity = ss.information_profile(ss.parity_model(n), precision="symbolic")
    assert parity.h == (sp.log(2),) * (n - 1) + (0,)
    assert sp.simplify(parity.total_correlation - sp.log(2)) == 0
    assert sp.simplify(parity.dual_total_correlation - (n - 1) * sp.log(2)) == 0
    ind = ss.information_profile(ss.independent(n, 2), precision="symbolic")
    assert ind.h == (sp.log(2),) * n and ind.total_correlation == 0 and ind.dual_total_correlation == 0


def test_symbolic_chain_evaluates_to_float_result():
    eps = sp.Symbol("eps", positive=True)
    sym = ss.information_profile(ss.binary_symmetric_chain(4, eps), precision="symbolic")
    num = ss.information_profile(ss.binary_symmetric_chain(4, 0.1))
    assert sym.free_symbols if hasattr(sym, "free_symbols") else True
    np.testing.assert_allclose([float(x.subs(eps, sp.Rational(1, 10))) for x in sym.h], num.h, atol=1e-13)
    # the same model through the generic subset route (as an explicit table) agrees
    np.testing.assert_allclose(num.h, brute_profile(ss.binary_symmetric_chain(4, 0.1).joint()), atol=1e-13)


def test_mpmath_50_digits_agree_with_60():
    bn = ss.BayesianNetwork()
    bn.add_variable("A", 2)
    bn.add_variable("B", 3)
    bn.add_variable("C", 2)
    bn.set_cpd("A", [Fraction(1, 3), Fraction(2, 3)])
    bn.set_cpd("B", [[Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)],
                     [Fraction(1, 7), Fraction(2, 7), Fraction(4, 7)]],
               parents=["A"])
    bn.set_cpd("C", [[Fraction(9, 10), Fraction(1, 10)], [Fraction(1, 5), Fraction(4, 5)],
                     [Fraction(1, 2), Fraction(1, 2)]], parents=["B"])
    p50 = ss.information_profile(bn, precision="mpmath", dps=50)
    p60 = ss.information_profile(bn, precision="mpmath", dps=60)
    sym = ss.information_profile(bn, precision="symbolic")
    with mpmath.workdps(70):
        for a, b, s in zip(p50.h, p60.h, sym.h):
            assert abs(a - b) < mpmath.mpf(10) ** -50
            assert abs(b - mpmath.mpf(sp.N(s, 70))) < mpmath.mpf(10) ** -59
    np.testing.assert_allclose([float(x) for x in p50.h], ss.information_profile(bn).h, atol=1e-14)
    np.testing.assert_allclose([float(x) for x in p50.h], brute_profile(bn.joint()), atol=1e-14)


def test_direct_measures_and_base():
    bn = random_bn(11)
    p = bn.joint()
    n = p.ndim
    singles = sum(H(p.sum(axis=tuple(k for k in range(n) if k != i))) for i in range(n))
    loo = sum(H(p) - H(p.sum(axis=i)) for i in range(n))
    assert ss.total_correlation(bn) == pytest.approx(singles - H(p), abs=1e-12)
    assert ss.dual_total_correlation(bn) == pytest.approx(H(p) - loo, abs=1e-12)
    assert ss.o_information(bn) == pytest.approx(singles - H(p) - (H(p) - loo), abs=1e-12)
    bits = ss.information_profile(bn, base=2)
    np.testing.assert_allclose(bits.h, np.array(ss.information_profile(bn).h) / LOG2, atol=1e-12)
    bits_chain = ss.information_profile(ss.binary_symmetric_chain(5, 0.2), base=2)
    np.testing.assert_allclose(bits_chain.h, brute_profile(ss.binary_symmetric_chain(5, 0.2).joint()) / LOG2,
                               atol=1e-12)


def test_dit_cross_check():
    dit = pytest.importorskip("dit")
    rng = np.random.default_rng(5)
    p = rng.random((2, 2, 3)) + 0.05
    p /= p.sum()
    outcomes = [o for o in itertools.product(range(2), range(2), range(3))]
    d = dit.Distribution([''.join(map(str, o)) for o in outcomes], [p[o] for o in outcomes])
    prof = ss.information_profile(ss.from_joint(p), base=2)
    assert prof.total_correlation == pytest.approx(dit.multivariate.total_correlation(d), abs=1e-10)
    assert prof.dual_total_correlation == pytest.approx(dit.multivariate.dual_total_correlation(d), abs=1e-10)


@settings(max_examples=25)
@given(st.integers(0, 10_000), st.integers(2, 5))
def test_profile_invariants(seed, n):
    rng = np.random.default_rng(seed)
    p = rng.random((2,) * n) ** 4
    p /= p.sum()
    prof = ss.information_profile(ss.from_joint(p))
    h = np.array(prof.h)
    assert h.sum() == pytest.approx(H(p), abs=1e-12)
    assert np.all(np.diff(h) <= 1e-12)  # non-increasing
    e = np.array(prof.e)
    assert np.all(np.diff(e, 2) <= 1e-12)  # concave
    assert prof.total_correlation == pytest.approx(sum(h[0] - h), abs=1e-12)
    assert prof.dual_total_correlation == pytest.approx(sum(h - h[-1]), abs=1e-12)


def test_montecarlo_within_error_bars():
    bn = random_bn(2)
    exact = np.array(ss.information_profile(bn).h)
    mc = ss.information_profile(bn, method="montecarlo", stderr=0.02, seed=3)
    se = np.array(mc.stderr)
    sampled = se > 0
    assert np.all(np.abs((np.array(mc.h) - exact)[sampled] / se[sampled]) < 4.5)
    # h_0, h_1, h_{N-1} are computed exactly inside the estimate (docs/concepts.md, "Estimates")
    assert np.allclose(np.array(mc.h)[~sampled], exact[~sampled], atol=1e-12) and list(np.flatnonzero(~sampled)) == \
        [0, 1, bn.N - 1]
    assert mc.method.startswith("montecarlo") and not mc.exact and all(s <= 0.0205 for s in mc.stderr)


def test_montecarlo_variable_elimination_and_forward_paths(monkeypatch):
    import symsched.info.montecarlo as mc_mod

    monkeypatch.setattr(mc_mod, "JOINT_TABLE_LIMIT", 1)  # force VE / forward passes
    bn = random_bn(4)
    exact = np.array(ss.information_profile(bn).h)
    est = ss.information_profile(bn, method="montecarlo", stderr=0.03, seed=1)
    se = np.array(est.stderr)
    assert np.all(np.abs((np.array(est.h) - exact)[se > 0] / se[se > 0]) < 4.5)
    assert np.allclose((np.array(est.h) - exact)[se == 0], 0, atol=1e-12)  # exact pieces by elimination
    assert est.total_correlation == pytest.approx(ss.information_profile(bn).total_correlation, abs=1e-12)
    hmm = ss.hidden_markov_model(4, [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]], [[[0.8, 0.2], [0.3, 0.7]]] * 4)
    exact = np.array(ss.information_profile(hmm).h)
    est = ss.information_profile(hmm, method="montecarlo", stderr=0.03, seed=2)
    se = np.array(est.stderr)
    assert np.all(np.abs((np.array(est.h) - exact)[se > 0] / se[se > 0]) < 4.5)
    assert np.allclose((np.array(est.h) - exact)[se == 0], 0, atol=1e-12)


def test_montecarlo_stderr_shrinks_with_samples():
    bn = random_bn(6)
    from symsched.info.montecarlo import montecarlo_profile

    small = montecarlo_profile(bn, stderr=1e-9, samples=200, seed=0, exact_pieces=False)
    large = montecarlo_profile(bn, stderr=1e-9, samples=3200, seed=0, exact_pieces=False)
    sampled = np.array(small.stderr) > 0
    ratio = np.mean(np.array(small.stderr)[sampled]) / np.mean(np.array(large.stderr)[sampled])
    assert 2.5 < ratio < 6.5  # ~ sqrt(16) = 4


def test_estimate_profile_from_samples():
    chain = ss.markov_chain(5, [0.3, 0.7], [[0.9, 0.1], [0.2, 0.8]])
    p = chain.joint()
    rng = np.random.default_rng(0)
    flat = rng.choice(p.size, size=50_000, p=p.ravel())
    x = np.stack(np.unravel_index(flat, p.shape), axis=1)
    exact = brute_profile(p)
    for method in ("plugin", "markov"):
        np.testing.assert_allclose(ss.estimate_profile(x, method).h, exact, atol=0.01)
    # exact plug-in: the empirical table's profile
    emp = np.zeros(p.shape)
    np.add.at(emp, tuple(x.T), 1)
    np.testing.assert_allclose(ss.estimate_profile(x, "plugin").h, brute_profile(emp / emp.sum()), atol=1e-12)
    with pytest.raises(ValueError, match="shape"):
        ss.estimate_profile(np.zeros(5))


def test_large_models_refused_or_sampled():
    big = ss.ising(nx.grid_2d_graph(5, 5), 0.3)
    with pytest.raises(ModelTooLargeError, match=r"estimated cost .*montecarlo"):
        ss.information_profile(big, method="exact")
    bn = ss.load_example("alarm") if hasattr(ss, "load_example") else None
    with pytest.raises(ModelTooLargeError, match="montecarlo"):
        ss.information_profile(bn, method="exact")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prof = ss.information_profile(ss.random_chain_bn(23) if hasattr(ss, "random_chain_bn") else
                                      _wide_bn(21), method="auto", stderr=0.05, samples=200, seed=0)
    assert prof.method.startswith("montecarlo") and any("Monte Carlo" in str(w.message) for w in caught)


def _wide_bn(n):
    """n binary variables, each depending on the previous two: exact route over budget at n = 21 (3^21 > 2e9)."""
    bn = ss.BayesianNetwork()
    for i in range(n):
        bn.add_variable(i, 2)
    for i in range(n):
        parents = list(range(max(0, i - 2), i))
        shape = (2,) * len(parents) + (2,)
        t = np.full(shape, 0.5)
        t[..., 0] = 0.8 if parents else 0.5
        t[..., 1] = 1 - t[..., 0]
        bn.set_cpd(i, t, parents=parents)
    return bn


def test_bad_input():
    m = ss.copy_model(3)
    with pytest.raises(ValueError, match="method"):
        ss.information_profile(m, method="fast")
    with pytest.raises(ValueError, match="precision"):
        ss.information_profile(m, precision="double")
    with pytest.raises(ValueError, match="dps"):
        ss.information_profile(m, precision="mpmath", dps=0)
    with pytest.raises(ValueError, match="model"):
        ss.information_profile([0.5, 0.5])
    eps = sp.Symbol("eps")
    with pytest.raises(SymbolicValueError, match="eps"):
        ss.information_profile(ss.binary_symmetric_chain(3, eps))
    with pytest.raises(ValueError, match="stderr"):
        ss.information_profile(m, method="montecarlo", stderr=0)


def test_symbolic_chain_n5_is_real_and_correct():
    # regression: forcing log expansion of symbolic arguments once produced complex values here
    eps = sp.Symbol("eps", positive=True)
    sym = ss.information_profile(ss.binary_symmetric_chain(5, eps), precision="symbolic")
    vals = [complex(sp.N(x.subs(eps, sp.Rational(1, 10)), 30)) for x in sym.h]
    assert all(abs(v.imag) < 1e-25 for v in vals)
    np.testing.assert_allclose([v.real for v in vals], brute_profile(ss.binary_symmetric_chain(5, 0.1).joint()),
                               atol=1e-13)
