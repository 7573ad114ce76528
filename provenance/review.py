"""Review decisions: every action a reviewer takes, saved at once and undoable.

Each action changes one link, flag or set of groups and writes a ReviewEvent holding the
reviewer, the time, and the state before and after, in one unit of work (``store.atomic()``:
every read and write goes through the store, this module holds the review rules and no SQL).
``undo`` restores the "before" of the reviewer's latest action that is not undone yet. The
review UI and the CLI call these functions; neither holds SQL or a rule of its own.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from provenance.errors import ProvenanceError
from provenance.store import EventRow, GroupState, NewGroup, Reflagged
from provenance.views import AlignedPair, ArticleDetail, LinkView, StoryRow
from provenance.vocab import (
    FLAG_ACTIONS,
    GROUP_ACTIONS,
    FlagStatus,
    GroupKind,
    LinkStatus,
    ReviewAction,
)

if TYPE_CHECKING:
    from provenance.config import Settings
    from provenance.diff import Change
    from provenance.link import LinkResult
    from provenance.ports import ReviewingStore


class ReviewError(ProvenanceError):
    """An action that does not apply (merging groups of two links, undoing nothing...)."""


class StaleDecision(ReviewError):
    """A decision made on a link or flag that someone else changed since it was read: it is
    refused rather than silently replacing theirs; the UI reloads and shows what they did."""


def reviewer_name(explicit: str | None = None) -> str:
    """The reviewer: --reviewer, else PROVENANCE_REVIEWER, else the operating-system user."""
    if explicit:
        return explicit
    if os.environ.get("PROVENANCE_REVIEWER"):
        return os.environ["PROVENANCE_REVIEWER"]
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


@dataclass(frozen=True)
class Event:
    id: int
    reviewer: str
    at: str
    action: str
    target_type: str
    target_id: int
    note: str | None
    undone: bool
    detail: str = ""
    """What the action was about, in words: the flag's kind, the original's URL."""

    def describe(self) -> str:
        """The action in words, for "Undone: ..." ("dismissed read_also flag")."""
        verb, noun = _ACTION_WORDS.get(self.action, (self.action.replace("_", " "), ""))
        what = noun.format(detail=self.detail or f"{self.target_type} {self.target_id}")
        return f"{verb} {what}".strip()


_ACTION_WORDS: dict[str, tuple[str, str]] = {
    ReviewAction.confirm_link: ("confirmed", "link to {detail}"),
    ReviewAction.reject_link: ("rejected", "link to {detail}"),
    ReviewAction.accept_flag: ("accepted", "{detail} flag"),
    ReviewAction.dismiss_flag: ("dismissed", "{detail} flag"),
    ReviewAction.merge_groups: ("merged", "groups"),
    ReviewAction.split_group: ("split", "group"),
    ReviewAction.unlink_group: ("unlinked", "group"),
    ReviewAction.relink_groups: ("relinked", "groups"),
}


def _changed_since(store: ReviewingStore, what: str, key: int, seen: str) -> str:
    """Who changed a link or flag, in words, for the refusal of a stale decision."""
    now = store.status_now(what, key) or "gone"
    last = store.latest_event(what, key)
    by = (
        f" by {last.reviewer} at {last.at:%Y-%m-%d %H:%M}"
        if last is not None and last.after.get("status") == now
        else ""
    )
    return (
        f"{what} {key} was {seen} when you read it and is now {now}{by}; "
        "your decision was not saved (reload to see it)"
    )


class Review:
    """Review actions on one database for one reviewer."""

    def __init__(self, store: ReviewingStore, reviewer: str | None = None) -> None:
        self.store = store
        self.reviewer = reviewer_name(reviewer)

    # -- links ------------------------------------------------------------------------------

    def _set_link(
        self,
        link_id: int,
        status: LinkStatus,
        action: ReviewAction,
        note: str | None,
        seen: str | None,
    ) -> int:
        with self.store.atomic():
            link = self.store.link_by_id(link_id)
            self._claim("link", link_id, seen or link.status)
            others: list[dict[str, Any]] = []
            if status == LinkStatus.confirmed:
                # one confirmed original per translation: a previous confirmation becomes a suggestion
                confirmed = (LinkStatus.confirmed,)
                others = [
                    {"id": other.id, "status": other.status}
                    for other in self.store.links(
                        translation_id=link.translation_id, statuses=confirmed
                    )
                    if other.id != link_id
                ]
            self.store.set_link_statuses(
                {**{o["id"]: LinkStatus.suggested for o in others}, link_id: status}
            )
            before = {"status": link.status, "others": others}
            return self._record(action, "link", link_id, before, {"status": status}, note)

    def _claim(self, what: str, key: int, seen: str) -> None:
        """Take the row for this decision if its status is still the one the reviewer saw
        (``store.claim``); otherwise refuse the decision, saying whose stands."""
        if not self.store.claim(what, key, seen):
            raise StaleDecision(_changed_since(self.store, what, key, seen))

    def _record(self, action: str, target_type: str, target_id: int, before: dict[str, Any],
                after: dict[str, Any], note: str | None = None) -> int:  # fmt: skip
        event_id: int = self.store.record_event(
            self.reviewer, action, target_type, target_id, before, after, note
        )
        return event_id

    def confirm_link(
        self, link_id: int, note: str | None = None, *, seen: str | None = None
    ) -> int:
        """The reviewer says this is the original. Returns the event id.

        ``seen`` is the link's status when the reviewer read it: when someone else has changed
        it since, the decision is refused (StaleDecision) instead of replacing theirs."""
        return self._set_link(link_id, LinkStatus.confirmed, ReviewAction.confirm_link, note, seen)

    def reject_link(self, link_id: int, note: str | None = None, *, seen: str | None = None) -> int:
        """The reviewer says this is not the original."""
        return self._set_link(link_id, LinkStatus.rejected, ReviewAction.reject_link, note, seen)

    def link_original(
        self, translation: str | int, original: str | int, note: str | None = None
    ) -> int:
        """Link a translation to an original the reviewer names (by URL or id), confirmed."""
        t = self.store.find_article(translation)
        o = self.store.find_article(original)
        if t.id == o.id:
            raise ReviewError("an article cannot be its own original")
        assert t.id is not None and o.id is not None  # stored articles have their ids
        view = self.store.link(t.id, o.id, status=LinkStatus.suggested)
        return self.confirm_link(view.id, note)

    # -- flags ------------------------------------------------------------------------------

    def _set_flag(
        self,
        flag_id: int,
        status: FlagStatus,
        action: ReviewAction,
        note: str | None,
        seen: str | None,
    ) -> int:
        with self.store.atomic():
            flag = self.store.flag(flag_id)
            before = {"status": flag.status, "note": flag.note}
            self._claim("flag", flag_id, seen or flag.status)
            self.store.set_flag_state(flag_id, status, note)
            return self._record(
                action, "flag", flag_id, before, {"status": status, "note": note}, note
            )

    def accept_flag(self, flag_id: int, note: str | None = None, *, seen: str | None = None) -> int:
        """The flag is right: the translation does differ there (kept in the audit).
        ``seen``: the flag's status when the reviewer read it (see ``confirm_link``)."""
        return self._set_flag(flag_id, FlagStatus.accepted, ReviewAction.accept_flag, note, seen)

    def dismiss_flag(
        self, flag_id: int, note: str | None = None, *, seen: str | None = None
    ) -> int:
        """The flag is not a problem (house style, a known rewrite...)."""
        return self._set_flag(flag_id, FlagStatus.dismissed, ReviewAction.dismiss_flag, note, seen)

    # -- groups -----------------------------------------------------------------------------

    def _replace_groups(self, link_id: int, old: list[GroupState], new: Sequence[NewGroup],
                        action: str, note: str | None) -> int:  # fmt: skip
        """The reviewer's groups in place of ``old``, flagged again as ``align`` flags them."""
        old_ids = [g.id for g in old]
        created = self.store.replace_groups(link_id, old_ids, new)
        proposed = _flags_of(self.store, self.store.link_by_id(link_id), created)
        done: Reflagged = self.store.reflag_groups(link_id, old_ids, proposed)
        return self._record(
            action, "link", link_id,
            {"active": old_ids, "flags": done.removed, "repointed": done.repointed},
            {"active": [g.id for g in created], "flags": done.added}, note,
        )  # fmt: skip

    def _groups(self, group_ids: list[int]) -> list[GroupState]:
        groups: list[GroupState] = self.store.alignment_groups(group_ids)
        if len({g.link_id for g in groups}) != 1:
            raise ReviewError("groups of different links cannot be combined")
        if not all(g.active for g in groups):
            raise ReviewError("a group was already replaced; reload the alignment")
        return groups

    def merge_groups(self, group_ids: list[int], note: str | None = None) -> int:
        """One group from several: all their paragraphs say the same thing."""
        if len(group_ids) < 2:
            raise ReviewError("merging needs at least two groups")
        with self.store.atomic():
            groups = self._groups(group_ids)
            translation = sorted({i for g in groups for i in g.translation})
            original = sorted({j for g in groups for j in g.original})
            kind = (
                GroupKind.matched
                if translation and original
                else (GroupKind.added if translation else GroupKind.dropped)
            )
            return self._replace_groups(
                groups[0].link_id,
                groups,
                [(translation, original, kind)],
                ReviewAction.merge_groups,
                note,
            )

    def split_group(self, group_id: int, note: str | None = None) -> int:
        """Undo a machine merge: one group per paragraph pair, in order; the rest unpaired."""
        with self.store.atomic():
            (group,) = self._groups([group_id])
            if len(group.translation) + len(group.original) < 3:
                raise ReviewError(
                    "only a group with more than one paragraph on a side can be split"
                )
            t, o = list(group.translation), list(group.original)
            new: list[NewGroup] = [
                ([t[k]], [o[k]], GroupKind.matched) for k in range(min(len(t), len(o)))
            ]
            new += [([i], [], GroupKind.added) for i in t[len(o) :]]
            new += [([], [j], GroupKind.dropped) for j in o[len(t) :]]
            return self._replace_groups(group.link_id, [group], new, ReviewAction.split_group, note)

    def unlink_group(self, group_id: int, note: str | None = None) -> int:
        """These paragraphs are not translations of each other: an addition and a drop."""
        with self.store.atomic():
            (group,) = self._groups([group_id])
            if not (group.translation and group.original):
                raise ReviewError("only a group with both sides can be unlinked")
            new: list[NewGroup] = [([i], [], GroupKind.added) for i in group.translation]
            new += [([], [j], GroupKind.dropped) for j in group.original]
            return self._replace_groups(
                group.link_id, [group], new, ReviewAction.unlink_group, note
            )

    def relink_groups(
        self, translation_group: int, original_group: int, note: str | None = None
    ) -> int:
        """Pair an added paragraph with a dropped one (the machine missed the link)."""
        with self.store.atomic():
            added, dropped = self._groups([translation_group, original_group])
            if (
                added.original
                or dropped.translation
                or not added.translation
                or not dropped.original
            ):
                raise ReviewError("relink pairs an added group with a dropped group")
            new = [(list(added.translation), list(dropped.original), GroupKind.matched)]
            return self._replace_groups(
                added.link_id, [added, dropped], new, ReviewAction.relink_groups, note
            )

    # -- the trail --------------------------------------------------------------------------

    def undo(self) -> Event:
        """Undo this reviewer's latest action that is not undone yet."""
        with self.store.atomic():
            event: EventRow | None = self.store.undoable_event(self.reviewer)
            if event is None:
                raise ReviewError("nothing to undo")
            detail = ""
            if event.action in FLAG_ACTIONS:
                flag = self.store.flag(event.target_id)
                self.store.set_flag_state(flag.id, event.before["status"], event.before.get("note"))
                detail = flag.kind
            elif event.action in GROUP_ACTIONS:
                self.store.restore_groups(
                    event.after.get("active", []),
                    event.before.get("active", []),
                    Reflagged(
                        event.before.get("flags", []),
                        event.after.get("flags", []),
                        event.before.get("repointed", []),
                    ),
                )
            else:
                link = self.store.link_by_id(event.target_id)
                others = {o["id"]: o["status"] for o in event.before.get("others", [])}
                self.store.set_link_statuses({link.id: event.before["status"], **others})
                detail = link.original_url
            self.store.mark_undone(event.id)
            self._record(
                ReviewAction.undo, event.target_type, event.target_id, {"event": event.id}, {}
            )
            return replace(_event_view(event, detail), undone=True)

    def history(self, limit: int = 50) -> list[Event]:
        return [_event_view(e) for e in self.store.review_events(limit)]

    # -- what the review UI shows -----------------------------------------------------------
    # The reads and composite steps of the review UI (tui/), so that it needs no store of
    # its own: each returns view data (provenance/views.py) or a stage's result.

    @classmethod
    def open(cls, settings: Settings, reviewer: str | None = None) -> Review:
        """Review on the configured database, which must exist: reviewing never creates one
        (a mistyped URL would otherwise review an empty database)."""
        from provenance.store import Store

        store = Store.open(settings.db, settings.busy_timeout_ms, create=False)
        return cls(store, reviewer or settings.reviewer or None)

    def close(self) -> None:
        """Let the database go (the review app holds it for its whole life; a check does not)."""
        self.store.close()

    def story_id(self, story: str | int) -> int:
        """The id of a story named by its URL or id (NotFoundError when there is none)."""
        found = self.store.find_article(story).id
        assert found is not None  # a stored article has its id
        return found

    def story_page(
        self, what: str, search: str | None, sort: str, offset: int, limit: int
    ) -> list[StoryRow]:
        """One page of the story list, filtered and sorted by the database."""
        rows: list[StoryRow] = self.store.story_page(
            what=what, search=search, sort=sort, offset=offset, limit=limit
        )
        return rows

    def story_count(self, what: str, search: str | None) -> int:
        count: int = self.store.story_count(what, search)
        return count

    def article(self, article_id: int) -> ArticleDetail:
        detail: ArticleDetail = self.store.article_detail(article_id)
        return detail

    def aligned_pair(self, article_id: int) -> AlignedPair | None:
        """The story's best link with both sides, its groups and flags (None: not aligned)."""
        pair: AlignedPair | None = self.store.aligned_pair(article_id)
        return pair

    def links_of(self, translation_id: int) -> list[LinkView]:
        links: list[LinkView] = self.store.links(translation_id=translation_id)
        return links

    def candidates(self, translation_id: int, settings: Settings) -> LinkResult:
        """The ranked originals of a translation, nothing stored. The first call after new
        articles brings the search index up to date, which can take a while: the UI calls
        this from a worker thread."""
        from provenance.link import candidates_for

        return candidates_for(self.store, translation_id, settings=settings)

    def revision_diff(
        self, article_id: int, from_number: int, to_number: int
    ) -> tuple[int, int, list[Change]]:
        """The changes between two revisions of one side of a story."""
        from provenance.diff import revision_diff

        return revision_diff(self.store, article_id, from_number, to_number)

    # -- end of what the review UI shows ------------------------------------------------------


