"""The information profile: the hand-off from models to schedules and continuum.

``h_j = E_{|T|=j, i not in T} H(X_i | X_T)`` for ``j = 0..N-1`` and the entropy profile
``e_j = mean_{|T|=j} H(X_T)`` for ``j = 0..N`` (``h_j = e_{j+1} - e_j``).  Schedules and the
continuum layer accept an :class:`InformationProfile` or a plain sequence of ``h`` values, coerced
by :func:`as_profile`, and never need the model.
"""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass, field
from typing import Any
from collections.abc import Sequence
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp
from scipy import sparse

from ..arithmetic import PRECISIONS, SUM_TOLERANCE, arithmetic, simplify_information, to_float
from ..errors import SymschedError
from ..formatting import (LATEX_WIDTH, estimate_digits, latex_equations, latex_number,
                          latex_width)
from ..printing import Table
from ..results import Estimate, ItemsView, Result, digits_for

try:  # scipy >= 1.12
    from scipy.optimize import isotonic_regression as _scipy_isotonic
except ImportError:  # pragma: no cover - older scipy: the PAVA below
    _scipy_isotonic = None

__all__ = ["InformationProfile", "as_profile", "profile_precision"]

#: Bootstrap draws of :meth:`InformationProfile.projection_stderr`.
PROJECTION_DRAWS = 400
#: Largest ``N`` for which the projection's error is bootstrapped (an ``N x N`` Cholesky factor and
#: ``PROJECTION_DRAWS`` isotonic fits); beyond it the linear ``sqrt(w' C w)`` is used.
PROJECTION_BOOTSTRAP_MAX_N = 400


def profile_precision(values: Sequence[Any]) -> str:
    """The precision a sequence of values calls for: symbolic if any sympy object, mpmath if any mpf."""

    if any(isinstance(v, (sp.Basic, Fraction)) for v in values):
        return "symbolic"
    if any(isinstance(v, mpmath.mpf) for v in values):
        return "mpmath"
    return "float"


