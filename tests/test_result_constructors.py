"""Result constructors take at most three positional arguments (issue 22: results immutable from outside,
keyword-only constructors): ``Estimate(value, stderr, what)``, ``Schedule(sizes)``, ``InformationProfile(h, ...)``;
everything after them is keyword-only, so a call reads what it sets and a new field cannot shift the others."""

import inspect

import pytest

import symsched as ss
from symsched.results import Result
from test_result_protocol import CLASSES

POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD,
              inspect.Parameter.VAR_POSITIONAL)


def _positional_beyond_three(cls) -> list:
    """Names of the constructor parameters past the third that can still be given by position."""
    params = list(inspect.signature(cls).parameters.values())
    return [p.name for p in params[3:] if p.kind in POSITIONAL]


def test_every_result_constructor_is_keyword_only_after_three():
    bad = {c.__name__: _positional_beyond_three(c) for c in CLASSES if _positional_beyond_three(c)}
    assert not bad, f"result constructors with more than 3 positional parameters (put them after `*`): {bad}"


def test_the_check_catches_a_positional_fourth():
    class _Four(Result):
        def __init__(self, a, b, c, d):
            pass

    class _Fine(Result):
        def __init__(self, a, b, c, *, d, e=0):
            pass

    assert _positional_beyond_three(_Four) == ["d"] and _positional_beyond_three(_Fine) == []


def test_positional_calls_past_the_third_are_refused():
    with pytest.raises(TypeError):
        ss.InformationProfile((0.5, 0.0), (0, 0.5, 0.5), 0.5)
    p = ss.InformationProfile((0.5, 0.0), e=(0, 0.5, 0.5), entropy=0.5)
    assert p.h == (0.5, 0.0) and ss.Schedule([1, 1]).sizes == (1, 1)
