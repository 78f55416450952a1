"""The numba kernels come from numba's disk cache in a new process (a spawned Monte Carlo worker, the next
session) instead of being compiled again: kernels written as closures over another compiled function missed
the cache in every process (about 4.5 s of CPU per process and per worker)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("numba")

ROOT = Path(__file__).resolve().parent.parent

_SCRIPT = """
import json
import networkx as nx
import symsched as ss
from symsched.info.estimators import gibbs_kernel
from symsched.samplers.policies import hmm_kernels

m = ss.hidden_markov_model(64, [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]], [[0.7, 0.3], [0.4, 0.6]])
ss.policy_kl(m, "confidence", sizes=[8] * 8, method="montecarlo", samples=4, seed=0)
ss.information_profile(ss.ising(nx.grid_2d_graph(3, 3), 0.3), method="gibbs", samples=64, seed=0)
kernels = {"conditionals": hmm_kernels.compiled()[0], "chain": hmm_kernels.compiled()[1],
           "gibbs": gibbs_kernel._compile()}
print(json.dumps({k: [sum(f.stats.cache_hits.values()), sum(f.stats.cache_misses.values())]
                  for k, f in kernels.items()}))
"""


def _stats() -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("NUMBA_DISABLE_JIT", None)
    out = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_second_process_loads_every_kernel_from_the_cache():
    first = _stats()  # fills the cache when it is empty (a fresh clone)
    assert all(hits + misses >= 1 for hits, misses in first.values()), first  # every kernel was used
    second = _stats()
    assert all(hits >= 1 and misses == 0 for hits, misses in second.values()), second
