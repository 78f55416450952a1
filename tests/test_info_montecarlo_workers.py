"""Monte Carlo through information_profile: batched, the same numbers on any workers, within error bars of exact."""

import pytest

import symsched as ss
import symsched.info.montecarlo as montecarlo

from reference import brute_profile


@pytest.fixture(scope="module")
def asia():
    return ss.load_example("asia")


def test_same_seed_same_numbers_on_any_workers(asia):
    here = ss.information_profile(asia, method="montecarlo", seed=3, stderr=0.05, progress=False)
    two = ss.information_profile(asia, method="montecarlo", seed=3, stderr=0.05, workers=2, progress=False)
    assert here.h == two.h and here.stderr == two.stderr
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1, dashboard_address=None) as lc, \
            distributed.Client(lc) as client:
        remote = ss.information_profile(asia, method="montecarlo", seed=3, stderr=0.05, workers=client,
                                        progress=False)
    assert remote.h == here.h
    other = ss.information_profile(asia, method="montecarlo", seed=4, stderr=0.05, progress=False)
    assert other.h != here.h


def test_bayesian_network_route_within_error_bars(asia, monkeypatch):
    monkeypatch.setattr(montecarlo, "JOINT_TABLE_LIMIT", 0)  # sample and evaluate through the CPDs
    prof = ss.information_profile(asia, method="montecarlo", seed=1, stderr=0.02, progress=False)
    h = brute_profile(asia.joint())[0]
    assert not prof.exact
    for j in range(asia.N):
        assert abs(prof.h[j] - h[j]) <= 4.5 * prof.stderr[j] + 1e-12


def test_time_budget_stops_early(asia, monkeypatch):
    monkeypatch.setattr(montecarlo, "JOINT_TABLE_LIMIT", 0)
    quick = ss.information_profile(asia, method="montecarlo", seed=2, stderr=1e-6, samples=10 ** 7,
                                   time_budget=1e-6, progress=False)
    # one round per size ran: honest (large) standard errors, no hang
    assert max(quick.stderr) > 1e-4
