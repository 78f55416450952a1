"""The log-linear hierarchy of a joint law: maximum-entropy projections and TC split by interaction order.

For a law ``p`` of ``N`` variables, ``p^(k)`` is the maximum-entropy law with the same ``k``-variable
marginals as ``p`` (the m-projection of ``p`` onto the log-linear models with interactions of order at most
``k``): ``p^(1)`` is the product of the marginals and ``p^(N) = p``.  Amari's Pythagorean theorem for the
hierarchy (docs/interaction.md) splits the total correlation exactly:

    TC(p) = KL(p ‖ p^(1)) = Σ_{k=2}^{N} KL(p^(k) ‖ p^(k−1)),   KL(p^(k) ‖ p^(k−1)) = H(p^(k−1)) − H(p^(k)) ≥ 0.

``p^(k)`` is found by iterative proportional fitting (IPF) from the uniform law: one sweep rescales the
current law to each ``k``-subset's target marginal in turn.  Started from the uniform law, IPF converges to
the maximum-entropy law with those marginals (the I-projection of the uniform law onto the linear family,
Csiszár 1975); we iterate until every ``k``-marginal matches ``p``'s to ``tol`` and refuse when it does not
within ``max_sweeps`` sweeps, never returning an unconverged law.  The same routine runs batched over many
laws at once (a leading batch axis), which is how a schedule's conditional laws are split
(:mod:`symsched.samplers.interaction`).

Precisions: ``"float"`` (to 1e-13 on the marginals), ``"mpmath"`` (to ``dps`` digits), ``"symbolic"``
(closed forms only: the product of the marginals, the previous order's projection, or ``p`` itself, each
*proved* to be the projection — same ``k``-marginals and a log-linear form of order ``≤ k`` — and refused
otherwise with the way forward).
"""

from __future__ import annotations

import math
from contextlib import nullcontext
from itertools import combinations, product
from typing import Any

import mpmath
import numpy as np
import scipy.linalg
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, hstack, identity
import sympy as sp

from ...arithmetic import arithmetic
from ...errors import ModelTooLargeError, SymschedError
from ...models.table import JointDistribution, as_model
from ...formatting import latex_number
from ...printing import Table
from ...results import Estimate, Result
from ...validation import check_budget, check_choice, positive_int

__all__ = ["maxent_projection", "interaction_terms", "ipf_projection", "InteractionDecomposition",
           "DEFAULT_IPF_BUDGET"]

#: Estimated elementary operations of one call's IPF sweeps (entries × subsets × sweeps) refused beyond.
DEFAULT_IPF_BUDGET = 2e9
#: Sweeps assumed by the cost estimate (convergence is usually far faster; the cap is ``max_sweeps``).
_SWEEPS_ESTIMATE = 50
#: Marginal tolerance in float: every k-marginal of the projection matches p's to this (absolute).
FLOAT_TOL = 1e-13
#: Float terms this close to zero (below -FLOAT_TOL) are rounding of an exact zero; below that we refuse.
_NEGATIVE_FLOOR = 1e-12


def _check_precision(precision: str, dps: Any, where: str) -> None:
    check_choice(precision, "precision", ("float", "mpmath", "symbolic"), where)
    if dps is not None and precision != "mpmath":
        raise SymschedError(f"{where}: dps={dps!r} is only meaningful with precision='mpmath'")
    if dps is not None:
        positive_int(dps, "dps", where)


def _cost(batch: int, cards: tuple, k: int) -> float:
    return float(batch) * math.prod(cards) * math.comb(len(cards), k) * _SWEEPS_ESTIMATE


def _ratio(target: np.ndarray, current: np.ndarray) -> np.ndarray:
    """``target / current`` with 0/0 = 0 (a cell the target excludes stays excluded)."""
    if current.dtype != object:
        out = np.zeros(np.broadcast_shapes(target.shape, current.shape))
        np.divide(target, current, out=out, where=current != 0)
        return out
    out = np.empty(current.shape, dtype=object)
    for idx, c in np.ndenumerate(current):
        out[idx] = target[idx] / c if c != 0 else c * 0
    return out


