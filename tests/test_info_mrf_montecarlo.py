"""Markov random fields beyond the joint table: log-domain variable elimination, exact backward sampling, Gibbs
sampling when elimination is over budget, and the Monte Carlo profiles (routes forced on models small enough to
enumerate, checked against brute force)."""

import itertools
import math
import warnings

import networkx as nx
import numpy as np
import pytest

import symsched as ss
import symsched.info.batched as batched
import symsched.info.gibbs as gibbs
import symsched.info.montecarlo as mc
from symsched.errors import ModelTooLargeError
from symsched.info.batched import BatchOracle
from reference import (brute_profile, conditional_from_joint, ising_log_factors, ising_log_partition,
                       log_domain_joint, marginal, potts_log_factors, split_rhat_reference, z_bonferroni)

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
    x = 2 * gibbs.gibbs_chains(model, chains=64, draws=200, seed=4, burn_in=50, thin=2) - 1
    z = z_bonferroni(3)
    for got, want in [(x[..., 0] * x[..., 1], p @ (spins[:, 0] * spins[:, 1])), (x[..., 4], p @ spins[:, 4]),
                      (x[..., 0] * x[..., 8], p @ (spins[:, 0] * spins[:, 8]))]:
        mean, se = gibbs.chain_batch_means(got)
        assert se > 0 and abs(mean - want) <= z * se, (mean, want, se)


def test_gibbs_rejects_bad_arguments():
    with pytest.raises(ValueError, match="chains"):
        gibbs.gibbs_chains(ss.ising(GRID, 0.3), chains=1, draws=5)
    with pytest.raises(ValueError, match="MarkovRandomField"):
        gibbs.gibbs_chains(ss.copy_model(3, 2), chains=4, draws=5)


# -- the Gibbs route (elimination over budget) ---------------------------------------------------------------------
PATH6 = nx.path_graph(6)
P_EDGES = list(PATH6.edges)


def _ising_field_joint(J, field):
    fields = [((i,), (lambda a: field * (2 * a - 1))) for i in range(9)]
    return log_domain_joint(9, ising_log_factors(EDGES, J) + fields)


@pytest.fixture
def force_gibbs(monkeypatch):
    """Every Markov random field takes the Gibbs route: no joint table, elimination over budget."""
    monkeypatch.setattr(mc, "JOINT_TABLE_LIMIT", 0)
    monkeypatch.setattr(batched, "MRF_ELIMINATION_BUDGET", 1)


def _assert_within(prof, exact_h, z=4.5):
    for j, (v, s, t) in enumerate(zip(prof.h, prof.stderr, exact_h)):
        # h_0, h_{N-1} exact by a junction tree carry no error and must equal the truth
        assert abs(v - t) <= z * s + 1e-9 and (s > 0 or abs(v - t) < 1e-9), (j, v, t, s)


def test_gibbs_route_ising_with_field_within_standard_errors(force_gibbs):
    J, field = 0.5, 0.2
    prof = ss.information_profile(ss.ising(GRID, J, field), method="montecarlo", seed=7, stderr=0.03,
                                  progress=False)
    assert prof.exact is False and prof.method == "montecarlo (gibbs)"
    assert any("R-hat" in t for t in prof.notes) and any("Jensen" in t for t in prof.notes)
    exact_h, _ = brute_profile(_ising_field_joint(J, field))
    _assert_within(prof, exact_h)


def test_gibbs_route_potts_within_standard_errors(force_gibbs):
    # three states, a field on two variables: the padded-state and unary paths of the sampler
    J, field = 0.8, {i: {0: 0.5, 4: -0.3}.get(i, 0) for i in range(6)}
    prof = ss.information_profile(ss.potts(PATH6, 3, J, field), method="montecarlo", seed=3, stderr=0.03,
                                  progress=False)
    exact_h, _ = brute_profile(log_domain_joint(6, potts_log_factors(P_EDGES, J, field), card=3))
    _assert_within(prof, exact_h)


