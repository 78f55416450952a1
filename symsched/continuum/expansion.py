"""Asymptotic expansions of ``E KL`` for ``h_j = φ(j/N)`` in the small parameters ``1/K`` and ``1/N``.

Derived in symsched, following Lavenant & Zanella (the leading terms); every term is checked
numerically by :mod:`symsched.continuum.verify`.

The exact two-scale identity
----------------------------
For any integer schedule with breakpoints ``s_t`` (grid ``u_t = s_t/N``) and ``h_j = φ(j/N)``,

    E KL = Σ_t k_t φ(s_{t−1}/N) − Σ_{j<N} φ(j/N) = N·R(grid) − N·E_N,

where ``R(grid) = Σ_t (u_t − u_{t−1}) φ(u_{t−1}) − ∫₀¹φ`` is the left-Riemann error of ``∫φ`` on the
schedule's grid and ``E_N`` the same on the uniform grid ``j/N``.  Euler–Maclaurin for left sums
(``B_1 = −½``) gives ``E_M = Σ_{p≥1} B_p/p! · M^{−p} · D_{p−1}``, ``D_q = φ^{(q)}(1) − φ^{(q)}(0)``.

Constant schedule (``K | N``): ``R = E_K``, so exactly in the asymptotic sense

    E KL = Σ_{p≥1} (B_p/p!) D_{p−1} (N/K^p − N^{1−p})
         = ½Δ(N/K − 1) + (D_1/12)(N/K² − 1/N) − (D_3/720)(N/K⁴ − 1/N³) + …

(odd ``p ≥ 3`` vanish).  For linear ``φ`` only ``p = 1`` survives: ``½Δ(N/K − 1)`` exactly.

Density schedules (breakpoints ``u_t = G^{−1}(t/K)``, ``G′ = 1/κ``, ``∫1/κ = 1``)
-------------------------------------------------------------------------------------
Write ``U = G^{−1}`` and ``D = κ(u) d/du`` (so ``d/dv`` in the quantile variable ``v = G(u)`` is ``D``).
The block starting at ``v`` with width ``1/K`` in ``v`` contributes
``F(v, h) = (U(v+h) − U(v)) φ(U(v)) − ∫_{U(v)}^{U(v+h)} φ = Σ_{m≥2} c_m(U(v)) h^m`` with

    c_m = (φ · D^{m−1}κ − D^{m−1}(φκ)) / m!,     c_2 = ½ f κ².

Euler–Maclaurin over the blocks (``Σ_{t<K} C(t/K) = K∫C dv + Σ_p B_p/p! K^{1−p}[C^{(p−1)}]_0^1``) gives
``R = Σ_{n≥1} a_n K^{−n}`` with

    a_n = ∫₀¹ c_{n+1}/κ du + Σ_{m=2}^{n} B_p/p! [D^{p−1} c_m]_0^1,   p = n − m + 1,

so ``a_1 = ½∫fκ`` (the leading constant) and ``E KL ≈ Σ_n a_n N/K^n − Σ_p (B_p/p!) D_{p−1} N^{1−p}``.

Assumptions: ``φ`` and ``κ`` smooth on ``[0, 1]``, ``κ`` bounded away from 0 and ∞ (for the optimal
density: ``f > 0`` on ``[0, 1]``); *exact breakpoints* — ``N G^{−1}(t/K)`` integers, or the
identity above read with real ``s_t`` (:func:`exact_breakpoint_kl`; it equals the discrete ``E KL``
whenever the ``s_t`` are integers).  Rounding to integers ``s_t = N u_t + δ_t`` changes ``E KL`` by
``Σ_t ∂R/∂u_t·δ_t`` (``∂R/∂u_t = O(K^{−2})``, and ``O(K^{−3})`` near the optimal density) plus
``(1/N) Σ_t f(u_t)(δ_t² − δ_t δ_{t+1}) + …``, which is ``≈ (K/(12N)) ∫ f/κ`` when the fractional parts
are equidistributed and uncorrelated: an ``O(K/N)`` term that no smooth expansion carries (at fixed
ratio ``r = N/K`` it is the quantization effect of docs/concepts.md §4).  No ``K/N`` term appears with exact
breakpoints (:func:`rounding_effect` computes these terms for a given K, N).
"""