def _features(shape: tuple, k: int) -> np.ndarray:
    """0/1 sufficient statistics of the log-linear models of order ``<= k`` in minimal form.

    One row per set ``S`` of at most ``k`` variables and joint state ``x_S`` with every coordinate
    nonzero (state 0 is the reference), except the empty set (the normaliser).  Their span is the span of
    all functions of at most ``k`` variables, without redundancy.
    """
    n = len(shape)
    idx = np.indices(shape).reshape(n, -1)
    rows = []
    for size in range(1, k + 1):
        for S in combinations(range(n), size):
            for xs in product(*(range(1, shape[a]) for a in S)):
                rows.append(np.all([idx[a] == v for a, v in zip(S, xs)], axis=0))
    return np.array(rows, dtype=float) if rows else np.zeros((0, idx.shape[1]))


def _newton_maxent(target: np.ndarray, F: np.ndarray, allowed: np.ndarray, tol: float,
                   max_iter: int = 200) -> np.ndarray | None:
    """Maximum-entropy law on ``allowed`` cells matching ``F @ target`` by damped Newton on the dual.

    Returns None when it does not converge (the maximiser is not interior to ``allowed``: IPF takes over).
    """
    Fa = F[:, allowed]
    if Fa.shape[0]:
        # On a restricted support the features can be dependent: keep an independent subset (pivoted QR),
        # which spans the same family and makes the Hessian positive definite.
        _, r, piv = scipy.linalg.qr(Fa.T, mode="economic", pivoting=True)
        diag = np.abs(np.diag(r))
        rank = int(np.sum(diag > diag[0] * 1e-10)) if diag.size else 0
        keep = np.sort(piv[:rank])
        F, Fa = F[keep], Fa[keep]
    goal = F @ target
    # Start from the least-squares fit of log p on the features: exact when p is already of order <= k,
    # and close when little of p lies in higher orders (the usual case), so few damped steps are needed.
    pa = target[allowed]
    floor = pa[pa > 0].min() if np.any(pa > 0) else 1.0
    logp = np.log(np.maximum(pa, floor / 10))  # cells p leaves empty but the marginals allow: small, not -inf
    theta = np.linalg.lstsq(Fa.T, logp - logp.mean(), rcond=None)[0] if Fa.shape[0] else np.zeros(0)

    def law(th):
        s = th @ Fa
        s = s - s.max()
        w = np.exp(s)
        return w / w.sum()

    def dual(th):
        s = th @ Fa
        m = s.max()
        return th @ goal - (m + math.log(np.exp(s - m).sum()))

    for _ in range(max_iter):
        q = law(theta)
        grad = goal - Fa @ q
        if grad.size == 0 or np.max(np.abs(grad)) <= tol:  # no free parameter on this support: uniform on it
            out = np.zeros(F.shape[1])
            out[allowed] = q
            return out
        Fq = Fa * q
        hess = Fq @ Fa.T - np.outer(Fa @ q, Fa @ q)
        try:  # independent features: the Hessian is positive definite while the law is positive
            step = scipy.linalg.cho_solve(scipy.linalg.cho_factor(hess), grad)
        except (np.linalg.LinAlgError, ValueError):
            step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        d0, t = dual(theta), 1.0
        if np.max(np.abs(grad)) > 1e-7:  # near the optimum the dual's changes are below its rounding
            while t > 1e-10 and dual(theta + t * step) < d0 + 1e-4 * t * (grad @ step):
                t /= 2
            if t <= 1e-10:
                return None
        theta = theta + t * step
    return None


