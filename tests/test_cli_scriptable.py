"""The scriptable command line (issue #18): ``--json`` / ``--latex`` on every command, and its options.

Every number read back from ``--json`` is compared with the Python API called here directly and, where
cheap, with an independent computation (brute force on a joint table built by hand in reference.py,
closed forms, mpmath quadrature).
"""

import json
import math
import shutil
import subprocess
import sys
from fractions import Fraction

import mpmath
import numpy as np
import pytest

import symsched as ss
from symsched.cli import main
from symsched.cli.render import fit_text as _fit
from reference import (brute_measures, brute_optimal, brute_profile, brute_sampler, demo_joint, identity_kl,
                       symmetric_chain_joint)

CHAIN = "chain:5:0.1"


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def run_json(argv, capsys):
    code, out, err = run(argv + ["--json"], capsys)
    assert code == 0, err
    return json.loads(out)  # stdout holds the JSON and nothing else


def num(x):
    """A number from to_dict(): a float, or {"value": exact text, "float": f}."""
    return x["float"] if isinstance(x, dict) and "float" in x else (x["value"] if isinstance(x, dict) else x)


# every command, with cheap arguments
COMMANDS = {
    "demo": ["demo", "-K", "2"],
    "profile": ["profile", CHAIN],
    "profile-data": None,  # filled by the fixture below (needs a file)
    "schedule": ["schedule", CHAIN, "-K", "2", "3"],
    "rules": ["rules", CHAIN, "-K", "2", "3"],
    "policy": ["policy", "copy:3", "--sizes", "2", "1"],
    "policy-one": ["policy", CHAIN, "--policy", "confidence", "--sizes", "2", "2", "1"],
    "limit": ["limit", "1-u**2", "-K", "3", "-N", "6", "-r", "2"],
}


@pytest.fixture(scope="module")
def data_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "text.txt"
    rng = np.random.default_rng(0)
    path.write_text("".join(rng.choice(list("ab"), size=400)), encoding="utf-8")
    return str(path)


def argv_of(name, data_file):
    return ["profile", f"data:{data_file}", "--block", "4", "--bootstrap", "4"] if name == "profile-data" \
        else list(COMMANDS[name])


# -- --json: round trips to the API's numbers and to independent ones -------------------------------

def test_profile_json_is_the_profile_to_dict(capsys):
    d = run_json(["profile", CHAIN], capsys)
    assert d == json.loads(json.dumps(ss.information_profile(ss.binary_symmetric_chain(5, Fraction(1, 10))).to_dict()))
    h, _ = brute_profile(symmetric_chain_joint(5, 0.1))
    np.testing.assert_allclose(d["h"], h, atol=1e-12)
    H, tc, dtc = brute_measures(symmetric_chain_joint(5, 0.1))
    assert d["exact"] is True
    np.testing.assert_allclose([d["entropy"], d["total_correlation"], d["dual_total_correlation"]], [H, tc, dtc],
                               atol=1e-12)


def test_base_e_2_10(capsys):
    h, _ = brute_profile(symmetric_chain_joint(4, 0.2))
    nats = run_json(["profile", "chain:4:0.2"], capsys)
    assert run_json(["profile", "chain:4:0.2", "--base", "e"], capsys) == nats
    for base in (2, 10):
        d = run_json(["profile", "chain:4:0.2", "--base", str(base)], capsys)
        np.testing.assert_allclose(d["h"], np.array(h) / math.log(base), atol=1e-12)
        assert num(d["base"]) == base


def test_dps_sets_the_arithmetic_and_the_printed_digits(capsys):
    d = run_json(["profile", "chain:3:0.1", "--dps", "30"], capsys)
    code, out, _ = run(["profile", "chain:3:0.1", "--dps", "30"], capsys)
    code8, out8, _ = run(["profile", "chain:3:0.1", "--dps", "30", "--digits", "8"], capsys)
    with mpmath.workdps(40):
        eps = mpmath.mpf(1) / 10
        # the chain's H(X) = log 2 + 2 h(eps) and h_0 = log 2, in closed form
        H = mpmath.log(2) + 2 * -(eps * mpmath.log(eps) + (1 - eps) * mpmath.log(1 - eps))
        assert d["precision"] == "mpmath"
        assert abs(mpmath.mpf(d["h"][0]["value"]) - mpmath.log(2)) < mpmath.mpf(10) ** -28
        assert abs(mpmath.mpf(d["entropy"]["value"]) - H) < mpmath.mpf(10) ** -28
        printed = next(ln for ln in out.splitlines() if ln.strip().startswith("H:")).split(":")[1].strip()
        assert len(printed.replace(".", "").lstrip("0")) == 30
        assert abs(mpmath.mpf(printed) - H) < mpmath.mpf(10) ** -28
    printed8 = next(ln for ln in out8.splitlines() if ln.strip().startswith("H:")).split(":")[1].strip()
    assert code == code8 == 0 and len(printed8.replace(".", "")) == 8


