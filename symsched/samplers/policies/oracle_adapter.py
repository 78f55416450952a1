"""The model oracle of the Monte Carlo route: exact draws and every conditional ``p(x_i | x_R)`` of a batch.

Every family's oracle comes from :func:`symsched.info.oracles.oracle_for` (the joint table when small, else
the family's own: forward-backward on chains and hidden Markov models, junction trees / elimination on
networks and fields).  Chains and hidden Markov models additionally get the fused forward-backward pass of
:class:`~symsched.samplers.policies.paths.HMMPass` from the oracle's parameters.
"""

from __future__ import annotations

from ...info.oracles import JOINT_TABLE_LIMIT, oracle_for

__all__ = ["policy_oracle", "JOINT_LIMIT"]

#: Models whose joint table has at most this many entries are sampled and conditioned through the table.
JOINT_LIMIT = JOINT_TABLE_LIMIT


def policy_oracle(model):
    """The oracle of ``model`` (raises :class:`~symsched.errors.ModelTooLargeError` beyond every route)."""
    return oracle_for(model, joint_limit=JOINT_LIMIT)
