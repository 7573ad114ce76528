"""Arabic normalisation for matching (the stored text is never changed)."""

from __future__ import annotations

import pytest

from provenance.text.normalize import fold_digits, normalize, script_of


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("أحمد", "احمد"),
        ("إدلب", "ادلب"),
        ("آذار", "اذار"),
        ("مدرسة", "مدرسه"),
        ("مستشفى", "مستشفي"),
        ("مُحَمَّد", "محمد"),
        ("ســوريا", "سوريا"),
        ("مؤتمر", "موتمر"),
        ("رئيس", "رييس"),
        ("٣٬٥٠٠ ليرة", "3,500 ليره"),
        ("۱۴۰۲", "1402"),
        ("٢٫٥٪", "2.5%"),
        ("“Solid” Relations", '"solid" relations'),
    ],
)
def test_normalize(raw: str, folded: str) -> None:
    assert normalize(raw) == folded


def test_fold_digits_keeps_letters() -> None:
    assert fold_digits("قتل ١٢ مدنيًا") == "قتل 12 مدنيًا"
    assert fold_digits("12 killed") == "12 killed"


def test_script_of() -> None:
    assert script_of("حلب") == "arabic"
    assert script_of("Aleppo") == "latin"
    assert script_of("3,500 - 12") is None
