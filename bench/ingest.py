"""Ingest 10,000 generated articles into a fresh SQLite file; print articles/s and peak memory.

Targets: at least 1,000 articles/s (issue 14; 500 in the foundation issue), under 500 MB.
Besides the wall-clock rate it prints the rate per second of this process's CPU time: on a
machine that others load, the wall-clock rate says as much about them as about ingest.
The articles are recombined from the fixtures' 600-odd paragraphs, so most paragraphs are
seen again (as an outlet's chrome is): ingest's per-paragraph caches answer for them.
Usage: python bench/ingest.py [--articles N]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from common import emit, paragraph_pool, peak_rss_mb, rng

from provenance.ingest import ingest_paths
from provenance.store import Store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    pool = paragraph_pool()
    random = rng()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "articles.jsonl"
        with source.open("w", encoding="utf-8") as handle:
            for n in range(args.articles):
                lang = "ar" if n % 3 else "en"
                host = "www.enabbaladi.net/archives" if lang == "ar" else "syrianobserver.com/news"
                article = {
                    "url": f"https://{host}/{100000 + n}",
                    "lang": lang,
                    "published": f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00+03:00",
                    "title": random.choice(pool[lang])[:90],
                    "paragraphs": random.sample(pool[lang], random.randint(6, 14)),
                }
                handle.write(json.dumps(article, ensure_ascii=False) + "\n")
        store = Store.open(f"sqlite:///{Path(tmp) / 'bench.db'}")
        start, cpu = time.perf_counter(), time.process_time()
        report = ingest_paths(store, [source], max_file_mb=50)
        seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - cpu
        assert report.ok, report.errors[:3]
        emit(
            {
                "benchmark": "ingest",
                "articles": args.articles,
                "seconds": round(seconds, 2),
                "articles_per_s": round(args.articles / seconds, 1),
                "cpu_seconds": round(cpu_seconds, 2),
                "articles_per_cpu_s": round(args.articles / cpu_seconds, 1),
                "peak_rss_mb": round(peak_rss_mb(), 1),
                "targets": {"articles_per_s": ">= 1000", "peak_rss_mb": "< 500"},
            }
        )


if __name__ == "__main__":
    main()
