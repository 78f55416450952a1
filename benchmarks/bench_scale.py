"""Scale (issue 16): the fast exact routes against references run in the same process.

References (benchmarks/references.py, none imports symsched): the vectorised numpy lattice of every
subset marginal, a 30-digit mpmath chain profile, the O(N^2) gammaln chain formula, a plain O(K N)
DP (numba-compiled if installed), dit's per-subset entropy loop and pgmpy's variable elimination.
"""

import math
import sys
from pathlib import Path

import networkx as nx
import numpy as np

import symsched as ss
from symsched.arithmetic import arithmetic
from symsched.info.batched import BatchOracle
from symsched.info.structured import chain_information_profile
from symsched.schedules.optimal import optimal_frontier, optimal_schedule

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
import references as R  # noqa: E402
from reference import mp_chain_profile  # noqa: E402

FLOAT = arithmetic("float")


def _random_joint(shape, seed):
    p = np.random.default_rng(seed).random(shape) ** 3
    return p / p.sum()


def _maxdiff(a, b):
    return float(np.max(np.abs(np.asarray([float(x) for x in a]) - np.asarray([float(x) for x in b]))))


J16 = _random_joint((2,) * 16, 16)
M16 = ss.from_joint(J16)
J3_11 = _random_joint((3,) * 11, 11)
M3_11 = ss.from_joint(J3_11)
J20 = _random_joint((2,) * 20, 20)
M20 = ss.from_joint(J20)
J10 = _random_joint((2,) * 10, 10)
M10 = ss.from_joint(J10)
ASIA = ss.load_example("asia")
try:
    ASIA_PGMPY = ss.to_pgmpy(ASIA)
except Exception:  # pgmpy not installed
    ASIA_PGMPY = None

T2 = [[0.9, 0.1], [0.25, 0.75]]
CHAIN400 = ss.markov_chain(400, [0.3, 0.7], T2)
CHAIN1000 = ss.markov_chain(1000, [0.3, 0.7], T2)
CHAIN1E4 = ss.markov_chain(10_000, [0.3, 0.7], T2)
T2A = np.array(T2)
STEPS1E5 = [T2A] * (10 ** 5 - 1)

CHILD = ss.load_example("child")

# an HMM with 4 hidden states and 3 symbols (homogeneous), for the batched Monte Carlo route
HMM_INIT = [0.4, 0.3, 0.2, 0.1]
HMM_T = [[0.85, 0.05, 0.05, 0.05], [0.1, 0.8, 0.05, 0.05], [0.05, 0.1, 0.8, 0.05], [0.05, 0.05, 0.1, 0.8]]
HMM_E = [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [1 / 3, 1 / 3, 1 / 3]]
HMM256 = ss.hidden_markov_model(256, HMM_INIT, HMM_T, HMM_E)
HMM_SUBSET = tuple(range(0, 256, 3))
HMM_X = BatchOracle(HMM256, -1).sample(np.random.default_rng(0), 2048)


def _hmm_batched():
    return BatchOracle(HMM256, -1).log_marginal(HMM_SUBSET, HMM_X)


def _hmm_loop():
    return R.hmm_log_marginal_loop(HMM_INIT, HMM_T, HMM_E, HMM_SUBSET, HMM_X)


HMM_T128 = tuple(sorted(np.random.default_rng(1).permutation(256)[:128].tolist()))
HMM_X64 = HMM_X[:64]


def _hmm_conditionals():
    return BatchOracle(HMM256, -1).conditional_log_probs(HMM_T128, HMM_X64)


def _hmm_conditionals_ref():
    return R.hmm_conditionals_by_marginals(HMM_INIT, HMM_T, HMM_E, HMM_T128, HMM_X64)


HMM64 = ss.hidden_markov_model(64, HMM_INIT, HMM_T, HMM_E)


def _hmm64_mc():
    return ss.information_profile(HMM64, method="montecarlo", seed=0, progress=False)


def _child_mc(workers):
    return ss.information_profile(CHILD, method="montecarlo", seed=0, workers=workers, progress=False)


def _child_check():
    two, one = _child_mc(2), _child_mc(None)
    return f"largest stderr = {max(two.stderr):.4f}; same numbers on 1 process: {two.h == one.h}"


# Markov random fields beyond the joint table: a 5x6 Ising grid (2^30 states) by variable elimination,
# and a 20x20 grid (elimination width ~2^21, over budget) by Gibbs sampling
GRID5x6 = ss.ising(nx.grid_2d_graph(5, 6), 0.35, 0.1)
_rng = np.random.default_rng(6)
X5x6 = _rng.integers(0, 2, size=(64, 30))
A5x6 = tuple(sorted(_rng.permutation(30)[:15].tolist()))


