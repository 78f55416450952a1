"""Every count rule's defaults against an independent emulation of the library's own code (issue 24).

The emulations below were written from reading each library's file at the commit named (not copied;
where a formula could be written two ways, the other way is used here):

* LLaDA        ML-GSAI/LLaDA generate.py @ 41760b91240e (generate, get_num_transfer_tokens)
* Fast-dLLM    NVlabs/Fast-dLLM llada/generate.py @ f6b35ec3f1b1 (generate: the block's while-loop)
* dllm         ZHZisZZ/dllm dllm/core/samplers/utils.py @ 2d962f337871 (get_num_transfer_tokens),
               dllm/core/schedulers/alpha.py @ 2d962f337871, dllm/core/samplers/mdlm.py @ 13ba37270529 (blocks)
* Dream        ZHZisZZ/dllm dllm/pipelines/dream/models/generation_utils.py @ 81c80162c35b (_sample)
* DUS          omerlux/DUS generate.py @ abd7723fd0fd (generate_scheduled, dilated_unmask_levels,
               binary_search_levels, merge_last_level)
* torch        aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp (linspace_kernel: two halves)

When torch is importable the float32 parts run through torch itself (CPU); otherwise through numpy.
Grids: all N <= 64 and 1 <= K <= N + 2; Dream at eps in {1e-3, 0.05, 0.1, 0.5}; DUS at every block length 2..64.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest

import symsched as ss
from symsched.schedules.rules.float32 import torch_linspace32

try:
    import torch
except ImportError:  # pragma: no cover - the numpy emulation still runs
    torch = None

F32 = np.float32
NS = range(1, 65)
EPS = (1e-3, 0.05, 0.1, 0.5)


def grid_NK():
    return [(N, K) for N in NS for K in range(1, N + 3)]


# -- LLaDA and Fast-dLLM -------------------------------------------------------------------------------

def llada_block(B, steps):
    # the same partition written as floor((B + steps - 1 - i) / steps): larger parts first
    return [(B + steps - 1 - i) // steps for i in range(steps)]


def fast_dllm_run(N, K, B):
    """Fast-dLLM's generate: nfe += 1 before every model call, break once the block has no mask."""
    nb = N // B
    per = K // nb
    sizes, nfe = [], 0
    for _ in range(nb):
        counts, masked, i = llada_block(B, per), B, 0
        while True:
            nfe += 1
            sizes.append(counts[i])
            masked -= counts[i]
            i += 1
            if masked == 0:
                break
    return tuple(sizes), nfe


