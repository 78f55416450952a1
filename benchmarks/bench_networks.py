"""Networks beyond enumeration (issue 26): H, TC, DTC and O-information side by side with pyAgrum and pgmpy.

Every row runs both sides on one thread (numpy's BLAS/OpenMP pools limited by threadpoolctl, pyAgrum's own
pool set to 1), on the same network: symsched's ``network_pieces`` (one calibrated junction tree: ``H``,
``h_0`` and every ``H(X_i | X_{MB_i})``; blankets over 2e7 entries sampled to a standard error of 0.01 on
DTC) against pyAgrum's LazyPropagation, or pgmpy's VariableElimination, computing the same exact pieces
(``H`` from family posteriors, ``h_0`` from single posteriors, each blanket's joint posterior; blankets over
the same budget skipped, so the references do less work on hailfinder and win95pts). Import times are
reported apart (a fresh interpreter per library), not inside any row.
"""

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np

import symsched as ss
from symsched.arithmetic import arithmetic
from symsched.info.junction import DEFAULT_BLANKET_BUDGET, JunctionTree, network_pieces

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import references as R  # noqa: E402

NAMES = ["alarm", "insurance", "child", "hailfinder", "win95pts"]

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - threadpoolctl comes with scipy's usual installs
    threadpool_limits = None

try:
    import pyagrum as gum
    gum.setNumberOfThreads(1)
except ImportError:
    gum = None
try:
    import pgmpy  # noqa: F401
    HAVE_PGMPY = True
except ImportError:
    HAVE_PGMPY = False


def _one_thread(fn):
    def run():
        if threadpool_limits is None:
            return fn()
        with threadpool_limits(limits=1):
            return fn()
    return run


