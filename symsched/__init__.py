"""symsched: exact, symbolic and high-precision unmasking schedules for masked diffusion models.

A flat namespace in the style of networkx: models (graphical models on networkx graphs), information
measures, schedules, samplers, continuum limits, the literature's bounds and export are all reachable
as ``symsched.<name>``; the bounds are also grouped under :mod:`symsched.bounds`.  Data flows one way
(CONTRIBUTING.md, "Layers"): models -> info -> schedules -> {samplers, continuum} -> bounds -> export
-> cli, over the bottom modules errors, arithmetic, formatting and results.

>>> import symsched as ss
>>> prof = ss.information_profile(ss.copy_model(3, 2))
>>> [round(x, 6) for x in prof.h]
[0.693147, 0.0, 0.0]
"""

import types as _types

from . import arithmetic as _arithmetic_module
from . import errors, formatting, results
from .arithmetic import arithmetic as make_arithmetic
from .errors import *
from .models import *
from .info import *
from .schedules import *
from .samplers import *
from .continuum import *
from .bounds import *
from .export import *
from . import bounds, continuum, export, info, models, samplers, schedules

__version__ = "0.1.0"


class _CallableModule(_types.ModuleType):
    """``symsched.arithmetic`` is the module; calling it still builds an Arithmetic (round-1 spelling)."""

    def __call__(self, *args, **kwargs):
        return self.arithmetic(*args, **kwargs)


# Round 1 exported the function ``arithmetic`` as ``symsched.arithmetic``, shadowing its own module.
# The module keeps the name; the function is ``make_arithmetic``; ``symsched.arithmetic(...)`` still works.
_arithmetic_module.__class__ = _CallableModule
arithmetic = _arithmetic_module

#: The public names, by layer (each subpackage's own ``__all__``).
__all__ = (list(errors.__all__) + list(models.__all__) + list(info.__all__) + list(schedules.__all__)
           + list(samplers.__all__) + list(continuum.__all__) + list(bounds.__all__) + list(export.__all__)
           + ["make_arithmetic", "arithmetic", "results", "formatting", "bounds", "__version__"])
