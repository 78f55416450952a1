"""Distribution automorphisms: every returned permutation leaves the joint table invariant."""

import itertools

import networkx as nx
import numpy as np
import pytest

import symsched as ss
from test_models_bayesian import random_bn
from test_models_markov import random_mrf


def inverse(pi):
    inv = [0] * len(pi)
    for i, j in enumerate(pi):
        inv[j] = i
    return inv


def check_group(model):
    perms = model.distribution_automorphisms()
    n = model.N
    ident = tuple(range(n))
    assert ident in perms
    p = model.joint()
    for pi in perms:
        assert sorted(pi) == list(range(n))
        np.testing.assert_allclose(np.transpose(p, inverse(pi)), p, rtol=1e-12, atol=1e-15)
    s = set(perms)
    for a, b in itertools.product(perms, repeat=2):  # closed under composition
        assert tuple(a[b[i]] for i in range(n)) in s
    return perms


@pytest.mark.parametrize("seed", range(5))
def test_random_models(seed):
    check_group(random_bn(seed)[0])
    check_group(random_mrf(seed)[0])


def test_cycle_ising_dihedral():
    for n in (4, 5, 6):
        perms = check_group(ss.ising(nx.cycle_graph(n), 0.4, field=0.1))
        assert len(perms) == 2 * n


def test_heterogeneous_couplings_break_symmetry():
    g = nx.cycle_graph(4)
    J = {e: 0.4 for e in g.edges}
    J[(0, 1)] = 0.9
    perms = check_group(ss.ising(g, J))
    assert len(perms) == 2  # identity and the reflection fixing edge (0, 1)


def test_bn_roots_with_different_cpds_not_swapped():
    bn = ss.BayesianNetwork()
    for v in "ABC":
        bn.add_variable(v)
    bn.set_cpd("A", [0.3, 0.7])
    bn.set_cpd("B", [0.6, 0.4])
    t = np.array([[[0.9, 0.1], [0.5, 0.5]], [[0.5, 0.5], [0.2, 0.8]]])
    bn.set_cpd("C", t, parents=["A", "B"])
    assert check_group(bn) == [(0, 1, 2)]
    # equal root CPDs and a CPD symmetric under swapping its parents: the swap is found
    bn.set_cpd("B", [0.3, 0.7])
    assert sorted(check_group(bn)) == [(0, 1, 2), (1, 0, 2)]
    # equal roots but a CPD that is not symmetric in its parents: no swap
    t2 = t.copy()
    t2[0, 1] = [0.4, 0.6]
    bn.set_cpd("C", t2, parents=["A", "B"])
    assert check_group(bn) == [(0, 1, 2)]


def test_parent_order_is_respected():
    # C has parents (A, B), D has parents (B, A) with the transposed table: swapping A<->B and C<->D
    bn = ss.BayesianNetwork()
    for v in "ABCD":
        bn.add_variable(v)
    bn.set_cpd("A", [0.3, 0.7])
    bn.set_cpd("B", [0.3, 0.7])
    t = np.array([[[0.9, 0.1], [0.6, 0.4]], [[0.35, 0.65], [0.2, 0.8]]])
    bn.set_cpd("C", t, parents=["A", "B"])
    bn.set_cpd("D", np.transpose(t, (1, 0, 2)), parents=["A", "B"])
    perms = check_group(bn)
    assert (1, 0, 3, 2) in perms


def test_exchangeable_and_tables_return_identity():
    assert ss.copy_model(4).distribution_automorphisms() == [(0, 1, 2, 3)]


def test_cap_returns_identity():
    from symsched.models.symmetry import distribution_automorphisms

    m = ss.ising(nx.complete_graph(5), 0.2)
    assert len(distribution_automorphisms(m)) == 120
    assert distribution_automorphisms(m, max_candidates=10) == [(0, 1, 2, 3, 4)]


def test_symbolic_couplings():
    import sympy as sp

    J, K = sp.symbols("J K")
    assert len(ss.ising(nx.cycle_graph(4), J).distribution_automorphisms()) == 8
    # a path with couplings (J, K, J) keeps only the reversal
    perms = ss.ising(nx.path_graph(4), {(0, 1): J, (1, 2): K, (2, 3): J}).distribution_automorphisms()
    assert perms == [(0, 1, 2, 3), (3, 2, 1, 0)]
    perms = ss.ising(nx.path_graph(4), {(0, 1): J, (1, 2): K, (2, 3): K}).distribution_automorphisms()
    assert perms == [(0, 1, 2, 3)]