def _load(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ss.load_example(name)


NETS = {name: _load(name) for name in NAMES}


def _cpds(bn):
    return {v: bn.cpd(v) for v in bn.variables}


def _symsched(bn):
    r = network_pieces(bn, seed=0)
    return r.entropy, r.h0, r.h_last * bn.N, r


def _pieces_check(bn, ref):
    def check():
        H, h0, _, r = _symsched(bn)
        rH, rh0, rlast = ref()
        diff = max(abs(H - rH), abs(h0 - rh0) * bn.N, abs(_enumerated_sum(bn, r) - rlast))
        return f"max abs diff (H, TC, sum of enumerated blankets) = {diff:.1e}"
    return check


def _enumerated_sum(bn, r):
    """sum_i H(X_i | X_{MB_i}) over the blankets symsched enumerated (the ones the references compute)."""
    jt = JunctionTree(bn.cardinalities, bn.factors(arithmetic("float")))
    total = 0.0
    for i in range(bn.N):
        if i not in r.sampled:
            joint = jt.marginal(jt.blanket(i) + (i,))
            total += R._plogp(joint) - R._plogp(joint.sum(axis=-1))
    return total


def _rows():
    rows = []
    for name, bn in NETS.items():
        cards = dict(zip(bn.variables, bn.cardinalities))
        parents, blankets = R.network_structure(_cpds(bn), cards)
        if gum is not None:
            g = R.to_pyagrum(_cpds(bn), {v: bn.states(v) for v in bn.variables})
            ref = _one_thread(lambda g=g, p=parents, b=blankets, c=cards:
                              R.pyagrum_pieces(g, p, b, c, DEFAULT_BLANKET_BUDGET))
            rows.append(dict(
                name=f"{name} (N={bn.N}): H, TC, DTC, O-information vs pyAgrum LazyPropagation",
                run=_one_thread(lambda bn=bn: _symsched(bn)), reference=ref, repeats=5, reference_repeats=5,
                check=_pieces_check(bn, ref), goal=("ref/run", 0.2),
                note=_note(bn, "pyAgrum: one inference with joint targets for every family and blanket")))
        if HAVE_PGMPY and name in ("alarm", "insurance", "child"):
            pm = ss.to_pgmpy(bn)
            ref = _one_thread(lambda pm=pm, c=cards: R.pgmpy_pieces(pm, c, DEFAULT_BLANKET_BUDGET))
            rows.append(dict(
                name=f"{name} (N={bn.N}): H, TC, DTC, O-information vs pgmpy VariableElimination",
                run=_one_thread(lambda bn=bn: _symsched(bn)), reference=ref, repeats=3, reference_repeats=1,
                check=_pieces_check(bn, ref),
                note=_note(bn, "pgmpy: one elimination query per family, variable and blanket")))
    return rows


def _note(bn, how):
    r = network_pieces(bn, seed=0)
    tail = (f"; {len(r.sampled)} blanket(s) over 2e7 entries sampled by symsched ({r.samples} draws, DTC stderr "
            f"{r.dual_total_correlation_stderr:.1g}), skipped by the reference") if r.sampled else ""
    return f"{how}; 1 thread each{tail}"


J14 = np.random.default_rng(14).dirichlet(np.full(2 ** 14, 0.5)).reshape((2,) * 14)
T14 = ss.from_joint(J14)


def _table_measures():
    return ss.total_correlation(T14), ss.dual_total_correlation(T14), ss.o_information(T14)


def _table_check(ref):
    def check():
        a, b = np.array(_table_measures()), np.array(ref())
        return f"max abs diff = {float(np.max(np.abs(a - b))):.1e}"
    return check


BENCHMARKS = _rows()
if R.dit_measures(np.full((2, 2), 0.25)) is not None:
    BENCHMARKS.append(dict(
        name="TC + DTC + O-information of a 14-variable binary table vs dit",
        run=_one_thread(_table_measures), reference=_one_thread(lambda: R.dit_measures(J14)), repeats=3,
        reference_repeats=1, check=_table_check(lambda: R.dit_measures(J14)), goal=("ref/run", 20.0),
        note="same table (Dirichlet(0.5), 16384 outcomes); symsched: N + 2 entropies per measure; dit: its "
             "multivariate total_correlation, dual_total_correlation, o_information; 1 thread each"))
BENCHMARKS.append(dict(
    name="TC + DTC + O-information of a 14-variable binary table vs numpy N + 2 entropies",
    run=_one_thread(_table_measures), reference=_one_thread(lambda: R.measures_from_table(J14)), repeats=5,
    check=_table_check(lambda: R.measures_from_table(J14)),
    note="same table; reference: H, H(X_i), H(X_-i) once for all three measures (scipy entr), 1 thread each"))


def _import_seconds(module: str) -> str:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                             cwd=str(HERE.parent))
        return f"{float(out.stdout.strip()) * 1e3:.0f} ms" if out.returncode == 0 else "not installed"
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return "?"


def report() -> str:
    """Import times (fresh interpreter each), kept out of every row above."""
    mods = ["symsched", "pyagrum", "pgmpy", "dit"]
    return "import time (wall, fresh interpreter): " + ", ".join(f"{m} {_import_seconds(m)}" for m in mods)



ALARM = NETS["alarm"]
#: CPU seconds of the same run at commit dfde0dc (before issue 26), measured on this machine with
#: ``information_profile(alarm, method="montecarlo", stderr=0.01, seed=0)`` on one process: 13.75 s.
ALARM_MC_BEFORE = 13.75


_LAST: dict = {}


def _alarm_mc():
    _LAST["alarm"] = ss.information_profile(ALARM, method="montecarlo", stderr=0.01, seed=0, progress=False)
    return _LAST["alarm"]


BENCHMARKS.append(dict(
    name="alarm (N=37): Monte Carlo profile to stderr 0.01, 1 process",
    run=_one_thread(_alarm_mc), reference=None, repeats=1, warmup=False,
    check=lambda: f"largest stderr = {max(_LAST['alarm'].stderr):.4f}",
    goal=("seconds", ALARM_MC_BEFORE / 3),
    note=f"goal: 3x faster than {ALARM_MC_BEFORE} s of CPU at commit dfde0dc (same call, same machine)"))
