"""Commands that read the web: fetch (new pages, from URLs or feeds) and refresh (stored
articles again). Both report every URL's fate the same way (``_run_fetch``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from provenance.cli.app import open_store, state, worker_count
from provenance.cli.options import (
    POLITE,
    ConcurrencyOpt,
    DelayOpt,
    FormatOpt,
    JsonOpt,
    MaxMbOpt,
    OutputFormat,
    PerHostOpt,
    RetriesOpt,
    RobotsOpt,
    TimeoutOpt,
    WorkersOpt,
    chosen_format,
    fetch_options,
    url_lines,
)
from provenance.cli.render import emit, err, every_key, say_error
from provenance.dates import parse_date
from provenance.store import Store

FETCH_STATUSES = ("fetched", "unchanged", "failed")
"""What became of each URL fetch or refresh was given (provenance.fetch.FetchResult.status)."""
FETCH_COLUMNS = ["url", "status", "reason", "final_url", "article_id", "revision", "flags"]


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
    concurrency: ConcurrencyOpt = POLITE.concurrency,
    per_host: PerHostOpt = POLITE.per_host,
    delay: DelayOpt = POLITE.delay,
    timeout: TimeoutOpt = POLITE.timeout,
    retries: RetriesOpt = POLITE.retries,
    max_mb: MaxMbOpt = POLITE.max_mb,
    ignore_robots: RobotsOpt = False,
    workers: WorkersOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    as_json: JsonOpt = False,
) -> None:
    """Fetch article pages, extract their text and store them (a changed page becomes a revision).

    Example: `provenance fetch https://www.enabbaladi.net/archives/604512` or `provenance fetch --feed https://www.enabbaladi.net/feed`
    """
    options = fetch_options(concurrency, per_host, delay, timeout, retries, max_mb, ignore_robots)
    targets = list(urls or []) + (url_lines(url_file) if url_file is not None else [])
    if not targets and not feed:
        raise typer.BadParameter("give URLs, --urls FILE or --feed URL")
    store = open_store()
    feed_errors: list[str] = []
    for source in feed or []:
        found, errors = _discover(store, source, options)
        targets += found
        feed_errors += errors
    _run_fetch(store, targets, options, chosen_format(fmt, as_json), worker_count(workers))
    if feed_errors:  # the articles a feed did list are fetched; the run still failed
        raise typer.Exit(1)


def _discover(store: Store, source: str, options: Any) -> tuple[list[str], list[str]]:
    """The new article URLs a feed or sitemap lists, and what went wrong reading it (said on
    stderr as it happens)."""
    import asyncio

    from provenance.fetch import FetchFailure, discover_async

    try:
        found, errors = asyncio.run(discover_async(store, source, options))
    except FetchFailure as failure:  # read, but not a feed or a sitemap
        found, errors = [], [f"{source}: {failure.reason}"]
    for message in errors:
        say_error(message, "failed")
    err.print(f"{source}: {len(found)} new article(s) listed")
    return found, errors


def refresh(
    urls: Annotated[list[str] | None, typer.Argument(help="Only these stored articles.")] = None,
    older_than: Annotated[
        str | None,
        typer.Option("--older-than", help="Only articles not updated for this long (7d, 2w, 24h)."),
    ] = None,
    concurrency: ConcurrencyOpt = POLITE.concurrency,
    per_host: PerHostOpt = POLITE.per_host,
    delay: DelayOpt = POLITE.delay,
    timeout: TimeoutOpt = POLITE.timeout,
    retries: RetriesOpt = POLITE.retries,
    max_mb: MaxMbOpt = POLITE.max_mb,
    ignore_robots: RobotsOpt = False,
    workers: WorkersOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    as_json: JsonOpt = False,
) -> None:
    """Fetch known articles again: a changed text becomes a revision and flags its links.

    Example: `provenance refresh --older-than 7d`
    """
    store = open_store()
    targets = store.refresh_urls(older_than=parse_date(older_than, "older-than"), urls=urls)
    options = fetch_options(concurrency, per_host, delay, timeout, retries, max_mb, ignore_robots)
    fmt = chosen_format(fmt, as_json)
    if not targets:
        err.print("nothing to refresh")
        if fmt is not OutputFormat.table:  # a script still gets its document
            from provenance.fetch import FetchReport

            _emit_fetch(FetchReport(), fmt)
        return
    _run_fetch(store, targets, options, fmt, worker_count(workers))


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
            say_error(f"{result.url}: {result.reason}", "failed")
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


def _emit_fetch(report: Any, fmt: OutputFormat) -> None:
    """A fetch or refresh report: every status counted (zeros too), one CSV row per URL."""
    data = report.to_json()
    data["counts"] = every_key(data["counts"], FETCH_STATUSES)
    emit(data, fmt, flat=data["results"], columns=FETCH_COLUMNS)
