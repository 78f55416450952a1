"""KL split by interaction order (Amari's hierarchy) and dit interoperability.

Independent references written here: the maximum-entropy characterisation (a law with p's k-marginals
whose logarithm has no interaction of order > k is p^(k)), brute-force total correlations, the sampler's
law averaged over every order σ by enumeration (tests/reference.py), and dit's own measures.
"""

from __future__ import annotations

import math
from itertools import combinations, product

import mpmath
import networkx as nx
import numpy as np
import pytest
import sympy as sp

import symsched as ss
from symsched.info.interaction import interaction_terms

from reference import brute_sampler, entropy, marginal, random_joint


def _tc(p):
    return sum(entropy(marginal(p, (i,))) for i in range(p.ndim)) - entropy(p)


def _kl(p, q):
    m = p > 0
    return float(np.sum(p[m] * np.log(p[m] / q[m])))


def _mobius_interactions(q, order):
    """Largest |ANOVA interaction| of log q over sets of more than ``order`` variables (reference state 0)."""
    logq = np.log(q)
    worst = 0.0
    n = q.ndim
    for size in range(order + 1, n + 1):
        for T in combinations(range(n), size):
            for xT in product(*(range(1, q.shape[a]) for a in T)):
                total = 0.0
                for r in range(size + 1):
                    for U in combinations(range(size), r):
                        idx = [0] * n
                        for u in U:
                            idx[T[u]] = xT[u]
                        total += (-1) ** (size - r) * logq[tuple(idx)]
                worst = max(worst, abs(total))
    return worst


@pytest.mark.parametrize("shape,seed", [((2, 2, 2, 2), 0), ((3, 2, 2), 1), ((2, 3, 2, 2), 2), ((2,) * 5, 3)])
def test_projection_is_the_maximum_entropy_law(shape, seed):
    p = random_joint(shape, seed)
    m = ss.from_joint(p)
    for k in range(1, len(shape) + 1):
        q = ss.maxent_projection(m, k).joint()
        for S in combinations(range(len(shape)), k):
            assert np.max(np.abs(marginal(q, S) - marginal(p, S))) < 1e-12
        assert np.all(q > 0)
        # log-linear of order <= k: with matching marginals this characterises the maximum-entropy law
        assert _mobius_interactions(q, k) < 1e-9


