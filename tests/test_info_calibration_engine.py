"""Calibration of the routes on the Monte Carlo skeleton: over 30 seeds (40 and 160 for the denoiser), the rms
of z = (estimate - exact) / stderr lies in [0.7, 1.4] for h_j, H, TC, DTC and the O-information (standard errors
of the totals from the full covariance) and for E KL of a schedule as ``expected_kl`` reports it (on the monotone
projection, its standard error that of the projection), against brute force on the joint table."""

import numpy as np
import pytest

import symsched as ss
import symsched.info.montecarlo as montecarlo

from reference import brute_measures, brute_profile, identity_kl

SEEDS = range(30)


def _small_bn():
    rng = np.random.default_rng(4)
    bn = ss.BayesianNetwork()
    for v in "ABCDE":
        bn.add_variable(v, 2)
    parents = {"A": [], "B": ["A"], "C": ["A"], "D": ["B", "C"], "E": ["D"]}
    for v, ps in parents.items():
        t = rng.random([2] * len(ps) + [2]) + 0.2
        bn.set_cpd(v, t / t.sum(axis=-1, keepdims=True), parents=ps)
    return bn


def _hmm():
    return ss.hidden_markov_model(6, [0.6, 0.4], [[0.85, 0.15], [0.25, 0.75]],
                                  [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])


def _exact(model):
    joint = np.asarray(model.joint("float"))
    h, _ = brute_profile(joint)
    H, TC, DTC = brute_measures(joint)
    return np.array(h), {"H": H, "TC": TC, "DTC": DTC}


def _rms(z):
    z = np.asarray(z, dtype=float)
    return float(np.sqrt(np.mean(z ** 2)))


def _check(profiles, model, schedule):
    h, tot = _exact(model)
    joint = np.asarray(model.joint("float"))
    ekl = identity_kl(list(brute_profile(joint)[0]), schedule)
    for p in profiles:   # a size estimated without noise (an exact h_0) is exact
        zero = np.array(p.stderr) == 0
        assert np.all(np.abs(np.array(p.h)[zero] - h[zero]) < 1e-12)
    zh = np.concatenate([(np.array(p.h) - h)[np.array(p.stderr) > 0] / np.array(p.stderr)[np.array(p.stderr) > 0]
                         for p in profiles])
    out = {"h_j": _rms(zh)}
    tot["O"] = tot["TC"] - tot["DTC"]
    for name, attr in (("H", "entropy"), ("TC", "total_correlation"), ("DTC", "dual_total_correlation"),
                       ("O", "o_information")):
        out[name] = _rms([(getattr(p, attr) - tot[name]) / getattr(p, attr + "_stderr") for p in profiles])
    est = [ss.expected_kl(p, schedule) for p in profiles]
    out["E KL"] = _rms([(e.value - ekl) / e.stderr for e in est])
    print(out)
    for name, r in out.items():
        assert 0.7 <= r <= 1.4, (name, out)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("family", ["bn", "hmm"])
def test_elimination_and_forward_backward_profiles_are_calibrated(family, monkeypatch):
    model = _small_bn() if family == "bn" else _hmm()
    monkeypatch.setattr(montecarlo, "JOINT_TABLE_LIMIT", 0)   # the family oracle, not the joint table
    profiles = [montecarlo.montecarlo_profile(model, seed=s, stderr=0.05, samples=2048, exact_pieces=False,
                                              progress=False) for s in SEEDS]
    assert all(p.covariance is not None for p in profiles)
    _check(profiles, model, (2, 3) if family == "bn" else (2, 2, 2))


@pytest.mark.slow
@pytest.mark.parametrize("loss,rows,seeds", [("entropy", 4000, 40), ("cross-entropy", 60, 160)])
def test_denoiser_profiles_are_calibrated(loss, rows, seeds):
    """Fresh data per seed (the estimate's error includes the data's); with 60 rows for 5 x 100 draws the rows
    are reused across sizes, and only the covariance clustered across sizes keeps H, TC, DTC honest.  This
    network's profile is nearly flat (h_0 - h_4 = 0.028 nats against standard errors of ~0.02), so the monotone
    projection pools most cross-entropy estimates and E KL's z is far from normal: 160 seeds make its rms a
    measurement rather than a draw (over the first 40 alone it is 0.69 where 300 seeds give 0.91)."""
    model = _small_bn()
    den = ss.exact_denoiser(model)
    profiles = [ss.denoiser_profile(den, ss.sample_exact(model, rows, seed=1000 + s), samples_per_size=100,
                                    seed=s, loss=loss) for s in range(seeds)]
    _check(profiles, model, (2, 3))


def test_exact_h0_has_exactly_zero_stderr():
    model = ss.independent(marginals=[[0.3, 0.7], [0.5, 0.5], [0.2, 0.8]])
    data = ss.sample_exact(model, 50, seed=0)
    prof = ss.denoiser_profile(ss.exact_denoiser(model), data, samples_per_size=40, seed=1)
    # nothing revealed: every draw is the mean of the marginals' entropies; j > 0 varies with the masked set
    assert prof.stderr[0] == 0.0 and prof.stderr[1] > 0
    dep = ss.denoiser_profile(ss.exact_denoiser(_small_bn()), ss.sample_exact(_small_bn(), 300, seed=0),
                              samples_per_size=40, seed=1)
    assert dep.stderr[0] == 0.0 and all(s > 0 for s in dep.stderr[1:])
    assert dep.covariance is not None and np.all(dep.covariance[0] == 0)


def test_o_information_stderr_is_that_of_tc_minus_dtc():
    model = _small_bn()
    prof = ss.denoiser_profile(ss.exact_denoiser(model), ss.sample_exact(model, 300, seed=0), samples_per_size=40,
                               seed=1)
    C = np.asarray(prof.covariance)
    N = prof.N
    w = N * (np.eye(N)[0] + np.eye(N)[-1]) - 2          # TC - DTC = N h_0 + N h_{N-1} - 2 H
    assert prof.o_information_stderr == pytest.approx(float(np.sqrt(w @ C @ w)), rel=1e-12)
    assert prof.o_information == pytest.approx(prof.total_correlation - prof.dual_total_correlation, abs=1e-12)
    assert ss.information_profile(model).o_information_stderr == 0
