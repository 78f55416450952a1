"""Numeric verification of the continuum results: exact discrete values against limits and expansions.

This is how a user checks a proof numerically: for growing ``N`` the exact discrete ``E KL`` (from
``symsched.expected_kl`` / ``symsched.optimal_schedule`` on ``h_j = φ(j/N)``) is compared with the
limit and with each truncation of the expansion (:mod:`symsched.continuum.expansion`), and the
observed convergence orders — log-log slopes of successive errors — are reported next to the
predicted ones in a :class:`VerificationTable`.

Examples
--------
>>> import sympy as sp
>>> u = sp.Symbol("u")
>>> t = verify_expansion(1/(1 + 3*u), u, r=2, Ns=(40, 80, 160))   # doctest: +SKIP
>>> t.observed_orders["error_level_0"]                              # doctest: +SKIP
[None, 1.0..., 1.0...]
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any
from collections.abc import Callable, Sequence

import mpmath
import numpy as np
import sympy as sp

from ..errors import SymschedError
from ..formatting import latex_label
from ..printing import Table
from ..results import Result
from ..info import InformationProfile, as_profile, information_profile
from ..schedules import Schedule, expected_kl, optimal_schedule
from . import checks
from .limit import riemann_limit
from .limit_profiles import LimitProfile
from .quantiles import QuantileEngine
from .expansion import (_Phi, density_breakpoints, exact_breakpoint_kl, expected_kl_expansion,
                        riemann_error)

__all__ = ["VerificationTable", "convergence_table", "observed_orders", "verify_expansion",
           "verify_optimal_constant", "verify_quantized", "check_limit_profile"]


def observed_orders(params: Sequence[float], errors: Sequence[Any]) -> list:
    """Log-log slopes ``−log(e_i/e_{i−1}) / log(N_i/N_{i−1})`` (``None`` first, or where an error is 0).

    >>> observed_orders([10, 20, 40], [1e-2, 2.5e-3, 6.25e-4])
    [None, 2.0, 2.0]
    """
    params = checks.reals(params, "params")
    errors = checks.sequence(errors, "errors")
    for i, e in enumerate(errors):  # inf / nan allowed (their order is None), non-numbers are not
        try:
            float(e)
        except (TypeError, ValueError) as exc:
            raise SymschedError(f"errors[{i}]: expected a real number, got {type(e).__name__} {e!r}") from exc
    if len(params) != len(errors):
        raise SymschedError(f"params and errors: expected the same length, got {len(params)} and {len(errors)}")
    if any(p <= 0 for p in params):
        raise SymschedError(f"params: expected positive numbers (a log-log fit), got {params}")
    out: list = [None]
    for i in range(1, len(errors)):
        e0, e1 = abs(float(errors[i - 1])), abs(float(errors[i]))
        if e0 == 0 or e1 == 0 or not math.isfinite(e0) or not math.isfinite(e1):
            out.append(None)
            continue
        out.append(round(-math.log(e1 / e0) / math.log(float(params[i]) / float(params[i - 1])), 12))
    return out


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return str(v)
    if isinstance(v, str):
        return v
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    return f"{x:.6g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.3e}"


class VerificationTable(Result):
    """Rows of a convergence study with observed (and predicted) orders.

    Parameters
    ----------
    title : str
    columns : list of str
        Column names of ``rows`` (dicts).
    rows : list of dict
    error_columns : list of str
        Columns holding errors; their observed orders are computed against ``parameter``.
    predicted_orders : dict, optional
        ``{error column: predicted order}`` (``None`` where no prediction is made).
    parameter : str
        The column that grows (``"N"``).
    notes : sequence of str

    Attributes
    ----------
    observed_orders : dict
        ``{error column: [None, slope_2, ...]}``.
    """

    # the result protocol (symsched.results): no single headline number
    _fields = ("title", "parameter", "columns", "error_columns", "predicted_orders", "observed_orders", "rows", "notes")
    _repr_fields = ("title", "parameter", "error_columns")

    def __init__(self, title: str, columns: Sequence[str], rows: Sequence[dict], *, error_columns: Sequence[str],
                 predicted_orders: dict | None = None, parameter: str = "N", notes: Sequence[str] = (),
                 expansion: Any = None):
        self.title = title
        self.columns = list(columns)
        self.rows = [dict(r) for r in rows]
        self.error_columns = list(error_columns)
        self.parameter = parameter
        self.predicted_orders = dict(predicted_orders or {})
        self.notes = tuple(notes)
        self.expansion = expansion  # the Expansion checked, when the table checks one
        params = [r[parameter] for r in self.rows]
        self.observed_orders = {c: observed_orders(params, [r[c] for r in self.rows]) for c in self.error_columns}
        self._freeze()

    def final_orders(self) -> dict:
        """The last observed order of each error column."""
        return {c: v[-1] for c, v in self.observed_orders.items()}

    def order_deviations(self) -> dict:
        """``|observed − predicted|`` of the last observed order, where a prediction exists."""
        out = {}
        for c, p in self.predicted_orders.items():
            obs = self.observed_orders.get(c, [None])[-1]
            if p is not None and obs is not None:
                out[c] = abs(obs - p)
        return out

    def to_rows(self) -> list:
        """The rows as dicts, with an ``order_<column>`` entry per error column."""
        out = []
        for i, r in enumerate(self.rows):
            d = dict(r)
            for c in self.error_columns:
                d[f"order_{c}"] = self.observed_orders[c][i]
            out.append(d)
        return out

    def _header(self) -> list:
        return self.columns + [f"order_{c}" for c in self.error_columns]

    def _table(self) -> Table:
        head = self._header()
        notes = (("predicted orders: " + ", ".join(f"{c}: {_fmt(p)}" for c, p in self.predicted_orders.items()),)
                 if self.predicted_orders else ()) + tuple(self.notes)
        return Table(head, [tuple(r.get(c) for c in head) for r in self.to_rows()], title=self.title, notes=notes,
                     latex_columns=tuple(latex_label(h) for h in head), decimals=True)



def convergence_table(Ns: Sequence[int], exact: Callable[[int], Any], approximations: dict,
                      predicted_orders: dict | None = None, title: str = "convergence",
                      extra: Callable[[int], dict] | None = None, notes: Sequence[str] = (),
                      expansion: Any = None) -> VerificationTable:
    """Tabulate ``exact(N)`` against each ``approximations[name](N)`` with errors and observed orders.

    Parameters
    ----------
    Ns : increasing sequence of int
    exact : callable ``N -> value``
    approximations : dict ``name -> (callable N -> value)``
        Each gives columns ``name`` and ``error_<name>`` (= exact − approximation).
    predicted_orders : dict ``name -> order``, optional
    extra : callable ``N -> dict``, optional
        More columns per row (e.g. ``K``).

    Examples
    --------
    >>> t = convergence_table([10, 20], lambda N: 1 + 1 / N, {"limit": lambda N: 1})
    >>> t.observed_orders["error_limit"]
    [None, 1.0]
    """
    Ns = _check_Ns(Ns)
    rows = []
    for N in Ns:
        row = {"N": N}
        if extra is not None:
            row.update(extra(N))
        ex = exact(N)
        row["exact"] = ex
        for name, fn in approximations.items():
            v = fn(N)
            row[name] = v
            row[f"error_{name}"] = ex - v
        rows.append(row)
    cols = ["N"] + [c for c in rows[0] if c not in ("N", "exact") and not c.startswith("error_")
                    and c not in approximations] + ["exact"]
    for name in approximations:
        cols += [name, f"error_{name}"]
    pred = {f"error_{k}": v for k, v in (predicted_orders or {}).items()}
    return VerificationTable(title, cols, rows, error_columns=[f"error_{n}" for n in approximations],
                             predicted_orders=pred, notes=notes,
                             expansion=expansion)


# -- helpers calling the public schedule functions ---------------------------------------------

def _expected_kl(h: list, sizes: Sequence[int]) -> mpmath.mpf:
    val = expected_kl(list(h), Schedule(list(sizes)))
    if isinstance(val, mpmath.mpf):
        return val
    return mpmath.mpf(sp.N(val, mpmath.mp.dps) if isinstance(val, sp.Basic) else val)


def _optimal_kl(h: list, K: int) -> mpmath.mpf:
    val = optimal_schedule(list(h), K).kl
    if isinstance(val, mpmath.mpf):
        return val
    return mpmath.mpf(sp.N(val, mpmath.mp.dps) if isinstance(val, sp.Basic) else val)


def _entropy_phi(phi: Any, u: Any) -> _Phi:
    """``φ`` checked, and ``h_j = φ(j/N) >= 0`` (the exact side treats them as conditional entropies)."""
    P = _Phi(phi, u)
    with mpmath.workdps(30):
        end = P.d(1)
    if end < 0:
        raise SymschedError(f"phi: the verification uses h_j = phi(j/N) as conditional entropies, which are >= 0, "
                            f"but phi(1) = {mpmath.nstr(end, 8)} < 0; add a constant to phi")
    return P


def _ratio(r: Any) -> Fraction:
    checks.finite_ratio(r)
    try:
        fr = Fraction(r) if not isinstance(r, float) else Fraction(r).limit_denominator(10 ** 6)
    except (TypeError, ValueError, OverflowError) as exc:
        raise SymschedError(f"r: expected a positive rational ratio N/K, got {r!r}") from exc
    if fr < 1:
        raise SymschedError(f"r = N/K must be >= 1, got {r!r}")
    return fr


def _K_for(N: int, r: Fraction | None, K: Any) -> int:
    if r is not None:
        Kf = Fraction(N) / r
        if Kf.denominator != 1:
            raise SymschedError(f"N = {N} with r = {r}: K = N/r = {Kf} is not an integer; choose Ns multiples of "
                                f"{r.numerator}")
        return int(Kf)
    if callable(K):
        k = int(K(N))
    else:
        k = int(K)
    if k < 1 or k > N:
        raise SymschedError(f"K = {k} for N = {N}: expected 1 <= K <= N")
    return k


def verify_expansion(phi: Any, u: Any = None, schedule: Any = "constant", r: Any = None, K: Any = None,
                     Ns: Sequence[int] = (60, 120, 240, 480), order: int = 4, rounding: str | None = None,
                     dps: int = 30) -> VerificationTable:
    """Exact discrete ``E KL`` for growing ``N`` against the limit and each truncation of the expansion.

    Parameters
    ----------
    phi, u : the profile (sympy expression in ``u`` or LimitProfile); ``h_j = φ(j/N)``.
    schedule : {"constant", "optimal"} or sympy density ``κ(u)``
    r : rational, optional
        Fixed ratio ``N/K`` (``K = N/r`` must be an integer).  Columns ``level_m`` hold the truncation
        keeping every term of order ``N^{−l}``, ``l ≤ m`` (``level_0`` is the limit
        ``r·a_1 − ½Δ``); ``predicted_orders`` give the next non-vanishing level.
    K : int or callable ``N -> K``, optional
        Fixed number of steps instead (or a law ``K(N)``).  The ``N/K^n`` terms are then replaced by
        their exact sum ``N·R_K`` (the left-Riemann error on the schedule's grid, computed by
        quadrature), and the levels count only the uniform-grid corrections ``N^{1−p}``.
    order : int
        Expansion order (see :func:`~symsched.continuum.expansion.expected_kl_expansion`).
    rounding : None or "nearest"
        For density schedules: ``None`` evaluates the identity at the exact real breakpoints
        ``N G^{−1}(t/K)`` (:func:`~symsched.continuum.expansion.exact_breakpoint_kl`, what the expansion
        describes); ``"nearest"`` rounds them and uses ``symsched.expected_kl`` (then an ``O(K/N)``
        rounding term, absent from the expansion, shows up — no order is predicted).  The constant
        schedule always uses ``symsched.expected_kl`` with ``K | N``.
    dps : int
        Working precision of ``h_j`` and of the sums.

    Returns
    -------
    VerificationTable
    """
    if (r is None) == (K is None):
        raise SymschedError("verify_expansion: give exactly one of r (fixed ratio N/K) and K (fixed K or K(N))")
    P = _entropy_phi(phi, u)
    ex = expected_kl_expansion(P.profile, schedule=schedule, order=order)
    rr = _ratio(r) if r is not None else None
    kind = ex.schedule
    if rounding not in (None, "nearest"):
        raise SymschedError(f"rounding must be None or 'nearest', got {rounding!r}")

    def exact(N):
        k = _K_for(N, rr, K)
        with mpmath.workdps(dps + 10):
            if kind == "constant":
                if N % k:
                    raise SymschedError(f"constant schedule needs K | N, got N = {N}, K = {k}")
                h = [P.d(mpmath.mpf(j) / N) for j in range(N)]
                return _expected_kl(h, [N // k] * k)
            if rounding is None:
                return exact_breakpoint_kl(P.profile, density_breakpoints(ex.kappa, ex.u, k, N), N, dps=dps + 10)
            s = density_breakpoints(ex.kappa, ex.u, k, N, rounding="nearest")
            h = [P.d(mpmath.mpf(j) / N) for j in range(N)]
            return _expected_kl(h, [b - a for a, b in zip(s, s[1:])])

    levels = sorted(set(ex.levels))
    approx: dict = {}
    predicted: dict = {}
    # two more orders, only to predict the convergence order of the last kept level
    ex_pred = expected_kl_expansion(P.profile, schedule=schedule, order=order + 2)
    coeffs = ex_pred.numeric_coefficients(dps)
    if rr is not None:
        # level contributions at fixed ratio: N^{-l} times a number; predict the next non-zero one
        contrib = {lv: 0 for lv in sorted(set(ex_pred.levels))}
        for c, m, lv in zip(coeffs, ex_pred.monomials, ex_pred.levels):
            at_r = m.subs({ex.K: ex.N / sp.Rational(rr.numerator, rr.denominator)})
            contrib[lv] += c * mpmath.mpf(sp.N(sp.simplify(at_r * ex.N ** lv), dps))
        nonzero = [lv for lv in sorted(contrib) if abs(contrib[lv]) > mpmath.mpf(10) ** (-dps // 2)]
        for lv in levels:
            name = f"level_{lv}"
            approx[name] = (lambda lv: (lambda N: ex.evaluate(N, _K_for(N, rr, K), dps, level=lv)))(lv)
            nxt = [m for m in nonzero if m > lv]
            predicted[name] = (nxt[0] if nxt else None)
        if kind != "constant" and rounding == "nearest":
            predicted = {k: None for k in predicted}
        notes = [f"fixed ratio r = N/K = {rr}; level_m keeps the terms O(N^-l), l <= m"]
    else:
        def NR(N):
            k = _K_for(N, rr, K)
            grid = ([mpmath.mpf(t) / k for t in range(k + 1)] if kind == "constant"
                    else density_breakpoints(ex.kappa, ex.u, k))
            return N * riemann_error(P.profile, grid, dps=dps)
        grid_levels = sorted({lv for lv, m in zip(ex.levels, ex.monomials) if not m.has(ex.K)})
        all_levels = sorted({lv for lv, m in zip(ex_pred.levels, ex_pred.monomials) if not m.has(ex.K)})
        grid_contrib = {lv: sum(c for c, m, l2 in zip(coeffs, ex_pred.monomials, ex_pred.levels)
                                if l2 == lv and not m.has(ex.K)) for lv in all_levels}
        nonzero = [lv for lv in all_levels if abs(grid_contrib[lv]) > mpmath.mpf(10) ** (-dps // 2)]
        for lv in grid_levels:
            name = f"level_{lv}"

            def fn(N, lv=lv):
                vals = ex.term_values(N, 1, dps)
                return NR(N) + mpmath.fsum(v for v, m, l2 in zip(vals, ex.monomials, ex.levels)
                                           if l2 <= lv and not m.has(ex.K))
            approx[name] = fn
            nxt = [m for m in nonzero if m > lv]
            predicted[name] = nxt[0] if nxt else None
        if kind != "constant" and rounding == "nearest":
            predicted = {k: None for k in predicted}
        notes = ["fixed K (or K(N)): level_m = N*R_K(grid) + uniform-grid corrections up to N^-m"]
    notes.append(f"schedule: {kind}" + ("" if kind == "constant" else
                                        ", breakpoints "
                                        + ("exact (real)" if rounding is None else "rounded to nearest")))
    table = convergence_table(Ns, exact, approx, predicted, f"E KL expansion check, phi = {ex.phi}",
                              extra=lambda N: {"K": _K_for(N, rr, K)}, notes=notes, expansion=ex)
    return table


def _sqrt_f_integral(P: _Phi, dps: int) -> mpmath.mpf:
    return QuantileEngine(lambda x: mpmath.sqrt(max(-P.d(x, 1), 0))).total(dps)


def verify_optimal_constant(phi: Any, u: Any = None, Ns: Sequence[int] = (64, 256, 1024), K: Any = None,
                            dps: int = 20) -> VerificationTable:
    """The exact optimal schedule's ``E KL · K/N`` against ``½(∫√f)²`` as ``N → ∞``.

    ``K`` is a law ``N -> K`` (default ``round(√N)``), so that both ``1/K`` and ``K/N`` vanish; the
    corrections ``a_2/K − ½Δ K/N`` predict order ``½`` in ``N`` for the default law.  The leading
    constant is computed here by quadrature (independent of ``riemann_limit``); when
    ``symsched.riemann_limit`` is available its ``leading_constant`` is shown too.
    """
    P = _entropy_phi(phi, u)
    law = K if K is not None else (lambda N: max(1, int(round(math.sqrt(N)))))
    with mpmath.workdps(dps + 10):
        lead = _sqrt_f_integral(P, dps) ** 2 / 2

    def exact(N):
        k = _K_for(N, None, law)
        with mpmath.workdps(dps + 10):
            h = [P.d(mpmath.mpf(j) / N) for j in range(N)]
            return _optimal_kl(h, k) * k / N

    extra_cols = {}
    lc = riemann_limit(P.expr, P.u).leading_constant
    extra_cols["riemann_limit_leading_constant"] = mpmath.mpf(sp.N(lc, dps))
    pred = 0.5 if K is None else None
    table = convergence_table(Ns, exact, {"leading_constant": lambda N: lead}, {"leading_constant": pred},
                              "optimal E KL * K/N -> 1/2 (int sqrt f)^2",
                              extra=lambda N: {"K": _K_for(N, None, law), **extra_cols})
    return table


def verify_quantized(phi: Any, u: Any = None, r: Any = 2, Ns: Sequence[int] = (60, 120, 240), dps: int = 20
                     ) -> VerificationTable:
    """The exact optimum at fixed ratio ``r = N/K`` against the quantized limit ``L(r)`` (order 1 in N).

    ``L(r)`` is ``symsched.riemann_limit(φ, u).quantized(r).L``; the exact optimum is
    ``symsched.optimal_schedule(h, N/r).kl`` with ``h_j = φ(j/N)``.
    """
    P = _entropy_phi(phi, u)
    rr = _ratio(r)
    L = riemann_limit(P.expr, P.u).quantized(sp.Rational(rr.numerator, rr.denominator)).L
    L = mpmath.mpf(sp.N(L, dps)) if isinstance(L, sp.Basic) else mpmath.mpf(L)

    def exact(N):
        k = _K_for(N, rr, None)
        with mpmath.workdps(dps + 10):
            h = [P.d(mpmath.mpf(j) / N) for j in range(N)]
            return _optimal_kl(h, k)

    return convergence_table(Ns, exact, {"L": lambda N: L}, {"L": 1}, f"optimal E KL at r = {rr} -> L(r)",
                             extra=lambda N: {"K": _K_for(N, rr, None)})


# -- checking convergence --------------------------------------------------------------------

def _phi_values(phi: Any, N: int, u: Any = None, dps: int = 30) -> list:
    if isinstance(phi, LimitProfile):
        return phi.h(N, dps)
    if isinstance(phi, (sp.Basic, str)):
        return _Phi(phi, u).profile.h(N, dps)
    if callable(phi):
        with mpmath.workdps(dps + 5):
            return [mpmath.mpf(phi(mpmath.mpf(j) / N)) for j in range(N)]
    raise SymschedError(f"phi: expected a LimitProfile, a sympy expression or a callable, got {type(phi).__name__}")


def check_limit_profile(model_family: Callable[[int], Any], phi: Any, Ns: Sequence[int], u: Any = None,
                        u_min: float = 0.0, u_max: float = 1.0, dps: int = 30):
    """Max ``|h_j − φ(j/N)|`` over ``u_min ≤ j/N ≤ u_max`` for each ``N``, with observed orders.

    Parameters
    ----------
    model_family : callable
        ``N -> profile`` (an :class:`~symsched.info.profile.InformationProfile`, a sequence of ``h``
        values, or a model, whose profile is then computed with ``symsched.information_profile``).
    phi : LimitProfile, sympy expression (with ``u``) or callable
        The limit; a LimitProfile's atoms are placed at ``j = 0`` and ``j = N−1``.
    Ns : sequence of int
        Increasing sizes.
    u_min, u_max : float
        Restrict the comparison (e.g. ``u_min > 0`` for a profile whose convergence is not uniform at 0).

    Returns
    -------
    VerificationTable
        Columns ``N``, ``max_error``, ``at_u``; ``observed_orders["max_error"]`` are the log-log slopes.

    Examples
    --------
    >>> from symsched.continuum.limit_profiles import independent_limit_profile
    >>> t = check_limit_profile(lambda N: [0.5] * N, independent_limit_profile(0.5), [4, 8])
    >>> [float(r["max_error"]) for r in t.to_rows()]
    [0.0, 0.0]
    """
    Ns = _check_Ns(Ns)
    rows = []
    for N in Ns:
        prof = model_family(N)
        if not isinstance(prof, InformationProfile) and not isinstance(prof, (list, tuple, np.ndarray)):
            prof = information_profile(prof)
        prof = as_profile(prof, check=False)
        if prof.N != N:
            raise SymschedError(f"model_family({N}) returned a profile of length {prof.N}, expected {N}")
        ref = _phi_values(phi, N, u, dps)
        best, at = mpmath.mpf(0), None
        with mpmath.workdps(dps + 5):
            for j in range(N):
                if not (u_min <= j / N <= u_max):
                    continue
                hj = prof.h[j]
                hj = mpmath.mpf(sp.N(hj, dps + 5)) if isinstance(hj, sp.Basic) else mpmath.mpf(hj)
                err = abs(hj - ref[j])
                if at is None or err > best:
                    best, at = err, j / N
        if at is None:
            raise SymschedError(f"no j with {u_min} <= j/N <= {u_max} for N = {N}")
        rows.append({"N": N, "max_error": best, "at_u": at})
    return VerificationTable(f"max |h_j - phi(j/N)| on [{u_min}, {u_max}]", ["N", "max_error", "at_u"], rows,
                             error_columns=["max_error"], parameter="N")


#: Largest N in a verification table (each N costs N evaluations of phi and an exact optimum).
MAX_N = 100_000


def _check_Ns(Ns: Sequence[int]) -> list:
    out = [checks.positive_int(N, f"Ns[{i}]", MAX_N, "phi evaluations and an exact optimum per N")
           for i, N in enumerate(checks.sequence(Ns, "Ns"))]
    if not out or any(b <= a for a, b in zip(out, out[1:])):
        raise SymschedError(f"Ns: expected a non-empty increasing sequence, got {list(Ns)}")
    return out
