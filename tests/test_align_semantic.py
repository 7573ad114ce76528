"""The semantic signal spent only where it can change a decision, and anchors stored at ingest.

The default semantic path aligns each pair on anchors, length and position first and embeds
only what is left open; it must give the links the embed-everything path gives, for a fraction
of the paragraphs. Anchors are extracted once, at ingest; rows stored before that are
extracted when first aligned and saved back.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text as sql

from provenance.align import align_pairs
from provenance.embed import CachedEmbedder
from provenance.eval import learn_chrome, load_pairs, pair_paragraphs
from provenance.store import Store
from provenance.text.anchors import anchors_from_json, anchors_to_json, extract_anchors
from tests.conftest import CLI, FIXTURES, require_realdev, require_semantic

SEED = "https://syrianobserver.com/news/79101/hamas-confirms-resumption-of-relations-with-regime-syrian-disregard.html"
ORIGINAL = "https://www.enabbaladi.net/archives/604512"


def _links(groups: list) -> set[tuple[int, int]]:
    return {(i, j) for g in groups for i in g.translation for j in g.original}


@pytest.mark.parametrize("gold_set", ["pairs", "realdev"])
def test_default_path_embeds_a_fraction_and_links_as_embedding_everything(gold_set: str) -> None:
    model = require_semantic()
    pairs = load_pairs([FIXTURES / "pairs" if gold_set == "pairs" else require_realdev()])
    learnt = learn_chrome(pairs)
    sides = [pair_paragraphs(pair, learnt) for pair in pairs]
    selective, everything = CachedEmbedder(model), CachedEmbedder(model)
    ours = align_pairs(sides, embedder=selective, embed_all=False)
    full = align_pairs(sides, embedder=everything, embed_all=True)
    assert [_links(g) for g in ours] == [_links(g) for g in full]
    assert [[g.kind for g in groups] for groups in ours] == [
        [g.kind for g in groups] for groups in full
    ]
    assert 0 < selective.embedded < everything.embedded / 3


def test_ingest_stores_anchors_and_align_reads_them(cli: CLI) -> None:
    cli("ingest", str(FIXTURES / "pairs" / "01-hamas-syria-relations.json"))
    store = Store.open(cli.db_url)
    with store.engine.connect() as conn:
        rows = conn.execute(sql("SELECT text, lang, anchors FROM paragraph")).all()
    assert rows and all(anchors is not None for _text, lang, anchors in rows if lang)
    for text, lang, anchors in rows:
        if lang:
            assert anchors_from_json(anchors) == extract_anchors(text, lang)


def test_paragraphs_stored_without_anchors_get_them_when_aligned(cli: CLI) -> None:
    cli("ingest", str(FIXTURES / "pairs" / "01-hamas-syria-relations.json"))
    store = Store.open(cli.db_url)
    with store.engine.begin() as conn:
        conn.execute(sql("UPDATE paragraph SET anchors = NULL"))
    report = cli.json("align", SEED, "--original", ORIGINAL, "--no-semantic")
    assert report["aligned"][0]["coverage"] == 1.0
    query = sql(
        "SELECT count(*) FROM paragraph JOIN article"
        " ON article.current_revision_id = paragraph.revision_id"
        " WHERE paragraph.anchors IS NULL AND paragraph.lang IS NOT NULL AND article.url = :url"
    )
    with store.engine.connect() as conn:
        missing = [conn.execute(query, {"url": url}).scalar() for url in (SEED, ORIGINAL)]
        decoy = conn.execute(query, {"url": "https://www.enabbaladi.net/archives/603540"})
        assert decoy.scalar() > 0  # not aligned: left as stored
    assert missing == [0, 0]


def test_anchors_stored_under_other_lexicon_data_are_extracted_again() -> None:
    anchors = extract_anchors("Shelling killed 12 people in Idlib on 15 September.", "en")
    stored = anchors_to_json(anchors)
    assert anchors_from_json(stored) == anchors
    assert anchors_from_json(stored.replace('"v":"', '"v":"old')) is None
    assert anchors_from_json("not json") is None and anchors_from_json(None) is None
