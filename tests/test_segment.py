"""Paragraph kinds on pages of outlets the rules do not name: every chrome class of
data/rules.toml and every shape rule of text/chrome.py has an example here, in English and
Arabic, and so does what must stay body text."""

from __future__ import annotations

import pytest

from provenance.text.chrome import learn_outlet_chrome
from provenance.text.segment import tag_paragraphs

BODY_EN = (
    "Local councils in the northern countryside raised water fees for the second time this "
    "year, residents told reporters on Sunday, as pumping stations ran short of diesel."
)
BODY_AR = (
    "رفعت المجالس المحلية في الريف الشمالي رسوم المياه للمرة الثانية هذا العام، بحسب ما قاله "
    "سكان يوم الأحد، في ظل نقص مادة المازوت في محطات الضخ."
)


def kinds(paragraphs: list[str], **kwargs: object) -> list[str]:
    return [tag.kind for tag in tag_paragraphs(paragraphs, **kwargs)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "line",
    [
        # language switchers
        "Language / اللغة العربية",
        "This post is also available in: English",
        "In English",
        "النسخة العربية",
        # bylines and datelines
        "Written by Editorial Board",
        "Translated by: Layla Haddad",
        "Translation by Omar Khatib",
        "By Sami Nour",
        "كتب: محمد العلي",
        "ترجمة: سارة حداد",
        "خاص – حلب",
        "News Desk | 3 March, 2021",
        "• الأربعاء, 12 مايو - 2021",
        "14 September 2022",
        "Posted on March 3, 2021",
        # comment prompts and copy protection
        "Leave a Comment",
        "ترك تعليق",
        "التعليقات",
        "Alert: Content is protected !!",
        "المحتوى محمي من النسخ",
        # captions
        "صورة تعبيرية",
        "Displaced families wait at the crossing near Azaz (AFP)",
        "سيارات محترقة في سوق المدينة (رويترز)",
        "Archive photo: a market in Idlib",
        # tag, share and related strips, widgets
        "Tags: Idlib, Aleppo, water",
        "Share on Facebook",
        "You might also like",
        "قد يعجبك أيضا",
        "+ الخط -",
        "Search for keyword.",
        # fragments, markup and bare outlet names
        "TT",
        "23",
        "؟",
        "Photo gallery",
        'itemprop="articleBody">',
        "<div class='share'>",
        "Syrian Observatory for Human Rights",
        "The Syrian Observatory For Human Rights",
    ],
)
def test_chrome_of_any_outlet_is_boilerplate(line: str) -> None:
    assert kinds([line, BODY_EN], outlet="Some Unknown Outlet")[0] == "boilerplate"


@pytest.mark.parametrize(
    "line",
    [
        BODY_EN,
        BODY_AR,
        "Sources in the opposition said the clashes were not the first between the two allies.",
        "The confrontations left casualties on both sides.",
        "Prices rose by 15 percent in March, according to the ministry (SANA).",
    ],
)
def test_news_paragraphs_stay_body(line: str) -> None:
    assert kinds(["A headline", line], outlet="Some Unknown Outlet")[1] == "body"


def test_headline_repeated_with_a_typo_is_a_title_repeat() -> None:
    title = "مصدر ميداني: المفاوضات حول البلدة لم تنته بعد"
    page = [title, "مصدر ميداني : المفاوضات حول البلده لم تنتهي بعد", BODY_AR]
    assert kinds(page, title=title) == ["title_repeat", "title_repeat", "body"]


def test_a_paragraph_printed_twice_is_chrome_the_second_time() -> None:
    assert kinds([BODY_EN, BODY_AR, BODY_EN]) == ["body", "body", "boilerplate"]


def test_a_repeated_caption_is_chrome_every_time() -> None:
    caption = "Portraits of the president hang over a street in the capital"
    assert kinds([caption, caption, BODY_EN]) == ["boilerplate", "boilerplate", "body"]


def test_a_pull_quote_is_chrome() -> None:
    quote = "Residents told reporters on Sunday, as pumping stations ran short of diesel"
    assert kinds([BODY_EN, f"“{quote}”", BODY_AR])[1] == "boilerplate"
    assert kinds([BODY_EN, f"{quote}, that they would protest", BODY_AR])[1] == "body"


def test_the_bare_name_of_the_articles_own_outlet_is_chrome() -> None:
    assert kinds(["Northern Star News:", BODY_EN], outlet="Northern Star News")[0] == "boilerplate"


def test_a_credited_lead_is_the_lead_unless_a_later_paragraph_repeats_it() -> None:
    lead = (
        "Enab Baladi reported that the council of Azaz raised bread prices to 3,000 pounds "
        "a bundle on Monday after a cut in flour deliveries."
    )
    follow_up = (
        "Residents said queues stretched for hours at the three bakeries that remain open, "
        "and that many families now bake at home."
    )
    assert kinds([lead, follow_up], outlet="The Syrian Observer")[0] == "body"
    standfirst = "The council of Azaz raised bread prices on Monday, Enab Baladi reported."
    repeated_lead = (
        "The local council in Azaz raised the price of a bundle of bread to 3,000 Syrian "
        "pounds on Monday, citing a cut in deliveries of flour to the city's bakeries."
    )
    assert kinds([standfirst, repeated_lead], outlet="The Syrian Observer")[0] == "standfirst"


def test_lines_shared_by_articles_of_one_outlet_are_learnt_as_its_chrome() -> None:
    articles = [
        ("Outlet A", ["Follow our channel for more", BODY_EN]),
        ("Outlet A", ["Follow our channel for more", BODY_AR]),
        ("Outlet B", ["Follow our channel for more", "Something else entirely here."]),
    ]
    learnt = learn_outlet_chrome(articles)
    assert "follow our channel for more" in learnt["Outlet A"]
    assert "Outlet B" not in learnt
    tagged = kinds(["Follow our channel for more", BODY_EN], learnt=learnt["Outlet A"])
    assert tagged == ["boilerplate", "body"]


def test_a_republished_story_does_not_make_its_sentences_chrome() -> None:
    long_line = BODY_EN[:150]
    learnt = learn_outlet_chrome([("A", [long_line]), ("A", [long_line])])
    assert not learnt.get("A")


def test_a_page_title_with_the_outlets_name_still_finds_the_headline() -> None:
    title = "Council raises water fees in Raqqa | North Star News"
    page = ["Council raises water fees in Raqqa", BODY_EN]
    assert kinds(page, title=title) == ["title_repeat", "body"]


def test_headlines_listed_after_the_story_are_read_also() -> None:
    page = [
        BODY_EN,
        BODY_AR,
        "Turkish minister: attack foiled in northern Syria",
        "Bread queues return to Aleppo bakeries",
    ]
    assert kinds(page) == ["body", "body", "read_also", "read_also"]
    # a story whose text ends without a full stop is not a list of headlines
    assert kinds([BODY_EN[:-1], "Bread queues return to Aleppo bakeries"]) == ["body", "body"]
