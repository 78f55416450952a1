"""Reveal grids of the continuous-time (Bernoulli) samplers: one convention, one validator.

Convention (docs/concepts.md §2, §7): a grid is a sequence of *reveal fractions*
``0 = u_0 < u_1 < ... < u_K <= 1``; at step ``k`` every still-masked token is revealed independently
with probability ``(u_k - u_{k-1}) / (1 - u_{k-1})``. The samplers of MDLM, SEDD and Dream run a
diffusion time ``t`` from 1 down to ``eps``; with their (log-)linear schedules the fraction of tokens
still masked at time ``t`` is proportional to ``t``, so in our convention ``u = 1 - t``.

A grid that stops short of 1 (``u_K = 1 - eps < 1``) leaves tokens masked; the sampler's final
clean-up ("noise removal") step reveals them all at once. It is one more factorized step, it costs a
model call, and it is part of the error: :func:`reveal_grid` appends it (``u_{K+1} = 1``) unless
told not to, and :func:`bernoulli_expected_kl` therefore includes it.

Everything that takes a grid (``bernoulli_expected_kl``, the Euler sampler of
:mod:`symsched.samplers.continuous_time`, ``binomial_bernoulli_grid``) validates it with
:func:`check_grid`; ``schedules.error.mdlm_grid`` and ``samplers.reveal_grid`` are the
functions here under their older homes.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any
from collections.abc import Sequence

import mpmath
import numpy as np
import sympy as sp
from scipy.stats import binom

from ..arithmetic import to_float
from ..errors import SymschedError
from ..formatting import latex_fit, latex_number
from ..info.profile import as_profile
from ..results import Estimate, ItemsView, Result
from ..validation import check_choice, check_steps, finite_real
from .families import _alpha_function
from .rules import get_rule, sampler_rules

__all__ = ["check_grid", "reveal_grid", "sampler_grid", "RevealGrid", "mdlm_grid", "bernoulli_expected_kl",
           "SAMPLER_GRID_DEFAULTS"]

#: Default ``eps`` (last diffusion time) of each grid rule, from the samplers' code (the registry's defaults).
SAMPLER_GRID_DEFAULTS = {name: get_rule(name).options["eps"] for name in sampler_rules("grid")
                         if "eps" in get_rule(name).options}


def _exact_number(x: Any, where: str) -> Any:
    """A Python float given by the user as a decimal (``1e-3``) becomes that decimal exactly."""
    if isinstance(x, (bool, np.bool_)):
        raise SymschedError(f"{where}: expected a number, got {x!r}")
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    if isinstance(x, (float, np.floating)):
        if not np.isfinite(x):
            raise SymschedError(f"{where}: {x!r} is not finite")
        return Fraction(repr(float(x)))
    return x


def check_grid(grid: Sequence[Any], where: str = "grid", cleanup: bool = True) -> tuple:
    """Validate reveal fractions ``0 = u_0 < ... < u_K <= 1``; the one validator of the package.

    Parameters
    ----------
    grid : sequence
        Floats, Fractions, sympy numbers or mpf.
    where : str
        Name used in error messages.
    cleanup : bool
        If the grid ends below 1, append the clean-up point ``1`` (default). With ``False`` a grid
        ending below 1 is refused.

    Returns
    -------
    tuple
        The points (the user's objects), ending at 1.

    Examples
    --------
    >>> check_grid([0, 0.5, 0.9])
    (0, 0.5, 0.9, 1)
    """
    try:
        g = list(grid)
    except TypeError:
        raise SymschedError(f"{where}: expected a sequence 0 = u_0 < ... < u_K <= 1, got {grid!r}") from None
    if len(g) < 2 and not (len(g) == 1 and cleanup):
        raise SymschedError(f"{where}: need 0 = u_0 < ... < u_K <= 1 with K >= 1, got {g}")
    fl = [to_float(x, f"{where}[{k}]") for k, x in enumerate(g)]
    if fl[0] != 0:
        raise SymschedError(f"{where}: must start at u_0 = 0 (nothing revealed), got u_0 = {g[0]!r}")
    for k in range(1, len(g)):
        if not fl[k] > fl[k - 1]:
            raise SymschedError(f"{where}: must be strictly increasing, but u_{k} = {g[k]!r} <= u_{k-1} = {g[k-1]!r}")
    if fl[-1] > 1:
        raise SymschedError(f"{where}: reveal fractions must be <= 1, got u_K = {g[-1]!r}")
    if fl[-1] < 1:
        if not cleanup:
            raise SymschedError(f"{where}: must end at u_K = 1, got u_K = {g[-1]!r} (pass cleanup=True to add the "
                                "final clean-up step)")
        g.append(1)
    return tuple(g)


def reveal_grid(grid: Any, cleanup: bool = True) -> tuple:
    """A validated reveal grid; an integer ``K`` means the uniform grid ``u_k = k/K`` (exact Fractions).

    Examples
    --------
    >>> reveal_grid(4)
    (Fraction(0, 1), Fraction(1, 4), Fraction(1, 2), Fraction(3, 4), Fraction(1, 1))
    >>> reveal_grid([0, 0.5])            # ends below 1: the clean-up step is appended
    (0, 0.5, 1)
    """
    if isinstance(grid, RevealGrid):
        return grid.points
    if isinstance(grid, (int, np.integer)) and not isinstance(grid, (bool, np.bool_)):
        K = check_steps(grid, "grid", "reveal_grid (the number of steps K)")
        return tuple(Fraction(k, K) for k in range(K + 1))
    return check_grid(grid, "grid", cleanup)


class RevealGrid(Result, ItemsView, Sequence):
    """A reveal grid ``0 = u_0 < ... < u_K = 1`` of a named sampler rule (a sequence of its points).

    Attributes
    ----------
    points : tuple
        Reveal fractions including the clean-up point when the rule has one (exact Fractions).
    rule : str
    eps : Fraction
        The sampler's last diffusion time.
    steps : int
        Steps the user asked for (``K``).
    cleanup : bool
        Whether a final clean-up step follows the ``K`` steps (then ``model_calls = K + 1``).
    model_calls : int or Fraction
        Denoiser calls: one per step plus the clean-up; with ``N`` given to :func:`sampler_grid`, the
        expected calls of one sequence as the library makes them (exact).
    times : tuple
        ``1 - u`` at the ``K + 1`` grid points: the fraction still masked (the sampler's own diffusion time for
        the log-linear noise).
    """

    _fields = ("rule", "steps", "eps", "cleanup", "model_calls", "points")
    _repr_fields = ("rule", "steps", "eps", "cleanup")
    _items = "points"  # the sequence protocol (results.ItemsView)

    def __init__(self, points: Sequence[Any], rule: str, *, eps: Any, steps: int, cleanup: bool,
                 model_calls: Any = None):
        self.points = tuple(points)
        self.rule, self.eps, self.steps, self.cleanup = rule, eps, int(steps), bool(cleanup)
        self.model_calls = len(self.points) - 1 if model_calls is None else model_calls
        self.times = tuple(1 - u for u in self.points[:steps + 1])
        self._freeze()

    def latex(self) -> str:
        pts = [latex_number(float(u), self.digits) for u in self.points]
        if len(pts) > 10:
            pts = pts[:5] + [r"\ldots"] + pts[-2:]
        parts = [rf"u = \left({', '.join(pts)}\right)", rf"\text{{{self.rule}}},\ K = {self.steps}",
                 rf"\varepsilon = {latex_number(float(self.eps), self.digits)}"]
        return latex_fit(parts + ([r"\text{with clean-up}"] if self.cleanup else []), sep=r",\ ")


def sampler_grid(rule: str, K: int, eps: Any = None, *, N: int | None = None, **options: Any) -> RevealGrid:
    """Reveal grid of a Bernoulli sampler (MDLM, SEDD, Dream ``origin``) with ``K`` steps.

    Looks the rule up in the registry (:mod:`symsched.schedules.rules.grid_rules`, which names the file and
    commit read):

    * all three run the time ``t`` on ``linspace(1, eps, K + 1)``; with the log-linear noise of
      MDLM and SEDD a masked token is revealed from ``t`` to ``s`` with probability ``(t - s)/t``: in our
      convention ``u_k = 1 - t_k``;
    * ``"mdlm"`` and ``"sedd"`` (``eps`` default ``1e-5``) stop at ``u_K = 1 - eps`` and finish with a
      clean-up (noise-removal) step that reveals every remaining token;
    * ``"dream-origin"`` (``eps`` default ``1e-3``) reveals the rest at its last step itself (``u_K = 1``);
    * ``"mdlm-cosine"``: MDLM with its cosine noise, ``u_k = cos(pi t_k / 2)`` (float points; the noise's own
      eps cancels); ``"mdlm"`` takes ``noise="cosinesqr"`` too (``u_k = cos(pi t_k / 2)**2``).

    Parameters
    ----------
    rule : {"mdlm", "mdlm-cosine", "sedd", "dream-origin", "dllm-stochastic"}
    K : int
        Number of sampler steps.
    eps : number, optional
        Last diffusion time; a float is read as the decimal it prints as (``1e-5`` is ``1/100000``),
        so the grid is exact.
    N : int, optional
        Sequence length. With it, ``model_calls`` is the expected number of denoiser calls of one
        sequence as the library makes them (exact Fraction: MDLM's ``ddpm_cache`` skips the call after a
        step that revealed nothing); without it, the calls without any skipping (``K + 1`` or ``K``).
    **options
        The rule's other options (MDLM: ``sampler="ddpm_cache"`` or ``"ddpm"``, ``noise_removal``, ``noise``).

    Examples
    --------
    >>> g = sampler_grid("mdlm", 2, eps=0.5)
    >>> [str(u) for u in g], g.model_calls
    (['0', '1/4', '1/2', '1'], 3)
    >>> [str(u) for u in sampler_grid("dream-origin", 2, eps=0.5)]
    ['0', '1/4', '1']
    >>> round(float(sampler_grid("mdlm", 128, N=128).model_calls), 4)    # one sequence, ddpm_cache
    82.4619
    """
    r = get_rule(rule, "grid", "sampler_grid")
    K = check_steps(K, "K", "sampler_grid")
    if eps is not None:
        options = {**options, "eps": eps}
    opts = r.resolve(options, "sampler_grid")
    e = opts["eps"]
    times, reveals_rest = r.times(K, opts)
    u = [1 - t for t in times]
    if reveals_rest:
        u[-1] = Fraction(1)  # the last step reveals every remaining token
    cleanup = u[-1] != 1
    calls = None
    if N is not None:
        N = check_steps(N, "N", "sampler_grid")
        calls = r.expected_model_calls(N, K, opts)
    return RevealGrid(check_grid(u, f"sampler_grid({rule!r})"), r.name, eps=e, steps=K, cleanup=cleanup,
                      model_calls=calls)


def mdlm_grid(K: int, eps: float = 1e-5, alpha: Any = "linear", power: float = 2, final: str = "merge") -> list:
    """Reveal-fraction grid of an MDLM / SEDD style sampler with ``K`` steps (float points).

    The sampler runs the diffusion time ``tau`` on ``linspace(1, eps, K+1)``; with the MDLM convention
    ``alpha(tau)`` = probability that a token is unmasked at time ``tau`` (``alpha(0) = 1`` clean,
    ``alpha(1) = 0`` all masked), the fraction revealed after step ``k`` is ``alpha(tau_k)``. At
    ``tau_K = eps`` a fraction ``1 - alpha(eps)`` is still masked, which the sampler finishes off:

    * ``final="merge"`` (default): the last grid point is set to 1, i.e. the K-th step reveals every
      remaining token (Dream's convention). ``K`` steps.
    * ``final="extra"``: keep ``alpha(eps)`` and append 1, a separate final clean-up step as in
      MDLM's sampler. ``K + 1`` steps.

    ``alpha`` (``tau`` the diffusion time, 1 = all masked; MDLM's names from its ``noise_schedule.py``):

    * ``"linear"`` / ``"loglinear"``: ``alpha(tau) = 1 - tau`` (MDLM's default ``LogLinearNoise``, whose
      ``eps`` cancels in the sampler's reveal probabilities);
    * ``"mdlm-cosine"``: ``alpha(tau) = cos(pi tau / 2)`` (MDLM's ``CosineNoise``);
    * ``"mdlm-cosinesqr"``: ``alpha(tau) = cos(pi tau / 2)**2`` (MDLM's ``CosineSqrNoise``);
    * ``"cosine"``: ``alpha(tau) = 1 - sin(pi tau / 2)``, MaskGIT's cosine mask ratio (few tokens first; not
      MDLM's cosine);
    * ``"polynomial"``: ``alpha(tau) = 1 - tau**power``;
    * a callable ``alpha(tau)`` with ``alpha(0) = 1``, ``alpha(1) = 0``.

    With ``final="extra"``, :func:`sampler_grid` gives the same points for ``"mdlm"`` (exact Fractions) and
    ``"mdlm-cosine"`` (``alpha="mdlm-cosine"``).

    Examples
    --------
    >>> import symsched as ss
    >>> [round(x, 6) for x in ss.mdlm_grid(4, eps=0.0)]
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    K = check_steps(K, "K", "mdlm_grid")
    eps = finite_real(eps, "eps", "mdlm_grid")
    if not 0 <= eps < 1:
        raise SymschedError(f"mdlm_grid: eps must be in [0, 1), got eps = {eps!r}")
    check_choice(final, "final", ("merge", "extra"), "mdlm_grid")
    a = _alpha_function(alpha, power)
    taus = np.linspace(1.0, eps, K + 1)
    u = [float(a(float(t))) for t in taus]
    u[0] = 0.0
    if final == "merge" or eps == 0:
        u[-1] = 1.0
    else:
        u.append(1.0)
    return list(check_grid(u, "mdlm_grid", cleanup=False))


def bernoulli_expected_kl(profile: Any, grid: Any, cleanup: str = "sample") -> Any:
    """Exact expected KL of the continuous-time (Bernoulli) sampler on a reveal grid.

    At step ``k`` every still-masked token is revealed independently with probability
    ``(u_k - u_{k-1}) / (1 - u_{k-1})``. Then (docs/concepts.md §2; docs/references.md, "Wainwright")::

        E KL = sum_k (u_k - u_{k-1}) * N * sum_j Binom(j; N-1, u_{k-1}) h_j - H.

    A grid ending below 1 gets its final clean-up step (every remaining token at once), which is part
    of the error.

    Parameters
    ----------
    profile : InformationProfile or sequence
    grid : sequence, RevealGrid or int
        Reveal fractions ``0 = u_0 < ... < u_K <= 1`` (see :func:`sampler_grid`); an int ``K`` is the
        uniform grid. Floats, Fractions, sympy numbers or mpf.
    cleanup : {"sample", "argmax"}
        How the final clean-up step decodes the tokens still masked when the grid ends below 1:
        ``"sample"`` (SEDD's denoiser; the factorized step of the identity) or ``"argmax"`` (MDLM's
        ``noise_removal``). An arg-max decode puts probability 0 on every other value, so for any reveal
        pattern that leaves a token with a non-degenerate conditional the KL is infinite: with a grid
        ending at ``1 - eps < 1`` every pattern has positive probability, and the expected KL is
        ``inf`` whenever the entropy is positive (the chance that the clean-up has anything to decode
        is ``1 - (1 - eps)^N``). A grid ending at 1 has no clean-up and both give the same value.

    Returns
    -------
    number
        float (scipy binomial pmf), mpmath, or exact sympy (exact binomials; Fractions in the grid
        stay exact) following the profile's precision.

    Examples
    --------
    >>> import symsched as ss
    >>> round(ss.bernoulli_expected_kl([0.7, 0.4, 0.1], [0, 1]), 12)   # one step: TC
    0.9
    >>> ss.bernoulli_expected_kl([0.7, 0.4, 0.1], [0, 0.5]) == ss.bernoulli_expected_kl([0.7, 0.4, 0.1], [0, 0.5, 1])
    True
    """
    prof = as_profile(profile, check=False) if _is_estimate(profile) else as_profile(profile)
    check_choice(cleanup, "cleanup", ("sample", "argmax"), "bernoulli_expected_kl")
    g = reveal_grid(grid)
    if cleanup == "argmax" and _ends_below_one(grid) and any(float(x) > 0 for x in prof.h):
        return _infinite_kl(prof)
    if _is_estimate(prof):
        return _bernoulli_estimate(prof, g)
    N = prof.N
    if prof.precision == "float":
        t = np.array([float(x) for x in g])
        h = np.asarray(prof.h, dtype=float)
        j = np.arange(N)
        total = 0.0
        step = max(1, 10 ** 6 // N)  # grid points per (points x N) Binomial table: one scipy call, bounded memory
        for a in range(1, len(t), step):
            b = min(a + step, len(t))
            pmf = binom.pmf(j[None, :], N - 1, t[a - 1:b - 1, None]) if N > 1 else np.ones((b - a, 1))
            total += float(np.dot((t[a:b] - t[a - 1:b - 1]) * N, pmf @ h))
        return float(total - float(prof.entropy))
    ar = prof.arithmetic
    with ar.workprec():
        tt = [ar.convert(x, f"grid[{i}]") for i, x in enumerate(g)]
        terms = []
        for k in range(1, len(tt)):
            p = tt[k - 1]
            inner = ar.sum([ar.binomial(N - 1, jj) * p ** jj * (ar.one - p) ** (N - 1 - jj) * prof.h[jj]
                            for jj in range(N)])
            terms.append((tt[k] - p) * N * inner)
        total = ar.sum(terms) - ar.sum(prof.h)
    return ar.finalize(total)


def _ends_below_one(grid: Any) -> bool:
    """Whether the grid as given stops short of 1 (so a clean-up step decodes what is left)."""
    if isinstance(grid, RevealGrid):
        return grid.cleanup
    if isinstance(grid, (int, np.integer)):
        return False
    return to_float(list(grid)[-1], "grid[-1]") < 1


def _infinite_kl(prof) -> Any:
    if prof.precision == "float" or _is_estimate(prof):
        return float("inf")
    return sp.oo if prof.precision == "symbolic" else mpmath.inf


def _is_estimate(profile: Any) -> bool:
    """A profile from Monte Carlo, data or a denoiser (``exact`` False, or non-zero standard errors)."""
    if not hasattr(profile, "stderr"):
        return False
    return (not getattr(profile, "exact", True)) or any(float(x) > 0 for x in profile.stderr)


def _bernoulli_estimate(prof, g: tuple) -> Estimate:
    """The Bernoulli KL of an estimated profile: ``Σ_j (c_j − 1) h_j`` with its standard error.

    Computed on the monotone projection when the profile offers one (docs/concepts.md, "Estimates"); the standard error
    propagates the per-``h_j`` errors linearly, treating them as independent; the point value is clipped
    at 0 (and says so)."""
    mono = getattr(prof, "monotone", None)
    base = mono() if callable(mono) else prof
    h = np.asarray([float(x) for x in base.h])
    se = np.asarray([float(x) for x in base.stderr])
    N = len(h)
    t = np.array([float(x) for x in g])
    c = np.zeros(N)
    for k in range(1, len(t)):
        c += (t[k] - t[k - 1]) * N * (binom.pmf(np.arange(N), N - 1, t[k - 1]) if N > 1 else np.ones(1))
    value = float(np.dot(c - 1, h))
    # The estimate's own covariance when it has one (e.g. Monte Carlo with exact H: correlated h_j).
    linear = getattr(base, "linear_stderr", None)
    stderr = float(linear(c - 1)) if callable(linear) else float(np.sqrt(np.sum(((c - 1) * se) ** 2)))
    what = "Bernoulli E KL (estimate" + (", monotone projection" if callable(mono) else "") + \
        (", clipped at 0" if value < 0 else "") + ")"
    return Estimate(max(value, 0.0), stderr, what)
