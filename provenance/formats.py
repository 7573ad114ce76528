"""Readers for the public file formats of FORMATS.md: articles (§1) and gold pairs (§2).

Readers turn bytes into plain data (``ArticleInput``, ``GoldPair``) or an ``InputError``
that names the file, the line and the field; they never touch the database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from provenance.errors import InputError, PairError
from provenance.text.segment import guess_outlet, split_paragraphs

ARTICLE_SUFFIXES = (".json", ".jsonl", ".txt", ".html", ".htm")
FLAG_KINDS = (
    "added",
    "dropped",
    "disclaimer",
    "read_also",
    "boilerplate",
    "attribution",
    "translator_note",
    "number_mismatch",
    "date_mismatch",
    "name_mismatch",
    "moved",
    "condensed",
)


@dataclass
class ArticleInput:
    """An article as read from a file or a page, before it is stored."""

    url: str
    paragraphs: list[str]
    outlet: str | None = None
    lang: str | None = None
    published: datetime | None = None
    title: str = ""
    author: str | None = None
    source: str = ""
    """Where it was read from (file path, file:line or URL), for messages."""
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class GoldGroup:
    translation: tuple[int, ...]
    original: tuple[int, ...]


@dataclass(frozen=True)
class GoldFlag:
    kind: str
    translation: int | None = None
    original: int | None = None


@dataclass
class GoldPair:
    """A translation, its original, a reviewer's alignment and flags, and distractors."""

    id: str
    translation: ArticleInput
    original: ArticleInput
    alignment: list[GoldGroup]
    flags: list[GoldFlag] = field(default_factory=list)
    distractors: list[ArticleInput] = field(default_factory=list)
    source: str = ""

    def articles(self) -> list[ArticleInput]:
        return [self.translation, self.original, *self.distractors]


Record = ArticleInput | GoldPair


