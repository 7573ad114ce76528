"""The anchor-term search index (postings, per-language term counts) and the queries linking
runs on it."""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from itertools import repeat
from typing import Any

from sqlalchemy import (
    Float,
    Index,
    String,
    case,
    column,
    delete,
    func,
    insert,
    inspect,
    or_,
    union_all,
    update,
    values,
)
from sqlalchemy import select as core_select  # SQLModel's select types 4 columns at most
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from provenance import db
from provenance.models import (
    AlignmentGroup,
    AnchorStat,
    AnchorTerm,
    Article,
    Flag,
    IndexState,
    Link,
    Outlet,
    Paragraph,
)
from provenance.store.driver import Driver, converters
from provenance.store.sql import _exists, _iso, is_translation, table_of
from provenance.store.views import ParagraphView
from provenance.text.anchors import current_json_prefix
from provenance.vocab import FlagStatus, LinkStatus

CORPUS_TERM = "*"
"""The term every indexed article holds: its count per language is the corpus size that
rarity weights divide by, read with the other terms' counts instead of counting articles."""


IndexParagraph = tuple[str, str, str | None, str | None]
"""(text, kind, lang, anchors stored at ingest as JSON or None); the text is "" where the
stored anchors are current (nothing reads it then)."""


@dataclass(frozen=True)
class IndexJob:
    """An article to (re)index: its current revision, language, date and paragraphs."""

    article_id: int
    revision_id: int
    lang: str
    published: datetime | None
    paragraphs: list[IndexParagraph]
    """Empty when read without them (``articles_to_index(paragraphs=False)``)."""


def _index_paragraphs(conn: Connection, revisions: list[int]) -> dict[int, list[IndexParagraph]]:
    """Each revision's paragraphs in order, as ``IndexJob.paragraphs`` holds them."""
    texts: dict[int, list[IndexParagraph]] = {r: [] for r in revisions}
    if not revisions:
        return texts
    fresh = current_json_prefix()
    for revision_id, text, kind, lang, anchors in conn.execute(
        core_select(
            col(Paragraph.revision_id),
            # the text only where the stored anchors are missing or stale: it is read to
            # extract them, and otherwise would only be carried unread
            case(
                (col(Paragraph.anchors).startswith(fresh, autoescape=True), ""),
                else_=col(Paragraph.text),
            ),
            col(Paragraph.kind),
            col(Paragraph.lang),
            col(Paragraph.anchors),
        )
        .where(col(Paragraph.revision_id).in_(revisions))
        .order_by(col(Paragraph.revision_id), col(Paragraph.index))
    ).all():
        texts[revision_id].append((text, kind, lang, anchors))
    return texts


@dataclass(frozen=True)
class Postings:
    """A batch's postings made ready to store by the process that extracted its terms, so
    that the one process writing the index does as little as it can: the rows in the order
    of the postings' key, and per language how many of the batch's articles hold each term.

    On SQLite a bulk build's workers hand the rows over as a small database of their own
    instead (``packed``, the image ``sqlite3.Connection.serialize`` gives): the writer
    attaches it and copies its rows in with one statement, where binding them one by one
    from Python costs it twice as long."""

    counts: dict[str, Counter[str]]
    rows: list[tuple[int, str, Any, str]]
    packed: bytes | None = None


def _posting_rows(
    published_to_db: Callable[[datetime | None], Any], jobs: list[IndexJob], terms: list[set[str]]
) -> list[tuple[int, str, Any, str]]:
    """The rows of a batch in the order of the postings' primary key (article, term): each
    goes at the end of its B-tree, where SQLite appends without searching. The date is
    converted once an article, by the column's own type (so it is stored as SQLAlchemy
    stores it)."""
    rows: list[tuple[int, str, Any, str]] = []
    for job, found in zip(jobs, terms, strict=True):
        published = published_to_db(job.published)
        ordered = sorted({*found, CORPUS_TERM})
        rows += zip(
            repeat(job.article_id, len(ordered)), ordered, repeat(published), repeat(job.lang)
        )
    return rows


