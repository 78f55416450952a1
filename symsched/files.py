"""Reading users' files without trusting them: what a path is, compressed files with a size cap, ``.npy``
headers checked against the file before anything is allocated.

Every reader of the package (``read_bif``, ``read_data``, the command line) opens files through here, so
that the same bad file gets the same refusal everywhere:

* a path that is a directory, a named pipe (FIFO), a device (``/dev/zero``) or a socket is named as such
  (reading a FIFO or a device would block or never end);
* gzip and bzip2 files are decompressed in chunks and refused as soon as the output passes ``max_bytes``
  (a 1.5 MB ``.gz`` can expand to 1.5 GB), plain files are refused by their size before being read;
* a ``.npy`` header's shape and dtype are checked against the file's size before numpy allocates the
  array (a 200-byte file may claim a shape of 10^12 entries).

A bottom module: it imports only :mod:`symsched.errors`, the standard library and numpy.

Examples
--------
>>> import os, tempfile
>>> describe_path(tempfile.gettempdir())
'is a directory, not a file'
>>> describe_path(os.devnull)
'is a character device, not a file'
"""

from __future__ import annotations

import bz2
import gzip
import io
import math
import os
import stat
import zlib
from typing import Any

import numpy as np

from .errors import ModelTooLargeError, SymschedError, format_count

__all__ = ["describe_path", "regular_file", "read_capped", "check_npy", "MAX_FILE_BYTES"]

#: Default cap on a file's content read into memory (after decompression), in bytes: far above any
#: published Bayesian network (the largest bnlearn network is a few MB of text), and small enough that
#: decompressing up to it takes well under a second.  Readers take ``max_bytes=`` to raise it.
MAX_FILE_BYTES = 64 * 2 ** 20

_CHUNK = 2 ** 20
_GZIP_MAGIC = b"\x1f\x8b"
_BZIP2_MAGIC = b"BZh"


def describe_path(path: str) -> str | None:
    """``None`` for a regular file (or a link to one), else what the path is, in words."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "does not exist"
    except NotADirectoryError:
        return "does not exist (a parent of it is not a directory)"
    except PermissionError:
        return "cannot be accessed (permission denied)"
    except OSError as exc:
        return f"cannot be accessed ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    for test, what in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return f"is {what}, not a file"
    return "is not a regular file"


def regular_file(path: Any, name: str = "path", where: str | None = None) -> str:
    """``path`` (str or ``os.PathLike``) as a str, refused unless it names an existing regular file."""
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    prefix = f"{where}: " if where else ""
    if isinstance(path, bytes) or not isinstance(path, str) or not path:
        shown = repr(path) if len(repr(path)) <= 60 else repr(path)[:57] + "..."
        raise SymschedError(f"{prefix}{name} must be a file name (str or pathlib.Path), got {shown}")
    if "\x00" in path:
        raise SymschedError(f"{prefix}{name}: a file name cannot contain a NUL character")
    what = describe_path(path)
    if what is not None:
        raise SymschedError(f"{prefix}{name}: {path!r} {what}")
    return path


def _too_large(path: str, what: str, size: float, max_bytes: int, where: str | None) -> ModelTooLargeError:
    return ModelTooLargeError(f"file {path!r}: {what}", size, max_bytes,
                              f"files are read into memory whole; if this file is really meant, call "
                              f"{where or 'the reader'}(..., max_bytes=...) with a larger cap, or split the file")


def read_capped(path: Any, name: str = "path", where: str | None = None, *,
                max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file, gzip and bzip2 files decompressed, refused once past ``max_bytes``.

    Compression is recognised by the content (its magic bytes), not the name.  Decompression runs in
    chunks and stops at the cap, so a decompression bomb costs at most ``max_bytes`` of work.

    Raises
    ------
    SymschedError
        ``path`` is not a regular file (a directory, FIFO, device ... is named as such).
    ModelTooLargeError
        The file, or its decompressed content, is larger than ``max_bytes``.
    """
    path = regular_file(path, name, where)
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, np.integer)) or max_bytes < 1:
        raise SymschedError(f"{where + ': ' if where else ''}max_bytes must be a positive integer (bytes), "
                            f"got {max_bytes!r}")
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        head = fh.read(3)
        if head[:2] == _GZIP_MAGIC or head == _BZIP2_MAGIC:
            fh.seek(0)
            kind = "gzip" if head[:2] == _GZIP_MAGIC else "bzip2"
            return _decompress(fh, kind, path, max_bytes, where)
        if size > max_bytes:
            raise _too_large(path, f"{format_count(size)} bytes", size, max_bytes, where)
        return head + fh.read(max_bytes + 1 - len(head))


def _decompress(fh: io.BufferedReader, kind: str, path: str, max_bytes: int, where: str | None) -> bytes:
    """Decompress a (possibly multi-member) gzip or bzip2 stream in chunks, at most ``max_bytes`` of output."""
    out = bytearray()
    try:
        stream = gzip.GzipFile(fileobj=fh) if kind == "gzip" else bz2.BZ2File(fh)
        with stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    return bytes(out)
                out += chunk
                if len(out) > max_bytes:
                    raise _too_large(path, f"its {kind} content expands to more than {format_count(max_bytes)} "
                                     "bytes", len(out), max_bytes, where)
    except (EOFError, OSError, zlib.error) as exc:
        raise SymschedError(f"file {path!r}: the {kind} data is truncated or corrupt ({exc}); compress the file "
                            f"again (`{'gzip' if kind == 'gzip' else 'bzip2'} -t FILE` checks it)") from None


def check_npy(path: str) -> tuple[tuple, np.dtype]:
    """``(shape, dtype)`` from a ``.npy`` header, refused unless the file holds exactly that many bytes of data.

    Read before ``numpy.load``, which would first allocate what the header claims.
    """
    path = regular_file(path)
    size = os.path.getsize(path)
    try:
        with open(path, "rb") as fh:
            version = np.lib.format.read_magic(fh)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(fh)
            else:
                shape, _, dtype = np.lib.format.read_array_header_2_0(fh)
            offset = fh.tell()
    except (ValueError, OSError, SyntaxError, EOFError) as exc:
        raise SymschedError(f"data file {path!r}: not a numpy array file ({exc})") from None
    if dtype.hasobject:
        raise SymschedError(f"data file {path!r}: holds Python objects (dtype {dtype}), not integer tokens")
    claimed = math.prod(int(s) for s in shape) * dtype.itemsize
    if claimed != size - offset:
        raise SymschedError(f"data file {path!r}: its header claims shape {shape} of {dtype} ({format_count(claimed)} "
                            f"bytes) but the file holds {format_count(size - offset)} bytes of data; the file is "
                            "truncated or not what it claims to be")
    return tuple(int(s) for s in shape), dtype
