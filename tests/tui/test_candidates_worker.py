"""The candidates view ranks in a worker: while the search index is brought up to date (here
held up by another writer on the database), the screen says it is looking and keys still
work; the candidates arrive once the index is written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual.widgets import DataTable, Static

from provenance.config import Settings
from provenance.ingest import ingest_paths
from provenance.store import Store
from tests.conftest import FIXTURES
from tests.tui.conftest import SEED
from tui.app import make_app
from tui.screens.candidates import CandidatesScreen
from tui.screens.help import HelpScreen


def _ingested_only(path: Path) -> str:
    """The fixture pairs stored but never linked: the search index is still to be built."""
    url = f"sqlite:///{path}"
    store = Store.open(url)
    ingest_paths(store, [FIXTURES / "pairs"])
    store.close()
    return url


async def test_candidates_view_answers_keys_while_the_index_is_built(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    url = _ingested_only(path)
    app = make_app(Settings(db=url, busy_timeout_ms=60_000), reviewer="rania", story=SEED)
    other_writer = sqlite3.connect(path, isolation_level=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        other_writer.execute("BEGIN IMMEDIATE")  # indexing must wait for this writer
        try:
            await pilot.press("t")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, CandidatesScreen)
            header = screen.query_one("#candidates-header", Static)
            assert "Looking for candidates" in str(header.render())
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            await pilot.pause()
        finally:
            other_writer.execute("ROLLBACK")
            other_writer.close()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen
        assert "Looking for candidates" not in str(header.render())
        table = screen.query_one("#candidates", DataTable)
        assert "604512" in str(table.get_row_at(0)[3])


async def test_closing_the_candidates_view_before_the_ranking_arrives(tmp_path: Path) -> None:
    """Back out while the index is still being built: the alignment view stays, and the
    late ranking is dropped without an error."""
    path = tmp_path / "fresh.db"
    url = _ingested_only(path)
    app = make_app(Settings(db=url, busy_timeout_ms=60_000), reviewer="rania", story=SEED)
    other_writer = sqlite3.connect(path, isolation_level=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        alignment = app.screen
        other_writer.execute("BEGIN IMMEDIATE")
        try:
            await pilot.press("t")
            await pilot.pause()
            assert isinstance(app.screen, CandidatesScreen)
            await pilot.press("escape")
            await pilot.pause()
        finally:
            other_writer.execute("ROLLBACK")
            other_writer.close()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is alignment
        assert not app.screen.query("ErrorModal")
        assert app.is_running
