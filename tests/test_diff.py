"""`provenance diff` through its entry point: word by word, Arabic words replaced whole,
`[-old-]{+new+}` when piped and colours only on a real terminal (a pseudo-terminal here)."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from provenance.diff import Change, diff_texts, tokens, word_diff
from tests.conftest import CLI, FIXTURES

PAIR = FIXTURES / "pairs" / "02-syrian-pound-fuel-bread-prices.json"
URL = "https://www.enabbaladi.net/archives/601642"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def revised(cli: CLI, tmp_path: Path) -> CLI:
    """The Arabic original of a fixture pair in two revisions: "وحلب" became "وإدلب" and
    "7000" became "7500" in its first paragraph."""
    original = json.loads(PAIR.read_text("utf-8"))["original"]
    first = tmp_path / "v1.json"
    first.write_text(json.dumps(original, ensure_ascii=False), "utf-8")
    cli("ingest", str(first))
    edited = list(original["paragraphs"])
    assert "حاجز 7000 ليرة في أسواق دمشق وحلب." in edited[0]
    edited[0] = edited[0].replace("7000", "7500").replace("دمشق وحلب", "دمشق وإدلب")
    second = tmp_path / "v2.json"
    second.write_text(json.dumps(dict(original, paragraphs=edited), ensure_ascii=False), "utf-8")
    cli("ingest", str(second))
    return cli


def test_piped_diff_marks_whole_arabic_words(revised: CLI) -> None:
    shown = revised("diff", URL).stdout
    assert shown.startswith("revision 1 → 2\n")
    assert "حاجز [-7000-]{+7500+} ليرة في أسواق دمشق [-وحلب-]{+وإدلب+}." in shown
    assert "\x1b[" not in shown  # no colour codes in a pipe or a file
    # the rest of the text is printed once, unmarked
    assert shown.count("[-") == 2 and shown.count("{+") == 2
    assert "بلغ سعر مبيع الدولار في دمشق 7050 ليرة" in shown


def test_json_changes_are_whole_words(revised: CLI) -> None:
    data = revised.json("diff", URL, "--from", "1", "--to", "2")
    changed = [(c["op"], c["text"]) for c in data["changes"] if c["op"]]
    assert changed == [(-1, "7000"), (1, "7500"), (-1, "وحلب"), (1, "وإدلب")]
    assert "".join(c["text"] for c in data["changes"] if c["op"] != 1).startswith("عنب بلدي")


def _on_a_terminal(db_url: str, *args: str) -> str:
    """Run the installed ``provenance`` command with its output on a pseudo-terminal."""
    command = Path(sys.executable).parent / "provenance"
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(TERM="xterm-256color", COLUMNS="120")
    process = subprocess.Popen(
        [str(command), "--db", db_url, *args], stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=60) == 0, b"".join(chunks)
    return b"".join(chunks).decode("utf-8")


def test_colours_only_on_a_terminal(revised: CLI) -> None:
    coloured = _on_a_terminal(revised.db_url, "diff", URL)
    assert "\x1b[" in coloured and "[-" not in coloured and "{+" not in coloured
    plain = ANSI.sub("", coloured)
    assert "حاجز 70007500 ليرة" in plain  # both words shown, told apart by colour alone
    marked = _on_a_terminal(revised.db_url, "diff", URL, "--no-color")
    assert "\x1b[" not in marked and "[-7000-]{+7500+}" in marked


def test_word_diff_of_english_figures_and_ordinals() -> None:
    before = "Bread rose to 3,500 pounds in Aleppo on the 12th, officials said."
    after = "Bread rose to 3,800 pounds in Aleppo on the 13th, the council said."
    assert word_diff(diff_texts(before, after)) == (
        "Bread rose to [-3,500-]{+3,800+} pounds in Aleppo on the [-12th-]{+13th+}, "
        "[-officials-]{+the council+} said."
    )
    assert diff_texts("same text", "same text") == [Change(0, "same text")]


def test_tokens_give_the_text_back() -> None:
    text = "قالَ المُتحدّث: ٣٬٥٠٠ ليرة،\n\nand don't  split 3.5 million."
    assert "".join(tokens(text)) == text
    assert "المُتحدّث" in tokens(text) and "٣٬٥٠٠" in tokens(text) and "don't" in tokens(text)
