"""The bilingual lexicon (data/lexicon/*.tsv): concepts shared by English and Arabic text.

Each entry is a concept id with English and Arabic spellings; a paragraph's concepts are the
ids whose spellings occur in it. Matching is on canonical tokens (``text.tokens``), so
"والرقة" and "الرقة" and "Raqqa" all reach ``place.raqqa``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from provenance.errors import ConfigError
from provenance.text.normalize import normalize
from provenance.text.tokens import BARE, Forms, dictionary_key, plain, token_forms

HEADER = ["id", "category", "en", "ar"]
MAX_PHRASE = 6


@dataclass(frozen=True)
class Entry:
    id: str
    category: str
    en: tuple[str, ...]
    ar: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    entries: dict[str, Entry]
    phrases: dict[str, dict[tuple[str, ...], str]]
    """Per language: canonical token tuple -> concept id."""
    longest: dict[str, dict[str, int]]
    """Per language: first word -> length of the longest phrase starting with it."""
    bare: frozenset[tuple[str, ...]]
    """Arabic keys that some spelling writes without the article (they accept BARE forms)."""
    _start_cache: dict[tuple[str, Forms], tuple[tuple[tuple[str, bool], ...], int]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def concepts(self, tokens: list[Forms], lang: str) -> list[tuple[str, int, int]]:
        """(concept id, start, end) of the longest phrases found, left to right.

        The first word of a phrase may be in any of its forms (it carries the clitics);
        the rest are compared in their first form.
        """
        side = "ar" if lang == "ar" else "en"
        table = self.phrases[side]
        found: list[tuple[str, int, int]] = []
        i = 0
        n = len(tokens)
        while i < n:
            hit = None
            starts, top = self._starts(side, tokens[i])
            if starts:
                for size in range(min(top, n - i), 0, -1):
                    rest = tuple(forms[0] for forms in tokens[i + 1 : i + size])
                    for first, bare_form in starts:
                        key = (first, *rest)
                        concept = table.get(key)
                        if concept is not None and bare_form and key not in self.bare:
                            concept = None
                        if concept is not None:
                            hit = (concept, size)
                            break
                    if hit:
                        break
            if hit:
                found.append((hit[0], i, i + hit[1]))
                i += hit[1]
            else:
                i += 1
        return found

    def _starts(self, side: str, forms: Forms) -> tuple[tuple[tuple[str, bool], ...], int]:
        """The forms of a word that begin some phrase (form, made by stripping clitics from a
        word without article?) and the longest such phrase; cached, since words recur."""
        key = (side, forms)
        cached = self._start_cache.get(key)
        if cached is None:
            longest = self.longest[side]
            starts = tuple((plain(f), f.startswith(BARE)) for f in forms if plain(f) in longest)
            cached = (starts, max((longest[f] for f, _ in starts), default=0))
            if len(self._start_cache) < 500_000:
                self._start_cache[key] = cached
        return cached

    def category(self, concept: str) -> str:
        entry = self.entries.get(concept)
        return entry.category if entry else ""


def _read(name: str, text: str, entries: dict[str, Entry]) -> None:
    where = f"provenance/data/{name}"
    rows = csv.reader(
        (line for line in text.splitlines() if not line.startswith("#")),
        delimiter="\t",
        quoting=csv.QUOTE_NONE,
    )
    header = next(rows, None)
    if header != HEADER:
        raise ConfigError(f"{where}: the first line must be {' '.join(HEADER)}")
    for lineno, row in enumerate(rows, start=2):
        if not row:
            continue
        if len(row) != 4 or not all(field.strip() for field in row):
            raise ConfigError(f"{where}: line {lineno}: expected 4 non-empty tab-separated fields")
        concept, category, en, ar = (field.strip() for field in row)
        if concept in entries:
            raise ConfigError(f"{where}: line {lineno}: duplicate id {concept}")
        entries[concept] = Entry(
            concept,
            category,
            tuple(v.strip() for v in en.split("|") if v.strip()),
            tuple(v.strip() for v in ar.split("|") if v.strip()),
        )


@cache
def lexicon() -> Lexicon:
    """All lexicon files, loaded once per process."""
    entries: dict[str, Entry] = {}
    folder = files("provenance.data").joinpath("lexicon")
    for item in sorted(folder.iterdir(), key=lambda f: f.name):
        if item.name.endswith(".tsv"):
            _read(f"lexicon/{item.name}", item.read_text("utf-8"), entries)
    phrases: dict[str, dict[tuple[str, ...], str]] = {"en": {}, "ar": {}}
    for entry in entries.values():
        for lang, variants in (("en", entry.en), ("ar", entry.ar)):
            for variant in variants:
                key = dictionary_key(variant)
                if key:
                    phrases[lang].setdefault(key, entry.id)
    bare = {
        dictionary_key(variant)
        for entry in entries.values()
        for variant in entry.ar
        if not normalize(variant).startswith(("ال", "لل"))
    }
    longest: dict[str, dict[str, int]] = {"en": {}, "ar": {}}
    for lang, table in phrases.items():
        for key in table:
            longest[lang][key[0]] = max(longest[lang].get(key[0], 0), len(key))
    return Lexicon(entries, phrases, longest, frozenset(bare))


@dataclass(frozen=True)
class GivenNames:
    """Common given names (data/names.tsv), kept apart from the lexicon: they are not anchors,
    since many are also ordinary words (كامل "complete", أمل "hope")."""

    en: dict[str, frozenset[str]]
    """An English spelling (a word's first form) -> the names it may write."""
    ar: dict[str, frozenset[str]]
    """An Arabic spelling (a word's first form) -> the names it may write."""

    def of(self, word: str, lang: str) -> frozenset[str]:
        """The names one word of a text may be, whatever clitics it carries."""
        table = self.ar if lang == "ar" else self.en
        found: set[str] = set()
        for forms in token_forms(word, lang):
            for form in forms:
                found |= table.get(plain(form), frozenset())
        return frozenset(found)


@cache
def given_names() -> GivenNames:
    entries: dict[str, Entry] = {}
    _read("names.tsv", files("provenance.data").joinpath("names.tsv").read_text("utf-8"), entries)
    tables: dict[str, dict[str, set[str]]] = {"en": {}, "ar": {}}
    for entry in entries.values():
        for lang, variants in (("en", entry.en), ("ar", entry.ar)):
            for variant in variants:
                key = dictionary_key(variant)
                if len(key) == 1:
                    tables[lang].setdefault(key[0], set()).add(entry.id)
    return GivenNames(
        **{lang: {k: frozenset(v) for k, v in table.items()} for lang, table in tables.items()}
    )
