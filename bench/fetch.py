"""Fetch 2,000 pages from a local HTTP server with concurrency 32: pages/s and peak memory.

The server (tests/httpserver.py) runs in this process on 127.0.0.1; every page is a distinct
article, extracted and stored in a fresh SQLite file, as `provenance fetch` does.
Usage: python bench/fetch.py [--pages N] [--concurrency N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, emit, peak_rss_mb

sys.path.insert(0, str(ROOT))

from provenance.fetch import FetchOptions, fetch_urls
from provenance.store import Store
from tests.httpserver import serve


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    options = FetchOptions(
        concurrency=args.concurrency, per_host=args.concurrency, delay=0.0, retries=1
    )
    with tempfile.TemporaryDirectory() as tmp, serve() as site:
        store = Store.open(f"sqlite:///{Path(tmp) / 'fetch.db'}")
        urls = [f"{site.base}/bulk/{n}" for n in range(args.pages)]
        start = time.perf_counter()
        report = fetch_urls(store, urls, options)
        seconds = time.perf_counter() - start
    emit(
        {
            "benchmark": "fetch",
            "pages": args.pages,
            "concurrency": args.concurrency,
            "counts": report.counts(),
            "seconds": round(seconds, 2),
            "pages_per_s": round(args.pages / seconds, 1),
            "peak_rss_mb": round(peak_rss_mb(), 1),
        }
    )


if __name__ == "__main__":
    main()
