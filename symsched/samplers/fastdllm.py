"""Fast-dLLM's Theorem 1 (Wu et al., ICLR 2026): parallel decoding of high-confidence tokens.

Statement, as docs/references.md gives it from the paper (read): if each of ``n`` tokens has its top marginal
probability ``> 1 − ε``, then

* greedy parallel decoding (the arg-max of every marginal) equals greedy joint decoding (the arg-max of
  the joint) when ``(n + 1) ε ≤ 1`` (the paper's "iff" adds that the condition is tight: for larger ``ε``
  some distribution breaks it);
* ``TV(p, Π_i p_i) < (3n − 1) ε / 2``;
* ``KL(p ‖ Π_i p_i) < (n − 1)(H_b(ε) + ε ln(|V| − 1))`` — a bound on the total correlation, since
  ``KL(p ‖ Π_i p_i) = TC``, the error of revealing the ``n`` tokens in one step.

:func:`fast_dllm_bounds` evaluates the three statements; :func:`fast_dllm_check` puts them beside the
exact values of a model (the tests check ``exact ≤ bound`` on random models).  At ``ε`` equal to the
model's ``1 − min_i max_v p(X_i = v)`` the hypothesis holds with equality for some token, and the
bounds hold with ``≤`` (they are continuous in ``ε``).

Examples
--------
>>> b = fast_dllm_bounds(4, 0.1, 2)
>>> round(b.kl_bound, 6), round(b.tv_bound, 6), b.greedy_condition
(0.975249, 0.55, True)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..arithmetic import SUM_TOLERANCE, to_float
from ..errors import SymschedError
from ..formatting import format_value
from ..printing import Table
from ..results import Result
from .conditionals import joint_of

__all__ = ["fast_dllm_bounds", "fast_dllm_check", "FastDLLMBounds", "FastDLLMCheck"]

SOURCE = "Wu et al., Fast-dLLM (ICLR 2026), Theorem 1"


class FastDLLMBounds(Result):
    """The three statements of Fast-dLLM's Theorem 1 at ``(n, ε, |V|)``; ``float()`` is the KL (TC) bound."""

    _headline = "kl_bound"
    _fields = ("n", "eps", "vocab_size", "kl_bound", "tv_bound", "greedy_condition", "source")

    def __init__(self, n, eps, vocab_size, *, kl_bound, tv_bound, greedy_condition):
        self.n, self.eps, self.vocab_size = n, eps, vocab_size
        self.kl_bound, self.tv_bound, self.greedy_condition = kl_bound, tv_bound, greedy_condition
        self.source = SOURCE
        self._freeze()


def _binary_entropy(e: float) -> float:
    return 0.0 if e in (0.0, 1.0) else -e * math.log(e) - (1 - e) * math.log(1 - e)