def _term_counts(jobs: list[IndexJob], terms: list[set[str]]) -> dict[str, Counter[str]]:
    """Per language, how many of the articles hold each term (``CORPUS_TERM`` included)."""
    by_lang: dict[str, Counter[str]] = {}
    for job, found in zip(jobs, terms, strict=True):
        counts = by_lang.setdefault(job.lang, Counter())
        counts.update(found)  # counted per language: no tuple per posting
        counts[CORPUS_TERM] += CORPUS_TERM not in found
    return by_lang


_POSTING_COLUMNS = ("article_id", "term", "published", "lang")
MAX_ATTACHED = 9
"""Packed postings a batch copies in by attaching them: SQLite attaches 10 databases at most
(the rest are read and bound)."""
_CAN_PACK = hasattr(sqlite3.Connection, "serialize")  # SQLite built without it: rows travel


def _pack(rows: list[tuple[int, str, Any, str]]) -> bytes:
    """Postings rows as the image of an in-memory database holding them (no key: they are
    already in key order)."""
    with closing(sqlite3.connect(":memory:")) as conn:
        conn.execute(f"CREATE TABLE postings ({', '.join(_POSTING_COLUMNS)})")
        conn.executemany("INSERT INTO postings VALUES (?, ?, ?, ?)", rows)
        conn.commit()
        return conn.serialize()


def _unpack(image: bytes) -> list[tuple[int, str, Any, str]]:
    with closing(sqlite3.connect(":memory:")) as conn:
        conn.deserialize(image)
        return conn.execute(f"SELECT {', '.join(_POSTING_COLUMNS)} FROM postings").fetchall()


_POSTINGS = table_of(AnchorTerm)


