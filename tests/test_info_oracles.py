"""Model oracles (symsched.info.oracles) against brute force on the joint table, for every family."""

import itertools

import networkx as nx
import numpy as np
import pytest

import symsched as ss
from symsched.errors import SymschedError
from symsched.info.oracles import ORACLES, ModelOracle, oracle_for, register_oracle


def _random_bn(seed, n=5, card=(2, 3)):
    rng = np.random.default_rng(seed)
    bn = ss.BayesianNetwork()
    cards = [int(rng.choice(card)) for _ in range(n)]
    names = [f"V{i}" for i in range(n)]
    for v, c in zip(names, cards):
        bn.add_variable(v, c)
    for i, v in enumerate(names):
        parents = [names[k] for k in range(i) if rng.random() < 0.5][:2]
        shape = [cards[names.index(p)] for p in parents] + [cards[i]]
        t = rng.random(shape) ** 2 + 0.01
        bn.set_cpd(v, t / t.sum(axis=-1, keepdims=True), parents=parents)
    return bn


def _random_hmm(seed, n=5):
    rng = np.random.default_rng(seed)
    S, V = 3, 2
    init = rng.dirichlet(np.ones(S))
    T = rng.random((S, S)) + 0.1
    T /= T.sum(axis=1, keepdims=True)
    E = rng.random((S, V)) + 0.1
    E /= E.sum(axis=1, keepdims=True)
    return ss.hidden_markov_model(n, init, T, E)


def _random_chain(seed, n=5):
    rng = np.random.default_rng(seed)
    init = rng.dirichlet(np.ones(3))
    T = rng.random((3, 3)) ** 2 + 0.02
    T /= T.sum(axis=1, keepdims=True)
    return ss.markov_chain(n, init, T)


def _random_mrf(seed):
    rng = np.random.default_rng(seed)
    g = nx.cycle_graph(5)
    g.add_edge(0, 2)
    return ss.ising(g, {e: float(rng.normal(0, 0.6)) for e in g.edges}, float(rng.normal(0, 0.3)))


