"""Anchors: the tokens that survive translation, used to align paragraphs and to flag changes.

- numbers, in every form both languages write them (``3,500`` ``3.500`` ``٣٬٥٠٠`` ``2.5
  million`` ``١٢ ألف`` ``45%`` ``٤٥٪`` ``three`` ``ثلاثة``), as their values;
- vague quantities (``dozens`` / ``عشرات``);
- dates: day and month (``15 September`` / ``15 من أيلول`` / ``١٥ سبتمبر``), months, years
  and weekdays, from data/calendar.toml;
- concepts from the bilingual lexicon (places, bodies, offices, news vocabulary);
- names: on the English side each capitalised word outside the lexicon, as a consonant
  skeleton; on the Arabic side the skeleton of every word, since Arabic has no capitals;
- quotations (a paragraph quotes someone).

``extract_anchors`` is pure and cached by text, language and nothing else.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial
from importlib.resources import files
from itertools import chain, compress, count

from provenance.errors import ConfigError
from provenance.lexicon import Start, lexicon
from provenance.text.memo import Memo
from provenance.text.normalize import normalize
from provenance.text.tokens import Forms, chunk_forms, english_forms, plain, token_forms
from provenance.text.translit import arabic_skeleton, english_skeleton

MIN_NAME_SKELETON = 2

# A figure: 3,500 / 3.500 / 3500 / 2.5 / 10-15 (each side separately), not preceded by a
# letter, digit, point or comma. The pattern begins with a digit, and the look-behind for what
# precedes that digit comes after it: the engine then skips every other position in a fast
# scan, without entering the pattern (twice as fast as the look-behind first).
_NUMBER = re.compile(
    r"(\d(?<![A-Za-z0-9.,]\d)(?:\d{0,2}([,.])\d{3}(?:\2\d{3})*(?:[.,]\d+)?|\d*(?:[.,]\d+)?))(?!\d)"
)


def _strip_ordinal(word: str) -> str:
    """ "12th" -> "12" (day numbers written as ordinals)."""
    if word[-2:] in ("st", "nd", "rd", "th") and word[:-2].isdigit():
        return word[:-2]
    return word


_QUOTES = re.compile(r"[\"«»“”]")
_AFTER_FIGURE = re.compile(r"و?\d[\d.,]*")
_FIGURE = re.compile(r"\d{1,3}(?:([,.])\d{3})(?:\1\d{3})*(?:([.,])(\d+))?")
_WORD_TRIM = ".:;!?()[]\"'«»"
_ORDINAL_ENDS = frozenset(("st", "nd", "rd", "th"))


@dataclass(frozen=True)
class Anchors:
    """The anchors of one paragraph (or of a group of paragraphs, by union)."""

    numbers: frozenset[str] = frozenset()
    dates: frozenset[str] = frozenset()
    concepts: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    """English: skeletons of capitalised words. Arabic: skeletons of all non-lexicon words."""
    quotes: bool = False
    chars: int = 0
    concept_categories: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __or__(self, other: Anchors) -> Anchors:
        return Anchors(
            self.numbers | other.numbers,
            self.dates | other.dates,
            self.concepts | other.concepts,
            self.names | other.names,
            self.quotes or other.quotes,
            self.chars + other.chars,
            {**self.concept_categories, **other.concept_categories},
        )


@dataclass(frozen=True)
class Calendar:
    months: dict[tuple[str, ...], int]
    ambiguous: frozenset[str]
    weekdays: dict[str, str]
    number_words: dict[tuple[str, ...], int]
    vague: dict[str, str]
    multipliers: dict[str, int]
    first_words: frozenset[str]
    """Every word that can begin a month, weekday, number word or vague quantity."""
    date_words: frozenset[str]
    """The first words of months and weekdays."""
    count_words: frozenset[str]
    """The first words of number words and vague quantities."""


@dataclass(frozen=True)
class AnchorWords:
    """The words of data/anchors.toml, as extraction uses them."""

    percent_after: re.Pattern[str]
    """Matches at the start of what follows a figure that is a percentage."""
    not_names: frozenset[str]
    """English words that are not names even when capitalised."""


@cache
def anchor_words() -> AnchorWords:
    """data/anchors.toml, read once: the percent words in normalised form, since they are
    matched in normalised text."""
    where = "provenance/data/anchors.toml"
    try:
        raw = tomllib.loads(files("provenance.data").joinpath("anchors.toml").read_text("utf-8"))
        percent, not_names = raw["percent"], raw["en"]["not_names"]
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise ConfigError(f"{where} cannot be read: {error}") from None
    for key, words in (("percent", percent), ("en.not_names", not_names)):
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise ConfigError(f"{where}: {key} must be a list of words")
    folded = dict.fromkeys(normalize(w) for w in percent)
    return AnchorWords(
        percent_after=re.compile(rf"^\s*(?:{'|'.join(re.escape(w) for w in folded)})"),
        not_names=frozenset(not_names),
    )


@cache
def calendar() -> Calendar:
    raw = tomllib.loads(files("provenance.data").joinpath("calendar.toml").read_text("utf-8"))

    def key(phrase: str) -> tuple[str, ...]:
        return tuple(normalize(phrase).split())

    months = {
        key(name): int(month)
        for month, names in raw["months"].items()
        if month != "ambiguous"
        for name in names
    }
    weekdays = {normalize(n): day for day, names in raw["weekdays"].items() for n in names}
    number_words = {key(n): int(v) for v, names in raw["number_words"].items() for n in names}
    vague = {normalize(n): kind for kind, names in raw["vague"].items() for n in names}
    date_words = {phrase[0] for phrase in months} | set(weekdays)
    count_words = {phrase[0] for phrase in number_words} | set(vague)
    multipliers = {normalize(n): int(v) for v, names in raw["multipliers"].items() for n in names}
    return Calendar(
        months=months,
        ambiguous=frozenset(normalize(n) for n in raw["months"]["ambiguous"]),
        weekdays=weekdays,
        number_words=number_words,
        vague=vague,
        multipliers=multipliers,
        first_words=frozenset(date_words | count_words),
        date_words=frozenset(date_words),
        count_words=frozenset(count_words),
    )


def parse_figure(token: str) -> float:
    """The value of a written figure: "3,500" and "3.500" are 3500, "2.5" and "2,5" are 2.5."""
    if token.isdecimal():  # the common case, which the pattern below never matches
        return float(token)
    match = _FIGURE.fullmatch(token)
    if match:
        sep = match.group(1)
        whole, _, fraction = (
            token.partition(match.group(2) or "\x00")
            if match.group(2) and match.group(2) != sep
            else (token, "", "")
        )
        value = float(whole.replace(sep, ""))
        return value + (float("0." + fraction) if fraction else 0.0)
    return float(token.replace(",", "."))


def format_value(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _numbers_and_dates(text: str, words: list[str]) -> tuple[set[str], set[str]]:
    """The numbers and dates of a normalised text, whose ``_calendar_words`` are ``words``."""
    numbers: set[str] = set()
    dates: set[str] = set()
    day_positions: dict[int, str] = {}
    # Only words that can start a calendar phrase need a closer look (most paragraphs: none).
    if not calendar().first_words.isdisjoint(words):
        day_positions = _calendar_phrases(words, numbers, dates)
    _add_figures(text, numbers, dates)
    # Day numbers already stand in a date anchor.
    for day in day_positions.values():
        numbers.discard(day)
    return numbers, dates


def _calendar_phrases(words: list[str], numbers: set[str], dates: set[str]) -> dict[int, str]:
    """Dates, months, weekdays, number words and vague quantities in ``words``, added to
    ``numbers`` and ``dates``; returns the positions of the day numbers of dates, each with
    the loose figure it would otherwise be."""
    cal = calendar()
    day_positions: set[int] = set()
    interesting = list(compress(count(), map(cal.first_words.__contains__, words)))
    # Dates and months first, so that a day number is not also a loose figure.
    for i in interesting:
        if words[i] not in cal.date_words:
            continue
        for size in (2, 1):
            phrase = tuple(words[i : i + size])
            month = cal.months.get(phrase)
            if month is None:
                continue
            before = words[i - 1] if i else ""
            before2 = words[i - 2] if i > 1 else ""
            after = words[i + size] if i + size < len(words) else ""
            day = (
                before
                if before.isdigit()
                else (before2 if before in ("من", "of") and before2.isdigit() else "")
            )
            if not day and after.isdigit() and int(after) <= 31:
                day = after
            year = after if after.isdigit() and len(after) == 4 else ""
            if " ".join(phrase) in cal.ambiguous and not (day or year):
                continue
            dates.add(f"m:{month:02d}")
            if day and 1 <= int(day) <= 31:
                dates.add(f"d:{month:02d}-{int(day):02d}")
                day_positions.add(
                    i - 1 if day == before else (i - 2 if day == before2 else i + size)
                )
            break
        weekday = cal.weekdays.get(words[i])
        if weekday:
            dates.add(f"wd:{weekday}")
    for i in interesting:
        word = words[i]
        if i in day_positions or word not in cal.count_words:
            continue
        value = cal.number_words.get((word,))
        if i + 1 < len(words) and (word, words[i + 1]) in cal.number_words:
            value = cal.number_words[(word, words[i + 1])]
        vague = cal.vague.get(word)
        if value is None and not vague:  # "a" not before "hundred": most of them
            continue
        after_figure = i > 0 and _AFTER_FIGURE.fullmatch(words[i - 1]) is not None
        if value is not None and not after_figure:
            following = words[i + 1] if i + 1 < len(words) else ""
            multiplier = cal.multipliers.get(following.strip(".,;:"))
            if multiplier and value < 1000:  # "two million", "ثلاثة آلاف"
                value *= multiplier
            numbers.add(format_value(value))
        if vague and not after_figure:
            numbers.add(f"~{vague}")
    return {
        i: str(int(words[i])) for i in day_positions if 0 <= i < len(words) and words[i].isdigit()
    }


def _add_figures(text: str, numbers: set[str], dates: set[str]) -> None:
    """Figures written in digits, scaled by a multiplier word after them ("2.5 million")."""
    multipliers = calendar().multipliers
    percent_after = anchor_words().percent_after
    for match in _NUMBER.finditer(text):
        try:
            figure = parse_figure(match.group(1))
        except ValueError:
            continue
        end = match.end()
        rest = text[end : end + 16]
        next_word = rest.split(None, 1)
        multiplier = multipliers.get(next_word[0].strip(".,:;!?()\"'")) if next_word else None
        if multiplier and not (multiplier == 1000 and figure >= 1000):
            figure *= multiplier
        value = format_value(figure)
        if percent_after.match(rest):
            numbers.add(value + "%")
        numbers.add(value)
        if 1900 <= figure <= 2100 and figure == int(figure):
            dates.add(f"y:{int(figure)}")


@lru_cache(maxsize=65536)
def extract_anchors(text: str, lang: str) -> Anchors:
    """Anchors of one paragraph in ``lang`` ('ar' or 'en'; other languages as English)."""
    normalised = normalize(text)
    words, forms, starts = _read_runs(normalised, "ar" if lang == "ar" else "en")
    numbers, dates = _numbers_and_dates(normalised, words)
    lex = lexicon()
    found = lex.concepts_at(forms, starts)
    category = lex.categories.get
    categories = {concept: category(concept, "") for concept, _, _ in found}
    if lang == "ar":
        names = set().union(*map(_ARABIC_NAMES.__getitem__, _outside(forms, found)))
    else:
        names = _english_names(text, forms, found)
    return Anchors(
        numbers=frozenset(numbers),
        dates=frozenset(dates),
        concepts=frozenset(categories),
        names=frozenset(names),
        quotes=bool(_QUOTES.search(text)),
        chars=len(text),
        concept_categories=categories,
    )


def _read_runs(normalised: str, side: str) -> tuple[list[str], list[Forms], list[Start]]:
    """The calendar words, the words' forms and how each begins lexicon phrases, of a
    normalised text: one look-up per run of text between spaces, since no word of either
    kind spans a space and runs recur ("the", "الرقة", "said,")."""
    runs = list(map(_RUNS[side].__getitem__, normalised.split()))
    if not runs:
        return _calendar_ends(normalised, []), [], []
    words, forms, starts = zip(*runs, strict=True)
    return (
        _calendar_ends(normalised, list(chain.from_iterable(words))),
        list(chain.from_iterable(forms)),
        list(chain.from_iterable(starts)),
    )


def _run(side: str, run: str) -> tuple[tuple[str, ...], tuple[Forms, ...], tuple[Start, ...]]:
    """What ``_read_runs`` needs of one run of text."""
    forms = chunk_forms(run)
    return _CHUNK_CALENDAR_WORDS[run], forms, tuple(map(lexicon().starts(side).__getitem__, forms))


_RUNS = {side: Memo(partial(_run, side)) for side in ("en", "ar")}


def _calendar_words(normalised: str) -> list[str]:
    """The words dates and number words are read from: split at spaces and hyphens, a comma
    a word of its own, ordinals as their numbers."""
    words = chain.from_iterable(map(_CHUNK_CALENDAR_WORDS.__getitem__, normalised.split()))
    return _calendar_ends(normalised, list(words))


def _calendar_ends(normalised: str, words: list[str]) -> list[str]:
    """``words`` with an empty word at either end that starts or ends with a separator, as a
    split at separators gives them, since positions count (the word before a month)."""
    if normalised[:1] in ("", ",", "-", " "):
        words.insert(0, "")
    if normalised[-1:] in (",", "-", " "):
        words.append("")
    return words


def _chunk_calendar_words(chunk: str) -> tuple[str, ...]:
    """The calendar words of a run of text without spaces. No word spans a space, so the
    words of a text are those of its runs, in order (and the runs recur)."""
    parts = chunk.replace(",", " , ").replace("-", " ").split()
    return tuple(
        _strip_ordinal(w) if (w := part.strip(_WORD_TRIM))[-2:] in _ORDINAL_ENDS else w
        for part in parts
    )


_CHUNK_CALENDAR_WORDS = Memo(_chunk_calendar_words)


def _outside(forms: list[Forms], found: list[tuple[str, int, int]]) -> list[Forms]:
    """The words no lexicon phrase covers (``found`` is in text order and never overlaps)."""
    outside: list[Forms] = []
    done = 0
    for _, start, end in found:
        outside += forms[done:start]
        done = end
    outside += forms[done:]
    return outside


def _arabic_names(word_forms: Forms) -> frozenset[str]:
    """The name skeletons of one Arabic word's forms."""
    skeletons = (arabic_skeleton(plain(form)) for form in word_forms)
    return frozenset(s for s in skeletons if len(s) >= MIN_NAME_SKELETON)