from __future__ import annotations

import weakref
from dataclasses import KW_ONLY, dataclass, field
from typing import Any
from collections.abc import Callable, Sequence

import mpmath
import numpy as np
import sympy as sp

from ..errors import SymschedError
from ..results import Result
from ..parsing import as_expression
from . import checks, symbolic
from .limit_profiles import LimitProfile, _mp_lambdify
from .quantiles import QuantileEngine

__all__ = ["Expansion", "expected_kl_expansion", "optimal_density", "density_breakpoints",
           "exact_breakpoint_kl", "riemann_error", "rounding_effect", "N_SYMBOL", "K_SYMBOL"]

N_SYMBOL = sp.Symbol("N", positive=True)
K_SYMBOL = sp.Symbol("K", positive=True)


def _bernoulli(p: int) -> sp.Rational:
    # sympy >= 1.12 returns B_1 = +1/2; the left-sum Euler–Maclaurin formula needs B_1 = -1/2
    return sp.Rational(-1, 2) if p == 1 else sp.bernoulli(p)


#: Largest N for which the exact-breakpoint sums are evaluated (N evaluations of phi at dps digits).
MAX_N = 1_000_000

# phi already checked (a check's outcome never changes a result, only whether one is given)
_CHECKED: set = set()
_CHECKED_PROFILES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class _Phi:
    """``φ`` as sympy (for derivations) and as mpmath derivatives (for numbers)."""

    def __init__(self, phi: Any, u: Any = None):
        if isinstance(phi, LimitProfile):
            if not phi.is_regular:
                raise SymschedError(
                    f"phi: the limit profile {phi.name!r} has an atom at an end point; the expansion needs "
                    "a smooth phi (use .regular_part() and add .atom_cost(schedule))")
            self.profile = phi
        else:
            expr = as_expression(phi, [u] if isinstance(u, sp.Symbol) else (), "phi")
            if u is None:
                syms = list(expr.free_symbols)
                if len(syms) > 1:
                    raise SymschedError(f"phi has symbols {sorted(map(str, syms))}: pass u= (the variable on [0, 1])")
                u = syms[0] if syms else sp.Symbol("u", real=True)
            if not isinstance(u, sp.Symbol):
                raise SymschedError(f"u: expected a sympy Symbol, got {u!r}")
            extra = expr.free_symbols - {u}
            if extra:
                raise SymschedError(f"phi: symbols {sorted(map(str, extra))} besides u={u}: substitute numbers")
            self.profile = LimitProfile(expr, u, name="phi")
        self.expr, self.u = self.profile.expr, self.profile.u
        self._check()

    def _check(self) -> None:
        """Refuse a phi that is not finite, real and non-increasing (once per expression or profile)."""
        p = self.profile
        key = (self.expr, self.u) if p._numeric is None else None
        if (key in _CHECKED) if key is not None else (p in _CHECKED_PROFILES):
            return

        def value(x, n):
            try:
                v = p.derivative(x, n)
            except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                return mpmath.nan
            return v if isinstance(v, mpmath.mpf) else mpmath.nan

        symbolic.check_phi(self.expr, self.u, lambda x: value(x, 0), lambda x: -value(x, 1),
                           symbolic=p._numeric is None)
        if key is not None:
            if len(_CHECKED) > 512:
                _CHECKED.clear()
            _CHECKED.add(key)
        else:
            _CHECKED_PROFILES[p] = True

    def d(self, x: Any, n: int = 0) -> mpmath.mpf:
        return self.profile.derivative(x, n)


