"""Audit: the stories that are not verified, and why.

A story is verified (DESIGN.md) when its original is linked and confirmed, by a reviewer or
auto-linked above the threshold, and no high-severity flag is open. Every other story is
listed with its reasons:

- ``no_original``        no candidate original was found (or linking has not run);
- ``link_suggested``     the best original is only a suggestion, nobody confirmed it;
- ``link_rejected``      every candidate was rejected by a reviewer;
- ``high_flags``         high-severity flags are open (counts by kind beside it);
- ``source_changed``     the original was edited after the alignment was made;
- ``translation_changed`` the translation was edited after the alignment was made;
- ``self_disclaimer``    the story's own disclaimer says its content was not verified
                         (listed for stories that are unverified anyway: the Syrian Observer
                         puts it under every story, so alone it decides nothing).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

REASONS = (
    "no_original",
    "link_suggested",
    "link_rejected",
    "high_flags",
    "source_changed",
    "translation_changed",
    "self_disclaimer",
)
FAIL_ON = ("unverified", "flags", "none")
PAGE = 1000


@dataclass
class AuditRow:
    """One story that is not verified."""

    id: int
    url: str
    title: str
    outlet: str | None
    published: str | None
    credit: str | None
    link_status: str | None
    original: str | None
    reasons: list[str]
    high_flags: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def flat(self) -> dict[str, Any]:
        """One CSV row: lists joined with semicolons."""
        data = self.to_json()
        data["reasons"] = ";".join(self.reasons)
        data["high_flags"] = ";".join(f"{k}={v}" for k, v in sorted(self.high_flags.items()))
        return data


def story_reasons(link_status: str | None, facts: Any) -> list[str]:
    """Why a story is not verified (empty: it is verified)."""
    reasons = []
    statuses = {link["status"] for link in facts.links}
    best = next((link for link in facts.links if link["status"] in ("confirmed", "auto")), None)
    if not facts.links:
        reasons.append("no_original")
    elif best is None and "suggested" in statuses:
        reasons.append("link_suggested")
    elif best is None:
        reasons.append("link_rejected")
    if facts.open_high:
        reasons.append("high_flags")
    aligned = best or (facts.links[0] if facts.links else None)
    if aligned and aligned["source_changed"]:
        reasons.append("source_changed")
    if aligned and aligned["translation_changed"]:
        reasons.append("translation_changed")
    if reasons and facts.disclaimer:
        reasons.append("self_disclaimer")
    return reasons


def audit(
    store: Any,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    outlet: str | None = None,
    reasons: list[str] | None = None,
) -> Iterator[AuditRow]:
    """Unverified stories of the period, newest first; ``reasons`` keeps those with any of them."""
    wanted = set(reasons or [])
    for page, facts in store.story_pages(since=since, until=until, outlet=outlet, page=PAGE):
        for row in page:
            found = story_reasons(row.link_status, facts[row.id])
            if not found or (wanted and not wanted & set(found)):
                continue
            best = next(
                (link for link in facts[row.id].links if link["status"] != "rejected"), None
            )
            yield AuditRow(
                id=row.id, url=row.url, title=row.title, outlet=row.outlet, published=row.published, credit=row.credit,
                link_status=row.link_status, original=best["original"] if best else None, reasons=found,
                high_flags=dict(facts[row.id].open_high),
            )  # fmt: skip


def summarise(rows: list[AuditRow]) -> dict[str, Any]:
    """Counts for the closing line of ``provenance audit`` and the demo."""
    return {
        "unverified": len(rows),
        "by_reason": dict(Counter(r for row in rows for r in row.reasons).most_common()),
        "by_outlet": dict(Counter(row.outlet or "(none)" for row in rows).most_common()),
    }


def should_fail(rows: list[AuditRow], fail_on: str) -> bool:
    """Whether ``--fail-on`` matches: any unverified story, or any open high-severity flag."""
    if fail_on == "unverified":
        return bool(rows)
    if fail_on == "flags":
        return any(row.high_flags for row in rows)
    return False
