"""Denoisers: exact conditionals of models, and the profile estimated from a denoiser and data."""

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, strategies as st

import symsched as ss
from reference import brute_profile, conditional_from_joint, outside_errors, random_joint, z_bonferroni


def five_node_bn():
    bn = ss.BayesianNetwork()
    for v in "ABCDE":
        bn.add_variable(v, 2)
    bn.set_cpd("A", [0.3, 0.7])
    bn.set_cpd("B", [[0.9, 0.1], [0.2, 0.8]], parents=["A"])
    bn.set_cpd("C", [[0.7, 0.3], [0.1, 0.9]], parents=["A"])
    bn.set_cpd("D", [[[0.9, 0.1], [0.5, 0.5]], [[0.4, 0.6], [0.05, 0.95]]], parents=["B", "C"])
    bn.set_cpd("E", [[0.6, 0.4], [0.25, 0.75]], parents=["D"])
    return bn


def assert_within_errors(est, exact_h):
    assert not outside_errors(est.h, est.stderr, exact_h), (est.method, outside_errors(est.h, est.stderr, exact_h))


def random_tokens(cards, rows, rng, p_mask=0.5):
    x = np.stack([rng.integers(0, c, size=rows) for c in cards], axis=1)
    return np.where(rng.random(x.shape) < p_mask, -1, x)


@pytest.mark.parametrize("seed", [0, 1])
def test_joint_route_matches_brute_conditionals(seed):
    joint = random_joint((2, 3, 2, 2), seed)
    den = ss.exact_denoiser(ss.from_joint(joint))
    rng = np.random.default_rng(seed)
    tokens = random_tokens((2, 3, 2, 2), 12, rng)
    out = den(tokens)
    assert out.shape == (12, 4, 3)
    for b, row in enumerate(tokens):
        revealed = {k: int(v) for k, v in enumerate(row) if v >= 0}
        for i in range(4):
            expected = np.zeros(3)
            if i in revealed:
                expected[revealed[i]] = 1
            else:
                expected[:joint.shape[i]] = conditional_from_joint(joint, revealed, i)
            np.testing.assert_allclose(out[b, i], expected, atol=1e-12)


@pytest.mark.parametrize("make", ["bn", "mrf", "hmm"])
def test_elimination_route_matches_joint_route(make):
    if make == "bn":
        model = five_node_bn()
    elif make == "mrf":
        model = ss.ising(nx.cycle_graph(5), 0.4, field=0.2)
    else:
        model = ss.hidden_markov_model(5, [0.6, 0.4], [[0.8, 0.2], [0.3, 0.7]], [[0.9, 0.1], [0.2, 0.8]])
    joint = model.joint("float")
    elim = ss.exact_denoiser(model, route="elimination")
    assert elim.route == "elimination"
    tokens = random_tokens(model.cardinalities, 10, np.random.default_rng(3))
    out = elim(tokens)
    for b, row in enumerate(tokens):
        revealed = {k: int(v) for k, v in enumerate(row) if v >= 0}
        for i in range(model.N):
            if i not in revealed:
                np.testing.assert_allclose(out[b, i], conditional_from_joint(joint, revealed, i), atol=1e-12)


@pytest.mark.parametrize("route", ["chain", "elimination"])
def test_long_chain_matches_closed_form(route):
    # N = 24 binary tokens: the joint (2^24 entries) is over the slicing limit
    T = np.array([[0.8, 0.2], [0.35, 0.65]])
    chain = ss.markov_chain(24, [0.5, 0.5], T)
    den = ss.exact_denoiser(chain, route=route)
    if route == "chain":
        assert ss.exact_denoiser(chain).route == "chain"
    row = np.full(24, -1)
    row[9], row[11] = 1, 0
    p = den(row[None, :])[0, 10]
    expected = T[1, :] * T[:, 0]  # p(x_10 | x_9 = 1, x_11 = 0) ∝ T[1, x] T[x, 0] (Markov property)
    np.testing.assert_allclose(p, expected / expected.sum(), atol=1e-12)
    p = den(np.full((1, 24), -1))[0, 5]  # nothing revealed: the marginal pi T^5
    np.testing.assert_allclose(p, np.array([0.5, 0.5]) @ np.linalg.matrix_power(T, 5), atol=1e-12)


