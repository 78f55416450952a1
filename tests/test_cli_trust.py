"""Issue 12 (command line): no traceback, ever; one line naming the file / formula and what to do.

Every case runs main([...]) in-process (capsys) and the worst ones also as a subprocess, whose
stderr must hold no "Traceback".
"""

import gzip
import subprocess
import sys


from symsched.cli import install_hint, main

from reference import brute_profile  # noqa: F401  (the shared references stay importable here)


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err):
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


BIF_HEAD = "network x {}\nvariable A { type discrete [ 2 ] { a, b }; }\n"


def test_missing_optional_dependency(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pgmpy", None)  # import pgmpy now raises ImportError
    code, _, err = run(["profile", "example:asia"], capsys)
    line = one_error_line(err)
    assert code == 2 and "pgmpy" in line and "pip install" in line


def test_install_hint_checkout_and_installed(tmp_path):
    checkout = tmp_path / "src"
    (checkout / "symsched").mkdir(parents=True)
    (checkout / "symsched" / "__init__.py").write_text("")
    (checkout / "pyproject.toml").write_text("")
    assert install_hint("pgmpy", checkout / "symsched").startswith('pip install -e ".[pgmpy]"')
    site = tmp_path / "site-packages" / "symsched"
    site.mkdir(parents=True)
    assert install_hint("pgmpy", site) == 'pip install "symsched[pgmpy]"'


def test_bad_number_in_table_names_file_and_line(tmp_path, capsys):
    f = tmp_path / "bad.bif"
    f.write_text(BIF_HEAD + "probability ( A ) {\n  table 0.5, abc;\n}\n")
    code, _, err = run(["profile", str(f)], capsys)
    line = one_error_line(err)
    assert code == 2 and str(f) in line and "line 4" in line and "'abc'" in line


def test_non_utf8_file_names_line(tmp_path, capsys):
    f = tmp_path / "latin.bif"
    f.write_bytes(b"network x {}\n// caf\xe9\n" + BIF_HEAD.encode()[13:] + b"probability ( A ) { table 0.5, 0.5; }\n")
    code, _, err = run(["profile", str(f)], capsys)
    line = one_error_line(err)
    assert code == 2 and str(f) in line and "line 2" in line and "UTF-8" in line


def test_truncated_gz(tmp_path, capsys):
    f = tmp_path / "cut.bif.gz"
    f.write_bytes(gzip.compress((BIF_HEAD + "probability ( A ) { table 0.5, 0.5; }\n").encode())[:30])
    code, _, err = run(["profile", str(f)], capsys)
    line = one_error_line(err)
    assert code == 2 and str(f) in line and "truncated or corrupt" in line


def test_directory_is_not_a_model(tmp_path, capsys):
    code, _, err = run(["profile", str(tmp_path) + "/"], capsys)
    assert code == 2 and "is not a file" in one_error_line(err)


def test_formula_payload_never_runs(tmp_path, capsys):
    target = tmp_path / "pwned"
    code, _, err = run(["limit", f"__import__('pathlib').Path('{target}').touch() or 1-u"], capsys)
    assert code == 2 and "formula" in one_error_line(err)
    assert not target.exists()
    code, _, err = run(["limit", "9**9**9"], capsys)
    assert code == 2 and "digits" in one_error_line(err)


def test_inadmissible_phi_is_one_line(capsys):
    code, _, err = run(["limit", "1/(u - 1/2)"], capsys)
    assert code == 2 and "singularity" in one_error_line(err)


def test_subprocess_never_prints_a_traceback(tmp_path):
    target = tmp_path / "pwned"
    f = tmp_path / "cut.bif.gz"
    f.write_bytes(gzip.compress(BIF_HEAD.encode())[:20])
    for argv in (["limit", f"__import__('os').system('touch {target}')"], ["profile", str(f)],
                 ["limit", "u"]):
        p = subprocess.run([sys.executable, "-m", "symsched", *argv], capture_output=True, text=True, timeout=120)
        assert p.returncode == 2 and "Traceback" not in p.stderr and p.stderr.startswith("symsched "), p.stderr
    assert not target.exists()
