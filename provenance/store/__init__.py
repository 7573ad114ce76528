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
- ``views.py``: the frozen views reads return; ``sql.py``: SQL helpers the aggregates share;
  ``patches.py``: revision patches.

Import from ``provenance.store``; the names below are its public API.
"""

from __future__ import annotations

from provenance.store.articles import (
    ArticleStore,
    PreparedArticle,
    PreparedParagraph,
    SaveOutcome,
    content_hash,
    text_hash,
)
from provenance.store.chrome import ChromeStore
from provenance.store.facade import Store
from provenance.store.fetching import FetchStore
from provenance.store.index import IndexJob, IndexStore
from provenance.store.links import LinkStore, _flag_key
from provenance.store.patches import _PATCH_SECONDS, _patch, apply_patch
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
    "STORY_FILTERS",
    "STORY_SORTS",
    "UNVERIFIED_REASONS",
    "_PATCH_SECONDS",
    "AlignedPair",
    "ArticleDetail",
    "ArticleStore",
    "ArticleSummary",
    "ChromeStore",
    "EventRow",
    "FetchStore",
    "FlagView",
    "GroupState",
    "GroupView",
    "IndexJob",
    "IndexStore",
    "LinkStore",
    "LinkView",
    "NewGroup",
    "ParagraphView",
    "PreparedArticle",
    "PreparedParagraph",
    "Reflagged",
    "ReviewStore",
    "RevisionView",
    "SaveOutcome",
    "Store",
    "StoryFacts",
    "StoryRow",
    "StoryStore",
    "_flag_key",
    "_patch",
    "_verification",
    "apply_patch",
    "content_hash",
    "is_translation",
    "text_hash",
]