def parse_published(value: Any, where: str) -> datetime | None:
    """A date or date-time, with or without zone; naive values are taken as UTC."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InputError(
            where, f"field 'published' must be a date string, not {type(value).__name__}"
        )
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text[:10]), datetime.min.time())
        except ValueError:
            raise InputError(where, f"field 'published' is not an ISO date: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def article_from_dict(data: Any, where: str) -> ArticleInput:
    """An article from its JSON object (FORMATS.md §1); unknown fields are ignored."""
    if not isinstance(data, dict):
        raise InputError(where, "an article must be a JSON object")
    url = data.get("url")
    if not isinstance(url, str) or not url.strip():
        raise InputError(where, "article has no 'url'")
    if "paragraphs" in data:
        raw = data["paragraphs"]
        if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
            raise InputError(where, "field 'paragraphs' must be a list of strings")
        paragraphs = [p.strip() for p in raw if p.strip()]
    elif isinstance(data.get("text"), str):
        paragraphs = split_paragraphs(data["text"])
    else:
        raise InputError(where, "article has neither 'paragraphs' nor 'text'")
    for key in ("title", "outlet", "lang", "author"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise InputError(where, f"field '{key}' must be a string")
    return ArticleInput(
        url=url.strip(),
        paragraphs=paragraphs,
        outlet=(data.get("outlet") or None),
        lang=(data.get("lang") or None),
        published=parse_published(data.get("published"), where),
        title=(data.get("title") or "").strip(),
        author=data.get("author") or None,
        source=where,
    )


def _indices(value: Any, where: str, what: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in value
    ):
        raise PairError(where, f"{what} must be a list of paragraph indices")
    return tuple(value)


def pair_from_dict(data: dict[str, Any], where: str) -> GoldPair:
    """A gold pair (FORMATS.md §2), checked: indices in range, alignment a partition."""
    translation = article_from_dict(data.get("translation"), f"{where}: translation")
    original = article_from_dict(data.get("original"), f"{where}: original")
    raw_groups = data.get("alignment")
    if not isinstance(raw_groups, list):
        raise PairError(where, "'alignment' must be a list of groups")
    groups = []
    for n, raw in enumerate(raw_groups):
        if not isinstance(raw, dict):
            raise PairError(where, f"alignment group {n} must be an object")
        groups.append(
            GoldGroup(
                _indices(raw.get("translation", []), where, f"alignment group {n} 'translation'"),
                _indices(raw.get("original", []), where, f"alignment group {n} 'original'"),
            )
        )
    raw_t = data["translation"].get("paragraphs")
    raw_o = data["original"].get("paragraphs")
    if not isinstance(raw_t, list) or not isinstance(raw_o, list):
        raise PairError(
            where, "both sides of a gold pair need a 'paragraphs' list (indices refer to it)"
        )
    if len(raw_t) != len(translation.paragraphs) or len(raw_o) != len(original.paragraphs):
        raise PairError(
            where, "a gold pair's paragraphs must not be empty strings (indices refer to them)"
        )
    check_partition(groups, len(raw_t), len(raw_o), where)
    flags = []
    for n, raw in enumerate(data.get("flags") or []):
        kind = raw.get("kind") if isinstance(raw, dict) else None
        if kind not in FLAG_KINDS:
            raise PairError(where, f"flag {n}: kind {kind!r} is not one of {', '.join(FLAG_KINDS)}")
        t, o = raw.get("translation"), raw.get("original")
        if t is not None and not (isinstance(t, int) and 0 <= t < len(raw_t)):
            raise PairError(where, f"flag {n} ({kind}): translation index {t!r} is out of range")
        if o is not None and not (isinstance(o, int) and 0 <= o < len(raw_o)):
            raise PairError(where, f"flag {n} ({kind}): original index {o!r} is out of range")
        flags.append(GoldFlag(kind, t, o))
    distractors = [
        article_from_dict(d, f"{where}: distractor {n}")
        for n, d in enumerate(data.get("distractors") or [])
    ]
    pair_id = str(data.get("id") or Path(where).stem)
    return GoldPair(pair_id, translation, original, groups, flags, distractors, source=where)


def check_partition(
    groups: list[GoldGroup], n_translation: int, n_original: int, where: str
) -> None:
    """Raise PairError unless every index of both sides is in exactly one group."""
    for side, size in (("translation", n_translation), ("original", n_original)):
        seen: dict[int, int] = {}
        for g, group in enumerate(groups):
            for index in getattr(group, side):
                if not 0 <= index < size:
                    raise PairError(
                        where,
                        f"alignment group {g}: {side} index {index} is out of range (0-{size - 1})",
                    )
                if index in seen:
                    raise PairError(
                        where,
                        f"alignment is not a partition: {side} paragraph {index} is in groups {seen[index]} and {g}",
                    )
                seen[index] = g
        missing = sorted(set(range(size)) - set(seen))
        if missing:
            listed = ", ".join(map(str, missing[:5])) + ("…" if len(missing) > 5 else "")
            raise PairError(
                where, f"alignment is not a partition: {side} paragraph(s) {listed} in no group"
            )


def _decode(data: bytes, where: str) -> str:
    if not data.strip():
        raise InputError(where, "empty file")
    if b"\x00" in data[:8192]:
        raise InputError(where, "binary file (not text)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(where, f"not UTF-8 text (byte {err.start})") from None


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            where, f"invalid JSON at line {err.lineno}, column {err.colno}: {err.msg}"
        ) from None


def record_from_json(data: Any, where: str) -> Iterator[Record | InputError]:
    """An article, a gold pair, or a list of articles, by the shape of the object."""
    if isinstance(data, dict) and "translation" in data and "original" in data:
        yield pair_from_dict(data, where)
    elif isinstance(data, dict) and ("url" in data or "paragraphs" in data or "text" in data):
        yield article_from_dict(data, where)
    elif isinstance(data, list):
        for n, item in enumerate(data):
            try:
                yield article_from_dict(item, f"{where}: item {n}")
            except InputError as err:
                yield err
    else:
        raise InputError(
            where, "unknown format: JSON is neither an article (url, paragraphs) nor a gold pair"
        )


def read_file(path: Path, max_bytes: int) -> Iterator[Record | InputError]:
    """Every record in one file; a bad JSONL line yields its error and reading goes on."""
    where = str(path)
    suffix = path.suffix.lower()
    if suffix not in ARTICLE_SUFFIXES:
        raise InputError(
            where,
            f"unknown format {suffix or '(no extension)'!r} (expected {', '.join(ARTICLE_SUFFIXES)})",
        )
    size = path.stat().st_size
    if suffix == ".jsonl":
        yield from _read_jsonl(path, max_bytes)
        return
    if size > max_bytes:
        raise InputError(
            where,
            f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit (PROVENANCE_MAX_FILE_MB)",
        )
    data = path.read_bytes()
    if suffix in (".html", ".htm"):
        from provenance.extract import article_from_html

        if not data.strip():
            raise InputError(where, "empty file")
        if b"\x00" in data[:8192]:
            raise InputError(where, "binary file (not text)")
        yield article_from_html(data, where=where, fallback_url=path.resolve().as_uri())
        return
    text = _decode(data, where)
    if suffix == ".json":
        yield from record_from_json(_json(text, where), where)
    else:
        yield article_from_text(text, where=where, url=path.resolve().as_uri())


def _read_jsonl(path: Path, max_bytes: int) -> Iterator[Record | InputError]:
    where = str(path)
    any_line = False
    with path.open("rb") as handle:
        head = handle.read(8192)
        if b"\x00" in head:
            raise InputError(where, "binary file (not text)")
        handle.seek(0)
        for lineno, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            any_line = True
            at = f"{where}:{lineno}"
            if len(raw) > max_bytes:
                yield InputError(
                    at,
                    f"record is {len(raw) / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit",
                )
                continue
            try:
                line = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                yield InputError(at, "not UTF-8 text")
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as err:
                yield InputError(
                    at, f"invalid JSON at line {lineno}, column {err.colno}: {err.msg}"
                )
                continue
            try:
                yield from record_from_json(data, at)
            except InputError as err:
                yield err
    if not any_line:
        raise InputError(where, "empty file")


def article_from_text(text: str, *, where: str, url: str) -> ArticleInput:
    """A plain-text page as scraped: headline first (after any chrome), then paragraphs."""
    from provenance.text.normalize import normalize
    from provenance.text.rules import rules

    paragraphs = split_paragraphs(text)
    if not paragraphs:
        raise InputError(where, "empty file")
    outlet = guess_outlet(text)
    title = ""
    for paragraph in paragraphs[:5]:
        normalised = normalize(paragraph)
        if not any(rule.applies(normalised, len(paragraph), outlet) for rule in rules().paragraph):
            title = paragraph
            break
    return ArticleInput(url=url, paragraphs=paragraphs, outlet=outlet, title=title, source=where)


def iter_paths(paths: list[Path]) -> Iterator[Path]:
    """Files named, and files with a known suffix under directories (sorted, recursive)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and child.suffix.lower() in ARTICLE_SUFFIXES
                    and not child.name.startswith(".")
                ):
                    yield child
        else:
            yield path
