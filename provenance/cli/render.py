"""How the CLI prints: data on stdout (a table, or one document in the chosen format),
messages on stderr, so ``provenance list --json | jq`` stays clean.

Every command prints through these few functions, so a table, a cut title or an error line
looks the same whichever command printed it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from provenance.cli.options import OutputFormat
from provenance.errors import ConfigError
from provenance.labels import flag_label

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def say_error(message: str, label: str = "error") -> None:
    """One line on stderr, its label in red: ``error: ...`` or ``failed: <url>: ...``."""
    err.print(f"[red]{label}:[/red] {escape(message)}", markup=True, highlight=False)


def plain_table(*columns: str, title: str | None = None) -> Table:
    """A borderless table with bold headers: the look of every list the CLI prints."""
    return Table(*columns, box=None, header_style="bold", title=title)


def print_listing(headers: list[str], rows: list[list[str]], *, flexible: set[int]) -> None:
    """Rows in the look of ``plain_table`` (bold headers, columns two spaces apart), written
    line by line. Rich lays a table out cell by cell, a third of a millisecond a row, which
    ``link --all`` and ``align --all`` over thousands of stories would spend after their work
    is done. When the rows are wider than the terminal, the ``flexible`` columns (URLs) are
    narrowed, the widest first, each cut cell ending in "…"."""
    widths = [max(map(cell_len, column)) for column in zip(headers, *rows, strict=True)]
    over = 2 * len(widths) + sum(widths) - out.size.width
    narrowest = {i: max(cell_len(headers[i]), 8) for i in flexible}
    while over > 0:  # a column at a time, so that two URL columns end up alike
        widest = max(flexible, key=widths.__getitem__)
        if widths[widest] <= narrowest[widest]:
            break
        widths[widest] -= 1
        over -= 1
    out.print(_listing_line(headers, widths), style="bold", markup=False, highlight=False)
    out.file.write("".join(_listing_line(row, widths) + "\n" for row in rows))


def _listing_line(cells: list[str], widths: list[int]) -> str:
    fitted = (
        set_cell_size(cell, width)
        if cell_len(cell) <= width
        else set_cell_size(cell, width - 1) + "…"
        for cell, width in zip(cells, widths, strict=True)
    )
    return (" " + "  ".join(fitted)).rstrip()


def emit(
    rows: list[dict[str, Any]] | dict[str, Any],
    fmt: OutputFormat,
    table: Table | None = None,
    *,
    flat: list[dict[str, Any]] | None = None,
    columns: list[str] | None = None,
) -> None:
    """Print data in the chosen format: JSON keeps Arabic as it is (UTF-8); CSV is ``flat``
    (default: ``rows`` when a list), one row per item, through the shared writer."""
    from provenance.csvout import csv_text

    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
    elif fmt is OutputFormat.jsonl:
        for row in rows if isinstance(rows, list) else [rows]:
            sys.stdout.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    elif fmt is OutputFormat.csv:
        if flat is None and not isinstance(rows, list):
            raise typer.BadParameter(
                "--format csv: this command's output is not a table; use --format json"
            )
        sys.stdout.write(csv_text(rows if flat is None else flat, columns))  # type: ignore[arg-type]
    elif table is not None:
        out.print(table)


def write_output(text: str, out_path: Path | None) -> None:
    """A whole document to ``--out`` (its size said on stderr), or to stdout without it."""
    if out_path is None:
        sys.stdout.write(text)
        return
    try:
        out_path.write_text(text, "utf-8")
    except OSError as error:
        raise ConfigError(f"{out_path}: cannot write ({error.strerror or error})") from None
    err.print(f"wrote {out_path} ({len(text.encode('utf-8')) / 1024:.0f} KB)")


def ellipsis(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, the cut shown with "…" (a table row stays one
    line and says that there is more)."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def bare_url(url: str) -> str:
    """A URL as a listing shows it: no scheme, no "www.", so that what a cut at the end leaves
    is the host and the start of the path, where outlets put the article's number (or its
    query, for a site that numbers articles as ``?p=123``)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    bare = parts.netloc.removeprefix("www.") + parts.path.rstrip("/")
    return (bare + (f"?{parts.query}" if parts.query else "")) if bare else url


def short_url(url: str, width: int = 40) -> str:
    """``bare_url`` cut to ``width`` characters."""
    return ellipsis(bare_url(url), width)


def every_key(counts: dict[str, int], keys: tuple[str, ...]) -> dict[str, int]:
    """Counts with every documented key, zeros included, so that a script can read
    ``counts["failed"]`` without a default; unexpected keys are kept after them."""
    return {key: counts.get(key, 0) for key in keys} | counts


GROUP_STYLE = {"matched": "green", "added": "yellow", "dropped": "red", "moved": "magenta"}


def aligned_table(aligned: Any) -> Table:
    """The translation and its original side by side, one row per group, its flags beside it
    as the review UI words them (provenance.labels)."""
    table = Table("group", "translation", "original", "flags", header_style="bold",
                  show_lines=True, expand=True)  # fmt: skip
    t_text = {p.index: p for p in aligned.translation}
    o_text = {p.index: p for p in aligned.original}
    by_group: dict[int | None, list[Any]] = {}
    for flag in aligned.flags:
        by_group.setdefault(flag.group_id, []).append(flag)
    for group in aligned.groups:
        style = GROUP_STYLE.get(group.kind, "")
        left = "\n\n".join(f"[{i}] {t_text[i].text}" for i in group.translation if i in t_text)
        right = "\n\n".join(f"[{j}] {o_text[j].text}" for j in group.original if j in o_text)
        flags = "\n".join(
            flag_label(f.kind, f.evidence, f.status) for f in by_group.get(group.id, [])
        )
        table.add_row(f"[{style}]{group.kind}[/{style}]", left, right, flags)
    return table