_ARABIC_NAMES = Memo(_arabic_names, 131072)
"""Words recur: most words' names cost one look-up."""


def _english_name(word: str) -> tuple[Forms, str] | None:
    """A capitalised word's forms and name skeleton, or None when it is no name whatever
    the lexicon finds around it (a stop word, or too short a skeleton)."""
    word_forms = english_forms(normalize(word))
    if word_forms[0] in _not_names():
        return None
    skeleton = english_skeleton(word)
    return (word_forms, skeleton) if len(skeleton) >= MIN_NAME_SKELETON else None


_ENGLISH_NAMES = Memo(_english_name, 131072)
"""Words recur: most capitalised words cost one look-up."""


# A capitalised word, where no word character precedes its capital: the look-behind comes
# after the capital so that the engine scans fast for capitals (three times as fast).
_CAPITALISED = re.compile(r"[A-Z](?<!\w[A-Z])[\w'’-]+")


@cache
def _not_names() -> frozenset[str]:
    """Capitalised words that are not names: stop words, months, weekdays, number words."""
    cal = calendar()
    words = set(anchor_words().not_names) | set(cal.weekdays) | set(cal.vague)
    words |= {w for phrase in (*cal.months, *cal.number_words) for w in phrase}
    return frozenset(words)


def _english_names(text: str, forms: list[Forms], found: list[tuple[str, int, int]]) -> set[str]:
    """Skeletons of capitalised words whose forms the lexicon did not already explain (the
    forms of the words of the phrases ``found`` in ``forms``)."""
    candidates = list(filter(None, map(_ENGLISH_NAMES.__getitem__, _CAPITALISED.findall(text))))
    if not candidates:
        return set()
    explained = set(chain.from_iterable(chain.from_iterable(forms[s:e] for _, s, e in found)))
    return {skeleton for word_forms, skeleton in candidates if explained.isdisjoint(word_forms)}


