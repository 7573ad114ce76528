"""Errors a script and a user can trust (issue 12, points 4 and 5): no traceback ever, one line
naming the database and the cause, and exit codes that mean what they say.

Everything runs for real: the CLI through its entry point, SQLite files on disk (read-only,
locked by another connection, full), a TCP port where no PostgreSQL listens, and the fixture
HTTP server for feeds.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from provenance.db import database_error
from provenance.errors import DatabaseError
from tests.conftest import CLI, FIXTURES, ROOT, SEED
from tests.httpserver import Site, serve

NOWHERE = "postgresql+psycopg://reader:s3cret@127.0.0.1:1/newsroom"
"""A PostgreSQL URL where nothing listens (port 1)."""


def one_line(stderr: str) -> str:
    """The single error line of a failed command (and that there is only one, no traceback)."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as running:
        yield running


# -- point 4: the database refuses ---------------------------------------------------------


@pytest.mark.parametrize("args", [["list"], ["audit"], ["ingest", str(SEED)], ["init"]])
def test_postgresql_not_running_is_one_line_naming_the_server(args: list[str]) -> None:
    line = one_line(CLI(NOWHERE)(*args, code=1).stderr)
    assert "127.0.0.1:1/newsroom" in line and "connection refused" in line
    assert "s3cret" not in line  # the password never reaches a terminal or a log


def test_the_real_entry_point_prints_no_traceback_either() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "provenance.cli", "--db", NOWHERE, "stats"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert run.returncode == 1 and run.stdout == ""
    assert "connection refused" in one_line(run.stderr)


def test_postgresql_rejecting_the_login_names_the_database_and_why() -> None:
    url = os.environ.get("PROVENANCE_TEST_PG_URL")
    if not url:
        pytest.skip("PROVENANCE_TEST_PG_URL is not set (no PostgreSQL server to log in to)")
    from sqlalchemy.engine import make_url

    wrong = make_url(url).set(username="no_such_reader", password="wrong")
    line = one_line(CLI(wrong.render_as_string(hide_password=False))("list", code=1).stderr)
    assert "no_such_reader" in line and "wrong" not in line.replace("no_such", "")
    assert "refused the login" in line or "does not exist" in line


def read_only_url(path: Path) -> str:
    """SQLite's own read-only mode: works even as root, whom file permissions do not stop."""
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def test_re_ingesting_unchanged_files_writes_nothing(linked_db_path: Path) -> None:
    before = digest(linked_db_path)
    result = CLI(read_only_url(linked_db_path))("ingest", str(FIXTURES / "pairs"), "--json")
    data = json.loads(result.stdout)
    assert data["created"] == data["revised"] == data["failed"] == 0 and data["unchanged"] > 0
    assert digest(linked_db_path) == before
    assert CLI(read_only_url(linked_db_path))("audit", "--json").exit_code == 0


def test_writing_to_a_read_only_database_is_one_line(linked_db_path: Path) -> None:
    line = one_line(CLI(read_only_url(linked_db_path))("ingest", str(SEED), code=1).stderr)
    assert f"database {linked_db_path} is read-only" in line


