"""The aligner on constructed pairs: every move of the DP, known additions, and the traps."""

from __future__ import annotations

import pytest

from provenance.align import (
    AlignParams,
    Paragraph,
    align_paragraphs,
    estimate_length_params,
    gale_church,
)

EN = [
    "Twelve civilians were killed in Russian airstrikes on the town of Ariha in the Idlib countryside on Tuesday.",
    "The Syrian Civil Defence said its teams recovered 7 bodies from the rubble of a building in Ariha.",
    "The price of a bundle of bread rose to 3,000 Syrian pounds in Aleppo, according to local sources.",
    "The UN envoy Geir Pedersen called for a ceasefire in northwestern Syria on Wednesday.",
    "About 4,500 families were displaced from Jabal al-Zawiya towards the Turkish border in June.",
    "The Turkish Defence Ministry said it had sent 40 military vehicles to the Bab al-Hawa crossing.",
]
AR = [
    "قتل 12 مدنيًا، الثلاثاء، جراء غارات جوية روسية على مدينة أريحا في ريف إدلب.",
    "وقال الدفاع المدني السوري إن فرقه انتشلت 7 جثث من تحت أنقاض مبنى في أريحا.",
    "وارتفع سعر ربطة الخبز إلى 3000 ليرة سورية في حلب، بحسب مصادر محلية.",
    "ودعا المبعوث الأممي غير بيدرسن، الأربعاء، إلى وقف إطلاق النار في شمال غربي سوريا.",
    "ونزحت نحو 4500 عائلة من جبل الزاوية باتجاه الحدود التركية في حزيران.",
    "وقالت وزارة الدفاع التركية إنها أرسلت 40 آلية عسكرية إلى معبر باب الهوى.",
]


def en(*texts: str, kinds: tuple[str, ...] = ()) -> list[Paragraph]:
    return [
        Paragraph(i, t, kinds[i] if i < len(kinds) else "body", "en") for i, t in enumerate(texts)
    ]


def ar(*texts: str) -> list[Paragraph]:
    return [Paragraph(i, t, "body", "ar") for i, t in enumerate(texts)]


def shape(groups: list) -> list[tuple[tuple[int, ...], tuple[int, ...], str]]:
    return [(g.translation, g.original, g.kind) for g in groups]


