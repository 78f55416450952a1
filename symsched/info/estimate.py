"""Information profiles estimated from data: an array of samples, shape ``(n_samples, N)``.

``"plugin"``
    Entropies of the empirical subset marginals.  For small models every subset is used (the
    empirical joint table goes through the exact subset route); otherwise ``subsets_per_size`` random
    subsets per size, with the standard error of that subset sampling.  The plug-in entropy is biased
    low by about ``(support - 1) / (2 n)`` nats per marginal; ``miller_madow=True`` adds that correction
    (support = observed distinct values), which makes ``h`` no longer exactly a plug-in profile.
``"markov"``
    Fit a Markov chain by transition counts (non-homogeneous by default, ``homogeneous=True`` pools
    the steps) and return its exact profile: consistent when the data are a Markov chain.
"""

from __future__ import annotations

import math
from typing import Any
from itertools import combinations

import numpy as np

from ..errors import SymschedError
from .profile import InformationProfile
from .measures import information_profile
from ..models.chains import markov_chain
from ..models.table import from_joint

__all__ = ["estimate_profile"]

#: Empirical joint tables up to this size use all 2^N subsets.
FULL_PLUGIN_LIMIT = 2 ** 16


def _as_samples(samples: Any) -> np.ndarray:
    arr = np.asarray(samples)
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise SymschedError(f"samples: expected an array of shape (n_samples, N), got shape {arr.shape}")
    if arr.dtype.kind not in "iub":
        if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise SymschedError("samples: expected integer state indices")
    if arr.min() < 0:
        raise SymschedError(f"samples: negative state index {int(arr.min())}")
    return arr.astype(np.int64)


def _plugin_entropy(columns: np.ndarray, miller_madow: bool) -> float:
    _, counts = np.unique(columns, axis=0, return_counts=True)
    n = counts.sum()
    p = counts / n
    h = float(-(p * np.log(p)).sum())
    return h + (len(counts) - 1) / (2 * n) if miller_madow else h


def estimate_profile(samples: Any, method: str = "plugin", *, cardinalities: Any = None,
                     miller_madow: bool = False, subsets_per_size: int = 200, seed: Any = None,
                     homogeneous: bool = False, base: Any = None) -> InformationProfile:
    """Estimate the information profile from samples.

    Parameters
    ----------
    samples : array_like, shape (n_samples, N)
        Integer state indices.
    method : {"plugin", "markov"}
    cardinalities : sequence of int, optional
        State counts (default: ``max + 1`` per column).
    miller_madow : bool
        Add the Miller–Madow bias correction to each plug-in entropy.
    subsets_per_size : int
        Random subsets per size when the empirical joint is too large for all subsets.
    seed : optional
        For the random subsets.
    homogeneous : bool
        ``"markov"``: one transition matrix for all steps.
    base : number, optional

    Examples
    --------
    >>> import numpy as np, symsched as ss
    >>> x = np.array([[0, 0], [1, 1], [0, 0], [1, 1]])
    >>> [round(v, 6) for v in ss.estimate_profile(x).h]
    [0.693147, 0.0]
    """
    x = _as_samples(samples)
    n_samples, N = x.shape
    cards = tuple(int(c) for c in (x.max(axis=0) + 1 if cardinalities is None else cardinalities))
    if len(cards) != N or any(int(x[:, i].max()) >= cards[i] for i in range(N)):
        raise SymschedError(f"cardinalities {cards} do not fit the samples' columns (N = {N})")

    if method == "markov":

        init = np.bincount(x[:, 0], minlength=cards[0]) / n_samples
        counts = []
        for t in range(N - 1):
            c = np.zeros((cards[t], cards[t + 1]))
            np.add.at(c, (x[:, t], x[:, t + 1]), 1.0)
            counts.append(c)
        if homogeneous and counts:
            if len(set(cards)) != 1:
                raise SymschedError("homogeneous=True needs equal cardinalities in every column")
            counts = [sum(counts)] * (N - 1)
        # a state never seen at step t gets a uniform row: it keeps the chain valid and has probability 0
        transitions = [np.where(c.sum(axis=1, keepdims=True) > 0, c / np.maximum(c.sum(axis=1, keepdims=True), 1),
                                1.0 / c.shape[1]) for c in counts]
        chain = markov_chain(N, init, transitions)
        prof = information_profile(chain, method="exact", base=base)
        return InformationProfile(prof.h, prof.e, prof.entropy, "float", "estimate (markov)", base)
    if method != "plugin":
        raise SymschedError(f"method must be 'plugin' or 'markov', got {method!r}")
    size = math.prod(cards)
    if size <= FULL_PLUGIN_LIMIT and not miller_madow:

        table = np.zeros(cards)
        np.add.at(table, tuple(x.T), 1.0)
        prof = information_profile(from_joint(table / n_samples), method="exact", base=base)
        return InformationProfile(prof.h, prof.e, prof.entropy, "float", "estimate (plugin, all subsets)", base)
    rng = np.random.default_rng(seed)
    scale = 1.0 if base is None else 1.0 / math.log(float(base))
    e, e_se = [0.0], [0.0]
    for j in range(1, N + 1):
        if math.comb(N, j) <= subsets_per_size:

            subsets = [list(T) for T in combinations(range(N), j)]
            exact_average = True
        else:
            subsets = [sorted(rng.choice(N, size=j, replace=False).tolist()) for _ in range(subsets_per_size)]
            exact_average = False
        vals = np.array([_plugin_entropy(x[:, T], miller_madow) for T in subsets]) * scale
        e.append(float(vals.mean()))
        e_se.append(0.0 if exact_average else float(vals.std(ddof=1) / math.sqrt(len(vals))))
    h = tuple(e[j + 1] - e[j] for j in range(N))
    se = tuple(math.hypot(e_se[j + 1], e_se[j]) for j in range(N))
    return InformationProfile(h, tuple(e), e[-1], "float", "estimate (plugin, sampled subsets)", base, se)
