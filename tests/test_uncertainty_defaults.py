"""Defaults that fit the data (docs/uncertainty.md): sample adequacy, method="auto", the corpus example."""

import collections

import numpy as np
import pytest

import symsched as ss
from symsched.errors import SymschedError
from symsched.info.corpus import stdlib_docstrings, text_blocks
from symsched.info.estimate import DEFAULT_DATA_METHOD, MIN_COVERAGE, sample_adequacy


def test_sample_adequacy_counts_patterns_independently():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 3, size=(200, 4))
    counts = collections.Counter(map(tuple, x.tolist()))
    a = sample_adequacy(x)
    assert a["rows"] == 200 and a["distinct"] == len(counts)
    assert a["singletons"] == sum(1 for c in counts.values() if c == 1)
    assert a["coverage"] == pytest.approx(1 - a["singletons"] / 200)
    assert a["adequate"] is (a["coverage"] >= MIN_COVERAGE and 200 >= 10 * len(counts))


def test_auto_says_which_estimator_and_why():
    assert DEFAULT_DATA_METHOD == "auto"
    chain = ss.markov_chain(5, [0.6, 0.4], [[0.85, 0.15], [0.3, 0.7]])
    many = ss.estimate_profile(ss.sample_exact(chain, 2000, seed=0), seed=0, bootstrap=10)
    assert many.method.startswith("estimate (miller-madow") and "cover their patterns" in many.notes[0]
    few = ss.estimate_profile(ss.sample_exact(ss.binary_symmetric_chain(30, 0.1), 200, seed=0), seed=0,
                              bootstrap=10)
    assert "markov order" in few.method and "homogeneous" in few.method and "too few" in few.notes[0]
    assert few.covariance is not None and few.to_dict()["notes"]


def test_auto_refuses_when_no_model_applies():
    rng = np.random.default_rng(1)
    x = np.column_stack([rng.integers(0, 2, 50), rng.integers(0, 5, 50), rng.integers(0, 7, 50)])
    with pytest.raises(SymschedError, match="method='markov'"):
        ss.estimate_profile(x, seed=0)


def test_auto_on_text_picks_order_at_least_one():
    rows, _ = text_blocks(stdlib_docstrings(max_chars=20_000), 16)
    prof = ss.estimate_profile(rows, seed=0, bootstrap=5)
    order = int(prof.method.split("markov order ")[1].split(",")[0])
    assert order >= 1


@pytest.mark.slow
def test_corpus_example_schedule_is_covered_by_a_held_out_fit():
    rows, _ = text_blocks(stdlib_docstrings(max_chars=200_000), 32)
    train, held = rows[0::2], rows[1::2]
    prof = ss.estimate_profile(train, seed=0)
    best = ss.optimal_schedule(prof, 8)
    check = ss.expected_kl(ss.estimate_profile(held, seed=1), best.sizes)
    assert best.kl.stderr > 0 and check.stderr > 0
    assert abs(best.kl.value - check.value) <= 3 * np.hypot(best.kl.stderr, check.stderr)
    # the plug-in's "optimal" schedule claims far less than a held-out fit gives it
    plug = ss.optimal_schedule(ss.estimate_profile(train, "plugin", seed=0, bootstrap=4, subsets_per_size=40), 8)
    held_plug = ss.expected_kl(ss.estimate_profile(held, seed=1), plug.sizes)
    assert held_plug.value - plug.kl.value > 10 * np.hypot(plug.kl.stderr, held_plug.stderr)


def test_command_line_and_api_share_the_default(tmp_path, capsys):
    import json

    from symsched.cli import main

    x = ss.sample_exact(ss.binary_symmetric_chain(12, 0.1), 300, seed=0)
    path = tmp_path / "rows.npy"
    np.save(path, x)
    main(["profile", f"data:{path}", "--json", "--bootstrap", "4"])
    got = json.loads(capsys.readouterr().out)
    api = ss.estimate_profile(x, seed=0, bootstrap=4, homogeneous=True, subsets_per_size=20)
    text = json.dumps(got)
    assert api.method in text and "estimator chosen by method='auto'" in text
