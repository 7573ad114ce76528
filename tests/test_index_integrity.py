"""The search index's term counts stay right whatever happens to a build: a process killed
during the parallel build, two builds at once, counts damaged by hand."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from provenance.eval import load_pairs
from provenance.formats import ArticleInput
from provenance.ingest import ingest_paths, prepare_article
from provenance.link import index_articles
from provenance.store import Store
from tests.conftest import CLI, FIXTURES

CORPUS = 900  # over the parallel-build threshold (400)


def _corpus(path: Path) -> None:
    """The fixture pairs and 1,200 Arabic articles recombined from their paragraphs."""
    store = Store.open(f"sqlite:///{path}")
    ingest_paths(store, [FIXTURES / "pairs"])
    pool = [p for pair in load_pairs([FIXTURES / "pairs"]) for p in pair.original.paragraphs]
    rng = random.Random(3)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    for n in range(CORPUS):
        paragraphs = rng.sample(pool, rng.randint(3, 8))
        store.save_article(
            prepare_article(
                ArticleInput(
                    url=f"https://ar.example.net/{n}",
                    lang="ar",
                    outlet="Syria TV",
                    published=start + timedelta(days=rng.uniform(0, 700)),
                    title=paragraphs[0][:60],
                    paragraphs=paragraphs,
                )
            )
        )
    store.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "corpus.db"
    _corpus(path)
    return path


@pytest.fixture(scope="module")
def clean_links(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Any, ...]]:
    """The links of a ``link --all`` never killed."""
    clean = _copy(corpus, tmp_path_factory.mktemp("clean") / "clean.db")
    subprocess.run(
        _provenance(clean, "link", "--all", "--no-semantic"), check=True, capture_output=True
    )
    return _links(clean)


def _copy(corpus: Path, to: Path) -> str:
    """A copy of the corpus (its own file, so a kill touches nothing else)."""
    source = sqlite3.connect(corpus)
    target = sqlite3.connect(to)
    source.backup(target)
    source.close()
    target.close()
    return f"sqlite:///{to}"


def _rows(url: str, query: str) -> list[tuple[Any, ...]]:
    store = Store.open(url)
    with store.engine.connect() as conn:
        rows = conn.execute(text(query)).all()
    store.close()
    return [tuple(r) for r in rows]


def _links(url: str) -> list[tuple[Any, ...]]:
    return _rows(
        url,
        "SELECT t.url, o.url, l.status FROM link l JOIN article t ON t.id = l.translation_id"
        " JOIN article o ON o.id = l.original_id ORDER BY t.url, o.url",
    )


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(c) for c in found]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _provenance(url: str, *args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "provenance"), "--db", url, *args]


def test_damaged_counts_are_found_and_repaired(linked_db_path: Path) -> None:
    cli = CLI(f"sqlite:///{linked_db_path}")
    assert "the index is sound" in cli("index", "--check").stdout
    with sqlite3.connect(linked_db_path) as conn:
        conn.execute("UPDATE anchorstat SET df = df + 3 WHERE rowid % 5 = 0")
        conn.execute("DELETE FROM anchorstat WHERE rowid % 7 = 0")
    result = cli("index", "--check", code=1)
    assert "term counts disagree with the index" in result.stderr
    assert "provenance index --repair" in result.stderr
    assert cli.json("index", "--repair")["repaired"] > 0
    assert cli.json("index", "--check")["wrong_counts"] == 0


def test_a_build_stopped_between_batches_leaves_its_counts_right(tmp_path: Path) -> None:
    """Each batch counts what it writes: a build killed after some batches leaves an index
    whose counts agree with its postings, and the next build indexes the rest."""
    from provenance.link import _job_terms

    class Killed(Exception):
        pass

    def kill(_: int) -> None:
        raise Killed

    store = Store.open(f"sqlite:///{tmp_path / 'db.sqlite'}")
    ingest_paths(store, [FIXTURES / "pairs"])
    with pytest.raises(Killed):  # stopped after its first batch
        index_articles(store, batch=20, workers=1, on_batch=kill)
    assert store.term_stats_errors() == 0
    jobs = store.articles_to_index(20)
    assert store.count_to_index() > 0
    # the same articles again (two builds that read the same batch): counted once
    store.replace_terms(jobs, [_job_terms(job) for job in jobs])
    assert store.term_stats_errors() == 0
    index_articles(store)
    assert store.term_stats_errors() == 0
    assert store.count_to_index() == 0
    store.close()


def test_counts_an_earlier_version_left_to_recount_are_pending_not_wrong(
    tmp_path: Path,
) -> None:
    """A database whose build by an earlier version (which counted its terms at its end) was
    killed in between: `index --check` says a recount is pending, not that the index is
    damaged, and the next build recounts."""
    from provenance.link import _job_terms

    path = tmp_path / "db.sqlite"
    store = Store.open(f"sqlite:///{path}")
    ingest_paths(store, [FIXTURES / "pairs"])
    jobs = store.articles_to_index(20)
    store.replace_terms(jobs, [_job_terms(job) for job in jobs])
    store.close()
    with sqlite3.connect(path) as conn:  # what that version left: postings, counts not made
        conn.execute("DELETE FROM anchorstat")
        conn.execute("UPDATE indexstate SET stats_stale = 1")
    cli = CLI(f"sqlite:///{path}")
    result = cli("index", "--check")
    assert "wait for a recount" in result.stdout
    report = cli.json("index", "--check")
    assert report["recount_pending"] is True
    assert report["wrong_counts"] == 0
    report = cli.json("index")
    assert report["recount_pending"] is False
    assert report["wrong_counts"] == 0


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("after", [0.0, 0.4])
def test_link_killed_during_the_parallel_build_leaves_nothing_wrong(
    corpus: Path, clean_links: list[tuple[Any, ...]], tmp_path: Path, after: float
) -> None:
    """SIGKILL ``link --all`` while its workers extract terms: the file is sound, no worker
    outlives it, and a re-run gives what a run never killed gives."""
    killed_path = tmp_path / "killed.db"
    killed = _copy(corpus, killed_path)
    run = subprocess.Popen(
        _provenance(killed, "link", "--all", "--no-semantic"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not _children(run.pid) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    workers = _children(run.pid)
    assert workers, "the build never started its workers"
    time.sleep(after)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers), "worker processes outlived their parent"

    with sqlite3.connect(killed_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    subprocess.run(
        _provenance(killed, "link", "--all", "--no-semantic"), check=True, capture_output=True
    )
    store = Store.open(killed)
    assert store.term_stats_errors() == 0
    assert store.count_to_index() == 0
    store.close()
    assert _links(killed) == clean_links


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_two_builds_at_once_count_every_term_once(corpus: Path, tmp_path: Path) -> None:
    url = _copy(corpus, tmp_path / "two.db")
    runs = [
        subprocess.Popen(_provenance(url, "index"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for run in runs:
        _, error = run.communicate(timeout=300)
        assert run.returncode == 0, error.decode()
    store = Store.open(url)
    assert store.term_stats_errors() == 0
    assert store.count_to_index() == 0
    store.close()


def _postings(url: str) -> list[tuple[Any, ...]]:
    return _rows(
        url,
        "SELECT a.url, t.term FROM anchorterm t JOIN article a ON a.id = t.article_id"
        " ORDER BY a.url, t.term",
    )


def test_anchors_stored_by_an_earlier_version_are_extracted_again_from_the_text(
    corpus: Path, tmp_path: Path
) -> None:
    """A big build reads each paragraph's text only where its stored anchors are missing or
    were extracted with other data (another lexicon): those are extracted again, so the
    index is the one a fresh ingest gives, whatever the anchors held."""
    fresh = _copy(corpus, tmp_path / "fresh.db")
    index_articles(Store.open(fresh))
    stale = _copy(corpus, tmp_path / "stale.db")
    with sqlite3.connect(tmp_path / "stale.db") as conn:
        # a third of the paragraphs from an earlier lexicon, a third never extracted
        conn.execute(
            'UPDATE paragraph SET anchors = replace(anchors, \'{"v":"\', \'{"v":"0ld\') '
            "WHERE id % 3 = 0"
        )
        conn.execute("UPDATE paragraph SET anchors = NULL WHERE id % 3 = 1")
        stale_count = conn.execute(
            'SELECT count(*) FROM paragraph WHERE anchors LIKE \'{"v":"0ld%\''
        ).fetchone()[0]
    assert stale_count > 300
    # the parallel build, in batches: the workers read every batch's paragraphs but the first
    assert index_articles(Store.open(stale), batch=400, workers=2) > 400
    assert _postings(stale) == _postings(fresh)


def test_what_a_stopped_bulk_build_dropped_is_built_again(cli: CLI, db_url: str) -> None:
    """A bulk build drops the lookup index (and on PostgreSQL the postings' foreign key) and
    builds them at its end: killed in between, it leaves searches without the index (each
    reading every posting). The next `index`, whatever it has to index, builds them again."""
    from sqlalchemy import inspect

    def schema() -> tuple[bool, bool]:
        store = Store.open(db_url)
        found = inspect(store.engine)
        index = any(i["name"] == "ix_anchorterm_lookup" for i in found.get_indexes("anchorterm"))
        key = any(k["referred_table"] == "article" for k in found.get_foreign_keys("anchorterm"))
        store.close()
        return index, key

    cli("ingest", str(FIXTURES / "pairs"))
    cli("index")
    assert schema() == (True, True)
    store = Store.open(db_url)
    assert store.set_bulk_mode(True)  # where a killed bulk build leaves it
    assert not store.set_bulk_mode(True)  # already so: nothing to do
    store.close()
    assert schema() == (False, store.engine.dialect.name == "sqlite")
    assert cli.json("index")["indexed"] == 0
    assert schema() == (True, True)
    store = Store.open(db_url)
    assert store.term_stats_errors() == 0
    assert not store.set_bulk_mode(False)
    store.close()
