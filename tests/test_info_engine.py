"""The Monte Carlo skeleton (symsched.info.engine): the same refusals on every Monte Carlo entry point, seeds
that give the same numbers on any workers, budgets and time budgets honoured, covariance of the means."""

import functools
import math
import time

import networkx as nx
import numpy as np
import pytest

import symsched as ss
from symsched.info import engine
from symsched.info.engine import MonteCarloRoute, montecarlo_options
from symsched.info.gibbs import gibbs_profile
from symsched.info.montecarlo import montecarlo_profile

HMM = ss.hidden_markov_model(6, [0.6, 0.4], [[0.8, 0.2], [0.3, 0.7]], [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
BN = ss.load_example("asia")
ISING = ss.ising(nx.grid_2d_graph(3, 3), 0.3)


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
    "gibbs_profile": (lambda **kw: gibbs_profile(ISING, **kw),
                      {"samples": "samples", "stderr": "stderr", "seed": "seed", "budget": "budget",
                       "time_budget": "time_budget", "workers": "workers", "progress": "progress"}),
    "information_profile (gibbs)": (lambda **kw: ss.information_profile(ISING, method="gibbs", **kw),
                                    {"samples": "samples", "stderr": "stderr", "seed": "seed",
                                     "time_budget": "time_budget", "workers": "workers", "progress": "progress"}),
    "policy_kl": (lambda **kw: ss.policy_kl(HMM, "confidence", sizes=[2, 2, 2], method="montecarlo", **kw),
                  {"samples": "samples", "stderr": "stderr", "seed": "seed", "budget": "budget",
                   "time_budget": "time_budget", "workers": "workers"}),
    "compare_policies": (lambda **kw: ss.compare_policies(HMM, [2, 2, 2], policies=("confidence", "random"),
                                                          method="montecarlo", **kw),
                         {"samples": "samples", "stderr": "stderr", "seed": "seed", "budget": "budget",
                          "time_budget": "time_budget", "workers": "workers"}),
    "interaction_decomposition": (lambda **kw: ss.interaction_decomposition(HMM, [2, 2, 2], method="montecarlo",
                                                                            **kw),
                                  {"samples": "samples", "seed": "seed"}),
    "estimate_profile": (lambda **kw: ss.estimate_profile(_den_data()[1], "plugin", **kw),
                         {"samples": "bootstrap", "seed": "seed", "progress": "progress"}),
    "estimate_blockwise_kl": (lambda **kw: ss.estimate_blockwise_kl(_den_data()[1], 3, [1, 2], **kw),
                              {"samples": "bootstrap", "seed": "seed", "progress": "progress"}),
    "certify_schedule": (lambda **kw: ss.certify_schedule(ss.copy_model(3, 2), 0.5, **kw), {"seed": "seed"}),
}
#: Values an entry accepts against the common list, and why: the policies' ``budget`` is shared with their
#: exact route, where ``inf`` means "no limit" (the Monte Carlo route then runs to its samples or stderr).
ACCEPTED = {("policy_kl", "budget"): [float("inf")], ("compare_policies", "budget"): [float("inf")]}

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
         for entry, (_, names) in ENTRIES.items() for key in names for bad in BAD[key]
         if not any(bad is ok or bad == ok for ok in ACCEPTED.get((entry, key), []))]


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


#: entries with a budget: a tiny one is refused before any work, with the estimate and the way forward
TINY_BUDGET = {
    "montecarlo_profile": lambda: montecarlo_profile(BN, budget=1e3, seed=0, exact_pieces=False),
    "gibbs_profile": lambda: gibbs_profile(ISING, budget=1e3, seed=0, progress=False),
    "policy_kl": lambda: ss.policy_kl(HMM, "confidence", sizes=[2, 2, 2], method="montecarlo", budget=10.0),
    "compare_policies": lambda: ss.compare_policies(HMM, [2, 2, 2], policies=("confidence", "random"),
                                                    method="montecarlo", budget=10.0),
    "denoiser_profile": lambda: ss.denoiser_profile(*_den_data(), max_calls=1, seed=0),
}


@pytest.mark.parametrize("entry", sorted(TINY_BUDGET))
def test_a_tiny_budget_is_refused_with_the_estimate(entry):
    t0 = time.perf_counter()
    with pytest.raises(ss.ModelTooLargeError) as err:
        TINY_BUDGET[entry]()
    assert err.value.estimate > err.value.budget and "budget" in str(err.value).lower()
    assert time.perf_counter() - t0 < 2.0


@functools.cache
def _built(name):
    """Models built once, outside the timed calls."""
    if name == "hmm":
        return ss.hidden_markov_model(30, [0.6, 0.4], [[0.8, 0.2], [0.3, 0.7]], [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    return ss.ising(nx.grid_2d_graph(*name), 0.4 if name[0] > 8 else 0.3)


#: entries with a time budget, on runs that would take far longer (stderr 1e-6): each returns within a
#: measured tolerance of 0.5 s (the batch in progress, and the setup) or refuses with the estimate
TIMED = {
    "information_profile": (None, lambda m: ss.information_profile(BN, method="montecarlo", stderr=1e-6,
                                                                   samples=10 ** 7, time_budget=0.5, seed=0,
                                                                   progress=False)),
    "gibbs_profile": ((6, 6), lambda m: gibbs_profile(m, stderr=1e-6, time_budget=0.5, seed=0, progress=False)),
    "gibbs_profile (40x40 grid)": ((40, 40), lambda m: gibbs_profile(m, time_budget=0.5, budget=1e15, seed=0,
                                                                     progress=False)),
    "information_profile (40x40 grid)": ((40, 40), lambda m: ss.information_profile(
        m, method="montecarlo", time_budget=0.5, seed=0, progress=False)),
    "policy_kl": ("hmm", lambda m: ss.policy_kl(m, "confidence", sizes=[2] * 15, method="montecarlo", stderr=1e-6,
                                                time_budget=0.5, seed=0)),
    "compare_policies": ("hmm", lambda m: ss.compare_policies(m, [2] * 15, policies=("confidence", "random"),
                                                              method="montecarlo", stderr=1e-6, time_budget=0.5,
                                                              seed=0)),
}


@pytest.mark.parametrize("entry", sorted(TIMED))
def test_time_budget_is_honoured(entry):
    import warnings

    name, call = TIMED[entry]
    model = _built(name) if name else None
    # numba compiles the Gibbs kernel once per process (about 2 s, said in gibbs_profile's docstring)
    gibbs_profile(ISING, samples=2, burn_in=1, inner_sweeps=2, seed=0, progress=False, exact_pieces=False)
    t0, c0 = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "stopped by time_budget": said, and checked below
        try:
            out = call(model)
        except ss.ModelTooLargeError as err:
            assert "time_budget" in str(err) or "budget" in str(err)
            out = None
    took, cpu = time.perf_counter() - t0, time.process_time() - c0
    # measured alone: 0.5-0.6 s for the runs, 0.3 s (40x40 Gibbs) and 0.8 s (40x40 through information_profile,
    # which first finds the elimination width that sends it to Gibbs; 2 s on a 60x60 grid) for the refusals.
    # The wall clock of a loaded machine (load 12 on 2 cores seen) stretches all of it, so the work is bounded by
    # CPU time (a run ignoring the budget would take minutes of it) and the wall clock only loosely
    assert cpu < 2.0 and took < 10.0, (cpu, took)
    if entry == "gibbs_profile":
        assert any("stopped by time_budget" in t for t in out.notes)