class IndexStore:
    """Mixin: the anchor-term search index and the queries linking runs on it."""

    engine: Engine

    def articles_to_index(
        self, batch: int, after_id: int = 0, *, paragraphs: bool = True
    ) -> list[IndexJob]:
        """Articles (id above ``after_id``) whose current revision is not the indexed one;
        with ``paragraphs=False`` without their paragraphs (``paragraphs_to_index`` reads
        them, in the processes that extract the terms)."""
        with self.engine.connect() as conn:  # plain rows: no ORM session for a million
            rows: Sequence[Any] = conn.execute(  # ids typed Optional by SQLModel, never null
                core_select(
                    col(Article.id),
                    col(Article.current_revision_id),
                    col(Article.lang),
                    col(Article.published),
                )
                .where(col(Article.current_revision_id).is_not(None))
                .where(col(Article.id) > after_id)
                .where(
                    or_(
                        col(Article.indexed_revision_id).is_(None),
                        col(Article.indexed_revision_id) != Article.current_revision_id,
                    )
                )
                .order_by(col(Article.id))
                .limit(batch)
            ).all()
            texts = _index_paragraphs(conn, [r[1] for r in rows]) if paragraphs else {}
        return [IndexJob(a, r, lang, published, texts.get(r, [])) for a, r, lang, published in rows]

    def paragraphs_to_index(self, revisions: list[int]) -> dict[int, list[IndexParagraph]]:
        """The paragraphs ``articles_to_index`` gives its jobs, by revision."""
        with self.engine.connect() as conn:
            return _index_paragraphs(conn, revisions)

    def release_connections(self, *, close: bool = True) -> None:
        """Let go of the pooled connections: closed, before forking workers (none for them to
        inherit); or, in a forked worker, ``close=False``: left to the parent, untouched,
        so that the worker opens its own (SQLAlchemy's advice for pools and os.fork())."""
        self.engine.dispose(close=close)

    def make_postings(
        self, jobs: list[IndexJob], terms: list[set[str]], *, pack: bool = False
    ) -> Postings:
        """The postings of a batch, ready for ``store_postings``: made wherever the terms
        were extracted. ``pack``: on SQLite, the rows packed (``Postings.packed``)."""
        convert = converters(_POSTINGS, self.engine.dialect).get("published")
        rows = _posting_rows(convert or (lambda value: value), jobs, terms)
        counts = _term_counts(jobs, terms)
        if pack and rows and _CAN_PACK and self.engine.dialect.name == "sqlite":
            return Postings(counts, [], packed=_pack(rows))
        return Postings(counts, rows)

    def replace_terms(self, jobs: list[IndexJob], terms: list[set[str]]) -> None:
        """``store_postings`` of the postings of ``terms``, made here."""
        self.store_postings(jobs, [self.make_postings(jobs, terms)])

    def store_postings(self, jobs: list[IndexJob], postings: list[Postings]) -> None:
        """Store the postings of a batch of articles, replacing their old ones, and change the
        per-language term counts by the difference, all in one transaction: the counts are
        right after every batch, so a build killed between two leaves nothing to recount and
        two builds at once each count exactly what they wrote.
        The statements go through the driver's cursor: a big build's carry millions of rows.
        """
        packed = [part.packed for part in postings if part.packed is not None]
        with self.engine.connect() as conn:
            driver = Driver(conn)
            # attached before the transaction and detached after it: SQLite refuses to detach
            # a database the transaction has read
            schemas = [_attach(driver, image, n) for n, image in enumerate(packed[:MAX_ATTACHED])]
            try:
                with conn.begin():
                    self._lock_index(conn, stale=None)
                    delta = _remove_postings(driver, [job.article_id for job in jobs])
                    for part in postings:
                        for lang, counts in part.counts.items():
                            delta.update({(term, lang): n for term, n in counts.items()})
                        if part.rows:
                            driver.append_rows("anchorterm", _POSTING_COLUMNS, part.rows)
                    names = ", ".join(_POSTING_COLUMNS)
                    for image in packed[MAX_ATTACHED:]:
                        driver.append_rows("anchorterm", _POSTING_COLUMNS, _unpack(image))
                    for schema in schemas:  # one statement each, the rows never in Python
                        driver.execute(
                            f"INSERT INTO anchorterm ({names}) SELECT {names} FROM {schema}.postings"
                        )
                    _apply_term_deltas(driver, delta)
                    driver.executemany(
                        "UPDATE article SET indexed_revision_id = ? WHERE id = ?",
                        [(job.revision_id, job.article_id) for job in jobs],
                    )
            finally:
                for schema in schemas:
                    driver.execute(f"DETACH DATABASE {schema}")

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

    def term_stats_errors(self) -> int | None:
        """How many (term, language) counts disagree with the postings (0 when sound), or
        None while the counts are marked stale: a bulk build is writing postings it counts
        at its end (or was killed before; the next build recounts), so a difference then is
        work in progress, not damage. The flag and the counts are read in one statement, so
        one snapshot, however the builds interleave."""
        stats = AnchorStat.__table__  # type: ignore[attr-defined]
        terms = AnchorTerm.__table__  # type: ignore[attr-defined]
        state = IndexState.__table__  # type: ignore[attr-defined]
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
        stale = select(state.c.stats_stale).where(state.c.id == 1)
        with self.engine.connect() as conn:
            marked, wrong_n, extra_n = conn.execute(
                core_select(
                    stale.scalar_subquery(), wrong.scalar_subquery(), extra.scalar_subquery()
                )
            ).one()
        return None if marked else int(wrong_n) + int(extra_n)

    def count_to_index(self) -> int:
        """How many articles the next index build will (re)index."""
        with Session(self.engine) as session:
            return int(
                session.execute(
                    select(func.count())
                    .select_from(Article)
                    .where(col(Article.current_revision_id).is_not(None))
                    .where(
                        or_(
                            col(Article.indexed_revision_id).is_(None),
                            col(Article.indexed_revision_id) != Article.current_revision_id,
                        )
                    )
                ).scalar_one()
            )

    def set_bulk_mode(self, on: bool) -> bool:
        """For a bulk build (``on``), drop what makes each posting costly to write: the
        (term, published, ...) lookup index, and on PostgreSQL the postings' foreign key,
        whose check per posting is most of the server's work; after it, build them again: one
        sort for the index, one join to validate the key. Whether anything had to change.

        Nothing else is lost meanwhile: articles are never deleted, so no posting can lose
        its article; a build killed in bulk mode leaves it on until the next build's start
        turns it off."""
        index = next(
            i
            for i in AnchorTerm.__table__.indexes  # type: ignore[attr-defined]
            if i.name == "ix_anchorterm_lookup"
        )
        dialect = self.engine.dialect.name
        keyed = dialect == "postgresql"  # (SQLite checks a key at little cost: kept)
        with self.engine.begin() as conn:
            has_index = any(
                i["name"] == index.name for i in inspect(conn).get_indexes("anchorterm")
            )
            keys = _article_keys(conn) if keyed else {}
            if on:
                already = not has_index and not keys
            else:
                already = has_index and (not keyed or (bool(keys) and all(keys.values())))
            if already:
                return False
            if on:
                index.drop(conn, checkfirst=True)
                for name in keys:
                    conn.exec_driver_sql(f'ALTER TABLE anchorterm DROP CONSTRAINT "{name}"')
            else:
                if keyed and not keys:  # NOT VALID: made at once, checked below
                    conn.exec_driver_sql(
                        f"ALTER TABLE anchorterm ADD CONSTRAINT {_ARTICLE_KEY} FOREIGN KEY "
                        "(article_id) REFERENCES article (id) NOT VALID"
                    )
                    keys = {_ARTICLE_KEY: False}
                if not has_index:
                    _create_sorted(conn, index)
        unchecked = [] if on else [name for name, valid in keys.items() if not valid]
        if unchecked:
            # one join checks every posting, in a transaction of its own: its lock lets
            # ingest go on writing articles meanwhile
            with self.engine.begin() as conn:
                for name in unchecked:
                    conn.exec_driver_sql(f'ALTER TABLE anchorterm VALIDATE CONSTRAINT "{name}"')
        if not on and dialect == "postgresql":
            # Searches read the index alone only where PostgreSQL's visibility map says the
            # rows are visible to all; after millions of inserts it is set by a vacuum, which
            # would otherwise come when autovacuum gets to it (and the planner's statistics
            # with it). VACUUM runs outside a transaction.
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE anchorterm")
                conn.exec_driver_sql("VACUUM ANALYZE anchorstat")
        return True

    def count_articles(self, *, exclude_lang: str | None = None) -> int:
        """How many indexed articles there are (in another language than ``exclude_lang``):
        the count of ``CORPUS_TERM``, one read of the counts rather than a scan of articles."""
        return self.term_frequencies([CORPUS_TERM], exclude_lang=exclude_lang).get(CORPUS_TERM, 0)

    def term_frequencies(
        self, terms: list[str], *, exclude_lang: str | None = None
    ) -> dict[str, int]:
        """How many articles (in another language than ``exclude_lang``) contain each term."""
        found: Counter[str] = Counter()
        with Session(self.engine) as session:
            for start in range(0, len(terms), 500):
                query = select(AnchorStat.term, AnchorStat.df).where(
                    col(AnchorStat.term).in_(terms[start : start + 500])
                )
                if exclude_lang:
                    query = query.where(AnchorStat.lang != exclude_lang)
                for term, df in session.execute(query).all():
                    found[term] += df
        return dict(found)

    def best_matches(
        self,
        weights: dict[str, float],
        *,
        limit: int,
        exclude_lang: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[tuple[int, list[str]]]:
        """The ``limit`` articles (in the window, in another language) whose terms weigh most,
        heaviest first (ties by id), each with the terms it matched.

        The database sums the weights (one join of the postings to the weights, grouped by
        article) and returns only the winners: at a million articles a window holds hundreds
        of thousands of postings, too many to carry into Python. Articles without a date are in
        every window; they are read by a second range of the lookup index, not by an OR that
        would make the first read every posting of the term.
        """
        if not weights:
            return []
        terms = AnchorTerm.__table__  # type: ignore[attr-defined]
        given = (
            values(column("term", String), column("weight", Float), name="given")
            .data(sorted(weights.items()))
            .cte("given")
        )
        found = select(terms.c.article_id, given.c.weight).select_from(
            given.join(terms, terms.c.term == given.c.term)  # each term: one index range
        )
        if exclude_lang:
            found = found.where(terms.c.lang != exclude_lang)
        undated = found.where(terms.c.published.is_(None))
        if since is not None:
            found = found.where(terms.c.published >= since)
        if until is not None:
            found = found.where(terms.c.published <= until)
        windowed = since is not None or until is not None
        postings = (union_all(found, undated) if windowed else found).subquery()
        ranked = (
            core_select(postings.c.article_id)
            .group_by(postings.c.article_id)
            .order_by(func.sum(postings.c.weight).desc(), postings.c.article_id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            winners = [row[0] for row in conn.execute(ranked).all()]
            matched: dict[int, list[str]] = {article_id: [] for article_id in winners}
            if winners:
                for article_id, term in conn.execute(
                    select(terms.c.article_id, terms.c.term)
                    .where(terms.c.article_id.in_(winners))
                    .where(terms.c.term.in_(sorted(weights)))
                ).all():
                    matched[article_id].append(term)
        for found_terms in matched.values():
            found_terms.sort()
        return [(article_id, matched[article_id]) for article_id in winners]

    def article_briefs(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        if not ids:
            return {}
        with Session(self.engine) as session:
            rows = session.execute(
                core_select(
                    col(Article.id),
                    col(Article.url),
                    col(Article.title),
                    col(Article.published),
                    col(Outlet.name),
                )
                .join(Outlet, col(Outlet.id) == Article.outlet_id, isouter=True)
                .where(col(Article.id).in_(ids))
            ).all()
        return {
            i: {"url": u, "title": t, "published": _iso(p), "published_at": p, "outlet": o}
            for i, u, t, p, o in rows
        }

    def current_paragraphs(self, article_id: int) -> list[ParagraphView]:
        return self.current_paragraphs_of([article_id])[article_id]

    def current_paragraphs_of(self, ids: list[int]) -> dict[int, list[ParagraphView]]:
        """The current paragraphs of several articles, in one query (linking's reranking
        reads eight articles a query)."""
        found: dict[int, list[ParagraphView]] = {article_id: [] for article_id in ids}
        if not ids:
            return found
        with self.engine.connect() as conn:
            rows: Sequence[Any] = conn.execute(
                core_select(
                    col(Article.id),
                    col(Paragraph.index),
                    col(Paragraph.kind),
                    col(Paragraph.lang),
                    col(Paragraph.credit),
                    col(Paragraph.text),
                    col(Paragraph.anchors),
                )
                .join(Article, col(Article.current_revision_id) == Paragraph.revision_id)
                .where(col(Article.id).in_(ids))
                .order_by(col(Article.id), col(Paragraph.index))
            ).all()
        for article_id, index, kind, lang, credit, text, anchors in rows:
            found[article_id].append(
                ParagraphView(index, kind, lang, credit, text, anchors=anchors)
            )
        return found

    def translation_ids(self) -> list[int]:
        """Articles that are translations (``is_translation``), oldest first."""
        with Session(self.engine) as session:
            rows = session.execute(
                select(Article.id)
                .join(Outlet, col(Outlet.id) == Article.outlet_id, isouter=True)
                .where(is_translation())
                .order_by(col(Article.id))
            ).all()
        return [r[0] for r in rows]

    def has_confirmed_link(self, article_id: int) -> bool:
        return _exists(
            self.engine,
            select(Link.id).where(
                Link.translation_id == article_id, Link.status == LinkStatus.confirmed
            ),
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
                if link.status not in (LinkStatus.confirmed, LinkStatus.rejected):
                    link.status = (
                        LinkStatus.auto
                        if decision == LinkStatus.auto and candidate.rank == 1
                        else LinkStatus.suggested
                    )
                link.score = candidate.score
                link.rank = candidate.rank
                link.explanation = candidate.explanation()
                link.updated_at = checked_at
                session.add(link)
                keep.add(candidate.article_id)
            for original_id, link in existing.items():
                if original_id in keep or link.status in (
                    LinkStatus.confirmed,
                    LinkStatus.rejected,
                ):
                    continue
                has_flags = session.exec(
                    select(Flag.id).where(Flag.link_id == link.id, Flag.status != FlagStatus.open)
                ).first()
                if has_flags:
                    link.status = LinkStatus.suggested
                    link.rank = 99
                    session.add(link)
                    continue
                # the flags first: they point at the groups (the ORM would order these
                # deletes by table, groups first, and the foreign key would refuse them)
                session.execute(delete(Flag).where(col(Flag.link_id) == link.id))
                session.execute(
                    delete(AlignmentGroup).where(col(AlignmentGroup.link_id) == link.id)
                )
                session.delete(link)
            article = session.get(Article, article_id)
            if article is not None:
                article.link_checked_at = checked_at
                session.add(article)


_ARTICLE_KEY = "anchorterm_article_id_fkey"
"""The name PostgreSQL gives the postings' foreign key to their article (added back so)."""


def _article_keys(conn: Connection) -> dict[str, bool]:
    """The postings' foreign keys to their article on PostgreSQL (one, unless a database
    was made otherwise), by name: whether each is validated."""
    rows = conn.exec_driver_sql(
        "SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f'"
        " AND conrelid = 'anchorterm'::regclass AND confrelid = 'article'::regclass"
    ).all()
    return {name: bool(valid) for name, valid in rows}


def _create_sorted(conn: Connection, index: Index) -> None:
    """Build an index over existing rows; on SQLite the sort spills to files from some
    millions of postings, and then merges them in helper threads (58 s at a million
    articles, not 87)."""
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        conn.exec_driver_sql(f"PRAGMA threads={min(os.cpu_count() or 1, 8)}")
    try:
        index.create(conn, checkfirst=True)
    finally:
        if sqlite:
            conn.exec_driver_sql("PRAGMA threads=0")


def _attach(driver: Driver, image: bytes, n: int) -> str:
    """Attach packed postings as an in-memory database; the schema name it is read under."""
    schema = f"packed{n}"
    driver.execute(f"ATTACH DATABASE ':memory:' AS {schema}")
    driver.cursor.connection.deserialize(image, name=schema)
    return schema


def _remove_postings(driver: Driver, ids: list[int]) -> Counter[tuple[str, str]]:
    """Delete the articles' postings; the change to each (term, language)'s count."""
    delta: Counter[tuple[str, str]] = Counter()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        for term, lang in driver.execute(
            f"SELECT term, lang FROM anchorterm WHERE article_id IN ({marks})", chunk
        ).fetchall():
            if lang is not None:
                delta[(term, lang)] -= 1
        driver.execute(f"DELETE FROM anchorterm WHERE article_id IN ({marks})", chunk)
    return delta


def _apply_term_deltas(driver: Driver, deltas: Counter[tuple[str, str]]) -> None:
    """Add each (term, language)'s change to its count, creating the count the first time:
    one upsert for the batch (SQLite and PostgreSQL spell it the same)."""
    changed = sorted((term, lang, n) for (term, lang), n in deltas.items() if n)
    if changed:
        driver.executemany(
            "INSERT INTO anchorstat (term, lang, df) VALUES (?, ?, ?) "
            "ON CONFLICT (term, lang) DO UPDATE SET df = anchorstat.df + excluded.df",
            changed,
        )
