"""Semi-autoregressive blocks and fixed partitions (issue #14) against brute-force samplers on the joint table."""


import numpy as np
import pytest

import symsched as ss
from reference import brute_blockwise, brute_partition, brute_profile, identity_kl, random_joint


def _random_bn(n, cards, seed):
    """A random Bayesian network on n variables with the given cardinalities (each node has up to 2 earlier parents)."""
    rng = np.random.default_rng(seed)
    bn = ss.BayesianNetwork()
    names = [f"V{i}" for i in range(n)]
    for v, c in zip(names, cards):
        bn.add_variable(v, states=c)
    for i, v in enumerate(names):
        parents = sorted(rng.choice(i, size=min(i, int(rng.integers(0, 3))), replace=False).tolist()) if i else []
        shape = tuple(cards[p] for p in parents) + (cards[i],)
        t = rng.random(shape) ** 2 + 0.05
        bn.set_cpd(v, t / t.sum(axis=-1, keepdims=True), parents=[names[p] for p in parents])
    return bn


CASES = [(5, (2, 2, 2, 2, 2), 2, [[1, 1], [2], [1]]), (5, (2, 3, 2, 3, 2), 3, [[2, 1], [1, 1]]),
         (6, (3, 2, 2, 3, 2, 2), 3, [[1, 2], [3]]), (6, (2,) * 6, 4, [[2, 2], [1, 1]]),
         (5, (3, 3, 2, 2, 3), 5, [[2, 0, 3]])]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("n,cards,B,sizes", CASES)
def test_blockwise_equals_enumeration_of_the_sampler(n, cards, B, sizes, seed):
    bn = _random_bn(n, cards, seed)
    joint = np.asarray(bn.joint(), float)
    r = ss.blockwise_expected_kl(bn, B, sizes)
    assert float(r) == pytest.approx(brute_blockwise(joint, B, sizes), abs=1e-10)
    assert r.exact and r.method == "enumeration" and sum(r.per_block) == pytest.approx(float(r))


def test_one_block_is_the_identity_and_random_order_comparison():
    joint = random_joint((2, 3, 2, 2), 4)
    h, _ = brute_profile(joint)
    r = ss.blockwise_expected_kl(joint, 4, [1, 3], compare=True)
    assert float(r) == pytest.approx(identity_kl(h, [1, 3]), abs=1e-12)
    assert r.random_order_kl == pytest.approx(float(r), abs=1e-12)
    r2 = ss.blockwise_expected_kl(joint, 2, [1, 1], compare=True)
    assert r2.random_order_kl == pytest.approx(identity_kl(h, [1, 1, 1, 1]), abs=1e-12)  # = 0


def test_same_sizes_for_every_block_and_sampler_schedule_input():
    bn = _random_bn(6, (2,) * 6, 7)
    joint = np.asarray(bn.joint(), float)
    s = ss.sampler_schedule("llada", 6, 4, block_length=3)
    assert s.block_sizes == ((2, 1), (2, 1))
    assert float(ss.blockwise_expected_kl(bn, 3, s)) == pytest.approx(brute_blockwise(joint, 3, [[2, 1], [2, 1]]),
                                                                      abs=1e-10)
    assert float(ss.blockwise_expected_kl(bn, 3, [2, 1])) == float(ss.blockwise_expected_kl(bn, 3, s))


@pytest.mark.parametrize("n,B,sizes", [(6, 3, [2, 1]), (7, 3, [[1, 2], [3], [1]]), (8, 4, [2, 2]), (5, 5, [3, 2])])
def test_chain_structure_route_equals_enumeration(n, B, sizes):
    rng = np.random.default_rng(n)
    init = rng.dirichlet(np.ones(3))
    trans = [rng.dirichlet(np.ones(3), size=3) for _ in range(n - 1)]   # inhomogeneous
    mc = ss.markov_chain(n, init, trans)
    joint = np.asarray(mc.joint(), float)
    r = ss.blockwise_expected_kl(mc, B, sizes)
    assert r.method == "chain"
    assert float(r) == pytest.approx(ss.blockwise_expected_kl(joint, B, sizes).kl, abs=1e-10)
    if n <= 6:
        per = sizes if isinstance(sizes[0], list) else [sizes] * len(range(0, n, B))
        assert float(r) == pytest.approx(brute_blockwise(joint, B, per), abs=1e-10)


