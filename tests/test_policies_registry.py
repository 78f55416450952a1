"""The policy registry (issues 22, 24): one definition per policy, ties, temperature, EB units, a new policy."""

import math

import numpy as np
import pytest

import symsched as ss
from symsched.errors import SymschedError
from symsched.samplers.policies import Policy, get_policy, policy_names, register_policy
from reference import brute_adaptive_ties, brute_partition, kl, random_joint


def copies_and_parity():
    copy = np.zeros((2, 2, 2))
    copy[0, 0, 0] = copy[1, 1, 1] = 0.5
    parity = np.zeros((2, 2, 2))
    for a in range(2):
        for b in range(2):
            parity[a, b, a ^ b] = 0.25
    cycle = np.zeros((2,) * 4)
    for x in np.ndindex(cycle.shape):
        cycle[x] = math.exp(0.8 * sum(1 if x[i] == x[(i + 1) % 4] else -1 for i in range(4)))
    return [copy, parity, cycle / cycle.sum(), random_joint((2, 3, 2), 5)]


@pytest.mark.parametrize("j", range(4))
@pytest.mark.parametrize("policy", ["confidence", "margin", "entropy", "llada", "left-to-right"])
def test_random_ties_match_a_brute_force_over_tie_consistent_sets(j, policy):
    p = copies_and_parity()[j]
    N = p.ndim
    for sizes in ([2] * (N // 2) + [1] * (N % 2), [1] * N):
        r = ss.policy_kl(p, policy, sizes=sizes, ties="random")
        q, _ = brute_adaptive_ties(p, policy, sizes=sizes)
        assert np.allclose(r.law, q, atol=1e-12), (policy, sizes)
        assert r.kl == pytest.approx(kl(p, q), abs=1e-10)
        if policy != "llada":
            assert r.conditional_tc >= r.kl - 1e-12


@pytest.mark.parametrize("j", range(4))
def test_random_ties_of_the_free_size_rules(j):
    p = copies_and_parity()[j]
    for policy, kw, ref in [("threshold", {"threshold": 0.6}, {"tau": 0.6}),
                            ("entropy-bound", {"gamma": 0.5}, {"gamma_nats": 0.5 * math.log(2)}),
                            ("entropy-bound", {"gamma": 1.2}, {"gamma_nats": 1.2 * math.log(2)})]:
        r = ss.policy_kl(p, policy, ties="random", **kw)
        q, steps = brute_adaptive_ties(p, policy, **ref)
        assert np.allclose(r.law, q, atol=1e-12), (policy, kw)
        assert r.expected_steps == pytest.approx(sum(t * v for t, v in steps.items()), abs=1e-12)


def test_on_a_symmetric_model_the_law_depends_on_the_tie_rule():
    p = copies_and_parity()[2]          # Ising on a 4-cycle
    low = ss.policy_kl(p, "confidence", sizes=[2, 2], ties="lowest-index")
    rnd = ss.policy_kl(p, "confidence", sizes=[2, 2], ties="random")
    assert abs(low.kl - rnd.kl) > 1e-3
    perm = np.transpose(p, (1, 2, 3, 0))
    # random ties: the law does not depend on how positions are numbered
    assert ss.policy_kl(perm, "confidence", sizes=[2, 2], ties="random").kl == pytest.approx(rnd.kl, abs=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_confidence_at_temperature_one_is_the_llada_law(seed):
    p = random_joint((2, 3, 2, 2), seed)
    for sizes in ([2, 2], [1, 2, 1]):
        hot = ss.policy_kl(p, "confidence", sizes=sizes, temperature=1)
        assert np.allclose(hot.law, ss.policy_kl(p, "llada", sizes=sizes).law, atol=1e-14)
        assert hot.conditional_tc is None and not hot.identity
        cold = ss.policy_kl(p, "llada", sizes=sizes, temperature=0)
        assert np.allclose(cold.law, ss.policy_kl(p, "confidence", sizes=sizes).law, atol=1e-14)
    # margin and entropy ignore the sampled token: the same law at both temperatures
    assert ss.policy_kl(p, "entropy", sizes=[2, 2], temperature=1).kl == pytest.approx(
        ss.policy_kl(p, "entropy", sizes=[2, 2]).kl, abs=1e-14)


def test_threshold_at_temperature_one_scores_the_sampled_token():
    """Brute force: a candidate at every position; keep the best candidate and every candidate >= tau."""
    p = random_joint((2, 2, 3), 11)
    tau = 0.5
    N = p.ndim
    q = np.zeros(p.shape)

    def cond(rev, i):
        keep = sorted(set(rev) | {i})
        m = p.sum(axis=tuple(a for a in range(N) if a not in keep))
        row = m[tuple(rev[a] if a != i else slice(None) for a in keep)]
        return row / row.sum()

    def rec(rev, mass):
        if len(rev) == N:
            q[tuple(rev[i] for i in range(N))] += mass
            return
        M = [i for i in range(N) if i not in rev]
        conds = {i: cond(rev, i) for i in M}
        import itertools
        for cand in itertools.product(*[range(p.shape[i]) for i in M]):
            w = mass * np.prod([conds[i][v] for i, v in zip(M, cand)])
            sc = {i: round(conds[i][v], 10) for i, v in zip(M, cand)}
            best = max(sc.values())
            tops = [i for i in M if sc[i] == best]
            for b in tops:        # random ties among the best
                keep = sorted(set([b] + [i for i in M if sc[i] >= tau]))
                own = dict(zip(M, cand))
                rec({**rev, **{i: own[i] for i in keep}}, w / len(tops))
    rec({}, 1.0)
    r = ss.policy_kl(p, "threshold", threshold=tau, temperature=1)
    assert np.allclose(r.law, q, atol=1e-12)


def test_entropy_bound_gamma_is_in_bits():
    p = random_joint((2, 2, 2, 2), 3)
    for g in (0.3, 0.9):
        bits = ss.policy_kl(p, "entropy-bound", gamma=g)
        q, _ = brute_adaptive_ties(p, "entropy-bound", gamma_nats=g * math.log(2))
        assert np.allclose(bits.law, q, atol=1e-12)


def test_left_to_right_is_the_fixed_partition_into_consecutive_blocks():
    p = random_joint((2, 3, 2, 2, 2), 7)
    for sizes in ([2, 2, 1], [1, 3, 1], [5]):
        r = ss.policy_kl(p, "left-to-right", sizes=sizes)
        blocks, s = [], 0
        for k in sizes:
            blocks.append(list(range(s, s + k)))
            s += k
        assert r.kl == pytest.approx(brute_partition(p, blocks), abs=1e-12)
        assert r.identity and r.conditional_tc == pytest.approx(r.kl, abs=1e-12)


def test_a_registered_policy_goes_through_every_route():
    def score(probs, positions):
        return -probs.max(axis=-1)          # least confident first
    pol = Policy("least-confident", "the k_t least confident positions", score=score)
    register_policy(pol, replace=True)
    assert "least-confident" in policy_names() and get_policy("least-confident") is pol
    p = random_joint((2, 2, 3, 2), 4)
    r = ss.policy_kl(p, "least-confident", sizes=[2, 2], ties="lowest-index")
    assert r.identity and r.conditional_tc == pytest.approx(r.kl, abs=1e-12)
    mc = ss.policy_kl(p, pol, sizes=[2, 2], method="montecarlo", samples=400, seed=1)
    assert abs(float(mc.kl) - r.kl) <= 4 * mc.stderr + 1e-12


def test_bad_temperatures_and_ties_are_refused():
    p = random_joint((2, 2), 0)
    with pytest.raises(SymschedError, match="temperature"):
        ss.policy_kl(p, "confidence", sizes=[2], temperature=0.7)
    with pytest.raises(SymschedError, match="temperature"):
        ss.policy_kl(p, "entropy-bound", gamma=0.1, temperature=1)
    with pytest.raises(SymschedError, match="ties"):
        ss.policy_kl(p, "confidence", sizes=[2], ties="smallest")
    with pytest.raises(SymschedError, match="no unbiased estimator"):
        ss.policy_kl(p, "confidence", sizes=[1, 1], temperature=1, method="montecarlo")
    with pytest.raises(SymschedError, match="register_policy"):
        register_policy(Policy("confidence", "again", score=lambda p, q: p.max(-1)))
