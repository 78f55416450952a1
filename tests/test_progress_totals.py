"""Progress bars over loops of known work end at their total, and the total is the work done (issue 29).

A fake ``tqdm.auto`` records every bar; the units are counted independently by wrapping the function each unit
calls."""

import sys
import types

import numpy as np
import pytest

import symsched as ss
import symsched.info.estimate as est
import symsched.info.progress as prog
import symsched.samplers.advice as advice_mod
import symsched.samplers.practice as practice_mod


class FakeBar:
    made: list = []

    def __init__(self, total=None, desc="", unit="", leave=False):
        self.total, self.n, self.desc, self.closed = total, 0, desc, False
        FakeBar.made.append(self)

    def update(self, n=1):
        self.n += n

    def refresh(self):
        pass

    def close(self):
        self.closed = True


@pytest.fixture
def bars(monkeypatch):
    FakeBar.made = []
    monkeypatch.setitem(sys.modules, "tqdm.auto", types.SimpleNamespace(tqdm=FakeBar))
    return FakeBar.made


def counting(monkeypatch, module, name):
    calls = []
    real = getattr(module, name)

    def wrapped(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(module, name, wrapped)
    return calls


def only(bars):
    assert len(bars) == 1
    bar = bars[0]
    assert bar.closed and bar.n == bar.total
    return bar


def test_advise_and_steps_for_target(bars, monkeypatch):
    chain = ss.binary_symmetric_chain(10, 0.1)
    calls = counting(monkeypatch, advice_mod, "rule_kl")
    ss.advise(chain, target=0.2, rules=("llada", "mdlm", "optimal"), Kmax=20, threshold=False, progress=True)
    # every K scanned is one unit, the optimum one (its row's evaluation); each found row of a scanned rule is
    # evaluated once more to fill it in, which is not a unit of the scan
    assert only(bars).total == len(calls) - 2
    bars.clear()
    calls = counting(monkeypatch, practice_mod, "_rule_kl")
    ss.steps_for_target(chain, 0.05, rules=("llada", "mdlm", "optimal"), progress=True)
    assert only(bars).total == len(calls)           # mdlm not reached: all N of its K scanned


def test_advise_threshold_units(bars, monkeypatch):
    model = ss.binary_symmetric_chain(4, 0.1)
    taus = counting(monkeypatch, advice_mod, "policy_kl")
    ks = counting(monkeypatch, advice_mod, "rule_kl")
    a = ss.advise(model, target=0.3, rules=("llada",), progress=True)
    bar = only(bars)
    assert a.row("threshold")["K"] is not None
    assert bar.total == len(taus) + len(ks) - 1


def test_sweep_estimates_and_grid(bars, monkeypatch):
    ss.block_length_sweep(ss.binary_symmetric_chain(8, 0.1), 4, [2, 4, 8], progress=True)
    assert only(bars).total == 3
    bars.clear()
    rows = ss.sample_exact(ss.binary_symmetric_chain(7, 0.2), 300, seed=0)
    fits = counting(monkeypatch, est, "_model_profile")
    ss.estimate_profile(rows, "markov", bootstrap=5, seed=0, progress=True)
    assert only(bars).total == len(fits) == 6
    bars.clear()
    ss.estimate_profile(rows, "plugin", bootstrap=3, seed=0, progress=True)
    assert only(bars).total == 7                     # one unit per subset size j = 1..N
    bars.clear()
    r = ss.estimate_blockwise_kl(rows, 3, [[1, 2], [2, 1], [1]], "markov", bootstrap=4, seed=0, progress=True)
    assert only(bars).total == 5 and r.stderr > 0
    bars.clear()
    ss.estimate_blockwise_kl(rows, 3, [[1, 2], [2, 1], [1]], "plugin", bootstrap=4, seed=0, progress=True)
    assert only(bars).total == 3
    bars.clear()
    ss.optimal_bernoulli_grid(ss.information_profile(ss.binary_symmetric_chain(6, 0.1)), 5, progress=True)
    assert only(bars).total == 4


def test_automatic_bar_only_when_long_and_watched(bars, monkeypatch):
    chain = ss.binary_symmetric_chain(10, 0.1)
    monkeypatch.setattr(prog, "LONG_SECONDS", 0.0)
    monkeypatch.setattr(prog.time, "perf_counter", iter(np.arange(0, 1e6, 1.0)).__next__)  # each look: 1 s later
    monkeypatch.setattr(prog, "watched", lambda: False)
    ss.steps_for_target(chain, 0.05, rules=("llada", "mdlm"))
    assert bars == []                                # nobody watches: no bar, however long
    monkeypatch.setattr(prog, "watched", lambda: True)
    ss.steps_for_target(chain, 0.05, rules=("llada", "mdlm"))
    bar = only(bars)                                 # opened late, caught up, ended at its total
    assert bar.total > 10
    bars.clear()
    ss.steps_for_target(chain, 0.05, rules=("llada",), progress=False)
    assert bars == []
    with pytest.raises(ValueError, match="progress"):
        ss.steps_for_target(chain, 0.05, rules=("llada",), progress="yes")


def test_watched_is_false_under_pytest_capture():
    assert prog.watched() is False
