"""Model oracles: exact draws, ``log p(x_A)`` and every conditional ``p(x_i | x_R)``, one class per family.

:func:`oracle_for` returns the oracle of a model (the joint table when small, else the family registered for
its class); every Monte Carlo route, the exact denoiser, the blockwise samplers and the adaptive samplers
use these objects.  The protocol (:class:`ModelOracle`) and the registry are in
:mod:`symsched.info.oracles.base`; one module per family:

========================  ===========================================  ===============================
family                    module                                       conditionals of a batch
========================  ===========================================  ===============================
any (small) joint table   :mod:`~symsched.info.oracles.joint`          cached marginal tables
Bayesian network          :mod:`~symsched.info.oracles.bayesian`       one contraction per position
Markov random field       :mod:`~symsched.info.oracles.markov`         log-domain elimination
hidden Markov model       :mod:`~symsched.info.oracles.hmm`            one forward-backward pass
first-order Markov chain  :mod:`~symsched.info.oracles.hmm`            one forward-backward pass
exchangeable families     :mod:`~symsched.info.oracles.exchangeable`   one predictive per row
independent tokens        :mod:`~symsched.info.oracles.independent`    the marginals
========================  ===========================================  ===============================

Examples
--------
>>> import numpy as np, symsched as ss
>>> from symsched.info.oracles import oracle_for
>>> o = oracle_for(ss.markov_chain(3, [0.5, 0.5], [[0.9, 0.1], [0.1, 0.9]]), joint_limit=0)
>>> o.family
'chain'
>>> o.conditionals(np.array([[0, -1, 1]]))[0, 1].round(6).tolist()    # p(X2 | X1 = 0, X3 = 1)
[0.5, 0.5]
"""

from .base import JOINT_TABLE_LIMIT, ORACLES, ModelOracle, categorical, normalise_last, oracle_for, register_oracle
from .joint import JointOracle
from .bayesian import BayesianNetworkOracle
from .markov import MRF_ELIMINATION_BUDGET, MarkovRandomFieldOracle, mrf_elimination_width
from .hmm import HiddenMarkovOracle, MarkovChainOracle
from .exchangeable import ExchangeableOracle
from .independent import IndependentOracle

__all__ = ["ModelOracle", "oracle_for", "register_oracle", "ORACLES", "JOINT_TABLE_LIMIT", "categorical",
           "normalise_last", "JointOracle", "BayesianNetworkOracle", "MarkovRandomFieldOracle",
           "HiddenMarkovOracle", "MarkovChainOracle", "ExchangeableOracle", "IndependentOracle",
           "MRF_ELIMINATION_BUDGET", "mrf_elimination_width"]