@dataclass(eq=False, repr=False)
class Expansion(Result):
    """An asymptotic expansion of ``E KL`` in monomials ``N^a K^b``.

    Attributes
    ----------
    schedule : str
        ``"constant"``, ``"optimal"`` or ``"density"``.
    terms : list of (label, coefficient)
        Coefficients are sympy expressions (unevaluated ``Integral`` where sympy found no closed form).
    monomials : list of sympy expressions
        ``N^a K^b`` multiplying each coefficient (in ``N_SYMBOL``, ``K_SYMBOL``).
    levels : list of int
        Order of each term in ``1/N`` at fixed ratio ``r = N/K``: the term is ``O(N^{−level})``.
    assumptions : tuple of str
    kappa : sympy expression or None
        The relative block-size density (``None`` for the constant schedule).

    Examples
    --------
    >>> import sympy as sp
    >>> u = sp.Symbol("u")
    >>> ex = expected_kl_expansion(1 - u, u)
    >>> ex.truncation() == ex.N / (2 * ex.K) - sp.Rational(1, 2)
    True
    """

    schedule: str
    phi: Any
    u: sp.Symbol
    _: KW_ONLY
    terms: list
    monomials: list
    levels: list
    assumptions: tuple
    kappa: Any = None
    _numeric: list = field(default_factory=list, repr=False)   # per term: dps -> mpf

    N = N_SYMBOL
    K = K_SYMBOL
    # the result protocol (symsched.results): no single headline number
    _fields = ("schedule", "phi", "kappa", "terms", "monomials", "levels", "assumptions")
    _repr_fields = ("schedule", "phi")

    def __post_init__(self):
        self._freeze()

    def __len__(self) -> int:
        return len(self.terms)

    def truncation(self, n_terms: int | None = None) -> sp.Expr:
        """Sum of the first ``n_terms`` terms (all by default) as a sympy expression in ``N``, ``K``."""
        n = len(self.terms) if n_terms is None else int(n_terms)
        return sp.Add(*[c * m for (_, c), m in zip(self.terms[:n], self.monomials[:n])])

    def truncation_level(self, level: int) -> sp.Expr:
        """Sum of the terms of fixed-ratio order ``N^{−l}`` for ``l ≤ level``."""
        return sp.Add(*[c * m for (_, c), m, lv in zip(self.terms, self.monomials, self.levels) if lv <= level])

    def numeric_coefficients(self, dps: int = 30) -> list:
        """The coefficients as mpmath numbers at ``dps`` digits."""
        with mpmath.workdps(dps + 10):
            vals = [fn(dps + 10) for fn in self._numeric]
        with mpmath.workdps(dps):
            return [+v for v in vals]

    def term_values(self, N: Any, K: Any, dps: int = 30) -> list:
        """Each term's value at ``(N, K)``."""
        coeffs = self.numeric_coefficients(dps)
        with mpmath.workdps(dps + 10):
            out = []
            for c, m in zip(coeffs, self.monomials):
                a, b = _powers(m)
                out.append(c * mpmath.mpf(N) ** a * mpmath.mpf(K) ** b)
        return out

    def evaluate(self, N: Any, K: Any, dps: int = 30, n_terms: int | None = None,
                 level: int | None = None) -> mpmath.mpf:
        """Numeric value of a truncation at ``(N, K)`` (first ``n_terms``, or all terms up to ``level``)."""
        vals = self.term_values(N, K, dps)
        if level is not None:
            vals = [v for v, lv in zip(vals, self.levels) if lv <= level]
        elif n_terms is not None:
            vals = vals[:int(n_terms)]
        with mpmath.workdps(dps):
            return +mpmath.fsum(vals)

    @property
    def max_level(self) -> int:
        return max(self.levels)

    def latex(self) -> str:
        """LaTeX of ``E KL ≈ Σ coefficient · monomial``."""
        parts = []
        for (_, c), m in zip(self.terms, self.monomials):
            parts.append(rf"\left({sp.latex(c)}\right){sp.latex(m)}" if m != 1 else rf"\left({sp.latex(c)}\right)")
        return r"\mathbb{E}\,\mathrm{KL} \approx " + " + ".join(parts)

    def __str__(self) -> str:
        lines = [f"Expansion(schedule={self.schedule!r}, phi={self.phi}" +
                 (f", kappa={self.kappa}" if self.kappa is not None else "") + ")"]
        for (label, c), lv in zip(self.terms, self.levels):
            lines.append(f"  [{label:>8}] (fixed-ratio order N^-{lv}): {c}")
        return "\n".join(lines)


def _powers(m: sp.Expr) -> tuple:
    """``(a, b)`` of a monomial ``N^a K^b``."""
    d = m.as_powers_dict()
    return int(d.get(N_SYMBOL, 0)), int(d.get(K_SYMBOL, 0))