def test_llada_and_fast_dllm_dense_grid():
    bad = 0
    for N, K in grid_NK():
        for B in [None] + [d for d in range(1, N + 1) if N % d == 0 and K % (N // d) == 0]:
            Bv = N if B is None else B
            want = tuple(k for _ in range(N // Bv) for k in llada_block(Bv, K // (N // Bv)))
            s = ss.sampler_schedule("llada", N, K, block_length=B)
            bad += s.sizes != want or s.model_calls != K
            f = ss.sampler_schedule("fast-dllm", N, K, block_length=B)
            bad += (f.sizes, f.model_calls) != fast_dllm_run(N, K, Bv)
    assert bad == 0


@pytest.mark.parametrize("N,K,B", [(10, 4, 3), (12, 5, 6), (64, 3, 32)])
def test_llada_refuses_what_it_asserts(N, K, B):
    with pytest.raises(ValueError, match="block_length|split evenly"):
        ss.sampler_schedule("llada", N, K, block_length=B)


# -- dllm ----------------------------------------------------------------------------------------------

@cache
def _dllm_ratio_torch(alpha, s, t):
    s_t, t_t = torch.as_tensor(s, dtype=torch.float32), torch.as_tensor(t, dtype=torch.float32)
    if alpha == "linear":
        a = lambda x: 1 - x  # noqa: E731
    else:
        a = lambda x: 1 - torch.cos((math.pi / 2) * (1 - x))  # noqa: E731
    return ((1 - a(s_t)) / (1 - a(t_t))).item()


@cache
def _dllm_ratio_numpy(alpha, s, t):
    def a(x):
        x = F32(x)
        return F32(1) - x if alpha == "linear" else F32(1) - np.cos(F32(math.pi / 2) * (F32(1) - x))
    return float((F32(1) - a(s)) / (F32(1) - a(t)))


@cache
def dllm_block(M, steps, alpha):
    """get_num_transfer_tokens for one row of M masks (deterministic), zeros compacted away."""
    ratio = _dllm_ratio_torch if torch is not None else _dllm_ratio_numpy
    left, out = M, []
    for t, s in zip(range(steps, 0, -1), range(steps - 1, -1, -1)):
        p = 1 - ratio(alpha, s / steps, t / steps)
        k = min(int(np.round(np.float64(left) * p)), left)      # float64 product, round half to even
        out.append(k)
        left -= k
        if left == 0:
            break
    return tuple(k for k in out if k > 0)


def dllm_run(N, K, B, alpha):
    """MDLMSampler.sample's block loop: ceil(N/B) blocks, the last partial, ceil(K/blocks) steps each."""
    B = N if B is None else B
    nb = math.ceil(N / B)
    per = math.ceil(K / nb)
    sizes = []
    for b in range(nb):
        width = min(b * B + B, N) - b * B
        sizes += dllm_block(width, per, alpha)
    return tuple(sizes)


@pytest.mark.parametrize("alpha", ["linear", "cosine"])
def test_dllm_one_block_dense_grid(alpha):
    bad = [(N, K) for N, K in grid_NK() if ss.sampler_schedule("dllm", N, K, alpha=alpha).sizes
           != dllm_run(N, K, None, alpha)]
    assert bad == []


@pytest.mark.parametrize("alpha", ["linear", "cosine"])
def test_dllm_with_blocks_dense_grid(alpha):
    bad = []
    for N, K in grid_NK():
        for B in (1, 2, 3, 4, 5, 7, 8, 16, 32):
            if B < N:
                s = ss.sampler_schedule("dllm", N, K, block_length=B, alpha=alpha)
                if s.sizes != dllm_run(N, K, B, alpha) or s.model_calls != len(s.sizes):
                    bad.append((N, K, B))
    assert bad == []


def test_dllm_issue_examples():
    assert ss.sampler_schedule("dllm", 10, 3).sizes == dllm_run(10, 3, None, "linear") == (3, 3, 4)
    assert ss.sampler_schedule("dllm", 10, 4, block_length=4).sizes == dllm_run(10, 4, 4, "linear") == \
        (2, 2, 2, 2, 1, 1)
    # the idealised variant still exists and differs on exact ties
    assert ss.sampler_schedule("dllm", 10, 3, arithmetic="exact").sizes == (3, 4, 3)


# -- Dream ----------------------------------------------------------------------------------------------

def linspace_fma(start, end, n):
    """torch's CPU linspace_kernel: start + step*i (first half), end - step*(n-1-i) (second half), one rounding.

    float64 holds start + step*i exactly here (24-bit step times an index below 2**12), so casting the
    float64 result to float32 is the single rounding of a fused multiply-add."""
    s, e = F32(start), F32(end)
    step = F32(e - s) / F32(n - 1)
    i = np.arange(n, dtype=np.float64)
    lo = np.float64(s) + np.float64(step) * i
    hi = np.float64(e) - np.float64(step) * (n - 1 - i)
    return np.where(i < n // 2, lo, hi).astype(F32)


def timesteps(K, eps):
    if torch is not None:
        return torch.linspace(1, eps, K + 1).numpy()
    return linspace_fma(1, eps, K + 1)


def dream_run_all_N(K, eps):
    """Dream's _sample count lines for every N = 1..64 at once (vectorised over N, float32 throughout)."""
    ts = timesteps(K, eps)
    M = np.arange(1, 65, dtype=np.int64)
    cols = []
    for i in range(K):
        if i < K - 1:
            frac = F32(1) - ts[i + 1] / ts[i]
            k = (M.astype(F32) * frac).astype(np.int64)          # int() truncates toward zero (k >= 0)
        else:
            k = M.copy()
        cols.append(k)
        M = M - k
    return np.stack(cols, axis=1)


@pytest.mark.parametrize("eps", EPS)
def test_dream_dense_grid(eps):
    bad = []
    for K in range(1, 67):
        table = dream_run_all_N(K, eps)
        for N in range(max(1, K - 2), 65):
            if ss.sampler_schedule("dream", N, K, eps=eps).sizes != tuple(int(x) for x in table[N - 1]):
                bad.append((N, K))
    assert bad == []


def test_dream_issue_example_and_exact_variant():
    assert ss.sampler_schedule("dream", 8, 4, eps=0.5).sizes == tuple(dream_run_all_N(4, 0.5)[7]) == (1, 0, 1, 6)
    assert ss.sampler_schedule("dream", 8, 4, eps=0.5, arithmetic="exact").sizes == (1, 1, 1, 5)


def test_linspace_emulation_is_torch_cpu():
    bad = 0
    for eps in EPS + (1e-5,):
        for n in list(range(2, 200)) + [256, 511, 512, 513, 1000, 1025]:
            ref = linspace_fma(1, eps, n)
            bad += int(np.sum(torch_linspace32(1, eps, n) != ref))
            if torch is not None:
                bad += int(np.sum(torch.linspace(1, eps, n).numpy() != ref))
    assert bad == 0
    # ends far apart: float64 no longer holds the sums exactly and the exact (rational) rounding takes over
    if torch is not None:
        for end in (1e-30, -3e-20, 7.5):
            for n in (3, 7, 64, 1000):
                assert np.array_equal(torch_linspace32(1, end, n), torch.linspace(1, end, n).numpy())


# -- DUS ------------------------------------------------------------------------------------------------

def dus_levels(B, base, skip, scheduler):
    """Levels of one block, by the level each position lands in (not by the library's loop)."""
    if scheduler == "binary":
        depth, queue = {}, [(0, B - 1, 0)]
        while queue:                                   # breadth first; each interval's midpoint at its depth
            lo, hi, d = queue.pop(0)
            if lo <= hi:
                mid = (lo + hi) // 2
                depth[mid] = d
                queue += [(lo, mid - 1, d + 1), (mid + 1, hi, d + 1)]
        level = [depth[i] for i in range(B)]
    elif base == 1:
        level = [0] * B
    else:
        strides, st = [], B // base ** skip
        while st >= 1:
            strides.append(st)
            st //= base
        level = [next((r for r, st in enumerate(strides) if i % st == 0), len(strides)) for i in range(B)]
    levels = [tuple(i for i in range(B) if level[i] == r) for r in range(max(level) + 1)]
    levels = [lv for lv in levels if lv]
    if len(levels) > 1 and len(levels[-1]) < len(levels[-2]):
        levels[-2:] = [tuple(sorted(levels[-2] + levels[-1]))]
    return levels


def test_dus_every_block_length():
    bad = []
    for B in range(2, 65):
        for base, skip, sch in [(2, 1, "dilated"), (3, 1, "dilated"), (4, 1, "dilated"), (2, 2, "dilated"),
                                (1, 1, "dilated"), (2, 1, "binary")]:
            want = dus_levels(B, base, skip, sch)
            for nb in (1, 2):
                s = ss.sampler_schedule("dus", nb * B, block_length=B, base=base, base_skip=skip, scheduler=sch)
                got = [tuple(sorted(g)) for g in s.positions]
                exp = [tuple(b * B + i for i in lv) for b in range(nb) for lv in want]
                if got != exp or s.sizes != tuple(len(g) for g in exp) or s.model_calls != len(exp):
                    bad.append((B, base, skip, sch, nb))
    assert bad == []


def test_dus_issue_examples():
    assert ss.sampler_schedule("dus", 6).sizes == (2, 4)
    assert ss.sampler_schedule("dus", 10).sizes == (2, 4, 4)
    assert ss.sampler_schedule("dus", 32, base=3).sizes == (4, 9, 19)
    with pytest.raises(ValueError, match="remasking='none'"):
        ss.sampler_schedule("dus", 32, remasking="low_confidence")


def test_dus_partition_kl_uses_the_positions():
    # a copy model: revealing one token fixes all; DUS's first level reveals two of them at once -> KL = log 2
    m = ss.copy_model(4)
    s = ss.sampler_schedule("dus", 4)
    assert float(ss.partition_kl(m, [list(g) for g in s.positions])) == pytest.approx(math.log(2), abs=1e-12)
