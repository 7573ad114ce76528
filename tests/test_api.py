"""The public API is what __all__ says, and importing the core loads no UI."""

from __future__ import annotations

import subprocess
import sys

import provenance


def test_all_is_sorted_and_exported() -> None:
    assert provenance.__all__ == sorted(provenance.__all__)
    for name in provenance.__all__:
        assert hasattr(provenance, name), name


def test_importing_the_core_does_not_load_textual_or_typer() -> None:
    code = "import sys, provenance, provenance.ingest, provenance.store; print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'typer', 'tui')))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
