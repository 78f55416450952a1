"""``information_profile`` and the information measures derived from it.

Dispatch of the exact method (``method="exact"`` or ``"auto"``):

==========================  ==============================================  ===========
model                       route                                           cost
==========================  ==============================================  ===========
exchangeable families       ``e_j = H(X_1..X_j)`` from ``prefix_law``       O(N^2) or so
independent tokens          ``e_j = (j/N) sum_i H(X_i)``                    O(N)
Markov chains               nearest revealed neighbours, h_j directly       O(N log N)
anything else               all subset marginals (orbits merged)            ~prod(1+c_i)
==========================  ==============================================  ===========

The general route refuses (``ModelTooLargeError`` with the estimate) beyond ``max_cost``; with
``method="auto"`` it falls back to Monte Carlo instead, with a warning.
"""

from __future__ import annotations

import inspect
import math
import warnings
from typing import Any

import numpy as np

from ..arithmetic import arithmetic
from ..values import to_float
from ..models.bayesian import BayesianNetwork
from ..models.markov import MarkovRandomField
from ..results import Estimate
from .exact.junction import DEFAULT_TREE_BUDGET, network_pieces
from ..errors import ModelTooLargeError, SymschedError
from ..models.base import DiscreteModel, describe_cardinalities
from ..validation import check_budget, check_choice
from ..models.chains import MarkovChain
from ..models.families import ExchangeableModel, ProductModel
from .estimators.batched import resolve_workers
from .profile import InformationProfile
from .exact.subsets import choose_route, enumeration_cost, entropy_profile_from_sums, orbit_entropy_sums, \
    subset_entropy_sums
from .exact.structured import chain_cost, chain_information_profile, is_homogeneous
from ..errors import SymbolicValueError
from .estimators.montecarlo import montecarlo_profile
from .estimators.gibbs import gibbs_profile
from .exact.structured import exchangeable_profiles, product_profiles

__all__ = ["information_profile", "entropy_profile", "total_correlation", "dual_total_correlation",
           "o_information", "entropy", "DEFAULT_MAX_COST"]

METHODS = ("auto", "exact", "montecarlo", "gibbs")
#: Budget (elementary operations) of the general exact route, per precision.
#: Floats: binary N = 20 (3^20 ~ 3.5e9 lattice entries, about 20 s of CPU) is admitted, N = 21 refused.
DEFAULT_MAX_COST = {"float": 4e9, "mpmath": 3e6, "symbolic": 3e4}


def _check_model(model: Any) -> DiscreteModel:
    if not isinstance(model, DiscreteModel):
        raise SymschedError(f"expected a symsched model (BayesianNetwork, MarkovRandomField, from_joint(...), ...), "
                            f"got {type(model).__name__}")
    if model.N < 1:
        raise SymschedError("the model has no variables (N = 0)")
    return model


def _exact_entropy_profile(model: DiscreteModel, arith, max_cost: float | None,
                           progress: bool | None = None, workers: Any = None) -> tuple[list, str, list | None]:
    """``e_0..e_N``, the name of the route used, and ``h`` when the route computed it directly (else None)."""
    budget = DEFAULT_MAX_COST[arith.precision] if max_cost is None else max_cost
    if isinstance(model, ExchangeableModel):
        e, h = exchangeable_profiles(model, arith, budget)
        return e, "exact (exchangeable)", h
    if isinstance(model, ProductModel):
        e, h = product_profiles(model, arith)
        return e, "exact (independent)", h
    if isinstance(model, MarkovChain):
        transitions = model.transition_matrices
        homogeneous = is_homogeneous(transitions)
        cost = chain_cost(model.cardinalities, homogeneous, arith.precision)
        if cost > budget:
            kind = "homogeneous" if homogeneous else "non-homogeneous"
            faster = "" if arith.precision == "float" or not homogeneous else \
                'precision="float" (O(N log N) for a homogeneous chain), '
            raise ModelTooLargeError(
                f"exact information profile of a {kind} Markov chain with N={model.N}, cardinalities up to "
                f"{max(model.cardinalities)} (precision={arith.precision!r})", cost, budget,
                f"use {faster}a shorter chain, or raise max_cost")
        h, e = chain_information_profile(model.initial_distribution, transitions, arith)
        return e, "exact (chain)", h
    cost = enumeration_cost(model.cardinalities)
    if cost > budget:
        raise ModelTooLargeError(
            f"exact information profile of {type(model).__name__} with N={model.N}, cardinalities "
            f"{describe_cardinalities(model.cardinalities)} (all subset marginals, precision={arith.precision!r})",
            cost, budget, 'use information_profile(model, method="montecarlo", stderr=...) or raise max_cost')
    joint = model._joint_array(arith)
    perms = model.distribution_automorphisms()
    if choose_route(model.cardinalities, perms) == "orbits":
        sums, route = orbit_entropy_sums(joint, arith, perms), f"exact (subsets, {len(perms)} symmetries)"
    else:
        sums, route = subset_entropy_sums(joint, arith, progress=progress, workers=workers), "exact (subsets)"
    return entropy_profile_from_sums(sums, arith), route, None


