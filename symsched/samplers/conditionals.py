"""Exact conditionals of a joint table, and the divergences the samplers are judged by.

Every sampler in :mod:`symsched.samplers` draws a token ``X_i`` from its exact conditional given the
revealed tokens ``X_R``::

    p(x_i | x_R) = p_{R ∪ {i}}(x_R, x_i) / p_R(x_R)

computed from marginals of the explicit joint table.  :class:`ConditionalTables` caches those marginals
(each one is summed from a cached superset, so a chain of marginals costs about twice the joint) and
returns the conditional as a table broadcastable against the joint (axes outside ``R ∪ {i}`` have
length 1), in any precision of :mod:`symsched.arithmetic`.

Undefined conditionals
----------------------
A factorized sampler can reveal a configuration ``x_R`` with ``p_R(x_R) = 0`` (it draws tokens of a
block independently).  The model then says nothing about what comes next; the ``fallback`` argument
says what the sampler does: ``"uniform"`` (default) draws uniformly over the states of ``X_i``,
``"marginal"`` draws from ``p(x_i)``.  The choice changes the sampler's law only outside the support
of ``p``, so it changes neither ``KL(p ‖ q)`` nor ``TV(p, q) = 1 − Σ_x min(p(x), q(x))``.

Examples
--------
>>> import numpy as np
>>> from symsched.samplers.conditionals import ConditionalTables
>>> ct = ConditionalTables(np.array([[0.5, 0.0], [0.25, 0.25]]))
>>> ct.conditional(1, frozenset({0})).tolist()   # p(x_2 | x_1)
[[1.0, 0.0], [0.5, 0.5]]
"""

from __future__ import annotations

import math
from typing import Any
from collections.abc import Hashable, Iterable

import mpmath
import numpy as np
import sympy as sp

from ..arithmetic import Arithmetic, arithmetic
from ..values import to_float
from ..errors import ModelTooLargeError, SymschedError
from ..models.table import as_model
from ..models.validation import as_entry_array, check_nonnegative_table, check_probability_table
from ..schedules.schedule import as_schedule

__all__ = ["ConditionalTables", "kl_divergence", "tv_distance", "FALLBACKS"]

FALLBACKS = ("uniform", "marginal")
#: Cached marginal and conditional tables are dropped when their entries exceed this (about 256 MiB
#: of float64): Monte Carlo runs at larger N visit many revealed sets.
CACHE_MAX_ENTRIES = 2 ** 25


