"""Workers 1 against 2 on the same jobs: `provenance align --all --force` over one database of
linked pairs, run through the real command with --workers 1 and --workers 2 on two copies of
it. Prints pairs/s for each and the speedup (target: at least 1.7x on align).

The run is the size where --workers is worth asking for (1,200 pairs, about ten seconds with
one worker); the seconds every run spends before any work (starting Python, reading the links:
`align --all` with nothing left to do) are printed beside it, since on a small run they are
most of the difference (300 pairs: --copies 25).

The pairs are the fixture pairs copied with their figures and URLs changed, so that every
paragraph is new text; each translation is linked to its original directly (no linking cost in
the setup). Anchors only by default (the CPU-bound path, every core busy); --semantic measures
the default path with the model (each worker then gets half the cores for its threads).
Usage: python bench/workers.py [--copies N] [--semantic]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from common import emit, fixture_pairs, retag

from provenance.ingest import ingest_article
from provenance.store import Store

PROVENANCE = str(Path(sys.executable).parent / "provenance")


def build(path: Path, copies: int) -> int:
    """A database of ``copies`` x the fixture pairs, each translation linked to its original."""
    store = Store.open(f"sqlite:///{path}")
    links = 0
    for n in range(copies):
        for pair in fixture_pairs():
            ids = []
            for article in (pair.translation, pair.original):
                copy = replace(
                    article,
                    url=f"{article.url.rstrip('/')}-copy-{n}",
                    paragraphs=[retag(p, n) for p in article.paragraphs],
                )
                ids.append(ingest_article(store, copy).article_id)
            store.link(ids[0], ids[1], status="auto", score=1.0)
            links += 1
    store.close()
    return links


def timed_align(path: Path, workers: int, semantic: bool, *, force: bool = True) -> float:
    started = time.perf_counter()
    subprocess.run(
        [PROVENANCE, "--db", f"sqlite:///{path}", "align", "--all",
         *(["--force"] if force else []),
         "--semantic" if semantic else "--no-semantic", "--workers", str(workers)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=100, help="copies of the 12 fixture pairs")
    parser.add_argument("--semantic", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / "pairs.db"
        links = build(base, args.copies)
        for workers in (1, 2):
            shutil.copy(base, Path(folder) / f"w{workers}.db")
        one = timed_align(Path(folder) / "w1.db", 1, args.semantic)
        two = timed_align(Path(folder) / "w2.db", 2, args.semantic)
        # everything aligned now: what remains is the fixed cost of a run
        fixed = timed_align(Path(folder) / "w1.db", 1, args.semantic, force=False)
    emit(
        {
            "bench": "workers",
            "pairs": links,
            "semantic": args.semantic,
            "workers_1": {"seconds": round(one, 2), "pairs_per_s": round(links / one, 2)},
            "workers_2": {"seconds": round(two, 2), "pairs_per_s": round(links / two, 2)},
            "speedup": round(one / two, 2),
            "fixed_seconds": round(fixed, 2),
            "target": 1.7,
        }
    )


if __name__ == "__main__":
    main()