def test_chain_at_length_beyond_enumeration():
    mc = ss.binary_symmetric_chain(512, 0.05)
    r = ss.blockwise_expected_kl(mc, 32, [4] * 8, compare=True)
    assert r.method == "chain" and 0 < float(r)
    # 4 neighbouring tokens of a 32-block at once cost far more than 4 random positions among 512
    assert float(r) > r.random_order_kl > 0
    with pytest.raises(ss.ModelTooLargeError):
        ss.blockwise_expected_kl(ss.from_joint(random_joint((2,) * 10, 0)), 10, [5, 5], budget=1e3)


def test_blockwise_exact_arithmetic():
    joint = random_joint((2, 2, 2, 2), 9)
    r = ss.blockwise_expected_kl(joint, 2, [2], precision="mpmath")
    assert float(r) == pytest.approx(brute_blockwise(joint, 2, [[2], [2]]), abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_partition_kl_equals_enumeration(seed):
    cards = (2, 3, 2, 3, 2, 2)
    bn = _random_bn(6, cards, seed)
    joint = np.asarray(bn.joint(), float)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(6).tolist()
    partitions = [[[i] for i in range(6)], [[0, 1, 2], [3, 4, 5]], [perm[:2], perm[2:3], perm[3:]],
                  [[0, 4], [2], [], [1, 3, 5]]]
    for parts in partitions:
        r = ss.partition_kl(bn, parts)
        assert float(r) == pytest.approx(brute_partition(joint, parts), abs=1e-10)
    assert float(ss.partition_kl(bn, [[i] for i in range(6)])) == pytest.approx(0, abs=1e-12)


def test_partition_kl_dus_strides_on_a_chain_and_names():
    mc = ss.binary_symmetric_chain(8, 0.2)
    joint = np.asarray(mc.joint(), float)
    groups = ss.dus_blocks(8)
    r = ss.partition_kl(mc, groups)
    assert r.method == "chain" and float(r) == pytest.approx(brute_partition(joint, groups), abs=1e-10)
    names = [[mc.variables[i] for i in g] for g in groups]
    assert float(ss.partition_kl(mc, names)) == pytest.approx(float(r), abs=1e-12)
    # the expected KL over random orders with DUS's sizes, for comparison: a number of the same kind
    h, _ = brute_profile(joint)
    assert identity_kl(h, [2, 2, 4]) > 0
    with pytest.raises(ValueError, match="partition"):
        ss.partition_kl(mc, [[0, 1], [1, 2, 3, 4, 5, 6, 7]])


def test_blockwise_input_errors():
    joint = random_joint((2, 2, 2, 2), 1)
    with pytest.raises(ValueError, match="sum to"):
        ss.blockwise_expected_kl(joint, 2, [1])
    with pytest.raises(ValueError, match="per block"):
        ss.blockwise_expected_kl(joint, 2, [[2], [1, 1], [2]])
    with pytest.raises(ValueError, match="block_length"):
        ss.blockwise_expected_kl(joint, 0, [2])


def test_hidden_markov_model_goes_through_its_structure():
    hmm = ss.hidden_markov_model(5, [0.6, 0.4], [[0.9, 0.1], [0.2, 0.8]], [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    joint = np.asarray(hmm.joint(), float)
    r = ss.blockwise_expected_kl(hmm, 2, [[1, 1], [2], [1]])
    assert r.method == "hmm-exact"  # tests/test_samplers_blockwise_hmm.py: every length
    assert float(r) == pytest.approx(brute_blockwise(joint, 2, [[1, 1], [2], [1]]), abs=1e-10)
    assert float(ss.partition_kl(hmm, [[0, 4], [2], [1, 3]])) == pytest.approx(
        brute_partition(joint, [[0, 4], [2], [1, 3]]), abs=1e-10)