def _numeric_sympy(expr: sp.Expr, u: sp.Symbol) -> Callable:
    """``dps -> value`` of a constant sympy expression that may hold ``Integral``s over ``u``."""
    def value(dps, expr=expr):
        with mpmath.workdps(dps):
            e = expr
            for integral in sorted(e.atoms(sp.Integral), key=sp.count_ops):
                (var, lo, hi), = integral.limits
                f = _mp_lambdify(integral.function, var)
                v = mpmath.quad(lambda x: f(x), [lo, hi])
                e = e.xreplace({integral: sp.Float(v, dps)})
            if e.free_symbols:
                raise SymschedError(f"coefficient {expr} has unresolved symbols {e.free_symbols}")
            return mpmath.mpf(sp.N(e, dps))
    return value


def _tidy(e: sp.Expr) -> sp.Expr:
    # no simplify(): it merges logarithms into log(huge rational), unreadable and slow to print
    e = sp.expand_log(sp.expand(e), force=True)
    return sp.collect(e, [sp.log(p) for p in (2, 3, 5, 7)]) if e.has(sp.log) else e


def _maybe_integrate(expr: sp.Expr, u: sp.Symbol) -> sp.Expr:
    # closed forms only where sympy is quick and reliable (rational functions, polynomials)
    expr = sp.together(sp.cancel(expr)) if expr.is_rational_function(u) else expr
    if expr.is_rational_function(u):
        try:
            res = sp.integrate(expr, (u, 0, 1))
            if not res.has(sp.Integral):
                return _tidy(res)
        except Exception:  # pragma: no cover - sympy internals
            pass
    return sp.Integral(expr, (u, 0, 1))


def _require_positive_f(P: _Phi) -> None:
    """The optimal density ``κ* ∝ f^{−1/2}`` is infinite where ``f = 0``: refuse such a ``φ`` clearly."""
    f = -sp.diff(P.expr, P.u)
    for end in (0, 1):
        v = None
        if not P.expr.has(sp.Sum, sp.Integral):
            v = symbolic.try_sympy(lambda: sp.limit(f, P.u, end, "+" if end == 0 else "-"), 10.0)
        if v is None or v.free_symbols:
            with mpmath.workdps(30):
                v = -P.d(end, 1)
            zero = mpmath.isfinite(v) and abs(v) < mpmath.mpf(10) ** -25
        else:
            zero = v == 0
        if zero:
            raise SymschedError(f"schedule='optimal' needs f = -phi' > 0 on [0, 1], but f({end}) = 0 for phi = "
                                f"{P.expr}: the optimal density (int sqrt f)/sqrt f is infinite there and the "
                                "expansion's higher coefficients do not exist; use riemann_limit(phi).leading_"
                                "constant for the leading term")


def optimal_density(phi: Any, u: Any = None) -> sp.Expr:
    """``κ*(u) = (∫₀¹√f)/√f(u)``, ``f = −φ′`` (normalised: ``∫1/κ* = 1``).

    >>> import sympy as sp
    >>> u = sp.Symbol("u")
    >>> sp.simplify(optimal_density(1/(1 + 3*u), u))
    2*(3*u + 1)*log(2)/3
    """
    P = _Phi(phi, u)
    f = -sp.diff(P.expr, P.u)
    if f == 0 or symbolic.try_sympy(lambda: sp.simplify(f) == 0, 10.0) is True:
        raise SymschedError(f"phi = {P.expr}: f = -phi' vanishes identically (independent tokens), so every schedule "
                            "has zero leading error and the optimal density is undefined")
    sq = sp.sqrt(sp.factor(f))
    sq = sp.powdenest(sq, force=True) if sq.is_positive is not False else sq
    C = _maybe_integrate(sq, P.u) if not P.expr.has(sp.Sum) else sp.Integral(sq, (P.u, 0, 1))
    if isinstance(C, sp.Integral):
        try:
            res = sp.integrate(sq, (P.u, 0, 1))
            C = res if not res.has(sp.Integral) else C
        except Exception:  # pragma: no cover
            pass
    if not C.has(sp.Integral):
        C = sp.expand_log(C, force=True)
    return C / sq


