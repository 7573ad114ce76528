"""Every query and every write. Stages hand over and get back plain data, never a session.

One ``Store`` wraps one engine. Each public method is one unit of work (one transaction),
so an article is either stored whole or not at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from diff_match_patch import diff_match_patch
from sqlalchemy import bindparam, func, insert, or_, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from provenance import db
from provenance.errors import NotFoundError
from provenance.models import (
    AlignmentGroup,
    AnchorStat,
    AnchorTerm,
    Article,
    ChromeSighting,
    Embedding,
    Flag,
    IndexState,
    Link,
    Outlet,
    Paragraph,
    ReviewEvent,
    Revision,
    utcnow,
)
from provenance.text.chrome import articles_needed, chrome_key, learnable


@dataclass
class PreparedParagraph:
    text: str
    kind: str
    lang: str | None
    credit: str | None = None
    chrome_key: str = ""
    """The form under which the line is counted as possible outlet chrome (text/chrome.py)."""
    anchors: str | None = None
    """Its anchors as JSON (text/anchors.py), stored with it so aligning never extracts twice."""


@dataclass
class PreparedArticle:
    """An article ready to store: canonical URL, outlet, language, tagged paragraphs."""

    url: str
    lang: str
    title: str
    paragraphs: list[PreparedParagraph]
    outlet: str | None = None
    outlet_lang: str | None = None
    outlet_role: str = "source"
    outlet_hosts: list[str] = field(default_factory=list)
    published: datetime | None = None
    author: str | None = None
    credit: str | None = None
    source: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)

    @property
    def content_hash(self) -> str:
        return content_hash(self.title, [p.text for p in self.paragraphs])


def content_hash(title: str, paragraphs: list[str]) -> str:
    digest = hashlib.sha256(title.encode("utf-8"))
    for paragraph in paragraphs:
        digest.update(b"\x00")
        digest.update(paragraph.encode("utf-8"))
    return digest.hexdigest()


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SaveOutcome:
    """What storing an article did: created, revised (a new revision) or unchanged."""

    status: str
    article_id: int
    revision: int
    url: str


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
        data["paragraphs"] = [asdict(p) for p in self.paragraphs]
        data["revision_history"] = [asdict(r) for r in self.revisions]
        return data


def _like(search: str) -> str:
    """A LIKE pattern that finds ``search`` as it is written: "%" and "_" are letters there."""
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


_DMP = diff_match_patch()


def is_translation() -> Any:
    """Which articles are translations to link: those of a translating outlet, and those not
    in Arabic that credit a source or whose outlet is not known to publish in their language
    (an unknown outlet, or the English edition of an Arabic outlet)."""
    return or_(
        Outlet.role == "translator",
        (Article.lang != "ar")
        & (
            Article.credit.is_not(None)  # type: ignore[union-attr]
            | Outlet.lang.is_(None)  # type: ignore[union-attr]
            | (Outlet.lang != Article.lang)
        ),
    )


class _SQL:
    """Statements of the ingest path, built once: SQLAlchemy then skips re-deriving cache keys."""

    _a = Article.__table__  # type: ignore[attr-defined]
    _r = Revision.__table__  # type: ignore[attr-defined]
    article_by_url = select(
        _a.c.id, _a.c.current_revision_id, _a.c.published,
        _a.c.lang, _a.c.outlet_id, _a.c.credit, _a.c.author,
    ).where(_a.c.url == bindparam("p_url"))  # fmt: skip
    revision_by_id = select(_r.c.number, _r.c.content_hash, _r.c.text).where(
        _r.c.id == bindparam("p_id")
    )
    update_article = update(_a).where(_a.c.id == bindparam("p_id"))
    insert_article = insert(_a)
    insert_revision = insert(_r)
    insert_paragraph = insert(Paragraph.__table__)  # type: ignore[attr-defined]
    _c = ChromeSighting.__table__  # type: ignore[attr-defined]
    insert_sighting = insert(_c)
    forget_sightings = _c.delete().where(_c.c.article_id == bindparam("p_article"))
    count_sightings = (
        select(_c.c.key, func.count())
        .where(_c.c.outlet_id == bindparam("p_outlet"))
        .where(_c.c.key.in_(bindparam("p_keys", expanding=True)))
        .group_by(_c.c.key)
    )


_PATCH_SECONDS = 0.05
"""Budget for all the character diffs of one patch: past it, changed lines are stored whole."""
_SIMILAR_LINES = 0.5
"""Share of their words two changed lines must have in common to be diffed by character."""
_REFINE_CHARS = 20_000
"""Longest changed text diffed by character: the library's cleanups are quadratic beyond."""


def _similar(before: str, after: str) -> bool:
    """Whether a character diff of two changed lines is worth it: a rewritten paragraph shares
    few words and costs diff-match-patch milliseconds for a diff no smaller than both lines."""
    if len(before) + len(after) > _REFINE_CHARS:
        return False
    words_before, words_after = set(before.split()), set(after.split())
    union = len(words_before | words_after)
    return union == 0 or len(words_before & words_after) >= _SIMILAR_LINES * union


def _refine(deleted: list[str], inserted: list[str], deadline: float) -> list[tuple[int, str]]:
    """Character diffs of one block of changed lines: line by line when as many lines came
    as went (paragraphs edited in place), else the block as a whole. A run of dissimilar
    lines becomes one replacement; a similar pair gets patch_make's own cleanups (whole
    words, fewer hunks), done per pair since they are quadratic over a whole page."""
    pairs = (
        list(zip(deleted, inserted, strict=True))
        if len(deleted) == len(inserted)
        else [("".join(deleted), "".join(inserted))]
    )
    diffs: list[tuple[int, str]] = []
    whole: list[tuple[str, str]] = []
    for gone, came in [*pairs, ("", "")]:
        if not _similar(gone, came):
            whole.append((gone, came))
            continue
        diffs.append((_DMP.DIFF_DELETE, "".join(g for g, _c in whole)))
        diffs.append((_DMP.DIFF_INSERT, "".join(c for _g, c in whole)))
        whole = []
        refined = _DMP.diff_main(gone, came, False, deadline)
        if len(refined) > 2:
            _DMP.diff_cleanupSemantic(refined)
            _DMP.diff_cleanupEfficiency(refined)
        diffs.extend(refined)
    return diffs


