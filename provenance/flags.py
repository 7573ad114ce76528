"""Flags: what a reviewer should look at, derived from an alignment (docs/design.md, "Flags").

Paragraph level: an addition (with its kind: disclaimer, read_also, boilerplate,
attribution, translator_note, or plain ``added``) and a drop. Group level: moved,
condensed, and number, date or name mismatches, each with the tokens on both sides as
evidence. Story-level flags (unverified, source_changed, translation_changed) belong to the
audit and to refresh.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

from provenance.align import Group, Paragraph, anchors_of
from provenance.errors import ConfigError
from provenance.lexicon import given_names, lexicon
from provenance.text.anchors import Anchors, anchor_keys_of, parse_figure, surface
from provenance.text.normalize import normalize
from provenance.text.persons import PersonName, family_skeletons, person_names
from provenance.text.tokens import arabic_forms, token_forms, words
from provenance.text.translit import arabic_skeleton, english_skeleton
from provenance.verification import ADDITION_KIND, severity_of
from provenance.vocab import FlagKind, GroupKind


@dataclass(frozen=True)
class FlagParams:
    """The thresholds of the group-level flags (the words they read are in
    data/name_mismatch.toml)."""

    condensed_share: float = 0.45
    """A link is condensed when the translation has less than this share of the expected
    length ..."""
    condensed_min_chars: int = 250
    """... and the original at least this many characters."""
    rounding: float = 0.02
    """Two figures this close (relative) are one figure rounded, not a changed one."""
    parts_ratio: float = 10.0
    """A figure said in two parts ("three million and 270 thousand") has its larger part at
    least this many times the smaller."""
    mismatch_ratio: float = 4.0
    """Two unmatched figures are a mismatch (not unrelated figures) within this ratio."""


@dataclass
class ProposedFlag:
    """A flag before it is stored: kind, where, severity and the evidence for it."""

    kind: str
    level: str
    translation: int | None = None
    original: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> str:
        return severity_of(self.kind)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "level": self.level,
            "severity": self.severity,
            "translation": self.translation,
            "original": self.original,
            "evidence": self.evidence,
        }


def flags_for_alignment(
    groups: Sequence[Group],
    translation: Sequence[Paragraph],
    original: Sequence[Paragraph],
    *,
    length_ratio: float = 1.2,
    params: FlagParams = FlagParams(),
) -> list[ProposedFlag]:
    """Every flag an alignment implies, in reading order."""
    t_by_index = {p.index: p for p in translation}
    o_by_index = {p.index: p for p in original}
    flags: list[ProposedFlag] = []
    for group in groups:
        if group.kind == GroupKind.added:
            for i in group.translation:
                kind = ADDITION_KIND.get(t_by_index[i].kind, FlagKind.added)
                flags.append(
                    ProposedFlag(
                        kind,
                        "paragraph",
                        translation=i,
                        evidence={"text": t_by_index[i].text[:200]},
                    )
                )
            continue
        if group.kind == GroupKind.dropped:
            for j in group.original:
                flags.append(
                    ProposedFlag(
                        ADDITION_KIND.get(o_by_index[j].kind, FlagKind.dropped),
                        "paragraph",
                        original=j,
                        evidence={"text": o_by_index[j].text[:200]},
                    )
                )
            continue
        ts = [t_by_index[i] for i in group.translation]
        os = [o_by_index[j] for j in group.original]
        if group.kind == GroupKind.moved:
            flags.append(
                ProposedFlag(
                    FlagKind.moved,
                    "group",
                    ts[0].index,
                    os[0].index,
                    {"score": round(group.score, 3)},
                )
            )
        flags += _mismatches(ts, os, params)
        condensed = _condensed(ts, os, length_ratio, params)
        if condensed:
            flags.append(condensed)
    return flags


def _anchors(paragraphs: Sequence[Paragraph], default_lang: str) -> list[Anchors]:
    """Stored anchors where the paragraphs carry them, else extracted."""
    return [anchors_of(p, default_lang) for p in paragraphs]


def _where(side: _Side, kind: Callable[[Anchors], frozenset[str]], key: str) -> int:
    """Index of the first paragraph whose anchors of ``kind`` hold ``key`` (else the first
    paragraph): where the reviewer is taken to see a mismatch."""
    for p, a in zip(side.paragraphs, side.anchors, strict=True):
        if key in kind(a):
            return p.index
    return side.paragraphs[0].index


def _figure(token: str) -> float | None:
    if token.startswith("~"):
        return None
    try:
        return parse_figure(token.rstrip("%"))
    except ValueError:
        return None


def _same_figure(
    t_only: set[str], o_only: set[str], params: FlagParams
) -> tuple[set[str], set[str]]:
    """Take out the figures that the other side states in another form: rounded ("about 3.3
    million" for 3,270,000, within ``params.rounding``) or in two parts ("three million and
    270 thousand")."""
    values = {token: _figure(token) for token in t_only | o_only}

    def close(x: float, y: float) -> bool:
        return abs(x - y) <= params.rounding * max(x, y)

    t_left, o_left = set(t_only), set(o_only)
    for mine, theirs in ((t_left, o_left), (o_left, t_left)):
        for a in sorted(mine):
            x = values[a]
            if x is None or x <= 0 or a not in mine:
                continue
            others = [  # sorted, and the closest form first: the same evidence on every run
                (b, y)
                for b in sorted(theirs)
                if (y := values[b]) and b.endswith("%") == a.endswith("%")
            ]
            single = [b for _gap, b in sorted((abs(x - y), b) for b, y in others if close(x, y))]
            parts = [
                (b, c)
                for b, y in others
                for c, z in others
                if y > params.parts_ratio * z and close(x, y + z)
            ]
            if single:
                mine.discard(a)
                theirs.discard(single[0])
            elif parts:
                mine.discard(a)
                theirs.difference_update(parts[0])
    return t_left, o_left


def _number_pairs(t_only: set[str], o_only: set[str], params: FlagParams) -> list[tuple[str, str]]:
    """Unmatched figures on both sides that look like one figure changed, closest first."""
    t_only, o_only = _same_figure(t_only, o_only, params)
    pairs = []
    for a in t_only:
        for b in o_only:
            if a.endswith("%") != b.endswith("%"):
                continue
            x, y = _figure(a), _figure(b)
            if x is None or y is None or x <= 0 or y <= 0:
                continue
            if max(x, y) / min(x, y) <= params.mismatch_ratio:
                pairs.append((abs(x - y) / max(x, y), a, b))
    used_a: set[str] = set()
    used_b: set[str] = set()
    result: list[tuple[str, str]] = []
    for _, a, b in sorted(pairs):
        if a not in used_a and b not in used_b:
            used_a.add(a)
            used_b.add(b)
            result.append((a, b))
    return result


@dataclass(frozen=True)
class _Side:
    """One side of a group: its paragraphs, the anchors of each, and all of them together."""

    paragraphs: list[Paragraph]
    anchors: list[Anchors]
    all: Anchors

    @classmethod
    def of(cls, paragraphs: list[Paragraph], default_lang: str) -> _Side:
        anchors = _anchors(paragraphs, default_lang)
        return cls(paragraphs, anchors, functools.reduce(operator.or_, anchors))


def _mismatches(ts: list[Paragraph], os: list[Paragraph], params: FlagParams) -> list[ProposedFlag]:
    """The number, date and name mismatches of one group."""
    t, o = _Side.of(ts, "en"), _Side.of(os, "ar")
    flags = _number_mismatches(t, o, params)
    date = _date_mismatch(t.all, o.all)
    if date is not None:
        a, b = date
        flags.append(
            ProposedFlag(
                FlagKind.date_mismatch,
                "group",
                _where(t, _dates, a),
                _where(o, _dates, b),
                _in_words(ts, os, a, b),
            )
        )
    name = _name_mismatch(ts, os, t.all, o.all)
    if name is not None:
        a, b = name
        flags.append(
            ProposedFlag(
                FlagKind.name_mismatch,
                "group",
                _where_name(t, a),
                _where_name(o, b),
                _in_words(ts, os, _name_key(a), _name_key(b)),
            )
        )
    return flags


def _number_mismatches(t: _Side, o: _Side, params: FlagParams) -> list[ProposedFlag]:
    """A flag for each figure of one side that the other side states changed."""
    # percentages carry their bare value too; compare like with like
    t_numbers = {n for n in t.all.numbers if n + "%" not in t.all.numbers}
    o_numbers = {n for n in o.all.numbers if n + "%" not in o.all.numbers}
    return [
        ProposedFlag(
            FlagKind.number_mismatch,
            "group",
            _where(t, _numbers, a),
            _where(o, _numbers, b),
            _in_words(t.paragraphs, o.paragraphs, f"n:{a}", f"n:{b}"),
        )
        for a, b in _number_pairs(t_numbers - o.all.numbers, o_numbers - t.all.numbers, params)
    ]


def _date_mismatch(t_all: Anchors, o_all: Anchors) -> tuple[str, str] | None:
    """The first day-month, weekday or month (in that order) that differs between the sides."""
    for prefix in ("d:", "wd:", "m:"):
        t_dates = {d for d in t_all.dates - o_all.dates if d.startswith(prefix)}
        o_dates = {d for d in o_all.dates - t_all.dates if d.startswith(prefix)}
        if prefix == "m:":  # a month already explained by a day-month mismatch is not news
            explained = {f"m:{d[2:4]}" for d in t_all.dates | o_all.dates if d.startswith("d:")}
            t_dates -= explained
            o_dates -= explained
        if t_dates and o_dates:
            return sorted(t_dates)[0], sorted(o_dates)[0]
    return None


def _numbers(anchors: Anchors) -> frozenset[str]:
    return anchors.numbers


def _dates(anchors: Anchors) -> frozenset[str]:
    return anchors.dates


def _concepts(anchors: Anchors) -> frozenset[str]:
    return anchors.concepts


def _where_name(side: _Side, name: str) -> int:
    """Where a name mismatch's side is said: a lexicon concept, or a marked word."""
    if name.startswith("name:"):
        return _where_text(side.paragraphs, name.removeprefix("name:"))
    return _where(side, _concepts, name)


_NAME = r"(?:al-|el-)?[A-Z][\w'’-]+"
"""A transliterated name's word: capitalised, perhaps after an article ("al-Bab")."""


@dataclass(frozen=True)
class _NameCues:
    """What the name-mismatch flag reads from data/name_mismatch.toml, compiled."""

    fine_categories: frozenset[str]
    arabic_place: re.Pattern[str]
    arabic_place_list: re.Pattern[str]
    english_place: re.Pattern[str]
    english_place_list: re.Pattern[str]
    arabic_cues: tuple[str, ...]
    """Words one of which an Arabic text (normalised) must hold for the place patterns to
    match: most paragraphs hold none, and are not searched."""
    english_cues: tuple[str, ...]
    """The same for an English text, as written."""


@cache
def _name_cues() -> _NameCues:
    """data/name_mismatch.toml, read and compiled once."""
    where = "provenance/data/name_mismatch.toml"
    try:
        raw = tomllib.loads(
            files("provenance.data").joinpath("name_mismatch.toml").read_text("utf-8")
        )
        ar, en = raw["ar"], raw["en"]
        lists = {
            "fine_categories": raw["fine_categories"],
            **{f"ar.{k}": ar[k] for k in ("place", "place_list")},
            **{f"en.{k}": en[k] for k in ("place_of", "place_after", "mountain", "place_list")},
        }
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise ConfigError(f"{where} cannot be read: {error}") from None
    for key, listed in lists.items():
        words_ok = isinstance(listed, list) and all(isinstance(w, str) and w for w in listed)
        if not listed or not words_ok:
            raise ConfigError(f"{where}: {key} must be a non-empty list of words")

    def one_of(key: str, fold: Callable[[str], str] = str) -> str:
        return "|".join(re.escape(fold(w)) for w in lists[key])

    return _NameCues(
        fine_categories=frozenset(lists["fine_categories"]),
        arabic_place=re.compile(rf"(?:^|\s)(?:و?ب?)(?:{one_of('ar.place', normalize)})\s+(\w+)"),
        arabic_place_list=re.compile(
            rf"(?:^|\s)(?:و?ب?)(?:{one_of('ar.place_list', normalize)})\s+(\w+(?:\s+و\w+)+)"
        ),
        english_place=re.compile(
            rf"\b(?:{one_of('en.place_of')})\s+of\s+"
            rf"((?:the\s+)?(?:al-|el-|ad-|as-)?[A-Z][\w'’-]+(?:\s+(?:al-|el-)?[A-Z][\w'’-]+)?)"
            rf"|\b((?:al-|el-)?[A-Z][\w'’-]+(?:\s+(?:al-|el-)?[A-Z][\w'’-]+)?)"
            rf"\s+(?:{one_of('en.place_after')})\b"
            rf"|\b(?:{one_of('en.mountain')})\s+((?:al-|el-)?[A-Z][\w'’-]+)"
        ),
        english_place_list=re.compile(
            rf"\b((?:{_NAME},\s+)*{_NAME},?\s+and\s+{_NAME})\s+(?:{one_of('en.place_list')})\b"
        ),
        arabic_cues=tuple(
            normalize(w) for key in ("ar.place", "ar.place_list") for w in lists[key]
        ),
        english_cues=tuple(
            w
            for key in ("en.place_of", "en.place_after", "en.mountain", "en.place_list")
            for w in lists[key]
        ),
    )


def _name_key(name: str) -> str:
    """A name mismatch's side as an anchor key (a lexicon concept) or as its own word."""
    return name.removeprefix("name:") if name.startswith("name:") else f"c:{name}"


def _in_words(ts: list[Paragraph], os: list[Paragraph], t_key: str, o_key: str) -> dict[str, str]:
    """A mismatch's evidence as the reviewer reads it: the words of each side that carry it
    ("1.5 million" / "٢٫٥ مليون"), never the anchor keys."""
    return {"translation": _said(ts, t_key, "en"), "original": _said(os, o_key, "ar")}


_TRIM_WORD = ".,:;!?()[]\"'«»“”‘’،؛"


def _said(paragraphs: list[Paragraph], key: str, lang: str) -> str:
    if ":" not in key:  # a word of the text, normalised: find it as written
        for p in paragraphs:
            for word in (w.strip(_TRIM_WORD) for w in p.text.split()):
                folded = normalize(word)
                # a clitic conjunction or preposition may stand before it: والرميلة
                if folded == key or (folded.endswith(key) and len(folded) - len(key) <= 2):
                    return word[len(folded) - len(key) :] if folded != key else word
        return key
    for p in paragraphs:
        words_found = surface(p.text, p.lang or lang, key)
        if words_found:
            return words_found
    return key.split(":", 1)[1].split(".", 1)[-1].replace("_", " ")


def _arabic_places(paragraphs: list[Paragraph]) -> dict[str, str]:
    """Words introduced as places ("قرية هيمو", "معبر المصنع"): skeleton -> word."""
    cues = _name_cues()
    places = {}
    for p in paragraphs:
        text = normalize(p.text)
        if not any(cue in text for cue in cues.arabic_cues):
            continue
        words = [m.group(1) for m in cues.arabic_place.finditer(text)]
        for match in cues.arabic_place_list.finditer(text):
            words += [w.removeprefix("و") if i else w for i, w in enumerate(match.group(1).split())]
        for word in words:
            skeleton = _arabic_word_skeleton(word)
            if len(skeleton) >= 2:
                places[skeleton] = word
    return places


def _english_places(paragraphs: list[Paragraph]) -> dict[str, str]:
    """Names introduced as places ("the village of Tal Hamis", "Jousieh crossing")."""
    cues = _name_cues()
    places = {}
    for p in paragraphs:
        if not any(cue in p.text for cue in cues.english_cues):
            continue
        names = [
            (m.group(1) or m.group(2) or m.group(3)).removeprefix("the ")
            for m in cues.english_place.finditer(p.text)
        ]
        for match in cues.english_place_list.finditer(p.text):
            names += [
                n.strip()
                for n in re.split(r",\s*(?:and\s+)?|\s+and\s+", match.group(1))
                if n.strip()
            ]
        for name in names:
            skeleton = "".join(english_skeleton(w) for w in name.split())
            if len(skeleton) >= 2:
                places[skeleton] = name
    return places


def _name_mismatch(
    ts: list[Paragraph], os: list[Paragraph], t_all: Anchors, o_all: Anchors
) -> tuple[str, str] | None:
    """A place or person named on one side and a different one in the same spot on the other.

    Only fine-grained names count: lexicon towns, villages, crossings, camps, people, or words
    that the text itself introduces as places ("the village of ...", "قرية ..."). Countries
    and regions are left out: translators turn them into adjectives ("Russian", "Syrian").
    A name is a mismatch only when the other side has no form of it at all: not its lexicon
    spellings, not a word of the same consonant skeleton (transliteration variants, a person
    by surname), not a lexicon entry that contains it or that it contains (a town and its
    governorate, a camp and its town).
    """
    t, o = _Reading(ts, "en"), _Reading(os, "ar")
    fine = _name_cues().fine_categories
    t_only = sorted(
        c
        for c in t_all.concepts - o_all.concepts
        if t_all.concept_categories.get(c) in fine
        and not _concept_explained(c, o_all.concepts, o, "ar")
    )
    o_only = sorted(
        c
        for c in o_all.concepts - t_all.concepts
        if o_all.concept_categories.get(c) in fine
        and not _concept_explained(c, t_all.concepts, t, "en")
    )
    t_marked = sorted(
        n for s, n in _english_places(ts).items() if not _name_explained(n, "en", o_all, o)
    )
    o_marked = sorted(
        w for s, w in _arabic_places(os).items() if not _name_explained(w, "ar", t_all, t)
    )
    t_side = t_only + [f"name:{n}" for n in t_marked]
    o_side = o_only + [f"name:{w}" for w in o_marked]
    if t_side and o_side:  # the first of each side in reading order: the same spot
        return _first_said(t_side, ts, "en"), _first_said(o_side, os, "ar")
    return _twin_names(ts, os) or _other_person(ts, os)


class _Reading:
    """One side of a group as the name checks read it: its text joined as written and
    normalised, and its skeletons, each worked out on first use. Most groups name no
    candidate place, and then neither the normalised text nor the skeletons are needed."""

    def __init__(self, paragraphs: list[Paragraph], lang: str) -> None:
        self.paragraphs = paragraphs
        self.lang = lang

    @functools.cached_property
    def text(self) -> str:
        """The paragraphs normalised, one space between them."""
        return " ".join(normalize(p.text) for p in self.paragraphs)

    @functools.cached_property
    def skeletons(self) -> frozenset[str]:
        """The skeletons of the words as written (English: capitals tell names) or normalised
        (Arabic)."""
        if self.lang == "en":
            return _skeletons(" ".join(p.text for p in self.paragraphs), "en")
        return _skeletons(self.text, "ar")


def _other_person(ts: list[Paragraph], os: list[Paragraph]) -> tuple[str, str] | None:
    """One person named on both sides with half of the name changed: the same given name
    with another family ("Ahmed al-Hassan" / "أحمد العلي"), or the same family with another
    given name ("Abu Khaled al-Shami" / "أبو محمد الشامي"), the changed half said nowhere on
    the other side in any spelling. Two wholly different people are left alone: translators
    add and drop people for context."""
    t_people = [n for p in ts for n in person_names(p.text, "en") if n.family]
    if not t_people:  # the original is not read for people the translation cannot match
        return None
    o_people = [n for p in os for n in person_names(p.text, "ar") if n.family]
    if not o_people:
        return None
    t_said = _people_said(" ".join(p.text for p in ts), "en")
    o_said = _people_said(" ".join(p.text for p in os), "ar")
    # a given name that is also an ordinary word is a name when the translation says it
    o_people = [n for n in o_people if n.certain or n.given & t_said[0]]
    for t in (n for n in t_people if not _person_said(n, o_said)):
        for o in (n for n in o_people if not _person_said(n, t_said)):
            if bool(t.given & o.given) != _same_family(t.family, o.family):
                return f"name:{t.written}", f"name:{o.written}"
    return None


def _people_said(text: str, lang: str) -> tuple[frozenset[str], frozenset[str]]:
    """The given names a text says (as names-list entries), and the skeletons of its words
    and of every two words run together: a family name may be one word in one language and
    two in the other ("Yerlikaya", "Abu Ghazaleh")."""
    found = _name_words(text, lang)
    given = frozenset().union(*(ids for _, ids in _given_words(text, lang)))
    if lang == "en":
        return given, frozenset(english_skeleton(w) for w in found) | _skeletons(text, "en")
    clitics = frozenset().union(*(family_skeletons(w, "ar") for w in found))
    return given, clitics | _skeletons(text, "ar")


def _person_said(name: PersonName, other: tuple[frozenset[str], frozenset[str]]) -> bool:
    given, skeletons = other
    return bool(name.given & given) and _same_family(name.family, skeletons)


def _same_family(a: frozenset[str], b: frozenset[str]) -> bool:
    """One family name in two transliterations: a skeleton in common, or two one letter
    apart once both are long enough to tell ("Golani"/الجولاني, "Osman"/عثمان; not
    "Ali"/"Adi")."""
    return bool(a & b) or any(_one_letter_apart(x, y) for x in a for y in b)


def _one_letter_apart(a: str, b: str) -> bool:
    if min(len(a), len(b)) < 3 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _twin_names(ts: list[Paragraph], os: list[Paragraph]) -> tuple[str, str] | None:
    """Two different given names of one consonant skeleton, one on each side, neither said on
    the other side in any spelling: a name misread or mistransliterated (Kamil for كميل,
    Mahmoud for محمد), which the skeleton comparison above takes for a spelling variant."""
    t_names = [named for p in ts for named in _given_words(p.text, "en")]
    o_names = [named for p in os for named in _given_words(p.text, "ar")]
    t_said = frozenset().union(*(ids for _, ids in t_names))
    o_said = frozenset().union(*(ids for _, ids in o_names))
    for t_word, t_ids in t_names:
        if t_ids & o_said:
            continue
        for o_word, o_ids in o_names:
            if not o_ids & t_said and english_skeleton(t_word) == _arabic_word_skeleton(o_word):
                return f"name:{t_word}", f"name:{o_word}"
    return None


@functools.lru_cache(maxsize=1024)
def _name_words(text: str, lang: str) -> tuple[str, ...]:
    """The words of a text that may be names: English words with a capital, as written;
    every Arabic word, normalised. Kept per text: the name checks read a paragraph more than
    once."""
    if lang == "en":
        return tuple(w for w in _LATIN_WORD.findall(text) if w[:1].isupper())
    return tuple(words(normalize(text), normalised=True))


@functools.lru_cache(maxsize=1024)
def _given_words(text: str, lang: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """The words of a text that may be given names, with the names each may be, in reading
    order (the other words say no name, and are left out)."""
    return tuple((w, ids) for w in _name_words(text, lang) if (ids := _given_names_of(w, lang)))


@functools.lru_cache(maxsize=65536)
def _given_names_of(word: str, lang: str) -> frozenset[str]:
    """The given names a word may be: the name checks ask this of every word of both sides,
    and words recur."""
    return given_names().of(word, lang)


def _first_said(names: list[str], paragraphs: list[Paragraph], lang: str) -> str:
    """The name (concept or marked word) that the paragraphs say first."""
    text = normalize(" ".join(p.text for p in paragraphs))

    def position(name: str) -> int:
        words = normalize(_said(paragraphs, _name_key(name), lang))
        at = text.find(words)
        return at if at >= 0 else len(text)

    return min(names, key=lambda name: (position(name), name))


@functools.lru_cache(maxsize=512)
def _skeletons(text: str, lang: str) -> frozenset[str]:
    """Consonant skeletons of every word of a text, and of every two words run together.

    Cached by text: one side of a group is read for its place names and again for its
    people."""
    if lang == "en":
        found = [_capitalised_skeleton(w) for w in _LATIN_WORD.findall(text)]
    else:
        found = [_arabic_word_skeleton(w) for w in _name_words(text, "ar")]
    pairs = {a + b for a, b in itertools.pairwise(found) if a}
    return frozenset(k for k in (*found, *pairs) if len(k) >= 2)


_LATIN_WORD = re.compile(r"[\w'’-]+")


@functools.lru_cache(maxsize=65536)
def _capitalised_skeleton(word: str) -> str:
    """An English word's skeleton if it has a capital (al-Mahasa, Idlib), else "": names are
    capitalised; "for" is not "Fara". Cached: words recur."""
    return english_skeleton(word) if any(c.isupper() for c in word) else ""


@functools.lru_cache(maxsize=65536)
def _arabic_word_skeleton(word: str) -> str:
    """The skeleton of an Arabic word without its article. Cached: words recur."""
    return arabic_skeleton(arabic_forms(word)[0])


def _concept_explained(
    concept: str,
    other_concepts: frozenset[str],
    other: _Reading,
    lang: str,
) -> bool:
    """Whether the other side names ``concept`` in some form (``lang`` is the other side's)."""
    entries = lexicon().entries
    if concept not in entries:
        return False
    forms = _concept_forms(concept, lang)
    if any(form in other.text for form in forms.theirs):
        return True
    for other_concept in other_concepts:
        if other_concept in entries and _nested(concept, other_concept):
            return True
    return any(skeleton in other.skeletons for skeleton in forms.skeletons)


@dataclass(frozen=True)
class _ConceptForms:
    """How a concept may be written on the other side (``theirs``, normalised) and the
    skeletons of its spellings on its own side."""

    theirs: tuple[str, ...]
    skeletons: tuple[str, ...]


@functools.lru_cache(maxsize=4096)
def _concept_forms(concept: str, lang: str) -> _ConceptForms:
    """A lexicon concept's forms as ``_concept_explained`` compares them (``lang`` is the other
    side's), worked out once per concept rather than per group."""
    entry = lexicon().entries[concept]
    mine = entry.en if lang == "ar" else entry.ar
    theirs = entry.ar if lang == "ar" else entry.en
    skeleton = english_skeleton if lang == "ar" else _arabic_word_skeleton
    return _ConceptForms(
        theirs=tuple(normalize(form) for form in theirs),
        skeletons=tuple(
            "".join(skeleton(w) for w in words(normalize(form), normalised=True)) for form in mine
        ),
    )


@functools.lru_cache(maxsize=16384)
def _nested(a_id: str, b_id: str) -> bool:
    """One lexicon entry's English name inside the other's ("Atmeh" in "Atmeh camps");
    cached by the two ids, since the same places meet in group after group."""
    entries = lexicon().entries
    a, b = entries[a_id], entries[b_id]
    names_a = {normalize(n) for n in a.en}
    names_b = {normalize(n) for n in b.en}
    return any(re.search(rf"\b{re.escape(x)}\b", y) for x in names_a for y in names_b) or any(
        re.search(rf"\b{re.escape(y)}\b", x) for x in names_a for y in names_b
    )


def _name_explained(name: str, lang: str, other: Anchors, other_side: _Reading) -> bool:
    """Whether a marked place name has a form on the other side: a lexicon concept the other
    side also has, or a word of the same skeleton as the whole name or its last word."""
    concepts = {c for c, _, _ in lexicon().concepts(token_forms(name, lang), lang)}
    if concepts and concepts <= other.concepts:
        return True
    skeleton = english_skeleton if lang == "en" else _arabic_word_skeleton
    parts = [skeleton(w) for w in words(normalize(name), normalised=True)]
    # the last word carries the name (a surname; "Safra" in "Kafr Safra", not "Kafr")
    skeletons = other_side.skeletons
    return "".join(parts) in skeletons or (len(parts) > 1 and parts[-1] in skeletons)


def _where_text(paragraphs: list[Paragraph], word: str) -> int:
    for p in paragraphs:
        if normalize(word) in normalize(p.text):
            return p.index
    return paragraphs[0].index


def _condensed(
    ts: list[Paragraph], os: list[Paragraph], ratio: float, params: FlagParams
) -> ProposedFlag | None:
    """One translation paragraph for several original ones (a merge), or a translation much
    shorter than its original: the reviewer should check what the condensing left out."""
    l_t = sum(len(p.text) for p in ts)
    l_o = sum(len(p.text) for p in os)
    merged = len(ts) == 1 and len(os) >= 2
    short = l_o >= params.condensed_min_chars and l_t < params.condensed_share * ratio * l_o
    if not merged and not short:
        return None
    t_anchors, o_anchors = _anchors(ts, "en"), _anchors(os, "ar")
    return ProposedFlag(
        FlagKind.condensed,
        "group",
        ts[0].index,
        os[0].index,
        {
            "translation_chars": l_t,
            "original_chars": l_o,
            "share": round(l_t / (ratio * l_o), 2),
            "original_paragraphs": len(os),
            "translation_anchors": _words(ts, t_anchors, "en"),
            "original_anchors": _words(os, o_anchors, "ar"),
        },
    )


NAMED_KEY_PREFIXES = ("n:", "d:", "c:place.", "c:org.", "c:person.", "c:office.")
"""Anchors worth listing as a group's evidence: figures, dates, places, bodies and people."""


def _words(paragraphs: Sequence[Paragraph], anchors: list[Anchors], lang: str) -> list[str]:
    """The figures, dates and names of paragraphs, in their own words, in reading order."""
    found: list[str] = []
    for p, a in zip(paragraphs, anchors, strict=True):
        for key in sorted(anchor_keys_of(a)):
            if key.startswith(NAMED_KEY_PREFIXES) and not key.startswith("n:~"):
                words = surface(p.text, p.lang or lang, key)
                if words and words not in found:
                    found.append(words)
    return found
