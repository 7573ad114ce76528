"""Articles, revisions and paragraphs: the prepared article ingest hands over, saving it as a
new revision when its text changed, and the article reads (lists, details, summaries)."""

from __future__ import annotations

import contextlib
import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from provenance.errors import NotFoundError
from provenance.models import (
    Article,
    Outlet,
    Paragraph,
    Revision,
    utcnow,
)
from provenance.store.chrome import ChromeStore
from provenance.store.driver import Driver
from provenance.store.patches import _patch
from provenance.store.sql import _SQL, _iso, _like, inserted_id, table_of
from provenance.store.views import ArticleDetail, ArticleSummary, ParagraphView, RevisionView
from provenance.text.chrome import chrome_key

_PARAGRAPH_COLUMNS = ("revision_id", "index", "text", "kind", "lang", "text_hash", "credit",
                      "anchors")  # fmt: skip
_ARTICLE = table_of(Article)
_REVISION = table_of(Revision)
_NEW_ARTICLE = {"revision_count": 0}
"""The column defaults of a new article that the driver's INSERT does not apply itself."""


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


def _same_file_article(stored: Any, metadata: dict[str, Any], source: str | None) -> bool:
    """Whether re-reading a file changes nothing stored, so that nothing is written (ingest
    then works on a read-only database). A page fetched again still records when it was
    checked: ``refresh --older-than`` reads that time."""
    if source and source.startswith(("http://", "https://")):
        return False
    wanted = {"published": stored.published, "lang": stored.lang, "outlet_id": stored.outlet_id,
              "credit": stored.credit, "author": stored.author}  # fmt: skip
    return all(metadata.get(key, value) == value for key, value in wanted.items())