def test_a_read_only_file(linked_db_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root: file permissions do not stop root from writing")
    linked_db_path.chmod(0o444)
    try:
        line = one_line(CLI(f"sqlite:///{linked_db_path}")("ingest", str(SEED), code=1).stderr)
    finally:
        linked_db_path.chmod(0o644)
    assert str(linked_db_path) in line and ("read-only" in line or "cannot be opened" in line)


def test_a_database_locked_by_another_process(
    linked_db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROVENANCE_BUSY_TIMEOUT_MS", "100")
    holder = sqlite3.connect(linked_db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        line = one_line(CLI(f"sqlite:///{linked_db_path}")("ingest", str(SEED), code=1).stderr)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert f"database {linked_db_path} is locked by another process" in line
    assert "PROVENANCE_BUSY_TIMEOUT_MS" in line


def test_a_full_disk_is_named(tmp_path: Path) -> None:
    """A disk cannot be filled in a test; SQLite's page limit raises the very same error."""
    path = tmp_path / "small.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x BLOB)")
    conn.execute("PRAGMA max_page_count = 3")
    with pytest.raises(sqlite3.OperationalError) as raised:
        conn.execute("INSERT INTO t VALUES (zeroblob(100000))")
    conn.close()
    error = database_error(raised.value, f"sqlite:///{path}")
    assert isinstance(error, DatabaseError) and error.exit_code == 1
    assert str(error) == f"database {path} cannot be written: the disk is full"


@pytest.mark.parametrize(
    ("url", "scheme"), [("mysql://user@host/news", "'mysql'"), ("foo://x", "'foo'")]
)
def test_an_unsupported_database_names_the_supported_ones(url: str, scheme: str) -> None:
    line = one_line(CLI(url)("list", code=1).stderr)
    assert f"{scheme} is not supported" in line
    assert "sqlite:///" in line and "postgresql+psycopg://" in line


# -- point 5: exit codes ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [[], ["--json"]])
def test_a_feed_that_fails_exits_1(cli: CLI, site: Site, fmt: list[str]) -> None:
    result = cli("fetch", "--feed", f"{site.base}/gone404", "--retries", "0", *fmt, code=1)
    assert f"{site.base}/gone404" in result.stderr and "404" in result.stderr
    if fmt:
        assert json.loads(result.stdout)["counts"] == {"fetched": 0, "unchanged": 0, "failed": 0}


def test_a_failing_feed_beside_a_good_one_fetches_the_good_one_and_exits_1(
    cli: CLI, site: Site
) -> None:
    result = cli("fetch", "--feed", f"{site.base}/feed.xml", "--feed", f"{site.base}/gone404",
                 "--delay", "0", "--retries", "0", "--json", code=1)  # fmt: skip
    assert json.loads(result.stdout)["counts"]["fetched"] == 2  # the two items of feed.xml


def test_ingest_of_a_path_without_articles_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "inbox"
    empty.mkdir()
    (empty / "notes.docx").write_bytes(b"PK not an article")
    db = tmp_path / "new.db"
    line = one_line(CLI(f"sqlite:///{db}")("ingest", str(empty), code=1).stderr)
    assert f"{empty}: no articles found" in line and ".json" in line
    assert not db.exists()  # a mistyped path creates nothing
    nothing = tmp_path / "nothing.json"
    nothing.write_text("[]", "utf-8")
    result = CLI(f"sqlite:///{db}")("ingest", str(nothing), "--json", code=1)
    assert f"{nothing}: no articles found" in result.stderr
    assert json.loads(result.stdout)["created"] == 0  # the document is still printed


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "csv"])
def test_an_unknown_eval_method_is_a_usage_error_in_every_format(cli: CLI, fmt: str) -> None:
    result = cli("eval", str(FIXTURES / "pairs"), "--method", "foo", "--format", fmt, code=2)
    assert "foo" in result.stderr and "gale-church" in result.stderr


@pytest.mark.parametrize("command", ["list", "audit", "report", "export"])
def test_since_after_until_is_refused(linked_db_url: str, command: str) -> None:
    result = CLI(linked_db_url)(command, "--since", "2024-02-01", "--until", "2024-01-01", code=2)
    assert "--since 2024-02-01 is not before --until 2024-01-01" in result.stderr
    assert result.stdout == ""


def test_refresh_json_always_prints_its_document(cli: CLI) -> None:
    cli("init")
    data = cli.json("refresh")
    assert data == {"counts": {"fetched": 0, "unchanged": 0, "failed": 0}, "results": []}


@pytest.mark.parametrize("args", [[], ["link"], ["fetch"], ["list"]])
def test_help_shows_on_off_flags_without_a_type(cli: CLI, args: list[str]) -> None:
    text = cli(*args, "--help").stdout
    assert "--help" in text and "<bool>" not in text
    if args == ["link"]:
        assert "--semantic" in text and "--no-semantic" in text and "<int>" in text
