"""The extended-table (lattice) route of the general exact profile against brute force and the exact routes."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import symsched as ss
import symsched.info.subsets as subsets
from symsched.arithmetic import arithmetic
from symsched.errors import ModelTooLargeError
from symsched.info.measures import DEFAULT_MAX_COST
from symsched.info.subsets import enumeration_cost, lattice_entropies, subset_entropy_sums

from reference import brute_profile, entropy, marginal, random_joint


def _subset_entropies(joint):
    n = joint.ndim
    return np.array([entropy(marginal(joint, [i for i in range(n) if m >> i & 1])) if m else 0.0
                     for m in range(2 ** n)])


@pytest.mark.parametrize("shape", [(2,), (3,), (1, 2), (2, 3), (2, 2, 2), (3, 1, 4, 2), (2,) * 7, (3,) * 5])
@pytest.mark.parametrize("block,threads", [(1 << 16, 1), (8, 1), (2, 3), (27, 2)])
def test_every_subset_entropy_matches_brute_force(shape, block, threads, monkeypatch):
    # small blocks force deep leading enumerations; several threads split the top-level branches
    monkeypatch.setattr(subsets, "LATTICE_BLOCK", block)
    joint = random_joint(shape, sum(shape))
    H = lattice_entropies(joint, threads=threads, progress=False)
    np.testing.assert_allclose(H, _subset_entropies(joint), rtol=0, atol=1e-13)


def test_zero_entries_and_deterministic_tables():
    joint = np.zeros((2, 3, 2))
    joint[0, 1, 1] = 0.25
    joint[1, 2, 0] = 0.75
    H = lattice_entropies(joint)
    assert np.all(np.isfinite(H))
    np.testing.assert_allclose(H, _subset_entropies(joint), rtol=0, atol=1e-15)
    point = np.zeros((2, 2))
    point[1, 0] = 1.0
    assert lattice_entropies(point).tolist() == [0.0, 0.0, 0.0, 0.0]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=1, max_size=6), st.integers(0, 2 ** 31), st.integers(1, 3))
def test_lattice_property(shape, seed, threads):
    joint = random_joint(tuple(shape), seed)
    np.testing.assert_allclose(lattice_entropies(joint, threads=threads), _subset_entropies(joint), rtol=0, atol=1e-13)


def test_float_profile_agrees_with_exact_arithmetic_and_brute_force():
    bn = ss.load_example("asia")
    fl = ss.information_profile(bn, progress=False)
    assert fl.method == "exact (subsets)"
    np.testing.assert_allclose(fl.h, brute_profile(bn.joint())[0], rtol=0, atol=1e-12)
    mp = ss.information_profile(bn, precision="mpmath", dps=30)
    np.testing.assert_allclose(fl.h, [float(x) for x in mp.h], rtol=0, atol=1e-12)
    bits = ss.information_profile(bn, base=2)
    np.testing.assert_allclose(bits.h, np.array(fl.h) / math.log(2), rtol=0, atol=1e-12)


def test_exact_arithmetic_route_stays_exact():
    F = Fraction
    joint = np.array([[F(1, 8), F(3, 8)], [F(1, 4), F(1, 4)]], dtype=object)
    sym = subset_entropy_sums(joint, arithmetic("symbolic"))
    fl = subset_entropy_sums(np.asarray(joint, dtype=float), arithmetic("float"))
    assert all(not isinstance(x, float) for x in sym)
    np.testing.assert_allclose([float(x) for x in sym], fl, rtol=0, atol=1e-14)


def test_threads_do_not_change_the_numbers():
    joint = random_joint((2,) * 12, 3)
    one = lattice_entropies(joint, threads=1)
    np.testing.assert_array_equal(one, lattice_entropies(joint, threads=2))


def test_default_budget_admits_binary_20_and_ternary_13_not_binary_21():
    budget = DEFAULT_MAX_COST["float"]
    assert enumeration_cost([2] * 20) <= budget and enumeration_cost([3] * 13) <= budget
    assert enumeration_cost([2] * 21) > budget


def test_progress_bar_is_optional(monkeypatch, capsys):
    pytest.importorskip("tqdm")
    joint = random_joint((2,) * 6, 1)
    H = lattice_entropies(joint, progress=True)
    np.testing.assert_allclose(H, _subset_entropies(joint), atol=1e-13)
    assert "subset marginals" in capsys.readouterr().err
    model = ss.from_joint(joint)
    quiet = ss.information_profile(model, progress=False)
    assert capsys.readouterr().err == ""
    np.testing.assert_allclose(quiet.h, brute_profile(joint)[0], atol=1e-12)
    # without tqdm: progress=True says what to install, the default stays silent
    import builtins
    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    with pytest.raises(ValueError, match=r"symsched\[progress\]"):
        lattice_entropies(joint, progress=True)
    monkeypatch.setattr(subsets, "PROGRESS_ENTRIES", 1)
    np.testing.assert_allclose(lattice_entropies(joint), _subset_entropies(joint), atol=1e-13)


def test_over_budget_is_refused_with_the_estimate():
    model = ss.from_joint(random_joint((2,) * 10, 0))
    with pytest.raises(ModelTooLargeError, match="montecarlo") as info:
        ss.information_profile(model, method="exact", max_cost=100)
    assert info.value.estimate == enumeration_cost([2] * 10)


def test_lattice_branches_on_processes_and_dask_give_the_same_numbers(monkeypatch):
    monkeypatch.setattr(subsets, "LATTICE_BLOCK", 27)  # several levels of branches
    joint = random_joint((2, 3, 2, 2, 3, 2), 4)
    here = lattice_entropies(joint, threads=1)
    np.testing.assert_array_equal(lattice_entropies(joint, workers=2), here)
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1, dashboard_address=None) as lc, \
            distributed.Client(lc) as client:
        np.testing.assert_array_equal(lattice_entropies(joint, workers=client), here)
        prof = ss.information_profile(ss.from_joint(joint), workers=client)
        np.testing.assert_allclose(prof.h, brute_profile(joint)[0], rtol=0, atol=1e-12)


def test_bad_progress_and_workers_are_refused_before_any_work():
    model = ss.binary_symmetric_chain(5, 0.1)
    with pytest.raises(ValueError, match="progress"):
        ss.information_profile(model, progress="yes")
    for bad in (0, "many", 2.5):
        with pytest.raises(ValueError, match="workers"):
            ss.information_profile(model, workers=bad)
