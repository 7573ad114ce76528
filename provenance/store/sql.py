"""SQL pieces the aggregates share: LIKE escaping, ISO dates, the translation rule, an exists
check, and the prebuilt statements of the ingest path."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, bindparam, inspect, or_, select, update
from sqlalchemy.engine import CursorResult, Engine
from sqlmodel import Session, SQLModel, col

from provenance.models import (
    Article,
    ChromeSighting,
    Outlet,
    Revision,
)


def _like(search: str) -> str:
    """A LIKE pattern that finds ``search`` as it is written: "%" and "_" are letters there."""
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def table_of(model: type[SQLModel]) -> Table:
    """A model's Core table, for the bulk paths that skip the ORM: SQLModel sets
    ``__table__`` on the class at runtime, where a type checker does not see it."""
    table = inspect(model).local_table
    assert isinstance(table, Table)
    return table


def inserted_id(result: CursorResult[Any]) -> int:
    """The id the database gave the row an INSERT of one row added."""
    key = result.inserted_primary_key
    assert key is not None  # every table has a primary key
    return int(key[0])


def is_translation() -> Any:
    """Which articles are translations to link: those of a translating outlet, and those not
    in Arabic that credit a source or whose outlet is not known to publish in their language
    (an unknown outlet, or the English edition of an Arabic outlet)."""
    return or_(
        col(Outlet.role) == "translator",
        (col(Article.lang) != "ar")
        & (
            col(Article.credit).is_not(None)
            | col(Outlet.lang).is_(None)
            | (col(Outlet.lang) != Article.lang)
        ),
    )


class _SQL:
    """Statements of the ingest path, built once: SQLAlchemy then skips re-deriving cache keys."""

    _a = table_of(Article)
    _r = table_of(Revision)
    article_by_url = select(
        _a.c.id, _a.c.current_revision_id, _a.c.published,
        _a.c.lang, _a.c.outlet_id, _a.c.credit, _a.c.author,
    ).where(_a.c.url == bindparam("p_url"))  # fmt: skip
    revision_by_id = select(_r.c.number, _r.c.content_hash, _r.c.text).where(
        _r.c.id == bindparam("p_id")
    )
    update_article = update(_a).where(_a.c.id == bindparam("p_id"))
    _c = table_of(ChromeSighting)
    forget_sightings = _c.delete().where(_c.c.article_id == bindparam("p_article"))


def _exists(engine: Engine, query: Any) -> bool:
    """Whether ``query`` returns any row."""
    with Session(engine) as session:
        return session.execute(query.limit(1)).first() is not None
