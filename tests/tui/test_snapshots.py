"""SVG snapshots of the main screens at 120 x 40 on the fixtures (pytest-textual-snapshot).

Update after an intended change with: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from tests.tui.conftest import SEED


def test_story_list(snap_compare, app_factory) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_factory(), terminal_size=(120, 40))


def test_alignment_view_app_bidi(snap_compare, app_factory) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        app_factory(story=SEED, bidi="app"), terminal_size=(120, 40), press=["j", "j", "j", "j"]
    )


def test_alignment_view_terminal_bidi(snap_compare, app_factory) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        app_factory(story=SEED, bidi="terminal"),
        terminal_size=(120, 40),
        press=["j", "j", "j", "j"],
    )


def test_candidates_view(snap_compare, app_factory) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_factory(story=SEED), terminal_size=(120, 40), press=["t"])


def test_help(snap_compare, app_factory) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_factory(), terminal_size=(120, 40), press=["question_mark"])