def entropy_profile(model: Any, precision: str = "float", dps: int | None = None, base: Any = None,
                    max_cost: float | None = None, simplify: str = "fast") -> tuple:
    """Exact entropy profile ``e_0..e_N`` (``e_j = mean_{|T|=j} H(X_T)``)."""
    return information_profile(model, method="exact", precision=precision, dps=dps, base=base,
                               max_cost=max_cost, simplify=simplify).e


def information_profile(model: Any, method: str = "auto", precision: str = "float", dps: int | None = None,
                        base: Any = None, stderr: float | None = None, seed: Any = None,
                        samples: int | None = None, max_cost: float | None = None,
                        progress: bool | None = None, workers: Any = None,
                        time_budget: float | None = None, simplify: str = "fast") -> InformationProfile:
    """Entropy and information profiles of a model, with H, TC, DTC and O-information.

    Parameters
    ----------
    model : DiscreteModel
        Any symsched model.
    method : {"auto", "exact", "montecarlo", "gibbs"}
        ``"exact"`` refuses (``ModelTooLargeError``, with the estimated cost) when the general route is
        over budget; ``"auto"`` then falls back to Monte Carlo with a warning.  ``"gibbs"`` forces the Gibbs
        route of a Markov random field (:func:`symsched.info.estimators.gibbs.gibbs_profile`: cluster moves, the
        covariance of all ``h_j``, exact ``H``, ``h_0``, ``h_{N-1}`` where a junction tree allows).
    precision : {"float", "mpmath", "symbolic"}
        Arithmetic of the exact computation (Monte Carlo is float only).
    dps : int, optional
        Digits for ``"mpmath"`` (default 50).
    base : number, optional
        Logarithm base (default: natural, nats).
    stderr, seed, samples, time_budget :
        Monte Carlo target standard error per ``h_j`` (default 0.01), seed, cap on samples per ``j``, and
        seconds after which sampling stops where the target is not met yet.
    max_cost : float, optional
        Budget of the general exact route (default :data:`DEFAULT_MAX_COST` for the precision).
    progress : bool, optional
        A progress bar (needs the optional ``tqdm``, extra ``progress``) on the general exact route; the
        default shows it when the route runs more than a couple of seconds and tqdm is installed,
        ``False`` never.
    workers : int or dask.distributed.Client, optional
        Where the heavy routes run: a number of local processes or a dask cluster (the general exact
        route's top-level branches; Monte Carlo batches; the structured routes are fast and run here).
        The same seed gives the same numbers whatever the workers.
        Local processes are spawned: in a script, call under ``if __name__ == "__main__":``.
    simplify : {"none", "fast", "full"}
        Canonical form of symbolic ``h``, ``e`` and ``H`` (:func:`symsched.arithmetic.simplify_information`):
        ``"fast"`` (default) splits logarithms into logs of primes and of irreducible factors and writes
        binary entropies as ``h2``; ``"full"`` also runs sympy's ``simplify`` on every coefficient;
        ``"none"`` returns the expressions as computed.  Ignored for floats and mpmath.

    Returns
    -------
    InformationProfile

    Examples
    --------
    >>> import symsched as ss
    >>> prof = ss.information_profile(ss.parity_model(3), precision="symbolic")
    >>> prof.h
    (log(2), log(2), 0)
    >>> prof.total_correlation, prof.dual_total_correlation
    (log(2), 2*log(2))
    """
    check_choice(method, "method", METHODS, "information_profile")
    if progress is not None and not isinstance(progress, bool):
        raise SymschedError(f"progress must be True, False or None (automatic), got {progress!r}")
    resolve_workers(workers)  # refuse a bad value before any work
    arith = arithmetic(precision, dps, base, simplify)
    max_cost = check_budget(max_cost, "max_cost", "information_profile")
    model = _check_model(model)
    if method == "montecarlo":
        return _montecarlo(model, arith, stderr, seed, samples, workers, time_budget, progress)
    if method == "gibbs":
        if not isinstance(model, MarkovRandomField):
            raise SymschedError(f"information_profile(method='gibbs') needs a MarkovRandomField, got "
                                f"{type(model).__name__} (use method='montecarlo')")
        if arith.precision != "float":
            raise SymschedError(f"method='gibbs' runs in floats; got precision={arith.precision!r}")
        _refuse_symbols(model, "float")
        return gibbs_profile(model, stderr=stderr, seed=seed, samples=samples, base=arith.base, workers=workers,
                             time_budget=time_budget, progress=progress)
    if precision == "float" or precision == "mpmath":
        _refuse_symbols(model, precision)
    try:
        e, route, h_direct = _exact_entropy_profile(model, arith, max_cost, progress, workers)
    except ModelTooLargeError as exc:
        if method == "exact":
            raise
        if arith.precision != "float":
            raise ModelTooLargeError(
                f"exact information profile of {type(model).__name__} with N={model.N} at precision="
                f"{arith.precision!r} (method='auto' cannot fall back: a Monte Carlo estimate is a float with "
                "standard errors, not a {arith.precision} result)".replace("{arith.precision}", arith.precision),
                exc.estimate, exc.budget,
                'for an estimate use information_profile(model, method="montecarlo") (precision="float", with '
                'stderr=...); for exact values raise max_cost or reduce the model') from exc
        warnings.warn(f"{exc}; falling back to Monte Carlo (an estimate with standard errors)", stacklevel=2)
        return _montecarlo(model, arith, stderr, seed, samples, workers, time_budget, progress)
    with arith.workprec():
        h = h_direct if h_direct is not None else [e[j + 1] - e[j] for j in range(model.N)]
    fin = arith.finalize
    return InformationProfile(tuple(fin(x) for x in h), e=tuple(fin(x) for x in e), entropy=fin(e[-1]),
                              precision=precision, method=route,
                              base=base, stderr=(), dps=arith.dps if precision == "mpmath" else None)


