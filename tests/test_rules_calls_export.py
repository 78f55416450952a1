"""Model calls as the libraries make them, and every export format through the loop that consumes it (issue 24).

Read (emulations written from reading, not copied):
* MDLM       kuleshov-group/mdlm diffusion.py @ 06dd29f38c1f (_sample with sampler='ddpm_cache': a step after
             one that changed nothing reuses the cached p(x0); noise_removal makes one more call)
* Dream      ZHZisZZ/dllm dllm/pipelines/dream/models/generation_utils.py @ 81c80162c35b (_sample: the
             timesteps tensor feeds int(M * (1 - s/t)) in float32, the last step takes the rest)
* dllm       ZHZisZZ/dllm dllm/core/samplers/utils.py, alpha.py @ 2d962f337871 (a user alpha scheduler)
* LLaDA      ML-GSAI/LLaDA generate.py @ 41760b91240e (the per-block rows of num_transfer_tokens)
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest

import symsched as ss

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

F32 = np.float32


# -- MDLM's cached predictor ---------------------------------------------------------------------------

def mdlm_calls_by_dp(N, K, eps, exact=False):
    """Expected calls of one sequence by a forward pass over the number of masked tokens (not the closed form).

    dist[m] = P(m masked before step i); step i reveals each masked token w.p. (t_i - t_{i+1}) / t_i.
    The call at step i >= 1 happens iff step i - 1 revealed something; step 0 and the clean-up always call."""
    one = Fraction(1) if exact else 1.0
    t = [one - (one - (Fraction(eps) if exact else eps)) * Fraction(i, K) if exact else 1 - (1 - eps) * i / K
         for i in range(K + 1)]
    dist = [0 * one] * N + [one]
    calls = 2 * one
    for i in range(K - 1):
        p = (t[i] - t[i + 1]) / t[i]
        nothing = sum(dist[m] * (1 - p) ** m for m in range(N + 1))
        calls += 1 - nothing                       # the call of step i + 1
        new = [0 * one] * (N + 1)
        for m in range(N + 1):
            if dist[m]:
                for r in range(m + 1):             # r of the m masked tokens revealed
                    new[m - r] += dist[m] * math.comb(m, r) * p ** r * (1 - p) ** (m - r)
        dist = new
    return calls


def test_mdlm_expected_calls_exact_against_dp():
    for N, K, eps in [(1, 1, Fraction(1, 2)), (3, 4, Fraction(1, 10)), (5, 7, Fraction(1, 1000)), (4, 9, Fraction(0))]:
        assert ss.sampler_grid("mdlm", K, eps=eps, N=N).model_calls == mdlm_calls_by_dp(N, K, eps, exact=True)


@pytest.mark.parametrize("N,K,approx", [(128, 128, 82.5), (32, 1000, 33.5)])
def test_mdlm_expected_calls_issue_cases(N, K, approx):
    got = ss.sampler_grid("mdlm", K, N=N).model_calls
    assert isinstance(got, Fraction)
    assert float(got) == pytest.approx(mdlm_calls_by_dp(N, K, 1e-5), rel=1e-10)
    assert round(float(got), 1) == approx


def test_mdlm_expected_calls_against_a_simulation_of_the_loop():
    # The library's loop on one sequence: cache cleared when x changed; calls counted as the model is called.
    rng = np.random.default_rng(0)
    N, K, eps, runs = 24, 40, 1e-5, 4000
    t = 1 - (1 - eps) * np.arange(K + 1) / K
    masked = np.ones((runs, N), bool)
    cache = np.zeros(runs, bool)
    calls = np.zeros(runs)
    for i in range(K):
        calls += ~cache
        reveal = masked & (rng.random((runs, N)) < (t[i] - t[i + 1]) / t[i])
        changed = reveal.any(axis=1)
        masked &= ~reveal
        cache = ~changed                              # cached p(x0) kept only when nothing changed
    calls += 1                                        # noise removal
    exact = float(ss.sampler_grid("mdlm", K, eps=eps, N=N).model_calls)
    z = (calls.mean() - exact) / (calls.std(ddof=1) / math.sqrt(runs))
    assert abs(z) < 4


def test_other_grid_calls():
    assert ss.sampler_grid("mdlm", 10, N=5, sampler="ddpm").model_calls == 11
    assert ss.sampler_grid("mdlm", 10, N=5, time_conditioning=True).model_calls == 11
    assert ss.sampler_grid("sedd", 10, N=5).model_calls == 11
    assert ss.sampler_grid("dream-origin", 10, N=5).model_calls == 10
    assert ss.sampler_grid("mdlm", 10).model_calls == 11            # without N: no skipping assumed
    with pytest.raises(ValueError, match="noise_removal"):
        ss.sampler_grid("mdlm", 10, noise_removal=False)


# -- exports through the consuming loops ---------------------------------------------------------------

def schedules():
    out = []
    for N in range(1, 21):
        for K in range(1, N + 3):
            out += [ss.sampler_schedule(r, N, K) for r in ("llada", "dream", "dllm", "fast-dllm")]
    rng = np.random.default_rng(1)
    for _ in range(300):                             # compositions with empty steps anywhere, N up to 200
        K = int(rng.integers(1, 30))
        sizes = rng.integers(0, 12, size=K)
        sizes[rng.integers(K)] += 1
        out.append(ss.Schedule(sizes.tolist(), allow_zero=True))
    return out


def dream_loop(times, N):
    """Dream's _sample count lines with `times` in place of torch.linspace (float32)."""
    K = len(times) - 1
    ts = torch.tensor(times, dtype=torch.float32) if torch is not None else np.asarray(times, dtype=F32)
    M, got = N, []
    for i in range(K):
        if i < K - 1:
            if torch is not None:
                k = int(torch.tensor(M / 1, dtype=torch.float32) * (1 - ts[i + 1] / ts[i]))
            else:
                k = int(F32(M) * (F32(1) - ts[i + 1] / ts[i]))
        else:
            k = M
        got.append(k)
        M -= k
    return tuple(got)


