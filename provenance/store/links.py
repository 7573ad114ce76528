"""Links, alignment groups, flags, embeddings and length samples: what linking and aligning
read and write."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func
from sqlalchemy import select as core_select  # SQLModel's select types 4 columns at most
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Executable
from sqlmodel import Session, col, select

from provenance.errors import NotFoundError
from provenance.models import (
    AlignmentGroup,
    Article,
    Embedding,
    Flag,
    Link,
    Outlet,
    Paragraph,
    utcnow,
)
from provenance.store.sql import _exists, table_of
from provenance.store.unit import UnitOfWork
from provenance.store.views import (
    AlignedPair,
    FlagView,
    GroupView,
    LinkView,
    ParagraphView,
    _flag_view,
    _link_view,
    _paragraph_view,
)
from provenance.vocab import ALIGNED_LINKS, FlagStatus, GroupKind, LinkStatus, best_link_rank

if TYPE_CHECKING:
    import numpy as np  # imported where vectors are read: most commands never need it


class LinkStore(UnitOfWork):
    """Mixin: queries and writes for links, alignment groups, flags and embeddings."""

    engine: Engine

    def aligned_pair(self, article_id: int) -> AlignedPair | None:
        """The aligned pair shown for a translation: its best non-rejected link that has groups
        (confirmed, else auto, else suggested, best rank first: the link the story's
        verification judges)."""
        for link in sorted(
            self.links(translation_id=article_id, statuses=ALIGNED_LINKS),
            key=lambda link: (best_link_rank(link.status), link.rank, link.id),
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
        status: str = LinkStatus.suggested,
        score: float = 0.0,
    ) -> LinkView:
        """The link between two articles, created when missing (a reviewer's status is kept)."""
        with self.atomic() as session:
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
        self,
        *,
        translation_id: int | None = None,
        translation_ids: Sequence[int] | None = None,
        statuses: tuple[str, ...] | None = None,
    ) -> list[LinkView]:
        """Links, best first per translation; optionally of one translation, of some
        translations, or with some statuses."""
        return self._links(
            translation_id=translation_id, translation_ids=translation_ids, statuses=statuses
        )

    def link_by_id(self, link_id: int) -> LinkView:
        """One link, with its articles' URLs and outlets; NotFoundError when there is none."""
        found = self._links(link_id=link_id)
        if not found:
            raise NotFoundError(f"no link {link_id}")
        return found[0]

    def _links(
        self,
        *,
        translation_id: int | None = None,
        translation_ids: Sequence[int] | None = None,
        statuses: tuple[str, ...] | None = None,
        link_id: int | None = None,
    ) -> list[LinkView]:
        t_article = aliased(Article)
        o_article = aliased(Article)
        t_outlet = aliased(Outlet)
        o_outlet = aliased(Outlet)
        query = (
            core_select(Link, t_article, o_article, col(t_outlet.name), col(o_outlet.name))
            .join(t_article, col(t_article.id) == Link.translation_id)
            .join(o_article, col(o_article.id) == Link.original_id)
            .join(t_outlet, col(t_outlet.id) == t_article.outlet_id, isouter=True)
            .join(o_outlet, col(o_outlet.id) == o_article.outlet_id, isouter=True)
            .order_by(col(Link.translation_id), col(Link.rank), col(Link.id))
        )
        if translation_id is not None:
            query = query.where(col(Link.translation_id) == translation_id)
        if translation_ids is not None:
            query = query.where(col(Link.translation_id).in_(translation_ids))
        if statuses:
            query = query.where(col(Link.status).in_(statuses))
        if link_id is not None:
            query = query.where(col(Link.id) == link_id)
        with self._reading() as session:
            return [_link_view(*row) for row in session.execute(query).all()]

    def paragraphs(self, revision_id: int) -> list[ParagraphView]:
        with self._reading() as session:
            rows = session.exec(
                select(Paragraph)
                .where(Paragraph.revision_id == revision_id)
                .order_by(col(Paragraph.index))
            ).all()
        return [_paragraph_view(p) for p in rows]

    def save_paragraph_anchors(self, revision_id: int, anchors: dict[int, str]) -> None:
        """Store anchors extracted later for paragraphs (by index) of a revision stored
        without them, so the next run reads them instead of extracting them again."""
        if not anchors:
            return
        table = table_of(Paragraph)
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
        with self.atomic() as session:
            link = session.get(Link, link_id)
            if link is None:
                raise NotFoundError(f"no link {link_id}")
            group_table, flag_table = table_of(AlignmentGroup), table_of(Flag)
            old_flags = session.execute(
                core_select(
                    flag_table.c.id, flag_table.c.kind, flag_table.c.evidence,
                    flag_table.c.status, flag_table.c.group_id,
                ).where(flag_table.c.link_id == link_id)
            ).all()  # fmt: skip
            decided_flags = [f for f in old_flags if f.status != FlagStatus.open]
            decided = {_flag_key(f.kind, f.evidence) for f in decided_flags}
            found = {_flag_key(data["kind"], data["evidence"]) for data in flags}
            found_again = [f.id for f in decided_flags if _flag_key(f.kind, f.evidence) in found]
            if found_again:
                session.execute(
                    flag_table.update()
                    .where(flag_table.c.id.in_(found_again))
                    .values(translation_revision_id=translation_revision)
                )
            session.execute(
                flag_table.delete().where(
                    flag_table.c.link_id == link_id,
                    flag_table.c.status == FlagStatus.open,
                    flag_table.c.origin == "machine",
                )
            )
            # a machine group a decided flag still points at is kept, inactive; the rest go
            kept_groups = {f.group_id for f in decided_flags if f.group_id is not None}
            machine = (group_table.c.link_id == link_id) & (group_table.c.origin == "machine")
            if kept_groups:
                session.execute(
                    group_table.update()
                    .where(machine, group_table.c.id.in_(kept_groups))
                    .values(active=False)
                )
            session.execute(
                group_table.delete().where(machine, group_table.c.id.not_in(kept_groups))
            )
            # Core statements: a link has tens of groups and flags, and ORM objects cost more
            # to load, build and flush than the alignment itself took to compute
            ids = (
                session.execute(
                    group_table.insert().returning(
                        group_table.c.id, sort_by_parameter_order=True
                    ),
                    [
                        {"link_id": link_id, "position": position, "origin": "machine",
                         "active": True, **data}
                        for position, data in enumerate(groups)
                    ],
                ).scalars().all()
                if groups
                else []
            )  # fmt: skip
            now = utcnow()
            new_flags = [
                {
                    "article_id": article_id,
                    "link_id": link_id,
                    "group_id": ids[index] if (index := data.get("group_index")) is not None
                    else None,
                    "translation_revision_id": translation_revision,
                    "status": FlagStatus.open, "origin": "machine", "note": None,
                    "created_at": now,
                    **{k: v for k, v in data.items() if k != "group_index"},
                }
                for data in flags
                if _flag_key(data["kind"], data["evidence"]) not in decided
            ]  # fmt: skip
            if new_flags:
                session.execute(flag_table.insert(), new_flags)
            created = len(new_flags)
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
            query = query.where(col(AlignmentGroup.active).is_(True))
        with self._reading() as session:
            rows = session.exec(
                query.order_by(col(AlignmentGroup.position), col(AlignmentGroup.id))
            ).all()
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
        with self._reading() as session:
            return [_flag_view(f) for f in session.exec(query.order_by(col(Flag.id))).all()]

    def flag(self, flag_id: int) -> FlagView:
        """One flag; NotFoundError when there is none."""
        with self._reading() as session:
            row = session.get(Flag, flag_id, populate_existing=True)
            if row is None:
                raise NotFoundError(f"no flag {flag_id}")
            return _flag_view(row)

    def length_samples(
        self, translation_outlet: str | None, original_outlet: str | None, limit: int = 5000
    ) -> list[tuple[int, int]]:
        """(translation chars, original chars) of 1-1 groups in links a reviewer confirmed, of an outlet pair."""
        t_article, o_article = aliased(Article), aliased(Article)
        t_outlet, o_outlet = aliased(Outlet), aliased(Outlet)
        query = (
            select(
                AlignmentGroup.translation,
                AlignmentGroup.original,
                t_article.current_revision_id,
                o_article.current_revision_id,
            )
            .join(Link, col(Link.id) == AlignmentGroup.link_id)
            .join(t_article, col(t_article.id) == Link.translation_id)
            .join(o_article, col(o_article.id) == Link.original_id)
            .join(t_outlet, col(t_outlet.id) == t_article.outlet_id, isouter=True)
            .join(o_outlet, col(o_outlet.id) == o_article.outlet_id, isouter=True)
            .where(
                # a reviewer's word only: the machine's own alignments would feed back into
                # its estimates, and a run would depend on the runs (or the half-run) before it
                Link.status == LinkStatus.confirmed,
                AlignmentGroup.kind == GroupKind.matched,
                col(AlignmentGroup.active).is_(True),
            )
            .where(t_outlet.name == translation_outlet, o_outlet.name == original_outlet)
            .limit(limit)
        )
        with self._reading() as session:
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
                    ).where(col(Paragraph.revision_id).in_(revisions))
                ).all():
                    length[(rev, idx)] = int(n or 0)
        samples = [(length.get(t, 0), length.get(o, 0)) for t, o in pairs]
        return [(t, o) for t, o in samples if t and o]

    def load_embeddings(self, hashes: list[str], model: str) -> dict[str, np.ndarray]:
        import numpy as np

        found: dict[str, np.ndarray] = {}
        with Session(self.engine) as session:
            for start in range(0, len(hashes), 500):
                chunk = hashes[start : start + 500]
                rows = session.execute(
                    select(Embedding.text_hash, Embedding.vector).where(
                        Embedding.model == model,
                        col(Embedding.text_hash).in_(chunk),
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
        import numpy as np

        table = table_of(Embedding)
        rows = [
            {"text_hash": key, "model": model, "vector": np.asarray(v, dtype="<f4").tobytes()}
            for key, v in vectors.items()
        ]
        from sqlalchemy.dialects import postgresql, sqlite

        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                statement: Executable = postgresql.insert(table).on_conflict_do_nothing()
            else:
                statement = sqlite.insert(table).on_conflict_do_nothing()
            conn.execute(statement, rows)


def _flag_key(kind: str, evidence: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two flags the same flag across re-runs: kind and the paragraphs it names."""
    return (kind, evidence.get("translation_index"), evidence.get("original_index"))
