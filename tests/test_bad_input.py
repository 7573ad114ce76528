"""Bad input: one clear line naming the file and the problem; the rest of the batch goes on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CLI, FIXTURES

GOOD = {
    "url": "https://www.enabbaladi.net/archives/777",
    "lang": "ar",
    "title": "خبر",
    "paragraphs": ["فقرة عن حلب."],
}


def _bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    files: dict[str, tuple[Path, str]] = {}

    def add(name: str, data: bytes, expect: str) -> None:
        path = tmp / name
        path.write_bytes(data)
        files[name] = (path, expect)

    add("empty.json", b"", "empty file")
    add("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file")
    add(
        "broken.json",
        b'{\n  "url": "https://x.org/1",\n  "paragraphs": ["a"\n}',
        "invalid JSON at line 4",
    )
    add("notes.docx", b"PK\x03\x04 not really a document", "unknown format '.docx'")
    add("digits.txt", b"12345 678\n\n2022 - 09 - 15 // 3,500", "no detectable language")
    add("shape.json", json.dumps({"hello": "world"}).encode(), "neither an article")
    pair = json.loads((sorted((FIXTURES / "pairs").glob("*.json"))[0]).read_text("utf-8"))
    pair["alignment"] = pair["alignment"][1:]  # one group lost: no longer a partition
    add("pair.json", json.dumps(pair, ensure_ascii=False).encode(), "alignment is not a partition")
    big = tmp / "huge.txt"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    files["huge.txt"] = (big, "over the 10 MB limit")
    return files


def test_each_bad_file_gets_one_line_and_the_rest_are_stored(cli: CLI, tmp_path: Path) -> None:
    bad = _bad_files(tmp_path)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(GOOD, ensure_ascii=False), "utf-8")
    # a directory is scanned for known suffixes; a file named explicitly is always read
    result = cli("ingest", str(tmp_path), str(bad["notes.docx"][0]), code=1)
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == len(bad)
    for name, (path, expect) in bad.items():
        (line,) = [line for line in lines if str(path) in line]
        assert expect in line, (name, line)
    assert cli.json("list")[0]["url"] == GOOD["url"]


@pytest.mark.parametrize("name", ["empty.json", "broken.json", "pair.json", "huge.txt"])
def test_a_single_bad_file_exits_non_zero(cli: CLI, tmp_path: Path, name: str) -> None:
    path, expect = _bad_files(tmp_path)[name]
    result = cli("ingest", str(path), code=1)
    assert expect in result.stderr
    assert cli.json("list") == []  # nothing half-written


def test_a_bad_jsonl_line_names_its_line_and_keeps_the_others(cli: CLI, tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    other = {**GOOD, "url": "https://www.enabbaladi.net/archives/778"}
    path.write_text(json.dumps(GOOD) + "\n{not json}\n" + json.dumps(other) + "\n", "utf-8")
    result = cli("ingest", str(path), code=1)
    assert f"{path}:2: invalid JSON at line 2" in result.stderr
    assert len(cli.json("list")) == 2


def test_missing_file(cli: CLI, tmp_path: Path) -> None:
    result = cli("ingest", str(tmp_path / "nope.json"), code=1)
    assert "nope.json: no such file" in result.stderr


def test_a_database_error_is_one_line(cli: CLI, tmp_path: Path) -> None:
    result = CLI(f"sqlite:///{tmp_path}/missing/dir/x.db")("list", code=1)
    assert result.stderr.count("\n") <= 2 and "does not exist" in result.stderr
