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
        {"translation": "3,800", "original": "٣٥٠٠"},
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
    assert flag.kind == "name_mismatch"
    assert flag.evidence == {"translation": "Tal Hamis", "original": "هيمو"}


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


def test_an_originals_chrome_is_flagged_with_its_kind_not_as_a_drop() -> None:
    t = en("The council raised water fees.")
    o = [
        Paragraph(0, "صورة تعبيرية", "boilerplate", "ar"),
        Paragraph(1, "رفع المجلس رسوم المياه.", "body", "ar"),
        Paragraph(2, "اقرأ أيضا: انقطاع المياه في الحسكة", "read_also", "ar"),
        Paragraph(3, "فقرة لم تترجم", "body", "ar"),
    ]
    groups = [
        Group((), (0,), "dropped"),
        Group((0,), (1,), "matched"),
        Group((), (2,), "dropped"),
        Group((), (3,), "dropped"),
    ]
    assert flags_of(groups, t, o) == [
        ("boilerplate", None, 0),
        ("read_also", None, 2),
        ("dropped", None, 3),
    ]


def test_a_merge_of_original_paragraphs_is_condensed_with_both_sides_anchors() -> None:
    t = en("The Jordanian army killed 4 smugglers and seized 1.2 million pills near the border.")
    o = ar("قتل الجيش الأردني 4 مهربين على الحدود.", "وضبط 1.2 مليون حبة كبتاغون.")
    (flag,) = flags_for_alignment([Group((0,), (0, 1), "matched")], t, o)
    assert (flag.kind, flag.translation, flag.original) == ("condensed", 0, 0)
    assert flag.evidence["original_paragraphs"] == 2
    assert "1.2 million" in flag.evidence["translation_anchors"]
    assert "1.2 مليون" in flag.evidence["original_anchors"]


def test_a_figure_in_another_form_is_no_mismatch() -> None:
    cases = [
        (
            "About 3,270,000 Syrians live in Turkey.",
            "يعيش في تركيا نحو ثلاثة ملايين و270 ألف سوري.",
        ),
        ("About 3.3 million Syrians live in Turkey.", "يعيش في تركيا 3,270,000 سوري."),
        ("Twelve civilians were killed.", "قتل 12 مدنيا."),
    ]
    for english, arabic in cases:
        assert flags_of([Group((0,), (0,), "matched")], en(english), ar(arabic)) == [], english


def test_a_name_in_another_form_is_no_mismatch() -> None:
    cases = [
        # transliteration variant of a lexicon town
        ("Negotiations began in the city of Jeroud.", "بدأت المفاوضات في مدينة جيرود."),
        # a camp and the town it is named after
        ("Most headed to camps in Atmeh.", "توجه معظمهم إلى مخيمات أطمة."),
        # an academy and its city
        ("The attack hit the Military Academy in Homs.", "استهدف الهجوم مدينة حمص."),
    ]
    for english, arabic in cases:
        assert flags_of([Group((0,), (0,), "matched")], en(english), ar(arabic)) == [], english


def test_two_given_names_of_one_skeleton_are_a_name_mismatch() -> None:
    # Hassan and Hussein share a consonant skeleton; they are different people all the same
    t = en("The council head, Hassan Darwish, said the road would reopen.")
    o = ar("قال رئيس المجلس حسين درويش إن الطريق سيفتح.")
    (flag,) = flags_for_alignment([Group((0,), (0,), "matched")], t, o)
    assert flag.kind == "name_mismatch"
    assert flag.evidence == {"translation": "Hassan", "original": "حسين"}


def test_one_given_name_in_other_spellings_is_no_mismatch() -> None:
    cases = [
        ("Mohamed al-Ali said the road would reopen.", "قال محمد العلي إن الطريق سيفتح."),
        ("Hussain al-Ali said the road would reopen.", "قال حسين العلي إن الطريق سيفتح."),
        # an English spelling that may write either name decides nothing
        ("Hassan al-Ali said the road would reopen.", "قال حسان العلي إن الطريق سيفتح."),
        # a given name that is also an ordinary word on the other side
        ("Kamal al-Ali said the road would reopen completely.", "قال كمال العلي إن الطريق سيفتح بشكل كامل."),
    ]  # fmt: skip
    for english, arabic in cases:
        assert flags_of([Group((0,), (0,), "matched")], en(english), ar(arabic)) == [], english


def test_a_rounded_figure_takes_its_closest_form_and_the_evidence_never_varies() -> None:
    """The rounded "about 3,300" is the form of 3,290 (and, within 2%, of 3,350 too): the closest
    is taken, so the figure left over, the one the reviewer is shown, is the same on every
    run (it once followed the order of a set, which changes from one process to the next)."""
    import subprocess
    import sys

    script = (
        "from provenance.align import Group, Paragraph\n"
        "from provenance.flags import flags_for_alignment\n"
        "t = [Paragraph(0, 'About 3,300 people fled, and 2,100 came back.', 'body', 'en')]\n"
        "o = [Paragraph(0, 'فرّ 3290 شخصاً، وعاد 3350 منهم.', 'body', 'ar')]\n"
        "print([f.evidence for f in flags_for_alignment([Group((0,), (0,), 'matched')], t, o)])\n"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**__import__("os").environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True, text=True, check=True,
        ).stdout
        for seed in range(8)
    }  # fmt: skip
    assert seen == {"[{'translation': '2,100', 'original': '3350'}]\n"}
