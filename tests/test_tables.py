"""Tables as tables (docs/concepts.md, "Tables"): one rendering path, ``to_pandas()`` and HTML on every result.

Every result class of the package is collected (as in tests/test_result_protocol.py, whose FACTORIES build
the instances).  A tabular one (its ``_table()`` hook returns a table) must give a DataFrame whose columns
hold the result's own attributes (read here from the attributes, not from the printer), an HTML ``<table>``
with one ``<tr>`` per row (parsed with the standard library), and a ``str`` of at most 40 lines however
long it is.  A record (no hook) gives a one-row frame of its fields.  A new result class without the hook
still prints, and one with the hook prints as a table.
"""

from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
import sympy as sp

import symsched as ss
from symsched import printing
from symsched.results import Estimate, Result
from test_result_protocol import CLASSES, FACTORIES, H


def _num(x):
    return x.value if isinstance(x, Estimate) else float(x)


def _close(frame_column, values):
    got = [float(v) for v in frame_column]
    want = [float(_num(v)) for v in values]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


def _rows_as_columns(r, cols):
    """The columns of a result whose ``rows`` are tuples in ``cols`` order (its own attribute)."""
    return {c: [row[i] for row in r.rows] for i, c in enumerate(cols)}


#: class name -> {DataFrame column: the values it must hold, read from the result's attributes}.
EXPECTED = {
    "PracticeTable": lambda r: _rows_as_columns(r, r.columns),
    "RegimeTable": lambda r: _rows_as_columns(r, r.columns),
    "AdaptiveFrontier": lambda r: {"parameter": [x[1] for x in r.rows], "calls": [x[2] for x in r.rows],
                                   "KL": [x[3] for x in r.rows], "family": [x[0] for x in r.rows]},
    "PolicyComparison": lambda r: {"policy": [x[0] for x in r.rows], "KL": [x[1] for x in r.rows]},
    "VerificationTable": lambda r: {c: [row[c] for row in r.rows] for c in r.columns},
    "Advice": lambda r: {c: [row[c] for row in r.rows] for c in ("rule", "K", "kl", "model_calls")},
    "BoundsTable": lambda r: {"name": [b.name for b in r.rows], "holds": [b.holds for b in r.rows],
                              "proven": [b.proven for b in r.rows]},
    "Frontier": lambda r: {"K": list(range(1, r.Kmax + 1)), "E KL": list(r.values)},
    "BlockwiseKL": lambda r: {"kl": list(r.per_block), "kl_stderr": list(r.per_block_stderr),
                              "sizes": list(r.sizes)},
    "PartitionKL": lambda r: {"tc": list(r.per_step), "tc_stderr": list(r.per_step_stderr),
                              "positions": [tuple(b) for b in r.blocks]},
    "InformationProfile": lambda r: {"j": list(range(r.N)), "h_j": list(r.h), "e_{j+1}": list(r.e[1:])},
    "Schedule": lambda r: {"k_t": list(r.sizes), "s_t": list(r.breakpoints[1:])},
    "SamplerSchedule": lambda r: {"k_t": list(r.sizes), "s_t": list(r.breakpoints[1:])},
    "InteractionDecomposition": lambda r: {"order": list(r.terms), "value": list(r.terms.values())},
    "FastDLLMCheck": lambda r: {"model": [r.tc, r.tv, r.greedy_equal],
                                "bound": [r.kl_bound, r.tv_bound, r.greedy_condition]},
}

#: tabular results that must render as one row per row (issue: "tables as tables").
MUST_BE_TABULAR = {"PracticeTable", "PolicyComparison", "AdaptiveFrontier", "BoundsTable", "RegimeTable",
                   "VerificationTable", "Frontier", "BlockwiseKL", "PartitionKL", "InformationProfile", "Schedule",
                   "InteractionDecomposition", "FastDLLMCheck", "Advice"}


