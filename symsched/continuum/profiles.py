"""Old home of the limit profiles, their verification and fitting (kept as an alias module).

The limit profiles ``φ`` now live in :mod:`symsched.continuum.limit_profiles` ("profile" alone
means info's discrete profile ``h``), the convergence check :func:`check_limit_profile` in
:mod:`symsched.continuum.verify` and the monotone fit in :mod:`symsched.continuum.fitting`.
Every public name is re-exported here unchanged.
"""

from .fitting import NumericLimitProfile, fit_limit_profile
from .limit_profiles import (
    LimitProfile,
    beta_bernoulli_limit_profile,
    binary_symmetric_chain_limit_profile,
    copy_limit_profile,
    independent_limit_profile,
    limit_profile,
    parity_limit_profile,
)
from .limit_profiles import U, binary_entropy  # noqa: F401
from .verify import check_limit_profile

__all__ = ["LimitProfile", "limit_profile", "independent_limit_profile", "copy_limit_profile",
           "parity_limit_profile", "beta_bernoulli_limit_profile", "binary_symmetric_chain_limit_profile",
           "check_limit_profile", "fit_limit_profile", "NumericLimitProfile"]
