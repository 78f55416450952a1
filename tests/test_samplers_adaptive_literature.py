"""Literature checks for adaptive samplers (issue 15): Fast-dLLM Thm 1, ParallelBench, Wen–Liang–Lu regimes,
and the KL / model-calls frontier."""

import math
from fractions import Fraction

import numpy as np
import pytest

import symsched as ss
from reference import brute_adaptive, brute_measures, brute_optimal, brute_profile, kl, marginal


def concentrated_joint(shape, eps, seed):
    """A joint whose every marginal has top probability > 1 - eps: mass 1 - eps/2 on one point, the rest spread."""
    rng = np.random.default_rng(seed)
    p = rng.random(shape)
    p = p / p.sum() * (eps / 2)
    top = tuple(int(rng.integers(c)) for c in shape)
    p[top] += 1 - eps / 2
    return p


@pytest.mark.parametrize("shape", [(2, 2), (2, 2, 2), (3, 3, 2), (2, 2, 2, 2), (3, 3, 3)])
@pytest.mark.parametrize("seed", range(4))
def test_fast_dllm_theorem1_holds_on_random_high_confidence_models(shape, seed):
    p = concentrated_joint(shape, [0.05, 0.2, 0.4, 0.1][seed], seed)
    c = ss.fast_dllm_check(p)
    n = len(shape)
    _, tc, _ = brute_measures(p)
    prod = np.ones(shape)
    for i in range(n):
        m = marginal(p, [i])
        prod = prod * m.reshape([-1 if a == i else 1 for a in range(n)])
    assert c.tc == pytest.approx(tc, abs=1e-12)
    assert c.tv == pytest.approx(0.5 * np.abs(p - prod).sum(), abs=1e-12)
    assert c.tc <= c.kl_bound and c.tv <= c.tv_bound and c.holds
    if (n + 1) * c.eps <= 1:
        assert np.unravel_index(np.argmax(p), shape) == tuple(np.argmax(marginal(p, [i])) for i in range(n))


def test_fast_dllm_bound_formula_and_refusals():
    hb = lambda e: -e * math.log(e) - (1 - e) * math.log(1 - e)  # noqa: E731
    b = ss.fast_dllm_bounds(5, 0.1, 4)
    assert b.kl_bound == pytest.approx(4 * (hb(0.1) + 0.1 * math.log(3)))
    assert b.tv_bound == pytest.approx(14 * 0.1 / 2) and b.greedy_condition
    assert not ss.fast_dllm_bounds(10, 0.1, 2).greedy_condition
    assert float(b) == b.kl_bound
    with pytest.raises(ValueError, match="eps must lie"):
        ss.fast_dllm_bounds(3, 0.6, 2)
    with pytest.raises(ValueError, match="vocab_size"):
        ss.fast_dllm_bounds(3, 0.1, 1)
    with pytest.raises(ValueError, match="must be a pmf"):
        ss.fast_dllm_check(np.array([[0.5, 0.5], [0.5, 0.5]]))
    with pytest.raises(ValueError, match="below"):
        ss.fast_dllm_check(concentrated_joint((2, 2), 0.3, 0), eps=0.01)


@pytest.mark.parametrize("n", range(2, 8))
def test_parallelbench_replace_random_tc(n):
    _, tc, _ = brute_measures(np.asarray(ss.replace_random_model(n).joint(), float))
    assert tc / math.log(2) == pytest.approx((n - 1) * (math.log2(n) - math.log2(n - 1)), abs=1e-12)
    assert float(ss.replace_random_tc(n)) == pytest.approx(tc / math.log(2), abs=1e-12)


def double_factorial(n):
    return math.prod(range(n, 0, -2)) if n > 0 else 1


