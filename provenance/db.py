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
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from provenance.errors import ConfigError, MigrationError

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


CREATING_COMMANDS = "`provenance init` or `provenance ingest`"


def make_engine(url: str, busy_timeout_ms: int = 5000, *, create: bool = True) -> Engine:
    """An engine for ``url``; SQLite files get their directory checked and pragmas set.

    With ``create=False`` a SQLite file that does not exist is an error (naming the path and
    the commands that create one) instead of a new empty database.
    """
    try:
        parsed = make_url(url)
    except Exception:
        raise ConfigError(
            f"database URL {url!r} is not valid (try sqlite:///provenance.db)"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if (
            not create
            and database
            and database != ":memory:"
            and not parsed.query.get("uri")
            and not Path(database).expanduser().exists()
        ):
            raise ConfigError(
                f"database {database} does not exist: create it with {CREATING_COMMANDS}"
            )
        if database and database != ":memory:":
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


def alembic_config(engine: Engine) -> Any:
    import io

    from alembic.config import Config

    cfg = Config(stdout=io.StringIO())  # alembic's messages are not ours to print
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


@cache
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    cfg = alembic_config(None)  # type: ignore[arg-type]
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
    from sqlalchemy.exc import DatabaseError

    where = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    where = where or engine.url.render_as_string(hide_password=True)
    try:
        revision = current_revision(engine)
    except DatabaseError as error:  # not a database at all, for one
        engine.dispose()
        cause = str(error.orig).splitlines()[0] if error.orig else type(error).__name__
        raise ConfigError(f"database {where} cannot be read: {cause}") from None
    if revision is None:
        engine.dispose()
        raise ConfigError(
            f"database {where} has no provenance schema: create it with {CREATING_COMMANDS}"
        )


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest); cheap when already there."""
    from alembic import command

    if revision == "head" and current_revision(engine) == head_revision():
        return
    try:
        command.upgrade(alembic_config(engine), revision)
    except Exception as err:  # alembic and drivers raise many kinds
        raise MigrationError(f"cannot upgrade the database schema: {err}") from err


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
