"""Diffs between two revisions of an article (diff-match-patch), for the CLI and the review UI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from diff_match_patch import diff_match_patch

from provenance.errors import NotFoundError


@dataclass(frozen=True)
class Change:
    """One run of a diff: ``op`` is -1 (deleted), 0 (kept) or 1 (inserted)."""

    op: int
    text: str


def diff_texts(before: str, after: str) -> list[Change]:
    """A readable diff: word-level runs after diff-match-patch's semantic cleanup."""
    dmp = diff_match_patch()
    diffs = dmp.diff_main(before, after)
    dmp.diff_cleanupSemantic(diffs)
    return [Change(op, text) for op, text in diffs]


def revision_diff(
    store: Any, article: str | int, from_number: int | None = None, to_number: int | None = None
) -> tuple[int, int, list[Change]]:
    """Diff of an article between two revision numbers (default: the last two)."""
    found = store.find_article(article)
    texts = store.revision_texts(found.id)
    if not texts:
        raise NotFoundError(f"{article}: no revisions")
    to_number = to_number or len(texts)
    from_number = from_number or max(1, to_number - 1)
    for number in (from_number, to_number):
        if not 1 <= number <= len(texts):
            raise NotFoundError(f"{article}: no revision {number} (it has {len(texts)})")
    return from_number, to_number, diff_texts(texts[from_number - 1], texts[to_number - 1])
