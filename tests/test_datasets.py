"""load_dataset and empirical_model: real data from the data extra, checked against the packages directly."""

from __future__ import annotations

import numpy as np
import pytest

import symsched as ss
from reference import brute_profile

english_words = pytest.importorskip("english_words")


def test_english_words_are_the_word_list():
    rows, meta = ss.load_dataset("english-words:3")
    ref = sorted(w for w in english_words.get_english_words_set(["web2"], lower=True)
                 if len(w) == 3 and w.isascii() and w.isalpha())
    assert ["".join("abcdefghijklmnopqrstuvwxyz"[i] for i in r) for r in rows] == ref
    assert meta["weights"] is None and len(meta["states"]) == 3


def test_frequency_weights():
    wordfreq = pytest.importorskip("wordfreq")
    rows, meta = ss.load_dataset("english-words:3", weights="frequency")
    w = meta["weights"]
    assert w.sum() == pytest.approx(1.0) and np.all(w > 0)
    i = meta["words"].index("the")
    j = meta["words"].index("and")
    assert w[i] / w[j] == pytest.approx(wordfreq.word_frequency("the", "en") / wordfreq.word_frequency("and", "en"))


def test_empirical_law_and_its_profile_against_brute_force():
    rows, meta = ss.load_dataset("english-words:3")
    m = ss.empirical_model(rows, meta)
    counts = {}
    for r in map(tuple, rows):
        counts[r] = counts.get(r, 0) + 1
    for r, c in list(counts.items())[:50]:
        assert m.joint()[r] == pytest.approx(c / len(rows), abs=1e-15)
    h = ss.information_profile(m).h
    assert np.allclose(h, brute_profile(m.joint())[0], atol=1e-12)


def test_digits_binarised_from_scikit_learn():
    sk = pytest.importorskip("sklearn.datasets")
    rows, meta = ss.load_dataset("digits", threshold=8)
    raw = sk.load_digits().data
    assert rows.shape == (1797, 64) and np.array_equal(rows, (raw >= 8).astype(int))
    patch, pm = ss.load_dataset("digits", patch=(2, 3, 2, 2))
    assert np.array_equal(patch, (sk.load_digits().images[:, 2:4, 3:5] >= 8).reshape(1797, 4).astype(int))
    m = ss.empirical_model((patch, pm))
    assert m.cardinalities == (2, 2, 2, 2) and m.joint().sum() == pytest.approx(1.0)


@pytest.mark.parametrize("call,match", [
    (lambda: ss.load_dataset("nope"), "unknown"),
    (lambda: ss.load_dataset("english-words:x"), "K"),
    (lambda: ss.load_dataset("english-words:0"), "K"),
    (lambda: ss.load_dataset("english-words:3", weights="zipf"), "weights"),
    (lambda: ss.load_dataset("digits", threshold=True), "threshold"),
    (lambda: ss.load_dataset("digits", patch=(6, 6, 4, 4)), "patch"),
    (lambda: ss.empirical_model([[0, -1]]), "negative"),
    (lambda: ss.empirical_model([[0.5, 1]]), "integer"),
    (lambda: ss.empirical_model([[0, 1]], weights=[-1]), "weights"),
    (lambda: ss.empirical_model(np.zeros((2, 40), dtype=int) + 1), "budget|exceeds"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
