"""The evaluation harness on the fixtures: FORMATS.md §3 shape, and floors below what we measure.

Floors are set honestly below the measured figures (README, "Alignment quality"), so that a
regression fails here; lowering one is a decision, not a fix.
"""

from __future__ import annotations

import json

import pytest

from provenance.eval import evaluate
from tests.conftest import CLI, FIXTURES, require_semantic

PAIRS = FIXTURES / "pairs"


@pytest.fixture(scope="module")
def anchors_only() -> dict:
    return evaluate([PAIRS], method="ours")


def test_result_has_the_public_shape(anchors_only: dict) -> None:
    assert set(anchors_only) == {
        "pairs",
        "alignment",
        "added",
        "dropped",
        "flags",
        "linking",
        "seconds",
    }
    assert anchors_only["pairs"] >= 8
    for section in ("alignment", "added", "dropped"):
        assert set(anchors_only[section]) == {"precision", "recall", "f1"}
    assert "disclaimer" in anchors_only["flags"] and "added" not in anchors_only["flags"]


def test_floors_without_the_semantic_backend(anchors_only: dict) -> None:
    assert anchors_only["alignment"]["f1"] >= 0.95
    assert anchors_only["added"]["f1"] >= 0.93
    assert anchors_only["dropped"]["f1"] >= 0.93
    numbers = anchors_only["flags"]["number_mismatch"]
    assert numbers["recall"] >= 0.85 and numbers["precision"] >= 0.8


def test_floors_with_the_semantic_backend() -> None:
    result = evaluate([PAIRS], method="ours", embedder=require_semantic())
    assert result["alignment"]["f1"] >= 0.97
    assert result["added"]["f1"] >= 0.93 and result["dropped"]["f1"] >= 0.93
    numbers = result["flags"]["number_mismatch"]
    assert numbers["recall"] >= 0.9 and numbers["precision"] >= 0.8


def test_gale_church_baseline_is_far_behind(anchors_only: dict) -> None:
    baseline = evaluate([PAIRS], method="gale-church")
    assert baseline["alignment"]["f1"] < anchors_only["alignment"]["f1"] - 0.3


def test_eval_command_json_and_table(cli: CLI) -> None:
    data = json.loads(cli("eval", str(PAIRS), "--json", "--no-semantic").stdout)
    assert data["alignment"]["f1"] >= 0.95
    table = cli("eval", str(PAIRS), "--no-semantic").stdout
    assert "gale-church" in table and "alignment" in table and "flag number_mismatch" in table


def test_unknown_method_is_one_line(cli: CLI) -> None:
    result = cli("eval", str(PAIRS), "--json", "--method", "magic", code=1)
    assert "unknown method 'magic'" in result.stderr
