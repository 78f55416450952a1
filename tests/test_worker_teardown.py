"""The xdist worker's end of session (tests/conftest.py): the heap is frozen so pytest's final collections are fast
and execnet's 5 s shutdown grace is not exceeded (no KeyboardInterrupt from hypothesis's gc callback)."""

import gc
import types

import conftest


def test_worker_session_end_freezes_the_heap(monkeypatch):
    calls = []
    monkeypatch.setattr(conftest.gc, "freeze", lambda: calls.append(1))
    conftest.pytest_sessionfinish(types.SimpleNamespace(config=types.SimpleNamespace(workerinput={})))
    assert calls == [1]
    conftest.pytest_sessionfinish(types.SimpleNamespace(config=types.SimpleNamespace()))  # not a worker
    assert calls == [1]


def test_frozen_objects_are_not_traversed():
    # what the fix relies on: a collection after gc.freeze() does not walk the frozen objects
    junk = [[i] for i in range(200_000)]
    before = gc.get_freeze_count()
    gc.freeze()
    try:
        assert gc.get_freeze_count() >= before + len(junk)
        assert all(len(gc.get_objects(generation=g)) < len(junk) for g in range(3))
    finally:
        gc.unfreeze()
        del junk
