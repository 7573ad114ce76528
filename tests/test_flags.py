"""Flags on constructed pairs: additions by kind, drops, mismatches, moved, condensed."""

from __future__ import annotations

from provenance.align import Group, Paragraph
from provenance.flags import flags_for_alignment


def en(*texts: str, kinds: tuple[str, ...] = ()) -> list[Paragraph]:
    return [
        Paragraph(i, t, kinds[i] if i < len(kinds) else "body", "en") for i, t in enumerate(texts)
    ]


def ar(*texts: str) -> list[Paragraph]:
    return [Paragraph(i, t, "body", "ar") for i, t in enumerate(texts)]


def flags_of(
    groups: list[Group], t: list[Paragraph], o: list[Paragraph]
) -> list[tuple[str, int | None, int | None]]:
    return [(f.kind, f.translation, f.original) for f in flags_for_alignment(groups, t, o)]


def test_additions_carry_their_kind_and_drops_are_flagged() -> None:
    t = en("Logo Wide", "Read Also: Drones over Hama", "The Syrian Observer has not verified this story.", "Added context.",
           "[Translator's note: the council is appointed.]", "Enab Baladi reported the figures.",
           kinds=("boilerplate", "read_also", "disclaimer", "body", "translator_note", "standfirst"))  # fmt: skip
    o = ar("فقرة محذوفة")
    groups = [Group((i,), (), "added") for i in range(6)] + [Group((), (0,), "dropped")]
    assert flags_of(groups, t, o) == [
        ("boilerplate", 0, None),
        ("read_also", 1, None),
        ("disclaimer", 2, None),
        ("added", 3, None),
        ("translator_note", 4, None),
        ("attribution", 5, None),
        ("dropped", None, 0),
    ]


def test_number_mismatch_names_both_figures() -> None:
    t = en("The price of bread rose to 3,800 pounds in Aleppo.")
    o = ar("وارتفع سعر الخبز إلى ٣٥٠٠ ليرة في حلب.")
    (flag,) = flags_for_alignment([Group((0,), (0,), "matched")], t, o)
    assert (flag.kind, flag.severity, flag.evidence) == (
        "number_mismatch",
        "high",
        {"translation": "3800", "original": "3500"},
    )


def test_matching_figures_raise_nothing() -> None:
    t = en("The price of bread rose to 3,500 pounds in Aleppo, 45% more than in 2022.")
    o = ar("وارتفع سعر الخبز إلى ٣٬٥٠٠ ليرة في حلب، بزيادة ٤٥٪ عن عام 2022.")
    assert flags_of([Group((0,), (0,), "matched")], t, o) == []


def test_unrelated_extra_figures_are_not_a_mismatch() -> None:
    t = en("The council, founded in 2015, raised fees to 3,500 pounds.")
    o = ar("رفع المجلس الرسوم إلى 3500 ليرة، وتشمل 12 حيًا.")
    assert flags_of([Group((0,), (0,), "matched")], t, o) == []


def test_mismatch_is_placed_in_the_paragraph_that_holds_it() -> None:
    t = en("Five people were wounded.", "The strike killed 19 civilians.")
    o = ar("قتل 9 مدنيين وأصيب خمسة أشخاص في الغارة.")
    assert flags_of([Group((0, 1), (0,), "matched")], t, o) == [("number_mismatch", 1, 0)]


def test_date_mismatches() -> None:
    t = en("The army raided the camps at dawn on Saturday, March 21.")
    o = ar("داهم الجيش المخيمات فجر الأحد، 21 من نيسان.")
    kinds = flags_of([Group((0,), (0,), "matched")], t, o)
    assert kinds == [("date_mismatch", 0, 0)]


def test_name_mismatch_between_marked_places() -> None:
    t = en("The drone hit the vehicle near the village of Tal Hamis.")
    o = ar("استهدفت المسيرة السيارة قرب قرية هيمو.")
    (flag,) = flags_for_alignment([Group((0,), (0,), "matched")], t, o)
    assert flag.kind == "name_mismatch" and flag.evidence["original"] == "name:هيمو"


def test_same_place_in_both_languages_is_no_mismatch() -> None:
    t = en("The drone hit the vehicle near the village of Himo.")
    o = ar("استهدفت المسيرة السيارة قرب قرية هيمو.")
    assert flags_of([Group((0,), (0,), "matched")], t, o) == []


def test_adjectives_of_countries_are_not_name_mismatches() -> None:
    t = en("Russian jets struck the town of Ariha.")
    o = ar("شنت طائرات روسيا غارات على مدينة أريحا.")
    assert flags_of([Group((0,), (0,), "matched")], t, o) == []


def test_moved_and_condensed() -> None:
    long_ar = "نص طويل " * 60
    t = en("A short summary.", "Another line.")
    o = ar(long_ar, "جملة أخرى")
    groups = [Group((0,), (0,), "matched"), Group((1,), (1,), "moved", score=3.0)]
    assert flags_of(groups, t, o) == [("condensed", 0, 0), ("moved", 1, 1)]
