"""Real data sets from well-kept packages, offline once installed (the ``data`` extra), and their exact laws.

* ``"english-words:K"``: every ``K``-letter word of the ``english-words`` package's ``web2`` list (letters
  a–z, lower case), as rows of ``K`` tokens in ``0..25``.  With ``weights="frequency"`` each word is weighted
  by its frequency in English text (``wordfreq``); words it does not know get weight 0 and are dropped.
* ``"digits"``: scikit-learn's handwritten digits (1797 images of 8×8 pixels with values 0..16, the UCI
  optical recognition test set, shipped inside scikit-learn), binarised at ``threshold`` (default 8) into 64
  binary tokens in reading order; ``patch=(r, c, h, w)`` keeps an ``h × w`` window.

:func:`empirical_model` turns rows (and optional weights) into the exact empirical law, so that every schedule
KL computed on it is exact for that law (not an estimate of a population).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import SymschedError
from ..validation import check_choice, positive_int
from .base import DEFAULT_MAX_ENTRIES, check_enumerable
from .table import JointDistribution

__all__ = ["load_dataset", "empirical_model", "DATASETS"]

#: Data set names :func:`load_dataset` knows (``K`` is the word length).
DATASETS = ("english-words:K", "digits")
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _need(module: str, extra: str = "data"):
    try:
        return __import__(module, fromlist=["_"])
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError(f"load_dataset needs the package providing {module!r}: pip install 'symsched[{extra}]'") \
            from None


def _english_words(K: int, weights: str | None) -> tuple[np.ndarray, dict]:
    ew = _need("english_words")
    words = sorted(w for w in ew.get_english_words_set(["web2"], lower=True)
                   if len(w) == K and w.isascii() and w.isalpha())
    w = None
    if weights == "frequency":
        wf = _need("wordfreq")
        freq = np.array([wf.word_frequency(word, "en") for word in words])
        keep = freq > 0
        words = [word for word, k in zip(words, keep) if k]
        w = freq[keep] / freq[keep].sum()
    if not words:
        raise SymschedError(f"load_dataset: the word list has no {K}-letter words"
                            + (" with a known frequency" if weights else ""))
    rows = np.array([[LETTERS.index(c) for c in word] for word in words], dtype=np.int64)
    meta = {"name": f"english-words:{K}", "states": tuple(tuple(LETTERS) for _ in range(K)), "words": tuple(words),
            "weights": w, "source": "english-words package, web2 list" + ("; wordfreq frequencies" if w is not None
                                                                          else "")}
    return rows, meta


def _digits(threshold: int, patch: Any) -> tuple[np.ndarray, dict]:
    sk = _need("sklearn.datasets")
    d = sk.load_digits()
    images = np.asarray(d.images)
    if patch is not None:
        if not (isinstance(patch, (tuple, list)) and len(patch) == 4):
            raise SymschedError(f"load_dataset: patch must be (row, col, height, width), got {patch!r}")
        r, c, h, w = (int(v) for v in patch)
        if not (0 <= r and 0 <= c and h >= 1 and w >= 1 and r + h <= 8 and c + w <= 8):
            raise SymschedError(f"load_dataset: patch {tuple(patch)} does not fit in the 8x8 image")
        images = images[:, r:r + h, c:c + w]
    rows = (images.reshape(len(images), -1) >= threshold).astype(np.int64)
    meta = {"name": "digits", "states": tuple((0, 1) for _ in range(rows.shape[1])), "labels": np.asarray(d.target),
            "weights": None, "threshold": threshold, "patch": None if patch is None else tuple(patch),
            "source": "scikit-learn load_digits (UCI optical recognition of handwritten digits)"}
    return rows, meta


def load_dataset(name: str, *, weights: str | None = None, threshold: int = 8,
                 patch: Any = None) -> tuple[np.ndarray, dict]:
    """A real data set as ``(rows, metadata)``: rows an int array ``(n, N)`` of state indices.

    Parameters
    ----------
    name : str
        ``"english-words:K"`` (``K`` letters) or ``"digits"``.
    weights : {None, "frequency"}
        English words only: weight each word by its frequency (``metadata["weights"]``, summing to 1).
    threshold : int
        Digits only: a pixel (0..16) is 1 when ``>= threshold``.
    patch : (row, col, height, width), optional
        Digits only: keep this window of the 8×8 image.

    Returns
    -------
    (ndarray, dict)
        ``metadata`` has ``name``, ``states`` (labels per token), ``weights`` (or None), ``source`` and
        ``words`` / ``labels``.  ``empirical_model(rows, metadata)`` is the exact empirical law.

    Examples
    --------
    >>> import symsched as ss
    >>> rows, meta = ss.load_dataset("english-words:3")
    >>> rows.shape[1], meta["words"][0], "".join(meta["states"][0][i] for i in rows[0])
    (3, 'aal', 'aal')
    """
    if not isinstance(name, str):
        raise SymschedError(f"load_dataset: name must be one of {DATASETS}, got {name!r:.60}")
    if weights is not None:
        check_choice(weights, "weights", ("frequency",), "load_dataset")
    if name.startswith("english-words:"):
        try:
            K = int(name.split(":", 1)[1])
        except ValueError:
            raise SymschedError(f"load_dataset: {name!r}: K must be a whole number of letters") from None
        K = positive_int(K, "K", "load_dataset", maximum=30)
        if patch is not None:
            raise SymschedError("load_dataset: patch applies to 'digits'")
        return _english_words(K, weights)
    if name == "digits":
        if weights is not None:
            raise SymschedError("load_dataset: weights applies to 'english-words:K'")
        if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or not 0 <= threshold <= 17:
            raise SymschedError(f"load_dataset: threshold must be a whole number in 0..17, got {threshold!r}")
        return _digits(int(threshold), patch)
    raise SymschedError(f"load_dataset: unknown data set {name!r}; known: {DATASETS}")


def empirical_model(rows: Any, metadata: dict | None = None, *, weights: Any = None,
                    max_entries: float | None = None) -> JointDistribution:
    """The exact empirical law of ``rows`` (optionally weighted) as a :class:`~symsched.JointDistribution`.

    Parameters
    ----------
    rows : array_like
        ``(n, N)`` integer states, or the ``(rows, metadata)`` pair that :func:`load_dataset` and
        :func:`~symsched.read_data` return.
    metadata : dict, optional
        Supplies ``states`` (labels, and so cardinalities) and ``weights``.
    weights : array_like, optional
        One non-negative weight per row (default: equal; ``metadata["weights"]`` when given there).
    max_entries : float, optional
        Budget on the table (``card_1 × … × card_N`` entries; default the models' table budget).

    Examples
    --------
    >>> import symsched as ss
    >>> m = ss.empirical_model([[0, 1], [1, 1], [0, 1], [1, 0]])
    >>> m.joint().tolist()
    [[0.0, 0.5], [0.25, 0.25]]
    """
    if isinstance(rows, tuple) and len(rows) == 2 and metadata is None and not np.isscalar(rows[0]):
        rows, second = rows
        metadata = second if isinstance(second, dict) else {"states": second} if second is not None else None
    arr = np.asarray(rows)
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1 or arr.dtype.kind not in "iu":
        raise SymschedError(f"empirical_model: rows must be a non-empty integer array (n, N), got "
                            f"{arr.dtype} shape {arr.shape}")
    if np.any(arr < 0):
        raise SymschedError("empirical_model: rows hold negative states")
    states = (metadata or {}).get("states")
    N = arr.shape[1]
    if states is not None and len(states) == N and all(isinstance(s, (tuple, list, str)) for s in states):
        cards = tuple(len(s) for s in states)
    elif states is not None and len(states) > 0 and not isinstance(states[0], (tuple, list)):
        cards = (len(states),) * N  # one alphabet for every token (read_data's text states)
        states = (tuple(states),) * N
    else:
        cards, states = tuple(int(arr[:, i].max()) + 1 for i in range(N)), None
    if np.any(arr >= np.array(cards)):
        raise SymschedError("empirical_model: a row holds a state beyond its token's alphabet")
    check_enumerable(math.prod(cards), f"the empirical law on {N} tokens", max_entries or DEFAULT_MAX_ENTRIES)
    if weights is None:
        weights = (metadata or {}).get("weights")
    try:
        w = np.ones(len(arr)) if weights is None else np.asarray(weights, dtype=float)
    except (TypeError, ValueError):
        raise SymschedError(f"empirical_model: weights must be {len(arr)} finite non-negative numbers, got "
                            f"{weights!r:.60}") from None
    if w.shape != (len(arr),) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise SymschedError(f"empirical_model: weights must be {len(arr)} finite non-negative numbers, not all 0")
    table = np.zeros(cards)
    np.add.at(table, tuple(arr.T), w)
    table /= table.sum()
    return JointDistribution(table, states=states)
