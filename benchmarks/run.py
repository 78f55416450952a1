"""Run symsched's benchmarks: ``python benchmarks/run.py [FILTER ...]`` (``make bench``).

Every ``benchmarks/bench_*.py`` module defines ``BENCHMARKS``, a list of dicts with keys

* ``name``: a label;
* ``run``: a zero-argument callable, the code being measured;
* ``reference``: a zero-argument callable doing the same job another way (naive algorithm, other
  library) on the *same input*, or ``None``;
* ``note``: what is compared (sizes, and whether the reference runs on the same input);
* optional ``repeats`` (default 5), ``reference_repeats`` (default ``repeats // 2``) and ``warmup``
  (default True; long benchmarks may skip the warm-up run).

Each callable is run once as a warm-up, then timed ``repeats`` times with ``time.perf_counter``; the
best time is reported, with the ratio reference / run (> 1 means symsched is faster). Positional
arguments filter benchmarks by substring of ``module:name``.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def best_time(fn, repeats: int, warmup: bool = True) -> float:
    if warmup:
        fn()  # warm-up (imports, caches)
    best = float("inf")
    for _ in range(max(1, repeats)):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _fmt(t: float | None) -> str:
    if t is None:
        return "-"
    return f"{t * 1e3:.2f} ms" if t < 1 else f"{t:.2f} s"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("filters", nargs="*", help="only run benchmarks whose 'module:name' contains one of these")
    ap.add_argument("--repeats", type=int, default=None, help="override each benchmark's repeat count")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE.parent))

    rows = []
    for path in sorted(HERE.glob("bench_*.py")):
        mod = _load(path)
        for b in getattr(mod, "BENCHMARKS", []):
            label = f"{path.stem[len('bench_'):]}:{b['name']}"
            if args.filters and not any(f in label for f in args.filters):
                continue
            repeats = args.repeats or b.get("repeats", 5)
            warm = b.get("warmup", True)
            t_run = best_time(b["run"], repeats, warm)
            ref = b.get("reference")
            t_ref = best_time(ref, b.get("reference_repeats", max(1, repeats // 2)), warm) if ref is not None else None
            ratio = f"{t_ref / t_run:.1f}x" if t_ref is not None and t_run > 0 else "-"
            rows.append((label, _fmt(t_run), _fmt(t_ref), ratio, b.get("note", "")))
            print(f"  done {label}", file=sys.stderr, flush=True)
    reports = [mod.report() for path in sorted(HERE.glob("bench_*.py")) if hasattr(mod := _load(path), "report") and (not args.filters or any(f in path.stem for f in args.filters))]  # noqa: E501
    if not rows:
        print("no benchmark matched", file=sys.stderr)
        return 1
    head = ("benchmark", "run", "reference", "ref/run", "note")
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(4)]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r[:4], widths)) + "  " + r[4]  # noqa: E731
    print(line(head))
    print("  ".join("-" * w for w in widths) + "  " + "-" * 4)
    for r in rows:
        print(line(r))
    print("\n".join(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
