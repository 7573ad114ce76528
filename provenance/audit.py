"""Audit: the stories that are not verified, and why.

A story is verified when its original is linked (confirmed by a reviewer, or auto-linked
above the threshold), its alignment was made on the current revisions of both sides, and no
high-severity flag is open or accepted. The rule is written once, in
``provenance.verification.unverified``, and the store runs it as SQL: the audit, the story
list (its "unverified" filter and ``StoryRow.verified``) and the reports all read it. Every
other story is listed with its reasons:

- ``no_original``        no candidate original was found (or linking has not run);
- ``link_suggested``     the best original is only a suggestion, nobody confirmed it;
- ``link_rejected``      every candidate was rejected by a reviewer;
- ``not_aligned``        the story's link was never aligned (``provenance align`` has not
                         run on it), so its flags are not known;
- ``high_flags``         high-severity flags are open (counts by kind beside it);
- ``confirmed_mismatch`` a reviewer accepted a high-severity flag (the translation does
                         differ) and the alignment on the current translation still finds
                         it; it leaves the audit when an alignment on a newer revision of the
                         translation no longer finds it (a dismissed flag leaves at once);
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
from typing import TYPE_CHECKING, Any

from provenance.store import StoryFacts, StoryRow
from provenance.verification import UNVERIFIED_REASONS
from provenance.vocab import LinkStatus

if TYPE_CHECKING:
    from provenance.ports import StoryPages

REASONS = (*UNVERIFIED_REASONS, "self_disclaimer")
FAIL_ON = ("unverified", "flags", "none")
FLAG_REASONS = ("not_aligned", "high_flags", "confirmed_mismatch", "source_changed",
                "translation_changed")  # fmt: skip
"""The reasons ``--fail-on flags`` fails on: a high-severity flag open or confirmed, or flags
that are not known because the alignment is missing or older than a side."""
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
    confirmed_mismatches: dict[str, int] = field(default_factory=dict)
    """Accepted high-severity flags still found, by kind (the ``confirmed_mismatch`` reason)."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def flat(self) -> dict[str, Any]:
        """One CSV row: lists joined with semicolons."""
        data = self.to_json()
        data["reasons"] = ";".join(self.reasons)
        for name in ("high_flags", "confirmed_mismatches"):
            data[name] = ";".join(f"{k}={v}" for k, v in sorted(data[name].items()))
        return data


def story_reasons(row: StoryRow, facts: StoryFacts) -> list[str]:
    """Why a story is not verified (empty: it is verified): the rule's reasons, and the
    story's own disclaimer beside them."""
    reasons = list(row.reasons)
    if reasons and facts.disclaimer:
        reasons.append("self_disclaimer")
    return reasons


def audit(
    store: StoryPages,
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
            found = story_reasons(row, facts[row.id])
            if not found or (wanted and not wanted & set(found)):
                continue
            yield AuditRow(
                id=row.id, url=row.url, title=row.title, outlet=row.outlet, published=row.published, credit=row.credit,
                link_status=row.link_status, original=row.original_url if row.link_status != LinkStatus.rejected else None,
                reasons=found, high_flags=dict(facts[row.id].open_high),
                confirmed_mismatches=dict(facts[row.id].confirmed),
            )  # fmt: skip


def summarise(rows: list[AuditRow]) -> dict[str, Any]:
    """Counts for the closing line of ``provenance audit`` and the demo."""
    return {
        "unverified": len(rows),
        "by_reason": dict(Counter(r for row in rows for r in row.reasons).most_common()),
        "by_outlet": dict(Counter(row.outlet or "(none)" for row in rows).most_common()),
    }


def should_fail(rows: list[AuditRow], fail_on: str) -> bool:
    """Whether ``--fail-on`` matches: any unverified story; or any story with a high-severity
    flag open or confirmed, or whose flags are not known (alignment missing or out of date)."""
    if fail_on == "unverified":
        return bool(rows)
    if fail_on == "flags":
        return any(set(FLAG_REASONS) & set(row.reasons) for row in rows)
    return False
