"""A flag in one line (provenance/labels.py): what ``provenance show`` prints beside a group,
and the words the review UI uses for the same flag."""

from __future__ import annotations

from provenance.labels import flag_label, mismatch_detail

FIGURES = {"translation": "1.5 million", "original": "٢٫٥ مليون"}


def test_a_mismatch_shows_both_values_and_other_kinds_only_their_name() -> None:
    assert flag_label("number_mismatch", FIGURES) == "number_mismatch 1.5 million ≠ ٢٫٥ مليون"
    assert flag_label("dropped", {}) == "dropped"
    assert mismatch_detail("added", FIGURES) == ""


def test_a_decided_flag_says_the_decision_and_the_note_when_asked() -> None:
    assert flag_label("dropped", {}, "accepted") == "dropped (accepted)"
    assert (
        flag_label("number_mismatch", FIGURES, "dismissed", "a typo in the original")
        == "number_mismatch 1.5 million ≠ ٢٫٥ مليون (dismissed: a typo in the original)"
    )
    assert flag_label("dropped", {}, "open", "ignored while open") == "dropped"
