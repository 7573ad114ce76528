"""The README cannot drift from the code: every command, option and setting is documented."""

from __future__ import annotations

import re
from dataclasses import fields

import typer.main

from provenance.cli import app
from provenance.config import Settings, setting_docs
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")


def _commands() -> dict[str, object]:
    group = typer.main.get_group(app)
    return dict(group.commands)


def test_every_command_is_documented_with_its_options() -> None:
    for name, command in _commands().items():
        assert f"### `provenance {name}" in README, f"command {name} missing from the README"
        section = README.split(f"### `provenance {name}", 1)[1].split("\n### ", 1)[0]
        for param in command.params:  # type: ignore[attr-defined]
            for opt in param.opts:
                if opt.startswith("--") and opt != "--help":
                    assert opt in section, f"{name}: option {opt} missing from its README section"


def test_every_command_has_help_with_an_example() -> None:
    for name, command in _commands().items():
        assert command.help and "Example:" in command.help, name  # type: ignore[attr-defined]


def test_every_setting_is_documented() -> None:
    docs = setting_docs()
    for field in fields(Settings):
        if field.name == "extra":
            continue
        assert docs.get(field.name), f"setting {field.name} has no docstring"
        assert f"PROVENANCE_{field.name.upper()}" in README, (
            f"setting {field.name} missing from the README"
        )


def test_readme_examples_name_real_files() -> None:
    for path in re.findall(r"(?:fixtures|tests/data)/[\w./-]+\.(?:json|txt|html)", README):
        assert (ROOT / path).exists(), path
