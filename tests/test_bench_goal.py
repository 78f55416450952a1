"""The benchmark goal check (benchmarks/run.py): the accuracy goal reads the number closing the check text."""

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("bench_run", Path(__file__).resolve().parent.parent / "benchmarks"
                                               / "run.py")
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)


@pytest.mark.parametrize("text, met", [
    # the row that read "MISSED: error <= 0.05" with a stderr of 0.049: the text had no "=" before the number
    ("KL = 5.868 ± 0.049 from 256 paths; stderr 0.049", True),
    ("KL 5.868 ± 0.049 from 256 paths; stderr = 0.0490", True),
    ("confidence - random (E_σ KL): 5.776 ± 0.049 from 256 paired paths; stderr = 0.0490", True),
    ("KL 5.868 ± 0.051 from 256 paths; stderr = 0.0510", False),
    ("stderr = 5e-2", True),
    ("stderr = 5.1e-2", False),
])
def test_accuracy_goal_reads_the_closing_number(text, met):
    status = run._goal_status([("accuracy", 0.05)], 1.0, None, text)
    assert status.startswith("met" if met else "MISSED"), status


def test_accuracy_goal_without_a_number_is_not_a_miss():
    assert run._goal_status(("accuracy", 0.05), 1.0, None, "no number here").startswith("UNREAD")