def test_chain_route_matches_brute_conditionals_on_a_nonhomogeneous_chain():
    mats = [[[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]], [[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]],
            [[0.6, 0.4], [0.3, 0.7]], [[0.25, 0.75], [0.8, 0.2]]]
    chain = ss.markov_chain(5, [0.2, 0.5, 0.3], mats)
    joint = chain.joint("float")
    den = ss.exact_denoiser(chain, route="chain")
    tokens = random_tokens(chain.cardinalities, 30, np.random.default_rng(5))
    out = den(tokens)
    for b, row in enumerate(tokens):
        revealed = {k: int(v) for k, v in enumerate(row) if v >= 0}
        for i in range(5):
            if i not in revealed:
                np.testing.assert_allclose(out[b, i, :joint.shape[i]], conditional_from_joint(joint, revealed, i),
                                           atol=1e-12)


@pytest.mark.parametrize("loss", ["entropy", "cross-entropy"])
def test_profile_from_exact_denoiser_agrees_with_exact_profile(loss):
    bn = five_node_bn()
    exact_h, _ = brute_profile(bn.joint("float"))
    data = ss.sample_exact(bn, 4000, seed=2)
    est = ss.denoiser_profile(ss.exact_denoiser(bn), data, samples_per_size=400, seed=5, loss=loss)
    assert getattr(est, "exact", False) is False
    assert est.method == f"denoiser ({loss})"
    assert all(s > 0 for s in est.stderr[1:])  # a real estimate carries its error
    assert_within_errors(est, exact_h)


def test_entropy_loss_at_j0_is_exact():
    # with nothing revealed every draw gives mean_i H(X_i) = h_0: zero spread, zero error
    bn = five_node_bn()
    data = ss.sample_exact(bn, 50, seed=0)
    est = ss.denoiser_profile(ss.exact_denoiser(bn), data, samples_per_size=10)
    assert est.stderr[0] == 0
    assert est.h[0] == pytest.approx(brute_profile(bn.joint())[0][0], abs=1e-12)


def test_cross_entropy_of_a_wrong_model_stays_at_its_marginal_loss():
    # a denoiser that ignores the context (the product of the true marginals): -log p(x_i) has mean h_0 at
    # every j, above the true profile, which the entropy loss of the same denoiser cannot see.
    bn = five_node_bn()
    joint = bn.joint("float")
    marginals = [joint.sum(axis=tuple(k for k in range(5) if k != i)) for i in range(5)]
    indep = ss.independent(marginals=marginals)
    data = ss.sample_exact(bn, 3000, seed=4)
    est = ss.denoiser_profile(ss.exact_denoiser(indep), data, samples_per_size=300, loss="cross-entropy", seed=1)
    exact_h, _ = brute_profile(joint)
    assert_within_errors(est, [exact_h[0]] * 5)
    z = z_bonferroni(4)
    assert all(est.h[j] - exact_h[j] > z * est.stderr[j] for j in range(2, 5))


def test_reused_rows_get_clustered_errors():
    from symsched.info.denoiser import clustered_covariance

    rng = np.random.default_rng(0)
    values = rng.normal(size=(2, 12))
    # distinct rows: the ordinary variance of the mean, and no covariance between sizes
    C = clustered_covariance(values, np.arange(24).reshape(2, 12))
    assert C[0, 0] == pytest.approx(values[0].var(ddof=1) / 12) and C[0, 1] == 0
    # rows used twice within a size and shared across sizes: the cluster-robust (sandwich) covariance,
    # written out from its definition
    clusters = np.tile(np.repeat(np.arange(6), 2), (2, 1))
    r = values - values.mean(axis=1, keepdims=True)
    sums = np.array([[r[j][clusters[j] == g].sum() for g in range(6)] for j in range(2)])
    C = clustered_covariance(values, clusters)
    np.testing.assert_allclose(C, 6 / 5 * sums @ sums.T / 144, rtol=1e-12)
    bn = five_node_bn()
    est = ss.denoiser_profile(ss.exact_denoiser(bn), ss.sample_exact(bn, 6, seed=0), samples_per_size=50,
                              loss="cross-entropy")
    assert all(np.isfinite(est.stderr)) and est.stderr[2] > 0


def test_base_two():
    model = ss.copy_model(3, 2)
    data = ss.sample_exact(model, 30, seed=0)
    est = ss.denoiser_profile(ss.exact_denoiser(model), data, samples_per_size=10, base=2)
    assert est.h[0] == pytest.approx(1.0)


