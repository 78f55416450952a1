"""A real corpus that ships with every machine: the docstrings of the Python standard library.

Nothing is downloaded and nothing is imported or executed: the standard library's source files are
parsed with :mod:`ast` and the docstrings of modules, classes and functions are collected in a fixed
order (sorted paths), so every machine with the same Python version gets the same text.

:func:`text_blocks` turns text into rows of ``N`` consecutive character tokens (non-overlapping blocks),
the samples that :func:`symsched.estimate_profile` and :func:`symsched.denoiser_profile` take.  The
default alphabet keeps the 26 letters (lower-cased), the space (every run of whitespace becomes one) and
one symbol for everything else: 28 states, so a first-order Markov chain has 756 free parameters.
"""

from __future__ import annotations

import ast
import os
import re
import string
import sysconfig
from typing import Any

import numpy as np

from ...files import MAX_FILE_BYTES, check_npy, read_capped, regular_file
from ...validation import positive_int
from ...errors import SymschedError

__all__ = ["stdlib_docstrings", "text_blocks", "read_data", "LETTERS"]

#: The default alphabet: space, a-z; index 27 stands for any other character.
LETTERS = " " + string.ascii_lowercase
OTHER = "·"


def stdlib_docstrings(max_chars: int | None = 400_000, packages: bool = False) -> str:
    """The docstrings of the standard library's modules, classes and functions, joined by blank lines.

    Parameters
    ----------
    max_chars : int or None
        Stop once this many characters are collected (default 400000; None: all).
    packages : bool
        Also walk the standard library's packages (default: top-level modules only, which is faster).

    Examples
    --------
    >>> text = stdlib_docstrings(max_chars=2000)
    >>> len(text) >= 2000
    True
    """
    if max_chars is not None:
        positive_int(max_chars, "max_chars", "stdlib_docstrings")
    root = sysconfig.get_paths()["stdlib"]
    if not os.path.isdir(root):  # pragma: no cover - every CPython has it
        raise SymschedError(f"the standard library's sources are not at {root!r}")
    files = []
    if packages:
        skip = {"site-packages", "test", "tests", "idlelib", "lib2to3", "__pycache__", "turtledemo", "ensurepip"}
        for here, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in skip and not d.startswith("config-"))
            files += [os.path.join(here, f) for f in sorted(names) if f.endswith(".py")]
    else:
        files = [os.path.join(root, f) for f in sorted(os.listdir(root)) if f.endswith(".py")]
    parts: list[str] = []
    total = 0
    for path in files:
        try:
            with open(path, encoding="utf-8") as fh:
                tree = ast.parse(fh.read(), filename=path)
        except (SyntaxError, UnicodeDecodeError, ValueError, OSError):
            continue  # a file this Python cannot parse contributes nothing
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node)
                if doc:
                    parts.append(doc)
                    total += len(doc) + 2
        if max_chars is not None and total >= max_chars:
            break
    text = "\n\n".join(parts)
    return text if max_chars is None else text[:max_chars] if len(text) > max_chars else text


