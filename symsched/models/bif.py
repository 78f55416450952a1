"""Bayesian networks from BIF files and from/to pgmpy.

Layouts: symsched's CPD of ``X`` with parents ``(P1..Pm)`` has shape ``(card P1, ..., card Pm, card X)``;
pgmpy's ``TabularCPD.get_values()`` has shape ``(card X, prod card P)`` with the parents in evidence
order, the first varying slowest.  The conversion happens here and nowhere else.

Rounded tables
--------------
Published networks print probabilities with few digits, so some rows sum to ``0.9999999`` or
``1.0001``.  Nothing is renormalised silently: by default rows whose sum is within ``row_tolerance``
(``1e-4``) of one are divided by their sum, a :class:`UserWarning` says how many, and the rows are
listed in ``bn.graph["renormalized_rows"]`` as ``(variable, parent states, original sum)``.  Rows
further from one are refused; ``row_tolerance=0`` refuses every row that the strict check refuses.
"""

from __future__ import annotations

import gzip
import re
import warnings
from fractions import Fraction
from pathlib import Path
from typing import Any
from collections.abc import Hashable
from importlib.resources import files

import numpy as np

from ..arithmetic import SUM_TOLERANCE
from ..values import to_float
from ..errors import InvalidModelError, SymschedError
from ..files import MAX_FILE_BYTES, read_capped
from ..validation import check_flag, check_path, finite_real
from .bayesian import BayesianNetwork

__all__ = ["read_bif", "from_pgmpy", "to_pgmpy", "load_example", "example_names"]

DEFAULT_ROW_TOLERANCE = 1e-4
#: Largest accepted ``row_tolerance``.
MAX_ROW_TOLERANCE = 0.1

_PGMPY_HINT = "pgmpy is not installed: pip install symsched[pgmpy]"


def _import_pgmpy():
    try:
        import pgmpy
    except ImportError as exc:  # pragma: no cover - pgmpy is a test dependency
        raise ImportError(_PGMPY_HINT) from exc
    return pgmpy


def _fix_rows(name: Hashable, table: np.ndarray, tol: float, log: list) -> np.ndarray:
    """Divide rows within ``tol`` of summing to one by their sum (recorded in ``log``); refuse others."""
    if table.dtype == object:  # exact (Fraction) entries
        out = table.copy()
        for idx in np.ndindex(*table.shape[:-1]):
            s = sum(table[idx], Fraction(0))
            if s != 1:
                if abs(float(s) - 1) > tol:
                    raise InvalidModelError(f"CPD of {name!r}: the row for parent states {idx} sums to {float(s)!r}, "
                                            f"more than row_tolerance={tol:g} away from 1")
                out[idx] = [x / s for x in table[idx]]
                log.append((name, idx, float(s)))
        return out
    out = np.array(table, dtype=float)
    for idx in np.ndindex(*table.shape[:-1]):
        s = float(table[idx].sum())
        if abs(s - 1) > tol:
            raise InvalidModelError(f"CPD of {name!r}: the row for parent states {idx} sums to {s!r}, "
                                    f"more than row_tolerance={tol:g} away from 1")
        if abs(s - 1) > SUM_TOLERANCE:
            out[idx] = table[idx] / s
            log.append((name, idx, s))
    return out


def _check_tolerance(tol: Any) -> float:
    """``row_tolerance`` must be a number in ``[0, 0.1]``: NaN or a negative value would mean "no check" or
    nonsense, and beyond 0.1 a row is not a rounded probability distribution any more."""
    tol = finite_real(tol, "row_tolerance", nonnegative=True)
    if tol > MAX_ROW_TOLERANCE:
        raise SymschedError(f"row_tolerance must be at most {MAX_ROW_TOLERANCE} (rows off by more are not rounding), "
                            f"got {tol!r}")
    return tol


def _finish(bn: BayesianNetwork, order: list, states: dict, cpds: dict, tol: float, source: str) -> BayesianNetwork:
    tol = _check_tolerance(tol)
    log: list = []
    for v in order:
        bn.add_variable(v, states[v])
    for v in order:
        if v not in cpds:
            raise InvalidModelError(f"{source}: variable {v!r} has no probability table")
        parents, table = cpds[v]
        if tol > 0:
            table = _fix_rows(v, table, tol, log)
        bn.set_cpd(v, table, parents)
    bn.graph["renormalized_rows"] = log
    if log:
        worst = max(abs(s - 1) for _, _, s in log)
        warnings.warn(f"{source}: {len(log)} CPD rows summed to 1 only up to rounding (largest deviation "
                      f"{worst:.3g}) and were divided by their sums; see bn.graph['renormalized_rows']",
                      UserWarning, stacklevel=3)
    return bn


