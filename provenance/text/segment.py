"""Split text into paragraphs and tag each with its kind.

Kinds: body, title_repeat, standfirst, attribution, read_also, disclaimer, boilerplate,
translator_note. The patterns are data (data/rules.toml); this module holds only the
order in which they apply and the two rules that depend on position: the repeated headline
and the standfirst (a short lead that credits the source, before the body).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from provenance.outlets import registry
from provenance.text.chrome import (
    chrome_key,
    is_title_line,
    key_of_normalised,
    repeated,
    shape_kind,
    trailing_headlines,
)
from provenance.text.credits import find_credit
from provenance.text.normalize import CACHED_CHARS, normalize
from provenance.text.rules import rules

KINDS = (
    "body",
    "title_repeat",
    "standfirst",
    "attribution",
    "read_also",
    "disclaimer",
    "boilerplate",
    "translator_note",
)
CHROME_KINDS = frozenset({"boilerplate", "title_repeat", "read_also", "disclaimer"})
"""Kinds that are never part of the story's text: they enter alignment as known additions."""

STANDFIRST_MAX_WORDS = 60
_SENTENCE_END = re.compile(r"[.!?:;\"'”»)\]…؟]$")


@dataclass(frozen=True)
class Tag:
    kind: str
    credit: str | None = None
    key: str = ""
    """The paragraph's chrome key (text/chrome.py), for learning outlet chrome."""


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of plain text: blank-line blocks; a block's lines stay apart unless hard-wrapped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if _hard_wrapped(lines):
            paragraphs.append(" ".join(lines))
        else:
            paragraphs.extend(lines)
    return paragraphs


def _hard_wrapped(lines: list[str]) -> bool:
    """True when a block is one paragraph broken at a fixed width (an e-mail, a terminal copy)."""
    if len(lines) < 2:
        return False
    body = lines[:-1]
    return all(40 <= len(line) <= 100 and not _SENTENCE_END.search(line) for line in body)


def guess_outlet(text: str) -> str | None:
    """The outlet whose signature (data/rules.toml) appears in a text that came without a URL."""
    normalised = normalize(text)
    for outlet, patterns in rules().signatures:
        if any(p.search(normalised) for p in patterns):
            return outlet
    return None


_NON_WORD = re.compile(r"[\W_]+")
_TITLE_SUFFIX = re.compile(r"\s+[|\-–—]\s+[^|\-–—]{2,40}$")


@cache
def _registry_keys() -> frozenset[str]:
    """Every outlet spelling of the registry as a chrome key (for bare outlet-name lines)."""
    return frozenset(chrome_key(spelling) for spelling, _ in registry().spellings())


def tag_paragraphs(
    paragraphs: list[str],
    *,
    title: str = "",
    outlet: str | None = None,
    learnt: frozenset[str] = frozenset(),
) -> list[Tag]:
    """The kind of each paragraph (and the outlet it credits, for standfirsts and leads).

    Applies to either side of a pair. In order: the headline repeated, the outlet's learnt
    chrome (``learnt``: chrome keys, see text/chrome.py), the pattern rules of
    data/rules.toml, chrome by its shape, then copies and pull quotes; the standfirst last.
    """
    # a page title often carries the outlet's name after a bar or a dash: the headline is
    # the title without it, too
    title_keys = tuple(
        {_NON_WORD.sub("", normalize(t)) for t in (title, _TITLE_SUFFIX.sub("", title))} - {""}
    )
    normalised_all = [normalize(text) for text in paragraphs]
    keys = [_key(n) for n in normalised_all]
    kinds = [
        _kind(text, key, title_keys, outlet, learnt)
        for text, key in zip(paragraphs, keys, strict=True)
    ]
    for i in repeated(paragraphs, keys, kinds):
        if kinds[i] == "body":
            kinds[i] = "boilerplate"
    for i in trailing_headlines(paragraphs, kinds):
        kinds[i] = "read_also"
    credits: list[str | None] = [None] * len(paragraphs)
    info = registry().by_name(outlet) if outlet else None
    translator = info is None or info.role == "translator"
    lead_left = rules().credit_lead_paragraphs
    first_body = True
    for i, text in enumerate(paragraphs):
        kind = kinds[i]
        if kind == "attribution":
            credit = find_credit(text, normalised_all[i])
            credits[i] = credit.outlet if credit else None
            continue
        if kind != "body" or lead_left <= 0:
            continue
        lead_left -= 1
        credit = find_credit(text, normalised_all[i])
        credits[i] = credit.outlet if credit else None
        phrase = f"{credit.phrase} {credit.outlet}" if credit else None
        followed_by_title = i + 1 < len(kinds) and kinds[i + 1] == "title_repeat"
        short = len(text.split()) <= STANDFIRST_MAX_WORDS
        # A credited opening is still the lead unless a later paragraph repeats it: only a
        # summary set above the story (a standfirst) is a known addition.
        if (
            translator
            and first_body
            and short
            and (followed_by_title or _summarises_next(paragraphs, kinds, i, phrase))
        ):
            kinds[i] = "standfirst"
        first_body = False
    return [Tag(*values) for values in zip(kinds, credits, keys, strict=True)]