def _merged(diffs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Neighbouring diffs of one kind joined and empty ones dropped, in one linear pass (the
    library's diff_cleanupMerge re-joins growing strings: quadratic on a long page)."""
    runs: list[tuple[int, list[str]]] = []
    for op, text in diffs:
        if not text:
            continue
        if runs and runs[-1][0] == op:
            runs[-1][1].append(text)
        else:
            runs.append((op, [text]))
    return [(op, "".join(texts)) for op, texts in runs]


def _line_diffs(before: str, after: str) -> list[tuple[int, str]]:
    """Diff by line (a paragraph) first, as diff-match-patch's line mode does, then by character
    only inside similar changed lines, all within ``_PATCH_SECONDS``: the library's own
    character pass over a rewritten page runs into its one-second timeout."""
    deadline = time.time() + _PATCH_SECONDS
    chars_before, chars_after, lines = _DMP.diff_linesToChars(before, after)
    diffs: list[tuple[int, str]] = []
    deleted: list[str] = []
    inserted: list[str] = []
    for op, chars in [*_DMP.diff_main(chars_before, chars_after, False, deadline), (0, "")]:
        texts = [lines[ord(char)] for char in chars]
        if op == _DMP.DIFF_DELETE:
            deleted += texts
        elif op == _DMP.DIFF_INSERT:
            inserted += texts
        else:
            diffs.extend(_refine(deleted, inserted, deadline))
            deleted, inserted = [], []
            diffs.append((op, "".join(texts)))
    return _merged(diffs)


def _patch(before: str, after: str) -> str:
    """diff-match-patch patch text taking ``before`` to ``after``, from a line-first diff so a
    rewritten page costs milliseconds. The text format is the library's, as it always was."""
    return _DMP.patch_toText(_DMP.patch_make(before, _line_diffs(before, after)))


def apply_patch(before: str, patch: str) -> str:
    """Apply a stored patch; used to check a revision chain and to rebuild old texts. Patches
    made by character (before line-first diffs) and by line share one format: both apply."""
    result, _ok = _DMP.patch_apply(_DMP.patch_fromText(patch), before)
    return str(result)


# -- links, alignments, flags, embeddings ----------------------------------------------------


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


class LinkStore:
    """Mixin: queries and writes for links, alignment groups, flags and embeddings."""

    engine: Engine

    def aligned_pair(self, article_id: int) -> AlignedPair | None:
        """The aligned pair shown for a translation: its best non-rejected link that has groups
        (confirmed, else auto, else suggested, best rank first: the link the story's
        verification judges)."""
        order = {"confirmed": 0, "auto": 1, "suggested": 2}
        for link in sorted(
            self.links(translation_id=article_id, statuses=("confirmed", "auto", "suggested")),
            key=lambda link: (order[link.status], link.rank, link.id),
        ):
            groups = self.groups(link.id)
            if groups:
                return AlignedPair(
                    link=link,
                    translation=self.paragraphs(
                        link.aligned_translation_revision or link.translation_revision or 0
                    ),
                    original=self.paragraphs(
                        link.aligned_original_revision or link.original_revision or 0
                    ),
                    groups=groups,
                    flags=self.flags(link_id=link.id),
                )
        return None

    def link(
        self,
        translation_id: int,
        original_id: int,
        *,
        status: str = "suggested",
        score: float = 0.0,
    ) -> LinkView:
        """The link between two articles, created when missing (a reviewer's status is kept)."""
        with db.session_scope(self.engine) as session:
            link = session.exec(
                select(Link).where(
                    Link.translation_id == translation_id, Link.original_id == original_id
                )
            ).first()
            if link is None:
                link = Link(
                    translation_id=translation_id,
                    original_id=original_id,
                    status=status,
                    score=score,
                )
                session.add(link)
                session.flush()
            t = session.get(Article, translation_id)
            o = session.get(Article, original_id)
            if t is None or o is None:
                raise NotFoundError(
                    f"no article with id {translation_id if t is None else original_id}"
                )
            return _link_view(link, t, o)

    def links(
        self, *, translation_id: int | None = None, statuses: tuple[str, ...] | None = None
    ) -> list[LinkView]:
        """Links, best first per translation; optionally of one translation or some statuses."""
        t_article = aliased(Article)
        o_article = aliased(Article)
        t_outlet = aliased(Outlet)
        o_outlet = aliased(Outlet)
        query = (
            select(Link, t_article, o_article, t_outlet.name, o_outlet.name)
            .join(t_article, t_article.id == Link.translation_id)
            .join(o_article, o_article.id == Link.original_id)
            .join(t_outlet, t_outlet.id == t_article.outlet_id, isouter=True)
            .join(o_outlet, o_outlet.id == o_article.outlet_id, isouter=True)
            .order_by(Link.translation_id, Link.rank, Link.id)
        )
        if translation_id is not None:
            query = query.where(Link.translation_id == translation_id)
        if statuses:
            query = query.where(Link.status.in_(statuses))  # type: ignore[attr-defined]
        with Session(self.engine) as session:
            return [_link_view(*row) for row in session.execute(query).all()]

    def paragraphs(self, revision_id: int) -> list[ParagraphView]:
        with Session(self.engine) as session:
            rows = session.exec(
                select(Paragraph)
                .where(Paragraph.revision_id == revision_id)
                .order_by(Paragraph.index)  # type: ignore[arg-type]
            ).all()
        return [_paragraph_view(p) for p in rows]

    def save_paragraph_anchors(self, revision_id: int, anchors: dict[int, str]) -> None:
        """Store anchors extracted later for paragraphs (by index) of a revision stored
        without them, so the next run reads them instead of extracting them again."""
        if not anchors:
            return
        table = Paragraph.__table__  # type: ignore[attr-defined]
        statement = (
            table.update()
            .where(table.c.revision_id == revision_id)
            .where(table.c.index == bindparam("p_index"))
            .where(table.c.anchors.is_(None))
            .values(anchors=bindparam("p_anchors"))
        )
        with self.engine.begin() as conn:
            conn.execute(statement, [{"p_index": i, "p_anchors": a} for i, a in anchors.items()])

    def has_reviewer_groups(self, link_id: int) -> bool:
        return _exists(
            self.engine,
            select(AlignmentGroup.id).where(
                AlignmentGroup.link_id == link_id, AlignmentGroup.origin == "reviewer"
            ),
        )

    def save_alignment(
        self,
        link_id: int,
        translation_revision: int | None,
        original_revision: int | None,
        groups: list[dict[str, Any]],
        flags: list[dict[str, Any]],
        article_id: int,
        coverage: float | None = None,
    ) -> dict[str, int]:
        """Replace the machine's groups and open machine flags of a link, in one transaction.

        A reviewer's decisions stay: flags already accepted or dismissed are kept (and not
        raised again), and groups a reviewer made are never touched. A decided flag that this
        alignment finds again is stamped with ``translation_revision``; one it no longer finds
        keeps the older revision, which is how an accepted mismatch is known to be resolved.
        """
        with db.session_scope(self.engine) as session:
            link = session.get(Link, link_id)
            if link is None:
                raise NotFoundError(f"no link {link_id}")
            old_flags = session.exec(select(Flag).where(Flag.link_id == link_id)).all()
            decided = {_flag_key(f.kind, f.evidence) for f in old_flags if f.status != "open"}
            found = {_flag_key(data["kind"], data["evidence"]) for data in flags}
            for flag in old_flags:
                if flag.status != "open" and _flag_key(flag.kind, flag.evidence) in found:
                    flag.translation_revision_id = translation_revision
                    session.add(flag)
            for flag in old_flags:
                if flag.status == "open" and flag.origin == "machine":
                    session.delete(flag)
            old_groups = session.exec(
                select(AlignmentGroup).where(
                    AlignmentGroup.link_id == link_id, AlignmentGroup.origin == "machine"
                )
            ).all()
            kept_groups = {
                g.id
                for g in old_groups
                if any(f.group_id == g.id for f in old_flags if f.status != "open")
            }
            for group in old_groups:
                if group.id in kept_groups:
                    group.active = False  # a decided flag still points at it
                    session.add(group)
                else:
                    session.delete(group)
            session.flush()
            ids: list[int] = []
            for position, data in enumerate(groups):
                row = AlignmentGroup(link_id=link_id, position=position, origin="machine", **data)
                session.add(row)
                session.flush()
                assert row.id is not None
                ids.append(row.id)
            created = 0
            for data in flags:
                if _flag_key(data["kind"], data["evidence"]) in decided:
                    continue
                group_index = data.pop("group_index", None)
                session.add(
                    Flag(
                        article_id=article_id,
                        link_id=link_id,
                        group_id=ids[group_index] if group_index is not None else None,
                        translation_revision_id=translation_revision,
                        **data,
                    )
                )
                created += 1
            link.translation_revision_id = translation_revision
            link.original_revision_id = original_revision
            if coverage is not None:
                link.explanation = {**(link.explanation or {}), "aligned_coverage": coverage}
            link.updated_at = utcnow()
            session.add(link)
        return {"groups": len(groups), "flags": created, "kept_decisions": len(decided)}

    def groups(self, link_id: int, *, active_only: bool = True) -> list[GroupView]:
        query = select(AlignmentGroup).where(AlignmentGroup.link_id == link_id)
        if active_only:
            query = query.where(AlignmentGroup.active.is_(True))  # type: ignore[attr-defined]
        with Session(self.engine) as session:
            rows = session.exec(query.order_by(AlignmentGroup.position, AlignmentGroup.id)).all()  # type: ignore[arg-type]
        return [
            GroupView(
                g.id or 0,
                g.position,
                g.kind,
                g.translation,
                g.original,
                g.score,
                g.signals,
                g.anchors,
                g.origin,
            )
            for g in rows
        ]

    def flags(self, *, link_id: int | None = None, article_id: int | None = None) -> list[FlagView]:
        query = select(Flag)
        if link_id is not None:
            query = query.where(Flag.link_id == link_id)
        if article_id is not None:
            query = query.where(Flag.article_id == article_id)
        with Session(self.engine) as session:
            return [_flag_view(f) for f in session.exec(query.order_by(Flag.id)).all()]  # type: ignore[arg-type]

    def length_samples(
        self, translation_outlet: str | None, original_outlet: str | None, limit: int = 5000
    ) -> list[tuple[int, int]]:
        """(translation chars, original chars) of 1-1 groups in confident links of an outlet pair."""
        t_article, o_article = aliased(Article), aliased(Article)
        t_outlet, o_outlet = aliased(Outlet), aliased(Outlet)
        query = (
            select(
                AlignmentGroup.translation,
                AlignmentGroup.original,
                t_article.current_revision_id,
                o_article.current_revision_id,
            )
            .join(Link, Link.id == AlignmentGroup.link_id)
            .join(t_article, t_article.id == Link.translation_id)
            .join(o_article, o_article.id == Link.original_id)
            .join(t_outlet, t_outlet.id == t_article.outlet_id, isouter=True)
            .join(o_outlet, o_outlet.id == o_article.outlet_id, isouter=True)
            .where(
                Link.status.in_(("confirmed", "auto")),
                AlignmentGroup.kind == "matched",
                AlignmentGroup.active.is_(True),  # type: ignore[attr-defined]
            )  # type: ignore[attr-defined]
            .where(t_outlet.name == translation_outlet, o_outlet.name == original_outlet)
            .limit(limit)
        )
        with Session(self.engine) as session:
            pairs = [
                ((t_rev, t_idx[0]), (o_rev, o_idx[0]))
                for t_idx, o_idx, t_rev, o_rev in session.execute(query).all()
                if len(t_idx) == 1 and len(o_idx) == 1
            ]
            wanted = sorted({key for pair in pairs for key in pair})
            length: dict[tuple[int, int], int] = {}
            for start in range(0, len(wanted), 400):  # the paragraphs' lengths, in a few queries
                chunk = wanted[start : start + 400]
                revisions = sorted({rev for rev, _ in chunk})
                for rev, idx, n in session.execute(
                    select(
                        Paragraph.revision_id, Paragraph.index, func.length(Paragraph.text)
                    ).where(Paragraph.revision_id.in_(revisions))  # type: ignore[attr-defined]
                ).all():
                    length[(rev, idx)] = int(n or 0)
        samples = [(length.get(t, 0), length.get(o, 0)) for t, o in pairs]
        return [(t, o) for t, o in samples if t and o]

    def load_embeddings(self, hashes: list[str], model: str) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with Session(self.engine) as session:
            for start in range(0, len(hashes), 500):
                chunk = hashes[start : start + 500]
                rows = session.execute(
                    select(Embedding.text_hash, Embedding.vector).where(
                        Embedding.model == model,
                        Embedding.text_hash.in_(chunk),  # type: ignore[attr-defined]
                    )
                ).all()
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype="<f4").copy()
        return found

    def save_embeddings(self, vectors: dict[str, np.ndarray], model: str) -> None:
        """Cache vectors; one another process cached first is kept (insert or ignore, so
        two workers embedding one paragraph at once never collide)."""
        if not vectors:
            return
        table = Embedding.__table__  # type: ignore[attr-defined]
        rows = [
            {"text_hash": key, "model": model, "vector": np.asarray(v, dtype="<f4").tobytes()}
            for key, v in vectors.items()
        ]
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                from sqlalchemy.dialects.postgresql import insert as upsert
            else:
                from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
            conn.execute(upsert(table).on_conflict_do_nothing(), rows)


def _exists(engine: Engine, query: Any) -> bool:
    """Whether ``query`` returns any row."""
    with Session(engine) as session:
        return session.execute(query.limit(1)).first() is not None


def _flag_key(kind: str, evidence: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two flags the same flag across re-runs: kind and the paragraphs it names."""
    return (kind, evidence.get("translation_index"), evidence.get("original_index"))


@dataclass(frozen=True)
class IndexJob:
    """An article to (re)index: its current revision, language, date and paragraphs."""

    article_id: int
    revision_id: int
    lang: str
    published: datetime | None
    paragraphs: list[tuple[str, str, str | None, str | None]]
    """(text, kind, lang, anchors stored at ingest as JSON or None)."""


class IndexStore:
    """Mixin: the anchor-term search index and the queries linking runs on it."""

    engine: Engine

    def articles_to_index(self, batch: int, after_id: int = 0) -> list[IndexJob]:
        """Articles (id above ``after_id``) whose current revision is not the indexed one."""
        with Session(self.engine) as session:
            rows = session.execute(
                select(Article.id, Article.current_revision_id, Article.lang, Article.published)
                .where(Article.current_revision_id.is_not(None))  # type: ignore[union-attr]
                .where(Article.id > after_id)
                .where(
                    or_(
                        Article.indexed_revision_id.is_(None),  # type: ignore[union-attr]
                        Article.indexed_revision_id != Article.current_revision_id,
                    )
                )
                .order_by(Article.id)
                .limit(batch)
            ).all()
            revisions = [r[1] for r in rows]
            texts: dict[int, list[tuple[str, str, str | None, str | None]]] = {
                r: [] for r in revisions
            }
            if revisions:
                for revision_id, text, kind, lang, anchors in session.execute(
                    select(
                        Paragraph.revision_id,
                        Paragraph.text,
                        Paragraph.kind,
                        Paragraph.lang,
                        Paragraph.anchors,
                    )
                    .where(Paragraph.revision_id.in_(revisions))  # type: ignore[attr-defined]
                    .order_by(Paragraph.revision_id, Paragraph.index)
                ).all():
                    texts[revision_id].append((text, kind, lang, anchors))
        return [IndexJob(a, r, lang, published, texts[r]) for a, r, lang, published in rows]

    def replace_terms(
        self, jobs: list[IndexJob], terms: list[set[str]], *, bulk: bool = False
    ) -> None:
        """Store the terms of a batch of articles, replacing their old ones, in one transaction.

        The per-language term counts change with them, or, in a bulk build (``bulk``), are
        marked stale in the same transaction and recounted once by ``recount_term_stats`` at
        the end; a build killed in between leaves them marked, and the next one recounts.
        """
        table = AnchorTerm.__table__  # type: ignore[attr-defined]
        articles = Article.__table__  # type: ignore[attr-defined]
        delta: Counter[tuple[str, str]] = Counter()
        with self.engine.begin() as conn:
            self._lock_index(conn, stale=True if bulk else None)
            ids = [job.article_id for job in jobs]
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                old = select(table.c.term, table.c.lang).where(table.c.article_id.in_(chunk))
                for term, lang in conn.execute(old).all():
                    if lang is not None:
                        delta[(term, lang)] -= 1
                conn.execute(table.delete().where(table.c.article_id.in_(chunk)))
            # Hundreds of thousands of rows: straight to the driver's executemany, the date
            # converted once per article by the column's own type (so it is stored the same).
            column = table.c.published.type.dialect_impl(conn.dialect)
            to_db = column.bind_processor(conn.dialect) or (lambda value: value)
            rows = []
            for job, found in zip(jobs, terms, strict=True):
                published = to_db(job.published)
                rows += [(job.article_id, term, published, job.lang) for term in found]
                delta.update((term, job.lang) for term in found)
            if rows:
                mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
                conn.exec_driver_sql(
                    "INSERT INTO anchorterm (article_id, term, published, lang) "
                    f"VALUES ({mark}, {mark}, {mark}, {mark})",
                    rows,
                )
            if not bulk:
                self._apply_term_deltas(conn, delta)
            conn.execute(
                update(articles)
                .where(articles.c.id == bindparam("p_id"))
                .values(indexed_revision_id=bindparam("p_rev")),
                [{"p_id": job.article_id, "p_rev": job.revision_id} for job in jobs],
            )

    @staticmethod
    def _lock_index(conn: Connection, *, stale: bool | None) -> None:
        """Take the index's write lock first thing in a transaction (the one state row), so
        that index writes never interleave: on PostgreSQL a row lock, on SQLite the write
        lock taken before any read, which also spares a read-to-write upgrade deadlock."""
        state = IndexState.__table__  # type: ignore[attr-defined]
        value = state.c.stats_stale if stale is None else stale
        conn.execute(update(state).where(state.c.id == 1).values(stats_stale=value))

    def term_stats_stale(self) -> bool:
        with self.engine.connect() as conn:
            state = IndexState.__table__  # type: ignore[attr-defined]
            return bool(conn.execute(select(state.c.stats_stale)).scalar())

    def recount_term_stats(self) -> None:
        """Count every term's articles again from the postings, in one transaction."""
        stats = AnchorStat.__table__  # type: ignore[attr-defined]
        terms = AnchorTerm.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as conn:
            self._lock_index(conn, stale=False)
            conn.execute(stats.delete())
            conn.execute(
                insert(stats).from_select(
                    ["term", "lang", "df"],
                    select(terms.c.term, terms.c.lang, func.count())
                    .where(terms.c.lang.is_not(None))
                    .group_by(terms.c.term, terms.c.lang),
                )
            )

    def term_stats_errors(self) -> int:
        """How many (term, language) counts disagree with the postings (0 when sound)."""
        stats = AnchorStat.__table__  # type: ignore[attr-defined]
        terms = AnchorTerm.__table__  # type: ignore[attr-defined]
        counted = (
            select(terms.c.term, terms.c.lang, func.count().label("n"))
            .where(terms.c.lang.is_not(None))
            .group_by(terms.c.term, terms.c.lang)
            .subquery()
        )
        wrong = (
            select(func.count())
            .select_from(
                counted.outerjoin(
                    stats, (stats.c.term == counted.c.term) & (stats.c.lang == counted.c.lang)
                )
            )
            .where(or_(stats.c.df.is_(None), stats.c.df != counted.c.n))
        )
        extra = (
            select(func.count())
            .select_from(stats)
            .where(stats.c.df != 0)
            .where(
                ~select(terms.c.term)
                .where((terms.c.term == stats.c.term) & (terms.c.lang == stats.c.lang))
                .exists()
            )
        )
        with self.engine.connect() as conn:
            return int(conn.execute(wrong).scalar_one()) + int(conn.execute(extra).scalar_one())

    @staticmethod
    def _apply_term_deltas(conn: Connection, deltas: Counter[tuple[str, str]]) -> None:
        stats = AnchorStat.__table__  # type: ignore[attr-defined]
        changed = {key: n for key, n in deltas.items() if n}
        existing: set[tuple[str, str]] = set()
        keys = sorted({term for term, _ in changed})
        for start in range(0, len(keys), 500):
            found = conn.execute(
                select(stats.c.term, stats.c.lang).where(
                    stats.c.term.in_(keys[start : start + 500])
                )
            ).all()
            existing.update((t, lang) for t, lang in found)
        updates = [
            {"p_term": t, "p_lang": lang, "p_delta": n}
            for (t, lang), n in changed.items()
            if (t, lang) in existing
        ]
        if updates:
            conn.execute(
                update(stats)
                .where(stats.c.term == bindparam("p_term"), stats.c.lang == bindparam("p_lang"))
                .values(df=stats.c.df + bindparam("p_delta")),
                updates,
            )
        fresh = [
            {"term": t, "lang": lang, "df": n}
            for (t, lang), n in changed.items()
            if (t, lang) not in existing
        ]
        if fresh:
            conn.execute(insert(stats), fresh)

    def count_to_index(self) -> int:
        """How many articles the next index build will (re)index."""
        with Session(self.engine) as session:
            return int(
                session.execute(
                    select(func.count())
                    .select_from(Article)
                    .where(Article.current_revision_id.is_not(None))  # type: ignore[union-attr]
                    .where(
                        or_(
                            Article.indexed_revision_id.is_(None),  # type: ignore[union-attr]
                            Article.indexed_revision_id != Article.current_revision_id,
                        )
                    )
                ).scalar_one()
            )

    def set_search_index(self, present: bool) -> None:
        """Drop the (term, published) lookup index for a bulk build, or build it again after:
        one sort at the end instead of millions of scattered B-tree inserts."""
        index = next(
            i for i in AnchorTerm.__table__.indexes if i.name == "ix_anchorterm_term_published"
        )  # type: ignore[attr-defined]
        with self.engine.begin() as conn:
            if present:
                index.create(conn, checkfirst=True)
            else:
                index.drop(conn, checkfirst=True)

    def count_articles(self, *, exclude_lang: str | None = None) -> int:
        query = select(func.count()).select_from(Article)
        if exclude_lang:
            query = query.where(Article.lang != exclude_lang)
        with Session(self.engine) as session:
            return int(session.execute(query).scalar_one())

    def term_frequencies(
        self, terms: list[str], *, exclude_lang: str | None = None
    ) -> dict[str, int]:
        """How many articles (in another language than ``exclude_lang``) contain each term."""
        found: Counter[str] = Counter()
        with Session(self.engine) as session:
            for start in range(0, len(terms), 500):
                query = select(AnchorStat.term, AnchorStat.df).where(
                    AnchorStat.term.in_(terms[start : start + 500])
                )  # type: ignore[attr-defined]
                if exclude_lang:
                    query = query.where(AnchorStat.lang != exclude_lang)
                for term, df in session.execute(query).all():
                    found[term] += df
        return dict(found)

    def postings(
        self,
        terms: list[str],
        *,
        exclude_lang: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[tuple[str, int]]:
        """(term, article id) for articles in the window, in another language, with the terms.

        Articles without a date are in every window: nothing says they are outside it. They
        are read by a second range of the (term, published) index, not by an OR that would
        make the first read every posting of the term.
        """
        from sqlalchemy import union_all

        if not terms:
            return []
        query = select(AnchorTerm.term, AnchorTerm.article_id).where(AnchorTerm.term.in_(terms))  # type: ignore[attr-defined]
        if exclude_lang:
            query = query.where(AnchorTerm.lang != exclude_lang)
        undated = query.where(AnchorTerm.published.is_(None))  # type: ignore[union-attr]
        if since is not None:
            query = query.where(AnchorTerm.published >= since)  # type: ignore[operator]
        if until is not None:
            query = query.where(AnchorTerm.published <= until)  # type: ignore[operator]
        windowed = since is not None or until is not None
        statement = union_all(query, undated) if windowed else query
        with Session(self.engine) as session:
            return [(t, a) for t, a in session.execute(statement).all()]

    def article_briefs(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        if not ids:
            return {}
        with Session(self.engine) as session:
            rows = session.execute(
                select(Article.id, Article.url, Article.title, Article.published, Outlet.name)
                .join(Outlet, Outlet.id == Article.outlet_id, isouter=True)
                .where(Article.id.in_(ids))  # type: ignore[union-attr]
            ).all()
        return {
            i: {"url": u, "title": t, "published": _iso(p), "published_at": p, "outlet": o}
            for i, u, t, p, o in rows
        }

    def current_paragraphs(self, article_id: int) -> list[ParagraphView]:
        with Session(self.engine) as session:
            rows = session.exec(
                select(Paragraph)
                .join(Article, Article.current_revision_id == Paragraph.revision_id)
                .where(Article.id == article_id)
                .order_by(Paragraph.index)  # type: ignore[arg-type]
            ).all()
        return [_paragraph_view(p) for p in rows]

    def translation_ids(self) -> list[int]:
        """Articles that are translations (``is_translation``), oldest first."""
        with Session(self.engine) as session:
            rows = session.execute(
                select(Article.id)
                .join(Outlet, Outlet.id == Article.outlet_id, isouter=True)
                .where(is_translation())
                .order_by(Article.id)
            ).all()
        return [r[0] for r in rows]

    def has_confirmed_link(self, article_id: int) -> bool:
        return _exists(
            self.engine,
            select(Link.id).where(Link.translation_id == article_id, Link.status == "confirmed"),
        )

    def save_links(
        self, article_id: int, candidates: list[Any], decision: str, *, checked_at: datetime
    ) -> None:
        """Store a ranking: the top candidate auto-linked when decided so, the rest suggested.

        Links a reviewer confirmed or rejected keep their status; machine suggestions that
        fell out of the ranking are removed unless something hangs on them.
        """
        with db.session_scope(self.engine) as session:
            existing = {
                link.original_id: link
                for link in session.exec(
                    select(Link).where(Link.translation_id == article_id)
                ).all()
            }
            keep = set()
            for candidate in candidates:
                link = existing.get(candidate.article_id)
                if link is None:
                    link = Link(translation_id=article_id, original_id=candidate.article_id)
                if link.status not in ("confirmed", "rejected"):
                    link.status = (
                        "auto" if decision == "auto" and candidate.rank == 1 else "suggested"
                    )
                link.score = candidate.score
                link.rank = candidate.rank
                link.explanation = candidate.explanation()
                link.updated_at = checked_at
                session.add(link)
                keep.add(candidate.article_id)
            for original_id, link in existing.items():
                if original_id in keep or link.status in ("confirmed", "rejected"):
                    continue
                has_groups = session.exec(
                    select(AlignmentGroup.id).where(AlignmentGroup.link_id == link.id)
                ).first()
                has_flags = session.exec(
                    select(Flag.id).where(Flag.link_id == link.id, Flag.status != "open")
                ).first()
                if has_flags:
                    link.status = "suggested"
                    link.rank = 99
                    session.add(link)
                    continue
                if has_groups:
                    for group in session.exec(
                        select(AlignmentGroup).where(AlignmentGroup.link_id == link.id)
                    ).all():
                        session.delete(group)
                for flag in session.exec(select(Flag).where(Flag.link_id == link.id)).all():
                    session.delete(flag)
                session.flush()
                session.delete(link)
            article = session.get(Article, article_id)
            if article is not None:
                article.link_checked_at = checked_at
                session.add(article)


# -- the story list (review UI, audit) ---------------------------------------------------------

STORY_FILTERS = ("all", "unverified", "flagged", "unlinked")
STORY_SORTS = ("newest", "oldest", "flags", "title")


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
    """Why the story is not verified, in UNVERIFIED_REASONS order (empty: it is verified)."""
    confirmed_flags: int = 0
    """High-severity flags a reviewer accepted that the current alignment still finds."""

    @property
    def verified(self) -> bool:
        """Verified by the one rule of ``_verification`` (the audit and reports use it too)."""
        return not self.reasons


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
"""The reasons a story is not verified (audit.py documents each); ``_verification`` decides."""
ALIGNED_LINKS = ("confirmed", "auto", "suggested")
"""The statuses of a link whose alignment is shown and checked (a rejected one is neither)."""


def _best_link_of(translation_id: Any) -> Any:
    """The id of a translation's link, the one the story is judged by: confirmed, else auto,
    else suggested (best rank first), else a rejected one."""
    from sqlalchemy import case

    priority = case(
        (Link.status == "confirmed", 0),
        (Link.status == "auto", 1),
        (Link.status == "suggested", 2),
        else_=3,
    )
    return (
        select(Link.id)
        .where(Link.translation_id == translation_id)
        .order_by(priority, Link.rank, Link.id)
        .limit(1)
        .scalar_subquery()
    )


def _of_story_link(link_id: Any) -> Any:
    """A flag that counts for its story: one of the story's link (``link_id``), or one tied to
    no link. The flags of a link a reviewer rejected or passed over are not the story's."""
    return Flag.link_id.is_(None) | (Flag.link_id == link_id)  # type: ignore[union-attr]


def _found_again(link: Any) -> Any:
    """A flag that ``link``'s alignment, on its translation revision, still finds (an
    alignment on a newer revision that no longer finds it leaves the older revision on it)."""
    return Flag.translation_revision_id == link.translation_revision_id


def _confirmed_flag(link: Any) -> Any:
    """A flag of ``link`` that is a confirmed error: high severity, accepted by a reviewer,
    and still found by the link's alignment (otherwise a newer translation resolved it)."""
    return (
        (Flag.link_id == link.id)
        & (Flag.status == "accepted")
        & (Flag.severity == "high")
        & _found_again(link)
    )


@dataclass(frozen=True)
class _StoryColumns:
    best: Any
    """The story's link (an alias of Link, outer-joined on ``_best_link_of``)."""
    original: Any
    """The original article of that link (an alias of Article, outer-joined)."""
    open_flags: Any
    high_flags: Any
    confirmed: Any
    reasons: dict[str, Any]
    """Reason name -> SQL condition, in UNVERIFIED_REASONS order."""


def _verification() -> _StoryColumns:
    """The rule, written once: a story (a translation, ``Article``) is verified when its
    original is linked (confirmed by a reviewer, or auto-linked above the threshold), the
    alignment was made on the current revisions of both sides, and no high-severity flag is
    open or accepted as a confirmed error. Each condition that fails is a reason; the story
    list, its "unverified" filter, the audit and the reports all read these conditions."""
    best: Any = aliased(Link)
    original: Any = aliased(Article)
    story_flag = (Flag.article_id == Article.id) & _of_story_link(best.id)
    open_flags = (  # flags that need a reviewer: chrome and disclaimers are low severity
        select(func.count(Flag.id))
        .where(story_flag, Flag.status == "open", Flag.severity != "low")
        .scalar_subquery()
    )
    high_flags = (
        select(func.count(Flag.id))
        .where(story_flag, Flag.status == "open", Flag.severity == "high")
        .scalar_subquery()
    )
    confirmed = select(func.count(Flag.id)).where(_confirmed_flag(best)).scalar_subquery()
    shown = best.status.in_(ALIGNED_LINKS)
    reasons = {
        "no_original": best.id.is_(None),
        "link_suggested": best.status == "suggested",
        "link_rejected": best.status == "rejected",
        "not_aligned": shown
        & (best.translation_revision_id.is_(None) | best.original_revision_id.is_(None)),
        "high_flags": high_flags > 0,
        "confirmed_mismatch": confirmed > 0,
        "source_changed": shown
        & best.original_revision_id.is_not(None)
        & (best.original_revision_id != original.current_revision_id),
        "translation_changed": shown
        & best.translation_revision_id.is_not(None)
        & (best.translation_revision_id != Article.current_revision_id),
    }
    assert tuple(reasons) == UNVERIFIED_REASONS
    return _StoryColumns(best, original, open_flags, high_flags, confirmed, reasons)


@dataclass
class StoryFacts:
    """What the audit and the reports need to know about one translation, read in bulk."""

    links: list[dict[str, Any]] = field(default_factory=list)
    """Every link: id, status, score, original URL, and whether a side changed since it was aligned."""
    open_flags: Counter[str] = field(default_factory=Counter)
    """Open flags by kind, of the story's link (and those tied to no link), as are the counts
    below but ``decisions``."""
    open_high: Counter[str] = field(default_factory=Counter)
    confirmed: Counter[str] = field(default_factory=Counter)
    """Confirmed errors of the story's link by kind (the ``confirmed_mismatch`` reason)."""
    decisions: list[dict[str, Any]] = field(default_factory=list)
    """Every decided flag: kind, severity, decision (accepted or dismissed), who decided and
    when (from the review trail), the note, the figures or names on both sides, and for an
    accepted flag whether a newer translation resolved it."""
    decided_flags: int = 0
    added: int = 0
    dropped: int = 0
    disclaimer: str | None = None
    """The story's own "not verified" disclaimer, when it has one."""
    revisions: int = 1
    reviewed_by: set[str] = field(default_factory=set)


_UNVERIFIED_DISCLAIMER = (
    "not verified",
    "has not verified",
    "could not verify",
    "unable to verify",
    "لم تتحقق",
)


class StoryStore:
    """Mixin: the story list, paged and filtered in SQL so 50,000 stories draw as fast as 50."""

    engine: Engine

    def _story_query(
        self,
        what: str,
        search: str | None,
        since: datetime | None = None,
        until: datetime | None = None,
        outlet: str | None = None,
        *,
        ids_only: bool = False,
    ) -> tuple[Any, _StoryColumns]:
        """The story list's query, and the rule's columns it selects. ``ids_only``: only the
        article ids, without the story's link unless the filter needs it (a cheap count or
        page of ids)."""
        if what not in STORY_FILTERS:
            raise ValueError(f"story filter {what!r} is not one of {', '.join(STORY_FILTERS)}")
        from sqlalchemy import case

        rule = _verification()
        best = rule.best
        columns = (
            (Article.id,)
            if ids_only
            else (
                Article.id,
                Article.url,
                Article.published,
                Outlet.name,
                Article.title,
                Article.credit,
                best.status,
                best.id,
                rule.open_flags,
                rule.high_flags,
                Article.link_checked_at,
                rule.confirmed,
                *(case((condition, 1), else_=0) for condition in rule.reasons.values()),
            )
        )
        query = select(*columns).join(Outlet, Outlet.id == Article.outlet_id, isouter=True)
        if not ids_only or what != "all":
            query = query.join(
                best, best.id == _best_link_of(Article.id).correlate(Article), isouter=True
            ).join(rule.original, rule.original.id == best.original_id, isouter=True)
        query = query.where(is_translation())
        if since is not None:
            query = query.where(Article.published >= since)  # type: ignore[operator]
        if until is not None:
            query = query.where(Article.published < until)  # type: ignore[operator]
        if outlet:
            query = query.where(func.lower(Outlet.name) == outlet.lower())
        if what == "unverified":
            query = query.where(or_(*rule.reasons.values()))
        elif what == "flagged":
            query = query.where(rule.open_flags > 0)
        elif what == "unlinked":
            query = query.where(or_(best.id.is_(None), best.status == "rejected"))
        if search:
            like = _like(search)
            query = query.where(
                or_(
                    Article.title.ilike(like, escape="\\"),
                    Article.url.ilike(like, escape="\\"),
                    Outlet.name.ilike(like, escape="\\"),
                )
            )  # type: ignore[attr-defined]
        return query, rule

    def story_count(
        self,
        what: str = "all",
        search: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        outlet: str | None = None,
    ) -> int:
        query, _ = self._story_query(what, search, since, until, outlet, ids_only=True)
        with Session(self.engine) as session:
            return int(
                session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
            )

    def story_page(
        self,
        *,
        what: str = "all",
        search: str | None = None,
        sort: str = "newest",
        offset: int = 0,
        limit: int = 100,
        since: datetime | None = None,
        until: datetime | None = None,
        outlet: str | None = None,
    ) -> list[StoryRow]:
        """One page of translations with their link status, open flags and the reasons they
        are not verified."""
        query, rule = self._story_query(what, search, since, until, outlet)
        order = {
            "newest": (Article.published.desc(), Article.id.desc()),  # type: ignore[union-attr]
            "oldest": (Article.published.asc(), Article.id.asc()),  # type: ignore[union-attr]
            "flags": (rule.open_flags.desc(), Article.id.desc()),
            "title": (Article.title.asc(), Article.id.asc()),  # type: ignore[attr-defined]
        }[sort]
        with Session(self.engine) as session:
            # The page's ids first, so that the rule's columns are computed for its rows only,
            # not for every row an offset skips.
            if sort == "flags":  # ordered by a column of the story's link
                ids = query.with_only_columns(Article.id)
            else:
                ids, _ = self._story_query(what, search, since, until, outlet, ids_only=True)
            page = session.execute(ids.order_by(*order).offset(offset).limit(limit)).scalars()
            position = {aid: n for n, aid in enumerate(page)}
            rows = sorted(
                session.execute(query.where(Article.id.in_(list(position)))).all(),  # type: ignore[union-attr]
                key=lambda r: position[r[0]],
            )
            link_ids = [r[7] for r in rows if r[7] is not None]
            links = {}
            if link_ids:
                for link_id, explanation, url in session.execute(
                    select(Link.id, Link.explanation, Article.url)
                    .join(Article, Article.id == Link.original_id)
                    .where(Link.id.in_(link_ids))  # type: ignore[union-attr]
                ).all():
                    links[link_id] = (explanation or {}, url)
        result = []
        for (
            aid,
            url,
            published,
            outlet,
            title,
            credit,
            status,
            link_id,
            n_open,
            n_high,
            checked,
            n_confirmed,
            *failed,
        ) in rows:
            explanation, original_url = links.get(link_id, ({}, None))
            coverage = explanation.get("aligned_coverage", explanation.get("coverage"))
            result.append(
                StoryRow(
                    aid,
                    url,
                    _iso(published),
                    outlet,
                    title,
                    credit,
                    status,
                    link_id,
                    original_url,
                    coverage,
                    n_open,
                    n_high,
                    checked is not None,
                    tuple(name for name, on in zip(UNVERIFIED_REASONS, failed, strict=True) if on),
                    n_confirmed or 0,
                )
            )
        return result

    def story_pages(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        outlet: str | None = None,
        page: int = 1000,
    ) -> Iterator[tuple[list[StoryRow], dict[int, StoryFacts]]]:
        """A period's stories newest first, a page at a time, each page with its facts."""
        offset = 0
        while True:
            rows = self.story_page(
                what="all",
                sort="newest",
                offset=offset,
                limit=page,
                since=since,
                until=until,
                outlet=outlet,
            )
            if not rows:
                return
            yield rows, self.story_facts([row.id for row in rows])
            offset += page

    def story_facts(self, ids: list[int]) -> dict[int, StoryFacts]:
        """Links, flags, disclaimers and revisions of many stories in a handful of queries."""
        facts = {i: StoryFacts() for i in ids}
        if not ids:
            return facts
        with Session(self.engine) as session:
            original = aliased(Article)
            translation = aliased(Article)
            for link, url, o_rev, t_rev in session.execute(
                select(
                    Link,
                    original.url,
                    original.current_revision_id,
                    translation.current_revision_id,
                )
                .join(original, original.id == Link.original_id)
                .join(translation, translation.id == Link.translation_id)
                .where(Link.translation_id.in_(ids))  # type: ignore[attr-defined]
                .order_by(Link.rank)
            ).all():
                facts[link.translation_id].links.append(
                    {
                        "id": link.id,
                        "status": link.status,
                        "score": link.score,
                        "rank": link.rank,
                        "original": url,
                        "coverage": (link.explanation or {}).get(
                            "aligned_coverage", (link.explanation or {}).get("coverage")
                        ),
                        "source_changed": link.original_revision_id is not None
                        and link.original_revision_id != o_rev,
                        "translation_changed": link.translation_revision_id is not None
                        and link.translation_revision_id != t_rev,
                    }
                )
            for article_id, kind, severity, status, n in session.execute(
                select(Flag.article_id, Flag.kind, Flag.severity, Flag.status, func.count())
                .where(Flag.article_id.in_(ids))  # type: ignore[attr-defined]
                .where(_of_story_link(_best_link_of(Flag.article_id)))
                .group_by(Flag.article_id, Flag.kind, Flag.severity, Flag.status)
            ).all():
                story = facts[article_id]
                if status == "open":
                    story.open_flags[kind] += n
                    if severity == "high":
                        story.open_high[kind] += n
                else:
                    story.decided_flags += n
                if kind == "dropped":
                    story.dropped += n
                elif kind in (
                    "added",
                    "boilerplate",
                    "read_also",
                    "disclaimer",
                    "attribution",
                    "translator_note",
                ):
                    story.added += n
            for article_id, text in session.execute(
                select(Article.id, Paragraph.text)
                .join(Paragraph, Paragraph.revision_id == Article.current_revision_id)
                .where(Article.id.in_(ids), Paragraph.kind == "disclaimer")  # type: ignore[union-attr]
            ).all():
                if any(phrase in text.lower() for phrase in _UNVERIFIED_DISCLAIMER):
                    facts[article_id].disclaimer = text
            for article_id, revisions in session.execute(
                select(Article.id, Article.revision_count).where(Article.id.in_(ids))  # type: ignore[union-attr]
            ).all():
                facts[article_id].revisions = revisions
            for article_id, reviewer in session.execute(
                select(Link.translation_id, ReviewEvent.reviewer)
                .join(
                    ReviewEvent,
                    (ReviewEvent.target_type == "link") & (ReviewEvent.target_id == Link.id),
                )
                .where(Link.translation_id.in_(ids))  # type: ignore[attr-defined]
                .distinct()
            ).all():
                facts[article_id].reviewed_by.add(reviewer)
            self._decisions(session, ids, facts)
        return facts

    @staticmethod
    def _decisions(session: Session, ids: list[int], facts: dict[int, StoryFacts]) -> None:
        """Confirmed errors by kind, and every decided flag with who decided it (the latest
        accept or dismiss of the review trail that is not undone)."""
        from sqlalchemy import case

        best: Any = aliased(Link)
        for article_id, kind, n in session.execute(
            select(Flag.article_id, Flag.kind, func.count())
            .join(best, best.id == Flag.link_id)
            .where(Flag.article_id.in_(ids), best.id == _best_link_of(Flag.article_id))  # type: ignore[attr-defined]
            .where(_confirmed_flag(best))
            .group_by(Flag.article_id, Flag.kind)
        ).all():
            facts[article_id].confirmed[kind] += n
        link: Any = aliased(Link)
        decided = session.execute(
            select(Flag, case((_found_again(link), 1), else_=0))
            .join(link, link.id == Flag.link_id, isouter=True)
            .where(Flag.article_id.in_(ids), Flag.status != "open")  # type: ignore[attr-defined]
            .order_by(Flag.article_id, Flag.id)
        ).all()
        deciders: dict[int, ReviewEvent] = {}
        flag_ids = [flag.id for flag, _ in decided]
        for start in range(0, len(flag_ids), 500):
            for event in session.exec(
                select(ReviewEvent)
                .where(
                    ReviewEvent.target_type == "flag",
                    ReviewEvent.target_id.in_(flag_ids[start : start + 500]),  # type: ignore[attr-defined]
                    ReviewEvent.action.in_(("accept_flag", "dismiss_flag")),  # type: ignore[attr-defined]
                    ReviewEvent.undone.is_(False),  # type: ignore[attr-defined]
                )
                .order_by(ReviewEvent.id)  # type: ignore[arg-type]
            ).all():
                deciders[event.target_id] = event
        for flag, found in decided:
            decider = deciders.get(flag.id or 0)
            story = facts[flag.article_id]
            story.decisions.append(
                {
                    "flag": flag.id,
                    "kind": flag.kind,
                    "severity": flag.severity,
                    "decision": flag.status,
                    "reviewer": decider.reviewer if decider else None,
                    "at": _iso(decider.at) if decider else None,
                    "note": flag.note,
                    "translation": flag.evidence.get("translation"),
                    "original": flag.evidence.get("original"),
                    "resolved": flag.status == "accepted"
                    and flag.translation_revision_id is not None
                    and not found,
                }
            )
            if decider is not None:
                story.reviewed_by.add(decider.reviewer)

    def side_by_side(self, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        """For many translations at once: each group of its shown link with both sides' texts
        and its open flags (the batch form of ``aligned_pair``, for reports)."""
        order = {"confirmed": 0, "auto": 1, "suggested": 2}
        best: dict[int, Any] = {}
        result: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
        with Session(self.engine) as session:
            for start in range(0, len(ids), 500):
                for row in session.execute(
                    select(
                        Link.id,
                        Link.translation_id,
                        Link.status,
                        Link.rank,
                        Link.translation_revision_id,
                        Link.original_revision_id,
                    ).where(
                        Link.translation_id.in_(ids[start : start + 500]), Link.status != "rejected"
                    )  # type: ignore[attr-defined]
                ).all():
                    current = best.get(row.translation_id)
                    if current is None or (order.get(row.status, 3), row.rank) < (
                        order.get(current.status, 3),
                        current.rank,
                    ):
                        best[row.translation_id] = row
            link_ids = [row.id for row in best.values()]
            groups: dict[int, list[Any]] = {}
            flags: dict[int | None, list[str]] = {}
            texts: dict[tuple[int, int], str] = {}
            revisions = {
                r
                for row in best.values()
                for r in (row.translation_revision_id, row.original_revision_id)
                if r
            }
            for start in range(0, len(link_ids), 500):
                chunk = link_ids[start : start + 500]
                for g in session.execute(
                    select(
                        AlignmentGroup.id,
                        AlignmentGroup.link_id,
                        AlignmentGroup.kind,
                        AlignmentGroup.translation,
                        AlignmentGroup.original,
                    )
                    .where(AlignmentGroup.link_id.in_(chunk), AlignmentGroup.active.is_(True))  # type: ignore[attr-defined]
                    .order_by(AlignmentGroup.link_id, AlignmentGroup.position, AlignmentGroup.id)
                ).all():
                    groups.setdefault(g.link_id, []).append(g)
                for f in session.execute(
                    select(Flag.group_id, Flag.kind, Flag.evidence).where(
                        Flag.link_id.in_(chunk), Flag.status == "open"
                    )  # type: ignore[attr-defined]
                ).all():
                    label = f.kind
                    if "mismatch" in f.kind:
                        label += f": {f.evidence.get('translation')} ≠ {f.evidence.get('original')}"
                    flags.setdefault(f.group_id, []).append(label)
            revision_list = sorted(revisions)
            for start in range(0, len(revision_list), 500):
                for revision_id, index, text in session.execute(
                    select(Paragraph.revision_id, Paragraph.index, Paragraph.text).where(
                        Paragraph.revision_id.in_(revision_list[start : start + 500])  # type: ignore[attr-defined]
                    )
                ).all():
                    texts[(revision_id, index)] = text
        for translation_id, row in best.items():
            result[translation_id] = [
                {
                    "kind": g.kind,
                    "translation": [
                        texts.get((row.translation_revision_id, i), "") for i in g.translation
                    ],
                    "original": [texts.get((row.original_revision_id, j), "") for j in g.original],
                    "flags": flags.get(g.id, []),
                }
                for g in groups.get(row.id, [])
            ]
        return result

    # -- fetching -------------------------------------------------------------------------------

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        """(ETag, Last-Modified) of the current revision of the article fetched from ``url``
        (or stored at it), for a conditional GET."""
        from provenance.urls import canonical_url

        try:
            key = canonical_url(url)
        except Exception:
            key = url
        with Session(self.engine) as session:
            row = session.execute(
                select(Revision.etag, Revision.last_modified)
                .join(Article, Article.current_revision_id == Revision.id)
                .where(or_(Article.url == key, Revision.source == url))
            ).first()
        return (row[0], row[1]) if row else None

    def has_url(self, url: str) -> bool:
        """Whether an article is stored at ``url`` or was fetched from it."""
        from provenance.urls import canonical_url

        try:
            key = canonical_url(url)
        except Exception:
            return False
        with Session(self.engine) as session:
            found = session.execute(
                select(Article.id)
                .join(Revision, Revision.article_id == Article.id)
                .where(or_(Article.url == key, Revision.source == url))
                .limit(1)
            ).first()
        return found is not None

    def refresh_urls(
        self, *, older_than: datetime | None = None, urls: list[str] | None = None
    ) -> list[str]:
        """Where to fetch again the stored articles not updated since ``older_than`` (all, or
        those named): the address each was last fetched from, else its canonical URL."""
        from provenance.urls import canonical_url

        query = (
            select(Article.url, Revision.source)
            .join(Revision, Revision.id == Article.current_revision_id)
            .order_by(Article.updated_at)
        )
        if older_than is not None:
            query = query.where(Article.updated_at < older_than)  # type: ignore[operator]
        wanted = {canonical_url(u) for u in urls} if urls else None
        found = []
        with Session(self.engine) as session:
            for url, source in session.execute(query).all():
                if wanted is not None and url not in wanted:
                    continue
                target = source if source and source.startswith(("http://", "https://")) else url
                if target.startswith(("http://", "https://")):
                    found.append(target)
        return found

    def open_change_flags(self, article_id: int) -> list[str]:
        """After a new revision: on every link the article is part of, open a flag saying which
        side changed, with the diff, unless that revision is already flagged."""
        opened = []
        with db.session_scope(self.engine) as session:
            article = session.get(Article, article_id)
            if article is None:
                return []
            revision = (
                session.get(Revision, article.current_revision_id)
                if article.current_revision_id
                else None
            )
            links = session.exec(
                select(Link).where(
                    or_(Link.translation_id == article_id, Link.original_id == article_id),
                    Link.status != "rejected",
                )
            ).all()
            for link in links:
                kind = (
                    "translation_changed" if link.translation_id == article_id else "source_changed"
                )
                number = revision.number if revision else None
                already = any(
                    f.evidence.get("revision") == number
                    for f in session.exec(
                        select(Flag).where(Flag.link_id == link.id, Flag.kind == kind)
                    ).all()
                )
                if already:
                    continue
                session.add(
                    Flag(
                        article_id=link.translation_id, link_id=link.id, kind=kind, level="story", severity="high",
                        evidence={"url": article.url, "revision": number, "patch": (revision.patch or "")[:4000] if revision else ""},
                    )
                )  # fmt: skip
                opened.append(kind)
        return opened


class ChromeStore:
    """Chrome learnt from the corpus (docs/design.md, "Chrome on real pages"): every short line of
    every article is sighted under its outlet; a line sighted in enough articles is the
    outlet's chrome, and the articles already stored that print it are tagged again."""

    engine: Engine
    _learnt: dict[int, set[str]]
    _outlet_ids: dict[str, int]

    def learnt_chrome(self, outlet: str | None) -> frozenset[str]:
        """The chrome keys learnt for an outlet (by name), for tagging its next article."""
        if not outlet:
            return frozenset()
        outlet_id = self._outlet_ids.get(outlet)
        if outlet_id is None:
            with Session(self.engine) as session:
                outlet_id = session.exec(select(Outlet.id).where(Outlet.name == outlet)).first()
            if outlet_id is None:
                return frozenset()
            self._outlet_ids[outlet] = outlet_id
        return frozenset(self._learnt_keys(outlet_id))

    def _learnt_keys(self, outlet_id: int, conn: Connection | None = None) -> set[str]:
        if outlet_id not in self._learnt:
            query = (
                select(ChromeSighting.key, func.count())
                .where(ChromeSighting.outlet_id == outlet_id)
                .group_by(ChromeSighting.key)  # type: ignore[arg-type]
            )
            with contextlib.ExitStack() as stack:
                runner = conn or stack.enter_context(self.engine.connect())
                rows = runner.execute(query).all()
            self._learnt[outlet_id] = {k for k, n in rows if n >= articles_needed(k)}
        return self._learnt[outlet_id]

    def _sight_chrome(
        self, conn: Connection, outlet_id: int, article_id: int, keys: set[str], new: bool
    ) -> None:
        """Record the article's short lines (chrome keys); lines that now reach their count
        become chrome. A new revision replaces the lines an article's earlier one printed."""
        keys = {key for key in keys if learnable(key)}
        if not new:
            conn.execute(_SQL.forget_sightings, {"p_article": article_id})
        if not keys:
            return
        conn.execute(
            _SQL.insert_sighting,
            [{"outlet_id": outlet_id, "key": k, "article_id": article_id} for k in sorted(keys)],
        )
        counts = conn.execute(
            _SQL.count_sightings, {"p_outlet": outlet_id, "p_keys": sorted(keys)}
        ).all()
        known = self._learnt_keys(outlet_id, conn)
        fresh = {k for k, n in counts if n >= articles_needed(k)} - known
        if fresh:
            self._tag_learnt(conn, outlet_id, fresh)
            known |= fresh

    def _tag_learnt(self, conn: Connection, outlet_id: int, keys: set[str]) -> None:
        """Tag newly learnt chrome in the current text of every article that prints it, and
        have those articles indexed and aligned again."""
        sightings = ChromeSighting.__table__  # type: ignore[attr-defined]
        articles = Article.__table__  # type: ignore[attr-defined]
        paragraphs = Paragraph.__table__  # type: ignore[attr-defined]
        ids = select(sightings.c.article_id).where(
            sightings.c.outlet_id == outlet_id, sightings.c.key.in_(sorted(keys))
        )
        rows = conn.execute(
            select(paragraphs.c.id, paragraphs.c.text, articles.c.id)
            .join(articles, articles.c.current_revision_id == paragraphs.c.revision_id)
            .where(articles.c.id.in_(ids), paragraphs.c.kind == "body")
        ).all()
        hits = [(pid, aid) for pid, text, aid in rows if chrome_key(text) in keys]
        if not hits:
            return
        conn.execute(
            update(paragraphs)
            .where(paragraphs.c.id.in_([pid for pid, _ in hits]))
            .values(kind="boilerplate")
        )
        touched = sorted({aid for _, aid in hits})
        conn.execute(
            update(articles).where(articles.c.id.in_(touched)).values(indexed_revision_id=None)
        )
        links = Link.__table__  # type: ignore[attr-defined]
        for side in ("translation", "original"):
            conn.execute(
                update(links)
                .where(links.c[f"{side}_id"].in_(touched))
                .values({f"{side}_revision_id": None})
            )


def _same_file_article(stored: Any, metadata: dict[str, Any], source: str | None) -> bool:
    """Whether re-reading a file changes nothing stored, so that nothing is written (ingest
    then works on a read-only database). A page fetched again still records when it was
    checked: ``refresh --older-than`` reads that time."""
    if source and source.startswith(("http://", "https://")):
        return False
    wanted = {"published": stored.published, "lang": stored.lang, "outlet_id": stored.outlet_id,
              "credit": stored.credit, "author": stored.author}  # fmt: skip
    return all(metadata.get(key, value) == value for key, value in wanted.items())


class Store(LinkStore, IndexStore, StoryStore, ChromeStore):
    """Persistence for provenance; build with ``Store.open(url)`` (migrates on open)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._outlet_ids: dict[str, int] = {}
        self._learnt: dict[int, set[str]] = {}
        """Learnt chrome keys by outlet id (ChromeStore), read once per outlet."""

    @classmethod
    def open(cls, url: str, busy_timeout_ms: int = 5000, *, create: bool = True) -> Store:
        """The store on ``url``, its schema upgraded to this version's. With ``create=False``
        (the commands that only read) a missing SQLite file or a database without the
        provenance schema is a ConfigError, and nothing is created."""
        engine = db.make_engine(url, busy_timeout_ms, create=create)
        if not create:
            db.require_schema(engine)
        db.upgrade(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- writes ---------------------------------------------------------------------------

    def _outlet_id(self, conn: Connection, article: PreparedArticle) -> int | None:
        name = article.outlet
        if not name:
            return None
        if name in self._outlet_ids:
            return self._outlet_ids[name]
        table = Outlet.__table__  # type: ignore[attr-defined]
        outlet_id = conn.execute(select(table.c.id).where(table.c.name == name)).scalar()
        if outlet_id is None:
            values = {
                "name": name,
                "lang": article.outlet_lang,
                "role": article.outlet_role,
                "hosts": article.outlet_hosts,
            }
            try:
                with conn.begin_nested():  # another writer may create it first
                    outlet_id = conn.execute(insert(table).values(**values)).inserted_primary_key[0]
            except IntegrityError:
                outlet_id = conn.execute(
                    select(table.c.id).where(table.c.name == name)
                ).scalar_one()
        self._outlet_ids[name] = int(outlet_id)
        return int(outlet_id)

    def save_article(self, article: PreparedArticle) -> SaveOutcome:
        """Create the article, add a revision if its text changed, or do nothing.

        Insert-or-get: when another process stores the same URL between our lookup and our
        insert, the unique URL refuses ours and the save runs again, finding theirs."""
        for attempt in range(3):
            try:
                with self.engine.begin() as conn:
                    return self._save(conn, article)
            except BaseException as error:
                self._outlet_ids.clear()  # ids flushed inside a rolled-back transaction are gone
                self._learnt.clear()
                if not isinstance(error, IntegrityError) or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _save(self, conn: Connection, article: PreparedArticle) -> SaveOutcome:
        # Prebuilt Core statements rather than ORM objects: ingest is a bulk path (500+/s).
        now = utcnow()
        digest = article.content_hash
        text = article.text
        metadata: dict[str, Any] = {
            "lang": article.lang,
            "outlet_id": self._outlet_id(conn, article),
            "credit": article.credit,
            "updated_at": now,
        }
        if article.published is not None:
            metadata["published"] = article.published
        if article.author:
            metadata["author"] = article.author
        existing = conn.execute(_SQL.article_by_url, {"p_url": article.url}).first()
        if existing is not None:
            article_id, current_id, published = existing[:3]
            if article.published is not None and published != article.published:
                metadata["indexed_revision_id"] = None  # the index keeps the date: redo it
            current = (
                conn.execute(_SQL.revision_by_id, {"p_id": current_id}).first()
                if current_id
                else None
            )
            unchanged = current is not None and current.content_hash == digest
            if unchanged and _same_file_article(existing, metadata, article.source):
                return SaveOutcome("unchanged", article_id, current.number, article.url)
            conn.execute(_SQL.update_article, {"p_id": article_id, **metadata})
            if current is not None and current.content_hash == digest:
                return SaveOutcome("unchanged", article_id, current.number, article.url)
            number = (current.number if current is not None else 0) + 1
            patch: str | None = _patch(current.text if current is not None else "", text)
            status = "revised"
        else:
            values = {"url": article.url, "title": article.title, "created_at": now, **metadata}
            article_id = conn.execute(_SQL.insert_article, values).inserted_primary_key[0]
            number, patch, status = 1, None, "created"
        revision = {
            "article_id": article_id,
            "number": number,
            "content_hash": digest,
            "title": article.title,
            "text": text,
            "patch": patch,
            "source": article.source,
            "etag": article.etag,
            "last_modified": article.last_modified,
            "created_at": now,
        }
        revision_id = conn.execute(_SQL.insert_revision, revision).inserted_primary_key[0]
        rows = [
            {
                "revision_id": revision_id,
                "index": i,
                "text": p.text,
                "kind": p.kind,
                "lang": p.lang,
                "text_hash": text_hash(p.text),
                "credit": p.credit,
                "anchors": p.anchors,
            }
            for i, p in enumerate(article.paragraphs)
        ]
        if rows:
            conn.execute(_SQL.insert_paragraph, rows)
        if metadata["outlet_id"] is not None:
            keys = {p.chrome_key for p in article.paragraphs if p.chrome_key}
            self._sight_chrome(conn, metadata["outlet_id"], article_id, keys, status == "created")
        current_state = {
            "p_id": article_id,
            "current_revision_id": revision_id,
            "revision_count": number,
        }
        conn.execute(_SQL.update_article, {**current_state, "title": article.title})
        return SaveOutcome(status, article_id, number, article.url)

    # -- reads ----------------------------------------------------------------------------

    def _summary_query(self) -> Any:
        paragraphs = (
            select(Paragraph.revision_id, func.count().label("n"))
            .group_by(Paragraph.revision_id)
            .subquery()
        )
        return (
            select(Article, Outlet.name, paragraphs.c.n)
            .join(Outlet, Article.outlet_id == Outlet.id, isouter=True)
            .join(paragraphs, paragraphs.c.revision_id == Article.current_revision_id, isouter=True)
        )

    @staticmethod
    def _summary(article: Article, outlet: str | None, n: int | None) -> ArticleSummary:
        assert article.id is not None
        return ArticleSummary(
            id=article.id,
            url=article.url,
            outlet=outlet,
            lang=article.lang,
            published=_iso(article.published),
            title=article.title,
            credit=article.credit,
            revisions=article.revision_count,
            paragraphs=n or 0,
        )

    def list_articles(
        self,
        *,
        lang: str | None = None,
        outlet: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        search: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ArticleSummary]:
        """Articles newest first, filtered; ``until`` is exclusive."""
        query = self._summary_query()
        if lang:
            query = query.where(Article.lang == lang)
        if outlet:
            query = query.where(func.lower(Outlet.name) == outlet.lower())
        if since:
            query = query.where(Article.published >= since)
        if until:
            query = query.where(Article.published < until)
        if search:
            like = _like(search)
            query = query.where(
                or_(Article.title.ilike(like, escape="\\"), Article.url.ilike(like, escape="\\"))  # type: ignore[attr-defined]
            )
        query = query.order_by(Article.published.desc(), Article.id.desc()).offset(offset)  # type: ignore[union-attr]
        if limit is not None:
            query = query.limit(limit)
        with Session(self.engine) as session:
            return [self._summary(a, o, n) for a, o, n in session.execute(query).all()]

    def outlet_named(self, name: str) -> str:
        """The stored name of the outlet called ``name`` (any case); NotFoundError naming the
        closest known outlets when none is."""
        import difflib

        with Session(self.engine) as session:
            names = list(session.exec(select(Outlet.name).order_by(Outlet.name)).all())
        for known in names:
            if known.lower() == name.strip().lower():
                return known
        by_lower = {known.lower(): known for known in names}
        close = difflib.get_close_matches(name.strip().lower(), list(by_lower), n=3, cutoff=0.5)
        if close:
            hint = "closest: " + ", ".join(by_lower[c] for c in close)
        elif names:
            hint = "known outlets: " + ", ".join(names[:10]) + (", …" if len(names) > 10 else "")
        else:
            hint = "the database has no outlets yet"
        raise NotFoundError(f"no outlet named {name!r} ({hint})")

    def find_article(self, key: str | int) -> Article:
        """An article by id, canonical URL, or the URL as given."""
        from provenance.urls import canonical_url

        with Session(self.engine) as session:
            article: Article | None = None
            if isinstance(key, int) or str(key).isdigit():
                article = session.get(Article, int(key))
            else:
                candidates = {str(key)}
                with contextlib.suppress(Exception):
                    candidates.add(canonical_url(str(key)))
                article = session.exec(select(Article).where(Article.url.in_(candidates))).first()  # type: ignore[attr-defined]
            if article is None:
                raise NotFoundError(f"no article {key!r} in the database")
            return article

    def article_detail(self, key: str | int) -> ArticleDetail:
        article = self.find_article(key)
        with Session(self.engine) as session:
            row = session.execute(self._summary_query().where(Article.id == article.id)).one()
            paragraphs = session.exec(
                select(Paragraph)
                .where(Paragraph.revision_id == article.current_revision_id)
                .order_by(Paragraph.index)  # type: ignore[arg-type]
            ).all()
            revisions = session.exec(
                select(Revision).where(Revision.article_id == article.id).order_by(Revision.number)  # type: ignore[arg-type]
            ).all()
        summary = self._summary(*row)
        learnt = self.learnt_chrome(summary.outlet)
        return ArticleDetail(
            article=summary,
            author=article.author,
            paragraphs=[
                ParagraphView(
                    p.index,
                    p.kind,
                    p.lang,
                    p.credit,
                    p.text,
                    learnt=p.kind == "boilerplate" and chrome_key(p.text) in learnt,
                )
                for p in paragraphs
            ],
            revisions=[
                RevisionView(r.number, r.content_hash, _iso(r.created_at) or "", r.source, r.patch)
                for r in revisions
            ],
        )

    def revision_texts(self, article_id: int) -> list[str]:
        with Session(self.engine) as session:
            rows = session.exec(
                select(Revision.text)
                .where(Revision.article_id == article_id)
                .order_by(Revision.number)  # type: ignore[arg-type]
            ).all()
        return list(rows)

    def summary(self) -> dict[str, Any]:
        """Counts for the demo and ``provenance stats``: articles by outlet and language, paragraphs by kind."""
        with Session(self.engine) as session:
            by_outlet = session.execute(
                select(Outlet.name, Article.lang, func.count())
                .select_from(Article)
                .join(Outlet, Article.outlet_id == Outlet.id, isouter=True)
                .group_by(Outlet.name, Article.lang)
            ).all()
            kinds = session.execute(
                select(Paragraph.kind, func.count())
                .join(Article, Article.current_revision_id == Paragraph.revision_id)
                .group_by(Paragraph.kind)
            ).all()
            revisions = session.execute(select(func.count()).select_from(Revision)).scalar_one()
        articles = Counter[str]()
        outlets: list[dict[str, Any]] = []
        for outlet, lang, n in sorted(by_outlet, key=lambda r: (-r[2], r[0] or "")):
            outlets.append({"outlet": outlet, "lang": lang, "articles": n})
            articles[lang] += n
        return {
            "articles": sum(articles.values()),
            "revisions": revisions,
            "by_outlet": outlets,
            "by_lang": dict(sorted(articles.items())),
            "paragraphs_by_kind": dict(sorted(kinds, key=lambda r: -r[1])),
        }
