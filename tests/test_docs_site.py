"""The docs site builds offline with warnings as errors (mkdocs --strict), as `make docs` runs it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("mkdocs", reason="the docs extra (mkdocs) is not installed")
pytest.importorskip("mkdocstrings", reason="the docs extra (mkdocstrings) is not installed")


def test_docs_site_builds_strict(tmp_path):
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    out = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(ROOT / "mkdocs.yml"),
                          "-d", str(tmp_path / "site")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    for page in ["index.html", "concepts/index.html", "reference/models/index.html",
                 "notebooks/01_quickstart/index.html"]:
        assert (tmp_path / "site" / page).is_file(), page
    # the API reference is generated from the docstrings: a public function's docstring text is on its page
    text = (tmp_path / "site" / "reference" / "info" / "index.html").read_text()
    assert "information_profile" in text
    shutil.rmtree(tmp_path / "site")