def _refuse_symbols(model: DiscreteModel, precision: str) -> None:
    symbols = model.free_symbols
    if symbols:

        raise SymbolicValueError(
            f"{type(model).__name__} has unresolved symbols {sorted(map(str, symbols))}: substitute values with "
            f"model.subs({{...}}) or use precision='symbolic' (precision={precision!r} needs numbers)")


def _montecarlo(model, arith, stderr, seed, samples, workers=None, time_budget=None,
                progress=None) -> InformationProfile:

    if arith.precision != "float":
        raise SymschedError(f"method='montecarlo' runs in floats; got precision={arith.precision!r}")
    _refuse_symbols(model, "float")
    return montecarlo_profile(model, stderr=stderr, seed=seed, samples=samples, base=arith.base, workers=workers,
                              time_budget=time_budget, progress=progress)


# -- H, TC, DTC and O-information from their own pieces, never from a whole profile -----------------------

def _pieces_measure(model: Any, what: str, kwargs: dict) -> Any:
    """``what`` ("entropy", "total_correlation", "dual_total_correlation", "o_information") from ``H``,
    ``H(X_i)`` and ``H(X_i | X_{-i})`` alone.

    Routes: Monte Carlo when asked (``method="montecarlo"``, the profile's estimate); the structured
    models' exact profiles (chains, exchangeable and independent tokens: already O(N log N) or so);
    Bayesian networks and Markov random fields in floats by one calibrated junction tree
    (:func:`symsched.info.exact.junction.network_pieces`: exact, except Markov blankets over budget, sampled,
    which make DTC and O-information an :class:`~symsched.results.Estimate`); anything else from its joint
    table by N + 2 entropies (``H``, every ``H(X_i)``, every ``H(X_{-i})``) in the requested precision.
    """
    inspect.signature(information_profile).bind(model, **kwargs)  # unknown options: TypeError, as before
    method = kwargs.get("method", "auto")
    check_choice(method, "method", METHODS, what)
    model = _check_model(model)
    if method == "montecarlo" or isinstance(model, (ExchangeableModel, ProductModel, MarkovChain)):
        return getattr(information_profile(model, **kwargs), what)
    precision = kwargs.get("precision", "float")
    if precision == "float" and isinstance(model, (BayesianNetwork, MarkovRandomField)) \
            and model.joint_size() > _TABLE_ROUTE_LIMIT:
        _refuse_symbols(model, "float")
        max_cost = check_budget(kwargs.get("max_cost"), "max_cost", what)
        try:
            pieces = network_pieces(model, stderr=kwargs.get("stderr"), seed=kwargs.get("seed"),
                                    samples=kwargs.get("samples"), time_budget=kwargs.get("time_budget"),
                                    tree_budget=DEFAULT_TREE_BUDGET if max_cost is None else max_cost)
        except ModelTooLargeError as exc:
            if method == "exact":
                raise
            warnings.warn(f"{exc}; falling back to the Monte Carlo profile (an estimate with standard errors)",
                          stacklevel=3)
            return getattr(information_profile(model, **kwargs), what)
        base = kwargs.get("base")
        scale = 1.0 if base is None else 1.0 / math.log(to_float(base, "base"))
        value = getattr(pieces, what) * scale
        if what in ("dual_total_correlation", "o_information") and pieces.sampled:
            return Estimate(value, pieces.dual_total_correlation_stderr * scale, what.replace("_", " "))
        return float(value)
    return _table_measure(model, what, kwargs)