def anchor_keys_of(anchors: Anchors) -> set[str]:
    """Every anchor of a paragraph as one prefixed key: n:, d:/m:/wd:/y:, c: and p:."""
    keys = {f"n:{n}" for n in anchors.numbers} | set(anchors.dates)
    keys |= {f"c:{c}" for c in anchors.concepts} | {f"p:{n}" for n in anchors.names}
    return keys


_SURFACE_WINDOW = 6
_TRIM = ".,:;!?()[]{}\"'«»“”‘’،؛"


@lru_cache(maxsize=65536)
def _figure_and_date_keys(text: str) -> tuple[str, ...]:
    """The number and date keys ``extract_anchors`` gives ``text`` (whatever its language),
    without the concepts and names it also looks for: all ``surface`` needs to find a figure
    or a date in a run of words. A tuple, which the garbage collector soon stops tracking."""
    normalised = normalize(text)
    numbers, dates = _numbers_and_dates(normalised, _calendar_words(normalised))
    return (*(f"n:{n}" for n in numbers), *dates)


@lru_cache(maxsize=65536)
def _concept_keys(text: str, lang: str) -> tuple[str, ...]:
    """The concept keys ``extract_anchors`` gives ``text``, without its figures and names."""
    forms = token_forms(normalize(text), lang, normalised=True)
    return tuple(f"c:{concept}" for concept, _, _ in lexicon().concepts(forms, lang))


