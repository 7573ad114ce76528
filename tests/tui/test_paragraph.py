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


def _green(text: str, matched: set[str]) -> list[str]:
    line = highlight(text, matched, set())
    return [line.plain[s.start : s.end] for s in line.spans if "green" in str(s.style)]


def test_figures_are_read_in_every_written_form() -> None:
    # the word after a figure counts, Eastern digits are read, number words are figures
    assert _red("ومحلات من 7500 إلى 12 ألف ليرة", figure_keys("12 ألف")) == ["12"]
    assert _red("ومحلات من 7500 إلى 12 ألف ليرة", figure_keys("12")) == []
    assert _green("وعاد ٣٬٥٠٠ لاجئ", figure_keys("3,500")) == ["٣٬٥٠٠"]
    assert _green("Three civilians were killed.", figure_keys("ثلاثة")) == ["Three"]
    assert _green("قتل ثلاثة مدنيين", figure_keys("three")) == ["ثلاثة"]
    assert _green("on 15 September", figure_keys("15")) == []  # a day, not a figure
