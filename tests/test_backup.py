"""`provenance dump` and `provenance load`: every row of every table comes back, on SQLite and
on PostgreSQL, and a load that cannot be whole is refused with one line and loads nothing.

The PostgreSQL round trip takes its server from PROVENANCE_TEST_PG_URL, as
tests/test_postgres.py does: skipped without it on a developer's machine, failed under CI=true.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine, make_url

from provenance import db
from provenance.audit import audit
from provenance.backup import dump, load
from provenance.cli import app
from provenance.formats import ArticleInput
from provenance.ingest import ingest_article
from provenance.review import Review
from provenance.store import Store
from provenance.store.backup import SEEDED_BY_SCHEMA, tables
from tests.conftest import CLI

pytestmark = pytest.mark.sqlite_only  # its sources are SQLite files; PostgreSQL is tested below

PG_URL = os.environ.get("PROVENANCE_TEST_PG_URL")


def _everything(store: Store) -> None:
    """Beyond the linked fixtures: reviewers' decisions and notes (one undone), a second
    revision of an article, and an embedding's bytes, so that every table holds rows."""
    link = store.links()[0]
    flags = store.flags(link_id=link.id)
    rania = Review(store, "rania")
    rania.confirm_link(link.id, note="checked against the Arabic — «مؤكد»")
    rania.accept_flag(flags[0].id, note="the number differs")
    rania.dismiss_flag(flags[1].id)
    rania.undo()
    story = ArticleInput(
        url="https://www.enabbaladi.net/archives/999001", lang="ar", title="عنوان",
        paragraphs=["قتل 12 مدنيًا في قصف على إدلب.", "وأصيب آخرون."],
    )  # fmt: skip
    ingest_article(store, story)
    ingest_article(store, replace(story, paragraphs=["قتل 15 مدنيًا في قصف على إدلب."]))
    vector = np.array([0.5, -1.25, 3.0e-8, np.float32(np.pi)], dtype="<f4")
    store.save_embeddings({"hash-of-a-paragraph": vector}, "test-model")
    from provenance.queue import enqueue

    enqueue(store.engine, "fetch", ["https://www.enabbaladi.net/archives/999002"])


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order, as the database hands them back."""
    with engine.connect() as conn:
        return {
            table.name: [
                tuple(row)
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in tables()
        }


@pytest.fixture(scope="module")
def source_path(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("backup") / "newsroom.db"
    shutil.copy(template_db, path)
    store = Store.open(f"sqlite:///{path}")
    _everything(store)
    store.close()
    return path


@pytest.fixture
def source(source_path: Path, tmp_path: Path) -> CLI:
    """A copy of the full database for one test."""
    path = tmp_path / "source.db"
    shutil.copy(source_path, path)
    return CLI(f"sqlite:///{path}")


@pytest.fixture
def source_rows(source_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    engine = db.make_engine(f"sqlite:///{source_path}")
    rows = _rows(engine)
    engine.dispose()
    assert all(rows.values()), {name: len(found) for name, found in rows.items()}
    return rows


def _rows_at(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = db.make_engine(url)
    try:
        return _rows(engine)
    finally:
        engine.dispose()


def test_sqlite_round_trip_keeps_every_row(
    source: CLI, source_rows: dict[str, Any], tmp_path: Path
) -> None:
    backup = tmp_path / "backup.jsonl"
    said = source("dump", "--out", str(backup)).stderr
    total = sum(map(len, source_rows.values()))
    assert f"dumped {total} rows of {len(source_rows)} tables" in said
    header = json.loads(backup.read_text("utf-8").splitlines()[0])
    assert header["schema"] == db.head_revision() and header["format"] == "provenance-dump"
    assert "«مؤكد»" in backup.read_text("utf-8")  # UTF-8 as is, not escaped

    restored = CLI(f"sqlite:///{tmp_path / 'restored.db'}")
    assert f"loaded {total} rows" in restored("load", str(backup)).stderr
    assert _rows_at(restored.db_url) == source_rows
    assert restored.json("audit") == source.json("audit")
    # the restored database goes on: the next decision gets the next id
    store = Store.open(restored.db_url)
    flag = store.flags(link_id=store.links()[0].id)[2]
    assert Review(store, "omar").accept_flag(flag.id) == len(source_rows["reviewevent"]) + 1
    store.close()


def test_small_batches_and_gzip_through_standard_input(
    source: CLI, source_rows: dict[str, Any], tmp_path: Path
) -> None:
    buffer = io.BytesIO()
    engine = db.make_engine(source.db_url)
    counts = dump(engine, buffer, batch_rows=3)
    engine.dispose()
    assert counts == {name: len(rows) for name, rows in source_rows.items()}
    target = db.make_engine(f"sqlite:///{tmp_path / 'small.db'}")
    assert load(target, io.BytesIO(buffer.getvalue()), batch_rows=2) == counts
    assert _rows(target) == source_rows
    target.dispose()

    restored = CLI(f"sqlite:///{tmp_path / 'piped.db'}")
    result = restored.runner.invoke(
        app,
        ["--db", restored.db_url, "load", "-"],
        input=gzip.compress(buffer.getvalue()),
    )
    assert result.exit_code == 0, result.stderr
    assert _rows_at(restored.db_url) == source_rows


def test_dump_to_gzip_and_to_standard_output(source: CLI, tmp_path: Path) -> None:
    piped = source("dump").stdout_bytes
    packed = tmp_path / "backup.jsonl.gz"
    source("dump", "--out", str(packed))
    unpacked = gzip.decompress(packed.read_bytes())
    assert (
        unpacked.splitlines()[1:] == piped.splitlines()[1:]
    )  # the same rows; the header's time differs
    assert json.loads(piped.splitlines()[-1])["end"]["reviewevent"] > 0
    assert not list(tmp_path.glob(".*.part"))  # written beside, then renamed


class _WritesDuringDump(io.BytesIO):
    """A dump's output that, once the dump has begun reading, has a reviewer's colleague
    ingest a new story (its article, revision and paragraphs) through another connection."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.lines = 0

    def write(self, data: Any) -> int:
        self.lines += 1
        if self.lines == 2:  # the first row: the dump's reads have started
            story = ArticleInput(
                url="https://www.enabbaladi.net/archives/999003", lang="ar", paragraphs=["نص."]
            )
            ingest_article(self.store, story)
        return super().write(data)


