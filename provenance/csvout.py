"""The one CSV writer of provenance: every command's ``--format csv`` and the CSV report.

A CSV file is opened in a spreadsheet, so each cell must be one value a spreadsheet reads
as it is: lists are joined with ``"; "``, mappings become ``key=value`` pairs, and a text
that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) gets a leading apostrophe. Numbers stay numbers, minus sign included.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

LIST_SEPARATOR = "; "
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a cell as a formula (CSV injection)."""


def _text(value: Any) -> str:
    """A value inside a list or mapping, as plain text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return value.get("url") or ", ".join(f"{k}={_text(v)}" for k, v in value.items())
    return str(value)


def cell(value: Any) -> str | int | float:
    """One spreadsheet cell: numbers as they are, everything else as safe text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, Mapping):
        text = LIST_SEPARATOR.join(f"{k}={_text(v)}" for k, v in value.items())
    elif isinstance(value, list | tuple | set | frozenset):
        text = LIST_SEPARATOR.join(_text(v) for v in value)
    else:
        text = _text(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """The rows as CSV with a header: ``columns`` in this order (default: the first row's
    keys); keys outside them are left out. With no rows and no columns, an empty text."""
    rows = list(rows)
    names = list(columns) if columns is not None else list(rows[0]) if rows else []
    if not names:
        return ""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(names)
    for row in rows:
        writer.writerow([cell(row.get(name)) for name in names])
    return buffer.getvalue()
