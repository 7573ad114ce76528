"""The story list: every translation with its source, link status, coverage and open flags.

Rows are read a page at a time in a thread worker, filtered and sorted in SQL, so the list
draws as fast over 50,000 stories as over 50.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from provenance.store import STORY_SORTS, StoryRow
from tui.bindings import bindings_for
from tui.messages import StoryChosen

PAGE = 200
COLUMNS = (
    ("date", 10),
    ("outlet", 18),
    ("title", 52),
    ("source", 16),
    ("link", 10),
    ("coverage", 8),
    ("flags", 5),
)
STATUS_LABEL = {
    "confirmed": "confirmed",
    "auto": "auto",
    "suggested": "suggested",
    "rejected": "rejected",
    None: "—",
}


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class StoryListScreen(Screen[None]):
    SCREEN_NAME = "stories"
    BINDINGS = bindings_for("stories")

    def __init__(self) -> None:
        super().__init__()
        self.filter = "all"
        self.sort = "newest"
        self.search = ""
        self.rows: list[StoryRow] = []
        self.total = 0
        self.loading_more = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder="search titles, URLs, outlets (Enter)", id="search", classes="-hidden"
        )
        yield Static("", id="summary")
        table: DataTable[str] = DataTable(id="stories", cursor_type="row", zebra_stripes=True)
        for name, width in COLUMNS:
            table.add_column(name, width=width, key=name)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.title = "provenance"
        self.query_one("#stories", DataTable).focus()
        self.reload()

    # -- loading --------------------------------------------------------------------------

    def reload(self) -> None:
        self.rows = []
        table = self.query_one("#stories", DataTable)
        table.clear()
        self.load_page(0)

    @work(thread=True, exclusive=True, group="stories")
    def load_page(self, offset: int) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        rows = store.story_page(
            what=self.filter, search=self.search or None, sort=self.sort, offset=offset, limit=PAGE
        )
        total = store.story_count(self.filter, self.search or None) if offset == 0 else self.total
        self.app.call_from_thread(self._show_page, offset, rows, total)

    def _show_page(self, offset: int, rows: list[StoryRow], total: int) -> None:
        if offset != len(self.rows):
            return  # a newer load replaced this one
        table = self.query_one("#stories", DataTable)
        for row in rows:
            table.add_row(
                (row.published or "")[:10],
                _fit(row.outlet or "", 18),
                _fit(row.title, 52),
                _fit(row.credit or "—", 16),
                STATUS_LABEL.get(row.link_status, row.link_status or "—")
                if row.link_status or not row.checked
                else "no source",
                "" if row.coverage is None else f"{row.coverage:.0%}",
                str(row.open_flags) if row.open_flags else "",
                key=str(row.id),
            )
        self.rows.extend(rows)
        self.total = total
        self.loading_more = False
        self.query_one("#summary", Static).update(
            f"{total} stories · filter: {self.filter} · sort: {self.sort}"
            + (f" · search: {self.search}" if self.search else "")
            + f" · showing {len(self.rows)}"
        )

    @on(DataTable.RowHighlighted, "#stories")
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= len(self.rows) - 20:
            self.action_more()

    # -- actions --------------------------------------------------------------------------

    def action_more(self) -> None:
        if not self.loading_more and len(self.rows) < self.total:
            self.loading_more = True
            self.load_page(len(self.rows))

    def action_filter(self, what: str) -> None:
        self.filter = what
        self.reload()

    def action_cycle_sort(self) -> None:
        self.sort = STORY_SORTS[(STORY_SORTS.index(self.sort) + 1) % len(STORY_SORTS)]
        self.reload()

    def action_search(self) -> None:
        box = self.query_one("#search", Input)
        box.remove_class("-hidden")
        box.focus()

    @on(Input.Submitted, "#search")
    def _search(self, event: Input.Submitted) -> None:
        self.search = event.value.strip()
        if not self.search:
            event.input.add_class("-hidden")
        self.query_one("#stories", DataTable).focus()
        self.reload()

    def action_open_story(self) -> None:
        table = self.query_one("#stories", DataTable)
        if not self.rows:
            return
        row = self.rows[table.cursor_row]
        self.post_message(StoryChosen(row.id))

    @on(DataTable.RowSelected, "#stories")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_story()
