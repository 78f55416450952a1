"""Profiles estimated from samples: entropy estimators, model-based routes, standard errors, validation."""

import numpy as np
import pytest

import symsched as ss
from symsched.info.estimate import entropy_from_counts, fit_markov_chain
from reference import brute_profile, chao_shen_entropy, entropy, outside_errors


def assert_within_errors(est, exact_h):
    assert not outside_errors(est.h, est.stderr, exact_h), (est.method, outside_errors(est.h, est.stderr, exact_h))


def small_bn():
    bn = ss.BayesianNetwork()
    for v in "ABCD":
        bn.add_variable(v, 2)
    bn.set_cpd("A", [0.35, 0.65])
    bn.set_cpd("B", [[0.85, 0.15], [0.2, 0.8]], parents=["A"])
    bn.set_cpd("C", [[0.7, 0.3], [0.1, 0.9]], parents=["A"])
    bn.set_cpd("D", [[[0.9, 0.1], [0.5, 0.5]], [[0.4, 0.6], [0.05, 0.95]]], parents=["B", "C"])
    return bn


def second_order_chain(N=6):
    """X_t depends on (X_{t-2}, X_{t-1}): X_t = X_{t-2} xor noise, a pattern a first-order chain misses."""
    bn = ss.BayesianNetwork()
    for t in range(N):
        bn.add_variable(f"X{t + 1}", 2)
    bn.set_cpd("X1", [0.5, 0.5])
    bn.set_cpd("X2", [[0.5, 0.5], [0.5, 0.5]], parents=["X1"])
    cpd = [[[0.9, 0.1], [0.8, 0.2]], [[0.15, 0.85], [0.1, 0.9]]]
    for t in range(2, N):
        bn.set_cpd(f"X{t + 1}", cpd, parents=[f"X{t - 1}", f"X{t}"])
    return bn


# -- estimators of one entropy --------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(4))
def test_entropy_estimators_against_their_definitions(seed):
    rng = np.random.default_rng(seed)
    counts = np.bincount(rng.integers(0, 12, size=int(rng.integers(5, 40))), minlength=15)
    n, m = counts.sum(), (counts > 0).sum()
    assert entropy_from_counts(counts) == pytest.approx(entropy(counts / n), abs=1e-12)
    assert entropy_from_counts(counts, "miller-madow") == pytest.approx(entropy(counts / n) + (m - 1) / (2 * n))
    assert entropy_from_counts(counts, "chao-shen") == pytest.approx(chao_shen_entropy(counts), abs=1e-12)
    # vectorised over leading axes
    stack = np.stack([counts, counts[::-1]])
    np.testing.assert_allclose(entropy_from_counts(stack, "chao-shen"), [chao_shen_entropy(counts)] * 2)


def test_chao_shen_against_infomeasure():
    im = pytest.importorskip("infomeasure", reason="infomeasure (the peer implementation) is not installed")
    rng = np.random.default_rng(11)
    for size in (8, 30, 200):
        data = rng.integers(0, 25, size=size)
        counts = np.bincount(data)
        for ours, theirs in (("chao-shen", "chao_shen"), ("miller-madow", "miller_madow")):
            assert float(entropy_from_counts(counts, ours)) == pytest.approx(
                im.entropy(data, approach=theirs, base="e"), rel=1e-10)


def test_all_singletons_uses_the_adjusted_coverage():
    # f1 = n would give coverage 0: Chao & Shen replace f1 by n - 1
    assert np.isfinite(entropy_from_counts([1, 1, 1, 1], "chao-shen"))
    assert entropy_from_counts([1, 1, 1, 1], "chao-shen") == pytest.approx(chao_shen_entropy([1, 1, 1, 1]))


# -- validation on samples of known models ----------------------------------------------------------

@pytest.mark.parametrize("method", ["plugin", "miller-madow", "chao-shen"])
def test_subset_estimators_land_within_their_errors(method):
    bn = small_bn()
    exact_h, _ = brute_profile(bn.joint())
    x = ss.sample_exact(bn, 3000, seed=3)
    est = ss.estimate_profile(x, method, seed=1)
    assert getattr(est, "exact", False) is False
    assert all(s > 0 for s in est.stderr)
    assert est.method == f"estimate ({method}, all subsets)"
    assert_within_errors(est, exact_h)


def test_sampled_subsets_add_their_error():
    # N = 7 binary tokens, 4000 rows: the largest marginal has 128 cells, few enough against n that the
    # bias (which the bootstrap does not measure) stays below the errors
    chain = ss.markov_chain(7, [0.5, 0.5], [[0.85, 0.15], [0.3, 0.7]])
    exact_h = ss.information_profile(chain).h
    x = ss.sample_exact(chain, 4000, seed=0)
    est = ss.estimate_profile(x, "miller-madow", subsets_per_size=12, bootstrap=20, seed=2)
    assert est.method == "estimate (miller-madow, sampled subsets)"
    assert_within_errors(est, exact_h)
    full = ss.estimate_profile(x, "miller-madow", subsets_per_size=200, bootstrap=20, seed=2)
    assert full.method == "estimate (miller-madow, all subsets)"


def test_markov_route_has_errors_and_lands_within_them():
    chain = ss.markov_chain(7, [0.4, 0.6], [[0.85, 0.15], [0.3, 0.7]])
    exact_h = ss.information_profile(chain).h
    x = ss.sample_exact(chain, 2000, seed=5)
    est = ss.estimate_profile(x, "markov", seed=0, homogeneous=True)
    assert est.method == "estimate (markov order 1, BIC, homogeneous)"
    assert all(s > 0 for s in est.stderr)  # it used to report zero errors
    assert_within_errors(est, exact_h)