def _holds(words: str, lang: str, key: str) -> bool:
    """``has_anchor_key(extract_anchors(words, lang), key)``, reading only the kind of anchor
    ``key`` is. A concept key is never a date: dates are m:, d:, wd: and y: keys."""
    if key.startswith("c:"):
        return key in _concept_keys(words, lang)
    if key.startswith("p:"):
        return has_anchor_key(extract_anchors(words, lang), key)
    return key in _figure_and_date_keys(words)


def has_anchor_key(anchors: Anchors, key: str) -> bool:
    """``key in anchor_keys_of(anchors)``, without building the set of every key: ``surface``
    asks this of hundreds of runs of words per paragraph."""
    if key in anchors.dates:
        return True
    prefix, rest = key[:2], key[2:]
    if prefix == "n:":
        return rest in anchors.numbers
    if prefix == "c:":
        return rest in anchors.concepts
    return prefix == "p:" and rest in anchors.names


_WORD_RUN = re.compile(r"\S+")


@lru_cache(maxsize=4096)
def _runs_of(text: str, size: int) -> tuple[str, ...]:
    """Every run of ``size`` words of ``text``, in reading order. Kept per text and size: a
    paragraph is asked for several keys in a row (and the runs' hashes are then reused)."""
    if size == 1:  # the words themselves: split() and \S+ see the same spaces
        return tuple(text.split())
    spans = _word_spans(text)
    return tuple(
        text[spans[start][0] : spans[start + size - 1][1]] for start in range(len(spans) - size + 1)
    )


