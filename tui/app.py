"""The review app: story list, alignment view, candidates, revisions, help.

Build it with ``make_app`` (``provenance review`` and the tests do). It reads and writes only
through the review stage (provenance.review's ``Review``), which hands back view data
(provenance/views.py): the UI imports no store module. Screens reach the app through
``tui.reach.provenance_app``.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App

from provenance.config import Settings
from provenance.review import Review
from tui.bidi import resolve_mode
from tui.bindings import bindings_for
from tui.commands import ActionCommands
from tui.messages import StoryChosen
from tui.screens.alignment import AlignmentScreen
from tui.screens.help import HelpScreen
from tui.screens.stories import StoryListScreen
from tui.widgets.note import ErrorModal


class ProvenanceApp(App[None]):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "provenance"
    BINDINGS = bindings_for("app")
    COMMANDS = App.COMMANDS | {ActionCommands}

    def __init__(
        self,
        review: Review,
        settings: Settings,
        bidi_mode: str,
        start: int | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.review = review
        self.bidi_mode = bidi_mode
        self.start = start

    def on_mount(self) -> None:
        self.sub_title = f"reviewer: {self.review.reviewer} · bidi: {self.bidi_mode}"
        self.push_screen(StoryListScreen())
        if self.start is not None:
            self.push_screen(AlignmentScreen(self.start))

    def on_story_chosen(self, message: StoryChosen) -> None:
        self.push_screen(AlignmentScreen(message.article_id))

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def show_error(self, message: str) -> None:
        self.push_screen(ErrorModal(message))


def make_app(
    settings: Settings,
    *,
    reviewer: str | None = None,
    bidi: str | None = None,
    story: str | None = None,
) -> ProvenanceApp:
    """The app on the configured database, optionally opened at one story (URL or id). The
    database must exist: reviewing never creates one."""
    review = Review.open(settings, reviewer)
    start = review.story_id(story) if story else None
    return ProvenanceApp(review, settings, resolve_mode(bidi), start)
