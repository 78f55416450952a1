"""MarkovRandomField, ising and potts against brute-force products and exp/Z formulas."""

import itertools
import math
from fractions import Fraction

import networkx as nx
import numpy as np
import pytest
import sympy as sp

import symsched as ss
from symsched.errors import InvalidModelError


def random_mrf(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 8))
    names = [f"M{i}" for i in range(n)]
    cards = {v: int(rng.integers(2, 5)) for v in names}
    mrf = ss.MarkovRandomField()
    for v in names:
        mrf.add_variable(v, cards[v])
    factors = []
    for _ in range(int(rng.integers(1, 2 * n))):
        k = int(rng.integers(1, 4))
        scope = [str(x) for x in rng.choice(names, size=min(k, n), replace=False)]
        table = rng.exponential(size=tuple(cards[v] for v in scope))
        table[rng.random(table.shape) < 0.1] = 0.0
        mrf.add_factor(scope, table)
        factors.append((scope, table))
    return mrf, names, cards, factors


@pytest.mark.parametrize("seed", range(6))
def test_random_mrf_matches_brute_force(seed):
    mrf, names, cards, factors = random_mrf(seed)
    u = np.zeros(tuple(cards[v] for v in names))
    for x in itertools.product(*(range(cards[v]) for v in names)):
        val = dict(zip(names, x))
        u[x] = math.prod(t[tuple(val[v] for v in s)] for s, t in factors)
    z = u.sum()
    assert math.isclose(mrf.partition_function(), z, rel_tol=1e-12)
    p = mrf.joint()
    assert math.isclose(p.sum(), 1.0, abs_tol=1e-12)
    np.testing.assert_allclose(p, u / z, rtol=1e-11, atol=1e-15)
    for s, _ in factors:  # clique edges
        for a, b in itertools.combinations(s, 2):
            assert mrf.has_edge(a, b)


def spins_brute_force(graph, J, h):
    nodes = list(graph.nodes)
    out = np.zeros((2,) * len(nodes))
    for x in itertools.product((0, 1), repeat=len(nodes)):
        s = {v: 2 * xi - 1 for v, xi in zip(nodes, x)}
        energy = (sum(J.get((a, b), J.get((b, a))) * s[a] * s[b] for a, b in graph.edges)
                  + sum(h[v] * s[v] for v in nodes))
        out[x] = math.exp(energy)
    return out / out.sum()


def test_ising_heterogeneous_matches_exp_over_z():
    g = nx.Graph([(0, 1), (1, 2), (2, 0), (2, 3)])
    J = {(0, 1): 0.3, (1, 2): -0.7, (2, 0): 0.2, (2, 3): 1.1}
    h = {0: 0.1, 1: -0.4, 2: 0.0, 3: 0.25}
    m = ss.ising(g, {(1, 0): 0.3, (1, 2): -0.7, (2, 0): 0.2, (2, 3): 1.1}, h)
    np.testing.assert_allclose(m.joint(), spins_brute_force(g, J, h), rtol=1e-12)
    assert m.variables == (0, 1, 2, 3)


def test_ising_uniform_grid_and_symbolic():
    g = nx.grid_2d_graph(2, 2)
    m = ss.ising(g, 0.4, field=-0.2)
    ref = spins_brute_force(g, {e: 0.4 for e in g.edges}, {v: -0.2 for v in g.nodes})
    np.testing.assert_allclose(m.joint(), ref, rtol=1e-12)
    beta = sp.Symbol("beta", positive=True)
    ms = ss.ising(nx.path_graph(3), beta)
    assert ms.free_symbols == {beta}
    p = ms.joint(precision="symbolic")
    val = ms.subs({beta: sp.Rational(1, 3)}).joint(precision="float")
    ref = spins_brute_force(nx.path_graph(3), {e: 1 / 3 for e in nx.path_graph(3).edges}, {v: 0 for v in range(3)})
    np.testing.assert_allclose(val, ref, rtol=1e-12)
    assert math.isclose(float(p[0, 0, 0].subs(beta, sp.Rational(1, 3))), ref[0, 0, 0], rel_tol=1e-12)


