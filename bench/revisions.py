"""Re-ingest 1,000 articles whose text was rewritten; print revisions/s, ours beside the old
character-level patch on the same texts.

Articles are built from fixture paragraphs (6 to 14 each, two thirds Arabic) and ingested once
into a fresh SQLite file. Every article is then ingested again with all its paragraphs
replaced by others (rewritten: each revision's patch is between texts sharing no paragraph),
then once more with one word changed in every paragraph (edited: the common case). Each
re-ingest is timed end to end, through the real ingest path. The baseline, diff-match-patch's
own character-level ``patch_make`` as revisions were stored before (one-second timeout), is
timed on a sample of the same pairs of stored texts, since at about a second a rewritten
page the whole run would take a quarter of an hour; ``baseline_reingest_s`` projects it to
every article: our re-ingest time with our patches swapped for the baseline's.
Target (issue 14): at least 200 revisions/s when every text was rewritten.
Usage: python bench/revisions.py [--articles N] [--sample N]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import emit, paragraph_pool, peak_rss_mb, rng
from diff_match_patch import diff_match_patch

from provenance.ingest import ingest_paths
from provenance.store import Store, _patch, apply_patch


def old_patch(before: str, after: str) -> str:
    """A revision's patch as it was made before: character level, the library's defaults."""
    dmp = diff_match_patch()
    return dmp.patch_toText(dmp.patch_make(before, after))


def write_articles(path: Path, articles: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for article in articles:
            handle.write(json.dumps(article, ensure_ascii=False) + "\n")


def originals(
    count: int, pool: dict[str, list[str]], random: random.Random
) -> list[dict[str, Any]]:
    articles = []
    for n in range(count):
        lang = "ar" if n % 3 else "en"
        host = "www.enabbaladi.net/archives" if lang == "ar" else "syrianobserver.com/news"
        articles.append(
            {
                "url": f"https://{host}/{200000 + n}",
                "lang": lang,
                "published": f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00+03:00",
                "title": random.choice(pool[lang])[:90],
                "paragraphs": random.sample(pool[lang], random.randint(6, 14)),
            }
        )
    return articles


def rewritten(
    article: dict[str, Any], pool: dict[str, list[str]], random: random.Random
) -> dict[str, Any]:
    """The same story with every paragraph replaced by one it did not have."""
    kept = set(article["paragraphs"])
    others = [p for p in pool[article["lang"]] if p not in kept]
    return dict(article, paragraphs=random.sample(others, random.randint(6, 14)))


def edited(article: dict[str, Any], random: random.Random) -> dict[str, Any]:
    """The same story with one word of every paragraph changed."""
    paragraphs = []
    for paragraph in article["paragraphs"]:
        words = paragraph.split(" ")
        at = random.randrange(len(words))
        words[at] = words[at][::-1] + "ة"
        paragraphs.append(" ".join(words))
    return dict(article, paragraphs=paragraphs)


def reingest(store: Store, path: Path, articles: list[dict[str, Any]]) -> tuple[float, list[int]]:
    """Seconds to ingest the new versions, and the article ids they revised."""
    write_articles(path, articles)
    start = time.perf_counter()
    report = ingest_paths(store, [path], max_file_mb=50)
    seconds = time.perf_counter() - start
    assert report.ok, report.errors[:3]
    assert report.outcomes["revised"] == len(articles), report.outcomes
    return seconds, [outcome.article_id for outcome in report.articles]


def patch_seconds(make: Callable[[str, str], str], pairs: list[tuple[str, str]]) -> float:
    """Mean seconds of one patch over ``pairs``, each checked to take its text to the next."""
    start = time.perf_counter()
    patches = [make(before, after) for before, after in pairs]
    seconds = time.perf_counter() - start
    assert all(apply_patch(b, p) == a for (b, a), p in zip(pairs, patches, strict=True))
    return seconds / len(pairs)


def scenario(
    store: Store, path: Path, articles: list[dict[str, Any]], sample: int, random: random.Random
) -> dict[str, Any]:
    seconds, ids = reingest(store, path, articles)
    pairs = [tuple(store.revision_texts(article_id)[-2:]) for article_id in ids]
    ours = patch_seconds(_patch, pairs)  # type: ignore[arg-type]
    baseline = patch_seconds(old_patch, random.sample(pairs, min(sample, len(pairs))))  # type: ignore[arg-type]
    baseline_reingest = seconds + len(pairs) * (baseline - ours)
    return {
        "revisions": len(ids),
        "seconds": round(seconds, 2),
        "revisions_per_s": round(len(ids) / seconds, 1),
        "patch_ms": round(ours * 1000, 2),
        "patches_per_s": round(1 / ours, 1),
        "baseline_patch_ms": round(baseline * 1000, 2),
        "baseline_patches_per_s": round(1 / baseline, 1),
        "baseline_sample": min(sample, len(pairs)),
        "baseline_reingest_s": round(baseline_reingest, 1),
        "baseline_revisions_per_s": round(len(ids) / baseline_reingest, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1_000)
    parser.add_argument("--sample", type=int, default=20, help="pairs the baseline patches")
    args = parser.parse_args()
    pool = paragraph_pool()
    random = rng()
    first = originals(args.articles, pool, random)
    second = [rewritten(article, pool, random) for article in first]
    third = [edited(article, random) for article in second]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'bench.db'}")
        reingest_path = Path(tmp) / "articles.jsonl"
        write_articles(reingest_path, first)
        start = time.perf_counter()
        assert ingest_paths(store, [reingest_path], max_file_mb=50).ok
        first_ingest = args.articles / (time.perf_counter() - start)
        result = {
            "benchmark": "revisions",
            "articles": args.articles,
            "first_ingest_articles_per_s": round(first_ingest, 1),  # the ceiling of a re-ingest
            "rewritten": scenario(store, reingest_path, second, args.sample, random),
            "edited": scenario(store, reingest_path, third, args.sample, random),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "targets": {"rewritten.revisions_per_s": ">= 200"},
        }
        store.close()
    emit(result)


if __name__ == "__main__":
    main()