def test_demo_json_matches_brute_force(capsys):
    d = run_json(["demo", "-K", "2", "3"], capsys)
    h, _ = brute_profile(demo_joint())
    np.testing.assert_allclose(d["profile"]["h"], h, atol=1e-12)
    for row in d["schedules"]:
        expected, mixture = brute_sampler(demo_joint(), row["sizes"])
        assert row["expected_kl"] == pytest.approx(expected, abs=1e-10)
        assert row["mixture_kl"] == pytest.approx(mixture, abs=1e-10)


def test_schedule_json_bounds_for_every_K_and_schedule(capsys):
    d = run_json(["schedule", CHAIN, "-K", "2", "3", "--no-mixture"], capsys)
    assert d["command"] == "schedule"
    h, _ = brute_profile(symmetric_chain_joint(5, 0.1))
    rows = d["report"]["schedules"]
    assert [(r["K"], r["schedule"]) for r in rows] == [(2, "constant"), (2, "optimal"), (3, "constant"),
                                                        (3, "optimal")]
    for r in rows:
        assert r["expected_kl"] == pytest.approx(identity_kl(h, r["sizes"]), abs=1e-12)
        if r["schedule"] == "optimal":
            assert r["expected_kl"] == pytest.approx(brute_optimal(h, r["K"]), abs=1e-12)
    assert [(b["K"], b["schedule"]) for b in d["bounds"]] == [(r["K"], r["schedule"]) for r in rows]
    prof = ss.information_profile(ss.binary_symmetric_chain(5, Fraction(1, 10)))
    for b, r in zip(d["bounds"], rows):
        table = b["table"]
        assert table["schedule"]["sizes"] == r["sizes"] and table["K"] == r["K"]
        assert table["exact_expected_kl"] == pytest.approx(identity_kl(h, r["sizes"]), abs=1e-12)
        api = ss.compare_bounds(prof, ss.Schedule(r["sizes"]), include_mixture=False).to_dict()
        assert table == json.loads(json.dumps(api))


def test_rules_json_matches_api_and_identity(capsys):
    d = run_json(["rules", "chain:6:0.1", "-K", "2", "3", "--rules", "llada", "dream", "optimal"], capsys)
    prof = ss.information_profile(ss.binary_symmetric_chain(6, Fraction(1, 10)))
    api = ss.kl_by_rule(prof, [2, 3], ("llada", "dream", "optimal"))
    assert d["kl_by_rule"] == json.loads(json.dumps(api.to_dict()))
    h, _ = brute_profile(symmetric_chain_joint(6, 0.1))
    for K, row in zip((2, 3), d["kl_by_rule"]["rows"]):
        assert row[0] == K
        assert row[1] == pytest.approx(identity_kl(h, ss.sampler_schedule("llada", 6, K).sizes), abs=1e-12)
        assert row[2] == pytest.approx(identity_kl(h, ss.sampler_schedule("dream", 6, K).sizes), abs=1e-12)
        assert row[3] == pytest.approx(brute_optimal(h, K), abs=1e-12)
    for K, comp in zip((2, 3), d["comparisons"]):
        assert comp == json.loads(json.dumps(ss.rule_comparison(prof, K, ("llada", "dream", "optimal")).to_dict()))


def test_policy_json_matches_api_and_brute_force(capsys):
    from reference import brute_adaptive_ties, kl   # ties broken at random: the policies' default
    joint = symmetric_chain_joint(5, 0.1)
    d = run_json(["policy", CHAIN, "--policy", "confidence", "--sizes", "2", "2", "1"], capsys)
    model = ss.binary_symmetric_chain(5, Fraction(1, 10))
    api = ss.policy_kl(model, "confidence", sizes=[2, 2, 1], law=False)
    assert d == json.loads(json.dumps(api.to_dict()))
    q, _ = brute_adaptive_ties(joint, "confidence", sizes=(2, 2, 1))
    assert d["kl"] == pytest.approx(kl(joint, q), abs=1e-10)
    c = run_json(["policy", CHAIN, "--sizes", "2", "2", "1"], capsys)
    api = ss.compare_policies(model, [2, 2, 1])
    assert c == json.loads(json.dumps(api.to_dict()))
    rows = dict((name, v) for name, v in c["rows"])
    h, _ = brute_profile(joint)
    assert rows["random (E_σ KL)"] == pytest.approx(identity_kl(h, (2, 2, 1)), abs=1e-10)
    assert rows["random"] == pytest.approx(brute_sampler(joint, (2, 2, 1))[1], abs=1e-10)
    t = run_json(["policy", "copy:3", "--policy", "threshold", "--threshold", "0.9"], capsys)
    q, _ = brute_adaptive_ties(_copy3(), "threshold", tau=0.9)
    assert t["kl"] == pytest.approx(kl(_copy3(), q), abs=1e-12)


