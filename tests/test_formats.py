"""The public file formats: every fixture pair is valid, and bad pairs are refused clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.errors import InputError, PairError
from provenance.formats import GoldPair, pair_from_dict, parse_published, read_file
from tests.conftest import FIXTURES, PAIRS

ALL_PAIRS = PAIRS + sorted((FIXTURES / "holdout").glob("*.json"))


def test_there_are_enough_pairs() -> None:
    assert len(PAIRS) >= 8


@pytest.mark.parametrize("path", ALL_PAIRS, ids=lambda p: p.name)
def test_every_pair_file_is_valid(path: Path) -> None:
    records = list(read_file(path, 10_000_000))
    assert len(records) == 1 and isinstance(records[0], GoldPair)
    pair = records[0]
    for flag in pair.flags:  # a flag with both sides names paragraphs of one group
        if flag.translation is not None and flag.original is not None:
            assert any(
                flag.translation in g.translation and flag.original in g.original
                for g in pair.alignment
            ), (path.name, flag)
    assert len(pair.distractors) == 3
    assert pair.translation.lang == "en" and pair.original.lang == "ar"


def test_fixture_urls_are_unique_across_pairs() -> None:
    urls: list[str] = []
    for path in ALL_PAIRS:
        pair = next(iter(read_file(path, 10_000_000)))
        assert isinstance(pair, GoldPair)
        urls += [a.url for a in pair.articles()]
    assert len(urls) == len(set(urls))


def test_fixtures_cover_every_kind_of_group_and_flag() -> None:
    shapes: set[str] = set()
    kinds: set[str] = set()
    for path in PAIRS:
        pair = next(iter(read_file(path, 10_000_000)))
        assert isinstance(pair, GoldPair)
        for g in pair.alignment:
            shapes.add(f"{len(g.translation)}-{len(g.original)}")
        kinds |= {f.kind for f in pair.flags}
    assert {"1-1", "1-2", "2-1", "1-0", "0-1"} <= shapes
    assert {"moved", "number_mismatch", "date_mismatch", "name_mismatch", "condensed"} <= kinds


def _pair(alignment: list[dict[str, list[int]]]) -> dict[str, object]:
    side = {"url": "https://example.com/a", "paragraphs": ["one", "two"], "lang": "en"}
    return {
        "id": "x",
        "translation": side,
        "original": {**side, "url": "https://example.com/b"},
        "alignment": alignment,
    }


def test_pair_that_misses_a_paragraph_is_refused() -> None:
    with pytest.raises(PairError, match=r"not a partition: original paragraph\(s\) 1 in no group"):
        pair_from_dict(_pair([{"translation": [0, 1], "original": [0]}]), "p.json")


def test_pair_that_uses_a_paragraph_twice_is_refused() -> None:
    with pytest.raises(PairError, match="translation paragraph 0 is in groups 0 and 1"):
        pair_from_dict(
            _pair(
                [{"translation": [0], "original": [0]}, {"translation": [0, 1], "original": [1]}]
            ),
            "p.json",
        )


def test_pair_index_out_of_range_is_refused() -> None:
    with pytest.raises(PairError, match="index 5 is out of range"):
        pair_from_dict(_pair([{"translation": [0, 1, 5], "original": [0, 1]}]), "p.json")


def test_published_accepts_dates_and_zones() -> None:
    assert parse_published("2022-09-15", "x").isoformat() == "2022-09-15T00:00:00+00:00"
    assert parse_published("2022-09-15T10:30:00+03:00", "x").utcoffset().total_seconds() == 3 * 3600
    assert parse_published("2022-09-15T10:30:00Z", "x").tzinfo is not None
    with pytest.raises(InputError, match="'published' is not an ISO date"):
        parse_published("15/09/2022", "x")


def test_article_with_text_instead_of_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(
        json.dumps({"url": "https://example.com/x", "text": "First para.\n\nSecond para."})
    )
    (article,) = read_file(path, 10_000_000)
    assert article.paragraphs == ["First para.", "Second para."]