def _density_terms(P: Any, schedule: Any, kind: str, order: int, assumptions: list) -> tuple:
    """``(κ, [(n, coefficient of N/K^n, its numeric evaluator)])`` for the optimal or a given density ``κ``.

    The terms come from the Euler–Maclaurin expansion of the blocks' costs along the density (module
    docstring); ``assumptions`` gets what this relies on.
    """
    x = P.u
    n_terms_K: list = []
    if kind == "optimal":
        _require_positive_f(P)
        kap = optimal_density(P.expr, x)
        assumptions.append("optimal density kappa* = (int sqrt f)/sqrt f with f = -phi' > 0 on [0, 1]")
    else:
        kap = _density(schedule, x, "schedule density kappa")
        extra = kap.free_symbols - {x}
        if extra:
            raise SymschedError(f"kappa: symbols {sorted(map(str, extra))} besides {x}")
        norm = float(_numeric_sympy(sp.Integral(1 / kap, (x, 0, 1)), x)(30))
        if abs(norm - 1) > 1e-12:
            raise SymschedError(f"kappa = {kap}: int_0^1 du/kappa = {norm:.15g}, expected 1 "
                                "(the schedule has K blocks); divide kappa by that integral yourself")
        assumptions.append("kappa smooth, bounded away from 0 and infinity")
    assumptions.append("exact breakpoints s_t = N G^-1(t/K) (no integer rounding; see exact_breakpoint_kl)")

    def Dop(e):
        return kap * sp.diff(e, x)

    def Dpow(e, n):
        for _ in range(n):
            e = Dop(e)
        return e

    c = {m: (P.expr * Dpow(kap, m - 1) - Dpow(P.expr * kap, m - 1)) / sp.factorial(m) for m in range(2, order + 2)}
    for n in range(1, order + 1):
        integral = _maybe_integrate(c[n + 1] / kap, x)
        boundary = sp.Integer(0)
        for m in range(2, n + 1):
            p = n - m + 1
            Bp = _bernoulli(p)
            if Bp == 0:
                continue
            g = Dpow(c[m], p - 1)
            boundary += Bp / sp.factorial(p) * (g.subs(x, 1) - g.subs(x, 0))
        coeff = integral + boundary
        if coeff.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise SymschedError(f"the coefficient of N/K^{n} is undefined ({coeff}) for phi = {P.expr} with this "
                                "schedule density: it needs f = -phi' > 0 and kappa bounded on [0, 1]; "
                                f"use order={n - 1} or a phi with f > 0")
        if not coeff.has(sp.Integral):
            coeff = _tidy(coeff)
        n_terms_K.append((n, coeff, _numeric_sympy(coeff, x)))
    return kap, n_terms_K


