"""The documentation is true: README and tutorial examples run and print what they show; api.md is complete."""

import doctest
import pathlib
import types

import pytest

import symsched as ss

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("path", ["README.md", "docs/tutorial.md", "docs/concepts.md"])
def test_examples_print_what_the_docs_show(path):
    import matplotlib

    matplotlib.use("Agg")
    # Every `>>>` example in the file is run; its printed output must equal the text shown under it.
    result = doctest.testfile(str(ROOT / path), module_relative=False, optionflags=doctest.ELLIPSIS
                              | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted > 0, f"{path} has no examples"
    assert result.failed == 0, f"{result.failed} example(s) in {path} do not print what the file shows"


def test_api_md_lists_every_public_name():
    text = (ROOT / "docs" / "api.md").read_text()
    public = [n for n in dir(ss) if not n.startswith("_") and not isinstance(getattr(ss, n), types.ModuleType)]
    missing = [n for n in public if f"`{n}(" not in text and f"`class {n}`" not in text and f"`{n}`" not in text]
    assert not missing, f"docs/api.md does not describe: {missing} (add one line each, name and first docstring line)"


def test_api_md_is_generated():
    # docs/api.md is generated from the code (docs/gen_api.py), so it cannot drift from it
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_api", ROOT / "docs" / "gen_api.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert (ROOT / "docs" / "api.md").read_text() == gen.render(), \
        "docs/api.md is stale: run `python docs/gen_api.py`"
    assert "dict() -> new empty dictionary" not in gen.render()


def test_docs_link_targets_exist():
    import re

    for md in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)\s#:]+\.(?:md|ipynb|py))\)", md.read_text()):
            assert (md.parent / target).exists(), f"{md.name} links to missing {target}"


def test_readme_demo_output_is_current(capsys):
    from symsched.cli import main

    text = (ROOT / "README.md").read_text()
    start = text.index("```text\n", text.index("The report `make demo` prints")) + len("```text\n")
    shown = text[start:text.index("\n```", start)]
    assert main(["demo"]) == 0
    assert capsys.readouterr().out.rstrip("\n") == shown, \
        "README.md's demo block is stale: paste the output of `python -m symsched demo` into it"


@pytest.mark.parametrize("module", ["symsched.export.latex", "symsched.export.display", "symsched.export.plots",
                                    "symsched.cli"])
def test_docstring_examples(module):
    import importlib

    import matplotlib

    matplotlib.use("Agg")
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
