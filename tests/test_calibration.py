"""Calibration of the reported standard errors against exact references (docs/uncertainty.md).

Over >= 20 seeds, z = (estimate - exact) / stderr must have rms in [0.7, 1.4] for every h_j, H, TC, DTC and the
expected KL of a schedule, each standard error computed from the profile's covariance (w' C w).  The exact
references are independent: brute-force enumeration (tests/reference.py) and transfer matrices on Ising strips
(tests/strip_reference.py).
"""

import itertools
import warnings

import networkx as nx
import numpy as np
import pytest
from reference import brute_profile
from strip_reference import strip_entropy, strip_h0, strip_h_last

import symsched as ss
from symsched.info.gibbs import gibbs_profile

SEEDS = range(20)


def _ising_joint(W, L, J, field):
    g = nx.grid_2d_graph(W, L)
    idx = {v: k for k, v in enumerate(g.nodes)}
    joint = np.zeros((2,) * len(idx))
    for x in itertools.product((0, 1), repeat=len(idx)):
        s = 2 * np.array(x) - 1
        joint[x] = np.exp(J * sum(s[idx[u]] * s[idx[v]] for u, v in g.edges) + field * s.sum())
    return g, joint / joint.sum()


def _functionals(N, schedule):
    """Weights of H, TC, DTC, the O-information and E KL(schedule) as linear functionals of h."""
    ekl = -np.ones(N)
    start = 0
    for k in schedule:
        ekl[start] += k
        start += k
    return {"H": np.ones(N), "TC": N * np.eye(N)[0] - 1, "DTC": 1 - N * np.eye(N)[-1],
            "O": N * (np.eye(N)[0] + np.eye(N)[-1]) - 2, "E KL": ekl}


def _rms_z(profiles, h_exact, schedule):
    h_exact = np.asarray(h_exact, dtype=float)
    W = _functionals(len(h_exact), schedule)
    zs = {name: [] for name in ["h_j", *W]}
    for p in profiles:
        C = p.covariance_matrix()
        C = C.toarray() if hasattr(C, "toarray") else np.asarray(C)
        h, se = np.asarray(p.h), np.asarray(p.stderr)
        zs["h_j"] += list((h - h_exact)[se > 0] / se[se > 0])
        for name, w in W.items():
            if name == "E KL":   # as expected_kl reports it: on the monotone projection, with its error
                est = ss.expected_kl(p, schedule)
                if est.stderr > 0:
                    zs[name].append((est.value - float(w @ h_exact)) / est.stderr)
                continue
            var = float(w @ C @ w)
            if var > 1e-14:  # exact to rounding: no z
                zs[name].append(float(w @ (h - h_exact)) / var ** 0.5)
    return {name: float(np.sqrt(np.mean(np.square(v)))) for name, v in zs.items() if v}


def _check(rms):
    print(rms)
    for name, r in rms.items():
        assert 0.7 <= r <= 1.4, (name, rms)


def test_transfer_matrix_reference_matches_brute_force():
    for W, L, J, f in [(2, 3, 0.4, 0.0), (3, 3, 0.7, 0.2), (1, 5, 0.5, -0.3)]:
        _, joint = _ising_joint(W, L, J, f)
        h, e = brute_profile(joint)
        assert abs(e[-1] - strip_entropy(W, L, J, f)) < 1e-10
        assert abs(h[0] - strip_h0(W, L, J, f)) < 1e-10
        assert abs(h[-1] - strip_h_last(W, L, J, f)) < 1e-10


