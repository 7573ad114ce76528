"""The ``provenance`` command: parses options, calls the library, prints with Rich.

No logic lives here. Data goes to stdout (a table, or one JSON document with ``--json``);
progress and messages go to stderr, so ``provenance list --json | jq`` stays clean.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypedDict

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from provenance import __version__
from provenance.config import Settings, load_settings
from provenance.errors import ConfigError, ProvenanceError
from provenance.store import Store
from provenance.vocab import ALIGNED_LINKS
from provenance.wording import plural

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class _Commands(TyperGroup):
    """Prints any ProvenanceError, and any error of the database (down, locked, read-only,
    full), as one line on stderr and exits with its code: no traceback reaches a user."""

    def invoke(self, ctx: Any) -> Any:
        import sqlite3

        from sqlalchemy.exc import SQLAlchemyError

        from provenance.db import database_error

        try:
            try:
                return super().invoke(ctx)
            except (SQLAlchemyError, sqlite3.Error) as error:
                raise database_error(error, state.settings.db) from None
        except ProvenanceError as error:
            err.print(f"[red]error:[/red] {escape(str(error))}", markup=True, highlight=False)
            raise typer.Exit(error.exit_code) from None
        finally:
            while state.stores:
                state.stores.pop().close()

    def get_params(self, ctx: Any) -> Any:
        return _untyped_flags(super().get_params(ctx))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _untyped_flags(command.get_params(ctx))
        return command


def _untyped_flags(params: list[Any]) -> list[Any]:
    """On/off flags take no value: help shows them without a ``<bool>`` type."""
    for param in params:
        if getattr(param, "is_flag", False):  # typer's own click, not the installed one
            param.metavar = ""
    return params


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
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        show_default=False,
        help="Processes on this machine (default: $PROVENANCE_WORKERS or 1).",
    ),
]


class State:
    settings: Settings = Settings()
    stores: list[Store] = []
    """The stores a command opened: closed when it ends, whatever the outcome."""


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
            help="Database URL (default: $PROVENANCE_DB or sqlite:///./provenance.db). "
            "Commands that only read never create it.",
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
    """The database, created when missing (init, ingest, fetch, link, align...)."""
    store = Store.open(state.settings.db, state.settings.busy_timeout_ms)
    state.stores.append(store)
    return store


def read_store(outlet: str | None = None) -> tuple[Store, str | None]:
    """The database for a command that only reads: a missing one is an error, never created.
    ``--outlet`` must name a known outlet (the error lists the closest names); returned as
    stored."""
    store = Store.open(state.settings.db, state.settings.busy_timeout_ms, create=False)
    state.stores.append(store)
    return store, store.outlet_named(outlet) if outlet else None


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


def ellipsis(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, the cut shown with "…" (a table row stays one
    line and says that there is more)."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def short_url(url: str, width: int = 40) -> str:
    """A URL as a table shows it: no scheme, no "www.", cut at the end, so that the host and
    the start of the path (where outlets put the article's number) stay readable."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    short = (parts.netloc.removeprefix("www.") + parts.path.rstrip("/")) or url
    return ellipsis(short, width)


def _no_csv(fmt: OutputFormat, what: str) -> None:
    """Refuse CSV, before any work, for a command whose data is not one table (exit 2)."""
    if fmt is OutputFormat.csv:
        raise typer.BadParameter(f"--format csv: {what} is not a table; use --format json")


def _every_key(counts: dict[str, int], keys: tuple[str, ...]) -> dict[str, int]:
    """Counts with every documented key, zeros included, so that a script can read
    ``counts["failed"]`` without a default; unexpected keys are kept after them."""
    return {key: counts.get(key, 0) for key in keys} | counts


FETCH_STATUSES = ("fetched", "unchanged", "failed")
"""What became of each URL fetch or refresh was given (provenance.fetch.FetchResult.status)."""
LINK_DECISIONS = ("auto", "suggested", "none", "kept")
"""What link decided for each translation (provenance.link.decide, and kept by a reviewer)."""


def _fmt(fmt: OutputFormat, as_json: bool) -> OutputFormat:
    return OutputFormat.json if as_json else fmt


def _date(value: str | None, name: str) -> datetime | None:
    """YYYY-MM-DD (or a full ISO time), or a span back from now: 7d, 2w, 24h."""
    if value is None:
        return None
    span = re.fullmatch(r"(\d+)([hdw])", value.strip())
    if span:
        hours = int(span.group(1)) * {"h": 1, "d": 24, "w": 168}[span.group(2)]
        return datetime.now(UTC) - timedelta(hours=hours)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            f"--{name} {value!r} is not a date (YYYY-MM-DD) or a span (7d, 2w)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class Period(TypedDict):
    since: datetime | None
    until: datetime | None


def _period(since: str | None, until: str | None) -> Period:
    """``--since`` and ``--until`` as keyword arguments; a period that ends before it starts
    is a usage error (exit 2), not an empty answer."""
    start, end = _date(since, "since"), _date(until, "until")
    if start is not None and end is not None and start >= end:
        raise typer.BadParameter(
            f"--since {since} is not before --until {until} (--until is exclusive)"
        )
    return {"since": start, "until": end}


@app.command()
def init() -> None:
    """Create the database, or upgrade its schema to this version's.

    Example: `provenance --db sqlite:///newsroom.db init`
    """
    store = open_store()
    from provenance.db import current_revision, database_name, table_names

    err.print(
        f"database ready: {database_name(state.settings.db)} (schema {current_revision(store.engine)}, {len(table_names(store.engine)) - 1} tables)"
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

    Example: `provenance ingest fixtures/ tests/data/seed.txt`
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from provenance.ingest import ingest_paths

    files = _article_files(paths)
    store = open_store()
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
            on_error=lambda m: err.print(
                f"[red]error:[/red] {escape(m)}", markup=True, highlight=False
            ),
            settings=state.settings,
        )
    fmt = _fmt(fmt, as_json)
    if fmt is OutputFormat.table:
        data = report.to_json()
        err.print(
            f"{plural(data['files'], 'file')}: {plural(data['created'], 'article')} created, "
            f"{data['revised']} revised, {data['unchanged']} unchanged, {data['failed']} failed"
        )
    else:
        data = report.to_json()
        emit(data, fmt, flat=data["articles"], columns=["url", "id", "status", "revision"])
    if not report.ok:
        raise typer.Exit(1)
    if not report.articles:
        raise ConfigError(f"{', '.join(map(str, paths))}: no articles found (the files hold none)")


def _article_files(paths: list[Path]) -> list[Path]:
    """The files ingest will read; a directory without any is an error before the database
    is touched (a mistyped path must not look like a quiet day)."""
    from provenance.formats import ARTICLE_SUFFIXES, iter_paths

    files = []
    for path in paths:
        found = list(iter_paths([path]))
        if path.is_dir() and not found:
            raise ConfigError(
                f"{path}: no articles found (no {', '.join(ARTICLE_SUFFIXES)} files in it)"
            )
        files += found
    return files


@app.command("list")
def list_articles(
    lang: Annotated[str | None, typer.Option(help="Only this language (ar, en, ...).")] = None,
    outlet: Annotated[
        str | None,
        typer.Option(help="Only this outlet (name as listed, any case; unknown: an error)."),
    ] = None,
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

    store, outlet = read_store(outlet)
    rows = store.list_articles(
        lang=lang,
        outlet=outlet,
        **_period(since, until),
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
            ellipsis(r.title, 70),
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
    """Show one article: its paragraphs with index, kind and language (CSV: one row each).

    Example: `provenance show https://syrianobserver.com/news/79101/hamas-confirms-resumption-of-relations-with-regime-syrian-disregard.html`
    """
    from dataclasses import asdict

    store, _ = read_store()
    detail = store.article_detail(article)
    fmt = _fmt(fmt, as_json)
    if fmt is not OutputFormat.table:
        a = detail.article
        paragraphs = [{"article_id": a.id, "url": a.url, "revision": a.revisions, **asdict(p)}
                      for p in detail.paragraphs]  # fmt: skip
        emit(detail.to_json(), fmt, flat=paragraphs, columns=SHOW_COLUMNS)
        return
    a = detail.article
    out.print(f"[bold]{a.title}[/bold]", highlight=False)
    out.print(
        f"{a.url}\n{a.outlet or '?'} · {a.lang} · {(a.published or '')[:10]} · revision {a.revisions}"
        + (f" · credits {a.credit}" if a.credit else ""),
        highlight=False,
    )
    aligned = store.aligned_pair(detail.article.id)
    if aligned is not None:
        _print_aligned(aligned)
        return
    table = Table("#", "kind", "lang", "text", box=None, header_style="bold")
    for p in detail.paragraphs:
        kind = p.kind + (f" ({p.credit})" if p.credit else "") + (" (learnt)" if p.learnt else "")
        table.add_row(str(p.index), kind, p.lang or "", p.text)
    out.print(table)


SHOW_COLUMNS = ["article_id", "url", "revision", "index", "kind", "lang", "credit", "learnt",
                "text"]  # fmt: skip

GROUP_STYLE = {"matched": "green", "added": "yellow", "dropped": "red", "moved": "magenta"}


def _print_aligned(aligned: Any) -> None:
    """The translation and its original side by side, one row per group, flags beside it."""
    link = aligned.link
    out.print(
        f"linked to {link.original_url} ({link.status}, score {link.score:.2f})\n", highlight=False
    )
    table = Table(
        "group",
        "translation",
        "original",
        "flags",
        header_style="bold",
        show_lines=True,
        expand=True,
    )
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
            f"{f.kind}"
            + (
                f" {f.evidence.get('translation')} ≠ {f.evidence.get('original')}"
                if "mismatch" in f.kind
                else ""
            )
            + ("" if f.status == "open" else f" ({f.status})")
            for f in by_group.get(group.id, [])
        )
        table.add_row(f"[{style}]{group.kind}[/{style}]", left, right, flags)
    out.print(table)


SemanticOpt = Annotated[
    bool | None,
    typer.Option(
        "--semantic/--no-semantic", help="Use the semantic backend (default: on when installed)."
    ),
]


def _embedder(semantic: bool | None, *, near_ties_only: bool = False) -> Any:
    """The semantic backend when wanted and installed; a one-line notice when it is missing."""
    from provenance.embed import default_embedder, semantic_available

    wanted = state.settings.semantic if semantic is None else semantic
    if not wanted:
        return None
    if not semantic_available():
        if not near_ties_only:
            err.print(
                "notice: semantic backend not installed (pip install 'provenance[semantic]'); "
                "aligning on anchors, concepts and length"
            )
        return None
    return default_embedder()


def _fetch_options(concurrency: int, per_host: int, delay: float, timeout: float, retries: int, max_mb: float,
                   ignore_robots: bool) -> Any:  # fmt: skip
    from provenance.fetch import FetchOptions

    return FetchOptions(
        concurrency=concurrency, per_host=per_host, delay=delay, read_timeout=timeout, total_timeout=timeout * 3,
        retries=retries, max_bytes=int(max_mb * 1_000_000), robots=not ignore_robots,
    )  # fmt: skip


def _run_fetch(
    store: Store, urls: list[str], options: Any, fmt: OutputFormat, workers: int = 1
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from provenance.fetch import fetch_urls

    progress = Progress(TextColumn("fetch"), BarColumn(), MofNCompleteColumn(), console=err, transient=True,
                        disable=len(urls) < 5 or not err.is_terminal)  # fmt: skip
    with progress:
        task = progress.add_task("fetch", total=len(urls))
        if workers > 1:
            from provenance.workers import fetch_in_processes

            report = fetch_in_processes(store, urls, options, workers=workers, settings=state.settings,
                                        on_result=lambda _r: progress.advance(task))  # fmt: skip
        else:
            report = fetch_urls(store, urls, options, on_result=lambda _r: progress.advance(task))
    if fmt is not OutputFormat.table:
        _emit_fetch(report, fmt)
    else:
        for result in report.failed:
            err.print(
                f"[red]failed:[/red] {escape(result.url)}: {escape(str(result.reason))}",
                markup=True,
                highlight=False,
            )
        for result in report.results:
            if result.flags:
                err.print(
                    f"changed after linking: {result.final_url} ({', '.join(result.flags)})",
                    highlight=False,
                )
    counts = report.counts()
    err.print(
        f"{counts.get('fetched', 0)} fetched, {counts.get('unchanged', 0)} unchanged, {counts.get('failed', 0)} failed"
    )
    if report.failed:
        raise typer.Exit(1)


FETCH_COLUMNS = ["url", "status", "reason", "final_url", "article_id", "revision", "flags"]


def _emit_fetch(report: Any, fmt: OutputFormat) -> None:
    """A fetch or refresh report: every status counted (zeros too), one CSV row per URL."""
    data = report.to_json()
    data["counts"] = _every_key(data["counts"], FETCH_STATUSES)
    emit(data, fmt, flat=data["results"], columns=FETCH_COLUMNS)


ConcurrencyOpt = Annotated[
    int, typer.Option("--concurrency", help="Requests at once, all hosts together.")
]
PerHostOpt = Annotated[int, typer.Option("--per-host", help="Requests at once to one host.")]
DelayOpt = Annotated[
    float, typer.Option("--delay", help="Seconds between two requests to one host.")
]
TimeoutOpt = Annotated[
    float, typer.Option("--timeout", help="Read timeout in seconds (the total is three times it).")
]
RetriesOpt = Annotated[
    int, typer.Option("--retries", help="Retries on connection errors, 429 and 5xx.")
]
MaxMbOpt = Annotated[float, typer.Option("--max-mb", help="Largest page body in megabytes.")]
RobotsOpt = Annotated[
    bool,
    typer.Option("--ignore-robots", help="Do not read robots.txt (only for sites you may crawl)."),
]


@app.command()
def fetch(
    urls: Annotated[list[str] | None, typer.Argument(help="Article URLs (http or https).")] = None,
    url_file: Annotated[
        Path | None, typer.Option("--urls", help="A file with one URL a line.")
    ] = None,
    feed: Annotated[
        list[str] | None,
        typer.Option(
            "--feed",
            help="An RSS or Atom feed or an XML sitemap: fetch the articles it lists that are not stored yet (repeatable).",
        ),
    ] = None,
    concurrency: ConcurrencyOpt = 8,
    per_host: PerHostOpt = 2,
    delay: DelayOpt = 1.0,
    timeout: TimeoutOpt = 20.0,
    retries: RetriesOpt = 3,
    max_mb: MaxMbOpt = 5.0,
    ignore_robots: RobotsOpt = False,
    workers: WorkersOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    as_json: JsonOpt = False,
) -> None:
    """Fetch article pages, extract their text and store them (a changed page becomes a revision).

    Example: `provenance fetch https://www.enabbaladi.net/archives/604512` or `provenance fetch --feed https://www.enabbaladi.net/feed`
    """
    import asyncio

    from provenance.fetch import FetchFailure, discover_async

    options = _fetch_options(concurrency, per_host, delay, timeout, retries, max_mb, ignore_robots)
    targets = list(urls or [])
    if url_file is not None:
        try:
            targets += [
                line.strip()
                for line in url_file.read_text("utf-8").splitlines()
                if line.strip() and not line.startswith("#")
            ]
        except OSError as error:
            raise ConfigError(f"{url_file}: cannot read ({error.strerror or error})") from None
    if not targets and not feed:
        raise typer.BadParameter("give URLs, --urls FILE or --feed URL")
    store = open_store()
    feed_errors: list[str] = []
    for source in feed or []:
        try:
            found, errors = asyncio.run(discover_async(store, source, options))
        except FetchFailure as failure:  # read, but not a feed or a sitemap
            found, errors = [], [f"{source}: {failure.reason}"]
        for message in errors:
            err.print(f"[red]failed:[/red] {escape(message)}", markup=True, highlight=False)
        err.print(f"{source}: {len(found)} new article(s) listed")
        targets += found
        feed_errors += errors
    _run_fetch(store, targets, options, _fmt(fmt, as_json), _worker_count(workers))
    if feed_errors:  # the articles a feed did list are fetched; the run still failed
        raise typer.Exit(1)


@app.command()
def refresh(
    urls: Annotated[list[str] | None, typer.Argument(help="Only these stored articles.")] = None,
    older_than: Annotated[
        str | None,
        typer.Option("--older-than", help="Only articles not updated for this long (7d, 2w, 24h)."),
    ] = None,
    concurrency: ConcurrencyOpt = 8,
    per_host: PerHostOpt = 2,
    delay: DelayOpt = 1.0,
    timeout: TimeoutOpt = 20.0,
    retries: RetriesOpt = 3,
    max_mb: MaxMbOpt = 5.0,
    ignore_robots: RobotsOpt = False,
    workers: WorkersOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    as_json: JsonOpt = False,
) -> None:
    """Fetch known articles again: a changed text becomes a revision and flags its links.

    Example: `provenance refresh --older-than 7d`
    """
    store = open_store()
    targets = store.refresh_urls(older_than=_date(older_than, "older-than"), urls=urls)
    options = _fetch_options(concurrency, per_host, delay, timeout, retries, max_mb, ignore_robots)
    if not targets:
        err.print("nothing to refresh")
        if _fmt(fmt, as_json) is not OutputFormat.table:  # a script still gets its document
            from provenance.fetch import FetchReport

            _emit_fetch(FetchReport(), _fmt(fmt, as_json))
        return
    _run_fetch(store, targets, options, _fmt(fmt, as_json), _worker_count(workers))


@app.command()
def diff(
    article: Annotated[str, typer.Argument(help="Article URL or id.")],
    from_rev: Annotated[
        int | None,
        typer.Option("--from", help="Older revision number (default: the one before --to)."),
    ] = None,
    to_rev: Annotated[
        int | None, typer.Option("--to", help="Newer revision number (default: the latest).")
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
    as_json: JsonOpt = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="Mark changes as [-old-]{+new+}, even on a terminal.")
    ] = False,
) -> None:
    """Show what changed between two revisions of an article, word by word: coloured on a
    terminal, marked [-deleted-]{+inserted+} (as `git diff --word-diff`) when piped.

    Example: `provenance diff https://www.enabbaladi.net/archives/604512 --from 1 --to 2`
    """
    from rich.text import Text

    from provenance.diff import revision_diff, word_diff

    before, after, changes = revision_diff(read_store()[0], article, from_rev, to_rev)
    fmt = _fmt(fmt, as_json)
    if fmt is not OutputFormat.table:
        emit(
            {
                "from": before,
                "to": after,
                "changes": [{"op": c.op, "text": c.text} for c in changes],
            },
            fmt,
        )
        return
    text = Text(f"revision {before} → {after}\n\n")
    if no_color or out.no_color or not out.is_terminal:
        out.print(text.append(word_diff(changes)))
        return
    for change in changes:
        text.append(change.text, style={-1: "red strike", 1: "green bold"}.get(change.op, ""))
    out.print(text)


@app.command()
def link(
    translation: Annotated[str | None, typer.Argument(help="Translation URL or id.")] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Link every translation in the database.")
    ] = False,
    top: Annotated[
        int, typer.Option("--top", help="Keep this many ranked candidates per translation.")
    ] = 5,
    semantic: SemanticOpt = None,
    workers: WorkersOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    as_json: JsonOpt = False,
) -> None:
    """Find each translation's original and store the decision: auto, suggested or none.

    Links a reviewer confirmed or rejected are never changed.

    Example: `provenance link --all`
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from provenance.link import link_translations

    if (translation is None) == (not everything):
        raise typer.BadParameter("give a translation URL or --all")
    store = open_store()
    total = 1 if translation is not None else len(store.translation_ids())
    progress = Progress(TextColumn("link"), BarColumn(), MofNCompleteColumn(), console=err, transient=True,
                        disable=total < 20 or not err.is_terminal)  # fmt: skip
    processes = _worker_count(workers) if everything else 1
    with progress:
        task = progress.add_task("link", total=total)
        if processes > 1:
            from provenance.workers import link_in_processes

            report = link_in_processes(
                store, workers=processes, top=top, settings=state.settings,
                semantic=_semantic_in_workers(semantic, near_ties_only=True),
                on_result=lambda _r: progress.advance(task),
            )  # fmt: skip
        else:
            report = link_translations(
                store, translation=translation, everything=everything, top=top, settings=state.settings,
                embedder=_embedder(semantic, near_ties_only=True), on_result=lambda _r: progress.advance(task),
            )  # fmt: skip
    fmt = _fmt(fmt, as_json)
    if fmt is not OutputFormat.table:
        data = report.to_json()
        data["decisions"] = _every_key(data["decisions"], LINK_DECISIONS)
        emit(data, fmt, flat=[_link_row(r) for r in data["results"]], columns=LINK_COLUMNS)
        return
    table = Table(
        "decision", "translation", "best original", "score", box=None, header_style="bold"
    )
    for result in report.results:
        best = result.candidates[0] if result.candidates else None
        table.add_row(
            result.decision,
            result.translation_url,
            best.url if best else "—",
            f"{best.score:.2f}" if best else "",
        )
    out.print(table)
    counts = report.counts()
    err.print(", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no translations to link")


LINK_COLUMNS = ["translation", "translation_id", "credit", "decision", "original",
                "original_title", "original_outlet", "score", "candidates", "note"]  # fmt: skip


def _link_row(result: dict[str, Any]) -> dict[str, Any]:
    """One translation's decision as a CSV row: its best candidate, and how many there were."""
    best = result["candidates"][0] if result["candidates"] else {}
    return {**result, "original": best.get("url"), "original_title": best.get("title"),
            "original_outlet": best.get("outlet"), "score": best.get("score"),
            "candidates": len(result["candidates"])}  # fmt: skip


CANDIDATE_COLUMNS = ["rank", "score", "url", "title", "outlet", "published", "credited", "days",
                     "coverage", "matched_terms", "also_published_by"]  # fmt: skip


@app.command()
def candidates(
    translation: Annotated[str, typer.Argument(help="Translation URL or id.")],
    semantic: SemanticOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    as_json: JsonOpt = False,
) -> None:
    """Print the ranked candidate originals of a translation with their scores and reasons.

    Nothing is stored.

    Example: `provenance candidates https://syrianobserver.com/news/79101/hamas-confirms-resumption-of-relations-with-regime-syrian-disregard.html`
    """
    from provenance.link import candidates_for, shared_words

    result = candidates_for(
        read_store()[0],
        translation,
        settings=state.settings,
        embedder=_embedder(semantic, near_ties_only=True),
    )
    fmt = _fmt(fmt, as_json)
    if fmt is not OutputFormat.table:
        data = result.to_json()
        emit(data, fmt, flat=data["candidates"], columns=CANDIDATE_COLUMNS)
        return
    out.print(
        f"[bold]{result.translation_url}[/bold]  credit: {result.credit or '—'}  decision: {result.decision}",
        highlight=False,
    )
    table = Table(box=None, header_style="bold")
    for name in ("#", "score", "title", "outlet", "days", "coverage", "shared"):
        table.add_column(name, overflow="fold")
    for c in result.candidates:
        coverage = "" if c.coverage is None else f"{c.coverage:.0%}"
        days = "" if c.days is None else f"{c.days:+.1f}"
        title = f"{escape(ellipsis(c.title, 60))}\n[dim]{escape(short_url(c.url, 60))}[/dim]"
        table.add_row(str(c.rank), f"{c.score:.2f}", title, (c.outlet or "") + (" (credited)" if c.credited else ""),
                      days, coverage, ", ".join(shared_words(c.matched_terms, 6)))  # fmt: skip
    out.print(table)
    for c in result.candidates:
        if c.also_published_by:
            copies = ", ".join(copy["url"] for copy in c.also_published_by)
            out.print(f"#{c.rank} also published by: {copies}", highlight=False)
    if result.note:
        err.print(f"note: {result.note}")
    if not result.candidates:
        out.print("no source found")


ALIGN_COLUMNS = ["link", "translation", "original", "groups", "flags", "coverage"]


@app.command()
def align(
    translation: Annotated[str | None, typer.Argument(help="Translation URL or id.")] = None,
    original: Annotated[
        str | None, typer.Option("--original", help="Link the translation to this original first.")
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Align every link that needs it.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Re-align even when neither side changed.")
    ] = False,
    semantic: SemanticOpt = None,
    workers: WorkersOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    as_json: JsonOpt = False,
) -> None:
    """Align linked translations with their originals and store groups and flags.

    Only links never aligned, or with a side revised since, are redone; decisions a reviewer
    made are kept.

    Example: `provenance align --all`
    """
    from provenance.align import align_links

    if (translation is None) == (not everything):
        raise typer.BadParameter("give a translation URL or --all")
    store = open_store()
    if original is not None:
        if translation is None:
            raise typer.BadParameter("--original needs a translation URL")
        store.link(store.find_article(translation).id or 0, store.find_article(original).id or 0)
    processes = _worker_count(workers) if everything else 1
    if processes > 1:
        from provenance.workers import align_in_processes

        report = align_in_processes(store, workers=processes, settings=state.settings,
                                    semantic=_semantic_in_workers(semantic), force=force)  # fmt: skip
    else:
        report = align_links(
            store,
            translation=translation,
            everything=everything,
            embedder=_embedder(semantic),
            force=force,
            max_cells=state.settings.max_align_cells,
        )
    for skipped in report.skipped:
        err.print(
            f"[red]error:[/red] {escape(skipped['translation'])}: {escape(skipped['reason'])}",
            markup=True,
            highlight=False,
        )
    fmt = _fmt(fmt, as_json)
    if fmt is not OutputFormat.table:
        data = report.to_json()
        emit(data, fmt, flat=data["aligned"], columns=ALIGN_COLUMNS)
        if report.skipped:
            raise typer.Exit(1)
        return
    table = Table(
        "link", "translation", "groups", "flags", "coverage", box=None, header_style="bold"
    )
    for row in report.aligned:
        table.add_row(
            str(row["link"]),
            row["translation"],
            str(row["groups"]),
            str(row["flags"]),
            f"{row['coverage']:.0%}",
        )
    if report.aligned:
        out.print(table)
    err.print(
        f"{len(report.aligned)} aligned, {report.unchanged} unchanged, {len(report.kept)} kept as reviewed"
        + (f", {len(report.skipped)} skipped" if report.skipped else "")
    )
    if report.skipped:
        raise typer.Exit(1)


class EvalMethod(StrEnum):
    """The aligners ``eval`` scores (provenance.eval.METHODS): a typo is a usage error, exit 2."""

    ours = "ours"
    gale_church = "gale-church"


@app.command("eval")
def evaluate_pairs(
    paths: Annotated[list[Path], typer.Argument(help="Gold pair files or directories.")],
    method: Annotated[
        EvalMethod,
        typer.Option("--method", help="ours or gale-church (the JSON reports this one)."),
    ] = EvalMethod.ours,
    semantic: SemanticOpt = None,
    details: Annotated[
        bool,
        typer.Option(
            "--details", help="Per pair: the wrong groups (predicted against gold), flag errors."
        ),
    ] = False,
    fmt: FormatOpt = OutputFormat.table,
    as_json: JsonOpt = False,
) -> None:
    """Score alignment, additions, drops, flags and linking against gold pairs.

    With --json, prints exactly the object of docs/formats.md §3 for --method (with --details, a
    "details" list beside it); as a table, ours and the Gale-Church baseline side by side.

    Example: `provenance eval fixtures/pairs --details`
    """
    from provenance.eval import evaluate

    fmt = _fmt(fmt, as_json)
    if details:
        _no_csv(fmt, "eval --details (scores and each pair's errors)")
    embedder = _embedder(semantic)
    per_pair: list[dict[str, Any]] | None = [] if details else None
    if fmt is not OutputFormat.table:
        result = evaluate(paths, method=method.value, embedder=embedder, details=per_pair)
        emit({**result, "details": per_pair} if details else result, fmt, flat=_score_rows(result, method),
             columns=["method", "measure", "precision", "recall", "f1"])  # fmt: skip
        return
    ours = evaluate(paths, method="ours", embedder=embedder, details=per_pair)
    if per_pair:
        out.print(_details_table(per_pair))
    baseline = evaluate(paths, method="gale-church")
    label = "semantic" if embedder is not None else "no semantic"
    table = Table(
        box=None,
        header_style="bold",
        title=f"{ours['pairs']} gold pairs: ours ({label}) and gale-church",
    )
    table.add_column("measure", no_wrap=True)
    for name in ("ours P", "R", "F1", "g-c P", "R", "F1"):
        table.add_column(name, justify="right", no_wrap=True)
    rows = [
        ("alignment", ours["alignment"], baseline["alignment"]),
        ("added", ours["added"], baseline["added"]),
        ("dropped", ours["dropped"], baseline["dropped"]),
    ]
    for kind in sorted(set(ours["flags"]) | set(baseline["flags"])):
        rows.append((f"flag {kind}", ours["flags"].get(kind), baseline["flags"].get(kind)))

    def cells(scores: dict[str, float] | None) -> list[str]:
        """A method that neither predicted nor missed a kind has nothing to score: a dash."""
        if scores is None:
            return ["–"] * 3
        return [f"{scores[k]:.3f}" for k in ("precision", "recall", "f1")]

    for name, a, b in rows:
        table.add_row(name, *cells(a), *cells(b))
    out.print(table)
    if ours.get("linking"):
        link = ours["linking"]
        out.print(
            f"linking: {link['queries']} queries over {link['candidates']} candidates, top-1 {link['top1']:.3f}, MRR {link['mrr']:.3f}"
        )
    err.print(f"{ours['seconds']:.1f} s (ours), {baseline['seconds']:.1f} s (gale-church)")


def _score_rows(result: dict[str, Any], method: str) -> list[dict[str, Any]]:
    """The scores of one method as CSV rows, one per measure (as the table shows them)."""
    measures = [(name, result[name]) for name in ("alignment", "added", "dropped")]
    measures += [(f"flag {kind}", scores) for kind, scores in sorted(result["flags"].items())]
    return [{"method": method, "measure": name, **scores} for name, scores in measures]


def _details_table(per_pair: list[dict[str, Any]]) -> Table:
    """The errors of each pair that has any: wrong groups against gold, wrong or missed flags."""
    table = Table(
        box=None, header_style="bold", title="errors by pair (translation↔original paragraphs)"
    )
    for name in ("pair", "F1", "error", "predicted", "gold"):
        table.add_column(name, no_wrap=name != "gold")

    def side(indices: list[int] | int | None) -> str:
        if isinstance(indices, list):
            return ",".join(map(str, indices)) or "–"
        return "–" if indices is None else str(indices)

    def group(ts: list[int] | int | None, os: list[int] | int | None) -> str:
        return f"{side(ts)}↔{side(os)}"

    for pair in per_pair:
        rows = [
            (
                f"group ({wrong['kind']})",
                group(*wrong["predicted"]),
                ", ".join(group(*g) for g in wrong["gold"]),
            )
            for wrong in pair["wrong_groups"]
        ]
        rows += [
            (
                f"{flag['error']} {flag['kind']}",
                group(flag["translation"], flag["original"]) if flag["error"] == "false" else "",
                group(flag["translation"], flag["original"]) if flag["error"] == "missed" else "",
            )
            for flag in pair["flag_errors"]
        ]
        for n, (error, predicted, gold) in enumerate(rows):
            f1 = f"{pair['alignment']['f1']:.2f}" if n == 0 else ""
            table.add_row(pair["id"] if n == 0 else "", f1, error, predicted, gold)
    return table


@app.command()
def review(
    story: Annotated[
        str | None, typer.Argument(help="Open straight at this translation (URL or id).")
    ] = None,
    reviewer: Annotated[
        str | None,
        typer.Option(
            "--reviewer",
            help="Name saved with decisions (default: $PROVENANCE_REVIEWER or the OS user).",
        ),
    ] = None,
    bidi: Annotated[
        str | None,
        typer.Option(
            "--bidi",
            help="Arabic display: auto, app (shape and reorder) or terminal ($PROVENANCE_BIDI).",
        ),
    ] = None,
    serve: Annotated[
        bool,
        typer.Option("--serve", help="Serve the same UI to web browsers (textual-serve)."),
    ] = False,
    host: Annotated[
        str | None,
        typer.Option("--host", help="With --serve: address to listen on (default 127.0.0.1)."),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option("--port", min=1, max=65535, help="With --serve: port (default 8000)."),
    ] = None,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url",
            help="With --serve: the address browsers use, behind a reverse proxy.",
        ),
    ] = None,
) -> None:
    """Open the review UI: the story list, or one story's alignment.

    With --serve, browsers get the same UI at http://127.0.0.1:8000 (one session per tab,
    decisions signed with --reviewer); see the README for a reverse proxy with a password.

    Example: `provenance review --reviewer rania` or `provenance review --serve --reviewer rania`
    """
    if bidi is not None and bidi not in ("auto", "app", "terminal"):
        raise typer.BadParameter("--bidi must be auto, app or terminal")
    if serve:
        from provenance.serve import DEFAULT_HOST, DEFAULT_PORT, serve_review

        serve_review(
            state.settings,
            host=host or DEFAULT_HOST,
            port=port or DEFAULT_PORT,
            reviewer=reviewer,
            bidi=bidi,
            story=story,
            public_url=public_url,
        )
        return
    if host is not None or port is not None or public_url is not None:
        raise typer.BadParameter("--host, --port and --public-url need --serve")
    from tui.app import make_app

    make_app(state.settings, reviewer=reviewer, bidi=bidi, story=story).run()


