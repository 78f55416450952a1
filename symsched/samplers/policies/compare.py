"""Policies compared on common random numbers by Monte Carlo."""

from __future__ import annotations

import math

from ...errors import SymschedError
from ...results import Estimate
from .api import mc_spec, resolve
from .montecarlo import run_montecarlo

__all__ = ["compare_montecarlo"]


def compare_montecarlo(model, sizes, policies, samples=None, stderr=None, seed=0, budget=None, time_budget=None,
                       workers=None, ties=None, temperature=None, n=None):
    """Rows ``(name, Estimate)``, ``{name: per-path totals}`` and the number of paths."""
    if n is not None:
        if samples is not None:
            raise SymschedError("compare_policies: give samples= or its older name n=, not both")
        samples = n
    specs, names = [], []
    for pol in policies:
        spec = resolve(pol, sizes, None, None, model.N, ties, temperature)
        specs.append(mc_spec(spec, "compare_policies"))
        names.append(f"{spec['policy'].name} (E_σ KL)" if spec["policy"].order_free else spec["policy"].name)
    if len(set(names)) != len(names):
        raise SymschedError(f"compare_policies: policies must be distinct, got {list(policies)}")
    out = run_montecarlo(model, specs, samples=samples, stderr=stderr, seed=seed, budget=budget,
                         time_budget=time_budget, workers=workers, where="compare_policies")
    n_paths = out["n"]
    rows, paths = [], {}
    for name, terms in zip(names, out["terms"]):
        tot = terms.sum(axis=1)
        paths[name] = tot
        mean, se = float(tot.mean()), float(tot.std(ddof=1) / math.sqrt(n_paths))
        rows.append((name, Estimate(max(mean, 0.0), se, name)))
    return rows, paths, n_paths
