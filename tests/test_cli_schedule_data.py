"""``symsched schedule data:FILE`` (with ``--block-length``), estimate_blockwise_kl, and --help listing every MODEL
form (issue 29)."""

import json

import numpy as np
import pytest

import symsched as ss
from symsched.cli import main
from symsched.cli.specs import model_forms
from symsched.info.estimate import fit_markov_chain
from reference import brute_blockwise, random_joint

B = 6  # bootstrap resamples in the CLI runs


def run_json(capsys, argv):
    assert main(argv + ["--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def npy_file(tmp_path):
    rows = ss.sample_exact(ss.binary_symmetric_chain(8, 0.15), 600, seed=4)
    path = tmp_path / "rows.npy"
    np.save(path, rows)
    return str(path)


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text(ss.stdlib_docstrings(max_chars=6000))
    return str(path)


def _api_profile(pair):
    # the command line's documented API call (cli.common.data_estimate)
    return ss.estimate_profile(pair, homogeneous=True, bootstrap=B, seed=0, subsets_per_size=20)


@pytest.mark.parametrize("which", ["npy", "text"])
def test_schedule_data_equals_the_api(capsys, npy_file, text_file, which):
    path, extra = (npy_file, []) if which == "npy" else (text_file, ["--block", "4"])
    pair = ss.read_data(path, block=None if which == "npy" else 4, max_rows=20000, seed=0)
    N = pair[0].shape[1]
    Ks, L = (2, 4), N // 2
    d = run_json(capsys, ["schedule", f"data:{path}", "-K", *map(str, Ks), "--block-length", str(L),
                          "--bootstrap", str(B)] + extra)
    prof = _api_profile(pair)
    assert d["profile"]["h"] == pytest.approx(list(prof.h), rel=1e-12)
    rows = {(r["K"], r["schedule"]): r for r in d["schedules"]}
    for K in Ks:
        for name, sched in (("optimal", ss.optimal_schedule(prof, K).schedule), ("constant",
                                                                                ss.constant_schedule(N, K))):
            kl = ss.expected_kl(prof, sched)
            got = rows[(K, name)]
            assert got["sizes"] == list(sched.sizes)
            assert got["expected_kl"]["value"] == pytest.approx(float(kl), rel=1e-12)
            assert got["expected_kl"]["stderr"] == pytest.approx(kl.stderr, rel=1e-9)
            assert kl.stderr > 0 or K == N  # one token a step: E KL is 0 exactly
        s = ss.sampler_schedule("llada", N, K, block_length=L)
        r = ss.estimate_blockwise_kl(pair, L, s, bootstrap=B, seed=0, homogeneous=True)
        got = rows[(K, f"llada, blocks of {L}")]
        assert got["expected_kl"]["value"] == pytest.approx(float(r), rel=1e-12)
        assert got["expected_kl"]["stderr"] == pytest.approx(r.stderr, rel=1e-9)
        assert r.stderr > 0 or K == N
        assert got["method"] == r.method
    assert main(["schedule", f"data:{path}", "-K", "2", "--bootstrap", str(B)] + extra) == 0
    out = capsys.readouterr().out
    assert "±" in out and "method: estimate" in out and "why: estimator chosen" in out


def test_schedule_block_length_on_a_model(capsys):
    d = run_json(capsys, ["schedule", "chain:8:0.1", "-K", "4", "--block-length", "4", "--no-bounds"])
    chain = ss.binary_symmetric_chain(8, 0.1)
    want = ss.blockwise_expected_kl(chain, 4, ss.sampler_schedule("llada", 8, 4, block_length=4))
    assert d["semi_autoregressive"][0]["expected_kl"] == pytest.approx(float(want), abs=1e-12)
    assert main(["schedule", "chain:8:0.1", "-K", "3", "--block-length", "4"]) == 2
    assert "split evenly" in capsys.readouterr().err


def test_estimate_blockwise_kl_plugin_is_the_empirical_laws_exact_value():
    # plug-in subset entropies are the entropies of the empirical law: its exact blockwise KL, enumerated
    rows = ss.sample_exact(ss.JointDistribution(random_joint((2, 3, 2, 2, 2), seed=2)), 300, seed=1)
    emp = ss.empirical_model(rows)
    for L, per in ((2, [[1, 1], [2, 0], [1]]), (3, [[2, 1], [1, 1]])):
        got = ss.estimate_blockwise_kl(rows, L, per, "plugin", bootstrap=3, seed=0)
        want = brute_blockwise(emp.joint(), L, per)
        assert float(got) == pytest.approx(want, abs=1e-10)
        assert float(got) == pytest.approx(float(ss.blockwise_expected_kl(emp, L, per)), abs=1e-10)


def test_estimate_blockwise_kl_markov_route_and_one_block():
    rows = ss.sample_exact(ss.binary_symmetric_chain(10, 0.1), 400, seed=3)
    r = ss.estimate_blockwise_kl(rows, 5, [2, 3], seed=1, bootstrap=5)
    assert r.method.startswith("data: markov order 1") and not r.exact
    fitted = fit_markov_chain(rows, order=1, homogeneous=True)[0]
    assert float(r) == pytest.approx(float(ss.blockwise_expected_kl(fitted, 5, [2, 3])), abs=1e-12)
    # one block of all N: the identity on the profile estimated by the same subset estimator
    x = ss.sample_exact(ss.binary_symmetric_chain(4, 0.2), 3000, seed=5)
    one = ss.estimate_blockwise_kl(x, 4, [2, 2], "miller-madow", bootstrap=3, seed=0)
    prof = ss.estimate_profile(x, "miller-madow", bootstrap=3, seed=0)
    assert float(one) == pytest.approx(float(ss.expected_kl(prof, ss.Schedule([2, 2]))), abs=1e-12)
    with pytest.raises(ValueError, match="bootstrap"):
        ss.estimate_blockwise_kl(x, 2, [1, 1], bootstrap=1)
    with pytest.raises(ValueError, match="method"):
        ss.estimate_blockwise_kl(x, 2, [1, 1], method="bayesian-network")
    with pytest.raises(ss.ModelTooLargeError, match="max_cost"):
        ss.estimate_blockwise_kl(x, 4, [2, 2], "plugin", max_cost=10)


@pytest.mark.parametrize("method", ["markov", "miller-madow"])
def test_estimate_blockwise_kl_calibrated(method):
    chain = ss.binary_symmetric_chain(6, 0.1)
    exact = float(ss.blockwise_expected_kl(chain, 3, [1, 2]))
    z = []
    for s in range(20):
        rows = ss.sample_exact(chain, 1000, seed=100 + s)
        r = ss.estimate_blockwise_kl(rows, 3, [1, 2], method, seed=s, homogeneous=True)
        z.append((float(r) - exact) / r.stderr)
    assert 0.7 <= float(np.sqrt(np.mean(np.square(z)))) <= 1.4


def test_help_lists_every_model_form(capsys):
    forms = [syn for syn, _ in model_forms()]
    assert "data:FILE" in forms and any(".bif" in f for f in forms) and "chain:N:EPS" in forms
    for argv in (["--help"], ["profile", "--help"], ["schedule", "--help"], ["rules", "--help"],
                 ["advise", "--help"], ["export", "--help"], ["policy", "--help"]):
        main(argv)
        out = capsys.readouterr().out
        for syn in forms:
            assert syn in out, (argv, syn)
    assert main(["rules", "data:x.npy", "-K", "2"]) == 2
    assert "profile and schedule only" in capsys.readouterr().err