@lru_cache(maxsize=1024)
def _word_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Where each word of ``text`` is, for the runs of two words and more."""
    return tuple(m.span() for m in _WORD_RUN.finditer(text))


@lru_cache(maxsize=16384)
def surface(text: str, lang: str, key: str) -> str | None:
    """The words of ``text`` that carry anchor ``key`` ("c:place.sidon" -> "Sidon", "n:2500000"
    -> "٢٫٥ مليون"): the shortest run of words whose own anchors include it. Reviewers read
    these, never the keys."""
    for size in range(1, _SURFACE_WINDOW + 1):
        words = _first_holding(_runs_of(text, size), lang, key)
        if words is not None:
            words = words.strip(_TRIM) or words
            if words[:1] in "وبل" and _holds(words[1:], lang, key):
                words = words[1:]  # a clitic conjunction or preposition: و3500 -> 3500
            return words
    return None


def _first_holding(runs: tuple[str, ...], lang: str, key: str) -> str | None:
    """The first of ``runs`` that holds ``key``: ``_holds`` with the kind of key settled once,
    since it is asked of every run in turn."""
    if key.startswith("c:"):
        return next((words for words in runs if key in _concept_keys(words, lang)), None)
    if key.startswith("p:"):
        return next((words for words in runs if _holds(words, lang, key)), None)
    return next((words for words in runs if key in _figure_and_date_keys(words)), None)


# -- anchors stored with the paragraph -----------------------------------------------------------

ANCHOR_FORMAT = 2
"""Bumped when extraction changes in code; the data files are hashed into the stamp."""


@cache
def anchor_stamp() -> str:
    """What stored anchors were extracted with: the format and a hash of the lexicon, names
    and calendar. Anchors stored under another stamp are extracted again."""
    import hashlib

    data = files("provenance.data")
    digest = hashlib.sha1(str(ANCHOR_FORMAT).encode())
    sources = [data.joinpath(name) for name in ("calendar.toml", "anchors.toml", "names.tsv")]
    sources += sorted(data.joinpath("lexicon").iterdir(), key=lambda f: f.name)
    for source in sources:
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:12]


def current_json_prefix() -> str:
    """How anchors stored by this version begin (``anchors_to_json``); stored anchors that do
    not are extracted again, from their paragraph's text."""
    return '{"v":"' + anchor_stamp() + '",'