def _elim_marginals():
    return BatchOracle(GRID5x6, -1).log_marginal(A5x6, X5x6)


def _elim_marginals_ref():
    return [R.ising_grid_log_marginal(5, 6, 0.35, 0.1, {k: int(x[k]) for k in A5x6}) for x in X5x6]


GRID20 = ss.ising(nx.grid_2d_graph(20, 20), 0.3)
_gibbs20 = {}


def _gibbs20_run():
    _gibbs20["p"] = ss.information_profile(GRID20, method="montecarlo", stderr=0.03, seed=0, workers=2,
                                           progress=False)
    return _gibbs20["p"].h


def _gibbs20_check():
    p = _gibbs20.get("p") or (_gibbs20_run() and _gibbs20["p"])
    se = np.asarray(p.stderr)
    return (f"h_0 - log 2 = {p.h[0] - math.log(2):+.4f} (stderr {se[0]:.4f}); stderr largest {se.max():.4f}, "
            f"median {np.median(se):.4f}; {p.notes[1]}; {p.notes[3].split(': ')[-1]}")


H65536 = np.sort(np.random.default_rng(0).gamma(0.7, size=65536))[::-1]
H4096 = H65536[:4096].copy()
P65536 = ss.as_profile(H65536)
P4096 = ss.as_profile(H4096)
_mp400 = {}


def _chain400_ref():
    _mp400["h"] = mp_chain_profile([0.3, 0.7], [T2] * 399, dps=30)[0]
    return _mp400["h"]


def _chain400_check():
    ref = _mp400.get("h") or _chain400_ref()
    return f"max abs(h - mpmath) = {_maxdiff(ref, ss.information_profile(CHAIN400).h):.1e}"