def test_a_dump_is_one_snapshot_while_others_write(
    source: CLI, source_rows: dict[str, Any]
) -> None:
    store = Store.open(source.db_url)
    out = _WritesDuringDump(store)
    counts = dump(store, out)
    assert counts == {name: len(rows) for name, rows in source_rows.items()}
    assert "999003" not in out.getvalue().decode("utf-8")
    assert store.summary()["articles"] == len(source_rows["article"]) + 1  # it was written
    store.close()


def _backup(source: CLI, tmp_path: Path) -> list[str]:
    path = tmp_path / "full.jsonl"
    source("dump", "--out", str(path))
    return path.read_text("utf-8").splitlines()


def _load_lines(tmp_path: Path, lines: list[str], target: str = "target.db") -> Any:
    path = tmp_path / "edited.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return CLI(f"sqlite:///{tmp_path / target}")("load", str(path), code=1)


def _row_line(lines: list[str], table: str) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith(f'{{"table":"{table}"'))


def _set_header(lines: list[str], **values: Any) -> list[str]:
    return [json.dumps({**json.loads(lines[0]), **values}), *lines[1:]]


def _rename_column(lines: list[str]) -> list[str]:
    i = _row_line(lines, "outlet")
    return [*lines[:i], lines[i].replace('"name":', '"nme":', 1), *lines[i + 1 :]]


def _bad_base64(lines: list[str]) -> list[str]:
    i = _row_line(lines, "embedding")
    record = json.loads(lines[i])
    record["row"]["vector"] = "not base64!"
    return [*lines[:i], json.dumps(record), *lines[i + 1 :]]


def _lone_surrogate(lines: list[str]) -> list[str]:
    i = _row_line(lines, "outlet")
    record = json.loads(lines[i])
    record["row"]["name"] = "Enab \udc80"
    return [*lines[:i], json.dumps(record), *lines[i + 1 :]]


def _child_first(lines: list[str]) -> list[str]:
    i = _row_line(lines, "flag")
    return [lines[0], lines[i], *lines[1:i], *lines[i + 1 :]]


def _dangling_reference(lines: list[str]) -> list[str]:
    i = _row_line(lines, "revision")
    record = json.loads(lines[i])
    record["row"]["article_id"] = 987654
    return [*lines[:i], json.dumps(record), *lines[i + 1 :]]


