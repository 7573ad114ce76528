"""Batch reports of a period: per story and in summary, as Markdown, HTML, CSV or JSON.

The HTML report is self-contained (no network): a summary, a chart comparing the outlets'
open problems by flag kind drawn as inline SVG, a table of stories, and a side-by-side section
per story with the Arabic right to left. A short period is one file; a long one is pages in a
folder (``in_pages``), each small enough to open at once. Templates live in
provenance/templates/ (Jinja2, autoescaped) as macros drawing one piece at a time.

Every format streams: stories are read from the store a page at a time (``report_stories``)
and written as they come (``write``, ``write_pages``); only the summary's counts stay in
memory (``Totals``).

Open flags are told apart by severity, and the flags of chrome, disclaimers, read-also lines,
attributions and translator notes are *context*: a reader sees them beside the text, but they
are not problems, and a report that counts 24 boilerplate lines with 2 changed figures hides
the figures.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO

from provenance.audit import story_reasons
from provenance.verification import ADDITION_FLAGS, severity_of
from provenance.vocab import LINKED, FlagKind, LinkStatus, Severity

if TYPE_CHECKING:
    from provenance.ports import ReportingStore

FORMATS = ("md", "html", "csv", "json")
MISMATCHES = (FlagKind.number_mismatch, FlagKind.date_mismatch, FlagKind.name_mismatch)
CONTEXT_KINDS = ADDITION_FLAGS - {FlagKind.added}
"""Flags of paragraphs tagged at ingest (boilerplate, read_also, disclaimer, attribution,
translator_note): context, not open problems."""
SEVERITIES = tuple(Severity)
"""Open flags by how much they matter; every key is always present in the counts."""
KIND_COLOURS = {
    "number_mismatch": "#991b1b", "date_mismatch": "#dc2626", "name_mismatch": "#f87171",
    "source_changed": "#7f1d1d", "translation_changed": "#be123c", "dropped": "#b45309",
    "condensed": "#f59e0b", "added": "#2563eb", "moved": "#7c3aed",
}  # fmt: skip
"""Reds for high severity, ambers for medium, blues for low: the chart and its legend."""


def flag_class(kind: str) -> str:
    """``context`` for the flag of a tagged paragraph, else the kind's severity."""
    return Severity.context if kind in CONTEXT_KINDS else severity_of(kind)


def by_severity(open_flags: dict[str, int]) -> dict[str, int]:
    """Open flag counts by kind folded into SEVERITIES (zeros included)."""
    counts: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
    for kind, n in open_flags.items():
        counts[flag_class(kind)] += n
    return counts


def problem_kinds(open_flags: dict[str, int]) -> dict[str, int]:
    """The open flags that are problems (not context), most severe kinds first."""
    order: dict[str, int] = {severity: n for n, severity in enumerate(SEVERITIES)}
    return dict(
        sorted(
            ((k, v) for k, v in open_flags.items() if k not in CONTEXT_KINDS and v),
            key=lambda item: (order[flag_class(item[0])], -item[1], item[0]),
        )
    )


