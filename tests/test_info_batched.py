"""Batched Monte Carlo blocks: vectorised samplers and marginals against the joint table and per-sample elimination;
batch means within their standard errors of the exact profile; the same numbers on any number of workers."""


import numpy as np
import pytest

import symsched as ss
from symsched.arithmetic import arithmetic
from symsched.info.batched import BatchOracle, batch_means, resolve_workers
from symsched.info.elimination import bn_log_marginal

from reference import brute_profile, marginal


@pytest.fixture(scope="module")
def asia():
    return ss.load_example("asia")


def test_bn_marginals_match_the_joint_and_per_sample_elimination(asia):
    oracle = BatchOracle(asia, joint_limit=0)  # force the Bayesian-network route
    assert oracle.kind == "bn"
    joint = asia.joint()
    factors = [(vs, np.asarray(a, float)) for vs, a in asia.factors(arithmetic("float"))]
    rng = np.random.default_rng(0)
    x = oracle.sample(rng, 50)
    for T in [(0,), (3, 5), (1, 2, 6), (0, 4, 7), tuple(range(8))]:
        lp = oracle.log_marginal(T, x)
        table = marginal(joint, T)
        np.testing.assert_allclose(lp, np.log(table[tuple(x[:, k] for k in T)]), rtol=0, atol=1e-12)
        for b in range(3):
            assert lp[b] == pytest.approx(bn_log_marginal(asia, factors, {k: int(x[b, k]) for k in T}), abs=1e-12)


def test_hmm_marginals_match_the_joint():
    hmm = ss.hidden_markov_model(7, [0.6, 0.4], [[0.8, 0.2], [0.3, 0.7]], [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    oracle = BatchOracle(hmm, joint_limit=0)
    assert oracle.kind == "hmm"
    joint = hmm.joint()
    x = oracle.sample(np.random.default_rng(1), 40)
    for T in [(0,), (2, 6), (1, 3, 4), tuple(range(7))]:
        np.testing.assert_allclose(oracle.log_marginal(T, x), np.log(marginal(joint, T)[tuple(x[:, k] for k in T)]),
                                   rtol=0, atol=1e-12)


def _stochastic(rng, rows, cols):
    m = rng.random((rows, cols)) ** 2
    m[rng.random((rows, cols)) < 0.25] = 0.0  # structural zeros
    m[:, 0] += 0.05
    return m / m.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("seed", range(6))
def test_hmm_conditionals_by_forward_backward_match_the_joint(seed):
    # non-homogeneous HMM with zeros; log p(x_i | x_T) of every i outside T from the explicit joint
    rng = np.random.default_rng(seed)
    S, V, N = int(rng.integers(2, 4)), int(rng.integers(2, 4)), int(rng.integers(3, 9))
    init = rng.random(S) + 0.01
    hmm = ss.hidden_markov_model(N, init / init.sum(), [_stochastic(rng, S, S) for _ in range(N - 1)],
                                 [_stochastic(rng, S, V) for _ in range(N)])
    oracle = BatchOracle(hmm, joint_limit=0)
    joint = hmm.joint()
    x = oracle.sample(rng, 30)
    for T in [(), tuple(sorted(rng.permutation(N)[:int(rng.integers(1, N))].tolist())), tuple(range(1, N))]:
        got = oracle.conditional_log_probs(T, x)
        base = np.log(marginal(joint, T)[tuple(x[:, k] for k in T)]) if T else 0.0
        outside = [i for i in range(N) if i not in T]
        want = np.stack([np.log(marginal(joint, T + (i,))[tuple(x[:, k] for k in sorted(T + (i,)))]) - base
                         for i in outside], axis=1)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-11)


@pytest.mark.parametrize("kind,limit", [("bn", 0), ("joint", 2 ** 20)])
def test_samplers_draw_from_the_joint(asia, kind, limit):
    oracle = BatchOracle(asia, joint_limit=limit)
    assert oracle.kind == kind
    n = 40000
    x = oracle.sample(np.random.default_rng(2), n)
    joint = asia.joint()
    counts = np.zeros(joint.shape)
    np.add.at(counts, tuple(x.T), 1)
    # every cell within 5 binomial standard deviations (plus one count)
    sd = np.sqrt(n * joint * (1 - joint))
    assert np.all(np.abs(counts - n * joint) <= 5 * sd + 1)


def test_hmm_sampler_draws_from_the_joint():
    hmm = ss.hidden_markov_model(4, [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]], [[0.8, 0.2], [0.3, 0.7]])
    x = BatchOracle(hmm, joint_limit=0).sample(np.random.default_rng(3), 40000)
    joint = hmm.joint()
    counts = np.zeros(joint.shape)
    np.add.at(counts, tuple(x.T), 1)
    assert np.all(np.abs(counts - 40000 * joint) <= 5 * np.sqrt(40000 * joint * (1 - joint)) + 1)


def test_batch_means_agree_with_the_exact_profile(asia):
    oracle = BatchOracle(asia, joint_limit=0)
    h = brute_profile(asia.joint())[0]
    res = batch_means(oracle, range(1, 8), 0.01, 20000, entropy=7)
    for j, (mean, se, count) in res.items():
        assert se > 0 and count >= 32 * 64 and (se <= 0.01 or count >= 20000)  # target met, or the cap reached
        assert abs(mean - h[j]) <= 4.5 * se  # Bonferroni over 7 sizes at 4.5 sigma


def test_same_numbers_whatever_the_workers(asia):
    oracle = BatchOracle(asia, joint_limit=0)
    local = batch_means(oracle, [2, 5], 0.05, 4000, entropy=11)
    assert batch_means(oracle, [2, 5], 0.05, 4000, entropy=11, workers=2) == local
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1, dashboard_address=None) as lc, \
            distributed.Client(lc) as client:
        assert batch_means(oracle, [2, 5], 0.05, 4000, entropy=11, workers=client) == local
    assert batch_means(oracle, [2, 5], 0.05, 4000, entropy=12) != local


def test_bad_workers_are_refused():
    for bad in (0, -1, True, "two", 1.5):
        with pytest.raises(ValueError, match="workers"):
            resolve_workers(bad)
    assert resolve_workers(None) is None and resolve_workers(1) is None and resolve_workers(3) == 3


def test_networks_beyond_einsum_labels_use_stepwise_elimination(monkeypatch):
    import symsched.info.oracles.bayesian as bayesian

    bn = ss.load_example("hailfinder")  # 56 variables: some marginals have more than 51 hidden ancestors
    oracle = BatchOracle(bn, joint_limit=0)
    factors = [(vs, np.asarray(a, float)) for vs, a in bn.factors(arithmetic("float"))]
    rng = np.random.default_rng(5)
    x = oracle.sample(rng, 4)
    T = tuple(sorted(rng.permutation(bn.N)[:3].tolist()))
    lp = oracle.log_marginal(T, x)
    for b in range(2):
        assert lp[b] == pytest.approx(bn_log_marginal(bn, factors, {k: int(x[b, k]) for k in T}), abs=1e-10)
    # the stepwise executor equals the single-call path where both apply
    child = BatchOracle(ss.load_example("child"), joint_limit=0)
    xc = child.sample(rng, 16)
    path = child.log_marginal((3, 9, 15), xc)
    monkeypatch.setattr(bayesian, "EINSUM_LABELS", 8)
    np.testing.assert_allclose(child.log_marginal((3, 9, 15), xc), path, rtol=0, atol=1e-12)
