"""Audit, reports and PROV export on the linked fixtures; the HTML report in headless Chromium."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from provenance.review import Review
from provenance.store import Store
from tests.conftest import CLI

SEED = "https://syrianobserver.com/news/79101/hamas-confirms-resumption-of-relations-with-regime-syrian-disregard.html"


@pytest.fixture
def linked(linked_db_url: str) -> CLI:
    return CLI(linked_db_url)


def _store(cli: CLI) -> Store:
    return Store.open(cli.db_url)


def test_audit_lists_unverified_stories_with_reasons(linked: CLI) -> None:
    rows = linked.json("audit")
    assert rows and all(row["reasons"] for row in rows)
    # the seed is auto-linked with no high-severity flag open: verified, so not listed
    assert SEED not in {r["url"] for r in rows}
    assert len(rows) == _store(linked).story_count("unverified")
    qamishli = next(r for r in rows if "qamishli" in r["url"])
    assert "high_flags" in qamishli["reasons"] and qamishli["high_flags"]["number_mismatch"] == 2


def test_audit_reasons_follow_review_decisions(linked: CLI) -> None:
    store = _store(linked)
    review = Review(store, "auditor")
    seed_id = store.find_article(SEED).id
    best = store.links(translation_id=seed_id)[0]
    review.reject_link(best.id)
    for link in store.links(translation_id=seed_id)[1:]:
        review.reject_link(link.id)
    row = next(r for r in linked.json("audit") if r["url"] == SEED)
    assert "link_rejected" in row["reasons"]
    for link in store.links(translation_id=seed_id):
        review.confirm_link(link.id) if link.original_url.endswith("604512") else None
    for flag in store.flags(article_id=seed_id):
        if flag.severity == "high" and flag.status == "open":
            review.dismiss_flag(flag.id, "checked")  # an accepted one would stay (test_verified)
    assert SEED not in {
        r["url"] for r in linked.json("audit")
    }  # confirmed, nothing high open or accepted: verified


def test_audit_csv_of_a_week_and_filters(linked: CLI) -> None:
    text = linked(
        "audit", "--since", "2023-03-06", "--until", "2023-03-13", "--format", "csv"
    ).stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and all("2023-03-06" <= r["published"][:10] < "2023-03-13" for r in rows)
    assert set(rows[0]) >= {"url", "title", "reasons", "high_flags", "original"}
    empty = linked("audit", "--since", "2030-01-01", "--format", "csv").stdout
    assert empty.strip().startswith("id,url,title")
    only = linked.json("audit", "--reason", "link_suggested")
    assert only == []
    nobody = linked("audit", "--outlet", "nobody", "--json", code=1)
    assert nobody.stdout == "" and "no outlet named 'nobody'" in nobody.stderr
    assert linked("audit", "--outlet", "enab baladi", "--json").stdout.strip() == "[]"


def test_fail_on_exit_codes(linked: CLI) -> None:
    linked("audit", "--fail-on", "none", code=0)
    linked("audit", "--fail-on", "unverified", code=1)
    linked("audit", "--fail-on", "flags", code=1)
    linked("audit", "--since", "2030-01-01", "--fail-on", "unverified", code=0)
    assert "--fail-on must be one of" in linked("audit", "--fail-on", "sometimes", code=2).stderr


def test_report_json_and_markdown(linked: CLI) -> None:
    data = json.loads(linked("report", "--format", "json").stdout)
    summary = data["summary"]
    assert summary["stories"] == 12 and summary["verified"] + summary["unverified"] == 12
    assert summary["by_credited_source"]["Enab Baladi"] >= 6
    assert summary["flag_kinds"]["number_mismatch"] >= 10
    seed = next(s for s in data["stories"] if s["url"] == SEED)
    assert (
        seed["original"] == "https://www.enabbaladi.net/archives/604512" and seed["coverage"] == 1.0
    )
    assert seed["added"] >= 7 and seed["dropped"] == 2
    markdown = linked("report").stdout
    assert (
        "## Summary" in markdown
        and "Hamas Confirms Resumption" in markdown
        and "| Enab Baladi |" in markdown
    )


def test_markdown_report_holds_hostile_titles_in_their_cells(cli: CLI, tmp_path: Path) -> None:
    """A title with HTML, pipes and link markup stays text in its one cell."""
    hostile = "<script>alert(1)</script> | Aleppo [click](javascript:x) *bold* `code`"
    record = {"url": "https://syrianobserver.com/news/1/a b).html", "lang": "en",
              "outlet": "The Syrian Observer", "title": hostile,
              "published": "2024-01-02T10:00:00+00:00",
              "paragraphs": ["A paragraph about bread prices in Aleppo that a reader reads."]}  # fmt: skip
    (tmp_path / "hostile.json").write_text(json.dumps(record), "utf-8")
    cli("ingest", str(tmp_path / "hostile.json"))
    markdown = cli("report").stdout
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    (row,) = [line for line in markdown.splitlines() if "alert(1)" in line]
    cells = [c for c in re.split(r"(?<!\\)\|", row)[1:-1]]
    assert len(cells) == 12  # the table's columns, no more: the pipe in the title is escaped
    assert "](https://syrianobserver.com/news/1/a%20b%29.html)" in row


def test_report_csv(linked: CLI) -> None:
    rows = list(csv.DictReader(io.StringIO(linked("report", "--format", "csv").stdout)))
    assert len(rows) == 12 and {
        "title",
        "outlet",
        "credit",
        "original",
        "confidence",
        "coverage",
        "review",
    } <= set(rows[0])


def test_html_report_is_self_contained(linked: CLI, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    linked("report", "--format", "html", "--out", str(out))
    html = out.read_text("utf-8")
    assert "<svg" in html and 'dir="rtl"' in html and "@media print" in html
    assert "<script" not in html and "http-equiv" not in html
    assert 'src="http' not in html and "<link " not in html  # nothing fetched from the network
    assert "حماس" in html


def _chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
    return found


def test_html_report_renders_in_chromium(linked: CLI, tmp_path: Path) -> None:
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium not installed: apt-get install chromium")
    from PIL import Image, ImageStat

    out = tmp_path / "report.html"
    linked("report", "--format", "html", "--out", str(out))
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]  # fmt: skip
    dom = subprocess.run(
        [chromium, *flags, "--dump-dom", out.as_uri()], capture_output=True, text=True, timeout=120
    )
    assert (
        "Translation provenance report" in dom.stdout and "Hamas Confirms Resumption" in dom.stdout
    )
    shot = tmp_path / "report.png"
    subprocess.run([chromium, *flags, "--window-size=1280,1600", f"--screenshot={shot}", out.as_uri()],
                   capture_output=True, timeout=120, check=True)  # fmt: skip
    image = Image.open(shot).convert("L")
    assert image.size == (1280, 1600)
    assert ImageStat.Stat(image).stddev[0] > 10  # not a blank page


def _is_revision(record) -> bool:  # type: ignore[no-untyped-def]
    """wasRevisionOf is a derivation whose prov:type is prov:Revision."""
    return any("Revision" in str(t) for t in record.get_attribute("prov:type"))


def test_prov_export_reads_back(linked: CLI, tmp_path: Path) -> None:
    from prov.model import ProvDerivation, ProvDocument

    store = _store(linked)
    Review(store, "rania").confirm_link(
        store.links(translation_id=store.find_article(SEED).id)[0].id
    )
    out = tmp_path / "prov.json"
    linked("export", "--format", "prov-json", "--out", str(out))
    doc = ProvDocument.deserialize(out, format="json")
    derivations = [r for r in doc.get_records(ProvDerivation) if not _is_revision(r)]
    assert len(derivations) == 12  # every translation derived from its original
    records = {str(r.identifier) for r in doc.get_records() if r.identifier}
    assert {
        "pv:reviewer/rania",
        "pv:outlet/enab-baladi",
        "pv:outlet/the-syrian-observer",
    } <= records
    seed_id = store.find_article(SEED).id
    derived = {
        (
            str(r.get_attribute("prov:generatedEntity").pop()),
            str(r.get_attribute("prov:usedEntity").pop()),
        )
        for r in derivations
    }
    original_id = store.find_article("https://www.enabbaladi.net/archives/604512").id
    assert (f"pv:article/{seed_id}", f"pv:article/{original_id}") in derived
    again = ProvDocument.deserialize(content=doc.serialize(format="json"), format="json")
    assert again == doc
    provn = linked("export", "--format", "prov-n").stdout
    assert provn.startswith("document") and "wasDerivedFrom" in provn


def test_revisions_are_chained_in_prov(linked: CLI, tmp_path: Path) -> None:
    from prov.model import ProvDerivation, ProvDocument

    from tests.conftest import FIXTURES

    pair = json.loads((FIXTURES / "pairs" / "01-hamas-syria-relations.json").read_text("utf-8"))
    edited = dict(
        pair["translation"],
        paragraphs=[p.replace("12th", "13th") for p in pair["translation"]["paragraphs"]],
    )
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(edited), "utf-8")
    linked("ingest", str(path))
    doc = ProvDocument.deserialize(content=linked("export").stdout, format="json")
    assert any(_is_revision(r) for r in doc.get_records(ProvDerivation))


def test_jsonld_export(linked: CLI) -> None:
    data = json.loads(linked("export", "--format", "jsonld").stdout)
    assert data["@context"] == "https://schema.org"
    seed = next(n for n in data["@graph"] if n["url"] == SEED)
    assert (
        seed["@type"] == "NewsArticle"
        and seed["isBasedOn"] == "https://www.enabbaladi.net/archives/604512"
    )
    assert seed["translationOfWork"]["inLanguage"] == "ar"


MANY = 252
"""Stories of the long period: over the 200 that one HTML file holds (21 copies of the 12)."""


@pytest.fixture
def many(tmp_path_factory: pytest.TempPathFactory) -> CLI:
    return many_stories(tmp_path_factory)


def many_stories(tmp_path_factory: pytest.TempPathFactory) -> CLI:
    """The linked and aligned fixtures copied under new URLs and dates into MANY stories, with
    a few review decisions; built once a session (reports only read it)."""
    path = tmp_path_factory.getbasetemp() / "many" / "many.db"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        _build_many(path.with_suffix(".part"))  # a build that fails half-way is not reused
        path.with_suffix(".part").rename(path)
    return CLI(f"sqlite:///{path}")


def _build_many(path: Path) -> None:
    """bench/report.py's builder, so the tests and the benchmark read the same kind of period."""
    import importlib.util
    import sys

    from tests.conftest import ROOT

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec = importlib.util.spec_from_file_location("bench_report", ROOT / "bench" / "report.py")
        assert spec is not None and spec.loader is not None
        bench = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bench)
    finally:
        sys.path.remove(str(ROOT / "bench"))
    store = Store.open(f"sqlite:///{path}")
    bench.build(store, MANY)
    review = Review(store, "rania")
    high = [f for f in store.flags() if f.severity == "high" and f.status == "open"]
    for n, flag in enumerate(high[:40:5]):  # decisions spread over the period
        (review.accept_flag if n % 2 else review.dismiss_flag)(flag.id, "checked")
    store.close()


