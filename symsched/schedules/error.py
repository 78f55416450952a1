"""Deprecated import path: the expected-KL module is :mod:`symsched.schedules.kl`.

Kept so that ``symsched.schedules.error.<name>`` keeps working; new code imports from ``kl`` (this
name sat beside :mod:`symsched.errors`, the exceptions).
"""

from .kl import *  # noqa: F403
from .grids import bernoulli_expected_kl, mdlm_grid  # noqa: F401 (their old home)
from .kl import __all__  # noqa: F401