def _copy3():
    joint = np.zeros((2, 2, 2))
    joint[0, 0, 0] = joint[1, 1, 1] = 0.5
    return joint


def test_limit_json_matches_quadrature(capsys):
    d = run_json(["limit", "1/(1+3*u)", "-K", "4", "-r", "3"], capsys)
    lim = d["limit"]
    def f(u):
        return 3 / (1 + 3 * u) ** 2  # -phi'
    integral = mpmath.quad(lambda u: mpmath.sqrt(f(u)), [0, 1])
    assert num(lim["leading_constant"]) == pytest.approx(float(integral ** 2 / 2), rel=1e-12)
    assert num(lim["constant_leading_constant"]) == pytest.approx(0.5 * (1 - 1 / 4), rel=1e-12)
    # breakpoints: G(s) = int_0^s sqrt f / int_0^1 sqrt f = t / K
    bps = [num(b) for b in d["breakpoints"]]
    assert len(bps) == 5
    for t, s in enumerate(bps):
        assert float(mpmath.quad(lambda u: mpmath.sqrt(f(u)), [0, s]) / integral) == pytest.approx(t / 4, abs=1e-12)
    api = ss.riemann_limit("1/(1+3*u)").quantized(3)
    assert num(d["quantized"][0]["L"]) == pytest.approx(float(api), rel=1e-12)


def test_profile_data_json(capsys, data_file):
    d = run_json(argv_of("profile-data", data_file), capsys)
    prof = d["profile"]
    assert prof["exact"] is False and len(prof["h"]) == 4 and all(s >= 0 for s in prof["stderr"])
    # i.i.d. fair coin text: every h_j is log 2 up to sampling error (400 symbols, 100 blocks)
    for h, se in zip(prof["h"], prof["stderr"]):
        assert abs(h - math.log(2)) < 0.05 + 4 * se
    assert d["TC"]["type"] == "Estimate" and d["TC"]["value"] >= 0


def test_seed_and_stderr_of_monte_carlo(capsys):
    base = ["profile", "chain:6:0.2", "--method", "montecarlo"]
    a = run_json(base + ["--seed", "3", "--stderr", "0.02"], capsys)
    assert a == run_json(base + ["--seed", "3", "--stderr", "0.02"], capsys)
    assert a["h"] != run_json(base + ["--seed", "4", "--stderr", "0.02"], capsys)["h"]
    assert a["exact"] is False
    h, _ = brute_profile(symmetric_chain_joint(6, 0.2))
    se = np.array(a["stderr"])
    assert max(se) <= 0.02 * 1.05
    assert np.all(np.abs(np.array(a["h"]) - h) <= 5 * se + 1e-12)
    finer = run_json(base + ["--seed", "3", "--stderr", "0.01"], capsys)
    assert max(finer["stderr"]) < max(se)


# -- --latex: math mode, compiles -------------------------------------------------------------------

@pytest.fixture(scope="module")
def latex_outputs(data_file):
    import io
    from contextlib import redirect_stdout
    outs = {}
    for name in COMMANDS:
        buf = io.StringIO()
        with redirect_stdout(buf):
            code = main(argv_of(name, data_file) + ["--latex"])
        assert code == 0, name
        outs[name] = buf.getvalue().strip()
    return outs


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_json_and_latex(name, capsys, data_file, latex_outputs):
    d = run_json(argv_of(name, data_file), capsys)
    assert isinstance(d, dict) and "type" in d
    tex = latex_outputs[name]
    assert "$" not in tex and tex.count("{") == tex.count("}") and tex.count(r"\begin") == tex.count(r"\end")


def test_latex_compiles(latex_outputs, tmp_path):
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex not installed (.ci/run installs texlive-latex-base/-recommended)")
    body = "\n".join(rf"\section*{{{name}}}" "\n" rf"\[ {tex} \]" for name, tex in latex_outputs.items())
    doc = ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\usepackage[a4paper,margin=1cm]{geometry}\n"
           "\\begin{document}\n" + body + "\n\\end{document}\n")
    (tmp_path / "cli.tex").write_text(doc, encoding="utf-8")
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "cli.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    log = (tmp_path / "cli.log").read_text(errors="replace")
    assert proc.returncode == 0, log[-3000:]
    assert "! " not in log


