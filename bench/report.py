"""Audit and reports over 10,000 stories: the HTML report in pages beside the one-file
report of the same stories, and the streamed JSON beside the JSON built in memory.

Each report runs in a fresh process, so its peak memory is its own. The HTML figures are the
time, the largest page's size and the peak memory; with Chromium installed, the time to open
and lay out the summary page, the largest page and the one file (Chromium's start left out).
Targets: no page over 5 MB, the summary page opens in Chromium in under 2 s.

The corpus repeats the linked and aligned fixture stories under new URLs and dates (their
links, groups and flags copied with them), so every story has a real alignment to show.
Usage: python bench/report.py [--stories N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from common import ROOT, emit, peak_rss_mb

from provenance.audit import audit
from provenance.pipeline import align_links, link_translations
from provenance.report import build_report, render, report_stories, start_report, write, write_pages
from provenance.store import Store


def build(store: Store, stories: int) -> None:
    """Link and align the fixtures once, then clone their rows (new ids, URLs and dates)."""
    from sqlalchemy import insert, select

    from provenance.ingest import ingest_paths
    from provenance.models import AlignmentGroup, Article, Flag, Link, Paragraph, Revision

    ingest_paths(store, [ROOT / "fixtures" / "pairs"])
    link_translations(store, everything=True)
    align_links(store, everything=True)
    tables = {m: m.__table__ for m in (Article, Revision, Paragraph, Link, AlignmentGroup, Flag)}  # type: ignore[attr-defined]
    with store.engine.begin() as conn:
        rows = {m: [dict(r._mapping) for r in conn.execute(select(t))] for m, t in tables.items()}
        top = {m: max((r["id"] for r in rows[m]), default=0) for m in tables if m is not Paragraph}
        copies = max(0, stories // len(store.translation_ids()) - 1)
        for n in range(1, copies + 1):
            ids = {m: {r["id"]: top[m] * n + r["id"] for r in rows[m]} for m in top}
            shift = timedelta(days=20 * n)
            articles = [
                {
                    **r,
                    "id": ids[Article][r["id"]],
                    "url": f"{r['url']}?copy={n}",
                    "published": r["published"] + shift if r["published"] else None,
                    "current_revision_id": ids[Revision].get(r["current_revision_id"]),
                    "indexed_revision_id": None,
                }
                for r in rows[Article]
            ]
            conn.execute(insert(tables[Article]), articles)
            conn.execute(
                insert(tables[Revision]),
                [
                    {**r, "id": ids[Revision][r["id"]], "article_id": ids[Article][r["article_id"]]}
                    for r in rows[Revision]
                ],
            )
            conn.execute(
                insert(tables[Paragraph]),
                [
                    {
                        **{k: v for k, v in r.items() if k != "id"},
                        "revision_id": ids[Revision][r["revision_id"]],
                    }
                    for r in rows[Paragraph]
                ],
            )
            conn.execute(insert(tables[Link]), [
                {**r, "id": ids[Link][r["id"]], "translation_id": ids[Article][r["translation_id"]], "original_id": ids[Article][r["original_id"]],
                 "translation_revision_id": ids[Revision].get(r["translation_revision_id"]), "original_revision_id": ids[Revision].get(r["original_revision_id"])}
                for r in rows[Link]
            ])  # fmt: skip
            conn.execute(
                insert(tables[AlignmentGroup]),
                [
                    {**r, "id": ids[AlignmentGroup][r["id"]], "link_id": ids[Link][r["link_id"]]}
                    for r in rows[AlignmentGroup]
                ],
            )
            conn.execute(insert(tables[Flag]), [
                {**r, "id": ids[Flag][r["id"]], "article_id": ids[Article][r["article_id"]], "link_id": ids[Link].get(r["link_id"]),
                 "group_id": ids[AlignmentGroup].get(r["group_id"])}
                for r in rows[Flag]
            ])  # fmt: skip


def run(phase: str, db: str, out: Path) -> dict[str, float]:
    """One report in this process (a fresh one, started by ``measure``): time, size, memory."""
    store = Store.open(db)
    html = phase.startswith("html")
    start = time.perf_counter()
    if phase == "html-pages":  # ours
        report = start_report(stories=report_stories(store, side_by_side=True))
        written = write_pages(report, out / "index.html", out / "pages")
    elif phase == "json-stream":  # ours
        report = start_report(stories=report_stories(store))
        with out.open("w", encoding="utf-8") as file:
            write(report, "json", file)
        written = [out]
    else:  # baselines: every story in memory, the text in one string, one file
        out.write_text(render(build_report(store, side_by_side=html), phase[:4]), "utf-8")
        written = [out]
    seconds = time.perf_counter() - start
    sizes = [path.stat().st_size for path in written]
    return {
        "s": round(seconds, 2),
        "files": len(written),
        "largest_mb": round(max(sizes) / 1e6, 2),
        "total_mb": round(sum(sizes) / 1e6, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def measure(phase: str, db: str, out: Path) -> dict[str, float]:
    """``run`` in a new interpreter, so one report's memory does not hide another's."""
    done = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--db", db, "--out", str(out)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


OPEN = """<!doctype html><html><body><script>
const start = performance.now(), frame = document.createElement("iframe");
frame.style = "width:1280px;height:1600px;border:0";
frame.onload = () => {
  const height = frame.contentDocument.documentElement.scrollHeight;  // lays the page out
  const pre = document.createElement("pre"); pre.id = "measured";
  pre.textContent = JSON.stringify({ms: performance.now() - start, height});
  document.body.append(pre);
};
frame.src = new URLSearchParams(location.search).get("page");
document.body.append(frame);
</script></body></html>"""
"""Opens a page in a frame and times it from the request to the page loaded and laid out at
desktop width: Chromium's own start is left out, and the page itself stays script-free."""


