"""Page chrome that no pattern list can enumerate, recognised by its shape.

Scraped pages of any outlet carry lines that are not the story: a repeated or slightly
misspelt headline, a photo caption ending in its credit, a byline with a date, a date widget,
a bare outlet name used as a dateline, a counter or a stray character, a markup fragment, a
pull quote that repeats a sentence of the body, a paragraph printed twice. These shape rules
apply to both sides of a pair, after the pattern rules of data/rules.toml; their numbers live
in the `[chrome]` table of the same file.

The second mechanism, chrome learnt from the corpus (a line repeated verbatim across several
articles of one outlet), is ``learn_outlet_chrome``: the store keeps its counts, and
``provenance eval`` applies it to the articles under its paths.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher
from functools import cache

from provenance.text.anchors import calendar
from provenance.text.normalize import normalize
from provenance.text.rules import rules

DATE_LINE_MAX_CHARS = 60
FRAGMENT_MAX_CHARS = 60
"""Cheap gates: no line longer than these is a date line, a fragment or an outlet's name."""
OUTLET_LINE_MAX_CHARS = 80
_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")
_NON_WORD = re.compile(r"[\W_]+")
_SENTENCE_END = re.compile(r"[.!?؟…]\s*[\"')\]]*$")


def chrome_key(text: str) -> str:
    """The form under which two chrome lines count as the same line: normalised, no punctuation."""
    return key_of_normalised(normalize(text))


def key_of_normalised(normalised: str) -> str:
    """``chrome_key`` of a text already normalised."""
    return _NON_WORD.sub(" ", normalised).strip()


def is_title_line(line_key: str, title_key: str) -> bool:
    """The headline again, allowing the small differences of a second rendering (a dropped
    letter, a space before a colon): close in length and in characters. Both are chrome keys
    without their spaces."""
    if not title_key:
        return False
    key = line_key
    if not key:
        return False
    if key == title_key:
        return True
    shorter, longer = sorted((len(key), len(title_key)))
    if shorter < 0.8 * longer or (key[:3] != title_key[:3] and key[-3:] != title_key[-3:]):
        return False  # a headline rendered twice keeps its first or its last letters
    matcher = SequenceMatcher(None, key, title_key, autojunk=False)
    threshold = rules().chrome.title_similarity
    # quick_ratio is an upper bound of ratio, and far cheaper
    return matcher.quick_ratio() >= threshold and matcher.ratio() >= threshold


@cache
def _date_words() -> frozenset[str]:
    cal = calendar()
    words = {w for phrase in cal.months for w in phrase} | set(cal.weekdays)
    return frozenset(words | rules().chrome.date_filler)


def is_date_line(normalised: str) -> bool:
    """Only a date: weekday, day, month, year and punctuation ("• الخميس, 10 اكتوبر - 2024")."""
    if len(normalised) > DATE_LINE_MAX_CHARS:
        return False
    known = _date_words()
    words = _WORD.findall(normalised)
    return bool(words) and all(w.isdigit() or w in known for w in words)


def is_byline(normalised: str) -> bool:
    """A short line of name and date separated by bars ("Editorial Board | 15 May, 2017")."""
    if "|" not in normalised:
        return False
    parts = [p.strip() for p in re.split(r"\s+\|\s+|\s+\|$|^\|\s+", normalised) if p.strip()]
    if len(parts) < 2 or len(normalised.split()) > rules().chrome.byline_max_words:
        return False
    return any(is_date_line(p) for p in parts) or not _SENTENCE_END.search(normalised)


def is_fragment(text: str) -> bool:
    """Too short to be a paragraph of news: a counter, a widget label, a stray character."""
    if len(text) > FRAGMENT_MAX_CHARS:
        return False
    letters = len(_LETTER.findall(text))
    words = len(_WORD.findall(text))
    limits = rules().chrome
    return letters <= limits.fragment_max_letters or words <= limits.fragment_max_words


def is_markup(text: str) -> bool:
    """A fragment of HTML or template code that leaked into the text."""
    return len(text) <= rules().chrome.markup_max_chars and bool(rules().chrome.markup.search(text))


def is_caption(text: str, normalised: str) -> bool:
    """A photo caption: a short line, not a sentence, ending in a parenthesised credit."""
    if len(text) > rules().chrome.caption_max_chars:
        return False
    return bool(rules().chrome.caption.search(normalised))


