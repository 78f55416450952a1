"""Paired comparison of two checkouts' benchmark rows: ``python benchmarks/compare.py OLD NEW [FILTER ...]``.

On a shared machine two ``make bench`` runs minutes apart differ by 20-50 % on unchanged rows, so "no row
slower by more than 10 %" cannot be read off two results files.  This script starts one persistent process
per checkout (each imports its own ``symsched`` and its own ``benchmarks/bench_*.py``, as ``run.py`` does) and
runs every row both checkouts share alternately, A B, B A, ..., so both sides see the same machine within
seconds.  Each timing is the best CPU time (this process and its finished workers) over the row's
``repeats``, and rows under 0.5 s repeat 15 times after the first pair.  It prints, per row, the ratio of
the best NEW time to the best OLD time (> 1: NEW slower) and the median of the pairwise ratios.

OLD and NEW are directories holding a checkout (``git worktree add /tmp/old <commit>``).  Rows whose first
timing exceeds 5 s get two pairs, others ``--pairs`` (default 4).  The rows' references are not run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from run import _load, best_time  # this script's own run.py (module loading, the timing of make bench)


def _serve() -> None:
    """The per-checkout process: lists its rows, then times ``label|repeats`` requests read from stdin."""
    here = Path.cwd() / "benchmarks"
    sys.path.insert(0, str(here.parent))
    rows = {}
    for path in sorted(here.glob("bench_*.py")):
        for b in getattr(_load(path), "BENCHMARKS", []):
            rows[f"{path.stem[len('bench_'):]}:{b['name']}"] = b
    print(json.dumps(sorted(rows)), flush=True)
    warm = set()
    for line in sys.stdin:
        label, reps = line.strip().rsplit("|", 1)
        b = rows[label]
        _, cpu = best_time(b["run"], max(int(reps), b.get("repeats", 5)), b.get("warmup", True) and label not in warm)
        warm.add(label)
        print(json.dumps(cpu), flush=True)


class _Side:
    def __init__(self, checkout: str):
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--serve"], cwd=checkout,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.rows = set(json.loads(self.proc.stdout.readline()))

    def time(self, label: str, reps: int) -> float:
        self.proc.stdin.write(f"{label}|{reps}\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", nargs="?")
    ap.add_argument("new", nargs="?")
    ap.add_argument("filters", nargs="*", help="only rows whose 'module:name' contains one of these")
    ap.add_argument("--pairs", type=int, default=4)
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve:
        _serve()
        return 0
    if not (args.old and args.new):
        ap.error("OLD and NEW checkouts are required")
    old, new = _Side(args.old), _Side(args.new)
    for label in sorted(old.rows & new.rows):
        if args.filters and not any(f in label for f in args.filters):
            continue
        a, b = [], []
        for r in range(args.pairs):
            reps = 1 if not a else (15 if a[0] < 0.5 else 1)
            first, second = (old, new) if r % 2 == 0 else (new, old)
            t1, t2 = first.time(label, reps), second.time(label, reps)
            a.append(t1 if first is old else t2)
            b.append(t2 if first is old else t1)
            if a[0] > 5 and r == 1:
                break
        ratios = [y / x for x, y in zip(a, b)]
        print(f"{min(b) / min(a):5.2f}  median {statistics.median(ratios):5.2f}  old {min(a):.4g} s  "
              f"new {min(b):.4g} s  {label}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
