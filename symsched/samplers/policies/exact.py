"""The exact route: the sampler run on the tree of revealed values (docs/adaptive.md).

A node is a revealed set ``R`` at step ``t`` with two tables over ``x_R``: the sampler's partial law ``G``
(summed over the paths into the node) and the path probability ``π(x_R)`` of the policy when the values
are those of ``x ~ p``.  The policy is evaluated for every configuration of ``x_R`` at once (its scores
and counts are vectorised), and the configurations are grouped by the set they reveal, so a group costs
one table product.  Everything stays in the model's arithmetic.
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import combinations, product
from typing import Any

import numpy as np

from ...arithmetic import Arithmetic, arithmetic
from ...errors import ModelTooLargeError, SymschedError
from ..conditionals import ConditionalTables, joint_of, kl_divergence
from .base import Policy, choose_top, top_counts

__all__ = ["exact_policy_run", "policy_cost", "DEFAULT_POLICY_BUDGET", "custom_choice"]

#: Budget of the exact route (estimated elementary table operations), per arithmetic.
DEFAULT_POLICY_BUDGET = {"float": 3e7, "mpmath": 3e5, "symbolic": 1e5}


def policy_cost(policy: Policy, candidates: bool, N: int, cards, sizes) -> float:
    """Estimated elementary table operations of the exact route."""
    c = max(cards) if cards else 1
    full = float(math.prod(cards))
    total = 0.0
    if sizes is not None:
        s, nodes = 0, 1.0
        for k in sizes:
            per = N * c ** (s + 1)
            if candidates:
                per += 4 * full * (N - s)          # every configuration times every candidate vector
            elif policy.order_free:
                per += 2 * math.comb(N - s, k) * c ** (s + k) * max(k, 1)
            else:
                per += min(c ** s, math.comb(N - s, k)) * c ** (s + k) * max(k, 1)
            total += nodes * per
            branch = math.comb(N - s, k) if (policy.order_free or candidates) else min(c ** s, math.comb(N - s, k))
            s += k
            nodes = min(float(math.comb(N, s)), nodes * branch)
        return total
    for s in range(N):
        total += math.comb(N, s) * (s + 1) * (N * c ** (s + 1) + full * (N - s if candidates else 1))
    return total


def custom_choice(fn, R: frozenset, values: dict, M: list, k: int | None, step: int = 0) -> tuple:
    """The positions a caller's policy returns, checked (a function with ``wants_step = True`` also gets the
    step index as ``step=``: the optimal policies with a step budget depend on it)."""
    extra = {"step": step} if getattr(fn, "wants_step", False) else {}
    S = fn(R, values, **extra) if k is None else fn(R, values, k, **extra)
    try:
        S = tuple(sorted(int(i) for i in S))
    except TypeError:
        raise SymschedError(f"policy_kl: the policy returned {S!r}; expected a collection of positions") from None
    if not S and k != 0:
        raise SymschedError(f"policy_kl: the policy returned no positions with {sorted(M)} masked")
    if not set(S) <= set(M):
        raise SymschedError(f"policy_kl: the policy returned positions {S} but only {sorted(M)} are masked")
    if k is not None and len(S) != k:
        raise SymschedError(f"policy_kl: the policy returned {len(S)} positions at a step of size {k}")
    return S


def _pack(chosen: np.ndarray) -> np.ndarray:
    """Each boolean row as one integer key (rows with the same chosen set share it)."""
    if chosen.shape[1] <= 62:
        return chosen.astype(np.int64) @ (np.int64(1) << np.arange(chosen.shape[1], dtype=np.int64))
    return np.unique(chosen, axis=0, return_inverse=True)[1].ravel()


def selection_groups(scores: np.ndarray, k: np.ndarray, ties: str, ar: Arithmetic) -> list:
    """``[(chosen columns, row mask, weight)]``: how the rows split into revealed sets.

    With ``ties="random"`` a row whose cut falls inside a group of tied scores contributes one entry per
    way of keeping ``r`` of its ``t`` tied columns, each with weight ``1 / C(t, r)``.
    """
    one = ar.one if ar.precision != "float" else 1.0
    if ties == "lowest-index":
        chosen = choose_top(scores, k, "lowest-index")
        keys = _pack(chosen)
        uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        return [(tuple(np.flatnonzero(chosen[first[u]])), inverse == u, one) for u in range(len(uniq))]
    sure, tied, r = top_counts(scores, np.asarray(k, dtype=np.int64))
    if not ((tied.sum(axis=1) > r) & (r > 0)).any():       # no tie to break: one set per row
        return selection_groups(scores, k, "lowest-index", ar)
    keys = np.stack([_pack(sure), _pack(tied), r], axis=1)
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).ravel()
    out = []
    for u in range(len(uniq)):
        row = int(np.flatnonzero(inverse == u)[0])
        base, tcols, rr = tuple(np.flatnonzero(sure[row])), tuple(np.flatnonzero(tied[row])), int(r[row])
        mask = inverse == u
        combos = list(combinations(tcols, rr))
        w = one if len(combos) == 1 else (ar.one / ar.convert(len(combos)) if ar.precision != "float"
                                          else 1.0 / len(combos))
        for extra in combos:
            out.append((tuple(sorted(base + extra)), mask, w))
    return out


def _where(ar: Arithmetic, mask: np.ndarray, table: np.ndarray) -> np.ndarray:
    if ar.precision == "float":
        return np.where(mask, table, 0.0)
    return np.asarray(np.where(mask, table, ar.zero), dtype=object)


def _neg_xlogx(ar: Arithmetic, table: np.ndarray) -> np.ndarray:
    if ar.precision == "float":
        t = np.asarray(table, dtype=float)
        return np.where(t > 0, -t * np.log(np.where(t > 0, t, 1.0)), 0.0)
    f = np.frompyfunc(lambda v: ar.zero if ar.is_zero(v) else -v * ar.log(v), 1, 1)
    return np.asarray(f(table), dtype=object)


def _block_conditional(ct: ConditionalTables, R: frozenset, S: tuple) -> np.ndarray:
    """``p(x_S | x_R)`` over the axes ``R ∪ S`` (zero where ``p_R(x_R) = 0``)."""
    num, den = ct.marginal(R | set(S)), ct.marginal(R)
    ar = ct.arith
    num_b, den_b = np.broadcast_arrays(num, den)
    if ar.precision == "float":
        return np.divide(num_b, den_b, out=np.zeros(num_b.shape), where=den_b > 0)
    out = np.empty(num_b.shape, dtype=object)
    for idx in np.ndindex(num_b.shape):
        d = den_b[idx]
        out[idx] = ar.zero if ar.is_zero(d) else num_b[idx] / d
    return out


def _float_table(t: np.ndarray) -> np.ndarray:
    if t.dtype == float:
        return t
    f = np.frompyfunc(lambda v: v.numerator / v.denominator if isinstance(v, Fraction) else float(v), 1, 1)
    return np.asarray(f(t), dtype=float)


class _Exact:
    """The tree of revealed values, level by level (one level per model call)."""

    def __init__(self, ct: ConditionalTables, policy: Policy, sizes, param, ties: str, candidates: bool):
        self.ct, self.ar, self.N = ct, ct.arith, ct.N
        self.policy, self.sizes, self.param, self.ties = policy, sizes, param, ties
        self.candidates = candidates
        self.cmax = max(ct.cards)
        self.ctc_terms: list = []
        self.t = 0
        self.randomized = False

    def _zero_like(self, shape) -> np.ndarray:
        if self.ar.precision == "float":
            return np.zeros(shape)
        out = np.empty(shape, dtype=object)
        out.fill(self.ar.zero)
        return out

    def _add(self, level: dict, key: frozenset, G: np.ndarray, pi: np.ndarray | None) -> None:
        if key in level:
            g0, p0 = level[key]
            level[key] = (g0 + G, None if pi is None or p0 is None else p0 + pi)
        else:
            level[key] = (G, pi)

    def _probs(self, R: frozenset, M: list, shape: tuple) -> np.ndarray:
        """Float conditionals of the masked positions for every configuration of ``x_R``: (size, M, states)."""
        size = int(np.prod(shape))
        out = np.zeros((size, len(M), self.cmax))
        for j, i in enumerate(M):
            c = np.moveaxis(_float_table(self.ct.conditional(i, R)), i, -1)
            rest = tuple(s for a, s in enumerate(shape) if a != i)
            out[:, j, :c.shape[-1]] = np.broadcast_to(c, rest + c.shape[-1:]).reshape(size, c.shape[-1])
        return out

    def _counts(self, scores: np.ndarray, k: int | None) -> np.ndarray:
        if k is not None:
            return np.full(scores.shape[0], k, dtype=np.int64)
        return self.policy.counts(scores, self.param)

    def _groups(self, R: frozenset, M: list, G: np.ndarray, k: int | None) -> list:
        """[(S, mask over x_R or None, weight)] for the rules whose choice is a function of x_R."""
        ar, pol = self.ar, self.policy
        one = ar.one if ar.precision != "float" else 1.0
        if pol.order_free:
            w = ar.one / ar.binomial(len(M), k) if ar.precision != "float" else 1.0 / math.comb(len(M), k)
            return [(S, None, w) for S in combinations(M, k)]
        if pol.chooser is not None:
            groups: dict[tuple, np.ndarray] = {}
            for idx in np.ndindex(G.shape):
                S = custom_choice(pol.chooser, R, {a: idx[a] for a in R}, M, k, self.t)
                mask = groups.get(S)
                if mask is None:
                    mask = groups[S] = np.zeros(G.shape, dtype=bool)
                mask[idx] = True
            return [(S, m, one) for S, m in groups.items()]
        scores = pol.scores(self._probs(R, M, G.shape), np.asarray(M))
        out = []
        for cols, mask, w in selection_groups(scores, self._counts(scores, k), self.ties, ar):
            self.randomized |= float(w) != 1.0
            out.append((tuple(M[j] for j in cols), mask.reshape(G.shape), w))
        return out

    def _step(self, R: frozenset, G: np.ndarray, pi: np.ndarray, k: int | None, nxt: dict) -> None:
        ct, ar = self.ct, self.ar
        M = [i for i in range(self.N) if i not in R]
        pR = ct.marginal(R)
        for S, mask, w in self._groups(R, M, G, k):
            Gm = G * w if mask is None else _where(ar, mask, G) * w
            pim = pi * w if mask is None else _where(ar, mask, pi) * w
            T = Gm
            for i in S:
                T = T * ct.conditional(i, R)
            self._add(nxt, R.union(S), T, pim)
            if S:
                # Wen–Liang–Lu: the p-weight of this branch times TC(X_S | x_R).
                tc = -_neg_xlogx(ar, _block_conditional(ct, R, S)).sum(axis=S, keepdims=True)
                for i in S:
                    tc = tc + _neg_xlogx(ar, ct.conditional(i, R)).sum(axis=i, keepdims=True)
                self.ctc_terms.append((self.t, (pim * pR * tc).sum()))

    def _step_candidates_float(self, R: frozenset, G: np.ndarray, k: int | None, nxt: dict) -> None:
        """:meth:`_step_candidates` for float tables, vectorised over configurations and candidates."""
        ct, ar, N = self.ct, self.ar, self.N
        M = [i for i in range(N) if i not in R]
        size = G.size
        probs = self._probs(R, M, G.shape)                                         # (size, M, states)
        cand = np.array(list(product(*[range(ct.cards[i]) for i in M])), dtype=np.int64).reshape(-1, len(M))
        own = probs[:, np.arange(len(M))[None, :], cand]                          # (size, C, M)
        weight = (G.reshape(size, 1) * own.prod(axis=2)).ravel()
        live = np.flatnonzero(weight > 0)
        if live.size == 0:
            return
        scores = np.round(own.reshape(-1, len(M))[live], 10)
        counts = np.full(live.size, k, dtype=np.int64) if k is not None else self.policy.counts(scores, self.param)
        cfg = np.stack(np.unravel_index(live // len(cand), G.shape), axis=1)       # R values, 0 elsewhere
        cvals = cand[live % len(cand)]
        for cols, mask, w in selection_groups(scores, counts, self.ties, ar):
            S = tuple(M[j] for j in cols)
            shape = tuple(ct.cards[a] if (a in R or a in S) else 1 for a in range(N))
            tgt = cfg[mask].copy()
            for j in cols:
                tgt[:, M[j]] = cvals[mask, j]
            out = np.zeros(shape)
            np.add.at(out.reshape(-1), np.ravel_multi_index(tuple(tgt.T), shape), weight[live][mask] * w)
            self._add(nxt, R.union(S), out, None)

    def _step_candidates(self, R: frozenset, G: np.ndarray, k: int | None, nxt: dict) -> None:
        """A candidate at every masked position, each scored by its own probability (LLaDA's rule)."""
        if self.ar.precision == "float":
            return self._step_candidates_float(R, G, k, nxt)
        ct, ar = self.ct, self.ar
        M = [i for i in range(self.N) if i not in R]
        conds = [ct.conditional(i, R) for i in M]
        cand = np.array(list(product(*[range(ct.cards[i]) for i in M])), dtype=np.int64).reshape(-1, len(M))
        outs: dict[tuple, np.ndarray] = {}
        shape_of = lambda S: tuple(ct.cards[a] if (a in R or a in S) else 1 for a in range(self.N))  # noqa: E731
        flt = ar.precision == "float"
        for idx in np.ndindex(G.shape):
            g = G[idx]
            if ar.is_zero(g):
                continue
            vecs = []
            for i, c in zip(M, conds):
                full = list(idx)
                full[i] = slice(None)
                vecs.append(np.asarray(c[tuple(full)], dtype=float if flt else object))
            own = [vecs[j][cand[:, j]] for j in range(len(M))]
            scores = np.round(np.stack([_float_table(np.asarray(o)) for o in own], axis=1), 10)
            weight = np.prod(np.stack(own, axis=1), axis=1) * g
            counts = np.full(len(cand), k, dtype=np.int64) if k is not None else self.policy.counts(scores,
                                                                                                   self.param)
            for cols, mask, w in selection_groups(scores, counts, self.ties, ar):
                S = tuple(M[j] for j in cols)
                out = outs.get(S)
                if out is None:
                    out = outs[S] = self._zero_like(shape_of(S))
                tgt = np.tile(np.array(idx, dtype=np.int64), (int(mask.sum()), 1))
                for j in cols:
                    tgt[:, M[j]] = cand[mask, j]
                flat = np.ravel_multi_index(tuple(tgt.T), out.shape)
                if flt:
                    np.add.at(out.reshape(-1), flat, weight[mask] * w)
                else:
                    view = out.reshape(-1)
                    for f, v in zip(flat, weight[mask]):
                        view[f] = view[f] + v * w
        for S, out in outs.items():
            self._add(nxt, R.union(S), out, None)

    def run(self) -> dict:
        ar, N = self.ar, self.N
        full = frozenset(range(N))
        one = ar.one if ar.precision != "float" else 1.0
        start = self._zero_like((1,) * N) + one
        level = {frozenset(): (start, None if self.candidates else start.copy())}
        finished: dict[int, np.ndarray] = {}
        t = 0
        with ar.workprec():
            while level:
                nxt: dict = {}
                self.t = t
                for R, (G, pi) in level.items():
                    if R == full and (self.sizes is None or t == len(self.sizes)):
                        finished[t] = finished[t] + G if t in finished else G
                        continue
                    if self.sizes is not None and t >= len(self.sizes):
                        raise SymschedError(f"the sizes {self.sizes} end with positions {sorted(full - R)} masked")
                    k = self.sizes[t] if self.sizes is not None else None
                    if k is not None and k > N - len(R):
                        raise SymschedError(f"step {t + 1} asks for {k} tokens but only {N - len(R)} are masked")
                    if self.candidates:
                        self._step_candidates(R, G, k, nxt)
                    else:
                        self._step(R, G, pi, k, nxt)
                level = nxt
                t += 1
        return finished


def exact_policy_run(model: Any, policy: Policy, sizes, param, ties: str, candidates: bool, precision: str,
                     dps: int | None, budget: float | None) -> dict:
    """The exact law of the sampler and its pieces: ``law``, ``steps`` {t: probability}, ``expected``,
    ``kl``, ``ctc`` (None when the selection sees the candidates)."""
    joint = joint_of(model, precision, dps)
    for v in np.ravel(joint):
        if isinstance(v, Fraction) or not hasattr(v, "free_symbols") or not v.free_symbols:
            continue
        raise SymschedError("policy_kl: adaptive policies compare probabilities, so the model needs numeric "
                            f"parameters; substitute the symbols {sorted(map(str, v.free_symbols))} first")
    N = joint.ndim
    cost = policy_cost(policy, candidates, N, joint.shape, sizes)
    b = DEFAULT_POLICY_BUDGET[precision] if budget is None else budget
    if cost > b:
        raise ModelTooLargeError(f"exact law of the {policy.name!r} sampler on a joint of shape {joint.shape}", cost,
                                 b, hint='use method="montecarlo" (not for a selection that sees the sampled '
                                         'candidates), or raise budget=')
    ar = arithmetic(precision, dps)
    ct = ConditionalTables(joint, ar)
    engine = _Exact(ct, policy, sizes, param, ties, candidates)
    finished = engine.run()
    with ar.workprec():
        law = sum(np.broadcast_to(G, ct.cards) for G in finished.values())
        law = np.array(law, dtype=law.dtype)
        steps = {t: ar.finalize(ar.sum(np.ravel(G))) for t, G in sorted(finished.items())}
        expected = ar.finalize(ar.sum([ar.convert(t) * steps[t] if ar.precision != "float" else t * steps[t]
                                       for t in steps]))
        kl = kl_divergence(joint, law, precision, dps)
        if precision == "float" and kl < 0:
            kl = 0.0   # rounding: KL(p || q) >= 0, and a float sum of ~1e-17 terms is all this is
        ctc, by_step = None, None
        if not candidates:
            ctc = ar.finalize(ar.sum([v for _, v in engine.ctc_terms]) if engine.ctc_terms else ar.zero)
            by_step = [ar.finalize(ar.sum([v for t, v in engine.ctc_terms if t == s] or [ar.zero]))
                       for s in range(max(steps) if steps else 0)]
    return {"law": law, "steps": steps, "expected": expected, "kl": kl, "ctc": ctc, "by_step": by_step,
            "randomized": engine.randomized}
