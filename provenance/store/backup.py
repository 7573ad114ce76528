"""The whole database at once, for provenance/backup.py's dump and load, and the schema's facts
``provenance init`` shows (its revision, its tables).

The dump's file format (JSON Lines, how a datetime or bytes are written, the header and the
last line's counts) is backup.py's; this file says which tables and columns there are, and
reads and writes their rows: every row in one read transaction, or every row in one write.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    LargeBinary,
    Table,
    TypeDecorator,
    func,
    inspect,
    literal_column,
    select,
)
from sqlalchemy import table as table_clause
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

import provenance.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from provenance import db
from provenance.errors import DatabaseError

SEEDED_BY_SCHEMA = ("indexstate",)
"""Tables whose rows the migrations themselves write: a new database holds them and is still
empty; a load replaces them with the dump's."""


def tables() -> list[Table]:
    """Every table of the schema, parents before the tables that refer to them."""
    return list(SQLModel.metadata.sorted_tables)


@dataclass(frozen=True)
class TableShape:
    """A table as a dump sees it: its columns in order, and those whose values JSON cannot
    hold as they are (datetimes, bytes)."""

    name: str
    columns: tuple[str, ...]
    datetimes: frozenset[str]
    binaries: frozenset[str]


def _python_type(column: Any) -> type | None:
    """What a column holds, seen through type decorators (sqlmodel's UTC datetime)."""
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, DateTime):
        return datetime
    if isinstance(kind, LargeBinary):
        return bytes
    return None


def table_shapes() -> list[TableShape]:
    """Every table's shape, parents first (the order a dump writes and a load reads)."""
    return [
        TableShape(
            name=table.name,
            columns=tuple(column.name for column in table.columns),
            datetimes=frozenset(c.name for c in table.columns if _python_type(c) is datetime),
            binaries=frozenset(c.name for c in table.columns if _python_type(c) is bytes),
        )
        for table in tables()
    ]


class Snapshot:
    """Rows read inside one read transaction: every table as of the same moment."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def rows(self, table: str, batch_rows: int) -> Iterator[Sequence[Sequence[Any]]]:
        """The table's rows in primary-key order, ``batch_rows`` at a time (the only rows
        held in memory at once), each with its values in column order."""
        found = SQLModel.metadata.tables[table]
        query = select(found).order_by(*found.primary_key.columns)
        result = self._conn.execution_options(yield_per=batch_rows).execute(query)
        yield from result.partitions(batch_rows)


class Loading:
    """Rows written inside the load's one write transaction."""

    def __init__(self, conn: Connection, url: Any) -> None:
        self._conn = conn
        self._url = url

    def insert(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Insert ``rows`` (with their ids) into ``table``; a refusal is a DatabaseError
        saying why in one line."""
        try:
            self._conn.execute(SQLModel.metadata.tables[table].insert(), rows)
        except (SQLAlchemyError, ValueError) as error:  # ValueError: text the driver cannot store
            raise db.database_error(error, self._url) from None


def _rows_in(conn: Connection, name: str) -> bool:
    query: Any = select(literal_column("1")).select_from(table_clause(name)).limit(1)
    return conn.execute(query).first() is not None


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL hands out ids from sequences that the rows loaded with their ids did not
    advance: set each to the largest id, so that the next insert does not collide."""
    for table in tables():
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = func.pg_get_serial_sequence(table.name, column.name)
        top = func.max(column)
        conn.execute(select(func.setval(sequence, func.coalesce(top, 1), top.is_not(None))))


class BackupStore:
    """Mixin: the schema's facts, and every row at once (dump and load)."""

    engine: Engine

    def database_name(self) -> str:
        """How messages name this database (a SQLite file's path, a server's URL without
        its password)."""
        return db.database_name(self.engine.url)

    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def schema_revision(self) -> str | None:
        """The Alembic revision the database's schema is at (None: no provenance schema)."""
        return db.current_revision(self.engine)

    def table_names(self) -> list[str]:
        """The database's tables, Alembic's own included, sorted."""
        return db.table_names(self.engine)

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        """One read transaction over every table, so that rows written while a dump runs never
        leave a child without its parent (a dump taken while reviewers work still loads)."""
        if self.engine.dialect.name == "postgresql":
            options: dict[str, Any] = {"isolation_level": "REPEATABLE READ"}
            with self.engine.connect().execution_options(**options) as conn, conn.begin():
                yield Snapshot(conn)
            return
        with self.engine.connect() as conn:
            conn.exec_driver_sql("BEGIN")  # the driver opens no transaction for reads by itself
            try:
                yield Snapshot(conn)
            finally:
                conn.rollback()

    def require_empty(self) -> None:
        """Refuse a database that holds any row (other than the ones the schema itself
        writes): a load never mixes a dump with rows that are already there."""
        with self.engine.connect() as conn:
            for name in sorted(inspect(conn).get_table_names()):
                if name in ("alembic_version", *SEEDED_BY_SCHEMA):
                    continue
                if _rows_in(conn, name):
                    raise DatabaseError(
                        f"database {self.database_name()} is not empty (table {name} has "
                        "rows): load a dump only into a new, empty database"
                    )

    def prepare_load(self) -> None:
        """Make sure the database may take a load (empty, else a DatabaseError) and bring its
        schema to this version's; nothing is written to a database that holds rows."""
        try:
            self.require_empty()
            db.upgrade(self.engine)
        except SQLAlchemyError as error:
            raise db.database_error(error, self.engine.url) from None

    @contextmanager
    def loading(self) -> Iterator[Loading]:
        """The load's one write transaction: the rows the schema seeded are replaced by the
        dump's, and on any error nothing is loaded. On PostgreSQL the id sequences are moved
        past the loaded ids before it commits."""
        with self.engine.begin() as conn:
            for seeded in SEEDED_BY_SCHEMA:
                conn.execute(SQLModel.metadata.tables[seeded].delete())
            yield Loading(conn, self.engine.url)
            if self.engine.dialect.name == "postgresql":
                _reset_sequences(conn)