def _flags_of(
    store: ReviewingStore, link: LinkView, groups: list[GroupState]
) -> list[tuple[int, dict[str, Any]]]:
    """The flags ``align`` would raise on these groups (provenance.flags), each with its
    group's id and stored the way align stores them."""
    from provenance.align import AlignParams, Group, estimate_length_params, to_paragraphs
    from provenance.flags import flags_for_alignment

    def paragraphs(revision_id: int | None, lang: str) -> list[Any]:
        return to_paragraphs(store.paragraphs(revision_id) if revision_id else [], lang)

    ratio, _ = estimate_length_params(
        store.length_samples(link.translation_outlet, link.original_outlet), AlignParams()
    )
    proposed = flags_for_alignment(
        [Group(tuple(g.translation), tuple(g.original), g.kind) for g in groups],
        paragraphs(link.aligned_translation_revision, "en"),
        paragraphs(link.aligned_original_revision, "ar"),
        length_ratio=ratio,
    )
    found = []
    for flag in proposed:
        group = next(
            g for g in groups
            if (flag.translation is not None and flag.translation in g.translation)
            or (flag.translation is None and flag.original in g.original)
        )  # fmt: skip
        evidence = {**flag.evidence, "translation_index": flag.translation,
                    "original_index": flag.original}  # fmt: skip
        found.append((group.id, {"kind": flag.kind, "level": flag.level,
                                 "severity": flag.severity, "evidence": evidence}))  # fmt: skip
    return found


def _event_view(event: EventRow, detail: str = "") -> Event:
    return Event(event.id, event.reviewer, event.at.isoformat(), event.action, event.target_type, event.target_id,
                 event.note, event.undone, detail)  # fmt: skip


__all__ = ["Event", "Review", "ReviewError", "reviewer_name"]
