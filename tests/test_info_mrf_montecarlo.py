"""Markov random fields beyond the joint table: log-domain variable elimination, exact backward sampling and the
Monte Carlo profile (route forced on models small enough to enumerate, checked against brute force)."""

import itertools

import networkx as nx
import numpy as np
import pytest

import symsched as ss
import symsched.info.batched as batched
import symsched.info.montecarlo as mc
from symsched.errors import ModelTooLargeError
from symsched.info.batched import BatchOracle
from reference import (brute_profile, ising_log_factors, ising_log_partition, log_domain_joint, marginal,
                             z_bonferroni)

GRID = nx.grid_2d_graph(3, 3)
EDGES = [(list(GRID).index(u), list(GRID).index(v)) for u, v in GRID.edges]


def _joint(J):
    return log_domain_joint(9, ising_log_factors(EDGES, J))


@pytest.mark.parametrize("J, field", [(0.3, 0.0), (-0.7, 0.25), (1.5, 0.0)])
def test_log_partition_matches_enumeration(J, field):
    oracle = BatchOracle(ss.ising(GRID, J, field), -1)
    assert oracle.kind == "mrf"
    assert abs(oracle.log_z - ising_log_partition(9, EDGES, J, field)) < 1e-10


def test_log_marginal_matches_brute_force_joint():
    J = 0.6
    oracle = BatchOracle(ss.ising(GRID, J), -1)
    joint = _joint(J)
    rng = np.random.default_rng(3)
    x = rng.integers(0, 2, size=(16, 9))
    for A in [(0,), (4,), (0, 8), (1, 4, 7), (0, 2, 3, 5, 6, 8), tuple(range(9))]:
        table = marginal(joint, A)
        want = np.log(table[tuple(x[:, k] for k in A)])
        assert np.max(np.abs(oracle.log_marginal(A, x) - want)) < 1e-10


def test_backward_sampling_is_exact():
    # chi-square-like check: every state's count within 5 binomial standard deviations of n p
    J = 0.4
    oracle = BatchOracle(ss.ising(GRID, J), -1)
    joint = _joint(J).ravel()
    n = 40_000
    x = oracle.sample(np.random.default_rng(11), n)
    counts = np.bincount(np.ravel_multi_index(x.T, (2,) * 9), minlength=512)
    sd = np.sqrt(n * joint * (1 - joint))
    assert np.all(np.abs(counts - n * joint) <= 5 * sd + 1)


def test_forced_route_profile_within_standard_errors(monkeypatch):
    J = 0.5
    monkeypatch.setattr(mc, "JOINT_TABLE_LIMIT", 0)
    prof = ss.information_profile(ss.ising(GRID, J), method="montecarlo", seed=5, stderr=0.01, progress=False)
    assert prof.exact is False and prof.method.startswith("montecarlo")
    exact_h, _ = brute_profile(_joint(J))
    z = 4.5
    for j, (v, s, t) in enumerate(zip(prof.h, prof.stderr, exact_h)):
        assert abs(v - t) <= z * s + 1e-9, (j, v, t, s)
    assert any(s > 0 for s in prof.stderr)


def test_grid_6x6_runs_with_positive_stderr(monkeypatch):
    monkeypatch.setattr(batched, "ROUND_BATCHES", 4)  # one round of 4 batches of 64 samples per size: fast
    prof = mc.montecarlo_profile(ss.ising(nx.grid_2d_graph(6, 6), 0.3), seed=2, samples=64, exact_pieces=False,
                                 progress=False)
    h, s = np.asarray(prof.h), np.asarray(prof.stderr)
    assert prof.exact is False and len(h) == 36
    # zero field: p(x_i) = 1/2 for every sample, so h_0 = log 2 with no spread at all
    assert abs(h[0] - np.log(2)) < 1e-12
    assert np.all(s[1:] > 0) and np.all(np.isfinite(h))
    assert np.all((h >= 0) & (h <= np.log(2) + 1e-9 + 5 * s))
    # non-increasing within noise: every later h_j at most the earlier ones plus the joint error
    z = z_bonferroni(36 * 35 // 2)
    for a, b in itertools.combinations(range(36), 2):
        assert h[b] <= h[a] + z * np.hypot(s[a], s[b]), (a, b)


def test_width_over_budget_is_refused(monkeypatch):
    monkeypatch.setattr(batched, "MRF_ELIMINATION_BUDGET", 8)
    with pytest.raises(ModelTooLargeError, match="variable elimination"):
        BatchOracle(ss.ising(nx.grid_2d_graph(4, 4), 0.3), -1)


def test_gibbs_batch_means_cover_exact_moments():
    # E[s_0 s_1] and E[s_4] of a 3x3 Ising model with a field, by Gibbs chains, against the enumerated joint
    J, field = 0.5, 0.2
    model = ss.ising(GRID, J, field)
    states = np.array(list(itertools.product((0, 1), repeat=9)))
    logw = np.array([sum(J * (2 * s[u] - 1) * (2 * s[v] - 1) for u, v in EDGES) + field * (2 * s - 1).sum()
                     for s in states])
    p = np.exp(logw - logw.max())
    p /= p.sum()
    spins = 2 * states - 1
    x = 2 * batched.gibbs_chains(model, chains=64, draws=200, seed=4, burn_in=50, thin=2) - 1
    z = z_bonferroni(3)
    for got, want in [(x[..., 0] * x[..., 1], p @ (spins[:, 0] * spins[:, 1])), (x[..., 4], p @ spins[:, 4]),
                      (x[..., 0] * x[..., 8], p @ (spins[:, 0] * spins[:, 8]))]:
        mean, se = batched.chain_batch_means(got)
        assert se > 0 and abs(mean - want) <= z * se, (mean, want, se)


def test_gibbs_rejects_bad_arguments():
    with pytest.raises(ValueError, match="chains"):
        batched.gibbs_chains(ss.ising(GRID, 0.3), chains=1, draws=5)
    with pytest.raises(ValueError, match="MarkovRandomField"):
        batched.gibbs_chains(ss.copy_model(3, 2), chains=4, draws=5)
