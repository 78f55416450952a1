"""`symsched advise` and `symsched export` from the command line, checked against brute force and the
Dream loop emulation of tests/test_rules_calls_export.py (read from Dream's generation_utils, see there)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import symsched as ss
from reference import brute_profile, identity_kl
from test_rules_calls_export import dream_loop

SPEC = "chain:6:0.85"


def _run(*argv, check=True):
    r = subprocess.run([sys.executable, "-m", "symsched", *argv], capture_output=True, text=True, timeout=300)
    if check:
        assert r.returncode == 0, r.stderr
    return r


def _h():
    from symsched.cli.specs import parse_model
    return brute_profile(parse_model(SPEC).joint())[0]


def test_advise_json_least_steps_against_brute_force():
    target = 0.1
    out = json.loads(_run("advise", SPEC, "--target", "0.1", "--json", "--rules", "llada", "dream", "dllm",
                          "optimal", "--no-threshold").stdout)
    h = _h()
    assert [r["rule"] for r in out["rows"]] == ["llada", "dream", "dllm", "optimal"]
    for row in out["rows"]:
        K = row["K"]
        if row["rule"] == "optimal":
            continue
        kl_at = lambda k: identity_kl(h, ss.sampler_schedule(row["rule"], 6, k).sizes)  # noqa: E731
        assert kl_at(K) <= target + 1e-12 and all(kl_at(k) > target for k in range(1, K))
        assert row["kl"] == pytest.approx(kl_at(K), abs=1e-10)


def test_advise_text_and_K_mode():
    r = _run("advise", SPEC, "-K", "3")
    assert "E KL at K = 3" in r.stdout and "threshold" in r.stdout
    bad = _run("advise", SPEC, "--target", "-1", check=False)
    assert bad.returncode == 2 and "--target" in bad.stderr and "Traceback" not in bad.stderr
    both = _run("advise", SPEC, check=False)
    assert both.returncode == 2


def test_export_dream_grid_round_trips_through_the_loop(tmp_path):
    path = tmp_path / "grid.json"
    _run("export", SPEC, "-K", "3", "--format", "dream", "-o", str(path))
    times = json.loads(path.read_text())
    sizes = json.loads(_run("export", SPEC, "-K", "3").stdout)["sizes"]
    assert list(dream_loop(np.array(times, dtype=np.float32), 6)) == sizes


def test_export_json_and_llada():
    out = json.loads(_run("export", SPEC, "-K", "3").stdout)
    h = _h()
    opt = min(identity_kl(h, c) for c in [(a, b, 6 - a - b) for a in range(1, 5) for b in range(1, 6 - a)])
    assert out["expected_kl"] == pytest.approx(opt, abs=1e-10)
    assert json.loads(_run("export", SPEC, "-K", "3", "--format", "llada", "--rule", "llada").stdout) == [[2, 2, 2]]
    bad = _run("export", SPEC, "-K", "3", "--rule", "mdlm", check=False)
    assert bad.returncode == 2 and "grid" in bad.stderr
