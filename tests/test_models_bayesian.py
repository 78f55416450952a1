"""BayesianNetwork: joint against an independent brute-force product, exactness, validation errors."""

import itertools
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

import symsched as ss
from symsched.errors import InvalidModelError, ModelTooLargeError


def random_bn(seed, exact=False):
    """Random DAG on 3-7 variables with 2-4 states; the topological order differs from the token order."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 8))
    names = [f"V{i}" for i in range(n)]
    cards = {v: int(rng.integers(2, 5)) for v in names}
    topo = list(rng.permutation(names))
    bn = ss.BayesianNetwork()
    for v in names:
        bn.add_variable(v, cards[v])
    spec = {}
    for i, v in enumerate(topo):
        k = min(i, int(rng.integers(0, 4)))
        parents = [str(p) for p in rng.permutation(topo[:i])[:k]]
        shape = tuple(cards[p] for p in parents) + (cards[v],)
        if exact:
            raw = rng.integers(1, 9, size=shape)
            table = np.empty(shape, dtype=object)
            for idx in np.ndindex(*shape[:-1]):
                row = raw[idx]
                table[idx] = [Fraction(int(x), int(row.sum())) for x in row]
        else:
            table = rng.dirichlet(np.ones(cards[v]), size=shape[:-1])
        spec[v] = (parents, table)
    for v in rng.permutation(names):
        bn.set_cpd(str(v), *reversed(spec[str(v)]))
    return bn, names, cards, spec


def brute_force_joint(names, cards, spec):
    out = np.zeros(tuple(cards[v] for v in names), dtype=object)
    for x in itertools.product(*(range(cards[v]) for v in names)):
        val = dict(zip(names, x))
        p = 1
        for v, (parents, table) in spec.items():
            p = p * table[tuple(val[q] for q in parents) + (val[v],)]
        out[x] = p
    return out


@pytest.mark.parametrize("seed", range(6))
def test_random_bn_joint_matches_brute_force(seed):
    bn, names, cards, spec = random_bn(seed)
    p = bn.joint()
    assert p.shape == tuple(cards[v] for v in names)
    assert bn.variables == tuple(names)
    assert math.isclose(p.sum(), 1.0, abs_tol=1e-12)
    np.testing.assert_allclose(p, brute_force_joint(names, cards, spec).astype(float), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("seed", range(2))
def test_exact_entries_stay_exact(seed):
    bn, names, cards, spec = random_bn(seed, exact=True)
    ref = brute_force_joint(names, cards, spec)  # Fractions
    sym = bn.joint(precision="symbolic")
    for idx in np.ndindex(*ref.shape):
        assert isinstance(sym[idx], sp.Rational)
        assert sym[idx] == sp.Rational(ref[idx].numerator, ref[idx].denominator)
    assert sum(sym.ravel()) == 1
    mp = bn.joint(precision="mpmath", dps=60)
    with mpmath.workdps(80):
        for idx in np.ndindex(*ref.shape):
            exact = mpmath.mpf(ref[idx].numerator) / ref[idx].denominator
            assert abs(mp[idx] - exact) <= mpmath.mpf(10) ** -55 * max(exact, mpmath.mpf(10) ** -10)


def test_symbolic_cpd_and_subs():
    e = sp.Symbol("e")
    bn = ss.BayesianNetwork()
    bn.add_variable("A")
    bn.add_variable("B")
    bn.set_cpd("A", [sp.Rational(1, 2), sp.Rational(1, 2)])
    bn.set_cpd("B", [[1 - e, e], [e, 1 - e]], parents=["A"])
    assert bn.free_symbols == {e}
    p = bn.joint(precision="symbolic")
    assert sp.simplify(p[0, 1] - e / 2) == 0
    q = bn.subs({e: sp.Rational(1, 10)})
    assert not q.free_symbols and q.joint(precision="symbolic")[0, 1] == sp.Rational(1, 20)
    assert bn.free_symbols == {e}  # the original is unchanged
    with pytest.raises(ss.SymbolicValueError):
        bn.joint()


def test_cpd_layout_several_parents():
    # P(C | A, B) with parents in the order (B, A): table[b, a, c]
    bn = ss.BayesianNetwork()
    bn.add_variable("A", 2)
    bn.add_variable("B", 3)
    bn.add_variable("C", 2)
    bn.set_cpd("A", [0.3, 0.7])
    bn.set_cpd("B", [0.2, 0.3, 0.5])
    t = np.array([[[0.9, 0.1], [0.6, 0.4]], [[0.5, 0.5], [0.2, 0.8]], [[0.05, 0.95], [0.7, 0.3]]])
    bn.set_cpd("C", t, parents=["B", "A"])
    p = bn.joint()
    for a, b, c in itertools.product(range(2), range(3), range(2)):
        assert math.isclose(p[a, b, c], [0.3, 0.7][a] * [0.2, 0.3, 0.5][b] * t[b, a, c])
    parents, table = bn.cpd("C")
    assert parents == ("B", "A") and table.shape == (3, 2, 2)
    assert sorted(bn.predecessors("C")) == ["A", "B"]
    c = bn.copy()
    assert isinstance(c, ss.BayesianNetwork) and np.array_equal(c.joint(), p)
    assert "BayesianNetwork" in repr(bn)
    factors = bn.factors(ss.arithmetic("float"))
    assert [f[0] for f in factors] == [(0,), (1,), (1, 0, 2)]


def test_state_labels():
    bn = ss.BayesianNetwork()
    bn.add_variable("T", ["lo", "mid", "hi"])
    bn.set_cpd("T", [0.2, 0.3, 0.5])
    assert bn.states("T") == ("lo", "mid", "hi") and bn.cardinalities == (3,)


def _two():
    bn = ss.BayesianNetwork()
    bn.add_variable("A")
    bn.add_variable("B")
    return bn


@pytest.mark.parametrize("call, match", [
    (lambda bn: bn.set_cpd("Z", [0.5, 0.5]), "'Z'"),
    (lambda bn: bn.set_cpd("B", [[0.5, 0.5], [0.5, 0.5]], parents=["Q"]), "'Q'"),
    (lambda bn: bn.set_cpd("B", [0.5, 0.5], parents=["A"]), r"'B'.*expected shape \(2, 2\).*got \(2,\)"),
    (lambda bn: bn.set_cpd("B", [[0.5, 0.4], [0.5, 0.5]], parents=["A"]), "'B'.*sums to"),
    (lambda bn: bn.set_cpd("A", [1.5, -0.5]), "'A'.*negative"),
    (lambda bn: bn.set_cpd("A", [float("nan"), 0.5]), "'A'.*NaN"),
    (lambda bn: bn.set_cpd("A", [float("inf"), 0.5]), "'A'.*infinite"),
    (lambda bn: bn.set_cpd("B", np.full((2, 2, 2), 0.5), parents=["A", "A"]), "'B'.*duplicate"),
    (lambda bn: bn.set_cpd("B", [[0.5, 0.5], [0.5, 0.5]], parents=["B"]), "'B'.*own parent"),
    (lambda bn: bn.set_cpd("A", [Fraction(1, 2), Fraction(1, 3)]), "'A'.*sums to 5/6"),
    (lambda bn: bn.add_variable("A"), "'A'.*already"),
    (lambda bn: bn.add_variable("C", 0), "'C'"),
    (lambda bn: bn.joint(), "'A'.*no CPD"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call(_two())


def test_cycle_is_named_and_rolled_back():
    bn = _two()
    bn.add_variable("C")
    bn.set_cpd("A", [[0.5, 0.5], [0.5, 0.5]], parents=["C"])
    bn.set_cpd("B", [[0.5, 0.5], [0.5, 0.5]], parents=["A"])
    with pytest.raises(InvalidModelError, match=r"cycle .*'C'.*'A'.*'B'|cycle .*'A'.*'B'.*'C'"):
        bn.set_cpd("C", [[0.5, 0.5], [0.5, 0.5]], parents=["B"])
    assert not bn.has_edge("B", "C")  # the failed call left the graph unchanged


def test_too_large_joint_is_refused():
    bn = ss.BayesianNetwork()
    for i in range(30):
        bn.add_variable(f"X{i}")
        bn.set_cpd(f"X{i}", [0.5, 0.5])
    with pytest.raises(ModelTooLargeError, match=r"1\.07e\+09"):
        bn.joint()


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2 ** 31))
def test_removing_a_leaf_marginalises_it(seed):
    """Invariant: summing the joint over a childless variable gives the joint of the network without it."""
    bn, names, cards, spec = random_bn(seed)
    leaves = [v for v in names if bn.out_degree(v) == 0]
    leaf = leaves[0]
    smaller = ss.BayesianNetwork()
    for v in names:
        if v != leaf:
            smaller.add_variable(v, cards[v])
    for v in names:
        if v != leaf:
            smaller.set_cpd(v, spec[v][1], spec[v][0])
    marg = bn.joint().sum(axis=names.index(leaf))
    np.testing.assert_allclose(marg, smaller.joint(), rtol=1e-11, atol=1e-15)
