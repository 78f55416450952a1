"""Rooms that do one job (issue 22): no function over 120 lines and no class over 400 lines in the package.

Measured on the source with ``ast`` (first decorator or ``def``/``class`` line to the last line of the body,
docstring included).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "symsched"
MAX_FUNCTION, MAX_CLASS = 120, 400

#: Known oversize functions, each being reworked elsewhere; a fix makes the test fail until the entry is
#: removed, so the list only shrinks.
KNOWN: set = set()


def oversize(root: Path = ROOT) -> dict:
    """``{"path::name": lines}`` of every function over MAX_FUNCTION and class over MAX_CLASS lines."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                lines = node.end_lineno - start + 1
                limit = MAX_CLASS if isinstance(node, ast.ClassDef) else MAX_FUNCTION
                if lines > limit:
                    out[f"{path.relative_to(root).as_posix()}::{node.name}"] = lines
    return out


def test_no_function_over_120_and_no_class_over_400_lines():
    found = oversize()
    new = {k: v for k, v in found.items() if k not in KNOWN}
    assert not new, f"split these into smaller pieces (limits {MAX_FUNCTION} / {MAX_CLASS} lines): {new}"
    fixed = sorted(KNOWN - set(found))
    assert not fixed, f"fixed, remove from KNOWN: {fixed}"


def test_the_measure(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION))  # def line + 120 = 121 lines
    (tmp_path / "m.py").write_text(f"@staticmethod\ndef big():\n{body}\n\n\ndef small():\n    return 1\n")
    assert oversize(tmp_path) == {"m.py::big": MAX_FUNCTION + 2}
