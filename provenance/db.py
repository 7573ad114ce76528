"""Engine, sessions and the schema's upgrade on start.

SQLite gets WAL, foreign keys and a busy timeout on every connection; PostgreSQL needs
nothing special. The schema always comes from the Alembic migrations, never ``create_all``,
so a database made by an older version of the code is upgraded in place when opened.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session, create_engine

from provenance.errors import ConfigError, DatabaseError, MigrationError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MB: bulk writes reuse index pages
        cursor.close()

    return on_connect


CREATING_COMMANDS = "`provenance init` or `provenance ingest`"
SUPPORTED_URLS = "sqlite:///path.db or postgresql+psycopg://user:password@host/db"
"""The database kinds provenance runs on, as the errors about a URL name them."""


def sqlite_path(parsed: URL) -> str | None:
    """The file behind a SQLite URL, a ``file:`` URI (``?uri=true``) included; None in memory."""
    database = parsed.database or ""
    if parsed.query.get("uri") and database.startswith("file:"):
        database = database.removeprefix("file:").split("?", 1)[0]
        database = database.removeprefix("//") if database.startswith("///") else database
        if parsed.query.get("mode") == "memory":
            return None
    return database if database and database != ":memory:" else None


def database_name(url: str | URL) -> str:
    """How messages name a database: a SQLite file by its path, a server by its URL without
    the password (so an error can be pasted into a ticket)."""
    try:
        parsed = make_url(url)
    except Exception:
        return str(url)
    if parsed.get_backend_name() == "sqlite":
        return sqlite_path(parsed) or ":memory:"
    return parsed.render_as_string(hide_password=True)


def make_engine(url: str, busy_timeout_ms: int = 5000, *, create: bool = True) -> Engine:
    """An engine for ``url``; SQLite files get their directory checked and pragmas set.

    With ``create=False`` a SQLite file that does not exist is an error (naming the path and
    the commands that create one) instead of a new empty database.
    """
    try:
        parsed = make_url(url)
    except Exception:
        raise ConfigError(f"database URL {url!r} is not valid (use {SUPPORTED_URLS})") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"database URL {database_name(parsed)!r}: {parsed.get_backend_name()!r} is not "
            f"supported (use {SUPPORTED_URLS})"
        )
    if parsed.get_backend_name() == "sqlite":
        database = sqlite_path(parsed)
        if not create and database and not Path(database).expanduser().exists():
            raise ConfigError(
                f"database {database} does not exist: create it with {CREATING_COMMANDS}"
            )
        if database:
            parent = Path(database).expanduser().resolve().parent
            if not parent.is_dir():
                raise ConfigError(f"database directory {parent} does not exist")
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg"))
    try:
        return create_engine(url, pool_pre_ping=True)
    except ModuleNotFoundError as err:
        raise ConfigError(
            f"no driver for {parsed.drivername} ({err.name} missing): pip install 'provenance[postgres]'"
        ) from None


def alembic_config(engine: Engine | None) -> Config:
    """Alembic's configuration over our migrations; without an engine, for reading the
    scripts only (the head revision)."""
    import io

    from alembic.config import Config

    cfg = Config(stdout=io.StringIO())  # alembic's messages are not ours to print
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


@cache
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    cfg = alembic_config(None)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def require_schema(engine: Engine) -> None:
    """Refuse a database that provenance never created (no schema): reading commands do not
    turn an empty file or an unrelated database into one."""
    from sqlalchemy.exc import DBAPIError

    where = database_name(engine.url)
    try:
        revision = current_revision(engine)
    except DBAPIError as error:  # not a database at all, or a server that is not there
        engine.dispose()
        raise database_error(error, engine.url) from None
    if revision is None:
        engine.dispose()
        raise ConfigError(
            f"database {where} has no provenance schema: create it with {CREATING_COMMANDS}"
        )


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest); cheap when already there."""
    from alembic import command
    from sqlalchemy.exc import DBAPIError

    try:
        if revision == "head" and current_revision(engine) == head_revision():
            return
        with _migration_lock(engine):  # four processes opening one new database at once
            if revision == "head" and current_revision(engine) == head_revision():
                return  # another process migrated it while we waited
            command.upgrade(alembic_config(engine), revision)
    except DBAPIError as err:  # the server or the file, not the migration, said no
        raise database_error(err, engine.url) from None
    except Exception as err:  # alembic raises many kinds
        raise MigrationError(f"cannot upgrade the database schema: {err}") from err


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """One migration at a time per database: a PostgreSQL advisory lock held on its own
    connection, or an exclusive ``flock`` on a lock file beside the SQLite file. Never on the
    database file itself: closing any descriptor of it drops every POSIX lock this process's
    SQLite connections hold on it, and another process's last connection may then take the
    database for unused, checkpoint it and delete the WAL that this process still writes to,
    so that its commits are lost without an error."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                conn.commit()
        return
    path = sqlite_path(engine.url)
    if not path:  # in memory: one process only
        yield
        return
    import fcntl

    try:
        database = Path(path).expanduser()
        handle = open(database.with_name(database.name + ".migrate-lock"), "ab")  # noqa: SIM115
    except OSError:  # a read-only folder: the migration itself will say why it cannot run
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


MIGRATION_LOCK = 0x70726F76  # "prov"


SQLITE_CAUSES = (
    ("database is locked", "is locked by another process (waited PROVENANCE_BUSY_TIMEOUT_MS "
     "for it); try again when it has finished"),
    ("readonly database", "is read-only, and this command writes to it"),
    ("database or disk is full", "cannot be written: the disk is full"),
    ("unable to open database file", "cannot be opened (check the file, its directory and "
     "their permissions)"),
    ("file is not a database", "cannot be read: file is not a database"),
    ("disk i/o error", "cannot be read or written: disk I/O error"),
)  # fmt: skip
"""SQLite's messages (lower case) and what the user is told after the database's name."""

SERVER_CAUSES = (
    ("connection refused", "cannot be reached: connection refused (is the server running, "
     "and listening there?)"),
    ("authentication failed", "refused the login: {cause}"),
    ("no password supplied", "refused the login: no password supplied"),
    ("does not exist", "cannot be used: {cause}"),
    ("could not translate host name", "cannot be reached: unknown host ({cause})"),
    ("timeout expired", "cannot be reached: the connection timed out"),
)  # fmt: skip
"""PostgreSQL's messages (lower case) and what the user is told after the database's name."""


def database_error(error: BaseException, url: str | URL) -> DatabaseError:
    """One line for a driver's error: the database by name and the cause in words, never a
    traceback. ``error`` is SQLAlchemy's wrapper or the driver's own exception."""
    driver_error = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(driver_error).splitlines() if line.strip()]
    cause = lines[0] if lines else type(driver_error).__name__
    if cause.startswith("connection") and "failed: " in cause:  # psycopg: where, then why
        cause = cause.rsplit("failed: ", 1)[1]
    cause = " ".join(cause.removeprefix("FATAL:").split())
    lowered = cause.lower()
    for needle, said in (*SQLITE_CAUSES, *SERVER_CAUSES):
        if needle in lowered:
            return DatabaseError(f"database {database_name(url)} {said.format(cause=cause)}")
    return DatabaseError(f"database {database_name(url)} cannot be used: {cause}")


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def unit_scope(engine: Engine) -> Iterator[Session]:
    """A unit of work that writes and may nest savepoints: ``session_scope``, and on SQLite
    the write lock taken at its start (``BEGIN IMMEDIATE``, waiting up to the busy timeout).
    pysqlite itself begins a transaction only before the first write, so a SAVEPOINT ahead of
    it would open a transaction that its RELEASE commits, and a unit that read first could be
    refused at its first write (a snapshot another writer made stale) instead of waiting."""
    with session_scope(engine) as session:
        if engine.dialect.name == "sqlite":
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        yield session
