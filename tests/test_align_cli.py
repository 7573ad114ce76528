"""`provenance align` and `show` on stored articles: incremental, and reviewer decisions stay."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from provenance.models import Flag
from tests.conftest import CLI, FIXTURES

SEED = "https://syrianobserver.com/news/79101/hamas-confirms-resumption-of-relations-with-regime-syrian-disregard.html"
ORIGINAL = "https://www.enabbaladi.net/archives/604512"


def test_align_stores_groups_and_flags_and_show_prints_them(cli: CLI) -> None:
    cli("ingest", str(FIXTURES / "pairs" / "01-hamas-syria-relations.json"))
    report = cli.json("align", SEED, "--original", ORIGINAL, "--no-semantic")
    (row,) = report["aligned"]
    assert row["groups"] >= 15 and row["flags"] >= 7 and row["coverage"] == 1.0
    shown = cli("show", SEED).stdout
    assert (
        "disclaimer" in shown
        and "read_also" in shown
        and "boilerplate" in shown
        and "matched" in shown
    )
    again = cli.json("align", "--all", "--no-semantic")
    assert again["aligned"] == [] and again["unchanged"] == 1


def test_a_dismissed_flag_survives_a_realignment(cli: CLI) -> None:
    from provenance.store import Store

    cli("ingest", str(FIXTURES / "pairs" / "01-hamas-syria-relations.json"))
    cli("align", SEED, "--original", ORIGINAL, "--no-semantic")
    store = Store.open(cli.db_url)
    with Session(store.engine) as session:
        flag = session.exec(select(Flag).where(Flag.kind == "read_also")).one()
        flag.status, flag.note = "dismissed", "house style"
        session.add(flag)
        session.commit()
    cli("align", SEED, "--force", "--no-semantic")
    flags = [f for f in store.flags() if f.kind == "read_also"]
    assert [(f.status, f.note) for f in flags] == [("dismissed", "house style")]


def test_align_needs_a_link(cli: CLI) -> None:
    cli("ingest", str(FIXTURES / "pairs" / "01-hamas-syria-relations.json"))
    result = cli("align", SEED, code=1)
    assert "no linked original" in result.stderr


def test_a_story_over_the_limit_is_skipped_and_the_others_aligned(
    cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("ingest", str(FIXTURES / "pairs"))
    cli("link", "--all", "--no-semantic")
    monkeypatch.setenv("PROVENANCE_MAX_ALIGN_CELLS", "150")
    result = cli("align", "--all", "--no-semantic", "--json", code=1)
    report = json.loads(result.stdout)
    assert report["skipped"] and report["aligned"]  # some over 150 pairs, some under
    assert len(report["skipped"]) + len(report["aligned"]) == 12
    for skipped in report["skipped"]:
        line = f"{skipped['translation']}: story skipped: "
        assert line in result.stderr and "over the limit of 150 pairs" in result.stderr
    assert "Traceback" not in result.stderr
    monkeypatch.delenv("PROVENANCE_MAX_ALIGN_CELLS")
    again = cli.json("align", "--all", "--no-semantic")  # the skipped ones, now under the limit
    assert len(again["aligned"]) == len(report["skipped"])
