"""Adaptive samplers (issue 15): policy_kl against an independent recursion of the sampler on the joint table."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import symsched as ss
from symsched.errors import ModelTooLargeError, SymschedError
from symsched.results import Estimate
from reference import (brute_adaptive, brute_profile, identity_kl, kl, random_joint, wen_liang_lu)

SHAPES = [(2, 2, 2, 2), (3, 2, 3), (2, 3, 2, 2), (3, 3, 2)]
SIZED = ["random", "confidence", "margin", "entropy", "llada"]


def random_bn(cards, seed, exact=False):
    """A random Bayesian network, each node with up to two of the previous nodes as parents."""
    rng = np.random.default_rng(seed)
    bn = ss.BayesianNetwork()
    for i, c in enumerate(cards):
        bn.add_variable(f"X{i}", states=c)
    for i, c in enumerate(cards):
        par = [f"X{j}" for j in range(max(0, i - 2), i) if rng.random() < 0.8]
        shape = tuple(cards[int(p[1:])] for p in par) + (c,)
        if exact:
            raw = rng.integers(1, 20, size=shape)
            t = np.empty(shape, dtype=object)
            for idx in np.ndindex(shape):
                t[idx] = Fraction(int(raw[idx]), int(raw[idx[:-1]].sum()))
        else:
            t = rng.random(shape) ** 2 + 0.02
            t = t / t.sum(axis=-1, keepdims=True)
        bn.set_cpd(f"X{i}", t, parents=par)
    return bn


def nats(gamma_bits):
    """The EB sampler's budget is in bits; the reference recursion measures entropy in nats."""
    return None if gamma_bits is None else gamma_bits * math.log(2)


