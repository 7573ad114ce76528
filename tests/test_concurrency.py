"""Several processes on one database, as a busy newsroom runs them: reviewers deciding the same
flags and links, ingests of overlapping URLs. Nothing is lost and no decision silently
replaces another, on SQLite and on PostgreSQL."""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from provenance.ingest import ingest_paths
from provenance.review import Review, StaleDecision
from provenance.store import Store
from tests.conftest import FIXTURES

PROCESSES = 4
FLAGS = 12
PAUSE = 0.05
"""How long a reviewer looks at a flag before deciding, as in the review UI."""


def _reviewer(url: str, name: str, flag_ids: list[int], ready: Any, out: Any) -> None:
    """Load the flags (as the review UI does on opening a story), then decide each one on
    what was read, pausing as a reader does; every reviewer loads before anyone decides."""
    store = Store.open(url)
    review = Review(store, name)
    loaded = {f.id: f.status for f in store.flags()}
    ready.wait(timeout=60)
    saved, refused = [], []
    for flag_id in flag_ids:
        seen = loaded[flag_id]
        time.sleep(PAUSE)
        decide = review.accept_flag if name.endswith(("0", "2")) else review.dismiss_flag
        try:
            decide(flag_id, seen=seen)
            saved.append(flag_id)
        except StaleDecision as error:
            refused.append((flag_id, str(error)))
    store.close()
    out.put((name, saved, refused))


def _race(url: str) -> None:
    store = Store.open(url)
    flag_ids = [f.id for f in store.flags() if f.status == "open"][:FLAGS]
    store.close()
    assert len(flag_ids) == FLAGS
    context = multiprocessing.get_context("spawn")
    out, ready = context.Queue(), context.Barrier(PROCESSES)
    workers = [
        context.Process(target=_reviewer, args=(url, f"reviewer{n}", flag_ids, ready, out))
        for n in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    results = [out.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    store = Store.open(url)
    status = {f.id: f.status for f in store.flags()}
    with store.engine.connect() as conn:
        events = conn.execute(
            text("SELECT target_id, reviewer, action FROM reviewevent WHERE target_type = 'flag'")
        ).all()
    store.close()
    saved = {}
    for name, ok, refused in results:
        for flag_id in ok:
            assert flag_id not in saved, f"flag {flag_id}: two decisions both said saved"
            saved[flag_id] = name
        for _flag_id, message in refused:
            assert "your decision was not saved" in message and " by reviewer" in message
    # every flag decided once, by the reviewer told it was saved, and that decision stands
    assert sorted(saved) == sorted(flag_ids)
    assert sorted(e.target_id for e in events) == sorted(flag_ids)
    for event in events:
        assert saved[event.target_id] == event.reviewer
        wanted = "accepted" if event.action == "accept_flag" else "dismissed"
        assert status[event.target_id] == wanted


def test_a_stale_decision_is_refused_and_names_the_other_reviewer(linked_db_url: str) -> None:
    store = Store.open(linked_db_url)
    flag = next(f for f in store.flags() if f.status == "open")
    link = store.links()[0]
    alice, bob = Review(store, "alice"), Review(store, "bob")
    alice.accept_flag(flag.id, seen="open")
    with pytest.raises(
        StaleDecision, match=r"was open when you read it and is now accepted by alice"
    ):
        bob.dismiss_flag(flag.id, seen="open")
    assert next(f.status for f in store.flags() if f.id == flag.id) == "accepted"
    bob.dismiss_flag(flag.id, seen="accepted")  # having reloaded, bob may overrule
    alice.reject_link(link.id, seen=link.status)
    with pytest.raises(StaleDecision, match="now rejected by alice"):
        bob.confirm_link(link.id, seen=link.status)
    store.close()


def test_reviewers_deciding_at_once(linked_db_url: str) -> None:
    _race(linked_db_url)


@pytest.mark.postgres
def test_reviewers_deciding_at_once_on_postgresql(pg_url: str) -> None:
    from provenance.pipeline import align_links, link_translations

    store = Store.open(pg_url)
    ingest_paths(store, [FIXTURES / "pairs"])
    link_translations(store, everything=True)
    align_links(store, everything=True)
    store.close()
    _race(pg_url)


def _ingest(url: str, folder: str, out: Any) -> None:
    store = Store.open(url)
    report = ingest_paths(store, [Path(folder)])
    store.close()
    out.put(report.errors)


def _ingest_race(url: str, tmp_path: Path) -> None:
    """Four ingests of overlapping folders at once: every article stored once, no error."""
    files = sorted((FIXTURES / "pairs").glob("*.json"))
    folders = []
    for n in range(PROCESSES):
        folder = tmp_path / f"batch{n}"
        folder.mkdir()
        for path in files[n * 2 : n * 2 + 8]:  # each shares files with its neighbours
            shutil.copy(path, folder / path.name)
        folders.append(str(folder))
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    workers = [context.Process(target=_ingest, args=(url, f, out)) for f in folders]
    for worker in workers:
        worker.start()
    errors = [out.get(timeout=180) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert errors == [[]] * PROCESSES
    store = Store.open(url)
    every = ingest_paths(store, [Path(f) for f in folders])
    store.close()
    assert every.errors == [] and every.outcomes.get("created", 0) == 0


def test_overlapping_ingests_at_once_on_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "ingest.db"
    _ingest_race(f"sqlite:///{path}", tmp_path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        urls = conn.execute("SELECT count(*), count(DISTINCT url) FROM article").fetchone()
    assert urls[0] == urls[1] > 0


@pytest.mark.postgres
def test_overlapping_ingests_at_once_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    Store.open(pg_url).close()  # the schema, before the race
    _ingest_race(pg_url, tmp_path)


@pytest.mark.sqlite_only
def test_the_migration_lock_leaves_sqlite_its_own_locks(tmp_path: Path) -> None:
    """A process that opens a database while another already writes to it takes the migration
    lock; that must not take away the locks its own SQLite connections hold, or the other
    process, closing its last connection, checkpoints and deletes the WAL this one still
    writes to, and this one's next commits are lost without an error."""
    import sqlite3
    import subprocess
    import sys

    from provenance import db

    path = tmp_path / "shared.db"
    Store.open(f"sqlite:///{path}").close()
    mine = sqlite3.connect(path)
    mine.execute("CREATE TABLE probe (x INTEGER)")
    mine.commit()
    mine.execute("SELECT count(*) FROM probe").fetchall()  # an open WAL connection, as a pool keeps
    with db._migration_lock(db.make_engine(f"sqlite:///{path}")):
        pass
    other = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); {}; c.close()"
    write = other.format("c.execute('INSERT INTO probe VALUES (1)'); c.commit()")
    subprocess.run([sys.executable, "-c", write, str(path)], check=True)  # its last connection
    mine.execute("INSERT INTO probe VALUES (2)")
    mine.commit()
    count = other.format("print(c.execute('SELECT count(*) FROM probe').fetchone()[0])")
    seen = subprocess.run(
        [sys.executable, "-c", count, str(path)], check=True, capture_output=True, text=True
    ).stdout.strip()
    mine.close()
    assert seen == "2"
