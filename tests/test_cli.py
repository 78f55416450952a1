"""The command line, run in-process: exit codes, error messages, and every printed number checked.

Printed numbers are compared with the library's functions called here directly, and where cheap
with an independent computation (brute force on the demo network's joint table, mpmath quadrature
for the continuum constants).
"""

import math
from fractions import Fraction
import re
import subprocess
import sys

import mpmath
import pytest
import sympy as sp

import symsched as ss
from symsched.cli import main, parse_model
from symsched.export.display import format_value
from reference import brute_measures, brute_optimal, brute_profile, brute_sampler, demo_joint


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def value_after(label, text):
    """The first number printed after `label` on its line (the value before any ' ≈ ')."""
    for line in text.splitlines():
        if label in line:
            rest = line.split(label, 1)[1]
            m = re.search(r"≈ (-?[0-9.eE+-]+)", rest)
            if m:
                return float(m.group(1))
            m = re.search(r"(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?:/(\d+))?", rest)
            return float(m.group(1)) / (int(m.group(2)) if m.group(2) else 1)
    raise AssertionError(f"{label!r} not printed in:\n{text}")


# -- usage and errors -------------------------------------------------------------------------

def test_help_exit_zero(capsys):
    code, out, _ = run(["--help"], capsys)
    assert code == 0 and "demo" in out and "schedule" in out and "chain:N:EPS" in out
    for sub in ("demo", "profile", "schedule", "limit"):
        code, out, _ = run([sub, "--help"], capsys)
        assert code == 0 and "usage: symsched " + sub in out


def test_no_command_prints_help(capsys):
    code, out, _ = run([], capsys)
    assert code == 0 and "COMMAND" in out


def test_version(capsys):
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and out.strip() == f"symsched {ss.__version__}"


@pytest.mark.parametrize("argv,message", [
    (["bogus"], "invalid choice"),
    (["profile", "nosuch:3"], "unknown MODEL 'nosuch:3'"),
    (["profile", "chain:5"], "expected chain:N:EPS"),
    (["profile", "chain:5:abc"], "chain flip probability eps must be a number"),
    (["profile", "chain:5:1.5"], "must be in [0, 1]"),
    (["profile", "copy:x"], "copy N must be an integer"),
    (["profile", "/no/such/file.bif"], "does not exist"),
    (["profile", "copy:3", "--base", "1"], "--base must be a number > 1"),
    (["schedule", "copy:3", "-K", "5"], "between 1 and N = 3"),
    (["limit", "1/(1+3*u", "-K", "3"], "is not a formula in u"),
    (["limit", "a*u", "-K", "3"], "depends on ['a']"),
    (["limit", "1-u", "-r", "0.5"], "the ratio N/K must be >= 1"),
    (["limit", "1-u", "-K", "5", "-N", "3"], "needs N >= K"),
    (["limit", "1-u", "--digits", "0"], "--digits must be >= 1"),
])
def test_bad_arguments_exit_nonzero_with_message(argv, message, capsys):
    code, out, err = run(argv, capsys)
    assert code != 0
    assert message in err
    assert "Traceback" not in err and "Traceback" not in out


def test_library_error_is_reported_not_raised(capsys):
    # an increasing phi is refused by riemann_limit with a SymschedError: one line, exit 2
    code, _, err = run(["limit", "u", "-K", "2"], capsys)
    assert code == 2 and err.startswith("symsched limit: error:") and "Traceback" not in err