@dataclass(frozen=True, eq=False)
class InformationProfile(Result, ItemsView):
    """Entropy and information profiles of a model, with TC, DTC and O-information.

    A profile is either *exact* (``exact=True``: computed from the model, ``stderr`` all zero) or an
    *estimate* (Monte Carlo, data, a denoiser: ``exact=False``) that carries per-``h_j`` standard
    errors and their covariance, from which the standard errors of ``H``, TC and DTC follow.  An
    estimate may be non-monotone by noise; :meth:`monotone` is its weighted isotonic projection,
    which schedules use (and say so).

    Attributes
    ----------
    h : tuple
        ``h_0..h_{N-1}`` (non-increasing, summing to ``entropy``; an estimate may break monotonicity).
    e : tuple
        ``e_0..e_N`` (``e_0 = 0``, ``e_N = entropy``), concave in ``j``.
    entropy : number
        ``H(X)``.
    precision : {"float", "mpmath", "symbolic"}
    method : str
        How it was computed (``"exact"``, ``"chain"``, ``"exchangeable"``, ``"montecarlo"``,
        ``"given"``, ...).
    base : number or None
        Logarithm base (None: nats).
    stderr : tuple
        Per-``h_j`` standard errors (zeros when exact).
    exact : bool, optional
        Whether the values are exact (default: True when every ``stderr`` is zero).
    covariance : array or scipy.sparse matrix, optional
        The ``N x N`` covariance of the estimated ``h`` (default ``diag(stderr**2)``, for estimates
        whose ``h_j`` come from independent draws).
    notes : tuple of str, optional
        What an estimator wants the reader to know (diagnostics, remaining bias).

    Raises
    ------
    ValueError
        On construction, for values that are not a profile: non-finite, ``e`` of the wrong length or not
        the partial sums of ``h``, and (exact profiles) negative or increasing ``h`` beyond a relative
        rounding tolerance.

    Examples
    --------
    >>> import symsched as ss
    >>> p = ss.as_profile([0.7, 0.6, 0.1])
    >>> round(p.total_correlation, 12), round(p.dual_total_correlation, 12), p.exact
    (0.7, 1.1, True)
    >>> est = ss.InformationProfile((0.6, 0.7, 0.1), e=(0, 0.6, 1.3, 1.4), entropy=1.4,
    ...                           stderr=(0.05, 0.05, 0.05))
    >>> est.exact, round(est.entropy_stderr, 6)
    (False, 0.086603)
    >>> [round(x, 6) for x in est.monotone().h]
    [0.65, 0.65, 0.1]
    """

    _headline = "entropy"  # float(profile) is H(X); the result protocol (symsched.results)
    _fields = ("N", "h", "entropy", "total_correlation", "dual_total_correlation", "precision", "method", "base",
               "stderr", "exact")
    _repr_fields = ("N", "h", "precision", "method")

    h: tuple
    _: KW_ONLY
    e: tuple
    entropy: Any
    precision: str = "float"
    method: str = "given"
    base: Any = None
    stderr: tuple = field(default=())
    dps: int | None = None
    exact: bool | None = None
    covariance: Any = field(default=None, repr=False)
    notes: tuple = ()

    def __post_init__(self):
        if self.precision not in PRECISIONS:
            raise SymschedError(f"precision must be one of {PRECISIONS}, got {self.precision!r}")
        for name in ("h", "e"):
            v = getattr(self, name)
            if not isinstance(v, (list, tuple, np.ndarray)) or np.ndim(v) != 1:
                raise SymschedError(f"profile: {name} must be a sequence of numbers, got {type(v).__name__}")
            object.__setattr__(self, name, tuple(v))
        N = len(self.h)
        if N < 1:
            raise SymschedError("profile: h is empty (N must be >= 1)")
        if len(self.e) != N + 1:
            raise SymschedError(f"profile: e has {len(self.e)} entries, expected len(h) + 1 = {N + 1}")
        stderr = tuple(0.0 for _ in self.h) if not self.stderr else tuple(float(s) for s in self.stderr)
        if len(stderr) != N:
            raise SymschedError(f"profile: stderr has {len(stderr)} entries, expected len(h) = {N}")
        for j, s in enumerate(stderr):
            if not (math.isfinite(s) and s >= 0):
                raise SymschedError(f"profile: stderr[{j}] = {s!r} must be finite and >= 0")
        object.__setattr__(self, "stderr", stderr)
        exact = (not any(stderr)) if self.exact is None else bool(self.exact)
        if exact and any(stderr):
            raise SymschedError("profile: exact=True but some standard errors are non-zero; an estimate has "
                                "exact=False")
        object.__setattr__(self, "exact", exact)
        if isinstance(self.notes, str) or not all(isinstance(t, str) for t in self.notes):
            raise SymschedError(f"profile: notes must be a sequence of strings, got {self.notes!r}")
        object.__setattr__(self, "notes", tuple(self.notes))
        if self.covariance is not None:
            if exact:
                raise SymschedError("profile: a covariance was given for an exact profile")
            if sparse.issparse(self.covariance):
                cov = sparse.csr_matrix(self.covariance, dtype=float)
                values = cov.data
            else:
                cov = np.array(self.covariance, dtype=float)
                values = cov
            if cov.shape != (N, N) or not np.all(np.isfinite(values)):
                raise SymschedError(f"profile: covariance must be a finite {N} x {N} matrix, got shape {cov.shape}")
            values.setflags(write=False)
            object.__setattr__(self, "covariance", cov)
        _check_profile_values(self.h, monotone=exact)
        _check_partial_sums(self.h, self.e, self.entropy)

    def _field_items(self) -> list:
        # an estimator's notes are shown (and serialised) when there are any
        return super()._field_items() + ([("notes", self.notes)] if self.notes else [])

    # -- uncertainty ----------------------------------------------------------------------------
    def covariance_matrix(self):
        """Covariance of the estimated ``h``: the estimator's own (dense array or scipy.sparse matrix),
        else the sparse ``diag(stderr**2)`` (zero for an exact profile)."""
        if self.covariance is not None:
            return self.covariance
        return sparse.diags(np.asarray(self.stderr, dtype=float) ** 2, format="csr")

    def _weights(self, weights: Sequence[float], where: str) -> np.ndarray:
        """``weights`` as a float vector of length N (one per ``h_j``)."""
        w = np.asarray(weights, dtype=float)
        if w.shape != (self.N,):
            raise SymschedError(f"{where}: need {self.N} weights, got shape {w.shape}")
        return w

    def linear_stderr(self, weights: Sequence[float]) -> float:
        """Standard error of ``sum_j weights[j] h_j`` (``sqrt(w' C w)``; 0 for an exact profile)."""
        if self.exact:
            return 0.0
        w = self._weights(weights, "linear_stderr")
        C = self.covariance_matrix()
        var = float(w @ (C @ w))
        # Constraints (exact H, TC) make some combinations exactly certain: clear rounding residue.
        floor = 1e-14 * float(np.abs(w).sum() ** 2) * max(float(np.max(C.diagonal())), 0.0)
        return math.sqrt(var) if var > floor else 0.0

    @property
    def entropy_stderr(self) -> float:
        """Standard error of ``H = sum_j h_j`` (0 when exact)."""
        return self.linear_stderr(np.ones(self.N))

    @property
    def total_correlation_stderr(self) -> float:
        """Standard error of ``TC = (N - 1) h_0 - sum_{j>=1} h_j`` (0 when exact)."""
        w = -np.ones(self.N)
        w[0] += self.N
        return self.linear_stderr(w)

    @property
    def dual_total_correlation_stderr(self) -> float:
        """Standard error of ``DTC = sum_j h_j - N h_{N-1}`` (0 when exact)."""
        w = np.ones(self.N)
        w[-1] -= self.N
        return self.linear_stderr(w)

    def monotone(self) -> InformationProfile:
        """The weighted isotonic-regression projection of an estimate (non-increasing and >= 0).

        Weights are ``1 / stderr_j**2`` (exact entries are kept fixed; equal weights when no standard
        errors are known). The projection averages runs of adjacent values. It keeps the estimate's
        standard errors and covariance (``linear_stderr`` of the projection is that of the same linear
        functional of the unprojected estimate, an upper bound); numbers computed on the projection
        (schedules' KLs) take their error from :meth:`projection_stderr`, a bootstrap of the projection
        itself, which neither overstates the error where the projection pools nor, unlike the delta
        method given the pooling, reports zero error inside a pooled run (whose pooling is random). When
        the estimate's total ``H`` is exact (zero ``entropy_stderr``), the projection keeps it: the
        fit is ``iso(y - lambda / w)`` with the multiplier ``lambda`` that restores the total. The
        result has ``exact=False`` and ``method`` suffixed ``"+isotonic"``. An exact profile is
        returned unchanged.

        Examples
        --------
        >>> import symsched as ss
        >>> p = ss.InformationProfile((0.5, 0.7, 0.2), e=(0, 0.5, 1.2, 1.4), entropy=1.4,
        ...                         stderr=(0.1, 0.1, 0.2))
        >>> q = p.monotone()
        >>> [round(x, 6) for x in q.h], q.method, q.exact
        ([0.6, 0.6, 0.2], 'given+isotonic', False)
        """
        if self.exact:
            return self
        if self.method.endswith("+isotonic"):
            return self
        if "_monotone" in self.__dict__:   # one projection per estimate: its bootstrap (projection_stderr) is kept
            return self.__dict__["_monotone"]
        y = self.as_array()
        se = np.asarray(self.stderr, dtype=float)
        h = _project(y, se, bool(any(se)) and self.entropy_stderr == 0)
        e = np.concatenate([[0.0], np.cumsum(h)])
        proj = InformationProfile(tuple(float(x) for x in h), e=tuple(float(x) for x in e), entropy=float(e[-1]),
                                  precision="float",
                                  method=self.method + "+isotonic", base=self.base, stderr=self.stderr, exact=False,
                                  covariance=self.covariance, notes=self.notes)
        object.__setattr__(self, "_monotone", proj)
        return proj

    def projection_stderr(self, weights: Sequence[float]) -> float:
        """Standard error of ``sum_j weights[j] h_j`` computed on the monotone projection of the estimate.

        The projection is not linear: where the estimate is flat within noise it pools runs, which shrinks
        the noise of a functional and biases it (a schedule's KL on a near-flat profile comes out too high
        on average, with a smaller spread than the raw estimate's), so ``sqrt(w' C w)`` overstates its
        error.  The error is measured on the projection itself by a parametric bootstrap centred at the
        projected profile ``m``: draws ``y* ~ N(m, C)`` (``C`` the covariance) are projected as
        :meth:`monotone` projects, and the standard error is the root mean square of ``w'(proj(y*) - m)``,
        spread and bias together.  Centring at ``m`` rather than at the raw estimate keeps the error of a
        difference inside a pooled run (flat in ``m``) at the size of the noise, which matters for schedules
        chosen on the estimate (they put their steps where the projection is flat).  :data:`PROJECTION_DRAWS`
        draws from a fixed seed (reproducible), computed once per profile.  Beyond
        :data:`PROJECTION_BOOTSTRAP_MAX_N` entries it is :meth:`linear_stderr`.  0 for an exact profile.

        Examples
        --------
        >>> import symsched as ss
        >>> p = ss.InformationProfile((0.5, 0.5, 0.5), e=(0, 0.5, 1.0, 1.5), entropy=1.5, stderr=(0.1, 0.1, 0.1))
        >>> w = [2, -1, -1]                               # TC = E KL of the schedule (3,)
        >>> 0 < p.monotone().projection_stderr(w) < p.linear_stderr(w)
        True
        """
        if self.exact:
            return 0.0
        w = self._weights(weights, "projection_stderr")
        draws = self._projection_draws()
        if draws is None:
            return self.linear_stderr(w)
        var = float(np.mean((draws @ w) ** 2))
        floor = 1e-14 * float(np.abs(w).sum() ** 2) * max(float(np.max(self.covariance_matrix().diagonal())), 0.0)
        return math.sqrt(var) if var > floor else 0.0

    @property
    def o_information_stderr(self) -> float:
        """Standard error of the O-information ``TC - DTC = N (h_0 + h_{N-1}) - 2 H`` (0 when exact)."""
        w = -2.0 * np.ones(self.N)
        w[0] += self.N
        w[-1] += self.N
        return self.linear_stderr(w)

    def _projection_draws(self) -> np.ndarray | None:
        """``proj(y*) - m`` for the bootstrap of :meth:`projection_stderr` (cached on the profile)."""
        if "_proj_draws" in self.__dict__:
            return self.__dict__["_proj_draws"]
        out = None
        if self.N <= PROJECTION_BOOTSTRAP_MAX_N:
            se = np.asarray(self.stderr, dtype=float)
            C = self.covariance_matrix()
            C = C.toarray() if sparse.issparse(C) else np.asarray(C, dtype=float)
            keep_total = bool(any(se)) and self.linear_stderr(np.ones(self.N)) == 0
            m = self.as_array()
            if not self.method.endswith("+isotonic"):
                m = _project(m, se, keep_total)
            ys = m + _gaussian_draws(C, PROJECTION_DRAWS, np.random.default_rng(20261207))
            ys[:, se == 0] = m[se == 0]           # exact entries stay exact
            out = np.array([_project(v, se, keep_total, fast=True) for v in ys]) - m
        object.__setattr__(self, "_proj_draws", out)
        return out

    _items = "h"  # a profile is its h values: len, indexing, iteration (results.ItemsView)

    @property
    def N(self) -> int:
        return len(self.h)

    @property
    def digits(self) -> int:
        """Printed digits: those of the precision (``dps`` for mpmath), unless set by :meth:`with_digits`."""
        own = self.__dict__.get("_digits")
        return own if own is not None else digits_for(self.precision, self.dps)

    @property
    def arithmetic(self):
        return arithmetic(self.precision, self.dps, self.base)

    def _finish(self, values) -> Any:
        ar = self.arithmetic
        with ar.workprec():
            total = ar.sum(values)
        return ar.finalize(total) if self.precision != "float" else float(total)

    # -- derived measures ---------------------------------------------------------------------
    @property
    def total_correlation(self) -> Any:
        """``TC = sum_i H(X_i) - H = sum_j (h_0 - h_j)``: the area above the profile."""
        with self.arithmetic.workprec():
            return self._finish([self.h[0] - hj for hj in self.h])

    @property
    def dual_total_correlation(self) -> Any:
        """``DTC = H - sum_i H(X_i | X_-i) = sum_j (h_j - h_{N-1})``: the area below the profile."""
        with self.arithmetic.workprec():
            return self._finish([hj - self.h[-1] for hj in self.h])

    @property
    def o_information(self) -> Any:
        """``TC - DTC``."""
        with self.arithmetic.workprec():
            return self._finish([self.h[0] - hj for hj in self.h] + [self.h[-1] - hj for hj in self.h])

    def numeric(self) -> InformationProfile:
        """The same profile in floats (symbols must be resolved)."""
        if self.precision == "float":
            return self
        return InformationProfile(tuple(to_float(x, "h") for x in self.h), e=tuple(to_float(x, "e") for x in self.e),
                                  entropy=to_float(self.entropy, "entropy"), precision="float", method=self.method,
                                  base=self.base,
                                  stderr=tuple(float(s) for s in self.stderr), exact=self.exact,
                                  covariance=self.covariance)

    def as_array(self) -> np.ndarray:
        """``h`` as a float64 array."""
        return np.array([to_float(x, "h") for x in self.h], dtype=float)

    def subs(self, mapping) -> InformationProfile:
        """Substitute symbols in a symbolic profile."""
        def f(x):
            return simplify_information(sp.sympify(x).subs(mapping))
        return InformationProfile(tuple(map(f, self.h)), e=tuple(map(f, self.e)), entropy=f(self.entropy),
                                  precision=self.precision, method=self.method, base=self.base, stderr=self.stderr,
                                  dps=self.dps, exact=self.exact,
                                  covariance=self.covariance)

    # -- display ------------------------------------------------------------------------------
    def latex(self) -> str:
        """LaTeX of the profile's values and its TC / DTC (with ``\\pm`` standard errors for an estimate):
        one line when it fits the page, else an ``aligned`` block (one ``h_j`` per line for a symbolic
        profile, long sums broken after whole terms)."""
        def fmt(x):
            return sp.latex(sp.sympify(x)) if self.precision == "symbolic" else latex_number(x, self.digits)

        def pm(x, se):
            if self.exact:
                return fmt(x)
            return rf"{latex_number(float(x), estimate_digits(x, se, self.digits))} \pm {latex_number(float(se), 2)}"

        measures = [("H", self.entropy, self.entropy_stderr),
                    (r"\mathrm{TC}", self.total_correlation, self.total_correlation_stderr),
                    (r"\mathrm{DTC}", self.dual_total_correlation, self.dual_total_correlation_stderr)]
        unit = "" if self.base is None else rf"\ (\log_{{{self.base}}})"
        tag = "" if self.exact else r",\quad \text{(estimate)}"
        hs = ", ".join(fmt(x) for x in self.h)
        one = (rf"h = \left({hs}\right),\quad " + r",\quad ".join(f"{k} = {pm(v, se)}" for k, v, se in measures)
               + unit + tag)
        if latex_width(one) <= LATEX_WIDTH:
            return one
        if self.precision == "symbolic":
            rows = [(f"h_{{{j}}}", sp.sympify(x)) for j, x in enumerate(self.h)]
            rows += [(k, sp.sympify(v)) for k, v, _ in measures]
        else:
            rows = [("h", [fmt(x) for x in self.h])] + [(k, pm(v, se)) for k, v, se in measures]
        if unit:
            rows.append((r"\text{base}", sp.latex(sp.sympify(self.base))))
        if not self.exact:
            rows.append((None, r"\text{(estimate)}"))
        return latex_equations(rows)

    #: Kept for callers: tables longer than this are summarised (symsched.printing.HTML_MAX_ROWS).
    HTML_MAX_ROWS = 40

    def _table(self) -> Table:
        """One row per ``j``: ``h_j`` (with its standard error for an estimate) and ``e_{j+1}``; H, TC and
        DTC under it (``± stderr`` for an estimate), then the estimator's notes."""
        estimate = not getattr(self, "exact", True) or any(float(x) > 0 for x in self.stderr)
        unit = "nats" if self.base is None else f"log base {self.base}"
        title = f"InformationProfile: N = {self.N}, {self.method}, {self.precision}, {unit}" + \
            (", estimate (value ± standard error)" if estimate else ", exact")
        summary = []
        for name, value, se in (("H", self.entropy, "entropy_stderr"),
                                ("TC", self.total_correlation, "total_correlation_stderr"),
                                ("DTC", self.dual_total_correlation, "dual_total_correlation_stderr")):
            summary.append((name, Estimate(float(value), float(getattr(self, se)), name) if estimate else value))
        notes = (("e_{j+1} is the running sum of the estimated h_j",) if estimate else ()) + \
            tuple(f"note: {_clip(str(n), 300)}" for n in getattr(self, "notes", ()))
        if estimate:
            rows = [(j, self.h[j], self.stderr[j], self.e[j + 1]) for j in range(self.N)]
            return Table(("j", "h_j", "stderr", "e_{j+1}"), rows, title=title, summary=tuple(summary), notes=notes,
                         stderr={"h_j": "stderr"})
        rows = [(j, self.h[j], self.e[j + 1]) for j in range(self.N)]
        return Table(("j", "h_j", "e_{j+1}"), rows, title=title, summary=tuple(summary), notes=notes)

    def __repr__(self) -> str:
        if self.precision == "float":
            hs = ", ".join(f"{x:.6g}" for x in self.h[:8]) + (", ..." if self.N > 8 else "")
        else:
            hs = ", ".join(_clip(str(x)) for x in self.h[:6]) + (", ..." if self.N > 6 else "")
        tail = "" if self.exact else ", exact=False"
        return f"InformationProfile(N={self.N}, h=({hs}), precision={self.precision!r}, method={self.method!r}{tail})"


