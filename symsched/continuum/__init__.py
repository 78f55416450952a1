"""continuum."""

__all__: list = []

from . import expansion as _expansion, profiles as _profiles, verify as _verify  # noqa: E402
from .profiles import *  # noqa: F401,F403,E402
from .expansion import *  # noqa: F401,F403,E402
from .verify import *  # noqa: F401,F403,E402

__all__ += _profiles.__all__ + _expansion.__all__ + _verify.__all__

from . import limit as _limit, quantized as _quantized  # noqa: E402
from .limit import *  # noqa: F401,F403,E402
from .quantized import *  # noqa: F401,F403,E402

__all__ += _limit.__all__ + _quantized.__all__