class ConditionalTables:
    """Marginals and exact conditionals of one joint table, cached by subset of positions.

    Parameters
    ----------
    joint : ndarray
        The joint pmf, one axis per token (float64 or an object array of mpf / sympy entries).
    arith : Arithmetic, optional
        The arithmetic of ``joint`` (default float).
    fallback : {"uniform", "marginal"}
        The conditional used where ``p_R(x_R) = 0`` (see the module docstring).
    """

    def __init__(self, joint: np.ndarray, arith: Arithmetic | None = None, fallback: str = "uniform"):
        if fallback not in FALLBACKS:
            raise SymschedError(f"fallback must be one of {FALLBACKS}, got {fallback!r}")
        self.joint = joint
        self.arith = arith or arithmetic("float")
        self.fallback = fallback
        self.N = joint.ndim
        self.cards = tuple(joint.shape)
        self._marg: dict[frozenset, np.ndarray] = {frozenset(range(self.N)): joint}
        self._cond: dict[tuple, np.ndarray] = {}
        self._cached_entries = 0

    def _remember(self, cache: dict, key: Any, table: np.ndarray) -> None:
        if self._cached_entries + table.size > CACHE_MAX_ENTRIES:
            self._marg = {frozenset(range(self.N)): self.joint}
            self._cond = {}
            self._cached_entries = 0
            cache = self._marg if key.__class__ is frozenset else self._cond
        cache[key] = table
        self._cached_entries += table.size

    # -- marginals ---------------------------------------------------------------------------------
    def marginal(self, subset: Iterable[int]) -> np.ndarray:
        """``p_S`` with ``keepdims``: axes outside ``S`` have length 1."""
        S = frozenset(subset)
        got = self._marg.get(S)
        if got is not None:
            return got
        # Sum one axis out of the marginal of a superset: the chain of supersets is cached, so
        # the marginals of a sampler's nested revealed sets cost about twice the joint in all.
        j = max(a for a in range(self.N) if a not in S)
        sup = self.marginal(S | {j})
        with self.arith.workprec():
            out = sup.sum(axis=j, keepdims=True)
        self._remember(self._marg, S, out)
        return out

    # -- conditionals ------------------------------------------------------------------------------
    def _fallback_table(self, i: int) -> np.ndarray:
        ar = self.arith
        if self.fallback == "marginal":
            return self.marginal({i})
        shape = [1] * self.N
        shape[i] = self.cards[i]
        val = ar.one / ar.convert(self.cards[i]) if ar.precision != "float" else 1.0 / self.cards[i]
        return ar.array(np.full(shape, val, dtype=object if ar.precision != "float" else float))

    def conditional(self, i: int, revealed: Iterable[int]) -> np.ndarray:
        """``p(x_i | x_R)`` as a table over the axes ``R ∪ {i}`` (length 1 elsewhere).

        Where ``p_R(x_R) = 0`` the row is the fallback distribution.
        """
        R = frozenset(revealed)
        if i in R:
            raise SymschedError(f"conditional: position {i} is already among the revealed positions {sorted(R)}")
        key = (i, R)
        got = self._cond.get(key)
        if got is not None:
            return got
        num = self.marginal(R | {i})
        den = self.marginal(R)
        fb = self._fallback_table(i)
        ar = self.arith
        if ar.precision == "float":
            num_b, den_b = np.broadcast_arrays(num, den)
            ok = den_b > 0
            out = np.divide(num_b, den_b, out=np.zeros(num_b.shape), where=ok)
            out = np.where(ok, out, np.broadcast_to(fb, out.shape))
        else:
            num_b, den_b, fb_b = np.broadcast_arrays(num, den, fb)
            out = np.empty(num_b.shape, dtype=object)
            with ar.workprec():
                for idx in np.ndindex(num_b.shape):
                    d = den_b[idx]
                    out[idx] = fb_b[idx] if ar.is_zero(d) else num_b[idx] / d
        self._remember(self._cond, key, out)
        return out

    # -- point look-ups for vectorized sampling (float) ----------------------------------------------
    def conditional_rows(self, i: int, revealed: frozenset, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unnormalised rows ``p_{R∪{i}}(x_R, ·)`` and their sums ``p_R(x_R)`` for each row of ``X``.

        ``X`` is an integer array ``(m, N)``; only its columns in ``revealed`` are read.  Returns float
        arrays of shapes ``(m, card_i)`` and ``(m,)``.
        """
        table = self.marginal(revealed | {i})
        m = X.shape[0]
        idx: list[Any] = [0] * self.N
        for a in revealed:
            idx[a] = X[:, a][:, None]
        idx[i] = np.arange(self.cards[i])[None, :]
        rows = np.broadcast_to(np.asarray(table[tuple(idx)], dtype=float), (m, self.cards[i]))
        return rows, rows.sum(axis=1)


def _checked_law(table: Any, where: str) -> np.ndarray:
    """A law handed to a divergence: entries as given, refused if negative, NaN, infinite or complex,
    and (float entries) if it does not sum to one; symbolic entries are only checked for sign."""
    arr = as_entry_array(table, where)
    if arr.dtype == object:
        check_nonnegative_table(arr, where)
    else:
        check_probability_table(arr, where, axis=None)
    return arr


def kl_divergence(p: np.ndarray, q: np.ndarray, precision: str = "float", dps: int | None = None,
                  base: Any = None) -> Any:
    """``KL(p ‖ q) = Σ_{p(x)>0} p(x) log(p(x)/q(x))`` of two tables of the same shape.

    Returns ``inf`` (``mpmath.inf``, ``sympy.oo``) when ``q(x) = 0 < p(x)`` somewhere.

    Examples
    --------
    >>> import numpy as np
    >>> round(kl_divergence(np.array([0.5, 0.5]), np.array([0.25, 0.75])), 6)
    0.143841
    """
    p = _checked_law(p, "kl_divergence: p")
    q = _checked_law(q, "kl_divergence: q")
    if p.shape != q.shape:
        raise SymschedError(f"kl_divergence: p has shape {p.shape} but q has shape {q.shape}")
    ar = arithmetic(precision, dps, base)
    if precision == "float":
        pf = np.asarray([to_float(x, "p") for x in p.ravel()]) if p.dtype == object else p.ravel().astype(float)
        qf = np.asarray([to_float(x, "q") for x in q.ravel()]) if q.dtype == object else q.ravel().astype(float)
        pos = pf > 0
        if np.any(qf[pos] <= 0):
            return math.inf
        v = math.fsum(pf[pos] * (np.log(pf[pos]) - np.log(qf[pos])))
        return ar.from_nats(v)
    pa = ar.array(p, "p").ravel()
    qa = ar.array(q, "q").ravel()
    terms = []
    with ar.workprec():
        for x, y in zip(pa, qa):
            if ar.is_zero(x):
                continue
            if ar.is_zero(y):
                return mpmath.inf if precision == "mpmath" else sp.oo
            terms.append(x * ar.log(x / y))
        return ar.finalize(ar.sum(terms))


def tv_distance(p: np.ndarray, q: np.ndarray) -> float:
    """Total variation ``½ Σ_x |p(x) − q(x)|`` (float).

    >>> import numpy as np
    >>> tv_distance(np.array([0.5, 0.5]), np.array([0.25, 0.75]))
    0.25
    """
    p, q = _checked_law(p, "tv_distance: p"), _checked_law(q, "tv_distance: q")
    pf = np.asarray([to_float(x, "p") for x in np.ravel(p)]) if p.dtype == object else np.ravel(p).astype(float)
    qf = np.asarray([to_float(x, "q") for x in np.ravel(q)]) if q.dtype == object else np.ravel(q).astype(float)
    if pf.shape != qf.shape:
        raise SymschedError(f"tv_distance: p has {pf.size} entries but q has {qf.size}")
    return 0.5 * math.fsum(np.abs(pf - qf))


def resolve_positions(model: Any, block: Iterable[Hashable], N: int) -> tuple[int, ...]:
    """Positions of a block given as integer positions or variable names of ``model``."""
    out = []
    for v in block:
        # Integers are positions (as in the docs); anything else is looked up as a variable name.
        if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
            if not 0 <= int(v) < N:
                raise SymschedError(f"order: position {v} is outside 0..{N - 1}")
            out.append(int(v))
        else:
            try:
                out.append(model.index_of(v))
            except (KeyError, AttributeError, TypeError):  # TypeError: an unhashable entry
                raise SymschedError(f"order: {v!r} is neither a position 0..{N - 1} nor a variable of the model") \
                    from None
    return tuple(out)


def joint_of(model: Any, precision: str = "float", dps: int | None = None,
             max_entries: float | None = None) -> np.ndarray:
    """``model.joint(...)`` (a model) or the table itself (an array), in the requested precision.

    A raw array goes through :func:`~symsched.models.from_joint`, so it gets the same checks as any
    model (non-negative, finite, real, summing to one; nothing renormalised) and the same size budget.
    """
    return as_model(model).joint(precision=precision, dps=dps, max_entries=max_entries)


def as_sizes(schedule: Any, N: int, name: str = "schedule") -> tuple[int, ...]:
    """Validate a Schedule or sequence of sizes against the model's ``N``; errors name the argument ``name``."""
    try:
        sched = as_schedule(schedule)
    except ModelTooLargeError:
        raise
    except SymschedError as exc:
        raise SymschedError(f"{name}: {exc}") from None
    if sched.N != N:
        raise SymschedError(f"{name} {tuple(sched.sizes)} reveals {sched.N} tokens but the model has N = {N}")
    return tuple(sched.sizes)

