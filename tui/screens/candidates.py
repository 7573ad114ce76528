"""The candidates view: ranked originals with their explanations; confirm, reject, or link by URL."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from provenance.errors import ProvenanceError
from provenance.link import Candidate, candidates_for, shared_words
from tui.bindings import bindings_for
from tui.widgets.keybar import KeyBar
from tui.widgets.note import AskModal, ConfirmModal, reject_question


class CandidatesScreen(Screen[None]):
    SCREEN_NAME = "candidates"
    BINDINGS = bindings_for("candidates")

    def __init__(self, article_id: int) -> None:
        super().__init__()
        self.article_id = article_id
        self.candidates: list[Candidate] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="candidates-header")
        table: DataTable[str] = DataTable(id="candidates", cursor_type="row")
        table.add_columns("#", "score", "status", "original", "outlet", "days", "coverage", "why")
        yield table
        yield KeyBar()

    @property
    def store(self) -> Any:
        return self.app.store  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        result = candidates_for(self.store, self.article_id, settings=self.app.settings)  # type: ignore[attr-defined]
        statuses = {
            link.original_id: link.status
            for link in self.store.links(translation_id=self.article_id)
        }
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
            link = self.store.link(self.article_id, candidate.article_id)
            review = self.app.review  # type: ignore[attr-defined]
            (review.confirm_link if confirm else review.reject_link)(link.id)
        except ProvenanceError as error:
            self.app.show_error(str(error))  # type: ignore[attr-defined]
            return
        if confirm:
            from provenance.align import align_links

            align_links(self.store, translation=self.article_id)
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
                self.app.review.link_original(self.article_id, url)  # type: ignore[attr-defined]
                from provenance.align import align_links

                align_links(self.store, translation=self.article_id)
            except ProvenanceError as error:
                self.app.show_error(str(error))  # type: ignore[attr-defined]
                return
            self.notify(f"linked to {url}")
            self.load()

        self.app.push_screen(AskModal("Link to the original at URL:", "https://…"), answer)

    def action_back(self) -> None:
        self.dismiss(None)
