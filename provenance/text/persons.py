"""People named in running text, found from a given name outward.

Arabic has no capitals, so a person's name can only be told from the words around it when
something anchors it: a given name from ``data/names.tsv`` ("أحمد", "Ahmed"). The name runs
on through further given names, lineage connectors ("bin", "بن") and at most one family
name, and stops at punctuation or at a word that never continues a name
(``data/persons.toml``). A kunya ("Abu", "أبو") before the given name belongs to the name.

A name found this way is what a flag compares across languages: the given name by its
entry in the names list, the family name by its consonant skeleton.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

from provenance.lexicon import given_names
from provenance.text.normalize import normalize
from provenance.text.tokens import arabic_forms, plain
from provenance.text.translit import arabic_skeleton, english_skeleton

MAX_NAME_WORDS = 5
"""Given names, connectors and a family name: longer runs are not one person."""


@dataclass(frozen=True)
class PersonName:
    """One person's name as one text writes it."""

    written: str
    """The words as the text has them ("Ahmed al-Hassan", "أحمد العلي")."""
    given: frozenset[str]
    """The names-list entries the given name may be."""
    family: frozenset[str]
    """The family name's consonant skeletons (with and without a clitic an Arabic word may
    carry); empty when the text gives the given name alone."""
    certain: bool = True
    """False for an Arabic given name that is also an ordinary word, with nothing before it
    that introduces a person: a name only if the other text says it too."""


@dataclass(frozen=True)
class _Rules:
    kunya: frozenset[str]
    connectors: frozenset[str]
    not_names: frozenset[str]
    names_only: frozenset[str] = frozenset()
    cues: frozenset[str] = frozenset()
    particles: frozenset[str] = frozenset()


@cache
def _rules(lang: str) -> _Rules:
    raw = tomllib.loads(files("provenance.data").joinpath("persons.toml").read_text("utf-8"))[lang]
    fold = normalize if lang == "ar" else str
    lists = {key: frozenset(fold(w) for w in words) for key, words in raw.items()}
    if "particles" in raw:  # matched as written: folding would turn على into علي
        lists["particles"] = frozenset(raw["particles"])
    return _Rules(**lists)


_EN_TOKEN = re.compile(r"[A-Za-z][\w'’-]*|[^\w\s]")
_AR_TOKEN = re.compile(r"(?:[^\W\d_]|[\u064b-\u065f\u0670\u0640])+|[^\w\s]")
_AR_MARKS = re.compile(r"[\u064b-\u065f\u0670\u0640]")


def person_names(text: str, lang: str) -> list[PersonName]:
    """Every person's name in ``text`` that starts at a listed given name, in reading order."""
    if lang == "ar":
        written = _AR_TOKEN.findall(text)
        return _names([_arabic_token(w) for w in written], written, "ar")
    written = _EN_TOKEN.findall(text)
    if _title_case(written):  # "Ahmed Khaled Returns to Idlib": every word looks like a name
        return []
    return _names(written, written, "en")


@lru_cache(maxsize=65536)
def _arabic_token(written: str) -> str:
    """An Arabic word as names are matched: normalised, or a comma for a particle (a name
    does not run on through "على"). Cached: words recur."""
    return "،" if _AR_MARKS.sub("", written) in _rules("ar").particles else normalize(written)


def _title_case(tokens: list[str]) -> bool:
    """Whether at least three words of four letters or more are all capitalised (read up to
    the first that is not: in running text, one of the first few)."""
    long_words = 0
    for w in tokens:
        if len(w) > 3 and w[:1].isalpha():
            if not w[:1].isupper():
                return False
            long_words += 1
    return long_words >= 3


def _names(tokens: list[str], written: list[str], lang: str) -> list[PersonName]:
    """``tokens`` are matched, ``written`` (the same words as the text has them) are shown."""
    rules, found = _rules(lang), []
    i = 0
    for at in _may_begin_names(tokens, lang):
        if at < i:  # inside the name before
            continue
        i = at
        given, width = _given(tokens, i, lang)
        if not given:
            continue
        kunya = i > 0 and tokens[i - 1] in rules.kunya
        start = i - 1 if kunya else i
        end = _name_end(tokens, i + width, lang, rules)
        family = frozenset() if end == i + width else family_skeletons(tokens[end - 1], lang)
        certain = (
            lang == "en"
            or kunya
            or width == 2
            or _bare(tokens[i]) in rules.names_only
            or (i > 0 and tokens[i - 1] in rules.cues)
        )
        found.append(PersonName(" ".join(written[start:end]), given, family, certain))
        i = end
    return found