def dllm_loop(alpha_export, K, N):
    """dllm's get_num_transfer_tokens with a user scheduler interpolating the exported alpha(t) (float32)."""
    knots_t = np.array(alpha_export["t"][::-1], dtype=float)
    knots_a = np.array(alpha_export["alpha"][::-1], dtype=float)

    def alpha(x):
        return F32(np.interp(float(F32(x)), knots_t, knots_a))

    M, out = N, []
    for t, s in zip(range(K, 0, -1), range(K - 1, -1, -1)):
        r = float((F32(1) - alpha(s / K)) / (F32(1) - alpha(t / K)))
        k = min(int(np.round(np.float64(M) * (1 - r))), M)
        out.append(k)
        M -= k
        if M == 0:
            break
    return tuple(k for k in out if k)


def llada_loop(rows):
    """LLaDA's block loop with the exported rows standing in for get_num_transfer_tokens: reveals per step."""
    return tuple(k for row in rows for k in row)


def floor_rule_exact(times, N):
    """Dream's floor rule in exact arithmetic; once nothing is masked a step reveals nothing (the times are 0
    there, and 0/0 is not evaluated: Dream's own loop would stop on it, hence the "dream" format)."""
    M, got = N, []
    for i in range(len(times) - 1):
        last = i == len(times) - 2
        k = M if last or M == 0 else math.floor(M * (1 - Fraction(times[i + 1]) / Fraction(times[i])))
        got.append(k)
        M -= k
    return tuple(got)


def test_every_export_format_round_trips():
    bad = {f: 0 for f in ("counts", "quotas", "llada", "dream", "alpha", "grid", "json", "native")}
    for n, s in enumerate(schedules()):
        N, sizes = s.N, tuple(s.sizes)
        bad["counts"] += tuple(ss.export_schedule(s, "counts")) != sizes
        q = ss.export_schedule(s, "quotas")
        bad["quotas"] += tuple(b - a for a, b in zip(q, q[1:])) != sizes
        rows = ss.export_schedule(s, "llada", pad=True)
        bad["llada"] += llada_loop(rows) != tuple(k for blk in getattr(s, "block_sizes", (sizes,)) for k in
                                                   blk + (0,) * (len(rows[0]) - len(blk)))
        times = ss.export_schedule(s, "dream")
        bad["dream"] += dream_loop(times, N) != sizes
        bad["alpha"] += dllm_loop(ss.export_schedule(s, "alpha"), s.K, N) != tuple(k for k in sizes if k)
        bad["grid"] += floor_rule_exact(ss.export_schedule(s, "grid", convention="time", exact=True), N) != sizes
        j = json.loads(ss.export_schedule(s, "json", pad=True)) if n % 4 == 0 else None
        bad["json"] += j is not None and (tuple(j["counts"]) != sizes or dream_loop(j["dream"], N) != sizes
                        or dllm_loop(j["alpha"], s.K, N) != tuple(k for k in sizes if k))
        if getattr(s, "rule", None):
            fmt = ss.get_rule(s.rule).export_format
            bad["native"] += ss.export_schedule(s, "native") != ss.export_schedule(s, fmt)
    assert bad == {f: 0 for f in bad}


