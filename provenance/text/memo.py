"""A table of words (or word forms) to what is worked out from them, filled on first use.

Anchor extraction looks up every word of a paragraph several times, and words recur across
paragraphs. ``Memo`` is a dict that computes a missing entry itself, so that
``map(memo.__getitem__, words)`` looks up a whole paragraph without a Python-level loop:
only the words never seen before call back into Python.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(dict[K, V], Generic[K, V]):
    """``compute(key)``, kept per key; the table starts again when it holds ``limit`` keys."""

    def __init__(self, compute: Callable[[K], V], limit: int = 262144) -> None:
        super().__init__()
        self.compute = compute
        self.limit = limit

    def __missing__(self, key: K) -> V:
        value = self.compute(key)
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value
