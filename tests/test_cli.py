"""The command line, run in-process: commands, filters, and the JSON shapes the README documents."""

from __future__ import annotations

from tests.conftest import CLI, FIXTURES, SEED

SEED_URL = "https://syrianobserver.com/news/79101/hamas-confirms-resumption-of-relations-with-regime-syrian-disregard.html"


def test_init_creates_the_database(cli: CLI) -> None:
    result = cli("init")
    assert "database ready" in result.stderr


def test_ingest_json_report(cli: CLI) -> None:
    report = cli.json("ingest", str(FIXTURES / "pairs"))
    assert set(report) >= {
        "files",
        "created",
        "revised",
        "unchanged",
        "failed",
        "errors",
        "articles",
    }
    assert report["failed"] == 0 and report["created"] > 0
    again = cli.json("ingest", str(FIXTURES / "pairs"))
    assert (
        again["created"] == 0 and again["revised"] == 0 and again["unchanged"] == report["created"]
    )


def test_list_filters(cli: CLI) -> None:
    cli("ingest", str(FIXTURES / "pairs"))
    everything = cli.json("list", "--limit", "0")
    arabic = cli.json("list", "--lang", "ar", "--limit", "0")
    english = cli.json("list", "--lang", "en", "--limit", "0")
    assert len(arabic) + len(english) == len(everything) > 0
    assert {row["lang"] for row in arabic} == {"ar"}
    enab = cli.json("list", "--outlet", "enab baladi", "--limit", "0")
    assert enab and {row["outlet"] for row in enab} == {"Enab Baladi"}
    window = cli.json("list", "--since", "2022-09-01", "--until", "2022-10-01", "--limit", "0")
    assert window and all("2022-09" in row["published"] for row in window)
    assert set(everything[0]) == {
        "id",
        "url",
        "outlet",
        "lang",
        "published",
        "title",
        "credit",
        "revisions",
        "paragraphs",
    }
    dates = [row["published"] or "" for row in everything]
    assert dates == sorted(dates, reverse=True)


def test_list_csv(cli: CLI) -> None:
    cli("ingest", str(FIXTURES / "pairs"))
    lines = cli("list", "--format", "csv", "--lang", "en").stdout.splitlines()
    assert lines[0].startswith("id,url,outlet,lang,published,title")
    assert len(lines) > 1


def test_show_seed_by_url(cli: CLI) -> None:
    cli("ingest", str(FIXTURES / "pairs"))
    shown = cli.json("show", SEED_URL)
    assert shown["url"] == SEED_URL and shown["credit"] == "Enab Baladi"
    kinds = [p["kind"] for p in shown["paragraphs"]]
    assert kinds[0] == "boilerplate" and kinds[-1] == "boilerplate"
    assert {"standfirst", "title_repeat", "read_also", "disclaimer", "body"} <= set(kinds)
    assert set(shown["paragraphs"][0]) == {"index", "kind", "lang", "credit", "text", "learnt"}
    table = cli("show", SEED_URL + "?utm_source=x").stdout  # the URL as a reader copied it
    assert "standfirst (Enab Baladi)" in table and "read_also" in table


def test_show_unknown_article(cli: CLI) -> None:
    cli("init")
    result = cli("show", "https://example.com/nope", code=1)
    assert "no article 'https://example.com/nope'" in result.stderr


def test_seed_text_file(cli: CLI) -> None:
    report = cli.json("ingest", str(SEED))
    shown = cli.json("show", str(report["articles"][0]["id"]))
    assert shown["outlet"] == "The Syrian Observer"
    assert shown["title"].startswith("Hamas Confirms")


def test_stats(cli: CLI) -> None:
    cli("ingest", str(FIXTURES / "pairs"))
    data = cli.json("stats")
    assert data["articles"] == sum(row["articles"] for row in data["by_outlet"])
    assert data["paragraphs_by_kind"]["body"] > 0
