"""Commands that keep the database and scale the work out: index (the search index), dump and
load (backups, provenance/backup.py), and the job queue (enqueue, worker, jobs)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from provenance.cli.app import open_store, read_store, state
from provenance.cli.options import (
    POLITE,
    DelayOpt,
    FormatOpt,
    JsonOpt,
    MaxMbOpt,
    OutputFormat,
    RetriesOpt,
    RobotsOpt,
    SemanticOpt,
    TimeoutOpt,
    chosen_format,
    fetch_options,
    no_csv,
    url_lines,
)
from provenance.cli.render import emit, err, out, plain_table
from provenance.dates import parse_date
from provenance.store import Store
from provenance.vocab import ALIGNED_LINKS


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

    fmt = chosen_format(fmt, as_json)
    no_csv(fmt, "index (a summary)")
    store = read_store()[0] if check and not repair else open_store()
    indexed = 0 if check else index_articles(store)
    report = {"indexed": indexed, **check_index(store, repair=repair)}
    if fmt is not OutputFormat.table:
        emit(report, fmt)
    elif report["wrong_counts"] and not repair:
        err.print(
            f"error: {report['wrong_counts']} term counts disagree with the index; "
            "run `provenance index --repair`",
            highlight=False,
        )
    else:
        state = (
            "the term counts wait for a recount (an earlier version's build was "
            "interrupted): the next `provenance index` recounts them"
            if report["recount_pending"]
            else "the index is sound"
        )
        out.print(
            f"{report['indexed']} articles indexed, {report['to_index']} left; "
            f"{report['repaired']} term counts repaired; {state}",
            highlight=False,
        )
    if report["wrong_counts"] and not repair:
        raise typer.Exit(1)


# -- backup: dump and load (provenance/backup.py) ------------------------------------------


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
    from provenance.store import head_revision

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
    from provenance.store import database_name

    name = "<stdin>" if str(dump_path) == "-" else str(dump_path)
    with open_input(dump_path) as stream:
        store = Store.open(state.settings.db, state.settings.busy_timeout_ms, migrate=False)
        try:
            counts = run_load(store, stream, name=name)
        finally:
            store.close()
    err.print(
        f"loaded {sum(counts.values())} rows of {len(counts)} tables into "
        f"{database_name(state.settings.db)}"
    )


# -- scaling out: the job queue (provenance enqueue / worker / jobs) -----------------------


class JobKind(StrEnum):
    """What ``enqueue`` queues: refresh queues fetch jobs for the stored articles it picks."""

    link = "link"
    align = "align"
    fetch = "fetch"
    refresh = "refresh"


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
    delay: DelayOpt = POLITE.delay,
    timeout: TimeoutOpt = POLITE.timeout,
    retries: RetriesOpt = POLITE.retries,
    max_mb: MaxMbOpt = POLITE.max_mb,
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

    no_csv(fmt, "enqueue's summary")
    store = open_store()
    found = _job_targets(store, kind, list(targets or []), everything, url_file, older_than)
    if kind is JobKind.link:
        options: dict[str, Any] = {"top": top, "semantic": semantic}
    elif kind is JobKind.align:
        options = {"force": force, "semantic": semantic}
    else:
        fetching = asdict(fetch_options(1, 1, delay, timeout, retries, max_mb, ignore_robots))
        options = {k: v for k, v in fetching.items() if k not in ("user_agent", "concurrency")}
    job_kind = "fetch" if kind is JobKind.refresh else kind.value
    queued, waiting = queue_jobs(store, job_kind, found, options, max_attempts=attempts)
    err.print(f"queued {queued} {job_kind} job(s); {waiting} already waiting or running")
    fmt = chosen_format(fmt, as_json)
    if fmt is not OutputFormat.table:
        emit({"kind": job_kind, "queued": queued, "already_waiting": waiting}, fmt)


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
        older = parse_date(older_than, "older-than")
        return store.refresh_urls(older_than=older, urls=targets or None)
    urls = targets + (url_lines(url_file) if url_file is not None else [])
    if not urls:
        raise typer.BadParameter("enqueue fetch: give URLs or --urls FILE")
    return urls


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

    report = run_worker(store, job_runner(store, state.settings), lease=lease, poll=poll,
                        exit_when_empty=exit_when_empty, on_job=said)  # fmt: skip
    err.print(f"{report.done} done, {report.failed} failed, {report.retried} to retry later")


JOB_COLUMNS = ["kind", "queued", "running", "done", "failed"]


def jobs(fmt: FormatOpt = OutputFormat.table, as_json: JsonOpt = False) -> None:
    """Show the job queue: jobs by kind and state, and the latest failures with their errors.

    Example: `provenance jobs --json`
    """
    from provenance.queue import counts, failures

    store = read_store()[0]
    by_kind = counts(store)
    failed = failures(store)
    fmt = chosen_format(fmt, as_json)
    rows = [{"kind": kind, **states} for kind, states in sorted(by_kind.items())]
    if fmt is not OutputFormat.table:
        emit({"counts": by_kind, "failed": failed}, fmt, flat=rows, columns=JOB_COLUMNS)
        return
    table = plain_table(*JOB_COLUMNS)
    for row in rows:
        table.add_row(*(str(row[c]) for c in JOB_COLUMNS))
    out.print(table if rows else "no jobs queued")
    for job in failed:
        err.print(f"failed: job {job['id']} ({job['kind']} {job['target']}): {job['error']}",
                  highlight=False)  # fmt: skip
