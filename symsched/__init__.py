"""symsched: exact, symbolic and high-precision unmasking schedules for masked diffusion models.

A flat namespace in the style of networkx: models (graphical models on networkx graphs), information
measures, schedules, continuum limits, samplers and export are all reachable as ``symsched.<name>``.
Data flows one way: models -> info -> schedules -> continuum; samplers check it by simulation;
export and the CLI sit on top.

>>> import symsched as ss
>>> prof = ss.information_profile(ss.copy_model(3, 2))
>>> [round(x, 6) for x in prof.h]
[0.693147, 0.0, 0.0]
"""

from .errors import *  # noqa: F401,F403
from .arithmetic import arithmetic  # noqa: F401
from .models import *  # noqa: F401,F403
from .info import *  # noqa: F401,F403
from .schedules import *  # noqa: F401,F403
from .samplers import *  # noqa: F401,F403
from .continuum import *  # noqa: F401,F403
from .bounds import *  # noqa: F401,F403
from .export import *  # noqa: F401,F403

__version__ = "0.1.0"
