"""The unit of work: ``store.atomic()`` composes store calls into one transaction, as
sqlite-utils' ``db.atomic()`` does. The outermost block is the transaction; a block inside
it is a SAVEPOINT, so an error rolls back that block only and the outer one may go on.

Store methods that take part read and write through ``_reading()`` and ``atomic()``: inside
a unit they use its session (and see its writes), outside one each is a unit of its own."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from provenance import db


class UnitOfWork:
    """Mixin: the open unit of work of each thread (a store may be shared by a UI's workers,
    and a unit belongs to the thread that opened it)."""

    engine: Engine
    _units: threading.local

    def _open_unit(self) -> Session | None:
        return getattr(self._units, "session", None)

    @contextmanager
    def atomic(self) -> Iterator[Session]:
        """One unit of work: committed when the outermost block ends, rolled back on an error.
        Nested, a SAVEPOINT: an error inside rolls back that block only, and propagates."""
        session = self._open_unit()
        if session is not None:
            with session.begin_nested():
                yield session
            return
        with _plain_errors(self.engine), db.unit_scope(self.engine) as session:
            self._units.session = session
            try:
                yield session
            finally:
                self._units.session = None

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        """A session to read with: the open unit's (so a unit reads its own writes), else a
        session of its own."""
        session = self._open_unit()
        if session is not None:
            yield session
            return
        with _plain_errors(self.engine), Session(self.engine) as session:
            yield session


@contextmanager
def _plain_errors(engine: Engine) -> Iterator[None]:
    """A database that is locked, down, read-only or full raises one DatabaseError line
    naming it, for the review UI as for the CLI; a constraint error (a row another process
    stored first) stays itself, for the caller that retries."""
    try:
        yield
    except (OperationalError, sqlite3.OperationalError) as error:
        raise db.database_error(error, engine.url) from None
