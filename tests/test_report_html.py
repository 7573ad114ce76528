"""The report keeps severity apart (chrome and disclaimers are context), compares outlets and
flag kinds in a chart, names each original by outlet and title, and lays out in Chromium at
desktop and phone widths without dates or long URLs breaking the columns."""

from __future__ import annotations

import json
import os
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import CLI, FIXTURES
from tests.test_audit_report import MANY, SEED, _chromium, many_stories

LONG_URL = (
    "https://levant-wire.example/2022/09/17/hamas-confirms-resumption-of-relations-with-the-"
    "syrian-regime-while-damascus-keeps-silent-about-the-statement-and-its-consequences"
)
CONTEXT = {"boilerplate", "read_also", "disclaimer", "attribution", "translator_note"}


@pytest.fixture
def two_outlets(linked_db_path: Path, tmp_path: Path) -> CLI:
    """The linked fixtures and a second outlet that ran one of the stories under a long URL."""
    cli = CLI(f"sqlite:///{linked_db_path}")
    pair = json.loads((FIXTURES / "pairs" / "01-hamas-syria-relations.json").read_text("utf-8"))
    story = dict(pair["translation"], url=LONG_URL, outlet="Levant Wire")
    path = tmp_path / "levant.json"
    path.write_text(json.dumps(story, ensure_ascii=False), "utf-8")
    cli("ingest", str(path))
    cli("link", LONG_URL)
    cli("align", LONG_URL)
    return cli


def test_json_counts_context_apart_from_problems(two_outlets: CLI) -> None:
    data = json.loads(two_outlets("report", "--format", "json").stdout)
    summary = data["summary"]
    kinds = summary["flag_kinds"]
    severity = summary["flag_severity"]
    assert set(severity) == {"high", "medium", "low", "context"}
    assert severity["context"] == sum(n for k, n in kinds.items() if k in CONTEXT) > 0
    assert severity["high"] == sum(
        kinds.get(k, 0) for k in ("number_mismatch", "date_mismatch", "name_mismatch")
    )
    for row in summary["by_outlet"].values():
        assert row["high"] + row["medium"] + row["low"] + row["context"] == row["open_flags"]
    for kinds_of_outlet in summary["problems_by_outlet"].values():
        assert not CONTEXT & set(kinds_of_outlet)
    seed = next(s for s in data["stories"] if s["url"] == SEED)
    assert seed["original_outlet"] == "Enab Baladi"
    assert seed["original_title"].startswith("حماس تؤكد استئناف العلاقات")
    assert seed["open_by_severity"]["context"] > 0


