"""Review actions: saved at once with the reviewer and time, undoable, never lost by a re-run."""

from __future__ import annotations

import pytest

from provenance.ingest import ingest_paths
from provenance.pipeline import align_links, link_translations
from provenance.review import Review, ReviewError, reviewer_name
from provenance.store import Store
from tests.conftest import FIXTURES

SEED = "https://syrianobserver.com/news/79101/hamas-confirms-resumption-of-relations-with-regime-syrian-disregard.html"


@pytest.fixture
def linked(store: Store) -> Store:
    ingest_paths(store, [FIXTURES / "pairs" / "01-hamas-syria-relations.json"])
    link_translations(store, translation=SEED)
    align_links(store, translation=SEED)
    return store


def _best(store: Store):  # type: ignore[no-untyped-def]
    return store.links(translation_id=store.find_article(SEED).id)[0]


def test_confirm_and_reject_are_recorded_and_undone(linked: Store) -> None:
    review = Review(linked, "rania")
    link = _best(linked)
    assert link.status == "auto"
    review.confirm_link(link.id)
    assert _best(linked).status == "confirmed"
    (event, *_rest) = review.history()
    assert (event.reviewer, event.action, event.target_id) == ("rania", "confirm_link", link.id)
    review.undo()
    assert _best(linked).status == "auto"
    review.reject_link(link.id, "wrong story")
    assert _best(linked).status == "rejected"


def test_flag_dismissed_with_a_note_and_undone(linked: Store) -> None:
    review = Review(linked, "rania")
    flag = next(f for f in linked.flags() if f.kind == "read_also")
    review.dismiss_flag(flag.id, "house style")
    assert next(f for f in linked.flags() if f.id == flag.id).note == "house style"
    undone = review.undo()
    assert undone.action == "dismiss_flag" and undone.undone
    restored = next(f for f in linked.flags() if f.id == flag.id)
    assert (restored.status, restored.note) == ("open", None)
    review.accept_flag(flag.id, "real addition")
    assert next(f for f in linked.flags() if f.id == flag.id).status == "accepted"


def test_undo_is_per_reviewer_and_says_when_there_is_nothing(linked: Store) -> None:
    Review(linked, "rania").confirm_link(_best(linked).id)
    with pytest.raises(ReviewError, match="nothing to undo"):
        Review(linked, "omar").undo()
    assert _best(linked).status == "confirmed"


def test_group_edits_and_their_undo(linked: Store) -> None:
    review = Review(linked, "rania")
    link = _best(linked)
    groups = linked.groups(link.id)
    matched = [g for g in groups if g.kind == "matched"]
    review.merge_groups([matched[0].id, matched[1].id])
    merged = [g for g in linked.groups(link.id) if g.origin == "reviewer"]
    assert len(merged) == 1 and len(merged[0].translation) == 2 and len(merged[0].original) == 2
    review.split_group(merged[0].id)
    assert [g.kind for g in linked.groups(link.id) if g.origin == "reviewer"] == [
        "matched",
        "matched",
    ]
    review.undo()
    review.undo()
    assert [g.id for g in linked.groups(link.id)] == [g.id for g in groups]
    review.unlink_group(matched[2].id)
    kinds = sorted(g.kind for g in linked.groups(link.id) if g.origin == "reviewer")
    assert kinds == ["added", "dropped"]
    added = next(g for g in linked.groups(link.id) if g.origin == "reviewer" and g.kind == "added")
    dropped = next(
        g for g in linked.groups(link.id) if g.origin == "reviewer" and g.kind == "dropped"
    )
    review.relink_groups(added.id, dropped.id)
    assert [g.kind for g in linked.groups(link.id) if g.origin == "reviewer"] == ["matched"]


def test_reviewed_groups_are_not_overwritten_by_align(linked: Store) -> None:
    review = Review(linked, "rania")
    link = _best(linked)
    matched = [g for g in linked.groups(link.id) if g.kind == "matched"]
    review.unlink_group(matched[0].id)
    before = linked.groups(link.id)
    report = align_links(linked, translation=SEED, force=True)
    assert report.kept == [link.id]
    assert linked.groups(link.id) == before


def test_link_another_original_by_url(linked: Store) -> None:
    review = Review(linked, "rania")
    other = "https://www.enabbaladi.net/archives/603540"  # a distractor of the seed pair
    review.link_original(SEED, other)
    statuses = {
        link.original_url: link.status
        for link in linked.links(translation_id=linked.find_article(SEED).id)
    }
    assert statuses[other] == "confirmed"


def test_reviewer_name_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVENANCE_REVIEWER", "layla")
    assert reviewer_name() == "layla"
    assert reviewer_name("omar") == "omar"
    monkeypatch.delenv("PROVENANCE_REVIEWER")
    assert reviewer_name()
