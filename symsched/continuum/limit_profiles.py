"""Limit profiles ``φ(u)`` of model families (the continuum ``φ``, not info's discrete profile ``h``).

The continuum layer describes an information profile by a function on ``[0, 1]``:
``h_j ≈ φ(j/N)``.  This module gives ``φ`` for the structured families of docs/concepts.md §5
(as a sympy expression in ``u`` and as an mpmath function at any precision), says when the
limit is *degenerate* (an atom at an end point that no smooth ``φ`` carries).  The convergence
``h_j → φ(j/N)`` is checked in :mod:`.verify` (:func:`check_limit_profile`); a monotone ``φ`` is
fitted to a discrete profile in :mod:`.fitting` (:func:`fit_limit_profile`).

Derivations (in nats)
---------------------
* independent tokens: ``h_j = H(X_1)`` for every ``j``: ``φ ≡ H(X_1)``, exact for every ``N``.
* copy (all tokens equal, uniform over ``q`` symbols): ``h_0 = log q``, ``h_j = 0`` for ``j ≥ 1``.
  The limit is ``φ ≡ 0`` on ``(0, 1]`` with an *atom* ``log q`` at ``u = 0``; any schedule pays
  exactly ``(k_1 − 1) log q`` for it (:meth:`LimitProfile.atom_cost`).
* parity (``N − 1`` fair bits and their XOR): ``h_j = log 2`` except ``h_{N−1} = 0``: ``φ ≡ log 2``
  with an atom ``−log 2`` at the last point; it costs ``log 2`` unless the last step has size 1.
* exchangeable Beta–Bernoulli(a, b): given ``j`` observations with ``S`` ones the predictive
  probability is ``p̂ = (a + S)/(a + b + j)``, so ``h_j = E h₂(p̂_j)``.  As ``j → ∞``, ``p̂_j → p``
  with ``p ~ Beta(a, b)``, hence for every ``u > 0``:
  ``φ(u) = E h₂(p) = ψ(a+b+1) − a/(a+b) ψ(a+1) − b/(a+b) ψ(b+1)`` (constant), while ``h_0 = h₂(a/(a+b))``.
  Rate: ``h₂(p̂) − E[h₂(p) | data] ≈ −½ h₂''(p̂) Var(p | data) = 1/(2(a+b+j+1))``, so
  ``h_j = φ + 1/(2j) + O(j^{-2})``: at ``j = uN`` the error is ``1/(2uN)`` — ``O(1/N)`` for fixed
  ``u > 0`` but not uniform near 0 (the excess sums to ``TC ≈ ½ log N``).  The atom at 0 is the jump
  ``h₂(a/(a+b)) − φ``.
* binary symmetric Markov chain, flip probability ``ε`` (stationary, uniform start), ``ρ = 1 − 2ε``,
  ``ε_g = (1 − ρ^g)/2``: a new position's nearest revealed neighbours are at distances ``a`` (left)
  and ``b`` (right), independent geometric laws ``u(1−u)^{a−1}`` in the limit, and
  ``H(X_i | X_{i−a}, X_{i+b}) = h₂(ε_a) + h₂(ε_b) − h₂(ε_{a+b})``.  Hence
  ``φ(u) = 2 Σ_a u(1−u)^{a−1} h₂(ε_a) − Σ_{a,b} u²(1−u)^{a+b−2} h₂(ε_{a+b})``.
  With ``h₂(ε_g) = log 2 − Σ_{k≥1} ρ^{2kg}/(2k(2k−1))`` both geometric sums close:
  ``Σ_a u(1−u)^{a−1} ρ^{2ka} = y_k = uρ^{2k}/(1−(1−u)ρ^{2k})`` and the double sum is ``y_k²``, so
  ``φ(u) = log 2 − Σ_{k≥1} [1 − (1 + β_k u)^{−2}] / (2k(2k−1))``, ``β_k = ρ^{2k}/(1 − ρ^{2k})``
  (using ``1 − y_k = 1/(1 + β_k u)``).  ``φ(0) = log 2`` and ``φ(1) = 2h₂(ε) − h₂(2ε(1−ε))``.
  All derivatives are explicit: ``φ^{(n)}(u) = Σ_k (−1)^n (n+1)! β_k^n (1+β_k u)^{−n−2}/(2k(2k−1))``.
  The finite chain differs by ``O(1/N)`` (boundary positions, sampling without replacement).
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field
from typing import Any
from collections.abc import Callable, Sequence

import mpmath
import numpy as np
import sympy as sp

from ..errors import SymschedError
from ..results import Result
from ..parsing import as_expression
from .limit import riemann_limit

__all__ = ["LimitProfile", "limit_profile", "independent_limit_profile", "copy_limit_profile",
           "parity_limit_profile", "beta_bernoulli_limit_profile", "binary_symmetric_chain_limit_profile"]

U = sp.Symbol("u", real=True)


def binary_entropy(p: Any) -> Any:
    """``h₂(p) = −p log p − (1−p) log(1−p)`` in nats: sympy for sympy input, else mpmath.

    >>> float(binary_entropy(0.5))  # doctest: +ELLIPSIS
    0.693147...
    """
    if isinstance(p, sp.Basic):
        return -p * sp.log(p) - (1 - p) * sp.log(1 - p)
    p = mpmath.mpf(p)
    if p == 0 or p == 1:
        return mpmath.mpf(0)
    return -p * mpmath.log(p) - (1 - p) * mpmath.log(1 - p)


def _number(x: Any, where: str) -> Any:
    """Sympify a parameter, refusing non-numbers (symbols are allowed: the expression stays symbolic)."""
    v = as_expression(x, (), where)  # strings are parsed from a whitelist, never executed
    if v.is_number and v.is_real is not True:
        raise SymschedError(f"{where}: expected a real number, got {x!r}")
    if isinstance(x, float):
        v = sp.Float(x)
    return v


@dataclass(frozen=True, eq=False)
class LimitProfile(Result):
    """A limit profile ``φ`` on ``[0, 1]`` (``h_j ≈ φ(j/N)``), possibly with atoms at the end points.

    Attributes
    ----------
    expr : sympy expression in ``u``
        ``φ`` on the open interval (its value at 0 and 1 by continuity).
    u : sympy Symbol
    name : str
    value_at_zero : sympy expression or None
        The limit of ``h_0`` when it differs from ``φ(0+)`` (an atom at 0), else None.
    value_at_end : sympy expression or None
        The limit of ``h_{N−1}`` when it differs from ``φ(1−)`` (an atom at the last point), else None.
    rate : str
        How fast ``h_j → φ(j/N)``, as derived.
    derivation : str
        The derivation in words and formulas.

    Examples
    --------
    >>> lp = binary_symmetric_chain_limit_profile(0.1)
    >>> float(lp(0)), round(float(lp(1)), 10) == round(float(2*binary_entropy(0.1) - binary_entropy(0.18)), 10)
    (0.6931471805599453, True)
    """

    _fields = ("name", "expr", "value_at_zero", "value_at_end", "rate")  # result protocol; no headline number
    _repr_fields = ("name", "expr")

    expr: sp.Expr
    u: sp.Symbol = U
    _: KW_ONLY
    name: str = "phi"
    value_at_zero: Any = None
    value_at_end: Any = None
    rate: str = ""
    derivation: str = ""
    params: dict = field(default_factory=dict)
    _numeric: Callable | None = None          # (x, n) -> n-th derivative at current mpmath precision

    # -- numeric values -----------------------------------------------------------------------
    def derivative(self, x: Any, n: int = 0, dps: int | None = None) -> mpmath.mpf:
        """``φ^{(n)}(x)`` as an mpmath number (at ``dps`` digits, default the current precision)."""
        if dps is not None:
            with mpmath.workdps(dps + 5):
                v = self.derivative(x, n)
            with mpmath.workdps(dps):
                return +v
        x = mpmath.mpf(x)
        if self._numeric is not None:
            return self._numeric(x, n)
        fn = _mp_lambdify(sp.diff(self.expr, self.u, n) if n else self.expr, self.u)
        return mpmath.mpf(fn(x))

    def __call__(self, x: Any, dps: int | None = None) -> mpmath.mpf:
        """``φ(x)`` (the regular part: atoms are not included)."""
        return self.derivative(x, 0, dps)

    def numeric_phi(self, dps: int = 30) -> Callable:
        """An mpmath function ``x -> φ(x)`` evaluated at ``dps`` digits."""
        return lambda x: self.derivative(x, 0, dps)

    @property
    def atom_at_zero(self) -> Any:
        """``lim h_0 − φ(0)`` (0 when there is no atom)."""
        if self.value_at_zero is None:
            return sp.Integer(0)
        return sp.simplify(self.value_at_zero - self.expr.subs(self.u, 0))

    @property
    def atom_at_end(self) -> Any:
        """``lim h_{N−1} − φ(1)`` (0 when there is no atom)."""
        if self.value_at_end is None:
            return sp.Integer(0)
        return sp.simplify(self.value_at_end - self.expr.subs(self.u, 1))

    @property
    def is_regular(self) -> bool:
        """True when ``φ`` alone describes the profile (no atoms at the end points)."""
        return self.value_at_zero is None and self.value_at_end is None

    def h(self, N: int, dps: int | None = 30) -> list:
        """``h_j ≈ φ(j/N)`` for ``j = 0..N−1`` with the atoms placed at ``j = 0`` and ``j = N−1`` (mpf)."""
        if not isinstance(N, (int, np.integer)) or N < 1:
            raise SymschedError(f"N must be a positive integer, got {N!r}")
        with mpmath.workdps((dps or mpmath.mp.dps) + 5):
            vals = [self.derivative(mpmath.mpf(j) / N, 0) for j in range(N)]
            if self.value_at_zero is not None:
                vals[0] = mpmath.mpf(sp.N(self.value_at_zero, (dps or 15) + 5))
            if self.value_at_end is not None and N >= 2:
                vals[-1] = mpmath.mpf(sp.N(self.value_at_end, (dps or 15) + 5))
        return vals

    def atom_cost(self, schedule: Sequence[int]) -> Any:
        """Exact extra ``E KL`` the atoms cause for ``schedule`` (when ``h_j = φ(j/N)`` elsewhere).

        An atom ``J₀`` at ``j = 0`` adds ``(k_1 − 1) J₀``; an atom ``J₁`` at ``j = N−1`` (``h_{N−1}``
        lowered by ``−J₁``) adds ``−J₁`` unless the last step has size 1.
        """
        sizes = list(schedule)
        if not sizes or any(int(k) != k or k < 0 for k in sizes):
            raise SymschedError(f"schedule: expected non-negative integer sizes, got {schedule!r}")
        nonzero = [k for k in sizes if k]
        cost = (nonzero[0] - 1) * self.atom_at_zero
        if nonzero[-1] != 1:
            cost += -self.atom_at_end
        return sp.nsimplify(cost) if isinstance(cost, sp.Basic) and not cost.free_symbols else cost

    def regular_part(self) -> LimitProfile:
        """The same ``φ`` without atoms."""
        return LimitProfile(self.expr, self.u, name=self.name + " (regular part)", value_at_zero=None,
                            value_at_end=None, rate=self.rate,
                            derivation=self.derivation, params=dict(self.params), _numeric=self._numeric)

    def riemann_limit(self):
        """``symsched.riemann_limit(φ, u)`` of a regular profile; refuses a degenerate one.

        Raises
        ------
        SymschedError
            If the profile has an atom: the Riemann limit only sees the regular part, which would
            silently drop the atom's cost (use :meth:`regular_part` and :meth:`atom_cost` explicitly).
        """
        if not self.is_regular:
            raise SymschedError(
                f"limit profile {self.name!r} is degenerate (atom {self.atom_at_zero} at u=0, "
                f"{self.atom_at_end} at u=1): its Riemann limit would ignore the atom; call "
                ".regular_part().riemann_limit() and add .atom_cost(schedule) explicitly")
        return riemann_limit(self)

    # -- display ------------------------------------------------------------------------------
    def latex(self) -> str:
        """LaTeX of ``φ(u)`` with its atoms."""
        s = rf"\varphi({sp.latex(self.u)}) = {sp.latex(self.expr)}"
        if self.value_at_zero is not None:
            s += rf",\quad h_0 \to {sp.latex(self.value_at_zero)}"
        if self.value_at_end is not None:
            s += rf",\quad h_{{N-1}} \to {sp.latex(self.value_at_end)}"
        return s

    def __repr__(self) -> str:
        atoms = "" if self.is_regular else f", atoms=({self.atom_at_zero}, {self.atom_at_end})"
        text = f"LimitProfile({self.name}: phi(u) = {self.expr}{atoms})"
        return text if len(text) <= 160 else text[:156] + "...)"

    def __str__(self) -> str:
        atoms = "" if self.is_regular else f", atoms=({self.atom_at_zero}, {self.atom_at_end})"
        return f"LimitProfile({self.name}: phi(u) = {self.expr}{atoms})"


_LAMBDA_CACHE: dict = {}


def _mp_lambdify(expr: sp.Expr, u: sp.Symbol) -> Callable:
    key = (expr, u)
    fn = _LAMBDA_CACHE.get(key)
    if fn is None:
        if expr.free_symbols - {u}:
            raise SymschedError(f"phi: unresolved symbols {sorted(map(str, expr.free_symbols - {u}))} "
                                "(substitute numbers before numeric evaluation)")
        if expr.has(sp.Sum, sp.Integral):
            def fn(x, e=expr):
                return mpmath.mpf(sp.N(e.subs(u, sp.Float(x, mpmath.mp.dps)), mpmath.mp.dps))
        else:
            fn = sp.lambdify(u, expr, modules="mpmath")
        _LAMBDA_CACHE[key] = fn
    return fn


# -- the families ----------------------------------------------------------------------------

def independent_limit_profile(entropy: Any) -> LimitProfile:
    """``φ ≡ H(X_1)`` for independent identically distributed tokens (exact for every N).

    >>> independent_limit_profile(sp.log(2)).expr
    log(2)
    """
    H = _number(entropy, "entropy")
    if H.is_number and not H >= 0:
        raise SymschedError(f"entropy must be >= 0, got {entropy!r}")
    return LimitProfile(sp.Integer(0) * U + H, U, name="independent", rate="exact for every N",
                        derivation="h_j = H(X_i | X_T) = H(X_1) for independent tokens", params={"entropy": H})


def copy_limit_profile(q: int) -> LimitProfile:
    """Copy model: ``φ ≡ 0`` on ``(0, 1]`` with an atom ``log q`` at ``u = 0`` (degenerate limit).

    >>> lp = copy_limit_profile(3); lp.atom_at_zero, lp.atom_cost([2, 1])
    (log(3), log(3))
    """
    if not isinstance(q, (int, np.integer)) or q < 2:
        raise SymschedError(f"q (number of symbols of the copy model) must be an integer >= 2, got {q!r}")
    return LimitProfile(sp.Integer(0), U, name=f"copy(q={q})", value_at_zero=sp.log(q),
                        rate="exact for every N: h_0 = log q, h_j = 0 for j >= 1",
                        derivation="one token determines all others; the limit is degenerate (atom at 0)",
                        params={"q": int(q)})


def parity_limit_profile() -> LimitProfile:
    """Parity model: ``φ ≡ log 2`` with an atom ``−log 2`` at the last point (``h_{N−1} = 0``)."""
    return LimitProfile(sp.log(2) + 0 * U, U, name="parity", value_at_end=sp.Integer(0),
                        rate="exact for every N: h_j = log 2 for j < N-1, h_{N-1} = 0",
                        derivation="N-1 fair bits determine the XOR; any N-1 tokens are independent")


def beta_bernoulli_limit_profile(a: Any = 1, b: Any = 1) -> LimitProfile:
    """Exchangeable Beta(a, b)–Bernoulli tokens: ``φ ≡ E h₂(p)`` on ``(0, 1]``, atom at 0.

    ``φ = ψ(a+b+1) − a/(a+b) ψ(a+1) − b/(a+b) ψ(b+1)``; ``h_0 = h₂(a/(a+b))``;
    ``h_j = φ + 1/(2j) + O(j^{-2})`` (module docstring), i.e. ``O(1/(uN))`` at ``j = uN``.

    >>> beta_bernoulli_limit_profile(1, 1).expr
    1/2
    """
    A, B = _number(a, "a"), _number(b, "b")
    for name, v in (("a", A), ("b", B)):
        if v.is_number and not v > 0:
            raise SymschedError(f"Beta parameter {name} must be > 0, got {v}")
    # sympy evaluates ψ(n + 1) as a harmonic sum of n terms: only for small rationals (else it hangs)
    small = all(not v.is_number or isinstance(v, sp.Float) or (v.is_Rational and max(abs(v.p), v.q) <= 1000)
                for v in (A, B))

    def psi(x):
        return sp.polygamma(0, x, evaluate=small)
    phi = psi(A + B + 1) - A / (A + B) * psi(A + 1) - B / (A + B) * psi(B + 1)
    phi = sp.simplify(sp.expand_func(phi)) if (small and A.is_Rational and B.is_Rational) else phi
    p0 = A / (A + B)
    return LimitProfile(phi + 0 * U, U, name=f"beta_bernoulli(a={A}, b={B})", value_at_zero=binary_entropy(p0),
                        rate="h_j = phi + 1/(2j) + O(1/j^2): O(1/(uN)) at j = uN, not uniform near u = 0",
                        derivation="posterior predictive p_hat -> p ~ Beta(a,b); E h2(p) = psi(a+b+1) - "
                                   "a/(a+b) psi(a+1) - b/(a+b) psi(b+1)",
                        params={"a": A, "b": B})


def binary_symmetric_chain_limit_profile(eps: Any) -> LimitProfile:
    """Binary symmetric Markov chain with flip probability ``ε`` (geometric gap laws).

    ``φ(u) = log 2 − Σ_{k≥1} [1 − (1 + β_k u)^{−2}]/(2k(2k−1))``, ``β_k = ρ^{2k}/(1−ρ^{2k})``,
    ``ρ = 1 − 2ε`` — equal to ``2Σ_a u(1−u)^{a−1}h₂(ε_a) − Σ_{a,b} u²(1−u)^{a+b−2}h₂(ε_{a+b})``
    (module docstring).  Numerically the series is summed to the working precision (terms decay
    like ``ρ^{2k}/k²``); derivatives of every order are explicit.

    Parameters
    ----------
    eps : number in (0, 1) or sympy expression
        Flip probability; ``ε = 1/2`` gives independent tokens (φ ≡ log 2).

    Examples
    --------
    >>> lp = binary_symmetric_chain_limit_profile(sp.Rational(1, 10))
    >>> round(float(lp(0.5)), 6)
    0.281229
    """
    E = _number(eps, "eps")
    if E.is_number and not (0 < E < 1):
        raise SymschedError(f"eps (flip probability) must lie in (0, 1), got {eps!r}")
    k = sp.Symbol("k", integer=True, positive=True)
    rho2k = (1 - 2 * E) ** (2 * k)
    beta = rho2k / (1 - rho2k)
    expr = sp.log(2) - sp.Sum((1 - (1 + beta * U) ** -2) / (2 * k * (2 * k - 1)), (k, 1, sp.oo))

    def numeric(x, n, E=E):
        if E.free_symbols:
            raise SymschedError(f"eps = {E} is symbolic: substitute a number for numeric values")
        # a float eps means its exact binary value (so results are accurate to every requested digit)
        e_mp = mpmath.mpf(E._mpf_) if isinstance(E, sp.Float) else mpmath.mpf(sp.N(E, mpmath.mp.dps + 10))
        rho2 = (1 - 2 * e_mp) ** 2
        tol = mpmath.eps * 2
        total = mpmath.mpf(0)
        c = mpmath.mpf(1)
        fact = mpmath.factorial(n + 1) * (-1) ** n
        for kk in range(1, 10 ** 6):
            c *= rho2
            if c == 0:
                break
            bk = c / (1 - c)
            base = (1 + bk * x)
            if n == 0:
                term = (1 - base ** -2) / (2 * kk * (2 * kk - 1))
            else:
                term = -fact * bk ** n * base ** (-n - 2) / (2 * kk * (2 * kk - 1))
            total += term
            # terms decrease geometrically (ratio <= rho^2): stop when the remaining tail is negligible
            if abs(term) <= tol * (1 - rho2) * max(abs(total), 1):
                break
        return (mpmath.log(2) if n == 0 else 0) - total

    return LimitProfile(expr, U, name=f"binary_symmetric_chain(eps={E})",
                        rate="O(1/N) (boundary positions and sampling without replacement)",
                        derivation="geometric gap laws for the nearest revealed neighbours; "
                                   "H(X_i|X_{i-a},X_{i+b}) = h2(eps_a) + h2(eps_b) - h2(eps_{a+b})",
                        params={"eps": E}, _numeric=numeric)


_FAMILIES = {
    "independent": independent_limit_profile,
    "copy": copy_limit_profile,
    "parity": parity_limit_profile,
    "beta_bernoulli": beta_bernoulli_limit_profile,
    "binary_symmetric_chain": binary_symmetric_chain_limit_profile,
    "markov": binary_symmetric_chain_limit_profile,
}


def limit_profile(family: str, **params: Any) -> LimitProfile:
    """The limit profile of a model family by name.

    Parameters
    ----------
    family : {"independent", "copy", "parity", "beta_bernoulli", "binary_symmetric_chain" (or "markov")}
    **params
        The family's parameters: ``entropy``; ``q``; none; ``a, b``; ``eps``.

    Examples
    --------
    >>> limit_profile("markov", eps=0.25).name
    'binary_symmetric_chain(eps=0.250000000000000)'
    """
    try:
        if not isinstance(family, str):
            raise KeyError(family)
        fn = _FAMILIES[family]
    except KeyError:
        raise SymschedError(f"family must be one of {sorted(_FAMILIES)}, got {family!r}") from None
    try:
        return fn(**params)
    except TypeError as exc:
        raise SymschedError(f"limit_profile({family!r}): bad parameters {sorted(params)}: {exc}") from None
