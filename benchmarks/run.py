"""Run symsched's benchmarks: ``python benchmarks/run.py [FILTER ...]`` (``make bench``); writes ``RESULTS.md``.

Every ``benchmarks/bench_*.py`` module defines ``BENCHMARKS``, a list of dicts with keys

* ``name``: a label;
* ``run``: a zero-argument callable, the code being measured;
* ``reference``: a zero-argument callable doing the same job another way (naive algorithm, other
  library) on the *same input*, in the same process, or ``None``;
* ``note``: what is compared (sizes, and whether the reference runs on the same input);
* optional ``repeats`` (default 5), ``reference_repeats`` (default ``repeats // 2``), ``warmup``
  (default True; long benchmarks may skip the warm-up run), ``check`` (a callable returning a short
  accuracy statement, e.g. the largest difference from the reference) and ``goal``: ``(kind, value)``
  or a list of them, kind ``"seconds"`` (CPU seconds of the run at most), ``"cpu-per-core"``
  (``(seconds, cores)``: CPU seconds divided by the cores at most), ``"ref/run"`` (ratio at least) or
  ``"accuracy"`` (the number closing ``check``'s text at most).

Each callable is run once as a warm-up, then timed ``repeats`` times; the best wall time and the best
CPU time (all threads of the process and its finished worker processes) are reported, with the ratio of the
reference's best CPU time to the run's (> 1 means symsched is faster; CPU because the machine is shared and
a route on two threads must not look faster than it is).  The machine is shared, so
goals in seconds are judged on CPU time, which other processes do not inflate.  Positional
arguments filter benchmarks by substring of ``module:name``; ``--output`` names the results file
(default ``benchmarks/RESULTS.md``; ``-`` for none).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _cpu() -> float:
    """CPU seconds of this process (all threads, fine-grained) and of its finished child processes (worker
    pools; clock-tick resolution)."""
    t = os.times()
    return time.process_time() + t.children_user + t.children_system


def best_time(fn, repeats: int, warmup: bool = True) -> tuple[float, float]:
    """Best wall and best CPU seconds over ``repeats`` runs."""
    if warmup:
        fn()  # warm-up (imports, caches, JIT)
    wall = cpu = float("inf")
    for _ in range(max(1, repeats)):
        t, c = time.perf_counter(), _cpu()
        fn()
        wall = min(wall, time.perf_counter() - t)
        cpu = min(cpu, _cpu() - c)
    return wall, cpu


def _fmt(t: float | None) -> str:
    if t is None:
        return "-"
    return f"{t * 1e3:.1f} ms" if t < 1 else f"{t:.2f} s"


_NUMBER_AT_END = re.compile(r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


def accuracy_of(check: str) -> float | None:
    """The number closing ``check``'s text (``"... stderr = 0.049"``, ``"... stderr 0.049"``), or None.

    >>> accuracy_of("KL 5.868 ± 0.049 from 256 paths; stderr 0.049"), accuracy_of("max diff = 1e-12")
    (0.049, 1e-12)
    >>> accuracy_of("no number") is None
    True
    """
    m = _NUMBER_AT_END.search(check.strip().rstrip("."))
    return float(m.group(1)) if m else None


def _goal_status(goals, cpu: float, ratio: float | None, check: str) -> str:
    if not goals:
        return ""
    if isinstance(goals, tuple):
        goals = [goals]
    out = []
    for kind, value in goals:
        if kind == "seconds":
            ok = cpu <= value
            out.append(f"{'met' if ok else 'MISSED'}: CPU <= {value:g} s")
        elif kind == "cpu-per-core":  # (seconds, cores): total CPU over that many cores
            secs, cores = value
            ok = cpu / cores <= secs
            out.append(f"{'met' if ok else 'MISSED'}: CPU / {cores} cores <= {secs:g} s")
        elif kind == "ref/run":
            ok = ratio is not None and ratio >= value
            out.append(f"{'met' if ok else 'MISSED'}: ref/run >= {value:.2g}")
        elif kind == "accuracy":
            # the number closing the text; a text without one was read as an error of "MISSED" before
            # (e.g. "stderr 0.049" without "="), which looked like 0.049 > 0.05: say it cannot be read instead
            err = accuracy_of(check)
            if err is None:
                out.append(f"UNREAD: no number closes the check text (error <= {value:g})")
            else:
                out.append(f"{'met' if err <= value else 'MISSED'}: error {err:.3g} <= {value:g}")
    return "; ".join(out)


def _machine() -> list[str]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                                ":(exclude)RESULTS.md"], cwd=HERE, capture_output=True, text=True,
                               check=True).stdout.strip()
        commit += " (with uncommitted changes)" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    import numpy

    versions = [f"python {platform.python_version()}", f"numpy {numpy.__version__}"]
    for name in ("scipy", "numba", "dit", "pgmpy", "mpmath"):
        try:
            versions.append(f"{name} {__import__(name).__version__}")
        except ImportError:
            versions.append(f"{name} not installed")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return [f"* machine: {platform.platform()}, {cpu}, {os.cpu_count()} cores (load average at start: {load})",
            f"* date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
            f"* commit: {commit}",
            f"* versions: {', '.join(versions)}"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("filters", nargs="*", help="only run benchmarks whose 'module:name' contains one of these")
    ap.add_argument("--repeats", type=int, default=None, help="override each benchmark's repeat count")
    ap.add_argument("--output", default=str(HERE / "RESULTS.md"), help="results file ('-': none)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE.parent))
    header = _machine()
    started = time.perf_counter()

    rows, loaded = [], []
    for path in sorted(HERE.glob("bench_*.py")):
        mod = _load(path)
        loaded.append((path.stem, mod))
        for b in getattr(mod, "BENCHMARKS", []):
            label = f"{path.stem[len('bench_'):]}:{b['name']}"
            if args.filters and not any(f in label for f in args.filters):
                continue
            repeats = args.repeats or b.get("repeats", 5)
            warm = b.get("warmup", True)
            wall, cpu = best_time(b["run"], repeats, warm)
            ref = b.get("reference")
            ref_wall = ref_cpu = None
            if ref is not None:
                ref_wall, ref_cpu = best_time(ref, args.repeats or b.get("reference_repeats", max(1, repeats // 2)),
                                              warm)
            # CPU, not wall: the machine is shared, and a run on two threads must not look twice as fast
            ratio = ref_cpu / cpu if ref_cpu is not None and cpu > 0 else None
            check = b["check"]() if b.get("check") else ""
            status = _goal_status(b.get("goal"), cpu, ratio, check)
            rows.append((label, _fmt(wall), _fmt(cpu), _fmt(ref_wall), _fmt(ref_cpu),
                         f"{ratio:.2f}x" if ratio else "-",
                         check, status, b.get("note", "")))
            print(f"  done {label}: {_fmt(wall)} (CPU {_fmt(cpu)}), reference {_fmt(ref_wall)} {status}",
                  file=sys.stderr, flush=True)
    if not rows:
        print("no benchmark matched", file=sys.stderr)
        return 1
    head = ("benchmark", "run (wall)", "run (CPU)", "reference (wall)", "reference (CPU)", "ref/run", "accuracy",
            "goal", "note")
    lines = ["# symsched benchmarks", "", *header,
             f"* total time: {time.perf_counter() - started:.0f} s; goals in seconds are judged on CPU time "
             "(the machine is shared); ref/run is the reference's best CPU time over the run's (all threads and "
             "worker processes counted), both in this process", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in r) + " |" for r in rows]
    # modules may add a free-form report (e.g. the reach of an exact route) after the table
    reports = [mod.report() for stem, mod in loaded if hasattr(mod, "report")
               and (not args.filters or any(f in stem for f in args.filters))]
    if reports:
        lines += ["", "```", *reports, "```"]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output != "-":
        Path(args.output).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
