"""Hostile input (issue 13, point 1): a batch never dies of one record.

The corpus in tests/data/bad/ (one hostile input a file, the expected message of each in
expected.toml) is ingested together with the fixture pairs and with what cannot be a file in
git (FIFOs, link loops, an unreadable folder, a file name that is not UTF-8), through the real
``provenance`` entry point into a real SQLite file. Property-based tests then throw arbitrary
records, pages and paragraph lists at the reading boundary, extraction and alignment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance.errors import ProvenanceError
from provenance.formats import ARTICLE_SUFFIXES, read_file, record_from_json
from provenance.ingest import ingest_paths, prepare_article
from provenance.store import Store
from tests.conftest import CLI, FIXTURES, ROOT

BAD = ROOT / "tests" / "data" / "bad"
EXPECTED = tomllib.loads((BAD / "expected.toml").read_text("utf-8"))
PROVENANCE = Path(sys.executable).parent / "provenance"
IS_ROOT = os.geteuid() == 0


def test_the_corpus_is_large_and_every_file_has_its_expectation() -> None:
    named = set(EXPECTED["errors"]) | set(EXPECTED["stored"])
    on_disk = {p.name for p in BAD.iterdir() if p.name != "expected.toml"}
    assert named == on_disk
    assert len(EXPECTED["errors"]) >= 60


def _special_files(root: Path) -> dict[str, str]:
    """What git cannot hold, made here: path -> expected message."""
    special = {}
    os.mkfifo(root / "in-folder-fifo.json")
    special["in-folder-fifo.json"] = "not a regular file: a FIFO (named pipe)"
    (root / "self-loop.json").symlink_to(root / "self-loop.json")
    special["self-loop.json"] = "symbolic link loop"
    (root / "dangling.json").symlink_to(root / "nowhere.json")
    special["dangling.json"] = "broken symbolic link"
    (root / "sub").mkdir()
    (root / "sub" / "up").symlink_to(root)
    special["sub/up"] = "symbolic link loop (it leads back to a folder above it)"
    (root / os.fsdecode(b"name-\xff.json")).write_bytes(b"")
    special["name-\\xff.json"] = "empty file"
    locked = root / "locked"
    locked.mkdir()
    (locked / "inside.json").write_text("{}", "utf-8")
    locked.chmod(0)
    if not IS_ROOT:  # root reads any folder
        special["locked"] = "cannot read folder (Permission denied)"
    return special


def _run(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The real ``provenance`` entry point in its own process (a hang fails, not blocks)."""
    return subprocess.run(
        [str(PROVENANCE), "--db", db_url, *args],
        capture_output=True, text=True, timeout=300, errors="backslashreplace",
    )  # fmt: skip


def _stored_urls(db_url: str) -> set[str]:
    listed = _run(db_url, "list", "--limit", "0", "--json")
    return {row["url"] for row in json.loads(listed.stdout)}


