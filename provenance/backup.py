"""Dump a database to JSON Lines, and load such a dump into an empty database.

``export`` (PROV, JSON-LD) carries no text and cannot be read back; a newsroom needs a backup
it can restore, and a way to move from its SQLite file to a shared PostgreSQL server. A dump
holds every row of every table (review events, decisions and revision history included) with
its ids, so every reference comes back as it was, on either kind of database.

One JSON object per line, UTF-8::

    {"format": "provenance-dump", "format_version": 1, "schema": "0008", ...}   the header
    {"table": "outlet", "row": {"id": 1, "name": "Enab Baladi", ...}}          one per row
    {"end": {"outlet": 3, "article": 120, ...}}                                the row counts

Tables come in foreign-key order (parents first); datetimes are ISO 8601 in UTC, bytes are
base64, JSON columns are JSON. The schema is the Alembic revision: a dump loads only into
the schema it was written from. The last line lets ``load`` refuse a dump that was cut short.
Both directions stream in batches, so memory stays flat however large the database is.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

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
from provenance import __version__, db
from provenance.errors import ConfigError, DatabaseError, InputError
from provenance.store import Store

FORMAT = "provenance-dump"
FORMAT_VERSION = 1
BATCH_ROWS = 1000
"""Rows read or written per round trip: the only rows held in memory at once."""

SEEDED_BY_SCHEMA = ("indexstate",)
"""Tables whose rows the migrations themselves write: a new database holds them and is still
empty; ``load`` replaces them with the dump's."""

Codec = Callable[[Any], Any]


def tables() -> list[Table]:
    """Every table of the schema, parents before the tables that refer to them."""
    return list(SQLModel.metadata.sorted_tables)


# -- values -------------------------------------------------------------------------------


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


def _utc(value: datetime) -> datetime:
    """Stored datetimes are UTC; one without an offset is UTC as well."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _encode_datetime(value: datetime | None) -> str | None:
    return None if value is None else _utc(value).isoformat()


def _decode_datetime(value: str | None) -> datetime | None:
    return None if value is None else _utc(datetime.fromisoformat(value))


def _encode_bytes(value: bytes | None) -> str | None:
    return None if value is None else base64.b64encode(value).decode("ascii")


def _decode_bytes(value: str | None) -> bytes | None:
    return None if value is None else base64.b64decode(value, validate=True)


def _same(value: Any) -> Any:
    return value


def _codecs(table: Table, *, decode: bool) -> dict[str, Codec]:
    """Per column, how a value becomes JSON (or comes back from it): only datetimes and bytes
    need more than JSON itself."""
    found: dict[str, Codec] = {}
    for column in table.columns:
        kind = _python_type(column)
        if kind is datetime:
            found[column.name] = _decode_datetime if decode else _encode_datetime
        elif kind is bytes:
            found[column.name] = _decode_bytes if decode else _encode_bytes
        else:
            found[column.name] = _same
    return found


def _line(record: dict[str, Any]) -> bytes:
    """One JSON line in UTF-8; a lone surrogate (never valid UTF-8) is written escaped."""
    try:
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        return json.dumps(record, separators=(",", ":")).encode("ascii") + b"\n"


# -- dump ---------------------------------------------------------------------------------


def _engine(target: Store | Engine) -> Engine:
    return target.engine if isinstance(target, Store) else target


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction over every table, so that rows written while the dump runs never
    leave a child without its parent (a dump taken while reviewers work still loads)."""
    if engine.dialect.name == "postgresql":
        options = {"isolation_level": "REPEATABLE READ"}
        with engine.connect().execution_options(**options) as conn, conn.begin():
            yield conn
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("BEGIN")  # the driver opens no transaction for reads by itself
        try:
            yield conn
        finally:
            conn.rollback()


def dump(source: Store | Engine, out: IO[bytes], *, batch_rows: int = BATCH_ROWS) -> dict[str, int]:
    """Write every row of every table to ``out`` as JSON Lines; returns the rows per table."""
    engine = _engine(source)
    schema = db.current_revision(engine)
    if schema != db.head_revision():
        raise ConfigError(
            f"database {db.database_name(engine.url)} has schema {schema}, not "
            f"{db.head_revision()}: open it once with `provenance init` to upgrade it"
        )
    names = [table.name for table in tables()]
    counts = dict.fromkeys(names, 0)
    header = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "schema": schema,
        "provenance": __version__, "created_at": datetime.now(UTC).isoformat(),
        "database": engine.dialect.name, "tables": names,
    }  # fmt: skip
    out.write(_line(header))
    with _snapshot(engine) as conn:
        for table in tables():
            counts[table.name] = _dump_table(conn, table, out, batch_rows)
    out.write(_line({"end": counts}))
    out.flush()
    return counts


