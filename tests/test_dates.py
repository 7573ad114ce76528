"""--since, --until and --older-than as a user types them (provenance/dates.py): dates, full ISO
times and spans back from now, read the same way by every command, with one-line errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from provenance.dates import PeriodError, parse_date, parse_period
from provenance.errors import ConfigError
from tests.conftest import CLI


def test_a_span_counts_back_from_now() -> None:
    before = datetime.now(UTC)
    week = parse_date("2w", "since")
    assert week is not None
    assert (
        before - timedelta(days=14, seconds=5)
        < week
        <= before - timedelta(days=14) + timedelta(seconds=5)
    )
    day, two_days = parse_date("24h", "since"), parse_date("2d", "since")
    assert day is not None and two_days is not None and day > two_days


def test_a_date_without_a_zone_is_utc_and_a_zone_is_kept() -> None:
    assert parse_date("2024-01-31", "until") == datetime(2024, 1, 31, tzinfo=UTC)
    kept = parse_date("2024-01-31T10:00:00+03:00", "until")
    assert kept is not None and kept.utcoffset() == timedelta(hours=3)
    assert parse_date(None, "until") is None


def test_an_unreadable_date_names_the_option_in_one_line() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_date("last week", "older-than")
    assert str(caught.value) == (
        "--older-than 'last week' is not a date (YYYY-MM-DD) or a span (7d, 2w)"
    )
    assert caught.value.exit_code == 1


def test_a_period_that_ends_before_it_starts_is_a_usage_error() -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period("2024-02-01", "2024-02-01")
    assert "--since 2024-02-01 is not before --until 2024-02-01" in str(caught.value)
    assert caught.value.exit_code == 2
    assert parse_period(None, "2024-02-01") == {
        "since": None,
        "until": datetime(2024, 2, 1, tzinfo=UTC),
    }


def test_every_command_reads_the_period_the_same_way(linked_db_url: str) -> None:
    cli = CLI(linked_db_url)
    assert cli.json("list", "--since", "2000-01-01", "--limit", "0")  # the fixtures: 2022-2024
    assert cli.json("list", "--since", "1d") == []  # nothing was published since yesterday
    assert cli.json("audit", "--since", "1d") == []
    bad = cli("audit", "--since", "yesterday", code=1)
    assert bad.stderr.strip() == (
        "error: --since 'yesterday' is not a date (YYYY-MM-DD) or a span (7d, 2w)"
    )
