"""Revision patches: made line first (a rewritten page costs milliseconds), they still take
any text to any other, and patches stored by the old character-level diff still apply."""

from __future__ import annotations

import pytest
from diff_match_patch import diff_match_patch
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from provenance.formats import ArticleInput
from provenance.ingest import ingest_article
from provenance.models import Revision
from provenance.store import Store, _patch, apply_patch
from provenance.store import patches as store_module
from tests.conftest import CLI

ARABIC = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
LATIN = st.characters(min_codepoint=ord("a"), max_codepoint=ord("z"))
SPACES = st.sampled_from(" \n\t\r\u00a0\u2028")


def _lines(letters: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """Paragraphs of words, as ingest joins them with newlines."""
    word = st.text(letters, min_size=1, max_size=8)
    return st.lists(st.lists(word, max_size=12).map(" ".join), max_size=10)


@st.composite
def _revised(draw: st.DrawFn) -> tuple[str, str]:
    """A page and its next version: paragraphs kept, dropped, edited or added."""
    before = draw(_lines(ARABIC | LATIN))
    after: list[str] = []
    for line in before:
        if draw(st.booleans()):
            after.append(line)
    for line in draw(_lines(ARABIC)):
        after.insert(draw(st.integers(0, len(after))), line)
    if draw(st.booleans()) and after:
        at = draw(st.integers(0, len(after) - 1))
        after[at] = after[at].replace(draw(st.text(ARABIC, max_size=1)), draw(st.text(LATIN)))
    return "\n".join(before), "\n".join(after)


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.text(), st.text())
@example("", "")
@example("", "قتل 12 مدنيًا")
@example("قتل 12 مدنيًا", "")
@example("a\n", "a")
@example("\n\n\n", "\n")
def test_any_text_patches_to_any_other(before: str, after: str) -> None:
    assert apply_patch(before, _patch(before, after)) == after


@SETTINGS
@given(_revised())
def test_a_revised_page_patches_to_its_next_version(texts: tuple[str, str]) -> None:
    before, after = texts
    assert apply_patch(before, _patch(before, after)) == after


@SETTINGS
@given(st.text(ARABIC | SPACES), st.text(LATIN | SPACES))
def test_texts_sharing_no_line(before: str, after: str) -> None:
    assert apply_patch(before, _patch(before, after)) == after


@SETTINGS
@given(_revised())
def test_past_the_time_budget_a_patch_still_applies(texts: tuple[str, str]) -> None:
    """With no time left for character diffs, changed lines are stored whole, never lost."""
    before, after = texts
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(store_module, "_PATCH_SECONDS", -1.0)
        without = _patch(before, after)
    assert apply_patch(before, without) == after


PAGE = [
    "قال المرصد السوري لحقوق الإنسان إن قصفًا مدفعيًا استهدف قرى جبل الزاوية جنوبي إدلب.",
    "وأضاف أن القصف أسفر عن مقتل ثلاثة مدنيين بينهم طفل وإصابة آخرين بجروح متفاوتة.",
    "The Syrian pound fell to 7,000 against the dollar in Damascus and Aleppo markets.",
    "وارتفع سعر ربطة الخبز في مناطق سيطرة النظام إلى 400 ليرة سورية.",
]
REWRITTEN = [
    "Residents of Idlib countryside reported renewed shelling on Sunday morning.",
    "أعلنت وزارة التجارة الداخلية عن تعديل أسعار المحروقات اعتبارًا من الأسبوع المقبل.",
    "Local councils in the north opened three new schools for displaced children.",
]


def _changes(patch: str) -> tuple[str, str]:
    """What a patch deletes and what it inserts, each run joined."""
    dmp = diff_match_patch()
    diffs = [d for p in dmp.patch_fromText(patch) for d in p.diffs]
    return "".join(t for op, t in diffs if op == -1), "".join(t for op, t in diffs if op == 1)


def test_an_edited_word_is_patched_alone() -> None:
    before = "\n".join(PAGE)
    after = before.replace("7,000", "7,500").replace("ثلاثة", "أربعة")
    patch = _patch(before, after)
    assert apply_patch(before, patch) == after
    gone, came = _changes(patch)
    assert len(gone) < 10 and len(came) < 10  # the changed characters, not whole paragraphs


def test_a_rewritten_page_is_replaced_whole_not_letter_by_letter() -> None:
    """Paragraphs sharing too few words are not diffed by character (where the library spent
    its whole second on a rewritten page): the patch replaces them whole, readable as such."""
    before, after = "\n".join(PAGE), "\n".join(REWRITTEN)
    patch = _patch(before, after)
    assert apply_patch(before, patch) == after
    assert _changes(patch) == (before, after)


def _old_patch(before: str, after: str) -> str:
    """A patch as revisions were stored before line-first diffs: character level throughout."""
    dmp = diff_match_patch()
    return dmp.patch_toText(dmp.patch_make(before, after))


def _ingest(store: Store, paragraphs: list[str]) -> int:
    article = ArticleInput(
        url="https://www.enabbaladi.net/archives/777",
        paragraphs=paragraphs,
        lang="ar",
        title="عنوان",
    )
    return ingest_article(store, article).article_id


def test_a_stored_old_patch_still_rebuilds_the_chain(store: Store, cli: CLI) -> None:
    """An existing database holds a character-level patch; the next revision gets a line-first
    one; both rebuild their text from the one before, and ``provenance diff`` reads both."""
    article_id = _ingest(store, PAGE)
    edited = [PAGE[0].replace("جبل الزاوية", "سهل الغاب"), *PAGE[1:]]
    _ingest(store, edited)
    first, second = store.revision_texts(article_id)
    old = _old_patch(first, second)
    table = Revision.__table__  # type: ignore[attr-defined]
    with store.engine.begin() as conn:
        conn.execute(
            update(table).where(table.c.article_id == article_id, table.c.number == 2),
            {"patch": old},
        )
    _ingest(store, [edited[0], *REWRITTEN])
    texts = store.revision_texts(article_id)
    patches = [r.patch for r in store.article_detail(article_id).revisions]
    assert patches[0] is None and patches[1] == old and patches[2]
    rebuilt = [texts[0]]
    for patch in patches[1:]:
        assert patch is not None
        rebuilt.append(apply_patch(rebuilt[-1], patch))
    assert rebuilt == texts
    url = "https://www.enabbaladi.net/archives/777"
    changed = [
        (c["op"], c["text"])
        for c in cli.json("diff", url, "--from", "1", "--to", "2")["changes"]
        if c["op"]
    ]
    assert changed == [(-1, "جبل الزاوية"), (1, "سهل الغاب")]
    shown = cli("diff", url).stdout
    assert shown.startswith("revision 2 → 3\n")
    assert "{+Residents of Idlib countryside" in shown and "[-وأضاف أن القصف" in shown
