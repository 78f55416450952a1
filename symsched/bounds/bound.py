"""What a bound is: :class:`Bound` (one evaluated statement), :class:`Source` and :data:`SOURCES`.

The statements themselves are functions in :mod:`symsched.bounds.statements` and :mod:`.ccl`; they
evaluate on a :class:`~symsched.bounds.checked.CheckedProfile`.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field
from typing import Any
from collections.abc import Mapping

import sympy as sp

from ..values import is_symbolic_value, to_float
from ..errors import SymschedError
from ..formatting import estimate_digits, format_value, latex_number
from ..results import Estimate, Result

__all__: list = []

KINDS = ("identity", "upper", "lower", "order", "statement")


#: Relative tolerance of :meth:`Bound.check` on float comparisons (values are sums of O(N) terms).
CHECK_RTOL = 1e-9


@dataclass(frozen=True, repr=False)
class Source(Result):
    """A reference: who, what, when, where in the paper, and how much of it could be read.

    The same sources, in words, with what each statement is: ``docs/references.md``.
    """

    _fields = ("key", "authors", "title", "year", "venue", "read")
    _repr_fields = ("key", "year")

    key: str
    authors: str
    title: str
    _: KW_ONLY
    year: int | None
    venue: str = ""
    read: str = ""

    def cite(self, where: str = "") -> str:
        """Short citation, e.g. ``"Chen, Cong & Li (2026), Thm 4/16"``."""
        base = self.authors if self.year is None else f"{self.authors} ({self.year})"
        return f"{base}, {where}" if where else base


#: The sources symsched reproduces, with how much of each could be read (docs/references.md).
SOURCES: dict = {
    "CCL": Source("CCL", "Chen, Cong & Li", "Optimal Inference Schedules for Masked Diffusion Models", year=2026,
                  venue="COLT 2026 (PMLR vol. 336)", read="read in full"),
    "LI_CAI": Source("LI_CAI", "Li & Cai",
                     "A Convergence Theory for Diffusion Language Models: An Information-Theoretic Perspective "
                     "(revised as: Breaking AR's Sampling Bottleneck: Provable Acceleration via Diffusion "
                     "Language Models)", year=2025, venue="arXiv:2505.21400",
                     read="read through Chen, Cong & Li's restatement; the lower bound's exact form was not read"),
    "LZ": Source("LZ", "Lavenant & Zanella",
                 "Error Bounds and Optimal Schedules for Masked Diffusions with Factorized Approximations", year=2025,
                 venue="arXiv:2510.25544", read="abstract and secondary summaries only"),
    "ZHAO_CAI": Source("ZHAO_CAI", "Zhao & Cai", "Adaptation to Intrinsic Dependence in Diffusion Language Models",
                       year=2026, venue="arXiv:2602.20126", read="abstract only"),
    "LIANG": Source("LIANG", "Liang, Tan, Shroff & Liang", "Sharp Convergence Rates for Masked Diffusion Models",
                    year=2026, venue="arXiv:2602.22505", read="abstract only"),
    "SYMSCHED": Source("SYMSCHED", "symsched", "derived in symsched from the exact identity (proof in the docstring)",
                       year=None, venue="", read="derivation in this module"),
    "PINSKER": Source("PINSKER", "Pinsker", "Pinsker's inequality (sharp constant: Kullback, Csiszár)", year=None,
                      venue="",
                      read="textbook"),
}


@dataclass(frozen=True, eq=False)
class Bound(Result):
    """One statement about the sampler's error, evaluated.

    Attributes
    ----------
    name : str
        Short label.
    kind : {"identity", "upper", "lower", "order", "statement"}
    target : str
        The quantity the statement is about (``"E KL"``, ``"E KL of the CCL TC schedule"``,
        ``"KL(p||q)"``, ``"TV(p,q)"``, ``"steps"``, ...).
    statement : str
        The statement in LaTeX, in symsched's notation.
    source : Source
    where : str
        Theorem / section in the source, when known.
    hypotheses : tuple of str
    proven : bool
        Whether ``value`` is a proven bound on ``target`` (always False for ``"order"`` rows).
    value : number or None
        The bound's value (None for a rate whose constant is unknown and not given).
    rate : number or None
        For ``"order"`` rows: the rate expression evaluated with constant 1.
    parameters : dict
        The inputs the value was computed from (``N``, ``K``, ``zeta``, ``C``, ...).
    note : str

    ``float(bound)`` is ``value`` (a ``TypeError`` when there is none).  On an estimated profile
    ``value`` is an :class:`~symsched.results.Estimate` and ``exact`` is False.
    """

    _headline = "value"
    _fields = ("name", "kind", "target", "value", "rate", "proven", "exact", "statement", "citation",
               "hypotheses", "parameters", "note")
    _repr_fields = ("name", "kind", "value", "proven")

    name: str
    kind: str
    target: str
    _: KW_ONLY
    statement: str
    source: Source
    where: str = ""
    hypotheses: tuple = ()
    proven: bool = False
    value: Any = None
    rate: Any = None
    parameters: Mapping = field(default_factory=dict)
    note: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise SymschedError(f"Bound: kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind in ("order", "statement") and self.proven:
            raise SymschedError(f"Bound {self.name!r}: an {self.kind!r} row cannot claim a proven numeric bound")

    @property
    def citation(self) -> str:
        return self.source.cite(self.where)

    @property
    def exact(self) -> bool:
        """False when the value was derived from an estimated profile (it is then an ``Estimate``)."""
        return not isinstance(self.value, Estimate)

    def __float__(self) -> float:
        if self.value is None:
            raise TypeError(f"Bound {self.name!r} has no value ({self.kind} statement"
                            + ("; pass its constant C" if self.kind == "order" and self.rate is not None else "")
                            + ")")
        return Result.__float__(self)

    def numeric(self) -> float | None:
        """``value`` as a float (None when there is no value or it still has free symbols)."""
        return _numeric(self.value, f"value of {self.name}")

    def check(self, exact: Any, rtol: float = CHECK_RTOL) -> bool | None:
        """Does the proven bound hold against ``exact``? None when nothing numeric is claimed.

        Upper bounds need ``value >= exact``, lower bounds ``value <= exact``, identities equality, all up
        to ``rtol`` relative to the larger magnitude (floats carry rounding).  ``"order"`` and
        ``"statement"`` rows, unproven rows, and rows or exact values that are None or symbolic give None.
        """
        if not self.proven or self.kind in ("order", "statement") or exact is None:
            return None
        v = self.numeric()
        x = _numeric(exact, "exact")
        if v is None or x is None:
            return None
        tol = rtol * max(1.0, abs(v), abs(x))
        if self.kind == "upper":
            return v >= x - tol
        if self.kind == "lower":
            return v <= x + tol
        return abs(v - x) <= tol

    # -- display ------------------------------------------------------------------------------
    def latex(self) -> str:
        """The statement in LaTeX, followed by its value when there is one."""
        if self.value is None:
            return self.statement
        return rf"{self.statement} \quad [= {_latex_value(self.value, self.digits)}]"

    def _repr_latex_(self) -> str:
        return f"${self.latex()}$"

    def __repr__(self) -> str:
        extra = "" if self.rate is None else f", rate={_fmt(self.rate)}"
        return f"Bound({self.name!r}, kind={self.kind!r}, value={_fmt(self.value)}{extra}, proven={self.proven})"


def _numeric(x: Any, where: str) -> float | None:
    """``x`` as a float; None when there is none or it has free symbols (an ``Estimate`` gives its value)."""
    if x is None or is_symbolic_value(x):
        return None
    if isinstance(x, Estimate):
        return float(x)
    return to_float(x, where)


def _fmt(x: Any, digits: int = 6) -> str:
    """Plain text of a bound's number: ``-`` for none, ``v ± s`` for an estimate, else ``digits`` digits."""
    if x is None:
        return "-"
    if isinstance(x, (bool, int)):
        return str(x)
    if isinstance(x, Estimate):
        return f"{format_value(x.value, estimate_digits(x.value, x.stderr, digits))} ± {format_value(x.stderr, 2)}"
    if isinstance(x, sp.Basic) and x.free_symbols:
        return str(x)
    try:
        return format_value(to_float(x), digits)
    except (TypeError, ValueError):
        return str(x)


def _latex_value(x: Any, digits: int = 6) -> str:
    if isinstance(x, Estimate):
        return x.latex()
    if isinstance(x, sp.Basic):
        return sp.latex(x)
    return latex_number(to_float(x), digits)
