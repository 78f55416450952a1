"""Joint laws to and from dit (the discrete information theory package), an optional dependency.

dit stores a law as outcomes (tuples, or strings of one character per variable) with a pmf, possibly in a
log base and possibly sparse (zero-probability outcomes left out).  At this boundary we convert to a dense
linear table in token order, keeping the variable names and state labels, so that
``from_dit(to_dit(m))`` is the same law with the same labels.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import SymschedError
from .table import JointDistribution, as_model

__all__ = ["to_dit", "from_dit"]


def _dit():
    try:
        import dit
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError("to_dit / from_dit need dit: pip install 'symsched[dit]'") from None
    return dit


def to_dit(model: Any):
    """The model's joint law as a ``dit.Distribution`` (float, dense; outcomes are tuples of state labels).

    Parameters
    ----------
    model : model or array_like
        Any symsched model whose joint table fits in memory, or a joint table.

    Returns
    -------
    dit.Distribution
        Random-variable names are the model's variable names.

    Examples
    --------
    >>> import symsched as ss
    >>> d = ss.to_dit(ss.copy_model(2))
    >>> sorted(d.outcomes), [round(float(v), 3) for v in d.pmf]
    ([(0, 0), (1, 1)], [0.5, 0.5])
    """
    dit = _dit()
    model = as_model(model, "to_dit")
    p = model.joint("float")
    labels = [model.states(v) for v in model.variables]
    outcomes, pmf = [], []
    for idx in np.ndindex(p.shape):
        if p[idx] > 0:
            outcomes.append(tuple(labels[a][i] for a, i in enumerate(idx)))
            pmf.append(float(p[idx]))
    # dit infers each variable's alphabet from the outcomes present: give it every state label.
    d = dit.Distribution(outcomes, pmf, sample_space=_sample_space(dit, labels), validate=False)
    d.set_rv_names(list(model.variables))
    return d


def _sample_space(dit, labels):
    return dit.samplespace.CartesianProduct([list(lab) for lab in labels])


def from_dit(dist: Any) -> JointDistribution:
    """A :class:`~symsched.JointDistribution` from a ``dit.Distribution`` (linear or log base, sparse or dense).

    Variable names come from the distribution's random-variable names (``X1..XN`` when it has none),
    state labels from its alphabets (in dit's order).

    Examples
    --------
    >>> import dit, symsched as ss
    >>> m = ss.from_dit(dit.example_dists.Xor())
    >>> m.N, round(float(ss.total_correlation(m)), 6)
    (3, 0.693147)
    """
    dit = _dit()
    if not isinstance(dist, dit.Distribution):
        raise SymschedError(f"from_dit: expected a dit.Distribution, got {type(dist).__name__}")
    d = dist.copy(base="linear")
    alphabet = [tuple(a) for a in d.alphabet]
    if not alphabet:
        raise SymschedError("from_dit: the distribution has no random variables")
    index = [{v: i for i, v in enumerate(a)} for a in alphabet]
    table = np.zeros(tuple(len(a) for a in alphabet))
    for outcome, prob in zip(d.outcomes, d.pmf):
        table[tuple(index[j][v] for j, v in enumerate(outcome))] += float(prob)
    names = d.get_rv_names()
    names = list(names) if names else None
    states = {(names[j] if names else f"X{j + 1}"): alphabet[j] for j in range(len(alphabet))}
    return JointDistribution(table, names, states if names else list(states.values()))