@pytest.mark.parametrize("n", [2, 3, 4])
def test_parallelbench_shuffle_tc_and_greedy_topk_accuracy_exactly(n):
    model = ss.shuffle_model(n)
    _, tc, _ = brute_measures(np.asarray(model.joint(), float))
    assert tc / math.log(2) == pytest.approx(n * math.log2(n) - math.log2(math.factorial(n)), abs=1e-12)
    assert float(ss.shuffle_tc(n)) == pytest.approx(tc / math.log(2), abs=1e-12)
    two = [2] * (n // 2) + [1] * (n % 2)
    acc2 = ss.support_accuracy(model, "confidence", sizes=two, precision="symbolic")
    accn = ss.support_accuracy(model, "confidence", sizes=[n], precision="symbolic")
    assert acc2 == Fraction(double_factorial(n - 1), double_factorial(n)) == ss.shuffle_topk_accuracy(n, 2)
    assert accn == Fraction(math.factorial(n), n ** n) == ss.shuffle_topk_accuracy(n, n)
    # the same number from the brute-force sampler (random positions), on the float table
    p = np.asarray(model.joint(), float)
    q, _ = brute_adaptive(p, "random", sizes=two)
    assert q[p > 0].sum() == pytest.approx(float(acc2), abs=1e-12)


def test_shuffle_accuracy_general_k_against_counting():
    # k tokens per step from m uniform remaining items: no collision with probability m!/((m-k)! m^k)
    for n in range(2, 7):
        for k in range(1, n + 1):
            want, m = Fraction(1), n
            while m:
                kt = min(k, m)
                want *= Fraction(math.perm(m, kt), m ** kt)
                m -= kt
            assert ss.shuffle_topk_accuracy(n, k) == want


@pytest.mark.parametrize("n,m", [(5, 1), (7, 1), (6, 2), (7, 3)])
def test_bisection_samples_an_order_m_chain_with_zero_error(n, m):
    blocks = ss.bisection_blocks(n, m)
    assert sorted(i for B in blocks for i in B) == list(range(n))
    L = -(-n // m)
    assert len(blocks) <= m * math.ceil(math.log2(L + 1))
    model = ss.order_m_chain(n, m, seed=n)
    p = np.asarray(model.joint(), float)
    from reference import _order_law
    assert kl(p, _order_law(p, [list(B) for B in blocks])) == pytest.approx(0, abs=1e-12)


def test_markov_bisection_table_is_exact_zero_and_beats_random_order():
    t = ss.markov_bisection_table([3, 4, 5], m=1)
    assert all(v == 0 for v in t.column("KL bisection"))     # symbolic: exactly zero
    for row in t.rows:
        n, K = row[0], row[1]
        h, _ = brute_profile(np.asarray(ss.order_m_chain(n, 1, 0).joint(), float))
        assert row[4] == pytest.approx(brute_optimal(h, K), abs=1e-12)
    assert "bisection" in t.latex() or r"\begin{array}" in t.latex()


def test_random_permutations_need_n_rounds():
    t = ss.permutation_rounds_table([2, 3, 4])
    for n, need, short, _closed, two, acc in t.rows:
        assert need == n
        assert short == pytest.approx(math.log(n / (n - 1)), abs=1e-12)
        assert two == pytest.approx(sum(math.log(m / (m - 1)) for m in range(n, 1, -2)), abs=1e-12)
        assert two == pytest.approx(acc, abs=1e-12)


def test_frontier_rows_match_policy_kl_and_the_brute_optimum():
    p = np.random.default_rng(3).random((2, 3, 2, 2)) ** 2
    p /= p.sum()
    model = ss.from_joint(p)
    fr = ss.adaptive_frontier(model, families=("confidence", "llada"), thresholds=(0.6, 0.9), gammas=(0.2,))
    for _fam, k, calls, value, _ in fr.family("confidence"):
        sizes = ss.equal_sizes(4, k)
        q, _ = brute_adaptive(p, "confidence", sizes=sizes)
        assert value == pytest.approx(kl(p, q), abs=1e-10) and calls == len(sizes)
    for _, tau, calls, value, _ in fr.family("threshold"):
        q, steps = brute_adaptive(p, "threshold", tau=tau)
        assert value == pytest.approx(kl(p, q), abs=1e-10)
        assert calls == pytest.approx(sum(t * v for t, v in steps.items()))
    h, _ = brute_profile(p)
    opt = fr.family("optimal random order (E_σ KL)")
    mix = fr.family("optimal random order (mixture KL)")
    for (_, K, _, e, _), (_, K2, _, mval, _) in zip(opt, mix):
        assert K == K2 and e == pytest.approx(brute_optimal(h, K), abs=1e-12) and mval <= e + 1e-12
    assert "confidence" in str(fr) and fr.latex().startswith(r"\begin{array}")
    import json
    json.dumps(fr.to_dict())


def test_frontier_plot_draws_one_line_per_family():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    fr = ss.adaptive_frontier(ss.copy_model(3), families=("confidence",), thresholds=(0.9,), gammas=())
    ax = fr.plot()
    assert len(ax.get_lines()) == 4   # confidence, threshold, two optimal random-order lines


def test_compare_policies_one_liner_against_brute_force():
    p = np.random.default_rng(11).random((2, 2, 3, 2)) ** 3
    p /= p.sum()
    c = ss.compare_policies(ss.from_joint(p), [2, 2])
    for name in ("confidence", "margin", "entropy", "llada", "random"):
        q, _ = brute_adaptive(p, name, sizes=[2, 2])
        assert c.kl(name) == pytest.approx(kl(p, q), abs=1e-10)
    h, _ = brute_profile(p)
    assert c.kl("random (E_σ KL)") == pytest.approx(h[0] * 2 + h[2] * 2 - sum(h), abs=1e-12)
    assert c.best() in ("confidence", "margin", "entropy", "llada", "random")
    with pytest.raises(ValueError, match="no row"):
        c.kl("greedy")


def test_docs_adaptive_prints_what_it_shows():
    import doctest
    import pathlib

    path = pathlib.Path(__file__).resolve().parent.parent / "docs" / "adaptive.md"
    result = doctest.testfile(str(path), module_relative=False, optionflags=doctest.ELLIPSIS
                              | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted > 5 and result.failed == 0


def test_llada_bias_on_two_independent_bits_matches_the_hand_computed_law():
    # candidates (v0, v1) iid Bernoulli(4/5); keep the one whose own candidate is likelier (ties: X0):
    # q(00) = P(00) * 1/5, q(01) = P(01) * 1/5 + P(00) * 4/5, q(10) = (P(10) + P(11)) * 1/5, q(11) = rest
    a = Fraction(4, 5)
    P = {(0, 0): (1 - a) ** 2, (0, 1): (1 - a) * a, (1, 0): a * (1 - a), (1, 1): a * a}
    q = {(0, 0): P[(0, 0)] * (1 - a), (0, 1): P[(0, 1)] * (1 - a) + P[(0, 0)] * a,
         (1, 0): (P[(1, 0)] + P[(1, 1)]) * (1 - a)}
    q[(1, 1)] = 1 - sum(q.values())
    table = np.empty((2, 2), dtype=object)
    for k, v in P.items():
        table[k] = v
    r = ss.policy_kl(ss.from_joint(table), "llada", sizes=[1, 1], precision="symbolic", ties="lowest-index")
    assert {k: r.law[k] for k in q} == q
