"""Printing a command's outcome: ``--json``, ``--latex`` or text fitted to the terminal's width."""

from __future__ import annotations

import json
import re
import shutil
import sys
import textwrap

import mpmath


__all__: list = []

_RULE = re.compile(r"^(\s*)-+(?:  -+)*\s*$")


def fit_text(text: str, width: int | None) -> str:
    """Text that fits ``width`` columns.

    A table (a header over a rule of dashes) too wide for the page is wrapped into panels: each repeats
    the key column (the first, and the second too when the first is a narrow index) and shows the next
    columns that fit, so nothing is lost.  Other long lines wrap with a hanging indent.
    """
    if width is None:
        return text
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        if i + 1 < len(lines) and _RULE.match(lines[i + 1]) and len(lines[i + 1].rstrip()) > width:
            j = i + 2
            while j < len(lines) and lines[j].strip() and not lines[j].lstrip().startswith("("):
                j += 1
            out += _table_panels(lines[i:j], width)
            i = j
            continue
        line = lines[i]
        if len(line) > width:
            indent = line[:len(line) - len(line.lstrip())]
            out += textwrap.wrap(line, width, subsequent_indent=indent + "    ", break_long_words=False,
                                 break_on_hyphens=False) or [line]
        else:
            out.append(line)
        i += 1
    return "\n".join(out)


def _table_panels(block: list, width: int) -> list:
    """One fixed-width table (header, rule, rows) as panels of columns that fit ``width``."""
    rule = block[1]
    indent = _RULE.match(rule).group(1)
    spans = [m.span() for m in re.finditer(r"-+", rule)]
    # a narrow index column keys with its neighbour (e.g. "#  name"), if that pair leaves room
    nkey = 2 if len(spans) > 2 and spans[0][1] - spans[0][0] <= 4 and spans[1][1] <= width // 2 else 1
    key, rest = spans[:nkey], spans[nkey:]
    key_width = key[-1][1]
    panels: list[list] = [[]]
    for a, b in rest:
        used = key_width + sum(2 + (y - x) for x, y in panels[-1])
        if panels[-1] and used + 2 + (b - a) > width:
            panels.append([])
        panels[-1].append((a, b))

    def cut(line: str, cols) -> str:
        pieces = [line[a:b].ljust(b - a) for a, b in key + cols]
        return (indent + "  ".join(pieces)).rstrip()
    out: list[str] = []
    for n, cols in enumerate(panels):
        if n:
            out.append(f"{indent}(continued: {n + 1} of {len(panels)})")
        # a column wider than the page on its own: its cells wrap under the column's start
        hang = " " * (len(indent) + sum(2 + (b - a) for a, b in key))
        for line in block:
            text = cut(line, cols)
            if len(text) > width and not _RULE.match(text):
                out += textwrap.wrap(text, width, subsequent_indent=hang, break_long_words=True) or [text]
            else:
                out.append(text if len(text) <= width else text[:width])
    return out


def output_width(args) -> int | None:
    if args.width is not None:
        return args.width
    if sys.stdout.isatty():  # scripts and pipes get every column
        return shutil.get_terminal_size().columns
    return None


def emit(args, outcome, out) -> None:
    """Print a command's outcome: ``result`` or ``(result, text[, latex])``; ``None``: the command wrote it."""
    if outcome is None:
        return
    result, text, latex = (tuple(outcome) + (None, None))[:3] if isinstance(outcome, tuple) else (outcome, None, None)
    if args.json:
        dps = getattr(args, "dps", None)
        with mpmath.workdps(max(dps or 15, 15)):  # mpmath numbers serialise with every digit asked for
            print(json.dumps(result.to_dict(), allow_nan=False), file=out)
    elif args.latex:
        print(latex if latex is not None else result.latex(), file=out)
    else:
        print(fit_text(text if text is not None else str(result), output_width(args)), file=out)
