"""The review UI as a reviewer uses it every day (issue 12, points 11 to 14), driven headless
with Pilot at 80x24 and 160x45: what the screen shows, and what the database then holds."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console
from textual.widgets import DataTable

from provenance.ingest import ingest_paths
from provenance.review import Review
from provenance.store import Store
from tests.conftest import FIXTURES
from tests.tui.conftest import SEED
from tui.bindings import actions_for
from tui.screens.alignment import AlignmentScreen, GroupRow, SoloParagraph
from tui.screens.diff import DiffScreen
from tui.screens.stories import StoryListScreen, columns_for
from tui.widgets.bidi_text import BidiText
from tui.widgets.note import ConfirmModal

RAQQA = "06-raqqa-council-fees-water.json"
SMALL, LARGE = (80, 24), (160, 45)


def screen_text(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The screen as a terminal shows it, one string per row (as export_screenshot renders it)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      record=True, legacy_windows=False, safe_box=False)  # fmt: skip
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text(styles=False).splitlines()


def footer_is_whole(line: str, screen: str) -> None:
    """Every key in the footer is shown with its whole description, and ? Help always is."""
    assert "? Help" in line
    for action in actions_for(screen):
        if action.show and action.description in line:
            continue
        # a description left out is left out entirely: no word of it starts the line's tail
        assert not line.rstrip().endswith(action.description[:2]), (action.description, line)
    words = line.split()
    described = {w for a in actions_for(screen) for w in a.description.split()} | {"^p", "Commands"}
    keys = {"?", "q", "/", "o", "esc", "enter", "1", "2", "3", "4", "n", "c", "x", "a", "d", "z",
            "t", "v", "e", "r", "L", "▏^p"}  # fmt: skip
    assert all(w in described or w in keys for w in words), line


def _url(pair_file: str) -> str:
    return json.loads((FIXTURES / "pairs" / pair_file).read_text("utf-8"))["translation"]["url"]


async def _loaded(pilot) -> StoryListScreen:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, StoryListScreen)
    return screen


# -- point 12: 80x24 -------------------------------------------------------------------------


async def test_story_list_at_80x24_keeps_link_status_and_flags(app_factory, store: Store) -> None:  # type: ignore[no-untyped-def]
    async with app_factory().run_test(size=SMALL) as pilot:
        await _loaded(pilot)
        rows = screen_text(pilot.app)
        header = next(r for r in rows if " title " in r)
        assert "link" in header and "flags" in header and "date" in header
        seed = store.story_page(what="all", search="Hamas", sort="newest", offset=0, limit=5)[0]
        seed_line = next(r for r in rows if "Hamas" in r)
        assert " auto " in seed_line and seed_line.rstrip().endswith(str(seed.open_flags))
        assert all(len(r) <= 80 for r in rows)
        footer_is_whole(rows[-1], "stories")


async def test_story_list_at_160x45_shows_every_column(app_factory) -> None:  # type: ignore[no-untyped-def]
    async with app_factory().run_test(size=LARGE) as pilot:
        await _loaded(pilot)
        rows = screen_text(pilot.app)
        header = next(r for r in rows if " title " in r)
        for name in ("date", "outlet", "title", "source", "link", "coverage", "flags"):
            assert f" {name} " in header + " "
        assert "Hamas Confirms Resumption of Relations with Regime" in "\n".join(rows)
        footer_is_whole(rows[-1], "stories")


def test_the_flags_column_collapses_when_no_story_has_flags() -> None:
    assert [name for name, _ in columns_for(80, True)] == ["date", "title", "link", "flags"]
    assert [name for name, _ in columns_for(80, False)] == ["date", "title", "link"]
    assert sum(width + 2 for _, width in columns_for(80, True)) <= 80 - 2
    assert [name for name, _ in columns_for(160, True)][-3:] == ["link", "coverage", "flags"]


async def test_flags_column_leaves_when_the_listed_stories_have_none(
    app_factory, store: Store
) -> None:  # type: ignore[no-untyped-def]
    review = Review(store, "rania")
    seed = store.find_article(SEED).id
    for flag in store.flags(article_id=seed):
        if flag.status == "open":
            review.dismiss_flag(flag.id, "checked")
    async with app_factory().run_test(size=SMALL) as pilot:
        screen = await _loaded(pilot)
        table = screen.query_one("#stories", DataTable)
        assert "flags" in [str(c.label) for c in table.columns.values()]
        await pilot.press("slash", *"Hamas", "enter")
        await _loaded(pilot)
        assert table.row_count == 1
        assert "flags" not in [str(c.label) for c in table.columns.values()]
        assert "1 story ·" in "\n".join(screen_text(pilot.app))  # not "1 stories"


async def test_alignment_view_at_80x24_puts_flags_under_the_text(app_factory) -> None:  # type: ignore[no-untyped-def]
    async with app_factory(story=_url(RAQQA)).run_test(size=SMALL) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, AlignmentScreen)
        flagged = next(
            n
            for n, r in enumerate(screen.rows())
            if any(f.kind == "number_mismatch" for f in r.flags)
        )
        for _ in range(flagged):
            await pilot.press("j")
        await pilot.pause()
        rows = screen_text(pilot.app)
        assert any("● number_mismatch 15,000 ≠ 12" in r for r in rows)
        assert any("▶ matched" in r for r in rows)  # the selected group, marked
        assert all(len(r) <= 80 for r in rows)
        footer_is_whole(rows[-1], "alignment")


async def test_alignment_view_at_160x45_has_a_flags_column(app_factory) -> None:  # type: ignore[no-untyped-def]
    async with app_factory(story=_url(RAQQA)).run_test(size=LARGE) as pilot:
        await pilot.pause()
        rows = screen_text(pilot.app)
        flag_line = next(r for r in rows if "● number_mismatch" in r)
        # beside the text: the line starts with the translation's words, not with the flag
        assert not flag_line.lstrip("▌█║ ").startswith("●")
        footer_is_whole(rows[-1], "alignment")


# -- point 14 --------------------------------------------------------------------------------


def _painted(row: GroupRow, colour: str) -> tuple[set[str], set[str]]:
    """The figures drawn in ``colour`` in the left and right column of a group."""
    text = row.render()
    side = row._columns(row.content_size.width or 100)[0]
    left, right = set(), set()
    for line_start, line in zip(_starts(text.plain), text.plain.split("\n"), strict=True):
        for span in text.spans:
            if colour in str(span.style) and line_start <= span.start < line_start + len(line):
                word = text.plain[span.start : span.end]
                (left if span.start - line_start < side else right).add(word)
    return left, right


def _starts(plain: str) -> list[int]:
    starts, at = [], 0
    for line in plain.split("\n"):
        starts.append(at)
        at += len(line) + 1
    return starts


async def test_figures_are_coloured_on_both_sides_in_every_written_form(app_factory) -> None:  # type: ignore[no-untyped-def]
    async with app_factory(story=_url(RAQQA)).run_test(size=LARGE) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        row = next(r for r in screen.rows() if any(f.kind == "number_mismatch" for f in r.flags))
        red_left, red_right = _painted(row, "red")
        green_left, green_right = _painted(row, "green")
        assert "15,000" in red_left and "12" in red_right  # "12 ألف" is 12,000
        assert {"3,000", "5,000", "25,000"} <= green_left  # "3,000" and "3000"
        assert {"3000", "5000", "25"} <= green_right  # "25 ألف" is 25,000


async def test_rejecting_a_link_asks_first_and_undo_says_what_it_undid(
    app_factory, store: Store
) -> None:  # type: ignore[no-untyped-def]
    seed = store.find_article(SEED).id
    async with app_factory(story=SEED).run_test(size=LARGE) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmModal)
        assert "604512" in "\n".join(screen_text(pilot.app))
        await pilot.press("escape")
        await pilot.pause()
        assert store.links(translation_id=seed)[0].status == "auto"
        await pilot.press("x", "y")
        await pilot.pause()
        rejected = {link.original_url: link.status for link in store.links(translation_id=seed)}
        assert rejected["https://www.enabbaladi.net/archives/604512"] == "rejected"
        await pilot.press("z")
        await pilot.pause()
        messages = [n.message for n in pilot.app._notifications]
        assert "Undone: rejected link to https://www.enabbaladi.net/archives/604512" in messages


async def test_undo_names_the_flag_it_reopened(app_factory) -> None:  # type: ignore[no-untyped-def]
    async with app_factory(story=SEED).run_test(size=LARGE) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        screen.current = next(
            n for n, r in enumerate(screen.rows()) if any(f.kind == "read_also" for f in r.flags)
        )
        await pilot.press("d", *"fine", "enter")
        await pilot.pause()
        await pilot.press("z")
        await pilot.pause()
        assert "Undone: dismissed read_also flag" in [n.message for n in pilot.app._notifications]


async def test_a_story_without_original_shows_its_own_paragraphs_and_kinds(
    app_factory, store: Store
) -> None:  # type: ignore[no-untyped-def]
    seed = store.find_article(SEED).id
    review = Review(store, "rania")
    for link in store.links(translation_id=seed):
        review.reject_link(link.id)
    async with app_factory(story=SEED).run_test(size=LARGE) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        solo = list(screen.query(SoloParagraph))
        paragraphs = store.article_detail(seed).paragraphs
        assert len(solo) == len(paragraphs)
        shown = "\n".join(screen_text(pilot.app))
        assert "No linked original" in shown and "[0] " in shown
        kinds = {p.kind for p in paragraphs}
        assert "body" in kinds and len(kinds) > 1  # the fixture has chrome as well as body
        assert all(
            f"] {kind}" in shown
            for kind in kinds
            if any(p.kind == kind and p.index < 6 for p in paragraphs)
        )  # those on screen


async def test_key_1_clears_the_search(app_factory) -> None:  # type: ignore[no-untyped-def]
    async with app_factory().run_test(size=SMALL) as pilot:
        screen = await _loaded(pilot)
        table = screen.query_one("#stories", DataTable)
        await pilot.press("slash", *"Hamas", "enter")
        await _loaded(pilot)
        assert table.row_count == 1
        await pilot.press("1")
        await _loaded(pilot)
        assert screen.search == "" and table.row_count == 12
        assert "search" not in "\n".join(screen_text(pilot.app)).split("\n")[1]


async def test_the_selected_group_is_unmistakable(app_factory) -> None:  # type: ignore[no-untyped-def]
    async with app_factory(story=SEED).run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("j", "j")
        await pilot.pause()
        rows = screen_text(pilot.app)
        marked = [r for r in rows if "▶" in r]
        assert len(marked) == 1 and "║" in marked[0]  # one group: a marker and a double edge


# -- point 13 --------------------------------------------------------------------------------


async def test_unlinking_a_group_recomputes_its_flags(app_factory, store: Store) -> None:  # type: ignore[no-untyped-def]
    async with app_factory(story=_url(RAQQA)).run_test(size=LARGE) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        screen.current = next(
            n
            for n, r in enumerate(screen.rows())
            if any(f.kind == "number_mismatch" for f in r.flags)
        )
        await pilot.press("u")
        await pilot.pause()
        kinds = {
            r.group.kind: [f.kind for f in r.flags]
            for r in screen.rows()
            if r.group.origin == "reviewer"
        }
        assert kinds == {"added": ["added"], "dropped": ["dropped"]}
        link = screen.pair.link.id  # type: ignore[union-attr]
        assert "number_mismatch" not in {f.kind for f in store.flags(link_id=link)}
        await pilot.press("z")
        await pilot.pause()
        assert "Undone: unlinked group" in [n.message for n in pilot.app._notifications]
        assert "number_mismatch" in {f.kind for f in store.flags(link_id=link)}


# -- point 11 --------------------------------------------------------------------------------


async def test_revisions_of_an_arabic_original_are_drawn_as_the_alignment_view(
    app_factory, store: Store, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    pair = json.loads((FIXTURES / "pairs" / RAQQA).read_text("utf-8"))
    original = dict(pair["original"])
    original["paragraphs"] = [p.replace("3000", "4000") for p in original["paragraphs"]]
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(original), "utf-8")
    ingest_paths(store, [path])
    for bidi, shaped in (("app", True), ("terminal", False)):
        async with app_factory(story=_url(RAQQA), bidi=bidi).run_test(size=LARGE) as pilot:
            await pilot.pause()
            await pilot.press("v", "r")
            await pilot.pause()
            screen = pilot.app.screen
            assert isinstance(screen, DiffScreen) and screen.side == "original"
            body = screen.query_one("#diff", BidiText)
            lines = body.lines(body.content_size.width)
            changed = next(line for line in lines if "4000" in line.plain)
            # shaped presentation forms in app mode, logical letters for a bidi terminal;
            # right-aligned in both, as the original's column of the alignment view
            has_forms = any("\ufe70" <= ch <= "\ufeff" for ch in changed.plain)
            assert has_forms is shaped
            assert changed.plain.startswith(" ")
            styles = {changed.plain[s.start : s.end]: str(s.style) for s in changed.spans}
            assert "green" in styles.get("4000", "") and "strike" in styles.get("3000", "")