def anchors_to_json(anchors: Anchors) -> str:
    """The compact JSON stored in the paragraph table (``anchors_from_json`` reads it)."""
    import json

    return json.dumps(
        {
            "v": anchor_stamp(),
            "n": sorted(anchors.numbers),
            "d": sorted(anchors.dates),
            "c": dict(sorted(anchors.concept_categories.items())),
            "p": sorted(anchors.names),
            "q": int(anchors.quotes),
            "l": anchors.chars,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def anchors_from_json(raw: str | None) -> Anchors | None:
    """Stored anchors, or None when there are none or they were extracted with other data
    (the caller extracts them again)."""
    if not raw:
        return None
    return _anchors_from_json(raw)


@lru_cache(maxsize=16384)
def _anchors_from_json(raw: str) -> Anchors | None:
    """Parsed once per distinct JSON (an outlet's recurring lines share theirs), and shared
    as ``extract_anchors`` shares its results."""
    import json

    try:
        data = json.loads(raw)
        if data.get("v") != anchor_stamp():
            return None
        categories = {str(k): str(v) for k, v in data["c"].items()}
        return Anchors(
            numbers=frozenset(data["n"]),
            dates=frozenset(data["d"]),
            concepts=frozenset(categories),
            names=frozenset(data["p"]),
            quotes=bool(data["q"]),
            chars=int(data["l"]),
            concept_categories=categories,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
