"""What reads hand back: frozen views of articles, paragraphs, revisions, links, groups and
flags, never a session or a table row."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from provenance.models import (
    Article,
    Flag,
    Link,
    Paragraph,
)


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


def _paragraph_view(p: Paragraph) -> ParagraphView:
    return ParagraphView(p.index, p.kind, p.lang, p.credit, p.text, anchors=p.anchors)


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


def _link_view(
    link: Link, t: Article, o: Article, t_outlet: str | None = None, o_outlet: str | None = None
) -> LinkView:
    assert link.id is not None
    return LinkView(
        id=link.id,
        translation_id=link.translation_id,
        original_id=link.original_id,
        translation_url=t.url,
        original_url=o.url,
        status=link.status,
        score=link.score,
        rank=link.rank,
        explanation=link.explanation,
        aligned_translation_revision=link.translation_revision_id,
        aligned_original_revision=link.original_revision_id,
        translation_revision=t.current_revision_id,
        original_revision=o.current_revision_id,
        translation_outlet=t_outlet,
        original_outlet=o_outlet,
    )


def _flag_view(flag: Flag) -> FlagView:
    assert flag.id is not None
    return FlagView(
        id=flag.id,
        kind=flag.kind,
        level=flag.level,
        severity=flag.severity,
        status=flag.status,
        translation=flag.evidence.get("translation_index"),
        original=flag.evidence.get("original_index"),
        evidence=flag.evidence,
        note=flag.note,
        origin=flag.origin,
        group_id=flag.group_id,
    )


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