def _kind(
    text: str, key: str, title_keys: tuple[str, ...], outlet: str | None, learnt: frozenset[str]
) -> str:
    if title_keys and any(
        is_title_line(key.replace(" ", ""), title_key) for title_key in title_keys
    ):
        return "title_repeat"
    if key in learnt:
        return "boilerplate"
    return _cached_kind(text, outlet) if len(text) <= CACHED_CHARS else _own_kind(text, outlet)


@lru_cache(maxsize=8192)
def _cached_kind(text: str, outlet: str | None) -> str:
    """A paragraph's own kind is a function of its text and outlet alone: a line an outlet
    prints on every page is judged once."""
    return _own_kind(text, outlet)


def _own_kind(text: str, outlet: str | None) -> str:
    """The kind the pattern rules, then the chrome shapes, give a paragraph."""
    normalised = normalize(text)
    for rule in rules().paragraph:
        if rule.applies(normalised, len(text), outlet):
            return rule.kind
    return shape_kind(text, normalised, _outlet_keys(outlet)) or "body"


@lru_cache(maxsize=256)
def _outlet_keys(outlet: str | None) -> frozenset[str]:
    """The lines that are an outlet's bare name: any outlet of the registry, and this one."""
    return _registry_keys() | ({chrome_key(outlet)} if outlet else frozenset())


def _key(normalised: str) -> str:
    if len(normalised) <= CACHED_CHARS:
        return _cached_key(normalised)
    return key_of_normalised(normalised)


@lru_cache(maxsize=8192)
def _cached_key(normalised: str) -> str:
    return key_of_normalised(normalised)


def _summarises_next(
    paragraphs: list[str], kinds: list[str], i: int, credit_phrase: str | None
) -> bool:
    """A standfirst: a short opening whose figures, dates and names the longer paragraphs right
    after it repeat. The words of its credit ("Enab Baladi reported", and the outlet's name as
    written) do not count."""
    from provenance.text.anchors import Anchors, extract_anchors

    def terms(anchors: Anchors) -> set[str]:
        return set(anchors.numbers | anchors.concepts | anchors.names | anchors.dates)

    # An uncredited opening must be repeated by the very next paragraph, a longer one.
    reach, share, longer = (2, 0.6, 1.0) if credit_phrase else (1, 0.7, 1.2)
    following = [j for j in range(i + 1, len(kinds)) if kinds[j] == "body"][:reach]
    if not following or len(paragraphs[following[0]]) < longer * len(paragraphs[i]):
        return False
    mine = terms(extract_anchors(paragraphs[i], "en"))
    if credit_phrase:
        mine -= terms(extract_anchors(credit_phrase, "en"))
    if len(mine) < 3:
        return False
    later: set[str] = set()
    for j in following:
        later |= terms(extract_anchors(paragraphs[j], "en"))
    return len(mine & later) >= share * len(mine)


def article_credit(tags: list[Tag]) -> str | None:
    """The outlet an article credits: its standfirst's, else its lead's or source line's."""
    for preferred in ("standfirst", "attribution", "body"):
        for tag in tags:
            if tag.kind == preferred and tag.credit:
                return tag.credit
    return None
