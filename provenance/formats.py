"""Readers for the public file formats of docs/formats.md: articles (§1) and gold pairs (§2).

Readers turn bytes into plain data (``ArticleInput``, ``GoldPair``) or an ``InputError``
that names the file, the line and the field; they never touch the database.
"""

from __future__ import annotations

import codecs
import errno
import json
import os
import re
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.article import ArticleInput as ArticleInput
from provenance.article import clean_text as clean_text
from provenance.article import parse_published as parse_published
from provenance.article import shown as shown
from provenance.errors import InputError, PairError
from provenance.text.segment import guess_outlet, split_paragraphs
from provenance.urls import url_problem
from provenance.vocab import ALIGNMENT_FLAGS

ARTICLE_SUFFIXES = (".json", ".jsonl", ".txt", ".html", ".htm")
FLAG_KINDS: tuple[str, ...] = tuple(str(kind) for kind in ALIGNMENT_FLAGS)


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

MAX_JSON_DEPTH = 32
"""Deepest JSON nesting read: a gold pair needs 4 levels; 5,000 would exhaust the stack."""
_LANG_CODE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def where_of(path: Path) -> str:
    """A path as messages name it: bytes that are not UTF-8 in a file name shown as escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def article_from_dict(data: Any, where: str) -> ArticleInput:
    """An article from its JSON object (docs/formats.md §1); unknown fields are ignored."""
    if not isinstance(data, dict):
        raise InputError(where, "an article must be a JSON object")
    url = data.get("url")
    if not isinstance(url, str) or not url.strip():
        raise InputError(where, "article has no 'url'")
    if not url.strip().startswith(("file:", "urn:")) and (problem := url_problem(url.strip())):
        raise InputError(where, f"field 'url' {shown(url.strip(), 80)}: {problem}")
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
    if data.get("lang") and not _LANG_CODE.fullmatch(data["lang"]):
        raise InputError(
            where, f"field 'lang' {shown(data['lang'])} is not a language code (ar, en, ...)"
        )
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
    """A gold pair (docs/formats.md §2), checked: indices in range, alignment a partition."""
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
    for n, raw in enumerate(_list_field(data, "flags", where)):
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
        for n, d in enumerate(_list_field(data, "distractors", where))
    ]
    pair_id = str(data.get("id") or Path(where).stem)
    return GoldPair(pair_id, translation, original, groups, flags, distractors, source=where)


def _list_field(data: dict[str, Any], key: str, where: str) -> list[Any]:
    """An optional list field of a gold pair; any other type is an error, not a list of
    its characters or keys."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise PairError(where, f"'{key}' must be a list, not {type(value).__name__}")
    return value


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


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark at the start of ``data`` declares (UTF-8, -16, -32)."""
    return next((name for bom, name in _BOMS if data.startswith(bom)), None)


def _text_bytes(data: bytes, where: str) -> bytes:
    """``data`` unless it is empty or, having no byte-order mark, holds NUL bytes (binary)."""
    if not data.strip():
        raise InputError(where, "empty file")
    if bom_encoding(data) is None and b"\x00" in data[:8192]:
        raise InputError(where, "binary file (not text)")
    return data


def _decode(data: bytes, where: str) -> str:
    """Text of a file: UTF-8, or the UTF-16/32 its byte-order mark declares (Windows tools
    write those); NUL bytes without a BOM mean a binary file."""
    encoding = bom_encoding(_text_bytes(data, where))
    try:
        text = data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as err:
        name = (encoding or "utf-8").removesuffix("-sig").upper()
        raise InputError(where, f"not {name} text (byte {err.start})") from None
    if not text.strip():
        raise InputError(where, "empty file")
    return text


def _json(text: str, where: str, lineno: int | None = None) -> Any:
    """Parsed JSON, or an InputError for broken syntax, a number too long to convert or
    nesting deeper than MAX_JSON_DEPTH (both would otherwise escape as Python errors)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        line = err.lineno if lineno is None else lineno
        raise InputError(
            where, f"invalid JSON at line {line}, column {err.colno}: {err.msg}"
        ) from None
    except RecursionError:
        raise InputError(where, f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError:  # int() of more than sys.get_int_max_str_digits() digits
        raise InputError(
            where, f"a number in the JSON has over {sys.get_int_max_str_digits():,} digits"
        ) from None
    if _depth_over(data, MAX_JSON_DEPTH):
        raise InputError(where, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return data


def _depth_over(data: Any, limit: int) -> bool:
    """Whether lists and objects nest deeper than ``limit`` (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (list, dict)):
            if depth > limit:
                return True
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items if isinstance(item, (list, dict)))
    return False


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
    """Every record in one file; a bad JSONL line yields its error and reading goes on.
    Anything but a regular file (a FIFO would block the batch for ever) is refused."""
    where = where_of(path)
    problem = path_problem(path)
    if problem:
        raise InputError(where, problem)
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

        # with a byte-order mark decoded here; else the page's own charset is read
        page = _decode(data, where) if bom_encoding(data) else _text_bytes(data, where)
        yield article_from_html(page, where=where, fallback_url=path.resolve().as_uri())
        return
    text = _decode(data, where)
    if suffix == ".json":
        yield from record_from_json(_json(text, where), where)
    else:
        yield article_from_text(text, where=where, url=path.resolve().as_uri())


def _read_jsonl(path: Path, max_bytes: int) -> Iterator[Record | InputError]:
    where = where_of(path)
    any_line = False
    for lineno, raw in _jsonl_lines(path, max_bytes):
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
            yield from record_from_json(_json(line, at, lineno), at)
        except InputError as err:
            yield err
    if not any_line:
        raise InputError(where, "empty file")


def _jsonl_lines(path: Path, max_bytes: int) -> Iterator[tuple[int, bytes]]:
    """Numbered lines of a JSONL file as UTF-8 bytes, streamed; a UTF-16/32 file (byte-order
    mark) is decoded whole first, within the size limit."""
    where = where_of(path)
    with path.open("rb") as handle:
        head = handle.read(8192)
        if bom_encoding(head) not in (None, "utf-8-sig"):
            if path.stat().st_size > max_bytes:
                raise InputError(where, f"file is over the {max_bytes / 1e6:.0f} MB limit")
            text = _decode(head + handle.read(), where)
            for lineno, line in enumerate(text.splitlines(), start=1):
                yield lineno, line.encode("utf-8", "surrogatepass")
            return
        if b"\x00" in head:
            raise InputError(where, "binary file (not text)")
        handle.seek(0)
        yield from enumerate(handle, start=1)


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
    """Files named, and files with a known suffix under directories (sorted, recursive).

    What a folder holds that cannot be read as a file is yielded too, so that reading it
    reports why instead of skipping it without a word: a FIFO, socket or device, a broken
    link, a link loop, a folder that cannot be listed. Hidden entries are skipped."""
    for path in paths:
        if path.is_dir():
            yield from _walk(path, frozenset())
        else:
            yield path


def _walk(folder: Path, above: frozenset[tuple[int, int]]) -> Iterator[Path]:
    try:
        info = folder.stat()
        with os.scandir(folder) as listing:
            entries = sorted(entry.name for entry in listing)
    except OSError:
        yield folder  # read_file names the cause
        return
    key = (info.st_dev, info.st_ino)
    if key in above:
        yield folder  # a link back to a folder above: read_file calls it a loop
        return
    for name in entries:
        if name.startswith("."):
            continue
        child = folder / name
        try:
            mode = child.stat().st_mode
        except OSError:
            yield child  # a broken link or a link loop
            continue
        if stat.S_ISDIR(mode):
            yield from _walk(child, above | {key})
        elif not stat.S_ISREG(mode) or child.suffix.lower() in ARTICLE_SUFFIXES:
            yield child


_SPECIAL = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def path_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as an article file (None when it can): missing, a broken
    link or a link loop, a folder that cannot be listed or that loops, or not a regular file.
    Never opens the path, so a FIFO cannot block."""
    try:
        mode = path.stat().st_mode
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "symbolic link loop"
        if path.is_symlink():
            return f"broken symbolic link (to {where_of(Path(os.readlink(path)))})"
        if isinstance(err, FileNotFoundError):
            return "no such file"
        return f"cannot read ({err.strerror or err})"
    if stat.S_ISDIR(mode):
        try:
            with os.scandir(path):
                pass
        except OSError as err:
            return f"cannot read folder ({err.strerror or err})"
        return "symbolic link loop (it leads back to a folder above it)"
    if not stat.S_ISREG(mode):
        kind = _SPECIAL.get(stat.S_IFMT(mode), "not a regular file")
        return f"not a regular file: {kind}; not read"
    return None