def _clip(text: str, width: int = 24) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def _numeric_values(values: Sequence[Any], name: str) -> np.ndarray | None:
    """Floats of ``values`` (refusing non-finite ones), or None when some value has free symbols."""
    if all(type(x) is float or type(x) is int for x in values):  # fast path for plain float profiles
        out = np.asarray(values, dtype=float)
    else:
        out = np.empty(len(values))
        for j, x in enumerate(values):
            if isinstance(x, sp.Basic) and x.free_symbols:
                return None  # cannot order symbolic values; trust the caller
            out[j] = to_float(x, f"{name}[{j}]")
    bad = np.flatnonzero(~np.isfinite(out))
    if bad.size:
        j = int(bad[0])
        raise SymschedError(f"profile: {name}[{j}] = {values[j]!r} is not finite")
    return out


def _check_profile_values(h: Sequence[Any], monotone: bool = True) -> None:
    """Refuse non-finite values and, when ``monotone``, negative or increasing ones.

    The tolerance is relative (``SUM_TOLERANCE`` times the largest ``|h_j|``), so a profile of size
    1e-10 that is out of order is refused just like one of size 1; differences below 1e-14 nats count
    as equal (a float entropy of a near-deterministic marginal, -(1-d) log(1-d), carries an absolute
    rounding error of that order, so equal conditional entropies may come out 1e-16 apart).
    """
    numeric = _numeric_values(h, "h")
    if numeric is None or not monotone:
        return
    tol = max(SUM_TOLERANCE * float(np.max(np.abs(numeric))), 1e-14)
    neg = np.flatnonzero(numeric < -tol)
    if neg.size:
        j = int(neg[0])
        raise SymschedError(f"profile: h[{j}] = {h[j]!r} is negative (conditional entropies are >= 0)")
    up = np.flatnonzero(numeric[1:] > numeric[:-1] + tol)
    if up.size:
        j = int(up[0]) + 1
        raise SymschedError(
            f"profile: h[{j}] = {numeric[j]!r} > h[{j - 1}] = {numeric[j - 1]!r}; an information profile is "
            "non-increasing (an estimate is built with its stderr, or pass check=False to as_profile)")


