"""Randomized schedules: a law over size sequences, with an exact expected error.

For random sizes the expected error is ``E[sum_t k_t h_{s_{t-1}}] - H`` (docs/concepts.md §2): the
identity holds for every realised size sequence, and the expectation only needs the law of the
revealed count ``s_{t-1}`` before each step and the mean size drawn from it. For a Markov size rule
(the next size depends on the revealed count ``s`` and the step index ``t``) that law is propagated
exactly on ``0..N`` — no sampling.
"""

from __future__ import annotations

import inspect
import math
from fractions import Fraction
from typing import Any
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import sympy as sp
from scipy.stats import binom

from ..arithmetic import SUM_TOLERANCE
from ..errors import SymschedError
from ..results import Result
from .grids import check_grid
from ..info.profile import as_profile
from .kl import kl_estimate, schedule_weights
from .schedule import Schedule, as_schedule

__all__ = ["RandomizedSchedule", "SizeRule", "uniform_sizes", "binomial_bernoulli_grid"]


def _is_exact(p: Any) -> bool:
    return isinstance(p, (int, np.integer, Fraction)) or (isinstance(p, sp.Basic) and p.is_Rational)


def _check_law(law: dict, where: str, kmax: int | None = None) -> dict:
    if not isinstance(law, dict) or not law:
        raise SymschedError(f"{where}: expected a non-empty dict {{size: probability}}, got {law!r}")
    out = {}
    for k, p in law.items():
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or k < 0:
            raise SymschedError(f"{where}: size {k!r} is not a non-negative integer")
        if kmax is not None and k > kmax:
            raise SymschedError(f"{where}: size {k} exceeds the {kmax} tokens still masked")
        try:
            pf = float(p)
        except (TypeError, ValueError):
            raise SymschedError(f"{where}: probability of size {k} must be a number, got {p!r}") from None
        if not math.isfinite(pf):
            raise SymschedError(f"{where}: probability of size {k} is {p!r}; a finite number in [0, 1] is needed")
        if pf < 0:
            raise SymschedError(f"{where}: probability of size {k} is negative ({p!r})")
        if float(p) == 0:
            continue
        out[int(k)] = p
    total = sum(out.values(), Fraction(0)) if all(_is_exact(p) for p in out.values()) else \
        math.fsum(float(p) for p in out.values())
    if (total != 1) if isinstance(total, Fraction) else abs(total - 1) > SUM_TOLERANCE:
        raise SymschedError(f"{where}: probabilities sum to {total}, expected 1 (nothing is renormalised)")
    return out


class SizeRule(Result):
    """A Markov size rule: ``rule(s, t, N) -> {k: probability}``, the law of the next size given ``s``
    tokens revealed after ``t`` steps (``t = 0`` before the first step).

    Parameters
    ----------
    func : callable ``(s, t, N) -> dict``
    max_steps : int or callable ``N -> int``, optional
        A bound on the number of steps (needed when the rule can draw size 0).
    name : str
    homogeneous : bool
        True when the law does not depend on ``t`` (then it is computed once per ``s``).
    """

    _fields = ("name", "homogeneous")  # the result protocol (symsched.results); no headline number

    def __init__(self, func: Callable[[int, int, int], dict], *, max_steps: Any = None, name: str = "rule",
                 homogeneous: bool = False):
        self.func, self._max_steps, self.name, self.homogeneous = func, max_steps, name, homogeneous
        self._freeze()

    def __call__(self, s: int, t: int, N: int) -> dict:
        return self.func(s, t, N)

    def max_steps(self, N: int) -> int | None:
        m = self._max_steps
        return m(N) if callable(m) else m

    def __repr__(self) -> str:
        return f"SizeRule({self.name})"

    __str__ = __repr__