def open_in_chromium(page: Path, work: Path, runs: int = 3) -> float | None:
    """Seconds for headless Chromium to load and lay out ``page``, the median of ``runs``
    (the machine is shared); None without Chromium, or when it gave up after 600 s."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return None
    wrapper = work / "open.html"
    wrapper.write_text(OPEN, "utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
             "--disable-background-networking", "--disable-component-update",
             "--allow-file-access-from-files", f"--user-data-dir={work / 'profile'}",
             "--window-size=1300,1700"]  # fmt: skip
    times = []
    for _ in range(runs):
        try:
            dom = subprocess.run(
                [chromium, *flags, "--dump-dom", f"{wrapper.as_uri()}?page={page.as_uri()}"],
                capture_output=True, text=True, timeout=600,
            ).stdout  # fmt: skip
        except subprocess.TimeoutExpired:
            return None
        found = re.search(r'<pre id="measured">([^<]*)</pre>', dom)
        if found is None:
            return None
        times.append(json.loads(found.group(1))["ms"] / 1000)
    return round(statistics.median(times), 2)


def largest(folder: Path) -> Path:
    return max(folder.rglob("*.html"), key=lambda path: path.stat().st_size)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="keep the reports in this folder")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        emit(run(args.phase, args.db, args.out))
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        db = f"sqlite:///{Path(tmp) / 'report.db'}"
        store = Store.open(db)
        start = time.perf_counter()
        build(store, args.stories)
        built = time.perf_counter() - start
        start = time.perf_counter()
        rows = list(audit(store))
        audit_s = time.perf_counter() - start
        store.close()
        pages = measure("html-pages", db, work / "pages")
        single = measure("html-single", db, work / "report.html")
        json_stream = measure("json-stream", db, work / "stream.json")
        json_memory = measure("json-memory", db, work / "memory.json")
        chromium = {
            "summary_page_s": open_in_chromium(work / "pages" / "index.html", Path(tmp)),
            "largest_page_s": open_in_chromium(largest(work / "pages"), Path(tmp)),
            "one_file_s": open_in_chromium(work / "report.html", Path(tmp), runs=1),
        }
    emit(
        {
            "benchmark": "report",
            "stories": args.stories,
            "corpus_build_s": round(built, 1),
            "audit_s": round(audit_s, 2),
            "unverified": len(rows),
            "html_in_pages": pages,
            "html_one_file_baseline": single,
            "json_streamed": json_stream,
            "json_in_memory_baseline": json_memory,
            "chromium_open_s": chromium,
            "targets": {"largest_page_mb": "<= 5", "chromium_open_s.summary_page_s": "< 2"},
        }
    )


if __name__ == "__main__":
    main()
