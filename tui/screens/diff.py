"""Revision history of either side of a story, and a diff between two revisions."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static

from provenance.wording import plural
from tui.bindings import bindings_for
from tui.reach import provenance_app
from tui.widgets.bidi_text import BidiText
from tui.widgets.keybar import KeyBar


class DiffScreen(Screen[None]):
    SCREEN_NAME = "diff"
    BINDINGS = bindings_for("diff")

    def __init__(self, translation_id: int, original_id: int | None) -> None:
        super().__init__()
        self.ids = {"translation": translation_id, "original": original_id}
        self.side = "translation"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="diff-header")
        with Horizontal():
            yield OptionList(id="revisions")
            with VerticalScroll(id="diff-body"):
                yield BidiText(provenance_app(self).bidi_mode, id="diff")
        yield KeyBar()

    def on_mount(self) -> None:
        self.show_side()

    @property
    def shown_id(self) -> int:
        """The article of the side shown: ``action_side`` never shows a side without one."""
        article_id = self.ids[self.side]
        assert article_id is not None
        return article_id

    def action_side(self, side: str) -> None:
        if self.ids.get(side) is None:
            self.notify("no linked original", severity="warning")
            return
        self.side = side
        self.show_side()

    def show_side(self) -> None:
        detail = provenance_app(self).review.article(self.shown_id)
        self.revisions = detail.revisions
        options = self.query_one("#revisions", OptionList)
        options.clear_options()
        for r in detail.revisions:
            options.add_option(f"#{r.number} · {r.created_at[:16].replace('T', ' ')}")
        self.query_one("#diff-header", Static).update(
            f"[b]{self.side}[/b]: {detail.article.url} · {plural(len(detail.revisions), 'revision')}"
            " — pick one to compare with the one before"
        )
        self.show_diff(len(detail.revisions))

    @on(OptionList.OptionSelected, "#revisions")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.show_diff(event.option_index + 1)

    def show_diff(self, number: int) -> None:
        """The diff drawn as the alignment view draws its columns (``--bidi``): an Arabic
        original shaped and in reading order, insertions green, deletions struck through red."""
        body = self.query_one("#diff", BidiText)
        if number <= 1:
            body.show([("The first revision: nothing to compare it with.", "")])
            return
        review = provenance_app(self).review
        before, after, changes = review.revision_diff(self.shown_id, number - 1, number)
        runs = [(f"revision {before} → {after}\n\n", "")]
        runs += [(c.text, {-1: "strike red", 1: "bold green"}.get(c.op, "")) for c in changes]
        body.show(runs)

    def action_back(self) -> None:
        self.dismiss(None)
