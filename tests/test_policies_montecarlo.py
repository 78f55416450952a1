"""Adaptive policies by Monte Carlo (issue 25): calibration against the exact route, paired comparisons,
the arguments every Monte Carlo route shares, and the forward-backward kernels against plain numpy."""

import math
import warnings

import networkx as nx
import numpy as np
import pytest

import symsched as ss
from symsched.errors import ModelTooLargeError, SymschedError
from symsched.results import Estimate
from symsched.samplers.policies.paths import HMMPass


def hmm(seed, N=6, S=2, V=3):
    rng = np.random.default_rng(seed)
    T = rng.dirichlet(np.ones(S) * 0.7, size=S)
    E = rng.dirichlet(np.ones(V) * 0.7, size=S)
    return ss.hidden_markov_model(N, rng.dirichlet(np.ones(S)), T, E)


def chain(seed, N=6):
    rng = np.random.default_rng(seed)
    return ss.markov_chain(N, rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(3) * 0.5, size=3))


def network(seed, N=6):
    rng = np.random.default_rng(seed)
    bn = ss.BayesianNetwork()
    for i in range(N):
        bn.add_variable(f"X{i}")
    for i in range(N):
        par = [f"X{j}" for j in range(max(0, i - 2), i)]
        t = rng.random((2,) * len(par) + (2,)) ** 2 + 0.03
        bn.set_cpd(f"X{i}", t / t.sum(axis=-1, keepdims=True), parents=par)
    return bn


def field(seed):
    rng = np.random.default_rng(seed)
    return ss.ising(nx.cycle_graph(5), float(rng.uniform(0.3, 0.9)), float(rng.uniform(-0.3, 0.3)))


FAMILIES = {"hmm": hmm, "chain": chain, "network": network, "mrf": field}
POLICIES = [("confidence", {"sizes": [2, 2, 1, 1]}), ("entropy", {"sizes": [3, 2, 1]}),
            ("margin", {"sizes": [2, 2, 2]}), ("threshold", {"threshold": 0.7}),
            ("entropy-bound", {"gamma": 0.8}), ("random", {"sizes": [2, 2, 2]})]


def _sizes(kw, N):
    if "sizes" not in kw:
        return kw
    s = list(kw["sizes"])
    while sum(s) > N:
        s[s.index(max(s))] -= 1
    s = [k for k in s if k > 0]
    s[-1] += N - sum(s)
    return {"sizes": s}


@pytest.mark.slow
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_montecarlo_is_calibrated_against_the_exact_route(family):
    zs, steps_z = [], []
    for seed in range(30):
        model = FAMILIES[family](seed)
        name, kw = POLICIES[seed % len(POLICIES)]
        kw = _sizes(kw, model.N)
        ex = ss.policy_kl(model, name, method="exact", **kw)
        mc = ss.policy_kl(model, name, method="montecarlo", samples=200, seed=seed, **kw)
        # random order, or ties broken at random: the order- / tie-averaged E Σ TC (= KL when no tie is drawn)
        want = ex.conditional_tc
        if mc.identity and ex.identity:
            assert ex.kl == pytest.approx(want, abs=1e-12)
        assert isinstance(mc.kl, Estimate) and not mc.exact
        if mc.stderr > 1e-9:
            zs.append((float(mc.kl) - float(want)) / mc.stderr)
        elif abs(float(mc.kl) - float(want)) < 1e-9:    # a zero KL up to rounding
            continue
        else:   # every path gave the same total: only a rare event carries the KL
            assert float(want) < 0.01
        if isinstance(mc.expected_steps, Estimate) and mc.expected_steps.stderr > 0:
            steps_z.append((mc.expected_steps.value - float(ex.expected_steps)) / mc.expected_steps.stderr)
        # the step profile adds up to the KL
        assert sum(e.value for e in mc.step_kl) == pytest.approx(float(mc.kl), abs=1e-9 + 1e-9 * abs(float(mc.kl))) \
            or float(mc.kl) == 0
    rms = math.sqrt(np.mean(np.square(zs)))
    assert len(zs) >= 20 and 0.7 <= rms <= 1.4, (family, rms, np.round(zs, 2))
    if len(steps_z) >= 5:
        assert math.sqrt(np.mean(np.square(steps_z))) <= 1.6


def test_random_order_estimates_the_profile_identity_and_a_callable_policy_runs():
    model = chain(3, N=7)
    sizes = [3, 2, 2]
    ex = ss.policy_kl(model, "random", sizes=sizes)
    mc = ss.policy_kl(model, "random", sizes=sizes, method="montecarlo", samples=1500, seed=1)
    assert abs(float(mc.kl) - ex.conditional_tc) <= 4 * mc.stderr
    assert ex.conditional_tc == pytest.approx(float(ss.expected_kl(ss.information_profile(model), sizes)), abs=1e-12)

    def odd_first(revealed, values, k):
        order = [i for i in (1, 3, 5, 0, 2, 4, 6) if i not in revealed]
        return order[:k]
    exc = ss.policy_kl(model, odd_first, sizes=sizes)
    mcc = ss.policy_kl(model, odd_first, sizes=sizes, method="montecarlo", samples=400, seed=2)
    assert abs(float(mcc.kl) - exc.kl) <= 4 * mcc.stderr
    # a local function cannot go to worker processes: said, and the same numbers computed here
    with pytest.warns(RuntimeWarning, match="workers=2 not used"):
        mcw = ss.policy_kl(model, odd_first, sizes=sizes, method="montecarlo", samples=400, seed=2, workers=2)
    assert float(mcw.kl) == float(mcc.kl) and mcw.stderr == mcc.stderr