AUDIT_COLUMNS = [
    "id",
    "url",
    "title",
    "outlet",
    "published",
    "credit",
    "link_status",
    "original",
    "reasons",
    "high_flags",
    "confirmed_mismatches",
]


def _audit_table() -> Table:
    """The audit's columns: a story is known by its id, its title, outlet and date, and its
    short URL (one line each, cut with "…" to fit); the reasons wrap. 80 columns show all."""
    table = Table(box=None, header_style="bold")
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("story", no_wrap=True)
    table.add_column("link", no_wrap=True)
    table.add_column("reasons")
    return table


def _audit_story(row: Any, width: int) -> str:
    """The story cell of the audit table: title; date · outlet; short URL."""
    lines = [row.title, f"{(row.published or '')[:10] or 'no date'} · {row.outlet or '?'}"]
    title, where = (escape(ellipsis(line, width)) for line in lines)
    return f"{title}\n[dim]{where}\n{escape(short_url(row.url, width))}[/dim]"


class AuditFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


@app.command()
def audit(
    since: Annotated[
        str | None,
        typer.Option(help="Published on or after (YYYY-MM-DD, or 7d, 2w back from now)."),
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Published before (YYYY-MM-DD, exclusive).")
    ] = None,
    outlet: Annotated[
        str | None,
        typer.Option(help="Only this translating outlet (any case; unknown: an error)."),
    ] = None,
    reason: Annotated[
        list[str] | None,
        typer.Option("--reason", help="Only stories with this reason (repeatable)."),
    ] = None,
    fmt: Annotated[
        AuditFormat, typer.Option("--format", "-f", help="table, csv, json or jsonl.")
    ] = AuditFormat.table,
    as_json: JsonOpt = False,
    fail_on: Annotated[
        str,
        typer.Option(
            "--fail-on",
            help="Exit 1 when: unverified (any story listed); flags (a high-severity flag open or confirmed, "
            "or a story not aligned on its current revisions); none.",
        ),
    ] = "none",
) -> None:
    """List the stories that are not verified, each with its reasons.

    Verified: the original is linked (confirmed, or auto above the threshold), the alignment
    was made on the current revisions of both sides, and no high-severity flag is open or
    accepted. Reasons: no_original, link_suggested, link_rejected, not_aligned, high_flags,
    confirmed_mismatch, source_changed, translation_changed (and self_disclaimer beside them).

    Example: `provenance audit --since 7d --format csv > unverified.csv`
    """
    from provenance.audit import FAIL_ON, REASONS, should_fail, summarise
    from provenance.audit import audit as run_audit

    for r in reason or []:
        if r not in REASONS:
            raise typer.BadParameter(f"--reason {r!r} is not one of {', '.join(REASONS)}")
    if fail_on not in FAIL_ON:
        raise typer.BadParameter(f"--fail-on must be one of {', '.join(FAIL_ON)}")
    store, outlet = read_store(outlet)
    rows = list(
        run_audit(
            store,
            **_period(since, until),
            outlet=outlet,
            reasons=reason,
        )
    )
    chosen = OutputFormat.json if as_json else OutputFormat(fmt.value)
    if chosen is OutputFormat.table:
        table = _audit_table()
        width = max(24, min(70, out.width - 46))  # id, link and reasons keep the rest
        counts = {"high_flags": "high_flags", "confirmed_mismatch": "confirmed_mismatches"}
        for row in rows:
            reasons = []
            for r in row.reasons:
                by_kind = getattr(row, counts[r]) if r in counts else {}
                flags = ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items()))
                reasons.append(r + (f" ({flags})" if flags else ""))
            table.add_row(str(row.id), _audit_story(row, width), row.link_status or "—",
                          ", ".join(reasons))  # fmt: skip
        out.print(table)
        summary = summarise(rows)
        by_reason = ", ".join(f"{k} {v}" for k, v in summary["by_reason"].items())
        n = summary["unverified"]
        err.print(
            f"{n} unverified {'story' if n == 1 else 'stories'}"
            + (f": {by_reason}" if by_reason else "")
        )
    elif chosen is OutputFormat.csv:
        emit([row.to_json() for row in rows], chosen, columns=AUDIT_COLUMNS)
    else:
        emit([row.to_json() for row in rows], chosen)
    if should_fail(rows, fail_on):
        raise typer.Exit(1)


