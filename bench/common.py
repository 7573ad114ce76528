"""Helpers shared by the benchmarks: fixture text to recombine, peak memory, JSON output."""

from __future__ import annotations

import json
import random
import re
import resource
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance.formats import GoldPair, read_file  # noqa: E402


def fixture_pairs(folder: str = "pairs") -> list[GoldPair]:
    pairs = []
    for path in sorted((ROOT / "fixtures" / folder).glob("*.json")):
        for record in read_file(path, 50_000_000):
            if isinstance(record, GoldPair):
                pairs.append(record)
    return pairs


def paragraph_pool() -> dict[str, list[str]]:
    """Every fixture paragraph by language: the material synthetic corpora are built from."""
    pool: dict[str, list[str]] = {"ar": [], "en": []}
    for pair in fixture_pairs() + fixture_pairs("holdout"):
        for article in pair.articles():
            pool[article.lang or "ar"].extend(article.paragraphs)
    return pool


def retag(text: str, seed: int) -> str:
    """The text made new for every cache: each figure shifted by ``seed``, and a tag naming
    the seed in letters ("(xqcb)" for 21), which no anchor reads; a tag in digits would be a
    figure shared by every paragraph of a pair, an anchor no real pair has."""
    shifted = re.sub(r"\d+", lambda m: str(int(m.group()) + seed % 7 + 1), text)
    return f"{shifted} (xq{''.join('abcdefghij'[int(d)] for d in str(seed))})"


def peak_rss_mb() -> float:
    """Peak resident memory of this process."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_children_rss_mb() -> float:
    """Peak resident memory of the largest child process (the index build's workers)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def emit(result: dict[str, Any]) -> None:
    print(json.dumps(result, ensure_ascii=False))


def rng(seed: int = 7) -> random.Random:
    return random.Random(seed)
