"""Ingest into a real SQLite file: fixtures, the seed's kinds, revisions, canonical URLs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.formats import ArticleInput
from provenance.ingest import ingest_article, ingest_paths, prepare_article
from provenance.store import Store, apply_patch
from provenance.urls import canonical_url
from tests.conftest import CLI, FIXTURES, PAIRS, SEED


def test_every_fixture_ingests_without_error(store: Store) -> None:
    report = ingest_paths(store, [FIXTURES])
    assert report.errors == []
    # every pair brings a translation, an original and three distractors
    assert report.outcomes["created"] >= 5 * len(PAIRS)
    summary = store.summary()
    langs = summary["by_lang"]
    assert langs["ar"] > langs["en"] > 0
    assert {"Enab Baladi", "The Syrian Observer"} <= {row["outlet"] for row in summary["by_outlet"]}


def test_seed_paragraph_kinds(store: Store) -> None:
    report = ingest_paths(store, [SEED])
    assert report.errors == []
    detail = store.article_detail(report.articles[0].article_id)

    def kind(start: str) -> str:
        (found,) = [p.kind for p in detail.paragraphs if p.text.startswith(start)]
        return found

    assert kind("Logo Wide") == "boilerplate"
    assert kind("Helpful keywords") == "boilerplate"
    assert kind("Read Also: Experts of Iranian") == "read_also"
    assert kind("This article was translated") == "disclaimer"
    standfirst = next(p for p in detail.paragraphs if p.text.startswith("Hamas issued a statement"))
    assert (standfirst.kind, standfirst.credit) == ("standfirst", "Enab Baladi")
    repeats = [p.index for p in detail.paragraphs if p.kind == "title_repeat"]
    assert repeats == [1, 3]
    assert [p.kind for p in detail.paragraphs].count("body") == 8
    assert {p.lang for p in detail.paragraphs} == {"en"}
    assert detail.article.outlet == "The Syrian Observer"
    assert detail.article.credit == "Enab Baladi"
    assert detail.article.title.startswith("Hamas Confirms Resumption")


def _article(
    paragraphs: list[str], url: str = "https://www.enabbaladi.net/archives/1?utm_source=x"
) -> ArticleInput:
    return ArticleInput(url=url, paragraphs=paragraphs, lang="ar", title="عنوان")


def test_changed_text_adds_a_revision_with_a_patch(store: Store) -> None:
    first = ingest_article(store, _article(["قتل 12 مدنيًا في قصف على إدلب.", "وأصيب آخرون."]))
    again = ingest_article(store, _article(["قتل 12 مدنيًا في قصف على إدلب.", "وأصيب آخرون."]))
    changed = ingest_article(store, _article(["قتل 15 مدنيًا في قصف على إدلب.", "وأصيب آخرون."]))
    assert (first.status, again.status, changed.status) == ("created", "unchanged", "revised")
    assert first.article_id == again.article_id == changed.article_id
    detail = store.article_detail(first.article_id)
    assert [r.number for r in detail.revisions] == [1, 2]
    assert detail.revisions[0].patch is None
    patch = detail.revisions[1].patch
    assert patch and "-2\n+5" in patch  # the patch holds only the change
    old, new = store.revision_texts(first.article_id)
    assert apply_patch(old, patch) == new  # the patch takes the old text to the new one
    assert detail.paragraphs[0].text.startswith("قتل 15")  # the current text is readable as is


def test_same_story_at_a_differently_written_url_is_one_article(store: Store) -> None:
    ingest_article(store, _article(["نص"], url="HTTPS://WWW.EnabBaladi.net/archives/1/#comments"))
    ingest_article(store, _article(["نص"], url="https://www.enabbaladi.net/archives/1?fbclid=abc"))
    assert len(store.list_articles()) == 1


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        (
            "HTTPS://WWW.EnabBaladi.net/archives/604512/",
            "https://www.enabbaladi.net/archives/604512",
        ),
        (
            "https://syrianobserver.com/news/1/x.html?utm_source=tw&utm_medium=social",
            "https://syrianobserver.com/news/1/x.html",
        ),
        ("http://example.com:80/a/?b=2&a=1#top", "http://example.com/a?a=1&b=2"),
        ("https://example.com", "https://example.com/"),
        ("https://ar.example.com/سوريا/", "https://ar.example.com/%D8%B3%D9%88%D8%B1%D9%8A%D8%A7"),
    ],
)
def test_canonical_urls(given: str, canonical: str) -> None:
    assert canonical_url(given) == canonical


def test_outlet_is_inferred_from_the_host() -> None:
    prepared = prepare_article(
        ArticleInput(
            url="https://www.enabbaladi.net/archives/9", paragraphs=["نص الخبر هنا"], lang="ar"
        )
    )
    assert prepared.outlet == "Enab Baladi"
    prepared = prepare_article(
        ArticleInput(url="https://news.example.org/9", paragraphs=["Some text here."], lang="en")
    )
    assert prepared.outlet == "news.example.org"


def test_language_is_detected_when_missing() -> None:
    prepared = prepare_article(
        ArticleInput(
            url="https://example.org/1",
            paragraphs=[
                "أعلنت وزارة الصحة في حكومة النظام السوري عن تسجيل إصابات جديدة بالكوليرا في محافظة دير الزور.",
                "Logo Wide",
            ],
        )
    )
    assert prepared.lang == "ar"
    # too short for langdetect, and not in the article's script: unknown, not Arabic
    assert [p.lang for p in prepared.paragraphs] == ["ar", None]


def test_jsonl_and_text_files(store: Store, tmp_path: Path) -> None:
    lines = [
        {
            "url": f"https://www.enabbaladi.net/archives/{n}",
            "lang": "ar",
            "title": f"خبر {n}",
            "paragraphs": ["فقرة أولى", "فقرة ثانية"],
        }
        for n in range(3)
    ]
    (tmp_path / "batch.jsonl").write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "utf-8"
    )
    report = ingest_paths(store, [tmp_path])
    assert report.errors == [] and report.outcomes["created"] == 3


def test_html_page_is_extracted_without_chrome(store: Store) -> None:
    report = ingest_paths(store, [FIXTURES / "html" / "enab-hamas-relations.html"])
    assert report.errors == []
    detail = store.article_detail(report.articles[0].article_id)
    assert detail.article.url == "https://www.enabbaladi.net/archives/604512"
    assert detail.article.outlet == "Enab Baladi" and detail.article.lang == "ar"
    assert (detail.article.published or "").startswith("2022-09-15")
    text = "\n".join(p.text for p in detail.paragraphs)
    assert "هنية" in text and "لافروف" in text
    assert "function(" not in text and "اشترك" not in text


def _story(n: int, *lines: str) -> ArticleInput:
    body = f"Paragraph {n} of a story on water prices in the northern countryside, told in full."
    return ArticleInput(
        url=f"https://north-star-news.example/{n}",
        outlet="North Star News",
        lang="en",
        paragraphs=[*lines, body],
        title=f"Story {n}",
    )


def test_a_line_that_recurs_across_an_outlets_articles_is_learnt_as_its_chrome(
    store: Store, cli: CLI
) -> None:
    widget = "Follow the North Star channel for breaking updates"
    first = ingest_article(store, _story(1, widget))
    assert [p.kind for p in store.article_detail(first.article_id).paragraphs] == ["body", "body"]
    ingest_article(store, _story(2, widget))
    # the second sighting makes it chrome, in the article stored first too
    detail = store.article_detail(first.article_id)
    assert [(p.kind, p.learnt) for p in detail.paragraphs] == [
        ("boilerplate", True),
        ("body", False),
    ]
    third = ingest_article(store, _story(3, widget))
    assert store.article_detail(third.article_id).paragraphs[0].kind == "boilerplate"
    shown = cli("show", "https://north-star-news.example/1").stdout
    assert "boilerplate (learnt)" in shown


def test_another_outlets_lines_are_not_learnt(store: Store) -> None:
    line = "Follow the North Star channel for breaking updates"
    ingest_article(store, _story(1, line))
    other = _story(2, line)
    other.outlet = "Another Outlet"
    outcome = ingest_article(store, other)
    assert store.article_detail(outcome.article_id).paragraphs[0].kind == "body"