def is_outlet_line(normalised: str, outlet_keys: Iterable[str]) -> bool:
    """A bare outlet name, used as a dateline or credit ("ElDorar AlShamia:")."""
    if len(normalised) > OUTLET_LINE_MAX_CHARS:
        return False
    key = _NON_WORD.sub(" ", normalised).strip().removeprefix("the ")
    keys = outlet_keys if isinstance(outlet_keys, set | frozenset) else set(outlet_keys)
    return bool(key) and key in keys


def shape_kind(text: str, normalised: str, outlet_keys: Iterable[str]) -> str | None:
    """'boilerplate' when a paragraph has the shape of chrome, else None."""
    if (
        is_fragment(text)
        or is_markup(text)
        or is_date_line(normalised)
        or is_byline(normalised)
        or is_caption(text, normalised)
        or is_outlet_line(normalised, outlet_keys)
    ):
        return "boilerplate"
    return None


def repeated(texts: Sequence[str], keys: Sequence[str], kinds: Sequence[str]) -> set[int]:
    """Paragraphs that only repeat text printed elsewhere in the article (``keys``: their
    chrome keys): the later copies of a paragraph (every copy, when it is a short line rather
    than a sentence: a caption under each photo), and a pull quote (a sentence of a longer
    body paragraph set apart)."""
    where: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        if key:
            where[key].append(i)
    found: set[int] = set()
    limits = rules().chrome
    for indices in where.values():
        if len(indices) < 2:
            continue
        first = indices[0]
        line = len(texts[first]) <= limits.caption_max_chars and not _SENTENCE_END.search(
            texts[first]
        )
        found.update(indices if line else indices[1:])
    # body paragraphs by length: a pull quote is inside one 20 characters longer (never itself)
    bodies = sorted((key for key, kind in zip(keys, kinds, strict=True) if kind == "body"), key=len)
    lengths = [len(body) for body in bodies]
    for i, key in enumerate(keys):
        if i in found or len(key) < limits.pull_quote_min_chars:
            continue
        if any(key in body for body in bodies[bisect_right(lengths, len(key) + 20) :]):
            found.add(i)
    return found


def trailing_headlines(texts: Sequence[str], kinds: Sequence[str]) -> list[int]:
    """Short lines without a sentence's end after the story's last sentence: the headlines of
    related stories that a scraped page lists under the article."""
    found: list[int] = []
    limit = rules().chrome.headline_max_chars
    for i in range(len(texts) - 1, -1, -1):
        if kinds[i] != "body":
            continue
        text = texts[i].strip()
        if len(text) > limit or _SENTENCE_END.search(text):
            break
        found.append(i)
    stories = [i for i, kind in enumerate(kinds) if kind == "body" and i not in found]
    ended = bool(stories) and _SENTENCE_END.search(texts[stories[-1]].strip()) is not None
    return found if ended else []


def learn_outlet_chrome(
    articles: Iterable[tuple[str | None, Sequence[str]]],
) -> dict[str | None, frozenset[str]]:
    """Lines that recur verbatim in several articles of one outlet: that outlet's chrome.

    ``articles`` are (outlet, paragraphs). Only short lines count, and a line must appear in
    more distinct articles the longer it is, so that two copies of one story (a
    republication) do not turn their shared sentences into chrome.
    """
    seen: dict[tuple[str | None, str], int] = defaultdict(int)
    for outlet, paragraphs in articles:
        for key in {chrome_key(p) for p in paragraphs}:
            if key and learnable(key):
                seen[(outlet, key)] += 1
    learnt: dict[str | None, set[str]] = defaultdict(set)
    for (outlet, key), count in seen.items():
        if count >= articles_needed(key):
            learnt[outlet].add(key)
    return {outlet: frozenset(keys) for outlet, keys in learnt.items()}


def learnable(key: str) -> bool:
    """Whether a line is short enough to be learnt as chrome at all."""
    return len(key) <= rules().chrome.learn_max_chars


def articles_needed(key: str) -> int:
    """Distinct articles of one outlet that must share a line before it is chrome."""
    limits = rules().chrome
    return (
        limits.learn_min_articles
        if len(key) <= limits.learn_short_chars
        else limits.learn_min_articles + 1
    )