def test_markov_order_selection():
    iid = ss.sample_exact(ss.independent(6, [0.3, 0.7]), 2000, seed=0)
    first = ss.sample_exact(ss.markov_chain(6, [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]]), 2000, seed=0)
    second = ss.sample_exact(second_order_chain(), 2000, seed=0)
    assert fit_markov_chain(iid, homogeneous=True)[1] == 0
    assert fit_markov_chain(first, homogeneous=True)[1] == 1
    model, k, scores = fit_markov_chain(second, homogeneous=True)
    assert k == 2 and set(scores) == {0, 1, 2} and isinstance(model, ss.BayesianNetwork)
    assert fit_markov_chain(second, homogeneous=True, criterion="aic")[1] == 2
    assert fit_markov_chain(second, order=1)[1] == 1
    # add-1/2 smoothing: every transition keeps probability > 0, and the counts decide the rest
    sparse = np.array([[0, 0, 0], [1, 1, 1]] * 5)
    smooth = fit_markov_chain(sparse, order=1, homogeneous=True, pseudocount=0.5)[0]
    np.testing.assert_allclose(smooth.transition_matrices[0], [[10.5 / 11, 0.5 / 11], [0.5 / 11, 10.5 / 11]])


def test_second_order_markov_route_within_errors():
    bn = second_order_chain()
    exact_h, _ = brute_profile(bn.joint())
    x = ss.sample_exact(bn, 3000, seed=8)
    est = ss.estimate_profile(x, "markov", homogeneous=True, seed=1, bootstrap=30)
    assert est.method.startswith("estimate (markov order 2")
    assert_within_errors(est, exact_h)


def test_bayesian_network_route_within_errors():
    pytest.importorskip("pgmpy", reason="pgmpy is an optional dependency")
    bn = small_bn()
    exact_h, _ = brute_profile(bn.joint())
    x = ss.sample_exact(bn, 3000, seed=9)
    est = ss.estimate_profile(x, "bayesian-network", seed=0, bootstrap=10)
    assert est.method == "estimate (bayesian network, pgmpy hill climbing on BIC)"
    assert all(s > 0 for s in est.stderr)
    assert_within_errors(est, exact_h)


def test_plugin_bias_is_negative_and_shrinks_and_bias_corrections_help():
    # the plug-in joint entropy H = sum h is biased low by about (m - 1)/(2n); averaged over 30 data sets
    bn = small_bn()
    H = entropy(bn.joint())
    bias = {}
    for n in (40, 400):
        for method in ("plugin", "miller-madow", "chao-shen"):
            vals = [sum(ss.estimate_profile(ss.sample_exact(bn, n, seed=s), method, bootstrap=2).h)
                    for s in range(30)]
            bias[n, method] = np.mean(vals) - H
    assert bias[40, "plugin"] < bias[400, "plugin"] < 0
    assert abs(bias[40, "miller-madow"]) < abs(bias[40, "plugin"])
    assert abs(bias[40, "chao-shen"]) < abs(bias[40, "plugin"])


def test_base_and_legacy_flag():
    x = ss.sample_exact(ss.copy_model(3, 2), 200, seed=0)
    nats = ss.estimate_profile(x, "plugin", miller_madow=True, seed=0)
    bits = ss.estimate_profile(x, "miller-madow", base=2, seed=0)
    assert nats.method == "estimate (miller-madow, all subsets)"
    np.testing.assert_allclose(np.array(bits.h) * np.log(2), nats.h, atol=1e-12)


def test_bad_inputs():
    x = ss.sample_exact(ss.copy_model(3, 2), 50, seed=0)
    with pytest.raises(ValueError, match="method"):
        ss.estimate_profile(x, "magic")
    with pytest.raises(ValueError, match="bootstrap"):
        ss.estimate_profile(x, "plugin", bootstrap=1)
    with pytest.raises(ValueError, match="pseudocount"):
        fit_markov_chain(x, pseudocount=-1)
    with pytest.raises(ValueError, match="criterion"):
        fit_markov_chain(x, criterion="mdl")
    with pytest.raises(ValueError, match="order"):
        fit_markov_chain(x, order=3)
    with pytest.raises(ss.ModelTooLargeError, match="estimated cost"):
        ss.estimate_profile(x, "chao-shen", max_cost=10)
    with pytest.raises(ValueError, match="estimator"):
        entropy_from_counts([1, 2], "nsb")
    with pytest.raises(ValueError, match="no observations"):
        entropy_from_counts([0, 0])
    with pytest.raises(ss.ModelTooLargeError, match="max_order"):
        ss.estimate_profile(ss.sample_exact(second_order_chain(6), 500, seed=0), "markov", order=2, max_cost=10)


@pytest.mark.parametrize("rows,cards,k", [(500, (2, 3, 2, 4), 4), (50, (7, 9, 11, 13), 4), (3, (2, 2), 2),
                                          (200, (5,) * 30, 30), (1, (3,), 1)])
def test_subset_codes_rank_configurations_as_numpy_unique(rows, cards, k):
    # counting (small code range) or sorting (large or overflowing range): np.unique's inverse either way
    from symsched.info.estimators.estimate import _subset_codes

    rng = np.random.default_rng(rows + k)
    x = np.stack([rng.integers(0, c, rows) for c in cards], axis=1)
    T = sorted(rng.permutation(len(cards))[:k].tolist())
    inv, groups = _subset_codes(x, T)
    _, want = np.unique(x[:, T], axis=0, return_inverse=True)
    assert np.array_equal(inv, np.asarray(want).ravel()) and groups == len(np.unique(x[:, T], axis=0))