def ipf_projection(p: np.ndarray, k: int, *, tol: float | None = None, max_sweeps: int = 20000,
                   dps: int | None = None) -> np.ndarray:
    """The maximum-entropy laws with the ``k``-marginals of each law in a batch ``p``.

    Float laws are solved by damped Newton on the dual (the log-linear parameters of order ``<= k``, on the
    cells every ``k``-marginal allows), which converges quadratically when the maximiser is positive
    there; iterative proportional fitting finishes the others (and runs all mpmath laws, started from the
    float solution).  Every returned law has been checked to meet ``tol`` on every ``k``-marginal.

    Parameters
    ----------
    p : ndarray
        Shape ``(batch, card_1, ..., card_n)``: each ``p[b]`` a probability table (float64, or an object
        array of mpmath numbers for high precision).
    k : int
        The order, ``1 <= k <= n``.
    tol : float, optional
        Largest absolute deviation of any ``k``-marginal accepted (default 1e-14 in float, ``10^-dps``
        with mpmath).
    max_sweeps : int
        IPF sweeps over all ``k``-subsets before refusing.
    dps : int, optional
        mpmath working digits for object arrays.

    Returns
    -------
    ndarray
        Same shape as ``p``.

    Raises
    ------
    SymschedError
        When the marginals do not meet ``tol`` after ``max_sweeps`` sweeps (the residual is in the message).

    Examples
    --------
    >>> import numpy as np
    >>> xor = np.zeros((1, 2, 2, 2)); xor[0, 0, 0, 0] = xor[0, 0, 1, 1] = xor[0, 1, 0, 1] = xor[0, 1, 1, 0] = 0.25
    >>> np.allclose(ipf_projection(xor, 2), 0.125)      # parity: the pairwise marginals are uniform
    True
    """
    n = p.ndim - 1
    if k >= n:
        return p.copy()
    if p.dtype == object:
        start = _float_start(p, k)
        return np.stack([_ipf_one(p[b], k, mpmath.mpf(10) ** (-(dps or 15)) if tol is None else tol,
                                  max_sweeps, start[b], dps) for b in range(p.shape[0])])
    tol = FLOAT_TOL if tol is None else tol
    F = _features(p.shape[1:], k) if k > 1 else None
    out = np.empty(p.shape)
    for b in range(p.shape[0]):
        q = None
        if F is not None:
            allowed = _allowed_cells(p[b], k)
            q = _newton_maxent(p[b].ravel(), F, allowed, tol / 2)
        out[b] = _ipf_one(p[b], k, tol, max_sweeps, None if q is None else q.reshape(p.shape[1:]), None)
    return out


def _allowed_cells(p: np.ndarray, k: int) -> np.ndarray:
    """The support of the maximum-entropy law with ``p``'s ``k``-marginals (a boolean mask over the cells).

    A cell is outside it when some ``k``-marginal of ``p`` vanishes there.  When ``p`` is positive on all
    other cells, that is all.  Otherwise a cell may still be forced to zero by the marginals jointly (the
    maximiser lies on a face); the support is then the set of cells that *some* law with these marginals
    charges, found by one linear programme: over the cone ``{q >= 0 : q_S = λ p_S for every k-set S}``,
    maximise ``Σ y`` with ``y <= q``, ``y <= 1``.  Cone elements add, so the optimum has ``y = 1`` on every
    chargeable cell and ``0`` elsewhere; the maximum-entropy law charges exactly those (Csiszár 1975).
    """
    ok = np.ones(p.shape, dtype=bool)
    for S in combinations(range(p.ndim), k):
        ok &= _marg(p, S) > 0
    ok = ok.ravel()
    if np.all(p.ravel()[ok] > 0):
        return ok
    return _chargeable_cells(p, k, ok)


def _chargeable_cells(p: np.ndarray, k: int, ok: np.ndarray) -> np.ndarray:
    cells = np.flatnonzero(ok)
    idx = np.array(np.unravel_index(cells, p.shape))
    rows, cols, rhs = [], [], []
    r = 0
    for S in combinations(range(p.ndim), k):
        other = tuple(a for a in range(p.ndim) if a not in S)
        marg = p.sum(axis=other)
        keys = np.ravel_multi_index(tuple(idx[a] for a in S), marg.shape)
        for key in np.unique(keys):
            members = np.flatnonzero(keys == key)
            rows.extend([r] * members.size)
            cols.extend(members.tolist())
            rhs.append(marg.ravel()[key])
            r += 1
    n = cells.size
    Q = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(r, n))
    lam = coo_matrix(-np.asarray(rhs).reshape(-1, 1))
    A_eq = hstack([Q, coo_matrix((r, n)), lam]).tocsr()
    A_ub = hstack([-identity(n), identity(n), coo_matrix((n, 1))]).tocsr()
    c = np.concatenate([np.zeros(n), -np.ones(n), [0.0]])
    bounds = [(0, None)] * n + [(0, 1)] * n + [(0, None)]
    res = linprog(c, A_ub=A_ub, b_ub=np.zeros(n), A_eq=A_eq, b_eq=np.zeros(r), bounds=bounds, method="highs")
    out = np.zeros(ok.size, dtype=bool)
    if res.status != 0:  # keep the marginal-allowed cells; IPF then decides
        return ok
    out[cells[res.x[n:2 * n] > 0.5]] = True
    return out


