"""Word tokens for matching across spelling variants, each with the forms it may stand for.

An Arabic word may carry clitics: a conjunction (و ف), a preposition (ب ل ك) and the article
(ال). "وبالرقة" must meet "الرقة", but "بيان" must not lose its ب. So a word's first form is
the word without its article, and further forms drop a leading conjunction and preposition;
dictionary entries are keyed by the first form only. English words get their plural and
possessive-free forms ("airports" -> "airport", "hamas'" -> "hamas"); hyphens split words
("Qamishli-Amuda", "ez-Zor") on both the text and the lexicon side.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import chain

from provenance.text.memo import Memo
from provenance.text.normalize import normalize

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
MIN_STEM = 2

Forms = tuple[str, ...]


def _drop_article(word: str) -> str:
    for article in ("ال", "لل"):
        if word.startswith(article) and len(word) - len(article) >= MIN_STEM:
            return word[len(article) :]
    return word


BARE = "+"
"""Marks a form made by stripping a conjunction or preposition from a word with no article:
"فرقه" -> "+رقه". Such a form may only meet dictionary entries written without the article,
or "فرقه" (its team) would read as الرقة (Raqqa); "وحلب" -> "+حلب" still meets حلب."""


@lru_cache(maxsize=262144)
def arabic_forms(word: str) -> Forms:
    """The word without its article, then without a leading conjunction and/or preposition."""
    forms = [_drop_article(word)]
    stems = [word]
    if word[0] in "وف" and len(word) > MIN_STEM + 1:
        stems.append(word[1:])
    for stem in list(stems):
        if stem[0] in "بلك" and len(stem) > MIN_STEM + 1:
            stems.append(stem[1:])
    for stem in stems[1:]:
        form = _drop_article(stem)
        if form == stem:
            form = BARE + form
        if form not in forms:
            forms.append(form)
    return tuple(forms)


def plain(form: str) -> str:
    """A form without the BARE mark."""
    return form.removeprefix(BARE)


@lru_cache(maxsize=131072)
def english_forms(word: str) -> Forms:
    word = word.replace("’", "'")
    base = word.removesuffix("'s").rstrip("'")
    forms = [base]
    if len(base) > 4 and base.endswith("s") and not base.endswith("ss"):
        forms.append(base[:-1])
    if word != base:
        forms.append(word)
    return tuple(forms)


def is_arabic(word: str) -> bool:
    return "\u0600" <= word[0] <= "\u06ff"


def words(text: str, *, normalised: bool = False) -> list[str]:
    return _WORD.findall(text if normalised else normalize(text))


def token_forms(text: str, lang: str, *, normalised: bool = False) -> list[Forms]:
    """Each word of ``text`` with its candidate forms, the most literal first."""
    chunks = (text if normalised else normalize(text)).split()
    return list(chain.from_iterable(map(_CHUNK_FORMS.__getitem__, chunks)))


def chunk_forms(chunk: str) -> tuple[Forms, ...]:
    """``token_forms`` of a normalised run of text without spaces, remembered."""
    return _CHUNK_FORMS[chunk]


def _chunk_forms(chunk: str) -> tuple[Forms, ...]:
    """The forms of the words of one run of text without spaces. No word spans a space, so
    the words of a text are those of its runs, in order."""
    return tuple(
        arabic_forms(w) if is_arabic(w) else english_forms(w) for w in words(chunk, normalised=True)
    )


_CHUNK_FORMS = Memo(_chunk_forms)
"""Runs of text between spaces recur ("the", "الرقة", "said,"): most cost one dict look-up
instead of a regular expression and a call per word."""


def dictionary_key(phrase: str) -> tuple[str, ...]:
    """How a lexicon or registry phrase is keyed: each word's first form."""
    return tuple(forms[0] for forms in token_forms(phrase, "any"))
