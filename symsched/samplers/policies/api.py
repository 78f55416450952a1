"""``policy_kl`` and ``compare_policies``: one entry point per question, every policy through the registry."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...errors import SymschedError
from ...models.table import as_model
from ...results import Estimate
from ...validation import check_budget, check_flag
from ..conditionals import as_sizes
from .base import TIES, Policy, get_policy
from .exact import DEFAULT_POLICY_BUDGET, exact_policy_run, policy_cost
from .montecarlo import run_montecarlo
from .result import PolicyResult

__all__ = ["policy_kl", "resolve"]

METHODS = ("auto", "exact", "montecarlo")


def _temperature(policy: Policy, temperature: Any) -> int:
    if temperature is None:
        return policy.default_temperature
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.integer, np.floating)) \
            or not math.isfinite(temperature) or temperature < 0:
        raise SymschedError(f"policy_kl: temperature must be 0 or 1, got {temperature!r}")
    t = 0 if temperature == 0 else (1 if temperature == 1 else None)
    if t is None:
        raise SymschedError(f"policy_kl: temperature {temperature!r} is not modelled: tokens are drawn from the exact "
                            "conditionals; 0 scores a position by its arg-max token, 1 by the token sampled there "
                            "(a tempered draw is a different law)")
    if t not in policy.temperatures:
        raise SymschedError(f"policy_kl: policy {policy.name!r} is modelled at temperature {policy.temperatures} "
                            f"only, got {temperature!r}")
    return t


def resolve(policy: Any, sizes: Any, threshold: Any, gamma: Any, N: int, ties: Any, temperature: Any) -> dict:
    """Checked arguments of one policy: ``{"policy", "sizes", "param", "ties", "temperature", "candidates"}``."""
    pol = get_policy(policy)
    if ties is None:
        ties = "random"
    if ties not in TIES:
        raise SymschedError(f"policy_kl: ties must be one of {TIES}, got {ties!r:.60}")
    temp = _temperature(pol, temperature)
    given = {"threshold": threshold, "gamma": gamma}
    if pol.chooser is not None:
        if threshold is not None or gamma is not None:
            raise SymschedError("policy_kl: a callable policy takes neither threshold nor gamma")
        return {"policy": pol, "sizes": as_sizes(sizes, N, "sizes") if sizes is not None else None, "param": None,
                "ties": ties, "temperature": temp, "candidates": False}
    if pol.sized:
        if sizes is None:
            raise SymschedError(f"policy_kl: policy {pol.name!r} needs sizes (tokens per step, summing to N = {N})")
        if threshold is not None or gamma is not None:
            raise SymschedError(f"policy_kl: policy {pol.name!r} takes sizes, not threshold or gamma")
        sizes_t, param = as_sizes(sizes, N, "sizes"), None
    else:
        if sizes is not None:
            raise SymschedError(f"policy_kl: policy {pol.name!r} chooses how many tokens to reveal; give no sizes")
        other = [k for k, v in given.items() if v is not None and k != pol.parameter]
        if given[pol.parameter] is None or other:
            raise SymschedError(f"policy_kl: policy {pol.name!r} needs {pol.parameter}= (and no "
                                f"{' or '.join(k for k in given if k != pol.parameter)})")
        sizes_t, param = None, pol.check(given[pol.parameter])
    return {"policy": pol, "sizes": sizes_t, "param": param, "ties": ties, "temperature": temp,
            "candidates": pol.sampled_token_score and temp > 0, "raw_param": given.get(pol.parameter or "")}


def parameter_text(spec: dict) -> str:
    pol = spec["policy"]
    if pol.parameter == "threshold":
        return f"tau = {spec['raw_param']}"
    if pol.parameter == "gamma":
        return f"gamma = {spec['raw_param']} bits"
    return f"sizes = {tuple(spec['sizes'])}" if spec["sizes"] is not None else "custom"


def _exact(model, spec, precision, dps, budget, keep) -> PolicyResult:
    r = exact_policy_run(model, spec["policy"], spec["sizes"], spec["param"], spec["ties"], spec["candidates"],
                         precision, dps, budget)
    expected = len(spec["sizes"]) if spec["sizes"] is not None else r["expected"]
    pol = spec["policy"]
    identity = not (pol.order_free or spec["candidates"] or r["randomized"])
    return PolicyResult(pol.name, parameter=parameter_text(spec), kl=r["kl"], stderr=0.0, exact=True,
                        expected_steps=expected, steps_distribution=r["steps"], conditional_tc=r["ctc"],
                        identity=identity,
                        method="exact", n=None, law=r["law"] if keep else None,
                        digits=dps if precision == "mpmath" and dps else None, step_kl=r["by_step"],
                        ties=spec["ties"], temperature=spec["temperature"])


def mc_spec(spec: dict, where: str) -> dict:
    pol = spec["policy"]
    if spec["candidates"]:
        raise SymschedError(f"{where}: Monte Carlo has no unbiased estimator for {pol.name!r} at temperature "
                            f"{spec['temperature']} (its selection sees the sampled candidates, so the law is biased, "
                            "not only factorized); use method='exact' on a smaller model")
    return dict(spec, count_steps=spec["sizes"] is None)


def mc_result(spec: dict, terms: np.ndarray, calls, n: int, tied: bool = False) -> PolicyResult:
    pol = spec["policy"]
    totals = terms.sum(axis=1)
    mean, se = float(totals.mean()), float(totals.std(ddof=1) / math.sqrt(n))
    if pol.order_free:
        quantity = "E_sigma KL(p || q_sigma) (order-averaged; bounds the mixture KL from above)"
    elif tied:
        quantity = ("E Σ_t TC averaged over the random tie-breaks (ties occurred: bounds KL(p || q) from above; "
                    "ties='lowest-index' gives a deterministic policy whose KL this is)")
    else:
        quantity = "KL(p || q)"
    kl = Estimate(max(mean, 0.0), se, f"{quantity} of the {pol.name} sampler" + (" (clipped at 0)" if mean < 0 else ""))
    steps = [Estimate(float(c.mean()), float(c.std(ddof=1) / math.sqrt(n)), f"E TC at step {t + 1}")
             for t, c in enumerate(terms.T)]
    if calls is None:
        expected = len(spec["sizes"])
    else:
        expected = Estimate(float(calls.mean()), float(calls.std(ddof=1) / math.sqrt(n)), "expected model calls")
    return PolicyResult(pol.name, parameter=parameter_text(spec), kl=kl, stderr=se, exact=False,
                        expected_steps=expected, steps_distribution=None, conditional_tc=kl,
                        identity=not (pol.order_free or tied),
                        method="montecarlo", n=int(n), law=None, step_kl=steps, ties=spec["ties"],
                        temperature=spec["temperature"], quantity=quantity, paths=totals)


def policy_kl(model: Any, policy: Any, sizes: Any = None, threshold: Any = None, gamma: Any = None,
              method: str = "auto", precision: str = "float", dps: int | None = None, n: int | None = None,
              seed: Any = 0, budget: float | None = None, law: bool | None = None, *, temperature: Any = None,
              ties: str | None = None, samples: int | None = None, stderr: float | None = None,
              time_budget: float | None = None, workers: Any = None) -> PolicyResult:
    """``KL(p ‖ q)`` of an adaptive sampler, its expected number of model calls and Wen–Liang–Lu's identity.

    Parameters
    ----------
    model : model or ndarray
        Any symsched model, or a joint table (validated as by :func:`~symsched.from_joint`).
    policy : str, Policy or callable
        A registered name (``ss.policy_names()``; docs/adaptive.md has the table with the library each
        stands for), a :class:`~symsched.samplers.policies.Policy`, or a callable ``policy(revealed, values)``
        (``policy(revealed, values, k)`` when ``sizes`` are given) returning the positions to reveal;
        ``revealed`` is a frozenset of positions, ``values`` a dict position → state index.  It must be
        deterministic (a function of the revealed values).
    sizes : Schedule or sequence of int
        Tokens per step of the rules that take them.
    threshold : number
        ``τ`` of ``"threshold"`` (Fast-dLLM's default is 0.9).
    gamma : number
        ``γ`` of ``"entropy-bound"``, in bits as the EB sampler's code measures it.
    method : {"auto", "exact", "montecarlo"}
        ``"auto"`` is exact within ``budget``, Monte Carlo beyond (where an estimator exists).
    precision, dps : arithmetic of the exact route (``"symbolic"`` keeps Fraction / sympy entries exact).
    n, samples : Monte Carlo paths (``n`` is the older name).  Without ``samples`` or ``stderr``, 2000.
    stderr : float
        Monte Carlo: add paths until the standard error of the KL is at most this.
    seed, time_budget, workers : as for every Monte Carlo route (batches seeded by index: the same numbers
        for any number of workers).
    budget : float, optional
        Estimated operations: the exact route's table operations (default ``DEFAULT_POLICY_BUDGET``), or
        the Monte Carlo run's (default ``DEFAULT_MC_BUDGET``); refused beyond with
        :class:`~symsched.errors.ModelTooLargeError`.
    law : bool, optional
        Keep the output law in the result (default: when it has at most 4096 entries).
    temperature : {0, 1}, optional
        0 scores a position by its arg-max token, 1 by the token sampled there (the policy's library default
        when omitted: 1 for ``"llada"``, 0 otherwise).  Tokens are always drawn from the exact conditionals.
    ties : {"random", "lowest-index"}
        Among equal scores keep uniformly random positions (default: the libraries' ``torch.topk`` does not
        specify its order) or the smaller positions.

    Returns
    -------
    PolicyResult
        ``float(r) == r.kl``; ``r.expected_steps``; ``r.conditional_tc``; ``r.stderr``; ``r.law``; ``r.step_kl``.

    Examples
    --------
    >>> import symsched as ss
    >>> from fractions import Fraction as F
    >>> bn = ss.BayesianNetwork()
    >>> bn.add_variable("A"); bn.add_variable("B")
    >>> bn.set_cpd("A", [F(1, 2), F(1, 2)])
    >>> bn.set_cpd("B", [[F(9, 10), F(1, 10)], [F(1, 10), F(9, 10)]], parents=["A"])
    >>> r = ss.policy_kl(bn, "threshold", threshold=F(1, 2), precision="symbolic")
    >>> r.kl, r.expected_steps        # both confidences are 1/2 >= τ: one step: KL = TC = log 2 - h(1/10)
    (-log(5) + 9*log(3)/5, 1)
    >>> import sympy as sp
    >>> sp.simplify(r.kl - r.conditional_tc)     # Wen–Liang–Lu's identity, exactly
    0
    """
    if method not in METHODS:
        raise SymschedError(f"policy_kl: method must be 'auto', 'exact' or 'montecarlo', got {method!r}")
    if n is not None and samples is not None:
        raise SymschedError("policy_kl: give samples= or its older name n=, not both")
    samples = samples if samples is not None else n
    budget = check_budget(budget, "budget", "policy_kl")  # NaN compares false: it would disable the budget
    law = check_flag(law, "law", "policy_kl", allow_none=True)
    model = as_model(model, "policy_kl")
    N = model.N
    spec = resolve(policy, sizes, threshold, gamma, N, ties, temperature)
    mc = dict(samples=samples, stderr=stderr, seed=seed, time_budget=time_budget, workers=workers)
    if method == "montecarlo":
        return _montecarlo(model, spec, budget=budget, **mc)
    cards = tuple(model.cardinalities)
    keep = (math.prod(cards) <= 4096) if law is None else bool(law)
    if method == "auto":
        b = DEFAULT_POLICY_BUDGET.get(precision, DEFAULT_POLICY_BUDGET["float"]) if budget is None else budget
        cost = policy_cost(spec["policy"], spec["candidates"], N, cards, spec["sizes"])
        if cost > b and not (spec["candidates"] or spec["policy"].order_free):
            return _montecarlo(model, spec, budget=None, **mc)
    return _exact(model, spec, precision, dps, budget, keep)


def _montecarlo(model, spec, budget, **mc) -> PolicyResult:
    spec = mc_spec(spec, "policy_kl")
    out = run_montecarlo(model, [spec], budget=budget, **mc)
    return mc_result(spec, out["terms"][0], out["calls"][0], out["n"], out["ties"][0])
