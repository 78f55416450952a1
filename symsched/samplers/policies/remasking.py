"""A remasking sampler (ReMDM-style), exactly: the Markov chain on partially revealed sequences.

At step ``t = 1..K`` of the sampler modelled here, with revealed positions ``R`` and values ``x_R``:

1. every revealed token is re-masked independently with probability ``σ_t`` (``σ_K = 0``: nothing is
   re-masked at the last step);
2. every masked token is revealed independently with probability ``ρ_t = 1 / (K − t + 1)`` (the last step
   reveals all), its value drawn from its exact conditional given the tokens still revealed, independently
   of the other tokens revealed at the same step.

With ``σ = 0`` this is the Euler (MDLM-style) sampler on the uniform grid (the tests check the laws agree).
Re-masking lets later steps redraw tokens that were drawn together with others, at the price of steps
spent on tokens already seen; whether it pays is a question of the model and the schedule, which this
function answers exactly (on the random models of the tests it does not: at K = N, 2N, 4N the KL grows
with σ).  The law is computed by propagating the distribution over the ``Π (c_i + 1)`` partial
sequences; small models only.
"""

from __future__ import annotations

import math
from itertools import combinations, product
from typing import Any

import numpy as np

from ...errors import ModelTooLargeError, SymschedError
from ...models.table import as_model
from ...results import Result
from ..conditionals import joint_of, kl_divergence

__all__ = ["remasking_kl", "RemaskingResult", "DEFAULT_REMASKING_BUDGET"]

#: Estimated elementary operations of the exact propagation.
DEFAULT_REMASKING_BUDGET = 5e7


class RemaskingResult(Result):
    """The exact law and KL of the remasking sampler; see :func:`remasking_kl`."""

    _headline = "kl"
    _fields = ("kl", "K", "sigma", "states")
    _repr_fields = ("kl", "K")

    def __init__(self, *, kl, K, sigma, states, law):
        self.kl, self.K, self.sigma, self.states, self.law = kl, K, tuple(sigma), states, law
        self._freeze()

    def _title(self) -> str:
        return f"Remasking sampler, K = {self.K} steps: KL(p || q), exact"


def _sigmas(sigma: Any, K: int) -> list:
    if isinstance(sigma, (int, float, np.integer, np.floating)) and not isinstance(sigma, bool):
        out = [float(sigma)] * (K - 1) + [0.0]
    else:
        try:
            out = [float(s) for s in sigma]
        except (TypeError, ValueError):
            raise SymschedError(f"remasking_kl: sigma must be a number or {K} numbers in [0, 1], got "
                                f"{sigma!r:.60}") from None
        if len(out) != K:
            raise SymschedError(f"remasking_kl: sigma must have K = {K} entries, got {len(out)}")
    if not all(math.isfinite(s) and 0 <= s <= 1 for s in out):
        raise SymschedError(f"remasking_kl: sigma must lie in [0, 1], got {sigma!r:.60}")
    if out[-1] != 0:
        raise SymschedError("remasking_kl: the last step cannot re-mask (sigma[K-1] must be 0)")
    return out


def _conditionals(p: np.ndarray, R: tuple, vals: tuple) -> dict:
    N = p.ndim
    idx = tuple(vals[R.index(a)] if a in R else slice(None) for a in range(N))
    sl = np.asarray(p[idx], float)          # axes: the masked positions in order
    M = [a for a in range(N) if a not in R]
    tot = sl.sum()
    out = {}
    for j, i in enumerate(M):
        row = sl.sum(axis=tuple(k for k in range(len(M)) if k != j))
        out[i] = row / tot if tot > 0 else np.full(p.shape[i], 1.0 / p.shape[i])
    return out


def remasking_kl(model: Any, K: int, sigma: Any, budget: float | None = None) -> RemaskingResult:
    """Exact ``KL(p ‖ q)`` of the remasking sampler above with ``K`` steps and re-masking probabilities ``σ``.

    Parameters
    ----------
    model : model or ndarray
        A small model (its joint table).
    K : int
        Number of steps (model calls); may exceed ``N``.
    sigma : number or sequence of K numbers in [0, 1]
        Re-masking probability of each step (a number: the same at every step but the last, which is 0).
    budget : float, optional
        Estimated operations (default :data:`DEFAULT_REMASKING_BUDGET`); refused beyond.

    Examples
    --------
    >>> import symsched as ss
    >>> r = ss.remasking_kl(ss.copy_model(2), K=1, sigma=0)     # one step: the product of the marginals
    >>> round(r.kl, 6)                                           # TC of two fair copies = log 2
    0.693147
    """
    model = as_model(model, "remasking_kl")
    if isinstance(K, bool) or not isinstance(K, (int, np.integer)) or K < 1:
        raise SymschedError(f"remasking_kl: K must be a positive integer, got {K!r}")
    K = int(K)
    sig = _sigmas(sigma, K)
    p = np.asarray(joint_of(model, "float"), float)
    N, cards = p.ndim, p.shape
    states = math.prod(c + 1 for c in cards)
    cost = float(K) * states * 3.0 ** N * max(cards) ** 2
    b = DEFAULT_REMASKING_BUDGET if budget is None else float(budget)
    if cost > b:
        raise ModelTooLargeError(f"remasking_kl: exact propagation over {states} partial sequences", cost, b,
                                 hint="a smaller model, or raise budget=")
    dist: dict = {((), ()): 1.0}
    for t in range(K):
        rho = 1.0 / (K - t)
        nxt: dict = {}
        for (R, vals), mass in dist.items():
            for D in _subsets(R):
                wd = mass * sig[t] ** len(D) * (1 - sig[t]) ** (len(R) - len(D))
                if wd == 0:
                    continue
                keep = tuple(a for a in R if a not in D)
                kv = tuple(vals[R.index(a)] for a in keep)
                M = [a for a in range(N) if a not in keep]
                conds = _conditionals(p, keep, kv)
                for A in _subsets(tuple(M)):
                    wa = wd * rho ** len(A) * (1 - rho) ** (len(M) - len(A))
                    if wa == 0:
                        continue
                    for xa in product(*[range(cards[i]) for i in A]):
                        w = wa * math.prod(conds[i][v] for i, v in zip(A, xa))
                        if w == 0:
                            continue
                        new = dict(zip(keep, kv)) | dict(zip(A, xa))
                        key = (tuple(sorted(new)), tuple(new[a] for a in sorted(new)))
                        nxt[key] = nxt.get(key, 0.0) + w
        dist = nxt
    law = np.zeros(cards)
    for (_, vals), mass in dist.items():
        law[vals] += mass            # after the last step everything is revealed: R = all positions
    kl = max(float(kl_divergence(p, law)), 0.0)
    return RemaskingResult(kl=kl, K=K, sigma=sig, states=states, law=law)


def _subsets(items: tuple):
    for r in range(len(items) + 1):
        yield from combinations(items, r)
