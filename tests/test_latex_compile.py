"""Every result's LaTeX in ONE document, compiled by pdflatex (amsmath, amssymb) at an article's text width.

Fails on any LaTeX error and on any overfull box wider than 5pt (read from the log, each named by the
section it occurs in): paper-ready output must compile and fit the page.  The instances are the
result-protocol fixtures (tests/test_result_protocol.py, one per result class, collected
programmatically) plus the cases that used to break: symbolic profiles of a 4-node network with one
symbolic parameter, a report with its bounds (as ``latex()`` and through ``to_latex``), bounds tables
and a RiemannLimit derivation.  Where pdflatex is not installed the test is skipped and says so (CI
installs it: .ci/run).
"""

import re
import shutil
import subprocess
import warnings

import pytest
import sympy as sp

import symsched as ss
from symsched.formatting import latex_escape

from test_canonical_forms import EPS, _network
from test_result_protocol import FACTORIES

U = sp.Symbol("u")
#: Overfull boxes up to this width are tolerated (LaTeX's own slack); anything wider runs off the page.
MAX_OVERFULL_PT = 5.0


def _documents():
    """(title, LaTeX) pairs: math mode, except the derivation which is its own ``align`` environment."""
    items = [(name, factory().latex()) for name, factory in sorted(FACTORIES.items())]
    prof = ss.information_profile(_network(EPS), precision="symbolic")
    items.append(("symbolic profile, 4-node network, one parameter", prof.latex()))
    items.append(("symbolic profile, full simplification",
                  ss.information_profile(ss.binary_symmetric_chain(4, EPS), precision="symbolic",
                                         simplify="full").latex()))
    items.append(("profile of 40 tokens", ss.information_profile(ss.binary_symmetric_chain(40, 0.1)).latex()))
    items.append(("estimated profile", ss.information_profile(ss.binary_symmetric_chain(12, 0.1), method="montecarlo",
                                                              stderr=0.05, seed=0).latex()))
    rep = ss.report(ss.binary_symmetric_chain(6, 0.1), K=[2, 3])
    items.append(("report", rep.latex()))
    items.append(("to_latex(report)", ss.to_latex(rep)))
    items.append(("bounds table", ss.compare_bounds(ss.binary_symmetric_chain(6, 0.1), [3, 2, 1]).latex()))
    items.append(("bounds table, estimate", ss.compare_bounds(
        ss.information_profile(ss.binary_symmetric_chain(5, 0.2), method="montecarlo", stderr=0.05, seed=0),
        [2, 3]).latex()))
    items.append(("tiny numbers", ss.to_latex([3.8e-05, 1.25e-12, 6.02e23])))
    items.append(("a long sequence", ss.to_latex([1 / (k + 3) for k in range(40)])))
    items.append(("a long symbolic sum", ss.to_latex(prof.h[2])))
    return items


def _derivation():
    return ss.riemann_limit(1 / (1 + 3 * U), U).derivation()


@pytest.fixture(scope="module")
def items():
    return _documents()


def test_no_dollars_and_no_e_notation(items):
    for title, tex in items:
        assert "$" not in tex.replace(r"\$", ""), title
        assert "tabular" not in tex, title
        # 3.8e-05 inside math prints as "3.8e − 05": numbers must be 3.8\times10^{-5}
        assert not re.search(r"\d(\.\d+)?e[-+]?\d", tex), (title, re.search(r".{20}\de[-+]?\d.{5}", tex))


def test_text_is_the_same_in_mathjax(items):
    # Jupyter's MathJax prints escapes inside \text{} literally ("error\_L"): special characters are set
    # as math between text pieces (formatting.latex_text)
    escaped = re.compile(r"\\text\{[^{}]*\\[_&%#{}$][^{}]*\}")
    assert escaped.search(r"\text{error\_L}")  # the check sees the defect it guards against
    for title, tex in items:
        assert not escaped.search(tex), (title, escaped.findall(tex)[:5])


def test_text_labels_do_not_use_ot1_glyphs():
    # "KL(p||q)" in \text{} prints as "KL(p——q)" with the default OT1 font; "<=" as "¡="
    assert "|" not in latex_escape("KL(p||q)").replace(r"\|", "").replace(r"\ensuremath{|}", "")
    assert "<" not in latex_escape("E KL <= TC").replace(r"\ensuremath{\le}", "")


@pytest.fixture(scope="module")
def compiled(items, tmp_path_factory):
    if shutil.which("pdflatex") is None:
        reason = "pdflatex is not installed: the LaTeX compile test is skipped (.ci/run installs texlive)"
        warnings.warn(reason, stacklevel=2)
        pytest.skip(reason)
    body = []
    for k, (title, tex) in enumerate(items):
        body.append(rf"\section*{{{k}: {latex_escape(title)}}}" + "\n" + rf"\[ {tex} \]")
    body.append(r"\section*{RiemannLimit derivation}" + "\n" + _derivation())
    # exactly the documented preamble (symsched.latex_preamble), nothing more
    doc = "\n".join([r"\documentclass{article}", ss.latex_preamble(), r"\begin{document}",
                     *body, r"\end{document}", ""])
    tmp = tmp_path_factory.mktemp("latex")
    (tmp / "all.tex").write_text(doc)
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "all.tex"], cwd=tmp,
                         capture_output=True, text=True, timeout=300)
    log = (tmp / "all.log").read_text(errors="replace")
    return run, log, doc


def _section_of(doc_lines, line_no):
    for i in range(min(line_no, len(doc_lines)) - 1, -1, -1):
        if doc_lines[i].startswith(r"\section*"):
            return doc_lines[i]
    return "(preamble)"


def test_document_compiles(compiled):
    run, log, _ = compiled
    errors = re.findall(r"^! .*(?:\n.*){0,3}", log, re.M)
    assert run.returncode == 0 and not errors, "\n".join(errors) or run.stdout[-3000:]


def test_everything_fits_the_page(compiled):
    _, log, doc = compiled
    lines = doc.split("\n")
    too_wide = []
    for m in re.finditer(r"Overfull \\hbox \(([\d.]+)pt too wide\)[^\n]*?lines? (\d+)", log):
        if float(m.group(1)) > MAX_OVERFULL_PT:
            too_wide.append(f"{m.group(1)}pt in {_section_of(lines, int(m.group(2)))}")
    assert not too_wide, "overfull boxes:\n" + "\n".join(too_wide)
    assert "Overfull \\hbox" not in log or all(
        float(w) <= MAX_OVERFULL_PT for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt", log))


def test_overfull_detection_can_fail(tmp_path):
    # the log parsing above must see an overfull box when there is one
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    doc = (r"\documentclass{article}\usepackage{amsmath}\begin{document}" "\n"
           r"\[ " + " + ".join(f"x_{{{i}}}" for i in range(120)) + r" \]" "\n" r"\end{document}")
    (tmp_path / "w.tex").write_text(doc)
    subprocess.run(["pdflatex", "-interaction=nonstopmode", "w.tex"], cwd=tmp_path, capture_output=True, timeout=120)
    log = (tmp_path / "w.log").read_text(errors="replace")
    widths = [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert widths and max(widths) > MAX_OVERFULL_PT
