"""Ingest: files in, articles with tagged paragraphs out; each article stored whole or not at all.

``prepare_article`` is pure (canonical URL, outlet, language, paragraph kinds); the store
does the writing. A bad file or record becomes one line in the report and the batch goes on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.config import Settings, load_settings
from provenance.errors import DatabaseError, InputError
from provenance.formats import ArticleInput, GoldPair, clean_text, iter_paths, read_file, where_of
from provenance.outlets import OutletInfo, registry
from provenance.store import (
    CONNECTION_ERRORS,
    PreparedArticle,
    PreparedParagraph,
    SaveOutcome,
    Store,
)
from provenance.store.articles import ArticleBatch
from provenance.text.anchors import anchors_to_json, extract_anchors
from provenance.text.lang import detect_language, paragraph_language
from provenance.text.segment import article_credit, tag_paragraphs
from provenance.urls import canonical_url, host_of

if TYPE_CHECKING:
    from provenance.ports import IngestingStore


@dataclass
class IngestReport:
    """What a batch did: counts by outcome, and one message per failure."""

    files: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    articles: list[SaveOutcome] = field(default_factory=list)
    on_error: Callable[[str], None] | None = field(default=None, repr=False, compare=False)
    """Called with each error line as it happens (the CLI prints it at once)."""

    @property
    def ok(self) -> bool:
        return not self.errors

    def fail(self, message: str) -> None:
        """Record one error line and pass it on at once."""
        self.errors.append(message)
        if self.on_error:
            self.on_error(message)

    def to_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "created": self.outcomes["created"],
            "revised": self.outcomes["revised"],
            "unchanged": self.outcomes["unchanged"],
            "failed": len(self.errors),
            "errors": self.errors,
            "articles": [
                {"url": a.url, "id": a.article_id, "status": a.status, "revision": a.revision}
                for a in self.articles
            ],
        }


def article_url(article: ArticleInput) -> str:
    """The article's identity: its canonical URL (docs/formats.md §1)."""
    if article.url.startswith(("file:", "urn:")):
        return article.url
    return _canonical_url(article.url)


@lru_cache(maxsize=1024)
def _canonical_url(url: str) -> str:
    """Ingest asks twice for each article (its outlet's chrome, then the record): once is
    enough (an invalid URL is not cached, and raises each time)."""
    return canonical_url(url)


def outlet_of(
    article: ArticleInput, url: str | None = None
) -> tuple[str | None, OutletInfo | None]:
    """The outlet's name (the registry's when it knows the outlet) and its registry entry."""
    url = url or article_url(article)
    outlets = registry()
    info = outlets.by_name(article.outlet) if article.outlet else None
    if info is None and not article.outlet:
        info = outlets.by_host(host_of(url)) if url.startswith("http") else None
    if info is not None:
        return info.name, info
    return article.outlet or (host_of(url) if url.startswith("http") else None), None


def clean_article(article: ArticleInput) -> ArticleInput:
    """The article with NUL characters dropped and lone surrogates replaced in every text
    field (formats.clean_text), so it stores alike on SQLite and PostgreSQL."""
    optional = ("outlet", "lang", "author", "etag", "last_modified")
    cleaned: dict[str, Any] = {
        name: clean_text(v) for name in optional if (v := getattr(article, name)) is not None
    }
    return replace(
        article,
        paragraphs=[p for p in (clean_text(p).strip() for p in article.paragraphs) if p],
        title=clean_text(article.title),
        source=clean_text(article.source),
        **cleaned,
    )


def check_limits(article: ArticleInput, settings: Settings) -> None:
    """Refuse a story over the paragraph limits: aligning 2,000 x 2,000 paragraphs takes
    gigabytes, and one such story must not end a batch or ``align --all``."""
    where = article.source or article.url
    count = len(article.paragraphs)
    if count > settings.max_paragraphs:
        raise InputError(
            where,
            f"{count:,} paragraphs, over the limit of {settings.max_paragraphs:,} "
            "(PROVENANCE_MAX_PARAGRAPHS); story skipped",
        )
    longest = max((len(p) for p in article.paragraphs), default=0)
    if longest > settings.max_paragraph_chars:
        raise InputError(
            where,
            f"a paragraph of {longest:,} characters, over the limit of "
            f"{settings.max_paragraph_chars:,} (PROVENANCE_MAX_PARAGRAPH_CHARS); story skipped",
        )


