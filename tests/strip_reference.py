"""Exact references for Ising models on W x L strips by transfer matrix (plain numpy, no symsched code).

The columns ``C_1..C_L`` of a strip form a Markov chain on ``2**W`` states, so its entropy is
``H(C_1) + sum_t H(C_{t+1} | C_t)`` from the chain's pair marginals; ``H(X_i | X_{-i})`` is the binary
entropy of the local field, averaged over the law of the three columns around ``i``.  The strip is the
graph ``networkx.grid_2d_graph(W, L)``: node ``(r, c)``, spin ``s = 2x - 1``, weight
``exp(J sum_edges s_u s_v + field sum_u s_u)``.
"""

import itertools

import numpy as np


def _columns(W):
    return np.array(list(itertools.product((-1, 1), repeat=W)), dtype=float)  # (2^W, W)


def _chain(W, L, J, field):
    """Pair marginals P(C_t, C_{t+1}) (L-1 of them) and column marginals P(C_t) (L)."""
    S = _columns(W)
    inner = J * (S[:, :-1] * S[:, 1:]).sum(axis=1) + field * S.sum(axis=1)  # log weight within a column
    between = J * S @ S.T  # log weight between neighbouring columns
    node = np.exp(inner - inner.max())
    M = np.exp(between - between.max())
    alpha = [node / node.sum()]
    for _ in range(1, L):
        a = (alpha[-1] @ M) * node
        alpha.append(a / a.sum())
    beta = [np.ones_like(node)]
    for _ in range(1, L):
        b = M @ (node * beta[0])
        beta.insert(0, b / b.sum())
    cols = [a * b / (a * b).sum() for a, b in zip(alpha, beta)]
    pairs = []
    for t in range(L - 1):
        P = alpha[t][:, None] * M * (node * beta[t + 1])[None, :]
        pairs.append(P / P.sum())
    return S, cols, pairs


def _H(p):
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def strip_entropy(W, L, J, field=0.0):
    """Exact ``H(X)`` in nats."""
    _, cols, pairs = _chain(W, L, J, field)
    return _H(cols[0]) + sum(_H(P.ravel()) - _H(P.sum(axis=1)) for P in pairs)


def strip_h0(W, L, J, field=0.0):
    """Exact ``h_0 = mean_i H(X_i)``."""
    S, cols, _ = _chain(W, L, J, field)
    up = np.array([[(c * (S[:, r] > 0)).sum() for r in range(W)] for c in cols])
    return float(np.mean([_H(np.array([q, 1 - q])) for q in up.ravel()]))


def strip_h_last(W, L, J, field=0.0):
    """Exact ``h_{N-1} = mean_i E H(X_i | X_{-i})``."""
    S, cols, pairs = _chain(W, L, J, field)
    total = 0.0
    for t in range(L):
        # law of (C_{t-1}, C_t, C_{t+1}) restricted to the columns that exist
        left = pairs[t - 1] if t > 0 else None  # P(C_{t-1}, C_t)
        right = pairs[t] if t < L - 1 else None  # P(C_t, C_{t+1})
        for r in range(W):
            f = np.full(len(S), field)  # local field from within the column, per state of C_t
            if r > 0:
                f = f + J * S[:, r - 1]
            if r < W - 1:
                f = f + J * S[:, r + 1]
            # add J * (s_left + s_right) and average H(sigmoid(2 f_total)) over the joint law
            fl = [np.zeros(1)] if left is None else [J * S[:, r]]
            fr = [np.zeros(1)] if right is None else [J * S[:, r]]
            # the joint of (C_{t-1}, C_t, C_{t+1}) = P(C_{t-1}, C_t) P(C_{t+1} | C_t)
            pc = cols[t]
            lcond = np.ones((1, len(S))) if left is None else left / np.where(pc > 0, pc, 1)[None, :]
            rcond = np.ones((len(S), 1)) if right is None else right / np.where(pc > 0, pc, 1)[:, None]
            ftot = (f[None, :, None] + fl[0][:, None, None] + fr[0][None, None, :])
            q = 1 / (1 + np.exp(-2 * ftot))
            with np.errstate(divide="ignore", invalid="ignore"):
                hb = -np.where(q > 0, q * np.log(q), 0) - np.where(q < 1, (1 - q) * np.log(1 - q), 0)
            w = lcond[:, :, None] * pc[None, :, None] * rcond[None, :, :]
            total += float((w * hb).sum())
    return total / (W * L)
