"""Schedules: the Schedule type, families, exact expected KL, optimal schedules.

The literature's bounds live one layer up, in :mod:`symsched.bounds` (their round-1 paths
``symsched.schedules.bounds`` / ``.compare`` still work).
"""

from .schedule import Schedule, as_schedule

__all__ = ["Schedule", "as_schedule"]

# -- families, exact error, randomized and optimal schedules (issue #4) --
from .families import *
from .kl import *
from .randomized import *
from .optimal import *
from . import families as _families, kl as _kl, randomized as _randomized, optimal as _optimal

__all__ += _families.__all__ + _kl.__all__ + _randomized.__all__ + _optimal.__all__

# -- optimal schedules of profiles with free symbols (issue #29) --
from .symbolic_optimum import SymbolicOptimum, SymbolicFrontier, Crossover, MAX_SYMBOLIC_CANDIDATES

__all__ += ["SymbolicOptimum", "SymbolicFrontier", "Crossover", "MAX_SYMBOLIC_CANDIDATES"]

# -- samplers as practitioners run them: count rules, reveal grids (issue #14) --
from .grids import *
from .count_rules import *
from .growth import *
from . import grids as _grids, count_rules as _count_rules, growth as _growth

__all__ += _grids.__all__ + _count_rules.__all__ + _growth.__all__

# -- Wainwright's certified block schedules (issue #27) --
from .partition import *
from .wainwright import *
from .certify import *
from . import partition as _partition, wainwright as _wainwright, certify as _certify

__all__ += _partition.__all__ + _wainwright.__all__ + _certify.__all__

# -- the sampler-rule registry: one module per library (issue #22, #24) --
from .rules import SamplerRule, register_rule, get_rule, sampler_rules, rule_table, dream_timesteps

__all__ += ["SamplerRule", "register_rule", "get_rule", "sampler_rules", "rule_table", "dream_timesteps"]
