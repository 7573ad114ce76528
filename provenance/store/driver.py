"""The database driver's own cursor, for the few statements ingest runs for every article.

SQLAlchemy spends 60-150 µs around each statement it runs (the compiled statement from its
cache, a result object, a savepoint's bookkeeping); the driver runs one of ingest's in about
10. The statements here are plain SQL in the driver's parameter style, values go through the
columns' own types (so they are stored exactly as SQLAlchemy stores them), and the driver's
errors are raised as SQLAlchemy's (IntegrityError, OperationalError ...), so that callers tell
a bad record from a failing database just as they do for SQLAlchemy's own statements.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError

SAVEPOINT = "provenance_article"


class Driver:
    """The driver cursor of one SQLAlchemy connection, inside that connection's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.dialect: Dialect = conn.dialect
        self.qmark = self.dialect.paramstyle == "qmark"
        self.cursor: Any = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self._error: type[Exception] = self.dialect.loaded_dbapi.Error

    def sql(self, statement: str) -> str:
        """``statement`` written with ``?`` marks, in the driver's parameter style."""
        return statement if self.qmark else statement.replace("?", "%s")

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement (``?`` marks); the cursor, to fetch from."""
        statement = self.sql(statement)
        try:
            self.cursor.execute(statement, params)
        except self._error as error:
            raise self._wrapped(error, statement, params) from error
        return self.cursor

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        statement = self.sql(statement)
        try:
            self.cursor.executemany(statement, rows)
        except self._error as error:
            raise self._wrapped(error, statement, rows) from error

    def insert(self, table: Table, values: dict[str, Any]) -> int:
        """Insert one row of ``table`` (values already converted, see ``to_db``); its id."""
        names = ", ".join(f'"{name}"' for name in values)
        marks = ", ".join("?" * len(values))
        statement = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"
        if self.qmark:
            return int(self.execute(statement, tuple(values.values())).lastrowid)
        return int(self.execute(f"{statement} RETURNING id", tuple(values.values())).fetchone()[0])

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Many rows of plain text and numbers (values needing no conversion) in one call."""
        names = ", ".join(f'"{column}"' for column in columns)
        self.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows
        )

    def append_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Many new rows (values converted, see ``to_db``) at once: on PostgreSQL by COPY,
        which takes a million index postings in seconds where psycopg's executemany spends
        about 15 µs of Python on each; elsewhere as ``insert_rows``. A duplicate key fails
        the whole call, as it fails the executemany."""
        if self.qmark:
            self.insert_rows(table, columns, rows)
            return
        names = ", ".join(f'"{column}"' for column in columns)
        statement = f"COPY {table} ({names}) FROM STDIN"
        try:
            with self.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        except self._error as error:
            raise self._wrapped(error, statement, rows) from error

    def to_db(self, table: Table, values: dict[str, Any]) -> dict[str, Any]:
        """A row's values as SQLAlchemy binds them: converted by their columns' types (a date
        to SQLite's text), the others as they are."""
        convert = converters(table, self.dialect)
        return {
            name: convert[name](value) if name in convert else value
            for name, value in values.items()
        }

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A SAVEPOINT around the block: an error rolls back the block's writes only."""
        self.execute(f"SAVEPOINT {SAVEPOINT}")
        try:
            yield
        except BaseException:
            self.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
            self.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
            raise
        self.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")

    def _wrapped(self, error: Exception, statement: str, params: Any) -> BaseException:
        return DBAPIError.instance(statement, params, error, self._error, dialect=self.dialect)


@lru_cache(maxsize=64)
def converters(table: Table, dialect: Dialect) -> dict[str, Callable[[Any], Any]]:
    """The columns of ``table`` whose type converts a value for this dialect, and how."""
    found: dict[str, Callable[[Any], Any]] = {}
    for column in table.columns:
        processor = column.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            found[column.name] = processor
    return found
