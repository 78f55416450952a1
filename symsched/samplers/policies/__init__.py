"""Adaptive unmasking policies: a registry of rules, the exact route and the Monte Carlo route.

Each rule is one module of this package defining a :class:`~.base.Policy` and registering it
(``register_policy``); the routes look policies up by name.  CONTRIBUTING.md ("Adding a policy") has the
recipe; docs/adaptive.md has the table of rules and the libraries they stand for.
"""

import importlib
import pkgutil

from .base import SCORE_DECIMALS, TIES, Policy, get_policy, policy_names, register_policy
from .exact import DEFAULT_POLICY_BUDGET
from .montecarlo import DEFAULT_MC_BUDGET
from .result import PolicyResult
from .select import select_positions
from .api import policy_kl

#: Modules of this package that are routes, not policies.
_INFRASTRUCTURE = {"base", "exact", "montecarlo", "paths", "result", "select", "api", "oracle_adapter",
                   "compare", "optimal", "remasking"}
_BUILTIN_ORDER = ("random_order", "confidence", "margin", "entropy", "threshold", "entropy_bound", "llada")
for _name in _BUILTIN_ORDER + tuple(sorted(m.name for m in pkgutil.iter_modules(__path__)
                                           if m.name not in _INFRASTRUCTURE and m.name not in _BUILTIN_ORDER)):
    importlib.import_module(f"{__name__}.{_name}")

#: The registered policy names (the built-ins; ``policy_names()`` is always current).
POLICIES = policy_names()

__all__ = ["Policy", "register_policy", "get_policy", "policy_names", "POLICIES", "PolicyResult", "policy_kl",
           "select_positions", "SCORE_DECIMALS", "TIES", "DEFAULT_POLICY_BUDGET", "DEFAULT_MC_BUDGET"]