def _may_begin_names(tokens: list[str], lang: str) -> list[int]:
    """Where a given name may be, in order: a listed name, or the first word of a compound
    one ("Abdul"). Every other word is passed over without a closer look."""
    return [i for i, word in enumerate(tokens) if _may_begin_name(word, lang)]


@lru_cache(maxsize=65536)
def _may_begin_name(word: str, lang: str) -> bool:
    """Whether ``_given`` can find a given name at this word (cached: words recur)."""
    return bool(_given_word(word, lang)[0]) or word.lower() in _COMPOUND


def _given(tokens: list[str], i: int, lang: str) -> tuple[frozenset[str], int]:
    """The names-list entries of the given name at ``i``, and how many words it takes
    (two for a compound: "عبد الرحمن", "Abdul Rahman")."""
    word = tokens[i]
    if i + 1 < len(tokens) and word.lower() in _COMPOUND and _may_start_name(word, lang):
        joined = given_names().of(word + tokens[i + 1].lower(), lang)  # "عبد الرحمن"
        if joined:
            return joined, 2
    return _given_word(word, lang)


def _may_start_name(word: str, lang: str) -> bool:
    """A given name begins with a letter, in English a capital."""
    return word[:1].isalpha() and (lang != "en" or word[:1].isupper())


@lru_cache(maxsize=65536)
def _given_word(word: str, lang: str) -> tuple[frozenset[str], int]:
    """``_given`` for a word that begins no compound name: a function of the word alone,
    cached since every word of a text is asked and words recur."""
    if not _may_start_name(word, lang):
        return _NOT_GIVEN
    names = given_names()
    if lang == "en":
        given = names.of(word, "en")
    elif word.startswith("ال"):  # a given name takes no article; الامين is "the secretary"
        return _NOT_GIVEN
    else:
        given = names.ar.get(_bare(word), _NO_NAMES)
    return (given, 1) if given else _NO_GIVEN_NAME


_NO_NAMES: frozenset[str] = frozenset()
_NOT_GIVEN = (_NO_NAMES, 0)
_NO_GIVEN_NAME = (_NO_NAMES, 1)
"""What most words are, shared: the cache of ``_given_word`` then holds no object each."""


_COMPOUND = frozenset({"عبد", "abdul", "abdel"})
"""Given names written as two words: "servant of" and one of the names of God."""


def _bare(word: str) -> str:
    """An Arabic word without a leading conjunction ("وأحمد"); a preposition (لصالح "in favour
    of") makes it an ordinary word."""
    if word not in given_names().ar and word[:1] in "وف" and word[1:] in given_names().ar:
        return word[1:]
    return word


def _name_end(tokens: list[str], after: int, lang: str, rules: _Rules) -> int:
    """Where a name whose given name ends before ``after`` ends (exclusive): further given
    names and connectors, then at most one family name."""
    end = after
    while end < len(tokens) and end - after < MAX_NAME_WORDS:
        word = tokens[end]
        if not word[:1].isalpha() or word in rules.not_names or _possessive(tokens[end - 1]):
            break
        given, width = _given(tokens, end, lang)
        if word in rules.connectors or (given and width == 1):
            end += 1
            continue
        if _family_name(word, lang):
            end += 1
        break
    # a name does not end on a connector ("Mohammed bin" before a comma)
    while end > after and tokens[end - 1] in rules.connectors:
        end -= 1
    return end


def _possessive(word: str) -> bool:
    """A possessive ("Ahmed's brother") ends the name."""
    return word.endswith(("'s", "’s", "'", "’"))


def _family_name(word: str, lang: str) -> bool:
    """A word that can close a name: capitalised in English ("al-" included); in Arabic not a
    word with a preposition fused to the article ("للصحيفة", "بالمدينة")."""
    if lang == "en":
        return word[:1].isupper() or word.lower().startswith(("al-", "el-"))
    return len(word) >= 3 and not word.startswith(("لل", "بال", "وال", "فال", "كال"))


@lru_cache(maxsize=65536)
def family_skeletons(word: str, lang: str) -> frozenset[str]:
    """A word's consonant skeletons: an Arabic word's for each clitic it may carry (cached:
    the flags ask for every word of a side, and words recur)."""
    if lang == "ar":
        return frozenset(arabic_skeleton(plain(form)) for form in arabic_forms(word)) - {""}
    return frozenset({english_skeleton(word)}) - {""}
