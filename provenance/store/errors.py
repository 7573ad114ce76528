"""The database's errors in the library's words, so that no module outside the store has to
know SQLAlchemy's (or the SQLite driver's) exceptions to handle them."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, SQLAlchemyError

from provenance import db

T = TypeVar("T")

DATABASE_ERRORS: tuple[type[Exception], ...] = (SQLAlchemyError, sqlite3.Error)
"""Any error of the database or its driver, for a caller that must tell them from a record's."""
CONNECTION_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
"""The database itself failing (down, locked, read-only, full), not one statement."""


@contextmanager
def database_errors(url: str | Callable[[], str]) -> Iterator[None]:
    """Any error of the database on ``url`` (down, locked, read-only, full) raised inside the
    block becomes one DatabaseError line naming it: the CLI prints that, never a traceback.
    ``url`` may be a function, asked only when an error comes: the CLI knows its ``--db``
    only once the command has begun."""
    try:
        yield
    except (SQLAlchemyError, sqlite3.Error) as error:
        raise db.database_error(error, url() if callable(url) else url) from None


def retry_on_duplicate(work: Callable[[], T], attempts: int = 3) -> T:
    """Run ``work`` again when another process stored the same row first (a unique key taken
    between reading and writing); the last attempt's error propagates."""
    for _ in range(attempts - 1):
        try:
            return work()
        except IntegrityError:
            continue
    return work()