@lru_cache(maxsize=8192)
def _stored_anchors(text: str, lang: str | None) -> str | None:
    """The paragraph's anchors, extracted once at ingest so that aligning reads them; none
    when its language is unknown (the aligner then extracts them in its side's language).
    Cached like ``extract_anchors``: a line an outlet prints on every page is written once."""
    return anchors_to_json(extract_anchors(text, lang)) if lang else None


def prepare_article(article: ArticleInput, learnt: frozenset[str] = frozenset()) -> PreparedArticle:
    """Canonicalise, name the outlet, detect languages and tag paragraph kinds.

    ``learnt``: the chrome lines learnt for the article's outlet (text/chrome.py).
    """
    article = clean_article(article)
    where = article.source or article.url
    if not article.paragraphs:
        raise InputError(where, "article has no paragraphs")
    try:
        url = article_url(article)
    except InputError as err:
        raise InputError(where, f"field 'url' {err.where}: {err.problem}") from None
    outlet_name, info = outlet_of(article, url)
    text = "\n".join(article.paragraphs)
    lang = (article.lang or "").lower() or detect_language(text)
    if not lang:
        raise InputError(where, "no detectable language in the text (set 'lang')")
    tags = tag_paragraphs(
        article.paragraphs, title=article.title, outlet=outlet_name, learnt=learnt
    )
    langs = [paragraph_language(p, lang) for p in article.paragraphs]
    paragraphs = [
        PreparedParagraph(
            text=p,
            kind=tag.kind,
            lang=p_lang,
            credit=tag.credit,
            chrome_key=tag.key,
            anchors=_stored_anchors(p, p_lang),
        )
        for p, tag, p_lang in zip(article.paragraphs, tags, langs, strict=True)
    ]
    return PreparedArticle(
        url=url,
        lang=lang,
        title=article.title,
        paragraphs=paragraphs,
        outlet=outlet_name,
        outlet_lang=info.lang if info else None,
        outlet_role=info.role if info else "source",
        outlet_hosts=list(info.hosts)
        if info
        else ([host_of(url)] if url.startswith("http") else []),
        published=article.published,
        author=article.author,
        credit=article_credit(tags),
        source=article.source or None,
        etag=article.etag,
        last_modified=article.last_modified,
    )


def ingest_article(
    store: IngestingStore, article: ArticleInput, settings: Settings | None = None
) -> SaveOutcome:
    """Prepare and store one article (one transaction), with the chrome its outlet's other
    articles taught the store; a story over the limits of ``settings`` (default: the
    environment's) is refused with InputError."""
    check_limits(article, settings or load_settings())
    learnt = store.learnt_chrome(outlet_of(article)[0])
    return store.save_article(prepare_article(article, learnt))


BATCH_ARTICLES = 100
"""Articles ``ingest_paths`` stores in one transaction, each in a savepoint of its own: a
commit per article was most of ingest's cost, and a commit of 100 writes fewer pages than
two of 50. Articles are prepared outside the transaction, so another writer waits for the
writes of a batch only (a tenth of a second); a kill loses at most the batch being written,
which a re-run stores."""


def ingest_paths(
    store: Store,
    paths: Iterable[Path],
    *,
    max_file_mb: float = 10.0,
    on_file: Callable[[Path], None] | None = None,
    on_error: Callable[[str], None] | None = None,
    settings: Settings | None = None,
) -> IngestReport:
    """Ingest files and directories (recursively); failures are collected, never raised.

    Each error line goes to ``on_error`` as it happens and into the report. Only a database
    that cannot be reached or written ends the batch (every next record would fail too)."""
    report = IngestReport(on_error=on_error)
    settings = settings or load_settings()
    files = list(iter_paths([Path(p) for p in paths]))
    max_bytes = int(max_file_mb * 1_000_000)
    pending = _Pending(store, report, settings)
    for path in files:
        report.files += 1
        _ingest_file(pending, path, max_bytes)
        if on_file:
            on_file(path)
    pending.flush()
    return report


_FATAL: tuple[type[Exception], ...] = (*CONNECTION_ERRORS, DatabaseError)
"""Errors of the database itself, not of a record: they end the batch (the CLI names them)."""

_CONFLICTS = frozenset({"40001", "40P01"})
"""PostgreSQL's serialization failure and deadlock: two batches crossed, and one is run again."""


@dataclass
class _Queued:
    """An article prepared for the next batch, with the chrome it was tagged with."""

    article: ArticleInput
    prepared: PreparedArticle
    outlet: str | None
    learnt: frozenset[str]


