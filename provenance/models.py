"""The database tables (SQLModel, ``table=True``) and nothing else.

Machine results (links, groups and flags made by a run) and human decisions (their status
once a reviewer has touched them, and the ReviewEvent trail) live side by side: every row
that a reviewer can change carries ``origin`` and ``status`` so a re-run can tell them apart.
The schema is created and changed only by the Alembic migrations in ``migrations/``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from provenance.dates import utcnow


class Outlet(SQLModel, table=True):
    """A publisher: a source of originals (Enab Baladi) or of translations (Syrian Observer)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    lang: str | None = None
    role: str = "source"  # source | translator
    hosts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Article(SQLModel, table=True):
    """One story at one canonical URL; its text lives in its revisions."""

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(index=True, unique=True)
    outlet_id: int | None = Field(default=None, foreign_key="outlet.id", index=True)
    lang: str = Field(index=True)
    published: datetime | None = Field(default=None, index=True)
    title: str = ""
    author: str | None = None
    credit: str | None = Field(default=None, index=True)
    """The outlet credited as the source in the standfirst or lead, when one is named."""
    current_revision_id: int | None = None
    revision_count: int = 0
    indexed_revision_id: int | None = None
    """The revision whose anchor terms are in the search index (None: not indexed yet)."""
    link_checked_at: datetime | None = None
    """When linking last looked for this translation's original (None: never)."""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Revision(SQLModel, table=True):
    """One version of an article's text; each later one stores the patch from its predecessor."""

    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    number: int
    content_hash: str = Field(index=True)
    title: str = ""
    text: str
    patch: str | None = None
    """diff-match-patch patch text from the previous revision's text to this one."""
    source: str | None = None
    """Where this version came from: a file path or a fetched URL."""
    etag: str | None = None
    last_modified: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Paragraph(SQLModel, table=True):
    """A paragraph of one revision, with the kind and language tagged at ingest."""

    __table_args__ = (UniqueConstraint("revision_id", "index"),)

    id: int | None = Field(default=None, primary_key=True)
    revision_id: int = Field(foreign_key="revision.id", index=True)
    index: int
    text: str
    kind: str = "body"
    lang: str | None = None
    text_hash: str = Field(index=True)
    credit: str | None = None
    anchors: str | None = None
    """The paragraph's anchors as JSON (text/anchors.py, ``anchors_to_json``), extracted at
    ingest so that aligning never extracts them again; NULL in rows stored before."""


class Link(SQLModel, table=True):
    """A translation and a candidate original: machine score, then a reviewer's verdict."""

    __table_args__ = (
        UniqueConstraint("translation_id", "original_id"),
        Index("ix_link_translation_status", "translation_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    translation_id: int = Field(foreign_key="article.id", index=True)
    original_id: int = Field(foreign_key="article.id", index=True)
    score: float = 0.0
    rank: int = 1
    status: str = Field(default="suggested", index=True)  # suggested|auto|confirmed|rejected
    explanation: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    translation_revision_id: int | None = Field(default=None, foreign_key="revision.id")
    original_revision_id: int | None = Field(default=None, foreign_key="revision.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class AlignmentGroup(SQLModel, table=True):
    """Paragraphs of the translation and of the original that say the same thing (or nothing)."""

    __table_args__ = (Index("ix_alignmentgroup_link_position", "link_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="link.id", index=True)
    position: int
    kind: str  # matched | added | dropped | moved
    translation: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    original: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    score: float = 0.0
    signals: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    anchors: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    origin: str = "machine"  # machine | reviewer
    active: bool = True
    """False once a reviewer's merge, split or relink replaced it (kept for undo)."""


class Flag(SQLModel, table=True):
    """Something a reviewer should look at: an addition, a drop, a mismatch, a change."""

    __table_args__ = (Index("ix_flag_article_status", "article_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    link_id: int | None = Field(default=None, foreign_key="link.id", index=True)
    group_id: int | None = Field(default=None, foreign_key="alignmentgroup.id")
    kind: str = Field(index=True)
    level: str = "paragraph"  # paragraph | group | story
    severity: str = "low"  # low | medium | high
    evidence: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="open", index=True)  # open | accepted | dismissed
    note: str | None = None
    origin: str = "machine"
    translation_revision_id: int | None = None
    """The translation revision of the latest alignment that found this flag (None: not found
    by an alignment). An accepted flag whose revision is older than the one its link is now
    aligned on was not found again: a newer translation resolved it."""
    created_at: datetime = Field(default_factory=utcnow)


class ReviewEvent(SQLModel, table=True):
    """The audit trail: who decided what, when, and the state before and after."""

    id: int | None = Field(default=None, primary_key=True)
    reviewer: str = Field(index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    action: str
    target_type: str
    target_id: int
    before: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    after: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    note: str | None = None
    undone: bool = False


class Embedding(SQLModel, table=True):
    """A paragraph's sentence embedding, cached by the hash of its text and the model name."""

    text_hash: str = Field(primary_key=True)
    model: str = Field(primary_key=True)
    vector: bytes
    """float32 values, little-endian."""


class AnchorTerm(SQLModel, table=True):
    """The search index: which articles contain which anchor term (number, date, name, concept).

    The article's language and publication time are copied here, and the lookup index holds
    them with the article, so that a search reads one range of that index per term (term,
    published) and nothing else: no join to the article, no read of this table's rows.
    """

    __table_args__ = (Index("ix_anchorterm_lookup", "term", "published", "lang", "article_id"),)

    article_id: int = Field(foreign_key="article.id", primary_key=True)
    term: str = Field(primary_key=True)
    published: datetime | None = None
    lang: str | None = None


class AnchorStat(SQLModel, table=True):
    """How many articles of a language hold a term: the rarity weights, without counting."""

    term: str = Field(primary_key=True)
    lang: str = Field(primary_key=True)
    df: int = 0


class ChromeSighting(SQLModel, table=True):
    """One article of an outlet that prints one short line (by its chrome key): once enough
    articles of the outlet print it, the line is that outlet's chrome (text/chrome.py)."""

    outlet_id: int = Field(foreign_key="outlet.id", primary_key=True)
    key: str = Field(primary_key=True)
    article_id: int = Field(foreign_key="article.id", primary_key=True, index=True)


class IndexState(SQLModel, table=True):
    """One row: whether the term statistics may disagree with the postings, and the lock that
    every index write takes first, so that two builds never interleave their counts."""

    id: int = Field(default=1, primary_key=True)
    stats_stale: bool = False


class Job(SQLModel, table=True):
    """One unit of work in the queue that ``provenance worker`` processes take from, on any
    number of machines (queue.py): link one translation, align one translation's links, or
    fetch one URL. A worker holds a job by renewing its lease; a job whose lease ran out (its
    worker died) is taken up again."""

    __table_args__ = (Index("ix_job_status_run_after", "status", "run_after"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True)  # link | align | fetch
    target: str
    """The translation's id (link, align) or the URL (fetch)."""
    options: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = "queued"  # queued | running | done | failed
    attempts: int = 0
    max_attempts: int = 3
    worker: str | None = None
    """host:pid:token of the worker process that took it last."""
    lease_until: datetime | None = None
    """While running, renewed by its worker; once past, another worker takes the job."""
    run_after: datetime = Field(default_factory=utcnow)
    """Not taken before this time (a retry waits a little longer after each failure)."""
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