def text_blocks(text: str, block: int, alphabet: str | None = LETTERS, max_rows: int | None = None,
                seed: Any = None) -> tuple[np.ndarray, tuple]:
    """Cut text into non-overlapping blocks of ``block`` character tokens.

    Parameters
    ----------
    text : str
    block : int
        Tokens per row (``N``).
    alphabet : str or None
        Characters kept as their own states (lower-casing first when the alphabet has no capitals);
        every other character becomes one extra state, and runs of whitespace become one space when the
        alphabet has a space.  None: every distinct character of the text is a state.
    max_rows : int, optional
        Keep this many rows, chosen at random without replacement (``seed``), in text order.
    seed : optional

    Returns
    -------
    (rows, states)
        ``rows`` an int array ``(n, block)``; ``states`` the character of each state index.

    Examples
    --------
    >>> rows, states = text_blocks("Hello,  world!", 4)
    >>> rows.tolist(), "".join(states[i] for i in rows[0])
    ([[8, 5, 12, 12], [15, 27, 0, 23], [15, 18, 12, 4]], 'hell')
    """
    if not isinstance(text, str):
        raise SymschedError(f"text_blocks: expected a str, got {type(text).__name__}")
    if not isinstance(block, (int, np.integer)) or isinstance(block, bool) or block < 1:
        raise SymschedError(f"block must be a positive integer, got {block!r}")
    if alphabet is None:
        states = tuple(sorted(set(text)))
        index = {c: k for k, c in enumerate(states)}
        codes = [index[c] for c in text]
    else:
        if len(set(alphabet)) != len(alphabet) or not alphabet:
            raise SymschedError("alphabet: expected distinct characters")
        if alphabet == alphabet.lower():
            text = text.lower()
        if " " in alphabet:
            text = re.sub(r"\s+", " ", text)
        states = tuple(alphabet) + (OTHER,)
        index = {c: k for k, c in enumerate(alphabet)}
        other = len(alphabet)
        codes = [index.get(c, other) for c in text]
    n = len(codes) // block
    if n < 1:
        raise SymschedError(f"text_blocks: {len(codes)} characters make no block of {block}")
    rows = np.asarray(codes[: n * block], dtype=np.int64).reshape(n, block)
    if max_rows is not None and n > max_rows:
        keep = np.sort(np.random.default_rng(seed).choice(n, size=int(max_rows), replace=False))
        rows = rows[keep]
    return rows, states


def read_data(path: str, block: int | None = None, alphabet: str | None = LETTERS,
              max_rows: int | None = None, seed: Any = None, max_bytes: int | None = None
              ) -> tuple[np.ndarray, tuple | None]:
    """Samples from a file: ``.npy`` (an int array: rows ``(n, N)``, or a 1-D stream cut into ``block``),
    anything else read as UTF-8 text (plain, gzip or bzip2; at most ``max_bytes``, default 64 MB) and cut
    with :func:`text_blocks`.  A ``.npy`` header is checked against the file's size before numpy allocates.

    Returns ``(rows, states)`` (``states`` None for ``.npy``).
    """
    path = regular_file(path, "path", "read_data")  # a directory, FIFO or device is named as such
    if path.endswith(".npy"):
        check_npy(path)  # the header against the file size, before numpy allocates what it claims
        try:
            arr = np.load(path, allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise SymschedError(f"data file {path!r}: not a numpy array file ({exc})") from None
        if arr.dtype.kind not in "iu":
            raise SymschedError(f"data file {path!r}: expected integer tokens, got dtype {arr.dtype}")
        if arr.ndim == 1:
            if block is None:
                raise SymschedError(f"data file {path!r} holds a 1-D stream: give the block length")
            n = len(arr) // block
            if n < 1:
                raise SymschedError(f"data file {path!r}: {len(arr)} tokens make no block of {block}")
            arr = arr[: n * block].reshape(n, block)
        elif arr.ndim != 2:
            raise SymschedError(f"data file {path!r}: expected a 1-D stream or rows (n, N), got shape {arr.shape}")
        elif block is not None and block != arr.shape[1]:
            raise SymschedError(f"data file {path!r} has rows of {arr.shape[1]} tokens, not the block {block}")
        if max_rows is not None and len(arr) > max_rows:
            arr = arr[np.sort(np.random.default_rng(seed).choice(len(arr), size=int(max_rows), replace=False))]
        return arr.astype(np.int64), None
    if block is None:
        raise SymschedError(f"data file {path!r} is read as text: give the block length (tokens per row)")
    try:
        # newlines translated as open() in text mode does, so CRLF files give the same tokens as before
        raw = read_capped(path, "path", "read_data", max_bytes=MAX_FILE_BYTES if max_bytes is None else max_bytes)
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        raise SymschedError(f"data file {path!r} is neither .npy nor UTF-8 text") from None
    return text_blocks(text, block, alphabet, max_rows, seed)
