"""Exchangeable and closed-form families: independent, copy, parity, Beta–Bernoulli, product mixtures.

An :class:`ExchangeableModel` has a law invariant under every permutation of its tokens, so the law
of any ``j`` tokens depends on ``j`` only.  :meth:`ExchangeableModel.prefix_law` lists that law as
``(multiplicity, probability)`` pairs (``multiplicity`` sequences share ``probability``), which gives
``H(X_T) = -sum multiplicity * p * log p`` for ``|T| = j`` without enumerating subsets.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any
from collections.abc import Hashable, Mapping, Sequence

import mpmath
import numpy as np
import sympy as sp

from ..arithmetic import Arithmetic, arithmetic
from ..values import to_float
from ..errors import InvalidModelError
from ..validation import check_variable_count, positive_int
from .base import DiscreteModel, _check_names
from .bayesian import _subs_array
from .validation import as_entry_array, check_probability_table

__all__ = ["ExchangeableModel", "ProductModel", "IIDModel", "CopyModel", "ParityModel", "BetaBernoulliModel",
           "ProductMixtureModel", "independent", "copy_model", "parity_model", "beta_bernoulli",
           "product_mixture", "compositions"]


def compositions(j: int, q: int):
    """All ``q``-tuples of non-negative integers summing to ``j`` (symbol counts of a length-``j`` sequence)."""
    if q == 1:
        yield (j,)
        return
    for first in range(j + 1):
        for rest in compositions(j - first, q - 1):
            yield (first,) + rest


def _multinomial(counts: Sequence[int]) -> int:
    out, total = 1, 0
    for c in counts:
        total += c
        out *= math.comb(total, c)
    return out


class ExchangeableModel(DiscreteModel):
    """Mixin for exchangeable laws over ``n`` tokens with the same ``q`` states ``0..q-1``.

    Subclasses implement :meth:`sequence_probability` (the law of any ``j`` tokens at one sequence,
    given its symbol counts); :meth:`prefix_law` and the joint table follow.  Permutation symmetry
    is not enumerated (:meth:`distribution_automorphisms` returns the identity): use
    :meth:`prefix_law` instead.
    """

    n: int
    q: int
    _names: tuple

    @property
    def variables(self) -> tuple:
        return self._names

    def states(self, variable: Hashable) -> tuple:
        self.index_of(variable)
        return tuple(range(self.q))

    @property
    def cardinalities(self) -> tuple:
        return (self.q,) * len(self._names)

    def sequence_probability(self, counts: Sequence[int], arith: Arithmetic) -> Any:
        """Probability that ``sum(counts)`` given tokens show one fixed sequence with these symbol counts."""
        raise NotImplementedError  # pragma: no cover - abstract

    def count_vectors(self) -> int:
        """How many symbol-count vectors of lengths ``0..n`` can have positive probability (a cost bound):
        ``C(n + q, q)`` in general."""
        return math.comb(self.n + self.q, self.q)

    def float_predictive(self, counts: np.ndarray) -> np.ndarray:
        """``P(next token = s | a fixed sequence with symbol counts c)`` in float64, for every row ``c`` of
        ``counts`` (shape ``(M, q)``, all rows with the same total ``j < n``); returns shape ``(M, q)``.

        The default takes ratios of :meth:`sequence_probability` (which may underflow for long
        sequences); the families override it with a closed form that is accurate at any ``n``.
        """
        ar = arithmetic("float")
        out = np.empty(counts.shape, dtype=float)
        for m, c in enumerate(counts):
            base = self.sequence_probability(tuple(int(x) for x in c), ar)
            for s in range(self.q):
                nxt = tuple(int(x) + (t == s) for t, x in enumerate(c))
                out[m, s] = self.sequence_probability(nxt, ar) / base
        return out

    def prefix_law(self, j: int, arith: Arithmetic) -> list[tuple[int, Any]]:
        """The law of any ``j`` tokens: ``(multiplicity, probability)`` pairs, zero probabilities omitted.

        ``sum multiplicity * probability = 1`` and ``H(X_T) = -sum multiplicity p log p`` for ``|T| = j``.
        """
        if not 0 <= j <= self.n:
            raise InvalidModelError(f"prefix_law: j must be in 0..{self.n}, got {j!r}")
        out = []
        with arith.workprec():
            for c in compositions(j, self.q):
                p = self.sequence_probability(c, arith)
                if not arith.is_zero(p):
                    out.append((_multinomial(c), p))
        return out

    def _joint_array(self, arith: Arithmetic) -> np.ndarray:
        n, q = self.n, self.q
        shape = (q,) * n
        # code of the symbol counts of every cell, then one probability per distinct composition
        code = np.zeros(shape, dtype=np.int64)
        for s in range(q - 1):
            cnt = np.zeros(shape, dtype=np.int64)
            for i in range(n):
                ax = [1] * n
                ax[i] = q
                cnt = cnt + (np.arange(q) == s).astype(np.int64).reshape(ax)
            code = code * (n + 1) + cnt
        uniq, inv = np.unique(code.ravel(), return_inverse=True)
        probs = []
        with arith.workprec():
            for u in uniq:
                counts, rest = [], int(u)
                for _ in range(q - 1):
                    counts.append(rest % (n + 1))
                    rest //= n + 1
                counts = counts[::-1]
                counts.append(n - sum(counts))
                probs.append(self.sequence_probability(tuple(counts), arith))
        if arith.precision == "float":
            vals = np.array(probs, dtype=float)
        else:
            vals = np.empty(len(probs), dtype=object)
            vals[:] = probs
        return vals[inv].reshape(shape)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n={self.n}, q={self.q})"


class ProductModel(DiscreteModel):
    """Independent tokens with possibly different marginals (``.marginals``: list of entry arrays).

    Examples
    --------
    >>> m = independent(marginals=[[0.5, 0.5], [0.2, 0.3, 0.5]])
    >>> m.cardinalities
    (2, 3)
    >>> float(m.joint()[1, 2])
    0.25
    """

    def __init__(self, marginals: Sequence[Any], names: Sequence[Hashable] | None = None):
        if not isinstance(marginals, (list, tuple, np.ndarray)):
            raise InvalidModelError(f"independent: marginals must be a list of probability vectors, "
                                    f"got {type(marginals).__name__}")
        check_variable_count(len(marginals), "number of marginals", "independent")
        self.marginals = []
        for i, m in enumerate(marginals):
            arr = as_entry_array(m, f"marginals: marginal {i + 1}")
            if arr.ndim != 1:
                raise InvalidModelError(f"marginals: marginal {i + 1}: expected a vector, got shape {arr.shape}")
            check_probability_table(arr, f"marginals: marginal {i + 1}", axis=None)
            self.marginals.append(arr)
        if not self.marginals:
            raise InvalidModelError("independent: needs at least one marginal (marginals is empty)")
        self._names = _check_names(names, len(self.marginals), "independent")

    @property
    def variables(self) -> tuple:
        return self._names

    def states(self, variable: Hashable) -> tuple:
        return tuple(range(len(self.marginals[self.index_of(variable)])))

    @property
    def cardinalities(self) -> tuple:
        # the base looks every variable up by name: O(N^2) for long products
        return tuple(len(m) for m in self.marginals)

    def parameters(self):
        return [x for m in self.marginals if m.dtype == object for x in m]

    def subs(self, mapping: Mapping[Any, Any]):
        return ProductModel([_subs_array(m, mapping) for m in self.marginals], self._names)

    def _joint_array(self, arith: Arithmetic) -> np.ndarray:
        n = len(self.marginals)
        with arith.workprec():
            out = None
            for i, m in enumerate(self.marginals):
                shape = [1] * n
                shape[i] = len(m)
                a = arith.array(m).reshape(shape)
                out = a if out is None else out * a
        return out

    def __repr__(self) -> str:
        return f"ProductModel(cardinalities={self.cardinalities})"


class IIDModel(ExchangeableModel, ProductModel):
    """``n`` i.i.d. tokens with one ``marginal`` (exchangeable and a product)."""

    def __init__(self, n: int, marginal: Any, names: Sequence[Hashable] | None = None):
        self.n = check_variable_count(n, "n", "independent")
        ProductModel.__init__(self, [marginal] * self.n, names)
        self.marginal = self.marginals[0]
        self.q = len(self.marginal)

    def sequence_probability(self, counts, arith):
        m = arith.array(self.marginal)
        out = arith.one
        for s, c in enumerate(counts):
            if c:
                out = out * m[s] ** c
        return out

    def subs(self, mapping):
        return IIDModel(self.n, _subs_array(self.marginal, mapping), self._names)

    def float_predictive(self, counts):
        m = np.array([to_float(x, "marginal") for x in self.marginal], dtype=float)
        return np.broadcast_to(m, counts.shape).copy()

    _joint_array = ProductModel._joint_array

    def __repr__(self) -> str:
        return f"IIDModel(n={self.n}, q={self.q})"


def independent(n: int | None = None, marginal: Any = None, *, marginals: Sequence[Any] | None = None,
                names: Sequence[Hashable] | None = None) -> ProductModel:
    """Independent tokens: ``independent(n, marginal)`` (i.i.d., exchangeable) or
    ``independent(marginals=[...])`` (one marginal per token, a :class:`ProductModel`).

    ``marginal`` may be an integer ``q``: the uniform law on ``q`` symbols, with exact entries ``1/q``.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> m = independent(3, [F(1, 3), F(2, 3)])
    >>> m.joint(precision="symbolic")[1, 1, 0]
    4/27
    >>> m.prefix_law(2, __import__("symsched").arithmetic("symbolic"))
    [(1, 4/9), (2, 2/9), (1, 1/9)]
    >>> independent(2, 3).joint(precision="symbolic")[0, 2]
    1/9
    """
    if marginals is not None:
        if n is not None or marginal is not None:
            raise InvalidModelError("independent: give either (n, marginal) or marginals=[...], not both")
        return ProductModel(marginals, names)
    if n is None or marginal is None:
        raise InvalidModelError("independent: give (n, marginal) or marginals=[...]")
    if isinstance(marginal, (int, np.integer)) and not isinstance(marginal, bool):
        q = check_variable_count(marginal, "marginal (a number of states q)", "independent")
        marginal = [Fraction(1, q)] * q
    return IIDModel(n, marginal, names)


class CopyModel(ExchangeableModel):
    """All ``n`` tokens equal, uniform over ``q`` symbols."""

    def __init__(self, n: int, q: int = 2, names: Sequence[Hashable] | None = None):
        self.n = check_variable_count(n, "n", "copy_model")
        self.q = positive_int(q, "q", "copy_model")
        self._names = _check_names(names, self.n, "copy_model")

    def sequence_probability(self, counts, arith):
        j = sum(counts)
        if j == 0:
            return arith.one
        return arith.convert(Fraction(1, self.q)) if max(counts) == j else arith.zero

    def prefix_law(self, j, arith):
        if not 0 <= j <= self.n:
            raise InvalidModelError(f"prefix_law: j must be in 0..{self.n}, got {j!r}")
        return [(1, arith.one)] if j == 0 else [(self.q, arith.convert(Fraction(1, self.q)))]

    def count_vectors(self) -> int:
        return 1 + self.q * self.n  # all tokens equal: one symbol carries the whole count

    def float_predictive(self, counts):
        if counts.sum(axis=1).max(initial=0) == 0:
            return np.full(counts.shape, 1.0 / self.q)
        return (counts > 0).astype(float)  # the one symbol seen so far


def copy_model(n: int, q: int = 2, names: Sequence[Hashable] | None = None) -> CopyModel:
    """``n`` copies of one uniform symbol over ``q`` values: ``h_0 = log q``, ``h_j = 0`` after.

    Examples
    --------
    >>> copy_model(2, 3).joint(precision="symbolic").tolist()
    [[1/3, 0, 0], [0, 1/3, 0], [0, 0, 1/3]]
    """
    return CopyModel(n, q, names)


class ParityModel(ExchangeableModel):
    """``n - 1`` fair bits and their XOR (``n = 1``: the constant 0)."""

    def __init__(self, n: int, names: Sequence[Hashable] | None = None):
        self.n = check_variable_count(n, "n", "parity_model")
        self.q = 2
        self._names = _check_names(names, self.n, "parity_model")

    def sequence_probability(self, counts, arith):
        j = sum(counts)
        if j < self.n:
            return arith.convert(Fraction(1, 2 ** j))
        return arith.convert(Fraction(1, 2 ** (self.n - 1))) if counts[1] % 2 == 0 else arith.zero

    def prefix_law(self, j, arith):
        if not 0 <= j <= self.n:
            raise InvalidModelError(f"prefix_law: j must be in 0..{self.n}, got {j!r}")
        k = j if j < self.n else self.n - 1
        return [(2 ** k, arith.convert(Fraction(1, 2 ** k)))]

    def float_predictive(self, counts):
        j = int(counts[0].sum()) if len(counts) else 0
        if j < self.n - 1:
            return np.full(counts.shape, 0.5)
        odd = (counts[:, 1] % 2).astype(float)  # the last token makes the weight even
        return np.stack([1.0 - odd, odd], axis=1)


def parity_model(n: int, names: Sequence[Hashable] | None = None) -> ParityModel:
    """Parity model: any ``j < n`` tokens are uniform, all ``n`` have even weight.

    Examples
    --------
    >>> parity_model(2).joint(precision="symbolic").tolist()
    [[1/2, 0], [0, 1/2]]
    """
    return ParityModel(n, names)


def _check_param(x: Any, what: str) -> Any:
    if isinstance(x, sp.Basic) and x.free_symbols:
        # symbols are allowed, but not a value their assumptions prove non-positive or non-real
        if x.is_extended_real is False or x.is_positive is False:
            raise InvalidModelError(f"{what} must be positive, got {x} (non-positive for the symbols' "
                                    "declared assumptions)")
        return x
    if isinstance(x, sp.Basic) and x.is_number and sp.im(x) != 0:
        raise InvalidModelError(f"{what} must be a positive real number, got {x}")
    if isinstance(x, (bool, np.bool_)):
        raise InvalidModelError(f"{what} must be a positive real number, got the boolean {x!r}")
    v = to_float(x, what)
    if not v > 0 or not math.isfinite(v):
        raise InvalidModelError(f"{what} must be positive and finite, got {x!r}")
    return x


class BetaBernoulliModel(ExchangeableModel):
    """Binary tokens i.i.d. given ``theta ~ Beta(a, b)``: a sequence of ``j`` tokens with ``k`` ones has
    probability ``B(a + k, b + j - k) / B(a, b) = a^(k) b^(j-k) / (a+b)^(j)`` (rising factorials)."""

    def __init__(self, n: int, a: Any, b: Any, names: Sequence[Hashable] | None = None):
        self.n = check_variable_count(n, "n", "beta_bernoulli")
        self.q = 2
        self.a = _check_param(a, "beta_bernoulli: a")
        self.b = _check_param(b, "beta_bernoulli: b")
        self._names = _check_names(names, self.n, "beta_bernoulli")

    def parameters(self):
        return [self.a, self.b]

    def subs(self, mapping):
        s = lambda x: x.subs(mapping) if isinstance(x, sp.Basic) else x  # noqa: E731
        return BetaBernoulliModel(self.n, s(self.a), s(self.b), self._names)

    def sequence_probability(self, counts, arith):
        j, k = sum(counts), counts[1]
        if arith.precision == "symbolic":
            a, b = arith.convert(self.a), arith.convert(self.b)
            return sp.factor(sp.rf(a, k) * sp.rf(b, j - k) / sp.rf(a + b, j))
        if arith.precision == "mpmath":
            a, b = arith.convert(self.a), arith.convert(self.b)
            with mpmath.workdps(arith.workdps):
                return mpmath.rf(a, k) * mpmath.rf(b, j - k) / mpmath.rf(a + b, j)
        # a^(k) b^(j-k) / (a+b)^(j) as a product of ratios: no difference of huge log-gammas, so
        # accurate for any a, b (betaln differences lose every digit at a, b ~ 1e15)
        a, b = to_float(self.a, "a"), to_float(self.b, "b")
        log_p = math.fsum(math.log((a + i) / (a + b + i)) for i in range(k)) + \
            math.fsum(math.log((b + i) / (a + b + k + i)) for i in range(j - k))
        return math.exp(log_p)

    def float_predictive(self, counts):
        a, b = to_float(self.a, "a"), to_float(self.b, "b")
        j = counts.sum(axis=1).astype(float)
        k = counts[:, 1].astype(float)
        return np.stack([(b + j - k) / (a + b + j), (a + k) / (a + b + j)], axis=1)

    def __repr__(self) -> str:
        return f"BetaBernoulliModel(n={self.n}, a={self.a}, b={self.b})"


def beta_bernoulli(n: int, a: Any, b: Any, names: Sequence[Hashable] | None = None) -> BetaBernoulliModel:
    """Beta–Bernoulli (Pólya urn) sequence of ``n`` binary tokens; ``a``, ``b`` may be sympy symbols.

    Examples
    --------
    >>> import sympy as sp
    >>> a, b = sp.symbols("a b", positive=True)
    >>> beta_bernoulli(2, a, b).joint(precision="symbolic")[0, 1]
    a*b/((a + b)*(a + b + 1))
    """
    return BetaBernoulliModel(n, a, b, names)


class ProductMixtureModel(ExchangeableModel):
    """``p(x) = sum_c w_c prod_i comp_c[x_i]`` over ``q`` symbols."""

    def __init__(self, n: int, weights: Any, components: Any, names: Sequence[Hashable] | None = None):
        self.n = check_variable_count(n, "n", "product_mixture")
        self.weights = as_entry_array(weights, "product_mixture weights")
        if self.weights.ndim != 1:
            raise InvalidModelError(f"product_mixture weights: expected a vector, got shape {self.weights.shape}")
        check_probability_table(self.weights, "product_mixture weights", axis=None)
        self.components = as_entry_array(components, "product_mixture components")
        if self.components.ndim != 2 or self.components.shape[0] != len(self.weights):
            raise InvalidModelError(f"product_mixture components: expected shape ({len(self.weights)}, q), "
                                    f"got {self.components.shape}")
        check_probability_table(self.components, "product_mixture components", axis=-1)
        self.q = self.components.shape[1]
        self._names = _check_names(names, self.n, "product_mixture")

    def parameters(self):
        return [x for a in (self.weights, self.components) if a.dtype == object for x in a.ravel()]

    def subs(self, mapping):
        return ProductMixtureModel(self.n, _subs_array(self.weights, mapping),
                                   _subs_array(self.components, mapping), self._names)

    def sequence_probability(self, counts, arith):
        w = arith.array(self.weights)
        comp = arith.array(self.components)
        terms = []
        for c in range(len(w)):
            t = w[c]
            for s, k in enumerate(counts):
                if k:
                    t = t * comp[c, s] ** k
            terms.append(t)
        return arith.sum(terms) if arith.precision != "float" else math.fsum(terms)

    def float_predictive(self, counts):
        w = np.array([to_float(x, "weight") for x in self.weights], dtype=float)
        comp = np.array([[to_float(x, "component") for x in row] for row in self.components], dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            logc = np.log(comp)  # (C, q), -inf where a component gives a symbol zero probability
            # log posterior weight of each component after the counts (0 * log 0 = 0)
            loglik = np.where(counts[:, None, :] > 0, counts[:, None, :] * logc[None, :, :], 0.0).sum(axis=2)
            logpost = np.log(w)[None, :] + loglik
        top = np.max(logpost, axis=1, keepdims=True)
        post = np.exp(logpost - top)
        post /= post.sum(axis=1, keepdims=True)
        return post @ comp


def product_mixture(n: int, weights: Any, components: Any,
                    names: Sequence[Hashable] | None = None) -> ProductMixtureModel:
    """Mixture of i.i.d. product laws: ``p(x) = sum_c weights[c] prod_i components[c][x_i]``.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> m = product_mixture(2, [F(1, 2), F(1, 2)], [[F(1), F(0)], [F(0), F(1)]])
    >>> m.joint(precision="symbolic").tolist()
    [[1/2, 0], [0, 1/2]]
    """
    return ProductMixtureModel(n, weights, components, names)
