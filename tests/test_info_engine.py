"""The Monte Carlo skeleton (symsched.info.engine): the same refusals on every Monte Carlo entry point, seeds
that give the same numbers on any workers, budgets and time budgets honoured, covariance of the means."""

import math
import time

import numpy as np
import pytest

import symsched as ss
from symsched.info import engine
from symsched.info.engine import MonteCarloRoute, montecarlo_options
from symsched.info.montecarlo import montecarlo_profile

HMM = ss.hidden_markov_model(6, [0.6, 0.4], [[0.8, 0.2], [0.3, 0.7]], [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
BN = ss.load_example("asia")


def _den_data():
    model = ss.copy_model(3, 2)
    return ss.exact_denoiser(model), np.array([[0, 0, 0], [1, 1, 1]] * 10)


#: every Monte Carlo entry point: (name, call(**kwargs), {skeleton keyword: the entry's keyword})
ENTRIES = {
    "information_profile": (lambda **kw: ss.information_profile(BN, method="montecarlo", **kw),
                            {"samples": "samples", "stderr": "stderr", "seed": "seed", "time_budget": "time_budget",
                             "workers": "workers", "progress": "progress"}),
    "montecarlo_profile": (lambda **kw: montecarlo_profile(BN, **kw),
                           {"samples": "samples", "stderr": "stderr", "seed": "seed", "time_budget": "time_budget",
                            "workers": "workers", "progress": "progress", "budget": "budget"}),
    "blockwise_expected_kl": (lambda **kw: ss.blockwise_expected_kl(HMM, 3, [1, 2], method="montecarlo", **kw),
                              {"samples": "samples", "stderr": "stderr", "seed": "seed"}),
    "partition_kl": (lambda **kw: ss.partition_kl(HMM, [[0, 2, 4], [1, 3], [5]], method="montecarlo", **kw),
                     {"samples": "samples", "stderr": "stderr", "seed": "seed"}),
    "denoiser_profile": (lambda **kw: ss.denoiser_profile(*_den_data(), **kw),
                         {"samples": "samples_per_size", "stderr": "stderr", "seed": "seed",
                          "time_budget": "time_budget", "progress": "progress", "budget": "max_calls"}),
}

BAD = {
    "samples": [2.5, 2.7, 2.0, "100", True, 0, 1, -5, float("nan")],
    "stderr": [0, -1.0, float("nan"), float("inf"), True, "0.1"],
    "seed": [-1, 2.5, "x", True],
    "budget": [float("nan"), 0, -1.0, float("inf"), True, "1e9"],
    "time_budget": [float("nan"), -1.0, 0, float("inf"), True, "1"],
    "workers": [0, -1, True, "two", 1.5],
    "progress": ["yes", 1, 0.0],
}

CASES = [pytest.param(entry, key, bad, id=f"{entry}-{key}-{bad!r}")
         for entry, (_, names) in ENTRIES.items() for key in names for bad in BAD[key]]


@pytest.mark.parametrize("entry,key,bad", CASES)
def test_every_entry_refuses_the_same_bad_options(entry, key, bad):
    call, names = ENTRIES[entry]
    name = names[key]
    with pytest.raises(ValueError, match=name):
        call(**{name: bad})


def test_options_are_checked_in_one_place():
    opts = montecarlo_options("f", stderr=0.05, samples=np.int64(100), seed=3, budget=1e9, time_budget=2,
                              workers=1, progress=False)
    assert (opts.target, opts.cap, opts.entropy, opts.budget, opts.time_budget, opts.workers, opts.progress) == \
        (0.05, 100, 3, 1e9, 2.0, None, False)
    assert montecarlo_options("f", workers=3).workers == 3
    assert montecarlo_options("f", seed=np.random.SeedSequence(5)).entropy == \
        montecarlo_options("f", seed=np.random.SeedSequence(5)).entropy


class _Pair(MonteCarloRoute):
    """Two correlated terms (u and u + v) in one group and one independent term in another."""

    where = "pair example"
    batch_size = 50
    min_batches = 8

    def groups(self):
        return [(0, 2), (1, 1)]

    def batch(self, label, rng):
        if label == 0:
            u, v = rng.random(self.batch_size), rng.random(self.batch_size)
            return np.array([u.mean(), (u + v).mean()])
        return np.array([rng.normal(size=self.batch_size).mean()])

    def batch_cost(self, label):
        return 10.0


def test_covariance_of_the_means_within_and_across_groups():
    run = _Pair().run(montecarlo_options("pair", stderr=0.002, samples=400_000, seed=1))
    C = run.covariance
    # var(mean u) = 1/12/n, cov(u, u+v) = var(u) / n, var(u+v) = 2/12/n; across groups exactly 0
    n = run.batches[0] * 50
    assert C[0, 2] == 0 and C[1, 2] == 0
    assert C[0, 1] == pytest.approx(1 / 12 / n, rel=0.25)
    assert C[1, 1] == pytest.approx(2 / 12 / n, rel=0.25)
    assert run.stopped == "target" and run.stderr.max() <= 0.002


def test_same_numbers_for_any_workers():
    opts = dict(stderr=0.01, samples=4000, seed=11)
    local = _Pair().run(montecarlo_options("pair", **opts))
    two = _Pair().run(montecarlo_options("pair", workers=2, **opts))
    np.testing.assert_array_equal(local.mean, two.mean)
    np.testing.assert_array_equal(local.covariance, two.covariance)
    other = _Pair().run(montecarlo_options("pair", stderr=0.01, samples=4000, seed=12))
    assert not np.array_equal(other.mean, local.mean)


def test_budget_refuses_the_smallest_run_and_stops_a_larger_one():
    with pytest.raises(ss.ModelTooLargeError, match="budget|estimate"):
        _Pair().run(montecarlo_options("pair", budget=100.0, seed=0))  # 2 groups x 8 batches x 10 > 100
    run = _Pair().run(montecarlo_options("pair", stderr=1e-6, samples=10 ** 7, budget=400.0, seed=0))
    assert run.stopped == "budget" and run.cost <= 400.0 + 2 * 8 * 10


def test_time_budget_is_honoured_on_one_process():
    class Slow(_Pair):
        def batch(self, label, rng):
            time.sleep(0.02)
            return super().batch(label, rng)

    t0 = time.perf_counter()
    run = Slow().run(montecarlo_options("slow", stderr=1e-9, samples=10 ** 7, time_budget=0.3, seed=0))
    assert run.stopped == "time_budget" and time.perf_counter() - t0 < 0.3 + 0.2
    assert np.all(np.isfinite(run.stderr))


def test_identical_batches_give_exactly_zero_variance():
    class Const(MonteCarloRoute):
        min_batches = 4

        def batch(self, label, rng):
            return np.array([0.1 + 0.2])

    run = Const().run(montecarlo_options("const", seed=0, samples=64 * 8))
    assert run.covariance[0, 0] == 0.0


def test_profile_budget_is_honoured_not_capped():
    """budget= lifts or lowers the route's default: a tiny one is refused with the estimate, a large one runs."""
    with pytest.raises(ss.ModelTooLargeError, match="budget"):
        montecarlo_profile(BN, budget=1e3, seed=0, exact_pieces=False)
    prof = montecarlo_profile(BN, budget=1e15, seed=0, samples=256, stderr=0.5)
    assert prof.covariance is not None and math.isfinite(prof.entropy_stderr)


def test_progress_bar_total_is_the_batches_run():
    pytest.importorskip("tqdm")
    bars = []
    real = engine.progress_bar

    def spy(*a, **k):
        bar = real(*a, **k)
        bars.append(bar)
        return bar

    mp = pytest.MonkeyPatch()
    mp.setattr(engine, "progress_bar", spy)
    try:
        run = _Pair().run(montecarlo_options("pair", stderr=0.01, samples=4000, seed=0, progress=True))
    finally:
        mp.undo()
    assert bars and bars[0].n == sum(run.batches.values()) == bars[0].total