_HEAD_RE = re.compile(r"\b(network|variable|probability)\b([^{;]*)\{")
_TYPE_RE = re.compile(r"type\s+discrete\s*\[\s*(\d+)\s*\]\s*\{(.*?)\}", re.S)
_PROB_HEAD_RE = re.compile(r"^\s*\(\s*([^|)]+?)\s*(?:\|\s*([^)]*))?\)\s*$", re.S)


def _blocks(text: str, source: str):
    """``(keyword, header, body, offset of body)`` for each top-level block, matching braces (bodies may nest them)."""
    pos = 0
    while True:
        m = _HEAD_RE.search(text, pos)
        if m is None:
            return
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        if depth:
            raise InvalidModelError(f"{source}: unbalanced braces in the {m.group(1)} block {m.group(2).strip()!r}")
        yield m.group(1), m.group(2).strip(), text[m.end():i - 1], m.end()
        pos = i


def _of_kind(blocks: list, kind: str):
    """``(header, body, offset of body)`` of the blocks of one keyword (``variable``, ``probability``)."""
    return ((head, body, at) for k, head, body, at in blocks if k == kind)


def _cpd_head(head: str, states: dict, source: str) -> tuple[str, list[str]]:
    """The variable and the parents named by a ``probability ( X | A, B )`` header, all declared."""
    m = _PROB_HEAD_RE.match(head)
    if m is None:
        raise InvalidModelError(f"{source}: cannot parse the probability header {head!r}")
    var = m.group(1).strip()
    parents = _split(m.group(2) or "")
    if var not in states:
        raise InvalidModelError(f"{source}: probability table for undeclared variable {var!r}")
    for p in parents:
        if p not in states:
            raise InvalidModelError(f"{source}: CPD of {var!r}: undeclared parent {p!r}")
    return var, parents


def _split(s: str) -> list[str]:
    return [t for t in re.split(r"[\s,]+", s.strip()) if t]


def read_bif(path: str | Path, *, exact: bool = False,
             row_tolerance: float = DEFAULT_ROW_TOLERANCE, max_bytes: int | None = None) -> BayesianNetwork:
    """Read a discrete Bayesian network from a BIF file (plain text, gzip or bzip2).

    Parameters
    ----------
    path : str or Path
    exact : bool
        Parse probabilities as exact decimals (``Fraction``) instead of floats.
    row_tolerance : float
        Rows summing to one within this tolerance are divided by their sums, with a warning and a
        record in ``bn.graph["renormalized_rows"]`` (see the module docstring); 0 disables this.
        Must be in ``[0, 0.1]`` (NaN and negative values are refused).
    max_bytes : int, optional
        Cap on the file's (decompressed) size, default :data:`symsched.files.MAX_FILE_BYTES` (64 MB);
        a compressed file is refused as soon as its content passes it (docs: "Hostile input").

    Raises
    ------
    InvalidModelError
        Naming the file (and the line, for a CPD row given twice) and what is wrong.

    Token order is the order of the ``variable`` blocks in the file.

    Examples
    --------
    >>> bn = load_example("cancer")
    >>> bn.variables
    ('Pollution', 'Smoker', 'Cancer', 'Xray', 'Dyspnoea')
    """
    path = check_path(path, "path", "read_bif")
    check_flag(exact, "exact", "read_bif")
    # gzip / bzip2 decompressed in chunks, refused as soon as the content passes the cap
    raw = read_capped(path, "path", "read_bif", max_bytes=MAX_FILE_BYTES if max_bytes is None else max_bytes)
    return _parse_bif(raw.decode("utf-8"), Path(path).name, exact, row_tolerance)


def _strip_comments(text: str, source: str) -> str:
    """BIF text without ``//`` and ``/* */`` comments; a block comment becomes its newlines, so offsets still
    give the file's line numbers.  One pass (a regex for ``/* .*? */`` rescans to the end of the text for
    every unclosed ``/*``: quadratic)."""
    text = re.sub(r"//[^\n]*", "", text)
    out, pos = [], 0
    while (start := text.find("/*", pos)) >= 0:
        end = text.find("*/", start + 2)
        if end < 0:
            line = text.count("\n", 0, start) + 1
            raise InvalidModelError(f"{source}, line {line}: a '/*' comment is never closed")
        out.append(text[pos:start])
        out.append("\n" * text.count("\n", start, end))
        pos = end + 2
    out.append(text[pos:])
    return "".join(out)


