"""Figures in displayed lines: matched ones green, mismatched ones red, in every written form.

A figure is keyed by the value the anchors give it (``n:3500``), read in its paragraph: the
word after it counts ("12 ألف" is 12000, "1.5 million" is 1500000), Eastern digits and
separators are read ("٣٬٥٠٠"), and number words are figures too ("three", "ثلاثة"). The
keys are the ones the aligner and the flags use, so "25,000" and "25 ألف" light up together.
Arabic lines may be drawn shaped and in visual order (tui/bidi.py): their words are read
back to logical order before they are looked up.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rich.text import Text

from provenance.text.anchors import calendar, extract_anchors
from provenance.text.normalize import normalize

_FIGURE = re.compile(r"\d[\d,.٬٫]*\d|\d")
_WORD = re.compile(r"\S+")
_ARABIC = re.compile(r"[\u0600-\u06FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_TRIM = ".,:;!?()[]{}\"'«»“”‘’،؛%٪"
_CLITICS = "وبل"
Figures = dict[str, frozenset[str]]
"""A paragraph's figures: the figure as written ("12", or "w:ثلاثة" for a number word) ->
its anchor keys."""


def _lang(text: str) -> str:
    return "ar" if _ARABIC.search(text) else "en"


def _keys(words: str, lang: str) -> frozenset[str]:
    return frozenset(f"n:{n}" for n in extract_anchors(words, lang).numbers)


def figure_keys(words: str) -> set[str]:
    """The keys of the figures in a flag's evidence ("1.5 million" -> {"n:1500000"},
    "٢٫٥ مليون" -> {"n:2500000"}), the way ``highlight`` keys a paragraph's figures."""
    return set(_keys(words or "", _lang(words or "")))


def _number_word(word: str) -> bool:
    """Whether a word (or the word after a one-letter clitic: وثلاثة) can start a number."""
    folded = normalize(word)
    first = calendar().first_words
    return folded in first or (len(folded) > 2 and folded[1:] in first)


@lru_cache(maxsize=8192)
def figure_values(text: str, lang: str) -> Figures:
    """Every figure of a paragraph with its keys, each read with the word that follows."""
    found: dict[str, set[str]] = {}
    words = list(_WORD.finditer(text))
    for n, word in enumerate(words):
        following = words[n + 1].group() if n + 1 < len(words) else ""
        figures = list(_FIGURE.finditer(word.group()))
        for k, match in enumerate(figures):
            last = k == len(figures) - 1
            tail = word.group()[match.end() :] + " " + following if last else ""
            found.setdefault(match.group(), set()).update(_keys(match.group() + tail, lang))
        after_figure = n > 0 and words[n - 1].group()[-1:].isdigit()  # "12 ألف": one figure
        bare = word.group().strip(_TRIM)
        if figures or after_figure or not bare or not _number_word(bare):
            continue
        keys = _keys(f"{bare} {following}", lang) - _keys(following, lang)
        if not keys and bare[0] in _CLITICS:  # وثلاثة
            keys = _keys(f"{bare[1:]} {following}", lang) - _keys(following, lang)
        if keys:
            found.setdefault(f"w:{bare}", set()).update(keys)
    return {token: frozenset(keys) for token, keys in found.items()}


def _logical(word: str) -> str:
    """A word of a line drawn in visual order (reversed, shaped) back as it is written."""
    return unicodedata.normalize("NFKC", word[::-1]) if _ARABIC.search(word) else word


def highlight(
    line: str,
    matched: set[str],
    mismatched: set[str],
    style: str = "",
    figures: Figures | None = None,
    visual: bool = False,
) -> Text:
    """A display line with matched figures green and mismatched ones red. ``figures`` are
    those of the paragraph the line comes from (default: the line's own); ``visual`` says the
    line is Arabic drawn in visual order."""
    piece = Text(line, style=style)
    if figures is None:
        figures = figure_values(line, _lang(line))
    if not figures:
        return piece

    def paint(start: int, end: int, keys: frozenset[str]) -> None:
        if keys & mismatched:
            piece.stylize("bold red", start, end)
        elif keys & matched:
            piece.stylize("bold green", start, end)

    for match in _FIGURE.finditer(line):
        paint(match.start(), match.end(), figures.get(match.group(), frozenset()))
    for word in _WORD.finditer(line):
        bare = word.group().strip(_TRIM)
        keys = figures.get(f"w:{_logical(bare) if visual else bare}")
        if keys:
            start = word.start() + word.group().index(bare)
            paint(start, start + len(bare), keys)
    return piece
