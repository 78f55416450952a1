"""Information measures: entropy and information profiles, TC, DTC, O-information."""

from .profile import InformationProfile, as_profile
from .estimate import estimate_profile
from .montecarlo import sample_exact
from .estimate import estimate_measures, estimate_replicates
from .corpus import read_data, stdlib_docstrings, text_blocks
from .torch_denoiser import TorchDenoiser, torch_denoiser
from .denoiser import ExactDenoiser, denoiser_profile, exact_denoiser
from .measures import (DEFAULT_MAX_COST, dual_total_correlation, entropy, entropy_profile, information_profile,
                       o_information, total_correlation)

__all__ = ["InformationProfile", "as_profile", "information_profile", "entropy_profile", "total_correlation",
           "dual_total_correlation", "o_information", "entropy", "DEFAULT_MAX_COST", "estimate_profile"]
__all__ += ["estimate_replicates", "estimate_measures", "stdlib_docstrings", "text_blocks", "read_data",
            "torch_denoiser", "TorchDenoiser", "sample_exact", "exact_denoiser", "ExactDenoiser", "denoiser_profile"]
from .interaction import InteractionDecomposition, maxent_projection

__all__ += ["maxent_projection", "InteractionDecomposition"]