def expected_kl_expansion(phi: Any, u: Any = None, schedule: Any = "constant", order: int = 4,
                          kappa: Any = None) -> Expansion:
    """The expansion of ``E KL`` for ``h_j = φ(j/N)`` under a schedule family.

    Parameters
    ----------
    phi : sympy expression in ``u`` or LimitProfile
        Smooth, non-increasing on ``[0, 1]``.
    u : sympy Symbol
    schedule : {"constant", "optimal"} or sympy expression
        ``"constant"`` (``K | N``), ``"optimal"`` (density ``κ* ∝ f^{−1/2}``, breakpoints
        ``N G^{−1}(t/K)``), or a density ``κ(u)`` (normalised: ``∫₀¹ du/κ = 1``; refused otherwise).
    order : int
        Highest power ``p`` of the Euler–Maclaurin corrections / ``n`` of ``N/K^n`` kept.
    kappa : sympy expression, optional
        Same as passing it as ``schedule``.

    Returns
    -------
    Expansion
        Terms ``(label, coefficient)`` for the monomials ``N/K^n`` and ``N^{1−p}`` (module docstring).

    Examples
    --------
    >>> import sympy as sp
    >>> u = sp.Symbol("u")
    >>> ex = expected_kl_expansion(1/(1 + 3*u), u, order=2)
    >>> [label for label, _ in ex.terms]
    ['N/K', '1', 'N/K^2', '1/N']
    >>> [c for _, c in ex.terms]
    [3/8, -3/8, 15/64, -15/64]
    """
    order = checks.positive_int(order, "order", checks.MAX_ORDER, "expansion order")
    P = _Phi(phi, u)
    x = P.u
    if kappa is not None:
        schedule = kappa
    if isinstance(schedule, str):
        if schedule not in ("constant", "optimal"):
            raise SymschedError(f"schedule must be 'constant', 'optimal' or a density kappa(u), got {schedule!r}")
        kind = schedule
    else:
        kind = "density"

    # the uniform-grid part N·E_N (common to every schedule)
    Dq_sym = {q: sp.diff(P.expr, x, q).subs(x, 1) - sp.diff(P.expr, x, q).subs(x, 0) for q in range(order)}

    def Dq_num(q):
        return lambda dps: P.d(1, q) - P.d(0, q)

    def simp(e):
        return e if e.has(sp.Sum) else sp.simplify(e)

    terms, monos, levels, nums = [], [], [], []
    n_terms_K: list = []
    assumptions = ["phi smooth (C^{order+1}) on [0, 1]", "h_j = phi(j/N) exactly"]

    if kind == "constant":
        assumptions.append("constant schedule with K dividing N (breakpoints t*N/K are integers)")
        for p in range(1, order + 1):
            Bp = _bernoulli(p)
            if Bp == 0:
                continue
            c = Bp / sp.factorial(p)
            n_terms_K.append((p, simp(c * Dq_sym[p - 1]),
                              (lambda c, q: (lambda dps: mpmath.mpf(sp.N(c, dps)) * Dq_num(q)(dps)))(c, p - 1)))
    else:
        kap, n_terms_K = _density_terms(P, schedule, kind, order, assumptions)

    # assemble: at fixed ratio, N/K^n is O(N^{1-n}) and N^{1-p} is O(N^{1-p})
    grid_terms = []
    for p in range(1, order + 1):
        Bp = _bernoulli(p)
        if Bp == 0:
            continue
        c = Bp / sp.factorial(p)
        grid_terms.append((p, simp(-c * Dq_sym[p - 1]),
                           (lambda c, q: (lambda dps: -mpmath.mpf(sp.N(c, dps)) * Dq_num(q)(dps)))(c, p - 1)))
    for lv in range(0, order):
        for (n, coeff, num) in n_terms_K:
            if n - 1 == lv:
                terms.append(("N/K" if n == 1 else f"N/K^{n}", coeff))
                monos.append(N_SYMBOL / K_SYMBOL ** n)
                levels.append(lv)
                nums.append(num)
        for (p, coeff, num) in grid_terms:
            if p - 1 == lv:
                terms.append(("1" if p == 1 else ("1/N" if p == 2 else f"1/N^{p - 1}"), coeff))
                monos.append(N_SYMBOL ** (1 - p))
                levels.append(lv)
                nums.append(num)
    return Expansion(kind, P.expr, x, terms=terms, monomials=monos, levels=levels, assumptions=tuple(assumptions),
                     kappa=None if kind == "constant" else kap, _numeric=nums)


# -- exact breakpoints and the generalised identity ---------------------------------------------

def density_breakpoints(kappa: Any, u: sp.Symbol, K: int, N: int | None = None,
                        rounding: str | None = None) -> list:
    """Quantile breakpoints ``u_t = G^{−1}(t/K)`` of a density ``κ`` (``G′ = 1/κ``), ``t = 0..K``.

    Computed by the continuum's quantile engine (:mod:`.quantiles`) at 20 digits, returned as floats.  With ``N`` and
    ``rounding="nearest"``, returns the integers ``round(N u_t)`` (refusing empty steps); with ``N``
    and ``rounding=None``, the real numbers ``N u_t``.

    >>> import sympy as sp
    >>> u = sp.Symbol("u")
    >>> density_breakpoints(sp.Integer(1) + 0*u, u, 4, 8, rounding="nearest")
    [0, 2, 4, 6, 8]
    """
    K = checks.positive_int(K, "K", checks.MAX_POINTS, "quantiles")
    if N is not None:
        N = checks.positive_int(N, "N")
    if not isinstance(u, sp.Symbol):
        raise SymschedError(f"u: expected a sympy Symbol, got {u!r}")
    kap = _density(kappa, u, "kappa")
    inv = sp.lambdify(u, 1 / kap, modules="mpmath")
    engine = QuantileEngine(lambda x: mpmath.mpf(inv(x)))
    dps = 20
    with mpmath.workdps(dps + 10):
        total = engine.total(dps)
        if abs(total - 1) > mpmath.mpf(10) ** -10:
            raise SymschedError(f"kappa: int_0^1 du/kappa = {mpmath.nstr(total, 15)}, expected 1 (K blocks); "
                                "normalise kappa first")
        qs = [0.0] + [float(engine.inverse(mpmath.mpf(t) / K, dps)) for t in range(1, K)] + [1.0]
    if N is None:
        return qs
    if rounding is None:
        return [N * q for q in qs]
    if rounding != "nearest":
        raise SymschedError(f"rounding must be None or 'nearest', got {rounding!r}")
    s = [int(round(N * q)) for q in qs]
    if any(b <= a for a, b in zip(s, s[1:])):
        raise SymschedError(f"density_breakpoints: rounding gives an empty step for N={N}, K={K}; use a smaller K")
    return s


