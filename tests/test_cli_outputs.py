"""Outputs a spreadsheet, a script and a reader can use (issue 12, points 6 to 8): CSV on every
command that has ``--format``, JSON counts with every key, tables that say what they list.

The CLI runs through its entry point on real SQLite files (the fixture pairs linked and
aligned) and fetches from the fixture HTTP server.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from provenance import cli as cli_module
from provenance.cli.render import bare_url
from provenance.csvout import cell, csv_text
from provenance.text.segment import KINDS
from tests.conftest import CLI, FIXTURES, SEED
from tests.httpserver import Site, serve

QAMISHLI = "https://syrianobserver.com/news/79278/turkish-drone-strike-kills-three-sdf-members-near-qamishli.html"
FAST = ("--delay", "0", "--retries", "0")


@pytest.fixture
def linked(linked_db_url: str) -> CLI:
    """The CLI on a copy of the fixture pairs, linked and aligned."""
    return CLI(linked_db_url)


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as running:
        yield running


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 200-column terminal, so that a test reads cells rather than wrapped fragments."""
    monkeypatch.setattr(cli_module.out, "width", 200)


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def csv_of(run: CLI, *args: str) -> list[dict[str, str]]:
    return read_csv(run(*args, "--format", "csv").stdout)


# -- point 6: CSV everywhere -----------------------------------------------------------------


def test_cells_are_safe_for_a_spreadsheet() -> None:
    assert cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for risky in ("+1 555", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert cell(risky) == "'" + risky
    assert cell(-1.5) == -1.5 and cell(0) == 0  # numbers stay numbers
    assert cell(["a", "=b"]) == "a; =b" and cell(["=a", "b"]) == "'=a; b"
    assert cell({"number_mismatch": 2, "date_mismatch": 1}) == "number_mismatch=2; date_mismatch=1"
    assert cell(None) == "" and cell(True) == "true"
    assert csv_text([], ["id", "url"]) == "id,url\r\n"


def test_list_show_and_ingest_csv(cli: CLI, tmp_path: Path) -> None:
    evil = {
        "url": "https://www.enabbaladi.net/archives/999001",
        "lang": "ar",
        "title": '=HYPERLINK("http://evil.example","خبر")',
        "paragraphs": ["+963 رقم هاتف في حلب.", "فقرة ثانية عن الرقة."],
    }
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(evil, ensure_ascii=False), "utf-8")
    (ingested,) = csv_of(cli, "ingest", str(path))
    assert ingested == {"url": evil["url"], "id": "1", "status": "created", "revision": "1"}

    (listed,) = csv_of(cli, "list")
    assert listed["title"] == "'" + evil["title"] and listed["url"] == evil["url"]

    shown = csv_of(cli, "show", evil["url"])
    assert [row["index"] for row in shown] == [str(i) for i in range(len(shown))]
    assert {row["url"] for row in shown} == {evil["url"]}
    assert "'+963 رقم هاتف في حلب." in [row["text"] for row in shown]


def test_link_candidates_align_audit_and_eval_csv(linked: CLI) -> None:
    rows = csv_of(linked, "link", "--all", "--no-semantic")
    assert len(rows) == 12 and {r["decision"] for r in rows} <= set(cli_module.LINK_DECISIONS)
    hamas = next(r for r in rows if "79101" in r["translation"])
    assert hamas["original"] == "https://www.enabbaladi.net/archives/604512"
    assert hamas["original_outlet"] == "Enab Baladi" and hamas["original_title"]

    candidates = csv_of(linked, "candidates", QAMISHLI, "--no-semantic")
    assert candidates[0]["rank"] == "1" and candidates[0]["title"] and candidates[0]["outlet"]
    assert "; " in candidates[0]["matched_terms"]  # a list, joined, in one cell

    aligned = csv_of(linked, "align", "--all", "--force", "--no-semantic")
    assert len(aligned) == 12 and float(aligned[0]["coverage"]) > 0.5

    audit = {row["url"]: row for row in csv_of(linked, "audit")}
    assert audit[QAMISHLI]["reasons"] == "high_flags"
    assert "number_mismatch=" in audit[QAMISHLI]["high_flags"]

    scores = csv_of(linked, "eval", str(FIXTURES / "pairs"), "--no-semantic")
    assert [r["measure"] for r in scores[:3]] == ["alignment", "added", "dropped"]
    assert {r["method"] for r in scores} == {"ours"} and float(scores[0]["f1"]) > 0.9


def test_fetch_and_refresh_csv(cli: CLI, site: Site) -> None:
    rows = csv_of(cli, "fetch", f"{site.base}/page/so-hamas-relations.html", *FAST)
    assert [r["status"] for r in rows] == ["fetched"] and rows[0]["article_id"] == "1"
    refreshed = cli("refresh", "--format", "csv", *FAST).stdout
    assert read_csv(refreshed)[0]["status"] in ("fetched", "unchanged")


@pytest.mark.parametrize(
    "args",
    [["stats"], ["eval", str(FIXTURES / "pairs"), "--details", "--no-semantic"]],
    ids=["stats", "eval-details"],
)
def test_csv_is_refused_where_the_data_is_not_a_table(linked: CLI, args: list[str]) -> None:
    result = linked(*args, "--format", "csv", code=2)
    assert "--format csv" in result.stderr and "not a table" in result.stderr
    assert result.stdout == ""


# -- point 7: JSON counts carry every key ---------------------------------------------------


