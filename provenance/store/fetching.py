"""Fetch state: conditional-GET validators, known URLs, what to refresh, and the flags a
fetched revision opens on its links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from provenance import db
from provenance.models import (
    Article,
    Flag,
    Link,
    Revision,
)
from provenance.verification import change_flag
from provenance.vocab import LinkStatus


class FetchStore:
    """Mixin: what fetching reads and writes beside articles: conditional-GET validators,
    known URLs, refresh targets, and the change flags a new revision opens."""

    engine: Engine

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
                .join(Article, col(Article.current_revision_id) == Revision.id)
                .where(or_(col(Article.url) == key, col(Revision.source) == url))
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
                .join(Revision, col(Revision.article_id) == Article.id)
                .where(or_(col(Article.url) == key, col(Revision.source) == url))
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
            .join(Revision, col(Revision.id) == Article.current_revision_id)
            .order_by(col(Article.updated_at))
        )
        if older_than is not None:
            query = query.where(col(Article.updated_at) < older_than)
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
        """After a new revision: on every link the article is part of, open its change flag
        (provenance.verification.change_flag), unless that revision is already flagged."""
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
                    or_(
                        col(Link.translation_id) == article_id, col(Link.original_id) == article_id
                    ),
                    Link.status != LinkStatus.rejected,
                )
            ).all()
            number = revision.number if revision else None
            patch = revision.patch if revision else None
            for link in links:
                flag = change_flag(link.translation_id == article_id, article.url, number, patch)
                already = any(
                    f.evidence.get("revision") == number
                    for f in session.exec(
                        select(Flag).where(Flag.link_id == link.id, Flag.kind == flag["kind"])
                    ).all()
                )
                if already:
                    continue
                session.add(Flag(article_id=link.translation_id, link_id=link.id, **flag))
                opened.append(flag["kind"])
        return opened
