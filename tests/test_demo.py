"""The demo can be run again and again, and the README's week shows something on it.

`make demo` ingests fixtures/, links and aligns. A fixture set where two files carry one URL
with different texts would turn every run into new revisions of that story (and new flags
saying it changed), so the demo database would never settle.
"""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from pathlib import Path

from provenance.formats import GoldPair, iter_paths, read_file
from provenance.ingest import prepare_article
from tests.conftest import CLI, FIXTURES, ROOT


def test_no_two_fixture_files_give_one_url_different_texts() -> None:
    texts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in iter_paths([FIXTURES]):
        for record in read_file(path, 10_000_000):
            assert not isinstance(record, Exception), record
            articles = record.articles() if isinstance(record, GoldPair) else [record]
            for article in articles:
                prepared = prepare_article(article)
                where = str(path.relative_to(ROOT))
                texts[prepared.url][prepared.content_hash].append(where)
    clashes = {url: dict(by_text) for url, by_text in texts.items() if len(by_text) > 1}
    assert not clashes, f"one URL, different texts: {json.dumps(clashes, indent=1)}"


def test_ingesting_the_fixtures_twice_adds_nothing(cli: CLI) -> None:
    first = cli.json("ingest", str(FIXTURES))
    assert first["created"] > 80 and first["failed"] == 0
    articles = cli.json("list", "--limit", "0")
    stats = cli.json("stats")

    second = cli.json("ingest", str(FIXTURES))
    assert (second["created"], second["revised"]) == (0, 0)
    assert second["unchanged"] == first["created"] + first["unchanged"] + first["revised"]
    assert {a["status"] for a in second["articles"]} == {"unchanged"}
    assert cli.json("stats")["revisions"] == stats["revisions"] == stats["articles"]
    assert cli.json("list", "--limit", "0") == articles  # titles, dates, outlets: all as before


def _readme_week() -> tuple[str, str]:
    section = (ROOT / "README.md").read_text("utf-8").split("a week in three commands", 1)[1]
    since, until = re.search(r"--since (\S+) --until (\S+)", section).groups()  # type: ignore[union-attr]
    return since, until


def test_the_readme_week_has_stories_on_the_demo_data(linked_db_url: str, tmp_path: Path) -> None:
    """The three commands of the README, on the fixture pairs linked and aligned as the demo
    does them (the pairs hold every translation of that week)."""
    since, until = _readme_week()
    week = ["--since", since, "--until", until]
    cli = CLI(linked_db_url)

    rows = cli("audit", *week, "--format", "csv").stdout.strip().splitlines()
    assert rows[0].startswith("id,url,title") and len(rows) >= 2, rows

    out = tmp_path / "week.html"
    cli("report", *week, "--format", "html", "--out", str(out))
    report = json.loads(cli("report", *week, "--format", "json").stdout)
    assert report["stories"] and all(since <= s["published"] < until for s in report["stories"])
    assert html.escape(report["stories"][0]["title"]) in out.read_text("utf-8")

    prov = tmp_path / "week.prov.json"
    cli("export", "--format", "prov-json", *week, "--out", str(prov))
    assert json.loads(prov.read_text("utf-8"))["entity"]
