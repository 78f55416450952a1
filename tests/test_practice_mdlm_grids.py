"""MDLM's cosine and log-linear grids in the practice tables, and no "-" without its reason (issue 29).

MDLM's noise schedules are read from kuleshov-group/mdlm ``noise_schedule.py`` (``get_noise``, ``CosineNoise``,
``CosineSqrNoise``, ``LogLinearNoise``) and its sampler from ``diffusion.py`` (``_sample``,
``_ddpm_caching_update``), both at commit 06dd29f38c1f68e99c2e4a148846a05026b478d0: the time runs on
``linspace(1, eps, K + 1)``, ``move_chance(t) = 1 - exp(-total_noise(t))``, and a masked token stays masked from
``t`` to ``s`` with probability ``move_chance(s) / move_chance(t)``.  The references below evaluate exactly that
(with the noise's own eps = 1e-3, which the package cancels analytically).
"""

import itertools
import math

import numpy as np
import pytest

import symsched as ss
from symsched.cli import main
from reference import brute_bernoulli, random_joint

NOISE_EPS = 1e-3
TOTAL_NOISE = {  # MDLM's total_noise(t), numpy
    "loglinear": lambda t: -np.log1p(-(1 - NOISE_EPS) * t),
    "cosine": lambda t: -np.log(NOISE_EPS + (1 - NOISE_EPS) * np.cos(t * np.pi / 2)),
    "cosinesqr": lambda t: -np.log(NOISE_EPS + (1 - NOISE_EPS) * np.cos(t * np.pi / 2) ** 2),
}


def mdlm_reveal_fractions(noise, K, eps=1e-5):
    """Fraction of tokens revealed after each of MDLM's K steps, from all masked at t = 1 (numpy, float64)."""
    times = np.linspace(1.0, eps, K + 1)
    move = 1 - np.exp(-TOTAL_NOISE[noise](times))
    stay = move[1:] / move[:-1]                 # masked token stays masked over each step
    return np.concatenate([[0.0], 1 - np.cumprod(stay)])


@pytest.mark.parametrize("K", [1, 3, 8, 50])
def test_grids_equal_mdlm_sampler_formulas(K):
    for rule, opts, noise in (("mdlm", {}, "loglinear"), ("mdlm-cosine", {}, "cosine"),
                              ("mdlm", {"noise": "cosinesqr"}, "cosinesqr")):
        g = ss.sampler_grid(rule, K, **opts)
        want = mdlm_reveal_fractions(noise, K)
        assert g.cleanup and float(g.points[-1]) == 1.0
        assert [float(u) for u in g.points[:K + 1]] == pytest.approx(want, abs=1e-12)
    for alpha, noise in (("loglinear", "loglinear"), ("mdlm-cosine", "cosine"), ("mdlm-cosinesqr", "cosinesqr")):
        got = ss.mdlm_grid(K, alpha=alpha, final="extra")
        assert got[:K + 1] == pytest.approx(mdlm_reveal_fractions(noise, K), abs=1e-12) and got[-1] == 1.0


def test_mdlm_grid_docstring_lists_every_alpha():
    from symsched.schedules.families import ALPHAS
    doc = ss.mdlm_grid.__doc__
    for name in ALPHAS:
        assert f'``"{name}"``' in doc
    with pytest.raises(ValueError, match="mdlm-cosine"):
        ss.mdlm_grid(4, alpha="cosinus")
    with pytest.raises(ValueError, match="noise"):
        ss.sampler_grid("mdlm", 4, noise="geometric")


def test_practice_rows_equal_brute_force_over_the_grid():
    joint = random_joint((2, 3, 2), seed=5)
    model = ss.JointDistribution(joint)
    assert "mdlm-cosine" in ss.PRACTICE_RULES and "mdlm-cosine" in ss.ADVICE_RULES
    for K in (1, 2, 4):
        for rule, noise in (("mdlm", "loglinear"), ("mdlm-cosine", "cosine")):
            want = brute_bernoulli(joint, mdlm_reveal_fractions(noise, K))
            row = ss.kl_by_rule(model, [K], rules=(rule,)).rows[0]
            assert float(row[1]) == pytest.approx(want, abs=1e-9)
            adv = ss.advise(model, K=K, rules=(rule,), threshold=False).row(rule)
            assert float(adv["kl"]) == pytest.approx(want, abs=1e-9)


