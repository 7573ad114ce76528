"""Dates and periods as a user types them: ``2024-01-31``, a full ISO time, or a span back
from now (``7d``, ``2w``, ``24h``).

The CLI's ``--since``, ``--until`` and ``--older-than`` all read dates this way, so one rule
holds for every command; the errors name the option, because that is what the user typed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TypedDict

from provenance.errors import ConfigError

SPAN_HOURS = {"h": 1, "d": 24, "w": 168}
"""The units of a span back from now: hours, days, weeks."""


class PeriodError(ConfigError):
    """A period that ends before it starts: a usage error (exit 2), not an empty answer."""

    exit_code = 2


class Period(TypedDict):
    """A half-open period, as the listing functions take it (``**period``); None: unbounded."""

    since: datetime | None
    until: datetime | None


def parse_date(value: str | None, name: str) -> datetime | None:
    """``value`` as an aware time (UTC when it names no zone); ``name`` is the option it came
    from, for the error message. None stays None (the option was not given)."""
    if value is None:
        return None
    span = re.fullmatch(r"(\d+)([hdw])", value.strip())
    if span:
        hours = int(span.group(1)) * SPAN_HOURS[span.group(2)]
        return datetime.now(UTC) - timedelta(hours=hours)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            f"--{name} {value!r} is not a date (YYYY-MM-DD) or a span (7d, 2w)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_period(since: str | None, until: str | None) -> Period:
    """``--since`` and ``--until`` read together: a period that ends before it starts would
    answer "nothing" to a typo, so it is refused."""
    start, end = parse_date(since, "since"), parse_date(until, "until")
    if start is not None and end is not None and start >= end:
        raise PeriodError(f"--since {since} is not before --until {until} (--until is exclusive)")
    return {"since": start, "until": end}


def utcnow() -> datetime:
    """Now, in UTC: the clock of every stored timestamp."""
    return datetime.now(UTC)
