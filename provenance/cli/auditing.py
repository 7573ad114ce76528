"""Commands for the people who vouch for the translations: review (the UI), audit (what is not
verified, and why), report (a period's stories for an editor) and export (W3C PROV, JSON-LD)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from provenance.cli.app import read_store, state
from provenance.cli.options import (
    JsonOpt,
    OutletOpt,
    OutOpt,
    OutputFormat,
    SinceOpt,
    UntilOpt,
    period,
)
from provenance.cli.render import (
    ellipsis,
    emit,
    err,
    out,
    plain_table,
    short_url,
    write_output,
)
from provenance.wording import plural


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
REASON_COUNTS = {"high_flags": "high_flags", "confirmed_mismatch": "confirmed_mismatches"}
"""The reasons a table row details with its flag counts, and the row field that holds them."""


class AuditFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


def audit(
    since: SinceOpt = None,
    until: UntilOpt = None,
    outlet: OutletOpt = None,
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
    from provenance.audit import FAIL_ON, REASONS, should_fail
    from provenance.audit import audit as run_audit

    for r in reason or []:
        if r not in REASONS:
            raise typer.BadParameter(f"--reason {r!r} is not one of {', '.join(REASONS)}")
    if fail_on not in FAIL_ON:
        raise typer.BadParameter(f"--fail-on must be one of {', '.join(FAIL_ON)}")
    store, outlet = read_store(outlet)
    rows = list(run_audit(store, **period(since, until), outlet=outlet, reasons=reason))
    chosen = OutputFormat.json if as_json else OutputFormat(fmt.value)
    if chosen is OutputFormat.table:
        _print_audit(rows)
    else:
        columns = AUDIT_COLUMNS if chosen is OutputFormat.csv else None
        emit([row.to_json() for row in rows], chosen, columns=columns)
    if should_fail(rows, fail_on):
        raise typer.Exit(1)


def _print_audit(rows: list[Any]) -> None:
    """The audit as a table (a story per row, its reasons with their flag counts), then the
    count of unverified stories by reason on stderr."""
    from provenance.audit import summarise

    table = _audit_table()
    width = max(24, min(70, out.width - 46))  # id, link and reasons keep the rest
    for row in rows:
        reasons = []
        for r in row.reasons:
            by_kind = getattr(row, REASON_COUNTS[r]) if r in REASON_COUNTS else {}
            flags = ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items()))
            reasons.append(r + (f" ({flags})" if flags else ""))
        table.add_row(str(row.id), _audit_story(row, width), row.link_status or "—",
                      ", ".join(reasons))  # fmt: skip
    out.print(table)
    summary = summarise(rows)
    by_reason = ", ".join(f"{k} {v}" for k, v in summary["by_reason"].items())
    err.print(
        plural(summary["unverified"], "unverified story") + (f": {by_reason}" if by_reason else "")
    )


def _audit_table() -> Table:
    """The audit's columns: a story is known by its id, its title, outlet and date, and its
    short URL (one line each, cut with "…" to fit); the reasons wrap. 80 columns show all."""
    table = plain_table()
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


class ReportFormat(StrEnum):
    md = "md"
    html = "html"
    csv = "csv"
    json = "json"


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
    note = write_report(store, fmt.value, out_path, **period(since, until), outlet=outlet)
    if note:
        err.print(note)


class ExportFormat(StrEnum):
    prov_json = "prov-json"
    prov_n = "prov-n"
    jsonld = "jsonld"


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
    text = run_export(store, fmt.value, **period(since, until), outlet=outlet)
    write_output(text, out_path)