BROKEN = [
    ("cut short", lambda lines: lines[:-40], "edited.jsonl: ends before its last line (the dump was cut short): nothing was loaded"),
    ("not a dump", lambda lines: ['{"url": "https://x.org/1"}'], 'edited.jsonl:1: not a provenance dump (its first line has no "format": "provenance-dump")'),
    ("old schema", lambda lines: _set_header(lines, schema="0001", provenance="0.0.9"), "edited.jsonl:1: a dump of schema '0001' (provenance 0.0.9), and this version loads schema"),
    ("newer format", lambda lines: _set_header(lines, format_version=2), "edited.jsonl:1: dump format 2, and this version of provenance reads format 1 only"),
    ("not JSON", lambda lines: [*lines[:5], "{oops", *lines[6:]], "edited.jsonl:6: not a line of a provenance dump (Expecting property name"),
    ("unknown column", _rename_column, "table outlet has no column 'nme'"),
    ("bad bytes", _bad_base64, "table embedding: a value cannot be read"),
    ("wrong order", _child_first, "a row of table anchorstat after the rows of table flag"),
    ("dangling reference", _dangling_reference, "rows of table revision: database"),
    ("lone surrogate", _lone_surrogate, "rows of table outlet: database"),
    ("wrong count", lambda lines: [*lines[:-1], lines[-1].replace('"outlet":', '"outlet":1', 1)], "rows of table outlet and holds"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("edit", "expected"), [(e, m) for _, e, m in BROKEN], ids=[n for n, *_ in BROKEN]
)
def test_a_broken_dump_is_refused_in_one_line_and_loads_nothing(
    source: CLI, tmp_path: Path, edit: Any, expected: str
) -> None:
    lines = _backup(source, tmp_path)
    result = _load_lines(tmp_path, edit(lines))
    assert expected in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    target = tmp_path / "target.db"
    if target.exists():  # the schema may be there, and never a row but the schema's own
        left = _rows_at(f"sqlite:///{target}")
        assert not any(rows for name, rows in left.items() if name not in SEEDED_BY_SCHEMA)
        full = tmp_path / "full.jsonl"
        CLI(f"sqlite:///{target}")("load", str(full))  # and a whole dump then loads


def test_a_database_with_rows_is_refused(source: CLI, tmp_path: Path) -> None:
    backup = tmp_path / "backup.jsonl"
    source("dump", "--out", str(backup))
    before = _rows_at(source.db_url)
    result = source("load", str(backup), code=1)
    path = make_url(source.db_url).database
    assert result.stderr.strip() == (
        f"error: database {path} is not empty (table alignmentgroup has rows): load a dump "
        "only into a new, empty database"
    )
    assert _rows_at(source.db_url) == before
    missing = CLI(f"sqlite:///{tmp_path / 'new.db'}")("load", str(tmp_path / "nope.jsonl"), code=1)
    assert "nope.jsonl: cannot be read (No such file or directory)" in missing.stderr
    assert not (tmp_path / "new.db").exists()


# -- PostgreSQL -----------------------------------------------------------------------------


@pytest.fixture
def pg_url() -> Iterator[str]:
    """An emptied PostgreSQL database, its sessions in a time zone other than UTC (so that a
    datetime stored in local time would show)."""
    if not PG_URL:
        reason = "PROVENANCE_TEST_PG_URL is not set (no PostgreSQL server to test against)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    engine = db.make_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    url = make_url(PG_URL).update_query_dict({"options": "-c TimeZone=Asia/Damascus"})
    yield url.render_as_string(hide_password=False)


@pytest.mark.postgres
def test_sqlite_to_postgres_to_sqlite_keeps_every_row(
    source: CLI, source_rows: dict[str, Any], pg_url: str, tmp_path: Path
) -> None:
    first = tmp_path / "from-sqlite.jsonl.gz"
    source("dump", "--out", str(first))
    server = CLI(pg_url)
    server("load", str(first))
    assert _rows_at(pg_url) == source_rows
    second = tmp_path / "from-postgres.jsonl"
    assert "dumped" in server("dump", "--out", str(second)).stderr
    back = CLI(f"sqlite:///{tmp_path / 'back.db'}")
    back("load", str(second))
    assert _rows_at(back.db_url) == source_rows
    assert back.json("audit") == source.json("audit")

    refused = server("load", str(second), code=1)
    assert "is not empty (table alignmentgroup has rows)" in refused.stderr
    # the server's sequences were moved past the loaded ids: new rows do not collide
    store = Store.open(pg_url)
    assert [row.to_json() for row in audit(store)] == source.json("audit")
    flag = store.flags(link_id=store.links()[0].id)[2]
    assert Review(store, "omar").accept_flag(flag.id) == len(source_rows["reviewevent"]) + 1
    story = ArticleInput(
        url="https://www.enabbaladi.net/archives/999002", lang="ar", paragraphs=["نص جديد."]
    )
    assert ingest_article(store, story).article_id == max(r[0] for r in source_rows["article"]) + 1
    store.close()