class _Pending:
    """Prepared articles waiting for their batch's transaction."""

    def __init__(self, store: Store, report: IngestReport, settings: Settings) -> None:
        self.store, self.report, self.settings = store, report, settings
        self.queued: list[_Queued] = []

    def add(self, article: ArticleInput) -> None:
        """Prepare one article, or report one error line naming it; store a full batch."""
        queued = _prepare_one(self.store, article, self.report, self.settings)
        if queued is not None:
            self.queued.append(queued)
        if len(self.queued) >= BATCH_ARTICLES:
            self.flush()

    def flush(self) -> None:
        queued, self.queued = self.queued, []
        if not queued:
            return
        outcomes, errors = _store_batch(self.store, queued)
        for message in errors:
            self.report.fail(message)
        for outcome in outcomes:
            self.report.outcomes[outcome.status] += 1
            self.report.articles.append(outcome)


def _ingest_file(pending: _Pending, path: Path, max_bytes: int) -> None:
    report = pending.report
    where = where_of(path)
    try:
        for record in read_file(path, max_bytes):
            if isinstance(record, InputError):
                report.fail(str(record))
                continue
            articles = record.articles() if isinstance(record, GoldPair) else [record]
            for article in articles:
                pending.add(article)
    except InputError as err:
        report.fail(str(err))
    except OSError as err:
        report.fail(f"{where}: cannot read ({err.strerror or err})")
    except _FATAL:
        raise
    except Exception as err:  # a reader's bug must not end the batch: one line, go on
        report.fail(f"{where}: {internal_error(err)}")


def _prepare_one(
    store: Store, article: ArticleInput, report: IngestReport, settings: Settings
) -> _Queued | None:
    """Prepare one article as ``ingest_article`` does, or one error line naming it."""
    try:
        check_limits(article, settings)
        outlet = outlet_of(article)[0]
        learnt = store.learnt_chrome(outlet)
        return _Queued(article, prepare_article(article, learnt), outlet, learnt)
    except InputError as err:
        report.fail(str(err))
    except _FATAL:
        raise
    except Exception as err:  # one record's bug must not end the batch
        report.fail(f"{article.source or article.url}: {internal_error(err)}")
    return None


def _store_batch(store: Store, queued: list[_Queued]) -> tuple[list[SaveOutcome], list[str]]:
    """Store prepared articles in one transaction: what each did, and one line per article
    that failed (rolled back alone). Two PostgreSQL batches that crossed run again."""
    for attempt in range(3):
        outcomes: list[SaveOutcome] = []
        errors: list[str] = []
        try:
            with store.article_batch() as batch:
                for item in queued:
                    _store_one(batch, item, outcomes, errors)
            return outcomes, errors
        except _FATAL as err:
            if attempt == 2 or _sqlstate(err) not in _CONFLICTS:
                raise
    raise AssertionError("unreachable")


def _tags_change(prepared: PreparedArticle, learnt_since: frozenset[str]) -> bool:
    """Whether chrome learnt (or unlearnt) since the article was tagged is a line of it:
    learnt chrome changes a paragraph's kind only through its own key (text/segment.py)."""
    return bool(learnt_since) and any(p.chrome_key in learnt_since for p in prepared.paragraphs)


def _sqlstate(error: BaseException) -> str | None:
    return getattr(getattr(error, "orig", None), "sqlstate", None)


def _store_one(
    batch: ArticleBatch, item: _Queued, outcomes: list[SaveOutcome], errors: list[str]
) -> None:
    """Save one article in its savepoint. When the articles saved before it in the batch
    taught its outlet new chrome, it is tagged again first: the result is the same as
    storing the articles one transaction at a time."""
    try:
        prepared = item.prepared
        learnt = batch.learnt_chrome(item.outlet)
        if _tags_change(prepared, learnt ^ item.learnt):
            prepared = prepare_article(item.article, learnt)
        outcomes.append(batch.save(prepared))
    except InputError as err:
        errors.append(str(err))
    except _FATAL:
        raise
    except Exception as err:  # one record's bug must not end the batch
        errors.append(f"{item.article.source or item.article.url}: {internal_error(err)}")


def internal_error(err: BaseException) -> str:
    """One line for an error the readers did not foresee (a bug to report, not a traceback)."""
    text = " ".join(str(err).split())[:200]
    return f"internal error, record skipped ({type(err).__name__}: {text})"
