"""Audit and an HTML report over 10,000 stories (target: under 30 s together).

The corpus repeats the linked and aligned fixture stories under new URLs and dates (their
links, groups and flags copied with them), so every story has a real alignment to show.
Usage: python bench/report.py [--stories N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from common import ROOT, emit, peak_rss_mb

from provenance.align import align_links
from provenance.audit import audit
from provenance.link import link_translations
from provenance.report import build_report, render
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stories", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'report.db'}")
        start = time.perf_counter()
        build(store, args.stories)
        built = time.perf_counter() - start
        start = time.perf_counter()
        rows = list(audit(store))
        audit_s = time.perf_counter() - start
        start = time.perf_counter()
        html = render(build_report(store, side_by_side=True), "html")
        (Path(tmp) / "report.html").write_text(html, "utf-8")
        report_s = time.perf_counter() - start
    emit(
        {
            "benchmark": "report",
            "stories": args.stories,
            "corpus_build_s": round(built, 1),
            "audit_s": round(audit_s, 2),
            "unverified": len(rows),
            "html_report_s": round(report_s, 2),
            "html_mb": round(len(html.encode("utf-8")) / 1e6, 1),
            "total_s": round(audit_s + report_s, 2),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "targets": {"total_s": "< 30"},
        }
    )


if __name__ == "__main__":
    main()
