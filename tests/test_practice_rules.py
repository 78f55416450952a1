"""Count rules and reveal grids of the samplers in use (issue #14), against tables derived by hand."""

import json
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import symsched as ss
from reference import brute_bernoulli, brute_profile, random_joint

# -- hand-derived tables ---------------------------------------------------------------------------
# LLaDA: B // K_b per step, the first B mod K_b steps one more, per block.
# Dream (eps = 1e-3): t_i = 1 - 0.999 i / K; step i < K reveals floor(M (1 - t_{i+1}/t_i)), the last the rest.
#   N=10, K=4: t = 1, .75025, .5005, .25075: 10*.24975 = 2.4975 -> 2; 8*.33289 = 2.66 -> 2; 6*.49900 = 2.994 -> 2; 4.
#   N=4, K=4: 4*.24975 = .999 -> 0; 4*.33289 = 1.33 -> 1; 3*.49900 = 1.497 -> 1; 2.
#   N=5, K=2: t_1 = .5005: 5*.4995 = 2.4975 -> 2; 3.
#   N=10, K=2, eps=.5: t = 1, .75, .5: 10*.25 = 2.5 -> 2; 8.
# dllm (linear): k = round_half_even(M (1 - s/t)), t = (K-j)/K, s = t - 1/K, i.e. M / (K - j).
#   N=10, K=4: 10/4 = 2.5 -> 2; 8/3 -> 3; 5/2 = 2.5 -> 2; 3.
#   N=3, K=6: 3/6 = .5 -> 0; 3/5 -> 1; 2/4 = .5 -> 0; 2/3 -> 1; 1/2 -> 0; 1 -> (0,1,0,1,0,1), dropped (1,1,1).
# dllm (cosine): 1 - alpha(t) = cos(pi/2 (1 - t)); N=10, K=4:
#   1 - cos(pi/8) = .0761 -> 10*.0761 = .76 -> 1; 1 - cos(pi/4)/cos(pi/8) = .2346 -> 9*.2346 = 2.11 -> 2;
#   1 - cos(3pi/8)/cos(pi/4) = .4588 -> 7*.4588 = 3.21 -> 3; 4.
HAND = [
    ("llada", 10, 4, {}, (3, 3, 2, 2)),
    ("llada", 7, 3, {}, (3, 2, 2)),
    ("llada", 2, 4, {}, (1, 1, 0, 0)),
    ("llada", 8, 6, {"block_length": 4}, (2, 1, 1, 2, 1, 1)),
    ("llada", 12, 4, {"block_length": 6}, (3, 3, 3, 3)),
    ("dream", 10, 4, {}, (2, 2, 2, 4)),
    ("dream", 4, 4, {}, (0, 1, 1, 2)),
    ("dream", 5, 2, {}, (2, 3)),
    ("dream", 10, 2, {"eps": 0.5}, (2, 8)),
    ("dllm", 10, 4, {}, (2, 3, 2, 3)),
    ("dllm", 3, 6, {}, (1, 1, 1)),
    ("dllm", 3, 6, {"drop_empty": False, "arithmetic": "exact"}, (0, 1, 0, 1, 0, 1)),
    ("dllm", 10, 4, {"alpha": "cosine"}, (1, 2, 3, 4)),
    ("dllm", 20, 8, {"block_length": 10}, (2, 3, 2, 3, 2, 3, 2, 3)),
    ("first-hitting", 5, 5, {}, (1, 1, 1, 1, 1)),
    ("dus", 8, 3, {}, (2, 2, 4)),
    ("dus", 16, None, {"block_length": 8}, (2, 2, 4, 2, 2, 4)),
]


@pytest.mark.parametrize("rule,N,K,opts,want", HAND)
def test_count_rules_match_hand_tables(rule, N, K, opts, want):
    s = ss.sampler_schedule(rule, N, K, **opts)
    assert s.sizes == want
    assert s.N == N and s.model_calls == len(want) and s.nonempty_steps == sum(1 for k in want if k)


@pytest.mark.parametrize("rule,N,K,opts,want", [h for h in HAND if h[0] in ("dream", "dllm") and h[1:3] != (3, 6)])
def test_exact_arithmetic_agrees_away_from_ties(rule, N, K, opts, want):
    assert ss.sampler_schedule(rule, N, K, **{"arithmetic": "exact", **opts}).sizes == want


