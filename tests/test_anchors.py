"""Anchors in both languages' forms: numbers, dates, names, concepts, quotations."""

from __future__ import annotations

import pytest

from provenance.text.anchors import extract_anchors
from provenance.text.tokens import arabic_forms
from provenance.text.translit import arabic_skeleton, english_skeleton


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Prices rose to 3,500 pounds", "en", {"3500"}),
        ("ارتفع السعر إلى 3.500 ليرة", "ar", {"3500"}),
        ("ارتفع السعر إلى ٣٬٥٠٠ ليرة", "ar", {"3500"}),
        ("ارتفع السعر إلى ٣٥٠٠ ليرة", "ar", {"3500"}),
        ("ارتفع السعر إلى ۳۵۰۰ ليرة", "ar", {"3500"}),
        ("بلغ سعر الصرف ١٠٫٧٥ ليرة", "ar", {"10.75"}),
        ("the rate was 10.75 lira", "en", {"10.75"}),
        ("بنسبة ٤٥٪ من السكان", "ar", {"45", "45%"}),
        ("45 percent of residents", "en", {"45", "45%"}),
        ("45% of residents", "en", {"45", "45%"}),
        ("بنسبة ٤٥ في المئة من السكان", "ar", {"45", "45%"}),
        ("بنسبة 45 بالمائة من السكان", "ar", {"45", "45%"}),
        ("between 30 and 40 lira", "en", {"30", "40"}),
        ("wages of 30-40 lira", "en", {"30", "40"}),
        ("2.5 million people", "en", {"2500000"}),
        ("2.5 مليون شخص", "ar", {"2500000"}),
        ("نحو 12 ألف نازح", "ar", {"12000"}),
        ("about 12,000 displaced", "en", {"12000"}),
        ("three children were killed", "en", {"3"}),
        ("قتل ثلاثة أطفال", "ar", {"3"}),
        ("two million pounds", "en", {"2000000"}),
        ("dozens of families fled", "en", {"~dozens"}),
        ("نزحت عشرات العائلات", "ar", {"~dozens"}),
        ("مئات المعتقلين", "ar", {"~hundreds"}),
    ],
)
def test_numbers(text: str, lang: str, expected: set[str]) -> None:
    assert extract_anchors(text, lang).numbers == expected


def test_years_are_numbers_and_dates() -> None:
    anchors = extract_anchors("in 2022 the council", "en")
    assert "2022" in anchors.numbers and "y:2022" in anchors.dates


LEVANTINE = [
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
]
GULF = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
]
ENGLISH = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@pytest.mark.parametrize("month", range(1, 13))
def test_months_in_three_calendars(month: int) -> None:
    expected = {f"m:{month:02d}", f"d:{month:02d}-15"}
    assert expected <= extract_anchors(f"في 15 من {LEVANTINE[month - 1]} الماضي", "ar").dates
    assert expected <= extract_anchors(f"في 15 {GULF[month - 1]} الماضي", "ar").dates
    assert expected <= extract_anchors(f"on {ENGLISH[month - 1]} 15", "en").dates
    assert expected <= extract_anchors(f"on 15 {ENGLISH[month - 1]} 2022", "en").dates


def test_day_month_orders_and_ordinals() -> None:
    for text in ("on September 12th", "on 12 September", "on the 12th of September"):
        assert "d:09-12" in extract_anchors(text, "en").dates, text
    assert "d:09-12" in extract_anchors("في ١٢ من أيلول", "ar").dates
    assert (
        "12" not in extract_anchors("on September 12th", "en").numbers
    )  # the day is a date, not a figure


def test_ambiguous_month_names_need_a_number() -> None:
    assert not extract_anchors("قال الأب إن ابنه", "ar").dates  # أب is "father"
    assert "m:08" in extract_anchors("في 31 من آب الماضي", "ar").dates
    assert not extract_anchors("the mayor may decide", "en").dates


@pytest.mark.parametrize(
    ("arabic", "english", "day"),
    [("الخميس", "Thursday", "thu"), ("الجمعة", "Friday", "fri"), ("السبت", "Saturday", "sat"), ("الأحد", "Sunday", "sun"),
     ("الاثنين", "Monday", "mon"), ("الثلاثاء", "Tuesday", "tue"), ("الأربعاء", "Wednesday", "wed")],
)  # fmt: skip
def test_weekdays(arabic: str, english: str, day: str) -> None:
    assert f"wd:{day}" in extract_anchors(f"أعلن المجلس، {arabic}، أن", "ar").dates
    assert f"wd:{day}" in extract_anchors(f"The council announced on {english} that", "en").dates


@pytest.mark.parametrize(
    ("arabic", "english"),
    [("هنية", "Haniyeh"), ("لافروف", "Lavrov"), ("الزور", "Ezzor"), ("الزور", "ez-Zor"), ("القامشلي", "Qamishli"),
     ("جنديرس", "Jindires"), ("عرسال", "Arsal"), ("رويترز", "Reuters"), ("إسماعيل", "Ismail"), ("حماة", "Hama")],
)  # fmt: skip
def test_name_skeletons_meet(arabic: str, english: str) -> None:
    from provenance.text.normalize import normalize

    assert arabic_skeleton(arabic_forms(normalize(arabic))[0]) == english_skeleton(english)


def test_names_found_across_languages() -> None:
    english = extract_anchors("Ismail Haniyeh met Sergei Lavrov in Moscow.", "en")
    arabic = extract_anchors("التقى إسماعيل هنية سيرغي لافروف في موسكو.", "ar")
    matched = {n for n in english.names if n in arabic.names} | (english.concepts & arabic.concepts)
    assert {"sml", "hn"} <= matched
    assert "person.lavrov" in english.concepts & arabic.concepts


def test_place_spellings_reach_one_concept() -> None:
    arabic = extract_anchors("قصف على ريف دير الزور", "ar").concepts
    for form in ("Deir Ezzor", "Deir ez-Zor", "Deir al-Zour"):
        assert extract_anchors(f"shelling in the {form} countryside", "en").concepts & arabic, form


def test_arabic_clitics_do_not_hide_concepts() -> None:
    assert "place.raqqa" in extract_anchors("وبالرقة أعلن المجلس", "ar").concepts
    assert "noun.statement" in extract_anchors("وقال البيان إن", "ar").concepts


def test_quotations() -> None:
    assert extract_anchors("He said “we will return”.", "en").quotes
    assert extract_anchors("وقال «سنعود»", "ar").quotes
    assert not extract_anchors("He said they would return.", "en").quotes
