"""``store.atomic()``: store calls composed into one unit of work, on a real database (SQLite
here, PostgreSQL too in the CI pass). A block nested in another is a savepoint: its error
undoes that block only; an error in the outer block undoes everything; what a unit commits
is what another process opening the database sees."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from provenance.errors import DatabaseError
from provenance.store import Store


class Boom(Exception):
    """An error raised inside a block on purpose."""


@pytest.fixture
def other(db_url: str, store: Store) -> Iterator[Store]:
    """A second store on the same database, as another process would open it."""
    second = Store.open(db_url)
    yield second
    second.close()


def _decide(store: Store, action: str, target: int) -> int:
    """One entry of the review trail: a plain write through the store."""
    return store.record_event("rania", action, "link", target, {"status": "auto"}, {})


def _trail(store: Store) -> list[tuple[str, int]]:
    return [(e.action, e.target_id) for e in reversed(store.review_events())]


def test_a_nested_block_that_fails_leaves_the_outer_writes(store: Store, other: Store) -> None:
    with store.atomic():
        _decide(store, "confirm_link", 1)
        with pytest.raises(Boom), store.atomic():
            _decide(store, "reject_link", 2)
            assert _trail(store)[-1] == ("reject_link", 2)  # the unit reads its own writes
            raise Boom
        _decide(store, "confirm_link", 3)
    assert _trail(other) == [("confirm_link", 1), ("confirm_link", 3)]


def test_an_error_in_the_outer_block_leaves_nothing(store: Store, other: Store) -> None:
    with pytest.raises(Boom), store.atomic():
        assert _trail(store) == []  # a read first: the savepoint below must not commit
        with store.atomic():
            _decide(store, "confirm_link", 1)
        _decide(store, "reject_link", 2)
        raise Boom
    assert _trail(store) == []
    assert _trail(other) == []


def test_a_committed_unit_is_seen_by_a_second_store_only_once_committed(
    store: Store, other: Store
) -> None:
    with store.atomic():
        _decide(store, "confirm_link", 1)
        with store.atomic():
            _decide(store, "reject_link", 2)
        assert _trail(other) == []  # nothing is visible before the outer block ends
    assert _trail(other) == [("confirm_link", 1), ("reject_link", 2)]


def test_each_call_outside_a_unit_is_its_own_unit(store: Store, other: Store) -> None:
    _decide(store, "confirm_link", 1)
    with pytest.raises(Boom), store.atomic():
        _decide(store, "reject_link", 2)
        raise Boom
    assert _trail(other) == [("confirm_link", 1)]


@pytest.mark.sqlite_only
def test_a_unit_on_a_locked_database_fails_with_one_line_naming_it(
    db_url: str, other: Store
) -> None:
    """The review UI calls the store as the CLI does: a database another process keeps
    locked past the busy timeout is an error it can show, never a traceback."""
    impatient = Store.open(db_url, busy_timeout_ms=50)
    try:
        with other.atomic():
            _decide(other, "confirm_link", 1)  # holds the write lock until the block ends
            with pytest.raises(DatabaseError) as raised, impatient.atomic():
                _decide(impatient, "reject_link", 2)
        message = str(raised.value)
        assert "\n" not in message and "locked" in message
        assert "database" in message and "Traceback" not in message
    finally:
        impatient.close()
    assert _trail(impatient) == [("confirm_link", 1)]
