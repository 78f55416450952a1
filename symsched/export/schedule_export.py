"""Hand a schedule to a sampler: counts, LLaDA per-block counts, time grids, alpha(t), quotas, JSON.

:func:`export_schedule` turns a :class:`~symsched.schedules.schedule.Schedule` (an optimal schedule, a
``sampler_schedule(...)`` result, plain sizes) or a :class:`~symsched.schedules.grids.RevealGrid` into the
object a sampler's code consumes. Each format round-trips through the target rule's own arithmetic:

* ``"counts"`` — sizes per step (empty steps kept);
* ``"llada"`` — one row of counts per block, ready to stand in for LLaDA's
  ``get_num_transfer_tokens(block_mask_index, steps)`` in its block loop (all rows the same length);
* ``"grid"`` — the ``K + 1`` points of the schedule's cumulative fractions in a named convention:
  ``"reveal"`` (``u_k = s_k / N``) or ``"time"`` (``t_k = 1 - u_k``, the diffusion time of MDLM / Dream);
  in exact arithmetic (``exact=True``) Dream's rule ``floor(M (1 - t_{k+1}/t_k))`` gives back the counts,
  but Dream's own float32 loop can be one off on these times, and a schedule that finishes before its last
  step has times ``0, 0`` there (``0/0`` in Dream's loop): use ``"dream"`` for Dream;
* ``"dream"`` — float32 times to stand in for Dream's ``timesteps`` (``torch.linspace(1, eps, K + 1)``):
  Dream's own float32 loop turns them back into exactly the counts (empty steps included);
* ``"alpha"`` — the piecewise-linear ``alpha(t)`` (MDLM convention, probability of being unmasked at
  time ``t``) through ``alpha(1 - k/K) = s_k / N``, with its piecewise-constant derivative; as a dllm
  alpha scheduler (one block of ``N`` tokens, ``K`` steps) dllm's float32 loop gives back the non-empty
  counts (dllm compacts empty steps away);
* ``"quotas"`` — cumulative revealed counts ``s_0 = 0, ..., s_K = N``;
* ``"json"`` — a JSON string with all of the above;
* ``"native"`` — for a ``sampler_schedule(...)`` result, the format its own library consumes (the rule's
  ``export_format`` in the registry: LLaDA and Fast-dLLM ``"llada"``, Dream ``"dream"``, dllm ``"alpha"``,
  the others ``"counts"``).

``backend="numpy"`` or ``"torch"`` returns arrays / tensors for the numeric formats (torch is optional and
imported only then).
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import SymschedError
from ..schedules.grids import RevealGrid
from ..schedules.rules import dream_timesteps, get_rule
from ..schedules.schedule import Schedule, as_schedule
from ..validation import check_choice, check_flag

__all__ = ["export_schedule", "EXPORT_FORMATS"]

EXPORT_FORMATS = ("counts", "llada", "grid", "dream", "alpha", "quotas", "json", "native")


def _backend(values: Any, backend: str, dtype: str):
    if backend == "list":
        return values
    if backend == "numpy":
        return np.asarray(values, dtype={"int": np.int64, "float32": np.float32}.get(dtype, float))
    if backend == "torch":
        try:
            import torch
        except ImportError:
            raise SymschedError("export_schedule: backend='torch' needs torch (pip install torch); "
                                "use backend='list' or 'numpy'") from None
        return torch.tensor(values, dtype={"int": torch.int64, "float32": torch.float32}.get(dtype, torch.float64))
    raise SymschedError(f"export_schedule: backend must be 'list', 'numpy' or 'torch', got {backend!r}")


def _llada_rows(sched: Schedule, pad: bool) -> list:
    rows = [list(b) for b in getattr(sched, "block_sizes", (sched.sizes,))]
    width = max(len(r) for r in rows)
    if any(len(r) != width for r in rows):
        if not pad:
            raise SymschedError(f"export_schedule('llada'): the blocks have {[len(r) for r in rows]} steps; LLaDA runs "
                                "the same number of steps in every block (pass pad=True to append empty steps, "
                                "each still a model call)")
        rows = [r + [0] * (width - len(r)) for r in rows]
    return rows


def _grid_points(sched: Schedule, convention: str, exact: bool) -> list:
    N = sched.N
    u = [Fraction(s, N) for s in sched.breakpoints]
    if convention == "time":
        pts = [1 - x for x in u]
    elif convention == "reveal":
        pts = u
    else:
        raise SymschedError(f"export_schedule: convention must be 'reveal' (u = s/N) or 'time' (t = 1 - u), "
                            f"got {convention!r}")
    return pts if exact else [float(x) for x in pts]


def _alpha(sched: Schedule, exact: bool) -> dict:
    K, N = sched.K, sched.N
    knots = [Fraction(K - k, K) for k in range(K + 1)]             # t = 1, ..., 0 (sampling order)
    alpha = [Fraction(s, N) for s in sched.breakpoints]             # alpha(1 - k/K) = s_k / N
    # on [t_{k+1}, t_k] alpha falls linearly from alpha_{k+1} to alpha_k as t grows: slope -(k_{k+1} K / N)
    slopes = [-(alpha[k + 1] - alpha[k]) * K for k in range(K)]
    conv = (lambda x: x) if exact else float
    return {"t": [conv(x) for x in knots], "alpha": [conv(x) for x in alpha], "derivative": [conv(x) for x in slopes],
            "convention": "MDLM: alpha(t) = probability a token is unmasked at diffusion time t; alpha(0) = 1, "
                          "alpha(1) = 0; derivative[k] is d alpha / dt on [t[k+1], t[k]]"}


def export_schedule(schedule: Any, format: str = "counts", *, convention: str = "reveal", exact: bool = False,
                    backend: str = "list", pad: bool = False) -> Any:
    """A schedule in the form a sampler's code consumes (see the module docstring for each format).

    Parameters
    ----------
    schedule : Schedule, OptimalSchedule, SamplerSchedule, sizes or RevealGrid
    format : {"counts", "llada", "grid", "dream", "alpha", "quotas", "json", "native"}
    convention : {"reveal", "time"}
        For ``"grid"``.
    exact : bool
        Fractions instead of floats for ``"grid"`` and ``"alpha"``.
    backend : {"list", "numpy", "torch"}
        Container of ``"counts"``, ``"llada"``, ``"grid"`` and ``"quotas"``.
    pad : bool
        ``"llada"``: pad blocks with fewer steps with empty steps.

    Examples
    --------
    >>> import symsched as ss
    >>> s = ss.sampler_schedule("llada", 8, 6, block_length=4)
    >>> ss.export_schedule(s, "llada")
    [[2, 1, 1], [2, 1, 1]]
    >>> ss.export_schedule(ss.Schedule([1, 3]), "grid", convention="time")
    [1.0, 0.75, 0.0]
    >>> ss.export_schedule(ss.Schedule([1, 3]), "alpha")["derivative"]
    [-0.5, -1.5]
    >>> ss.export_schedule(ss.Schedule([1, 1, 2]), "dream")       # Dream's float32 loop gives back (1, 1, 2)
    [1.0, 0.625, 0.3125, 0.15625]
    """
    check_choice(format, "format", EXPORT_FORMATS, "export_schedule")
    exact = check_flag(exact, "exact", "export_schedule")
    if format == "native":
        if isinstance(schedule, RevealGrid):
            format = "grid"
        elif getattr(schedule, "rule", None) is not None:
            format = get_rule(schedule.rule, where="export_schedule").export_format
        else:
            raise SymschedError("export_schedule: format='native' needs a sampler_schedule(...) or sampler_grid(...) "
                                "result (a plain schedule has no library); choose a format")
    if isinstance(schedule, RevealGrid):
        if format not in ("grid", "json"):
            raise SymschedError(f"export_schedule: a RevealGrid exports as 'grid' or 'json', not {format!r} (its "
                                "counts are random: Binomial per step)")
        pts = list(schedule.points) if convention == "reveal" else [1 - x for x in schedule.points]
        if convention not in ("reveal", "time"):
            raise SymschedError(f"export_schedule: convention must be 'reveal' or 'time', got {convention!r}")
        if format == "json":
            return json.dumps({"rule": schedule.rule, "convention": convention, "cleanup": schedule.cleanup,
                               "points": [float(x) for x in pts], "exact": [str(x) for x in pts]})
        return _backend(pts if exact else [float(x) for x in pts], backend, "float")
    sched = as_schedule(schedule)
    if format == "counts":
        return _backend(list(sched.sizes), backend, "int")
    if format == "quotas":
        return _backend(list(sched.breakpoints), backend, "int")
    if format == "llada":
        return _backend(_llada_rows(sched, pad), backend, "int")
    if format == "grid":
        return _backend(_grid_points(sched, convention, exact), backend, "float")
    if format == "dream":
        return _backend(dream_timesteps(sched.sizes), backend, "float32")
    if format == "alpha":
        return _alpha(sched, exact)
    try:
        llada = _llada_rows(sched, pad)
    except SymschedError:
        llada = None
    return json.dumps({"N": sched.N, "K": sched.K, "model_calls": sched.model_calls, "counts": list(sched.sizes),
                       "quotas": list(sched.breakpoints), "llada": llada,
                       "grid_reveal": [float(x) for x in _grid_points(sched, "reveal", True)],
                       "grid_time": [float(x) for x in _grid_points(sched, "time", True)],
                       "dream": dream_timesteps(sched.sizes),
                       "alpha": {k: v for k, v in _alpha(sched, False).items()},
                       "name": sched.name})
