"""export_schedule round trips: export, apply the target rule's own arithmetic, get the same counts."""

import json
import math
from fractions import Fraction as F

import numpy as np
import pytest

import symsched as ss

SCHEDULES = [ss.Schedule([3, 1, 4, 1, 5]), ss.Schedule([1] * 6), ss.Schedule([0, 2, 2, 3], allow_zero=True),
             ss.sampler_schedule("dream", 16, 16), ss.optimal_schedule([0.9, 0.7, 0.5, 0.45, 0.3, 0.2, 0.1], 3)]


def _sizes(s):
    return list(getattr(s, "sizes", s))




@pytest.mark.parametrize("sched", SCHEDULES)
def test_grid_round_trip_through_dreams_arithmetic(sched):
    N = sum(_sizes(sched))
    t = ss.export_schedule(sched, "grid", convention="time", exact=True)
    M, counts = N, []
    for i in range(len(t) - 1):
        k = M if i == len(t) - 2 else math.floor(M * (1 - t[i + 1] / t[i]))
        counts.append(k)
        M -= k
    assert counts == _sizes(sched)
    u = ss.export_schedule(sched, "grid")
    assert u[0] == 0 and u[-1] == 1 and len(u) == len(_sizes(sched)) + 1
    assert [round(N * x) for x in u] == list(np.cumsum([0] + _sizes(sched)))


@pytest.mark.parametrize("sched", SCHEDULES)
def test_alpha_round_trip_through_the_dllm_rule(sched):
    a = ss.export_schedule(sched, "alpha")
    K, N = len(_sizes(sched)), sum(_sizes(sched))
    knots, vals = a["t"], a["alpha"]

    def alpha(t):  # evaluate the exported piecewise-linear function (knots in decreasing t)
        return float(np.interp(t, knots[::-1], vals[::-1]))

    M, counts = N, []
    for j in range(K):
        t, s = (K - j) / K, (K - 1 - j) / K
        k = round(M * (1 - (1 - alpha(s)) / (1 - alpha(t)))) if alpha(t) < 1 else 0
        counts.append(min(k, M))
        M -= counts[-1]
    assert counts == _sizes(sched)
    # the derivative is the slope between the knots
    for k, d in enumerate(a["derivative"]):
        assert d == pytest.approx((vals[k + 1] - vals[k]) / (knots[k + 1] - knots[k]))


def test_llada_rows_counts_quotas_json():
    s = ss.sampler_schedule("llada", 12, 9, block_length=4)   # 4 tokens in 3 steps per block: (2, 1, 1)
    rows = ss.export_schedule(s, "llada")
    assert rows == [[2, 1, 1], [2, 1, 1], [2, 1, 1]]
    # LLaDA's loop: block b runs len(rows[b]) steps revealing rows[b][i] tokens: the same flat counts
    assert [k for r in rows for k in r] == list(s.sizes)
    assert ss.export_schedule(s, "counts") == [2, 1, 1] * 3
    assert ss.export_schedule(s, "quotas") == [0, 2, 3, 4, 6, 7, 8, 10, 11, 12]
    q = ss.export_schedule(ss.Schedule([1, 3]), "quotas")
    assert q == [0, 1, 4]
    d = json.loads(ss.export_schedule(s, "json"))
    assert d["counts"] == list(s.sizes) and d["llada"] == rows and d["model_calls"] == 9
    arr = ss.export_schedule(s, "llada", backend="numpy")
    assert arr.shape == (3, 3) and arr.dtype == np.int64
    uneven = ss.Schedule([1, 2])
    assert ss.export_schedule(uneven, "llada") == [[1, 2]]
    dllm = ss.sampler_schedule("dllm", 6, 6, block_length=3)   # blocks of 3 tokens in 3 steps: (1, 1, 1)
    assert ss.export_schedule(dllm, "llada") == [[1, 1, 1], [1, 1, 1]]


def test_reveal_grid_export_and_errors():
    g = ss.sampler_grid("mdlm", 2, eps=0.5)
    assert ss.export_schedule(g, "grid", exact=True) == [0, F(1, 4), F(1, 2), 1]
    assert ss.export_schedule(g, "grid", convention="time") == [1.0, 0.75, 0.5, 0.0]
    assert json.loads(ss.export_schedule(g, "json"))["cleanup"] is True
    with pytest.raises(ValueError, match="format"):
        ss.export_schedule(ss.Schedule([1, 2]), "yaml")
    with pytest.raises(ValueError, match="Binomial"):
        ss.export_schedule(g, "counts")
    with pytest.raises(ValueError, match="backend"):
        ss.export_schedule(ss.Schedule([1, 2]), "counts", backend="jax")


def test_torch_backend_when_installed():
    torch = pytest.importorskip("torch")
    t = ss.export_schedule(ss.Schedule([2, 1]), "counts", backend="torch")
    assert isinstance(t, torch.Tensor) and t.tolist() == [2, 1]
