"""Adaptive samplers (issue 15): the exact route's reach, and its speed against the brute-force recursion.

``BENCHMARKS`` times ``ss.policy_kl`` (the memoised tree of revealed values) against the plain recursion of
``tests/reference.py`` on the same 8-variable network.  :func:`report` finds, per policy and number of
states, the largest random network the exact route finishes within ``LIMIT`` seconds, and the largest its
default budget accepts (``method="auto"`` switches to Monte Carlo beyond it).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import symsched as ss  # noqa: E402
from symsched.samplers.adaptive import DEFAULT_POLICY_BUDGET, _cost  # noqa: E402
from reference import brute_adaptive  # noqa: E402

#: Seconds one exact run may take in the reach search.
LIMIT = 2.0
MAX_N = 24
#: Joint tables beyond this many entries are not tried.
MAX_ENTRIES = 2 ** 22


def network(n: int, states: int, seed: int = 0) -> ss.BayesianNetwork:
    """A random Bayesian network: each node with its two predecessors as parents."""
    rng = np.random.default_rng(seed)
    bn = ss.BayesianNetwork()
    for i in range(n):
        bn.add_variable(f"X{i}", states=states)
    for i in range(n):
        parents = [f"X{j}" for j in range(max(0, i - 2), i)]
        t = rng.random((states,) * len(parents) + (states,)) ** 2 + 0.02
        bn.set_cpd(f"X{i}", t / t.sum(axis=-1, keepdims=True), parents=parents)
    return bn


def _kwargs(policy: str, n: int) -> dict:
    if policy == "threshold":
        return {"threshold": 0.9}
    if policy == "entropy-bound":
        return {"gamma": 0.1}
    return {"sizes": [2] * (n // 2) + [1] * (n % 2)}


def reach(policy: str, states: int) -> tuple:
    """(largest n within LIMIT seconds, its time, largest n within the default budget)."""
    best, best_t = None, None
    for n in range(3, MAX_N + 1):
        if states ** n > MAX_ENTRIES:
            break
        t = time.perf_counter()
        ss.policy_kl(network(n, states), policy, method="exact", budget=float("inf"), law=False,
                     **_kwargs(policy, n))
        dt = time.perf_counter() - t
        if dt > LIMIT:
            break
        best, best_t = n, dt
    sizes = lambda n: _kwargs(policy, n).get("sizes")  # noqa: E731
    budget_n = max((n for n in range(2, 30) if _cost(policy, n, (states,) * n, sizes(n))
                    <= DEFAULT_POLICY_BUDGET["float"]), default=None)
    return best, best_t, budget_n


def report() -> str:
    lines = [f"adaptive samplers, exact route: largest random network (two parents per node) done within {LIMIT} s",
             f"  {'policy':<14} {'states':>6} {'N':>4} {'time':>9} {'N within default budget':>24}"]
    for policy in ("confidence", "threshold", "entropy-bound", "random", "llada"):
        for states in (2, 3):
            n, t, nb = reach(policy, states)
            lines.append(f"  {policy:<14} {states:>6} {n!s:>4} {t * 1e3 if t else float('nan'):>7.0f}ms {nb!s:>24}")
    return "\n".join(lines)


_NET8 = network(8, 2, 1)
_P8 = np.asarray(_NET8.joint(), float)

BENCHMARKS = [
    {"name": f"policy_kl {pol} N=8 binary", "run": (lambda pol=pol: ss.policy_kl(_NET8, pol, **_kwargs(pol, 8))),
     "reference": (lambda pol=pol: brute_adaptive(_P8, pol, sizes=_kwargs(pol, 8).get("sizes"),
                                                  tau=_kwargs(pol, 8).get("threshold"),
                                                  gamma=_kwargs(pol, 8).get("gamma"))),
     "note": "tree of revealed values vs plain recursion (tests/reference.py), same network", "repeats": 2,
     "reference_repeats": 1}
    for pol in ("confidence", "threshold", "llada")
]
