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

This module is the file format; the rows are read and written by the store
(provenance/store/backup.py: one read transaction for a dump, one write transaction for a load).
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

from provenance import __version__
from provenance.errors import ConfigError, DatabaseError, InputError
from provenance.store import (
    Loading,
    Snapshot,
    Store,
    StoreOrEngine,
    TableShape,
    head_revision,
    table_shapes,
)

FORMAT = "provenance-dump"
FORMAT_VERSION = 1
BATCH_ROWS = 1000
"""Rows read or written per round trip: the only rows held in memory at once."""

Codec = Callable[[Any], Any]


# -- values -------------------------------------------------------------------------------


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


def _codecs(table: TableShape, *, decode: bool) -> dict[str, Codec]:
    """Per column, how a value becomes JSON (or comes back from it): only datetimes and bytes
    need more than JSON itself."""
    found: dict[str, Codec] = {}
    for column in table.columns:
        if column in table.datetimes:
            found[column] = _decode_datetime if decode else _encode_datetime
        elif column in table.binaries:
            found[column] = _decode_bytes if decode else _encode_bytes
        else:
            found[column] = _same
    return found


def _line(record: dict[str, Any]) -> bytes:
    """One JSON line in UTF-8; a lone surrogate (never valid UTF-8) is written escaped."""
    try:
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        return json.dumps(record, separators=(",", ":")).encode("ascii") + b"\n"


# -- dump ---------------------------------------------------------------------------------


def dump(source: StoreOrEngine, out: IO[bytes], *, batch_rows: int = BATCH_ROWS) -> dict[str, int]:
    """Write every row of every table to ``out`` as JSON Lines; returns the rows per table."""
    store = Store.of(source)
    schema = store.schema_revision()
    if schema != head_revision():
        raise ConfigError(
            f"database {store.database_name()} has schema {schema}, not "
            f"{head_revision()}: open it once with `provenance init` to upgrade it"
        )
    shapes = table_shapes()
    counts = dict.fromkeys((table.name for table in shapes), 0)
    header = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "schema": schema,
        "provenance": __version__, "created_at": datetime.now(UTC).isoformat(),
        "database": store.dialect(), "tables": list(counts),
    }  # fmt: skip
    out.write(_line(header))
    with store.snapshot() as snapshot:
        for table in shapes:
            counts[table.name] = _dump_table(snapshot, table, out, batch_rows)
    out.write(_line({"end": counts}))
    out.flush()
    return counts


def _dump_table(snapshot: Snapshot, table: TableShape, out: IO[bytes], batch_rows: int) -> int:
    """Stream one table in primary-key order, ``batch_rows`` rows at a time."""
    codecs = _codecs(table, decode=False)
    count = 0
    for rows in snapshot.rows(table.name, batch_rows):
        for row in rows:
            values = {
                name: codecs[name](value) for name, value in zip(table.columns, row, strict=True)
            }
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
    if header.get("schema") != head_revision():
        raise InputError(
            where, f"a dump of schema {header.get('schema')!r} (provenance "
            f"{header.get('provenance')}), and this version loads schema {head_revision()} "
            "only: load it with the version that wrote it; this version upgrades that database",
        )  # fmt: skip
    return header


def load(
    target: StoreOrEngine,
    stream: IO[bytes],
    *,
    name: str = "<stdin>",
    batch_rows: int = BATCH_ROWS,
) -> dict[str, int]:
    """Load the dump in ``stream`` (called ``name`` in messages) into an empty database, in one
    transaction: on any error nothing is loaded. Returns the rows per table."""
    store = Store.of(target)
    records = _records(stream, name)
    read_header(records, name)  # before the database is touched: a wrong file changes nothing
    store.prepare_load()
    loader = _Loader(name, batch_rows)
    with store.loading() as into:
        return loader.run(into, records)


class _Loader:
    """Reads the row lines in order and inserts them a batch at a time."""

    def __init__(self, name: str, batch_rows: int) -> None:
        self.name = name
        self.batch_rows = batch_rows
        self.tables = {table.name: table for table in table_shapes()}
        self.order = {table: index for index, table in enumerate(self.tables)}
        self.codecs = {table.name: _codecs(table, decode=True) for table in self.tables.values()}
        self.counts = dict.fromkeys(self.order, 0)

    def run(self, into: Loading, records: Iterator[tuple[int, dict[str, Any]]]) -> dict[str, int]:
        table: TableShape | None = None
        batch: list[dict[str, Any]] = []
        first_line = 0
        for lineno, record in records:
            if "end" in record:
                self._flush(into, table, batch, first_line, lineno - 1)
                self._check_end(lineno, record["end"], records)
                return self.counts
            row_table = self._table_of(lineno, record, table)
            if row_table is not table or len(batch) >= self.batch_rows:
                self._flush(into, table, batch, first_line, lineno - 1)
                table, batch, first_line = row_table, [], lineno
            batch.append(self._decode(lineno, row_table, record.get("row")))
        raise InputError(
            self.name, "ends before its last line (the dump was cut short): nothing was loaded"
        )

    def _table_of(
        self, lineno: int, record: dict[str, Any], current: TableShape | None
    ) -> TableShape:
        name = record.get("table")
        if not isinstance(name, str) or name not in self.order:
            raise InputError(
                f"{self.name}:{lineno}", f"no table {name!r} in schema {head_revision()}"
            )
        if current is not None and self.order[name] < self.order[current.name]:
            raise InputError(
                f"{self.name}:{lineno}",
                f"a row of table {name} after the rows of table {current.name} (the dump's "
                "tables come parents first)",
            )
        return self.tables[name]

    def _decode(self, lineno: int, table: TableShape, row: Any) -> dict[str, Any]:
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
        into: Loading,
        table: TableShape | None,
        batch: list[dict[str, Any]],
        first: int,
        last: int,
    ) -> None:
        if table is None or not batch:
            return
        try:
            into.insert(table.name, batch)
        except DatabaseError as cause:
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
