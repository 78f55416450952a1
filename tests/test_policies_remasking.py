"""The remasking sampler (issue 25): its exact law against an independent position-by-position enumeration,
against the Euler sampler when nothing is re-masked, and its KL as the number of steps grows beyond N."""

import itertools

import numpy as np
import pytest

import symsched as ss
from symsched.errors import ModelTooLargeError, SymschedError
from reference import kl, random_joint


def _cond(p, state, i):
    """p(X_i | the revealed entries of state) (-1 = masked), uniform where undefined."""
    idx = tuple(state[a] if state[a] >= 0 else slice(None) for a in range(p.ndim))
    sl = np.asarray(p[idx], float)
    free = [a for a in range(p.ndim) if state[a] < 0]
    row = sl.sum(axis=tuple(k for k, a in enumerate(free) if a != i))
    return row / row.sum() if row.sum() > 0 else np.full(p.shape[i], 1.0 / p.shape[i])


def brute_remasking(p, K, sigma):
    """The law by enumerating, at every step, each position's own outcome: re-masked or kept, then revealed
    (with each value) or left masked."""
    N = p.ndim
    dist = {(-1,) * N: 1.0}
    for t in range(K):
        rho = 1.0 / (K - t)
        s = sigma[t]
        after_mask = {}
        for state, w in dist.items():
            for drop in itertools.product((False, True), repeat=N):
                if any(d and state[a] < 0 for a, d in enumerate(drop)):
                    continue
                wd = w
                for a in range(N):
                    if state[a] >= 0:
                        wd *= s if drop[a] else 1 - s
                if wd:
                    kept = tuple(-1 if drop[a] else state[a] for a in range(N))
                    after_mask[kept] = after_mask.get(kept, 0.0) + wd
        dist = {}
        for state, w in after_mask.items():
            conds = {a: _cond(p, state, a) for a in range(N) if state[a] < 0}
            options = [[(state[a], 1.0)] if state[a] >= 0 else
                       [(-1, 1 - rho)] + [(v, rho * conds[a][v]) for v in range(p.shape[a])] for a in range(N)]
            for combo in itertools.product(*options):
                ww = w * np.prod([q for _, q in combo])
                if ww:
                    new = tuple(v for v, _ in combo)
                    dist[new] = dist.get(new, 0.0) + ww
    q = np.zeros(p.shape)
    for state, w in dist.items():
        assert min(state) >= 0
        q[state] += w
    return q


@pytest.mark.parametrize("shape,K,sigma,seed", [((2, 2, 2), 3, 0.3, 0), ((2, 3), 4, 0.5, 1),
                                                ((2, 2, 2, 2), 5, 0.2, 2), ((2, 2, 2), 4, [0.1, 0.6, 0.2, 0.0], 3)])
def test_law_matches_an_independent_enumeration(shape, K, sigma, seed):
    p = random_joint(shape, seed)
    r = ss.remasking_kl(p, K, sigma)
    sig = list(sigma) if isinstance(sigma, list) else [sigma] * (K - 1) + [0.0]
    q = brute_remasking(p, K, sig)
    assert np.allclose(r.law, q, atol=1e-13) and r.law.sum() == pytest.approx(1.0)
    assert r.kl == pytest.approx(kl(p, q), abs=1e-12)


def test_without_remasking_it_is_the_euler_sampler_and_remasking_helps_beyond_n_steps():
    p = random_joint((2, 2, 2, 2), 7)
    for K in (1, 2, 4, 6):
        assert np.allclose(ss.remasking_kl(p, K, 0.0).law, ss.euler_law(p, K), atol=1e-13)
    N = p.ndim
    no = [ss.remasking_kl(p, K, 0.0).kl for K in (N, 2 * N, 4 * N)]
    re = [ss.remasking_kl(p, K, 0.1).kl for K in (N, 2 * N, 4 * N)]
    assert no[0] > no[1] > no[2] > 0 and re[0] > re[1] > re[2] > 0     # more steps: smaller KL, both ways


def test_bad_input_is_refused():
    p = random_joint((2, 2), 0)
    with pytest.raises(SymschedError, match="K must"):
        ss.remasking_kl(p, 0, 0.1)
    with pytest.raises(SymschedError, match="sigma"):
        ss.remasking_kl(p, 3, 1.5)
    with pytest.raises(SymschedError, match="last step"):
        ss.remasking_kl(p, 2, [0.2, 0.3])
    with pytest.raises(ModelTooLargeError):
        ss.remasking_kl(p, 3, 0.1, budget=1)
