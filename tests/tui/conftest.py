"""A database with the fixtures ingested, linked and aligned, copied fresh for each test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from provenance.align import align_links
from provenance.config import Settings
from provenance.ingest import ingest_paths
from provenance.link import link_translations
from provenance.store import Store
from tests.conftest import FIXTURES
from tui.app import ProvenanceApp, make_app

SEED = "https://syrianobserver.com/news/79101/hamas-confirms-resumption-of-relations-with-regime-syrian-disregard.html"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "fixtures.db"
    store = Store.open(f"sqlite:///{path}")
    ingest_paths(store, [FIXTURES / "pairs"])
    link_translations(store, everything=True)
    align_links(store, everything=True)
    store.close()
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "review.db"
    shutil.copy(template_db, path)
    return path


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{db_path}")
    yield opened
    opened.close()


@pytest.fixture
def app_factory(db_path: Path):  # type: ignore[no-untyped-def]
    def build(story: str | None = None, bidi: str = "app") -> ProvenanceApp:
        return make_app(
            Settings(db=f"sqlite:///{db_path}"), reviewer="rania", bidi=bidi, story=story
        )

    return build