def test_link_decisions_carry_every_key(linked: CLI) -> None:
    decisions = linked.json("link", "--all", "--no-semantic")["decisions"]
    assert set(decisions) == {"auto", "suggested", "none", "kept"}
    assert sum(decisions.values()) == 12 and 0 in decisions.values()


def test_fetch_counts_carry_every_key(cli: CLI, site: Site) -> None:
    data = cli.json("fetch", f"{site.base}/page/so-hamas-relations.html", *FAST)
    assert data["counts"] == {"fetched": 1, "unchanged": 0, "failed": 0}


def test_stats_counts_every_paragraph_kind(cli: CLI) -> None:
    cli("ingest", str(SEED))
    kinds: dict[str, Any] = cli.json("stats")["paragraphs_by_kind"]
    assert set(kinds) == set(KINDS) and kinds["body"] > 0 and 0 in kinds.values()


# -- point 8: tables identify what they list ------------------------------------------------


def test_audit_table_shows_id_and_short_url_with_titles_ellipsised(linked: CLI) -> None:
    rows = linked.json("audit")
    table = linked("audit").stdout  # 80 columns, as CliRunner's terminal
    lines = table.splitlines()
    for row in rows:
        assert any(line.split()[:1] == [str(row["id"])] for line in lines), row["id"]
        assert row["url"].removeprefix("https://").removeprefix("www.")[:20] in table
    assert "…" in table and max(len(line.rstrip()) for line in lines) <= 80
    qamishli = next(r for r in rows if r["url"] == QAMISHLI)
    assert "Turkish Drone Strike" in table and qamishli["title"] not in table  # cut, with …


def test_link_and_align_listings_fit_the_terminal_and_list_every_story(
    linked: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`link --all` and `align --all` print a row per story, written line by line (a run over
    thousands of stories would otherwise wait seconds for the table's layout): URLs are cut
    with "…" to the terminal's width, both URL columns of link alike, the rest kept whole."""
    monkeypatch.setattr(cli_module.out, "width", 72)
    decisions = linked.json("link", "--all", "--no-semantic")["results"]
    aligned = linked.json("align", "--all", "--force", "--no-semantic")["aligned"]
    for args, header, rows in (
        (["link", "--all", "--no-semantic"], ["decision", "translation", "best", "original", "score"], decisions),
        (["align", "--all", "--force", "--no-semantic"], ["link", "translation", "groups", "flags", "coverage"], aligned),
    ):  # fmt: skip
        lines = linked(*args).stdout.splitlines()
        assert lines[0].split() == header
        assert len(lines) == 1 + len(rows) and max(len(line) for line in lines) <= 72
        for line, row in zip(lines[1:], rows, strict=True):
            cells = line.split()
            if args[0] == "align":
                assert cells[0] == str(row["link"]) and cells[2:] == [
                    str(row["groups"]), str(row["flags"]), f"{row['coverage']:.0%}"
                ]  # fmt: skip
                assert cells[1].endswith("…") and bare_url(row["translation"]).startswith(
                    cells[1][:-1]
                )
                assert cells[1].startswith(
                    "syrianobserver.com/news/"
                )  # no scheme: the number shows
            else:
                assert (
                    cells[0] == row["decision"]
                    and cells[-1] == f"{row['candidates'][0]['score']:.2f}"
                )
                translation, original = cells[1], cells[2]
                assert bare_url(row["translation"]).startswith(translation.removesuffix("…"))
                assert bare_url(row["candidates"][0]["url"]).startswith(original.removesuffix("…"))
                if translation.endswith("…") and original.endswith("…"):  # both cut: alike
                    assert abs(len(translation) - len(original)) <= 1


def test_candidates_table_shows_title_and_outlet_of_each(linked: CLI, wide: None) -> None:
    ranked = linked.json("candidates", QAMISHLI, "--no-semantic")["candidates"]
    table = linked("candidates", QAMISHLI, "--no-semantic").stdout
    for candidate in ranked:
        assert cli_module.ellipsis(candidate["title"], 60) in table
        assert (candidate["outlet"] or "") in table
    assert "c:" not in table and "p:" not in table  # shared anchors in words, not ids


def test_flag_evidence_is_in_the_words_of_the_texts(linked: CLI, wide: None) -> None:
    shown = linked("show", QAMISHLI).stdout
    assert "number_mismatch 1.5 million ≠ ٢٫٥ مليون" in shown
    assert "date_mismatch Thursday ≠ الجمعة" in shown
    for internal in ("place.", "wd:", "c:", "n:"):
        assert internal not in shown


def test_search_wildcards_are_letters(cli: CLI, tmp_path: Path) -> None:
    """``%`` and ``_`` in --search find themselves, not every article."""
    for n, title in enumerate(("Prices up 50% in Aleppo", "Bread queues in Hama", "file_name")):
        record = {"url": f"https://example.org/{n}", "lang": "en", "title": title,
                  "paragraphs": [f"Paragraph {n} of a story about {title}."]}  # fmt: skip
        (tmp_path / f"{n}.json").write_text(json.dumps(record), "utf-8")
    cli("ingest", str(tmp_path))
    assert [r["title"] for r in cli.json("list", "--search", "%")] == ["Prices up 50% in Aleppo"]
    assert [r["title"] for r in cli.json("list", "--search", "_")] == ["file_name"]
    assert len(cli.json("list", "--search", "in")) == 2