#: Joint tables up to this size take the N + 2 entropies route even for networks (one pass is cheaper
#: than building a junction tree).
_TABLE_ROUTE_LIMIT = 4096


def _table_measure(model: DiscreteModel, what: str, kwargs: dict) -> Any:
    """N + 2 entropies of the joint table in the requested arithmetic."""
    precision = kwargs.get("precision", "float")
    if precision in ("float", "mpmath"):
        _refuse_symbols(model, precision)
    arith = arithmetic(precision, kwargs.get("dps"), kwargs.get("base"), kwargs.get("simplify", "fast"))
    max_cost = check_budget(kwargs.get("max_cost"), "max_cost", what)
    budget = DEFAULT_MAX_COST[arith.precision] if max_cost is None else max_cost
    n, size = model.N, model.joint_size()
    cost = float(size) * (n + 2)
    if cost > budget:
        exc = ModelTooLargeError(f"{what.replace('_', ' ')} of {type(model).__name__} with N={n} from its joint "
                                 f"table ({size:.3g} entries, precision={arith.precision!r})", cost, budget,
                                 'use method="montecarlo" (an estimate), or raise max_cost')
        if kwargs.get("method", "auto") == "exact" or arith.precision != "float":
            raise exc
        warnings.warn(f"{exc}; falling back to the Monte Carlo profile (an estimate with standard errors)",
                      stacklevel=3)
        return getattr(information_profile(model, **kwargs), what)
    joint = model._joint_array(arith)
    with arith.workprec():
        H = arith.entropy(joint)
        if what == "entropy":
            return arith.finalize(H)
        singles = [arith.entropy(np.sum(joint, axis=tuple(k for k in range(n) if k != i)) if n > 1 else joint)
                   for i in range(n)] if what != "dual_total_correlation" else []
        rest = [arith.entropy(np.sum(joint, axis=i)) if n > 1 else arith.zero for i in range(n)] \
            if what != "total_correlation" else []
        tc = arith.sum(singles) - H if singles else None
        # sum_i H(X_i | X_{-i}) = N H - sum_i H(X_{-i})
        dtc = arith.sum(rest) - (n - 1) * H if rest else None
        value = {"total_correlation": tc, "dual_total_correlation": dtc}.get(what)
        if what == "o_information":
            value = tc - dtc
        return arith.finalize(value)


def entropy(model: Any, **kwargs) -> Any:
    """``H(X)`` of the model (same options as :func:`information_profile`).

    Never computes the whole profile: a network's ``H = sum_f`` of its factors' expected logs by one
    junction tree, a table's entropy directly (see ``_pieces_measure``).
    """
    return _pieces_measure(model, "entropy", kwargs)


def total_correlation(model: Any, **kwargs) -> Any:
    """``TC = sum_i H(X_i) - H(X)``, the area above the information profile.

    From ``H`` and the single marginals alone (a junction tree for networks, N + 1 entropies for tables).

    >>> import symsched as ss
    >>> round(ss.total_correlation(ss.copy_model(4, 2)), 12) == round(3 * 0.6931471805599453, 12)
    True
    """
    return _pieces_measure(model, "total_correlation", kwargs)


def dual_total_correlation(model: Any, **kwargs) -> Any:
    """``DTC = H(X) - sum_i H(X_i | X_{-i})``, the area below the information profile.

    From ``H`` and every ``H(X_i | X_{-i})`` (Markov blankets by junction tree; an :class:`Estimate` when a
    blanket too large to enumerate was sampled).
    """
    return _pieces_measure(model, "dual_total_correlation", kwargs)


def o_information(model: Any, **kwargs) -> Any:
    """``TC - DTC`` (an :class:`Estimate` when a Markov blanket was sampled, as for DTC)."""
    return _pieces_measure(model, "o_information", kwargs)