def test_gibbs_last_size_is_local_and_matches_brute_force(force_gibbs):
    # h_{N-1} averages exact local conditionals over the outer draws: check them exactly, then the estimate
    J, field = 0.7, 0.1
    model = ss.ising(GRID, J, field)
    joint = _ising_field_joint(J, field)
    sampler = gibbs.GibbsSampler(model)
    rng = np.random.default_rng(0)
    x = sampler.start(rng, 6)
    got = sampler.conditionals(x)
    for r in range(6):
        for i in range(9):
            cond = conditional_from_joint(joint, {k: int(x[r, k]) for k in range(9) if k != i}, i)
            assert np.max(np.abs(got[r, i] - cond)) < 1e-12
    # energy differences are log-probability ratios
    logp = np.log(joint[tuple(x[:, k] for k in range(9))])
    assert np.allclose(-(sampler.energy(x) - sampler.energy(x[:1])), logp - logp[0], atol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # about the inner chains, which h_{N-1} does not use
        prof = gibbs.gibbs_profile(model, seed=1, stderr=0.02, progress=False, exact_pieces=False)
    exact_h, _ = brute_profile(joint)
    assert abs(prof.h[-1] - exact_h[-1]) <= 4.5 * prof.stderr[-1]


def test_gibbs_same_seed_same_numbers_whatever_workers(force_gibbs):
    model = ss.ising(nx.path_graph(5), 0.4)
    kw = dict(seed=11, samples=16, burn_in=20, progress=False)
    a = gibbs.gibbs_profile(model, **kw)
    b = gibbs.gibbs_profile(model, **kw)
    c = gibbs.gibbs_profile(model, workers=2, **kw)
    assert a.h == b.h == c.h and a.stderr == b.stderr == c.stderr
    assert gibbs.gibbs_profile(model, **{**kw, "seed": 12}).h != a.h


def test_gibbs_rejects_bad_parameters():
    model = ss.ising(GRID, 0.3)
    for kw, word in [({"inner_chains": 1}, "inner_chains"), ({"samples": 1}, "samples"), ({"burn_in": -1}, "burn_in"),
                     ({"draws": 0}, "draws"), ({"inner_sweeps": 2.5}, "inner_sweeps"), ({"stderr": 0}, "stderr"),
                     ({"time_budget": -1}, "time_budget"), ({"workers": 0}, "workers"), ({"seed": -3}, "seed")]:
        with pytest.raises(ValueError, match=word):
            gibbs.gibbs_profile(model, progress=False, **kw)
    with pytest.raises(ValueError, match="MarkovRandomField"):
        gibbs.gibbs_profile(ss.copy_model(3, 2), progress=False)
    with pytest.raises(ModelTooLargeError) as err:
        gibbs.gibbs_profile(model, budget=1000, progress=False)
    assert "samples=2" in str(err.value) and "Gibbs" in str(err.value)


def test_gibbs_refuses_over_budget_through_information_profile(force_gibbs, monkeypatch):
    monkeypatch.setattr(gibbs, "GIBBS_BUDGET", 10)
    with pytest.raises(ModelTooLargeError, match="Gibbs"):
        ss.information_profile(ss.ising(GRID, 0.3), method="montecarlo", progress=False)


def test_gibbs_poor_mixing_warns_and_notes():
    # strong coupling, no burn-in, single-site moves only (cluster moves would mix): chains stay near their
    # random starts' modes, the energy traces disagree
    model = ss.ising(nx.grid_2d_graph(4, 4), 2.0)
    kw = dict(seed=0, samples=64, burn_in=0, draws=8, thin=1, inner_sweeps=2, progress=False, cluster=False)
    # far from mixing: refused (the bias is beyond the standard errors), naming the ways forward
    with pytest.raises(ValueError, match="do not mix") as err:
        gibbs.gibbs_profile(model, **kw)
    assert "cluster=True" in str(err.value) and "allow_poor_mixing" in str(err.value)
    with pytest.warns(RuntimeWarning, match="R-hat"):
        prof = gibbs.gibbs_profile(model, allow_poor_mixing=True, **kw)
    assert any("may not have converged" in t for t in prof.notes)
    with pytest.raises(ValueError, match="allow_poor_mixing"):
        gibbs.gibbs_profile(model, allow_poor_mixing="yes", **kw)


def test_split_rhat_matches_reference():
    rng = np.random.default_rng(5)
    for shift in (0.0, 0.3, 2.0):
        t = rng.normal(size=(6, 41)) + shift * np.arange(6)[:, None]
        assert abs(gibbs.split_rhat(t) - split_rhat_reference(t)) < 1e-12
    assert math.isnan(gibbs.split_rhat(np.zeros((3, 3))))


def test_grid_20x20_takes_the_gibbs_route():
    model = ss.ising(nx.grid_2d_graph(20, 20), 0.3)
    assert batched.mrf_elimination_width(model) > batched.MRF_ELIMINATION_BUDGET
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # two chains only: R-hat is not informative
        prof = ss.information_profile(model, method="montecarlo", seed=0, samples=4, progress=False)
    h, s = np.asarray(prof.h), np.asarray(prof.stderr)
    assert prof.method == "montecarlo (gibbs)" and prof.exact is False and len(h) == 400
    assert np.all(s > 0) and np.all(np.isfinite(h)) and np.all((h >= 0) & (h <= np.log(2) + 1e-12))
    # zero field: every marginal is uniform, h_0 = log 2; two batches make a rough stderr and the bias of the
    # inner chains' length is a few 1e-3 here (the notes give the first order removed), hence the tolerance
    assert abs(h[0] - np.log(2)) <= 0.02
    assert any("removed by extrapolation" in t for t in prof.notes)


def test_gibbs_short_inner_chains_h0_pooled_and_extrapolated():
    # strong coupling on 3x3 with 4 inner sweeps: one batch's H(p_hat) is far below H (before pooling, h_0 came
    # out 0.14 nats low); pooled marginals for h_0 and the extrapolation for the rest keep every h_j honest
    J, field = 0.7, 0.1
    prof = gibbs.gibbs_profile(ss.ising(GRID, J, field), seed=2, samples=256, inner_sweeps=4, progress=False,
                               exact_pieces=False)
    exact_h, _ = brute_profile(_ising_field_joint(J, field))
    z = (np.asarray(prof.h) - np.asarray(exact_h)) / np.asarray(prof.stderr)
    assert np.all(np.abs(z) < 4.5), z
    assert any("pooled" in t for t in prof.notes)


def test_gibbs_significant_extrapolation_widens_the_errors():
    # two inner sweeps on a 4x4 grid: the first order removed is significant, so half of it is added to the
    # standard errors (an allowance for the second-order remainder), which then cover the exact profile
    J, field = 0.4, 0.1
    model = ss.ising(nx.grid_2d_graph(4, 4), J, field)
    prof = gibbs.gibbs_profile(model, seed=2, samples=400, stderr=0.002, inner_sweeps=2, progress=False,
                               exact_pieces=False)
    note = [t for t in prof.notes if "systematic allowance" in t]
    assert note and float(note[0].rsplit(" ", 1)[1]) <= max(prof.stderr)
    exact_h = ss.information_profile(model).h  # the exact route (2^16 joint), itself checked by brute force above
    z = (np.asarray(prof.h) - np.asarray(exact_h)) / np.asarray(prof.stderr)
    assert np.all(np.abs(z) < 4.5), z


def test_gibbs_profile_notes_follow_the_result_protocol():
    import json
    prof = gibbs.gibbs_profile(ss.ising(nx.path_graph(4), 0.3), seed=0, samples=8, burn_in=20, progress=False)
    d = json.loads(json.dumps(prof.to_dict()))
    assert d["method"] == "montecarlo (gibbs)" and d["exact"] is False and len(d["notes"]) >= 4
    assert "R-hat" in str(prof) and "$" not in prof.latex()
    assert prof.monotone().notes == prof.notes
    assert "notes" not in ss.information_profile(ss.copy_model(3, 2)).to_dict()
    with pytest.raises(ValueError, match="notes"):
        ss.InformationProfile((0.5,), e=(0, 0.5), entropy=0.5, notes="one string")


def test_elimination_monte_carlo_refuses_over_its_step_budget():
    # 300 independent spins: elimination is trivial (width 2) but N^3 Python steps are not; the way forward
    # names the Gibbs route
    with pytest.raises(ModelTooLargeError, match="gibbs_profile"):
        ss.information_profile(ss.ising(nx.empty_graph(300), 0.1), method="montecarlo", progress=False)


def test_gibbs_time_budget_stops_after_two_batches():
    # a tiny model runs its minimum (2 batches, one at a time) even within a vanishing time budget
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        prof = gibbs.gibbs_profile(ss.ising(GRID, 0.3), seed=0, stderr=1e-6, time_budget=1e-9, burn_in=10,
                                   progress=False)
    assert ": 2 independent outer chains" in prof.notes[0]


def test_gibbs_time_budget_refuses_or_returns_about_then():
    import time
    big = ss.ising(nx.grid_2d_graph(20, 20), 0.3)
    with pytest.raises(ModelTooLargeError, match="time_budget"):
        gibbs.gibbs_profile(big, seed=0, time_budget=0.5, progress=False)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        prof = gibbs.gibbs_profile(ss.ising(nx.grid_2d_graph(4, 4), 0.3), seed=0, stderr=1e-6, time_budget=1.0,
                                   progress=False)
    assert time.perf_counter() - start < 2.5 and not prof.exact


def test_gibbs_budget_bounds_the_whole_run():
    # a budget of exactly 9 batches: the run stops there (not at the samples cap) and says the target was missed
    model = ss.ising(nx.path_graph(4), 0.3)
    per_batch = gibbs.gibbs_cost(gibbs.GibbsSampler(model), 1, 20, 2, 10, 4, 5, 20)
    with pytest.warns(RuntimeWarning, match="the most the budget allows"):
        prof = gibbs.gibbs_profile(model, seed=0, stderr=1e-6, burn_in=20, budget=9 * per_batch, progress=False,
                                   cluster=False)
    assert any("Gibbs sampling" in t and " 9 independent outer chains" in t for t in prof.notes)
    with pytest.raises(ModelTooLargeError):  # the minimum run (8 batches) over budget
        gibbs.gibbs_profile(model, seed=0, burn_in=20, budget=7 * per_batch, progress=False, cluster=False)
