"""A paragraph drawn for its column: wrapped to the width, Arabic reordered per line."""

from __future__ import annotations

import re

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from provenance.text.anchors import format_value, parse_figure
from tui.bidi import display_lines, is_rtl

_FIGURE = re.compile(r"\d[\d,.٬٫]*\d|\d")
_EASTERN = str.maketrans("٠١٢٣٤٥٦٧٨٩٬٫", "0123456789,.")


def _figure_key(token: str) -> str | None:
    """The anchor key of a figure as written ("3,500", "٣٬٥٠٠" -> "n:3500")."""
    try:
        return "n:" + format_value(parse_figure(token.translate(_EASTERN).rstrip(".,")))
    except ValueError:
        return None


def highlight(line: str, matched: set[str], mismatched: set[str], style: str = "") -> Text:
    """A display line with matched figures green and mismatched ones red."""
    piece = Text(line, style=style)
    for match in _FIGURE.finditer(line):
        key = _figure_key(match.group())
        if key in mismatched:
            piece.stylize("bold red", match.start(), match.end())
        elif key in matched:
            piece.stylize("bold green", match.start(), match.end())
    return piece


class ParagraphText(Widget):
    """Paragraph text with matched figures highlighted and mismatched ones in red."""

    DEFAULT_CSS = """
    ParagraphText { height: auto; width: 1fr; }
    ParagraphText.-rtl { text-align: right; }
    """

    def __init__(self, text: str, *, mode: str, matched: set[str] | None = None,
                 mismatched: set[str] | None = None, classes: str = "") -> None:  # fmt: skip
        rtl = is_rtl(text)
        super().__init__(classes=(classes + (" -rtl" if rtl else "")).strip())
        self.text = text
        self.mode = mode
        self.rtl = rtl
        self.matched = matched or set()
        self.mismatched = mismatched or set()

    def lines(self, width: int) -> list[str]:
        return display_lines(self.text, width, self.mode)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Text:
        width = self.content_size.width or 40
        rendered = Text(justify="right" if self.rtl else "left", no_wrap=True, overflow="crop")
        for n, line in enumerate(self.lines(width)):
            if n:
                rendered.append("\n")
            rendered.append_text(
                highlight(line.rjust(width) if self.rtl else line, self.matched, self.mismatched)
            )
        return rendered
