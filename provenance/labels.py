"""How a flag reads in one line, shared by the CLI (``provenance show``) and the review UI, so
that a reviewer sees the same words in both: ``number_mismatch 5 ≠ ٦ (dismissed: typo)``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from provenance.vocab import FlagStatus


def mismatch_detail(kind: str, evidence: Mapping[str, Any]) -> str:
    """The two values a mismatch flag compares, ``translation ≠ original``; other kinds have
    none ("")."""
    if "mismatch" not in kind:
        return ""
    return f"{evidence.get('translation')} ≠ {evidence.get('original')}"


def flag_label(
    kind: str,
    evidence: Mapping[str, Any],
    status: str = FlagStatus.open,
    note: str | None = None,
) -> str:
    """The flag's kind, what it compares, and the reviewer's decision when it is not open
    (with the note, when one is given: the UI shows it, the CLI table leaves it out)."""
    detail = mismatch_detail(kind, evidence)
    label = kind + (f" {detail}" if detail else "")
    if status != FlagStatus.open:
        label += f" ({status}{': ' + note if note else ''})"
    return label
