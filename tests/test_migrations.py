"""The schema comes from the migrations: from empty, from the first revision, pragmas on."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from provenance import db
from provenance.store import Store

TABLES = {
    "outlet",
    "article",
    "revision",
    "paragraph",
    "link",
    "alignmentgroup",
    "flag",
    "reviewevent",
}


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(db.alembic_config(None))  # type: ignore[arg-type]
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_empty_database_is_created_at_head(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'new.db'}")
    assert TABLES <= set(db.table_names(store.engine))
    assert db.current_revision(store.engine) == db.head_revision()


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'check.db'}")
    db.upgrade(engine)
    command.check(db.alembic_config(engine))  # raises if autogenerate would find a difference


def test_database_from_the_first_revision_upgrades_in_place(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = db.make_engine(url)
    first = _revisions()[0]
    db.upgrade(engine, first)
    assert db.current_revision(engine) == first
    # rows as a release of the first schema wrote them (today's code writes today's schema)
    with engine.begin() as conn:
        now = "2024-01-01 00:00:00"
        conn.exec_driver_sql(
            "INSERT INTO article (id, url, lang, title, revision_count, created_at, updated_at)"
            " VALUES (1, 'https://www.enabbaladi.net/archives/1', 'ar', '', 1, ?, ?)",
            (now, now),
        )
        conn.exec_driver_sql(
            "INSERT INTO revision (id, article_id, number, content_hash, title, text, created_at)"
            " VALUES (1, 1, 1, 'h', '', 'نص قديم', ?)",
            (now,),
        )
        conn.exec_driver_sql(
            'INSERT INTO paragraph (revision_id, "index", text, kind, text_hash)'
            " VALUES (1, 0, 'نص قديم', 'body', 'h')"
        )
        conn.exec_driver_sql("UPDATE article SET current_revision_id = 1 WHERE id = 1")
    engine.dispose()
    reopened = Store.open(url)  # opening applies the remaining migrations
    assert db.current_revision(reopened.engine) == db.head_revision()
    assert reopened.article_detail(1).paragraphs[0].text == "نص قديم"


def test_every_migration_downgrades_and_upgrades(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'cycle.db'}")
    cfg = db.alembic_config(engine)
    command.upgrade(cfg, "head")
    command.downgrade(cfg, "base")
    assert db.table_names(engine) == ["alembic_version"]
    command.upgrade(cfg, "head")
    assert TABLES <= set(db.table_names(engine))


@pytest.mark.sqlite_only
def test_sqlite_pragmas_are_on(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_an_index_built_before_the_corpus_term_keeps_linking_after_the_upgrade(
    tmp_path: Path,
) -> None:
    """A database indexed by the schema before 0011 gets its corpus-size counts in the upgrade:
    the same ranking as a database indexed today, and a sound index, without a rebuild."""
    from provenance.ingest import ingest_paths
    from provenance.link import find_originals, index_articles

    fixtures = Path(__file__).resolve().parent.parent / "fixtures" / "pairs"
    query = "https://syrianobserver.com/news/79101/hamas-confirms-resumption-of-relations-with-regime-syrian-disregard.html"
    rankings = []
    for name, before in (("today", None), ("older", "0010")):
        url = f"sqlite:///{tmp_path / name}.db"
        store = Store.open(url)
        ingest_paths(store, [fixtures])
        index_articles(store)
        if before:  # back to the older schema, which has no corpus term anywhere
            command.downgrade(db.alembic_config(store.engine), before)
            with store.engine.connect() as conn:
                assert not conn.exec_driver_sql("SELECT 1 FROM anchorstat WHERE term = '*'").first()
            store.close()
            store = Store.open(url)  # opening applies 0011
        assert store.term_stats_errors() == 0
        assert store.count_articles(exclude_lang="en") == 48
        rankings.append([(c.url, c.score) for c in find_originals(store, query).candidates])
        store.close()
    assert rankings[0] == rankings[1]