class _Tables(HTMLParser):
    """Rows (lists of cell texts) of each ``<table>`` and its ``<th>`` header, by the standard library."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell, self._row, self._in_head = [], None, None, False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"head": [], "rows": []})
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._row is not None:
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr":
            (self.tables[-1]["head"] if self._in_head else self.tables[-1]["rows"]).append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def _html_tables(text):
    p = _Tables()
    p.feed(text)
    p.close()
    return p.tables


NAMES = [c.__name__ for c in CLASSES]


@pytest.fixture(scope="module", params=NAMES)
def result(request):
    return FACTORIES[request.param]()


def test_every_tabular_class_is_checked_against_its_attributes():
    tabular = {n for n in NAMES if printing.is_tabular(FACTORIES[n]())}
    assert MUST_BE_TABULAR <= tabular, sorted(MUST_BE_TABULAR - tabular)
    assert tabular <= set(EXPECTED), f"tabular classes without an EXPECTED entry: {sorted(tabular - set(EXPECTED))}"


def test_to_pandas_holds_the_attributes(result):
    name = type(result).__name__
    df = result.to_pandas()
    assert isinstance(df, pd.DataFrame)
    if not printing.is_tabular(result):
        # a record: one row, one column per field
        assert len(df) == 1 and list(df.columns)[:len(result._fields)] == [
            c for c in df.columns if c in result._fields or c.endswith("_stderr")][:len(result._fields)]
        for f in result._fields:
            v = getattr(result, f)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                assert float(df[f].iloc[0]) == pytest.approx(float(v), rel=1e-12)
        return
    expected = EXPECTED[name](result)
    n_rows = len(next(iter(expected.values())))
    assert len(df) == n_rows
    for col, values in expected.items():
        assert col in df.columns, (col, list(df.columns))
        got = list(df[col])
        if all(isinstance(v, (int, float, Estimate, np.floating, sp.Basic)) and not isinstance(v, bool)
               or v is None for v in values):
            pairs = [(g, w) for g, w in zip(got, values) if w is not None]
            _close([g for g, _ in pairs], [w for _, w in pairs])
            assert all(pd.isna(g) for g, w in zip(got, values) if w is None)
        else:
            assert [None if (not isinstance(g, (tuple, list)) and pd.isna(g)) else g for g in got] == \
                [w.value if isinstance(w, Estimate) else w for w in values]


def test_html_is_a_table_with_one_row_per_row(result):
    tables = _html_tables(result._repr_html_())
    assert tables, "no <table>"
    main = tables[0]
    if not printing.is_tabular(result):
        # a record: one row per field (a mapping or a long sequence gets a table of its own); a composite
        # (the report) lays out its parts' tables itself
        if type(result)._repr_html_ is Result._repr_html_:
            assert main["head"] == [["field", "value"]] and len(main["rows"]) <= len(result._field_items())
        return
    n = len(next(iter(EXPECTED[type(result).__name__](result).values())))
    assert len(main["rows"]) == (n if n <= printing.HTML_MAX_ROWS else 31)
    width = len(main["head"][0])
    assert all(len(r) == width for r in main["rows"])


def test_csv_has_every_row(result):
    text = result.to_csv()
    lines = text.strip().splitlines()
    if printing.is_tabular(result):
        n = len(next(iter(EXPECTED[type(result).__name__](result).values())))
        assert len(result.to_pandas()) == n
        assert len(lines) >= n + 1   # header + rows (a cell may hold a newline, quoted)


LONG = {
    "InformationProfile": lambda: ss.information_profile(ss.markov_chain(256, [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]])),
    "PracticeTable": lambda: ss.kl_by_rule(np.linspace(1, 0.1, 120), range(1, 101)),
    "Frontier": lambda: ss.optimal_frontier(np.linspace(1, 0.1, 100)),
    "Schedule": lambda: ss.Schedule([1] * 300),
}


@pytest.mark.parametrize("name", sorted(LONG))
def test_long_tables_print_summarised(name):
    r = LONG[name]()
    n = len(r.to_pandas())
    assert n >= 100
    lines = str(r).splitlines() if name not in ("Frontier", "Schedule") else printing.text(r).splitlines()
    assert len(lines) <= 40, "\n".join(lines)
    text = "\n".join(lines)
    assert f"of {n} rows not shown" in text
    last = r.to_pandas().iloc[-1, 0]
    assert str(last) in text  # the last row is shown
    html = _html_tables(r._repr_html_())[0]
    assert len(html["rows"]) == 31 and html["rows"][20][0] == "⋮"


def test_a_new_result_without_the_hook_still_renders():
    class Thing(Result):
        _fields = ("a", "b", "label")

        def __init__(self):
            self.a, self.b, self.label = 1.5, (1, 2, 3), "x_y"
            self._freeze()

    t = Thing()
    assert str(t).splitlines() == ["Thing", "  a: 1.5", "  b: (1, 2, 3)", "  label: x_y"]
    assert _html_tables(t._repr_html_())[0]["rows"] == [["a", "1.5"], ["b", "(1, 2, 3)"], ["label", "x_y"]]
    assert r"\text{a} & 1.5" in t.latex()
    df = t.to_pandas()
    assert list(df.columns) == ["a", "b", "label"] and df["a"][0] == 1.5 and df["b"][0] == (1, 2, 3)


def test_a_new_result_with_the_hook_renders_as_a_table():
    class Pairs(Result):
        _fields = ("xs",)

        def __init__(self, xs):
            self.xs = tuple(xs)
            self._freeze()

        def _table(self):
            rows = [(x, sp.Rational(x, 3), Estimate(x, 0.1)) for x in self.xs]
            return printing.Table(("x", "x squared", "err"), rows, title="squares")

    p = Pairs(range(5))
    df = p.to_pandas()
    assert list(df.columns) == ["x", "x squared", "err", "err_stderr"]
    assert list(df["x squared"]) == pytest.approx([x / 3 for x in range(5)])
    assert list(p.to_pandas(exact=True)["x squared"]) == [sp.Rational(x, 3) for x in range(5)]
    assert list(df["err_stderr"]) == [0.1] * 5
    text = str(p).splitlines()
    assert text[0] == "squares" and text[1].split() == ["x", "x", "squared", "err"] and len(text) == 3 + 5
    assert "4/3" in text[-1] and "±" in text[-1]
    assert len(_html_tables(p._repr_html_())[0]["rows"]) == 5
    assert p.latex().count(r"\\") >= 6 and r"\pm" in p.latex()
    assert p.to_csv().splitlines()[0] == "x,x squared,err,err_stderr"


def test_without_pandas_the_error_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"symsched\[tables\]"):
        ss.kl_by_rule(H, [2]).to_pandas()


def test_estimates_keep_their_errors_in_the_frame():
    c = ss.compare_policies(ss.copy_model(3), [2, 1], policies=("confidence", "random"), method="montecarlo",
                            samples=200, seed=0)
    df = c.to_pandas()
    for name, v in c.rows:
        row = df[df["policy"] == name].iloc[0]
        assert row["KL"] == v.value and row["KL_stderr"] == v.stderr
    assert "±" in str(c)


def test_policy_result_html_has_its_steps_as_tables():
    # the per-class hook HtmlPrinter._print_PolicyResult: fields, the distribution of steps, the per-step terms
    r = ss.policy_kl(ss.binary_symmetric_chain(4, 0.2), "confidence", sizes=[2, 1, 1])
    tables = _html_tables(r._repr_html_())
    fields, steps = tables[0], tables[-1]
    assert fields["head"] == [["field", "value"]] and "steps_distribution" not in [row[0] for row in fields["rows"]]
    assert [float(v) for _, v in steps["rows"]] == pytest.approx([float(x) for x in r.step_kl], rel=1e-5)
    assert sum(float(x) for x in r.step_kl) == pytest.approx(float(r.conditional_tc), rel=1e-9, abs=1e-12)
    dist = tables[1]["rows"]
    assert {int(k): float(p) for k, p in dist} == pytest.approx({k: float(p) for k, p in r.steps_distribution.items()})
