"""provenance: link translated news to its originals, align paragraphs, flag what changed.

The public API: the stage functions and their result types. The CLI (``provenance.cli``)
and the review UI (``tui``) use only these names.
"""

from provenance.config import Settings, load_settings
from provenance.errors import (
    ConfigError,
    FetchError,
    InputError,
    MigrationError,
    NotFoundError,
    PairError,
    ProvenanceError,
)
from provenance.formats import ArticleInput, GoldPair, read_file
from provenance.ingest import IngestReport, ingest_article, ingest_paths, prepare_article
from provenance.store import ArticleDetail, ArticleSummary, Store

__version__ = "0.1.0"

__all__ = [
    "ArticleDetail",
    "ArticleInput",
    "ArticleSummary",
    "ConfigError",
    "FetchError",
    "GoldPair",
    "IngestReport",
    "InputError",
    "MigrationError",
    "NotFoundError",
    "PairError",
    "ProvenanceError",
    "Settings",
    "Store",
    "__version__",
    "ingest_article",
    "ingest_paths",
    "load_settings",
    "prepare_article",
    "read_file",
]
