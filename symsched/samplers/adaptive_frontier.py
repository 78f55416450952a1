"""KL against expected model calls for every adaptive policy family, beside the optimal random-order schedule.

One row per (family, parameter): the ``k`` sweep of the top-k rules (``k`` tokens per step, the last
step taking the rest), the threshold sweep of Fast-dLLM's rule, the ``γ`` sweep of the EB-sampler, and
for every ``K = 1..N`` the optimal random-order schedule of docs/concepts.md §3 (``ss.optimal_schedule`` on the
model's profile).  The random-order rows carry two numbers, and say which is which: the optimum's
order-averaged ``E_σ KL(p ‖ q_σ)`` (what the schedule optimiser minimises) and, where the exact route is
within budget, the mixture ``KL(p ‖ q)`` of the sampler that runs it (smaller, by convexity).  Every
other row is the exact ``KL(p ‖ q)`` of :func:`~symsched.samplers.adaptive.policy_kl`.

Examples
--------
>>> import symsched as ss
>>> fr = ss.adaptive_frontier(ss.copy_model(3), families=("confidence",), thresholds=(), gammas=())
>>> [(k, calls, round(kl, 6)) for _, k, calls, kl, _ in fr.family("confidence")]
[(1, 3, 0.0), (2, 2, 0.693147), (3, 1, 1.386294)]
>>> [(K, round(kl, 6)) for _, K, _, kl, _ in fr.family("optimal random order (E_σ KL)")]
[(1, 1.386294), (2, 0.0), (3, 0.0)]
"""

from __future__ import annotations

import math

from typing import Any
from collections.abc import Sequence

from ..errors import ModelTooLargeError, SymschedError
from ..info.measures import information_profile
from ..printing import Table
from ..results import Estimate, Result
from ..schedules.optimal import optimal_schedule
from ..models.table import as_model
from ..validation import check_variable_count, choice_sequence, int_sequence
from .adaptive import policy_kl
from .policies.compare import compare_montecarlo
from .conditionals import as_sizes

__all__ = ["adaptive_frontier", "AdaptiveFrontier", "equal_sizes", "compare_policies", "PolicyComparison",
           "DEFAULT_THRESHOLDS", "DEFAULT_GAMMAS"]

DEFAULT_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)
DEFAULT_GAMMAS = (0.0, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0)
_FAMILIES = ("confidence", "margin", "entropy", "llada", "random")


