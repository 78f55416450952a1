"""advise(): the fewest steps each rule needs for a target KL, checked against brute force.

References (tests/reference.py, no symsched code): the profile by subset entropies, the identity for count
rules, the Bernoulli sampler by enumeration of every assignment of tokens to steps, the optimum over every
composition, and the adaptive threshold sampler by plain recursion.
"""

from __future__ import annotations

import numpy as np
import pytest

import symsched as ss
from reference import brute_adaptive, brute_bernoulli, brute_optimal, brute_profile, identity_kl, kl, random_joint

COUNT_RULES = ("llada", "dream", "dllm")


def _brute_kl(joint, h, rule, K):
    N = joint.ndim
    if rule == "optimal":
        return brute_optimal(h, K)
    if rule == "mdlm":
        return brute_bernoulli(joint, [float(x) for x in ss.sampler_grid("mdlm", K, N=N)])
    return identity_kl(h, ss.sampler_schedule(rule, N, K).sizes)


@pytest.mark.parametrize("seed,target", [(0, 0.15), (1, 0.05), (2, 0.3)])
def test_least_steps_meet_the_target_and_one_fewer_does_not(seed, target):
    joint = random_joint((2, 2, 2, 2, 2), seed)
    h, _ = brute_profile(joint)
    a = ss.advise(ss.from_joint(joint), target=target, rules=COUNT_RULES + ("optimal",), threshold=False)
    for row in a.rows:
        K = row["K"]
        if K is None:  # e.g. Dream's floor rounding can keep two tokens in its last step for every K
            assert row["rule"] != "optimal" and "Kmax" in row["note"]
            assert all(_brute_kl(joint, h, row["rule"], k) > target for k in range(1, 2 * joint.ndim + 1))
            continue
        assert _brute_kl(joint, h, row["rule"], K) <= target + 1e-12
        assert float(row["kl"]) == pytest.approx(_brute_kl(joint, h, row["rule"], K), abs=1e-10)
        if row["rule"] == "optimal":
            assert K == 1 or brute_optimal(h, K - 1) > target
        else:  # least K: every smaller K misses
            assert all(_brute_kl(joint, h, row["rule"], k) > target for k in range(1, K))


def test_least_steps_of_a_bernoulli_grid():
    joint = random_joint((2, 2, 3), 5)
    h, _ = brute_profile(joint)
    target = 0.08
    row = ss.advise(ss.from_joint(joint), target=target, rules=("mdlm",), threshold=False).row("mdlm")
    K = row["K"]
    assert K is not None and K > 1
    assert _brute_kl(joint, h, "mdlm", K) <= target < _brute_kl(joint, h, "mdlm", K - 1)
    assert float(row["kl"]) == pytest.approx(_brute_kl(joint, h, "mdlm", K), abs=1e-10)


def test_threshold_row_is_the_smallest_tau_on_the_grid():
    joint = random_joint((2, 2, 2, 2), 4)
    target = 0.1
    row = ss.advise(ss.from_joint(joint), target=target, rules=("optimal",)).row("threshold")
    tau = float(row["note"].split("τ = ")[1].split(",")[0])
    q, steps = brute_adaptive(joint, "threshold", tau=tau)
    assert kl(joint, q) <= target + 1e-12
    assert float(row["kl"]) == pytest.approx(kl(joint, q), abs=1e-10)
    assert float(row["model_calls"]) == pytest.approx(sum(k * p for k, p in steps.items()), abs=1e-10)
    if tau > 0.5:
        q_less, _ = brute_adaptive(joint, "threshold", tau=round(tau - 0.01, 2))
        assert kl(joint, q_less) > target


def test_kl_at_K_and_reasons_for_missing_answers():
    prof = ss.information_profile(ss.markov_chain(6, [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]]))
    a = ss.advise(prof, K=3)
    assert a.row("threshold")["K"] is None and "model" in a.row("threshold")["note"]
    for r in a.rows:
        assert r["K"] is not None or r["note"]
    b = ss.advise(prof, target=1e-9, rules=("mdlm",), Kmax=8)
    assert b.row("mdlm")["K"] is None and "Kmax" in b.row("mdlm")["note"]
    text = str(b)
    assert "-" in text and "Kmax" in text


def test_tables_as_tables():
    a = ss.advise([0.7, 0.4, 0.3, 0.1], target=0.2, rules=("llada", "optimal"), threshold=False)
    df = a.to_pandas()
    assert list(df.columns) == list(a.columns) and len(df) == 2
    html = a._repr_html_()
    assert html.count("<tr>") == 3 and "<th>rule</th>" in html


@pytest.mark.parametrize("kwargs,match", [(dict(), "exactly one"), (dict(target=0.1, K=2), "exactly one"),
                                          (dict(target=-1), "target"), (dict(K=0), "K"),
                                          (dict(target=0.1, rules=("nope",)), "rules"),
                                          (dict(target=0.1, threshold="yes"), "threshold"),
                                          (dict(target=0.1, Kmax=2.5), "Kmax")])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ss.advise([0.7, 0.4, 0.3, 0.1], **kwargs)


def test_plot_draws_every_rule(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    ax = ss.advise(np.array([0.7, 0.4, 0.3, 0.1]), target=0.2, rules=("llada", "mdlm", "optimal")).plot()
    assert {line.get_label() for line in ax.get_lines()} >= {"llada", "mdlm", "optimal", "target"}


def test_block_length_sweep_default_takes_the_fast_route():
    hmm = ss.hidden_markov_model(48, [0.5, 0.5], [[0.9, 0.1], [0.1, 0.9]], [[0.8, 0.2], [0.3, 0.7]])
    t = ss.block_length_sweep(hmm, 12, [16, 48])
    assert t.column("random_order_kl") == (None, None) and "compare=True" in t.note
    chain = ss.binary_symmetric_chain(8, 0.1)
    a, b = ss.block_length_sweep(chain, 4, [2, 8]), ss.block_length_sweep(chain, 4, [2, 8], compare=True)
    assert a.rows == b.rows and a.note == ""
    with pytest.raises(ValueError, match="compare"):
        ss.block_length_sweep(chain, 4, [2, 8], compare="yes")


def test_long_profiles_print_summarised():
    prof = ss.information_profile(ss.markov_chain(256, [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]]))
    text = str(prof)
    assert len(text.splitlines()) <= 40
    assert "255" in text and "rows not shown" in text and "TC:" in text
    short = str(ss.information_profile(ss.copy_model(3)))
    assert "not shown" not in short and len(short.splitlines()) == 9  # title, header, rule, 3 rows, H, TC, DTC
