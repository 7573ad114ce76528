"""Messages used across the app (a widget's own messages stay nested in the widget)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class StoryChosen(Message):
    """Open the alignment view of a translation."""

    article_id: int
