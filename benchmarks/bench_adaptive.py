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

import symsched as ss
from symsched.samplers.adaptive import DEFAULT_POLICY_BUDGET, _cost
from reference import brute_adaptive

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
    sizes = lambda n: _kwargs(policy, n).get("sizes")  # noqa: E731
    cost = lambda n: _cost(policy, n, (states,) * n, sizes(n))  # noqa: E731
    best, best_t = None, None
    for n in range(3, MAX_N + 1):
        if states ** n > MAX_ENTRIES:
            break
        # skip a run its cost estimate predicts far beyond the limit (it would only burn time)
        if best_t is not None and best_t * cost(n) / cost(best) > 4 * LIMIT:
            break
        t = time.perf_counter()
        ss.policy_kl(network(n, states), policy, method="exact", budget=float("inf"), law=False,
                     **_kwargs(policy, n))
        dt = time.perf_counter() - t
        if dt > LIMIT:
            break
        best, best_t = n, dt
    budget_n = max((n for n in range(2, 30) if cost(n) <= DEFAULT_POLICY_BUDGET["float"]), default=None)
    return best, best_t, budget_n


def report() -> str:
    lines = [f"adaptive samplers, exact route: largest random network (two parents per node) done within {LIMIT} s",
             f"  {'policy':<14} {'states':>6} {'N':>4} {'time':>9} {'N within default budget':>24}"]
    for policy in ("confidence", "threshold", "entropy-bound", "random", "llada"):
        for states in (2, 3):
            n, t, nb = reach(policy, states)
            lines.append(f"  {policy:<14} {states:>6} {n!s:>4} {t * 1e3 if t else float('nan'):>7.0f}ms {nb!s:>24}")
    return "\n".join(lines)


def _entry(policy: str, n: int) -> dict:
    net = network(n, 2, 1)
    p = np.asarray(net.joint(), float)
    kw = _kwargs(policy, n)
    return {"name": f"policy_kl {policy} N={n} binary",
            "run": lambda: ss.policy_kl(net, policy, budget=float("inf"), **kw),
            "reference": lambda: brute_adaptive(p, policy, sizes=kw.get("sizes"), tau=kw.get("threshold"),
                                                gamma=kw.get("gamma")),
            "note": "tree of revealed values (law, step law and E sum TC) vs plain recursion (law and step law, "
                    "tests/reference.py), same network",
            "repeats": 2, "reference_repeats": 1, "warmup": False}


BENCHMARKS = [_entry("confidence", 8), _entry("confidence", 11), _entry("threshold", 10), _entry("llada", 7)]


# -- Monte Carlo at real length (issue 25) ------------------------------------------------------------------
def hmm_1024(states: int = 4, symbols: int = 8, stay: float = 0.9, own: float = 0.3, n: int = 1024):
    """A 1024-token hidden Markov model: a sticky 4-state hidden chain, each state favouring its own symbol."""
    T = np.full((states, states), (1 - stay) / (states - 1))
    np.fill_diagonal(T, stay)
    E = np.full((states, symbols), (1 - own) / (symbols - 1))
    for s in range(states):
        E[s, s] = own
    return ss.hidden_markov_model(n, np.full(states, 1 / states), T, E)


_HMM = hmm_1024()


def _hmm_confidence():
    r = ss.policy_kl(_HMM, "confidence", sizes=[8] * 128, method="montecarlo", stderr=0.05, seed=0, workers=2)
    return r


def _hmm_paired():
    return ss.compare_policies(_HMM, [8] * 128, policies=("confidence", "random"), method="montecarlo",
                               stderr=0.05, seed=0, workers=2)


def _check_confidence():
    r = _hmm_confidence()
    return f"KL {float(r.kl):.3f} ± {r.stderr:.3f} from {r.n} paths; stderr = {r.stderr:.4f}"


def _check_paired():
    c = _hmm_paired()
    d = c.difference("confidence", "random")
    return (f"confidence - random (E_σ KL): {d.value:.3f} ± {d.stderr:.3f} from {c.n} paired paths; "
            f"stderr = {d.stderr:.4f}")


BENCHMARKS += [
    {"name": "policy_kl confidence, HMM N=1024 (4 states, 8 symbols), sizes [8]*128, Monte Carlo stderr 0.05, "
             "2 workers",
     "run": _hmm_confidence, "reference": None, "repeats": 1, "warmup": True,
     "note": "paths x ~ p, one forward-backward per step (numba), chain-rule TC per step; goal: 2 minutes on 2 cores",
     "check": _check_confidence, "goal": [("cpu-per-core", (120.0, 2)), ("accuracy", 0.05)]},
    {"name": "compare_policies confidence vs random, same HMM, paired, stderr 0.05, 2 workers",
     "run": _hmm_paired, "reference": None, "repeats": 1, "warmup": False,
     "note": "common random numbers: the same paths for both policies; stderr of every KL and of the difference",
     "check": _check_paired, "goal": [("cpu-per-core", (120.0, 2)), ("accuracy", 0.05)]},
]
