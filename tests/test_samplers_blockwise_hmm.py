"""Semi-autoregressive blocks and fixed partitions on hidden Markov models at any length (issue #14).

The exact route (prefixes enumerated through the filtered belief) against the subset entropies of the
joint table summed over every hidden path and against enumeration of the sampler (tests/reference.py);
the Monte Carlo route, forced, against the exact values within 4.5 standard errors; long models.
"""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import symsched as ss
import symsched.samplers.blockwise_hmm as bh
from reference import (brute_blockwise, brute_partition, brute_profile, hmm_joint_brute, identity_kl,
                       subset_blockwise, subset_partition)


def random_hmm(n, hidden, vocab, seed, zeros=False, joint=True):
    """An inhomogeneous HMM with random tables (``zeros``: some emission and transition entries 0) and its joint
    summed over every hidden path (``joint``)."""
    rng = np.random.default_rng(seed)
    init = rng.dirichlet(np.ones(hidden))
    trans = [rng.dirichlet(np.ones(hidden), size=hidden) for _ in range(n - 1)]
    emis = [rng.dirichlet(np.ones(vocab), size=hidden) for _ in range(n)]
    if zeros:
        for m in trans[::2] + emis[1::2]:
            if m.shape[1] > 1:
                m[0, -1] = 0.0
                m[0] /= m[0].sum()
    hmm = ss.HiddenMarkovModel(init, trans, emis)
    return hmm, hmm_joint_brute(init, trans, emis) if joint else None


def per_block(N, B, sizes):
    n_blocks = len(range(0, N, B))
    return sizes if isinstance(sizes[0], list) else [sizes] * n_blocks


EXACT_CASES = [(6, 2, 3, 2, [[1, 1], [2], [1, 1]]), (7, 3, 2, 3, [[2, 1], [1, 2], [1]]), (8, 2, 2, 4, [[1, 3], [2, 2]]),
               (8, 3, 2, 3, [[3], [1, 2], [2]]), (9, 2, 2, 5, [[2, 0, 3], [4]]), (10, 2, 2, 4, [[2, 2], [1, 3], [2]])]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("N,hidden,vocab,B,sizes", EXACT_CASES)
def test_exact_route_equals_subset_entropies_of_the_joint(N, hidden, vocab, B, sizes, seed):
    hmm, joint = random_hmm(N, hidden, vocab, seed, zeros=seed == 1)
    sizes = per_block(N, B, sizes)
    r = ss.blockwise_expected_kl(hmm, B, sizes)
    ref = subset_blockwise(joint, B, sizes)
    assert r.method == "hmm-exact" and r.exact and r.stderr == 0 and r.samples is None
    assert r.per_block == pytest.approx(ref, abs=1e-10)
    assert float(r) == pytest.approx(sum(ref), abs=1e-10)
    # each block's term is §2's identity on its prefix-averaged profile
    for prof, sz, term in zip(r.block_profiles, sizes, r.per_block):
        assert len(prof) == sum(sz) and identity_kl(list(prof), sz) == pytest.approx(term, abs=1e-12)


@pytest.mark.parametrize("N,B,sizes", [(5, 2, [[1, 1], [2], [1]]), (6, 3, [[2, 1], [1, 2]]),
                                       (6, 2, [[2], [2], [1, 1]])])
