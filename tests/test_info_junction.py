"""Junction-tree pieces (H, h_0, h_1, h_{N-1}) and the measures built on them, against brute force on joint
tables, pgmpy's variable elimination and pyAgrum's junction tree (both independent engines)."""

import itertools
import math
import warnings

import networkx as nx
import numpy as np
import pytest

import symsched as ss
from symsched.errors import ModelTooLargeError, SymschedError
from symsched.info import measures
from symsched.info.junction import JunctionTree, network_pieces
from symsched.results import Estimate


def _H(p):
    p = np.asarray(p, float).ravel()
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def _brute(model):
    """H, h_0, h_1, h_{N-1} and log Z from the explicit joint (normalised here)."""
    p = np.asarray(model.joint(), float)
    p = p / p.sum()
    n = p.ndim

    def marg(keep):
        return p.sum(axis=tuple(k for k in range(n) if k not in keep))

    H = _H(p)
    h0 = np.mean([_H(marg((i,))) for i in range(n)])
    e2 = np.mean([_H(marg(pair)) for pair in itertools.combinations(range(n), 2)])
    h_last = H - np.mean([_H(p.sum(axis=i)) for i in range(n)])
    return H, h0, e2 - h0, h_last


def _load(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ss.load_example(name)


def _random_bn(n, seed, parents=3, states=(2, 3)):
    rng = np.random.default_rng(seed)
    bn = ss.BayesianNetwork()
    for v in range(n):
        bn.add_variable(v, int(rng.choice(states)))
    for v in range(n):
        pa = sorted(rng.choice(v, size=min(v, int(rng.integers(0, parents + 1))), replace=False).tolist()) if v else []
        shape = tuple(bn.cardinalities[p] for p in pa) + (bn.cardinalities[v],)
        table = rng.dirichlet(np.full(shape[-1], 0.5), size=shape[:-1])
        table[table < 0.05] = 0.0  # structural zeros exercise 0/0 = 0 in the separators
        table /= table.sum(axis=-1, keepdims=True)
        bn.set_cpd(v, table, pa)
    return bn


@pytest.mark.parametrize("name", ["asia", "cancer", "earthquake", "sachs", "survey"])
def test_small_networks_against_their_joint(name):
    bn = _load(name)
    r = network_pieces(bn, h1=True)
    assert np.allclose([r.entropy, r.h0, r.h1, r.h_last], _brute(bn), atol=1e-9)
    assert r.exact and r.h_last_stderr == 0


@pytest.mark.parametrize("seed", range(6))
def test_random_networks_with_zeros_against_their_joint(seed):
    bn = _random_bn(9, seed)
    r = network_pieces(bn, h1=True)
    assert np.allclose([r.entropy, r.h0, r.h1, r.h_last], _brute(bn), atol=1e-10)
    assert abs(r.log_z) < 1e-12


def test_markov_random_fields_and_their_partition_function():
    g = nx.grid_2d_graph(3, 4)
    for m in (ss.ising(g, 0.7, 0.2), ss.potts(nx.cycle_graph(7), 3, -0.4), ss.ising(nx.path_graph(6), 40.0, 0.0)):
        r = network_pieces(m, h1=True)
        assert np.allclose([r.entropy, r.h0, r.h1, r.h_last], _brute(m), atol=1e-9)
        assert r.log_z == pytest.approx(math.log(float(m.partition_function())), abs=1e-9)


def test_forest_of_independent_components():
    m = ss.ising(nx.Graph([(0, 1), (2, 3), (3, 4)]), 0.5, 0.3)
    m.add_variable(9, 3)  # an isolated variable without factors: uniform
    r = network_pieces(m, h1=True)
    assert np.allclose([r.entropy, r.h0, r.h1, r.h_last], _brute(m), atol=1e-12)


def test_marginals_of_spread_sets_match_the_joint():
    bn = _random_bn(10, 42)
    jt = JunctionTree(bn.cardinalities, bn.factors(ss.arithmetic("float")))
    p = bn.joint()
    for subset in [(0, 9), (9, 3, 1), (2, 5, 7, 8), tuple(range(10))]:
        summed = p.sum(axis=tuple(k for k in range(10) if k not in subset))  # axes in sorted order
        expect = np.transpose(summed, np.argsort(np.argsort(subset)))
        assert np.allclose(jt.marginal(subset), expect, atol=1e-13)
    x = jt.sample(np.random.default_rng(0), 20000)
    freq = np.bincount(x[:, 9], minlength=bn.cardinalities[9]) / len(x)
    assert np.allclose(freq, p.sum(axis=tuple(range(9))), atol=0.015)


def _pgmpy_pieces(bn):
    from pgmpy.inference import VariableElimination

    pm = ss.to_pgmpy(bn)
    ve = VariableElimination(pm)
    H = h0 = last = 0.0
    for v in bn.variables:
        parents, table = bn.cpd(v)
        h0 += _H(ve.query([v], show_progress=False).values)
        rows = np.asarray(table, float).reshape(-1, table.shape[-1])
        ent = np.array([_H(r) for r in rows])
        if parents:
            q = ve.query(list(parents), joint=True, show_progress=False)
            q = q.values.transpose([list(q.variables).index(u) for u in parents]).ravel()
            H += float(q @ ent)
        else:
            H += ent[0]
        mb = list(pm.get_markov_blanket(v))
        q = ve.query([v] + mb, joint=True, show_progress=False).values
        last += _H(q) - _H(q.sum(axis=0))
    n = bn.N
    return H, h0 / n, last / n


@pytest.mark.parametrize("name", ["alarm", "child", "insurance"])
def test_bnlearn_networks_against_pgmpy(name):
    bn = _load(name)
    r = network_pieces(bn)
    assert r.exact
    assert np.allclose([r.entropy, r.h0, r.h_last], _pgmpy_pieces(bn), atol=1e-9)


def _pyagrum_bn(name):
    """The network rebuilt in pyAgrum from symsched's tables (pyAgrum's BIF reader rejects some bnlearn
    labels and keeps ~8 digits); pyAgrum then infers with its own C++ junction tree."""
    gum = pytest.importorskip("pyagrum")
    bn = _load(name)
    g = gum.BayesNet(name)
    for v in bn.variables:
        g.add(gum.LabelizedVariable(str(v), str(v), [str(s) for s in bn.states(v)]))
    for v in bn.variables:
        for p in bn.cpd(v)[0]:
            g.addArc(str(p), str(v))
    for v in bn.variables:
        parents, table = bn.cpd(v)
        cpt = g.cpt(str(v))
        axes = [str(u) for u in parents] + [str(v)]
        target = list(reversed(cpt.names))  # toarray()'s axis order, which fillWith reads back
        cpt.fillWith(np.transpose(np.asarray(table, float), [axes.index(u) for u in target]).ravel().tolist())
    return gum, g


@pytest.mark.parametrize("name", ["alarm", "child", "insurance", "hailfinder", "win95pts"])
def test_entropy_and_tc_against_pyagrum(name):
    """pyAgrum parses the BIF file itself and infers with its own C++ junction tree: H from family
    posteriors (sum_i H(X_i | Pa_i)), TC from single posteriors."""
    gum, g = _pyagrum_bn(name)
    ie = gum.LazyPropagation(g)
    ie.addAllTargets()
    families = [[g.variable(p).name() for p in g.parents(v)] for v in g.nodes()]
    for fam in families:
        if fam:
            ie.addJointTarget(set(fam))
    ie.makeInference()
    H = singles = 0.0
    for v, fam in zip(g.nodes(), families):
        cpt = g.cpt(v)
        name_v = g.variable(v).name()
        singles += _H(ie.posterior(name_v).toarray())
        # H(X_v | Pa_v) = H(X_v, Pa_v) - H(Pa_v), both from pyAgrum's posteriors and CPT
        if fam:
            pa = ie.jointPosterior(set(fam))
            joint = (cpt * pa).toarray()
            H += _H(joint) - _H(pa.toarray())
        else:
            H += _H(cpt.toarray())
    bn = _load(name)
    assert ss.entropy(bn) == pytest.approx(H, abs=1e-9)
    assert ss.total_correlation(bn) == pytest.approx(singles - H, abs=1e-9)


def test_measures_never_run_a_profile_on_networks(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("information_profile called")

    monkeypatch.setattr(measures, "information_profile", refuse)
    bn = _load("alarm")
    H, h0, last = _pgmpy_pieces(bn)
    n = bn.N
    assert ss.entropy(bn) == pytest.approx(H, abs=1e-9)
    assert ss.total_correlation(bn) == pytest.approx(n * h0 - H, abs=1e-9)
    assert ss.dual_total_correlation(bn) == pytest.approx(H - n * last, abs=1e-9)
    assert ss.o_information(bn) == pytest.approx(n * h0 - H - (H - n * last), abs=1e-9)
    table = ss.from_joint(np.random.default_rng(1).dirichlet(np.ones(2 ** 8)).reshape((2,) * 8))
    for what in ("entropy", "total_correlation", "dual_total_correlation", "o_information"):
        getattr(ss, what)(table)


def test_large_networks_exact_h_and_tc_and_an_estimated_dtc_without_einsum_limits():
    hail, win = _load("hailfinder"), _load("win95pts")
    assert isinstance(ss.entropy(win), float)  # 76 variables: no "too many operands"
    d = ss.dual_total_correlation(win, seed=0)
    assert isinstance(d, Estimate) and 0 < d.stderr <= 0.01
    r = network_pieces(hail, seed=0)
    scenario = hail.variables.index("Scenario")  # blanket table of 8.9e11 entries: sampled, never enumerated
    assert r.sampled == (scenario,) and not r.exact


def test_sampled_blankets_are_calibrated():
    bn = _load("child")
    exact = network_pieces(bn).dual_total_correlation
    z = []
    for seed in range(20):
        r = network_pieces(bn, blanket_budget=50, seed=seed, stderr=0.03)
        assert len(r.sampled) >= 8
        z.append((r.dual_total_correlation - exact) / r.dual_total_correlation_stderr)
    assert 0.7 <= math.sqrt(np.mean(np.square(z))) <= 1.4


def test_tables_by_n_plus_two_entropies_in_every_precision():
    rng = np.random.default_rng(3)
    table = ss.from_joint(rng.dirichlet(np.ones(3 ** 5)).reshape((3,) * 5))
    prof = ss.information_profile(table)  # the whole profile, an independent route
    assert ss.entropy(table) == pytest.approx(prof.entropy, abs=1e-12)
    assert ss.total_correlation(table) == pytest.approx(prof.total_correlation, abs=1e-12)
    assert ss.dual_total_correlation(table) == pytest.approx(prof.dual_total_correlation, abs=1e-12)
    assert ss.o_information(table, base=2) == pytest.approx(prof.o_information / math.log(2), abs=1e-12)
    parity = ss.parity_model(3)
    assert ss.total_correlation(parity, precision="symbolic") == ss.information_profile(
        parity, precision="symbolic").total_correlation
    assert float(ss.o_information(parity, precision="mpmath")) == pytest.approx(-math.log(2), abs=1e-14)


def test_bad_input():
    with pytest.raises(SymschedError, match="BayesianNetwork or MarkovRandomField"):
        network_pieces(ss.parity_model(3))
    with pytest.raises(SymschedError, match="stderr"):
        network_pieces(_load("asia"), stderr=-1)
    with pytest.raises(ModelTooLargeError):
        network_pieces(_load("alarm"), tree_budget=100)
    with pytest.raises(ModelTooLargeError):
        ss.entropy(_load("alarm"), method="exact", max_cost=100)
    with pytest.raises(TypeError):
        ss.entropy(_load("asia"), nonsense=1)
    with pytest.raises(SymschedError, match="method"):
        ss.entropy(_load("asia"), method="fast")


def test_batched_conditionals_and_log_marginals_against_the_joint():
    """One calibration per revealed set serves every p(x_i | x_R) of a batch (rows of any values, including
    values of probability zero)."""
    for model in (_random_bn(8, 7), ss.ising(nx.cycle_graph(7), 0.8, 0.3)):
        p = np.asarray(model.joint(), float)
        p = p / p.sum()
        jt = JunctionTree(model.cardinalities, model.factors(ss.arithmetic("float")))
        rng = np.random.default_rng(0)
        x = np.stack([rng.integers(0, c, size=40) for c in model.cardinalities], axis=1)
        for R in [(), (3,), (0, 2, 5), tuple(range(model.N - 1))]:
            cond, logm = jt.conditionals(R, x), jt.log_marginal(R, x)
            for b in range(len(x)):
                idx = tuple(x[b, k] if k in R else slice(None) for k in range(model.N))
                sub = p[idx]
                pr = sub.sum()
                assert logm[b] == pytest.approx(math.log(pr), abs=1e-12) if pr > 0 else logm[b] == -np.inf
                free = [k for k in range(model.N) if k not in R]
                for i in range(model.N):
                    if i in R:
                        assert cond[b, i, x[b, i]] == 1.0 and cond[b, i].sum() == 1.0
                        continue
                    m = sub.sum(axis=tuple(a for a, k in enumerate(free) if k != i))
                    expect = m / pr if pr > 0 else np.zeros_like(m)
                    assert np.allclose(cond[b, i, :model.cardinalities[i]], expect, atol=1e-12)


def test_exact_pieces_for_monte_carlo_profiles():
    from symsched.info.junction import exact_pieces

    bn = _random_bn(9, 3)
    known, H = exact_pieces(bn)
    H0, h0, h1, last = _brute(bn)
    assert sorted(known) == [0, 1, 8]
    assert np.allclose([H, known[0], known[1], known[8]], [H0, h0, h1, last], atol=1e-10)
    known, _ = exact_pieces(_load("hailfinder"))  # a blanket over budget: h_{N-1} left to sampling
    assert sorted(known) == [0, 1]
    assert exact_pieces(ss.parity_model(3)) is None
    assert exact_pieces(_load("alarm"), tree_budget=100) is None