def _density(kappa: Any, u: sp.Symbol, what: str) -> sp.Expr:
    """A block-size density ``κ(u)``: a real expression in ``u`` alone, finite and > 0 on [0, 1]."""
    kap = as_expression(kappa, [u], what)
    extra = kap.free_symbols - {u}
    if extra:
        raise SymschedError(f"{what}: symbols {sorted(map(str, extra))} besides {u}")
    with mpmath.workdps(20):
        fn = sp.lambdify(u, kap, modules="mpmath")
        for x in (0, mpmath.mpf(1) / 3, mpmath.mpf(1) / 2, 1):
            try:
                v = fn(mpmath.mpf(x))
                v = mpmath.mpf(v) if isinstance(v, (int, float, np.integer, np.floating)) else v
            except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                v = mpmath.nan
            if not isinstance(v, mpmath.mpf) or mpmath.isnan(v) or v <= 0 or (mpmath.isinf(v) and 0 < x < 1):
                raise SymschedError(f"{what} = {kap}: must be finite, real and > 0 on [0, 1]; at u = "
                                    f"{mpmath.nstr(x, 4)} it is {v}")
    return kap


def _increasing_grid(values: Sequence[Any], what: str, expected: str) -> list:
    """Finite real numbers in strictly increasing order, as mpmath numbers (at the current precision)."""
    values = checks.sequence(values, what, 2)
    out = []
    for i, x in enumerate(values):
        try:
            v = symbolic.mp_value(as_expression(x, (), f"{what}[{i}]"), mpmath.mp.dps)
        except (TypeError, ValueError) as exc:
            raise SymschedError(f"{what}[{i}] = {x!r} is not a real number") from exc
        if not mpmath.isfinite(v):
            raise SymschedError(f"{what}[{i}] = {x!r} is not finite")
        out.append(v)
    for i in range(1, len(out)):
        if not out[i] > out[i - 1]:
            raise SymschedError(f"{what}: expected {expected} (strictly increasing), but {what}[{i}] = {values[i]} "
                                f"<= {what}[{i - 1}] = {values[i - 1]}")
    return out


def exact_breakpoint_kl(phi: Any, breakpoints: Sequence[Any], N: int, u: Any = None, dps: int = 30) -> mpmath.mpf:
    """``Σ_t (s_t − s_{t−1}) φ(s_{t−1}/N) − Σ_{j<N} φ(j/N)`` for real breakpoints ``s_t``.

    For integer breakpoints this is exactly the discrete ``E KL`` of the schedule with ``h_j = φ(j/N)``
    (docs/concepts.md §2); for real ones it is the quantity the density expansions describe without rounding.
    """
    N = checks.positive_int(N, "N", MAX_N, "evaluations of phi")
    P = _Phi(phi, u)
    s = checks.sequence(breakpoints, "breakpoints", 2)
    if len(s) < 2 or s[0] != 0 or abs(float(s[-1]) - N) > 1e-9 * N:
        raise SymschedError(f"breakpoints: expected 0 = s_0 < ... < s_K = N = {N}, got {s[:5]}...")
    with mpmath.workdps(dps + 10):
        ss = _increasing_grid(s, "breakpoints", f"0 = s_0 < ... < s_K = N = {N}")
        ss[-1] = mpmath.mpf(N)
        left = mpmath.fsum((b - a) * P.d(a / N) for a, b in zip(ss, ss[1:]))
        grid = mpmath.fsum(P.d(mpmath.mpf(j) / N) for j in range(N))
        res = left - grid
    with mpmath.workdps(dps):
        return +res


