"""Ingest: files in, articles with tagged paragraphs out, one transaction per article.

``prepare_article`` is pure (canonical URL, outlet, language, paragraph kinds); the store
does the writing. A bad file or record becomes one line in the report and the batch goes on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.errors import InputError
from provenance.formats import ArticleInput, GoldPair, iter_paths, read_file
from provenance.outlets import OutletInfo, registry
from provenance.store import PreparedArticle, PreparedParagraph, SaveOutcome, Store
from provenance.text.lang import detect_language, paragraph_language
from provenance.text.segment import article_credit, tag_paragraphs
from provenance.urls import canonical_url, host_of


@dataclass
class IngestReport:
    """What a batch did: counts by outcome, and one message per failure."""

    files: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    articles: list[SaveOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

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
    """The article's identity: its canonical URL (FORMATS.md §1)."""
    if article.url.startswith(("file:", "urn:")):
        return article.url
    return canonical_url(article.url)


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


def prepare_article(article: ArticleInput, learnt: frozenset[str] = frozenset()) -> PreparedArticle:
    """Canonicalise, name the outlet, detect languages and tag paragraph kinds.

    ``learnt``: the chrome lines learnt for the article's outlet (text/chrome.py).
    """
    where = article.source or article.url
    if not article.paragraphs:
        raise InputError(where, "article has no paragraphs")
    url = article_url(article)
    outlet_name, info = outlet_of(article, url)
    text = "\n".join(article.paragraphs)
    lang = (article.lang or "").lower() or detect_language(text)
    if not lang:
        raise InputError(where, "no detectable language in the text (set 'lang')")
    tags = tag_paragraphs(
        article.paragraphs, title=article.title, outlet=outlet_name, learnt=learnt
    )
    paragraphs = [
        PreparedParagraph(
            text=p,
            kind=tag.kind,
            lang=paragraph_language(p, lang),
            credit=tag.credit,
            chrome_key=tag.key,
        )
        for p, tag in zip(article.paragraphs, tags, strict=True)
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


def ingest_article(store: Store, article: ArticleInput) -> SaveOutcome:
    """Prepare and store one article (one transaction), with the chrome its outlet's other
    articles taught the store."""
    learnt = store.learnt_chrome(outlet_of(article)[0])
    return store.save_article(prepare_article(article, learnt))


def ingest_paths(
    store: Store,
    paths: Iterable[Path],
    *,
    max_file_mb: float = 10.0,
    on_file: Callable[[Path], None] | None = None,
) -> IngestReport:
    """Ingest files and directories (recursively); failures are collected, never raised."""
    report = IngestReport()
    files = list(iter_paths([Path(p) for p in paths]))
    max_bytes = int(max_file_mb * 1_000_000)
    for path in files:
        report.files += 1
        if not path.exists():
            report.errors.append(f"{path}: no such file")
        else:
            _ingest_file(store, path, max_bytes, report)
        if on_file:
            on_file(path)
    return report


def _ingest_file(store: Store, path: Path, max_bytes: int, report: IngestReport) -> None:
    try:
        for record in read_file(path, max_bytes):
            if isinstance(record, InputError):
                report.errors.append(str(record))
                continue
            articles = record.articles() if isinstance(record, GoldPair) else [record]
            for article in articles:
                try:
                    outcome = ingest_article(store, article)
                except InputError as err:
                    report.errors.append(str(err))
                    continue
                report.outcomes[outcome.status] += 1
                report.articles.append(outcome)
    except InputError as err:
        report.errors.append(str(err))
    except OSError as err:
        report.errors.append(f"{path}: cannot read ({err.strerror or err})")