@dataclass
class StoryReport:
    id: int
    title: str
    url: str
    outlet: str | None
    published: str | None
    credit: str | None
    original: str | None
    """The original's URL; ``original_title`` and ``original_outlet`` name it for a reader."""
    confidence: float | None
    link_status: str | None
    coverage: float | None
    added: int
    dropped: int
    mismatches: dict[str, int]
    open_flags: dict[str, int]
    review: str
    """verified, or unverified with the reasons."""
    reasons: list[str]
    reviewed_by: list[str]
    revisions: int
    confirmed_mismatches: dict[str, int] = field(default_factory=dict)
    """Accepted high-severity flags the current alignment still finds, by kind."""
    decisions: list[dict[str, Any]] = field(default_factory=list)
    """Every decided flag: kind, decision, reviewer, when, note, both sides' words, resolved."""
    side_by_side: list[dict[str, Any]] = field(default_factory=list)
    original_title: str | None = None
    original_outlet: str | None = None
    open_by_severity: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEVERITIES, 0))
    """Open flags by severity, chrome and disclaimers apart as ``context`` (see SEVERITIES)."""

    @property
    def problems(self) -> dict[str, int]:
        """Open flags that are problems, by kind, most severe first."""
        return problem_kinds(self.open_flags)

    @property
    def context_flags(self) -> int:
        return self.open_by_severity[Severity.context]

    def problems_text(self) -> str:
        """``number_mismatch 2, dropped 1, date_mismatch 1 confirmed, 4 context``."""
        parts = [f"{k} {v}" for k, v in self.problems.items()]
        parts += [f"{k} {v} confirmed" for k, v in self.confirmed_mismatches.items()]
        if self.context_flags:
            parts.append(f"{self.context_flags} context")
        return ", ".join(parts)

    def as_json(self) -> dict[str, Any]:
        """The story in the JSON report: ``flat`` with its counts and decisions kept whole."""
        return self.flat() | {
            "mismatches": self.mismatches,
            "open_flags": self.open_flags,
            "confirmed_mismatches": self.confirmed_mismatches,
            "open_by_severity": self.open_by_severity,
            "decisions": self.decisions,
        }

    def flat(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("side_by_side")
        for name in ("mismatches", "open_flags", "confirmed_mismatches", "open_by_severity"):
            data[name] = ";".join(f"{k}={v}" for k, v in sorted(data[name].items()))
        data["reasons"] = ";".join(self.reasons)
        data["reviewed_by"] = ";".join(self.reviewed_by)
        data["decisions"] = ";".join(decision_line(d) for d in self.decisions)
        return data


def decision_line(decision: dict[str, Any]) -> str:
    """One decided flag in words: ``number_mismatch "1.5 million" ≠ "٢٫٥ مليون": accepted by
    rania on 2024-01-16 (resolved by a later revision)``."""
    text = decision["kind"]
    if decision.get("translation") is not None or decision.get("original") is not None:
        text += f' "{decision.get("translation") or ""}" ≠ "{decision.get("original") or ""}"'
    text += f": {decision['decision']} by {decision.get('reviewer') or 'unknown reviewer'}"
    if decision.get("at"):
        text += f" on {decision['at'][:10]}"
    if decision.get("resolved"):
        text += " (resolved by a later revision)"
    if decision.get("note"):
        text += f" ({decision['note']})"
    return text


class Totals:
    """The summary of a period counted one story at a time, so a report of any length keeps
    only its counts in memory, never its stories."""

    def __init__(self) -> None:
        self.stories = self.verified = self.linked = self.no_original = 0
        self.by_outlet: dict[str, dict[str, int]] = {}
        self.kinds_by_outlet: dict[str, Counter[str]] = {}
        self.credits: Counter[str] = Counter()
        self.flag_kinds: Counter[str] = Counter()
        self.changed: list[StoryReport] = []

    def add(self, s: StoryReport) -> None:
        self.stories += 1
        self.verified += s.review == "verified"
        self.linked += s.link_status in LINKED
        self.no_original += "no_original" in s.reasons
        outlet = s.outlet or "(none)"
        row = self.by_outlet.setdefault(
            outlet, {"stories": 0, "verified": 0, "open_flags": 0} | dict.fromkeys(SEVERITIES, 0)
        )
        row["stories"] += 1
        row["verified"] += s.review == "verified"
        row["open_flags"] += sum(s.open_flags.values())
        for severity, n in s.open_by_severity.items():
            row[severity] += n
        self.kinds_by_outlet.setdefault(outlet, Counter()).update(s.open_flags)
        self.credits[s.credit or "(none)"] += 1
        self.flag_kinds.update(s.open_flags)
        if s.revisions > 1:  # the ten that changed most, earlier first among equals
            self.changed.append(s)
            self.changed.sort(key=lambda story: -story.revisions)
            del self.changed[10:]

    def summary(self) -> dict[str, Any]:
        return {
            "stories": self.stories,
            "verified": self.verified,
            "unverified": self.stories - self.verified,
            "linked": self.linked,
            "no_original": self.no_original,
            "by_outlet": dict(sorted(self.by_outlet.items())),
            "by_credited_source": dict(self.credits.most_common()),
            "flag_kinds": dict(self.flag_kinds.most_common()),
            "flag_severity": by_severity(self.flag_kinds),
            "problems_by_outlet": {
                outlet: problem_kinds(kinds)
                for outlet, kinds in sorted(self.kinds_by_outlet.items())
            },
            "changed_most": [
                {"title": s.title, "url": s.url, "revisions": s.revisions} for s in self.changed
            ],
        }


@dataclass
class Report:
    since: str | None
    until: str | None
    outlet: str | None
    generated: str
    stories: Iterable[StoryReport]
    """A list, or for a streamed report an iterator read once (see ``write``)."""

    def summary(self) -> dict[str, Any]:
        totals = Totals()
        for s in self.stories:
            totals.add(s)
        return totals.summary()

    def head(self) -> dict[str, Any]:
        return {
            "period": {"since": self.since, "until": self.until, "outlet": self.outlet},
            "generated": self.generated,
        }

    def to_json(self) -> dict[str, Any]:
        return self.head() | {
            "summary": self.summary(),
            "stories": [s.as_json() for s in self.stories],
        }


def report_stories(
    store: ReportingStore,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    outlet: str | None = None,
    side_by_side: bool = False,
    page: int = 1000,
) -> Iterator[StoryReport]:
    """A period's stories newest first, read from the store a page at a time: a report
    streams them so its memory does not grow with the period."""
    for rows, facts in store.story_pages(since=since, until=until, outlet=outlet, page=page):
        pairs = store.side_by_side([row.id for row in rows]) if side_by_side else {}
        originals = _originals(store, [row.original_url for row in rows if row.original_url])
        for row in rows:
            fact = facts[row.id]
            shown = next(
                (
                    link
                    for link in fact.links
                    if link["id"] == row.link_id and link["status"] != LinkStatus.rejected
                ),
                None,
            )
            reasons = story_reasons(row, fact)
            story = StoryReport(
                id=row.id, title=row.title, url=row.url, outlet=row.outlet, published=row.published, credit=row.credit,
                original=shown["original"] if shown else None, confidence=shown["score"] if shown else None,
                link_status=shown["status"] if shown else None, coverage=shown["coverage"] if shown else None,
                added=fact.added, dropped=fact.dropped,
                mismatches={k: v for k, v in fact.open_flags.items() if k in MISMATCHES},
                open_flags=dict(fact.open_flags), review="unverified" if reasons else "verified", reasons=reasons,
                reviewed_by=sorted(fact.reviewed_by), revisions=fact.revisions,
                confirmed_mismatches=dict(fact.confirmed), decisions=fact.decisions,
                open_by_severity=by_severity(fact.open_flags),
            )  # fmt: skip
            if shown:
                story.original_title, story.original_outlet = originals.get(
                    shown["original"], (None, None)
                )
            if side_by_side and shown:
                story.side_by_side = pairs.get(row.id, [])
            yield story


def start_report(
    since: datetime | None = None,
    until: datetime | None = None,
    outlet: str | None = None,
    stories: Iterable[StoryReport] = (),
) -> Report:
    """A report of the period, generated now, over ``stories`` (a list or a stream)."""
    return Report(
        since=since.date().isoformat() if since else None,
        until=until.date().isoformat() if until else None,
        outlet=outlet,
        generated=datetime.now(UTC).isoformat(timespec="seconds"),
        stories=stories,
    )


def build_report(
    store: ReportingStore,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    outlet: str | None = None,
    side_by_side: bool = False,
    page: int = 1000,
) -> Report:
    """Collect a period's stories with their links, coverage, flags and review status, in
    memory (``report_stories`` streams them instead)."""
    stories = list(
        report_stories(
            store, since=since, until=until, outlet=outlet, side_by_side=side_by_side, page=page
        )
    )
    return start_report(since, until, outlet, stories)


def _originals(store: ReportingStore, urls: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """Title and outlet of each original by URL: a reader knows an original by its outlet and
    headline, not by its link status."""
    found: dict[str, tuple[str | None, str | None]] = store.titles_by_url(urls)
    return found


def flags_chart(summary: dict[str, Any], width: int = 600) -> str:
    """Open problems per story of each outlet as a bar split by flag kind (inline SVG: no
    script, no network): per story, so an outlet of 300 stories and one of 12 compare fairly,
    and the kinds compare within and across the bars. Chrome and disclaimers are context, left
    out of the bars (the table below counts them). Each outlet's name and numbers sit above its
    bar, so the chart stays legible when a narrow window scales it down."""
    from markupsafe import escape

    problems: dict[str, dict[str, int]] = summary["problems_by_outlet"]
    by_outlet: dict[str, dict[str, int]] = summary["by_outlet"]
    stories = {outlet: by_outlet.get(outlet, {}).get("stories", 0) or 1 for outlet in problems}
    rate = {outlet: sum(kinds.values()) / stories[outlet] for outlet, kinds in problems.items()}
    rows = sorted(problems.items(), key=lambda item: (-rate[item[0]], item[0]))
    top = max(rate.values(), default=0) or 1
    label, bar, gap = 28, 20, 12  # room above the bar for a narrow window's larger text
    height = len(rows) * (label + bar + gap)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Open problems by outlet and flag kind">'
    ]
    for n, (outlet, kinds) in enumerate(rows):
        y = n * (label + bar + gap)
        name = outlet if len(outlet) <= 30 else outlet[:29] + "…"
        parts.append(
            f'<text x="0" y="{y + 21}" font-size="15"><tspan font-weight="600">{escape(name)}</tspan>'
            f" {rate[outlet]:.1f} per story ({sum(kinds.values())} in {stories[outlet]})</text>"
        )
        x = 0.0
        for kind, count in kinds.items():
            w = width * count / stories[outlet] / top
            colour = KIND_COLOURS.get(kind, "#6b7280")
            parts.append(
                f'<rect x="{x:.1f}" y="{y + label}" width="{max(w, 1):.1f}" height="{bar}" '
                f'fill="{colour}" stroke="#fff"><title>{escape(outlet)}: {count} {escape(kind)}</title></rect>'
            )
            x += w
    parts.append("</svg>")
    return "".join(parts)


SINGLE_FILE_STORIES = 200
"""An HTML report of at most this many stories is one file (about 2 MB); a longer one is a
summary page and pages of the stories table and of side-by-side sections."""
TABLE_ROWS = 250
"""Rows of the stories table on each page of a report in pages (the first on the summary)."""
SECTION_STORIES, SECTION_BYTES = 50, 1_000_000
"""A page of side-by-side sections ends at this many stories or once it holds this many bytes,
whichever comes first, so a page stays small however long its stories are."""


_MARKDOWN_CELL = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|", "[": "\\[", "]": "\\]",
     "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "\n": " ", "\r": " "}
)  # fmt: skip


