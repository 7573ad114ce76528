"""A command killed half-way (SIGKILL: no cleanup runs) loses nothing: the file passes its
integrity check, a re-run finishes the work, and the result equals a run never killed.
(Linking killed during its parallel index build: tests/test_index_integrity.py.)"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from provenance.eval import load_pairs
from tests.conftest import FIXTURES

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

ARTICLES = 600


def _provenance(path: Path, *args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "provenance"), "--db", f"sqlite:///{path}", *args]


def _rows(path: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return [tuple(row) for row in conn.execute(query).fetchall()]


def _count(path: Path, table: str) -> int:
    try:
        return int(_rows(path, f"SELECT count(*) FROM {table}")[0][0])
    except sqlite3.Error:  # not created yet
        return 0


def _kill_when(command: list[str], path: Path, table: str, at_least: int) -> None:
    """Start ``command`` and SIGKILL it once ``table`` holds ``at_least`` rows (or at once
    when it has finished first)."""
    run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while run.poll() is None and time.monotonic() < deadline:
        if _count(path, table) >= at_least:
            break
        time.sleep(0.005)
    if run.poll() is None:
        os.kill(run.pid, signal.SIGKILL)
    run.wait()


def _sound(path: Path) -> None:
    assert _rows(path, "PRAGMA integrity_check") == [("ok",)]
    assert _rows(path, "PRAGMA foreign_key_check") == []


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """600 articles in one JSONL file, recombined from the fixture pairs' paragraphs."""
    folder = tmp_path_factory.mktemp("batch")
    pool = [p for pair in load_pairs([FIXTURES / "pairs"]) for p in pair.original.paragraphs]
    rng = random.Random(11)
    with open(folder / "articles.jsonl", "w", encoding="utf-8") as out:
        for n in range(ARTICLES):
            paragraphs = rng.sample(pool, rng.randint(3, 8))
            record = {
                "url": f"https://ar.example.net/{n}",
                "lang": "ar",
                "outlet": "Syria TV",
                "published": f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00+03:00",
                "title": paragraphs[0][:60],
                "paragraphs": paragraphs,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return folder / "articles.jsonl"


ARTICLE_ROWS = (
    "SELECT a.url, a.title, a.lang, count(r.id) FROM article a JOIN revision r"
    " ON r.article_id = a.id GROUP BY a.id ORDER BY a.url"
)


@pytest.mark.parametrize("at", [1, 150, 450])
def test_ingest_killed_half_way(batch: Path, tmp_path: Path, at: int) -> None:
    clean, killed = tmp_path / "clean.db", tmp_path / "killed.db"
    subprocess.run(_provenance(clean, "ingest", str(batch)), check=True, capture_output=True)
    _kill_when(_provenance(killed, "ingest", str(batch)), killed, "article", at)
    _sound(killed)
    assert _count(killed, "article") < ARTICLES  # it did die half-way
    subprocess.run(_provenance(killed, "ingest", str(batch)), check=True, capture_output=True)
    _sound(killed)
    assert _rows(killed, ARTICLE_ROWS) == _rows(clean, ARTICLE_ROWS)
    paragraphs = "SELECT count(*), sum(length(text)) FROM paragraph"
    assert _rows(killed, paragraphs) == _rows(clean, paragraphs)


GROUP_ROWS = (
    "SELECT t.url, g.position, g.translation, g.original, g.kind FROM alignmentgroup g"
    " JOIN link l ON l.id = g.link_id JOIN article t ON t.id = l.translation_id"
    " WHERE g.active ORDER BY t.url, g.position, g.translation, g.original"
)
FLAG_ROWS = (
    "SELECT t.url, f.kind, f.status FROM flag f JOIN link l ON l.id = f.link_id"
    " JOIN article t ON t.id = l.translation_id ORDER BY t.url, f.kind, f.status"
)


@pytest.mark.parametrize("at", [1, 40, 120])
def test_align_killed_half_way(linked_db_path: Path, tmp_path: Path, at: int) -> None:
    """``align --all`` from a linked database: killed once it has stored some groups."""
    import shutil

    clean, killed = tmp_path / "clean.db", tmp_path / "killed.db"
    for path in (clean, killed):
        shutil.copy(linked_db_path, path)
        with sqlite3.connect(path) as conn:  # undo the template's alignment: align from scratch
            conn.execute("DELETE FROM flag")
            conn.execute("DELETE FROM alignmentgroup")
            conn.execute(
                "UPDATE link SET translation_revision_id = NULL, original_revision_id = NULL"
            )
    align = ("align", "--all", "--no-semantic")
    subprocess.run(_provenance(clean, *align), check=True, capture_output=True)
    assert _count(clean, "alignmentgroup") > at
    _kill_when(_provenance(killed, *align), killed, "alignmentgroup", at)
    _sound(killed)
    subprocess.run(_provenance(killed, *align), check=True, capture_output=True)
    _sound(killed)
    assert _rows(killed, GROUP_ROWS) == _rows(clean, GROUP_ROWS)
    assert _rows(killed, FLAG_ROWS) == _rows(clean, FLAG_ROWS)


# -- the same kills on PostgreSQL -----------------------------------------------------------


def _pg_rows(url: str, query: str) -> list[tuple[object, ...]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = [tuple(row) for row in conn.execute(text(query)).all()]
    finally:
        engine.dispose()
    return sorted(tuple(json.dumps(v) if isinstance(v, list) else v for v in r) for r in rows)


def _sqlite_rows(path: Path, query: str) -> list[tuple[object, ...]]:
    return sorted(
        tuple(json.dumps(json.loads(v)) if isinstance(v, str) and v.startswith("[") else v
              for v in row)
        for row in _rows(path, query)
    )  # fmt: skip


def _pg_kill_when(url: str, args: tuple[str, ...], table: str, at_least: int) -> None:
    command = [str(Path(sys.executable).parent / "provenance"), "--db", url, *args]
    run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while run.poll() is None and time.monotonic() < deadline:
        if _pg_rows(url, f"SELECT count(*) FROM {table}")[0][0] >= at_least:  # type: ignore[operator]
            break
        time.sleep(0.01)
    if run.poll() is None:
        os.kill(run.pid, signal.SIGKILL)
    run.wait()


def _run(db: str, *args: str) -> None:
    command = [str(Path(sys.executable).parent / "provenance"), "--db", db, *args]
    subprocess.run(command, check=True, capture_output=True)


PG_ORPHANS = (
    "SELECT (SELECT count(*) FROM article a WHERE a.current_revision_id IS NULL"
    "   OR NOT EXISTS (SELECT 1 FROM revision r WHERE r.article_id = a.id)),"
    " (SELECT count(*) FROM revision r WHERE NOT EXISTS"
    "   (SELECT 1 FROM paragraph p WHERE p.revision_id = r.id))"
)


@pytest.mark.postgres
@pytest.mark.parametrize("at", [1, 300])
def test_ingest_killed_half_way_on_postgresql(
    batch: Path, tmp_path: Path, pg_url: str, at: int
) -> None:
    """On PostgreSQL: no article without its revision and paragraphs, and a re-run stores what
    a SQLite run never killed stores."""
    clean = tmp_path / "clean.db"
    _run(f"sqlite:///{clean}", "ingest", str(batch))
    _run(pg_url, "init")
    _pg_kill_when(pg_url, ("ingest", str(batch)), "article", at)
    assert _pg_rows(pg_url, PG_ORPHANS) == [(0, 0)]
    _run(pg_url, "ingest", str(batch))
    assert _pg_rows(pg_url, ARTICLE_ROWS) == _sqlite_rows(clean, ARTICLE_ROWS)


PG_GROUP_ROWS = (
    "SELECT t.url, g.position, g.translation::text, g.original::text, g.kind FROM alignmentgroup g"
    " JOIN link l ON l.id = g.link_id JOIN article t ON t.id = l.translation_id WHERE g.active"
)


@pytest.mark.postgres
@pytest.mark.parametrize("at", [1, 80])
def test_align_killed_half_way_on_postgresql(tmp_path: Path, pg_url: str, at: int) -> None:
    clean = f"sqlite:///{tmp_path / 'clean.db'}"
    for db in (clean, pg_url):
        _run(db, "ingest", str(FIXTURES / "pairs"))
        _run(db, "link", "--all", "--no-semantic")
    _run(clean, "align", "--all", "--no-semantic")
    _pg_kill_when(pg_url, ("align", "--all", "--no-semantic"), "alignmentgroup", at)
    _run(pg_url, "align", "--all", "--no-semantic")
    groups = _pg_rows(pg_url, PG_GROUP_ROWS)
    expected = _sqlite_rows(tmp_path / "clean.db", GROUP_ROWS)
    assert [(u, p, json.loads(t), json.loads(o), k) for u, p, t, o, k in groups] == [
        (u, p, json.loads(t), json.loads(o), k)
        for u, p, t, o, k in expected  # type: ignore[arg-type]
    ]
    assert _pg_rows(pg_url, FLAG_ROWS) == _sqlite_rows(tmp_path / "clean.db", FLAG_ROWS)