def _float_start(p: np.ndarray, k: int) -> np.ndarray:
    flo = np.array([[float(v) for v in row] for row in p.reshape(p.shape[0], -1)]).reshape(p.shape)
    flo = flo / flo.reshape(p.shape[0], -1).sum(axis=1).reshape((-1,) + (1,) * (p.ndim - 1))
    try:
        return ipf_projection(flo, k, tol=1e-12)
    except SymschedError:
        return np.broadcast_to(1.0 / math.prod(p.shape[1:]), p.shape)


def _ipf_one(p: np.ndarray, k: int, tol: Any, max_sweeps: int, start: np.ndarray | None,
             dps: int | None) -> np.ndarray:
    """IPF for one law (float or mpmath), from ``start`` (default uniform); checked against ``tol``."""
    n, obj = p.ndim, p.dtype == object
    subsets = list(combinations(range(n), k))
    with mpmath.workdps((dps or 15) + 10) if obj else nullcontext():
        targets = [_marg(p, S) for S in subsets]
        if start is None:
            q = np.full(p.shape, 1.0 / p.size) if not obj else np.full(p.shape, mpmath.mpf(1) / p.size, dtype=object)
        else:
            q = np.array(start, dtype=float) if not obj else _mp_array(start)
        worst = None
        for sweep in range(max_sweeps + 1):
            devs = [_absmax(_marg(q, S) - t) for S, t in zip(subsets, targets)]
            worst = max(devs)
            if worst <= tol:
                return q
            if sweep == max_sweeps:
                break
            for S, t in zip(subsets, targets):
                q = q * _ratio(t, _marg(q, S))
    raise SymschedError(f"maxent projection of order {k}: the fit did not reach the marginal tolerance "
                        f"{float(tol):.1e} in {max_sweeps} sweeps (residual {float(worst):.2e}); pass a larger "
                        f"max_sweeps, or a looser tol")


def _marg(q: np.ndarray, keep: tuple, keepdims: bool = True) -> np.ndarray:
    """Sum of ``q`` over the axes not in ``keep``."""
    other = tuple(a for a in range(q.ndim) if a not in keep)
    return q.sum(axis=other, keepdims=keepdims) if other else q


def _absmax(d: np.ndarray):
    return np.max(np.abs(d)) if d.dtype != object else max(abs(v) for v in d.ravel())


def _mp_array(a: np.ndarray) -> np.ndarray:
    out = np.empty(a.shape, dtype=object)
    for idx, v in np.ndenumerate(a):
        out[idx] = mpmath.mpf(float(v))
    s = mpmath.fsum(out.ravel())
    return out / s


def _entropy_batch(q: np.ndarray) -> np.ndarray:
    """``H(q[b])`` for each law of a batch (nats)."""
    flat = q.reshape(q.shape[0], -1)
    if flat.dtype != object:
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(flat > 0, -flat * np.log(np.where(flat > 0, flat, 1.0)), 0.0)
        return terms.sum(axis=1)
    return np.array([-mpmath.fsum(x * mpmath.log(x) for x in row if x != 0) for row in flat], dtype=object)