class ArticleStore(ChromeStore):
    """Mixin: storing an article (created, revised or unchanged) and reading articles back.
    Saving sights the article's chrome, hence the ChromeStore base."""

    # -- writes ---------------------------------------------------------------------------

    def _outlet_id(self, conn: Connection, article: PreparedArticle) -> int | None:
        name = article.outlet
        if not name:
            return None
        if name in self._outlet_ids:
            return self._outlet_ids[name]
        table = table_of(Outlet)
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
                    outlet_id = inserted_id(conn.execute(insert(table).values(**values)))
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

    @contextlib.contextmanager
    def article_batch(self) -> Iterator[ArticleBatch]:
        """One transaction for many articles (ingest's bulk path): a commit per article is most
        of an article's cost on SQLite. Each ``ArticleBatch.save`` runs in a savepoint of its
        own, so a failed article leaves nothing behind and the others are kept; an error that
        escapes (the database's own) rolls the whole batch back, and a re-run stores it."""
        try:
            with self.engine.begin() as conn:
                _take_write_lock(conn)
                yield ArticleBatch(self, conn)
        except BaseException:
            self._outlet_ids.clear()  # ids flushed inside a rolled-back transaction are gone
            self._learnt.clear()
            raise

    def _save(self, conn: Connection, article: PreparedArticle) -> SaveOutcome:
        # The statements every article runs go to the driver's cursor (store/driver.py):
        # ingest is a bulk path (1,000+/s). A URL already stored takes SQLAlchemy's path.
        driver = Driver(conn)
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
        found = driver.execute("SELECT id FROM article WHERE url = ?", (article.url,)).fetchone()
        existing = (
            conn.execute(_SQL.article_by_url, {"p_url": article.url}).first() if found else None
        )
        if existing is not None:
            article_id, current_id, published = existing[:3]
            if article.published is not None and published != article.published:
                metadata["indexed_revision_id"] = None  # the index keeps the date: redo it
            current = (
                conn.execute(_SQL.revision_by_id, {"p_id": current_id}).first()
                if current_id
                else None
            )
            if (
                current is not None
                and current.content_hash == digest
                and _same_file_article(existing, metadata, article.source)
            ):
                return SaveOutcome("unchanged", article_id, current.number, article.url)
            conn.execute(_SQL.update_article, {"p_id": article_id, **metadata})
            if current is not None and current.content_hash == digest:
                return SaveOutcome("unchanged", article_id, current.number, article.url)
            number = (current.number if current is not None else 0) + 1
            patch: str | None = _patch(current.text if current is not None else "", text)
            status = "revised"
        else:
            values = {"url": article.url, "title": article.title, "created_at": now, **metadata}
            article_id = driver.insert(_ARTICLE, driver.to_db(_ARTICLE, values | _NEW_ARTICLE))
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
        revision_id = driver.insert(_REVISION, driver.to_db(_REVISION, revision))
        rows = [
            (revision_id, i, p.text, p.kind, p.lang, text_hash(p.text), p.credit, p.anchors)
            for i, p in enumerate(article.paragraphs)
        ]
        if rows:
            driver.insert_rows("paragraph", _PARAGRAPH_COLUMNS, rows)
        if metadata["outlet_id"] is not None:
            keys = {p.chrome_key for p in article.paragraphs if p.chrome_key}
            self._sight_chrome(conn, metadata["outlet_id"], article_id, keys, status == "created")
        driver.execute(
            "UPDATE article SET current_revision_id = ?, revision_count = ?, title = ? WHERE id = ?",
            (revision_id, number, article.title, article_id),
        )
        return SaveOutcome(status, article_id, number, article.url)

    # -- reads ----------------------------------------------------------------------------

    def _summary_query(self) -> Any:
        paragraphs = (
            select(Paragraph.revision_id, func.count().label("n"))
            .group_by(col(Paragraph.revision_id))
            .subquery()
        )
        return (
            select(Article, Outlet.name, paragraphs.c.n)
            .join(Outlet, col(Article.outlet_id) == Outlet.id, isouter=True)
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
            query = query.where(col(Article.published) >= since)
        if until:
            query = query.where(col(Article.published) < until)
        if search:
            like = _like(search)
            query = query.where(
                or_(
                    col(Article.title).ilike(like, escape="\\"),
                    col(Article.url).ilike(like, escape="\\"),
                )
            )
        query = query.order_by(col(Article.published).desc(), col(Article.id).desc()).offset(offset)
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
                article = session.exec(
                    select(Article).where(col(Article.url).in_(candidates))
                ).first()
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
                .order_by(col(Paragraph.index))
            ).all()
            revisions = session.exec(
                select(Revision)
                .where(Revision.article_id == article.id)
                .order_by(col(Revision.number))
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
                .order_by(col(Revision.number))
            ).all()
        return list(rows)

    def summary(self) -> dict[str, Any]:
        """Counts for the demo and ``provenance stats``: articles by outlet and language, paragraphs by kind."""
        with Session(self.engine) as session:
            by_outlet = session.execute(
                select(Outlet.name, Article.lang, func.count())
                .select_from(Article)
                .join(Outlet, col(Article.outlet_id) == Outlet.id, isouter=True)
                .group_by(col(Outlet.name), col(Article.lang))
            ).all()
            kinds = session.execute(
                select(Paragraph.kind, func.count())
                .join(Article, col(Article.current_revision_id) == Paragraph.revision_id)
                .group_by(col(Paragraph.kind))
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


def _take_write_lock(conn: Connection) -> None:
    """On SQLite, open the batch's transaction with the write lock (BEGIN IMMEDIATE): the
    driver would otherwise open it only at the first write, after reads that the savepoints
    would already have made a transaction of their own (whose release commits it), and a read
    turned write in WAL mode fails at once when another process wrote in between instead of
    waiting. A read-only database refusing the lock keeps the driver's own transactions: an
    unchanged file is still read, and the first write says the database is read-only."""
    if conn.dialect.name != "sqlite" or conn.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
        return
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except OperationalError as error:
        if "readonly" not in str(error.orig).lower():
            raise


class ArticleBatch:
    """The articles of one ``ArticleStore.article_batch`` transaction, each saved in its own
    savepoint; the chrome learnt so far is read inside the transaction, so an article sees
    the sightings of the articles saved before it in the batch (as one transaction per
    article would)."""

    def __init__(self, store: ArticleStore, conn: Connection) -> None:
        self.store = store
        self.conn = conn

    def learnt_chrome(self, outlet: str | None) -> frozenset[str]:
        """``ChromeStore.learnt_chrome``, as this transaction sees it."""
        return self.store.learnt_chrome(outlet, self.conn)

    def save(self, article: PreparedArticle) -> SaveOutcome:
        """``ArticleStore.save_article`` inside the batch: a failure rolls back this article
        alone and is raised; an IntegrityError (another writer stored the URL first, on
        PostgreSQL) runs the save again, finding theirs."""
        for attempt in range(3):
            try:
                with Driver(self.conn).savepoint():
                    return self.store._save(self.conn, article)
            except BaseException as error:
                self.store._outlet_ids.clear()
                self.store._learnt.clear()
                if not isinstance(error, IntegrityError) or attempt == 2:
                    raise
        raise AssertionError("unreachable")