class ReportFormat(StrEnum):
    md = "md"
    html = "html"
    csv = "csv"
    json = "json"


SinceOpt = Annotated[
    str | None,
    typer.Option("--since", help="Published on or after (YYYY-MM-DD, or 7d, 2w back from now)."),
]
UntilOpt = Annotated[
    str | None, typer.Option("--until", help="Published before (YYYY-MM-DD, exclusive).")
]
OutletOpt = Annotated[
    str | None,
    typer.Option("--outlet", help="Only this translating outlet (any case; unknown: an error)."),
]
OutOpt = Annotated[
    Path | None, typer.Option("--out", help="Write to this file instead of standard output.")
]


def _write(text: str, out_path: Path | None) -> None:
    if out_path is None:
        sys.stdout.write(text)
        return
    try:
        out_path.write_text(text, "utf-8")
    except OSError as error:
        raise ConfigError(f"{out_path}: cannot write ({error.strerror or error})") from None
    err.print(f"wrote {out_path} ({len(text.encode('utf-8')) / 1024:.0f} KB)")


@app.command()
def report(
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="md, html, csv or json.")
    ] = ReportFormat.md,
    since: SinceOpt = None,
    until: UntilOpt = None,
    outlet: OutletOpt = None,
    out_path: OutOpt = None,
) -> None:
    """Write a batch report of a period: every story, and a summary by outlet, source and flag kind.

    Each story is verified or unverified by the rule of `provenance audit`, with its reasons;
    every flag a reviewer decided is listed with the decision and the reviewer.

    The HTML report is one self-contained file with a side-by-side section per story, up to
    200 stories. A longer one, or any with `--out` naming a folder, is in pages: a summary page
    (index.html, with the first 250 rows of the stories table) and the other pages of the table
    and of side-by-side sections in pages/ (`--out year.html`: year.html and year_pages/).
    Markdown, CSV and JSON stream, however many stories.

    Example: `provenance report --since 7d --format html --out week.html`
    """
    from provenance.report import write_report

    store, outlet = read_store(outlet)
    note = write_report(store, fmt.value, out_path, **_period(since, until), outlet=outlet)
    if note:
        err.print(note)


