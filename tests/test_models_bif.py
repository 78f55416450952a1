"""BIF reading and the pgmpy boundary, checked against pgmpy's own parser and inference."""

import gzip
import math
import warnings

import numpy as np
import pytest
import sympy as sp

import symsched as ss
from symsched.errors import ModelTooLargeError

pgmpy = pytest.importorskip("pgmpy")
from pgmpy.inference import VariableElimination  # noqa: E402
from pgmpy.readwrite import BIFReader  # noqa: E402


def pgmpy_example(name):
    from importlib.resources import files

    raw = gzip.decompress((files("pgmpy") / "utils" / "example_models" / f"{name}.bif.gz").read_bytes())
    return BIFReader(string=raw.decode("utf-8")).get_model()


def load(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return ss.load_example(name)


@pytest.mark.parametrize("name", ["asia", "cancer", "sachs"])
def test_examples_match_pgmpy_inference(name):
    bn = load(name)
    ref = pgmpy_example(name)
    assert set(bn.variables) == set(ref.nodes())
    p = bn.joint()
    assert math.isclose(p.sum(), 1.0, abs_tol=1e-9)
    ve = VariableElimination(ref)
    for v in bn.variables[:3] + bn.variables[-2:]:
        i = bn.index_of(v)
        ours = p.sum(axis=tuple(a for a in range(bn.N) if a != i))
        q = ve.query([v], show_progress=False)
        theirs = np.array([q.get_value(**{v: s}) for s in bn.states(v)])
        # pgmpy keeps the rounded rows as printed, we renormalise them: agree to the rounding
        np.testing.assert_allclose(ours, theirs, atol=1e-5)
    # a conditional query exercises the parent-axis layout
    child = max(bn.variables, key=lambda u: len(bn.cpd(u)[0]))
    parents, table = bn.cpd(child)
    q = ve.query([child], evidence={pa: bn.states(pa)[0] for pa in parents}, show_progress=False)
    theirs = np.array([q.get_value(**{child: s}) for s in bn.states(child)])
    np.testing.assert_allclose(table[(0,) * len(parents)], theirs, atol=1e-5)


def test_from_pgmpy_matches_read_bif_and_round_trips():
    ref = pgmpy_example("asia")
    a = ss.from_pgmpy(ref)
    b = ss.load_example("asia")
    assert set(a.variables) == set(b.variables)
    for v in b.variables:
        pa, ta = a.cpd(v)
        pb, tb = b.cpd(v)
        perm = [list(pa).index(p) for p in pb] + [len(pa)]
        np.testing.assert_allclose(np.transpose(ta, perm), tb)
        assert a.states(v) == b.states(v)
    back = ss.from_pgmpy(ss.to_pgmpy(b))
    np.testing.assert_allclose(back.joint(), b.joint(), atol=1e-15)
    ve = VariableElimination(ss.to_pgmpy(b))
    q = ve.query(["dysp"], evidence={"smoke": "yes"}, show_progress=False)
    p = b.joint()
    i, j = b.index_of("dysp"), b.index_of("smoke")
    pair = p.sum(axis=tuple(k for k in range(b.N) if k not in (i, j)))
    pair = pair if i < j else pair.T  # axes (dysp, smoke)
    np.testing.assert_allclose(pair[:, 0] / pair[:, 0].sum(), [q.get_value(dysp=s) for s in ("yes", "no")],
                               rtol=1e-12)


def test_sachs_rounding_is_reported_not_silent():
    with pytest.warns(UserWarning, match="rounding"):
        bn = ss.load_example("sachs")
    assert bn.graph["renormalized_rows"]
    with pytest.raises(ValueError, match="row_tolerance"):
        ss.load_example("sachs", row_tolerance=1e-12)


def test_alarm_loads_but_joint_is_refused():
    bn = load("alarm")
    assert bn.N == 37
    with pytest.raises(ModelTooLargeError, match="estimated cost"):
        bn.joint()


def test_read_bif_plain_gz_and_exact(tmp_path):
    text = """network test { }
variable A { type discrete [ 2 ] { a0, a1 }; }
variable B { type discrete [ 3 ] { b0, b1, b2 }; property weird; }
probability ( A ) { table 0.25, 0.75; }
probability ( B | A ) {
  (a0) 0.1, 0.2, 0.7;
  (a1) 0.5, 0.25, 0.25;
}
"""
    plain = tmp_path / "t.bif"
    plain.write_text(text)
    gz = tmp_path / "t.bif.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    for path in (plain, gz):
        bn = ss.read_bif(path)
        assert bn.variables == ("A", "B") and bn.states("B") == ("b0", "b1", "b2")
        assert math.isclose(bn.joint()[1, 0], 0.75 * 0.5)
    ex = ss.read_bif(plain, exact=True)
    assert ex.joint(precision="symbolic")[0, 2] == sp.Rational(1, 4) * sp.Rational(7, 10)
    # BIF 'table' form with a parent: the variable's states vary slowest (pgmpy's reading)
    t2 = text.replace("(a0) 0.1, 0.2, 0.7;\n  (a1) 0.5, 0.25, 0.25;", "table 0.1, 0.5, 0.2, 0.25, 0.7, 0.25;")
    p2 = tmp_path / "t2.bif"
    p2.write_text(t2)
    np.testing.assert_allclose(ss.read_bif(p2).joint(), ss.read_bif(plain).joint())
    np.testing.assert_allclose(ss.from_pgmpy(BIFReader(str(p2)).get_model()).joint(), ss.read_bif(plain).joint())


def test_bad_bif(tmp_path):
    p = tmp_path / "bad.bif"
    p.write_text("variable A { type discrete [ 2 ] { x, y }; }\nprobability ( A | Q ) { (x) 0.5, 0.5; }\n")
    with pytest.raises(ValueError, match="'A'.*undeclared parent 'Q'"):
        ss.read_bif(p)
    p.write_text("variable A { type discrete [ 2 ] { x, y }; }\nprobability ( A ) { table 0.5, 0.4; }\n")
    with pytest.raises(ValueError, match="'A'.*sums to"):
        ss.read_bif(p)
    with pytest.raises(ValueError, match="no shipped network 'nonesuch'"):
        ss.load_example("nonesuch")
