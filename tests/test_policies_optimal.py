"""The optimal adaptive policy (issue 25): a brute force over every policy tree, the built-in policies above
it, its callable reproducing its value through policy_kl (exact and Monte Carlo)."""

import itertools
import math

import numpy as np
import pytest

import symsched as ss
from symsched.errors import ModelTooLargeError, SymschedError
from reference import random_joint


def _marg(p, keep):
    return p.sum(axis=tuple(a for a in range(p.ndim) if a not in keep))


def _tc(p, revealed, A):
    """TC(X_A | x_R) from the joint table, written out."""
    keep = sorted(set(revealed) | set(A))
    m = _marg(p, keep)
    sl = np.asarray(m[tuple(revealed[a] if a in revealed else slice(None) for a in keep)], float)
    sl = sl / sl.sum()
    def H(t):
        t = t[t > 0]
        return -(t * np.log(t)).sum()
    axes = [a for a in keep if a not in revealed]
    singles = sum(H(sl.sum(axis=tuple(j for j, b in enumerate(axes) if b != a))) for a in A)
    return singles - H(sl.ravel())


def _trees(p, revealed, t, steps_left, sizes):
    """Every policy tree from this node: (A, {x_A: subtree}) (sizes fixed, or any size within the budget)."""
    N = p.ndim
    M = [i for i in range(N) if i not in revealed]
    if not M:
        yield None
        return
    if sizes is not None:
        choices = list(itertools.combinations(M, sizes[t]))
    else:
        choices = [A for k in range(1, len(M) + 1) for A in itertools.combinations(M, k)
                   if steps_left > 1 or k == len(M)]
    for A in choices:
        vals = list(itertools.product(*[range(p.shape[i]) for i in A]))
        subs = [list(_trees(p, {**revealed, **dict(zip(A, v))}, t + 1, steps_left - 1, sizes)) for v in vals]
        for pick in itertools.product(*subs):
            yield (A, dict(zip(vals, pick)))


def _value(p, tree):
    """E_{x ~ p} Σ_t TC(X_A | x_R) of one tree, summed over every x."""
    total = 0.0
    for x in itertools.product(*[range(c) for c in p.shape]):
        if p[x] == 0:
            continue
        node, revealed = tree, {}
        while node is not None:
            A, children = node
            total += p[x] * _tc(p, revealed, A)
            revealed.update({i: x[i] for i in A})
            node = children[tuple(x[i] for i in A)]
    return total


@pytest.mark.parametrize("shape,sizes,seed", [((2, 2, 2), (1, 1, 1), 0), ((2, 2, 2), (2, 1), 1),
                                             ((2, 3, 2), (1, 2), 2), ((2, 2, 2, 2), (2, 1, 1), 3),
                                             ((2, 2, 2, 2), (1, 2, 1), 4)])
def test_equals_the_best_of_every_policy_tree(shape, sizes, seed):
    p = random_joint(shape, seed)
    values = [_value(p, tr) for tr in _trees(p, {}, 0, len(sizes), sizes)]
    o = ss.optimal_policy(p, sizes=sizes)
    assert len(values) > 2
    assert o.kl == pytest.approx(min(values), abs=1e-12)
    assert ss.policy_kl(p, o.policy, sizes=sizes).kl == pytest.approx(o.kl, abs=1e-12)


@pytest.mark.parametrize("shape,K,seed", [((2, 2, 2), 2, 5), ((2, 2, 2), 1, 6), ((2, 3, 2), 2, 7)])
def test_step_budget_equals_the_best_tree_with_free_sizes(shape, K, seed):
    p = random_joint(shape, seed)
    values = [_value(p, tr) for tr in _trees(p, {}, 0, K, None)]
    o = ss.optimal_policy(p, K=K)
    assert o.kl == pytest.approx(min(values), abs=1e-12)
    r = ss.policy_kl(p, o.policy)
    assert r.kl == pytest.approx(o.kl, abs=1e-12) and r.expected_steps <= K + 1e-12
    if K == 1:
        assert o.kl == pytest.approx(_tc(p, {}, tuple(range(p.ndim))), abs=1e-12)   # one step: TC


@pytest.mark.parametrize("seed", range(4))
def test_no_built_in_policy_does_better(seed):
    p = random_joint((2, 2, 3, 2, 2), 20 + seed)
    for sizes in ((2, 2, 1), (3, 1, 1), (1, 1, 1, 2)):
        o = ss.optimal_policy(p, sizes=sizes)
        for pol in ("confidence", "margin", "entropy", "left-to-right", "random"):
            r = ss.policy_kl(p, pol, sizes=sizes, ties="lowest-index")
            assert o.kl <= r.conditional_tc + 1e-12, (pol, sizes)
    o = ss.optimal_policy(p, K=3)
    for tau in (0.6, 0.8, 0.95):
        r = ss.policy_kl(p, "threshold", threshold=tau, ties="lowest-index")
        if r.steps_distribution and max(r.steps_distribution) <= 3:
            assert o.kl <= r.kl + 1e-12


def test_the_policy_runs_by_monte_carlo_and_bad_input_is_refused():
    p = random_joint((2, 2, 2, 2, 2), 9)
    o = ss.optimal_policy(p, sizes=(2, 2, 1))
    mc = ss.policy_kl(p, o.policy, sizes=(2, 2, 1), method="montecarlo", samples=600, seed=3)
    assert abs(float(mc.kl) - o.kl) <= 4 * mc.stderr + 1e-12
    with pytest.raises(SymschedError, match="exactly one"):
        ss.optimal_policy(p)
    with pytest.raises(SymschedError, match="K must"):
        ss.optimal_policy(p, K=0)
    with pytest.raises(ModelTooLargeError):
        ss.optimal_policy(p, K=3, budget=10)
    assert math.isfinite(float(o)) and "Optimal" in str(o)
