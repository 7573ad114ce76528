"""SVG snapshots of the story list and the alignment view at 80x24 and 160x45 (issue 12,
point 12): at 80 columns the story list keeps link status and flags, the alignment view puts
a group's flags under its text, and the footer shows whole keys only.

Update after an intended change with:
pytest tests/tui/test_tui_snapshot_sizes.py --snapshot-update
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import SEED

SIZES = [(80, 24), (160, 45)]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x45"])
def test_story_list(snap_compare, app_factory, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_factory(), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x45"])
def test_alignment_view(snap_compare, app_factory, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_factory(story=SEED, bidi="app"), terminal_size=size, press=["n"])
