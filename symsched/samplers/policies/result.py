"""The result of :func:`~symsched.policy_kl`."""

from __future__ import annotations

from ...formatting import latex_number, latex_text
from ...results import Result, latex_any

__all__ = ["PolicyResult"]


class PolicyResult(Result):
    """The error and cost of an adaptive sampler (see :func:`~symsched.policy_kl`).

    Attributes
    ----------
    policy : str
        The rule (a callable policy shows as ``"custom"``).
    parameter : str
        Its parameter (sizes, ``τ`` or ``γ``).
    kl : number or Estimate
        ``KL(p ‖ q)`` of the sampler's output law (an :class:`~symsched.results.Estimate` by Monte Carlo;
        for ``"random"`` by Monte Carlo, the order-averaged ``E_σ KL(p ‖ q_σ)``, which bounds it from above,
        as ``quantity`` says).
    stderr : float
        Standard error of ``kl`` (0 when exact).
    exact : bool
    expected_steps : number or Estimate
        Expected number of model calls of the sampler.
    steps_distribution : dict or None
        ``{steps: probability}`` (exact route).
    conditional_tc : number, Estimate or None
        ``E_{x∼p} Σ_t TC(X_{S_t} | x_{C_t})`` (None when the selection sees the sampled candidates).
    identity : bool
        True when ``conditional_tc`` equals ``kl`` (positions a function of the revealed values).
    method : str
        ``"exact"`` or ``"montecarlo"``.
    n : int or None
        Monte Carlo paths.
    law : ndarray or None
        The sampler's output law (exact route), shape ``model.cardinalities``.
    step_kl : tuple or None
        The per-step terms ``E Σ TC(X_{S_t} | x_{C_t})`` by step index (numbers, or Estimates by Monte Carlo):
        which steps cost most.
    ties, temperature : the conventions used (see docs/adaptive.md).
    quantity : str
        What ``kl`` is.
    """

    _headline = "kl"
    _fields = ("policy", "parameter", "kl", "stderr", "exact", "expected_steps", "steps_distribution",
               "conditional_tc", "identity", "method", "n", "ties", "temperature", "quantity")
    _repr_fields = ("policy", "parameter", "kl", "expected_steps")

    def __init__(self, policy, *, parameter, kl, stderr, exact, expected_steps, steps_distribution,
                 conditional_tc, identity, method, n=None, law=None, digits=None, step_kl=None,
                 ties="lowest-index", temperature=0, quantity="KL(p || q)", paths=None):
        self.policy, self.parameter = policy, parameter
        self.kl, self.stderr, self.exact = kl, stderr, exact
        self.expected_steps, self.steps_distribution = expected_steps, steps_distribution
        self.conditional_tc, self.identity = conditional_tc, identity
        self.method, self.n, self.law = method, n, law
        self.step_kl = None if step_kl is None else tuple(step_kl)
        self.ties, self.temperature, self.quantity = ties, temperature, quantity
        self.paths = paths
        if digits:
            self.digits = digits
        self._freeze()

    def latex(self) -> str:
        rows = []
        for name, value in self._field_items():
            if isinstance(value, dict):
                value = tuple(rf"{t}\mapsto {latex_number(v, self.digits)}" for t, v in value.items())
                text = r"\left(" + ", ".join(value) + r"\right)"
            else:
                text = latex_any(value, self.digits)
            rows.append(rf"{latex_text(name)} & {text}")
        return r"\begin{array}{ll} " + r" \\ ".join(rows) + r" \end{array}"

    def _title(self) -> str:
        kind = "exact" if self.exact else "Monte Carlo estimate"
        return f"Adaptive sampler {self.policy} ({self.parameter}): {self.quantity}, {kind}"
