"""What reads hand back: frozen views of articles, paragraphs, revisions, links, groups and
flags, never a session or a table row. The views themselves live in provenance/views.py (a
screen or a report reads them without importing the store); here they are built from rows."""

from __future__ import annotations

from provenance.models import (
    Article,
    Flag,
    Link,
    Paragraph,
)
from provenance.views import (
    AlignedPair,
    ArticleDetail,
    ArticleSummary,
    FlagView,
    GroupView,
    LinkView,
    ParagraphView,
    RevisionView,
)

__all__ = [
    "AlignedPair",
    "ArticleDetail",
    "ArticleSummary",
    "FlagView",
    "GroupView",
    "LinkView",
    "ParagraphView",
    "RevisionView",
]


def _paragraph_view(p: Paragraph) -> ParagraphView:
    return ParagraphView(p.index, p.kind, p.lang, p.credit, p.text, anchors=p.anchors)


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
