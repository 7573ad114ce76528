"""What the stages and the pipeline need of the store, as protocols.

A function that runs over stored data says here which of the store's methods it calls, so a
reader (or mypy) sees its reach without opening ``provenance/store/``, and the store stays
free to change everything else. ``provenance.store.Store`` satisfies every one of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

    from provenance.models import Article
    from provenance.store.index import IndexJob
    from provenance.views import LinkView, ParagraphView


class ArticleFinder(Protocol):
    def find_article(self, key: str | int) -> Article: ...


class EmbeddingStore(Protocol):
    """A cache of paragraph vectors by text hash, per model."""

    def load_embeddings(self, hashes: list[str], model: str) -> dict[str, np.ndarray]: ...

    def save_embeddings(self, vectors: dict[str, np.ndarray], model: str) -> None: ...


class LengthSource(Protocol):
    """Paragraph lengths of reviewer-confirmed 1-1 groups, the aligner's length model."""

    def length_samples(
        self, translation_outlet: str | None, original_outlet: str | None, limit: int = 5000
    ) -> list[tuple[int, int]]: ...


class AligningStore(ArticleFinder, EmbeddingStore, LengthSource, Protocol):
    """What ``pipeline.align_links`` reads and writes."""

    def links(
        self, *, translation_id: int | None = None, statuses: tuple[str, ...] | None = None
    ) -> list[LinkView]: ...

    def has_reviewer_groups(self, link_id: int) -> bool: ...

    def paragraphs(self, revision_id: int) -> list[ParagraphView]: ...

    def save_paragraph_anchors(self, revision_id: int, anchors: dict[int, str]) -> None: ...

    def save_alignment(
        self,
        link_id: int,
        translation_revision: int | None,
        original_revision: int | None,
        groups: list[dict[str, Any]],
        flags: list[dict[str, Any]],
        article_id: int,
        coverage: float | None = None,
    ) -> dict[str, int]: ...


class IndexingStore(Protocol):
    """The anchor-term search index, as ``link.index_articles`` keeps it up to date."""

    def term_stats_stale(self) -> bool: ...

    def recount_term_stats(self) -> None: ...

    def term_stats_errors(self) -> int: ...

    def articles_to_index(self, batch: int, after_id: int = 0) -> list[IndexJob]: ...

    def replace_terms(
        self, jobs: list[IndexJob], terms: list[set[str]], *, bulk: bool = False
    ) -> None: ...

    def count_to_index(self) -> int: ...

    def set_search_index(self, present: bool) -> None: ...


class RankingStore(ArticleFinder, EmbeddingStore, Protocol):
    """What ``link.find_originals`` reads to rank the candidate originals of a translation."""

    def paragraphs(self, revision_id: int) -> list[ParagraphView]: ...

    def current_paragraphs(self, article_id: int) -> list[ParagraphView]: ...

    def count_articles(self, *, exclude_lang: str | None = None) -> int: ...

    def term_frequencies(
        self, terms: list[str], *, exclude_lang: str | None = None
    ) -> dict[str, int]: ...

    def postings(
        self,
        terms: list[str],
        *,
        exclude_lang: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[tuple[str, int]]: ...

    def article_briefs(self, ids: list[int]) -> dict[int, dict[str, Any]]: ...


class CandidateStore(IndexingStore, RankingStore, Protocol):
    """``link.candidates_for``: the index brought up to date, then a ranking."""


class LinkingStore(CandidateStore, Protocol):
    """What ``pipeline.link_translations`` reads and writes."""

    def translation_ids(self) -> list[int]: ...

    def has_confirmed_link(self, article_id: int) -> bool: ...

    def save_links(
        self, article_id: int, candidates: list[Any], decision: str, *, checked_at: datetime
    ) -> None: ...
