"""Load and validate the tagging and credit rules in data/rules.toml (once per process)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from provenance.errors import ConfigError

WHERE = "provenance/data/rules.toml"
PARAGRAPH_KINDS = ("boilerplate", "disclaimer", "read_also", "translator_note", "attribution")


@dataclass(frozen=True)
class ParagraphRule:
    name: str
    kind: str
    patterns: tuple[re.Pattern[str], ...]
    outlets: frozenset[str] | None = None
    max_chars: int | None = None
    combined: re.Pattern[str] | None = None
    """All patterns in one alternation: one search per paragraph instead of one per pattern."""

    def applies(self, normalised: str, length: int, outlet: str | None) -> bool:
        if self.outlets is not None and outlet not in self.outlets:
            return False
        if self.max_chars is not None and length > self.max_chars:
            return False
        if self.combined is not None:
            return self.combined.search(normalised) is not None
        return any(p.search(normalised) for p in self.patterns)


@dataclass(frozen=True)
class ChromeShapes:
    """The numbers and patterns of the shape rules (text/chrome.py), from `[chrome]`."""

    title_similarity: float
    fragment_max_words: int
    fragment_max_letters: int
    byline_max_words: int
    caption_max_chars: int
    caption: re.Pattern[str]
    markup_max_chars: int
    markup: re.Pattern[str]
    pull_quote_min_chars: int
    headline_max_chars: int
    date_filler: frozenset[str]
    learn_max_chars: int
    learn_short_chars: int
    learn_min_articles: int


@dataclass(frozen=True)
class Rules:
    paragraph: tuple[ParagraphRule, ...]
    signatures: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
    credit_patterns: tuple[str, ...]
    credit_lead_paragraphs: int
    chrome: ChromeShapes


def _compile(patterns: object, where: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(patterns, list) or not patterns:
        raise ConfigError(f"{WHERE}: {where} has no patterns")
    if len(set(patterns)) != len(patterns):
        raise ConfigError(f"{WHERE}: {where} repeats a pattern")
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as err:
            raise ConfigError(
                f"{WHERE}: {where}: pattern {pattern!r} does not compile: {err}"
            ) from None
    return tuple(compiled)


@cache
def rules() -> Rules:
    raw = tomllib.loads(files("provenance.data").joinpath("rules.toml").read_text("utf-8"))
    paragraph = []
    for entry in raw.get("paragraph", []):
        name = entry.get("name") or "(unnamed)"
        if entry.get("kind") not in PARAGRAPH_KINDS:
            raise ConfigError(
                f"{WHERE}: rule {name}: kind must be one of {', '.join(PARAGRAPH_KINDS)}"
            )
        outlets = entry.get("outlets")
        patterns = _compile(entry.get("patterns"), f"rule {name}")
        paragraph.append(
            ParagraphRule(
                name=name,
                kind=entry["kind"],
                patterns=patterns,
                combined=re.compile("|".join(f"(?:{p.pattern})" for p in patterns)),
                outlets=frozenset(outlets) if outlets else None,
                max_chars=entry.get("max_chars"),
            )
        )
    signatures = tuple(
        (s["outlet"], _compile(s.get("patterns"), f"signature {s.get('outlet')}"))
        for s in raw.get("signature", [])
    )
    credits = raw.get("credits", {})
    credit_patterns = credits.get("patterns") or []
    for pattern in credit_patterns:
        if "{outlet}" not in pattern:
            raise ConfigError(f"{WHERE}: credit pattern {pattern!r} has no {{outlet}}")
        _compile([pattern.replace("{outlet}", "x")], "credits")
    return Rules(
        chrome=_chrome_shapes(raw.get("chrome", {})),
        paragraph=tuple(paragraph),
        signatures=signatures,
        credit_patterns=tuple(credit_patterns),
        credit_lead_paragraphs=int(credits.get("lead_paragraphs", 4)),
    )


def _chrome_shapes(raw: dict[str, object]) -> ChromeShapes:
    def number(key: str) -> float:
        value = raw.get(key)
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{WHERE}: [chrome] {key} must be a non-negative number")
        return value

    def pattern(key: str) -> re.Pattern[str]:
        return re.compile(
            "|".join(f"(?:{p.pattern})" for p in _compile(raw.get(key), f"[chrome] {key}"))
        )

    filler = raw.get("date_filler") or []
    if not isinstance(filler, list):
        raise ConfigError(f"{WHERE}: [chrome] date_filler must be a list of words")
    return ChromeShapes(
        title_similarity=number("title_similarity"),
        fragment_max_words=int(number("fragment_max_words")),
        fragment_max_letters=int(number("fragment_max_letters")),
        byline_max_words=int(number("byline_max_words")),
        caption_max_chars=int(number("caption_max_chars")),
        caption=pattern("caption"),
        markup_max_chars=int(number("markup_max_chars")),
        markup=pattern("markup"),
        pull_quote_min_chars=int(number("pull_quote_min_chars")),
        headline_max_chars=int(number("headline_max_chars")),
        date_filler=frozenset(str(w) for w in filler),
        learn_max_chars=int(number("learn_max_chars")),
        learn_short_chars=int(number("learn_short_chars")),
        learn_min_articles=int(number("learn_min_articles")),
    )
