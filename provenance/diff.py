"""Diffs between two revisions of an article (diff-match-patch), for the CLI and the review UI.

The diff is made on words, not characters: a character diff of "حلب" and "إدلب" keeps their
shared "لب" and shows two half-words, which no reader can check. Each word (letters, digits and
Arabic marks, with inner separators as in "3,500" or "don't"), each run of spaces and each other
character is mapped to one character, as diff-match-patch's line mode maps lines, so the diff
and its semantic cleanup replace words whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from diff_match_patch import diff_match_patch

from provenance.errors import NotFoundError

if TYPE_CHECKING:
    from provenance.ports import DiffingStore

_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
"""Arabic vowel marks and Quranic signs: part of the word they sit on, though not ``\\w``."""
_LETTERS = rf"[\w{_MARKS}]+"
_TOKEN = re.compile(rf"{_LETTERS}(?:[.,٫٬'’]{_LETTERS})*|\s+|.", re.DOTALL)


@dataclass(frozen=True)
class Change:
    """One run of a diff: ``op`` is -1 (deleted), 0 (kept) or 1 (inserted)."""

    op: int
    text: str


def tokens(text: str) -> list[str]:
    """The words, space runs and other characters of ``text``; joined, they give it back."""
    return _TOKEN.findall(text)


def _encode(text: str, table: list[str], index: dict[str, int]) -> str:
    """``text`` as one character per token, growing the shared token ``table`` (ValueError
    past the last code point, a million distinct tokens)."""
    chars: list[str] = []
    for token in tokens(text):
        if token not in index:
            index[token] = len(table)
            table.append(token)
        chars.append(chr(index[token]))
    return "".join(chars)


def diff_texts(before: str, after: str) -> list[Change]:
    """A readable diff: whole words deleted and inserted, after diff-match-patch's semantic
    cleanup (which merges a scatter of small edits into one replaced phrase)."""
    dmp = diff_match_patch()
    table = [""]  # chr(0) stays unused, as in diff-match-patch's line mode
    index: dict[str, int] = {}
    try:
        diffs = dmp.diff_main(_encode(before, table, index), _encode(after, table, index), False)
    except ValueError:  # too many distinct words to map: a character diff
        diffs = dmp.diff_main(before, after)
        table = []
    dmp.diff_cleanupSemantic(diffs)
    if table:
        dmp.diff_charsToLines(diffs, table)
    return [Change(op, text) for op, text in diffs if text]


def word_diff(changes: list[Change]) -> str:
    """The diff as plain text, as ``git diff --word-diff`` writes it: ``[-old-]{+new+}``.
    Readable piped, in a file, or on a terminal without colours."""
    marks = {-1: ("[-", "-]"), 1: ("{+", "+}")}
    return "".join(
        f"{marks[c.op][0]}{c.text}{marks[c.op][1]}" if c.op in marks else c.text for c in changes
    )


def revision_diff(
    store: DiffingStore,
    article: str | int,
    from_number: int | None = None,
    to_number: int | None = None,
) -> tuple[int, int, list[Change]]:
    """Diff of an article between two revision numbers (default: the last two)."""
    found = store.find_article(article)
    assert found.id is not None  # a stored article has its id
    texts = store.revision_texts(found.id)
    if not texts:
        raise NotFoundError(f"{article}: no revisions")
    to_number = to_number or len(texts)
    from_number = from_number or max(1, to_number - 1)
    for number in (from_number, to_number):
        if not 1 <= number <= len(texts):
            raise NotFoundError(f"{article}: no revision {number} (it has {len(texts)})")
    return from_number, to_number, diff_texts(texts[from_number - 1], texts[to_number - 1])
