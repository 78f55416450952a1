"""Progress of a loop over known units of work (rules, K values, block lengths, bootstrap refits).

The bar is :func:`~symsched.info.estimators.engine.progress_bar`'s (one tqdm bar, optional dependency); this only
decides when to open it and keeps its total honest:

* ``progress=True`` opens it at once, ``False`` never; ``None`` (automatic) opens it once the work done so far
  projects the whole loop past :data:`LONG_SECONDS` seconds, and only where someone watches (stderr is a
  terminal, or a Jupyter kernel runs the code);
* the total is the number of units the loop will do; a unit found unnecessary (a scan that stops early) is taken
  off the total with :meth:`WorkProgress.skip`, so the bar always ends at its total, never at a cap.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from ..validation import check_progress
from .estimators.engine import progress_bar

__all__ = ["WorkProgress", "LONG_SECONDS", "watched"]

#: Projected seconds above which the automatic bar opens.
LONG_SECONDS = 3.0


def watched() -> bool:
    """Whether a person can see a bar: stderr is a terminal, or the code runs in a Jupyter kernel."""
    shell = sys.modules.get("IPython")
    if shell is not None:
        get = getattr(shell, "get_ipython", None)
        ip = get() if get is not None else None
        if ip is not None and type(ip).__name__ == "ZMQInteractiveShell":
            return True
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):  # a replaced or closed stderr
        return False


class WorkProgress:
    """A bar over ``total`` units of work (see the module docstring); a context manager.

    >>> with WorkProgress(False, 3, "rules") as p:
    ...     for _ in range(2):
    ...         p.update()
    ...     p.skip(1)
    >>> p.done, p.total
    (2, 2)
    """

    def __init__(self, progress: Any, total: int, desc: str, unit: str = "step", where: str | None = None):
        self.progress = check_progress(progress, where=where)
        self.total, self.done = int(total), 0
        self.desc, self.unit = desc, unit
        self.start = time.perf_counter()
        self.bar = None
        if self.progress:
            self._open()

    def _open(self) -> None:
        self.bar = progress_bar(True if self.progress else None, True, self.total, self.desc, self.unit)
        if self.bar is not None and self.done:
            self.bar.update(self.done)

    def update(self, n: int = 1) -> None:
        """``n`` units done."""
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif self.progress is None and self.done < self.total:
            spent = time.perf_counter() - self.start
            if spent / self.done * self.total > LONG_SECONDS and spent > 0.2 and watched():
                self._open()

    def skip(self, n: int) -> None:
        """``n`` units that will not be done after all (the total shrinks; the bar still ends full)."""
        self.total -= int(n)
        if self.bar is not None:
            self.bar.total = self.total
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def __enter__(self) -> WorkProgress:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
