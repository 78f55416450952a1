"""Shipped files cite the project's own documentation, never notes that do not ship.

The design, literature and API notes the developers work from are not part of the package or of the
docs site: a user cannot follow a reference to them.  Everything users need of them lives in
``docs/`` (concepts.md, references.md, api.md) and in docstrings; this test keeps it that way.
"""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("symsched", "tests", "notebooks", "docs", "benchmarks", "README.md", "CONTRIBUTING.md", "mkdocs.yml")
# spelled in pieces so that this file does not match itself
NOTES = ["DES" + "IGN", "LITERA" + "TURE", "A" + "PI\\.md"]
PATTERN = re.compile(r"\b(" + "|".join(NOTES) + r")(\.md|'s|\b)")


def shipped_files():
    try:
        out = subprocess.run(["git", "ls-files", *SHIPPED], cwd=ROOT, capture_output=True, text=True, check=True)
        names = out.stdout.split()
    except (OSError, subprocess.CalledProcessError):
        names = [str(p.relative_to(ROOT)) for s in SHIPPED for p in ([ROOT / s] if (ROOT / s).is_file()
                                                                     else (ROOT / s).rglob("*")) if p.is_file()]
    return [ROOT / n for n in names if n.endswith((".py", ".md", ".ipynb", ".yml", ".txt", ".cfg", ".toml"))]


def test_the_pattern_catches_what_it_must():
    for text in ["see " + "DES" + "IGN.md §2", "LITERA" + "TURE.md", "(A" + "PI.md: x)", "DES" + "IGN's figures"]:
        assert PATTERN.search(text), text
    for text in ["docs/api.md", "design notes", "the literature", "DESIGNED", "RAPID.md"]:
        assert not PATTERN.search(text), text


def test_no_shipped_file_cites_unshipped_notes():
    files = shipped_files()
    assert len(files) > 100
    hits = [f"{f.relative_to(ROOT)}:{n}: {line.strip()[:100]}"
            for f in files for n, line in enumerate(f.read_text(errors="replace").splitlines(), 1)
            if PATTERN.search(line)]
    assert not hits, "cite docs/ pages instead:\n" + "\n".join(hits)
