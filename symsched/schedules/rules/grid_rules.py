"""Time-grid (Bernoulli) rules: MDLM (log-linear noise, and ``"mdlm-cosine"``), SEDD and Dream ``origin``.

All three run the time on ``linspace(1, eps, K + 1)``; with their linear / log-linear noise a token masked
at time ``t`` is revealed by time ``s`` with probability ``(t - s)/t``, so in symsched's reveal-fraction
convention ``u = 1 - t``. The grid is kept in exact arithmetic (the float32 rounding of the times moves
each step's probability by about 1e-7 relative; not modelled).

Model calls, read in each library's loop:

* MDLM (``diffusion.py``, ``_sample``): with the default ``sampler="ddpm_cache"`` a step whose previous step
  revealed nothing reuses the cached ``p(x0)`` (no call); then ``noise_removal`` makes one more call
  (an arg-max decode of the tokens still masked). For one sequence each token is revealed at step ``i``
  with probability ``t_i - t_{i+1} = (1 - eps)/K`` independently, so a step reveals nothing with
  probability ``(1 - (1 - eps)/K)^N`` and the expected number of calls is
  ``1 + (K - 1)(1 - (1 - (1 - eps)/K)^N) + [noise_removal]``. ``sampler="ddpm"``, or a time-conditioned
  backbone (``time_conditioning=True``, which clears the cache after every step): ``K + 1``.
* SEDD (``sampling.py``, ``get_pc_sampler``): a call per step and one for the denoising step: ``K + 1``.
* Dream ``origin``: a call per step, the last step reveals the rest: ``K``.
"""

from __future__ import annotations

import math
from fractions import Fraction

from ...errors import SymschedError
from .base import RuleSource, SamplerRule, register_rule
from .common import check_eps

__all__ = ["MDLMRule", "MDLMCosineRule", "SEDDRule", "DreamOriginRule", "MDLM_NOISES"]

#: MDLM's noise schedules (``noise_schedule.py``, ``get_noise``) with a reveal grid here: name -> the fraction of
#: tokens still masked at time ``t``, ``(1 - alpha(t)) / (1 - alpha(1))`` with ``alpha(t) = exp(-total_noise(t))``.
#: MDLM's sampler starts all masked at ``t = 1`` and keeps a masked token masked from ``t`` to ``s`` with
#: probability ``(1 - alpha(s)) / (1 - alpha(t))``, so the noise's own ``eps`` (1e-3) cancels:
#: ``"loglinear"`` ``1 - alpha = (1 - eps) t`` gives ``t``; ``"cosine"`` ``1 - alpha = (1 - eps)(1 - cos(pi t/2))``
#: gives ``1 - cos(pi t/2)``; ``"cosinesqr"`` ``(1 - eps)(1 - cos^2(pi t/2))`` gives ``sin^2(pi t/2)``.
#: (``"linear"`` and ``"geometric"`` depend on the config's ``sigma_min`` / ``sigma_max``: not modelled.)
MDLM_NOISES = {
    "loglinear": lambda t: t,
    "cosine": lambda t: 1 - math.cos(math.pi * float(t) / 2),
    "cosinesqr": lambda t: math.sin(math.pi * float(t) / 2) ** 2,
}


class _GridRule(SamplerRule):
    kind = "grid"
    export_format = "grid"
    reveals_rest = False          # the last step itself reveals every remaining token (Dream origin)

    def check_options(self, opts, where):
        return {**opts, "eps": check_eps(opts["eps"], where, closed_at_zero=True)}

    def times(self, K, opts):
        e = opts["eps"]
        return [1 - (1 - e) * Fraction(k, K) for k in range(K + 1)], self.reveals_rest

    def expected_model_calls(self, N, K, opts):
        return K + (0 if self.reveals_rest else 1)