def test_float32_breaks_an_exact_tie_as_the_library_does():
    # dllm at N=3, K=6, step 1: exactly 3 * (1 - 5/6) = 0.5 -> 0; the library's float32 5/6 = 0.83333331
    # gives 3 * 0.16666669 = 0.50000006 -> 1. Both reveal one token per non-empty step. The default is the library's.
    assert ss.sampler_schedule("dllm", 3, 6, drop_empty=False, arithmetic="exact").sizes == (0, 1, 0, 1, 0, 1)
    assert ss.sampler_schedule("dllm", 3, 6, drop_empty=False).sizes == (1, 0, 0, 1, 0, 1)


def test_literature_rounding_example():
    got = {r: ss.sampler_schedule(r, 10, 4).sizes for r in ("llada", "dream", "dllm")}
    assert got == {"llada": (3, 3, 2, 2), "dream": (2, 2, 2, 4), "dllm": (2, 3, 2, 3)}


@pytest.mark.parametrize("N", [4, 8, 16, 64, 512])
def test_dream_steps_equal_length_has_an_empty_first_step(N):
    # N (1 - t_1) = N * 0.999 / N = 0.999 < 1: nothing is revealed, one model call is spent.
    s = ss.sampler_schedule("dream", N, N)
    assert s.sizes[0] == 0 and s.model_calls == N and s.nonempty_steps < N
    assert s.without_empty_steps().sizes == tuple(k for k in s.sizes if k)


def test_empty_steps_cost_nothing_in_the_identity():
    h = [0.9, 0.6, 0.4, 0.3]
    s = ss.sampler_schedule("dream", 4, 4)
    assert ss.expected_kl(h, s) == pytest.approx(ss.expected_kl(h, s.without_empty_steps()), abs=1e-15)
    assert s.latex() == "(0, 1, 1, 2)"
    assert json.loads(json.dumps(s.to_dict()))["model_calls"] == 4


@given(st.integers(1, 40), st.integers(1, 40))
@settings(max_examples=60, deadline=None)
def test_count_rules_always_reveal_everything(N, K):
    for rule in ("llada", "dream", "dllm"):
        s = ss.sampler_schedule(rule, N, K)
        assert s.N == N and min(s.sizes) >= 0
    # Dream reveals at most its expected count before the last step: the partial sums stay below N(1 - t_i).
    d = ss.sampler_schedule("dream", N, K)
    t = [1 - F(999, 1000) * F(i, K) for i in range(K + 1)]
    assert all(sum(d.sizes[:i]) <= N * (1 - t[i]) for i in range(K))


def test_count_rule_errors():
    with pytest.raises(ValueError, match="rule"):
        ss.sampler_schedule("mdlm", 10, 4)
    with pytest.raises(ValueError, match="multiple"):
        ss.sampler_schedule("llada", 10, 4, block_length=3)
    with pytest.raises(ValueError, match="split evenly"):
        ss.sampler_schedule("llada", 12, 5, block_length=6)
    with pytest.raises(ValueError, match="remasking='none'"):
        ss.sampler_schedule("dus", 12, remasking="low_confidence")
    with pytest.raises(ValueError, match="multiple"):
        ss.sampler_schedule("dus", 12, block_length=5)
    with pytest.raises(ValueError, match="K = 3"):
        ss.sampler_schedule("dus", 8, 4)
    with pytest.raises(ValueError, match="unknown option"):
        ss.sampler_schedule("dream", 8, 4, block_length=4)
    with pytest.raises(ValueError, match="eps"):
        ss.sampler_schedule("dream", 8, 4, eps=2)
    with pytest.raises(ValueError, match="alpha"):
        ss.sampler_schedule("dllm", 8, 4, alpha="square")


def test_dus_positions_are_dilated_strides():
    assert ss.dus_blocks(8) == [(0, 4), (2, 6), (1, 3, 5, 7)]
    g = ss.dus_blocks(16, offset=16)
    assert [len(x) for x in g] == [2, 2, 4, 8]
    assert sorted(i for x in g for i in x) == list(range(16, 32))