def test_potts_matches_brute_force():
    g = nx.cycle_graph(3)
    m = ss.potts(g, 3, 0.8, field=0.3)
    u = np.zeros((3, 3, 3))
    for x in itertools.product(range(3), repeat=3):
        u[x] = math.exp(0.8 * sum(x[a] == x[b] for a, b in g.edges) + 0.3 * sum(xi == 0 for xi in x))
    np.testing.assert_allclose(m.joint(), u / u.sum(), rtol=1e-12)


def test_exact_mrf_and_zero_partition_function():
    m = ss.MarkovRandomField()
    m.add_variable("A")
    m.add_variable("B", 3)
    m.add_factor(["A", "B"], [[Fraction(1), Fraction(2), Fraction(0)], [Fraction(3), Fraction(0), Fraction(2)]])
    assert m.partition_function(precision="symbolic") == 8
    assert m.joint(precision="symbolic")[1, 0] == sp.Rational(3, 8)
    z = ss.MarkovRandomField()
    z.add_variable("A")
    z.add_factor(["A"], [0.0, 0.0])
    with pytest.raises(InvalidModelError, match="partition function"):
        z.joint()


@pytest.mark.parametrize("call, match", [
    (lambda m: m.add_factor(["A", "Q"], np.ones((2, 2))), "'Q'"),
    (lambda m: m.add_factor(["A", "B"], np.ones((2, 2))), r"'A', 'B'.*expected shape \(2, 3\)"),
    (lambda m: m.add_factor(["A"], [1.0, -1.0]), r"\['A'\].*negative"),
    (lambda m: m.add_factor(["B"], [1.0, float("nan"), 1.0]), r"\['B'\].*NaN"),
    (lambda m: m.add_factor(["A", "A"], np.ones((2, 2))), "duplicate"),
])
def test_bad_factors(call, match):
    m = ss.MarkovRandomField()
    m.add_variable("A")
    m.add_variable("B", 3)
    with pytest.raises(ValueError, match=match):
        call(m)


def test_bad_ising_inputs():
    with pytest.raises(ValueError, match=r"edge \(1, 2\)"):
        ss.ising(nx.path_graph(3), {(0, 1): 0.5})
    with pytest.raises(ValueError, match="node 2"):
        ss.ising(nx.path_graph(3), 0.5, field={0: 0.1, 1: 0.1})
    with pytest.raises(ValueError, match="undirected"):
        ss.ising(nx.DiGraph([(0, 1)]), 0.5)


def test_symbolic_ising_matches_float_after_substitution():
    import networkx as nx

    J, h = sp.symbols("J h")
    g = nx.cycle_graph(3)
    m = ss.ising(g, J, field=h)
    p = m.joint(precision="symbolic")
    vals = {J: sp.Rational(2, 5), h: sp.Rational(-1, 5)}
    ref = spins_brute_force(g, {e: 0.4 for e in g.edges}, {v: -0.2 for v in g.nodes})
    for idx in np.ndindex(*p.shape):
        assert math.isclose(float(p[idx].subs(vals)), ref[idx], rel_tol=1e-12)
    np.testing.assert_allclose(m.subs(vals).joint(precision="mpmath", dps=30).astype(float), ref, rtol=1e-13)


@pytest.mark.parametrize("seed", range(4))
def test_copy_keeps_the_factors_and_is_independent(seed):
    mrf = random_mrf(seed)[0]
    joint = mrf.joint()
    c = mrf.copy()
    assert type(c) is type(mrf) and c is not mrf
    np.testing.assert_array_equal(c.joint(), joint)
    v = c.variables[0]
    c.add_factor([v], np.arange(1, len(c.states(v)) + 1, dtype=float))
    assert not np.allclose(c.joint(), joint)
    np.testing.assert_array_equal(mrf.joint(), joint)  # the original is untouched


def test_bayesian_network_copy_keeps_the_cpds():
    bn = ss.load_example("asia")
    c = bn.copy()
    assert type(c) is type(bn) and c is not bn
    np.testing.assert_array_equal(c.joint(), bn.joint())
