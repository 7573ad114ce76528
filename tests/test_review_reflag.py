"""Reviewer group edits keep the flags right (issue 12, point 13): after unlink, merge, split
or relink the flags of the new groups are computed as ``align`` computes them, a decision
already taken on a flag the new groups raise again is kept, and undo puts back the flags as
they were."""

from __future__ import annotations

from provenance.review import Review
from provenance.store import Store

RAQQA = "https://syrianobserver.com/news/79163/raqqa-civil-council-raises-cleaning-fees-amid-water-and-power-cuts.html"


def _state(store: Store, link_id: int) -> list[tuple[str, str, int | None, int | None]]:
    return sorted(
        (f.kind, f.status, f.evidence.get("translation_index"), f.evidence.get("original_index"))
        for f in store.flags(link_id=link_id)
    )


def _open(linked_db_url: str) -> tuple[Store, Review, int]:
    store = Store.open(linked_db_url)
    pair = store.aligned_pair(store.find_article(RAQQA).id)
    assert pair is not None
    return store, Review(store, "rania"), pair.link.id


def test_unlink_turns_a_mismatch_into_an_addition_and_a_drop(linked_db_url: str) -> None:
    store, review, link = _open(linked_db_url)
    before = _state(store, link)
    flag = next(f for f in store.flags(link_id=link) if f.kind == "number_mismatch")
    review.unlink_group(flag.group_id)  # type: ignore[arg-type]
    after = {(f.kind, f.group_id) for f in store.flags(link_id=link) if f.status == "open"}
    new = {g.id: g.kind for g in store.groups(link) if g.origin == "reviewer"}
    assert sorted((kind, new[gid]) for kind, gid in after if gid in new) == [
        ("added", "added"),
        ("dropped", "dropped"),
    ]
    assert all(kind != "number_mismatch" for kind, _ in after)
    assert review.undo().describe() == "unlinked group"
    assert _state(store, link) == before
    store.close()


def test_a_decided_flag_raised_again_keeps_its_decision(linked_db_url: str) -> None:
    store, review, link = _open(linked_db_url)
    flag = next(f for f in store.flags(link_id=link) if f.kind == "number_mismatch")
    review.accept_flag(flag.id, "the figure is wrong")
    group = next(g for g in store.groups(link) if g.id == flag.group_id)
    following = next(
        g for g in store.groups(link) if g.position > group.position and g.kind == "matched"
    )
    review.merge_groups([group.id, following.id])
    merged = next(g for g in store.groups(link) if g.origin == "reviewer")
    mismatches = [f for f in store.flags(link_id=link) if f.kind == "number_mismatch"]
    assert [(f.id, f.status, f.group_id) for f in mismatches] == [(flag.id, "accepted", merged.id)]
    review.undo()
    restored = next(f for f in store.flags(link_id=link) if f.id == flag.id)
    assert (restored.status, restored.group_id) == ("accepted", flag.group_id)
    store.close()
