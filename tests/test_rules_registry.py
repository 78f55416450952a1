"""The sampler-rule registry: one definition per rule, looked up by name; a user's rule goes the same path."""

from __future__ import annotations

import re

import pytest

import symsched as ss
from symsched.schedules.rules import RuleSource, SamplerRule, register_rule
from symsched.schedules.rules import base as rules_base


def test_every_rule_names_its_source_options_and_limits():
    rows = ss.rule_table()
    assert {r["rule"] for r in rows} == set(ss.sampler_rules())
    for r in rows:
        assert r["modelled"] and r["not_modelled"] and r["library"]
        for src in ss.get_rule(r["rule"]).sources:
            assert re.fullmatch(r"[0-9a-f]{40}", src.commit) and "/" in src.repository and src.file
    read = {r["rule"] for r in rows if r["sources"]}
    assert read >= {"llada", "fast-dllm", "dream", "dllm", "dllm-stochastic", "dus", "mdlm", "sedd", "dream-origin"}


def test_wrappers_choose_from_the_registry():
    assert ss.sampler_rules("counts") == ss.SAMPLER_RULES
    assert set(ss.sampler_rules("grid")) == set(ss.SAMPLER_GRID_DEFAULTS) | {"dllm-stochastic"}
    for name in ss.sampler_rules("counts"):
        opts = ss.get_rule(name).options
        s = ss.sampler_schedule(name, 8, None if name in ("first-hitting", "dus") else 4)
        assert s.rule == name and set(s.options) == set(opts) and s.N == 8
    with pytest.raises(ValueError, match="sampler_grid"):
        ss.sampler_schedule("mdlm", 8, 4)
    with pytest.raises(ValueError, match="sampler_schedule"):
        ss.sampler_grid("llada", 4)
    with pytest.raises(ValueError, match="unknown option"):
        ss.sampler_schedule("llada", 8, 4, eps=0.1)
    with pytest.raises(ValueError, match="kind"):
        ss.sampler_rules("bogus")


def test_a_user_rule_is_one_class():
    class Halving(SamplerRule):
        name = "halving-test"
        library = "example"
        sources = (RuleSource("example/example", "sample.py", "0" * 40, "sample"),)
        options = {"first": 1}
        modelled = "each step reveals half of what is masked (rounded up), the last step the rest"
        not_modelled = "nothing else"

        def block_sizes(self, N, K, opts):
            M, out = N, []
            for i in range(K - 1):
                k = min(M, max(opts["first"] if i == 0 else 0, -(-M // 2)))
                out.append(k)
                M -= k
            return [out + [M]]

    register_rule(Halving())
    try:
        s = ss.sampler_schedule("halving-test", 10, 3)
        assert s.sizes == (5, 3, 2) and s.model_calls == 3
        h = [0.9, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.2, 0.1, 0.0]
        assert float(ss.expected_kl(h, s)) == pytest.approx(float(ss.expected_kl(h, ss.Schedule([5, 3, 2]))))
        with pytest.raises(ValueError, match="exists"):
            register_rule(Halving())
    finally:
        rules_base._REGISTRY.pop("halving-test", None)
    assert "halving-test" not in ss.sampler_rules()


def test_register_rule_refuses_bad_rules():
    with pytest.raises(ValueError, match="SamplerRule"):
        register_rule("llada")

    class NoName(SamplerRule):
        pass

    with pytest.raises(ValueError, match="name"):
        register_rule(NoName())


def test_docs_table_lists_every_rule_with_its_commit():
    from pathlib import Path
    page = (Path(__file__).resolve().parents[1] / "docs" / "samplers.md").read_text()
    for row in ss.rule_table():
        assert f"| `{row['rule']}` |" in page
        for src in ss.get_rule(row["rule"]).sources:
            assert src.commit[:12] in page and src.file in page


def test_library_blocks_priced_against_brute_force():
    # dllm's partial last block and DUS's fixed positions, through the exact block and partition routes,
    # against enumeration of every order inside every block (tests/reference.py).
    import numpy as np

    from reference import brute_blockwise, brute_partition, random_joint

    joint = random_joint((2, 3, 2, 2, 2), seed=4)
    model = ss.from_joint(joint)
    for K in (2, 3, 5):
        s = ss.sampler_schedule("dllm", 5, K, block_length=3)            # blocks (3, 2)
        t = ss.block_length_sweep(model, K, [3], rule="dllm")
        want = brute_blockwise(joint, 3, [list(b) for b in s.block_sizes])
        assert t.column("blocks") == (2,)
        assert float(t.column("kl")[0]) == pytest.approx(want, abs=1e-10)
    joint6 = random_joint((2, 2, 3, 2, 2, 2), seed=5)
    d = ss.sampler_schedule("dus", 6)                                    # levels {0, 3}, {1, 2, 4, 5}
    assert d.positions == ((0, 3), (1, 2, 4, 5))
    got = float(ss.partition_kl(ss.from_joint(joint6), [list(g) for g in d.positions]))
    assert got == pytest.approx(brute_partition(np.asarray(joint6), d.positions), abs=1e-10)