class ExportFormat(StrEnum):
    prov_json = "prov-json"
    prov_n = "prov-n"
    jsonld = "jsonld"


@app.command()
def export(
    fmt: Annotated[
        ExportFormat,
        typer.Option("--format", "-f", help="prov-json, prov-n (W3C PROV) or jsonld (schema.org)."),
    ] = ExportFormat.prov_json,
    since: SinceOpt = None,
    until: UntilOpt = None,
    outlet: OutletOpt = None,
    out_path: OutOpt = None,
) -> None:
    """Export provenance: W3C PROV (articles, revisions, translations, reviews) or schema.org JSON-LD.

    Example: `provenance export --format prov-json --out provenance.json`
    """
    from provenance.export import export as run_export

    store, outlet = read_store(outlet)
    text = run_export(
        store,
        fmt.value,
        **_period(since, until),
        outlet=outlet,
    )
    _write(text, out_path)


@app.command()
def stats(fmt: FormatOpt = OutputFormat.table, as_json: JsonOpt = False) -> None:
    """Summarise the database: articles by outlet and language, paragraphs by kind.

    Example: `provenance stats --json`
    """
    from provenance.text.segment import KINDS

    fmt = _fmt(fmt, as_json)
    _no_csv(fmt, "stats (articles by outlet and paragraphs by kind)")
    data = read_store()[0].summary()
    data["paragraphs_by_kind"] = _every_key(data["paragraphs_by_kind"], KINDS)
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
    for kind, n in sorted(data["paragraphs_by_kind"].items(), key=lambda item: -item[1]):
        kinds.add_row(kind, str(n))
    out.print(kinds)


