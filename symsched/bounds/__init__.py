"""Bounds: the literature's statements on the sampler's error, and :func:`compare_bounds`.

The layer above schedules and samplers: :mod:`.statements` evaluates each published (or
symsched-derived) statement for a profile and a schedule as a :class:`Bound`; :mod:`.compare` puts all
of them beside the exact values (the identity, the optimum, the sampler's mixture law) in a
:class:`BoundsTable`.  What each statement is and where it comes from: ``docs/references.md``.

Every name is also reachable flat (``symsched.li_cai_bound``), and the modules keep their
round-1 import paths ``symsched.schedules.bounds`` and ``symsched.schedules.compare``.
"""

import sys as _sys

from . import compare, practice, statements, wainwright
from .compare import BoundRow, BoundsTable, compare_bounds
from .statements import *
from .practice import *
from .wainwright import *

__all__ = list(statements.__all__) + list(practice.__all__) + list(wainwright.__all__) + ["BoundRow", "BoundsTable",
                                                                                       "compare_bounds"]


def _keep_round1_paths() -> None:
    # The modules lived in symsched/schedules/ in round 1.  Registering them under their old names
    # keeps ``from symsched.schedules import bounds`` and ``import symsched.schedules.compare``
    # working without the schedules layer importing upwards.
    schedules = _sys.modules[__name__.rsplit(".", 1)[0] + ".schedules"]
    for old, module in (("bounds", statements), ("compare", compare)):
        _sys.modules[f"{schedules.__name__}.{old}"] = module
        setattr(schedules, old, module)
    for name in statements.__all__ + ["BoundRow", "BoundsTable", "compare_bounds"]:
        setattr(schedules, name, globals()[name])


_keep_round1_paths()