def _same_day(text: str) -> str:
    """The report without its generation time (two runs differ in it only)."""
    import re

    return re.sub(r"generated\W+\d{4}-\d\d-\d\dT[\d:+]+", "generated", text)


def test_streamed_reports_equal_the_reports_built_in_memory(many: CLI, tmp_path: Path) -> None:
    """JSON, CSV and Markdown of many stories, read from the store a few stories at a time
    and written as they come, equal the reports built whole in memory."""
    from provenance.csvout import csv_text
    from provenance.report import StoryReport, build_report, report_stories, start_report, write

    store = _store(many)
    whole = build_report(store)
    assert len(whole.stories) == MANY and any(s.decisions for s in whole.stories)
    memory = {
        "json": json.dumps(whole.to_json(), ensure_ascii=False, indent=2) + "\n",
        "csv": csv_text(
            (s.flat() for s in whole.stories),
            [c for c in StoryReport.__dataclass_fields__ if c != "side_by_side"],
        ),
        "md": many("report", "--format", "md").stdout,  # the CLI reads 1,000 stories a page
    }
    for fmt, expected in memory.items():
        streamed = io.StringIO()
        write(start_report(stories=report_stories(store, page=7)), fmt, streamed)
        assert _same_day(streamed.getvalue()) == _same_day(expected), fmt
        out = tmp_path / f"report.{fmt}"
        many("report", "--format", fmt, "--out", str(out))
        assert _same_day(out.read_bytes().decode("utf-8")) == _same_day(expected), fmt
    data = json.loads(many("report", "--format", "json").stdout)
    assert data["summary"]["stories"] == len(data["stories"]) == MANY
    rows = many("report").stdout.split("## Stories")[1].split("## Review decisions")
    assert rows[0].count("\n| 20") == MANY and rows[1].count("checked |") == 8


class _Watched:
    """Stories passed on one at a time, counting how many earlier ones are still alive."""

    def __init__(self, stories: Iterator[object]) -> None:
        self.stories, self.refs, self.most = stories, [], 0

    def __iter__(self) -> Iterator[object]:
        for story in self.stories:
            self.most = max(self.most, sum(ref() is not None for ref in self.refs))
            self.refs.append(weakref.ref(story))
            yield story


def test_reports_hold_a_few_stories_at_a_time(many: CLI, tmp_path: Path) -> None:
    """Every format, and the HTML report in pages, lets each story go once it is written:
    however long the period, a report never holds more than a handful of stories."""
    from provenance.report import report_stories, start_report, write, write_pages

    store = _store(many)
    for fmt in ("json", "csv", "md", "html", "pages"):
        side_by_side = fmt in ("html", "pages")
        watched = _Watched(report_stories(store, side_by_side=side_by_side, page=50))
        report = start_report(stories=iter(watched))  # type: ignore[arg-type]
        if fmt == "pages":
            write_pages(report, tmp_path / "index.html", tmp_path / "pages")
        else:
            write(report, fmt, io.StringIO())
        assert 0 < watched.most <= 12, (fmt, watched.most)  # the summary's ten that changed most
