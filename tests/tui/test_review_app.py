"""The review UI driven headless: press the keys, then check the screen and the database."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from provenance.review import Review
from provenance.store import Store
from tests.conftest import FIXTURES
from tests.tui.conftest import SEED
from tui.screens.alignment import AlignmentScreen, GroupRow
from tui.screens.candidates import CandidatesScreen
from tui.screens.diff import DiffScreen
from tui.screens.help import HelpScreen
from tui.screens.stories import StoryListScreen
from tui.widgets.bidi_text import BidiText


def _seed_id(store: Store) -> int:
    return store.find_article(SEED).id


async def _open_seed(pilot, store: Store) -> AlignmentScreen:  # type: ignore[no-untyped-def]
    screen = pilot.app.screen
    assert isinstance(screen, StoryListScreen)
    await pilot.pause()
    table = screen.query_one("#stories", DataTable)
    row = next(n for n, r in enumerate(screen.rows) if r.id == _seed_id(store))
    table.move_cursor(row=row)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, AlignmentScreen)
    return pilot.app.screen


async def test_story_list_shows_the_stories_and_filters(app_factory, store: Store) -> None:  # type: ignore[no-untyped-def]
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StoryListScreen)
        table = screen.query_one("#stories", DataTable)
        assert table.row_count == 12
        seed = str(_seed_id(store))
        assert table.get_cell(seed, "source") == "Enab Baladi"
        assert table.get_cell(seed, "link") == "auto"
        assert "12 stories" in str(screen.query_one("#summary", Static).render())
        await pilot.press("3")  # flagged
        await pilot.pause()
        assert screen.filter == "flagged" and table.row_count == store.story_count("flagged")
        await pilot.press("slash")
        await pilot.press(*"Hamas", "enter")
        await pilot.pause()
        assert table.row_count == 1
        await pilot.press("o")
        await pilot.pause()
        assert screen.sort == "oldest"


async def test_alignment_view_shows_both_sides_flags_and_anchors(app_factory, store: Store) -> None:  # type: ignore[no-untyped-def]
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_seed(pilot, store)
        rows = list(screen.query(GroupRow))
        kinds = [r.group.kind for r in rows]
        assert kinds.count("matched") == 8 and "dropped" in kinds and "added" in kinds
        flags = {f.kind for r in rows for f in r.flags}
        assert {"boilerplate", "attribution", "read_also", "disclaimer", "dropped"} <= flags
        header = str(screen.query_one("#pair-header", Static).render())
        assert "604512" in header and "auto" in header
        await pilot.press("j", "j")
        assert screen.current == 2 and rows[2].has_class("-current")
        await pilot.press("n")
        assert any(f.status == "open" for f in screen.rows()[screen.current].flags)


async def test_confirm_link_is_saved_with_the_reviewer_and_undone(
    app_factory, store: Store
) -> None:  # type: ignore[no-untyped-def]
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_seed(pilot, store)
        await pilot.press("c")
        await pilot.pause()
        assert "confirmed" in str(screen.query_one("#pair-header", Static).render())
        (link, *_rest) = store.links(translation_id=_seed_id(store))
        assert link.status == "confirmed"
        event = Review(store, "rania").history()[0]
        assert (event.reviewer, event.action) == ("rania", "confirm_link")
        await pilot.press("z")
        await pilot.pause()
        assert store.links(translation_id=_seed_id(store))[0].status == "auto"


async def test_dismiss_a_flag_with_a_note_then_undo(app_factory, store: Store) -> None:  # type: ignore[no-untyped-def]
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_seed(pilot, store)
        read_also = next(
            n for n, r in enumerate(screen.rows()) if any(f.kind == "read_also" for f in r.flags)
        )
        screen.current = read_also
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"house style", "enter")
        await pilot.pause()
        flag = next(f for f in store.flags(article_id=_seed_id(store)) if f.kind == "read_also")
        assert (flag.status, flag.note) == ("dismissed", "house style")
        assert "dismissed" in screen.rows()[read_also].flag_text()
        await pilot.press("z")
        await pilot.pause()
        flag = next(f for f in store.flags(article_id=_seed_id(store)) if f.kind == "read_also")
        assert (flag.status, flag.note) == ("open", None)


async def test_accept_flag(app_factory, store: Store) -> None:  # type: ignore[no-untyped-def]
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_seed(pilot, store)
        await pilot.press("n")
        kind = next(f.kind for f in screen.rows()[screen.current].flags if f.status == "open")
        await pilot.press("a")
        await pilot.pause()
        assert any(
            f.kind == kind and f.status == "accepted"
            for f in store.flags(article_id=_seed_id(store))
        )


async def test_group_edits_from_the_keyboard(app_factory, store: Store) -> None:  # type: ignore[no-untyped-def]
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_seed(pilot, store)
        link_id = screen.pair.link.id  # type: ignore[union-attr]
        first_match = next(n for n, r in enumerate(screen.rows()) if r.group.kind == "matched")
        screen.current = first_match
        await pilot.press("m")
        await pilot.pause()
        merged = [g for g in store.groups(link_id) if g.origin == "reviewer"]
        assert len(merged) == 1 and len(merged[0].translation) == 2
        screen.current = next(n for n, r in enumerate(screen.rows()) if r.group.id == merged[0].id)
        await pilot.press("s")
        await pilot.pause()
        assert [g.kind for g in store.groups(link_id) if g.origin == "reviewer"] == [
            "matched",
            "matched",
        ]
        screen.current = next(n for n, r in enumerate(screen.rows()) if r.group.kind == "matched")
        await pilot.press("u")
        await pilot.pause()
        added = next(
            n
            for n, r in enumerate(screen.rows())
            if r.group.kind == "added" and r.group.origin == "reviewer"
        )
        screen.current = added
        await pilot.press("l")
        await pilot.pause()
        assert sorted(g.kind for g in store.groups(link_id) if g.origin == "reviewer") == [
            "matched",
            "matched",
        ]


async def test_candidates_view_confirm_reject_and_link_by_url(app_factory, store: Store) -> None:  # type: ignore[no-untyped-def]
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_seed(pilot, store)
        await pilot.press("t")
        await app.workers.wait_for_complete()  # the ranking runs in a worker
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CandidatesScreen)
        table = screen.query_one("#candidates", DataTable)
        assert "604512" in str(table.get_row_at(0)[3])
        await pilot.press("x")  # asks first: "n" keeps the link
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert store.links(translation_id=_seed_id(store))[0].status == "auto"
        await pilot.press("x", "y")
        await pilot.pause()
        assert {
            link.original_url: link.status for link in store.links(translation_id=_seed_id(store))
        }["https://www.enabbaladi.net/archives/604512"] == "rejected"
        await pilot.press("c")
        await pilot.pause()
        assert store.links(translation_id=_seed_id(store))[0].status == "confirmed"
        await pilot.press("L")
        await pilot.pause()
        await pilot.press(*"https://www.enabbaladi.net/archives/603540", "enter")
        await pilot.pause()
        statuses = {
            link.original_url: link.status for link in store.links(translation_id=_seed_id(store))
        }
        assert statuses["https://www.enabbaladi.net/archives/603540"] == "confirmed"
        assert statuses["https://www.enabbaladi.net/archives/604512"] == "suggested"


async def test_revisions_and_diff(app_factory, store: Store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    pair = json.loads((FIXTURES / "pairs" / "01-hamas-syria-relations.json").read_text("utf-8"))
    edited = dict(pair["translation"])
    edited["paragraphs"] = [
        p.replace("September 12th", "September 13th") for p in edited["paragraphs"]
    ]
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(edited), "utf-8")
    from provenance.ingest import ingest_paths

    ingest_paths(store, [path])
    app = app_factory(story=SEED)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DiffScreen)
        shown = screen.query_one("#diff", BidiText).render()
        # "12th" -> "13th": the deletion struck through in red, then the insertion in green
        assert "revision 1 → 2" in shown.plain
        struck = "".join(
            shown.plain[s.start : s.end] for s in shown.spans if "strike" in str(s.style)
        )
        added = "".join(shown.plain[s.start : s.end] for s in shown.spans if "bold" in str(s.style))
        assert struck.strip() and struck.strip() in "12th"
        assert added.strip() and added.strip() in "13th"


async def test_help_lists_every_binding(app_factory) -> None:  # type: ignore[no-untyped-def]
    from tui.bindings import ACTIONS
    from tui.screens.help import help_markdown

    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = help_markdown()
        assert all(a.description in text for a in ACTIONS)
        await pilot.press("escape")
        assert isinstance(app.screen, StoryListScreen)


async def test_decisions_are_still_there_after_reopening(app_factory, store: Store) -> None:  # type: ignore[no-untyped-def]
    async with app_factory().run_test(size=(120, 40)) as pilot:
        await _open_seed(pilot, store)
        await pilot.press("c")
        await pilot.pause()
    async with app_factory(story=SEED).run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "confirmed" in str(pilot.app.screen.query_one("#pair-header", Static).render())
