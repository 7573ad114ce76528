"""Split text into paragraphs and tag each with its kind.

Kinds: body, title_repeat, standfirst, attribution, read_also, disclaimer, boilerplate,
translator_note. The patterns are data (data/rules.toml); this module holds only the
order in which they apply and the two rules that depend on position: the repeated headline
and the standfirst (a short lead that credits the source, before the body).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from provenance.outlets import registry
from provenance.text.credits import find_credit
from provenance.text.normalize import normalize
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
STANDFIRST_SHARED = 0.7
"""Share of an uncredited opening's anchors that the lead after it must repeat."""
_SENTENCE_END = re.compile(r"[.!?:;\"'”»)\]…؟]$")


@dataclass(frozen=True)
class Tag:
    kind: str
    credit: str | None = None


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


def _is_title(normalised: str, title: str) -> bool:
    """Same words as the (normalised, punctuation-free) title; lengths are compared first."""
    if not title or abs(len(normalised) - len(title)) > len(title) // 3 + 3:
        return False
    return _NON_WORD.sub("", normalised) == title


def tag_paragraphs(
    paragraphs: list[str], *, title: str = "", outlet: str | None = None
) -> list[Tag]:
    """The kind of each paragraph (and the outlet it credits, for standfirsts and leads)."""
    norm_title = _NON_WORD.sub("", normalize(title))
    kinds: list[str] = []
    normalised_all = [normalize(text) for text in paragraphs]
    for text, normalised in zip(paragraphs, normalised_all, strict=True):
        if _is_title(normalised, norm_title):
            kinds.append("title_repeat")
            continue
        for rule in rules().paragraph:
            if rule.applies(normalised, len(text), outlet):
                kinds.append(rule.kind)
                break
        else:
            kinds.append("body")
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
        followed_by_title = i + 1 < len(kinds) and kinds[i + 1] == "title_repeat"
        short = len(text.split()) <= STANDFIRST_MAX_WORDS
        opening = translator and first_body and short
        if opening and (
            credit is not None or followed_by_title or _summarises_next(paragraphs, kinds, i)
        ):
            kinds[i] = "standfirst"
        first_body = False
    return [Tag(kind, credit) for kind, credit in zip(kinds, credits, strict=True)]


def _summarises_next(paragraphs: list[str], kinds: list[str], i: int) -> bool:
    """A standfirst without a credit: a short opening whose figures and names the longer lead
    right after it repeats (the Syrian Observer's summary line)."""
    from provenance.text.anchors import extract_anchors

    following = next((j for j in range(i + 1, len(kinds)) if kinds[j] == "body"), None)
    if following is None or len(paragraphs[following]) < 1.2 * len(paragraphs[i]):
        return False
    first, lead = extract_anchors(paragraphs[i], "en"), extract_anchors(paragraphs[following], "en")
    mine = first.numbers | first.concepts | first.names
    if len(mine) < 3:
        return False
    shared = mine & (lead.numbers | lead.concepts | lead.names)
    return len(shared) >= STANDFIRST_SHARED * len(mine)


def article_credit(tags: list[Tag]) -> str | None:
    """The outlet an article credits: its standfirst's, else its lead's or source line's."""
    for preferred in ("standfirst", "attribution", "body"):
        for tag in tags:
            if tag.kind == preferred and tag.credit:
                return tag.credit
    return None
