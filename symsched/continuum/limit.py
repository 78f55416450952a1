r"""The continuum (Riemann) limit of the expected KL: optimal density, quantile schedule, constants.

Derived in symsched, following Lavenant & Zanella (2025), whose statements could only be read in
summary (docs/references.md); every formula below is re-derived here and checked numerically in the tests.

Setting
-------
An information profile ``h_j ≈ φ(j/N)`` with ``φ`` non-increasing on ``[0, 1]``, ``f = −φ'``,
``Δ = φ(0) − φ(1) = ∫_0^1 f``.

* One block starting at ``a`` with size ``k`` costs ``w = Σ_{j=a}^{a+k−1} (h_a − h_j)``; with
  ``h_a − h_j ≈ f(a/N)(j − a)/N`` this is ``w ≈ f(a/N) k(k − 1)/(2N)``.
* A schedule with relative block-size density ``κ`` (size ``≈ (N/K) κ(u)``, ``∫_0^1 du/κ = 1``) has
  ``K du/κ(u)`` blocks in ``du``, so ``E KL ≈ ∫ (K/κ) f (N/K)κ((N/K)κ − 1)/(2N) du
  = (N/K)·½∫ f κ − ½Δ``.
* Constant schedule (``κ ≡ 1``): ``½Δ(N/K − 1)`` (exact when ``φ`` is linear and ``K | N``).
* Optimal density: minimise ``∫ f κ`` subject to ``∫ 1/κ = 1``.  Cauchy–Schwarz,
  ``(∫√f)² = (∫ √(fκ)·κ^{−1/2})² ≤ ∫ fκ · ∫ 1/κ``, with equality iff ``fκ ∝ 1/κ``:
  ``κ* = (∫_0^1 √f) / √f``, leading constant ``½(∫√f)²``, gain ``(∫√f)²/∫f = (∫√f)²/Δ ≤ 1``
  (equality iff ``f`` is constant).
* Breakpoints: the block starting at ``u`` covers ``κ*(u)/K`` of ``[0, 1]``, so the ``t``-th breakpoint
  is the ``t/K`` quantile of the density ``1/κ* = √f/∫√f``:
  ``s_t/N = G^{−1}(t/K)``, ``G(u) = ∫_0^u √f / ∫_0^1 √f``.

Exact by default: sympy integrates ``√f`` and inverts ``G`` where it can (each attempt is bounded by
``symbolic_timeout`` seconds); otherwise mpmath at ``dps`` digits is used, and
:attr:`RiemannLimit.methods` says which quantity came from which.  The quantized limit at a fixed
ratio ``r = N/K`` is in :mod:`symsched.continuum.quantized`.

Examples
--------
>>> import sympy as sp
>>> import symsched as ss
>>> u = sp.Symbol("u")
>>> lim = ss.riemann_limit(1 / (1 + 3 * u), u)
>>> lim.sqrt_f_integral
2*sqrt(3)*log(2)/3
>>> lim.inverse_cdf
4**y/3 - 1/3
>>> lim.breakpoints(3)
(0, -1/3 + 2**(2/3)/3, -1/3 + 2*2**(1/3)/3, 1)
>>> lim.breakpoints(3, N=30)
(0, 6, 15, 30)
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any
from collections.abc import Callable, Mapping

import mpmath
import sympy as sp

from ..errors import SymschedError
from ..results import Result
from ..schedules.schedule import Schedule, repair_breakpoints
from ..parsing import as_expression
from . import checks
from .limit_constants import LimitConstants
from .limit_latex import LimitLatex
from .limit_quantiles import LimitQuantiles
from .phi import PhiAnalysis
from .quantized import quantized_limit
from .symbolic import mp_value as _mp_value
from .rounding import _round_half_up

__all__ = ["RiemannLimit", "riemann_limit", "DEFAULT_CONTINUUM_DPS"]

DEFAULT_CONTINUUM_DPS = 30
_GUARD = checks.GUARD



def _check_NK(N: Any, K: Any) -> tuple:
    N = checks.positive_int(N, "N")
    K = checks.positive_int(K, "K", checks.MAX_POINTS, "breakpoints")
    if K > N:
        raise SymschedError(f"K = {K} steps cannot exceed N = {N} tokens (every step reveals at least one)")
    return N, K


class RiemannLimit(PhiAnalysis, LimitConstants, LimitQuantiles, LimitLatex, Result):
    r"""The continuum limit of ``E KL`` for a limit profile ``φ`` (see the module docstring).

    Build it with :func:`riemann_limit`.  Exact sympy expressions where sympy can compute them,
    mpmath numbers at ``dps`` digits (returned as ``sympy.Float``) otherwise; :attr:`methods` says
    which.

    Attributes
    ----------
    phi, u : sympy
        The profile and its variable (parameters substituted).
    f : sympy expression
        ``−φ'(u)``.
    delta : sympy expression
        ``φ(0) − φ(1) = ∫_0^1 f``.
    density : sympy expression
        ``κ*(u) = ∫_0^1√f / √f(u)`` (``∫_0^1 du/κ* = 1``).
    sqrt_f_integral : sympy expression
        ``∫_0^1 √f``.
    cdf : sympy expression or None
        ``G(u) = ∫_0^u √f / ∫_0^1 √f`` in closed form (None when sympy cannot; :meth:`cdf_value`
        evaluates it numerically in every case).
    inverse_cdf : sympy expression in ``y`` or None
        ``G^{−1}(y)`` in closed form, with the branch checked to map ``[0, 1]`` onto ``[0, 1]``.
    leading_constant, constant_leading_constant, gain
        ``½(∫√f)²``, ``½Δ`` and ``(∫√f)²/∫f``.
    is_independent : bool
        ``f ≡ 0`` (independent tokens: every schedule has zero leading error).
    notes : list of str
        What was assumed or fell back (e.g. unchecked monotonicity with symbolic parameters).
    """

    _headline = "leading_constant"  # float(lim) is ½(∫√f)² (the result protocol, symsched.results)
    _fields = ("phi", "u", "f", "delta", "sqrt_f_integral", "leading_constant", "constant_leading_constant", "gain",
               "is_independent", "notes")
    _repr_fields = ("phi", "leading_constant", "constant_leading_constant", "gain")

    def __init__(self, phi: sp.Expr, u: sp.Symbol, *, dps: int = DEFAULT_CONTINUUM_DPS,
                 symbolic_timeout: float | None = 10.0, numeric: Callable | None = None,
                 allow_symbols: bool = False):
        self.phi = phi
        self.u = u
        self.dps = int(dps)
        self.symbolic_timeout = symbolic_timeout
        self.parameters = sorted(phi.free_symbols - {u}, key=str)
        self.allow_symbols = allow_symbols
        self.notes: list = []
        self.methods: dict = {}
        self._extra_lines: list = []
        self._numeric_user = numeric
        # series / integral profiles: sympy cannot integrate them in closed form, go numeric at once
        self._nonelementary = phi.has(sp.Sum, sp.Integral, sp.Limit)
        # A positive stand-in for u lets sympy simplify sqrt((1 + 3u)^-2) etc. (u > 0 on (0, 1]).
        self._x = sp.Dummy("x", positive=True)
        self.f = self._simplify(-sp.diff(phi, u))
        self._fx = self.f.subs(u, self._x)
        self.phi0 = self._value_at(phi, 0)
        self.phi1 = self._value_at(phi, 1)
        self.delta = self._simplify(self.phi0 - self.phi1)
        self._sqrt_fx = sp.sqrt(sp.factor(self._fx)) if not self._fx.has(sp.Sum, sp.Integral) else sp.sqrt(self._fx)
        if not self.parameters:
            self._check_continuous()
            self._check_monotone()
            self._check_nonnegative()
        else:
            self.notes.append("phi has symbolic parameters " + ", ".join(map(str, self.parameters))
                              + ": monotonicity (f >= 0) is assumed, not checked")
        self.is_independent = self._detect_independent()
        if self.is_independent:
            self.notes.append("f = -phi' vanishes identically (independent tokens): every schedule has zero "
                              "leading error, the optimal density is undefined and breakpoints fall back "
                              "to the constant schedule")
        self._freeze()


































    # -- schedules ----------------------------------------------------------------------------
    def breakpoints(self, K: int, N: int | None = None, dps: int | None = None) -> tuple:
        """Optimal breakpoints ``G^{−1}(t/K)``, ``t = 0..K``; with ``N`` the integer schedule's ``s_t``.

        Without ``N``: exact sympy values when ``G^{−1}`` has a closed form, else ``sympy.Float`` at
        ``dps`` digits.  With ``N``: ``s_t = round(N G^{−1}(t/K))`` (half up), repaired by
        :func:`repair_breakpoints` into ``0 = s_0 < ... < s_K = N`` (requires ``K <= N``).  For
        independent tokens (``f ≡ 0``) the constant schedule's fractions ``t/K`` are returned.
        """
        if N is not None:
            N, K = _check_NK(N, K)
        else:
            K = checks.positive_int(K, "K", checks.MAX_POINTS, "breakpoints")
        dps = self.dps if dps is None else checks.dps_arg(dps)
        if self.is_independent:
            fr = tuple(sp.Rational(t, K) for t in range(K + 1))
        elif self.inverse_cdf is not None and N is None:
            fr = tuple(sp.Integer(0) if t == 0 else sp.Integer(1) if t == K else
                       self.inverse_cdf.subs(self._y, sp.Rational(t, K)) for t in range(K + 1))
        else:
            self._require_numeric("breakpoints")
            work = dps if N is None else max(15, int(math.log10(N)) + 12)
            fr = tuple(self.inverse_cdf_value(Fraction(t, K), work) for t in range(K + 1))
            if N is None:
                return tuple(sp.Integer(0) if t == 0 else sp.Integer(1) if t == K else self._float(v)
                             for t, v in enumerate(fr))
        if N is None:
            return fr
        with mpmath.workdps(max(20, int(math.log10(N)) + 15)):
            raw = [_round_half_up(N * _mp_value(v, mpmath.mp.dps)) for v in fr]
        return repair_breakpoints(raw, N)

    def schedule(self, N: int, K: int) -> Schedule:
        """The integer quantile schedule: exactly ``K`` positive sizes summing to ``N``.

        >>> import sympy as sp, symsched as ss
        >>> u = sp.Symbol("u")
        >>> ss.riemann_limit(1 - u**2, u).schedule(20, 4).sizes
        (8, 5, 4, 3)
        """
        N, K = _check_NK(N, K)
        name = "constant (f = 0)" if self.is_independent else "sqrt-f quantile"
        return Schedule.from_breakpoints(self.breakpoints(K, N=N), name=name)

    def kl_estimate(self, N: Any, K: Any, schedule: str = "optimal") -> sp.Expr:
        """Leading approximation of ``E KL``: ``(N/K)·lead − ½Δ``.

        ``schedule="optimal"`` uses ``½(∫√f)²``, ``"constant"`` uses ``½Δ`` (giving ``½Δ(N/K − 1)``).
        Exact (sympy) when ``N``, ``K`` and the constants are.
        """
        if schedule == "optimal":
            lead = self.leading_constant
        elif schedule == "constant":
            lead = self.constant_leading_constant
        else:
            raise SymschedError(f"kl_estimate: schedule must be 'optimal' or 'constant', got {schedule!r}")
        ratio = sp.Rational(N, K) if isinstance(N, int) and isinstance(K, int) else \
            as_expression(N, (), "N") / as_expression(K, (), "K")
        return self._simplify(ratio * lead - self.delta / 2)

    def quantized(self, r: Any, dps: int | None = None, max_block: int = 256):
        """The quantized limit ``L(r)`` at fixed ratio ``r = N/K`` (see :mod:`.quantized`)."""
        return quantized_limit(self, r, dps=self.dps if dps is None else dps, max_block=max_block)

    def numeric_phi(self, dps: int = DEFAULT_CONTINUUM_DPS) -> Callable:
        """An mpmath function ``x -> φ(x)`` evaluated at ``dps`` digits."""
        self._require_numeric("numeric_phi")

        def phi(x):
            with mpmath.workdps(dps + _GUARD):
                v = self._phi_at(mpmath.mpf(x))
            with mpmath.workdps(dps):
                return +v
        return phi

    def __str__(self) -> str:
        return (f"RiemannLimit(phi({self.u}) = {self.phi}, leading_constant = {self.leading_constant}, "
                f"constant = {self.constant_leading_constant}, gain = {self.gain})")


def riemann_limit(phi: Any, u: Any = None, *, params: Mapping | None = None, allow_symbols: bool = False,
                  dps: int = DEFAULT_CONTINUUM_DPS, symbolic_timeout: float | None = 10.0,
                  numeric: Callable | None = None) -> RiemannLimit:
    r"""The continuum limit of ``E KL`` for a limit profile ``φ(u)`` on ``[0, 1]``.

    Parameters
    ----------
    phi : sympy expression (or a formula string, parsed by :func:`symsched.parsing.parse_formula`
        and never executed, or an object with ``.expr`` and ``.u``)
        Non-increasing on ``[0, 1]``.
    u : sympy Symbol, optional
        The variable; may be omitted when ``phi`` has exactly one free symbol.
    params : mapping, optional
        Values for the other symbols of ``phi`` (keys: symbols or their names).
    allow_symbols : bool
        Keep other symbols as parameters: exact formulas flow through (e.g. ``φ = a(1 − u) + b``),
        numeric methods then raise :class:`~symsched.errors.SymbolicValueError`.
    dps : int
        Decimal digits of the numeric fallbacks (default 30).
    symbolic_timeout : float or None
        Seconds allowed to each sympy ``integrate`` / ``solve`` attempt (main thread only).
    numeric : callable, optional
        ``(x, n) -> φ^{(n)}(x)`` in mpmath, used instead of lambdifying ``φ`` (e.g. for series).

    Raises
    ------
    SymschedError
        If ``phi`` has symbols other than ``u`` (without ``params`` / ``allow_symbols``), is not
        bounded at the end points, jumps (a ``Piecewise`` discontinuity: an atom, see
        ``LimitProfile.atom_cost``), or is increasing somewhere on ``[0, 1]`` (checked exactly by
        sympy where it can, else on a 400-point grid).

    Notes
    -----
    With symbolic parameters, monotonicity is assumed (noted in ``notes``) and ``G^{−1}`` is not
    attempted (its branch cannot be checked numerically).

    Examples
    --------
    >>> import sympy as sp, symsched as ss
    >>> u, a, b = sp.symbols("u a b", positive=True)
    >>> lim = ss.riemann_limit(a * (1 - u) + b, u, allow_symbols=True)
    >>> lim.leading_constant, lim.constant_leading_constant, lim.gain
    (a/2, a/2, 1)
    """
    if hasattr(phi, "expr") and hasattr(phi, "u") and not isinstance(phi, sp.Basic):
        if u is None:
            u = phi.u
        if numeric is None and hasattr(phi, "derivative") and getattr(phi, "_numeric", None) is not None:
            def numeric(x, n, p=phi):
                return p.derivative(x, n)
        phi = phi.expr
    # strings are parsed from a whitelist (never executed); u keeps its assumptions
    expr = as_expression(phi, [u] if isinstance(u, sp.Symbol) else (), "phi")
    if not isinstance(expr, sp.Expr):
        raise SymschedError(f"phi: expected a sympy expression in u, got {type(expr).__name__} {expr!r}")
    if u is None:
        free = sorted(expr.free_symbols, key=str)
        if len(free) != 1:
            raise SymschedError(f"u: pass the variable of phi explicitly (phi has symbols {[str(s) for s in free]})")
        u = free[0]
    if not isinstance(u, sp.Symbol):
        raise SymschedError(f"u: expected a sympy Symbol, got {u!r}")
    if params:
        by_name = {str(s): s for s in expr.free_symbols}
        subs = {}
        for k, v in params.items():
            sym = by_name.get(str(k)) if not isinstance(k, sp.Symbol) else k
            if sym is None:
                raise SymschedError(f"params: phi has no symbol {k!r} (its symbols: {sorted(by_name)})")
            if sym == u:
                raise SymschedError(f"params: cannot give a value to the variable {u}")
            subs[sym] = as_expression(v, (), f"params[{k!r}]")
        expr = expr.subs(subs)
    extra = expr.free_symbols - {u}
    if extra and not allow_symbols:
        raise SymschedError(f"phi: symbols {sorted(map(str, extra))} other than {u}; give their values with "
                            "params={...} or pass allow_symbols=True for a symbolic result")
    dps = checks.dps_arg(dps)
    return RiemannLimit(expr, u, dps=dps, symbolic_timeout=symbolic_timeout, numeric=numeric,
                        allow_symbols=allow_symbols)
