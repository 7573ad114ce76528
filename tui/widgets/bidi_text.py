"""Styled text (a diff) drawn as the alignment view draws Arabic: wrapped, then reordered.

tui/bidi.py shapes and reorders plain lines. A diff is not plain: each run of it has a style
(struck-through red, bold green) that has to stay on its words once they are reordered. So
the reordering is done on words: a right-to-left line lists its words from right to left,
each Arabic word shaped and reversed on its own (a word whose diff runs differ is reversed
run by run), while runs of left-to-right words (numbers, Latin names) keep their order, as
the bidi algorithm keeps them. Lines are wrapped first, at the column width (the line rule),
then reordered and right-aligned. In ``terminal`` mode the terminal does the reordering and
the lines are left in logical order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widgets import Static

from tui.bidi import is_rtl, visual_line

Run = tuple[str, str]
"""A piece of text and its style ("" for none)."""
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_STRONG_LTR = re.compile(r"[A-Za-z0-9\u0660-\u0669\u06F0-\u06F9]")
_PIECE = re.compile(r"\s+|\S+")


@dataclass
class Word:
    """A word (several runs when a diff changes part of it) or a run of spaces."""

    runs: list[Run]
    space: bool

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.runs)

    @property
    def ltr(self) -> bool:
        """Left-to-right inside a right-to-left line: numbers and Latin, no Arabic letter."""
        return (
            not self.space and not _ARABIC.search(self.text) and bool(_STRONG_LTR.search(self.text))
        )

    def visual(self) -> list[Run]:
        if self.space or self.ltr:
            return self.runs
        return [(visual_line(text), style) for text, style in reversed(self.runs)]


def paragraphs(runs: list[Run]) -> list[list[Run]]:
    """The runs split at line breaks, one list per paragraph."""
    out: list[list[Run]] = [[]]
    for text, style in runs:
        for n, part in enumerate(text.split("\n")):
            if n:
                out.append([])
            if part:
                out[-1].append((part, style))
    return out


def words(runs: list[Run]) -> list[Word]:
    """The words and spaces of a paragraph; a word spans runs when no space separates them."""
    out: list[Word] = []
    for text, style in runs:
        for match in _PIECE.finditer(text):
            piece, space = match.group(), match.group().isspace()
            if out and out[-1].space == space:
                out[-1].runs.append((piece, style))
            else:
                out.append(Word([(piece, style)], space))
    return out


def wrap(items: list[Word], width: int) -> list[list[Word]]:
    """Greedy wrapping at ``width`` cells; spaces at a break are dropped."""
    lines: list[list[Word]] = [[]]
    used = 0
    for item in items:
        size = len(item.text)
        if item.space:
            if lines[-1]:
                lines[-1].append(item)
                used += size
            continue
        if lines[-1] and used + size > width:
            while lines[-1] and lines[-1][-1].space:
                lines[-1].pop()
            lines.append([])
            used = 0
        lines[-1].append(item)
        used += size
    while lines[-1] and lines[-1][-1].space:
        lines[-1].pop()
    return lines


def visual_order(line: list[Word]) -> list[Word]:
    """A right-to-left line's words from left to right on screen: the line reversed, runs of
    left-to-right words (with the spaces inside them) kept in their order."""
    groups: list[list[Word]] = []
    i = 0
    while i < len(line):
        j = i + 1
        if line[i].ltr:  # "Bab al-Salama", "3 500": one run, read left to right
            while j + 1 < len(line) and line[j].space and line[j + 1].ltr:
                j += 2
        groups.append(line[i:j])
        i = j
    return [item for group in reversed(groups) for item in group]


def draw(runs: list[Run], width: int, mode: str) -> list[Text]:
    """The lines to draw for styled ``runs`` in ``width`` cells."""
    width = max(width, 8)
    lines: list[Text] = []
    for paragraph in paragraphs(runs):
        rtl = is_rtl("".join(text for text, _ in paragraph))
        for line in wrap(words(paragraph), width):
            items = visual_order(line) if rtl and mode == "app" else line
            text = Text()
            for item in items:
                for piece, style in item.visual() if rtl and mode == "app" else item.runs:
                    text.append(piece, Style.parse(style) if style else None)
            if rtl:
                text.pad_left(width - text.cell_len)
            lines.append(text)
    return lines


class BidiText(Static):
    """Styled runs drawn wrapped and, for Arabic paragraphs in ``app`` mode, in visual order."""

    DEFAULT_CSS = "BidiText { height: auto; }"

    def __init__(self, mode: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.mode = mode
        self.runs: list[Run] = []
        self._cache: dict[int, list[Text]] = {}

    def show(self, runs: list[Run]) -> None:
        self.runs = runs
        self._cache = {}
        self.refresh(layout=True)

    def lines(self, width: int) -> list[Text]:
        if width not in self._cache:
            self._cache[width] = draw(self.runs, width, self.mode)
        return self._cache[width]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Text:
        return Text("\n", no_wrap=True, overflow="crop").join(
            self.lines(self.content_size.width or 80)
        )
