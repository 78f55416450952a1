"""The sampler-rule registry: one definition per rule, looked up by name.

A :class:`SamplerRule` holds everything symsched knows about one sampler's schedule: the library, file
and commit its code was read at, its options with the library's defaults, what is and is not modelled,
and the hooks that compute it — counts per block (count rules) or diffusion times (grid rules), model
calls as the library makes them, and the export format its loop consumes. The public functions
``sampler_schedule``, ``sampler_grid``, ``sampler_model_calls`` and ``export_schedule`` are thin wrappers
that look the rule up here (as networkx's ``maximum_flow`` looks up its ``flow_func``).

Adding a rule is one module in this folder that defines a subclass and calls :func:`register_rule`
(CONTRIBUTING.md, "Adding a sampler rule"); a user may register their own rule the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...errors import SymschedError

__all__ = ["SamplerRule", "RuleSource", "register_rule", "get_rule", "sampler_rules", "rule_table"]


@dataclass(frozen=True)
class RuleSource:
    """Where a rule was read: repository, file, commit (40 hex digits) and the functions read."""

    repository: str
    file: str
    commit: str
    functions: str = ""

    def __str__(self) -> str:
        where = f"{self.repository} {self.file} @ {self.commit[:10]}"
        return where + (f" ({self.functions})" if self.functions else "")


class SamplerRule:
    """One sampler rule. Subclasses set the class attributes and fill the hooks of their ``kind``.

    Class attributes
    ----------------
    name : str
        The registry key (``sampler_schedule(name, ...)``).
    kind : {"counts", "grid"}
        ``"counts"``: integer sizes per step (:meth:`block_sizes`); ``"grid"``: a time grid whose
        counts are Binomial (:meth:`times`).
    library : str
    sources : tuple of RuleSource
    options : dict
        Option name -> the library's default.
    modelled, not_modelled : str
        What symsched reproduces exactly, and what it does not (said plainly, for the docs table).
    export_format : str
        The :func:`~symsched.export.schedule_export.export_schedule` format the library's loop consumes.
    """

    name: str = ""
    kind: str = "counts"
    library: str = ""
    sources: tuple = ()
    options: dict = {}
    modelled: str = ""
    not_modelled: str = ""
    export_format: str = "counts"

    # -- options -------------------------------------------------------------------------------
    def resolve(self, options: dict, where: str) -> dict:
        """The options with the library's defaults filled in, unknown names refused, values checked."""
        unknown = set(options) - set(self.options)
        if unknown:
            raise SymschedError(f"{where}({self.name!r}): unknown option(s) {sorted(unknown)}; it takes "
                                f"{sorted(self.options) or 'none'}")
        opts = {**self.options, **options}
        return self.check_options(opts, f"{where}({self.name!r})")

    def check_options(self, opts: dict, where: str) -> dict:
        """Validate resolved options (hook; the default accepts them)."""
        return opts

    # -- count rules ---------------------------------------------------------------------------
    def implied_steps(self, N: int, opts: dict) -> int | None:
        """``K`` when the rule fixes it from ``N`` (first-hitting, DUS), else None (``K`` is required)."""
        return None

    def block_sizes(self, N: int, K: int, opts: dict) -> list:
        """The sizes of each block's steps, as the library runs them (hook of count rules)."""
        raise SymschedError(f"rule {self.name!r} is a {self.kind} rule: it has no integer counts "
                            f"(use sampler_grid({self.name!r}, K))")

    def block_length(self, N: int, opts: dict) -> int | None:
        return opts.get("block_length")

    def model_calls(self, block_sizes: list, opts: dict) -> int:
        """Denoiser calls the library makes for these sizes (default: one per step, empty ones included)."""
        return sum(len(b) for b in block_sizes)

    def positions(self, N: int, opts: dict) -> list | None:
        """Fixed positions of each step (deterministic rules such as DUS), else None (random positions)."""
        return None

    # -- grid rules ----------------------------------------------------------------------------
    def times(self, K: int, opts: dict) -> tuple:
        """``(t_0..t_K, last_step_reveals_rest)`` in exact arithmetic (hook of grid rules)."""
        raise SymschedError(f"rule {self.name!r} is a {self.kind} rule: it has no time grid "
                            f"(use sampler_schedule({self.name!r}, N, K))")

    def expected_model_calls(self, N: int, K: int, opts: dict) -> Any:
        """Expected denoiser calls for one sequence of ``N`` tokens (grid rules; exact)."""
        raise SymschedError(f"rule {self.name!r}: expected model calls are defined for grid rules")

    # -- description ---------------------------------------------------------------------------
    def row(self) -> dict:
        return {"rule": self.name, "kind": self.kind, "library": self.library,
                "sources": [str(s) for s in self.sources], "options": dict(self.options),
                "modelled": self.modelled, "not_modelled": self.not_modelled, "export": self.export_format}

    def __repr__(self) -> str:
        return f"<SamplerRule {self.name!r} ({self.kind}, {self.library})>"


_REGISTRY: dict = {}


def register_rule(rule: SamplerRule, replace: bool = False) -> SamplerRule:
    """Add a rule (an instance of a :class:`SamplerRule` subclass) to the registry under ``rule.name``."""
    if not isinstance(rule, SamplerRule):
        raise SymschedError(f"register_rule: expected a SamplerRule instance, got {rule!r:.60}")
    if not isinstance(rule.name, str) or not rule.name:
        raise SymschedError("register_rule: the rule needs a non-empty string name")
    if rule.kind not in ("counts", "grid"):
        raise SymschedError(f"register_rule: kind must be 'counts' or 'grid', got {rule.kind!r}")
    if rule.name in _REGISTRY and not replace:
        raise SymschedError(f"register_rule: a rule named {rule.name!r} exists (pass replace=True to replace it)")
    _REGISTRY[rule.name] = rule
    return rule


def sampler_rules(kind: str | None = None) -> tuple:
    """Names of the registered rules (of one ``kind``: ``"counts"`` or ``"grid"``), in registration order.

    >>> sampler_rules("grid")
    ('dllm-stochastic', 'mdlm', 'mdlm-cosine', 'sedd', 'dream-origin')
    """
    if kind not in (None, "counts", "grid"):
        raise SymschedError(f"sampler_rules: kind must be None, 'counts' or 'grid', got {kind!r}")
    return tuple(n for n, r in _REGISTRY.items() if kind is None or r.kind == kind)


def get_rule(name: Any, kind: str | None = None, where: str = "get_rule") -> SamplerRule:
    """The registered rule called ``name`` (of the given ``kind``), refused with the names available."""
    rule = _REGISTRY.get(name) if isinstance(name, str) else None
    if rule is None or (kind is not None and rule.kind != kind):
        other = "grid" if kind == "counts" else "counts"
        hint = ""
        if rule is not None:
            hint = f" ({name!r} is a {rule.kind} rule: " + \
                ("use sampler_grid)" if rule.kind == "grid" else "use sampler_schedule)")
        elif kind is not None and sampler_rules(other):
            hint = f" ({other} rules: {sampler_rules(other)})"
        raise SymschedError(f"{where}: rule must be one of {sampler_rules(kind)}, got {name!r:.60}{hint}")
    return rule


def rule_table() -> list:
    """One dict per registered rule: library, sources read, options and defaults, what is modelled."""
    return [r.row() for r in _REGISTRY.values()]
