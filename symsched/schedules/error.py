"""Deprecated import path: the expected-KL module is :mod:`symsched.schedules.kl`.

Kept so that ``symsched.schedules.error.<name>`` keeps working; new code imports from ``kl`` (this
name sat beside :mod:`symsched.errors`, the exceptions).
"""

from .kl import *  # noqa: F403
from .kl import __all__, _check_grid, _check_N, _finish, bernoulli_expected_kl, mdlm_grid  # noqa: F401
