"""The evaluation gate: every gold set scores at least its pinned floors (tests/eval_floors.json).

Fixtures are ours, the holdout was never tuned on, and the development set is real published
pages kept beside the project in ../shared/realdev (read from there, never copied in). The same
runner serves `provenance eval`, so the gate and the command cannot drift apart.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from provenance.eval import evaluate
from tests.conftest import FIXTURES, ROOT, require_realdev, require_semantic

FLOORS = json.loads((Path(__file__).parent / "eval_floors.json").read_text("utf-8"))["sets"]


def _path(name: str) -> Path:
    return require_realdev() if name == "realdev" else ROOT / name


@cache
def _scores(name: str, semantic: bool) -> dict[str, Any]:
    embedder = require_semantic() if semantic else None
    return evaluate([_path(name)], embedder=embedder, linking=not semantic)


def _value(scores: dict[str, Any], measure: str) -> float:
    """A dotted path into the evaluation object; a flag kind neither predicted nor in the gold
    scores 1.0 (nothing to get wrong)."""
    node: Any = scores
    for part in measure.split("."):
        if node is None or part not in node:
            return 1.0
        node = node[part]
    return float(node)


@pytest.mark.parametrize(
    ("name", "backend"),
    [(name, backend) for name, backends in FLOORS.items() for backend in backends],
)
def test_scores_stay_above_their_floors(name: str, backend: str) -> None:
    scores = _scores(name, backend == "semantic")
    below = {
        measure: (round(_value(scores, measure), 4), floor)
        for measure, floor in FLOORS[name][backend].items()
        if _value(scores, measure) < floor
    }
    assert not below, f"{name} ({backend}): measure: (score, floor) {below}"


def test_every_gold_set_has_floors() -> None:
    assert set(FLOORS) == {"fixtures/pairs", "fixtures/holdout", "realdev"}
    assert (FIXTURES / "holdout").is_dir()
