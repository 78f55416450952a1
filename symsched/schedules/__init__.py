"""Schedules: the Schedule type, families, exact expected KL, optimal schedules.

The literature's bounds live one layer up, in :mod:`symsched.bounds` (their round-1 paths
``symsched.schedules.bounds`` / ``.compare`` still work).
"""

from .schedule import Schedule

__all__ = ["Schedule"]

# -- families, exact error, randomized and optimal schedules (issue #4) --
from .families import *  # noqa: F401,F403,E402
from .error import *  # noqa: F401,F403,E402
from .randomized import *  # noqa: F401,F403,E402
from .optimal import *  # noqa: F401,F403,E402
from . import families as _families, error as _error, randomized as _randomized, optimal as _optimal  # noqa: E402

__all__ += _families.__all__ + _error.__all__ + _randomized.__all__ + _optimal.__all__

# -- samplers as practitioners run them: count rules, reveal grids (issue #14) --
from .grids import *  # noqa: F401,F403,E402
from .count_rules import *  # noqa: F401,F403,E402
from .growth import *  # noqa: F401,F403,E402
from . import grids as _grids, count_rules as _count_rules, growth as _growth  # noqa: E402

__all__ += _grids.__all__ + _count_rules.__all__ + _growth.__all__