def test_dream_export_issue_case():
    # sizes [1, 1, 2] of N = 4: the plain time grid comes back one off in Dream's float32 loop, "dream" exactly
    s = ss.Schedule([1, 1, 2])
    assert dream_loop(ss.export_schedule(s, "dream"), 4) == (1, 1, 2)
    bad = 0
    for N in range(2, 18):
        for K in range(2, N + 1):
            for rule in ("llada", "dllm"):
                s = ss.sampler_schedule(rule, N, K)
                bad += dream_loop(ss.export_schedule(s, "dream"), N) != s.sizes
    assert bad == 0


def test_mdlm_argmax_cleanup_option():
    # Two correlated bits. Pattern "token 0 revealed in the grid, token 1 left to the clean-up": the arg-max
    # decode gives x_1 = argmax p(x_1 | x_0) with probability 1, so the output puts 0 on a pair that p gives
    # mass: KL(p || q_pattern) = inf, and the pattern has probability u (1 - u) > 0 on the grid [0, u].
    p = np.array([[0.4, 0.1], [0.2, 0.3]])
    q = np.zeros_like(p)
    for x0 in (0, 1):
        q[x0, int(np.argmax(p[x0]))] = p[x0].sum()
    assert np.any((p > 0) & (q == 0))
    h = ss.information_profile(ss.from_joint(p)).h
    g = [0, 0.5]
    assert ss.bernoulli_expected_kl(h, g, cleanup="argmax") == float("inf")
    assert np.isfinite(ss.bernoulli_expected_kl(h, g))
    # a grid that reaches 1 has no clean-up: both conventions agree; a degenerate law stays at 0
    g1 = ss.sampler_grid("dream-origin", 3, eps=0.2)
    assert ss.bernoulli_expected_kl(h, g1, cleanup="argmax") == ss.bernoulli_expected_kl(h, g1)
    assert ss.bernoulli_expected_kl([0.0, 0.0], g, cleanup="argmax") == 0
    with pytest.raises(ValueError, match="cleanup"):
        ss.bernoulli_expected_kl(h, g, cleanup="mode")


# -- dllm with stochastic_transfer=True: a Bernoulli grid ----------------------------------------------

def dllm_reverse_prob(j, K, alpha="linear"):
    """1 - reverse_mask_prob(s, t) as dllm computes it (torch float32 when importable, else numpy)."""
    s, t = (K - 1 - j) / K, (K - j) / K
    if torch is not None:
        st, tt = torch.as_tensor(s, dtype=torch.float32), torch.as_tensor(t, dtype=torch.float32)
        a = (lambda x: 1 - x) if alpha == "linear" else (lambda x: 1 - torch.cos((math.pi / 2) * (1 - x)))
        return 1 - ((1 - a(st)) / (1 - a(tt))).item()
    a = (lambda x: F32(1) - F32(x)) if alpha == "linear" else \
        (lambda x: F32(1) - np.cos(F32(math.pi / 2) * (F32(1) - F32(x))))
    return 1 - float((F32(1) - a(s)) / (F32(1) - a(t)))


@pytest.mark.parametrize("alpha", ["linear", "cosine"])
def test_dllm_stochastic_grid_has_the_library_step_probabilities(alpha):
    for K in (1, 2, 3, 7, 16, 33):
        u = ss.sampler_grid("dllm-stochastic", K, alpha=alpha).points
        for j in range(K):
            cond = (u[j + 1] - u[j]) / (1 - u[j])
            if alpha == "linear":
                assert cond == Fraction(dllm_reverse_prob(j, K, alpha))
            else:   # torch's float32 cos is not correctly rounded: one ulp in ~5 % of the arguments
                assert float(cond) == pytest.approx(dllm_reverse_prob(j, K, alpha), rel=0, abs=2.0 ** -23)


def test_dllm_stochastic_calls_against_a_simulation_of_its_loop():
    # get_num_transfer_tokens(stochastic=True): Binomial(M, p_j) per step, capped, stop at M = 0, zeros compacted
    rng = np.random.default_rng(3)
    N, K, runs = 12, 9, 20000
    p = [dllm_reverse_prob(j, K) for j in range(K)]
    calls = np.zeros(runs)
    first = np.zeros(runs)
    for r in range(runs):
        M, row = N, []
        for j in range(K):
            k = min(int(rng.binomial(M, p[j])), M)
            row.append(k)
            M -= k
            if M == 0:
                break
        row = [k for k in row if k > 0]
        calls[r] = len(row)
        first[r] = row[0]
    g = ss.sampler_grid("dllm-stochastic", K, N=N)
    z = (calls.mean() - float(g.model_calls)) / (calls.std(ddof=1) / math.sqrt(runs))
    assert abs(z) < 4
    assert float(g.points[1]) * N == pytest.approx(N * p[0])        # the first step's expected count
