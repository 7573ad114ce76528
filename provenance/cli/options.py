"""The options several commands share, declared once: output format, fetch politeness, the
period (--since/--until), --workers and --semantic, and how each is read.

A command lists the ones it takes in its signature (``fmt: FormatOpt = OutputFormat.table``),
so its --help and its code stay side by side; the wording and defaults live only here.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import typer

from provenance.dates import Period, PeriodError, parse_period
from provenance.errors import ConfigError


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


FormatOpt = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="table, json, jsonl or csv.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Shorthand for --format json.")]


def chosen_format(fmt: OutputFormat, as_json: bool) -> OutputFormat:
    """``--json`` wins over ``--format``: it is the shorthand scripts use."""
    return OutputFormat.json if as_json else fmt


def no_csv(fmt: OutputFormat, what: str) -> None:
    """Refuse CSV, before any work, for a command whose data is not one table (exit 2)."""
    if fmt is OutputFormat.csv:
        raise typer.BadParameter(f"--format csv: {what} is not a table; use --format json")


# -- the period: --since, --until (provenance.dates reads them) ----------------------------

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


def period(since: str | None, until: str | None) -> Period:
    """``--since`` and ``--until`` as keyword arguments; a period that ends before it starts
    is a usage error, shown as Typer shows one (exit 2)."""
    try:
        return parse_period(since, until)
    except PeriodError as error:
        raise typer.BadParameter(str(error)) from None


# -- fetch politeness: fetch, refresh, enqueue fetch ---------------------------------------


class Politeness(NamedTuple):
    """The defaults of the politeness options (those of provenance.fetch.FetchOptions)."""

    concurrency: int = 8
    per_host: int = 2
    delay: float = 1.0
    timeout: float = 20.0
    retries: int = 3
    max_mb: float = 5.0


POLITE = Politeness()

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


def fetch_options(concurrency: int, per_host: int, delay: float, timeout: float, retries: int,
                  max_mb: float, ignore_robots: bool) -> Any:  # fmt: skip
    """The politeness options as the fetcher takes them (provenance.fetch.FetchOptions)."""
    from provenance.fetch import FetchOptions

    return FetchOptions(
        concurrency=concurrency, per_host=per_host, delay=delay, read_timeout=timeout, total_timeout=timeout * 3,
        retries=retries, max_bytes=int(max_mb * 1_000_000), robots=not ignore_robots,
    )  # fmt: skip


def url_lines(url_file: Path) -> list[str]:
    """The URLs of a ``--urls`` file: one a line, blank lines and ``#`` comments skipped."""
    try:
        lines = url_file.read_text("utf-8").splitlines()
    except OSError as error:
        raise ConfigError(f"{url_file}: cannot read ({error.strerror or error})") from None
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


# -- processes and models: --workers, --semantic -------------------------------------------

WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        show_default=False,
        help="Processes on this machine (default: $PROVENANCE_WORKERS or 1).",
    ),
]
SemanticOpt = Annotated[
    bool | None,
    typer.Option(
        "--semantic/--no-semantic", help="Use the semantic backend (default: on when installed)."
    ),
]
