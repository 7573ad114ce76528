"""Every query and every write. Stages hand over and get back plain data, never a session.

One ``Store`` wraps one engine. Each public method is one unit of work (one transaction),
so an article is either stored whole or not at all; ``with store.atomic():`` composes several
calls into one (the review actions do), nested blocks being SAVEPOINTs.

The package is split by aggregate; each file reads on its own:

- ``facade.py``: ``Store``, which composes the mixins below over one engine.
- ``articles.py``: articles, revisions and paragraphs (``PreparedArticle``, ``save_article``,
  ``SaveOutcome``, article lists and details).
- ``unit.py``: ``atomic()``, the unit of work (SAVEPOINTs when nested) that composes calls.
- ``links.py``: links, alignment groups, flags, embeddings and length samples.
- ``reviews.py``: review events, the compare-and-set of a decision, a reviewer's group edits.
- ``index.py``: the anchor-term search index (``IndexJob``, postings, term counts).
- ``stories.py``: the story list, audit facts and report rows, and the verified rule's SQL
  (the rule itself, and the other story-level rules, are provenance/verification.py's).
- ``fetching.py``: fetch state (validators, refresh targets, change flags).
- ``chrome.py``: chrome learnt from the corpus.
- ``queue.py``: the job queue's table (enqueue, SKIP LOCKED claims, leases, outcomes, counts);
  the queue's rules and the worker loop are provenance/queue.py's.
- ``backup.py``: every row at once for dump and load, and the schema's facts (revision,
  tables); the dump's file format is provenance/backup.py's.
- ``errors.py``: the database's errors in the library's words (``database_errors``,
  ``retry_on_duplicate``), so no module outside the store catches SQLAlchemy's.
- ``views.py``: the frozen views reads return; ``sql.py``: SQL helpers the aggregates share;
  ``patches.py``: revision patches.

Import from ``provenance.store``; the names below are its public API (``database_name`` and
``head_revision`` come from provenance/db.py, for the modules that may not import it).
"""

from __future__ import annotations

from provenance.db import database_name, head_revision
from provenance.store.articles import (
    ArticleStore,
    PreparedArticle,
    PreparedParagraph,
    SaveOutcome,
    content_hash,
    text_hash,
)
from provenance.store.backup import BackupStore, Loading, Snapshot, TableShape, table_shapes
from provenance.store.chrome import ChromeStore
from provenance.store.errors import (
    CONNECTION_ERRORS,
    DATABASE_ERRORS,
    database_errors,
    retry_on_duplicate,
)
from provenance.store.facade import Store, StoreOrEngine
from provenance.store.fetching import FetchStore
from provenance.store.index import IndexJob, IndexStore
from provenance.store.links import LinkStore, _flag_key
from provenance.store.patches import _PATCH_SECONDS, _patch, apply_patch
from provenance.store.queue import JOB_STATUSES, Claimed, Outcome, QueueStore
from provenance.store.reviews import EventRow, GroupState, NewGroup, Reflagged, ReviewStore
from provenance.store.sql import is_translation
from provenance.store.stories import (
    ALIGNED_LINKS,
    STORY_FILTERS,
    STORY_SORTS,
    StoryFacts,
    StoryRow,
    StoryStore,
    _verification,
)
from provenance.store.views import (
    AlignedPair,
    ArticleDetail,
    ArticleSummary,
    FlagView,
    GroupView,
    LinkView,
    ParagraphView,
    RevisionView,
)
from provenance.verification import UNVERIFIED_REASONS

__all__ = [
    "ALIGNED_LINKS",
    "CONNECTION_ERRORS",
    "DATABASE_ERRORS",
    "JOB_STATUSES",
    "STORY_FILTERS",
    "STORY_SORTS",
    "UNVERIFIED_REASONS",
    "_PATCH_SECONDS",
    "AlignedPair",
    "ArticleDetail",
    "ArticleStore",
    "ArticleSummary",
    "BackupStore",
    "ChromeStore",
    "Claimed",
    "EventRow",
    "FetchStore",
    "FlagView",
    "GroupState",
    "GroupView",
    "IndexJob",
    "IndexStore",
    "LinkStore",
    "LinkView",
    "Loading",
    "NewGroup",
    "Outcome",
    "ParagraphView",
    "PreparedArticle",
    "PreparedParagraph",
    "QueueStore",
    "Reflagged",
    "ReviewStore",
    "RevisionView",
    "SaveOutcome",
    "Snapshot",
    "Store",
    "StoreOrEngine",
    "StoryFacts",
    "StoryRow",
    "StoryStore",
    "TableShape",
    "_flag_key",
    "_patch",
    "_verification",
    "apply_patch",
    "content_hash",
    "database_errors",
    "database_name",
    "head_revision",
    "is_translation",
    "retry_on_duplicate",
    "table_shapes",
    "text_hash",
]
