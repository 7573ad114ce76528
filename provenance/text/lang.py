"""Language detection with langdetect, seeded so that a run gives the same answer every time.

langdetect costs about a millisecond a call, so a paragraph written in the script of its
article's language takes that language; langdetect is asked about the paragraphs whose script
says otherwise (an English quote in an Arabic story) and about each article as a whole.
"""

from __future__ import annotations

from functools import cache, lru_cache

from provenance.text.normalize import CACHED_CHARS, script_of

MIN_LETTERS = 12
"""Below this many letters langdetect guesses (it calls "Logo Wide" Portuguese)."""

_SCRIPT_LANGS = {"arabic": {"ar", "fa", "ur", "ku", "ps"}, "latin": None}


@cache
def _factory_ready() -> bool:
    from langdetect import DetectorFactory

    DetectorFactory.seed = 0
    return True


def detect_language(text: str, sample: int = 3000) -> str | None:
    """The ISO 639-1 code langdetect gives ``text`` (first ``sample`` chars), or None."""
    from langdetect import detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    _factory_ready()
    letters = sum(ch.isalpha() for ch in text[:sample])
    if letters < MIN_LETTERS:
        return None
    try:
        best = detect_langs(text[:sample])[0]
    except LangDetectException:
        return None
    return best.lang if best.prob >= 0.5 else None


def _script_matches(lang: str, script: str) -> bool:
    arabic_langs = _SCRIPT_LANGS["arabic"] or set()
    return (script == "arabic") == (lang in arabic_langs)


def paragraph_language(text: str, article_lang: str | None) -> str | None:
    """A paragraph's language: its article's when the script agrees, else langdetect's."""
    if len(text) <= CACHED_CHARS:
        return _cached_language(text, article_lang)
    return _language(text, article_lang)


@lru_cache(maxsize=8192)
def _cached_language(text: str, article_lang: str | None) -> str | None:
    """A line an outlet prints on every page is looked at once (langdetect is seeded, so
    the answer is the same every time)."""
    return _language(text, article_lang)


def _language(text: str, article_lang: str | None) -> str | None:
    script = script_of(text)
    if script is None:
        return article_lang
    if article_lang and _script_matches(article_lang, script):
        return article_lang
    detected = detect_language(text)
    if detected is None and script == "arabic":
        return "ar"
    return detected  # None: too short to tell, and not in the article's script
