"""The candidates view: ranked originals with their explanations; confirm, reject, or link by URL.

Ranking may first bring the search index up to date, which takes a while after new articles
arrive: it runs in a thread worker, the screen saying it is looking meanwhile, so the UI
never freezes.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static
from textual.worker import get_current_worker

from provenance.errors import ProvenanceError
from provenance.link import Candidate, LinkResult, shared_words
from provenance.pipeline import decide_candidate, link_original_and_align
from provenance.review import Review
from tui.bindings import bindings_for
from tui.reach import provenance_app
from tui.widgets.keybar import KeyBar
from tui.widgets.note import AskModal, ConfirmModal, reject_question

LOOKING = (
    "Looking for candidates… (the first look after new articles also updates the search index)"
)


class CandidatesScreen(Screen[None]):
    SCREEN_NAME = "candidates"
    BINDINGS = bindings_for("candidates")

    def __init__(self, article_id: int) -> None:
        super().__init__()
        self.article_id = article_id
        self.candidates: list[Candidate] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(LOOKING, id="candidates-header")
        table: DataTable[str] = DataTable(id="candidates", cursor_type="row")
        table.add_columns("#", "score", "status", "original", "outlet", "days", "coverage", "why")
        yield table
        yield KeyBar()

    @property
    def review(self) -> Review:
        return provenance_app(self).review

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="candidates")
    def load(self) -> None:
        """Rank the candidates off the UI thread; the table is redrawn when they arrive."""
        app = provenance_app(self)
        try:
            result = self.review.candidates(self.article_id, app.settings)
            statuses = {
                link.original_id: link.status for link in self.review.links_of(self.article_id)
            }
        except ProvenanceError as error:
            app.call_from_thread(self._failed, str(error))
            return
        if not get_current_worker().is_cancelled:  # cancelled: the screen was closed meanwhile
            app.call_from_thread(self._show, result, statuses)

    def _failed(self, message: str) -> None:
        if self.is_attached:
            self.query_one("#candidates-header", Static).update(
                "The candidates could not be ranked."
            )
        provenance_app(self).show_error(message)

    def _show(self, result: LinkResult, statuses: dict[int, str]) -> None:
        if not self.is_attached:
            return
        self.candidates = result.candidates
        self.query_one("#candidates-header", Static).update(
            f"[b]{result.translation_url}[/b]\ncredit: {result.credit or '—'} · machine decision: {result.decision}"
        )
        table = self.query_one("#candidates", DataTable)
        table.clear()
        for c in result.candidates:
            why = ", ".join(shared_words(c.matched_terms, 5)) + (
                " · credited outlet" if c.credited else ""
            )
            table.add_row(
                str(c.rank), f"{c.score:.2f}", statuses.get(c.article_id, ""), c.url, c.outlet or "",
                "" if c.days is None else f"{c.days:+.1f}", "" if c.coverage is None else f"{c.coverage:.0%}", why,
            )  # fmt: skip
        if not result.candidates:
            table.add_row("", "", "", "no source found", "", "", "", "")

    def _selected(self) -> Candidate | None:
        table = self.query_one("#candidates", DataTable)
        if not self.candidates:
            return None
        return self.candidates[table.cursor_row]

    def _decide(self, confirm: bool) -> None:
        candidate = self._selected()
        if candidate is None:
            return
        try:
            decide_candidate(self.review, self.article_id, candidate.article_id, confirm=confirm)
        except ProvenanceError as error:
            provenance_app(self).show_error(str(error))
            return
        self.notify("confirmed" if confirm else "rejected")
        self.load()

    def action_confirm_candidate(self) -> None:
        self._decide(True)

    def action_reject_candidate(self) -> None:
        """Asked first, as in the alignment view: a rejected original is not proposed again."""
        candidate = self._selected()
        if candidate is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._decide(False)

        self.app.push_screen(ConfirmModal(reject_question(candidate.url)), answered)

    def action_link_url(self) -> None:
        def answer(url: str | None) -> None:
            if not url:
                return
            try:
                link_original_and_align(self.review, self.article_id, url)
            except ProvenanceError as error:
                provenance_app(self).show_error(str(error))
                return
            self.notify(f"linked to {url}")
            self.load()

        self.app.push_screen(AskModal("Link to the original at URL:", "https://…"), answer)

    def action_back(self) -> None:
        self.dismiss(None)
