"""Normalisation for matching: never applied to the stored text, only to what is compared.

Arabic spelling varies in ways that carry no meaning for matching: hamza seats on alef,
ta marbuta written as ha, alef maqsura as ya, optional diacritics and tatweel, and three digit
systems (ASCII, Eastern Arabic ٠-٩, Persian ۰-۹). One translate table folds them all.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from provenance.text.memo import Memo

# Arabic letters folded to one form (what the matcher compares, not what is shown).
_LETTER_FOLDS = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ٲ": "ا",
    "ٳ": "ا",
    "ى": "ي",
    "ی": "ي",  # Persian yeh
    "ئ": "ي",
    "ؤ": "و",
    "ة": "ه",
    "ک": "ك",  # Persian keheh
    "ڤ": "ف",
    "ڨ": "ق",
    "گ": "ك",
    "پ": "ب",
    "چ": "ج",
    "٬": ",",  # Arabic thousands separator
    "٫": ".",  # Arabic decimal separator
    "٪": "%",
    "،": ",",
    "؛": ";",
    "؟": "?",
}

_DIACRITICS = [chr(c) for c in range(0x064B, 0x0660)] + [
    "\u0670",
    "\u0640",
]  # + superscript alef, tatweel
_DIACRITICS += [chr(c) for c in range(0x06D6, 0x06EE)]


@cache
def _table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(k): v for k, v in _LETTER_FOLDS.items()}
    for ch in _DIACRITICS:
        table[ord(ch)] = None
    for base in (0x0660, 0x06F0):  # Eastern Arabic and Persian digits
        for i in range(10):
            table[base + i] = str(i)
    return table


@cache
def _digit_table() -> dict[int, str]:
    table = {ord(k): v for k, v in _LETTER_FOLDS.items() if k in "٬٫٪"}
    for base in (0x0660, 0x06F0):
        for i in range(10):
            table[base + i] = str(i)
    return table


def fold_digits(text: str) -> str:
    """Eastern Arabic and Persian digits (and ٬ ٫ ٪) to their ASCII forms; letters untouched."""
    return text.translate(_digit_table()) if _has_non_ascii(text) else text


def normalize_arabic(text: str) -> str:
    """Fold Arabic spelling variants and digits; other scripts pass through unchanged."""
    return text.translate(_table())


CACHED_CHARS = 4000
"""Texts up to this long are normalised once: ingest asks for one paragraph's form several
times (its tags, its credit, its anchors, its words), and a long text is not kept. The other
per-paragraph caches of ingest (kinds, credits, languages) keep texts up to this long too."""


def normalize(text: str) -> str:
    """The matching form of any text: NFKC, Arabic folds, lower case, single spaces."""
    return _normalize_cached(text) if len(text) <= CACHED_CHARS else _normalize(text)


@lru_cache(maxsize=16384)
def _normalize_cached(text: str) -> str:
    return _normalize(text)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():  # the table changes no ASCII character
        if _single_spaced(text):  # most texts: no need to split them
            return text.casefold()
        return " ".join(text.casefold().split())  # single spaces: split() and \s agree
    return " ".join(filter(None, map(_FOLDED_WORDS.__getitem__, text.split())))


def _single_spaced(text: str) -> bool:
    """Whether an ASCII text's only spaces are single spaces between words, as ``split``
    sees spaces: every other ASCII space character is unprintable."""
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def _fold_word(word: str) -> str:
    """One word's Arabic folds, plain punctuation and case folding. Folding word by word
    gives what folding the whole text would: neither the table nor case folding turns
    whitespace into anything else or anything else into whitespace (checked over every code
    point), and a word the table deletes entirely (a lone tatweel) is dropped, as a split of
    the folded text would drop it."""
    return word.translate(_folds_and_punctuation()).casefold()


_FOLDED_WORDS = Memo(_fold_word)
"""Words recur: most cost one look-up instead of a character-by-character translation."""


@cache
def _folds_and_punctuation() -> list[str | None]:
    """The Arabic folds and the typographic quotes and dashes as plain ones (so "solid"
    matches “solid”), in one table: one pass over the text instead of two. Case folding may
    run after both: it neither makes nor changes any character of the table, nor any that
    the table makes (checked over every code point). A list indexed by code point, every
    character up to the last one the table changes included: ``translate`` then finds each
    character without the KeyError a dict raises for an unchanged one (twice as fast)."""
    table = {**_table(), **_PUNCT}
    return [table.get(code, chr(code)) for code in range(max(table) + 1)]


_PUNCT = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "–": "-",
        "—": "-",
        "‑": "-",
        "\u00a0": " ",
        "\u200f": None,
        "\u200e": None,
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
    }
)


def _has_non_ascii(text: str) -> bool:
    return not text.isascii()


ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3\u06FA-\u06FF]")
LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")


def script_of(text: str, sample: int = 400) -> str | None:
    """'arabic', 'latin' or None (no letters): the dominant script of the first ``sample`` chars."""
    text = text[:sample]
    arabic = len(ARABIC_LETTER.findall(text))
    latin = len(LATIN_LETTER.findall(text))
    if not arabic and not latin:
        return None
    return "arabic" if arabic >= latin else "latin"
