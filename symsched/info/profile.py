"""The information profile: the hand-off from models to schedules and continuum.

``h_j = E_{|T|=j, i not in T} H(X_i | X_T)`` for ``j = 0..N-1`` and the entropy profile
``e_j = mean_{|T|=j} H(X_T)`` for ``j = 0..N`` (``h_j = e_{j+1} - e_j``).  Schedules and the
continuum layer accept an :class:`InformationProfile` or a plain sequence of ``h`` values, coerced
by :func:`as_profile`, and never need the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from ..arithmetic import PRECISIONS, SUM_TOLERANCE, arithmetic, latex_value, simplify_information, to_float
from ..errors import SymschedError
from ..results import Result, digits_for

__all__ = ["InformationProfile", "as_profile", "profile_precision"]


def profile_precision(values: Sequence[Any]) -> str:
    """The precision a sequence of values calls for: symbolic if any sympy object, mpmath if any mpf."""

    if any(isinstance(v, (sp.Basic, Fraction)) for v in values):
        return "symbolic"
    if any(isinstance(v, mpmath.mpf) for v in values):
        return "mpmath"
    return "float"


@dataclass(frozen=True, eq=False)
class InformationProfile(Result):
    """Entropy and information profiles of a model, with TC, DTC and O-information.

    Attributes
    ----------
    h : tuple
        ``h_0..h_{N-1}`` (non-increasing, summing to ``entropy``).
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

    Examples
    --------
    >>> import symsched as ss
    >>> p = ss.as_profile([0.7, 0.6, 0.1])
    >>> round(p.total_correlation, 12), round(p.dual_total_correlation, 12)
    (0.7, 1.1)
    """

    _headline = "entropy"  # float(profile) is H(X); the result protocol (symsched.results)
    _fields = ("N", "h", "entropy", "total_correlation", "dual_total_correlation", "precision", "method", "base",
               "stderr")
    _repr_fields = ("N", "h", "precision", "method")

    h: tuple
    e: tuple
    entropy: Any
    precision: str = "float"
    method: str = "given"
    base: Any = None
    stderr: tuple = field(default=())
    dps: int | None = None

    def __post_init__(self):
        if self.precision not in PRECISIONS:
            raise SymschedError(f"precision must be one of {PRECISIONS}, got {self.precision!r}")
        if len(self.e) != len(self.h) + 1:
            raise SymschedError(f"profile: e has {len(self.e)} entries, expected len(h) + 1 = {len(self.h) + 1}")
        if not self.stderr:
            object.__setattr__(self, "stderr", tuple(0.0 for _ in self.h))

    # -- sequence behaviour (a profile is its h values) ----------------------------------------
    def __len__(self) -> int:
        return len(self.h)

    def __getitem__(self, j):
        return self.h[j]

    def __iter__(self):
        return iter(self.h)

    @property
    def N(self) -> int:
        return len(self.h)

    @property
    def digits(self) -> int:
        return digits_for(self.precision, self.dps)

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

    def numeric(self) -> "InformationProfile":
        """The same profile in floats (symbols must be resolved)."""
        if self.precision == "float":
            return self
        return InformationProfile(tuple(to_float(x, "h") for x in self.h), tuple(to_float(x, "e") for x in self.e),
                                  to_float(self.entropy, "entropy"), "float", self.method, self.base,
                                  tuple(float(s) for s in self.stderr))

    def as_array(self) -> np.ndarray:
        """``h`` as a float64 array."""
        return np.array([to_float(x, "h") for x in self.h], dtype=float)

    def subs(self, mapping) -> "InformationProfile":
        """Substitute symbols in a symbolic profile."""
        f = (lambda x: simplify_information(sp.sympify(x).subs(mapping)))
        return InformationProfile(tuple(map(f, self.h)), tuple(map(f, self.e)), f(self.entropy),
                                  self.precision, self.method, self.base, self.stderr, self.dps)

    # -- display ------------------------------------------------------------------------------
    def latex(self) -> str:
        """LaTeX of the profile's values and its TC / DTC."""
        def fmt(x):
            return latex_value(x, self.precision)

        hs = ", ".join(fmt(x) for x in self.h)
        unit = "" if self.base is None else rf"\ (\log_{{{self.base}}})"
        return (rf"h = \left({hs}\right),\quad H = {fmt(self.entropy)},\quad "
                rf"\mathrm{{TC}} = {fmt(self.total_correlation)},\quad "
                rf"\mathrm{{DTC}} = {fmt(self.dual_total_correlation)}{unit}")

    def __repr__(self) -> str:
        if self.precision == "float":
            hs = ", ".join(f"{x:.6g}" for x in self.h[:8]) + (", ..." if self.N > 8 else "")
        else:
            hs = ", ".join(_clip(str(x)) for x in self.h[:6]) + (", ..." if self.N > 6 else "")
        return f"InformationProfile(N={self.N}, h=({hs}), precision={self.precision!r}, method={self.method!r})"


def _clip(text: str, width: int = 24) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def _check_profile_values(h: Sequence[Any]) -> None:
    numeric = []
    for j, x in enumerate(h):
        if isinstance(x, sp.Basic) and x.free_symbols:
            return  # cannot order symbolic values; trust the caller
        v = to_float(x, f"h[{j}]")
        if not math.isfinite(v):
            raise SymschedError(f"profile: h[{j}] = {x!r} is not finite")
        if v < -SUM_TOLERANCE:
            raise SymschedError(f"profile: h[{j}] = {x!r} is negative (conditional entropies are >= 0)")
        numeric.append(v)
    scale = max([abs(v) for v in numeric] + [1.0])
    for j in range(1, len(numeric)):
        if numeric[j] > numeric[j - 1] + SUM_TOLERANCE * scale:
            raise SymschedError(
                f"profile: h[{j}] = {numeric[j]!r} > h[{j - 1}] = {numeric[j - 1]!r}; an information profile is "
                "non-increasing (pass check=False to use a noisy estimate anyway)")


def as_profile(profile: Any, check: bool = True, base: Any = None) -> InformationProfile:
    """Coerce a profile or a plain sequence of ``h`` values into an :class:`InformationProfile`.

    Parameters
    ----------
    profile : InformationProfile or sequence
        A profile, or ``h_0..h_{N-1}`` as numbers (float, Fraction, mpf or sympy).
    check : bool
        Refuse negative, non-finite or increasing values (default True).

    Raises
    ------
    ValueError
        For an empty sequence or values that are not an information profile.
    """
    if isinstance(profile, InformationProfile):
        return profile
    if isinstance(profile, (str, bytes)) or not hasattr(profile, "__len__"):
        raise SymschedError(f"expected an InformationProfile or a sequence of h values, got {type(profile).__name__}")
    values = list(np.asarray(profile, dtype=object).ravel()) if isinstance(profile, np.ndarray) else list(profile)
    if not values:
        raise SymschedError("profile: empty sequence of h values (N must be >= 1)")
    if check:
        _check_profile_values(values)
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
    return InformationProfile(h, e, e[-1], precision, "given", base)