def interaction_terms(p: np.ndarray, *, tol: float | None = None, max_sweeps: int = 20000,
                      dps: int | None = None) -> np.ndarray:
    """``KL(p^(k) ‖ p^(k−1)) = H(p^(k−1)) − H(p^(k))`` for ``k = 2..n``, for each law of a batch.

    ``p`` has shape ``(batch, card_1, ..., card_n)``; the result has shape ``(batch, n − 1)``, column
    ``k − 2`` holding order ``k``.  Rows sum to each law's total correlation (telescoping from
    ``H(p^(1)) = Σ_i H(p_i)`` to ``H(p^(n)) = H(p)``).  Float terms within 1e-12 below zero are rounding of
    an exact zero and are returned as 0; anything more negative is an error, not rounding, and raises.

    >>> import numpy as np
    >>> xor = np.zeros((1, 2, 2, 2)); xor[0, 0, 0, 0] = xor[0, 0, 1, 1] = xor[0, 1, 0, 1] = xor[0, 1, 1, 0] = 0.25
    >>> np.round(interaction_terms(xor), 6).tolist()      # parity: all of TC at order 3
    [[0.0, 0.693147]]
    """
    n = p.ndim - 1
    if n < 2:
        return np.zeros((p.shape[0], 0), dtype=p.dtype)
    with mpmath.workdps((dps or 15) + 10) if p.dtype == object else nullcontext():
        ents = [_entropy_batch(ipf_projection(p, k, tol=tol, max_sweeps=max_sweeps, dps=dps))
                for k in range(1, n)] + [_entropy_batch(p)]
        terms = np.stack([ents[j - 1] - ents[j] for j in range(1, n)], axis=1)
    if terms.dtype != object:
        if np.any(terms < -_NEGATIVE_FLOOR):
            raise SymschedError(f"interaction terms: a negative term {terms.min():.3e} beyond rounding; "
                                f"the projections did not converge (tighten tol)")
        terms = np.maximum(terms, 0.0)
    return terms


# -- symbolic closed forms ----------------------------------------------------------------------------
def _same_marginals(a: np.ndarray, b: np.ndarray, k: int) -> bool:
    for S in combinations(range(a.ndim), k):
        diff = _marg(a, S, keepdims=False) - _marg(b, S, keepdims=False)
        if any(sp.simplify(sp.sympify(d)) != 0 for d in np.ravel(diff)):
            return False
    return True


def _order_at_most(q: np.ndarray, k: int) -> bool:
    """True when ``log q`` is a sum of functions of at most ``k`` variables (``q > 0`` everywhere).

    The Möbius (ANOVA, reference state 0) interaction of ``log q`` on a set ``T`` of more than ``k``
    variables must vanish at every point whose ``T``-coordinates are all nonzero.
    """
    if any(sp.sympify(v).is_positive is not True for v in q.ravel()):
        return False
    n = q.ndim
    for size in range(k + 1, n + 1):
        for T in combinations(range(n), size):
            for xT in product(*(range(1, q.shape[a]) for a in T)):
                total = 0
                for r in range(size + 1):
                    for U in combinations(range(size), r):
                        idx = [0] * n
                        for u in U:
                            idx[T[u]] = xT[u]
                        total += (-1) ** (size - r) * sp.log(q[tuple(idx)])
                if sp.simplify(sp.expand_log(total, force=True)) != 0:
                    return False
    return True


def _product_of_marginals(p: np.ndarray) -> np.ndarray:
    margs = [_marg(p, (a,), keepdims=False) for a in range(p.ndim)]
    out = np.empty(p.shape, dtype=object)
    for idx in np.ndindex(p.shape):
        out[idx] = sp.Mul(*(margs[a][i] for a, i in enumerate(idx)))
    return out


def _symbolic_projection(p: np.ndarray, k: int, previous: np.ndarray | None) -> np.ndarray:
    n = p.ndim
    if k >= n:
        return p
    if k == 1:
        return _product_of_marginals(p)
    candidates = [c for c in (previous, _product_of_marginals(p), p) if c is not None]
    for cand in candidates:
        if _same_marginals(cand, p, k) and _order_at_most(cand, k):
            return cand
    raise SymschedError(f"maxent_projection: no closed form was found for order {k} (tried the product of the "
                        f"marginals, the order-{k - 1} projection and p itself); use precision='float' or "
                        f"'mpmath' (iterative proportional fitting), or substitute values for the symbols")


