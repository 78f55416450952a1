"""The docs site builds offline with warnings as errors (mkdocs --strict), as `make docs` runs it."""

import os
import posixpath
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("mkdocs", reason="the docs extra (mkdocs) is not installed")
pytest.importorskip("mkdocstrings", reason="the docs extra (mkdocstrings) is not installed")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site, built once with --strict (a broken link or anchor, or any warning, fails the build)."""
    out_dir = tmp_path_factory.mktemp("site") / "site"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    out = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(ROOT / "mkdocs.yml"),
                          "-d", str(out_dir)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    yield out_dir
    shutil.rmtree(out_dir)


def test_docs_site_builds_strict(site):
    for page in ["index.html", "concepts/index.html", "reference/models/index.html",
                 "notebooks/01_quickstart/index.html"]:
        assert (site / page).is_file(), page
    # the API reference is generated from the docstrings: a public function's docstring text is on its page
    text = (site / "reference" / "info" / "index.html").read_text()
    assert "information_profile" in text
    # docs/gen_api.py generates docs/api.md; it is not a page (mkdocs-jupyter would render it as a notebook)
    assert not (site / "gen_api").exists()


def _pages(site):
    return {p.relative_to(site).as_posix(): p.read_text() for p in site.rglob("*.html")}


def test_every_anchor_resolves(site):
    """Every ``#anchor`` link of every built page (the table of contents of a notebook included, whose heading
    ids mkdocs-jupyter makes itself) points at an element with that id on the page it names."""
    pages = _pages(site)
    ids = {name: set(re.findall(r'\bid="([^"]+)"', html)) for name, html in pages.items()}
    bad = []
    for name, html in pages.items():
        for target, anchor in re.findall(r'href="([^"#:]*)#([^"]+)"', html):
            page = posixpath.normpath(posixpath.join(posixpath.dirname(name), target)) if target else name
            if target and not page.endswith(".html"):
                page = posixpath.join(page, "index.html")
            if page in ids and anchor not in ids[page]:
                bad.append(f"{name}: {target}#{anchor}")
    assert not bad, bad
    assert sum(len(v) for v in ids.values()) > 100  # the scan saw the pages


def test_mathjax_is_loaded_from_a_real_url_once(site):
    pages = _pages(site)
    for name, html in pages.items():
        assert not re.search(r'<script[^>]*\bsrc=""', html), name    # an empty src loads the page as a script
        srcs = re.findall(r'<script src="([^"]*mathjax[^"]*)"', html, flags=re.I)
        assert srcs and all(src.startswith("https://") or src.endswith("javascripts/mathjax-loader.js")
                            for src in srcs), (name, srcs)
    nb = pages["notebooks/01_quickstart/index.html"]
    # the notebook's own MathJax comes first, so the loader for Markdown pages adds no second copy
    assert nb.index("mathjax@2.7.7") < nb.index("mathjax-loader.js")
    loader = (ROOT / "docs" / "javascripts" / "mathjax-loader.js").read_text()
    assert "if (!window.MathJax)" in loader and "mathjax@2.7.7" in loader
    assert "mathjax-loader.js" in pages["concepts/index.html"]
