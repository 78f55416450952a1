"""Wainwright's block-schedule statements (issue #27) as :class:`~symsched.bounds.statements.Bound` rows.

* :func:`wainwright_prop1_bound` — Prop. 1 (28b): ``KL <= 4C/K + init + completion`` for his geometric
  block sampler (:func:`~symsched.schedules.wainwright.wainwright_schedule`), beside that sampler's exact KL.
* :func:`wainwright_cor1_bound` — Cor. 1 (21): one geometric block, ``ρ = exp(S/K) - 1``:
  ``KL <= (2 H(t_0, T)/K) ln(ψ(T)/ψ(t_0)) + init + completion``, beside the exact KL of that grid.
* :func:`wainwright_lemma3_bound` — Lemma 3 (46): ``√C(U_M) <= √P + ℓ ω(2ℓ/M)`` for the uniform
  ``M``-block partition of ``[-ℓ, ℓ]``, ``ℓ = ln(N - 1)``, ``ω`` the modulus of continuity of ``√q``
  (measured on a fine mesh), beside the exact ``C(U_M)``.

The initial and completion terms are the exact errors of the sampler's first Bernoulli step (fully masked
to ``t_0``) and of its one-shot clean-up step (``T`` to 1): his ``KL(P_{t_0} || Q_{t_0})`` and ``Γ_C(T)`` for
these two choices.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.ndimage import maximum_filter1d, minimum_filter1d

from ..errors import SymschedError
from ..validation import positive_int
from ..info.profile import as_profile
from ..schedules.grids import bernoulli_expected_kl
from ..schedules.partition import FloatGrowth, canonical_interval, partition_complexity, phi
from ..schedules.wainwright import geometric_bernoulli, minimum_steps, step_error, wainwright_schedule
from .practice import WAINWRIGHT
from .statements import Bound

__all__ = ["wainwright_prop1_bound", "wainwright_cor1_bound", "wainwright_lemma3_bound"]

_REEXPORTED = (minimum_steps, phi)  # used by compare_bounds through this module


def wainwright_prop1_bound(profile: Any, K: int, blocks: int = 1, partition: str = "uniform") -> Bound:
    r"""Wainwright's Prop. 1: ``KL <= 4C/K + init + completion`` for his ``M``-block geometric sampler.

    ``value`` is the bound; ``parameters["exact_kl"]`` the sampler's exact expected KL (the row's
    comparison value), ``parameters["C"]`` the partition complexity.

    Examples
    --------
    >>> import symsched as ss
    >>> b = wainwright_prop1_bound(ss.information_profile(ss.copy_model(8, 2)), 40, blocks=2)
    >>> b.check(b.parameters["exact_kl"])
    True
    """
    w = wainwright_schedule(profile, K, blocks=blocks, partition=partition)
    return Bound("Wainwright Prop. 1", "upper", "E KL of his M-block geometric sampler",
                 statement=r"\mathbb{E}\,\mathrm{KL} \le \frac{4\,C(\mathcal{P})}{K} + \text{init}"
                 r" + \text{completion},\ "
                 r"C(\mathcal{P}) = \Bigl(\sum_m \sqrt{S_m H_m}\Bigr)^2", source=WAINWRIGHT, where="Prop. 1 (28b)",
                 hypotheses=("Bernoulli sampler", "exact conditionals", r"K \ge 2\{M + 2\ln(\psi(T)/\psi(t_0))\}"),
                 proven=True,
                 value=w.bound, parameters={"N": as_profile(profile).N, "K": w.K, "M": w.M, "C": float(w.C),
                                      "exact_kl": w.kl, "steps": w.steps},
                 note=f"his sampler uses {w.steps} steps ({w.interior_steps} interior + first + clean-up); "
                      "init and completion are the exact errors of its first and last steps")


def _geo_grid(t0: Any, T: Any, K: int) -> tuple:
    S = phi(float(T)) - phi(float(t0))
    inner, _ = geometric_bernoulli((t0, T), (math.expm1(S / K),))
    return (0, *inner, 1)


def wainwright_cor1_bound(profile: Any, K: int, t0: Any = None, T: Any = None) -> Bound:
    r"""Wainwright's Cor. 1: one geometric block with ``ρ = exp(ln(ψ(T)/ψ(t_0))/K) - 1`` on ``[t_0, T]``.

    Needs ``K >= ln(ψ(T)/ψ(t_0))``. ``parameters["exact_kl"]`` is the exact expected KL of that grid
    (``0, t_0, ..., T, 1``: ``K`` geometric steps plus the first and the clean-up step).

    Examples
    --------
    >>> import symsched as ss
    >>> b = wainwright_cor1_bound(ss.information_profile(ss.copy_model(8, 2)), 10)
    >>> b.check(b.parameters["exact_kl"])
    True
    """
    prof = as_profile(profile)
    K = positive_int(K, "K", "wainwright_cor1_bound")
    if prof.N < 3 and (t0 is None or T is None):
        raise SymschedError(f"wainwright_cor1_bound: N = {prof.N} < 3 has no canonical interval; give t0 and T")
    t0, T = canonical_interval(prof.N, t0, T)
    S = phi(float(T)) - phi(float(t0))
    if K < S:
        raise SymschedError(f"wainwright_cor1_bound: Cor. 1 needs K >= ln(psi(T)/psi(t0)) = {S:.4g}: ask for "
                            f"K >= {math.ceil(S)}")
    grid = _geo_grid(t0, T, int(K))
    pc = partition_complexity(prof, [t0, T])
    init, completion = float(step_error(prof, 0, t0)), float(step_error(prof, T, 1))
    value = 2 * float(pc.H[0]) / K * S + init + completion
    exact = bernoulli_expected_kl(prof, grid)
    return Bound("Wainwright Cor. 1", "upper", "E KL of the one-block geometric grid",
                 statement=r"\mathbb{E}\,\mathrm{KL} \le \frac{2 H(t_0, T)}{K} \ln\frac{\psi(T)}{\psi(t_0)}"
                 r" + \text{init}"
                 r" + \text{completion}", source=WAINWRIGHT, where="Cor. 1 (21)",
                 hypotheses=("Bernoulli sampler", "exact conditionals", r"K \ge \ln(\psi(T)/\psi(t_0))"), proven=True,
                 value=value,
                 parameters={"N": prof.N, "K": int(K), "H": float(pc.H[0]), "exact_kl": exact},
                 note="init and completion: the exact errors of the first and the clean-up step")


def wainwright_lemma3_bound(profile: Any, M: int, mesh: int = 20001) -> Bound:
    r"""Wainwright's Lemma 3: ``√C(U_M) <= √P + ℓ ω(2ℓ/M)`` on the canonical interval, as a bound on ``C(U_M)``.

    ``ω`` (the modulus of continuity of ``√q`` on ``[-ℓ, ℓ]``) is measured on a ``mesh``-point grid, so the
    value is numerical (the note says so). ``parameters["exact"]`` is ``C(U_M)``, ``parameters["P"]`` the
    fine complexity.

    Examples
    --------
    >>> import symsched as ss
    >>> b = wainwright_lemma3_bound(ss.information_profile(ss.copy_model(8, 2)), 4)
    >>> C, P = b.parameters["exact"], b.parameters["P"]    # C(U_M) and the fine complexity
    >>> P <= C <= b.value
    True
    """
    prof = as_profile(profile)
    M = positive_int(M, "M", "wainwright_lemma3_bound")
    if prof.N < 3:
        raise SymschedError(f"wainwright_lemma3_bound: N = {prof.N} < 3 has no canonical interval")
    if isinstance(mesh, (bool, np.bool_)) or not isinstance(mesh, (int, np.integer)) or not 100 <= mesh <= 10 ** 6:
        raise SymschedError(f"wainwright_lemma3_bound: mesh must be an integer in [100, 1e6], got {mesh!r}")
    N = prof.N
    ell = math.log(N - 1)
    pc = partition_complexity(prof, blocks=int(M))
    fg = FloatGrowth(prof.as_array())
    lam = np.linspace(-ell, ell, int(mesh))
    r = 1 / (1 + np.exp(-lam))
    f = np.sqrt(np.maximum(r ** 2 * (1 - r) ** 2 * fg.rate(r), 0.0))
    k = min(len(lam) - 1, math.ceil(2 * ell / M / (lam[1] - lam[0])))
    # omega(w) = the largest oscillation of sqrt q over a window of width w (k + 1 mesh points)
    omega = float(np.max(maximum_filter1d(f, k + 1) - minimum_filter1d(f, k + 1)))
    value = (math.sqrt(pc.fine) + ell * omega) ** 2
    return Bound("Wainwright Lemma 3", "upper", "C(U_M), uniform M-block partition",
                 statement=r"\sqrt{C(\mathcal{U}_M)} \le \sqrt{P} + \ell\,\omega_{\sqrt{q}}(2\ell/M),\ \ell = \ln(N-1)",
                 source=WAINWRIGHT, where="Lemma 3 (46)", hypotheses=("q continuous on [-l, l]",), proven=True,
                 value=value,
                 parameters={"N": N, "M": int(M), "P": pc.fine, "omega": omega, "exact": float(pc)},
                 note=f"omega measured on a {mesh}-point mesh (numerical)")
