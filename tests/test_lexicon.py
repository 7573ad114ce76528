"""The lexicon is data reviewed like code: big enough, no duplicates, no empty fields."""

from __future__ import annotations

import csv
from collections import Counter

from provenance.lexicon import HEADER, lexicon
from provenance.text.tokens import dictionary_key
from tests.conftest import ROOT

FILES = sorted((ROOT / "provenance" / "data" / "lexicon").glob("*.tsv"))


def _rows() -> list[tuple[str, list[str]]]:
    rows = []
    for path in FILES:
        lines = [
            line
            for line in path.read_text("utf-8").splitlines()
            if line and not line.startswith("#")
        ]
        reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        assert next(reader) == HEADER, path.name
        rows += [(path.name, row) for row in reader]
    return rows


def test_at_least_1500_entries() -> None:
    assert len(lexicon().entries) >= 1500


def test_no_empty_fields_and_four_columns() -> None:
    for name, row in _rows():
        assert len(row) == 4 and all(field.strip() for field in row), (name, row)
        assert all(v.strip() for v in row[2].split("|")) and all(
            v.strip() for v in row[3].split("|")
        ), row


def test_no_duplicate_ids() -> None:
    ids = Counter(row[0] for _, row in _rows())
    assert [i for i, n in ids.items() if n > 1] == []


def test_no_spelling_belongs_to_two_entries() -> None:
    for column, lang in ((2, "en"), (3, "ar")):
        owners: dict[tuple[str, ...], set[str]] = {}
        for _, row in _rows():
            for variant in row[column].split("|"):
                owners.setdefault(dictionary_key(variant), set()).add(row[0])
        clashes = {key: ids for key, ids in owners.items() if len(ids) > 1}
        assert clashes == {}, (lang, list(clashes.items())[:5])


def test_fields_of_the_field_are_covered() -> None:
    categories = Counter(entry.category for entry in lexicon().entries.values())
    for category in ("governorate", "city", "town", "camp", "crossing", "country", "capital", "armed_group",
                     "agency", "office", "ministry", "currency", "unit", "noun", "verb"):  # fmt: skip
        assert categories[category] > 0, category
    sdf = lexicon().entries["org.sdf"]
    assert "SDF" in sdf.en and "قسد" in sdf.ar