def _check_partial_sums(h: Sequence[Any], e: Sequence[Any], entropy: Any) -> None:
    """``e_0 = 0``, ``e_{j+1} - e_j = h_j`` and ``entropy = e_N`` (to a relative rounding tolerance)."""
    hv, ev = _numeric_values(h, "h"), _numeric_values(e, "e")
    ent = _numeric_values([entropy], "entropy")
    if hv is None or ev is None or ent is None:
        return
    tol = SUM_TOLERANCE * max(float(np.max(np.abs(ev))), float(np.max(np.abs(hv))), 1e-300)
    if abs(ev[0]) > tol:
        raise SymschedError(f"profile: e[0] = {e[0]!r}, expected 0 (the entropy of no variables)")
    off = np.flatnonzero(np.abs(np.diff(ev) - hv) > tol)
    if off.size:
        j = int(off[0])
        raise SymschedError(f"profile: e[{j + 1}] - e[{j}] = {ev[j + 1] - ev[j]!r} differs from h[{j}] = "
                            f"{hv[j]!r}; e must be the partial sums of h")
    if abs(ent[0] - ev[-1]) > tol:
        raise SymschedError(f"profile: entropy = {entropy!r} differs from e[N] = {e[-1]!r}")


def _pava_blocks(y: np.ndarray, w: np.ndarray) -> list:
    """Block starts of the weighted non-increasing isotonic regression (pool adjacent violators)."""
    starts, wsum, vals = [], [], []
    for i in range(y.size):
        starts.append(i)
        wsum.append(float(w[i]))
        vals.append(float(y[i]))
        while len(vals) > 1 and vals[-2] < vals[-1]:
            w1, v1 = wsum.pop(), vals.pop()
            starts.pop()
            vals[-1] = (vals[-1] * wsum[-1] + v1 * w1) / (wsum[-1] + w1)
            wsum[-1] += w1
    return starts + [y.size]