@pytest.mark.slow
def test_gibbs_route_is_calibrated():
    g, joint = _ising_joint(2, 4, 0.45, 0.1)
    h, _ = brute_profile(joint)
    model = ss.ising(g, 0.45, 0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        profs = [gibbs_profile(model, seed=s, stderr=0.04, burn_in=50, exact_pieces=False, progress=False)
                 for s in SEEDS]
    rms = _rms_z(profs, h, (3, 5))
    assert set(rms) == {"h_j", "H", "TC", "DTC", "O", "E KL"}
    _check(rms)


@pytest.mark.slow
def test_gibbs_exact_pieces_pin_h_and_keep_the_rest_calibrated():
    g, joint = _ising_joint(2, 4, 0.45, 0.1)
    h, e = brute_profile(joint)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        profs = [gibbs_profile(ss.ising(g, 0.45, 0.1), seed=s, stderr=0.05, burn_in=50, progress=False)
                 for s in range(8)]
    for p in profs:
        assert abs(p.entropy - e[-1]) < 1e-9 and abs(p.h[0] - h[0]) < 1e-12 and abs(p.h[-1] - h[-1]) < 1e-12
        assert p.entropy_stderr == 0 and p.total_correlation_stderr == 0 and p.dual_total_correlation_stderr == 0
        assert any("junction tree" in n for n in p.notes)
    assert 0.4 <= _rms_z(profs, h, (3, 5))["E KL"] <= 1.8  # 8 seeds: a loose check; the slow test has 20


DATA_N = 5
P0, T = np.array([0.6, 0.4]), np.array([[0.85, 0.15], [0.3, 0.7]])


def _chain_joint():
    joint = np.zeros((2,) * DATA_N)
    for x in itertools.product((0, 1), repeat=DATA_N):
        joint[x] = P0[x[0]] * np.prod([T[a, b] for a, b in zip(x, x[1:])])
    return joint


@pytest.mark.parametrize("method, rows", [("plugin", 500), ("miller-madow", 500), ("chao-shen", 500),
                                          ("markov", 500), ("auto", 500), ("auto", 150)])
def test_data_estimators_are_calibrated(method, rows):
    h, _ = brute_profile(_chain_joint())
    model = ss.markov_chain(DATA_N, P0, T)
    kw = {"homogeneous": True} if method == "markov" else {}
    profs = [ss.estimate_profile(ss.sample_exact(model, rows, seed=100 + s), method, seed=s, bootstrap=40, **kw)
             for s in SEEDS]
    assert all(p.covariance is not None for p in profs)
    _check(_rms_z(profs, h, (2, 3)))


def test_expected_kl_stderr_is_the_covariance_functional():
    x = ss.sample_exact(ss.markov_chain(DATA_N, P0, T), 400, seed=3)
    p = ss.estimate_profile(x, "markov", seed=0, homogeneous=True, bootstrap=30)
    r = ss.expected_kl(p, [2, 3])
    w = _functionals(DATA_N, (2, 3))["E KL"]
    # a steep profile (h_j apart by several standard errors): the projection pools nothing, and its
    # bootstrapped standard error (400 draws, about 4 % sampling error) is the covariance functional's
    assert abs(r.stderr / float(w @ np.asarray(p.covariance) @ w) ** 0.5 - 1) < 0.12
    # the diagonal alone would be wrong here: the h_j of one fit are strongly correlated
    assert abs(r.stderr - float(np.sum(w ** 2 * np.asarray(p.stderr) ** 2)) ** 0.5) > 0.1 * r.stderr


@pytest.mark.slow
def test_gibbs_strong_coupling_strip_6x30():
    # J = 0.6 on a 6 x 30 strip: single-site chains stay in a magnetised domain (H came out 1.5 nats high);
    # the exact H by transfer matrix must lie within 3 reported standard errors on every seed (with the
    # junction tree's exact pieces H carries no error and must equal the transfer matrix's)
    model = ss.ising(nx.grid_2d_graph(6, 30), 0.6)
    exact = strip_entropy(6, 30, 0.6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for seed in range(5):
            p = gibbs_profile(model, seed=seed, samples=8, draws=1, inner_chains=2, inner_sweeps=4, inner_burn_in=2,
                              burn_in=50, progress=False)
            assert abs(p.entropy - exact) <= max(3 * p.entropy_stderr, 1e-8), (seed, p.entropy, exact)
            assert abs(p.h[-1] - strip_h_last(6, 30, 0.6)) < 1e-9