def sizes_for(N):
    return [2] * (N // 2) + [1] * (N % 2)


def models():
    out = [(f"joint{s}", ss.from_joint(random_joint(s, seed))) for seed, s in enumerate(SHAPES)]
    out += [(f"bn{c}", random_bn(c, 10 + k)) for k, c in enumerate([(2, 2, 2, 2, 2), (3, 2, 3, 2), (2, 3, 3)])]
    # ties everywhere: copies and a parity
    copy = np.zeros((2, 2, 2))
    copy[0, 0, 0] = copy[1, 1, 1] = 0.5
    parity = np.zeros((2, 2, 2))
    for a in range(2):
        for b in range(2):
            parity[a, b, a ^ b] = 0.25
    out += [("copy", ss.from_joint(copy)), ("parity", ss.from_joint(parity))]
    return out


MODELS = models()


@pytest.mark.parametrize("name,model", MODELS, ids=[m[0] for m in MODELS])
@pytest.mark.parametrize("policy", SIZED)
def test_sized_policies_match_the_brute_force_sampler(name, model, policy):
    p = model.joint()
    N = p.ndim
    for sizes in (sizes_for(N), [N - 1, 1], [1] * N):
        r = ss.policy_kl(model, policy, sizes=sizes, ties="lowest-index")
        q, steps = brute_adaptive(p, policy, sizes=sizes)
        assert np.allclose(r.law, q, atol=1e-12), (policy, sizes)
        assert r.kl == pytest.approx(kl(p, q), abs=1e-10)
        assert r.expected_steps == len(sizes)
        assert r.exact and r.stderr == 0 and float(r) == r.kl


@pytest.mark.parametrize("name,model", MODELS, ids=[m[0] for m in MODELS])
@pytest.mark.parametrize("policy,kw", [("threshold", {"threshold": 0.9}), ("threshold", {"threshold": 0.6}),
                                       ("threshold", {"threshold": 0.5}), ("entropy-bound", {"gamma": 0.1}),
                                       ("entropy-bound", {"gamma": 0.7})])
def test_threshold_rules_match_the_brute_force_sampler_and_its_step_law(name, model, policy, kw):
    p = model.joint()
    r = ss.policy_kl(model, policy, ties="lowest-index", **kw)
    q, steps = brute_adaptive(p, policy, tau=kw.get("threshold"), gamma=nats(kw.get("gamma")))
    assert np.allclose(r.law, q, atol=1e-12)
    assert r.kl == pytest.approx(kl(p, q), abs=1e-10)
    want = {t: v for t, v in steps.items() if v > 0}
    got = {t: float(v) for t, v in r.steps_distribution.items() if float(v) > 1e-15}
    assert set(got) == set(want) and all(got[t] == pytest.approx(want[t], abs=1e-12) for t in want)
    assert r.expected_steps == pytest.approx(sum(t * v for t, v in steps.items()), abs=1e-12)


@pytest.mark.parametrize("name,model", MODELS, ids=[m[0] for m in MODELS])
def test_wen_liang_lu_identity_equals_the_kl(name, model):
    p = model.joint()
    N = p.ndim
    for policy, kw in [("confidence", {"sizes": sizes_for(N)}), ("margin", {"sizes": [N - 1, 1]}),
                       ("entropy", {"sizes": sizes_for(N)}), ("threshold", {"threshold": 0.7}),
                       ("entropy-bound", {"gamma": 0.5})]:
        r = ss.policy_kl(model, policy, ties="lowest-index", **kw)
        assert r.identity
        assert r.conditional_tc == pytest.approx(r.kl, abs=1e-10)
        ref = wen_liang_lu(p, policy, kw.get("sizes"), kw.get("threshold"), nats(kw.get("gamma")))
        assert r.conditional_tc == pytest.approx(ref, abs=1e-10)


@pytest.mark.parametrize("name,model", MODELS[:5], ids=[m[0] for m in MODELS[:5]])
def test_random_order_conditional_tc_is_the_profile_identity_and_bounds_the_kl(name, model):
    p = model.joint()
    h, _ = brute_profile(p)
    sizes = sizes_for(p.ndim)
    r = ss.policy_kl(model, "random", sizes=sizes)
    assert not r.identity
    assert r.conditional_tc == pytest.approx(identity_kl(h, sizes), abs=1e-10)
    assert r.kl <= r.conditional_tc + 1e-12
    assert ss.policy_kl(model, "llada", sizes=sizes).conditional_tc is None


def test_exact_arithmetic_stays_exact():
    import sympy as sp

    bn = random_bn((2, 3, 2), 3, exact=True)
    for policy, kw in [("confidence", {"sizes": [2, 1]}), ("threshold", {"threshold": Fraction(3, 5)}),
                       ("llada", {"sizes": [2, 1]})]:
        r = ss.policy_kl(bn, policy, precision="symbolic", **kw)
        f = ss.policy_kl(bn, policy, **kw)
        assert isinstance(r.kl, sp.Basic) and float(r.kl) == pytest.approx(f.kl, abs=1e-12)
        assert all(isinstance(v, sp.Rational) for v in np.ravel(r.law))
        assert sum(np.ravel(r.law)) == 1
        if r.conditional_tc is not None:
            assert float(r.conditional_tc) == pytest.approx(float(r.kl), abs=1e-12)
        m = ss.policy_kl(bn, policy, precision="mpmath", dps=30, **kw)
        assert abs(float(m.kl) - float(r.kl)) < 1e-14


def test_montecarlo_lands_within_its_error_bars():
    bn = random_bn((2, 3, 2, 2, 3, 2), 7)
    for policy, kw in [("confidence", {"sizes": [3, 2, 1]}), ("threshold", {"threshold": 0.6}),
                       ("entropy-bound", {"gamma": 0.3})]:
        ex = ss.policy_kl(bn, policy, method="exact", **kw)
        mc = ss.policy_kl(bn, policy, method="montecarlo", n=400, seed=1, **kw)
        assert not mc.exact and mc.stderr > 0
        assert isinstance(mc.kl, Estimate) and float(mc) >= 0
        assert abs(float(mc.kl) - ex.kl) <= 4 * mc.stderr + 1e-12, (policy, float(mc.kl), ex.kl, mc.stderr)
        if policy != "confidence":
            es = mc.expected_steps
            assert abs(es.value - ex.expected_steps) <= 4 * es.stderr + 1e-12


def test_montecarlo_by_variable_elimination_on_a_network_without_its_joint(monkeypatch):
    import symsched.samplers.policies.oracle_adapter as adapter

    bn = random_bn((2, 2, 3, 2, 2), 5)
    ex = ss.policy_kl(bn, "entropy", sizes=[2, 2, 1])
    monkeypatch.setattr(adapter, "JOINT_LIMIT", 4)     # force the network's own oracle
    mc = ss.policy_kl(bn, "entropy", sizes=[2, 2, 1], method="montecarlo", n=300, seed=2)
    assert adapter.policy_oracle(bn).family == "bayesian"
    assert abs(float(mc.kl) - ex.kl) <= 4 * mc.stderr + 1e-12


def test_custom_policy_equals_the_fixed_order_it_encodes():
    p = random_joint((2, 3, 2), 4)
    model = ss.from_joint(p)
    blocks = [(0, 2), (1,)]

    def fixed(revealed, values):
        return next(B for B in blocks if not set(B) <= revealed)

    r = ss.policy_kl(model, fixed)
    q = ss.sampler_law(model, order=blocks)
    assert np.allclose(r.law, q) and r.conditional_tc == pytest.approx(r.kl, abs=1e-12)
    assert r.expected_steps == pytest.approx(2)


def test_bad_input_is_refused_with_the_culprit_named():
    model = ss.from_joint(random_joint((2, 2, 2), 0))
    with pytest.raises(SymschedError, match="policy must be one of"):
        ss.policy_kl(model, "greedy", sizes=[1, 2])
    with pytest.raises(SymschedError, match="needs sizes"):
        ss.policy_kl(model, "confidence")
    with pytest.raises(SymschedError, match="threshold must lie"):
        ss.policy_kl(model, "threshold", threshold=1.5)
    with pytest.raises(SymschedError, match="give no sizes"):
        ss.policy_kl(model, "threshold", threshold=0.9, sizes=[3])
    with pytest.raises(SymschedError, match="gamma"):
        ss.policy_kl(model, "entropy-bound", gamma=-1)
    with pytest.raises(SymschedError, match="reveals 2 tokens"):
        ss.policy_kl(model, "entropy", sizes=[1, 1])
    with pytest.raises(SymschedError, match="no unbiased estimator"):
        ss.policy_kl(model, "llada", sizes=[2, 1], method="montecarlo")
    with pytest.raises(SymschedError, match="method must be"):
        ss.policy_kl(model, "confidence", sizes=[2, 1], method="fast")
    with pytest.raises(ModelTooLargeError) as e:
        ss.policy_kl(model, "llada", sizes=[2, 1], budget=10)
    assert e.value.estimate > 10
    with pytest.raises(SymschedError, match="returned positions"):
        ss.policy_kl(model, lambda R, v: (7,))


def test_auto_falls_back_to_montecarlo_over_budget():
    bn = random_bn((2,) * 6, 9)
    r = ss.policy_kl(bn, "confidence", sizes=[2, 2, 2], budget=1, n=50)
    assert r.method == "montecarlo" and not r.exact


def test_result_protocol():
    import json

    r = ss.policy_kl(ss.from_joint(random_joint((2, 2, 3), 1)), "threshold", threshold=0.8)
    json.dumps(r.to_dict())
    assert r.latex().startswith(r"\begin{array}") and "$" not in r.latex()
    assert "threshold" in repr(r) and "exact" in str(r) and "<table>" in r._repr_html_()
    with pytest.raises(AttributeError):
        r.kl = 0


@settings(max_examples=15)
@given(st.lists(st.integers(2, 3), min_size=2, max_size=4), st.integers(0, 10 ** 6),
       st.sampled_from(["confidence", "margin", "entropy", "llada"]))
def test_property_law_is_a_distribution_and_kl_nonnegative(cards, seed, policy):
    model = ss.from_joint(random_joint(tuple(cards), seed))
    r = ss.policy_kl(model, policy, sizes=[len(cards)])
    assert r.law.sum() == pytest.approx(1.0) and r.kl >= 0
    # one step: every rule is the product of marginals, KL = TC
    H = -np.sum(model.joint() * np.log(model.joint()))
    margs = sum(-np.sum(m * np.log(m)) for m in (model.joint().sum(axis=tuple(j for j in range(len(cards)) if j != i))
                                                   for i in range(len(cards))))
    assert r.kl == pytest.approx(margs - H, abs=1e-10)


def test_a_raw_table_is_validated_and_accepted():
    p = random_joint((2, 3), 2)
    assert ss.policy_kl(p, "confidence", sizes=[2]).kl == pytest.approx(
        ss.policy_kl(ss.from_joint(p), "confidence", sizes=[2]).kl)
    with pytest.raises(ValueError):
        ss.policy_kl(np.array([[0.5, 0.5], [0.5, 0.5]]), "confidence", sizes=[2])


@settings(max_examples=15)
@given(st.lists(st.integers(2, 3), min_size=2, max_size=4), st.integers(0, 10 ** 6),
       st.floats(0.3, 1.0), st.floats(0.0, 1.5))
def test_property_identity_holds_for_threshold_rules(cards, seed, tau, gamma):
    p = random_joint(tuple(cards), seed)
    for policy, kw in [("threshold", {"threshold": tau}), ("entropy-bound", {"gamma": gamma})]:
        r = ss.policy_kl(p, policy, **kw)
        assert r.conditional_tc == pytest.approx(r.kl, abs=1e-10)
        assert 1 - 1e-9 <= r.expected_steps <= len(cards) + 1e-9
        assert sum(r.steps_distribution.values()) == pytest.approx(1.0)


def test_random_order_by_montecarlo_is_the_order_averaged_kl_and_auto_refuses_over_budget():
    bn = random_bn((2,) * 5, 1)
    ex = ss.policy_kl(bn, "random", sizes=[2, 2, 1])
    mc = ss.policy_kl(bn, "random", sizes=[2, 2, 1], method="montecarlo", n=600, seed=3)
    assert "E_sigma" in mc.quantity and not mc.identity
    assert abs(float(mc.kl) - ex.conditional_tc) <= 4 * mc.stderr
    with pytest.raises(ModelTooLargeError, match="montecarlo"):
        ss.policy_kl(bn, "llada", sizes=[2, 2, 1], budget=100)
