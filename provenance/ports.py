"""What the stages and the pipeline need of the store, as protocols.

A function that runs over stored data says here which of the store's methods it calls, so a
reader (or mypy) sees its reach without opening ``provenance/store/``, and the store stays
free to change everything else. ``provenance.store.Store`` satisfies every one of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

    from provenance.store.articles import PreparedArticle, SaveOutcome
    from provenance.store.index import IndexJob, IndexParagraph, Postings
    from provenance.store.reviews import EventRow, GroupState, NewGroup, Reflagged
    from provenance.store.stories import StoryFacts
    from provenance.views import (
        AlignedPair,
        ArticleDetail,
        FlagView,
        LinkView,
        ParagraphView,
        StoryRow,
    )


class StoredArticle(Protocol):
    """What callers read of a found article, so that no stage needs the database's model."""

    @property
    def id(self) -> int | None: ...

    @property
    def url(self) -> str: ...

    @property
    def lang(self) -> str: ...

    @property
    def published(self) -> datetime | None: ...

    @property
    def credit(self) -> str | None: ...

    @property
    def current_revision_id(self) -> int | None: ...


class ArticleFinder(Protocol):
    def find_article(self, key: str | int) -> StoredArticle: ...


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
        self,
        *,
        translation_id: int | None = None,
        translation_ids: Sequence[int] | None = None,
        statuses: tuple[str, ...] | None = None,
    ) -> list[LinkView]: ...

    def has_reviewer_groups(self, link_id: int) -> bool: ...

    def paragraphs(self, revision_id: int) -> list[ParagraphView]: ...

    def save_paragraph_anchors(self, revision_id: int, anchors: dict[int, str]) -> None: ...

    def atomic(self) -> AbstractContextManager[object]: ...

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

    def term_stats_errors(self) -> int | None: ...

    def articles_to_index(
        self, batch: int, after_id: int = 0, *, paragraphs: bool = True
    ) -> list[IndexJob]: ...

    def paragraphs_to_index(self, revisions: list[int]) -> dict[int, list[IndexParagraph]]: ...

    def release_connections(self, *, close: bool = True) -> None: ...

    def replace_terms(self, jobs: list[IndexJob], terms: list[set[str]]) -> None: ...

    def make_postings(
        self, jobs: list[IndexJob], terms: list[set[str]], *, pack: bool = False
    ) -> Postings: ...

    def store_postings(self, jobs: list[IndexJob], postings: list[Postings]) -> None: ...

    def count_to_index(self) -> int: ...

    def set_bulk_mode(self, on: bool) -> bool: ...


class RankingStore(ArticleFinder, EmbeddingStore, Protocol):
    """What ``link.find_originals`` reads to rank the candidate originals of a translation."""

    def paragraphs(self, revision_id: int) -> list[ParagraphView]: ...

    def current_paragraphs_of(self, ids: list[int]) -> dict[int, list[ParagraphView]]: ...

    def count_articles(self, *, exclude_lang: str | None = None) -> int: ...

    def term_frequencies(
        self, terms: list[str], *, exclude_lang: str | None = None
    ) -> dict[str, int]: ...

    def best_matches(
        self,
        weights: dict[str, float],
        *,
        limit: int,
        exclude_lang: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[tuple[int, list[str]]]: ...

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


class DiffingStore(ArticleFinder, Protocol):
    """What ``diff.revision_diff`` reads: an article's revision texts, oldest first."""

    def revision_texts(self, article_id: int) -> list[str]: ...


class StoryCounter(Protocol):
    """How many stories a filter and a period hold (the story list's and report's totals)."""

    def story_count(
        self,
        what: str = "all",
        search: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        outlet: str | None = None,
    ) -> int: ...


class StoryPages(Protocol):
    """A period's stories a page at a time, as ``audit.audit`` walks them."""

    def story_pages(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        outlet: str | None = None,
        page: int = 1000,
    ) -> Iterator[tuple[list[StoryRow], dict[int, StoryFacts]]]: ...


class ReportingStore(StoryPages, StoryCounter, Protocol):
    """What ``report.write_report`` reads besides the stories: pairs, titles, a count."""

    def side_by_side(self, ids: list[int]) -> dict[int, list[dict[str, Any]]]: ...

    def titles_by_url(self, urls: list[str]) -> dict[str, tuple[str | None, str | None]]: ...


class IngestingStore(Protocol):
    """What ``ingest.ingest_article`` needs: the outlet's learnt chrome and one save."""

    def learnt_chrome(self, outlet: str | None) -> frozenset[str]: ...

    def save_article(self, article: PreparedArticle) -> SaveOutcome: ...


class FetchingStore(IngestingStore, Protocol):
    """What ``fetch`` reads of the fetch state around storing each page."""

    def validators(self, url: str) -> tuple[str | None, str | None] | None: ...

    def open_change_flags(self, article_id: int) -> list[str]: ...

    def has_url(self, url: str) -> bool: ...


class ReviewingStore(DiffingStore, CandidateStore, AligningStore, StoryCounter, Protocol):
    """What ``review.Review`` reads and writes, each action in one ``atomic()`` unit; the
    pipeline aligns a pair through ``review.store`` right after the reviewer confirms it."""

    def atomic(self) -> AbstractContextManager[object]: ...

    def close(self) -> None: ...

    def claim(self, target_type: str, key: int, seen: str) -> bool: ...

    def status_now(self, target_type: str, key: int) -> str | None: ...

    def latest_event(self, target_type: str, target_id: int) -> EventRow | None: ...

    def record_event(self, reviewer: str, action: str, target_type: str, target_id: int,
                     before: dict[str, Any], after: dict[str, Any], note: str | None = None) -> int: ...  # fmt: skip

    def undoable_event(self, reviewer: str) -> EventRow | None: ...

    def mark_undone(self, event_id: int) -> None: ...

    def review_events(self, limit: int = 50) -> list[EventRow]: ...

    def link(
        self,
        translation_id: int,
        original_id: int,
        *,
        status: str = ...,
        score: float = 0.0,
    ) -> LinkView: ...

    def link_by_id(self, link_id: int) -> LinkView: ...

    def set_link_statuses(self, statuses: dict[int, str]) -> None: ...

    def flag(self, flag_id: int) -> FlagView: ...

    def set_flag_state(self, flag_id: int, status: str, note: str | None) -> None: ...

    def alignment_groups(self, group_ids: list[int]) -> list[GroupState]: ...

    def replace_groups(
        self, link_id: int, old: list[int], new: Sequence[NewGroup]
    ) -> list[GroupState]: ...

    def reflag_groups(
        self, link_id: int, old: list[int], proposed: list[tuple[int, dict[str, Any]]]
    ) -> Reflagged: ...

    def restore_groups(
        self, created: list[int], replaced: list[int], reflagged: Reflagged
    ) -> None: ...

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
    ) -> list[StoryRow]: ...

    def article_detail(self, key: str | int) -> ArticleDetail: ...

    def aligned_pair(self, article_id: int) -> AlignedPair | None: ...


class ExportingStore(ReviewingStore, StoryPages, Protocol):
    """What ``export`` reads: the period's stories, their links, details, flags and reviews."""

    def flags(
        self, *, link_id: int | None = None, article_id: int | None = None
    ) -> list[FlagView]: ...
