"""The evaluation harness on the fixtures: the shape of docs/formats.md §3, details, the baseline.

The floors of every gold set live in tests/eval_floors.json, checked by test_eval_gate.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.eval import evaluate
from tests.conftest import CLI, FIXTURES

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


def test_gale_church_baseline_is_far_behind(anchors_only: dict) -> None:
    baseline = evaluate([PAIRS], method="gale-church")
    assert baseline["alignment"]["f1"] < anchors_only["alignment"]["f1"] - 0.3


def test_eval_command_json_and_table(cli: CLI) -> None:
    data = json.loads(cli("eval", str(PAIRS), "--json", "--no-semantic").stdout)
    assert data["alignment"]["f1"] >= 0.95
    table = cli("eval", str(PAIRS), "--no-semantic").stdout
    assert "gale-church" in table and "alignment" in table and "flag number_mismatch" in table


def test_unknown_method_is_one_line(cli: CLI) -> None:
    for fmt in ("--json", "--format=csv", "--format=table"):
        result = cli("eval", str(PAIRS), fmt, "--method", "magic", code=2)
        assert "magic" in result.stderr and "gale-church" in result.stderr


def test_details_point_at_the_wrong_groups_and_flags(tmp_path: Path, cli: CLI) -> None:
    pair = json.loads((PAIRS / "01-hamas-syria-relations.json").read_text("utf-8"))
    # gold labels the aligner cannot agree with: two linked groups swapped, a flag invented
    first, second = [g for g in pair["alignment"] if g["translation"] and g["original"]][:2]
    first["original"], second["original"] = second["original"], first["original"]
    pair["flags"].append(
        {"kind": "number_mismatch", "translation": first["translation"][0], "original": 0}
    )
    (tmp_path / "pair.json").write_text(json.dumps(pair), "utf-8")
    details: list[dict] = []
    evaluate([tmp_path], details=details, linking=False)
    (only,) = details
    wrong = {tuple(map(tuple, w["predicted"])) for w in only["wrong_groups"]}
    assert (tuple(first["translation"]), tuple(second["original"])) in wrong
    assert all(w["gold"] for w in only["wrong_groups"])
    missed = {"error": "missed", "kind": "number_mismatch", "original": 0}
    assert {**missed, "translation": first["translation"][0]} in only["flag_errors"]
    table = cli("eval", str(tmp_path), "--no-semantic", "--details").stdout
    assert "errors by pair" in table and "missed number_mismatch" in table
    data = json.loads(cli("eval", str(tmp_path), "--no-semantic", "--details", "--json").stdout)
    assert data["details"][0]["wrong_groups"] == only["wrong_groups"]
