"""Counts in words, shared by the CLI and the review UI: "1 story", "2 stories"."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """``count`` and ``word``, the word in the plural unless the count is one."""
    if count == 1:
        return f"1 {word}"
    return (
        f"{count} {word[:-1] + 'ies' if word.endswith('y') and word[-2:] != 'ey' else word + 's'}"
    )