def markdown_cell(value: Any) -> str:
    """Text from an article (a title, an outlet, a note) as one table cell of Markdown: no
    HTML that a renderer would run, no pipe that ends the cell, no markup of its own."""
    return "" if value is None else str(value).translate(_MARKDOWN_CELL)


def markdown_url(value: Any) -> str:
    """A URL inside ``(...)`` of a Markdown link: nothing that closes it or starts HTML."""
    from urllib.parse import quote

    return quote(str(value or ""), safe=":/?#[]@!$&'*+,;=%~-._")


@cache
def templates(fmt: str) -> Any:
    """The macros of report.html or report.md, which draw a report one piece at a time."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("provenance", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["flag_class"] = flag_class
    env.filters["flag_kind"] = lambda label: label.split(":")[0]  # "number_mismatch: 5 ≠ ٦"
    env.filters["md"] = markdown_cell
    env.filters["mdurl"] = markdown_url
    env.globals.update(flag_class=flag_class, problem_kinds=problem_kinds, colours=KIND_COLOURS)
    return env.get_template("report.html" if fmt == "html" else "report.md").module


def render(report: Report, fmt: str) -> str:
    """The report as text in one of FORMATS (one HTML file, however many stories)."""
    buffer = io.StringIO()
    write(report, fmt, buffer)
    return buffer.getvalue()


def write(report: Report, fmt: str, out: TextIO) -> None:
    """Write the report to ``out`` reading its stories once. CSV rows go out as they come;
    JSON, Markdown and HTML open with the summary, so their rows wait in temporary files
    (not in memory) until the last story is counted."""
    {"csv": _write_csv, "json": _write_json, "md": _write_md, "html": _write_html}[fmt](report, out)


@contextmanager
def _spooled(
    report: Report, pieces: Callable[[StoryReport], tuple[str, ...]]
) -> Iterator[tuple[dict[str, Any], list[IO[str]]]]:
    """One pass over the stories: count the summary and write each story's pieces (a table
    row, its decisions, its section...) to one temporary file per piece, rewound for reading.
    An empty file means no story had that piece."""
    totals = Totals()
    with ExitStack() as stack:
        files: list[IO[str]] = []
        for s in report.stories:
            totals.add(s)
            parts = pieces(s)
            while len(files) < len(parts):
                files.append(stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8")))
            for file, text in zip(files, parts, strict=True):
                file.write(text)
        for file in files:
            file.seek(0)
        yield totals.summary(), files


def _copy(
    files: list[IO[str]], n: int, out: TextIO, *, before: str = "", after: str = "", skip: int = 0
) -> None:
    """Copy the ``n``th spooled piece to ``out`` between ``before`` and ``after``, less its
    first ``skip`` characters; nothing at all when no story had that piece."""
    head = files[n].read(skip + 1) if n < len(files) else ""
    if len(head) > skip:
        out.write(before + head[skip:])
        shutil.copyfileobj(files[n], out)
        out.write(after)


def _write_csv(report: Report, out: TextIO) -> None:
    from provenance.csvout import cell

    columns = [c for c in StoryReport.__dataclass_fields__ if c != "side_by_side"]
    writer = csv.writer(out)
    writer.writerow(columns)
    for s in report.stories:
        row = s.flat()
        writer.writerow([cell(row.get(name)) for name in columns])


def _write_json(report: Report, out: TextIO) -> None:
    """The JSON of ``Report.to_json`` with ``indent=2``, each story dumped as it comes."""

    def item(s: StoryReport) -> tuple[str]:
        text = json.dumps(s.as_json(), ensure_ascii=False, indent=2)
        return (",\n    " + text.replace("\n", "\n    "),)  # JSON text holds no raw newline

    with _spooled(report, item) as (summary, files):
        head = json.dumps(report.head() | {"summary": summary}, ensure_ascii=False, indent=2)
        out.write(head.removesuffix("\n}") + ',\n  "stories": [')
        _copy(files, 0, out, skip=1, after="\n  ")  # less the first story's leading comma
        out.write("]\n}\n")


def _write_md(report: Report, out: TextIO) -> None:
    md = templates("md")
    with _spooled(report, lambda s: (md.story_row(s), md.decision_rows(s))) as (summary, files):
        out.write(md.head(report, summary))
        _copy(files, 0, out)
        _copy(files, 1, out, before=md.decisions_head())


def _write_html(report: Report, out: TextIO) -> None:
    """One self-contained file: summary, stories, decisions, a side-by-side section each."""
    html = templates("html")

    def pieces(s: StoryReport) -> tuple[str, str, str]:
        href = f"#story-{s.id}"
        return html.story_row(s, href), html.decision_rows(s, href), html.section(s)

    with _spooled(report, pieces) as (summary, files):
        out.write(html.page_start(report) + html.title(report))
        out.write(html.summary_block(summary, flags_chart(summary)) + html.stories_start())
        out.write(html.table_start())
        _copy(files, 0, out)
        out.write(html.table_end())
        _copy(files, 1, out, before=html.decisions_start(), after=html.decisions_end())
        out.write(html.side_by_side_start())
        _copy(files, 2, out)
        out.write(html.page_end())


@dataclass
class _TablePage:
    """Where one page of the stories table lies in the spooled rows and decisions (bytes)."""

    rows: tuple[int, int] = (0, 0)
    decisions: tuple[int, int] = (0, 0)
    sections: str = "side-by-side-1.html"
    """The side-by-side page of the page's first story."""