def uniform_sizes(kmin: int, kmax: int) -> SizeRule:
    """Next size uniform on ``{kmin, ..., kmax}``, capped by the tokens still masked (the capped
    mass goes to revealing everything left). Exact Fraction probabilities.

    Examples
    --------
    >>> import symsched as ss
    >>> rule = ss.uniform_sizes(1, 3)
    >>> rule(0, 0, 10)[2], rule(8, 4, 10)[2]
    (Fraction(1, 3), Fraction(2, 3))
    """
    for name, v in (("kmin", kmin), ("kmax", kmax)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < 1:
            raise SymschedError(f"uniform_sizes: {name} must be a positive integer, got {name} = {v!r}")
    if kmax < kmin:
        raise SymschedError(f"uniform_sizes: need kmin <= kmax, got kmin = {kmin}, kmax = {kmax}")
    p = Fraction(1, kmax - kmin + 1)

    def law(s: int, t: int, N: int) -> dict:
        out: dict = {}
        for k in range(kmin, kmax + 1):
            kk = min(k, N - s)
            out[kk] = out.get(kk, Fraction(0)) + p
        return out

    return SizeRule(law, name=f"uniform({kmin}..{kmax})", homogeneous=True)


def binomial_bernoulli_grid(grid: Sequence[Any]) -> SizeRule:
    """The Bernoulli (MDLM-style) sampler on a reveal grid ``0 = t_0 < ... < t_K <= 1`` as a size rule
    (a grid ending below 1 gets its final clean-up step, see :mod:`.grids`).

    At step ``t + 1`` each of the ``N - s`` masked tokens is revealed with probability
    ``(t_{t+1} - t_t) / (1 - t_t)``: the size is ``Binomial(N - s, that)``. Exact (Fraction) when the
    grid is given in Fractions / ints, float (scipy) otherwise. Its expected error equals
    :func:`symsched.schedules.grids.bernoulli_expected_kl` (a test checks it).
    """
    g = check_grid(grid, "binomial_bernoulli_grid")
    exact = all(_is_exact(x) for x in g)
    gx = [Fraction(x) if isinstance(x, (int, np.integer)) else
          (Fraction(int(x.p), int(x.q)) if isinstance(x, sp.Basic) else x) for x in g] if exact else \
        [float(x) for x in g]
    K = len(g) - 1

    def law(s: int, t: int, N: int) -> dict:
        if t >= K:
            raise SymschedError(f"binomial_bernoulli_grid: step {t + 1} is beyond the grid's K = {K} steps")
        n = N - s
        p = (gx[t + 1] - gx[t]) / (1 - gx[t])
        if exact:
            return {k: math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(n + 1)}

        pmf = binom.pmf(np.arange(n + 1), n, p)
        return {k: float(v) for k, v in enumerate(pmf)}

    return SizeRule(law, max_steps=K, name=f"bernoulli-grid(K={K})")


class RandomizedSchedule(Result):
    """A law over size sequences.

    Give either

    * ``law``: an explicit list of ``(probability, schedule)`` pairs (schedules as
      :class:`~symsched.schedules.schedule.Schedule` or size sequences, all with the same ``N``), or
    * ``size_law`` and ``N``: a Markov size rule ``size_law(s, t) -> {k: prob}`` (or
      ``size_law(s, t, N)``; e.g. :func:`uniform_sizes`, :func:`binomial_bernoulli_grid`), the law of
      the next size given ``s`` tokens revealed after ``t`` steps. Sizes may be 0 (an empty step
      still counts as a step); then the process must finish within ``max_steps`` (taken from the rule
      when it knows it, else ``N``), which is checked exactly.

    Probabilities are used as given (exact Fractions stay exact in a symbolic profile); they must
    sum to one — nothing is renormalised.

    Examples
    --------
    >>> import symsched as ss
    >>> from fractions import Fraction as F
    >>> r = ss.RandomizedSchedule([(F(1, 2), [1, 2]), (F(1, 2), [2, 1])])
    >>> h = [F(3, 4), F(1, 2), F(1, 4)]
    >>> r.expected_kl(h) == (ss.expected_kl(h, [1, 2]) + ss.expected_kl(h, [2, 1])) / 2
    True
    >>> ss.RandomizedSchedule(size_law=ss.uniform_sizes(1, 2), N=3).expected_steps()
    Fraction(9, 4)
    """

    _fields = ("N", "max_steps", "name")  # the result protocol (symsched.results); no headline number

    def __init__(self, law: Iterable | None = None, *, size_law: Callable | None = None, N: int | None = None,
                 max_steps: int | None = None, name: str | None = None):
        self._build(law, size_law, N, max_steps, name)
        self._freeze()

    def _build(self, law, size_law, N, max_steps, name) -> None:
        if (law is None) == (size_law is None):
            raise SymschedError("RandomizedSchedule: give exactly one of law=[(p, schedule), ...] or size_law=")
        self.name = name
        self._pairs = None
        self._rule = None
        self._homogeneous = isinstance(size_law, SizeRule) and size_law.homogeneous
        self._law_cache: dict = {}
        if law is not None:
            pairs = []
            for i, item in enumerate(law):
                try:
                    p, sched = item
                except (TypeError, ValueError):
                    raise SymschedError(f"RandomizedSchedule: law[{i}] must be a (probability, schedule) pair, "
                                        f"got {item!r}") from None
                sched = as_schedule(sched)
                pairs.append((p, sched))
            if not pairs:
                raise SymschedError("RandomizedSchedule: law is empty")
            Ns = {s.N for _, s in pairs}
            if len(Ns) != 1:
                raise SymschedError(f"RandomizedSchedule: the schedules reveal different N {sorted(Ns)}")
            self.N = Ns.pop()
            if N is not None and N != self.N:
                raise SymschedError(f"RandomizedSchedule: N = {N} given but the schedules reveal N = {self.N}")
            merged: dict = {}
            for i, (p, _s) in enumerate(pairs):
                merged[i] = p
            _check_law(merged, "RandomizedSchedule law")
            self._pairs = pairs
            self.max_steps = max(s.K for _, s in pairs)
        else:
            if not callable(size_law):
                raise SymschedError(f"RandomizedSchedule: size_law must be callable, got {size_law!r}")
            if isinstance(N, (bool, np.bool_)) or not isinstance(N, (int, np.integer)) or N < 1:
                raise SymschedError(f"RandomizedSchedule: size_law needs N, a positive integer; got N = {N!r}")
            self.N = int(N)
            if isinstance(size_law, SizeRule):
                call = lambda s, t: size_law(s, t, self.N)  # noqa: E731
                rule_max = size_law.max_steps(self.N)
                self.name = name or size_law.name
            else:
                try:
                    nparams = len(inspect.signature(size_law).parameters)
                except (TypeError, ValueError):
                    nparams = 2
                call = (lambda s, t: size_law(s, t, self.N)) if nparams >= 3 else size_law
                rule_max = None
            self._rule = call
            self.max_steps = int(max_steps if max_steps is not None else (rule_max if rule_max is not None else self.N))

    # -- the law of the revealed count ------------------------------------------------------------
    def _step_law(self, s: int, t: int) -> dict:
        if self._homogeneous:
            if s not in self._law_cache:
                self._law_cache[s] = _check_law(self._rule(s, t), f"size_law(s={s}, t={t})", self.N - s)
            return self._law_cache[s]
        return _check_law(self._rule(s, t), f"size_law(s={s}, t={t})", self.N - s)

    def _propagate(self, conv: Callable[[Any], Any], weights: Sequence[Any] | None, block=None):
        """Return (E[sum_t k_t weights[s_{t-1}]], E[number of steps], marginals of s_t).

        With ``block(s, k)`` given, the first entry is ``E[sum_t block(s_{t-1}, k_t)]`` instead."""
        zero = conv(0)
        dist = {0: conv(1)}
        acc, steps, marginals = zero, zero, [dict(dist)]
        for t in range(self.max_steps):
            active = {s: p for s, p in dist.items() if s < self.N}
            if not active:
                return acc, steps, marginals
            new = {self.N: dist.get(self.N, zero)} if self.N in dist else {}
            for s, ps in active.items():
                law = self._step_law(s, t)
                steps = steps + ps
                if block is not None:
                    acc = acc + ps * sum((conv(pk) * block(s, k) for k, pk in law.items() if k), zero)
                elif weights is not None:
                    mean = sum((conv(k) * conv(pk) for k, pk in law.items()), zero)
                    acc = acc + ps * mean * weights[s]
                for k, pk in law.items():
                    new[s + k] = new.get(s + k, zero) + ps * conv(pk)
            dist = new
            marginals.append(dict(dist))
        left = [s for s, p in dist.items() if s < self.N and float(p) > 0]
        if left:
            raise SymschedError(f"RandomizedSchedule: after max_steps = {self.max_steps} steps, tokens remain masked "
                                f"with positive probability (states {sorted(left)[:5]}); raise max_steps or use a "
                                "rule that finishes")
        return acc, steps, marginals

    def _exact_probs(self) -> bool:
        if self._pairs is not None:
            return all(_is_exact(p) for p, _ in self._pairs)
        return False

    def expected_kl(self, profile: Any) -> Any:
        """Exact ``E[sum_t k_t h_{s_{t-1}}] - H`` in the profile's arithmetic."""

        prof = as_profile(profile)
        if prof.N != self.N:
            raise SymschedError(f"randomized schedule reveals N = {self.N} tokens but the profile has N = {prof.N}")
        if prof.precision == "float" or not prof.exact:
            return self._float_expected_kl(prof)
        ar = prof.arithmetic
        conv = (lambda x: float(x)) if prof.precision == "float" else (lambda x: ar.convert(x))
        with ar.workprec():
            if self._pairs is not None:
                terms = []
                for p, sched in self._pairs:
                    inner = [conv(k) * prof.h[a] for a, k in zip(sched.starts, sched.sizes) if k]
                    terms.append(conv(p) * ar.sum(inner))
                total = ar.sum(terms) - ar.sum(prof.h)
            else:
                acc, _, _ = self._propagate(conv, prof.h)
                total = acc - ar.sum(prof.h)
        return float(total) if prof.precision == "float" else ar.finalize(total)

    def _float_expected_kl(self, prof) -> Any:
        """Float E KL as an expectation of block costs ``w(s, s + k) = sum_j (h_s - h_j) >= 0`` (no
        cancellation against ``H``); on an estimate, an Estimate on its monotone projection whose
        standard error uses the linear weights ``w_j = E[k | s = j] P(s visited) - 1``."""
        work = prof.monotone()
        h = work.as_array()
        N = self.N

        def block(s: int, k: int) -> float:
            return float(np.sum(h[s] - h[s:s + k]))

        if self._pairs is not None:
            total = math.fsum(float(p) * sum(block(a, k) for a, k in zip(sc.starts, sc.sizes) if k)
                              for p, sc in self._pairs)
            weights = sum(float(p) * (schedule_weights(N, sc) + 1) for p, sc in self._pairs) - 1
        else:
            total, _, marg = self._propagate(float, None, block)
            weights = np.full(N, -1.0)
            if not prof.exact:
                for t, dist in enumerate(marg[:-1]):
                    for s, ps in dist.items():
                        if s < N:
                            weights[s] += ps * sum(k * float(pk) for k, pk in self._step_law(s, t).items())
        if prof.exact:
            return max(float(total), 0.0)
        return kl_estimate(work, weights, float(total), "randomized E KL")

    def expected_steps(self) -> Any:
        """``E[K]`` (empty steps count): a Fraction when all probabilities are exact, else a float."""
        if self._pairs is not None:
            if self._exact_probs():
                return sum((Fraction(p) if not isinstance(p, sp.Basic) else Fraction(int(p.p), int(p.q))) * s.K
                           for p, s in self._pairs)
            return math.fsum(float(p) * s.K for p, s in self._pairs)
        try:
            _, steps, _ = self._propagate(_to_fraction_strict, None)
            return steps
        except _Inexact:
            _, steps, _ = self._propagate(float, None)
            return float(steps)

    def marginals(self) -> list:
        """Laws of ``s_0, s_1, ...`` (dicts ``{s: prob}``; the finished state ``N`` is carried along)."""
        if self._pairs is not None:
            out = []
            for t in range(self.max_steps + 1):
                d: dict = {}
                for p, s in self._pairs:
                    b = s.breakpoints[min(t, s.K)]
                    d[b] = d.get(b, 0) + p
                out.append(d)
            return out
        try:
            return self._propagate(_to_fraction_strict, None)[2]
        except _Inexact:
            return self._propagate(float, None)[2]

    def sample(self, rng: Any = None) -> Schedule:
        """Draw one size sequence (``rng``: a numpy Generator or a seed)."""
        rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        if self._pairs is not None:
            probs = np.array([float(p) for p, _ in self._pairs])
            i = rng.choice(len(self._pairs), p=probs / probs.sum())
            return self._pairs[i][1]
        s, sizes = 0, []
        for t in range(self.max_steps):
            if s >= self.N:
                break
            law = self._step_law(s, t)
            ks = list(law)
            probs = np.array([float(law[k]) for k in ks])
            k = ks[rng.choice(len(ks), p=probs / probs.sum())]
            sizes.append(k)
            s += k
        if s < self.N:
            raise SymschedError(f"RandomizedSchedule.sample: {self.N - s} tokens still masked after "
                                f"max_steps = {self.max_steps}")
        return Schedule(sizes, N=self.N, allow_zero=True, name=self.name)

    def __repr__(self) -> str:
        kind = f"{len(self._pairs)} schedules" if self._pairs is not None else "Markov size rule"
        return f"RandomizedSchedule({kind}, N={self.N}{', name=' + repr(self.name) if self.name else ''})"

    __str__ = __repr__


class _Inexact(Exception):
    pass


def _to_fraction_strict(x: Any) -> Fraction:
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    if isinstance(x, Fraction):
        return x
    if isinstance(x, sp.Basic) and x.is_Rational:
        return Fraction(int(x.p), int(x.q))
    raise _Inexact
