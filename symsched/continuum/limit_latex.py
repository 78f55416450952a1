"""The LaTeX derivation of a :class:`~symsched.continuum.limit.RiemannLimit` (``derivation``, ``latex``).

A mixin: the limit object holds the state.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Iterable

import mpmath
import sympy as sp


__all__: list = []


def _fmt_latex(x: Any) -> str:
    if isinstance(x, sp.Float):
        return sp.latex(sp.Float(x, 15))
    if isinstance(x, sp.Basic):
        return sp.latex(x)
    if isinstance(x, mpmath.mpf):
        return sp.latex(sp.Float(x, 15))
    return str(x)


class LimitLatex:
    """``φ``, ``f``, ``Δ``, ``∫√f``, ``κ*``, ``G``, ``G^{−1}`` and the constants as LaTeX lines."""

    def add_lines(self, lines: Iterable[str] | str) -> Any:
        """Append LaTeX ``align`` lines (e.g. from the error expansion) to :meth:`derivation`."""
        if isinstance(lines, str):
            lines = [lines]
        self._extra_lines.extend(str(x) for x in lines)
        return self

    def _lines(self, extra_lines: Iterable[str] | None = None) -> list:
        L = sp.latex
        u = L(self.u)
        lines = [rf"\varphi({u}) &= {L(self.phi)}",
                 rf"f({u}) = -\varphi'({u}) &= {_fmt_latex(self.f)}",
                 rf"\Delta = \varphi(0) - \varphi(1) &= {_fmt_latex(self.delta)}"]
        if self.is_independent:
            lines.append(r"\mathbb{E}\,\mathrm{KL} &\to 0 \quad\text{(independent tokens: any schedule)}")
        else:
            lines += [rf"\int_0^1 \sqrt{{f}}\,d{u} &= {_fmt_latex(self.sqrt_f_integral)}",
                      rf"\kappa^*({u}) = \frac{{\int_0^1\sqrt{{f}}}}{{\sqrt{{f({u})}}}} &= {_fmt_latex(self.density)}"]
            if self.cdf is not None:
                lines.append(rf"G({u}) = \frac{{\int_0^{u}\sqrt{{f}}}}{{\int_0^1\sqrt{{f}}}} &= {_fmt_latex(self.cdf)}")
            else:
                lines.append(rf"G({u}) &= \frac{{\int_0^{u}\sqrt{{f}}}}{{\int_0^1\sqrt{{f}}}}"
                             r"\quad\text{(numeric)}")
            if self.inverse_cdf is not None:
                lines.append(rf"\frac{{s_t}}{{N}} = G^{{-1}}(t/K),\quad G^{{-1}}(y) &= {_fmt_latex(self.inverse_cdf)}")
            lines.append(r"\lim \tfrac{K}{N}\,\mathbb{E}\,\mathrm{KL}_{\mathrm{opt}} = "
                         r"\tfrac12\Big(\int_0^1\sqrt{f}\Big)^2 &= "
                         + _fmt_latex(self.leading_constant))
        lines += [r"\lim \tfrac{K}{N}\,\mathbb{E}\,\mathrm{KL}_{\mathrm{const}} = \tfrac12\Delta &= "
                  + _fmt_latex(self.constant_leading_constant),
                  r"\text{gain} = \frac{(\int_0^1\sqrt{f})^2}{\int_0^1 f} &= " + _fmt_latex(self.gain)]
        return lines + list(self._extra_lines) + list(extra_lines or [])

    def derivation(self, extra_lines: Iterable[str] | None = None) -> str:
        r"""LaTeX ``align`` block: ``φ``, ``f``, ``Δ``, ``∫√f``, ``κ*``, ``G``, ``G^{−1}`` (if closed),
        and the optimal / constant leading constants and the gain, then any added lines."""
        return "\\begin{align}\n" + " \\\\\n".join(self._lines(extra_lines)) + "\n\\end{align}"

    def latex(self) -> str:
        """The derivation's formulas as an ``aligned`` block (usable inside ``$...$``)."""
        return "\\begin{aligned}\n" + " \\\\\n".join(self._lines()) + "\n\\end{aligned}"