@pytest.mark.slow
def test_kernels_match_plain_numpy():
    rng = np.random.default_rng(1)
    S, V, N = 3, 4, 15
    T = [rng.dirichlet(np.ones(S), size=S) for _ in range(N - 1)]
    E = [rng.dirichlet(np.ones(V), size=S) for _ in range(N)]
    init = rng.dirichlet(np.ones(S))
    fast, slow = HMMPass(init, T, E, [V] * N, use_numba=True), HMMPass(init, T, E, [V] * N, use_numba=False)
    x = rng.integers(0, V, (7, N))
    mask = rng.random((7, N)) < 0.4
    chosen = ~mask & (rng.random((7, N)) < 0.3)
    assert np.allclose(fast.conditionals(x, mask), slow.conditionals(x, mask), atol=1e-14)
    assert np.allclose(fast.chain_entropies(x, mask, chosen), slow.chain_entropies(x, mask, chosen), atol=1e-13)
    # against the joint table: p(x_i | x_R) and the chain-rule entropies of the step's tokens
    joint = hmm(0, N=5, S=3, V=4)
    p = joint.joint()
    o = HMMPass(joint.initial_distribution, joint.transition_matrices, joint.emission_matrices, [4] * 5)
    x = np.array([[1, 0, 2, 3, 1]])
    mask = np.array([[True, False, False, True, False]])
    got = o.conditionals(x, mask)
    for i in (1, 2, 4):
        keep = sorted({0, 3, i})
        m = p.sum(axis=tuple(a for a in range(5) if a not in keep))
        row = m[tuple(x[0, a] if a != i else slice(None) for a in keep)]
        assert np.allclose(got[0, i], row / row.sum(), atol=1e-12)
    chosen = np.array([[False, True, False, False, True]])
    m = p.sum(axis=2)                                   # positions 0, 1, 3, 4
    sl = m[1, :, 3, :] / m[1, :, 3, :].sum()            # p(x1, x4 | x0 = 1, x3 = 3)
    h_joint = -(sl * np.log(sl)).sum()
    h1 = -(sl.sum(1) * np.log(sl.sum(1))).sum()
    h4_given = -(sl[0] / sl[0].sum() * np.log(sl[0] / sl[0].sum())).sum()   # x1 = x[0, 1] = 0
    assert o.chain_entropies(x, mask, chosen)[0] == pytest.approx(h1 + h4_given, abs=1e-12)
    assert h_joint == pytest.approx(h1 + sum(sl.sum(1)[v] * -(sl[v] / sl[v].sum() * np.log(sl[v] / sl[v].sum())).sum()
                                             for v in range(4)), abs=1e-12)


def test_paired_comparison_on_common_random_numbers():
    model = network(4)
    c = ss.compare_policies(model, [2, 2, 2], policies=("confidence", "entropy", "random"), method="montecarlo",
                            samples=800, seed=5)
    ex = ss.compare_policies(model, [2, 2, 2], policies=("confidence", "random"))
    d = c.difference("confidence", "random")
    want = ex.kl("confidence") - ex.kl("random (E_σ KL)")
    assert isinstance(d, Estimate) and abs(d.value - want) <= 4 * d.stderr
    assert c.kl("random") is c.kl("random (E_σ KL)")
    a, b = c.kl("confidence"), c.kl("random")
    assert d.value == pytest.approx(a.value - b.value, abs=1e-12)
    assert ex.difference("confidence", "random") == pytest.approx(ex.kl("confidence") - ex.kl("random"))
    assert "paired" in str(c) and c.latex().startswith(r"\begin{array}")


def test_arguments_shared_by_monte_carlo_routes():
    model = network(1)
    kw = dict(sizes=[2, 2, 2], method="montecarlo")
    a = ss.policy_kl(model, "confidence", samples=200, seed=7, **kw)
    b = ss.policy_kl(model, "confidence", samples=200, seed=7, workers=2, **kw)
    assert float(a.kl) == float(b.kl) and a.n == b.n == 200
    for name, par in (("threshold", dict(threshold=0.9)), ("entropy-bound", dict(gamma=0.5))):
        # every registered policy travels to worker processes (no lambdas in a policy's definition)
        one = ss.policy_kl(model, name, samples=64, seed=3, method="montecarlo", **par)
        two = ss.policy_kl(model, name, samples=64, seed=3, method="montecarlo", workers=2, **par)
        assert float(one.kl) == float(two.kl)
    s = ss.policy_kl(model, "confidence", stderr=0.02, seed=1, **kw)
    assert s.stderr <= 0.02
    with pytest.raises(ModelTooLargeError) as e:
        ss.policy_kl(model, "confidence", samples=200, budget=10.0, **kw)
    assert e.value.estimate > 10
    for bad in (dict(samples=2.5), dict(samples="100"), dict(samples=1), dict(stderr=-1), dict(time_budget=0),
                dict(workers=0), dict(samples=10, n=10)):
        with pytest.raises(SymschedError):
            ss.policy_kl(model, "confidence", **kw, **bad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        t = ss.policy_kl(model, "confidence", stderr=1e-6, time_budget=0.05, seed=0, **kw)
    assert t.n < 10 ** 6


@pytest.mark.slow
def test_long_hmm_runs_at_real_length():
    rng = np.random.default_rng(0)
    S, V = 4, 8
    T = np.full((S, S), 0.1 / 3)
    np.fill_diagonal(T, 0.9)
    E = np.full((S, V), 0.7 / 7)
    for s in range(S):
        E[s, s] = 0.3
    model = ss.hidden_markov_model(256, np.full(S, 0.25), T, E)
    r = ss.policy_kl(model, "confidence", sizes=[8] * 32, method="montecarlo", samples=64, seed=0)
    assert r.n == 64 and len(r.step_kl) == 32 and float(r.kl) > 0
    _ = rng
