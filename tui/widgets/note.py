"""Modal questions that close with their answer: a note, a URL, or yes / no."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class AskModal(ModalScreen[str | None]):
    """Ask for one line of text; Enter answers, Escape cancels (None)."""

    BINDINGS = [("escape", "cancel", "Cancel")]

    def __init__(self, question: str, placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="ask"):
            yield Label(self.question, markup=False)
            yield Input(placeholder=self.placeholder, id="answer")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ErrorModal(ModalScreen[None]):
    """A ProvenanceError, shown once."""

    BINDINGS = [("escape", "close", "Close"), ("enter", "close", "Close")]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="error"):
            yield Label("Error", classes="title")
            yield Label(self.message)

    def action_close(self) -> None:
        self.dismiss(None)


def reject_question(original_url: str) -> str:
    return (
        f"Reject the link to {original_url}?\nThe story loses this original and its alignment "
        "(z undoes it). y: reject · n or Esc: keep"
    )


class ConfirmModal(ModalScreen[bool]):
    """A yes / no question for a decision that loses work: y answers yes, n or Escape no."""

    BINDINGS = [("y", "answer(True)", "Yes"), ("n", "answer(False)", "No"),
                ("escape", "answer(False)", "No")]  # fmt: skip

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="ask"):
            yield Label(self.question, markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