# -- public ------------------------------------------------------------------------------------------
def maxent_projection(model: Any, k: int, *, precision: str = "float", dps: int | None = None,
                      tol: float | None = None, max_sweeps: int = 20000,
                      budget: float | None = None) -> JointDistribution:
    """``p^(k)``: the maximum-entropy law with the ``k``-variable marginals of ``model``'s law.

    Parameters
    ----------
    model : model or array_like
        Any symsched model whose joint table fits in memory, or a joint table.
    k : int
        ``1 <= k <= N``.  ``k = 1`` gives the product of the marginals, ``k = N`` the law itself.
    precision : {"float", "mpmath", "symbolic"}
        Float IPF to 1e-14 on the marginals; mpmath IPF to ``dps`` digits; symbolic closed forms (see the
        module docstring), refused when none is proved.
    dps : int, optional
        Digits for ``"mpmath"``.
    tol, max_sweeps : IPF's marginal tolerance and sweep cap (it refuses rather than return an
        unconverged law).
    budget : float, optional
        Estimated operations (table entries × k-subsets × 50 sweeps) refused beyond (default
        :data:`DEFAULT_IPF_BUDGET`) with :class:`~symsched.errors.ModelTooLargeError`.

    Returns
    -------
    JointDistribution
        Same variables and state labels as the model.

    Examples
    --------
    >>> import networkx as nx, numpy as np, symsched as ss
    >>> m = ss.ising(nx.path_graph(3), 0.5)              # pairwise couplings: its own pairwise projection
    >>> bool(np.allclose(ss.maxent_projection(m, 2).joint(), m.joint()))
    True
    >>> q = ss.maxent_projection(ss.parity_model(3), 2)  # parity's pairwise marginals are uniform
    >>> bool(np.allclose(q.joint(), 1 / 8))
    True
    """
    where = "maxent_projection"
    _check_precision(precision, dps, where)
    model = as_model(model, where)
    N = model.N
    k = positive_int(k, "k", where)
    if k > N:
        raise SymschedError(f"{where}: k must be between 1 and N = {N}, got {k}")
    limit = DEFAULT_IPF_BUDGET if budget is None else check_budget(budget, "budget", where)
    cost = _cost(1, tuple(model.cardinalities), k)
    if precision != "symbolic" and 1 < k < N and cost > limit:
        raise ModelTooLargeError(f"{where}: maximum-entropy fit of order {k} on a table of "
                                 f"{math.prod(model.cardinalities):,} entries", cost, limit,
                                 "pass a larger budget=, or use fewer variables")
    p = model.joint(precision, dps)
    if precision == "symbolic":
        q = None
        for j in range(1, k + 1):
            q = _symbolic_projection(p, j, q)
        table = q
    else:
        table = ipf_projection(p[None, ...], k, tol=tol, max_sweeps=max_sweeps,
                               dps=(dps or 15) if precision == "mpmath" else None)[0]
    names = model.variables
    states = {v: model.states(v) for v in names}
    return JointDistribution(table, names, states)