def _gaussian_draws(C: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws of ``N(0, C)`` for a positive semi-definite ``C`` (a Cholesky factor of the part with non-zero
    variance when it exists, else the symmetric square root; zero-variance entries stay 0)."""
    C = (C + C.T) / 2
    live = np.flatnonzero(np.diag(C) > 0)
    out = np.zeros((n, C.shape[0]))
    if live.size == 0:
        return out
    sub = C[np.ix_(live, live)]
    try:
        root = np.linalg.cholesky(sub)
    except np.linalg.LinAlgError:   # singular (e.g. an exact total imposed): the eigen-square root
        vals, vecs = np.linalg.eigh(sub)
        root = vecs * np.sqrt(np.maximum(vals, 0.0))
    out[:, live] = rng.standard_normal((n, live.size)) @ root.T
    return out


def _project(y: np.ndarray, se: np.ndarray, keep_total: bool, fast: bool = False) -> np.ndarray:
    """The projection of :meth:`InformationProfile.monotone`: weighted isotonic (keeping the total when
    ``keep_total``), then clipped at 0.  ``fast``: scipy's fit directly (exact entries pinned by their
    weight rather than exactly; for the bootstrap of :meth:`InformationProfile.projection_stderr`)."""
    h = _iso_fit(y, se, fast)
    if keep_total and abs(h.sum() - y.sum()) > 1e-12 * max(abs(y.sum()), 1.0):
        # H is known exactly (e.g. Monte Carlo on a Bayesian network): project onto the valid
        # profiles with that total, so that H, TC and DTC of the projection stay exact.
        h = _isotonic_with_total(y, se, float(y.sum()), fast)
    return np.maximum(h, 0.0)  # isotonic then clip at 0: the projection onto h >= 0


def _iso_fit(y: np.ndarray, stderr: np.ndarray, fast: bool = False) -> np.ndarray:
    if fast and _scipy_isotonic is not None:
        return _scipy_isotonic(y, weights=_isotonic_weights(stderr)[0], increasing=False).x
    return _isotonic_map(y, stderr) @ y


def _isotonic_with_total(y: np.ndarray, stderr: np.ndarray, total: float, fast: bool = False) -> np.ndarray:
    """Weighted non-increasing least squares subject to ``sum(x) = total``: ``x = iso(y - lambda / w)``
    (the KKT conditions), ``lambda`` found by bisection (the total is continuous and non-increasing in
    ``lambda``). Falls back to the unconstrained fit if the total cannot be met."""
    w = _isotonic_weights(stderr)[0]

    def fit(lam: float) -> np.ndarray:
        return _iso_fit(y - lam / w, stderr, fast)

    scale = float(w.max()) * (float(np.ptp(y)) + abs(total) + 1.0)
    lo, hi = -scale, scale
    if not fit(lo).sum() >= total >= fit(hi).sum():
        return _iso_fit(y, stderr, fast)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        x = fit(mid)
        gap = x.sum() - total
        if abs(gap) <= 1e-14 * max(abs(total), 1.0):
            return x
        lo, hi = (mid, hi) if gap > 0 else (lo, mid)
    return fit(0.5 * (lo + hi))


def _isotonic_weights(stderr: np.ndarray) -> tuple:
    """Weights ``1 / stderr**2`` with exact entries pinned (1e12 times the largest), and the exact mask."""
    exact = stderr == 0
    if exact.all():
        return np.ones(stderr.size), np.zeros(stderr.size, dtype=bool)
    w = np.where(exact, 1.0, 1.0 / np.where(exact, 1.0, stderr) ** 2)
    return np.where(exact, 1e12 * float(w[~exact].max()), w), exact


def _isotonic_map(y: np.ndarray, stderr: np.ndarray) -> sparse.csr_matrix:
    """The averaging matrix ``A`` of the weighted non-increasing isotonic regression of ``y``.

    Weights ``1 / stderr**2``; entries with zero stderr are exact and are kept fixed (a run containing
    them takes their mean; in the fit they get a weight 1e12 times the largest other one); equal weights
    when nothing is known. The runs come from ``scipy.optimize.isotonic_regression`` (scipy >= 1.12) or
    a pool-adjacent-violators pass; the fit is ``A @ y``, each run replaced by its weighted mean.
    """
    w, exact = _isotonic_weights(stderr)
    if _scipy_isotonic is not None:
        blocks = [int(b) for b in _scipy_isotonic(y, weights=w, increasing=False).blocks]
    else:
        blocks = _pava_blocks(y, w)
    rows, cols, vals = [], [], []
    for s0, e0 in zip(blocks, blocks[1:]):
        fixed = exact[s0:e0]
        coef = fixed / fixed.sum() if fixed.any() else w[s0:e0] / w[s0:e0].sum()
        idx = np.arange(s0, e0)
        rows.append(np.repeat(idx, idx.size))
        cols.append(np.tile(idx, idx.size))
        vals.append(np.tile(coef, idx.size))
    # Sparse: each run is a dense block, the rest is zero.
    return sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                             shape=(y.size, y.size))


def as_profile(profile: Any, check: bool = True, base: Any = None) -> InformationProfile:
    """Coerce a profile or a plain sequence of ``h`` values into an :class:`InformationProfile`.

    Parameters
    ----------
    profile : InformationProfile or sequence
        A profile, or ``h_0..h_{N-1}`` as numbers (float, Fraction, mpf or sympy).
    check : bool
        Refuse negative, non-finite or increasing values (default True). With ``check=False`` a
        sequence that is not non-increasing is taken as an estimate (``exact=False``, no standard
        errors known), which schedules use through its monotone projection.

    Raises
    ------
    ValueError
        For an empty sequence or values that are not an information profile.
    """
    if isinstance(profile, InformationProfile):
        return profile
    if isinstance(profile, (str, bytes)) or not hasattr(profile, "__len__"):
        raise SymschedError(f"profile: expected an InformationProfile or a sequence of h values, got "
                            f"{type(profile).__name__}")
    values = list(np.asarray(profile, dtype=object).ravel()) if isinstance(profile, np.ndarray) else list(profile)
    if not values:
        raise SymschedError("profile: empty sequence of h values (N must be >= 1)")
    try:
        if check:
            _check_profile_values(values)
            exact = True
        else:
            _check_profile_values(values, monotone=False)
            try:
                _check_profile_values(values)
                exact = True
            except SymschedError:
                exact = False
    except SymschedError as exc:
        # name the argument: callers pass it as ``profile`` (issue 12)
        if type(exc) is SymschedError and not str(exc).startswith("profile"):
            raise SymschedError(f"profile: {exc}") from None
        raise
    precision = profile_precision(values)
    ar = arithmetic(precision)
    h = tuple(ar.convert(v, f"h[{j}]") for j, v in enumerate(values))
    if precision == "float":
        e = tuple(float(x) for x in np.concatenate([[0.0], np.cumsum(h)]))
    else:
        acc, e_list = ar.zero, [ar.zero]
        with ar.workprec():
            for x in h:
                acc = acc + x
                e_list.append(acc)
        e = tuple(e_list)
    return InformationProfile(h, e=e, entropy=e[-1], precision=precision,
                              method="given" if exact else "given (unchecked)", base=base, exact=exact)
