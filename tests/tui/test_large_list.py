"""The story list over 50,000 stories: the first page draws and more rows load on demand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from provenance.config import Settings
from provenance.models import Article, Outlet
from provenance.store import Store
from tui.app import make_app
from tui.screens.stories import PAGE, StoryListScreen

STORIES = 50_000


def fill(path: Path, n: int = STORIES) -> None:
    """Bulk rows straight into the tables: the list needs stories, not their text."""
    store = Store.open(f"sqlite:///{path}")
    start = datetime(2020, 1, 1, tzinfo=UTC)
    with store.engine.begin() as conn:
        outlet = conn.execute(
            insert(Outlet.__table__).values(
                name="The Syrian Observer", lang="en", role="translator", hosts=[]
            )  # type: ignore[attr-defined]
        ).inserted_primary_key[0]
        conn.execute(
            insert(Article.__table__),  # type: ignore[attr-defined]
            [
                {
                    "url": f"https://syrianobserver.com/news/{i}",
                    "lang": "en",
                    "title": f"Story {i}",
                    "outlet_id": outlet,
                    "published": start + timedelta(minutes=37 * i),
                    "credit": "Enab Baladi",
                    "revision_count": 1,
                    "created_at": start,
                    "updated_at": start,
                }
                for i in range(n)
            ],
        )
    store.close()


async def test_fifty_thousand_stories(tmp_path: Path) -> None:
    path = tmp_path / "big.db"
    fill(path)
    app = make_app(Settings(db=f"sqlite:///{path}"), reviewer="rania", bidi="app")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StoryListScreen)
        assert screen.total == STORIES
        table = screen.query_one("#stories")
        assert table.row_count == PAGE  # one page read, not the whole table
        first = table.coordinate_to_cell_key((0, 0)).row_key
        assert table.get_cell(first, "title") == f"Story {STORIES - 1}"  # newest first
        table.move_cursor(row=PAGE - 1)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert table.row_count == 2 * PAGE
