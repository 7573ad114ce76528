"""Review UI speed, headless: first paint of the story list over 50,000 stories (target < 1 s)
and opening an alignment view (target < 200 ms).
Usage: python bench/tui.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, emit, peak_rss_mb

sys.path.insert(0, str(ROOT))

from provenance.config import Settings
from provenance.ingest import ingest_paths
from provenance.pipeline import align_links, link_translations
from provenance.store import Store
from tests.tui.test_large_list import fill
from tui.app import make_app
from tui.screens.alignment import AlignmentScreen, GroupRow


async def first_paint(path: Path) -> float:
    start = time.perf_counter()
    app = make_app(Settings(db=f"sqlite:///{path}"), reviewer="bench", bidi="app")
    async with app.run_test(size=(120, 40)) as pilot:
        while not getattr(app.screen, "rows", None):
            await pilot.pause(0.005)
        return time.perf_counter() - start


async def open_alignment(path: Path, article_id: int, times: int = 5) -> list[float]:
    """Push the alignment view and wait until it has been drawn (its first refresh ran)."""
    app = make_app(Settings(db=f"sqlite:///{path}"), reviewer="bench", bidi="app")
    timings = []
    async with app.run_test(size=(120, 40)) as pilot:
        while not getattr(app.screen, "rows", None):
            await pilot.pause(0.005)
        await pilot.pause(0.2)
        for _ in range(times):
            drawn = asyncio.Event()
            start = time.perf_counter()
            screen = AlignmentScreen(article_id)
            app.push_screen(screen)
            while not list(screen.query(GroupRow)):
                await asyncio.sleep(0)
            screen.call_after_refresh(drawn.set)
            await drawn.wait()
            timings.append(time.perf_counter() - start)
            app.pop_screen()
            await pilot.pause(0.1)
    return timings


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.db"
        fill(big)
        paints = [asyncio.run(first_paint(big)) for _ in range(3)]
        fixtures = Path(tmp) / "fixtures.db"
        store = Store.open(f"sqlite:///{fixtures}")
        ingest_paths(store, [ROOT / "fixtures" / "pairs"])
        link_translations(store, everything=True)
        align_links(store, everything=True)
        seed = store.find_article(
            "https://syrianobserver.com/news/79101/hamas-confirms-resumption-of-relations-with-regime-syrian-disregard.html"
        ).id
        opens = sorted(asyncio.run(open_alignment(fixtures, seed)))
    emit(
        {
            "benchmark": "tui",
            "stories": 50_000,
            "first_paint_s": round(min(paints), 3),
            "first_paint_runs_s": [round(p, 3) for p in paints],
            "open_alignment_ms": round(1000 * opens[len(opens) // 2], 1),
            "open_alignment_runs_ms": [round(1000 * o, 1) for o in opens],
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "targets": {"first_paint_s": "< 1", "open_alignment_ms": "< 200"},
        }
    )


if __name__ == "__main__":
    main()
