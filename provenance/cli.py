"""The ``provenance`` command: parses options, calls the library, prints with Rich.

No logic lives here. Data goes to stdout (a table, or one JSON document with ``--json``);
progress and messages go to stderr, so ``provenance list --json | jq`` stays clean.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.markup import escape
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
            err.print(f"[red]error:[/red] {escape(str(error))}", markup=True, highlight=False)
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
    return Store.open(state.settings.db, state.settings.busy_timeout_ms)


def read_store(outlet: str | None = None) -> tuple[Store, str | None]:
    """The database for a command that only reads: a missing one is an error, never created.
    ``--outlet`` must name a known outlet (the error lists the closest names); returned as
    stored."""
    store = Store.open(state.settings.db, state.settings.busy_timeout_ms, create=False)
    return store, store.outlet_named(outlet) if outlet else None


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
    store, _ = read_store()
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
    aligned = store.aligned_pair(detail.article.id)
    if aligned is not None:
        _print_aligned(aligned)
        return
    table = Table("#", "kind", "lang", "text", box=None, header_style="bold")
    for p in detail.paragraphs:
        kind = p.kind + (f" ({p.credit})" if p.credit else "") + (" (learnt)" if p.learnt else "")
        table.add_row(str(p.index), kind, p.lang or "", p.text)
    out.print(table)


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


def _run_fetch(store: Store, urls: list[str], options: Any, fmt: OutputFormat) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from provenance.fetch import fetch_urls

    progress = Progress(TextColumn("fetch"), BarColumn(), MofNCompleteColumn(), console=err, transient=True,
                        disable=len(urls) < 5 or not err.is_terminal)  # fmt: skip
    with progress:
        task = progress.add_task("fetch", total=len(urls))
        report = fetch_urls(store, urls, options, on_result=lambda _r: progress.advance(task))
    if fmt is not OutputFormat.table:
        emit(report.to_json(), fmt)
    else:
        for result in report.failed:
            err.print(
                f"[red]failed:[/red] {result.url}: {result.reason}", markup=True, highlight=False
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
    fmt: FormatOpt = OutputFormat.table,
    as_json: JsonOpt = False,
) -> None:
    """Fetch article pages, extract their text and store them (a changed page becomes a revision).

    Example: `provenance fetch --urls urls.txt` or `provenance fetch --feed https://www.enabbaladi.net/feed`
    """
    import asyncio

    from provenance.fetch import discover_async

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
    store = open_store()
    for source in feed or []:
        found, errors = asyncio.run(discover_async(store, source, options))
        for message in errors:
            err.print(f"[red]failed:[/red] {message}", markup=True, highlight=False)
        err.print(f"{source}: {len(found)} new article(s) listed")
        targets += found
    if not targets and not feed:
        raise typer.BadParameter("give URLs, --urls FILE or --feed URL")
    _run_fetch(store, targets, options, _fmt(fmt, as_json))


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
        return
    _run_fetch(store, targets, options, _fmt(fmt, as_json))


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
) -> None:
    """Show what changed between two revisions of an article, insertions and deletions coloured.

    Example: `provenance diff https://www.enabbaladi.net/archives/604512 --from 1 --to 2`
    """
    from rich.text import Text

    from provenance.diff import revision_diff

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
    with progress:
        task = progress.add_task("link", total=total)
        report = link_translations(
            store, translation=translation, everything=everything, top=top, settings=state.settings,
            embedder=_embedder(semantic, near_ties_only=True), on_result=lambda _r: progress.advance(task),
        )  # fmt: skip
    fmt = _fmt(fmt, as_json)
    if fmt is not OutputFormat.table:
        emit(report.to_json(), fmt)
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
    from provenance.link import candidates_for

    result = candidates_for(
        read_store()[0],
        translation,
        settings=state.settings,
        embedder=_embedder(semantic, near_ties_only=True),
    )
    fmt = _fmt(fmt, as_json)
    if fmt is not OutputFormat.table:
        emit(result.to_json(), fmt)
        return
    out.print(
        f"[bold]{result.translation_url}[/bold]  credit: {result.credit or '—'}  decision: {result.decision}",
        highlight=False,
    )
    table = Table(box=None, header_style="bold")
    for name in ("#", "score", "original", "outlet", "days", "coverage", "matched anchors"):
        table.add_column(name, overflow="fold")
    for c in result.candidates:
        coverage = "" if c.coverage is None else f"{c.coverage:.0%}"
        days = "" if c.days is None else f"{c.days:+.1f}"
        table.add_row(str(c.rank), f"{c.score:.2f}", c.url, (c.outlet or "") + (" (credited)" if c.credited else ""),
                      days, coverage, ", ".join(c.matched_terms[:6]))  # fmt: skip
    out.print(table)
    for c in result.candidates:
        if c.also_published_by:
            copies = ", ".join(copy["url"] for copy in c.also_published_by)
            out.print(f"#{c.rank} also published by: {copies}", highlight=False)
    if result.note:
        err.print(f"note: {result.note}")
    if not result.candidates:
        out.print("no source found")


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
    report = align_links(
        store,
        translation=translation,
        everything=everything,
        embedder=_embedder(semantic),
        force=force,
    )
    fmt = _fmt(fmt, as_json)
    if fmt is not OutputFormat.table:
        emit(report.to_json(), fmt)
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
    )


@app.command("eval")
def evaluate_pairs(
    paths: Annotated[list[Path], typer.Argument(help="Gold pair files or directories.")],
    method: Annotated[
        str, typer.Option("--method", help="ours or gale-church (the JSON reports this one).")
    ] = "ours",
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

    With --json, prints exactly the object of FORMATS.md §3 for --method (with --details, a
    "details" list beside it); as a table, ours and the Gale-Church baseline side by side.

    Example: `provenance eval fixtures/pairs --details`
    """
    from provenance.eval import evaluate

    embedder = _embedder(semantic)
    fmt = _fmt(fmt, as_json)
    per_pair: list[dict[str, Any]] | None = [] if details else None
    if fmt is not OutputFormat.table:
        result = evaluate(paths, method=method, embedder=embedder, details=per_pair)
        emit({**result, "details": per_pair} if details else result, fmt)
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
) -> None:
    """Open the review UI: the story list, or one story's alignment.

    Example: `provenance review --reviewer rania`
    """
    from tui.app import make_app

    if bidi is not None and bidi not in ("auto", "app", "terminal"):
        raise typer.BadParameter("--bidi must be auto, app or terminal")
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
            since=_date(since, "since"),
            until=_date(until, "until"),
            outlet=outlet,
            reasons=reason,
        )
    )
    chosen = OutputFormat.json if as_json else OutputFormat(fmt.value)
    if chosen is OutputFormat.table:
        table = Table(
            "published", "outlet", "title", "link", "reasons", box=None, header_style="bold"
        )
        counts = {"high_flags": "high_flags", "confirmed_mismatch": "confirmed_mismatches"}
        for row in rows:
            reasons = []
            for r in row.reasons:
                by_kind = getattr(row, counts[r]) if r in counts else {}
                flags = ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items()))
                reasons.append(r + (f" ({flags})" if flags else ""))
            table.add_row((row.published or "")[:10], row.outlet or "", row.title[:60], row.link_status or "—",
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
        writer = csv.DictWriter(sys.stdout, fieldnames=AUDIT_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(row.flat() for row in rows)
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

    The HTML report is one self-contained file with a side-by-side section per story.

    Example: `provenance report --since 7d --format html --out week.html`
    """
    from provenance.report import build_report, render

    store, outlet = read_store(outlet)
    built = build_report(
        store, since=_date(since, "since"), until=_date(until, "until"), outlet=outlet,
        side_by_side=fmt is ReportFormat.html,
    )  # fmt: skip
    _write(render(built, fmt.value), out_path)


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
        since=_date(since, "since"),
        until=_date(until, "until"),
        outlet=outlet,
    )
    _write(text, out_path)


@app.command()
def stats(fmt: FormatOpt = OutputFormat.table, as_json: JsonOpt = False) -> None:
    """Summarise the database: articles by outlet and language, paragraphs by kind.

    Example: `provenance stats --json`
    """
    data = read_store()[0].summary()
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
