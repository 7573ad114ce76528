"""Arabic display: shaped and reordered per line after wrapping in app mode, untouched in terminal mode."""

from __future__ import annotations

import textwrap

import arabic_reshaper
import pytest
from bidi.algorithm import get_display

from tui.bidi import display_lines, resolve_mode

TEXT = (
    "قتل 12 مدنيًا وأصيب 35 آخرون جراء قصف على مدينة أريحا في 15 من أيلول 2022، بحسب الدفاع المدني "
    "السوري الذي قال إن فرقه انتشلت 7 جثث من تحت الأنقاض في حي SDF الغربي."
)
WIDTH = 30


def test_app_mode_reorders_each_wrapped_line() -> None:
    logical = textwrap.wrap(TEXT, WIDTH)
    lines = display_lines(TEXT, WIDTH, "app")
    assert len(lines) == len(logical) >= 4
    # line by line, in reading order: the first line shows the start of the paragraph
    assert lines[0].endswith(arabic_reshaper.reshape("قتل")[::-1])
    assert "12" in lines[0] and "2022" in "".join(lines) and "SDF" in lines[-1]
    # figures and Latin names keep their left-to-right order inside the Arabic
    assert "2202" not in "".join(lines) and "FDS" not in "".join(lines)
    for shown, source in zip(lines, logical, strict=True):
        assert shown == get_display(arabic_reshaper.reshape(source), base_dir="R")


def test_reordering_the_paragraph_before_wrapping_would_read_backwards() -> None:
    whole = textwrap.wrap(get_display(arabic_reshaper.reshape(TEXT), base_dir="R"), WIDTH)
    assert display_lines(TEXT, WIDTH, "app")[0] != whole[0]
    assert "12" not in whole[0]  # the paragraph's end would come first


def test_terminal_mode_leaves_the_text_alone() -> None:
    assert display_lines(TEXT, WIDTH, "terminal") == textwrap.wrap(TEXT, WIDTH)


def test_english_is_never_reordered() -> None:
    english = "Twelve civilians were killed and 35 injured in Ariha on September 15, 2022."
    assert display_lines(english, WIDTH, "app") == textwrap.wrap(english, WIDTH)


def test_mode_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROVENANCE_BIDI", raising=False)
    monkeypatch.delenv("TERM_PROGRAM", raising=False)
    monkeypatch.delenv("VTE_VERSION", raising=False)
    assert resolve_mode("terminal") == "terminal"
    assert resolve_mode(None) == "app"
    monkeypatch.setenv("PROVENANCE_BIDI", "terminal")
    assert resolve_mode(None) == "terminal"
    monkeypatch.delenv("PROVENANCE_BIDI")
    monkeypatch.setenv("TERM_PROGRAM", "Apple_Terminal")
    assert resolve_mode("auto") == "terminal"
    with pytest.raises(ValueError, match="not one of"):
        resolve_mode("sideways")


async def test_alignment_view_draws_arabic_in_each_mode(app_factory) -> None:  # type: ignore[no-untyped-def]
    from tests.tui.conftest import SEED
    from tui.screens.alignment import GroupRow

    for mode in ("app", "terminal"):
        app = app_factory(story=SEED, bidi=mode)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            row = next(r for r in app.screen.query(GroupRow) if r.group.kind == "matched")
            rendered = row.render().plain
            first_word = row.right_texts[0].split()[0]
            if mode == "terminal":
                assert first_word in rendered  # logical order, unshaped: the terminal's job
            else:
                assert first_word not in rendered  # shaped presentation forms, visual order
                assert arabic_reshaper.reshape(first_word)[::-1] in rendered
