"""Models: joint pmfs given as graphical models on networkx graphs, structured families or tables."""

from .base import DEFAULT_MAX_ENTRIES, DiscreteModel, check_enumerable
from .table import JointDistribution, from_joint

__all__ = ["DiscreteModel", "DEFAULT_MAX_ENTRIES", "check_enumerable", "JointDistribution", "from_joint"]