def _models():
    out = []
    for s in range(3):
        out += [("bayesian", _random_bn(s)), ("hmm", _random_hmm(s)), ("chain", _random_chain(s)),
                ("mrf", _random_mrf(s))]
    rng = np.random.default_rng(7)
    out += [("exchangeable", ss.beta_bernoulli(5, 0.7, 1.3)), ("exchangeable", ss.copy_model(4, 3)),
            ("exchangeable", ss.product_mixture(5, [0.3, 0.7], [[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])),
            ("independent", ss.independent(marginals=[rng.dirichlet(np.ones(c)) for c in (2, 3, 2, 4)]))]
    return out


MODELS = _models()
IDS = [f"{f}-{k}" for k, (f, _) in enumerate(MODELS)]


def _brute_conditional(joint, row, mask, i):
    idx = tuple(row[k] if mask[k] else slice(None) for k in range(joint.ndim))
    sub = joint[idx]
    free = [k for k in range(joint.ndim) if not mask[k]]
    p = sub.sum(axis=tuple(a for a, k in enumerate(free) if k != i))
    return p / p.sum()


@pytest.mark.parametrize("family,model", MODELS, ids=IDS)
def test_family_oracle_matches_brute_force(family, model):
    o = oracle_for(model, joint_limit=0)
    assert o.family == family
    joint = np.asarray(model.joint("float"), dtype=float)
    rng = np.random.default_rng(1)
    x = o.sample(rng, 40)
    assert x.shape == (40, model.N) and x.dtype == np.int64
    mask = rng.random(x.shape) < 0.45
    got = o.conditionals(x, mask)
    for b in range(x.shape[0]):
        for i in range(model.N):
            want = np.zeros(o.V)
            if mask[b, i]:
                want[x[b, i]] = 1.0
            else:
                want[:model.cardinalities[i]] = _brute_conditional(joint, x[b], mask[b], i)
            np.testing.assert_allclose(got[b, i], want, atol=1e-12)
    # a shared revealed set, and the -1 convention, give the same answers
    T = (0, 2)
    m2 = np.zeros(x.shape, bool)
    m2[:, list(T)] = True
    np.testing.assert_allclose(o.conditionals(x, T), o.conditionals(x, m2), atol=1e-14)
    np.testing.assert_allclose(o.conditionals(np.where(m2, x, -1)), o.conditionals(x, m2), atol=1e-14)
    for A in [(0,), (1, 3), tuple(range(model.N))]:
        want = np.log(joint.sum(axis=tuple(k for k in range(model.N) if k not in A))[tuple(x[:, k] for k in A)])
        np.testing.assert_allclose(o.log_marginal(A, x), want, atol=1e-10)
    lp = o.conditional_log_probs(T, x)
    assert lp.shape == (40, model.N - 2)


@pytest.mark.parametrize("family,model", MODELS, ids=IDS)
def test_family_oracle_samples_follow_the_law(family, model):
    """Empirical cell frequencies of 20000 draws against the joint: chi-square within 5 sd of its mean."""
    o = oracle_for(model, joint_limit=0)
    joint = np.asarray(model.joint("float"), dtype=float)
    n = 20000
    x = o.sample(np.random.default_rng(3), n)
    counts = np.zeros(joint.shape)
    np.add.at(counts, tuple(x.T), 1)
    p = joint.ravel()
    c = counts.ravel()
    assert c[p == 0].sum() == 0
    keep = p > 0
    chi2 = float((((c - n * p) ** 2)[keep] / (n * p[keep])).sum())
    dof = keep.sum() - 1
    assert abs(chi2 - dof) < 5 * np.sqrt(2 * dof)


def test_joint_route_equals_family_route():
    model = _random_bn(11)
    x = oracle_for(model).sample(np.random.default_rng(0), 30)
    mask = np.random.default_rng(1).random(x.shape) < 0.5
    a = oracle_for(model).conditionals(x, mask)
    b = oracle_for(model, joint_limit=0).conditionals(x, mask)
    assert oracle_for(model).family == "joint"
    np.testing.assert_allclose(a, b, atol=1e-12)


def test_registry_picks_the_most_specific_class_and_refuses_unknown():
    assert type(oracle_for(_random_chain(0), joint_limit=0)).__name__ == "MarkovChainOracle"
    assert type(oracle_for(_random_bn(0), joint_limit=0)).__name__ == "BayesianNetworkOracle"
    assert type(oracle_for(ss.independent(4, [0.3, 0.7]), joint_limit=0)).__name__ == "IndependentOracle"
    table = ss.from_joint(np.full((2, 2, 2), 1 / 8))
    with pytest.raises(ss.ModelTooLargeError):
        oracle_for(table, joint_limit=0)
    with pytest.raises(SymschedError):
        register_oracle(type(table))(int)


def test_a_new_family_is_one_registered_class():
    """The CONTRIBUTING.md recipe: a class registered for a model class is found by oracle_for."""
    table = ss.from_joint(np.full((2, 2), 1 / 4))
    klass = type(table)
    assert klass not in ORACLES

    class Uniform(ModelOracle):
        family = "uniform"

        def _sample(self, rng, size):
            return rng.integers(0, 2, (size, self.n))

        def _log_marginal(self, subset, x):
            return np.full(x.shape[0], -len(subset) * np.log(2))

    try:
        register_oracle(klass)(Uniform)
        o = oracle_for(table, joint_limit=0)
        assert o.family == "uniform"
        x = o.sample(np.random.default_rng(0), 3)
        np.testing.assert_allclose(o.conditionals(x, (0,))[:, 1], 0.5)   # the default: ratios of marginals
    finally:
        del ORACLES[klass]


def test_oracle_argument_checks():
    o = oracle_for(_random_hmm(0), joint_limit=0)
    with pytest.raises(SymschedError):
        o.sample(0, 3)
    with pytest.raises(SymschedError):
        o.sample(np.random.default_rng(0), 2.5)
    with pytest.raises(SymschedError):
        o.log_marginal((0, 9), np.zeros((2, 5), int))
    with pytest.raises(SymschedError):
        o.conditionals(np.full((2, 5), 7))
    with pytest.raises(SymschedError):
        o.conditionals(np.zeros((2, 4), int), (0,))
    # mixed cardinalities: a value one past a binary position's range, legal at a ternary one
    mixed = oracle_for(ss.independent(marginals=[[0.5, 0.5], [0.2, 0.3, 0.5]]), joint_limit=0)
    assert mixed.conditional_log_probs((0,), np.array([[1, 2]])).shape == (1, 1)
    with pytest.raises(SymschedError, match="state indices"):
        mixed.conditional_log_probs((0,), np.array([[2, 1]]))
    with pytest.raises(SymschedError, match="state indices"):
        mixed.conditional_log_probs((0,), np.array([[0, 3]]))


def test_zero_probability_context_gives_nan():
    model = ss.copy_model(3, 2)
    o = oracle_for(model, joint_limit=0)
    p = o.conditionals(np.array([[0, 1, -1]]))
    assert np.isnan(p[0, 2]).all()


@pytest.mark.parametrize("family,model", MODELS, ids=IDS)
def test_cardinalities_agree_with_the_states_of_every_variable(family, model):
    # families compute cardinalities directly (the base looks each variable up by name: O(N^2))
    assert model.cardinalities == tuple(len(model.states(v)) for v in model.variables)


def test_hmm_log_conditionals_at_zero_probability_evidence_are_nan_as_the_conditionals():
    # symbol 1 is never emitted at position 0: rows revealing it there have undefined conditionals
    hmm = ss.hidden_markov_model(4, [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]],
                                 [[[1.0, 0.0], [1.0, 0.0]]] + [[[0.7, 0.3], [0.4, 0.6]]] * 3)
    o = oracle_for(hmm, joint_limit=0)
    x = np.array([[1, 0, 1, 1], [0, 1, 0, 1]])
    lp = o.conditional_log_probs((0, 2), x)
    generic = ModelOracle._log_conditionals_at(o, (0, 2), x)
    assert np.isnan(lp[0]).all() and np.isnan(generic[0]).all()
    np.testing.assert_allclose(lp[1], generic[1], rtol=0, atol=1e-14)
    joint = np.asarray(hmm.joint("float"), dtype=float)  # brute force: p(x_T, x_i) / p(x_T) on row 1
    p_T = joint[0, :, 0, :].sum()
    want = [joint[0, 1, 0, :].sum() / p_T, joint[0, :, 0, 1].sum() / p_T]
    np.testing.assert_allclose(lp[1], np.log(want), rtol=0, atol=1e-12)


