"""The compiled colour-class kernel of a Gibbs sweep draws exactly what the numpy formulation draws."""

import networkx as nx
import numpy as np
import pytest

import symsched as ss
from symsched.errors import SymschedError
from symsched.info.gibbs import GibbsSampler
from symsched.info.gibbs_kernel import class_update, have_kernel


def _run(s, x0, clamp, seed, compiled, sweeps=3):
    x, acc = x0.copy(), np.zeros((x0.shape[0], s.n, s.K))
    rng = np.random.default_rng(seed)
    for _ in range(sweeps):
        for c, cls in enumerate(s.classes):
            class_update(s._plans[c], s._top_state[c], cls, x, rng.random((x.shape[0], len(cls))), clamp, acc,
                         compiled=compiled)
    return x, acc


@pytest.mark.parametrize("model", [ss.ising(nx.grid_2d_graph(5, 6), 0.4, 0.2), ss.potts(nx.cycle_graph(9), 3, 0.5),
                                   ss.potts(nx.complete_graph(4), 4, -0.3)])
def test_kernel_matches_numpy_and_the_sampler_sweep(model):
    if not have_kernel():
        pytest.skip("numba not installed")
    s = GibbsSampler(model)
    x0 = s.start(np.random.default_rng(0), 64)
    clamp = np.random.default_rng(1).random((64, s.n)) < 0.3
    xn, an = _run(s, x0, clamp, 2, compiled=False)
    xc, ac = _run(s, x0, clamp, 2, compiled=True)
    assert np.array_equal(xn, xc) and np.allclose(an, ac, rtol=0, atol=1e-13)
    assert np.array_equal(xc[:, :s.n][clamp], x0[:, :s.n][clamp])
    # the sampler's own sweep (the kernel when numba is installed) against numpy, the same uniforms
    x, acc = x0.copy(), np.zeros_like(an)
    s.sweep(x, np.random.default_rng(2), clamp, acc)
    x1, a1 = _run(s, x0, clamp, 2, compiled=False, sweeps=1)
    assert np.array_equal(x, x1) and np.allclose(acc, a1, rtol=0, atol=1e-13)


@pytest.mark.parametrize("compiled", [False, None])
def test_disconnected_support_is_refused(compiled):
    m = ss.MarkovRandomField()
    for v in "abc":
        m.add_variable(v, 2)
    m.add_factor(["a", "b"], [[1.0, 0.0], [0.0, 1.0]])  # a == b
    m.add_factor(["a", "c"], [[1.0, 0.0], [0.0, 1.0]])  # a == c
    s = GibbsSampler(m)
    c = next(k for k, cls in enumerate(s.classes) if 0 in cls)
    x = np.array([[0, 0, 1, 0]])  # b != c: a has no state of positive weight
    with pytest.raises(SymschedError, match="variable 0 has no state of positive weight"):
        class_update(s._plans[c], s._top_state[c], s.classes[c], x, np.full((1, len(s.classes[c])), 0.5),
                     compiled=compiled)
