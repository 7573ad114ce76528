"""Commands about the stored articles themselves: init, ingest, list, show, diff, stats."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from provenance.cli.app import open_store, read_store, state
from provenance.cli.options import (
    FormatOpt,
    JsonOpt,
    OutputFormat,
    chosen_format,
    no_csv,
    period,
)
from provenance.cli.render import (
    aligned_table,
    ellipsis,
    emit,
    err,
    every_key,
    out,
    plain_table,
    say_error,
)
from provenance.errors import ConfigError
from provenance.wording import plural


def init() -> None:
    """Create the database, or upgrade its schema to this version's.

    Example: `provenance --db sqlite:///newsroom.db init`
    """
    store = open_store()
    from provenance.store import database_name

    err.print(
        f"database ready: {database_name(state.settings.db)} (schema {store.schema_revision()}, {len(store.table_names()) - 1} tables)"
    )


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
            on_error=say_error,
            settings=state.settings,
        )
    fmt = chosen_format(fmt, as_json)
    data = report.to_json()
    if fmt is OutputFormat.table:
        err.print(
            f"{plural(data['files'], 'file')}: {plural(data['created'], 'article')} created, "
            f"{data['revised']} revised, {data['unchanged']} unchanged, {data['failed']} failed"
        )
    else:
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
        **period(since, until),
        search=search,
        limit=limit or None,
    )
    table = plain_table("id", "published", "outlet", "lang", "title", "paras", "revs")
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
    emit([asdict(r) for r in rows], chosen_format(fmt, as_json), table)


SHOW_COLUMNS = ["article_id", "url", "revision", "index", "kind", "lang", "credit", "learnt",
                "text"]  # fmt: skip


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
    fmt = chosen_format(fmt, as_json)
    a = detail.article
    if fmt is not OutputFormat.table:
        paragraphs = [{"article_id": a.id, "url": a.url, "revision": a.revisions, **asdict(p)}
                      for p in detail.paragraphs]  # fmt: skip
        emit(detail.to_json(), fmt, flat=paragraphs, columns=SHOW_COLUMNS)
        return
    out.print(f"[bold]{a.title}[/bold]", highlight=False)
    out.print(
        f"{a.url}\n{a.outlet or '?'} · {a.lang} · {(a.published or '')[:10]} · revision {a.revisions}"
        + (f" · credits {a.credit}" if a.credit else ""),
        highlight=False,
    )
    aligned = store.aligned_pair(a.id)
    if aligned is not None:
        link = aligned.link
        out.print(
            f"linked to {link.original_url} ({link.status}, score {link.score:.2f})\n",
            highlight=False,
        )
        out.print(aligned_table(aligned))
        return
    table = plain_table("#", "kind", "lang", "text")
    for p in detail.paragraphs:
        kind = p.kind + (f" ({p.credit})" if p.credit else "") + (" (learnt)" if p.learnt else "")
        table.add_row(str(p.index), kind, p.lang or "", p.text)
    out.print(table)


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
    fmt = chosen_format(fmt, as_json)
    if fmt is not OutputFormat.table:
        ops = [{"op": c.op, "text": c.text} for c in changes]
        emit({"from": before, "to": after, "changes": ops}, fmt)
        return
    text = Text(f"revision {before} → {after}\n\n")
    if no_color or out.no_color or not out.is_terminal:
        out.print(text.append(word_diff(changes)))
        return
    for change in changes:
        text.append(change.text, style={-1: "red strike", 1: "green bold"}.get(change.op, ""))
    out.print(text)


def stats(fmt: FormatOpt = OutputFormat.table, as_json: JsonOpt = False) -> None:
    """Summarise the database: articles by outlet and language, paragraphs by kind.

    Example: `provenance stats --json`
    """
    from provenance.text.segment import KINDS

    fmt = chosen_format(fmt, as_json)
    no_csv(fmt, "stats (articles by outlet and paragraphs by kind)")
    data = read_store()[0].summary()
    data["paragraphs_by_kind"] = every_key(data["paragraphs_by_kind"], KINDS)
    if fmt is not OutputFormat.table:
        emit(data, fmt)
        return
    title = f"{data['articles']} articles, {data['revisions']} revisions"
    table = plain_table("outlet", "lang", "articles", title=title)
    for row in data["by_outlet"]:
        table.add_row(row["outlet"] or "(none)", row["lang"], str(row["articles"]))
    out.print(table)
    kinds = plain_table("paragraph kind", "count")
    for kind, n in sorted(data["paragraphs_by_kind"].items(), key=lambda item: -item[1]):
        kinds.add_row(kind, str(n))
    out.print(kinds)
