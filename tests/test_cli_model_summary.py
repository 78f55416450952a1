"""The printed report of a large model summarises it (N, cardinalities, edges, table size as a power of ten,
the first and last names) instead of listing every variable; ``--verbose`` lists them all.

Expected values come from the model's definition (a chain of n variables has n - 1 edges and 2^n states; an
r x c grid has r(c-1) + c(r-1) edges), not from the code under test.
"""

import math
import re

import pytest

import symsched as ss
from symsched.cli import main, parse_model
from symsched.export.display import MODEL_LIST_MAX, model_lines, model_summary


def run(argv, capsys):
    assert main(argv) == 0
    return capsys.readouterr().out


def _model_block(text):
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("Model:"))
    end = next(i for i in range(start, len(lines)) if not lines[i].strip())
    return lines[start:end]


def test_profile_of_a_long_chain_prints_a_summary(capsys):
    n = 60
    out = run(["profile", f"chain:{n}:0.1"], capsys)
    block = _model_block(out)
    assert len(block) <= 5, block
    assert block[0] == f"Model: MarkovChain, N = {n} variables, {n - 1} edges"
    assert "all 2" in out and f"10^{math.log10(2 ** n):.1f}" in out and str(2 ** n) not in out
    names = block[1]
    assert "X1," in names and "X60" in names and "X30" not in names and f"{n} in all" in names
    # the profile table is summarised too, and the whole output stays short
    assert "not shown" in out and len(out.splitlines()) <= 60


def test_verbose_lists_every_variable(capsys):
    out = run(["profile", "chain:60:0.1", "--verbose"], capsys)
    block = _model_block(out)
    assert all(f"X{i}" in block[1] for i in range(1, 61))
    assert block[2].count("2") >= 60 and str(2 ** 60) in block[2]


def test_small_models_are_listed_in_full(capsys):
    out = run(["profile", "chain:5:0.1"], capsys)
    block = _model_block(out)
    assert "X1, X2, X3, X4, X5" in block[1] and "2, 2, 2, 2, 2" in block[2] and "32 entries" in block[2]


def test_schedule_report_summarises_too(capsys):
    out = run(["schedule", "chain:30:0.1", "-K", "3", "--no-bounds", "--no-mixture"], capsys)
    block = _model_block(out)
    assert len(block) == 4 and "29 edges" in block[0] and "X15" not in block[1]
    full = run(["schedule", "chain:30:0.1", "-K", "3", "--no-bounds", "--no-mixture", "--verbose"], capsys)
    assert "X15" in _model_block(full)[1]


@pytest.mark.parametrize("rows,cols", [(5, 6), (20, 20)])
def test_grid_summary_counts_edges_and_states(rows, cols):
    model = parse_model(f"ising-grid:{rows}:{cols}:0.3")
    lines = model_lines(model_summary(model))
    n = rows * cols
    assert lines[0] == f"Model: MarkovRandomField, N = {n} variables, {rows * (cols - 1) + cols * (rows - 1)} edges"
    assert len(lines) == 4 and n > MODEL_LIST_MAX
    size = re.search(r"joint table:\s+(.*) entries", lines[3]).group(1)
    assert size == (f"{2 ** n:,}" if 2 ** n < 10 ** 12 else f"≈ 10^{n * math.log10(2):.1f}")
    assert max(len(ln) for ln in lines) < 120


def test_report_api_takes_verbose():
    model = ss.binary_symmetric_chain(40, 0.1)
    short = str(ss.report(model, K=[2], mixture=False, bounds=False))
    full = str(ss.report(model, K=[2], mixture=False, bounds=False, verbose=True))
    assert "X20," not in _model_block(short)[1] and "X20," in _model_block(full)[1]


def test_long_frontier_line_is_summarised():
    rep = ss.report(ss.binary_symmetric_chain(40, 0.1), K=[2], mixture=False, bounds=False)
    lines = str(rep).splitlines()
    line = lines[next(i for i, ln in enumerate(lines) if ln.startswith("Optimal E KL")) + 1]
    head, tail = line.strip().split(", ... (20 more) ..., ")
    shown = [float(x) for x in head.split(", ")] + [float(x) for x in tail.split(", ")]
    want = [float(v) for v in rep.frontier[:16]] + [float(v) for v in rep.frontier[-4:]]
    assert shown == pytest.approx(want, rel=1e-3, abs=1e-12)
