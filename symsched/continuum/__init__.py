"""The continuum layer: limits of the expected KL as N grows (above schedules, below bounds).

Modules, bottom to top (each imports only those before it):

* ``symbolic``: bounded sympy attempts and the admissibility check of a limit ``φ``;
* ``rounding``: real breakpoints to a valid integer schedule;
* ``quantized``: the quantized limit ``L(r)`` at a fixed ratio ``r = N/K``;
* ``phi``, ``limit_constants``, ``limit_quantiles``, ``limit_latex``: the parts of a Riemann limit (the checked
  ``φ``; ``∫√f`` and the leading constants; ``G`` and ``G^{−1}``; the LaTeX derivation);
* ``limit``: :func:`riemann_limit` and :class:`RiemannLimit` (built from those parts; its schedules);
* ``limit_profiles``: the limit profiles ``φ`` of model families;
* ``expansion``: expansions of ``E KL`` in ``1/K`` and ``1/N``;
* ``fitting``: a monotone ``φ`` fitted to a discrete profile;
* ``verify``: convergence tables against the exact discrete quantities;
* ``profiles``: the old module name, re-exporting ``limit_profiles``, ``fitting`` and
  ``check_limit_profile`` unchanged.
"""

from . import (expansion as _expansion, fitting as _fitting, limit as _limit,
               limit_profiles as _limit_profiles, profiles as _profiles, quantized as _quantized,
               verify as _verify)
from .expansion import *
from .fitting import *
from .limit import *
from .limit_profiles import *
from .quantized import *
from .verify import *

__all__: list = (_limit_profiles.__all__ + _fitting.__all__ + _expansion.__all__ + _verify.__all__
                 + _limit.__all__ + _quantized.__all__)
