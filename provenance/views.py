"""What a screen or a report shows: frozen views of articles, paragraphs, revisions, links,
groups, flags and story-list rows.

Plain data with no database in them: the store builds them (provenance/store/views.py,
provenance/store/stories.py) and the review UI, the CLI and the reports read them, so a
reader of views never imports the store.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

STORY_SORTS = ("newest", "oldest", "flags", "title")
"""The orders of the story list, in the order the review UI cycles through them."""


@dataclass(frozen=True)
class ArticleSummary:
    id: int
    url: str
    outlet: str | None
    lang: str
    published: str | None
    title: str
    credit: str | None
    revisions: int
    paragraphs: int


@dataclass(frozen=True)
class ParagraphView:
    index: int
    kind: str
    lang: str | None
    credit: str | None
    text: str
    learnt: bool = False
    """Chrome learnt from the outlet's other articles, not from a rule."""
    anchors: str | None = None
    """Stored anchors (JSON), or None for a paragraph stored before they were."""


@dataclass(frozen=True)
class RevisionView:
    number: int
    content_hash: str
    created_at: str
    source: str | None
    patch: str | None


@dataclass(frozen=True)
class ArticleDetail:
    article: ArticleSummary
    author: str | None
    paragraphs: list[ParagraphView]
    revisions: list[RevisionView]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self.article)
        data["author"] = self.author
        # the stored anchors are the aligner's cache, not part of the documented shape
        data["paragraphs"] = [
            {k: v for k, v in asdict(p).items() if k != "anchors"} for p in self.paragraphs
        ]
        data["revision_history"] = [asdict(r) for r in self.revisions]
        return data


@dataclass(frozen=True)
class LinkView:
    id: int
    translation_id: int
    original_id: int
    translation_url: str
    original_url: str
    status: str
    score: float
    rank: int
    explanation: dict[str, Any]
    aligned_translation_revision: int | None
    aligned_original_revision: int | None
    translation_revision: int | None
    """The translation's current revision id (compare with the aligned one)."""
    original_revision: int | None
    translation_outlet: str | None = None
    original_outlet: str | None = None

    @property
    def stale(self) -> bool:
        """True when either side changed since the alignment was made (or none was made)."""
        return (self.aligned_translation_revision, self.aligned_original_revision) != (
            self.translation_revision,
            self.original_revision,
        )


@dataclass(frozen=True)
class GroupView:
    id: int
    position: int
    kind: str
    translation: list[int]
    original: list[int]
    score: float
    signals: dict[str, Any]
    anchors: dict[str, Any]
    origin: str


@dataclass(frozen=True)
class FlagView:
    id: int
    kind: str
    level: str
    severity: str
    status: str
    translation: int | None
    original: int | None
    evidence: dict[str, Any]
    note: str | None
    origin: str
    group_id: int | None


@dataclass(frozen=True)
class AlignedPair:
    """A translation, its best link, both sides' paragraphs, the groups and the flags."""

    link: LinkView
    translation: list[ParagraphView]
    original: list[ParagraphView]
    groups: list[GroupView]
    flags: list[FlagView]

    def to_json(self) -> dict[str, Any]:
        return {
            "link": asdict(self.link),
            "groups": [asdict(g) for g in self.groups],
            "flags": [asdict(f) for f in self.flags],
        }


@dataclass(frozen=True)
class StoryRow:
    """One translation in the story list."""

    id: int
    url: str
    published: str | None
    outlet: str | None
    title: str
    credit: str | None
    link_status: str | None
    """confirmed, auto, suggested, rejected, or None (no candidate found or never linked)."""
    link_id: int | None
    original_url: str | None
    coverage: float | None
    open_flags: int
    high_flags: int
    checked: bool
    """Linking has looked for this story's original."""
    reasons: tuple[str, ...] = ()
    """Why the story is not verified, in ``provenance.store.UNVERIFIED_REASONS`` order (empty: it is verified)."""
    confirmed_flags: int = 0
    """High-severity flags a reviewer accepted that the current alignment still finds."""

    @property
    def verified(self) -> bool:
        """Verified by the one rule the store applies when it reads the row
        (``provenance.store.stories._verification``; the audit and reports use it too)."""
        return not self.reasons