@pytest.fixture(params=["anchors", "semantic"])
def run(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Each case runs without and with the semantic backend (when installed)."""
    embedder = None
    if request.param == "semantic":
        from tests.conftest import require_semantic

        embedder = require_semantic()

    def align(t: list[Paragraph], o: list[Paragraph]) -> list:
        return align_paragraphs(t, o, embedder=embedder)

    return align


def test_one_to_one(run) -> None:  # type: ignore[no-untyped-def]
    groups = run(en(*EN), ar(*AR))
    assert shape(groups) == [((i,), (i,), "matched") for i in range(6)]


def test_added_and_dropped(run) -> None:  # type: ignore[no-untyped-def]
    context = "Idlib has been controlled by opposition factions since 2015, when they took the city from the regime."
    disclaimer = "The Syrian Observer has not verified the content of this story."
    dropped = "وأضاف المصدر أن الطيران الحربي حلق في أجواء المنطقة طوال الليل."
    t = en(
        EN[0],
        context,
        EN[1],
        EN[2],
        disclaimer,
        kinds=("body", "body", "body", "body", "disclaimer"),
    )
    o = ar(AR[0], AR[1], dropped, AR[2])
    assert shape(run(t, o)) == [
        ((0,), (0,), "matched"),
        ((1,), (), "added"),
        ((2,), (1,), "matched"),
        ((), (2,), "dropped"),
        ((3,), (3,), "matched"),
        ((4,), (), "added"),
    ]


def test_one_translation_paragraph_for_two_original_ones(run) -> None:  # type: ignore[no-untyped-def]
    t = en(EN[0] + " " + EN[1], EN[2], EN[3])
    assert shape(run(t, ar(*AR[:4]))) == [
        ((0,), (0, 1), "matched"),
        ((1,), (2,), "matched"),
        ((2,), (3,), "matched"),
    ]


def test_split_paragraph_with_a_short_second_half(run) -> None:  # type: ignore[no-untyped-def]
    t = en(EN[0], EN[1], "The building collapsed.", EN[2])
    o = ar(AR[0], AR[1][:-1] + "، وكان المبنى قد انهار بالكامل.", AR[2])
    assert shape(run(t, o)) == [
        ((0,), (0,), "matched"),
        ((1, 2), (1,), "matched"),
        ((3,), (2,), "matched"),
    ]


def test_three_to_one_and_one_to_three(run) -> None:  # type: ignore[no-untyped-def]
    merged_ar = " ".join(AR[1:4])
    assert shape(run(en(EN[0], EN[1], EN[2], EN[3], EN[4]), ar(AR[0], merged_ar, AR[4]))) == [
        ((0,), (0,), "matched"),
        ((1, 2, 3), (1,), "matched"),
        ((4,), (2,), "matched"),
    ]
    merged_en = " ".join(EN[1:4])
    assert shape(run(en(EN[0], merged_en, EN[4]), ar(*AR[:5]))) == [
        ((0,), (0,), "matched"),
        ((1,), (1, 2, 3), "matched"),
        ((2,), (4,), "matched"),
    ]


def test_moved_paragraph(run) -> None:  # type: ignore[no-untyped-def]
    t = en(EN[0], EN[5], EN[1], EN[2], EN[3], EN[4])
    groups = run(t, ar(*AR))
    assert ((1,), (5,), "moved") in shape(groups)
    assert [g for g in groups if g.kind == "matched"] and all(
        g.translation[0] == g.original[0] + (1 if g.translation[0] > 1 else 0)
        for g in groups
        if g.kind == "matched"
    )


def test_standfirst_repeating_the_lead_stays_an_addition(run) -> None:  # type: ignore[no-untyped-def]
    standfirst = (
        "Twelve civilians were killed in Russian airstrikes on Ariha, Enab Baladi reported."
    )
    t = en(standfirst, EN[0], EN[1], kinds=("standfirst",))
    assert shape(run(t, ar(AR[0], AR[1]))) == [
        ((0,), (), "added"),
        ((1,), (0,), "matched"),
        ((2,), (1,), "matched"),
    ]


def test_added_context_beside_a_dropped_paragraph_on_the_same_topic_is_not_paired(run) -> None:  # type: ignore[no-untyped-def]
    context = (
        "Russian and regime forces have shelled the Idlib countryside repeatedly in recent months."
    )
    dropped = "وأكد ناشطون أن القصف استهدف منازل المدنيين في أطراف المدينة صباح اليوم."
    groups = run(en(EN[0], context, EN[2]), ar(AR[0], dropped, AR[2]))
    assert shape(groups) == [
        ((0,), (0,), "matched"),
        ((1,), (), "added"),
        ((), (1,), "dropped"),
        ((2,), (2,), "matched"),
    ]


def test_a_condensed_paragraph_is_still_linked(run) -> None:  # type: ignore[no-untyped-def]
    long_ar = (
        "ولا تتناسب هذه الأسعار مع دخل العمال في المنطقة، إذ تتراوح الأجرة اليومية لعامل البناء بين ٣٠ و٤٠ ليرة "
        "تركية، ولم ترتفع منذ أشهر رغم فقدان الليرة جزءًا كبيرًا من قيمتها، ويعتمد كثير من العائلات على الحوالات."
    )
    groups = run(
        en(EN[2], "Daily wages of 30 to 40 lira have not kept pace with prices.", EN[3]),
        ar(AR[2], long_ar, AR[3]),
    )
    assert ((1,), (1,), "matched") in shape(groups)


def test_every_paragraph_is_in_exactly_one_group(run) -> None:  # type: ignore[no-untyped-def]
    t = en("Logo Wide", *EN[:4], kinds=("boilerplate",))
    o = ar(*AR[2:], "نص إضافي لا علاقة له")
    groups = run(t, o)
    assert sorted(i for g in groups for i in g.translation) == list(range(len(t)))
    assert sorted(j for g in groups for j in g.original) == list(range(len(o)))


def test_groups_explain_themselves() -> None:
    (group, *_rest) = align_paragraphs(en(EN[0]), ar(AR[0]))
    assert group.kind == "matched" and group.score > 0
    assert {"anchors", "length", "position"} <= set(group.signals)
    assert "n:12" in group.anchors["matched"]


def test_empty_sides() -> None:
    assert shape(align_paragraphs([], ar(AR[0]))) == [((), (0,), "dropped")]
    assert shape(align_paragraphs(en(EN[0]), [])) == [((0,), (), "added")]


def test_gale_church_baseline_uses_length_only() -> None:
    groups = gale_church(en(*EN), ar(*AR))
    assert sorted(i for g in groups for i in g.translation) == list(range(6))
    assert all(not g.signals for g in groups)


def test_length_parameters_are_estimated_from_samples() -> None:
    default = AlignParams()
    assert estimate_length_params([(100, 80)] * 5, default) == (
        default.length_ratio,
        default.length_variance,
    )
    ratio, variance = estimate_length_params([(150, 100), (300, 200), (120, 80)] * 20, default)
    assert ratio == pytest.approx(1.5) and variance >= 1.0


def test_a_plain_pair_with_few_anchors_between_two_links_is_linked(run) -> None:  # type: ignore[no-untyped-def]
    # no figure, no date, one place: little to anchor on, but it faces its original
    plain = "Residents of Ariha said they fear the shelling will return to the town."
    plain_ar = "وقال سكان من أريحا إنهم يخشون عودة القصف إلى المدينة."
    groups = run(en(EN[0], plain, EN[2]), ar(AR[0], plain_ar, AR[2]))
    assert ((1,), (1,), "matched") in shape(groups)


def test_a_paragraph_condensing_four_originals_is_one_group(run) -> None:  # type: ignore[no-untyped-def]
    condensed = (
        "Twelve civilians were killed in Russian airstrikes on Ariha on Tuesday, and the Civil "
        "Defence recovered 7 bodies from the rubble; bread rose to 3,000 pounds in Aleppo and "
        "the UN envoy Geir Pedersen called for a ceasefire."
    )
    groups = run(en(condensed, EN[4]), ar(AR[0], AR[1], AR[2], AR[3], AR[4]))
    assert ((0,), (0, 1, 2, 3), "matched") in shape(groups)
