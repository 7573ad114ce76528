"""The story list: every translation with its source, link status, coverage and open flags.

Rows are read a page at a time in a thread worker, filtered and sorted in SQL, so the list
draws as fast over 50,000 stories as over 50.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from provenance.views import STORY_SORTS, StoryRow
from provenance.vocab import LinkStatus
from provenance.wording import plural
from tui.bindings import bindings_for
from tui.messages import StoryChosen
from tui.reach import provenance_app
from tui.widgets.keybar import KeyBar

PAGE = 200
COLUMNS = (
    # name, width (None: the title takes what is left), narrowest screen that shows it
    ("date", 10, 0),
    ("outlet", 18, 150),
    ("title", None, 0),
    ("source", 16, 100),
    ("link", 9, 0),
    ("coverage", 8, 115),
    ("flags", 5, 0),
)
"""Link status and flags stay at every width; outlet, source and coverage give way first."""
CHROME = 3
"""Cells a row needs beyond its columns: the scrollbar and a margin."""
MIN_TITLE = 16
STATUS_LABEL: dict[str | None, str] = {**{status: status.value for status in LinkStatus}, None: "—"}


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def columns_for(width: int, with_flags: bool) -> list[tuple[str, int]]:
    """The columns that fit a screen ``width`` cells wide, each with its width. The flags
    column is left out when no story listed has an open flag."""
    shown = [
        (name, size)
        for name, size, narrowest in COLUMNS
        if width >= narrowest and (name != "flags" or with_flags)
    ]
    fixed = sum(size or 0 for _, size in shown) + 2 * len(shown) + CHROME
    return [(name, size or max(width - fixed, MIN_TITLE)) for name, size in shown]


def _cell(row: StoryRow, name: str, width: int) -> str:
    """One cell of the story list, cut to its column with an ellipsis."""
    if name == "date":
        return (row.published or "")[:10]
    if name == "link":
        if row.link_status or not row.checked:
            return STATUS_LABEL.get(row.link_status, row.link_status or "—")
        return "no source"
    if name == "coverage":
        return "" if row.coverage is None else f"{row.coverage:.0%}"
    if name == "flags":
        return str(row.open_flags) if row.open_flags else ""
    text = {"outlet": row.outlet, "title": row.title, "source": row.credit or "—"}[name]
    return _fit(text or "", width)


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
        self.columns: list[tuple[str, int]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder="search titles, URLs, outlets (Enter)", id="search", classes="-hidden"
        )
        yield Static("", id="summary")
        yield DataTable(id="stories", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

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

    def on_resize(self) -> None:
        if self.columns:
            self._lay_out()

    def _lay_out(self) -> None:
        """Fit the columns to the screen again (after a resize, or when the first story with
        flags arrives); the rows are redrawn, the cursor stays on its story."""
        columns = columns_for(self.size.width, any(r.open_flags for r in self.rows))
        if columns == self.columns:
            return
        self.columns = columns
        table = self.query_one("#stories", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        for name, width in columns:
            table.add_column(name, width=width, key=name)
        self._add_rows(self.rows)
        if self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1))

    def _add_rows(self, rows: list[StoryRow]) -> None:
        table = self.query_one("#stories", DataTable)
        for row in rows:
            table.add_row(
                *(_cell(row, name, width) for name, width in self.columns), key=str(row.id)
            )

    @work(thread=True, exclusive=True, group="stories")
    def load_page(self, offset: int) -> None:
        review = provenance_app(self).review
        search = self.search or None
        rows = review.story_page(self.filter, search, self.sort, offset, PAGE)
        total = review.story_count(self.filter, search) if offset == 0 else self.total
        self.app.call_from_thread(self._show_page, offset, rows, total)

    def _show_page(self, offset: int, rows: list[StoryRow], total: int) -> None:
        if offset != len(self.rows):
            return  # a newer load replaced this one
        self.rows.extend(rows)
        self.total = total
        self.loading_more = False
        before = self.columns
        self._lay_out()
        if self.columns is before:  # the columns stayed: only the new rows are drawn
            self._add_rows(rows)
        self.query_one("#summary", Static).update(
            f"{plural(total, 'story')} · filter: {self.filter} · sort: {self.sort}"
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
        """Show one filter's stories; ``1`` (all) also clears the search, so one key always
        brings back the whole list."""
        self.filter = what
        if what == "all" and self.search:
            self.search = ""
            box = self.query_one("#search", Input)
            box.value = ""
            box.add_class("-hidden")
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
