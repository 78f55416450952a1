"""One result protocol (docs/concepts.md, "Results"): every result class, one shared test.

The classes are collected programmatically as the subclasses of ``symsched.results.Result`` defined in
the package, so a new result class without an entry in ``FACTORIES`` fails ``test_every_result_class_has_a_fixture``.
Each instance is checked for: ``float()`` of its headline (TypeError when it has none), ``to_dict()``
through ``json`` and back to the same numbers, math-mode ``latex()`` (no ``$``, balanced braces and
environments, and it compiles under pdflatex + amsmath when pdflatex is installed), a short one-line
``repr``, a readable ``str``, ``_repr_html_``, and immutability.
"""

import importlib
import json
import math
import pkgutil
import re
import shutil
import subprocess
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

import symsched as ss
from symsched.results import Result

U = sp.Symbol("u")
H = [0.7, 0.4, 0.1, 0.1]


def _all_result_classes():
    for info in pkgutil.walk_packages(ss.__path__, "symsched."):
        importlib.import_module(info.name)
    seen, todo = set(), [Result]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return {c for c in seen if c.__module__.startswith("symsched.") and not c.__name__.startswith("_")}


def _riemann():
    return ss.riemann_limit(1 / (1 + 3 * U), U, dps=20)


def _verification_table():
    from symsched.continuum.verify import convergence_table

    return convergence_table([10, 20, 40], lambda N: 2 + sp.Rational(3, N ** 2), {"limit": lambda N: 2}, {"limit": 2},
                             "demo")


def _report():
    return ss.report(ss.copy_model(3, 2), K=[2])


#: class name -> a function building one instance (small and fast).
_HMM = ss.hidden_markov_model(4, [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]], [[0.8, 0.2], [0.3, 0.7]])

FACTORIES = {
    "InformationProfile": lambda: ss.information_profile(ss.copy_model(3, 2)),
    "InteractionDecomposition": lambda: ss.interaction_decomposition(ss.parity_model(3), [2, 1]),
    "Advice": lambda: ss.advise([0.7, 0.4, 0.3, 0.1], target=0.2, rules=("llada", "mdlm", "optimal")),
    "Schedule": lambda: ss.Schedule([2, 1, 1], name="demo"),
    "SizeRule": lambda: ss.uniform_sizes(1, 2),
    "RandomizedSchedule": lambda: ss.RandomizedSchedule([(Fraction(1, 2), [1, 2]), (Fraction(1, 2), [2, 1])]),
    "OptimalSchedule": lambda: ss.optimal_schedule(H, 2),
    "Frontier": lambda: ss.optimal_frontier(H),
    "Bound": lambda: ss.li_cai_bound(H, [2, 2]),
    "Source": lambda: ss.bounds.SOURCES["CCL"],
    "BoundRow": lambda: ss.compare_bounds(H, [2, 2])["Li & Cai"],
    "BoundsTable": lambda: ss.compare_bounds(H, [2, 2]),
    "Estimate": lambda: ss.results.Estimate(0.1234, 0.0021, "E KL"),
    "Expansion": lambda: ss.expected_kl_expansion(1 - U, U),
    "VerificationTable": _verification_table,
    "LimitProfile": lambda: ss.continuum.profiles.LimitProfile(1 / (1 + 3 * U), U),
    "NumericLimitProfile": lambda: ss.fit_limit_profile([1 / (1 + 3 * j / 20) for j in range(20)]),
    "RiemannLimit": _riemann,
    "QuantizedLimit": lambda: _riemann().quantized(sp.Rational(5, 2), dps=15),
    "EulerCurve": lambda: ss.euler_tv_curve(ss.copy_model(3, 2), Ks=(1, 2, 4)),
    "MonteCarloEstimate": lambda: ss.montecarlo_sampler_kl(ss.copy_model(3, 2), [2, 1], n=200, seed=0),
    "Report": _report,
    # adaptive samplers (issue 15)
    "PolicyResult": lambda: ss.policy_kl(ss.copy_model(3), "confidence", sizes=[1, 2]),
    "OptimalPolicy": lambda: ss.optimal_policy(ss.copy_model(3), sizes=[1, 2]),
    "RemaskingResult": lambda: ss.remasking_kl(ss.copy_model(2), K=3, sigma=0.2),
    "AdaptiveFrontier": lambda: ss.adaptive_frontier(ss.copy_model(3), families=("confidence",), thresholds=(),
                                                     gammas=()),
    "PolicyComparison": lambda: ss.compare_policies(ss.copy_model(3), [2, 1]),
    "FastDLLMBounds": lambda: ss.fast_dllm_bounds(4, 0.1, 2),
    "FastDLLMCheck": lambda: ss.fast_dllm_check(np.array([[0.9, 0.02], [0.03, 0.05]])),
    "RegimeTable": lambda: ss.permutation_rounds_table([2, 3]),
    "SamplerSchedule": lambda: ss.sampler_schedule("llada", 8, 4, block_length=4),
    "RevealGrid": lambda: ss.sampler_grid("mdlm", 4),
    "UnmaskingGrowth": lambda: ss.unmasking_growth(H),
    "OptimalBernoulliGrid": lambda: ss.optimal_bernoulli_grid(H, 2),
    # the estimate forms (an Estimate inside the fields); the exact forms hold plain numbers
    "BlockwiseKL": lambda: ss.blockwise_expected_kl(_HMM, 2, [2], budget=1, samples=500, seed=0),
    "PartitionKL": lambda: ss.partition_kl(_HMM, [[0, 3], [1, 2]], method="montecarlo", samples=500, seed=0),
    "PracticeTable": lambda: ss.kl_by_rule(H, [2]),
    "CommandOutput": lambda: _command_output(),
    "PartitionComplexity": lambda: ss.partition_complexity(H, [0.25, 0.5, 0.75]),
    "WainwrightSchedule": lambda: ss.wainwright_schedule(H, 14, blocks=2),
    "ScheduleCertificate": lambda: ss.certify_schedule(ss.copy_model(3, 2), eps=5.0, samples=20),
    "SymbolicOptimum": lambda: ss.optimal_schedule(_symbolic_chain(4), 2, domain=(0, sp.Rational(1, 2))),
    "SymbolicFrontier": lambda: ss.optimal_frontier(_symbolic_chain(3)),
}


