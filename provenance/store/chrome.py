"""Chrome learnt from the corpus: lines an outlet prints on many articles, sighted at ingest."""

from __future__ import annotations

import contextlib

from sqlalchemy import func, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from provenance.models import (
    Article,
    ChromeSighting,
    Link,
    Outlet,
    Paragraph,
)
from provenance.store.driver import Driver
from provenance.store.sql import _SQL, table_of
from provenance.text.chrome import articles_needed, chrome_key, learnable


class ChromeStore:
    """Chrome learnt from the corpus (docs/design.md, "Chrome on real pages"): every short line of
    every article is sighted under its outlet; a line sighted in enough articles is the
    outlet's chrome, and the articles already stored that print it are tagged again."""

    engine: Engine
    _learnt: dict[int, set[str]]
    _outlet_ids: dict[str, int]

    def learnt_chrome(self, outlet: str | None, conn: Connection | None = None) -> frozenset[str]:
        """The chrome keys learnt for an outlet (by name), for tagging its next article;
        ``conn``: read inside that transaction (a batch of ingest sees its own sightings)."""
        if not outlet:
            return frozenset()
        outlet_id = self._outlet_ids.get(outlet)
        if outlet_id is None:
            query = select(Outlet.id).where(Outlet.name == outlet)
            if conn is not None:
                outlet_id = conn.execute(query).scalar()
            else:
                with Session(self.engine) as session:
                    outlet_id = session.exec(query).first()
            if outlet_id is None:
                return frozenset()
            self._outlet_ids[outlet] = outlet_id
        return frozenset(self._learnt_keys(outlet_id, conn))

    def _learnt_keys(self, outlet_id: int, conn: Connection | None = None) -> set[str]:
        if outlet_id not in self._learnt:
            query = (
                select(ChromeSighting.key, func.count())
                .where(ChromeSighting.outlet_id == outlet_id)
                .group_by(col(ChromeSighting.key))
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
        ordered = sorted(keys)
        driver = Driver(conn)  # ingest sights every article's lines (store/driver.py)
        driver.insert_rows(
            "chromesighting",
            ("outlet_id", "key", "article_id"),
            [(outlet_id, key, article_id) for key in ordered],
        )
        counts = driver.execute(
            "SELECT key, count(*) FROM chromesighting WHERE outlet_id = ? "
            f"AND key IN ({', '.join('?' * len(ordered))}) GROUP BY key",
            (outlet_id, *ordered),
        ).fetchall()
        known = self._learnt_keys(outlet_id, conn)
        fresh = {k for k, n in counts if n >= articles_needed(k)} - known
        if fresh:
            self._tag_learnt(conn, outlet_id, fresh)
            known |= fresh

    def _tag_learnt(self, conn: Connection, outlet_id: int, keys: set[str]) -> None:
        """Tag newly learnt chrome in the current text of every article that prints it, and
        have those articles indexed and aligned again."""
        sightings = table_of(ChromeSighting)
        articles = table_of(Article)
        paragraphs = table_of(Paragraph)
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
        links = table_of(Link)
        for side in ("translation", "original"):
            conn.execute(
                update(links)
                .where(links.c[f"{side}_id"].in_(touched))
                .values({f"{side}_revision_id": None})
            )
