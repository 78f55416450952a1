"""Regression tests of the shared argument checks added for the fuzz contract (issue 12).

Each check refuses with a ValueError naming the argument; sizes are refused *before* anything is
allocated (ModelTooLargeError with the estimate); valid input gives the same values as before.
"""

from __future__ import annotations

import math
from fractions import Fraction

import networkx as nx
import numpy as np
import pytest
import sympy as sp

import symsched as ss
from symsched.errors import ModelTooLargeError, SymschedError
from symsched.models.table import as_model
from symsched.validation import (MAX_VARIABLES, check_choice, check_path, check_variable_count, choice_sequence,
                                 int_sequence)

HUGE = 10 ** 12


def test_check_variable_count_refuses_before_allocating():
    assert check_variable_count(5, "n") == 5
    with pytest.raises(ModelTooLargeError, match="n = 1e") as exc:
        check_variable_count(HUGE, "n", "copy_model")
    assert exc.value.estimate == HUGE and exc.value.budget == MAX_VARIABLES
    for bad in (0, -1, 2.5, True, None, "3", np.float64(3)):
        with pytest.raises(SymschedError, match="n must be"):
            check_variable_count(bad, "n")


@pytest.mark.parametrize("bad", [3, "ab", [1, 2.5], [[1], [2]], [True], np.zeros((2, 2)), [1, -1]])
def test_int_sequence_names_the_argument(bad):
    with pytest.raises(SymschedError, match="sizes"):
        int_sequence(bad, "sizes", "f")


def test_int_sequence_and_choices_accept_valid_input():
    assert int_sequence(np.array([1, 2]), "Ks") == (1, 2)
    assert int_sequence(range(3), "ns", minimum=0) == (0, 1, 2)
    assert check_choice("float", "precision", ("float", "mpmath")) == "float"
    assert choice_sequence(["llada"], "rules", ("llada", "dream")) == ("llada",)
    for bad in (np.zeros((2, 2)), ["x"], None):
        with pytest.raises(SymschedError, match="precision"):
            check_choice(bad, "precision", ("float", "mpmath"))
    with pytest.raises(SymschedError, match="rules"):
        choice_sequence("llada", "rules", ("llada",))   # a lone string is not a list of names


def test_check_path(tmp_path):
    f = tmp_path / "x.bif"
    f.write_text("")
    assert check_path(f) == str(f)
    with pytest.raises(SymschedError, match="path"):
        check_path(float("nan"))
    with pytest.raises(SymschedError, match="does not exist"):
        check_path(str(tmp_path / "missing.bif"))


def test_as_model_checks_every_model_argument():
    m = ss.copy_model(3)
    assert as_model(m) is m
    t = as_model(np.array([[0.5, 0.0], [0.0, 0.5]]))
    assert t.N == 2
    with pytest.raises(SymschedError, match="sampler_law: model must be a symsched model"):
        as_model(3.0, "sampler_law")
    with pytest.raises(SymschedError, match="model .a joint table. must be a pmf"):
        as_model(np.zeros((2, 2)))
    with pytest.raises(SymschedError, match="model must be"):
        as_model(np.array([0.5, 0.5]), tables=False)


@pytest.mark.parametrize("call", [
    lambda: ss.copy_model(HUGE), lambda: ss.parity_model(HUGE), lambda: ss.beta_bernoulli(HUGE, 1, 1),
    lambda: ss.independent(HUGE, [0.5, 0.5]), lambda: ss.independent(3, HUGE),
    lambda: ss.markov_chain(HUGE, [0.5, 0.5], [[0.9, 0.1], [0.1, 0.9]]),
    lambda: ss.potts(nx.path_graph(2), HUGE, 0.5), lambda: ss.sample_fhs(ss.copy_model(2), HUGE),
    lambda: ss.euler_law(ss.copy_model(2), HUGE), lambda: ss.shuffle_model(HUGE), lambda: ss.shuffle_tc(HUGE),
    lambda: ss.left_to_right_blocks(HUGE, 2), lambda: ss.count_orders([HUGE]),
])
def test_huge_sizes_are_refused_at_once(call):
    with pytest.raises(ModelTooLargeError):
        call()


def test_model_parameters_name_the_argument():
    with pytest.raises(SymschedError, match="coupling"):
        ss.ising(nx.path_graph(3), True)
    with pytest.raises(SymschedError, match="coupling"):
        ss.ising(nx.path_graph(3), float("-inf"))
    with pytest.raises(SymschedError, match="field"):
        ss.ising(nx.path_graph(3), 0.5, field={0: 1.0, 1: sp.I, 2: 0.0})
    with pytest.raises(SymschedError, match="eps"):
        ss.binary_symmetric_chain(3, 2.5)
    with pytest.raises(SymschedError, match="marginals"):
        ss.independent(marginals=3.0)
    with pytest.raises(SymschedError, match="emissions"):
        ss.HiddenMarkovModel([0.5, 0.5], [np.eye(2)], "ab")
    with pytest.raises(SymschedError, match="real number"):
        ss.beta_bernoulli(3, sp.I, 1)


def test_valid_values_unchanged():
    """The checks do not change values: symbolic eps, integer and Fraction marginals, bases."""
    e = sp.Symbol("epsilon")
    assert ss.binary_symmetric_chain(2, e).joint(precision="symbolic").tolist() == \
        [[sp.Rational(1, 2) - e / 2, e / 2], [e / 2, sp.Rational(1, 2) - e / 2]]
    assert ss.binary_symmetric_chain(2, Fraction(1, 4)).joint(precision="symbolic")[0, 1] == sp.Rational(1, 8)
    assert ss.independent(2, 3).joint(precision="symbolic")[0, 2] == sp.Rational(1, 9)
    # shuffle_tc: n log n - log n! in bits (independent closed form); in nats with base=None
    assert math.isclose(float(ss.shuffle_tc(3)), (3 * math.log(3) - math.log(6)) / math.log(2), rel_tol=1e-14)
    assert math.isclose(float(ss.shuffle_tc(3, base=None)), 3 * math.log(3) - math.log(6), rel_tol=1e-14)
    # bisection blocks do not depend on m beyond n (sub-rounds j >= n hold no position)
    assert ss.bisection_blocks(3, 5) == ss.bisection_blocks(3, 3)
    assert ss.count_orders([2, 3]) == math.comb(5, 2)