def equal_sizes(N: int, k: int) -> tuple:
    """``k`` tokens per step, the last step taking the rest: ``⌈N/k⌉`` steps.

    >>> equal_sizes(7, 3)
    (3, 3, 1)
    """
    N = check_variable_count(N, "N", "equal_sizes")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= N:
        raise SymschedError(f"equal_sizes: k must be an integer in 1..{N}, got {k!r}")
    return (k,) * (N // k) + ((N % k,) if N % k else ())


class AdaptiveFrontier(Result):
    """Rows ``(family, parameter, expected model calls, KL, what the KL is)``; see :func:`adaptive_frontier`.

    ``rows`` is a tuple of tuples; :meth:`family` selects one family; :meth:`plot` draws KL against
    expected calls (matplotlib, optional).
    """

    _fields = ("N", "rows")
    _repr_fields = ("N",)

    def __init__(self, N: int, rows: Sequence[tuple], skipped: Sequence[str]):
        self.N = N
        self.rows = tuple(tuple(r) for r in rows)
        self.skipped = tuple(skipped)
        self._freeze()

    def family(self, name: str) -> tuple:
        """The rows of one family, in sweep order."""
        return tuple(r for r in self.rows if r[0] == name)

    def __repr__(self) -> str:
        fams = sorted({r[0] for r in self.rows})
        return f"AdaptiveFrontier(N={self.N}, rows={len(self.rows)}, families={fams})"

    def _table(self) -> Table:
        return Table(("family", "parameter", "calls", "KL", "quantity"), self.rows,
                     title=f"KL(p || q) against expected model calls, N = {self.N}",
                     notes=tuple(f"skipped: {s}" for s in self.skipped), digits={"parameter": 4, "calls": 5})

    def plot(self, ax=None):
        """KL against expected model calls, one line per family (needs matplotlib)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        for fam in dict.fromkeys(r[0] for r in self.rows):
            rows = sorted(self.family(fam), key=lambda r: float(r[2]))
            style = "--" if fam.startswith("optimal") else "-o"
            ax.plot([float(r[2]) for r in rows], [float(r[3]) for r in rows], style, label=fam, ms=3)
        ax.set_xlabel("expected model calls")
        ax.set_ylabel("KL(p || q) [nats]")
        ax.set_title(f"adaptive samplers, N = {self.N}")
        ax.legend(fontsize="small")
        return ax


def adaptive_frontier(model: Any, families: Sequence[str] = _FAMILIES, ks: Sequence[int] | None = None,
                      thresholds: Sequence[float] = DEFAULT_THRESHOLDS, gammas: Sequence[float] = DEFAULT_GAMMAS,
                      optimal: bool = True, schedules: dict | None = None, budget: float | None = None
                      ) -> AdaptiveFrontier:
    """Exact KL against expected model calls for each policy family and the optimal random-order schedule.

    Parameters
    ----------
    model : model
        A symsched model small enough for the exact route.
    families : sequence of str
        Top-k rules swept over ``ks`` (``k`` tokens per step): any of confidence, margin, entropy, llada,
        random.
    ks : sequence of int, optional
        Tokens per step (default ``1..N``).
    thresholds, gammas : sequences
        Sweeps of ``"threshold"`` (``τ``) and ``"entropy-bound"`` (``γ``); empty to skip.
    optimal : bool
        Add, for ``K = 1..N``, the optimal random-order schedule: ``"optimal random order (E_σ KL)"``
        rows (the optimiser's order-averaged value) and ``"optimal random order (mixture KL)"`` rows.
    schedules : dict, optional
        Extra named size sequences (a practitioner's count rule, say), run with random positions.
    budget : float, optional
        Passed to :func:`policy_kl`; a row over budget is skipped and listed in ``skipped``.

    Returns
    -------
    AdaptiveFrontier
    """
    model = as_model(model, "adaptive_frontier")
    families = choice_sequence(families, "families", _FAMILIES, "adaptive_frontier")
    N = model.N
    ks = list(range(1, N + 1)) if ks is None else list(int_sequence(ks, "ks", "adaptive_frontier"))
    rows, skipped = [], []

    def run(fam, par, **kw):
        try:
            r = policy_kl(model, fam if fam in _FAMILIES or fam in ("threshold", "entropy-bound") else "random",
                          method="exact", budget=budget, law=False, **kw)
        except ModelTooLargeError as e:
            skipped.append(f"{fam} {par}: {e}")
            return
        rows.append((fam, par, r.expected_steps, r.kl, "KL(p || q)"))

    for fam in families:
        if fam not in _FAMILIES:
            raise SymschedError(f"adaptive_frontier: families must be among {_FAMILIES}, got {fam!r}")
        for k in ks:
            run(fam, k, sizes=equal_sizes(N, k))
    for tau in thresholds:
        run("threshold", tau, threshold=tau)
    for g in gammas:
        run("entropy-bound", g, gamma=g)
    for name, sizes in (schedules or {}).items():
        run(str(name), len(sizes), sizes=sizes)
    if optimal:
        prof = information_profile(model)
        for K in range(1, N + 1):
            opt = optimal_schedule(prof, K)
            rows.append(("optimal random order (E_σ KL)", K, K, float(opt.kl), "E_sigma KL(p || q_sigma)"))
            try:
                r = policy_kl(model, "random", sizes=opt.sizes, method="exact", budget=budget, law=False)
            except ModelTooLargeError as e:
                skipped.append(f"optimal random order K={K}: {e}")
                continue
            rows.append(("optimal random order (mixture KL)", K, K, r.kl, "KL(p || q)"))
    if not rows:
        raise SymschedError("adaptive_frontier: nothing to compute (every family and sweep is empty or over "
                            "budget)" + (f"; skipped: {skipped[:2]}" if skipped else ""))
    return AdaptiveFrontier(N, rows, skipped)


class PolicyComparison(Result):
    """``KL(p ‖ q)`` of several policies on one schedule; see :func:`compare_policies`.

    Exact rows are numbers; Monte Carlo rows are :class:`~symsched.results.Estimate` computed on common
    paths, and :meth:`difference` gives paired differences with their standard errors.
    """

    _fields = ("sizes", "rows", "method", "n")
    _repr_fields = ("sizes", "method")

    def __init__(self, sizes, rows, *, method: str = "exact", paths=None, n=None):
        self.sizes, self.rows = tuple(sizes), tuple(tuple(r) for r in rows)
        self.method, self.n = method, n
        self._paths = paths            # {row name: per-path totals} (Monte Carlo)
        self._freeze()

    def _row(self, policy: str) -> str:
        names = [r[0] for r in self.rows]
        if policy in names:
            return policy
        if self.method == "montecarlo" and f"{policy} (E_σ KL)" in names:
            return f"{policy} (E_σ KL)"
        raise SymschedError(f"compare_policies: no row {policy!r}; rows are {names}")

    def kl(self, policy: str):
        """The KL of one policy (``"random (E_σ KL)"`` for the order-averaged value; by Monte Carlo
        ``"random"`` names that row, the only one random order has)."""
        name = self._row(policy)
        return next(v for n, v in self.rows if n == name)

    def difference(self, a: str, b: str):
        """``KL(a) − KL(b)``: exact, or by Monte Carlo an Estimate on common random numbers (paired)."""
        ra, rb = self._row(a), self._row(b)
        if self.method != "montecarlo":
            return self.kl(ra) - self.kl(rb)
        d = self._paths[ra] - self._paths[rb]
        return Estimate(float(d.mean()), float(d.std(ddof=1) / math.sqrt(len(d))), f"{ra} - {rb} (paired)")

    def best(self) -> str:
        """The policy with the smallest KL (the order-averaged row excluded; ties to the first listed)."""
        rows = [r for r in self.rows if not r[0].endswith("KL)")] or list(self.rows)
        return min(rows, key=lambda r: round(float(r[1]), 12))[0]

    def _table(self) -> Table:
        title = f"KL(p || q) with sizes {self.sizes}" + (f" (Monte Carlo, {self.n} paired paths)"
                                                         if self.method == "montecarlo" else "")
        return Table(("policy", "KL"), self.rows, title=title, latex_columns=(r"\text{policy}", r"\mathrm{KL}"))


def compare_policies(model: Any, sizes: Any, policies: Sequence[str] = _FAMILIES, method: str = "exact",
                     **kwargs) -> PolicyComparison:
    """``KL(p ‖ q)`` of each policy with the same sizes, and random order's ``E_σ KL`` (one line).

    ``method="exact"`` (default): ``kwargs`` go to :func:`policy_kl` (``precision``, ``budget``, ``ties``, ...).
    ``method="montecarlo"``: every policy runs on the same paths ``x ~ p`` (common random numbers); random
    order gives its order-averaged ``E_σ KL`` (row ``"random (E_σ KL)"``); ``kwargs``: ``samples``,
    ``stderr`` (reached by every KL and every pairwise difference), ``seed``, ``budget``, ``time_budget``,
    ``workers``, ``ties``.  :meth:`PolicyComparison.difference` gives paired differences.

    Examples
    --------
    >>> import symsched as ss
    >>> c = ss.compare_policies(ss.copy_model(3), [2, 1])
    >>> c.best(), round(c.kl("random"), 6), round(c.kl("random (E_σ KL)"), 6)
    ('confidence', 0.693147, 0.693147)
    """
    model = as_model(model, "compare_policies")
    if not isinstance(policies, (list, tuple)):
        raise SymschedError(f"compare_policies: policies must be a list of policy names, got {policies!r:.80}")
    if method not in ("exact", "montecarlo"):
        raise SymschedError(f"compare_policies: method must be 'exact' or 'montecarlo', got {method!r}")
    sizes = as_sizes(sizes, model.N, "sizes")
    sizes_t = tuple(int(k) for k in getattr(sizes, "sizes", sizes))
    if method == "montecarlo":
        rows, paths, n = compare_montecarlo(model, sizes_t, policies, **kwargs)
        return PolicyComparison(sizes_t, rows, method="montecarlo", paths=paths, n=n)
    rows = []
    for pol in policies:
        r = policy_kl(model, pol, sizes=sizes, method="exact", law=False, **kwargs)
        rows.append((pol, r.kl))
        if pol == "random":
            rows.append(("random (E_σ KL)", r.conditional_tc))
    return PolicyComparison(sizes_t, rows)