@pytest.mark.parametrize("n", [60])
def test_long_hmm_conditionals_agree_with_elimination(n):
    """At a length no joint table reaches, forward-backward agrees with ratios of forward marginals."""
    model = _random_hmm(4, n)
    o = oracle_for(model)
    x = o.sample(np.random.default_rng(2), 5)
    T = tuple(range(0, n, 3))
    got = o.conditionals(x, T)
    base = o.log_marginal(T, x)
    for i in (1, 31, n - 1):
        for v in range(2):
            xi = x.copy()
            xi[:, i] = v
            want = np.exp(o.log_marginal(tuple(sorted(T + (i,))), xi) - base)
            np.testing.assert_allclose(got[:, i, v], want, rtol=1e-9)


def test_oracle_exhaustive_small_conditionals_cover_every_pattern():
    model = _random_bn(5, n=3)
    o = oracle_for(model, joint_limit=0)
    joint = np.asarray(model.joint("float"))
    rows = np.array(list(itertools.product(*[range(c) for c in model.cardinalities])))
    for pattern in itertools.product([False, True], repeat=3):
        mask = np.tile(np.array(pattern), (len(rows), 1))
        got = o.conditionals(rows, mask)
        for b, r in enumerate(rows):
            for i in range(3):
                if not pattern[i]:
                    np.testing.assert_allclose(got[b, i, :model.cardinalities[i]],
                                               _brute_conditional(joint, r, pattern, i), atol=1e-12)
