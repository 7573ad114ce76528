"""Linking at corpus scale: 100,000 originals (--originals 1000000 for issue 14's million),
1,000 translations, on SQLite or (--db URL) PostgreSQL.

The corpus is synthetic: fixture pairs recombined (a random subset of each pair's aligned
paragraphs) with their figures perturbed the same way on both sides, so each translation has
one true original; 99,000 more Arabic articles are recombined from all fixture Arabic
paragraphs (the hard ones from the same story, the same week), spread over two years. Those
go through ingest's batch path from JSON Lines files, their figures shifted by one of 60
amounts (a million articles then build in about 20 minutes, within the anchor caches).

Prints the index build rate, p50 and p95 time per translation (retrieval and rerank, the
default path without the semantic backend), top-1 accuracy and peak memory.
Targets (issue: linking): p95 < 100 ms, index >= 2,000 articles/s (5,000 in issue 14),
< 1.5 GB, top-1 >= 0.95. The index build's rate is also given per second of CPU time of this
process (it writes the postings; its workers extract the terms).
Usage: python bench/link.py [--originals N] [--translations N] [--db URL] [--misses]
                             [--build-only | --built]
(--misses: every missed query with the true original's scores beside the winner's, and why.
--build-only builds the corpus in --db and stops; --built measures a corpus built so earlier,
so that a million articles are built once, however loaded the machine, and measured idle.)
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import emit, fixture_pairs, peak_children_rss_mb, peak_rss_mb, rng

from provenance.align import to_paragraphs
from provenance.config import Settings
from provenance.formats import ArticleInput
from provenance.ingest import ingest_paths
from provenance.link import Candidate, _coverage, find_originals, index_articles
from provenance.store import Store

START = datetime(2022, 1, 1, tzinfo=UTC)
SPAN_DAYS = 730
EASTERN = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


def perturb(text: str, shift: int) -> str:
    """Shift every figure by the same amount (Eastern Arabic digits read as ASCII ones)."""

    def bump(match: re.Match[str]) -> str:
        value = int(match.group().translate(EASTERN))
        return str(value + shift) if value > 31 else match.group()  # keep days of the month

    return re.sub(r"[0-9٠-٩]+", bump, text)


def build(originals: int, translations: int, store: Store) -> list[tuple[int, str]]:
    random = rng(5)
    pairs = fixture_pairs() + fixture_pairs("holdout")
    arabic_pool = [
        p for pair in pairs for a in (pair.original, *pair.distractors) for p in a.paragraphs
    ]
    queries: list[tuple[int, str]] = []
    made = 0
    # true originals and their translations
    for n in range(translations):
        pair = random.choice(pairs)
        shift = random.randint(1, 400)
        linked = [g for g in pair.alignment if g.translation and g.original]
        keep = sorted(
            random.sample(range(len(linked)), max(2, int(len(linked) * random.uniform(0.6, 1.0))))
        )
        groups = [linked[k] for k in keep]
        day = START + timedelta(days=random.uniform(0, SPAN_DAYS))
        original = ArticleInput(
            url=f"https://www.enabbaladi.net/archives/{1_000_000 + n}",
            lang="ar",
            outlet="Enab Baladi",
            published=day,
            title=perturb(pair.original.title, shift),
            paragraphs=[
                perturb(pair.original.paragraphs[j], shift) for g in groups for j in g.original
            ],
        )
        translation = ArticleInput(
            url=f"https://syrianobserver.com/news/{900_000 + n}/story.html",
            lang="en",
            outlet="The Syrian Observer",
            published=day + timedelta(days=random.uniform(0, 3)),
            title=perturb(pair.translation.title, shift),
            paragraphs=[
                perturb(pair.translation.paragraphs[i], shift)
                for g in groups
                for i in g.translation
            ],
        )
        store.save_article(_prepare(original))
        outcome = store.save_article(_prepare(translation))
        queries.append((outcome.article_id, original.url))
        made += 1
        # hard distractors: the same story's other paragraphs and its distractors, same week
        for d in range(3):
            source = random.choice([pair.original, *pair.distractors])
            paragraphs = random.sample(
                source.paragraphs, min(len(source.paragraphs), random.randint(3, 6))
            )
            store.save_article(
                _prepare(
                    ArticleInput(
                        url=f"https://www.enabbaladi.net/archives/{2_000_000 + n * 10 + d}",
                        lang="ar",
                        outlet="Enab Baladi",
                        published=day + timedelta(days=random.uniform(-6, 6)),
                        title=source.title,
                        paragraphs=[perturb(p, random.randint(1, 400)) for p in paragraphs],
                    )
                )
            )
            made += 1
    # the rest of the corpus: recombined Arabic paragraphs over two years, through ingest's
    # batch path (JSON Lines files, as a newsroom's export would come); their figures shifted
    # by one of FILLER_SHIFTS, so that a million articles stay within the anchor caches
    with tempfile.TemporaryDirectory() as folder:
        n = 0
        while made < originals:
            source = Path(folder) / f"filler-{n // FILLER_FILE}.jsonl"
            with source.open("w", encoding="utf-8") as handle:
                for _ in range(min(FILLER_FILE, originals - made)):
                    paragraphs = random.sample(arabic_pool, random.randint(4, 10))
                    shift = random.randint(1, FILLER_SHIFTS)
                    published = START + timedelta(days=random.uniform(0, SPAN_DAYS))
                    record = {
                        "url": f"https://www.example-ar.net/{3_000_000 + n}",
                        "lang": "ar",
                        "outlet": random.choice(FILLER_OUTLETS),
                        "published": published.isoformat(),
                        "title": perturb(paragraphs[0][:80], shift),
                        "paragraphs": [perturb(p, shift) for p in paragraphs],
                    }
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                    made += 1
                    n += 1
            report = ingest_paths(store, [source], max_file_mb=1000)
            assert report.ok, report.errors[:3]
            source.unlink()
            print(f"corpus: {made:,} articles", file=sys.stderr, flush=True)
    return queries


def built_queries(store: Store) -> list[tuple[int, str]]:
    """The queries of a corpus ``build`` made earlier: translation n's original is article n
    of the true originals (their URLs say so)."""
    queries = []
    for article_id in store.translation_ids():
        url = store.find_article(article_id).url
        n = int(url.split("/news/")[1].split("/")[0]) - 900_000
        queries.append((article_id, f"https://www.enabbaladi.net/archives/{1_000_000 + n}"))
    return queries


FILLER_FILE = 20_000
FILLER_SHIFTS = 60
FILLER_OUTLETS = ["Enab Baladi", "Syria TV", "Al-Modon", "North Press", "Asharq Al-Awsat"]


def _prepare(article: ArticleInput):  # type: ignore[no-untyped-def]
    from provenance.ingest import prepare_article

    return prepare_article(article)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--originals", type=int, default=100_000)
    parser.add_argument("--translations", type=int, default=1_000)
    parser.add_argument(
        "--misses",
        action="store_true",
        help="also list every missed query: the true original's rank and scores beside the "
        "winner's, and why it lost (outside the timings)",
    )
    parser.add_argument(
        "--db",
        help="an empty database to build the corpus in (a PostgreSQL URL, say); "
        "default: a new SQLite file in a temporary folder",
    )
    stages = parser.add_mutually_exclusive_group()
    stages.add_argument("--build-only", action="store_true", help="build the corpus and stop")
    stages.add_argument(
        "--built", action="store_true", help="--db holds a corpus built by --build-only"
    )
    args = parser.parse_args()
    if (args.build_only or args.built) and not args.db:
        parser.error("--build-only and --built need --db")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(args.db or f"sqlite:///{Path(tmp) / 'link.db'}")
        start = time.perf_counter()
        queries = (
            built_queries(store) if args.built else build(args.originals, args.translations, store)
        )
        built = time.perf_counter() - start
        if args.build_only:
            print(f"corpus built in {built:.0f} s: measure it with --built", file=sys.stderr)
            return
        start, cpu = time.perf_counter(), time.process_time()
        indexed = index_articles(store, batch=2000)
        index_seconds = time.perf_counter() - start
        index_cpu_seconds = time.process_time() - cpu
        timings, top1, misses = [], 0, []
        for article_id, truth in queries:
            t0 = time.perf_counter()
            result = find_originals(store, article_id)
            timings.append(time.perf_counter() - t0)
            hit = bool(result.candidates) and result.candidates[0].url == truth
            top1 += hit
            if args.misses and not hit:
                misses.append(explain_miss(store, article_id, truth))
        timings.sort()
        diagnostics = (
            {"miss_causes": dict(Counter(m["why"] for m in misses)), "misses": misses}
            if args.misses
            else {}
        )
        emit(
            {
                "benchmark": "link",
                "database": store.dialect(),
                "originals": args.originals,
                "translations": len(queries),
                "corpus_build_s": None if args.built else round(built, 1),
                "indexed_articles": indexed,
                # None: a corpus measured again with --built, indexed by its first run
                "index_articles_per_s": round(indexed / index_seconds, 1) if indexed else None,
                "index_articles_per_cpu_s": (
                    round(indexed / index_cpu_seconds, 1) if indexed else None
                ),
                "p50_ms": round(1000 * statistics.median(timings), 1),
                "p95_ms": round(1000 * timings[int(0.95 * (len(timings) - 1))], 1),
                "top1": round(top1 / len(queries), 4),
                "peak_rss_mb": round(peak_rss_mb(), 1),
                "peak_worker_rss_mb": round(peak_children_rss_mb(), 1),
                "targets": {
                    "p95_ms": "< 100",
                    "index_articles_per_s": ">= 5000",
                    "peak_rss_mb": "< 1536",
                    "top1": ">= 0.95",
                },
                **diagnostics,
            }
        )


def explain_miss(store: Store, article_id: int, truth: str) -> dict[str, Any]:
    """Why the true original was not ranked first: the query again with no score floor, the
    true original's rank and scores beside the winner's.

    why: folded (a near-identical copy stands for it), not_retrieved (not among the
    candidates the index found), not_reranked (retrieved, but below the few that are
    aligned), outscored (aligned, and another candidate scored higher).
    """
    settings = Settings().with_overrides(link_floor=0.0)
    ranking = find_originals(store, article_id, settings=settings).candidates

    def scores(c: Candidate) -> dict[str, Any]:
        fields = ("url", "rank", "score", "coverage", "original_coverage", "term_score", "days")
        return {name: getattr(c, name) for name in fields} | {
            "also_published_by": [copy["url"] for copy in c.also_published_by]
        }

    found = next((c for c in ranking if c.url == truth), None)
    holder = next(
        (c for c in ranking if truth in [copy["url"] for copy in c.also_published_by]), None
    )
    truth_scores = scores(found) if found else None
    if holder is not None:
        why = "folded"
        # gone from the ranking: its alignment coverage beside the copy that stands for it
        translation = store.find_article(article_id)
        original = store.find_article(truth)
        coverage, original_coverage = _coverage(
            to_paragraphs(store.paragraphs(translation.current_revision_id or 0), "en"),
            to_paragraphs(store.current_paragraphs(original.id), "ar"),
        )
        days = (translation.published - original.published).total_seconds() / 86400
        truth_scores = {
            "url": truth,
            "coverage": coverage,
            "original_coverage": original_coverage,
            "days": round(days, 2),
        }
    elif found is None:
        why = "not_retrieved"
    elif found.coverage is None:
        why = "not_reranked"
    else:
        why = "outscored"
    return {
        "translation_id": article_id,
        "truth": truth,
        "why": why,
        "truth_scores": truth_scores,
        "folded_into": holder.url if holder else None,
        "winner": scores(ranking[0]) if ranking else None,
    }


if __name__ == "__main__":
    main()