@app.command()
def index(
    check: Annotated[
        bool, typer.Option("--check", help="Only check; exit 1 when the counts are wrong.")
    ] = False,
    repair: Annotated[bool, typer.Option("--repair", help="Recount wrong counts.")] = False,
    fmt: FormatOpt = OutputFormat.table,
    as_json: JsonOpt = False,
) -> None:
    """Bring the search index up to date, or check that its term counts match its postings.

    Example: `provenance index --check`
    """
    from provenance.link import check_index, index_articles

    fmt = _fmt(fmt, as_json)
    _no_csv(fmt, "index (a summary)")
    store = read_store()[0] if check and not repair else open_store()
    if not check:
        indexed = index_articles(store)
    report = {"indexed": 0 if check else indexed, **check_index(store, repair=repair)}
    if fmt is not OutputFormat.table:
        emit(report, fmt)
    elif report["wrong_counts"] and not repair:
        err.print(
            f"error: {report['wrong_counts']} term counts disagree with the index; "
            "run `provenance index --repair`",
            highlight=False,
        )
    else:
        out.print(
            f"{report['indexed']} articles indexed, {report['to_index']} left; "
            f"{report['repaired']} term counts repaired; the index is sound",
            highlight=False,
        )
    if report["wrong_counts"] and not repair:
        raise typer.Exit(1)


