"""A database with the fixtures ingested, linked and aligned, copied fresh for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from provenance.config import Settings
from provenance.store import Store
from tui.app import ProvenanceApp, make_app

SEED = "https://syrianobserver.com/news/79101/hamas-confirms-resumption-of-relations-with-regime-syrian-disregard.html"


@pytest.fixture
def store(linked_db_url: str) -> Iterator[Store]:
    opened = Store.open(linked_db_url)
    yield opened
    opened.close()


@pytest.fixture
def app_factory(linked_db_url: str):  # type: ignore[no-untyped-def]
    def build(story: str | None = None, bidi: str = "app") -> ProvenanceApp:
        return make_app(Settings(db=linked_db_url), reviewer="rania", bidi=bidi, story=story)

    return build
