"""Gibbs at strong coupling where no cluster move applies (issue 23): a 4x5 field with asymmetric pairwise
potentials and a field (not Ising/Potts, so no Swendsen-Wang move). Either the estimate of H is within 3 of its
reported standard errors of the exact H (brute force over the 2^20 states, from the factor tables directly), or
the call refuses because the chains do not mix. Measured (docs/uncertainty.md): at coupling 1.5 every run was
0.4-0.9 nats high with R-hat 1.49-2.09, and is now refused."""

import math
import warnings

import networkx as nx
import numpy as np
import pytest

import symsched as ss
from symsched.info import gibbs

W, L = 4, 5
PAIR = np.array([[0.8, -0.6], [-0.2, 1.0]])   # log-potential per unit coupling: not symmetric, not Potts
FIELD = np.array([0.0, -0.15])


def _field(J):
    g = nx.grid_2d_graph(W, L)
    nodes = sorted(g.nodes)
    m = ss.MarkovRandomField()
    for v in nodes:
        m.add_variable(v, 2)
    for u, v in g.edges:
        m.add_factor([u, v], np.exp(J * PAIR))
    for v in nodes:
        m.add_factor([v], np.exp(FIELD))
    index = {v: i for i, v in enumerate(nodes)}
    return m, [(index[u], index[v]) for u, v in g.edges]


def _brute_entropy(J, edges):
    n = W * L
    x = (np.arange(2 ** n)[:, None] >> np.arange(n)[None, :]) & 1
    logw = FIELD[x].sum(axis=1) + sum(J * PAIR[x[:, u], x[:, v]] for u, v in edges)
    logw -= logw.max()
    p = np.exp(logw)
    p /= p.sum()
    return float(-(p * np.log(p)).sum())


@pytest.mark.slow
@pytest.mark.parametrize("J, seeds, refused_at_least", [(1.3, range(10), 0), (1.5, range(4), 4)])
def test_strong_coupling_without_cluster_moves_is_covered_or_refused(J, seeds, refused_at_least):
    model, edges = _field(J)
    assert gibbs.GibbsSampler(model).cluster is None
    exact = _brute_entropy(J, edges)
    refused, zs = 0, []
    for seed in seeds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            try:
                p = gibbs.gibbs_profile(model, seed=seed, stderr=0.05, exact_pieces=False, progress=False)
            except ValueError as err:
                assert "do not mix" in str(err) and "exact" in str(err) and "allow_poor_mixing" in str(err)
                refused += 1
                continue
        zs.append((p.entropy - exact) / p.entropy_stderr)
    assert refused >= refused_at_least
    assert all(abs(z) <= 3 for z in zs), zs
    if len(zs) >= 5:
        assert math.sqrt(np.mean(np.square(zs))) <= 1.5, zs