# -- errors: exit 2, one line ------------------------------------------------------------------------

@pytest.mark.parametrize("argv,message", [
    (["profile", CHAIN, "--json", "--latex"], "not allowed with"),
    (["profile", CHAIN, "--dps", "0"], "--dps must be between 1"),
    (["profile", CHAIN, "--dps", "20", "--precision", "float"], "needs --precision mpmath"),
    (["profile", CHAIN, "--stderr", "-1"], "--stderr must be a finite number > 0"),
    (["profile", CHAIN, "--max-cost", "0"], "--max-cost must be a finite number > 0"),
    (["profile", CHAIN, "--base", "0.5"], "--base must be a number > 1"),
    (["profile", CHAIN, "--seed", "-1"], "--seed must be >= 0"),
    (["profile", CHAIN, "--width", "5"], "--width must be >= 20"),
    (["profile", "ising-grid:3:3:0.5", "--method", "exact", "--max-cost", "10"], "exceeds the budget 10"),
    (["rules", CHAIN, "-K", "2", "--rules", "nope"], "--rules nope: unknown"),
    (["rules", CHAIN, "-K", "9"], "between 1 and N = 5"),
    (["policy", CHAIN, "--policy", "nope"], "--policy nope: unknown"),
    (["policy", CHAIN, "--sizes", "2", "2"], "summing to N = 5"),
    (["policy", CHAIN, "--policy", "threshold", "--threshold", "x"], "--threshold must be a number"),
    (["schedule", CHAIN], "required: -K"),
    (["demo", "--digits", "0"], "--digits must be >= 1"),
    (["limit", "1-u", "--json", "--latex"], "not allowed with"),
])
def test_bad_options_exit_2_with_one_line(argv, message, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert message.lower() in lines[0].lower()


# -- width-aware text ---------------------------------------------------------------------------------

def test_width_wraps_tables_into_panels_without_losing_cells(capsys):
    code, wide, _ = run(["schedule", CHAIN, "-K", "2", "--no-mixture"], capsys)
    code, narrow, _ = run(["schedule", CHAIN, "-K", "2", "--no-mixture", "--width", "72"], capsys)
    assert code == 0
    assert max(map(len, wide.splitlines())) > 72
    assert all(len(line) <= 72 for line in narrow.splitlines()), max(narrow.splitlines(), key=len)
    # every word of the wide output is still there (a dropped column would lose them)
    words = {w for w in wide.split() if set(w) != {"-"}}  # rules of dashes are cut to the page
    assert words <= set(narrow.split())


def test_fit_panels_repeat_the_key_column():
    text = "\n".join(["  name   aaaaaaaaaa  bbbbbbbbbb  cccccccccc", "  -----  ----------  ----------  ----------",
                      "  x      1           2           3", "  yy     4           5           6"])
    out = _fit(text, 32)
    assert all(len(line) <= 32 for line in out.splitlines())
    assert out.count("name") == 2 and "continued: 2 of 2" in out
    for cell in "123456":
        assert cell in out
    assert _fit(text, None) == text


def test_command_output_follows_the_result_protocol():
    from symsched.cli import CommandOutput
    prof = ss.information_profile(ss.copy_model(3))
    out = CommandOutput("x", {"profile": prof, "K": 2}, digits=4)
    assert json.loads(json.dumps(out.to_dict())) == {"type": "CommandOutput", "command": "x",
                                                     "profile": json.loads(json.dumps(prof.to_dict())), "K": 2}
    with pytest.raises(AttributeError):
        out.command = "y"
    with pytest.raises(TypeError):
        float(out)
    assert "profile" in str(out) and "<table" in out._repr_html_() and repr(out).startswith("CommandOutput(")
    assert out.latex().startswith(r"\begin{gathered}") and prof.latex() in out.latex()


def test_command_help_is_the_command_modules_docstring():
    # one place for a command's texts: the one-line help and the description come from its docstring
    import importlib

    from symsched.cli.options import command_texts
    for name in ("advise", "export", "schedule", "rules", "policy"):
        mod = importlib.import_module(f"symsched.cli.commands.{name}")
        short, desc = command_texts(name, mod.__doc__)
        assert short and not short.startswith("``") and desc and desc != short
        out = subprocess.run([sys.executable, "-m", "symsched", name, "--help"], capture_output=True, text=True)
        assert out.returncode == 0
        assert " ".join(desc.split())[:60] in " ".join(out.stdout.split())
