"""Calibration of the Monte Carlo blockwise and partition KLs of a hidden Markov model (docs/uncertainty.md).

Every term of a batch comes from the same draws of the HMM, so the blocks' (steps') terms are correlated; the
total's standard error is ``sqrt(1' C 1)`` with ``C`` their covariance over batches.  Over >= 20 seeds the rms
of ``z = (estimate - exact) / stderr`` must lie in [0.7, 1.4], against references computed independently from
the joint table (tests/reference.py: subset marginals of the brute-force joint summed over hidden paths).
"""

import numpy as np
import pytest
from reference import hmm_joint_brute, subset_blockwise, subset_partition

import symsched as ss

SEEDS = range(24)
N = 10
INIT = [0.55, 0.45]
TRANS = [[0.9, 0.1], [0.15, 0.85]]
EMIS = [[0.85, 0.1, 0.05], [0.1, 0.25, 0.65]]
SIZES = [[1, 3], [2, 2], [2]]                       # blocks of 4: {0..3}, {4..7}, {8, 9}
PARTS = [[0, 4, 8], [1, 5, 9], [2, 6], [3, 7]]      # dilated strides


def _model():
    hmm = ss.hidden_markov_model(N, INIT, TRANS, EMIS)
    return hmm, hmm_joint_brute(INIT, [np.array(TRANS)] * (N - 1), [np.array(EMIS)] * N)


def _rms(z):
    return float(np.sqrt(np.mean(np.square(z))))


def test_references_agree_with_the_exact_routes():
    hmm, joint = _model()
    assert float(ss.blockwise_expected_kl(hmm, 4, SIZES)) == pytest.approx(sum(subset_blockwise(joint, 4, SIZES)),
                                                                          abs=1e-12)
    assert float(ss.partition_kl(hmm, PARTS)) == pytest.approx(sum(subset_partition(joint, PARTS)), abs=1e-12)


@pytest.mark.slow
def test_blockwise_montecarlo_is_calibrated():
    hmm, joint = _model()
    exact_terms = subset_blockwise(joint, 4, SIZES)
    runs = [ss.blockwise_expected_kl(hmm, 4, SIZES, method="montecarlo", stderr=0.05, samples=2048, seed=s)
            for s in SEEDS]
    assert all(r.method == "hmm-montecarlo" and not r.exact for r in runs)
    z_total = [(r.kl.value - sum(exact_terms)) / r.stderr for r in runs]
    # the blocks with a prefix are sampled (block 0 has none: exact, zero standard error)
    z_block = [(r.per_block[b] - exact_terms[b]) / r.per_block_stderr[b] for r in runs for b in (1, 2)]
    assert all(r.per_block_stderr[0] == 0 and r.per_block[0] == pytest.approx(exact_terms[0], abs=1e-12)
               for r in runs)
    rms = {"total": _rms(z_total), "blocks": _rms(z_block)}
    assert all(0.7 <= v <= 1.4 for v in rms.values()), rms
    # the blocks share draws: the total's error is not the blocks' errors added in quadrature
    r = runs[0]
    assert r.stderr != pytest.approx(float(np.sqrt(np.sum(np.square(r.per_block_stderr)))), rel=1e-6)


@pytest.mark.slow
def test_partition_montecarlo_is_calibrated():
    hmm, joint = _model()
    exact_terms = subset_partition(joint, PARTS)
    runs = [ss.partition_kl(hmm, PARTS, method="montecarlo", stderr=0.05, samples=2048, seed=s) for s in SEEDS]
    assert all(r.method == "hmm-montecarlo" and not r.exact for r in runs)
    z_total = [(r.kl.value - sum(exact_terms)) / r.stderr for r in runs]
    z_step = [(r.per_step[t] - exact_terms[t]) / r.per_step_stderr[t] for r in runs
              for t in range(len(PARTS)) if r.per_step_stderr[t] > 0]
    rms = {"total": _rms(z_total), "steps": _rms(z_step)}
    assert all(0.7 <= v <= 1.4 for v in rms.values()), rms