class MDLMRule(_GridRule):
    name = "mdlm"
    library = "MDLM"
    sources = (RuleSource("kuleshov-group/mdlm", "diffusion.py", "06dd29f38c1f68e99c2e4a148846a05026b478d0",
                          "_sample, _ddpm_caching_update"),)
    options = {"eps": Fraction(1, 10 ** 5), "sampler": "ddpm_cache", "noise_removal": True,
               "time_conditioning": False, "noise": "loglinear"}
    modelled = ("the reveal grid of the log-linear noise, u = 1 - t on linspace(1, eps, K + 1) (noise='cosine' "
                "or 'cosinesqr': u = cos(pi t/2) or cos^2(pi t/2), floats), and its final clean-up step; expected "
                "model calls of one sequence with the ddpm_cache predictor (a step after an empty one costs no call)")
    not_modelled = ("the clean-up's arg-max decode in the KL by default (bernoulli_expected_kl(..., "
                    "cleanup='argmax') gives its KL: infinite whenever tokens can remain and H > 0); "
                    "the 'analytic' predictor; float32 rounding of the times; batches (the cache is shared); the "
                    "'linear' and 'geometric' noises (their grids depend on the config's sigma_min, sigma_max)")

    def check_options(self, opts, where):
        opts = super().check_options(opts, where)
        if opts["noise"] not in MDLM_NOISES:
            raise SymschedError(f"{where}: noise must be one of {tuple(MDLM_NOISES)} (MDLM's noise_schedule.py), got "
                                f"{opts['noise']!r:.60}")
        if opts["sampler"] not in ("ddpm_cache", "ddpm"):
            raise SymschedError(f"{where}: sampler must be 'ddpm_cache' (the default) or 'ddpm', got "
                                f"{opts['sampler']!r:.60} (the 'analytic' predictor is not modelled)")
        if not opts["noise_removal"] and opts["eps"] > 0:
            raise SymschedError(f"{where}: noise_removal=False leaves tokens masked at t = eps > 0 (the output "
                                "is not a sample of the joint); not modelled")
        return opts

    def times(self, K, opts):
        """The fraction still masked at each grid time (the time itself for the log-linear noise: exact)."""
        t, rest = super().times(K, opts)
        if opts["noise"] == "loglinear":
            return t, rest
        masked = MDLM_NOISES[opts["noise"]]
        return [Fraction(1)] + [masked(x) for x in t[1:]], rest

    def expected_model_calls(self, N, K, opts):
        final = 1 if opts["noise_removal"] else 0
        if opts["sampler"] == "ddpm" or opts["time_conditioning"]:
            return K + final                              # the cache is cleared after every step
        if opts["noise"] == "loglinear":
            miss = (1 - (1 - opts["eps"]) / K) ** N      # a step reveals nothing: no token moves
            return 1 + (K - 1) * (1 - miss) + final
        # a token is revealed at step i with probability u_{i+1} - u_i; the call after an empty step is saved
        m = self.times(K, opts)[0]
        return 1 + sum(1 - (1 - (m[i] - m[i + 1])) ** N for i in range(K - 1)) + final


class MDLMCosineRule(MDLMRule):
    """MDLM's sampler with its cosine noise (``noise.type: cosine``): ``u = cos(pi t / 2)``."""

    name = "mdlm-cosine"
    sources = MDLMRule.sources + (RuleSource("kuleshov-group/mdlm", "noise_schedule.py",
                                             "06dd29f38c1f68e99c2e4a148846a05026b478d0", "get_noise, CosineNoise"),)
    options = {**MDLMRule.options, "noise": "cosine"}


class SEDDRule(_GridRule):
    name = "sedd"
    library = "SEDD"
    sources = (RuleSource("louaaron/Score-Entropy-Discrete-Diffusion", "sampling.py",
                          "0605786da5ccb5747545e26d66fdf477187598b6", "get_pc_sampler, Denoiser"),)
    options = {"eps": Fraction(1, 10 ** 5)}
    modelled = "the reveal grid of the absorbing graph with log-linear noise, a sampled denoising step; K + 1 calls"
    not_modelled = "the uniform graph; the Euler predictor's first-order probabilities; float32 times"


class DreamOriginRule(_GridRule):
    name = "dream-origin"
    library = "Dream"
    reveals_rest = True
    sources = (RuleSource("ZHZisZZ/dllm", "dllm/pipelines/dream/models/generation_utils.py",
                          "81c80162c35bc308ac46faae13d3af5731f29ad5", "_sample, alg='origin'"),)
    options = {"eps": Fraction(1, 1000)}
    modelled = "each masked token revealed w.p. 1 - s/t, the last step reveals the rest; K calls"
    not_modelled = "float32 rounding of 1 - s/t (about 1e-7 relative)"


register_rule(MDLMRule())
register_rule(MDLMCosineRule())
register_rule(SEDDRule())
register_rule(DreamOriginRule())