@pytest.mark.parametrize("seed", range(6))
def test_terms_are_kl_between_consecutive_projections_and_sum_to_tc(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(int(c) for c in rng.integers(2, 4, size=int(rng.integers(3, 5))))
    p = random_joint(shape, 100 + seed)
    m = ss.from_joint(p)
    d = ss.interaction_decomposition(m)
    proj = [ss.maxent_projection(m, k).joint() for k in range(1, len(shape) + 1)]
    assert sorted(d.terms) == list(range(2, len(shape) + 1))
    for k in d.terms:
        assert d.terms[k] >= 0
        assert abs(d.terms[k] - _kl(proj[k - 1], proj[k - 2])) < 1e-10
        assert abs(d.terms[k] - (entropy(proj[k - 2]) - entropy(proj[k - 1]))) < 1e-10
    assert abs(sum(d.terms.values()) - _tc(p)) < 1e-10
    assert abs(d.total - _tc(p)) < 1e-10


def test_random_bayesian_network_split():
    bn = ss.BayesianNetwork()
    rng = np.random.default_rng(7)
    for v in "ABCDE":
        bn.add_variable(v, states=2)
    bn.set_cpd("A", rng.dirichlet([1, 1]))
    bn.set_cpd("B", rng.dirichlet([1, 1], size=2), parents=["A"])
    bn.set_cpd("C", rng.dirichlet([1, 1], size=(2, 2)), parents=["A", "B"])
    bn.set_cpd("D", rng.dirichlet([1, 1], size=(2, 2)), parents=["B", "C"])
    bn.set_cpd("E", rng.dirichlet([1, 1], size=(2, 2, 2)), parents=["A", "C", "D"])
    d = ss.interaction_decomposition(bn)
    assert abs(d.total - _tc(bn.joint())) < 1e-10
    assert all(v >= 0 for v in d.terms.values())


@pytest.mark.parametrize("n", [3, 4, 5])
def test_parity_is_pure_synergy(n):
    d = ss.interaction_decomposition(ss.parity_model(n))
    for k, v in d.terms.items():
        assert v == pytest.approx(math.log(2) if k == n else 0.0, abs=1e-12)


def test_pairwise_ising_is_its_own_pairwise_projection():
    m = ss.ising(nx.cycle_graph(5), 0.8, field=0.3)
    q = ss.maxent_projection(m, 2).joint()
    assert np.max(np.abs(q - m.joint())) < 1e-12
    d = ss.interaction_decomposition(m)
    assert d.terms[2] == pytest.approx(_tc(m.joint()), abs=1e-10)
    assert all(abs(d.terms[k]) < 1e-10 for k in range(3, 6))


def test_higher_order_factor_shows_at_its_order():
    # a three-variable factor exp(a x0 x1 x2) on a chain of pairwise couplings: order 3 carries something
    mrf = ss.MarkovRandomField()
    for v in range(3):
        mrf.add_variable(v, states=2)
    mrf.add_factor([0, 1, 2], np.exp(1.5 * np.array([[[0, 0], [0, 0]], [[0, 0], [0, 1.0]]])))
    d = ss.interaction_decomposition(mrf)
    assert d.terms[3] > 1e-3


# -- schedules and policies ---------------------------------------------------------------------
@pytest.mark.parametrize("sizes", [[2, 2], [3, 1], [1, 3], [4], [2, 1, 1]])
def test_schedule_split_sums_to_the_order_averaged_kl(sizes):
    p = random_joint((2, 2, 3, 2), 11)
    m = ss.from_joint(p)
    d = ss.interaction_decomposition(m, sizes)
    # brute force: E_sigma KL(p || q_sigma) over all 4! orders (tests/reference.py)
    assert d.total == pytest.approx(brute_sampler(p, sizes)[0], abs=1e-10)
    assert sum(d.by_order.values()) == pytest.approx(d.total, abs=1e-12)
    assert sum(d.by_step) == pytest.approx(d.total, abs=1e-12)
    assert all(v >= 0 for v in d.by_order.values())
    for t, k in enumerate(sizes):
        if k < 2:
            assert d.by_step[t] == 0


def test_schedule_split_one_step_is_the_model_split():
    p = random_joint((2, 2, 2, 2), 5)
    m = ss.from_joint(p)
    a, b = ss.interaction_decomposition(m, [4]), ss.interaction_decomposition(m)
    for k in b.terms:
        assert a.by_order[k] == pytest.approx(b.terms[k], abs=1e-10)


@pytest.mark.parametrize("policy,kw", [("confidence", dict(schedule=[2, 2, 1])), ("entropy", dict(schedule=[3, 2])),
                                       ("margin", dict(schedule=[1, 2, 2])), ("threshold", dict(threshold=0.6)),
                                       ("entropy-bound", dict(gamma=0.3))])
def test_policy_split_sums_to_the_policy_kl(policy, kw):
    p = random_joint((2, 2, 2, 3, 2), 21)
    m = ss.from_joint(p)
    d = ss.interaction_decomposition(m, policy=policy, **kw)
    r = ss.policy_kl(m, policy, sizes=kw.get("schedule"), threshold=kw.get("threshold"), gamma=kw.get("gamma"),
                     ties="lowest-index")
    assert d.total == pytest.approx(float(r.kl), abs=1e-10)
    assert sum(d.by_order.values()) == pytest.approx(d.total, abs=1e-12)


def test_policy_split_of_a_callable_policy():
    p = random_joint((2, 2, 2, 2), 3)

    def left_to_right(revealed, values, k):
        masked = [i for i in range(4) if i not in revealed]
        return masked[:k]

    d = ss.interaction_decomposition(ss.from_joint(p), [2, 2], policy=left_to_right)
    r = ss.policy_kl(ss.from_joint(p), left_to_right, sizes=[2, 2])
    assert d.total == pytest.approx(float(r.kl), abs=1e-10)


def test_montecarlo_split_is_calibrated():
    p = random_joint((2, 2, 2, 2, 2), 8)
    m = ss.from_joint(p)
    sizes = [2, 3]
    exact = ss.interaction_decomposition(m, sizes)
    z_total, z_orders = [], []
    for seed in range(20):
        d = ss.interaction_decomposition(m, sizes, method="montecarlo", samples=60, seed=seed)
        assert not d.exact and d.total_stderr > 0
        z_total.append((d.total - exact.total) / d.total_stderr)
        for k in (2, 3):
            z_orders.append((d.by_order[k] - exact.by_order[k]) / d.stderr[k])
    assert 0.6 <= math.sqrt(np.mean(np.square(z_total))) <= 1.5
    assert 0.6 <= math.sqrt(np.mean(np.square(z_orders))) <= 1.5


# -- precision ----------------------------------------------------------------------------------
def test_mpmath_projection_to_many_digits():
    p = random_joint((2, 2, 2), 4)
    fr = np.empty(p.shape, dtype=object)
    for idx in np.ndindex(p.shape):
        fr[idx] = sp.Rational(round(p[idx] * 10 ** 6), 10 ** 6)
    total = sum(fr.ravel())
    fr = fr / total
    m = ss.from_joint(fr)
    d = ss.interaction_decomposition(m, precision="mpmath", dps=30)
    with mpmath.workdps(40):
        q = np.vectorize(lambda x: mpmath.mpf(x.p) / x.q, otypes=[object])(fr)
        h = lambda arr: -mpmath.fsum(x * mpmath.log(x) for x in arr.ravel() if x != 0)  # noqa: E731
        tc = sum(h(marginal(q, (i,))) for i in range(3)) - h(q)
        assert abs(d.terms[2] + d.terms[3] - tc) < mpmath.mpf(10) ** -25
    flo = ss.interaction_decomposition(ss.from_joint(np.array(fr, dtype=float)))
    assert float(d.terms[2]) == pytest.approx(flo.terms[2], abs=1e-12)


def test_symbolic_closed_forms():
    d = ss.interaction_decomposition(ss.parity_model(3), precision="symbolic")
    assert sp.simplify(d.terms[3] - sp.log(2)) == 0 and d.terms[2] == 0
    J = sp.Symbol("J", positive=True)
    m = ss.ising(nx.path_graph(3), J)
    q = ss.maxent_projection(m, 2, precision="symbolic").joint("symbolic")
    assert all(sp.simplify(a - b) == 0 for a, b in zip(q.ravel(), m.joint("symbolic").ravel()))


def test_symbolic_without_closed_form_is_refused_with_the_way_forward():
    a = sp.Rational(1, 3)
    t = np.array([[[a, 0], [0, sp.Rational(1, 6)]], [[sp.Rational(1, 6), 0], [0, sp.Rational(1, 3)]]], dtype=object)
    with pytest.raises(ValueError, match="precision='float'"):
        ss.maxent_projection(ss.from_joint(t), 2, precision="symbolic")


# -- dit ----------------------------------------------------------------------------------------
dit = pytest.importorskip("dit")


@pytest.mark.parametrize("seed", range(3))
def test_dit_agrees_on_measures_and_connected_informations(seed):
    p = random_joint((2, 2, 2, 2), 30 + seed)
    m = ss.from_joint(p)
    d = ss.to_dit(m)
    ln2 = math.log(2)
    assert float(ss.total_correlation(m)) == pytest.approx(dit.multivariate.total_correlation(d) * ln2, abs=1e-10)
    assert float(ss.dual_total_correlation(m)) == pytest.approx(dit.multivariate.dual_total_correlation(d) * ln2,
                                                                abs=1e-10)
    assert float(ss.o_information(m)) == pytest.approx(dit.multivariate.o_information(d) * ln2, abs=1e-10)
    ci = dit.profiles.ConnectedInformations(d).profile
    ours = ss.interaction_decomposition(m).terms
    for k in range(2, 5):
        assert ours[k] == pytest.approx(float(ci[k]) * ln2, abs=1e-6)


def test_dit_round_trip_keeps_law_names_and_labels():
    bn = ss.BayesianNetwork()
    bn.add_variable("rain", states=["no", "yes"])
    bn.add_variable("wet", states=["dry", "damp", "soaked"])
    bn.set_cpd("rain", [0.7, 0.3])
    bn.set_cpd("wet", [[0.8, 0.2, 0.0], [0.1, 0.3, 0.6]], parents=["rain"])
    back = ss.from_dit(ss.to_dit(bn))
    assert back.variables == ("rain", "wet")
    # dit keeps each alphabet sorted: compare the laws label by label
    assert set(back.states("wet")) == {"dry", "damp", "soaked"}
    for i, r in enumerate(bn.states("rain")):
        for j, w in enumerate(bn.states("wet")):
            a, b = back.states("rain").index(r), back.states("wet").index(w)
            assert back.joint()[a, b] == pytest.approx(bn.joint()[i, j], abs=1e-15)
    xor = ss.from_dit(dit.example_dists.Xor())
    assert ss.interaction_decomposition(xor).terms[3] == pytest.approx(math.log(2), abs=1e-12)


# -- refusals -----------------------------------------------------------------------------------
@pytest.mark.parametrize("call,match", [
    (lambda: ss.maxent_projection(ss.copy_model(3), 0), "k"),
    (lambda: ss.maxent_projection(ss.copy_model(3), 4), "k"),
    (lambda: ss.maxent_projection(ss.copy_model(3), 2, precision="double"), "precision"),
    (lambda: ss.maxent_projection(ss.copy_model(3), 2, budget=float("nan")), "budget"),
    (lambda: ss.interaction_decomposition(ss.copy_model(3), [2, 1], policy="llada"), "llada"),
    (lambda: ss.interaction_decomposition(ss.copy_model(3), [2, 1], samples=2.5), "samples"),
    (lambda: ss.interaction_decomposition(ss.copy_model(3), [2, 2]), "sum|N"),
    (lambda: ss.interaction_decomposition(ss.copy_model(3), method="montecarlo"), "montecarlo"),
    (lambda: ss.interaction_decomposition(ss.copy_model(3), [3], method="exact", budget=1), "budget"),
    (lambda: ss.from_dit([0.5, 0.5]), "dit.Distribution"),
])
def test_bad_input_is_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_over_budget_projection_is_refused_with_the_estimate():
    with pytest.raises(ss.ModelTooLargeError, match="estimated cost"):
        ss.maxent_projection(ss.from_joint(random_joint((2,) * 12, 0)), 6, budget=1e6)


def test_terms_of_a_batch_match_one_by_one():
    p = np.stack([random_joint((2, 2, 2), s) for s in range(4)])
    batch = interaction_terms(p)
    for b in range(4):
        assert np.allclose(batch[b], interaction_terms(p[b:b + 1])[0], atol=1e-13)


def test_conditional_laws_with_a_single_cell_or_deterministic_blocks():
    # a block that x_R determines: its conditional law is one cell, the terms are 0
    p = np.zeros((2, 2, 2))
    p[0, 0, 0] = p[1, 1, 1] = 0.5
    d = ss.interaction_decomposition(ss.from_joint(p), [1, 2])
    assert d.total == pytest.approx(0.0, abs=1e-14)
    one = np.zeros((1, 2, 2))
    one[0, 1, 0] = 1.0
    assert np.allclose(interaction_terms(one), 0.0)