def _parse_bif(text: str, source: str, exact: bool, tol: float) -> BayesianNetwork:
    tol = _check_tolerance(tol)
    text = _strip_comments(text, source)
    order, states = [], {}
    blocks = list(_blocks(text, source))
    for name, body, _ in _of_kind(blocks, "variable"):
        t = _TYPE_RE.search(body)
        if t is None:
            raise InvalidModelError(f"{source}: variable {name!r} is not declared 'type discrete [k] {{...}}'")
        labels = _split(t.group(2))
        if len(labels) != int(t.group(1)):
            raise InvalidModelError(f"{source}: variable {name!r} declares {t.group(1)} states but lists "
                                    f"{len(labels)}")
        order.append(name)
        states[name] = labels
    if not order:
        raise InvalidModelError(f"{source}: no 'variable' blocks found (is this a BIF file?)")
    num = Fraction if exact else float
    cpds = {}
    for head, body, body_at in _of_kind(blocks, "probability"):
        var, parents = _cpd_head(head, states, source)
        pc = [len(states[p]) for p in parents]
        k = len(states[var])
        if var in cpds:
            raise InvalidModelError(f"{source}: two probability tables for {var!r}")
        table = np.full(tuple(pc) + (k,), None, dtype=object)
        given: dict = {}  # parent states -> line of the row that set them (a row given twice is refused)
        at = body_at
        for raw_stmt in body.split(";"):
            stmt_at, at = at, at + len(raw_stmt) + 1
            stmt = raw_stmt.strip()
            if not stmt:
                continue
            line = text.count("\n", 0, stmt_at + len(raw_stmt) - len(raw_stmt.lstrip())) + 1
            if stmt.startswith("table") or stmt.startswith("default"):
                kw = "table" if stmt.startswith("table") else "default"
                vals = [num(x) for x in _split(stmt[len(kw):])]
                if kw == "default":
                    if len(vals) != k:
                        raise InvalidModelError(f"{source}: CPD of {var!r}: default row needs {k} values")
                    for idx in np.ndindex(*pc):
                        if table[idx + (0,)] is None:
                            table[idx] = vals
                    continue
                if len(vals) != int(np.prod(pc)) * k:
                    raise InvalidModelError(f"{source}: CPD of {var!r}: table has {len(vals)} values, expected "
                                            f"{int(np.prod(pc)) * k}")
                if given:
                    first = min(given.values())
                    raise InvalidModelError(f"{source}, line {line}: CPD of {var!r}: a 'table' after rows given "
                                            f"from line {first}: each row must be given once")
                given = {idx: line for idx in np.ndindex(*pc)}
                # BIF's table lists the variable's states slowest (as pgmpy reads it): shape (k, parents...)
                arr = np.empty(len(vals), dtype=object)
                arr[:] = vals
                table = np.moveaxis(arr.reshape((k,) + tuple(pc)), 0, -1)
                continue
            mm = re.match(r"\((.*?)\)(.*)", stmt, re.S)
            if mm is None:
                raise InvalidModelError(f"{source}: CPD of {var!r}: cannot parse {stmt[:40]!r}")
            labels = _split(mm.group(1))
            vals = [num(x) for x in _split(mm.group(2))]
            if len(labels) != len(parents) or len(vals) != k:
                raise InvalidModelError(f"{source}: CPD of {var!r}: row ({mm.group(1)}) should have "
                                        f"{len(parents)} parent states and {k} values")
            try:
                idx = tuple(states[p].index(lab) for p, lab in zip(parents, labels))
            except ValueError:
                raise InvalidModelError(f"{source}: CPD of {var!r}: unknown parent state in ({mm.group(1)})") from None
            if idx in given:
                raise InvalidModelError(f"{source}, line {line}: CPD of {var!r}: the row ({mm.group(1).strip()}) "
                                        f"was already given on line {given[idx]}; each row must be given once")
            given[idx] = line
            table[idx] = vals
        missing = [idx for idx in np.ndindex(*pc) if table[idx + (0,)] is None]
        if missing:
            raise InvalidModelError(f"{source}: CPD of {var!r}: no row for parent states {missing[0]}")
        if not exact:
            table = table.astype(float)
        cpds[var] = (parents, table)
    return _finish(BayesianNetwork(), order, states, cpds, tol, source)


