"""The project's vocabulary, written once: the statuses, kinds, severities and actions that the
stages, the store, the reports and the UI all speak.

Each is a ``StrEnum``: a member is the plain string the database, JSON, CSV and reports have
always held (``LinkStatus.auto == "auto"``, ``f"{LinkStatus.auto}"`` prints ``auto``), so the
names can replace the bare literals without changing any stored or printed value. This module
imports nothing of the project so that ``text/`` and every stage can use it.
"""

from __future__ import annotations

from enum import StrEnum


class LinkStatus(StrEnum):
    """Where a translation -> original link stands: proposed by linking or decided by a reviewer."""

    suggested = "suggested"
    auto = "auto"
    confirmed = "confirmed"
    rejected = "rejected"


BEST_LINK_RANK: dict[str, int] = {
    LinkStatus.confirmed: 0,
    LinkStatus.auto: 1,
    LinkStatus.suggested: 2,
}
"""The one ``best_link`` ordering: the link a translation is shown and judged by is confirmed,
else auto, else suggested (best rank first); a rejected link is never preferred."""
ALIGNED_LINKS: tuple[LinkStatus, ...] = tuple(LinkStatus(s) for s in BEST_LINK_RANK)
"""The statuses of a link whose alignment is shown and checked (a rejected one is neither)."""
LINKED: tuple[LinkStatus, ...] = (LinkStatus.confirmed, LinkStatus.auto)
"""The statuses that count as "linked" in reports and exports (not a mere suggestion)."""


def best_link_rank(status: str) -> int:
    """A status's place in the ``best_link`` ordering (lower is better); a rejected or unknown
    status comes after every other."""
    return BEST_LINK_RANK.get(status, len(BEST_LINK_RANK))


class GroupKind(StrEnum):
    """What an alignment group is: paragraphs in both sides, in one only, or out of order."""

    matched = "matched"
    added = "added"
    dropped = "dropped"
    moved = "moved"


class FlagKind(StrEnum):
    """Every kind of flag: the ones flags.py raises from an alignment and the story-level change
    flags that refresh raises."""

    added = "added"
    dropped = "dropped"
    moved = "moved"
    condensed = "condensed"
    number_mismatch = "number_mismatch"
    date_mismatch = "date_mismatch"
    name_mismatch = "name_mismatch"
    boilerplate = "boilerplate"
    read_also = "read_also"
    disclaimer = "disclaimer"
    attribution = "attribution"
    translator_note = "translator_note"
    source_changed = "source_changed"
    translation_changed = "translation_changed"


CHANGE_FLAGS: tuple[FlagKind, ...] = (FlagKind.source_changed, FlagKind.translation_changed)
"""Story-level flags that refresh raises when a side is revised; never part of an alignment."""
ALIGNMENT_FLAGS: tuple[FlagKind, ...] = tuple(k for k in FlagKind if k not in CHANGE_FLAGS)
"""The flags an alignment implies: the kinds a gold pair may label (docs/formats.md)."""


class Severity(StrEnum):
    """How much a flag matters; ``context`` is the report's bucket for additions that give
    context (credits, notes, chrome) rather than change the story."""

    high = "high"
    medium = "medium"
    low = "low"
    context = "context"


class FlagStatus(StrEnum):
    """A flag as a reviewer left it."""

    open = "open"
    accepted = "accepted"
    dismissed = "dismissed"


class ParagraphKind(StrEnum):
    """What a paragraph is (text/segment.py tags each): the story's body or a kind of chrome."""

    body = "body"
    title_repeat = "title_repeat"
    standfirst = "standfirst"
    attribution = "attribution"
    read_also = "read_also"
    disclaimer = "disclaimer"
    boilerplate = "boilerplate"
    translator_note = "translator_note"


class ReviewAction(StrEnum):
    """Every action a reviewer takes, as the review trail stores it."""

    confirm_link = "confirm_link"
    reject_link = "reject_link"
    accept_flag = "accept_flag"
    dismiss_flag = "dismiss_flag"
    merge_groups = "merge_groups"
    split_group = "split_group"
    unlink_group = "unlink_group"
    relink_groups = "relink_groups"
    undo = "undo"


FLAG_ACTIONS = frozenset({ReviewAction.accept_flag, ReviewAction.dismiss_flag})
"""The actions that decide a flag (undone by restoring the flag's status and note)."""
GROUP_ACTIONS = frozenset(
    {
        ReviewAction.merge_groups,
        ReviewAction.split_group,
        ReviewAction.unlink_group,
        ReviewAction.relink_groups,
    }
)
"""The actions that replace alignment groups (undone by restoring the groups)."""
