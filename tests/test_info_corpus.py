"""The shipped corpus, text blocks, data files and `symsched profile data:FILE`."""

import numpy as np
import pytest

import symsched as ss
from symsched.cli import main
from reference import brute_profile


def test_stdlib_docstrings_is_deterministic_text():
    a = ss.stdlib_docstrings(max_chars=20_000)
    assert a == ss.stdlib_docstrings(max_chars=20_000)
    assert len(a) == 20_000 and sum(c.isalpha() for c in a) > 10_000


def test_text_blocks_alphabet_and_rows():
    rows, states = ss.text_blocks("Ab\tc!\n\nd", 2)
    # lower-cased, whitespace runs -> one space, '!' -> the other-symbol
    assert "".join(states[i] for i in rows.ravel()) == "ab c· d"[:rows.size]
    assert rows.shape == (3, 2) and len(states) == 28
    raw, raw_states = ss.text_blocks("abcabc", 3, alphabet=None)
    assert raw_states == ("a", "b", "c") and raw.tolist() == [[0, 1, 2], [0, 1, 2]]
    few, _ = ss.text_blocks("abcdefghij" * 10, 5, max_rows=4, seed=0)
    assert few.shape == (4, 5)
    with pytest.raises(ValueError, match="no block"):
        ss.text_blocks("abc", 5)
    with pytest.raises(ValueError, match="block"):
        ss.text_blocks("abc", 0)


def test_read_data_npy_and_text(tmp_path):
    x = ss.sample_exact(ss.copy_model(4, 3), 50, seed=0)
    np.save(tmp_path / "rows.npy", x)
    rows, states = ss.read_data(str(tmp_path / "rows.npy"))
    assert states is None and (rows == x).all()
    np.save(tmp_path / "stream.npy", x.ravel())
    stream, _ = ss.read_data(str(tmp_path / "stream.npy"), block=4)
    assert (stream == x).all()
    with pytest.raises(ValueError, match="block"):
        ss.read_data(str(tmp_path / "stream.npy"))
    with pytest.raises(ValueError, match="integer"):
        np.save(tmp_path / "f.npy", np.ones((3, 3)) / 2)
        ss.read_data(str(tmp_path / "f.npy"))
    (tmp_path / "t.txt").write_text("hello world " * 20)
    rows, states = ss.read_data(str(tmp_path / "t.txt"), block=6)
    assert rows.shape == (40, 6) and "".join(states[i] for i in rows[0]) == "hello "


def test_cli_profile_data_matches_the_library(tmp_path, capsys):
    chain = ss.markov_chain(6, [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]])
    x = ss.sample_exact(chain, 3000, seed=4)
    np.save(tmp_path / "x.npy", x)
    assert main(["profile", f"data:{tmp_path / 'x.npy'}", "--bootstrap", "10", "--estimator", "markov",
                 "--max-order", "1"]) == 0
    out = capsys.readouterr().out
    prof, boot = ss.estimate_replicates(x, "markov", homogeneous=True, max_order=1, bootstrap=10, seed=0,
                                        subsets_per_size=20)
    tc = ss.estimate_measures(prof, boot)["TC"]
    assert "markov order 1" in out and f"{tc.value:.6g}" in out
    # and the estimate is near the truth: TC of the chain from brute force, within 4 standard errors
    _, e = brute_profile(chain.joint())
    true_tc = 6 * e[1] - e[-1]
    assert abs(tc.value - true_tc) <= 4 * tc.stderr


def test_cli_profile_data_text_and_bad_input(tmp_path, capsys):
    (tmp_path / "t.txt").write_text(ss.stdlib_docstrings(max_chars=30_000))
    assert main(["profile", f"data:{tmp_path / 't.txt'}", "--block", "8", "--estimator", "miller-madow",
                 "--bootstrap", "4"]) == 0
    out = capsys.readouterr().out
    assert "28 states" in out and "TC" in out and "DTC" in out
    assert main(["profile", f"data:{tmp_path / 'missing.txt'}", "--block", "8"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err
    assert main(["profile", f"data:{tmp_path / 't.txt'}"]) == 2
    assert "block length" in capsys.readouterr().err
    assert main(["profile", f"data:{tmp_path / 't.txt'}", "--block", "0"]) == 2
    assert "--block must be >= 1" in capsys.readouterr().err