# -- reveal grids ----------------------------------------------------------------------------------
def test_sampler_grids_in_reveal_fraction_convention():
    g = ss.sampler_grid("mdlm", 4)
    assert g.points == (0, F(99999, 400000), F(99999, 200000), F(299997, 400000), F(99999, 100000), 1)
    assert g.cleanup and g.model_calls == 5 and g.times[-1] == F(1, 100000)
    d = ss.sampler_grid("dream-origin", 4)
    assert d.points[-1] == 1 and not d.cleanup and d.model_calls == 4 and d.points[1] == F(999, 4000)
    assert ss.sampler_grid("sedd", 4, eps=1e-5).points == g.points
    assert json.loads(json.dumps(g.to_dict()))["model_calls"] == 5
    with pytest.raises(ValueError, match="rule"):
        ss.sampler_grid("llada", 4)


def test_one_grid_convention_everywhere():
    from symsched.samplers import continuous_time
    from symsched.schedules import error, grids, randomized

    assert continuous_time.reveal_grid is grids.reveal_grid
    assert error.bernoulli_expected_kl is grids.bernoulli_expected_kl and error.mdlm_grid is grids.mdlm_grid
    assert randomized.check_grid is grids.check_grid
    with pytest.raises(ValueError, match="u_0 = 0"):
        ss.bernoulli_expected_kl([0.5, 0.2], [0.1, 1])
    with pytest.raises(ValueError, match="<= 1"):
        ss.bernoulli_expected_kl([0.5, 0.2], [0, 1.5])


@pytest.mark.parametrize("seed,shape,grid", [(0, (2, 2, 2), [0, F(1, 3)]), (1, (2, 3, 2), [0, 0.25, 0.6]),
                                             (2, (3, 2, 2), ss.sampler_grid("mdlm", 2, eps=0.3)),
                                             (3, (2, 2, 2, 2), ss.sampler_grid("dream-origin", 2, eps=0.2))])
def test_cleanup_step_is_in_the_bernoulli_kl(seed, shape, grid):
    joint = random_joint(shape, seed)
    h, _ = brute_profile(joint)
    assert ss.bernoulli_expected_kl(h, grid) == pytest.approx(brute_bernoulli(joint, grid), abs=1e-10)
    # exact arithmetic on the same grid agrees
    hx = ss.information_profile(ss.from_joint(joint), precision="mpmath", dps=30)
    assert float(ss.bernoulli_expected_kl(hx, grid)) == pytest.approx(brute_bernoulli(joint, grid), abs=1e-10)


def test_euler_sampler_takes_the_same_cleanup():
    joint = random_joint((2, 2, 2), 5)
    from symsched.samplers import pattern_averaged_kl

    assert pattern_averaged_kl(joint, [0, 0.4]) == pytest.approx(brute_bernoulli(joint, [0, 0.4]), abs=1e-10)
    assert np.allclose(ss.euler_law(joint, [0, 0.4]), ss.euler_law(joint, [0, 0.4, 1]))


def test_every_consumer_handles_empty_steps():
    import matplotlib

    matplotlib.use("Agg")
    from reference import brute_sampler, identity_kl

    s = ss.sampler_schedule("dream", 5, 5)          # (0, 1, 1, 1, 2): an empty first step
    assert s.sizes[0] == 0
    joint = random_joint((2, 2, 3, 2, 2), 11)
    h, _ = brute_profile(joint)
    expected, mixture = brute_sampler(joint, [k for k in s.sizes if k])
    assert ss.expected_kl(h, s) == pytest.approx(expected, abs=1e-10)
    assert ss.expected_kl(h, s) == pytest.approx(identity_kl(h, s.sizes), abs=1e-12)
    from symsched.samplers import exact_sampler_kl, order_averaged_kl

    assert order_averaged_kl(joint, s) == pytest.approx(expected, abs=1e-10)
    assert exact_sampler_kl(joint, s) == pytest.approx(mixture, abs=1e-10)
    ax = ss.plot_schedule(s, h)
    assert ax is not None
    bars = ss.plot_schedule(s)
    assert [p.get_height() for p in bars.patches] == [0, 1, 1, 1, 2]
    assert ss.to_latex(s) == "(0, 1, 1, 1, 2)"
    assert ss.compare_bounds(h, s) is not None
