"""The bilingual lexicon (data/lexicon/*.tsv): concepts shared by English and Arabic text.

Each entry is a concept id with English and Arabic spellings; a paragraph's concepts are the
ids whose spellings occur in it. Matching is on canonical tokens (``text.tokens``), so
"والرقة" and "الرقة" and "Raqqa" all reach ``place.raqqa``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache, partial
from importlib.resources import files
from itertools import compress

from provenance.errors import ConfigError
from provenance.text.memo import Memo
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


class _Node:
    """One word of the phrase tree: the concept of the phrase ending here, if any."""

    __slots__ = ("bare", "children", "concept")

    def __init__(self) -> None:
        self.concept: str | None = None
        self.bare = False
        """The phrase is written without the article somewhere (it accepts BARE forms)."""
        self.children: dict[str, _Node] = _NO_CHILDREN
        """Shared and empty while the node ends every phrase through it (most nodes): the
        tree is then a third of the objects, and building it sets off less garbage
        collection. ``Lexicon._trie`` gives a node its own dict before adding to it."""


_NO_CHILDREN: dict[str, _Node] = {}
"""Never added to (see ``_Node.children``)."""


def _longest_phrase(
    starts: tuple[tuple[_Node, bool], ...], tokens: list[Forms], i: int
) -> tuple[str | None, int]:
    """The longest phrase at word ``i`` (the earlier start form on a tie), as the
    longest-first search over every start form would find it."""
    best: str | None = None
    best_size = 0
    n = len(tokens)
    for node, bare_form in starts:
        j = i + 1
        current: _Node | None = node
        while current is not None:
            valid = current.concept is not None and (current.bare or not bare_form)
            if valid and j - i > best_size:
                best, best_size = current.concept, j - i
            if j >= n:
                break
            current = current.children.get(tokens[j][0])
            j += 1
    return best, best_size


class _Starts:
    """How a word begins phrases when some of them are longer than the word: its start
    forms (the phrase tree below each, and whether it was made by stripping clitics from a
    word without article), the phrase the word is alone, and every word that can come next
    in a longer phrase. Most words are followed by none of those: the search ends there."""

    __slots__ = ("alone", "followers", "forms")

    def __init__(self, forms: tuple[tuple[_Node, bool], ...]) -> None:
        self.forms = forms
        self.alone = _longest_phrase(forms, [()], 0)[0]
        self.followers = frozenset(word for node, _ in forms for word in node.children)


Start = _Starts | str | None
"""How a word may begin phrases: as above, the one-word phrase it always is, or not at all."""


@dataclass(frozen=True)
class Lexicon:
    entries: dict[str, Entry]
    phrases: dict[str, dict[tuple[str, ...], str]]
    """Per language: canonical token tuple -> concept id."""
    bare: frozenset[tuple[str, ...]]
    """Arabic keys that some spelling writes without the article (they accept BARE forms)."""
    _start_cache: dict[str, Memo[Forms, Start]] = field(init=False, compare=False, repr=False)
    """Per side: a word's forms -> how the word may begin phrases (``_starts``)."""
    _tries: dict[str, dict[str, _Node]] = field(default_factory=dict, compare=False, repr=False)

    categories: dict[str, str] = field(init=False, compare=False, repr=False)
    """Concept id -> its category, as one dict: extraction asks it of every concept found."""

    def __post_init__(self) -> None:
        caches = {side: Memo(partial(self._starts, side), 500_000) for side in ("en", "ar")}
        object.__setattr__(self, "_start_cache", caches)
        categories = {concept: entry.category for concept, entry in self.entries.items()}
        object.__setattr__(self, "categories", categories)

    def concepts(self, tokens: list[Forms], lang: str) -> list[tuple[str, int, int]]:
        """(concept id, start, end) of the longest phrases found, left to right.

        The first word of a phrase may be in any of its forms (it carries the clitics);
        the rest are compared in their first form. Most words begin no phrase: all words
        are looked up in one pass, and only those that begin one are visited, walking a
        tree of phrases word by word.
        """
        return self.concepts_at(tokens, list(map(self.starts(lang).__getitem__, tokens)))

    def starts(self, lang: str) -> Memo[Forms, Start]:
        """A word's forms -> how the word begins phrases of ``lang``'s side (``Start``)."""
        return self._start_cache["ar" if lang == "ar" else "en"]

    def concepts_at(self, tokens: list[Forms], starts: list[Start]) -> list[tuple[str, int, int]]:
        """``concepts``, given how each word begins phrases (``starts``: kept per run of text
        by anchor extraction, which looks them up with the words' forms)."""
        found: list[tuple[str, int, int]] = []
        done = 0  # words before this one are inside a phrase already found
        for i in compress(range(len(tokens)), starts):
            if i < done:
                continue
            start = starts[i]
            concept: str | None
            if start is None:  # never (compress passes only words that begin a phrase)
                continue
            if isinstance(start, str):  # a one-word phrase, no longer one here
                concept, size = start, 1
            elif i + 1 < len(tokens) and tokens[i + 1][0] in start.followers:
                concept, size = _longest_phrase(start.forms, tokens, i)
            else:
                concept, size = start.alone, 1
            if concept is not None:
                found.append((concept, i, i + size))
                done = i + size
        return found

    def _starts(self, side: str, forms: Forms) -> Start:
        """How a word in these forms begins phrases (``Start``)."""
        trie = self._trie(side)
        found = tuple((trie[plain(f)], f.startswith(BARE)) for f in forms if plain(f) in trie)
        if any(node.children for node, _ in found):
            return _Starts(found)
        return _longest_phrase(found, [forms], 0)[0]

    def _trie(self, side: str) -> dict[str, _Node]:
        """The phrases of one side as a tree keyed word by word, built on first use."""
        trie = self._tries.get(side)
        if trie is None:
            trie = {}
            bare = self.bare
            for key, concept in self.phrases[side].items():  # every key has a word
                level = trie
                for word in key[:-1]:
                    node = level.get(word) or level.setdefault(word, _Node())
                    if node.children is _NO_CHILDREN:
                        node.children = {}
                    level = node.children
                node = level.get(key[-1]) or level.setdefault(key[-1], _Node())
                node.concept, node.bare = concept, key in bare
            self._tries[side] = trie
        return trie

    def category(self, concept: str) -> str:
        return self.categories.get(concept, "")


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
    ar_keys: dict[str, tuple[str, ...]] = {}  # each Arabic spelling is keyed once, not twice
    for entry in entries.values():
        for lang, variants in (("en", entry.en), ("ar", entry.ar)):
            for variant in variants:
                key = dictionary_key(variant)
                if lang == "ar":
                    ar_keys[variant] = key
                if key:
                    phrases[lang].setdefault(key, entry.id)
    bare = {
        ar_keys[variant]
        for entry in entries.values()
        for variant in entry.ar
        if not normalize(variant).startswith(("ال", "لل"))
    }
    return Lexicon(entries, phrases, frozenset(bare))


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
                found |= table.get(plain(form), _NO_NAMES)
        return frozenset(found) if found else _NO_NAMES


_NO_NAMES: frozenset[str] = frozenset()
"""What most words are: one shared empty set, so that a cache of them holds no object each."""


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
