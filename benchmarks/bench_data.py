"""Benchmarks of the data and denoiser routes (issue 17): each pair does the same job two ways on the same input.

* exact conditionals of a long Markov chain: nearest-neighbour products vs variable elimination;
* the denoiser profile of a small network: joint-table slices vs elimination;
* subset entropies of samples: mixed-radix integer codes vs ``np.unique(axis=0)`` on the row slices;
* ``program``: path enumeration vs the same joint built as a Bayesian network.
"""

import numpy as np
import sympy as sp

import symsched as ss
from symsched.info.estimate import entropy_from_counts

CHAIN = ss.markov_chain(32, np.full(8, 1 / 8), np.random.default_rng(0).dirichlet(np.ones(8), size=8))
TOKENS = np.where(np.random.default_rng(1).random((64, 32)) < 0.5, -1,
                  ss.sample_exact(CHAIN, 64, seed=2))
CHAIN_FAST = ss.exact_denoiser(CHAIN, route="chain")
CHAIN_VE = ss.exact_denoiser(CHAIN, route="elimination")

BN = ss.markov_chain(10, [0.3, 0.7], [[0.9, 0.1], [0.25, 0.75]])
BN_DATA = ss.sample_exact(BN, 400, seed=0)
BN_JOINT = ss.exact_denoiser(BN, route="joint")
BN_VE = ss.exact_denoiser(BN, route="elimination")

STICKY = np.full((4, 4), 0.1) + 0.6 * np.eye(4)
ROWS = ss.sample_exact(ss.markov_chain(12, np.full(4, 0.25), STICKY), 20000, seed=3)


def _unique_rows_profile(x, subsets_per_size=10, seed=0):
    rng = np.random.default_rng(seed)
    n, N = x.shape
    out = []
    for j in range(1, N + 1):
        for _ in range(subsets_per_size):
            T = sorted(rng.choice(N, size=j, replace=False).tolist())
            _, counts = np.unique(x[:, T], axis=0, return_counts=True)
            out.append(float(entropy_from_counts(counts)))
    return out


EPS = sp.Rational(1, 10)


def _noisy_copies(eps):
    b = ss.flip(sp.Rational(1, 2))
    return [b ^ ss.flip(eps) for _ in range(6)]


def _noisy_copies_bn():
    bn = ss.BayesianNetwork()
    bn.add_variable("B", 2)
    for i in range(6):
        bn.add_variable(f"X{i}", 2)
    bn.set_cpd("B", [sp.Rational(1, 2)] * 2)
    for i in range(6):
        bn.set_cpd(f"X{i}", [[1 - EPS, EPS], [EPS, 1 - EPS]], parents=["B"])
    return bn.joint("symbolic").sum(axis=0)


BENCHMARKS = [
    dict(name="chain N=32, 8 states, 64 half-masked rows: neighbour products vs variable elimination",
         run=lambda: CHAIN_FAST(TOKENS), reference=lambda: CHAIN_VE(TOKENS), repeats=3,
         note="same model and tokens; reference = the generic elimination route"),
    dict(name="denoiser_profile chain N=10, 20 draws per size: joint slices vs elimination",
         run=lambda: ss.denoiser_profile(BN_JOINT, BN_DATA, samples_per_size=20).h,
         reference=lambda: ss.denoiser_profile(BN_VE, BN_DATA, samples_per_size=20).h, repeats=3,
         note="same data and seed; reference = elimination on the CPDs"),
    dict(name="subset entropies, 20000 rows x 12 tokens, 120 subsets: integer codes vs np.unique(axis=0)",
         run=lambda: ss.estimate_profile(ROWS, "plugin", subsets_per_size=10, bootstrap=2, seed=0).h,
         reference=lambda: _unique_rows_profile(ROWS), repeats=3,
         note="same rows, same number of subsets (different random subsets)"),
    dict(name="program: noisy copies N=6 (128 paths), sympy rationals, vs the same BN multiplied out",
         run=lambda: ss.program(_noisy_copies, EPS).joint("symbolic"), reference=_noisy_copies_bn, repeats=3,
         note="same joint; reference = BayesianNetwork with the same CPDs, latent B summed out"),
]
