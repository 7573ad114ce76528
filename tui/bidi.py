"""Arabic on terminals: shaping and visual reordering, line by line after wrapping.

Rich and Textual draw characters in logical order. A terminal that implements bidi
(mlterm, Apple Terminal, recent GNOME terminals) reorders them itself; most do not, and show
Arabic backwards and unjoined. In ``app`` mode we wrap the logical text to the column width
first, then shape (arabic-reshaper) and reorder (python-bidi) each line on its own: the
bidi algorithm's line rule, without which a long paragraph's lines come out in the wrong
order. Numbers and Latin names inside Arabic keep their left-to-right order. In
``terminal`` mode the text is left as it is for the terminal to handle.
"""

from __future__ import annotations

import os
import re
import textwrap
from functools import lru_cache

MODES = ("auto", "app", "terminal")
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")


def resolve_mode(mode: str | None = None) -> str:
    """'app' or 'terminal': the option, else PROVENANCE_BIDI, else a guess from the terminal."""
    chosen = (mode or os.environ.get("PROVENANCE_BIDI") or "auto").lower()
    if chosen not in MODES:
        raise ValueError(f"bidi mode {chosen!r} is not one of {', '.join(MODES)}")
    if chosen != "auto":
        return chosen
    term_program = os.environ.get("TERM_PROGRAM", "")
    vte = int(os.environ.get("VTE_VERSION", "0") or 0)
    if term_program in ("Apple_Terminal",) or "mlterm" in os.environ.get("TERM", "") or vte >= 5800:
        return "terminal"
    return "app"


def is_rtl(text: str) -> bool:
    return len(_ARABIC.findall(text[:200])) > len(re.findall(r"[A-Za-z]", text[:200]))


@lru_cache(maxsize=4096)
def visual_line(line: str) -> str:
    """One line shaped and in visual order (the base direction is right-to-left)."""
    import arabic_reshaper
    from bidi.algorithm import get_display

    return str(get_display(arabic_reshaper.reshape(line), base_dir="R"))


@lru_cache(maxsize=4096)
def visual_ltr_line(line: str) -> str:
    """A left-to-right line with Arabic words in it (a flag's evidence), shaped and in visual
    order, for terminals that do neither."""
    if not _ARABIC.search(line):
        return line
    import arabic_reshaper
    from bidi.algorithm import get_display

    return str(get_display(arabic_reshaper.reshape(line), base_dir="L"))


def display_lines(text: str, width: int, mode: str) -> list[str]:
    """The lines to draw for ``text`` in a column ``width`` cells wide."""
    width = max(width, 8)
    lines = textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=False) or [""]
    if mode == "app" and is_rtl(text):
        return [visual_line(line) for line in lines]
    return lines
