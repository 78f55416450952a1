"""Practitioners' answers (issue #14): every number against the identity / brute force written out in tests."""

import json

import numpy as np
import pytest

import symsched as ss
from reference import brute_blockwise, brute_optimal, brute_profile, identity_kl

H = [0.9, 0.8, 0.6, 0.5, 0.3, 0.3, 0.2, 0.1, 0.1, 0.05]


def test_rule_comparison_against_the_identity():
    t = ss.rule_comparison(H, 4, rules=("llada", "dream", "dllm", "optimal"))
    d = {r["rule"]: r for r in t.rows_as_dicts()}
    assert d["llada"]["sizes"] == (3, 3, 2, 2) and d["dream"]["sizes"] == (2, 2, 2, 4)
    assert d["dllm"]["sizes"] == (2, 3, 2, 3)
    for r in ("llada", "dream", "dllm"):
        assert d[r]["kl"] == pytest.approx(identity_kl(H, d[r]["sizes"]), abs=1e-12)
    best = brute_optimal(H, 4)
    assert d["optimal"]["kl"] == pytest.approx(best, abs=1e-12)
    assert d["llada"]["excess_over_optimal"] == pytest.approx(identity_kl(H, (3, 3, 2, 2)) - best, abs=1e-12)
    json.dumps(t.to_dict())
    assert r"\text{model}\_\text{calls}" in t.latex() and "dream" in str(t)


def test_kl_by_rule_and_steps_for_target():
    t = ss.kl_by_rule(H, [2, 5, 10], rules=("llada", "dllm", "mdlm", "optimal"))
    for row in t.rows:
        K = row[0]
        assert row[1] == pytest.approx(identity_kl(H, ss.sampler_schedule("llada", 10, K).sizes), abs=1e-12)
        assert row[4] == pytest.approx(brute_optimal(H, K), abs=1e-12)
        assert row[3] == pytest.approx(ss.bernoulli_expected_kl(H, ss.sampler_grid("mdlm", K)), abs=1e-12)
    target = 0.3
    s = ss.steps_for_target(H, target, rules=("llada", "dream", "dllm", "optimal"))
    for row in s.rows_as_dicts():
        if row["rule"] == "optimal":
            assert row["K"] == min(K for K in range(1, 11) if brute_optimal(H, K) <= target)
            continue
        ks = [K for K in range(1, 11)
              if identity_kl(H, ss.sampler_schedule(row["rule"], 10, K).sizes) <= target + 1e-15]
        assert row["K"] == min(ks)
        assert row["model_calls"] == len(ss.sampler_schedule(row["rule"], 10, row["K"]).sizes)
    none = ss.steps_for_target(H, 0.0, rules=("mdlm",), Kmax=5)
    assert none.rows[0][1] is None
    with pytest.raises(ValueError, match="rule"):
        ss.kl_by_rule(H, [2], rules=("bd3",))


def test_block_length_sweep_against_the_brute_sampler():
    mc = ss.markov_chain(6, [0.3, 0.7], [[0.8, 0.2], [0.35, 0.65]])
    joint = np.asarray(mc.joint(), float)
    t = ss.block_length_sweep(mc, 6)
    assert t.column("block_length") == (1, 2, 3, 6)
    for row in t.rows_as_dicts():
        B = row["block_length"]
        per = [list(row["sizes_per_block"])] * row["blocks"]
        if B < 6:
            assert row["kl"] == pytest.approx(brute_blockwise(joint, B, per), abs=1e-10)
        else:  # one block: the identity on the brute-force profile (720 orders would be slow to enumerate)
            assert row["kl"] == pytest.approx(identity_kl(brute_profile(joint)[0], per[0]), abs=1e-10)
    assert t.rows_as_dicts()[0]["kl"] == pytest.approx(0, abs=1e-12)  # blocks of one token: autoregressive
