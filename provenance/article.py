"""An article as read, before it is stored, and the cleaning every reader applies to it.

Its own module so that the readers (``formats``) and the page extractor (``extract``), which
hands ``formats`` its HTML articles, both import it without importing each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from provenance.errors import InputError


@dataclass
class ArticleInput:
    """An article as read from a file or a page, before it is stored."""

    url: str
    paragraphs: list[str]
    outlet: str | None = None
    lang: str | None = None
    published: datetime | None = None
    title: str = ""
    author: str | None = None
    source: str = ""
    """Where it was read from (file path, file:line or URL), for messages."""
    etag: str | None = None
    last_modified: str | None = None


YEARS = (1900, 2100)
"""Publication dates outside these years are refused: a typo (year 0001 or 9999) would pass
every date window and overflow the date arithmetic of linking."""
_UNSAFE = re.compile(r"[\x00\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` without NUL characters and with lone surrogates as U+FFFD: PostgreSQL refuses
    NUL in text and no encoder takes a lone surrogate, so both are cleaned the same way on
    every database instead of storing on one and failing on the other."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", text)


def shown(value: Any, width: int = 60) -> str:
    """A value as a message quotes it: its repr, cut to ``width`` so a hostile value stays
    one short line."""
    text = repr(value) if not isinstance(value, (list, dict)) else type(value).__name__
    return text if len(text) <= width else text[: width - 1] + "…"


def parse_published(value: Any, where: str) -> datetime | None:
    """A date or date-time, with or without zone; naive values are taken as UTC."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InputError(
            where, f"field 'published' must be a date string, not {type(value).__name__}"
        )
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text[:10]), datetime.min.time())
        except ValueError:
            raise InputError(
                where, f"field 'published' is not an ISO date: {shown(value)}"
            ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        year = parsed.astimezone(UTC).year
    except OverflowError:  # 9999-12-31T23:00-05:00 is past the last datetime in UTC
        year = parsed.year
    if not YEARS[0] <= year <= YEARS[1]:
        raise InputError(
            where,
            f"field 'published' {shown(value)} is out of range (years {YEARS[0]}-{YEARS[1]})",
        )
    return parsed