def test_exact_route_equals_enumeration_of_the_sampler(N, B, sizes):
    hmm, joint = random_hmm(N, 2, 3 if N == 5 else 2, N)
    assert float(ss.blockwise_expected_kl(hmm, B, sizes)) == pytest.approx(brute_blockwise(joint, B, sizes),
                                                                           abs=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_partition_exact_route(seed):
    hmm, joint = random_hmm(7, 2, 3, 10 + seed, zeros=seed == 2)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(7).tolist()
    for parts in ([[i] for i in range(7)], [[0, 2, 4, 6], [1, 5], [3]], [perm[:3], [], perm[3:4], perm[4:]],
                  [[6, 0], [3], [1, 2, 4, 5]]):
        r = ss.partition_kl(hmm, parts)
        assert r.method == "hmm-exact" and r.exact
        assert r.per_step == pytest.approx(subset_partition(joint, parts), abs=1e-10)
    small, small_joint = random_hmm(5, 3, 2, seed)
    parts = [[0, 3], [4], [1, 2]]
    assert float(ss.partition_kl(small, parts)) == pytest.approx(brute_partition(small_joint, parts), abs=1e-10)
    assert float(ss.partition_kl(small, [[i] for i in range(5)])) == pytest.approx(0, abs=1e-12)


def _within(est, exact, stderr, z=4.5):
    return abs(est - exact) <= z * stderr + 1e-12


MC_CASES = [(8, 4, [2, 2]), (8, 3, [[1, 2], [2, 1], [1, 1]]), (9, 3, [3]), (10, 5, [[2, 3], [1, 0, 4]])]


@pytest.mark.parametrize("inner_exact", [True, False])
@pytest.mark.parametrize("N,B,sizes", MC_CASES)
def test_montecarlo_route_agrees_with_the_exact_value(N, B, sizes, inner_exact, monkeypatch):
    if not inner_exact:   # every sampled block's term sampled too (random order, forward-backward)
        monkeypatch.setattr(bh, "INNER_EXACT_LATTICE", 0)
    hmm, joint = random_hmm(N, 3, 2, 100 + N)
    sizes = per_block(N, B, sizes)
    exact = subset_blockwise(joint, B, sizes)
    r = ss.blockwise_expected_kl(hmm, B, sizes, budget=1, stderr=0.003, samples=6000, seed=5)
    assert r.method == "hmm-montecarlo" and not r.exact and isinstance(r.kl, ss.results.Estimate)
    assert r.stderr > 0 and r.samples >= bh.MIN_BATCHES * bh.BATCH_DRAWS
    assert _within(float(r), sum(exact), r.stderr)
    for v, s, e in zip(r.per_block, r.per_block_stderr, exact):
        assert v >= 0 and _within(v, e, s)
    # method="montecarlo": the first block (no prefix) stays exact
    m = ss.blockwise_expected_kl(hmm, B, sizes, method="montecarlo", stderr=0.003, samples=6000, seed=5)
    assert m.per_block_stderr[0] == 0 and m.per_block[0] == pytest.approx(exact[0], abs=1e-10)
    assert _within(float(m), sum(exact), m.stderr)


def test_montecarlo_mixes_exact_and_sampled_blocks():
    hmm, joint = random_hmm(9, 2, 2, 3)
    exact = subset_blockwise(joint, 3, [[2, 1]] * 3)
    # enough budget for the first two blocks, not the third
    budget = bh._exact_block_cost(bh._HMM(hmm), (0, 1, 2)) + bh._exact_block_cost(bh._HMM(hmm), (3, 4, 5))
    r = ss.blockwise_expected_kl(hmm, 3, [2, 1], budget=budget, stderr=0.003, seed=2)
    assert r.per_block_stderr[:2] == (0.0, 0.0) and r.per_block_stderr[2] > 0
    assert r.per_block[:2] == pytest.approx(exact[:2], abs=1e-10)
    assert r.block_profiles[2] is None and len(r.block_profiles[0]) == 3
    assert r.stderr == pytest.approx(r.per_block_stderr[2])   # exact blocks add no sampling error
    assert _within(float(r), sum(exact), r.stderr)


@pytest.mark.parametrize("parts", [[[0, 2, 4, 6], [1, 5], [3, 7]], [[i] for i in range(8)],
                                   [[7, 1], [], [0, 2, 3], [4, 5, 6]]])
def test_partition_montecarlo_agrees_with_the_exact_value(parts):
    hmm, joint = random_hmm(8, 3, 2, 21)
    exact = subset_partition(joint, parts)
    r = ss.partition_kl(hmm, parts, method="montecarlo", stderr=0.003, samples=6000, seed=1)
    if all(len(S) <= 1 for S in parts):      # nothing to sample: one-token steps cost exactly 0
        assert r.method == "hmm-exact" and r.exact and float(r) == 0 and sum(exact) == pytest.approx(0, abs=1e-12)
        return
    assert r.method == "hmm-montecarlo" and not r.exact and r.stderr > 0
    assert _within(float(r), sum(exact), r.stderr)
    for v, s, e, S in zip(r.per_step, r.per_step_stderr, exact, parts):
        assert v >= 0 and _within(v, e, s)
        if len(S) <= 1:        # one token: the chain rule cancels the single exactly
            assert v == pytest.approx(0, abs=1e-12) and s == pytest.approx(0, abs=1e-12)
    auto = ss.partition_kl(hmm, parts, budget=1, stderr=0.003, samples=6000, seed=1)   # forced by the budget
    assert auto.method == "hmm-montecarlo"


def test_same_seed_same_numbers():
    hmm, _ = random_hmm(12, 2, 3, 4, joint=False)
    a = ss.blockwise_expected_kl(hmm, 4, [2, 2], budget=1, samples=2000, seed=7)
    b = ss.blockwise_expected_kl(hmm, 4, [2, 2], budget=1, samples=2000, seed=7)
    c = ss.blockwise_expected_kl(hmm, 4, [2, 2], budget=1, samples=2000, seed=8)
    assert a.per_block == b.per_block and a.stderr == b.stderr and a.samples == b.samples
    assert a.per_block != c.per_block
    p = ss.partition_kl(hmm, [[0, 5, 11], list(range(1, 5)), list(range(6, 11))], method="montecarlo", seed=3,
                        samples=500)
    q = ss.partition_kl(hmm, [[0, 5, 11], list(range(1, 5)), list(range(6, 11))], method="montecarlo", seed=3,
                        samples=500)
    assert p.per_step == q.per_step


def test_long_hmm_runs_with_a_standard_error():
    hmm = ss.hidden_markov_model(512, [0.5, 0.5], [[0.95, 0.05], [0.1, 0.9]],
                                 [[0.8, 0.15, 0.05], [0.1, 0.2, 0.7]])
    r = ss.blockwise_expected_kl(hmm, 32, [4] * 8, samples=512, seed=0)   # 4 batches of 128 draws
    assert r.method == "hmm-montecarlo" and not r.exact and r.stderr > 0 and len(r.per_block) == 16
    assert min(r.per_block) >= 0 and all(s > 0 for s in r.per_block_stderr)
    assert float(r) > 0 and str(r.kl).endswith("(estimate)")
    # the hidden chain mixes within a few tokens, so every block after the first has the same term
    inner = np.asarray(r.per_block[1:])
    assert np.ptp(inner) < 8 * max(r.per_block_stderr)
    json.dumps(r.to_dict())


def test_identity_emissions_are_the_markov_chain():
    rng = np.random.default_rng(9)
    init = rng.dirichlet(np.ones(3))
    trans = [rng.dirichlet(np.ones(3), size=3) for _ in range(9)]
    hmm = ss.HiddenMarkovModel(init, trans, [np.eye(3)] * 10)
    chain = ss.markov_chain(10, init, trans)
    for B, sizes in [(4, [[2, 2], [1, 3], [2]]), (5, [1, 4]), (3, [[3], [2, 1], [1, 2], [1]])]:
        exact = ss.blockwise_expected_kl(hmm, B, sizes)
        ref = ss.blockwise_expected_kl(chain, B, sizes)
        assert exact.method == "hmm-exact" and ref.method == "chain"
        assert exact.per_block == pytest.approx(ref.per_block, abs=1e-10)
    assert float(ss.partition_kl(hmm, ss.dus_blocks(8) + [[8, 9]])) == pytest.approx(
        float(ss.partition_kl(chain, ss.dus_blocks(8) + [[8, 9]])), abs=1e-10)
    # long: sampled, against the chain's structure route
    trans = [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]]
    long_hmm = ss.hidden_markov_model(96, [1 / 3] * 3, trans, np.eye(3))
    long_chain = ss.markov_chain(96, [1 / 3] * 3, trans)
    est = ss.blockwise_expected_kl(long_hmm, 16, [4, 4, 8], stderr=0.02, seed=1)
    ref = ss.blockwise_expected_kl(long_chain, 16, [4, 4, 8])
    assert est.method == "hmm-montecarlo" and _within(float(est), float(ref), est.stderr)


