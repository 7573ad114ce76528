"""The verified rule and the story-level rules around it, written once, outside the store.

A story (a translation) is verified when its original is linked (confirmed by a reviewer, or
auto-linked above the threshold), the alignment was made on the current revisions of both
sides, and no high-severity flag is open or accepted as a confirmed error. ``unverified``
decides it; the store builds the story list's SQL from it (provenance/store/stories.py), so
the list, its "unverified" filter, the audit (provenance/audit.py documents each reason) and
the reports all read this one rule. Beside it: which flags count as additions, which need no
reviewer, how much each flag kind matters (data/severity.toml), the flag a paragraph without
counterpart gets, the flag a changed revision opens, and the phrases of a "not verified"
disclaimer (data/disclaimers.toml).

This module imports nothing of the project but the vocabulary and the errors, so the store
can import it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from provenance.errors import ConfigError
from provenance.vocab import FlagKind, LinkStatus, ParagraphKind, Severity

UNVERIFIED_REASONS = (
    "no_original",
    "link_suggested",
    "link_rejected",
    "not_aligned",
    "high_flags",
    "confirmed_mismatch",
    "source_changed",
    "translation_changed",
)
"""The reasons a story is not verified, in the order they are listed; ``unverified`` decides."""

BLOCKING_SEVERITY = Severity.high
"""A flag of this severity keeps its story unverified while it is open, and for good once a
reviewer accepts it (a confirmed error), until an alignment of a newer translation no longer
finds it."""
NO_REVIEW_SEVERITY = Severity.low
"""Open flags of this severity (chrome, disclaimers, credits) need no reviewer: the story
list's count of open flags leaves them out."""

ADDITION_KIND: dict[str, FlagKind] = {
    ParagraphKind.boilerplate: FlagKind.boilerplate,
    ParagraphKind.title_repeat: FlagKind.boilerplate,
    ParagraphKind.read_also: FlagKind.read_also,
    ParagraphKind.disclaimer: FlagKind.disclaimer,
    ParagraphKind.standfirst: FlagKind.attribution,
    ParagraphKind.attribution: FlagKind.attribution,
    ParagraphKind.translator_note: FlagKind.translator_note,
}
"""The kind a paragraph without counterpart is flagged with, by the kind ingest tagged it
with, on either side (an original's own chrome is flagged as chrome, not as a drop); any
other paragraph is ``added`` (or ``dropped``)."""
ADDITION_FLAGS = frozenset({FlagKind.added, *ADDITION_KIND.values()})
"""The flag kinds a report counts as additions (text in the translation and not in the
original); ``dropped`` is the other way round."""

CHANGE_PATCH_CHARS = 4000
"""How much of a changed revision's diff its change flag keeps as evidence."""


@dataclass(frozen=True)
class StoryTerms:
    """What the rule looks at for one story. Each term is a plain value for one story, or a
    SQL expression the store writes over its story query: the rule below uses only ``==``,
    ``>`` and ``&``, which read the same on both, so there is one rule and not a Python copy
    of the SQL."""

    no_link: Any
    """The story has no link at all (no candidate original was found, or linking has not run)."""
    link_status: Any
    """The status of the story's link, the best one (vocab.best_link_rank)."""
    shown: Any
    """That link is one whose alignment is shown and checked (vocab.ALIGNED_LINKS)."""
    unaligned: Any
    """The link's alignment is missing a side's revision: it was never aligned."""
    high_flags: Any
    """Open flags of BLOCKING_SEVERITY on the story."""
    confirmed: Any
    """Flags of BLOCKING_SEVERITY a reviewer accepted that the alignment still finds."""
    original_changed: Any
    """The original's current revision is not the one the alignment was made on."""
    translation_changed: Any
    """Likewise for the translation."""


def unverified(story: StoryTerms) -> dict[str, Any]:
    """Each reason of UNVERIFIED_REASONS, in order, with whether it holds for ``story`` (a
    truth value, or a SQL condition when the terms are SQL). The story is verified when none
    holds."""
    return {
        "no_original": story.no_link,
        "link_suggested": story.link_status == LinkStatus.suggested,
        "link_rejected": story.link_status == LinkStatus.rejected,
        "not_aligned": story.shown & story.unaligned,
        "high_flags": story.high_flags > 0,
        "confirmed_mismatch": story.confirmed > 0,
        "source_changed": story.shown & story.original_changed,
        "translation_changed": story.shown & story.translation_changed,
    }


def change_flag(
    translation_side: bool, url: str, revision: int | None, patch: str | None
) -> dict[str, Any]:
    """The flag a new revision of an article opens on each of its links: which side changed,
    at story level, with the revision's number and diff. Its severity (data/severity.toml)
    is high: the alignment no longer describes the pair until it is made again."""
    kind = FlagKind.translation_changed if translation_side else FlagKind.source_changed
    return {
        "kind": str(kind),
        "level": "story",
        "severity": severity_of(kind),
        "evidence": {"url": url, "revision": revision, "patch": (patch or "")[:CHANGE_PATCH_CHARS]},
    }


@cache
def flag_severities() -> dict[str, Severity]:
    """How much each flag kind matters (data/severity.toml), read once: every kind listed
    exactly once, under a severity a flag can have."""
    where = "provenance/data/severity.toml"
    data = _read_data("severity.toml")
    table: dict[str, Severity] = {}
    for level, kinds in data.items():
        if level not in (Severity.high, Severity.medium, Severity.low):
            raise ConfigError(f"{where}: {level!r} is not a severity (high, medium or low)")
        if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
            raise ConfigError(f"{where}: {level!r} must be a list of flag kinds")
        for kind in kinds:
            if kind not in set(FlagKind):
                raise ConfigError(f"{where}: {kind!r} is not a flag kind")
            if kind in table:
                raise ConfigError(f"{where}: {kind!r} is listed twice")
            table[kind] = Severity(level)
    missing = sorted(set(FlagKind) - set(table))
    if missing:
        raise ConfigError(f"{where}: no severity for {', '.join(missing)}")
    return table


def severity_of(kind: str) -> Severity:
    """The severity of a flag of ``kind`` (low for a kind the table does not know)."""
    return flag_severities().get(kind, Severity.low)


def _read_data(name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(files("provenance.data").joinpath(name).read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"provenance/data/{name} cannot be read: {error}") from None


@cache
def unverified_phrases() -> tuple[str, ...]:
    """The phrases of a "not verified" disclaimer (data/disclaimers.toml), read once."""
    where = "provenance/data/disclaimers.toml"
    phrases = _read_data("disclaimers.toml").get("unverified")
    if not isinstance(phrases, list) or not all(isinstance(p, str) and p for p in phrases):
        raise ConfigError(f"{where}: 'unverified' must be a list of phrases")
    return tuple(p.lower() for p in phrases)


def says_unverified(disclaimer: str) -> bool:
    """Whether a story's own disclaimer says its content was not verified."""
    text = disclaimer.lower()
    return any(phrase in text for phrase in unverified_phrases())