def test_module_entry_point():
    proc = subprocess.run([sys.executable, "-m", "symsched", "--help"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "usage: symsched" in proc.stdout


# -- limit ------------------------------------------------------------------------------------

def test_limit_numbers(capsys):
    code, out, _ = run(["limit", "1/(1+3*u)", "-K", "4", "-N", "40", "-r", "2.5"], capsys)
    assert code == 0
    f = lambda x: 3 / (1 + 3 * x) ** 2  # noqa: E731  -phi' by hand
    with mpmath.workdps(30):
        sqrt_int = mpmath.quad(lambda x: mpmath.sqrt(f(x)), [0, 1])
        lead = sqrt_int ** 2 / 2
        # breakpoints b_t: int_0^b sqrt f = t/K int_0^1 sqrt f, solved by root finding
        bps = [mpmath.findroot(lambda b, t=t: mpmath.quad(lambda x: mpmath.sqrt(f(x)), [0, b]) - t * sqrt_int / 4,
                               t / 4) for t in (1, 2, 3)]
    assert math.isclose(value_after("int_0^1 sqrt(f) du", out), float(sqrt_int), rel_tol=1e-5)
    assert math.isclose(value_after("optimal schedule  (1/2)(int sqrt f)^2", out), float(lead), rel_tol=1e-5)
    assert value_after("constant schedule (1/2) Delta          =", out) == pytest.approx(3 / 8)
    for t, b in zip((1, 2, 3), bps):
        assert math.isclose(value_after(f"t = {t}:", out), float(b), rel_tol=1e-5)
    lim = ss.riemann_limit(1 / (1 + 3 * sp.Symbol("u", real=True)))
    assert f"sizes {tuple(lim.schedule(40, 4).sizes)}" in out
    q = lim.quantized(2.5)
    assert f"L(r) = {format_value(q.L)}" in out
    # docs/concepts.md §4: the smooth formula gives 0.4258 at r = 2.5
    assert f"smooth sqrt-f rule: {format_value(q.smooth_value)}" in out
    assert abs(float(q.smooth_value) - 0.4258) < 5e-5


# -- demo, profile, schedule --------------------------------------------------------------------

def test_parse_model_specs():
    assert parse_model("chain:6:0.1").N == 6
    m = parse_model("copy:4:3")
    assert m.N == 4 and m.cardinalities == (3,) * 4
    assert parse_model("parity:5").N == 5
    assert parse_model("independent:3").N == 3
    assert parse_model("ising-cycle:5:1/2").N == 5
    assert parse_model("ising-grid:2:3:0.3").N == 6
    assert parse_model("beta-bernoulli:7:2:3").N == 7
    assert parse_model("demo").N == 5


def test_demo_prints_brute_force_numbers(capsys):
    code, out, err = run(["demo"], capsys)
    assert code == 0, err
    joint = demo_joint()
    h, _ = brute_profile(joint)
    H, tc, dtc = brute_measures(joint)
    assert math.isclose(value_after("  TC:", out), tc, rel_tol=1e-5)
    assert math.isclose(value_after("  DTC:", out), dtc, rel_tol=1e-5)
    assert math.isclose(value_after("  H:", out), H, rel_tol=1e-5)
    rows = [li.split() for li in out.splitlines() if re.match(r"\s+[23]\s+(constant|optimal)\s+\(", li)]
    assert len(rows) == 4
    for cells in rows:
        K = int(cells[0])
        line = " ".join(cells)
        sizes = tuple(int(x) for x in line[line.index("(") + 1:line.index(")")].split(","))
        ekl, mix = (float(x) for x in line[line.index(")") + 1:].split())
        expected, mixture = brute_sampler(joint, sizes)
        assert math.isclose(ekl, expected, rel_tol=1e-5) and math.isclose(mix, mixture, rel_tol=1e-5)
        if cells[1] == "optimal":
            assert math.isclose(ekl, brute_optimal(h, K), rel_tol=1e-5)
    assert "Bounds from the literature" in out


def test_profile_command_matches_library(capsys):
    code, out, _ = run(["profile", "chain:7:0.1"], capsys)
    assert code == 0
    prof = ss.information_profile(ss.binary_symmetric_chain(7, Fraction(1, 10)))
    for j, h in enumerate(prof.h):
        assert re.search(rf"^\s+{j}\s+{re.escape(format_value(h))}\s", out, re.M), (j, h)
    assert f"TC:            {format_value(prof.total_correlation)}" in out
    assert f"DTC:           {format_value(prof.dual_total_correlation)}" in out
    # independently: H = log 2 + 6 h2(0.1), TC = 6 (log 2 - h2(0.1))
    h2 = -0.1 * math.log(0.1) - 0.9 * math.log(0.9)
    assert math.isclose(value_after("TC:", out), 6 * (math.log(2) - h2), rel_tol=1e-5)
    assert math.isclose(value_after("  H:", out), math.log(2) + 6 * h2, rel_tol=1e-5)


def test_profile_command_bits_and_mpmath(capsys):
    code, out, _ = run(["profile", "copy:4", "--base", "2"], capsys)
    assert code == 0 and "bits" in out
    assert value_after("TC:", out) == pytest.approx(3.0)        # (N-1) log_2 2
    assert value_after("DTC:", out) == pytest.approx(1.0)
    code, out, _ = run(["profile", "parity:4", "--precision", "mpmath", "--dps", "30", "--digits", "25"], capsys)
    assert code == 0
    with mpmath.workdps(40):
        assert f"DTC:           {mpmath.nstr(3 * mpmath.log(2), 25)}" in out   # (N-1) log 2 to 25 digits
        assert f"TC:            {mpmath.nstr(mpmath.log(2), 25)}" in out


def test_schedule_command_matches_library(capsys):
    code, out, _ = run(["schedule", "ising-cycle:6:1/2", "-K", "2", "3"], capsys)
    assert code == 0
    model = ss.ising(__import__("networkx").cycle_graph(6), Fraction(1, 2))
    prof = ss.information_profile(model)
    for K in (2, 3):
        opt = ss.optimal_schedule(prof, K)
        const = ss.constant_schedule(6, K)
        sizes = ", ".join(map(str, opt.sizes))
        assert re.search(rf"^\s+{K}\s+optimal\s+\({sizes}\)\s+{re.escape(format_value(opt.kl))}\s",
                         out, re.M)
        assert re.search(rf"^\s+{K}\s+constant\s+\({', '.join(map(str, const.sizes))}\)\s+"
                         rf"{re.escape(format_value(ss.expected_kl(prof, const)))}\s", out, re.M)
        mix = ss.exact_sampler_kl(model, opt.schedule)
        assert format_value(mix) in out
    assert "Bounds from the literature" in out
