"""The ``provenance`` command: parses options, calls the library, prints with Rich.

No logic lives here. Data goes to stdout (a table, or one JSON document with ``--json``);
progress and messages go to stderr, so ``provenance list --json | jq`` stays clean.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from provenance import __version__
from provenance.config import Settings, load_settings
from provenance.errors import ConfigError, ProvenanceError
from provenance.store import Store

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class _Commands(TyperGroup):
    """Prints any ProvenanceError as one line on stderr and exits with its code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ProvenanceError as error:
            err.print(f"[red]error:[/red] {error}", markup=True, highlight=False)
            raise typer.Exit(error.exit_code) from None


app = typer.Typer(
    cls=_Commands,
    name="provenance",
    help="Link translated news to its originals, align paragraphs, flag what changed.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


FormatOpt = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="table, json, jsonl or csv.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Shorthand for --format json.")]


class State:
    settings: Settings = Settings()


state = State()


def _version(value: bool) -> None:
    if value:
        print(f"provenance {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database URL (default: $PROVENANCE_DB or sqlite:///./provenance.db).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Translation provenance: ingest articles, link and align translations, review, audit."""
    state.settings = load_settings().with_overrides(db=db)


def open_store() -> Store:
    return Store.open(state.settings.db, state.settings.busy_timeout_ms)


def emit(
    rows: list[dict[str, Any]] | dict[str, Any], fmt: OutputFormat, table: Table | None = None
) -> None:
    """Print data in the chosen format: JSON keeps Arabic as it is (UTF-8)."""
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
    elif fmt is OutputFormat.jsonl:
        for row in rows if isinstance(rows, list) else [rows]:
            sys.stdout.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    elif fmt is OutputFormat.csv:
        items = rows if isinstance(rows, list) else [rows]
        buffer = io.StringIO()
        if items:
            writer = csv.DictWriter(buffer, fieldnames=list(items[0]), extrasaction="ignore")
            writer.writeheader()
            writer.writerows(items)
        sys.stdout.write(buffer.getvalue())
    elif table is not None:
        out.print(table)


def _fmt(fmt: OutputFormat, as_json: bool) -> OutputFormat:
    return OutputFormat.json if as_json else fmt


def _date(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return (
            datetime.fromisoformat(value).replace(tzinfo=UTC)
            if len(value) <= 10
            else datetime.fromisoformat(value)
        )
    except ValueError:
        raise ConfigError(f"--{name} {value!r} is not a date (YYYY-MM-DD)") from None


@app.command()
def init() -> None:
    """Create the database, or upgrade its schema to this version's.

    Example: `provenance --db sqlite:///newsroom.db init`
    """
    store = open_store()
    from provenance.db import current_revision, table_names

    err.print(
        f"database ready: {state.settings.db} (schema {current_revision(store.engine)}, {len(table_names(store.engine)) - 1} tables)"
    )


@app.command()
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files or directories (.json, .jsonl, .txt, .html; recursive)."),
    ],
    fmt: FormatOpt = OutputFormat.table,
    as_json: JsonOpt = False,
) -> None:
    """Read articles and gold pairs into the database; a changed text becomes a new revision.

    Example: `provenance ingest fixtures/ shared/seeds/000_c906f3d236522aa8.txt`
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from provenance.formats import iter_paths
    from provenance.ingest import ingest_paths

    store = open_store()
    files = list(iter_paths(paths))
    progress = Progress(
        TextColumn("ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=len(files) < 20 or not err.is_terminal,
    )
    with progress:
        task = progress.add_task("ingest", total=len(files))
        report = ingest_paths(
            store,
            files,
            max_file_mb=state.settings.max_file_mb,
            on_file=lambda _p: progress.advance(task),
        )
    fmt = _fmt(fmt, as_json)
    for message in report.errors:
        err.print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    if fmt is OutputFormat.table:
        data = report.to_json()
        err.print(
            f"{data['files']} files: {data['created']} articles created, {data['revised']} revised, "
            f"{data['unchanged']} unchanged, {data['failed']} failed"
        )
    else:
        emit(report.to_json(), fmt)
    if not report.ok:
        raise typer.Exit(1)


@app.command("list")
def list_articles(
    lang: Annotated[str | None, typer.Option(help="Only this language (ar, en, ...).")] = None,
    outlet: Annotated[str | None, typer.Option(help="Only this outlet (name as listed).")] = None,
    since: Annotated[
        str | None, typer.Option(help="Published on or after this date (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Published before this date (YYYY-MM-DD, exclusive).")
    ] = None,
    search: Annotated[str | None, typer.Option(help="Title or URL contains this text.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows (0: all).")] = 100,
    fmt: FormatOpt = OutputFormat.table,
    as_json: JsonOpt = False,
) -> None:
    """List stored articles, newest first.

    Example: `provenance list --lang ar --outlet "Enab Baladi" --since 2022-09-01 --json`
    """
    from dataclasses import asdict

    store = open_store()
    rows = store.list_articles(
        lang=lang,
        outlet=outlet,
        since=_date(since, "since"),
        until=_date(until, "until"),
        search=search,
        limit=limit or None,
    )
    table = Table(
        "id", "published", "outlet", "lang", "title", "paras", "revs", box=None, header_style="bold"
    )
    for r in rows:
        table.add_row(
            str(r.id),
            (r.published or "")[:10],
            r.outlet or "",
            r.lang,
            r.title[:70],
            str(r.paragraphs),
            str(r.revisions),
        )
    emit([asdict(r) for r in rows], _fmt(fmt, as_json), table)


@app.command()
def show(
    article: Annotated[str, typer.Argument(help="Article URL or id.")],
    fmt: FormatOpt = OutputFormat.table,
    as_json: JsonOpt = False,
) -> None:
    """Show one article: its paragraphs with index, kind and language.

    Example: `provenance show https://syrianobserver.com/news/79101/hamas-confirms-resumption-of-relations-with-regime-syrian-disregard.html`
    """
    store = open_store()
    detail = store.article_detail(article)
    fmt = _fmt(fmt, as_json)
    if fmt is not OutputFormat.table:
        emit(detail.to_json(), fmt)
        return
    a = detail.article
    out.print(f"[bold]{a.title}[/bold]", highlight=False)
    out.print(
        f"{a.url}\n{a.outlet or '?'} · {a.lang} · {(a.published or '')[:10]} · revision {a.revisions}"
        + (f" · credits {a.credit}" if a.credit else ""),
        highlight=False,
    )
    table = Table("#", "kind", "lang", "text", box=None, header_style="bold")
    for p in detail.paragraphs:
        kind = p.kind + (f" ({p.credit})" if p.credit else "")
        table.add_row(str(p.index), kind, p.lang or "", p.text)
    out.print(table)


@app.command()
def stats(fmt: FormatOpt = OutputFormat.table, as_json: JsonOpt = False) -> None:
    """Summarise the database: articles by outlet and language, paragraphs by kind.

    Example: `provenance stats --json`
    """
    data = open_store().summary()
    fmt = _fmt(fmt, as_json)
    if fmt is not OutputFormat.table:
        emit(data, fmt)
        return
    table = Table(
        "outlet",
        "lang",
        "articles",
        box=None,
        header_style="bold",
        title=f"{data['articles']} articles, {data['revisions']} revisions",
    )
    for row in data["by_outlet"]:
        table.add_row(row["outlet"] or "(none)", row["lang"], str(row["articles"]))
    out.print(table)
    kinds = Table("paragraph kind", "count", box=None, header_style="bold")
    for kind, n in data["paragraphs_by_kind"].items():
        kinds.add_row(kind, str(n))
    out.print(kinds)


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
