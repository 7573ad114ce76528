"""What "verified" means (issue 12, points 1-3), through the CLI and the library.

One rule decides it (provenance.verification.unverified, which the store runs as SQL): the
audit, the story list's "unverified" filter, StoryRow.verified and the reports must agree on
every story, whatever state it is in: linked but never aligned, aligned, revised since, a
mismatch accepted or dismissed, resolved by a newer translation. Commands that only read never
create a database, and an unknown --outlet is an error naming the closest outlets.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from alembic import command

from provenance import db, verification
from provenance.errors import ConfigError
from provenance.ingest import ingest_paths
from provenance.pipeline import align_links, link_translations
from provenance.review import Review
from provenance.store import Store
from tests.conftest import CLI, FIXTURES

SEED = "https://syrianobserver.com/news/79101/hamas-confirms-resumption-of-relations-with-regime-syrian-disregard.html"
QAMISHLI = "https://syrianobserver.com/news/79278/turkish-drone-strike-kills-three-sdf-members-near-qamishli.html"
HAMAS_PAIR = FIXTURES / "pairs" / "01-hamas-syria-relations.json"
QAMISHLI_PAIR = FIXTURES / "pairs" / "11-qamishli-turkish-drone-strike.json"


@pytest.fixture(autouse=True)
def _no_semantic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVENANCE_SEMANTIC", "false")


def _audit(cli: CLI, *args: str) -> dict[str, dict[str, Any]]:
    return {row["url"]: row for row in cli.json("audit", *args)}


def _report(cli: CLI) -> dict[str, dict[str, Any]]:
    data = json.loads(cli("report", "--format", "json").stdout)
    return {story["url"]: story for story in data["stories"]}


def assert_one_rule(cli: CLI) -> set[str]:
    """The audit, the story list (its filter and StoryRow.verified) and the report agree;
    returns the URLs of the unverified stories."""
    store = Store.open(cli.db_url, create=False)
    try:
        audited = set(_audit(cli))
        filtered = {row.url for row in store.story_page(what="unverified", limit=10_000)}
        rows = store.story_page(limit=10_000)
        assert store.story_count("unverified") == len(filtered)
    finally:
        store.close()
    not_verified = {row.url for row in rows if not row.verified}
    reported = {url for url, s in _report(cli).items() if s["review"] == "unverified"}
    assert audited == filtered == not_verified == reported
    return audited


def _revise(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """The Qamishli translation with one phrase changed, as a file to ingest."""
    translation = json.loads(QAMISHLI_PAIR.read_text("utf-8"))["translation"]
    assert any(old in p for p in translation["paragraphs"])
    translation["paragraphs"] = [p.replace(old, new) for p in translation["paragraphs"]]
    path = tmp_path / name
    path.write_text(json.dumps(translation, ensure_ascii=False), "utf-8")
    return path


def _qamishli_flags(cli: CLI) -> dict[str, Any]:
    """The Qamishli story's high-severity flags by the translation's words."""
    store = Store.open(cli.db_url)
    try:
        story = store.find_article(QAMISHLI).id
        return {
            f.evidence["translation"]: f
            for f in store.flags(article_id=story)
            if f.severity == "high" and f.status == "open"
        }
    finally:
        store.close()


def _decide(cli: CLI, accept: dict[str, str], dismiss: list[str], reviewer: str) -> None:
    store = Store.open(cli.db_url)
    try:
        flags = _qamishli_flags(cli)
        review = Review(store, reviewer)
        for words, note in accept.items():
            review.accept_flag(flags[words].id, note)
        for words in dismiss:
            review.dismiss_flag(flags[words].id)
    finally:
        store.close()


# -- 1. linked, aligned on the current revisions, nothing high open or accepted ---------------


def test_linked_but_never_aligned_is_not_verified(cli: CLI) -> None:
    cli("ingest", str(HAMAS_PAIR), str(QAMISHLI_PAIR))
    cli("link", "--all")
    rows = _audit(cli)
    assert rows[SEED]["link_status"] == "auto" and "not_aligned" in rows[SEED]["reasons"]
    assert "not_aligned" in rows[QAMISHLI]["reasons"]
    assert assert_one_rule(cli) == {SEED, QAMISHLI}
    # a pipeline that linked and skipped align fails either gate, even on the seed alone
    cli("audit", "--fail-on", "flags", code=1)
    cli("audit", "--until", "2023-01-01", "--fail-on", "flags", code=1)
    cli("audit", "--until", "2023-01-01", "--fail-on", "unverified", code=1)
    assert set(_audit(cli, "--reason", "not_aligned")) == {SEED, QAMISHLI}

    cli("align", "--all")
    rows = _audit(cli)
    assert SEED not in rows  # auto-linked, aligned on both current revisions, nothing high open
    assert rows[QAMISHLI]["reasons"] == ["high_flags"]
    assert assert_one_rule(cli) == {QAMISHLI}
    assert _report(cli)[SEED]["review"] == "verified"
    cli("audit", "--until", "2023-01-01", "--fail-on", "flags", code=0)
    cli("audit", "--fail-on", "flags", code=1)  # Qamishli's mismatches are open
    assert _audit(cli, "--reason", "not_aligned") == {}


def test_a_side_revised_after_alignment_is_not_verified(cli: CLI, tmp_path: Path) -> None:
    cli("ingest", str(QAMISHLI_PAIR))
    cli("link", "--all")
    cli("align", "--all")
    _decide(cli, {}, ["Tal Hamis", "19", "1.5 million", "Thursday"], "omar")
    assert assert_one_rule(cli) == set()
    cli("audit", "--fail-on", "flags", code=0)
    cli("ingest", str(_revise(tmp_path, "edited.json", "Explosions were", "Loud explosions were")))
    assert _audit(cli)[QAMISHLI]["reasons"] == ["translation_changed"]
    assert assert_one_rule(cli) == {QAMISHLI}
    cli("audit", "--fail-on", "flags", code=1)
    cli("align", "--all")
    assert assert_one_rule(cli) == set()


# -- 2. accepted mismatches are confirmed errors until a newer translation resolves them -------


def test_accepted_mismatch_stays_until_a_newer_translation_resolves_it(
    cli: CLI, tmp_path: Path
) -> None:
    cli("ingest", str(QAMISHLI_PAIR))
    cli("link", "--all")
    cli("align", "--all")
    _decide(cli, {"1.5 million": "the Administration said 2.5 million"}, ["Tal Hamis", "19", "Thursday"], "rania")  # fmt: skip
    row = _audit(cli)[QAMISHLI]
    assert row["reasons"] == ["confirmed_mismatch"] and row["high_flags"] == {}
    assert row["confirmed_mismatches"] == {"number_mismatch": 1}
    assert assert_one_rule(cli) == {QAMISHLI}
    cli("audit", "--fail-on", "flags", code=1)
    audit_csv = next(csv.DictReader(io.StringIO(cli("audit", "--format", "csv").stdout)))
    assert audit_csv["confirmed_mismatches"] == "number_mismatch=1"
    table = cli("audit").stdout  # wrapped to the terminal: the words, not the line
    assert "confirmed_mismatch" in table and "(number_mismatch" in table

    # every format of the report names the reviewer and the decision of every decided flag
    story = _report(cli)[QAMISHLI]
    assert story["review"] == "unverified" and story["reasons"] == "confirmed_mismatch"
    assert story["confirmed_mismatches"] == {"number_mismatch": 1}
    decisions = {d["translation"]: d for d in story["decisions"]}
    accepted = decisions["1.5 million"]
    assert accepted["decision"] == "accepted" and accepted["reviewer"] == "rania"
    assert accepted["original"] == "٢٫٥ مليون" and accepted["resolved"] is False
    assert accepted["note"] == "the Administration said 2.5 million" and accepted["at"]
    assert {d["decision"] for k, d in decisions.items() if k != "1.5 million"} == {"dismissed"}
    assert "rania" in story["reviewed_by"]
    markdown = cli("report").stdout
    assert "## Review decisions" in markdown
    assert '| number_mismatch "1.5 million" ≠ "٢٫٥ مليون" | accepted | rania |' in markdown
    assert "unverified (confirmed_mismatch)" in markdown
    html = cli("report", "--format", "html").stdout
    assert "Review decisions" in html and "accepted</b> by rania" in html
    report_csv = next(csv.DictReader(io.StringIO(cli("report", "--format", "csv").stdout)))
    assert (
        'number_mismatch "1.5 million" ≠ "٢٫٥ مليون": accepted by rania' in report_csv["decisions"]
    )
    assert report_csv["review"] == "unverified"

    # a newer translation that still prints the wrong figure: still a confirmed error
    cli("ingest", str(_revise(tmp_path, "still.json", "Explosions were", "Loud explosions were")))
    cli("align", "--all")
    assert _audit(cli)[QAMISHLI]["reasons"] == ["confirmed_mismatch"]
    assert assert_one_rule(cli) == {QAMISHLI}

    # a newer translation with the right figure resolves it
    cli("ingest", str(_revise(tmp_path, "fixed.json", "1.5 million", "2.5 million")))
    assert _audit(cli)[QAMISHLI]["reasons"] == ["confirmed_mismatch", "translation_changed"]
    cli("align", "--all")
    assert assert_one_rule(cli) == set()
    cli("audit", "--fail-on", "flags", code=0)
    story = _report(cli)[QAMISHLI]
    resolved = next(d for d in story["decisions"] if d["translation"] == "1.5 million")
    assert story["review"] == "verified" and resolved["resolved"] is True
    assert resolved["decision"] == "accepted" and resolved["reviewer"] == "rania"
    assert "accepted (resolved by a later revision) | rania" in cli("report").stdout


def test_dismissed_flags_leave_the_audit(cli: CLI) -> None:
    cli("ingest", str(QAMISHLI_PAIR))
    cli("link", "--all")
    cli("align", "--all")
    _decide(cli, {"1.5 million": "wrong figure"}, [], "rania")
    assert _audit(cli)[QAMISHLI]["reasons"] == ["high_flags", "confirmed_mismatch"]
    store = Store.open(cli.db_url)
    flags = {
        f.evidence.get("translation"): f
        for f in store.flags(article_id=store.find_article(QAMISHLI).id)
    }
    Review(store, "omar").dismiss_flag(flags["1.5 million"].id, "the Administration's later figure")
    store.close()
    _decide(cli, {}, ["Tal Hamis", "19", "Thursday"], "omar")
    assert assert_one_rule(cli) == set()
    decisions = {d["translation"]: d for d in _report(cli)[QAMISHLI]["decisions"]}
    assert decisions["1.5 million"]["decision"] == "dismissed"
    assert decisions["1.5 million"]["reviewer"] == "omar"  # the latest decision, not the first
    # undoing omar's dismissals brings the open flags back
    store = Store.open(cli.db_url)
    review = Review(store, "omar")
    for _ in range(3):
        review.undo()
    store.close()
    assert _audit(cli)[QAMISHLI]["reasons"] == ["high_flags"]
    assert assert_one_rule(cli) == {QAMISHLI}


def test_review_decisions_in_the_linked_fixtures_follow_the_rule(linked_db_url: str) -> None:
    cli = CLI(linked_db_url)
    before = assert_one_rule(cli)
    store = Store.open(cli.db_url)
    qamishli = store.find_article(QAMISHLI).id
    review = Review(store, "auditor")
    for flag in store.flags(article_id=qamishli):
        if flag.severity == "high" and flag.status == "open":
            review.accept_flag(flag.id, "checked: the translation differs")
    store.close()
    assert _audit(cli)[QAMISHLI]["reasons"][0] == "confirmed_mismatch"
    assert "high_flags" not in _audit(cli)[QAMISHLI]["reasons"]
    assert assert_one_rule(cli) == before


def test_only_the_flags_of_the_storys_link_count(linked_db_url: str) -> None:
    """A wrong original a reviewer tried and rejected leaves its flags behind: they are not
    the story's, and the story list, the audit and the alignment view all follow its link."""
    cli = CLI(linked_db_url)
    store = Store.open(cli.db_url)
    seed = store.find_article(SEED).id
    right, wrong = store.links(translation_id=seed)[:2]
    review = Review(store, "rania")
    review.confirm_link(wrong.id)  # the runner-up, confirmed by mistake, and aligned
    align_links(store, translation=seed)
    wrong_high = [f for f in store.flags(link_id=wrong.id) if f.severity == "high"]
    assert wrong_high and all(f.status == "open" for f in wrong_high)
    assert store.aligned_pair(seed).link.id == wrong.id  # confirmed beats the auto link
    assert "high_flags" in _audit(cli)[SEED]["reasons"]
    review.reject_link(wrong.id)
    review.confirm_link(right.id)
    row = next(r for r in store.story_page(limit=100) if r.id == seed)
    shown = store.aligned_pair(seed)
    assert row.verified and row.high_flags == 0 and shown.link.id == right.id
    assert row.open_flags == sum(
        1 for f in shown.flags if f.status == "open" and f.severity != "low"
    )
    store.close()
    assert SEED not in assert_one_rule(cli)