class _Pages:
    """Writes a report in pages: the summary page ``index`` with the first page of the stories
    table, the table's other pages and the side-by-side sections in the folder ``pages`` (a
    subfolder of the index's, so every link is relative and the whole moves as one)."""

    def __init__(self, report: Report, index: Path, pages: Path) -> None:
        self.report, self.index, self.pages = report, index, pages
        self.html = templates("html")
        self.to_pages = pages.relative_to(index.parent).as_posix() + "/"
        self.to_index = "../" * len(pages.relative_to(index.parent).parts) + index.name
        self.sections: list[bytes] = []
        self.section_page = self.first_story = 1
        self.written: list[Path] = []

    def write(self) -> list[Path]:
        """Every page, the summary last (it counts every story); the paths written."""
        self.pages.mkdir(parents=True, exist_ok=True)
        for stale in [*self.pages.glob("stories-*.html"), *self.pages.glob("side-by-side-*.html")]:
            stale.unlink()  # of an earlier, longer report in the same folder
        totals, tables = Totals(), [_TablePage()]
        with tempfile.TemporaryFile() as rows, tempfile.TemporaryFile() as decisions:
            for n, s in enumerate(self.report.stories):
                if n and n % TABLE_ROWS == 0:
                    tables.append(_TablePage((rows.tell(),) * 2, (decisions.tell(),) * 2))
                totals.add(s)
                href = self._add_section(s, n)
                if n % TABLE_ROWS == 0:
                    tables[-1].sections = href.partition("#")[0]
                prefix = self.to_pages if len(tables) == 1 else ""
                rows.write(self.html.story_row(s, prefix + href).encode())
                decisions.write(self.html.decision_rows(s, prefix + href).encode())
                tables[-1].rows = (tables[-1].rows[0], rows.tell())
                tables[-1].decisions = (tables[-1].decisions[0], decisions.tell())
            self._flush_sections(last=True)
            for number in [*range(2, len(tables) + 1), 1]:  # the summary page last
                self._write_table(number, tables, rows, decisions, totals.summary())
        return self.written

    def _add_section(self, s: StoryReport, n: int) -> str:
        """Put the story's section on the current side-by-side page; the link to it."""
        section = self.html.section(s).encode()
        size = sum(map(len, self.sections))
        if self.sections and (
            len(self.sections) >= SECTION_STORIES or size + len(section) > SECTION_BYTES
        ):
            self._flush_sections(last=False)
        if not self.sections:
            self.first_story = n + 1
        self.sections.append(section)
        return f"side-by-side-{self.section_page}.html#story-{s.id}"

    def _flush_sections(self, *, last: bool) -> None:
        if not self.sections:
            return
        n, html = self.section_page, self.html
        label = (
            f"side by side, stories {self.first_story}–{self.first_story + len(self.sections) - 1}"
        )
        table = (self.first_story - 1) // TABLE_ROWS + 1
        links = [
            ("summary", self.to_index),
            ("stories table", self.to_index if table == 1 else f"stories-{table}.html"),
        ]
        links += [("← previous", f"side-by-side-{n - 1}.html")] if n > 1 else []
        links += [] if last else [("next →", f"side-by-side-{n + 1}.html")]
        nav = html.pager(links, "pages")
        head = html.page_start(self.report, label) + html.title(self.report, label) + nav
        self._save(
            self.pages / f"side-by-side-{n}.html",
            [head.encode(), html.side_by_side_start().encode(), *self.sections,
             (nav + html.page_end()).encode()],
        )  # fmt: skip
        self.sections, self.section_page = [], n + 1

    def _write_table(
        self,
        number: int,
        tables: list[_TablePage],
        rows: IO[bytes],
        decisions: IO[bytes],
        summary: dict[str, Any],
    ) -> None:
        """Page ``number`` of the stories table; the first is the summary page."""
        html, first, table = self.html, number == 1, tables[number - 1]
        prefix = self.to_pages if first else ""

        def href(n: int) -> str:
            return self.to_index if n == 1 else f"{prefix}stories-{n}.html"

        label = "" if first else f"stories, page {number} of {len(tables)}"
        pager = (
            html.pager([(str(n), None if n == number else href(n)) for n in range(1, len(tables) + 1)],
                       "pages of the stories table")
            if len(tables) > 1 else ""
        )  # fmt: skip
        head = html.page_start(self.report, label) + html.title(self.report, label)
        if first:
            head += html.summary_block(summary, flags_chart(summary))
        else:
            head += html.pager([("summary", self.to_index)], "summary")
        sections = html.pager(
            [("side by side of these stories →", prefix + table.sections)], "side by side"
        )
        parts = [
            (head + html.stories_start() + pager + sections + html.table_start()).encode(),
            _read(rows, table.rows),
            (html.table_end() + pager).encode(),
        ]
        if decided := _read(decisions, table.decisions):
            parts += [html.decisions_start().encode(), decided, html.decisions_end().encode()]
        parts.append(html.page_end().encode())
        self._save(self.index if first else self.pages / f"stories-{number}.html", parts)

    def _save(self, path: Path, parts: list[bytes]) -> None:
        with path.open("wb") as file:
            file.writelines(parts)
        self.written.append(path)


