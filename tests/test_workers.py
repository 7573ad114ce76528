"""`--workers N`: link, align, fetch and refresh spread over processes print and store what one
process does, on a real SQLite file and a real local HTTP server."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from provenance.workers import by_host
from tests.conftest import CLI, FIXTURES
from tests.httpserver import serve


def _without(data: Any, *keys: str) -> Any:
    """``data`` with the named keys dropped everywhere (timings, ids given in another order)."""
    if isinstance(data, dict):
        return {k: _without(v, *keys) for k, v in data.items() if k not in keys}
    if isinstance(data, list):
        return [_without(v, *keys) for v in data]
    return data


@pytest.fixture
def twins(tmp_path: Path, template_db: Path) -> tuple[CLI, CLI]:
    """Two copies of the ingested fixtures, never linked: one for each way of running."""
    first = CLI(f"sqlite:///{tmp_path / 'one.db'}")
    first("ingest", str(FIXTURES / "pairs"))
    shutil.copy(tmp_path / "one.db", tmp_path / "two.db")
    return first, CLI(f"sqlite:///{tmp_path / 'two.db'}")


def test_link_and_align_with_two_workers_print_and_store_what_one_does(
    twins: tuple[CLI, CLI],
) -> None:
    one, two = twins
    linked = one.json("link", "--all", "--no-semantic")
    assert two.json("link", "--all", "--no-semantic", "--workers", "2")["results"]
    relinked = two.json("link", "--all", "--no-semantic", "--workers", "2")
    assert _without(relinked, "seconds", "semantic_seconds", "indexed") == _without(
        one.json("link", "--all", "--no-semantic"), "seconds", "semantic_seconds", "indexed"
    )
    assert linked["decisions"] == relinked["decisions"] == {
        "auto": 12, "suggested": 0, "none": 0, "kept": 0,
    }  # fmt: skip
    aligned = one.json("align", "--all", "--no-semantic")
    in_two = two.json("align", "--all", "--no-semantic", "--workers", "2")
    assert len(aligned["aligned"]) == 12

    # the same links aligned into the same groups and flags, reported in the same order (link
    # ids differ: the links were made in parallel); the length estimates are read once, before
    # anything is aligned, so the split between processes changes nothing
    def aligned_as(report: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [
            (row["translation"], row["original"], row["groups"], row["flags"], row["coverage"])
            for row in report["aligned"]
        ]

    assert aligned_as(in_two) == aligned_as(aligned)
    assert (in_two["unchanged"], in_two["kept_reviewed"]) == (0, [])
    said = two("align", "--all", "--workers", "2").stderr
    assert "0 aligned, 12 unchanged, 0 kept as reviewed" in said


def test_fetch_and_refresh_with_two_workers_report_every_url_in_order(tmp_path: Path) -> None:
    with serve() as site:
        port = site.base.rsplit(":", 1)[1]
        urls = [
            f"http://{host}:{port}/{path}"
            for host, pages in (
                ("127.0.0.1", ("bulk/1", "gone404", "bulk/2", "page/so-hamas-relations.html")),
                ("localhost", ("bulk/3", "gone410", "bulk/4", "page/enab-exchange-rate.html")),
            )
            for path in pages
        ]
        results = []
        for workers in ("1", "2"):
            cli = CLI(f"sqlite:///{tmp_path / f'{workers}.db'}")
            args = ("--delay", "0", "--retries", "0", "--workers", workers)
            fetched = cli.json("fetch", *urls, *args, code=1)  # the 404s fail
            refreshed = cli.json("refresh", *args, code=0)
            results.append((fetched, refreshed))
    (fetched, refreshed), (fetched_2, refreshed_2) = results
    assert [r["url"] for r in fetched_2["results"]] == urls
    for report in (fetched, fetched_2):  # one process lists URLs as they finish
        report["results"].sort(key=lambda result: urls.index(result["url"]))
    assert _without(fetched_2, "article_id") == _without(fetched, "article_id")
    assert fetched["counts"] == {"fetched": 6, "unchanged": 0, "failed": 2}
    assert refreshed_2["counts"] == refreshed["counts"] == {
        "fetched": 0, "unchanged": 6, "failed": 0,
    }  # fmt: skip


def test_urls_are_shared_out_a_host_to_one_worker() -> None:
    urls = [f"https://a.org/{n}" for n in range(5)] + ["https://b.org/1", "https://c.org/1 "]
    parts = by_host([*urls, "https://a.org/0"], 2)
    assert parts == [
        [f"https://a.org/{n}" for n in range(5)],
        ["https://b.org/1", "https://c.org/1"],
    ]
    assert by_host(urls[:3], 4) == [urls[:3]]  # one host: one list, whatever the workers


def test_a_number_of_workers_below_one_is_refused(cli: CLI, monkeypatch: Any) -> None:
    cli("init")
    assert "--workers" in cli("link", "--all", "--workers", "0", code=2).stderr
    monkeypatch.setenv("PROVENANCE_WORKERS", "0")
    said = cli("align", "--all", code=1).stderr
    assert said.strip() == ("error: PROVENANCE_WORKERS=0 is not a number of processes (1 or more)")
