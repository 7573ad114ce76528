"""Read the source credit in a standfirst or lead: "according to Enab Baladi", "SANA reports".

The phrasings are data (data/rules.toml, ``{outlet}`` standing for any spelling in the
outlet registry). Finding them is on the ingest hot path, so the work is staged: a set test
on the paragraph's words, then a plain substring search for the spellings those words
allow, and only then the phrase patterns, in a window around each mention.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache

from provenance.outlets import OutletInfo, registry
from provenance.text.normalize import CACHED_CHARS, normalize
from provenance.text.rules import rules

WINDOW = 120
"""Characters on each side of a mention that a credit phrase may span."""

_WORDS = re.compile(r"\w+")
_ARABIC_PREFIXES = "ولبفك"


@dataclass(frozen=True)
class Credit:
    """An outlet named as the source, and the words that named it."""

    outlet: str
    phrase: str


@cache
def _spellings_by_word() -> dict[str, list[tuple[str, OutletInfo]]]:
    """Each spelling filed under its longest word: a spelling cannot occur without that word."""
    index: dict[str, list[tuple[str, OutletInfo]]] = defaultdict(list)
    for spelling, outlet in registry().spellings():
        words = _WORDS.findall(spelling)
        if words:
            index[max(words, key=len)].append((spelling, outlet))
    return dict(index)


@cache
def _phrase_regex(spelling: str) -> re.Pattern[str]:
    """Every credit phrase of data/rules.toml with ``{outlet}`` bound to one spelling."""
    outlet = rf"{re.escape(spelling)}(?!\w)"
    return re.compile(
        "|".join(f"(?:{p.replace('{outlet}', outlet)})" for p in rules().credit_patterns)
    )


def _candidate_spellings(normalised: str) -> list[tuple[str, OutletInfo]]:
    words = set(_WORDS.findall(normalised))
    words |= {w[1:] for w in words if w[:1] in _ARABIC_PREFIXES}  # لعنب -> عنب
    index = _spellings_by_word()
    found = [item for word in words & index.keys() for item in index[word]]
    return sorted(found, key=lambda item: -len(item[0]))


def find_credit(text: str, normalised: str | None = None) -> Credit | None:
    """The first outlet credited in ``text``, if any phrase of data/rules.toml names one."""
    normalised = normalize(text) if normalised is None else normalised
    if len(normalised) <= CACHED_CHARS:
        return _cached_credit(normalised)
    return _credit_in(normalised)


@lru_cache(maxsize=8192)
def _cached_credit(normalised: str) -> Credit | None:
    """A lead or source line an outlet prints again is read once."""
    return _credit_in(normalised)


def _credit_in(normalised: str) -> Credit | None:
    best: tuple[int, Credit] | None = None
    for spelling, outlet in _candidate_spellings(normalised):
        at = normalised.find(spelling)
        while at != -1:
            start, end = max(0, at - WINDOW), at + len(spelling) + WINDOW
            match = _phrase_regex(spelling).search(normalised, start, end)
            if match is not None and (best is None or match.start() < best[0]):
                best = (match.start(), Credit(outlet=outlet.name, phrase=match.group(0)))
                break
            at = normalised.find(spelling, at + 1)
    return best[1] if best else None
