"""Figures in displayed lines: matched ones green, mismatched ones red."""

from __future__ import annotations

import re

from rich.text import Text

from provenance.text.anchors import format_value, parse_figure

_FIGURE = re.compile(r"\d[\d,.٬٫]*\d|\d")
_EASTERN = str.maketrans("٠١٢٣٤٥٦٧٨٩٬٫", "0123456789,.")


def _figure_key(token: str) -> str | None:
    """The anchor key of a figure as written ("3,500", "٣٬٥٠٠" -> "n:3500")."""
    try:
        return "n:" + format_value(parse_figure(token.translate(_EASTERN).rstrip(".,")))
    except ValueError:
        return None


def figure_keys(words: str) -> set[str]:
    """The keys of the figures in a flag's evidence ("1.5 million" -> {"n:1.5"}), the way
    ``highlight`` keys the figures of a displayed line."""
    return {key for m in _FIGURE.finditer(words or "") if (key := _figure_key(m.group()))}


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