class InteractionDecomposition(Result):
    """A total correlation, or a schedule's expected KL, split by interaction order (Amari's hierarchy).

    Attributes
    ----------
    terms : dict
        ``{k: value}`` for ``k = 2..``: ``KL(p^(k) ‖ p^(k−1))`` for a model, or the expected KL carried
        by order ``k`` for a schedule or policy (``by_order`` is the same dict).  They sum to ``total``.
    total : number
        ``TC`` (model) or ``E KL`` (schedule / policy): the headline.
    by_step : tuple or None
        Per step of the schedule: its expected KL (sums over orders); ``None`` for a model.
    by_step_order : tuple or None
        Per step, a dict ``{k: value}``.
    exact : bool
        False for Monte Carlo estimates, which then carry ``stderr`` (dict by order), ``total_stderr``,
        ``step_stderr`` and ``covariance`` (over the flattened ``(step, order)`` terms).
    what : str
        What was decomposed.
    """

    _headline = "total"
    _fields = ("what", "total", "terms", "by_step", "exact", "stderr", "total_stderr", "method")
    _repr_fields = ("what", "total", "terms")

    def __init__(self, *, terms: dict, total: Any, what: str, by_step: tuple | None = None,
                 by_step_order: tuple | None = None, exact: bool = True, stderr: dict | None = None,
                 total_stderr: float = 0.0, step_stderr: tuple | None = None, covariance: Any = None,
                 method: str = "exact", digits: int | None = None):
        self.terms = dict(terms)
        self.total = total
        self.what = what
        self.by_step = None if by_step is None else tuple(by_step)
        self.by_step_order = None if by_step_order is None else tuple(dict(d) for d in by_step_order)
        self.exact = bool(exact)
        self.stderr = {k: 0.0 for k in self.terms} if stderr is None else dict(stderr)
        self.total_stderr = float(total_stderr)
        self.step_stderr = step_stderr if step_stderr is None else tuple(step_stderr)
        if covariance is not None:
            covariance = np.array(covariance, dtype=float)
            covariance.flags.writeable = False
        self.covariance = covariance
        self.method = method
        if digits is not None:
            self.digits = digits
        self._freeze()

    @property
    def by_order(self) -> dict:
        """The same as :attr:`terms` (the name used for schedules)."""
        return dict(self.terms)

    def estimate(self, k: int):
        """Order ``k``'s value as an :class:`~symsched.results.Estimate` (standard error 0 when exact)."""
        return Estimate(float(self.terms[k]), self.stderr.get(k, 0.0), f"order-{k} term")

    def _title(self) -> str:
        return f"Interaction decomposition of {self.what}"

    def _table(self) -> Table:
        """One row per interaction order ``k`` (± standard error for an estimate); the total under it."""
        rows = [(k, v, self.stderr.get(k, 0.0)) for k, v in self.terms.items()]
        total = self.total if self.exact else Estimate(float(self.total), self.total_stderr, "total")
        return Table(("order", "value", "stderr"), rows, title=self._title(), summary=(("total", total),),
                     header=(f"method = {self.method}",), stderr={"value": "stderr"})

    def _latex_value(self, value: Any, se: float) -> str:
        text = latex_number(value, self.digits)
        return text if self.exact else rf"{text} \pm {latex_number(se, 2)}"

    def latex(self) -> str:
        r"""An ``array``: one row per order ``k`` (``KL(p^{(k)} \| p^{(k-1)})``), then the total."""
        rows = [rf"k = {k} & {self._latex_value(v, self.stderr.get(k, 0.0))}" for k, v in self.terms.items()]
        rows.append(rf"\text{{total}} & {self._latex_value(self.total, self.total_stderr)}")
        return r"\begin{array}{lr} " + r" \\ ".join(rows) + r" \end{array}"


def decompose_joint(model: Any, *, precision: str = "float", dps: int | None = None,
                    tol: float | None = None, max_sweeps: int = 20000,
                    budget: float | None = None) -> InteractionDecomposition:
    """TC of ``model`` split by interaction order (used by :func:`interaction_decomposition`)."""
    where = "interaction_decomposition"
    _check_precision(precision, dps, where)
    model = as_model(model, where)
    N = model.N
    ar = arithmetic(precision, dps)
    limit = DEFAULT_IPF_BUDGET if budget is None else check_budget(budget, "budget", where)
    cost = sum(_cost(1, tuple(model.cardinalities), k) for k in range(2, N))
    if precision != "symbolic" and cost > limit:
        raise ModelTooLargeError(f"{where}: the projections of orders 2..{N - 1}", cost, limit,
                                 "pass a larger budget=, or use fewer variables")
    p = model.joint(precision, dps)
    if precision == "symbolic":
        projections, q = [], None
        for j in range(1, N + 1):
            q = _symbolic_projection(p, j, q)
            projections.append(q)
        ents = [ar.entropy(q) for q in projections]
        terms = {j: ar.finalize(ents[j - 2] - ents[j - 1]) for j in range(2, N + 1)}
        total = ar.finalize(ents[0] - ents[-1])
    else:
        row = interaction_terms(p[None, ...], tol=tol, max_sweeps=max_sweeps,
                                dps=(dps or 15) if precision == "mpmath" else None)[0]
        terms = {j: ar.finalize(row[j - 2]) for j in range(2, N + 1)}
        with ar.workprec():
            total = ar.finalize(ar.sum(row)) if N > 1 else ar.zero
    return InteractionDecomposition(terms=terms, total=total, what=f"TC of {type(model).__name__} (N = {N})",
                                    method=f"exact ({precision})",
                                    digits=(dps if precision == "mpmath" and dps else None))