def riemann_error(phi: Any, grid: Sequence[Any], u: Any = None, dps: int = 30) -> mpmath.mpf:
    """``R = Σ_t (u_t − u_{t−1}) φ(u_{t−1}) − ∫₀¹ φ`` on a grid ``0 = u_0 < … < u_K = 1``."""
    P = _Phi(phi, u)
    with mpmath.workdps(dps + 10):
        g = _increasing_grid(grid, "grid", "0 = u_0 < ... < u_K = 1")
        if g[0] != 0 or g[-1] != 1:
            raise SymschedError(f"grid: expected 0 = u_0 < ... < u_K = 1, got u_0 = {grid[0]}, u_K = {grid[-1]}")
        integral = mpmath.quad(lambda y: P.d(y), [0, 1])
        res = mpmath.fsum((b - a) * P.d(a) for a, b in zip(g, g[1:])) - integral
    with mpmath.workdps(dps):
        return +res


def rounding_effect(phi: Any, kappa: Any, K: int, N: int, u: Any = None, dps: int = 30) -> dict:
    """How rounding the density breakpoints to integers changes ``E KL`` (not part of the expansion).

    With ``s_t = N u_t + δ_t`` (nearest integers, ``u_t = G^{−1}(t/K)``), a Taylor expansion of the
    two-scale identity in the shifts gives

    * first order ``Σ_t g_t δ_t`` with ``g_t = φ(u_{t−1}) − φ(u_t) − (u_{t+1} − u_t) f(u_t)``
      (``≈ −(fκ²)′/(2K²)``: ``O(K^{−2})`` per breakpoint, ``O(K^{−3})`` for the optimal density, whose
      ``fκ²`` is constant);
    * second order ``(1/N) Σ_t f(u_t)(δ_t² − δ_t δ_{t+1})``;
    * its heuristic mean ``(K/(12N)) ∫ f/κ`` if the fractional parts were independent and uniform
      (``E δ² = 1/12``): an ``O(K/N)`` term, which at fixed ratio ``r = N/K`` stays ``O(1)``
      (the quantization effect).  The actual value fluctuates with ``N`` around it.

    Returns
    -------
    dict
        ``actual`` (rounded minus exact-breakpoint ``E KL``), ``first_order``, ``second_order``,
        ``heuristic_mean`` (mpmath numbers) and the integer ``breakpoints``.
    """
    K = checks.positive_int(K, "K", checks.MAX_POINTS, "breakpoints")
    N = checks.positive_int(N, "N", MAX_N, "evaluations of phi")
    if K > N:
        raise SymschedError(f"K = {K} steps need K <= N = {N}")
    P = _Phi(phi, u)
    kap = optimal_density(P.expr, P.u) if isinstance(kappa, str) and kappa == "optimal" else \
        _density(kappa, P.u, "kappa")
    exact_bp = density_breakpoints(kap, P.u, K, N)
    rounded = density_breakpoints(kap, P.u, K, N, rounding="nearest")
    with mpmath.workdps(dps + 10):
        actual = exact_breakpoint_kl(P.profile, rounded, N, dps=dps + 10) - \
            exact_breakpoint_kl(P.profile, exact_bp, N, dps=dps + 10)
        ut = [mpmath.mpf(x) / N for x in exact_bp]
        d = [mpmath.mpf(s) - mpmath.mpf(x) for s, x in zip(rounded, exact_bp)]
        first = mpmath.fsum((P.d(ut[t - 1]) - P.d(ut[t]) + (ut[t + 1] - ut[t]) * P.d(ut[t], 1)) * d[t]
                            for t in range(1, K))
        second = mpmath.fsum(-P.d(ut[t], 1) * (d[t] ** 2 - d[t] * d[t + 1]) for t in range(1, K)) / N
        fk = _mp_lambdify(-sp.diff(P.expr, P.u) / kap, P.u) if not P.expr.has(sp.Sum) else \
            (lambda x: -P.d(x, 1) / _mp_lambdify(kap, P.u)(x))
        heuristic = mpmath.mpf(K) / (12 * N) * mpmath.quad(fk, [0, 1])
    with mpmath.workdps(dps):
        return {"actual": +actual, "first_order": +first, "second_order": +second,
                "heuristic_mean": +heuristic, "breakpoints": rounded}
