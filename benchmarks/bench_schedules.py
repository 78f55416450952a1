"""Benchmarks of the schedules layer: optimal DP, frontier, exact expected KL.

Inputs are fixed random non-increasing profiles (seeded), so every run times the same work.
"""

import numpy as np

import symsched as ss
from symsched.schedules.optimal import optimal_frontier, optimal_schedule


def _profile(N, seed=0):
    rng = np.random.default_rng(seed)
    return ss.as_profile(np.sort(rng.gamma(0.7, size=N))[::-1])


P4096 = _profile(4096)
P1024 = _profile(1024, 1)
P512 = _profile(512, 2)
P256 = _profile(256, 3)
SIZES4096 = ss.constant_schedule(4096, 64)
RULE = ss.uniform_sizes(1, 8)


def _python_expected_kl(h, sizes):
    s, total = 0, 0.0
    for k in sizes:
        total += k * h[s]
        s += k
    return total - sum(h)


BENCHMARKS = [
    dict(name="optimal_schedule N=4096 K=64 (convex-hull DP) vs naive O(K N^2) DP",
         run=lambda: optimal_schedule(P4096, 64),
         reference=lambda: optimal_schedule(P4096, 64, method="naive"),
         repeats=3, reference_repeats=1, warmup=False,
         note="same input (N=4096, K=64); reference = full-matrix numpy DP, chunked"),
    dict(name="optimal_schedule N=512 K=32 (convex-hull DP) vs naive O(K N^2) DP",
         run=lambda: optimal_schedule(P512, 32),
         reference=lambda: optimal_schedule(P512, 32, method="naive"),
         note="same input (N=512, K=32)"),
    dict(name="optimal_frontier N=1024 (all K)",
         run=lambda: optimal_frontier(P1024).dp_values,
         reference=None, repeats=3,
         note="one convex-hull layer per K, K = 1..1024 (no same-size reference: 1024 separate calls take minutes)"),
    dict(name="optimal_frontier N=256 vs 256 separate optimal_schedule calls",
         run=lambda: optimal_frontier(P256).dp_values,
         reference=lambda: [optimal_schedule(P256, K).dp_value for K in range(1, 257)],
         reference_repeats=1, warmup=False,
         note="same input (N=256, all K)"),
    dict(name="expected_kl N=4096 K=64 (numpy) vs pure-Python loop",
         run=lambda: ss.expected_kl(P4096, SIZES4096),
         reference=lambda: _python_expected_kl(P4096.h, SIZES4096.sizes),
         note="same input; reference is O(K) but cancels against H, symsched sums the N non-negative terms h_a - h_j"),
    dict(name="randomized uniform(1..8) sizes, exact law propagation N=256",
         run=lambda: ss.RandomizedSchedule(size_law=RULE, N=256).expected_kl(P256),
         reference=None, repeats=3,
         note="Markov chain on 0..N propagated exactly in float"),
]
