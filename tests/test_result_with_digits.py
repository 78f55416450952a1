"""Results stay immutable from outside (issue 22): ``with_digits`` is a copy, the original is unchanged."""

import ast
from pathlib import Path

import pytest

from symsched.cli import main
from symsched.errors import SymschedError
from symsched.results import Estimate
from test_result_protocol import CLASSES, FACTORIES

ROOT = Path(__file__).resolve().parents[1] / "symsched"


@pytest.fixture(scope="module", params=[c.__name__ for c in CLASSES])
def result(request):
    return FACTORIES[request.param]()


def test_with_digits_is_a_frozen_copy(result):
    before = (result.digits, str(result))
    copy = result.with_digits(3)
    assert type(copy) is type(result) and copy is not result
    assert copy.digits == 3 and (result.digits, str(result)) == before  # the original is untouched
    with pytest.raises(AttributeError):
        copy.some_new_attribute = 0
    if result._headline is not None:
        try:
            assert float(copy) == float(result)
        except TypeError:  # no number (a rate without its constant, free symbols): the same for both
            with pytest.raises(TypeError):
                float(result)


def test_with_digits_prints_that_many_digits_and_refuses_nonsense():
    e = Estimate(0.123456789, 0.0000001, "x")
    assert "0.123457" in str(e) and "0.123" in str(e.with_digits(3)) and "0.1235" not in str(e.with_digits(3))
    for bad in (0, -1, 2.5, True, "3", None):
        with pytest.raises(SymschedError, match="digits"):
            e.with_digits(bad)


def test_no_code_outside_results_sets_attributes_behind_the_freeze():
    offenders = []
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__setattr__"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "object" and node.args
                    and not (isinstance(node.args[0], ast.Name) and node.args[0].id in ("self", "new", "cls"))):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"object.__setattr__ on another object (use with_digits / a new result): {offenders}"


def test_cli_digits_reach_the_printed_tables(capsys):
    assert main(["rules", "chain:6:0.1", "-K", "3", "--digits", "3"]) == 0
    three = capsys.readouterr().out
    assert main(["rules", "chain:6:0.1", "-K", "3", "--digits", "9"]) == 0
    nine = capsys.readouterr().out
    assert len(nine) > len(three)  # the same tables, more digits in every number
