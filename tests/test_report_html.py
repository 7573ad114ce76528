"""The report keeps severity apart (chrome and disclaimers are context), compares outlets and
flag kinds in a chart, names each original by outlet and title, and lays out in Chromium at
desktop and phone widths without dates or long URLs breaking the columns."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CLI, FIXTURES
from tests.test_audit_report import SEED, _chromium

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