# -- backup: dump and load (provenance/backup.py) ------------------------------------------


@app.command()
def dump(
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write to this file (gzip when it ends in .gz) instead of standard output.",
        ),
    ] = None,
) -> None:
    """Write every table of the database to JSON Lines: a backup that `provenance load` restores
    into a new SQLite file or PostgreSQL database.

    Example: `provenance --db sqlite:///newsroom.db dump --out newsroom-backup.jsonl.gz`
    """
    from provenance.backup import dump as run_dump
    from provenance.backup import open_output
    from provenance.db import head_revision

    store = read_store()[0]
    try:
        with open_output(out_path) as stream:
            counts = run_dump(store, stream)
    finally:
        store.close()
    err.print(
        f"dumped {sum(counts.values())} rows of {len(counts)} tables (schema "
        f"{head_revision()}) to {out_path or 'standard output'}"
    )


@app.command()
def load(
    dump_path: Annotated[
        Path,
        typer.Argument(
            help="A file written by `provenance dump` (.jsonl or .jsonl.gz); - reads standard input."
        ),
    ],
) -> None:
    """Load a dump into an empty database (SQLite or PostgreSQL), ids and all, in one
    transaction: a database that holds rows, or a dump of another schema, is refused.

    Example: `provenance --db postgresql+psycopg://newsroom@dbhost/provenance load newsroom-backup.jsonl.gz`
    """
    from provenance.backup import load as run_load
    from provenance.backup import open_input
    from provenance.db import database_name, make_engine

    name = "<stdin>" if str(dump_path) == "-" else str(dump_path)
    with open_input(dump_path) as stream:
        engine = make_engine(state.settings.db, state.settings.busy_timeout_ms)
        try:
            counts = run_load(engine, stream, name=name)
        finally:
            engine.dispose()
    err.print(
        f"loaded {sum(counts.values())} rows of {len(counts)} tables into "
        f"{database_name(state.settings.db)}"
    )