def _read(spool: IO[bytes], span: tuple[int, int]) -> bytes:
    spool.seek(span[0])
    return spool.read(span[1] - span[0])


def write_pages(report: Report, index: Path, pages: Path) -> list[Path]:
    """Write a report in pages (see ``_Pages``); the paths written, the summary page last."""
    return _Pages(report, index, pages).write()


def in_pages(fmt: str, out_path: Path | None, stories: int) -> tuple[Path, Path] | None:
    """Where an HTML report in pages goes (summary page, folder of the other pages), or None
    for one file. ``--out`` naming a folder (one that exists, or a new name without an
    extension) always gets pages: ``index.html`` and ``pages/``. Over SINGLE_FILE_STORIES,
    ``--out week.html`` makes week.html the summary page and puts the rest in ``week_pages/``."""
    if fmt != "html" or out_path is None:
        return None
    if out_path.is_dir() or (not out_path.exists() and not out_path.suffix):
        return out_path / "index.html", out_path / "pages"
    if stories > SINGLE_FILE_STORIES:
        return out_path, out_path.with_name(f"{out_path.stem}_pages")
    return None


def write_report(
    store: ReportingStore,
    fmt: str,
    out_path: Path | None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    outlet: str | None = None,
) -> str:
    """Write the report of a period to ``out_path`` (None: standard output), streaming its
    stories from the store; a line saying what was written ("" for standard output)."""
    from provenance.errors import ConfigError

    stories = store.story_count(since=since, until=until, outlet=outlet) if fmt == "html" else 0
    if fmt == "html" and out_path is None and stories > SINGLE_FILE_STORIES:
        raise ConfigError(
            f"{stories} stories make an HTML report of several pages, more than one file holds "
            f"({SINGLE_FILE_STORIES}): give --out a folder, e.g. --out report"
        )
    report = start_report(since, until, outlet)
    report.stories = report_stories(
        store, since=since, until=until, outlet=outlet, side_by_side=fmt == "html"
    )
    where = in_pages(fmt, out_path, stories)
    if out_path is None:  # a closed pipe (`report | head`) is the CLI's to handle
        write(report, fmt, sys.stdout)
        return ""
    try:
        if where is not None:
            return _pages_note(write_pages(report, *where), where[1])
        with out_path.open("w", encoding="utf-8") as out:
            write(report, fmt, out)
    except OSError as error:
        raise ConfigError(
            f"{error.filename or out_path}: cannot write ({error.strerror or error})"
        ) from None
    return f"wrote {out_path} ({out_path.stat().st_size / 1024:.0f} KB)"


def _pages_note(written: list[Path], folder: Path) -> str:
    largest = max(written, key=lambda path: path.stat().st_size)
    return (
        f"wrote {written[-1]} and {len(written) - 1} pages in {folder} "
        f"(largest {largest.name}, {largest.stat().st_size / 1024:.0f} KB)"
    )
