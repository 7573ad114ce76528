"""Batch reports of a period: per story and in summary, as Markdown, HTML, CSV or JSON.

The HTML report is one self-contained file (no network): a summary, a chart of open flags by
outlet drawn as inline SVG, a table of stories, and a side-by-side section per story with the
Arabic right to left. Templates live in provenance/templates/ (Jinja2, autoescaped).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from provenance.audit import story_reasons

FORMATS = ("md", "html", "csv", "json")
MISMATCHES = ("number_mismatch", "date_mismatch", "name_mismatch")


@dataclass
class StoryReport:
    id: int
    title: str
    url: str
    outlet: str | None
    published: str | None
    credit: str | None
    original: str | None
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

    def flat(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("side_by_side")
        for name in ("mismatches", "open_flags", "confirmed_mismatches"):
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
        for s in self.stories:
            row = by_outlet.setdefault(
                s.outlet or "(none)", {"stories": 0, "verified": 0, "open_flags": 0}
            )
            row["stories"] += 1
            row["verified"] += s.review == "verified"
            row["open_flags"] += sum(s.open_flags.values())
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
            )  # fmt: skip
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


def flags_chart(by_outlet: dict[str, dict[str, int]], width: int = 640) -> str:
    """Open flags by outlet as a horizontal bar chart, inline SVG (no script, no network)."""
    from markupsafe import escape

    rows = sorted(by_outlet.items(), key=lambda item: -item[1]["open_flags"])
    top = max((r["open_flags"] for _, r in rows), default=0) or 1
    bar, label_w, gap = 22, 200, 8
    height = len(rows) * (bar + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="Open flags by outlet" viewBox="0 0 {width} {height}">'
    ]
    for n, (outlet, row) in enumerate(rows):
        y = gap + n * (bar + gap)
        w = int((width - label_w - 60) * row["open_flags"] / top)
        parts.append(f'<text x="0" y="{y + 16}" font-size="13">{escape(outlet)}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{max(w, 1)}" height="{bar}" fill="#b45309"/>'
        )
        parts.append(
            f'<text x="{label_w + w + 6}" y="{y + 16}" font-size="13">{row["open_flags"]}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render(report: Report, fmt: str) -> str:
    """The report as text in one of FORMATS."""
    if fmt == "json":
        return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        columns = list(StoryReport.__dataclass_fields__)
        columns.remove("side_by_side")
        writer = csv.DictWriter(buffer, fieldnames=columns)
        writer.writeheader()
        writer.writerows(s.flat() for s in report.stories)
        return buffer.getvalue()
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("provenance", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    summary = report.summary()
    template = env.get_template("report.html" if fmt == "html" else "report.md")
    return template.render(
        report=report,
        summary=summary,
        chart=flags_chart(summary["by_outlet"]) if fmt == "html" else "",
    )