def _example_dir():
    _import_pgmpy()

    return files("pgmpy") / "utils" / "example_models"


def example_names() -> list[str]:
    """Names of the discrete bnlearn networks shipped inside the installed pgmpy (loadable offline)."""
    d = _example_dir()
    return sorted(p.name[:-len(".bif.gz")] for p in d.iterdir() if p.name.endswith(".bif.gz"))


def load_example(name: str, *, exact: bool = False, row_tolerance: float = DEFAULT_ROW_TOLERANCE) -> BayesianNetwork:
    """Load a bnlearn network shipped with pgmpy (``"asia"``, ``"cancer"``, ``"sachs"``, ``"alarm"``, ...)
    from its bundled BIF file, without network access.  See :func:`read_bif` for the options.

    Examples
    --------
    >>> load_example("asia").N
    8
    """
    if not isinstance(name, str):
        raise SymschedError(f"load_example: name must be the name of a shipped example (a str such as 'asia'), "
                            f"got {type(name).__name__}; available: {', '.join(example_names())}")
    check_flag(exact, "exact", "load_example")
    key = name.split("/")[-1]
    d = _example_dir()
    f = d / f"{key}.bif.gz"
    if not f.is_file():
        raise SymschedError(f"load_example: no shipped network {name!r}; available: {', '.join(example_names())}")
    raw = gzip.decompress(f.read_bytes())
    return _parse_bif(raw.decode("utf-8"), f"{key}.bif.gz", exact, row_tolerance)


def from_pgmpy(model: Any, *, row_tolerance: float = DEFAULT_ROW_TOLERANCE) -> BayesianNetwork:
    """Convert a pgmpy discrete Bayesian network (with its CPDs) to a :class:`BayesianNetwork`.

    Token order is ``model.nodes()``; state labels come from each CPD's ``state_names``.
    """
    _import_pgmpy()
    order = list(model.nodes())
    states, cpds = {}, {}
    for v in order:
        cpd = model.get_cpds(v)
        if cpd is None:
            raise InvalidModelError(f"from_pgmpy: variable {v!r} has no CPD")
        names = cpd.state_names or {}
        card = int(cpd.cardinality[0])
        states[v] = list(names.get(v, range(card)))
        parents = list(cpd.variables[1:])
        pc = [int(c) for c in cpd.cardinality[1:]]
        values = np.asarray(cpd.get_values(), dtype=float)
        # pgmpy: (card v, prod parents) with the first evidence variable slowest -> (parents..., v)
        cpds[v] = (parents, np.moveaxis(values.reshape((card,) + tuple(pc)), 0, -1))
    return _finish(BayesianNetwork(), order, states, cpds, row_tolerance, "from_pgmpy")


def to_pgmpy(bn: BayesianNetwork):
    """Convert to a pgmpy ``DiscreteBayesianNetwork`` (float CPDs; symbols must be substituted first)."""
    if not isinstance(bn, BayesianNetwork):
        raise SymschedError(f"to_pgmpy: bn must be a symsched BayesianNetwork, got {type(bn).__name__}")
    _import_pgmpy()
    try:
        from pgmpy.models import DiscreteBayesianNetwork as PgmpyBN
    except ImportError:  # pragma: no cover - older pgmpy
        from pgmpy.models import BayesianNetwork as PgmpyBN
    from pgmpy.factors.discrete import TabularCPD

    bn.check_complete()
    model = PgmpyBN()
    model.add_nodes_from(bn.variables)
    model.add_edges_from(bn.edges)
    for v in bn.variables:
        parents, t = bn.cpd(v)
        vals = np.array([to_float(x, f"CPD of {v!r}") for x in t.ravel()]).reshape(t.shape)
        k = t.shape[-1]
        values = np.moveaxis(vals, -1, 0).reshape(k, -1)
        state_names = {u: list(bn.states(u)) for u in (v, *parents)}
        model.add_cpds(TabularCPD(v, k, values, evidence=list(parents) or None,
                                  evidence_card=[len(bn.states(p)) for p in parents] or None,
                                  state_names=state_names))
    return model