def test_a_hostile_batch_stores_every_good_record_and_names_every_bad_one(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "bad"
    shutil.copytree(BAD, corpus, ignore=shutil.ignore_patterns("expected.toml"))
    special = _special_files(corpus)
    fifo = tmp_path / "named-fifo.jsonl"  # named on the command line: must not hang
    os.mkfifo(fifo)
    db = f"sqlite:///{tmp_path / 'hostile.db'}"
    try:
        run = _run(db, "ingest", str(corpus), str(fifo), str(FIXTURES / "pairs"))
    finally:
        (corpus / "locked").chmod(0o700)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "Traceback" not in output
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    for name, substrings in {**EXPECTED["errors"], **{k: [v] for k, v in special.items()}}.items():
        lines = [line for line in errors if f"{corpus}/{name}" in line]
        for substring in substrings:
            assert any(substring in line for line in lines), (name, substring, lines)
    assert any(f"{fifo}: not a regular file: a FIFO" in line for line in errors)

    clean = tmp_path / "clean.db"
    CLI(f"sqlite:///{clean}")("ingest", str(FIXTURES / "pairs"))
    stored = _stored_urls(db)
    assert _stored_urls(f"sqlite:///{clean}") <= stored  # every fixture article
    for name, urls in EXPECTED["stored"].items():
        for url in urls:
            assert any(url in s for s in stored), (name, url)


def test_cleaned_text_has_no_nul_and_no_lone_surrogate(cli: CLI) -> None:
    cli("ingest", str(BAD / "clean-nul-in-text.json"), str(BAD / "clean-lone-surrogate.json"))
    for url in (
        "https://www.enabbaladi.net/archives/bad-40",
        "https://www.enabbaladi.net/archives/bad-41",
    ):
        shown = json.dumps(cli.json("show", url), ensure_ascii=False)
        assert "\\u0000" not in shown and "\\ud8" not in shown and "\\udc" not in shown
    assert "إدلب \ufffd اليوم" in json.dumps(
        cli.json("show", "https://www.enabbaladi.net/archives/bad-41"), ensure_ascii=False
    )


@pytest.mark.postgres
def test_the_hostile_corpus_stores_alike_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    """NUL and lone surrogates are cleaned the same way on both databases: every record
    that SQLite stores, PostgreSQL stores, with the same text."""
    sqlite_url = f"sqlite:///{tmp_path / 'same.db'}"
    for db in (sqlite_url, pg_url):
        result = _run(db, "ingest", str(BAD))
        assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    on_sqlite, on_pg = _stored_urls(sqlite_url), _stored_urls(pg_url)
    assert on_sqlite == on_pg and len(on_pg) >= 12
    for url in (
        "https://www.enabbaladi.net/archives/bad-40",
        "https://www.enabbaladi.net/archives/bad-41",
    ):
        shown = [json.loads(_run(db, "show", url, "--json").stdout) for db in (sqlite_url, pg_url)]
        assert shown[0]["paragraphs"] == shown[1]["paragraphs"]


def test_utf16_with_a_bom_is_read_as_text(cli: CLI) -> None:
    result = cli("ingest", str(BAD / "utf16le-bom.txt"), str(BAD / "utf16be-bom.json"))
    assert "binary" not in result.stderr
    assert len(cli.json("list")) == 2


def test_errors_are_reported_as_they_happen(store: Store, tmp_path: Path) -> None:
    names = ["date-year-9999.json", "utf8-bom.json", "url-port-abc.json"]
    for name in names:
        shutil.copy(BAD / name, tmp_path / name)
    events: list[str] = []
    report = ingest_paths(
        store,
        [tmp_path / n for n in names],
        on_error=lambda message: events.append(f"error {message}"),
        on_file=lambda path: events.append(f"done {path.name}"),
    )
    assert [e.split()[0] for e in events] == ["error", "done", "done", "error", "done"]
    assert "date-year-9999.json: field 'published'" in events[0]
    assert "url-port-abc.json: field 'url'" in events[3]
    assert report.errors == [e.removeprefix("error ") for e in events if e.startswith("error")]


def test_a_story_over_a_limit_is_skipped_and_the_rest_go_on(
    cli: CLI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROVENANCE_MAX_PARAGRAPHS", "3")
    monkeypatch.setenv("PROVENANCE_MAX_PARAGRAPH_CHARS", "60")
    base = {"lang": "en", "title": "t"}
    rows = [
        {**base, "url": "https://example.org/long", "paragraphs": ["One.", "Two.", "Three.", "Four."]},
        {**base, "url": "https://example.org/wide", "paragraphs": ["word " * 20]},
        {**base, "url": "https://example.org/fits", "paragraphs": ["One.", "Two.", "Three."]},
    ]  # fmt: skip
    path = tmp_path / "limits.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    result = cli("ingest", str(path), code=1)
    assert (
        f"{path}:1: 4 paragraphs, over the limit of 3 (PROVENANCE_MAX_PARAGRAPHS)" in result.stderr
    )
    assert f"{path}:2: a paragraph of 99 characters, over the limit of 60" in result.stderr
    assert [row["url"] for row in cli.json("list")] == ["https://example.org/fits"]


def test_a_file_name_with_markup_is_printed_as_it_is(cli: CLI, tmp_path: Path) -> None:
    (tmp_path / "x[").mkdir()
    path = tmp_path / "x[" / "].json"  # the path reads ".../x[/].json": a closing tag to rich
    path.write_bytes(b"")
    from provenance.cli import app

    result = cli.runner.invoke(app, ["--db", cli.db_url, "ingest", str(path)])
    assert result.exit_code == 1 and f"{path}: empty file" in result.stderr


# -- properties: no exception escapes but the project's own one-line errors -----------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)  # fmt: skip
FIELD_VALUES = st.one_of(
    JSON,
    st.sampled_from(["http://[::1/x", "http://e.org:99999/", "javascript:x", "9999-12-31",
                     "0001-01-01T00:00:00+05:00", "\ud800", "a\x00b", "https://www.enabbaladi.net/a"]),
)  # fmt: skip
KEYS = ["url", "paragraphs", "text", "title", "lang", "outlet", "published", "author"]
ARTICLE_LIKE = st.dictionaries(st.sampled_from(KEYS), FIELD_VALUES, max_size=8) | st.fixed_dictionaries(
    {"url": st.text(max_size=40), "paragraphs": st.lists(st.text(max_size=60), max_size=5)},
    optional={"published": st.text(max_size=30), "lang": st.text(max_size=5)},
)  # fmt: skip
PAIR_LIKE = st.fixed_dictionaries(
    {"translation": ARTICLE_LIKE, "original": ARTICLE_LIKE},
    optional={"alignment": JSON, "flags": JSON, "distractors": JSON, "id": JSON},
)
FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.one_of(ARTICLE_LIKE, PAIR_LIKE, st.lists(ARTICLE_LIKE, max_size=3), JSON))
def test_any_json_record_is_read_or_refused_in_one_line(data: object) -> None:
    try:
        records = list(record_from_json(data, "x.json"))
    except ProvenanceError as error:
        assert "\n" not in str(error)
        return
    for record in records:
        if isinstance(record, ProvenanceError):
            continue
        for article in record.articles() if hasattr(record, "articles") else [record]:
            try:
                prepare_article(article)
            except ProvenanceError as error:
                assert "\n" not in str(error)


@FAST
@given(
    st.sampled_from(ARTICLE_SUFFIXES),
    st.binary(max_size=400) | st.text(max_size=200).map(str.encode),
)
def test_any_file_is_read_or_refused_in_one_line(suffix: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"f{suffix}"
        path.write_bytes(data)
        try:
            for record in read_file(path, 1_000_000):
                for article in record.articles() if hasattr(record, "articles") else [record]:
                    if not isinstance(article, ProvenanceError):
                        prepare_article(article)
        except ProvenanceError as error:
            assert "\n" not in str(error)


HTML = st.lists(
    st.sampled_from(["<p>", "</p>", "<html lang='ar'>", "<meta charset='x-bogus'>", "<article>",
                     "<link rel='canonical' href='http://[::1/x'>", "<time>9999-12-31</time>",
                     "<!--", "<![CDATA[", "\x00", "\ud800", "<script>", "<div class='date'>",
                     "15 September 2022", "قصف على إدلب", "Shelling on Idlib. "]) | st.text(max_size=20),
    max_size=30,
).map("".join)  # fmt: skip


@FAST
@given(HTML)
def test_any_page_is_extracted_or_refused_in_one_line(page: str) -> None:
    from provenance.extract import article_from_html

    for html in (page, page.encode("utf-8", "surrogatepass")):
        try:
            article = article_from_html(html, where="page.html", fallback_url="file:///page.html")
            prepare_article(article)
        except ProvenanceError as error:
            assert "\n" not in str(error)


PARAGRAPH_TEXT = st.text(max_size=80) | st.sampled_from(
    ["", "قصف على إدلب في 15 أيلول 2022", "Shelling on Idlib on 15 September 2022, 3,500 pounds",
     "الرئيس بشار الأسد", "President Bashar al-Assad", "\x00", "١٢٣٤"]
)  # fmt: skip
KINDS = st.sampled_from(["body", "standfirst", "read_also", "disclaimer", "boilerplate"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(PARAGRAPH_TEXT, KINDS), max_size=8),
    st.lists(st.tuples(PARAGRAPH_TEXT, KINDS), max_size=8),
)
def test_align_paragraphs_partitions_any_paragraph_lists(
    translation: list[tuple[str, str]], original: list[tuple[str, str]]
) -> None:
    from provenance.align import Paragraph, align_paragraphs

    t = [Paragraph(i, text, kind, "en") for i, (text, kind) in enumerate(translation)]
    o = [Paragraph(i, text, kind, "ar") for i, (text, kind) in enumerate(original)]
    groups = align_paragraphs(t, o)
    assert sorted(i for g in groups for i in g.translation) == list(range(len(t)))
    assert sorted(i for g in groups for i in g.original) == list(range(len(o)))