def test_html_report_names_originals_and_compares_outlets(two_outlets: CLI, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    two_outlets("report", "--format", "html", "--out", str(out))
    html = out.read_text("utf-8")
    assert ">auto</a>" not in html  # the original is named, not its link status
    assert "حماس تؤكد استئناف العلاقات" in html and "auto-linked 0.9" in html
    chart = html[html.index("<svg") : html.index("</svg>")]
    assert "Levant Wire" in chart and "The Syrian Observer" in chart
    assert "Levant Wire: " in chart and "number_mismatch</title>" in chart
    assert not any(f" {kind}</title>" in chart for kind in CONTEXT)  # context is not a bar
    assert "context, not a problem" in html  # a boilerplate group in the side-by-side
    markdown = two_outlets("report").stdout
    assert "| boilerplate | context |" in markdown and "Enab Baladi: [حماس تؤكد" in markdown


_MEASURE = """<script>
addEventListener("load", () => {
  const doc = frames[0].document, view = frames[0];
  const lines = (el) => { const r = doc.createRange(); r.selectNodeContents(el);
    return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size; };
  const result = {
    width: view.innerWidth,
    overflow: doc.documentElement.scrollWidth - view.innerWidth,
    dates_wrapped: [...doc.querySelectorAll("td.date")].filter((td) => lines(td) > 1).length,
    dates: doc.querySelectorAll("td.date").length,
    urls_outside: [...doc.querySelectorAll("a.url")].filter((a) => {
      const box = a.closest("section").getBoundingClientRect();
      return [...a.getClientRects()].some((r) => r.right > box.right + 1); }).length,
    urls: doc.querySelectorAll("a.url").length,
    chart_width: doc.querySelector("svg.chart").getBoundingClientRect().width,
  };
  const pre = document.createElement("pre"); pre.id = "measured";
  pre.textContent = JSON.stringify(result); document.body.append(pre);
});
</script>"""


def _framed(html: Path, width: int) -> Path:
    """The report in an iframe ``width`` CSS pixels wide: headless Chromium's window is never
    narrower than 500, a phone is 375. The frame is same-origin (srcdoc), so a script of the
    wrapper measures the report's layout while the report itself stays script-free."""
    from html import escape

    page = html.with_name(f"framed-{width}.html")
    page.write_text(
        '<!doctype html><html><body style="margin:0">'
        f'<iframe srcdoc="{escape(html.read_text("utf-8"), quote=True)}" '
        f'style="border:0;width:{width}px;height:1600px"></iframe>{_MEASURE}</body></html>',
        "utf-8",
    )
    return page


def _measure(chromium: str, flags: list[str], page: Path, width: int) -> dict[str, float]:
    """Lay the framed report out in Chromium and read the measures the wrapper wrote."""
    dom = subprocess.run(
        [chromium, *flags, f"--window-size={max(width, 500)},1600", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    start = dom.stdout.index('<pre id="measured">') + len('<pre id="measured">')
    return json.loads(dom.stdout[start : dom.stdout.index("</pre>", start)])


@pytest.mark.parametrize("width", [1280, 375])
def test_report_lays_out_in_chromium(two_outlets: CLI, tmp_path: Path, width: int) -> None:
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium not installed: apt-get install chromium")
    from PIL import Image, ImageStat

    out = tmp_path / "report.html"
    two_outlets("report", "--format", "html", "--out", str(out))
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}"]  # fmt: skip
    page = _framed(out, width)
    measured = _measure(chromium, flags, page, width)
    assert measured["width"] == width, measured
    assert measured["overflow"] <= 0, measured  # nothing pushes the page wider than the window
    assert measured["dates"] == 13 and measured["dates_wrapped"] == 0, measured
    assert measured["urls"] >= 13 and measured["urls_outside"] == 0, measured
    assert min(600, width * 0.8) <= measured["chart_width"] <= 600, measured  # fits the page
    shot = tmp_path / f"report-{width}.png"
    subprocess.run([chromium, *flags, f"--window-size={max(width, 500)},1600", f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, timeout=120, check=True)  # fmt: skip
    image = Image.open(shot).crop((0, 0, width, 1600))
    assert ImageStat.Stat(image.convert("L")).stddev[0] > 10  # not a blank page
    if keep := os.environ.get("PROVENANCE_KEEP_SCREENSHOTS"):
        image.save(Path(keep) / shot.name)


@pytest.fixture
def many(tmp_path_factory: pytest.TempPathFactory) -> CLI:
    """A period of MANY stories, more than one HTML file holds."""
    return many_stories(tmp_path_factory)


class _Anchors(HTMLParser):
    """The links and element ids of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.hrefs.append(found["href"] or "")
        if found.get("id"):
            self.ids.add(found["id"] or "")


def _anchors(page: Path) -> _Anchors:
    parser = _Anchors()
    parser.feed(page.read_text("utf-8"))
    return parser


def test_long_period_is_a_summary_page_and_pages_beside_it(
    many: CLI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over 200 stories, `--out year.html` is the summary page and year_pages/ holds the rest
    of the stories table and the side-by-side sections: every page self-contained and small,
    every link between them resolving to a page and an element that exist."""
    import provenance.report

    monkeypatch.setattr(provenance.report, "TABLE_ROWS", 100)  # the table on three pages
    out = tmp_path / "year.html"
    wrote = many("report", "--format", "html", "--out", str(out)).stderr
    folder = tmp_path / "year_pages"
    assert f"wrote {out} and 8 pages in {folder}" in wrote
    tables = [out, folder / "stories-2.html", folder / "stories-3.html"]
    sections = [folder / f"side-by-side-{n}.html" for n in range(1, 7)]  # 50 stories a page
    assert sorted(folder.iterdir()) == sorted(tables[1:] + sections)
    ids: list[str] = []
    for page in tables + sections:
        html = page.read_text("utf-8")
        assert page.stat().st_size < 1_500_000, page  # the 10,000-story benchmark: under 5 MB
        assert html.startswith("<!doctype html>") and "<style>" in html and "</html>" in html
        assert "<script" not in html and "<link " not in html and 'src="http' not in html
        anchors = _anchors(page)
        ids += [i for i in anchors.ids if i.startswith("story-")]
        for href in anchors.hrefs:
            if href.startswith(("http://", "https://")):
                continue
            target, _, fragment = href.partition("#")
            resolved = (page.parent / target).resolve() if target else page
            assert resolved.is_file(), (page.name, href)
            assert not fragment or fragment in _anchors(resolved).ids, (page.name, href)
    assert len(ids) == len(set(ids)) == MANY  # every story's section, once
    rows = sum(page.read_text("utf-8").count('<td class="date"') for page in tables)
    assert rows == MANY
    summary = out.read_text("utf-8")
    assert f"<b>{MANY}</b>stories" in summary and "<svg" in summary  # totals and the chart
    assert 'href="year_pages/stories-2.html">2</a>' in summary
    second = tables[1].read_text("utf-8")
    assert "stories, page 2 of 3" in second and 'href="../year.html">summary</a>' in second
    assert 'aria-current="page">2</b>' in second


def test_short_period_stays_one_file_and_a_folder_always_gets_pages(
    many: CLI, tmp_path: Path
) -> None:
    short = ("--until", "2024-01-01")
    count = json.loads(many("report", "--format", "json", *short).stdout)["summary"]["stories"]
    assert 0 < count <= 200
    week = tmp_path / "week.html"
    assert "KB)" in many("report", "--format", "html", *short, "--out", str(week)).stderr
    assert week.read_text("utf-8").count('<section class="story"') == count
    assert sorted(tmp_path.iterdir()) == [week]  # no folder of pages beside it
    stdout = many("report", "--format", "html", *short).stdout
    assert stdout.count('<section class="story"') == count
    folder = tmp_path / "report"  # a new name without an extension is a folder
    many("report", "--format", "html", *short, "--out", str(folder))
    assert (folder / "index.html").is_file()
    assert (folder / "pages" / "side-by-side-1.html").is_file()
    refused = many("report", "--format", "html", code=1)  # 252 stories on standard output
    assert refused.stdout == ""
    assert refused.stderr.strip() == (
        f"error: {MANY} stories make an HTML report of several pages, more than one file holds "
        "(200): give --out a folder, e.g. --out report"
    )


def test_summary_page_of_a_long_period_in_chromium(many: CLI, tmp_path: Path) -> None:
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium not installed: apt-get install chromium")
    from PIL import Image, ImageStat

    from provenance.report import TABLE_ROWS

    folder = tmp_path / "year"
    many("report", "--format", "html", "--out", str(folder))
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}"]  # fmt: skip
    measured = _measure(chromium, flags, _framed(folder / "index.html", 1280), 1280)
    assert measured["overflow"] <= 0 and measured["dates"] == TABLE_ROWS < MANY, measured
    assert measured["dates_wrapped"] == 0 and measured["chart_width"] == 600, measured
    for page in (folder / "index.html", folder / "pages" / "side-by-side-2.html"):
        shot = tmp_path / f"{page.stem}.png"
        subprocess.run([chromium, *flags, "--window-size=1280,1600", f"--screenshot={shot}", page.as_uri()],
                       capture_output=True, timeout=120, check=True)  # fmt: skip
        image = Image.open(shot)
        assert ImageStat.Stat(image.convert("L")).stddev[0] > 10  # not a blank page
        if keep := os.environ.get("PROVENANCE_KEEP_SCREENSHOTS"):
            image.save(Path(keep) / f"long-{shot.name}")
