"""Batch reports of a period: per story and in summary, as Markdown, HTML, CSV or JSON.

The HTML report is one self-contained file (no network): a summary, a chart comparing the
outlets' open problems by flag kind drawn as inline SVG, a table of stories, and a side-by-side
section per story with the Arabic right to left. Templates live in provenance/templates/
(Jinja2, autoescaped).

Open flags are told apart by severity, and the flags of chrome, disclaimers, read-also lines,
attributions and translator notes are *context*: a reader sees them beside the text, but they
are not problems, and a report that counts 24 boilerplate lines with 2 changed figures hides
the figures.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from provenance.audit import story_reasons
from provenance.flags import ADDITION_KIND, SEVERITY

FORMATS = ("md", "html", "csv", "json")
MISMATCHES = ("number_mismatch", "date_mismatch", "name_mismatch")
CONTEXT_KINDS = frozenset(ADDITION_KIND.values())
"""Flags of paragraphs tagged at ingest (boilerplate, read_also, disclaimer, attribution,
translator_note): context, not open problems."""
SEVERITIES = ("high", "medium", "low", "context")
"""Open flags by how much they matter; every key is always present in the counts."""
KIND_COLOURS = {
    "number_mismatch": "#991b1b", "date_mismatch": "#dc2626", "name_mismatch": "#f87171",
    "source_changed": "#7f1d1d", "translation_changed": "#be123c", "dropped": "#b45309",
    "condensed": "#f59e0b", "added": "#2563eb", "moved": "#7c3aed",
}  # fmt: skip
"""Reds for high severity, ambers for medium, blues for low: the chart and its legend."""


def flag_class(kind: str) -> str:
    """``context`` for the flag of a tagged paragraph, else the kind's severity."""
    return "context" if kind in CONTEXT_KINDS else SEVERITY.get(kind, "low")


def by_severity(open_flags: dict[str, int]) -> dict[str, int]:
    """Open flag counts by kind folded into SEVERITIES (zeros included)."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for kind, n in open_flags.items():
        counts[flag_class(kind)] += n
    return counts


def problem_kinds(open_flags: dict[str, int]) -> dict[str, int]:
    """The open flags that are problems (not context), most severe kinds first."""
    order = {severity: n for n, severity in enumerate(SEVERITIES)}
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
        return self.open_by_severity["context"]

    def problems_text(self) -> str:
        """``number_mismatch 2, dropped 1, date_mismatch 1 confirmed, 4 context``."""
        parts = [f"{k} {v}" for k, v in self.problems.items()]
        parts += [f"{k} {v} confirmed" for k, v in self.confirmed_mismatches.items()]
        if self.context_flags:
            parts.append(f"{self.context_flags} context")
        return ", ".join(parts)

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


@dataclass
class Report:
    since: str | None
    until: str | None
    outlet: str | None
    generated: str
    stories: list[StoryReport]

    def summary(self) -> dict[str, Any]:
        verified = sum(1 for s in self.stories if s.review == "verified")
        by_outlet: dict[str, dict[str, int]] = {}
        kinds_by_outlet: dict[str, Counter[str]] = {}
        for s in self.stories:
            row = by_outlet.setdefault(
                s.outlet or "(none)",
                {"stories": 0, "verified": 0, "open_flags": 0} | dict.fromkeys(SEVERITIES, 0),
            )
            row["stories"] += 1
            row["verified"] += s.review == "verified"
            row["open_flags"] += sum(s.open_flags.values())
            for severity, n in s.open_by_severity.items():
                row[severity] += n
            kinds_by_outlet.setdefault(s.outlet or "(none)", Counter()).update(s.open_flags)
        flag_kinds: Counter[str] = Counter()
        for s in self.stories:
            flag_kinds.update(s.open_flags)
        changed = sorted((s for s in self.stories if s.revisions > 1), key=lambda s: -s.revisions)[
            :10
        ]
        return {
            "stories": len(self.stories),
            "verified": verified,
            "unverified": len(self.stories) - verified,
            "linked": sum(1 for s in self.stories if s.link_status in ("confirmed", "auto")),
            "no_original": sum(1 for s in self.stories if "no_original" in s.reasons),
            "by_outlet": dict(sorted(by_outlet.items())),
            "by_credited_source": dict(
                Counter(s.credit or "(none)" for s in self.stories).most_common()
            ),
            "flag_kinds": dict(flag_kinds.most_common()),
            "flag_severity": by_severity(flag_kinds),
            "problems_by_outlet": {
                outlet: problem_kinds(kinds) for outlet, kinds in sorted(kinds_by_outlet.items())
            },
            "changed_most": [
                {"title": s.title, "url": s.url, "revisions": s.revisions} for s in changed
            ],
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "period": {"since": self.since, "until": self.until, "outlet": self.outlet},
            "generated": self.generated,
            "summary": self.summary(),
            "stories": [
                s.flat()
                | {
                    "mismatches": s.mismatches,
                    "open_flags": s.open_flags,
                    "confirmed_mismatches": s.confirmed_mismatches,
                    "open_by_severity": s.open_by_severity,
                    "decisions": s.decisions,
                }
                for s in self.stories
            ],
        }


def build_report(
    store: Any,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    outlet: str | None = None,
    side_by_side: bool = False,
    page: int = 1000,
) -> Report:
    """Collect a period's stories with their links, coverage, flags and review status."""
    stories: list[StoryReport] = []
    for rows, facts in store.story_pages(since=since, until=until, outlet=outlet, page=page):
        pairs = store.side_by_side([row.id for row in rows]) if side_by_side else {}
        originals = _originals(store, [row.original_url for row in rows if row.original_url])
        for row in rows:
            fact = facts[row.id]
            shown = next(
                (
                    link
                    for link in fact.links
                    if link["id"] == row.link_id and link["status"] != "rejected"
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
            stories.append(story)
    return Report(
        since=since.date().isoformat() if since else None,
        until=until.date().isoformat() if until else None,
        outlet=outlet,
        generated=datetime.now(UTC).isoformat(timespec="seconds"),
        stories=stories,
    )


def _originals(store: Any, urls: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """Title and outlet of each original by URL, for a page of stories in one query: a reader
    knows an original by its outlet and headline, not by its link status."""
    from sqlmodel import Session, select

    from provenance.models import Article, Outlet

    found: dict[str, tuple[str | None, str | None]] = {}
    with Session(store.engine) as session:
        for start in range(0, len(urls), 500):
            for url, title, outlet in session.execute(
                select(Article.url, Article.title, Outlet.name)
                .join(Outlet, Outlet.id == Article.outlet_id, isouter=True)
                .where(Article.url.in_(urls[start : start + 500]))  # type: ignore[attr-defined]
            ).all():
                found[url] = (title, outlet)
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


def render(report: Report, fmt: str) -> str:
    """The report as text in one of FORMATS."""
    if fmt == "json":
        return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        from provenance.csvout import csv_text

        columns = [c for c in StoryReport.__dataclass_fields__ if c != "side_by_side"]
        return csv_text((s.flat() for s in report.stories), columns)
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("provenance", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["flag_class"] = flag_class
    env.filters["flag_kind"] = lambda label: label.split(":")[0]  # "number_mismatch: 5 ≠ ٦"
    summary = report.summary()
    template = env.get_template("report.html" if fmt == "html" else "report.md")
    return template.render(
        report=report,
        summary=summary,
        chart=flags_chart(summary) if fmt == "html" else "",
        flag_class=flag_class,
        problem_kinds=problem_kinds,
        colours=KIND_COLOURS,
    )
