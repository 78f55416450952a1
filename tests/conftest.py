"""Shared test configuration: hypothesis profiles sized for a 2-core CI machine."""

import gc
import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "symsched",
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=bool(os.environ.get("CI")),
)
settings.load_profile("symsched")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session):
    """On an xdist worker, move the session's surviving objects out of the garbage collector's reach.

    After its last test a worker still runs pytest's unconfigure, whose full garbage collections walk every object
    the session left alive (600 000 after the info tests alone: 2 s a collection on the loaded 2-core machine).
    execnet sends a worker that is still busy 5 s after the controller's shutdown a SIGINT, which then lands in
    hypothesis's gc callback (the only Python code running during a collection) and prints a KeyboardInterrupt
    traceback on a green ``make test``.  Frozen objects are not traversed, so those collections take milliseconds;
    the session fixtures are already torn down (this hook runs last), and a single-process run is left as it is.
    """
    if hasattr(session.config, "workerinput"):
        gc.freeze()
