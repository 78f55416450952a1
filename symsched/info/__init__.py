"""Information measures: entropy and information profiles, TC, DTC, O-information."""

from .profile import InformationProfile, as_profile
from .estimators.estimate import estimate_profile
from .estimators.montecarlo import sample_exact
from .estimators.estimate import estimate_measures, estimate_replicates
from .estimators.corpus import read_data, stdlib_docstrings, text_blocks
from .denoisers.torch_denoiser import TorchDenoiser, torch_denoiser
from .denoisers.denoiser import ExactDenoiser, denoiser_profile, exact_denoiser
from .measures import (DEFAULT_MAX_COST, dual_total_correlation, entropy, entropy_profile, information_profile,
                       o_information, total_correlation)

__all__ = ["InformationProfile", "as_profile", "information_profile", "entropy_profile", "total_correlation",
           "dual_total_correlation", "o_information", "entropy", "DEFAULT_MAX_COST", "estimate_profile"]
__all__ += ["estimate_replicates", "estimate_measures", "stdlib_docstrings", "text_blocks", "read_data",
            "torch_denoiser", "TorchDenoiser", "sample_exact", "exact_denoiser", "ExactDenoiser", "denoiser_profile"]
from .exact.interaction import InteractionDecomposition, maxent_projection

__all__ += ["maxent_projection", "InteractionDecomposition"]

# The modules moved into exact/, estimators/ and denoisers/; their old paths stay importable as the same
# module objects (``import symsched.info.gibbs``, ``mock.patch("symsched.info.montecarlo.X")``).
import importlib as _importlib
import sys as _sys

_MOVED = {"subsets": "exact.subsets", "structured": "exact.structured", "junction": "exact.junction",
          "elimination": "exact.elimination", "interaction": "exact.interaction", "engine": "estimators.engine",
          "montecarlo": "estimators.montecarlo", "batched": "estimators.batched", "gibbs": "estimators.gibbs",
          "gibbs_kernel": "estimators.gibbs_kernel", "estimate": "estimators.estimate",
          "corpus": "estimators.corpus", "denoiser": "denoisers.denoiser",
          "torch_denoiser": "denoisers.torch_denoiser"}
for _old, _new in _MOVED.items():
    _sys.modules[f"{__name__}.{_old}"] = _importlib.import_module(f"{__name__}.{_new}")
    # the attribute too (mock.patch walks attributes), unless a public name holds it (the torch_denoiser function)
    globals().setdefault(_old, _sys.modules[f"{__name__}.{_old}"])
del _old, _new
