"""People's names: read from a given name outward, and flagged when half a name changed."""

from __future__ import annotations

import pytest

from provenance.align import Group, Paragraph
from provenance.flags import flags_for_alignment
from provenance.text.persons import person_names


def name_flags(english: str, arabic: str) -> list[dict[str, str]]:
    t = [Paragraph(0, english, "body", "en")]
    o = [Paragraph(0, arabic, "body", "ar")]
    flags = flags_for_alignment([Group((0,), (0,), "linked")], t, o)
    return [f.evidence for f in flags if f.kind == "name_mismatch"]


def test_a_name_runs_from_the_given_name_through_one_family_name() -> None:
    names = person_names("Spokesman Abu Yasser al-Hamwi told reporters on Monday.", "en")
    assert [n.written for n in names] == ["Abu Yasser al-Hamwi"]
    names = person_names("وقال المتحدث أبو ياسر الحموي للصحفيين إن", "ar")
    assert [n.written for n in names] == ["أبو ياسر الحموي"]


def test_arabic_words_that_only_look_like_names_start_no_certain_name() -> None:
    # لصالح "in favour of", على "on", كامل "whole": ordinary words, not Saleh, Ali or Kamil
    names = person_names("تقدمت القوات لصالح النظام على كامل الأراضي", "ar")
    assert all(not n.certain for n in names)
    assert not any(n.written.startswith("على") for n in names)


def test_a_headline_in_title_case_names_no_one() -> None:
    assert person_names("Ahmed Khaled Returns Home After Ten Years Abroad", "en") == []


def test_same_given_name_with_another_family_is_a_name_mismatch() -> None:
    flags = name_flags(
        "Yasser al-Hamwi, a member of the local council, said the bakery had closed.",
        "قال ياسر الحلبي، عضو المجلس المحلي، إن الفرن أغلق.",
    )
    assert flags == [{"translation": "Yasser al-Hamwi", "original": "ياسر الحلبي"}]


def test_same_family_with_another_given_name_is_a_name_mismatch() -> None:
    flags = name_flags(
        "Commander Abu Yasser al-Halabi said the convoy left at dawn.",
        "قال القائد أبو هشام الحلبي إن القافلة غادرت فجراً.",
    )
    assert flags == [{"translation": "Abu Yasser al-Halabi", "original": "أبو هشام الحلبي"}]


@pytest.mark.parametrize(
    ("english", "arabic"),
    [
        # transliteration variants of one family name
        ("Osama Kaddour said the well was dry.", "قال أسامة قدور إن البئر جافة."),
        ("Anas al-Golani said the well was dry.", "قال أنس الجولاني إن البئر جافة."),
        ("Hisham Makhlouf said the well was dry.", "قال هشام مخلوف إن البئر جافة."),
        # one word in English, two in Arabic
        (
            "Minister Yasser Karakaya said the border was shut.",
            "قال الوزير ياسر قره كايا إن الحدود أغلقت.",
        ),
        # the translation drops the family name, or the given name
        ("Yasser said the border was shut.", "قال ياسر الحموي إن الحدود أغلقت."),
        ("Al-Hamwi said the border was shut.", "قال ياسر الحموي إن الحدود أغلقت."),
        # two different people, one added for context: not a changed name
        ("Yasser al-Hamwi met Hisham Qabbani.", "التقى ياسر الحموي بهشام قباني."),
    ],
)
def test_one_person_in_two_spellings_raises_no_flag(english: str, arabic: str) -> None:
    assert name_flags(english, arabic) == []