def fast_dllm_bounds(n: int, eps: Any, vocab_size: int) -> FastDLLMBounds:
    """Fast-dLLM Theorem 1's bounds for ``n`` tokens with top marginals ``> 1 − ε`` over ``|V|`` values.

    Parameters
    ----------
    n : int
        Tokens decoded in parallel (>= 1).
    eps : number in [0, 1 − 1/|V|]
        The confidence gap.  Beyond ``1 − 1/|V|`` every distribution satisfies the hypothesis and
        ``H_b(ε) + ε ln(|V|−1)`` no longer increases with ``ε``: refused.
    vocab_size : int
        ``|V|`` (>= 2).

    Returns
    -------
    FastDLLMBounds
        ``kl_bound`` (nats), ``tv_bound``, ``greedy_condition`` (``(n+1)ε ≤ 1``).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise SymschedError(f"fast_dllm_bounds: n must be a positive integer, got {n!r}")
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, (int, np.integer)) or vocab_size < 2:
        raise SymschedError(f"fast_dllm_bounds: vocab_size must be an integer >= 2, got {vocab_size!r}")
    e = to_float(eps, "eps")
    if not 0 <= e <= 1 - 1 / vocab_size:
        raise SymschedError(f"fast_dllm_bounds: eps must lie in [0, 1 - 1/|V|] = [0, {1 - 1 / vocab_size:.6g}], "
                            f"got {eps!r}")
    kl = (n - 1) * (_binary_entropy(e) + (e * math.log(vocab_size - 1) if vocab_size > 2 else 0.0))
    return FastDLLMBounds(int(n), e, int(vocab_size), kl_bound=kl, tv_bound=(3 * n - 1) * e / 2,
                          greedy_condition=(n + 1) * e <= 1)


class FastDLLMCheck(Result):
    """A model's exact TC, TV to the product of marginals and greedy agreement, beside Theorem 1's bounds."""

    _headline = "tc"
    _fields = ("n", "eps", "tc", "kl_bound", "tv", "tv_bound", "greedy_equal", "greedy_condition", "holds", "source")

    def __init__(self, **kw):
        for k, v in kw.items():
            setattr(self, k, v)
        self.source = SOURCE
        self._freeze()

    def _table(self) -> Table:
        """Theorem 1's three statements: the model's exact value beside the bound (``holds``: all three)."""
        rows = [("KL(p || prod p_i) = TC", self.tc, self.kl_bound),
                ("TV(p, prod p_i)", self.tv, self.tv_bound),
                ("greedy decodings agree", self.greedy_equal, self.greedy_condition)]
        return Table(("statement", "model", "bound"), rows,
                     title=f"Fast-dLLM Theorem 1 at n = {self.n}, eps = {format_value(self.eps)}: holds = {self.holds}",
                     notes=(f"bound of the greedy row: the condition (n+1) eps <= 1; source: {self.source}",))


def fast_dllm_check(model: Any, eps: Any = None) -> FastDLLMCheck:
    """Theorem 1 on a model: exact ``TC = KL(p ‖ Π p_i)``, ``TV(p, Π p_i)`` and greedy decoding, with the bounds.

    Parameters
    ----------
    model : model or ndarray
        Its joint table is used (small models).
    eps : number, optional
        Default: the smallest admissible ``ε = 1 − min_i max_v p(X_i = v)``.

    Returns
    -------
    FastDLLMCheck
        ``holds`` is True when ``tc ≤ kl_bound``, ``tv ≤ tv_bound`` and (under the greedy condition) the
        two greedy decodings agree.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([[0.9, 0.02], [0.03, 0.05]])
    >>> c = fast_dllm_check(p)
    >>> round(c.eps, 6), round(c.tc, 6), round(c.kl_bound, 6), c.greedy_equal, c.holds
    (0.08, 0.10436, 0.278769, True, True)
    """
    p = np.asarray(joint_of(model, "float"), dtype=float)
    if not (np.all(np.isfinite(p)) and np.all(p >= 0) and abs(p.sum() - 1) <= SUM_TOLERANCE):
        raise SymschedError(f"fast_dllm_check: the joint table must be a pmf (finite, >= 0, summing to 1); "
                            f"it sums to {p.sum()!r} with minimum {p.min()!r}")
    N = p.ndim
    margs = [p.sum(axis=tuple(a for a in range(N) if a != i)) for i in range(N)]
    top = min(float(m.max()) for m in margs)
    e = 1 - top if eps is None else to_float(eps, "eps")
    if e < 1 - top - 1e-12:
        raise SymschedError(f"fast_dllm_check: eps = {e} is below 1 − min_i max_v p(X_i = v) = {1 - top:.6g}; "
                            "the theorem's hypothesis fails")
    V = max(p.shape)
    b = fast_dllm_bounds(N, min(max(e, 0.0), 1 - 1 / V), max(V, 2))
    prod = margs[0]
    for m in margs[1:]:
        prod = np.multiply.outer(prod, m)
    pos = p > 0
    tc = float(np.sum(p[pos] * (np.log(p[pos]) - np.log(prod[pos]))))
    tv = 0.5 * float(np.abs(p - prod).sum())
    joint_argmax = tuple(int(v) for v in np.unravel_index(int(np.argmax(p)), p.shape))
    greedy = tuple(int(np.argmax(m)) for m in margs)
    equal = joint_argmax == greedy
    tol = 1e-12
    holds = tc <= b.kl_bound + tol and tv <= b.tv_bound + tol and (equal or not b.greedy_condition)
    return FastDLLMCheck(n=N, eps=e, tc=max(tc, 0.0), kl_bound=b.kl_bound, tv=tv, tv_bound=b.tv_bound,
                         greedy_equal=equal, greedy_condition=b.greedy_condition, holds=holds)
