"""read_data's / load_dataset's ``(rows, states)`` pair is accepted wherever data rows are (issue 29)."""

import numpy as np
import pytest

import symsched as ss
from symsched.errors import SymschedError
from symsched.schedules.certify import certify_schedule


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("abab abba baba aabb " * 40)
    return str(path)


def test_estimate_profile_takes_read_data_pair(text_file):
    pair = ss.read_data(text_file, block=4)
    rows, states = pair
    got = ss.estimate_profile(pair, seed=0, bootstrap=4)
    # the pair's alphabet fixes the cardinalities: the same call with them spelled out
    want = ss.estimate_profile(rows, seed=0, bootstrap=4, cardinalities=(len(states),) * rows.shape[1])
    assert got.h == want.h and got.stderr == want.stderr and got.method == want.method
    for method in ("plugin", "markov"):
        a = ss.estimate_profile(pair, method, seed=1, bootstrap=3)
        b = ss.estimate_profile(rows, method, seed=1, bootstrap=3, cardinalities=(len(states),) * 4)
        assert a.h == b.h


def test_npy_pair_and_other_row_functions(tmp_path):
    rows = ss.sample_exact(ss.binary_symmetric_chain(5, 0.2), 400, seed=3)
    path = tmp_path / "r.npy"
    np.save(path, rows)
    pair = ss.read_data(str(path))
    assert pair[1] is None
    assert ss.estimate_profile(pair, seed=0, bootstrap=3).h == ss.estimate_profile(rows, seed=0, bootstrap=3).h
    from symsched.info.estimate import fit_markov_chain, sample_adequacy
    assert sample_adequacy(pair) == sample_adequacy(rows)
    m1, k1, s1 = fit_markov_chain(pair)
    m2, k2, s2 = fit_markov_chain(rows)
    assert (k1, s1) == (k2, s2)
    den = ss.exact_denoiser(ss.binary_symmetric_chain(5, 0.2))
    a = ss.denoiser_profile(den, pair, samples_per_size=20, seed=0)
    b = ss.denoiser_profile(den, rows, samples_per_size=20, seed=0)
    assert a.h == b.h
    c1 = certify_schedule(pair, 0.5, denoiser=den, samples=50, seed=0)
    c2 = certify_schedule(rows, 0.5, denoiser=den, samples=50, seed=0)
    assert str(c1) == str(c2)


def test_load_dataset_pair_sets_cardinalities():
    pair = ss.load_dataset("english-words:2") if _has_words() else None
    if pair is None:
        pytest.skip("the word list extra is not installed")
    rows, meta = pair
    a = ss.estimate_profile(pair, "markov", seed=0, bootstrap=2)
    b = ss.estimate_profile(rows, "markov", seed=0, bootstrap=2,
                            cardinalities=tuple(len(s) for s in meta["states"]))
    assert a.h == b.h


def _has_words():
    try:
        ss.load_dataset("english-words:2")
    except (ImportError, SymschedError):
        return False
    return True


def test_two_rows_as_a_tuple_still_rows_and_ambiguous_refused():
    two = ((0, 1, 1), (1, 0, 1))
    assert ss.estimate_profile(two, "plugin", bootstrap=2).h == \
        ss.estimate_profile(np.array(two), "plugin", bootstrap=2).h
    rows = np.zeros((4, 3), dtype=int)
    with pytest.raises(SymschedError, match="ambiguous"):
        ss.estimate_profile((rows, rows), "plugin")
    with pytest.raises(SymschedError, match="ambiguous"):
        ss.estimate_profile((rows, 7), "plugin")
    with pytest.raises(SymschedError, match="label tuples"):
        ss.estimate_profile((rows, {"states": [("a", "b")]}), "plugin")
