"""Every binding, grouped by screen, read from tui/bindings.py."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from tui.bindings import ACTIONS

TITLES = {"app": "Everywhere", "stories": "Story list", "alignment": "Alignment view", "candidates": "Candidates",
          "diff": "Revisions"}  # fmt: skip
KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "escape": "Esc",
    "enter": "Enter",
    "pagedown": "PgDn",
}


def help_markdown() -> str:
    lines = ["# provenance: keys", ""]
    for screen, title in TITLES.items():
        lines += [f"## {title}", "", "| key | action |", "| --- | --- |"]
        for action in ACTIONS:
            if action.screen == screen:
                lines.append(
                    f"| `{KEY_NAMES.get(action.key, action.key)}` | {action.description} |"
                )
        lines.append("")
    lines += ["Press Esc to close."]
    return "\n".join(lines)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [("escape", "close", "Close"), ("question_mark", "close", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(help_markdown())

    def action_close(self) -> None:
        self.dismiss(None)