def test_flags_accepted_before_the_migration_stay_confirmed(tmp_path: Path) -> None:
    """0007 stamps existing flags with their link's aligned translation revision."""
    store = Store.open(f"sqlite:///{tmp_path / 'old.db'}")
    ingest_paths(store, [QAMISHLI_PAIR])
    link_translations(store, everything=True)
    align_links(store, everything=True)
    story = store.find_article(QAMISHLI).id
    flag = next(
        f for f in store.flags(article_id=story) if f.evidence.get("translation") == "1.5 million"
    )
    Review(store, "rania").accept_flag(flag.id)
    cfg = db.alembic_config(store.engine)
    command.downgrade(cfg, "0006")
    command.upgrade(cfg, "head")
    row = store.story_page()[0]
    assert "confirmed_mismatch" in row.reasons and row.confirmed_flags == 1 and not row.verified
    store.close()


# -- 3. reading never creates a database; an unknown outlet is an error ------------------------

READING = [
    ["list"],
    ["show", "1"],
    ["audit"],
    ["audit", "--fail-on", "unverified"],
    ["report", "--format", "html"],
    ["export"],
    ["review"],
    ["stats"],
    ["candidates", "1"],
    ["diff", "1"],
]


@pytest.mark.parametrize("args", READING, ids=lambda args: " ".join(args))
def test_reading_commands_never_create_a_database(tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "typo" / "newsroom.db"
    missing.parent.mkdir(parents=True)
    cli = CLI(f"sqlite:///{missing}")
    result = cli(*args, code=1)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(missing) in lines[0] and "provenance init" in lines[0]
    assert "provenance ingest" in lines[0]
    assert not missing.exists() and list(missing.parent.iterdir()) == []


def test_init_and_ingest_still_create_one(tmp_path: Path) -> None:
    for args in (["init"], ["ingest", str(HAMAS_PAIR)]):
        path = tmp_path / f"{args[0]}.db"
        CLI(f"sqlite:///{path}")(*args)
        assert path.exists()
        assert CLI(f"sqlite:///{path}")("audit", "--json").exit_code == 0


def test_a_file_that_is_not_a_provenance_database(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    result = CLI(f"sqlite:///{empty}")("audit", code=1)
    assert "has no provenance schema" in result.stderr and "provenance init" in result.stderr
    text = tmp_path / "notes.txt"
    text.write_text("not a database, " * 100, "utf-8")
    result = CLI(f"sqlite:///{text}")("list", code=1)
    assert result.stderr.count("\n") == 1 and "cannot be read" in result.stderr
    assert text.read_text("utf-8") == "not a database, " * 100


def test_read_only_open_in_the_library(tmp_path: Path) -> None:
    path = tmp_path / "nothing.db"
    with pytest.raises(ConfigError, match="does not exist"):
        Store.open(f"sqlite:///{path}", create=False)
    assert not path.exists()
    Store.open(f"sqlite:///{path}").close()
    Store.open(f"sqlite:///{path}", create=False).close()


def test_unknown_outlet_lists_the_closest_names(linked_db_url: str) -> None:
    cli = CLI(linked_db_url)
    for args in (["list"], ["audit"], ["report"], ["export"]):
        result = cli(*args, "--outlet", "Enab Balady", code=1)
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1
        assert "no outlet named 'Enab Balady'" in result.stderr and "Enab Baladi" in result.stderr
    assert "The Syrian Observer" in cli("audit", "--outlet", "Syrian Observer", code=1).stderr
    far = cli("list", "--outlet", "zzzz", code=1).stderr
    assert "known outlets:" in far and "Enab Baladi" in far
    # an outlet's name in any case is the outlet
    assert cli.json("list", "--outlet", "enab baladi")
    assert cli.json("audit", "--outlet", "the syrian observer")


# -- the rule and the disclaimer phrases live outside the store ----------------------------


def test_the_rule_decides_plain_values_as_the_store_decides_stories() -> None:
    """The verified rule the store's SQL is built from, applied to one story's values."""
    checked = verification.StoryTerms(
        no_link=False, link_status="auto", shown=True, unaligned=False, high_flags=0,
        confirmed=0, original_changed=False, translation_changed=False,
    )  # fmt: skip
    assert not any(verification.unverified(checked).values())
    revised = replace(checked, link_status="suggested", translation_changed=True, high_flags=2)
    failed = [name for name, on in verification.unverified(revised).items() if on]
    assert failed == ["link_suggested", "high_flags", "translation_changed"]
    assert tuple(verification.unverified(revised)) == verification.UNVERIFIED_REASONS


def test_the_storys_own_disclaimer_is_named_beside_its_reasons(cli: CLI) -> None:
    """The Syrian Observer's "has not verified the content" line (a phrase of
    data/disclaimers.toml) is listed beside an unverified story's reasons; alone it decides
    nothing."""
    assert verification.says_unverified("The Syrian Observer HAS NOT VERIFIED the content")
    cli("ingest", str(HAMAS_PAIR))
    cli("link", "--all")
    assert _audit(cli)[SEED]["reasons"] == ["not_aligned", "self_disclaimer"]
    cli("align", "--all")
    assert SEED not in _audit(cli)
