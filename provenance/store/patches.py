"""Revision patches: a line-first diff-match-patch patch from one text to the next, and its
application (to check a revision chain and rebuild old texts)."""

from __future__ import annotations

import time

from diff_match_patch import diff_match_patch

_DMP = diff_match_patch()


_PATCH_SECONDS = 0.05
"""Budget for all the character diffs of one patch: past it, changed lines are stored whole."""
_SIMILAR_LINES = 0.5
"""Share of their words two changed lines must have in common to be diffed by character."""
_REFINE_CHARS = 20_000
"""Longest changed text diffed by character: the library's cleanups are quadratic beyond."""


def _similar(before: str, after: str) -> bool:
    """Whether a character diff of two changed lines is worth it: a rewritten paragraph shares
    few words and costs diff-match-patch milliseconds for a diff no smaller than both lines."""
    if len(before) + len(after) > _REFINE_CHARS:
        return False
    words_before, words_after = set(before.split()), set(after.split())
    union = len(words_before | words_after)
    return union == 0 or len(words_before & words_after) >= _SIMILAR_LINES * union


def _refine(deleted: list[str], inserted: list[str], deadline: float) -> list[tuple[int, str]]:
    """Character diffs of one block of changed lines: line by line when as many lines came
    as went (paragraphs edited in place), else the block as a whole. A run of dissimilar
    lines becomes one replacement; a similar pair gets patch_make's own cleanups (whole
    words, fewer hunks), done per pair since they are quadratic over a whole page."""
    pairs = (
        list(zip(deleted, inserted, strict=True))
        if len(deleted) == len(inserted)
        else [("".join(deleted), "".join(inserted))]
    )
    diffs: list[tuple[int, str]] = []
    whole: list[tuple[str, str]] = []
    for gone, came in [*pairs, ("", "")]:
        if not _similar(gone, came):
            whole.append((gone, came))
            continue
        diffs.append((_DMP.DIFF_DELETE, "".join(g for g, _c in whole)))
        diffs.append((_DMP.DIFF_INSERT, "".join(c for _g, c in whole)))
        whole = []
        refined = _DMP.diff_main(gone, came, False, deadline)
        if len(refined) > 2:
            _DMP.diff_cleanupSemantic(refined)
            _DMP.diff_cleanupEfficiency(refined)
        diffs.extend(refined)
    return diffs


def _merged(diffs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Neighbouring diffs of one kind joined and empty ones dropped, in one linear pass (the
    library's diff_cleanupMerge re-joins growing strings: quadratic on a long page)."""
    runs: list[tuple[int, list[str]]] = []
    for op, text in diffs:
        if not text:
            continue
        if runs and runs[-1][0] == op:
            runs[-1][1].append(text)
        else:
            runs.append((op, [text]))
    return [(op, "".join(texts)) for op, texts in runs]


def _line_diffs(before: str, after: str) -> list[tuple[int, str]]:
    """Diff by line (a paragraph) first, as diff-match-patch's line mode does, then by character
    only inside similar changed lines, all within ``_PATCH_SECONDS``: the library's own
    character pass over a rewritten page runs into its one-second timeout."""
    deadline = time.time() + _PATCH_SECONDS
    chars_before, chars_after, lines = _DMP.diff_linesToChars(before, after)
    diffs: list[tuple[int, str]] = []
    deleted: list[str] = []
    inserted: list[str] = []
    for op, chars in [*_DMP.diff_main(chars_before, chars_after, False, deadline), (0, "")]:
        texts = [lines[ord(char)] for char in chars]
        if op == _DMP.DIFF_DELETE:
            deleted += texts
        elif op == _DMP.DIFF_INSERT:
            inserted += texts
        else:
            diffs.extend(_refine(deleted, inserted, deadline))
            deleted, inserted = [], []
            diffs.append((op, "".join(texts)))
    return _merged(diffs)


def _patch(before: str, after: str) -> str:
    """diff-match-patch patch text taking ``before`` to ``after``, from a line-first diff so a
    rewritten page costs milliseconds. The text format is the library's, as it always was."""
    return _DMP.patch_toText(_DMP.patch_make(before, _line_diffs(before, after)))


def apply_patch(before: str, patch: str) -> str:
    """Apply a stored patch; used to check a revision chain and to rebuild old texts. Patches
    made by character (before line-first diffs) and by line share one format: both apply."""
    result, _ok = _DMP.patch_apply(_DMP.patch_fromText(patch), before)
    return str(result)
