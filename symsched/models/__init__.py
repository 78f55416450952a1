"""Models: joint pmfs given as graphical models on networkx graphs, structured families or tables."""

from .base import DEFAULT_MAX_ENTRIES, DiscreteModel, check_enumerable
from .table import JointDistribution, as_model, from_joint

__all__ = ["DiscreteModel", "DEFAULT_MAX_ENTRIES", "check_enumerable", "JointDistribution", "from_joint"]

# Graphical models and families (models layer, issue #3)
from .bayesian import BayesianNetwork
from .markov import MarkovRandomField, ising, potts
from .chains import (HiddenMarkovModel, MarkovChain, binary_symmetric_chain, hidden_markov_model,
                     markov_chain)
from .families import (BetaBernoulliModel, CopyModel, ExchangeableModel, IIDModel, ParityModel,
                       ProductMixtureModel, ProductModel, beta_bernoulli, copy_model, independent,
                       parity_model, product_mixture)
from .bif import example_names, from_pgmpy, load_example, read_bif, to_pgmpy
from .symmetry import distribution_automorphisms

__all__ += ["BayesianNetwork", "MarkovRandomField", "ising", "potts", "MarkovChain", "markov_chain",
            "binary_symmetric_chain", "HiddenMarkovModel", "hidden_markov_model", "ExchangeableModel",
            "ProductModel", "IIDModel", "CopyModel", "ParityModel", "BetaBernoulliModel",
            "ProductMixtureModel", "independent", "copy_model", "parity_model", "beta_bernoulli",
            "product_mixture", "read_bif", "from_pgmpy", "to_pgmpy", "load_example", "example_names",
            "distribution_automorphisms"]

# Models written as programs (issue #18)
from .program import ProgramModel, categorical, flip, program

__all__ += ["program", "flip", "categorical", "ProgramModel"]
from .dit_io import from_dit, to_dit

__all__ += ["to_dit", "from_dit"]
from .datasets import DATASETS, empirical_model, load_dataset

__all__ += ["load_dataset", "empirical_model", "DATASETS"]