def _symbolic_chain(n):
    return ss.information_profile(ss.binary_symmetric_chain(n, sp.Symbol("epsilon", positive=True)),
                                  precision="symbolic")


def _command_output():
    from symsched.cli import CommandOutput
    return CommandOutput("rules", {"kl_by_rule": ss.kl_by_rule(H, [2]), "K": 2})

#: headline attribute each class must expose through float() (the calls users make, docs/api.md).
HEADLINES = {"OptimalSchedule": "kl", "QuantizedLimit": "L", "Bound": "value", "BoundRow": "value",
             "InformationProfile": "entropy", "BoundsTable": "exact_expected_kl", "RiemannLimit": "leading_constant",
             "Estimate": "value", "MonteCarloEstimate": "value", "PolicyResult": "kl"}

CLASSES = sorted(_all_result_classes(), key=lambda c: c.__name__)


def test_every_result_class_has_a_fixture():
    missing = sorted(c.__name__ for c in CLASSES if c.__name__ not in FACTORIES)
    assert not missing, f"result classes without a protocol fixture in tests/test_result_protocol.py: {missing}"


@pytest.fixture(scope="module", params=[c.__name__ for c in CLASSES])
def result(request):
    factory = FACTORIES.get(request.param)
    if factory is None:
        pytest.fail(f"no fixture for {request.param}")
    r = factory()
    assert type(r).__name__ == request.param
    return r


def _floats(x):
    """Every float inside a JSON value."""
    if isinstance(x, float):
        yield x
    elif isinstance(x, dict):
        for v in x.values():
            yield from _floats(v)
    elif isinstance(x, list):
        for v in x:
            yield from _floats(v)


def test_float_is_the_headline(result):
    name = type(result).__name__
    if name in HEADLINES:
        assert type(result)._headline == HEADLINES[name]
    if result._headline is None:
        with pytest.raises(TypeError):
            float(result)
        return
    value = getattr(result, result._headline)
    assert float(result) == float(value)
    if name == "QuantizedLimit":
        assert float(result) == float(result.L)


def test_to_dict_through_json(result):
    d = result.to_dict()
    text = json.dumps(d)
    back = json.loads(text)
    assert back == d  # pure JSON types: the same numbers come back, bit for bit
    assert all(isinstance(v, float) and (math.isfinite(v)) for v in _floats(back))
    head = result._headline
    if head is not None and head in d:
        v = d[head]
        v = v["float"] if isinstance(v, dict) and "float" in v else (v["value"] if isinstance(v, dict) else v)
        assert float(v) == pytest.approx(float(result), rel=1e-15, abs=0)


def _balanced(tex):
    stripped = re.sub(r"\\[{}]", "", tex)
    depth = 0
    for ch in stripped:
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            return False
    begins = re.findall(r"\\begin\{(\w+\*?)\}", tex)
    ends = re.findall(r"\\end\{(\w+\*?)\}", tex)
    return depth == 0 and sorted(begins) == sorted(ends)


def test_latex_is_math_mode(result):
    tex = result.latex()
    assert isinstance(tex, str) and tex.strip()
    assert "$" not in tex.replace(r"\$", ""), tex
    assert _balanced(tex), tex
    assert "tabular" not in tex
    assert result._repr_latex_().startswith("$")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed: LaTeX not compiled")
def test_latex_compiles(result, tmp_path):
    doc = ("\\documentclass{article}\\usepackage{amsmath,amssymb}\\usepackage[paperwidth=80cm]{geometry}"
           "\\begin{document}\n\\[ " + result.latex() + " \\]\n\\end{document}\n")
    (tmp_path / "r.tex").write_text(doc)
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "r.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]


def test_repr_short_and_str_readable(result):
    r = repr(result)
    assert len(r) < 200 and "\n" not in r, r
    assert r.startswith(type(result).__name__) or r.startswith("<" + type(result).__name__)
    s = str(result)
    assert s.strip() and " object at 0x" not in s
    html = result._repr_html_()
    assert "<" in html and ">" in html


def test_immutable(result):
    for name in [*result._fields[:2], "some_new_attribute"]:
        if name in ("N", "K") and isinstance(getattr(type(result), name, None), property):
            continue
        with pytest.raises(AttributeError):
            setattr(result, name, 0)


def test_digits_follow_the_requested_precision():
    prof = ss.information_profile(ss.copy_model(3, 2), precision="mpmath", dps=30)
    assert prof.digits == 30 and "0.693147180559945309417232121458" in str(prof)
    assert ss.information_profile(ss.copy_model(3, 2)).digits == 6


def test_numbers_survive_the_round_trip():
    # exact values come back as their exact strings beside a float
    prof = ss.information_profile(ss.copy_model(3, 2), precision="symbolic")
    d = json.loads(json.dumps(prof.to_dict()))
    assert sp.sympify(d["entropy"]["value"]) == sp.log(2) and d["entropy"]["float"] == float(np.log(2))