def test_compare_with_random_order():
    hmm, joint = random_hmm(6, 2, 2, 30)
    r = ss.blockwise_expected_kl(hmm, 3, [2, 1], compare=True)
    h, _ = brute_profile(joint)
    assert r.random_order_kl == pytest.approx(identity_kl(h, [2, 1, 2, 1]), abs=1e-10)
    big = ss.hidden_markov_model(24, [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]], [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    r = ss.blockwise_expected_kl(big, 8, [4, 4], compare=True, stderr=0.1, samples=600, seed=0)
    assert isinstance(r.random_order_kl, ss.results.Estimate) and r.random_order_kl.value >= 0


def test_refusals_and_bad_options():
    hmm, _ = random_hmm(10, 2, 2, 1, joint=False)
    with pytest.raises(ss.ModelTooLargeError, match="prefixes"):
        ss.blockwise_expected_kl(hmm, 5, [2, 3], method="exact", budget=100)
    with pytest.raises(ss.ModelTooLargeError, match="marginal table"):
        ss.partition_kl(hmm, [list(range(0, 10, 2)), list(range(1, 10, 2))], method="exact", budget=10)
    with pytest.raises(ss.ModelTooLargeError, match="samples="):
        ss.blockwise_expected_kl(hmm, 5, [2, 3], budget=1, samples=10 ** 12)
    for kw, word in ((dict(stderr=0), "stderr"), (dict(stderr=float("nan")), "stderr"), (dict(samples=1), "samples"),
                     (dict(samples=2.5), "samples"), (dict(seed=-1), "seed"), (dict(method="fast"), "method")):
        with pytest.raises(ValueError, match=word):
            ss.blockwise_expected_kl(hmm, 5, [2, 3], **kw)
        with pytest.raises(ValueError, match=word):
            ss.partition_kl(hmm, [[0], list(range(1, 10))], **kw)
    with pytest.raises(ValueError, match="hidden Markov"):
        ss.blockwise_expected_kl(ss.binary_symmetric_chain(4, 0.1), 2, [1, 1], method="montecarlo")
    with pytest.raises(ValueError, match="hidden Markov"):
        ss.partition_kl(ss.copy_model(3), [[0], [1, 2]], method="montecarlo")


def test_other_precisions_keep_the_enumeration_route():
    hmm, joint = random_hmm(5, 2, 2, 8)
    r = ss.blockwise_expected_kl(hmm, 2, [[1, 1], [2], [1]], precision="mpmath")
    assert r.method == "enumeration"
    assert float(r) == pytest.approx(sum(subset_blockwise(joint, 2, [[1, 1], [2], [1]])), abs=1e-12)


def test_estimate_result_protocol():
    hmm, _ = random_hmm(8, 2, 2, 5)
    r = ss.blockwise_expected_kl(hmm, 4, [2, 2], budget=1, stderr=0.01, seed=0)
    d = json.loads(json.dumps(r.to_dict()))
    assert d["exact"] is False and d["kl"]["type"] == "Estimate" and d["stderr"] > 0
    assert "\\pm" in r.latex() and "$" not in r.latex() and "±" in str(r) and "<table" in r._repr_html_()
    assert math.isfinite(float(r)) and float(r) >= 0
    p = ss.partition_kl(hmm, [[0, 4], [1, 2, 3], [5, 6, 7]], method="montecarlo", stderr=0.01, seed=0)
    assert json.loads(json.dumps(p.to_dict()))["kl"]["type"] == "Estimate" and "\\pm" in p.latex()


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(st.integers(2, 6), st.integers(1, 3), st.integers(1, 3), st.data())
def test_property_exact_routes_equal_the_subset_references(N, hidden, vocab, data):
    hmm, joint = random_hmm(N, hidden, vocab, data.draw(st.integers(0, 10 ** 6)), zeros=data.draw(st.booleans()))
    B = data.draw(st.integers(1, N))
    sizes = []
    for a in range(0, N, B):
        length = min(B, N - a)
        cuts = sorted(data.draw(st.lists(st.integers(0, length), max_size=3)))
        sizes.append([y - x for x, y in zip([0] + cuts, cuts + [length])])   # zeros allowed (empty steps)
    r = ss.blockwise_expected_kl(hmm, B, sizes)
    ref = subset_blockwise(joint, B, sizes)
    assert r.method == "hmm-exact" and min(r.per_block) >= 0
    assert r.per_block == pytest.approx(ref, abs=1e-10)
    perm = data.draw(st.permutations(range(N)))
    cuts = sorted(data.draw(st.lists(st.integers(0, N), max_size=3)))
    parts = [list(perm[x:y]) for x, y in zip([0] + cuts, cuts + [N])]
    p = ss.partition_kl(hmm, parts)
    assert p.per_step == pytest.approx(subset_partition(joint, parts), abs=1e-10) and float(p) >= 0


def test_block_length_sweep_keeps_estimates():
    hmm, joint = random_hmm(8, 2, 2, 40)
    exact = ss.block_length_sweep(hmm, 4, [2, 4], compare=False)
    for B, kl in zip(exact.column("block_length"), exact.column("kl")):
        sizes = ss.sampler_schedule("llada", 8, 4, block_length=B).block_sizes
        assert kl == pytest.approx(sum(subset_blockwise(joint, B, sizes)), abs=1e-10)
    long_hmm = ss.hidden_markov_model(24, [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]], [[0.8, 0.2], [0.3, 0.7]])
    t = ss.block_length_sweep(long_hmm, 6, [4, 8], compare=False)
    assert all(isinstance(v, ss.results.Estimate) and v.stderr > 0 for v in t.column("kl"))
    assert "±" in str(t) and "\\pm" in t.latex()


def test_total_is_the_unclipped_sum_clipped_once():
    # two sampled terms of -0.02 and +0.05: shown as 0 and 0.05, total 0.03 (not 0.05); all below 0: total 0
    from symsched.samplers.blockwise import _estimate_from_terms
    est, vals = _estimate_from_terms({"terms": [-0.02, 0.05], "stderr": [0.01, 0.01], "draws": 10,
                                      "total_stderr": 0.014}, "E KL")
    assert vals == [0.0, 0.05] and float(est) == pytest.approx(0.03) and est.stderr == 0.014
    est, _ = _estimate_from_terms({"terms": [-0.02, -0.01], "stderr": [0.01, 0.01], "draws": 10,
                                   "total_stderr": 0.014}, "E KL")
    assert float(est) == 0.0 and "clipped" in est.what