# -- scaling out: --workers, and the job queue (provenance enqueue / worker / jobs) ---------


def _worker_count(workers: int | None) -> int:
    """``--workers``, else PROVENANCE_WORKERS; at least one."""
    count = state.settings.workers if workers is None else workers
    if count < 1:
        raise ConfigError(f"PROVENANCE_WORKERS={count} is not a number of processes (1 or more)")
    return count


def _semantic_in_workers(semantic: bool | None, *, near_ties_only: bool = False) -> bool | None:
    """The ``--semantic`` choice for worker processes, which load the model themselves; the
    notice about a missing backend is printed here, once."""
    from provenance.embed import semantic_available

    if not semantic_available():
        _embedder(semantic, near_ties_only=near_ties_only)
        return False
    return semantic


class JobKind(StrEnum):
    """What ``enqueue`` queues: refresh queues fetch jobs for the stored articles it picks."""

    link = "link"
    align = "align"
    fetch = "fetch"
    refresh = "refresh"


def _job_targets(store: Store, kind: JobKind, targets: list[str], everything: bool,
                 url_file: Path | None, older_than: str | None) -> list[str]:  # fmt: skip
    """The translation ids (link, align) or URLs (fetch, refresh) to queue a job for."""
    if kind in (JobKind.link, JobKind.align):
        if bool(targets) == everything:
            raise typer.BadParameter(f"enqueue {kind}: give translation URLs or --all")
        if targets:
            return [str(store.find_article(t).id) for t in targets]
        if kind is JobKind.link:
            return [str(i) for i in store.translation_ids()]
        linked = store.links(statuses=ALIGNED_LINKS)
        return [str(i) for i in dict.fromkeys(link.translation_id for link in linked)]
    if everything:
        raise typer.BadParameter(f"enqueue {kind}: --all is for link and align")
    if kind is JobKind.refresh:
        return store.refresh_urls(older_than=_date(older_than, "older-than"), urls=targets or None)
    urls = list(targets)
    if url_file is not None:
        try:
            lines = url_file.read_text("utf-8").splitlines()
        except OSError as error:
            raise ConfigError(f"{url_file}: cannot read ({error.strerror or error})") from None
        urls += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    if not urls:
        raise typer.BadParameter("enqueue fetch: give URLs or --urls FILE")
    return urls