def test_mdlm_cosine_expected_calls_by_enumeration():
    # ddpm_cache: step i+1 calls the model only if step i revealed something; then noise_removal calls once
    N, K = 3, 4
    u = mdlm_reveal_fractions("cosine", K)
    steps = list(range(K)) + ["cleanup"]
    mass = list(np.diff(u)) + [1 - u[-1]]
    calls = 0.0
    for pattern in itertools.product(range(K + 1), repeat=N):
        w = math.prod(mass[k] for k in pattern)
        nonempty = [any(k == i for k in pattern) for i in range(K)]
        calls += w * (1 + sum(nonempty[i] for i in range(K - 1)) + 1)
    assert len(steps) == K + 1
    assert float(ss.sampler_grid("mdlm-cosine", K, N=N).model_calls) == pytest.approx(calls, abs=1e-12)


def test_no_dash_without_its_reason(capsys):
    chain = ss.binary_symmetric_chain(32, 0.1)
    t = ss.steps_for_target(chain, 0.1, rules=("llada", "mdlm", "mdlm-cosine", "optimal"))
    for row in t.rows_as_dicts():
        assert row["note"]
        if row["K"] is None:
            assert "needs > Kmax = 32 steps" in row["note"] and "pass Kmax=" in row["note"]
            assert row["note"] in str(t) and row["note"] in t._repr_html_().replace("&gt;", ">")
            assert row["note"] in str(t.to_dict())
            # the suggested Kmax is enough here (E KL of a grid falls like 1/K)
            suggest = int(row["note"].split("pass Kmax=")[1].split()[0])
            again = ss.steps_for_target(chain, 0.1, rules=(row["rule"],), Kmax=suggest).rows_as_dicts()[0]
            assert again["K"] is not None and again["K"] <= suggest
            kl_at = ss.kl_by_rule(chain, [again["K"] - 1], rules=(row["rule"],)).rows[0][1]
            assert float(kl_at) > 0.1 >= float(again["kl"])
    zero = ss.steps_for_target(chain, 0, rules=("mdlm",)).rows_as_dicts()[0]
    assert zero["K"] is None and "never met" in zero["note"]
    kb = ss.kl_by_rule([0.7, 0.4, 0.1], [2, 5], rules=("llada", "optimal"))
    assert kb.rows[1][2] is None and "K > N = 3" in kb.note and kb.note in str(kb)
    a = ss.advise(chain, target=0.1, rules=("mdlm",), Kmax=32, threshold=False)
    assert a.row("mdlm")["K"] is None and "pass Kmax=" in a.row("mdlm")["note"]
    assert main(["advise", "chain:32:0.1", "--target", "0.1", "--rules", "mdlm", "--kmax", "32",
                 "--no-threshold"]) == 0
    assert "needs > Kmax = 32 steps" in capsys.readouterr().out


def test_dllm_stochastic_calls_fast_and_equal_to_the_exact_rationals():
    import time
    from fractions import Fraction
    rule = ss.get_rule("dllm-stochastic")
    opts = rule.resolve({}, "test")
    for N, K in ((5, 8), (12, 30)):
        t, _ = rule.times(K, opts)
        exact = sum(1 - (1 - (t[j] - t[j + 1])) ** N for j in range(K))
        assert isinstance(exact, Fraction)
        assert float(ss.sampler_grid("dllm-stochastic", K, N=N).model_calls) == pytest.approx(float(exact), rel=1e-12)
    start = time.perf_counter()
    calls = ss.sampler_grid("dllm-stochastic", 1000, N=64).model_calls   # advise scans grids to K = 16 N
    assert time.perf_counter() - start < 5 and 1 <= calls <= 1000