BENCHMARKS = [
    dict(name="general exact route, binary N=16 (3^16 lattice entries) vs depth-first numpy reference",
         run=lambda: ss.information_profile(M16, progress=False).h,
         reference=lambda: R.profile_from_dfs(J16), repeats=3, reference_repeats=2,
         check=lambda: f"max abs diff = {_maxdiff(ss.information_profile(M16).h, R.profile_from_dfs(J16)):.1e}",
         goal=("ref/run", 1.0),
         note="same joint table; reference: every subset marginal depth first (each variable kept or summed out of "
              "its parent's marginal, scipy entr), one thread, ~2x faster than the extended-table lattice "
              "reference; symsched's threads are counted in its CPU time"),
    dict(name="general exact route, 3-state N=11 (4^11 entries) vs depth-first numpy reference",
         run=lambda: ss.information_profile(M3_11, progress=False).h,
         reference=lambda: R.profile_from_dfs(J3_11), repeats=3, reference_repeats=2,
         goal=("ref/run", 1.0), note="same joint table, the same references"),
    dict(name="general exact route, binary N=20 (3^20 = 3.5e9 entries, admitted by the default budget)",
         run=lambda: ss.information_profile(M20, progress=False).h, reference=None, repeats=1, warmup=False,
         note="no reference run (the numpy reference takes minutes)"),
    dict(name="subset entropies, binary N=10 vs dit's per-subset loop",
         run=lambda: ss.information_profile(M10).h,
         reference=(lambda: R.dit_profile(J10)) if R.dit_profile(np.full((2, 2), 0.25)) is not None else None,
         repeats=3, reference_repeats=1,
         check=lambda: f"max abs diff = {_maxdiff(ss.information_profile(M10).h, R.dit_profile(J10)):.1e}",
         note="same joint; dit.shannon.entropy on all 1024 subsets"),
    dict(name="asia (8 vars) exact profile vs pgmpy VariableElimination per subset",
         run=lambda: ss.information_profile(ASIA).h,
         reference=(lambda: R.pgmpy_profile(ASIA_PGMPY)) if ASIA_PGMPY is not None else None,
         repeats=3, reference_repeats=1,
         check=(lambda: f"max abs diff = {_maxdiff(ss.information_profile(ASIA).h, R.pgmpy_profile(ASIA_PGMPY)):.1e}")
         if ASIA_PGMPY is not None else None,
         note="same network; pgmpy: one joint query per subset (255)"),
    dict(name="child (20 vars): Monte Carlo profile to stderr 0.01 on 2 local processes",
         run=lambda: _child_mc(2).h, reference=None, repeats=1, warmup=False,
         check=_child_check, goal=("cpu-per-core", (15.0, 2)),
         note="information_profile(method='montecarlo', workers=2): h_0, h_1, h_{N-1}, H exact by elimination, "
              "the rest in batches of 64 samples over every i outside a random T; CPU includes the workers"),
    dict(name="HMM N=256 (4 hidden states, 3 symbols): log p(x_A) of 2048 samples, |A|=86, batched forward pass "
              "vs one forward pass per sample",
         run=_hmm_batched, reference=_hmm_loop, repeats=3, reference_repeats=1,
         check=lambda: f"max abs diff = {float(np.max(np.abs(_hmm_batched() - _hmm_loop()))):.1e}",
         note="the Monte Carlo route's inner step; reference: a plain per-sample numpy loop "
              "(benchmarks/references.py)"),
    dict(name="HMM N=256: log p(x_i | x_T) for the 128 i outside a random T, 64 samples: forward-backward vs "
              "one batched forward pass per i",
         run=_hmm_conditionals, reference=_hmm_conditionals_ref, repeats=3, reference_repeats=1,
         check=lambda: f"max abs diff = {float(np.max(np.abs(_hmm_conditionals() - _hmm_conditionals_ref()))):.1e}",
         note="one Monte Carlo batch of h_128; reference: log p(x_{T+i}) - log p(x_T), batched numpy"),
    dict(name="HMM N=64: Monte Carlo profile to stderr 0.01 (1 process)",
         run=lambda: _hmm64_mc().h, reference=None, repeats=1, warmup=False,
         check=lambda: f"largest stderr = {max(_hmm64_mc().stderr):.4f}",
         note="every h_j sampled (h_0 exact): batches of 64 samples per random T; at N=256 the same target takes "
              "~160 s (256 sizes x ~64 batches)"),
    dict(name="Ising 5x6 grid (2^30 states): log p(x_A) by variable elimination, 64 samples, |A| = 15, vs transfer "
              "matrix",
         run=_elim_marginals, reference=_elim_marginals_ref, repeats=3, reference_repeats=1,
         check=lambda: f"max abs diff = {_maxdiff(_elim_marginals(), _elim_marginals_ref()):.1e}",
         goal=("accuracy", 1e-10),
         note="symsched: log Z once and one batched elimination over the samples; reference: a 32-state column "
              "transfer matrix per sample (benchmarks/references.py)"),
    dict(name="Ising 20x20 grid (elimination width ~2^21): Gibbs profile to stderr 0.03 on 2 local processes",
         run=_gibbs20_run, reference=None, repeats=1, warmup=False, check=_gibbs20_check,
         note="information_profile(method='montecarlo', workers=2) takes the Gibbs route: 8 outer chains (the "
              "minimum) x 2 draws x 399 sizes x 4 inner chains of 5 + 20 sweeps; h_0 = log 2 exactly (zero field); "
              "CPU includes the workers"),
    dict(name="Markov chain N=400 vs 30-digit mpmath reference",
         run=lambda: ss.information_profile(CHAIN400).h, reference=_chain400_ref, repeats=5, reference_repeats=1,
         check=_chain400_check, goal=("accuracy", 1e-12), note="accuracy goal 1e-12"),
    dict(name="Markov chain N=1000 vs O(N^2) gammaln formula (float64)",
         run=lambda: ss.information_profile(CHAIN1000).h,
         reference=lambda: R.chain_profile_quadratic([0.3, 0.7], T2, 1000), repeats=5, reference_repeats=2,
         check=lambda: "max abs diff = "
         f"{_maxdiff(ss.information_profile(CHAIN1000).h, R.chain_profile_quadratic([0.3, 0.7], T2, 1000)):.1e}",
         goal=("ref/run", 1.0), note="the reference's e-differences drift ~1e-10 at this N"),
    dict(name="Markov chain N=10^4, exact profile", run=lambda: ss.information_profile(CHAIN1E4).h,
         reference=None, repeats=3, goal=("seconds", 0.5), note="goal: under half a second"),
    dict(name="Markov chain N=10^5, exact profile (route on the matrices)",
         run=lambda: chain_information_profile([0.3, 0.7], STEPS1E5, FLOAT), reference=None, repeats=2,
         goal=("seconds", 5.0), note="goal: within seconds; building the 10^5-node network itself is not timed"),
    dict(name="optimal_schedule N=65536 K=1024 vs plain O(KN) DP",
         run=lambda: optimal_schedule(P65536, 1024).breakpoints,
         reference=lambda: R.dp_reference(H65536, 1024), repeats=1, reference_repeats=1,
         goal=[("seconds", 5.0), ("ref/run", 1 / 3)],
         note=f"reference: {R.DP_REFERENCE} (value only, no backtracking); symsched backtracks in ~25 MB"),
    dict(name="optimal_frontier N=4096 (all K) vs plain O(KN) DP of every K",
         run=lambda: optimal_frontier(P4096).dp_values,
         reference=lambda: R.dp_reference_frontier(H4096), repeats=2, reference_repeats=1,
         goal=[("seconds", 1.0), ("ref/run", 1 / 3)],
         note=f"reference: {R.DP_REFERENCE}; symsched: values of every K (each schedule recovered on demand)"),
]
