"""Models written as programs: exact joints by path enumeration, against hand-built networks."""

import itertools
from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

import symsched as ss
from reference import brute_profile


def noisy_copies(eps, n=4):
    b = ss.flip(sp.Rational(1, 2))
    return [b ^ ss.flip(eps) for _ in range(n)]


def test_noisy_copies_equals_the_network_with_the_same_cpds_symbolically():
    eps = sp.Symbol("eps", positive=True)
    m = ss.program(noisy_copies, eps)
    assert isinstance(m, ss.DiscreteModel) and m.free_symbols == {eps}
    assert m.paths == 2 ** 5
    bn = ss.BayesianNetwork()
    bn.add_variable("B", 2)
    for i in range(4):
        bn.add_variable(f"X{i}", 2)
    bn.set_cpd("B", [sp.Rational(1, 2)] * 2)
    for i in range(4):
        bn.set_cpd(f"X{i}", [[1 - eps, eps], [eps, 1 - eps]], parents=["B"])
    by_hand = bn.joint("symbolic").sum(axis=0)  # B is latent: the program returns the copies only
    for a, b in zip(m.joint("symbolic").ravel(), by_hand.ravel()):
        assert sp.simplify(a - b) == 0
    prog_h = ss.information_profile(m, precision="symbolic").h
    for v in (sp.Rational(1, 10), sp.Rational(1, 3)):
        num = ss.information_profile(m.subs({eps: v})).h
        ref, _ = brute_profile(np.vectorize(lambda e: float(sp.sympify(e).subs(eps, v)))(by_hand))
        np.testing.assert_allclose(num, ref, atol=1e-12)
        np.testing.assert_allclose([float(h.subs(eps, v)) for h in prog_h], ref, atol=1e-12)


def test_chain_program_equals_markov_chain_exactly():
    init = [F(1, 3), F(2, 3)]
    T = [[F(3, 4), F(1, 4)], [F(1, 5), F(4, 5)]]

    def chain(n):
        x = [ss.categorical(init)]
        for _ in range(n - 1):
            x.append(ss.categorical(T[x[-1]]))
        return x

    m = ss.program(chain, 5)
    ref = ss.markov_chain(5, init, T).joint("symbolic")
    assert all(sp.nsimplify(a) == sp.nsimplify(b) for a, b in zip(m.joint("symbolic").ravel(), ref.ravel()))
    # the program goes through the subset route, the chain through the O(N^2) chain route: forms differ
    ours = ss.information_profile(m, precision="symbolic").h
    chain_h = ss.information_profile(ss.markov_chain(5, init, T), precision="symbolic").h
    np.testing.assert_allclose([float(sp.N(a, 30)) for a in ours], [float(sp.N(b, 30)) for b in chain_h],
                               rtol=0, atol=1e-13)


@given(st.lists(st.integers(1, 6), min_size=2, max_size=3), st.integers(1, 5), st.integers(0, 10 ** 6))
def test_two_stage_program_matches_its_product_formula(weights, k, seed):
    # Z ~ categorical(w); X_t | Z ~ categorical(row Z) for two tokens: p(x) = sum_z w_z r_z(x1) r_z(x2)
    w = [F(a, sum(weights)) for a in weights]
    rng = np.random.default_rng(seed)
    rows = []
    for _ in w:
        r = rng.integers(1, 5, size=k + 1)
        rows.append([F(int(a), int(r.sum())) for a in r])

    def prog():
        z = ss.categorical(w)
        return (ss.categorical(rows[z]), ss.categorical(rows[z]))

    m = ss.program(prog)
    table = m.joint("symbolic")
    assert sum(table.ravel()) == 1
    for x1, x2 in itertools.product(range(k + 1), repeat=2):
        assert table[x1, x2] == sum(w[z] * rows[z][x1] * rows[z][x2] for z in range(len(w)))


def test_floats_and_zero_probability_branches():
    m = ss.program(lambda: [ss.flip(0.25), ss.flip(0.0), ss.categorical([0.5, 0.0, 0.5])])
    assert m.paths == 2 * 1 * 2  # the zero-probability alternatives are skipped
    assert m.cardinalities == (2, 1, 3)
    assert m.joint()[1, 0, 2] == pytest.approx(0.125)
    # schedules and profiles work on it like on any model
    prof = ss.information_profile(m)
    assert float(ss.optimal_schedule(prof, 2).kl) == pytest.approx(0, abs=1e-12)  # independent tokens


def test_variable_length_choice_sequences():
    def geometric():
        n = 0
        while n < 3 and ss.flip(F(1, 3)):
            n += 1
        return [n]

    table = ss.program(geometric).joint("symbolic")
    assert list(table) == [F(2, 3), F(2, 9), F(2, 27), F(1, 27)]


def test_refusals():
    with pytest.raises(ValueError, match="inside a function passed to ss.program"):
        ss.flip(0.5)
    with pytest.raises(ValueError, match="not in \\[0, 1\\]"):
        ss.program(lambda: [ss.flip(1.5)])
    with pytest.raises(ValueError, match="do not sum to 1"):
        ss.program(lambda: [ss.categorical([F(1, 2), F(1, 3)])])
    with pytest.raises(ValueError, match="same number"):
        ss.program(lambda: [1] * (1 + ss.flip(0.5)))
    with pytest.raises(ValueError, match="tokens are ints"):
        ss.program(lambda: [-1])
    with pytest.raises(ValueError, match="list or tuple"):
        ss.program(lambda: 3)

    def unbounded():
        n = 0
        while ss.flip(0.5):
            n += 1
        return [min(n, 2)]

    with pytest.raises(ss.ModelTooLargeError, match="unbounded paths"):  # found by the probe at once
        ss.program(unbounded, max_paths=50)
    with pytest.raises(ss.ModelTooLargeError, match="execution paths"):  # 256 finite paths
        ss.program(lambda: [int(ss.flip()) for _ in range(8)], max_paths=50)

    def forever():
        while not ss.flip(0.5):
            pass
        return [0]

    with pytest.raises(ss.ModelTooLargeError, match="random choices"):
        ss.program(forever, max_choices=100)
    state = {"calls": 0}

    def impure():
        state["calls"] += 1
        return [ss.flip(F(1, 2) if state["calls"] == 1 else F(1, 3))]

    with pytest.raises(ValueError, match="deterministic"):
        ss.program(impure)
    with pytest.raises(ValueError, match="nested"):
        ss.program(lambda: [ss.program(lambda: [0]).N])
    with pytest.raises(ValueError, match="cardinalities"):
        ss.program(lambda: [ss.categorical([0.5, 0.5])], cardinalities=[1])
