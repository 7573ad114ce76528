"""The ``Store`` facade: one engine, composed of the aggregates' mixins, opened (and
migrated) with ``Store.open(url)``; ``store.atomic()`` (unit.py) composes its calls into one
unit of work."""

from __future__ import annotations

import threading

from sqlalchemy.engine import Engine

from provenance import db
from provenance.store.articles import ArticleStore
from provenance.store.backup import BackupStore
from provenance.store.fetching import FetchStore
from provenance.store.index import IndexStore
from provenance.store.links import LinkStore
from provenance.store.queue import QueueStore
from provenance.store.reviews import ReviewStore
from provenance.store.stories import StoryStore


class Store(
    ReviewStore, LinkStore, IndexStore, StoryStore, FetchStore, ArticleStore, QueueStore,
    BackupStore,
):  # fmt: skip
    """Persistence for provenance; build with ``Store.open(url)`` (migrates on open)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._units = threading.local()
        """The unit of work each thread has open (``atomic()``)."""
        self._outlet_ids: dict[str, int] = {}
        self._learnt: dict[int, set[str]] = {}
        """Learnt chrome keys by outlet id (ChromeStore), read once per outlet."""

    @classmethod
    def open(
        cls, url: str, busy_timeout_ms: int = 5000, *, create: bool = True, migrate: bool = True
    ) -> Store:
        """The store on ``url``, its schema upgraded to this version's. With ``create=False``
        (the commands that only read) a missing SQLite file or a database without the
        provenance schema is a ConfigError, and nothing is created. With ``migrate=False``
        (``load``, which first checks that the database is empty) the schema is left as is."""
        engine = db.make_engine(url, busy_timeout_ms, create=create)
        if not create:
            db.require_schema(engine)
        if migrate:
            db.upgrade(engine)
        return cls(engine)

    @classmethod
    def of(cls, target: Store | Engine) -> Store:
        """``target`` as a store: a store as it is, a library caller's engine wrapped as it
        is (not migrated; the caller still disposes of it)."""
        return target if isinstance(target, Store) else cls(target)

    def close(self) -> None:
        self.engine.dispose()


StoreOrEngine = Store | Engine
"""What the queue and backup functions take: a store, or an engine a library caller holds."""