@app.command()
def enqueue(
    kind: Annotated[JobKind, typer.Argument(help="link, align, fetch or refresh.")],
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            help="Translation URLs or ids (link, align); article URLs (fetch, refresh)."
        ),
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="link: every translation; align: every linked one.")
    ] = False,
    url_file: Annotated[
        Path | None, typer.Option("--urls", help="fetch: a file with one URL a line.")
    ] = None,
    older_than: Annotated[
        str | None,
        typer.Option("--older-than", help="refresh: only articles not updated for this long."),
    ] = None,
    top: Annotated[int, typer.Option("--top", help="link: candidates kept per translation.")] = 5,
    force: Annotated[
        bool, typer.Option("--force", help="align: re-align even when neither side changed.")
    ] = False,
    semantic: SemanticOpt = None,
    delay: DelayOpt = 1.0,
    timeout: TimeoutOpt = 20.0,
    retries: RetriesOpt = 3,
    max_mb: MaxMbOpt = 5.0,
    ignore_robots: RobotsOpt = False,
    attempts: Annotated[
        int, typer.Option("--attempts", min=1, help="Tries per job before it counts as failed.")
    ] = 3,
    fmt: FormatOpt = OutputFormat.table,
    as_json: JsonOpt = False,
) -> None:
    """Queue jobs for `provenance worker` processes, on this machine or any other that uses
    the same database: one job per translation (link, align) or per URL (fetch, refresh).

    Example: `provenance enqueue link --all`
    """
    from dataclasses import asdict

    from provenance.queue import enqueue as queue_jobs

    _no_csv(fmt, "enqueue's summary")
    store = open_store()
    found = _job_targets(store, kind, list(targets or []), everything, url_file, older_than)
    if kind is JobKind.link:
        options: dict[str, Any] = {"top": top, "semantic": semantic}
    elif kind is JobKind.align:
        options = {"force": force, "semantic": semantic}
    else:
        fetching = asdict(_fetch_options(1, 1, delay, timeout, retries, max_mb, ignore_robots))
        options = {k: v for k, v in fetching.items() if k not in ("user_agent", "concurrency")}
    job_kind = "fetch" if kind is JobKind.refresh else kind.value
    queued, waiting = queue_jobs(store.engine, job_kind, found, options, max_attempts=attempts)
    err.print(f"queued {queued} {job_kind} job(s); {waiting} already waiting or running")
    fmt = _fmt(fmt, as_json)
    if fmt is not OutputFormat.table:
        emit({"kind": job_kind, "queued": queued, "already_waiting": waiting}, fmt)


@app.command()
def worker(
    exit_when_empty: Annotated[
        bool,
        typer.Option("--exit-when-empty", help="Stop once no job is waiting or running."),
    ] = False,
    lease: Annotated[
        float,
        typer.Option(
            "--lease",
            min=1.0,
            help="Seconds a job stays this worker's between renewals "
            "(renewed every third of it); a dead worker's job is taken again after it.",
        ),
    ] = 60.0,
    poll: Annotated[
        float, typer.Option("--poll", min=0.05, help="Seconds between looks at an empty queue.")
    ] = 2.0,
) -> None:
    """Take jobs from the queue in the database and run them, one at a time, until stopped
    (Ctrl+C or SIGTERM gives the current job back); run one per core, on as many machines as
    share the PostgreSQL database.

    Example: `provenance worker --exit-when-empty`
    """
    import signal

    from provenance.queue import run_worker
    from provenance.workers import job_runner

    def stop(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    store = open_store()

    def said(job: Any, status: str | None, error: str) -> None:
        what = f"job {job.id} ({job.kind} {job.target}, attempt {job.attempt})"
        outcome = status or "taken over by another worker (its lease ran out)"
        err.print(f"{what}: {outcome}" + (f": {error}" if error else ""), highlight=False)

    report = run_worker(store.engine, job_runner(store, state.settings), lease=lease, poll=poll,
                        exit_when_empty=exit_when_empty, on_job=said)  # fmt: skip
    err.print(f"{report.done} done, {report.failed} failed, {report.retried} to retry later")


JOB_COLUMNS = ["kind", "queued", "running", "done", "failed"]


@app.command()
def jobs(fmt: FormatOpt = OutputFormat.table, as_json: JsonOpt = False) -> None:
    """Show the job queue: jobs by kind and state, and the latest failures with their errors.

    Example: `provenance jobs --json`
    """
    from provenance.queue import counts, failures

    store = read_store()[0]
    by_kind = counts(store.engine)
    failed = failures(store.engine)
    fmt = _fmt(fmt, as_json)
    rows = [{"kind": kind, **states} for kind, states in sorted(by_kind.items())]
    if fmt is not OutputFormat.table:
        emit({"counts": by_kind, "failed": failed}, fmt, flat=rows, columns=JOB_COLUMNS)
        return
    table = Table(*JOB_COLUMNS, box=None, header_style="bold")
    for row in rows:
        table.add_row(*(str(row[c]) for c in JOB_COLUMNS))
    out.print(table if rows else "no jobs queued")
    for job in failed:
        err.print(f"failed: job {job['id']} ({job['kind']} {job['target']}): {job['error']}",
                  highlight=False)  # fmt: skip


def main() -> None:
    """Console entry point: whatever goes wrong, the user reads one line, never a traceback
    (``PROVENANCE_DEBUG=1`` shows it, for a bug report)."""
    import os

    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted", highlight=False)
        sys.exit(130)
    except BrokenPipeError:  # `provenance dump | head`: the reader has all it wanted
        sys.stderr.close()
        sys.exit(1)
    except Exception as error:
        if os.environ.get("PROVENANCE_DEBUG"):
            raise
        err.print(
            f"[red]error:[/red] internal error: {escape(type(error).__name__)}: "
            f"{escape(str(error).splitlines()[0] if str(error) else '')} "
            "(a bug: please report it with the output of the same command run with "
            "PROVENANCE_DEBUG=1)",
            markup=True,
            highlight=False,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
