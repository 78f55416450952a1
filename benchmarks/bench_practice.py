"""Benchmarks of issue #14: the optimal Bernoulli grid and the blockwise (semi-autoregressive) exact KL.

Inputs are fixed (binary symmetric chains, whose profiles come from their structure), so every run times the
same work. Picked up by ``benchmarks/run.py`` like every ``bench_*.py`` module.
"""

import numpy as np
from scipy.optimize import minimize
from scipy.stats import binom

import symsched as ss

CHAIN256 = ss.binary_symmetric_chain(256, 0.05)
P256 = ss.information_profile(CHAIN256)
H256 = np.asarray(P256.h, float)
CHAIN1024 = ss.binary_symmetric_chain(1024, 0.05)
CHAIN12 = ss.binary_symmetric_chain(12, 0.1)
JOINT12 = ss.from_joint(np.asarray(CHAIN12.joint(), float))
_HMM_ARGS = ([0.5, 0.5], [[0.95, 0.05], [0.1, 0.9]], [[0.8, 0.15, 0.05], [0.1, 0.2, 0.7]])
HMM512 = ss.hidden_markov_model(512, *_HMM_ARGS)
HMM12 = ss.hidden_markov_model(12, *_HMM_ARGS)
HMM256 = ss.hidden_markov_model(256, *_HMM_ARGS)
HMM12_JOINT = ss.from_joint(np.asarray(HMM12.joint(), float))


def _hmm512_check():
    r = ss.blockwise_expected_kl(HMM512, 32, [4] * 8, stderr=0.05, seed=0)
    return f"{r.kl} over {r.samples} draws; stderr = {r.stderr:.3f}"


def _hmm12_check():
    a = ss.blockwise_expected_kl(HMM12, 4, [2, 2]).kl
    b = ss.blockwise_expected_kl(HMM12_JOINT, 4, [2, 2]).kl
    return f"max abs diff = {abs(a - b):.1e}"


def _F(interior, h=H256):
    """The Bernoulli formula on a grid with these interior points (sorted, clipped)."""
    x = np.concatenate([[0.0], np.sort(np.clip(interior, 0, 1)), [1.0]])
    N = len(h)
    g = N * binom.pmf(np.arange(N)[None, :], N - 1, x[:-1, None]) @ h
    return float(np.sum(np.diff(x) * g) - h.sum())


def _lbfgs(K):
    res = minimize(_F, np.linspace(0, 1, K + 1)[1:-1], method="L-BFGS-B", bounds=[(0, 1)] * (K - 1))
    return res.fun


BENCHMARKS = [
    dict(name="optimal_bernoulli_grid N=256 K=32 (mesh DP + Newton, certified)",
         run=lambda: ss.optimal_bernoulli_grid(P256, 32),
         reference=lambda: _lbfgs(32), repeats=3, reference_repeats=1,
         note="same profile (chain N=256, eps=0.05); reference = scipy L-BFGS-B from the uniform grid "
              "(no certificate)"),
    dict(name="optimal_bernoulli_grid N=256 K=128",
         run=lambda: ss.optimal_bernoulli_grid(P256, 128), reference=None, repeats=2, warmup=False,
         note="chain N=256; mesh of 1024 intervals"),
    dict(name="blockwise_expected_kl chain N=1024 B=32 (structure route)",
         run=lambda: ss.blockwise_expected_kl(CHAIN1024, 32, [4] * 8), reference=None, repeats=3,
         note="32 blocks of 32 tokens, 8 steps each; O(B^3) per block"),
    dict(name="blockwise_expected_kl chain N=12 B=6: structure vs enumeration",
         run=lambda: ss.blockwise_expected_kl(CHAIN12, 6, [2, 2, 2]),
         reference=lambda: ss.blockwise_expected_kl(JOINT12, 6, [2, 2, 2]), repeats=5,
         note="same chain; reference = subset entropies of the explicit 4096-entry joint"),
    dict(name="blockwise_expected_kl HMM N=512 B=32 to stderr 0.05 (Monte Carlo route)",
         run=lambda: ss.blockwise_expected_kl(HMM512, 32, [4] * 8, stderr=0.05, seed=0), reference=None,
         repeats=2, warmup=False, check=_hmm512_check, goal=[("seconds", 30.0), ("accuracy", 0.05)],
         note="2 hidden states, 3 symbols; 16 blocks of 32 revealed 4 at a time: exact draws in batches of 128, "
              "each block's term by forward-backward per step; stops at stderr 0.05 of the total"),
    dict(name="blockwise_expected_kl HMM N=12 B=4: prefixes through the belief vs enumeration",
         run=lambda: ss.blockwise_expected_kl(HMM12, 4, [2, 2]),
         reference=lambda: ss.blockwise_expected_kl(HMM12_JOINT, 4, [2, 2]), repeats=5, check=_hmm12_check,
         goal=("accuracy", 1e-10),
         note="same HMM; reference = subset entropies of its explicit 3^12-entry joint"),
    dict(name="block_length_sweep HMM N=256 K=64, blocks of 32 and 64, defaults",
         run=lambda: ss.block_length_sweep(HMM256, 64, [32, 64]), reference=None, repeats=1, warmup=False,
         goal=("seconds", 60.0),
         note="the call that ran > 15 minutes when its default compared with a Monte Carlo profile; goal: a minute "
              "of CPU"),
]