def _dump_table(conn: Connection, table: Table, out: IO[bytes], batch_rows: int) -> int:
    """Stream one table in primary-key order, ``batch_rows`` rows at a time."""
    codecs = _codecs(table, decode=False)
    names = [column.name for column in table.columns]
    query = select(table).order_by(*table.primary_key.columns)
    result = conn.execution_options(yield_per=batch_rows).execute(query)
    count = 0
    for rows in result.partitions(batch_rows):
        for row in rows:
            values = {name: codecs[name](value) for name, value in zip(names, row, strict=True)}
            out.write(_line({"table": table.name, "row": values}))
        count += len(rows)
    return count


# -- load ---------------------------------------------------------------------------------


def _records(stream: IO[bytes], name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The dump's lines as objects with their line numbers; blank lines are skipped."""
    lineno = 0
    try:
        for lineno, raw in enumerate(stream, 1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except (ValueError, RecursionError) as error:
                raise InputError(
                    f"{name}:{lineno}", f"not a line of a provenance dump ({error})"
                ) from None
            if not isinstance(record, dict):
                raise InputError(
                    f"{name}:{lineno}", "not a line of a provenance dump (not an object)"
                )
            yield lineno, record
    except (OSError, EOFError) as error:  # a broken gzip stream, a read error
        raise InputError(f"{name}:{lineno + 1}", f"cannot be read ({error})") from None


def read_header(records: Iterator[tuple[int, dict[str, Any]]], name: str) -> dict[str, Any]:
    """The first line, checked: a provenance dump, of a format and schema this version loads."""
    first = next(records, None)
    if first is None:
        raise InputError(name, "is empty: not a provenance dump")
    lineno, header = first
    where = f"{name}:{lineno}"
    if header.get("format") != FORMAT:
        raise InputError(
            where, f'not a provenance dump (its first line has no "format": "{FORMAT}")'
        )
    if header.get("format_version") != FORMAT_VERSION:
        raise InputError(
            where, f"dump format {header.get('format_version')!r}, and this version of provenance "
            f"reads format {FORMAT_VERSION} only",
        )  # fmt: skip
    if header.get("schema") != db.head_revision():
        raise InputError(
            where, f"a dump of schema {header.get('schema')!r} (provenance "
            f"{header.get('provenance')}), and this version loads schema {db.head_revision()} "
            "only: load it with the version that wrote it; this version upgrades that database",
        )  # fmt: skip
    return header


def _rows_in(conn: Connection, name: str) -> bool:
    query: Any = select(literal_column("1")).select_from(table_clause(name)).limit(1)
    return conn.execute(query).first() is not None


def require_empty(engine: Engine) -> None:
    """Refuse a database that holds any row (other than the ones the schema itself writes):
    a load never mixes a dump with rows that are already there."""
    with engine.connect() as conn:
        for name in sorted(inspect(conn).get_table_names()):
            if name in ("alembic_version", *SEEDED_BY_SCHEMA):
                continue
            if _rows_in(conn, name):
                raise DatabaseError(
                    f"database {db.database_name(engine.url)} is not empty (table {name} has "
                    "rows): load a dump only into a new, empty database"
                )


def load(
    target: Store | Engine,
    stream: IO[bytes],
    *,
    name: str = "<stdin>",
    batch_rows: int = BATCH_ROWS,
) -> dict[str, int]:
    """Load the dump in ``stream`` (called ``name`` in messages) into an empty database, in one
    transaction: on any error nothing is loaded. Returns the rows per table."""
    engine = _engine(target)
    records = _records(stream, name)
    read_header(records, name)  # before the database is touched: a wrong file changes nothing
    try:
        require_empty(engine)
        db.upgrade(engine)
    except SQLAlchemyError as error:
        raise db.database_error(error, engine.url) from None
    loader = _Loader(engine, name, batch_rows)
    with engine.begin() as conn:
        for seeded in SEEDED_BY_SCHEMA:
            conn.execute(SQLModel.metadata.tables[seeded].delete())
        counts = loader.run(conn, records)
        if engine.dialect.name == "postgresql":
            _reset_sequences(conn)
    return counts


class _Loader:
    """Reads the row lines in order and inserts them a batch at a time."""

    def __init__(self, engine: Engine, name: str, batch_rows: int) -> None:
        self.engine = engine
        self.name = name
        self.batch_rows = batch_rows
        self.order = {table.name: index for index, table in enumerate(tables())}
        self.codecs = {table.name: _codecs(table, decode=True) for table in tables()}
        self.counts = dict.fromkeys(self.order, 0)

    def run(
        self, conn: Connection, records: Iterator[tuple[int, dict[str, Any]]]
    ) -> dict[str, int]:
        table: Table | None = None
        batch: list[dict[str, Any]] = []
        first_line = 0
        for lineno, record in records:
            if "end" in record:
                self._flush(conn, table, batch, first_line, lineno - 1)
                self._check_end(lineno, record["end"], records)
                return self.counts
            row_table = self._table_of(lineno, record, table)
            if row_table is not table or len(batch) >= self.batch_rows:
                self._flush(conn, table, batch, first_line, lineno - 1)
                table, batch, first_line = row_table, [], lineno
            batch.append(self._decode(lineno, row_table, record.get("row")))
        raise InputError(
            self.name, "ends before its last line (the dump was cut short): nothing was loaded"
        )

    def _table_of(self, lineno: int, record: dict[str, Any], current: Table | None) -> Table:
        name = record.get("table")
        if not isinstance(name, str) or name not in self.order:
            raise InputError(
                f"{self.name}:{lineno}", f"no table {name!r} in schema {db.head_revision()}"
            )
        if current is not None and self.order[name] < self.order[current.name]:
            raise InputError(
                f"{self.name}:{lineno}",
                f"a row of table {name} after the rows of table {current.name} (the dump's "
                "tables come parents first)",
            )
        return SQLModel.metadata.tables[name]

    def _decode(self, lineno: int, table: Table, row: Any) -> dict[str, Any]:
        where = f"{self.name}:{lineno}"
        if not isinstance(row, dict):
            raise InputError(where, f'a line of table {table.name} without its "row" object')
        codecs = self.codecs[table.name]
        if set(row) != set(codecs):
            unknown = sorted(set(row) - set(codecs))
            missing = sorted(set(codecs) - set(row))
            what = f"has no column {unknown[0]!r}" if unknown else f"lacks column {missing[0]!r}"
            raise InputError(where, f"table {table.name} {what}")
        try:
            return {column: codecs[column](value) for column, value in row.items()}
        except (TypeError, ValueError) as error:
            raise InputError(
                where, f"table {table.name}: a value cannot be read ({error})"
            ) from None

    def _flush(
        self,
        conn: Connection,
        table: Table | None,
        batch: list[dict[str, Any]],
        first: int,
        last: int,
    ) -> None:
        if table is None or not batch:
            return
        try:
            conn.execute(table.insert(), batch)
        except (SQLAlchemyError, ValueError) as error:  # ValueError: text the driver cannot store
            cause = str(db.database_error(error, self.engine.url))
            raise DatabaseError(
                f"{self.name}:{first}-{last}: rows of table {table.name}: {cause}"
            ) from None
        self.counts[table.name] += len(batch)

    def _check_end(
        self, lineno: int, expected: Any, records: Iterator[tuple[int, dict[str, Any]]]
    ) -> None:
        """The last line's counts must be the rows read, and nothing may follow it."""
        if expected != self.counts:
            wrong = next((t for t in self.counts if (expected or {}).get(t) != self.counts[t]), "?")
            said = expected.get(wrong) if isinstance(expected, dict) else None
            raise InputError(
                f"{self.name}:{lineno}",
                f"the dump says {said} rows of table {wrong} and holds {self.counts.get(wrong)}: "
                "nothing was loaded",
            )
        extra = next(records, None)
        if extra is not None:
            raise InputError(f"{self.name}:{extra[0]}", "a line after the dump's last line")


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


# -- files --------------------------------------------------------------------------------


@contextmanager
def open_output(path: Path | None) -> Iterator[IO[bytes]]:
    """Standard output, or ``path`` (gzip when it ends in .gz) written beside it first and
    renamed when complete, so that a failed dump never replaces a good backup."""
    if path is None:
        yield sys.stdout.buffer
        return
    part = path.with_name(f".{path.name}.part")
    try:
        with open(part, "wb") as raw:
            stream: Any = (
                gzip.GzipFile(fileobj=raw, mode="wb", filename="") if path.suffix == ".gz" else raw
            )
            with stream:
                yield stream
        os.replace(part, path)
    except OSError as error:
        raise ConfigError(f"{path}: cannot write ({error.strerror or error})") from None
    finally:
        part.unlink(missing_ok=True)


@contextmanager
def open_input(path: Path) -> Iterator[IO[bytes]]:
    """``path``, or standard input for ``-``; gzip is recognised by its first bytes."""
    try:
        raw: Any = sys.stdin.buffer if str(path) == "-" else open(path, "rb")  # noqa: SIM115
    except OSError as error:
        raise InputError(str(path), f"cannot be read ({error.strerror or error})") from None
    stream: Any = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
    try:
        if stream.peek(2)[:2] == b"\x1f\x8b":
            stream = gzip.GzipFile(fileobj=stream, mode="rb")
        yield stream
    finally:
        if raw is not sys.stdin.buffer:
            raw.close()
