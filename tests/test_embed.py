"""The semantic backend: cached by text hash in memory and in the database."""

from __future__ import annotations

import numpy as np

from provenance.embed import CachedEmbedder, group_vector, text_key
from provenance.store import Store
from tests.conftest import require_semantic


class CountingEmbedder:
    """A stand-in for the model in cache tests (the real one is tested below)."""

    name = "counting"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.stack([np.full(4, len(t), dtype=np.float32) / (2 * len(t)) for t in texts])


def test_each_text_is_embedded_once() -> None:
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner)
    cached.embed(["a", "bb", "a"])
    cached.embed(["bb", "ccc"])
    assert inner.calls == [["a", "bb"], ["ccc"]]
    assert cached.embedded == 3


def test_vectors_persist_in_the_database(store: Store) -> None:
    inner = CountingEmbedder()
    first = CachedEmbedder(
        inner,
        load=lambda k: store.load_embeddings(k, "counting"),
        save=lambda v: store.save_embeddings(v, "counting"),
    )
    expected = first.embed(["alpha", "beta"])
    second_inner = CountingEmbedder()
    second = CachedEmbedder(
        second_inner,
        load=lambda k: store.load_embeddings(k, "counting"),
        save=lambda v: store.save_embeddings(v, "counting"),
    )
    assert np.allclose(second.embed(["alpha", "beta"]), expected)
    assert second_inner.calls == []
    assert set(store.load_embeddings([text_key("alpha")], "counting")) == {text_key("alpha")}


def test_group_vector_is_normalised() -> None:
    v = group_vector([np.array([1.0, 0.0]), np.array([0.0, 1.0])])
    assert np.isclose(np.linalg.norm(v), 1.0)


def test_real_model_separates_a_translation_from_an_unrelated_paragraph() -> None:
    embedder = require_semantic()
    vectors = embedder.embed(
        [
            "Twelve civilians were killed in Russian airstrikes on Ariha on Tuesday.",
            "قتل 12 مدنيًا، الثلاثاء، جراء غارات جوية روسية على مدينة أريحا.",
            "ارتفع سعر ربطة الخبز إلى 3000 ليرة سورية في حلب.",
        ]
    )
    assert vectors.shape == (3, 384)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])
