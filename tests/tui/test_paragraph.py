"""Figures a mismatch flag names are shown red in the alignment view, as written on each side."""

from __future__ import annotations

from tui.widgets.paragraph import figure_keys, highlight


def _red(text: str, mismatched: set[str]) -> list[str]:
    line = highlight(text, set(), mismatched)
    return [line.plain[s.start : s.end] for s in line.spans if "red" in str(s.style)]


def test_the_figures_of_a_mismatch_are_red_on_both_sides() -> None:
    # a flag's evidence holds the words of the texts, as a reviewer reads them
    keys = figure_keys("1.5 million") | figure_keys("٢٫٥ مليون")
    assert _red("Damage was put at 1.5 million dollars.", keys) == ["1.5"]
    assert _red("وقدرت الأضرار بنحو ٢٫٥ مليون دولار.", keys) == ["٢٫٥"]
    assert _red("Prices rose by 3,800 pounds.", figure_keys("3,800")) == ["3,800"]
    assert _red("Prices rose by 3,800 pounds.", figure_keys("3500")) == []
