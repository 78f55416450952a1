"""Calibration of the growth quantities and the partition complexity of an estimated profile
(docs/uncertainty.md): over 20 seeds of Monte Carlo profiles of a 7-token hidden Markov model, the rms of
z = (estimate - exact) / stderr lies in [0.7, 1.4] for every quantity of ``unmasking_growth`` (linear ones by
sqrt(w' C w), ``fine``, ``fine_full``, ``ratio`` and ``effective_tc`` by the delta method with their gradients)
and for ``partition_complexity``'s ``C``, block masses and ``fine``; the exact values come from the exact
profile (itself checked against brute force in tests/test_info_calibration_engine.py's reference)."""

import math

import numpy as np
import pytest
from scipy.integrate import quad

import symsched as ss
import symsched.info.montecarlo as montecarlo
from symsched.results import Estimate
from symsched.schedules.growth import sqrt_rate_gradient

SEEDS = range(20)
GROWTH = ["coarse", "fine", "ratio", "fine_full", "tse", "h01", "tc", "dtc", "effective_tc"]


def _hmm():
    return ss.hidden_markov_model(7, [0.6, 0.4], [[0.85, 0.15], [0.25, 0.75]], [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])


def _rms(z):
    return float(np.sqrt(np.mean(np.square(z))))


def test_sqrt_rate_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    N = 6
    d = rng.random(N - 1) * 0.2 + 0.01

    def integral(dd, a, b):
        def f(t):
            basis = np.array([math.comb(N - 2, j) * t ** j * (1 - t) ** (N - 2 - j) for j in range(N - 1)])
            return math.sqrt(N * (N - 1) * float(basis @ dd))
        return quad(f, a, b, epsabs=1e-13, epsrel=1e-12)[0]

    for a, b in ((0.0, 1.0), (1 / N, 1 - 1 / N)):
        g = sqrt_rate_gradient(d, N, a, b)
        eps = 1e-6
        fd = [(integral(d + eps * e, a, b) - integral(d - eps * e, a, b)) / (2 * eps) for e in np.eye(N - 1)]
        assert g == pytest.approx(fd, rel=1e-5, abs=1e-8)


def test_estimate_growth_prints_error_bars_and_keeps_numbers():
    prof = ss.information_profile(_hmm(), method="montecarlo", seed=0, stderr=0.05)
    g = ss.unmasking_growth(prof)
    assert all(isinstance(getattr(g, k), float) for k in GROWTH)        # the attributes stay numbers
    assert set(GROWTH) <= set(g.stderr) and "±" in str(g)
    assert all(isinstance(v, (int, float, bool)) for k, v in g.to_dict().items() if k in GROWTH)
    pc = ss.partition_complexity(prof, blocks=3)
    assert isinstance(pc.fine, Estimate) and pc.fine.stderr > 0
    alloc, value = pc.allocation(6)
    assert isinstance(value, Estimate) and value.stderr > 0 and sum(alloc) == 6


@pytest.mark.slow
def test_growth_and_partition_complexity_are_calibrated(monkeypatch):
    model = _hmm()
    monkeypatch.setattr(montecarlo, "JOINT_TABLE_LIMIT", 0)   # the family oracle, not the joint table
    exact = ss.information_profile(model)
    ge, pe = ss.unmasking_growth(exact), ss.partition_complexity(exact, blocks=3)
    z = {k: [] for k in GROWTH + ["C", "H_m", "P (fine)", "allocation"]}
    ip_exact = pe.allocation(6)
    for s in SEEDS:
        prof = montecarlo.montecarlo_profile(model, seed=s, stderr=0.05, samples=2048, exact_pieces=False,
                                             progress=False)
        g = ss.unmasking_growth(prof)
        for k in GROWTH:
            z[k].append((getattr(g, k) - float(getattr(ge, k))) / g.stderr[k])
        pc = ss.partition_complexity(prof, blocks=3)
        z["C"].append((pc.C.value - float(pe.C)) / pc.C.stderr)
        z["H_m"] += [(h.value - float(he)) / h.stderr for h, he in zip(pc.H, pe.H)]
        z["P (fine)"].append((pc.fine.value - pe.fine) / pc.fine.stderr)
        alloc, value = pc.allocation(6)
        if alloc == ip_exact[0]:   # the same allocation: the value is the same linear functional
            z["allocation"].append((value.value - ip_exact[1]) / value.stderr)
    rms = {k: _rms(v) for k, v in z.items() if len(v) >= 10}
    print(rms)
    assert {"C", "P (fine)", *GROWTH} <= set(rms)
    assert all(0.7 <= v <= 1.4 for v in rms.values()), rms


def test_wainwright_thm1_of_an_estimate_carries_its_delta_method_error():
    # Thm 1's value on a fixed grid is linear in h: its error is sqrt(g' C g) with g the gradient, here taken
    # by differences of the independent wainwright_thm1_bound on the same grid
    from symsched.bounds.practice import wainwright_thm1_bound

    h = np.array([0.9, 0.72, 0.58, 0.47, 0.4, 0.36])
    se = np.array([0.01, 0.012, 0.011, 0.013, 0.01, 0.012])
    prof = ss.InformationProfile(tuple(h), e=tuple(np.concatenate([[0], np.cumsum(h)])), entropy=float(h.sum()),
                                 stderr=tuple(se))
    w = ss.wainwright_schedule(prof, 20)
    grid = [float(x) for x in w.grid]

    def thm1(v):
        return float(wainwright_thm1_bound(list(v), grid).value)

    base = thm1(h)   # linear in h on a fixed grid: forward differences are exact up to rounding
    grad = np.array([(thm1(h + 1e-5 * e) - base) / 1e-5 for e in np.eye(len(h))])
    assert isinstance(w.thm1, Estimate) and w.thm1.value == pytest.approx(base, rel=1e-9)
    assert w.thm1.stderr == pytest.approx(float(np.sqrt(np.sum((grad * se) ** 2))), rel=1e-5)


def test_optimal_bernoulli_grid_of_an_estimate_carries_error_bars():
    h = np.array([0.9, 0.75, 0.62, 0.52, 0.44, 0.38, 0.33, 0.3])
    se = np.full(len(h), 0.01)
    prof = ss.InformationProfile(tuple(h), e=tuple(np.concatenate([[0], np.cumsum(h)])), entropy=float(h.sum()),
                                 stderr=tuple(se))
    r = ss.optimal_bernoulli_grid(prof, 3)
    assert isinstance(r.asymptote, Estimate) and isinstance(r.lower_bound, Estimate)
    assert r.lower_bound.stderr == r.kl.stderr and r.lower_bound.value <= r.kl.value
    # the asymptote's error: P/(2K) with P = fine_full, whose error unmasking_growth reports (same gradient)
    g = ss.unmasking_growth(prof)
    assert r.asymptote.value == pytest.approx(g.fine_full / 6, rel=1e-4)
    assert r.asymptote.stderr == pytest.approx(g.stderr["fine_full"] / 6, rel=1e-3)
    assert "±" in str(r)