def test_bad_inputs():
    model = ss.copy_model(3, 2)
    den = ss.exact_denoiser(model)
    with pytest.raises(ValueError, match="shape"):
        den(np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="position 1 holds state 2"):
        den(np.array([[0, 2, -1]]))
    with pytest.raises(ValueError, match="below -1"):
        den(np.array([[0, -2, -1]]))
    with pytest.raises(ValueError, match="probability 0"):
        den(np.array([[0, 1, -1]]))
    with pytest.raises(ValueError, match="route"):
        ss.exact_denoiser(model, route="magic")
    with pytest.raises(ValueError, match="MarkovChain"):
        ss.exact_denoiser(model, route="chain")
    data = np.array([[0, 0, 0], [1, 1, 1]])
    with pytest.raises(ValueError, match="loss"):
        ss.denoiser_profile(den, data, loss="mse")
    with pytest.raises(ss.ModelTooLargeError, match="max_calls|samples_per_size"):
        ss.denoiser_profile(den, data, samples_per_size=100, max_calls=10)
    with pytest.raises(ValueError, match="sums to"):
        ss.denoiser_profile(lambda t: np.full(t.shape + (2,), 0.4), data, samples_per_size=4)
    with pytest.raises(ValueError, match="shape"):
        ss.denoiser_profile(lambda t: np.full((1, 1, 2), 0.5), data, samples_per_size=4)
    with pytest.raises(ValueError, match="fully observed"):
        ss.denoiser_profile(den, np.array([[0, -1, 0]]), samples_per_size=4)
    with pytest.raises(ValueError, match="infinite|probability 0"):
        flipped = np.array([[0, 1, 0]])  # impossible under the copy model: zero probability somewhere
        ss.denoiser_profile(ss.exact_denoiser(ss.independent(3, [1.0, 0.0])), flipped, samples_per_size=4,
                            loss="cross-entropy")
    import sympy as sp

    with pytest.raises(ValueError, match="free symbols"):
        ss.exact_denoiser(ss.binary_symmetric_chain(3, sp.Symbol("e")))


def test_elimination_budget_refuses():
    with pytest.raises(ss.ModelTooLargeError, match="estimated cost"):
        ss.exact_denoiser(five_node_bn(), route="elimination", max_entries=2)(np.full((1, 5), -1))
    with pytest.raises(ss.ModelTooLargeError):
        ss.exact_denoiser(five_node_bn(), route="joint", max_entries=8)


def test_all_masks_of_a_small_model_average_to_the_profile():
    # every (row, T) pair weighted by p(row) / C(N, j) gives h_j exactly: the estimator's expectation is right
    joint = random_joint((2, 2, 3), 7)
    den = ss.exact_denoiser(ss.from_joint(joint))
    exact_h, _ = brute_profile(joint)
    N = 3
    for j in range(N):
        total = 0.0
        for x in itertools.product(range(2), range(2), range(3)):
            for T in itertools.combinations(range(N), j):
                row = np.array([x[k] if k in T else -1 for k in range(N)])
                p = den(row[None])[0]
                masked = [i for i in range(N) if i not in T]
                val = np.mean([-np.log(p[i, x[i]]) for i in masked])
                total += joint[x] * val / len(list(itertools.combinations(range(N), j)))
        assert total == pytest.approx(exact_h[j], abs=1e-12)


@given(st.integers(2, 5), st.integers(0, 10 ** 6))
def test_routes_agree_on_random_networks(n, seed):
    # random DAG (each node's parents among the earlier ones, at most 2), random CPDs with some zeros
    rng = np.random.default_rng(seed)
    cards = rng.integers(2, 4, size=n)
    bn = ss.BayesianNetwork()
    for i in range(n):
        bn.add_variable(f"V{i}", int(cards[i]))
    for i in range(n):
        parents = sorted(rng.choice(i, size=min(i, int(rng.integers(0, 3))), replace=False).tolist()) if i else []
        shape = tuple(int(cards[p]) for p in parents) + (int(cards[i]),)
        t = rng.random(shape) * (rng.random(shape) > 0.2) + 1e-3
        bn.set_cpd(f"V{i}", t / t.sum(axis=-1, keepdims=True), parents=[f"V{p}" for p in parents])
    x = ss.sample_exact(bn, 8, seed=seed)
    tokens = np.where(rng.random(x.shape) < 0.5, -1, x)  # revealed values come from real samples: p > 0
    a = ss.exact_denoiser(bn, route="joint")(tokens)
    b = ss.exact_denoiser(bn, route="elimination")(tokens)
    np.testing.assert_allclose(a, b, atol=1e-12)
    np.testing.assert_allclose(a.sum(axis=-1), 1, atol=1e-12)
    revealed = tokens >= 0
    assert (a[revealed, tokens[revealed]] == 1).all()
