"""Review decisions: every action a reviewer takes, saved at once and undoable.

Each action changes one link, flag or set of groups and writes a ReviewEvent holding the
reviewer, the time, and the state before and after, in the same transaction. ``undo``
restores the "before" of the reviewer's latest action that is not undone yet. The review UI
and the CLI call these functions; neither holds SQL or a rule of its own.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from provenance import db
from provenance.errors import NotFoundError, ProvenanceError
from provenance.models import AlignmentGroup, Flag, Link, ReviewEvent, utcnow


class ReviewError(ProvenanceError):
    """An action that does not apply (merging groups of two links, undoing nothing...)."""


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


def _event(session: Session, reviewer: str, action: str, target_type: str, target_id: int,
           before: dict[str, Any], after: dict[str, Any], note: str | None = None) -> ReviewEvent:  # fmt: skip
    event = ReviewEvent(
        reviewer=reviewer, at=utcnow(), action=action, target_type=target_type, target_id=target_id,
        before=before, after=after, note=note,
    )  # fmt: skip
    session.add(event)
    session.flush()
    return event


def _link_state(link: Link) -> dict[str, Any]:
    return {"status": link.status}


def _flag_state(flag: Flag) -> dict[str, Any]:
    return {"status": flag.status, "note": flag.note}


def _get(session: Session, model: type, key: int, what: str) -> Any:
    row = session.get(model, key)
    if row is None:
        raise NotFoundError(f"no {what} {key}")
    return row


class Review:
    """Review actions on one database for one reviewer."""

    def __init__(self, store: Any, reviewer: str | None = None) -> None:
        self.store = store
        self.reviewer = reviewer_name(reviewer)

    # -- links ------------------------------------------------------------------------------

    def _set_link(self, link_id: int, status: str, action: str, note: str | None = None) -> int:
        with db.session_scope(self.store.engine) as session:
            link = _get(session, Link, link_id, "link")
            before = _link_state(link)
            others: list[dict[str, Any]] = []
            if status == "confirmed":
                # one confirmed original per translation: a previous confirmation becomes a suggestion
                for other in session.exec(
                    select(Link).where(
                        Link.translation_id == link.translation_id,
                        Link.id != link.id,
                        Link.status == "confirmed",
                    )
                ).all():
                    others.append({"id": other.id, "status": other.status})
                    other.status = "suggested"
                    session.add(other)
            link.status = status
            link.updated_at = utcnow()
            session.add(link)
            event = _event(
                session,
                self.reviewer,
                action,
                "link",
                link_id,
                {**before, "others": others},
                _link_state(link),
                note,
            )
            assert event.id is not None
            return event.id

    def confirm_link(self, link_id: int, note: str | None = None) -> int:
        """The reviewer says this is the original. Returns the event id."""
        return self._set_link(link_id, "confirmed", "confirm_link", note)

    def reject_link(self, link_id: int, note: str | None = None) -> int:
        """The reviewer says this is not the original."""
        return self._set_link(link_id, "rejected", "reject_link", note)

    def link_original(
        self, translation: str | int, original: str | int, note: str | None = None
    ) -> int:
        """Link a translation to an original the reviewer names (by URL or id), confirmed."""
        t = self.store.find_article(translation)
        o = self.store.find_article(original)
        if t.id == o.id:
            raise ReviewError("an article cannot be its own original")
        view = self.store.link(t.id, o.id, status="suggested")
        return self.confirm_link(view.id, note)

    # -- flags ------------------------------------------------------------------------------

    def _set_flag(self, flag_id: int, status: str, action: str, note: str | None) -> int:
        with db.session_scope(self.store.engine) as session:
            flag = _get(session, Flag, flag_id, "flag")
            before = _flag_state(flag)
            flag.status = status
            flag.note = note
            session.add(flag)
            event = _event(
                session, self.reviewer, action, "flag", flag_id, before, _flag_state(flag), note
            )
            assert event.id is not None
            return event.id

    def accept_flag(self, flag_id: int, note: str | None = None) -> int:
        """The flag is right: the translation does differ there (kept in the audit)."""
        return self._set_flag(flag_id, "accepted", "accept_flag", note)

    def dismiss_flag(self, flag_id: int, note: str | None = None) -> int:
        """The flag is not a problem (house style, a known rewrite...)."""
        return self._set_flag(flag_id, "dismissed", "dismiss_flag", note)

    # -- groups -----------------------------------------------------------------------------

    def _replace_groups(self, session: Session, link_id: int, old: list[AlignmentGroup],
                        new: list[tuple[list[int], list[int], str]], action: str, note: str | None) -> int:  # fmt: skip
        position = min(g.position for g in old)
        for group in old:
            group.active = False
            session.add(group)
        created = []
        for translation, original, kind in new:  # at the reading place of what they replace
            row = AlignmentGroup(
                link_id=link_id, position=position, kind=kind, translation=translation, original=original,
                origin="reviewer", score=0.0, signals={}, anchors={},
            )  # fmt: skip
            session.add(row)
            session.flush()
            created.append(row.id)
        event = _event(
            session, self.reviewer, action, "link", link_id,
            {"active": [g.id for g in old]}, {"active": created}, note,
        )  # fmt: skip
        assert event.id is not None
        return event.id

    def _groups(self, session: Session, group_ids: list[int]) -> list[AlignmentGroup]:
        groups = [_get(session, AlignmentGroup, g, "alignment group") for g in group_ids]
        if len({g.link_id for g in groups}) != 1:
            raise ReviewError("groups of different links cannot be combined")
        if not all(g.active for g in groups):
            raise ReviewError("a group was already replaced; reload the alignment")
        return groups

    def merge_groups(self, group_ids: list[int], note: str | None = None) -> int:
        """One group from several: all their paragraphs say the same thing."""
        if len(group_ids) < 2:
            raise ReviewError("merging needs at least two groups")
        with db.session_scope(self.store.engine) as session:
            groups = self._groups(session, group_ids)
            translation = sorted({i for g in groups for i in g.translation})
            original = sorted({j for g in groups for j in g.original})
            kind = (
                "matched" if translation and original else ("added" if translation else "dropped")
            )
            return self._replace_groups(
                session,
                groups[0].link_id,
                groups,
                [(translation, original, kind)],
                "merge_groups",
                note,
            )

    def split_group(self, group_id: int, note: str | None = None) -> int:
        """Undo a machine merge: one group per paragraph pair, in order; the rest unpaired."""
        with db.session_scope(self.store.engine) as session:
            (group,) = self._groups(session, [group_id])
            if len(group.translation) + len(group.original) < 3:
                raise ReviewError(
                    "only a group with more than one paragraph on a side can be split"
                )
            t, o = list(group.translation), list(group.original)
            new = [([t[k]], [o[k]], "matched") for k in range(min(len(t), len(o)))]
            new += [([i], [], "added") for i in t[len(o) :]]
            new += [([], [j], "dropped") for j in o[len(t) :]]
            return self._replace_groups(session, group.link_id, [group], new, "split_group", note)

    def unlink_group(self, group_id: int, note: str | None = None) -> int:
        """These paragraphs are not translations of each other: an addition and a drop."""
        with db.session_scope(self.store.engine) as session:
            (group,) = self._groups(session, [group_id])
            if not (group.translation and group.original):
                raise ReviewError("only a group with both sides can be unlinked")
            new = [([i], [], "added") for i in group.translation] + [
                ([], [j], "dropped") for j in group.original
            ]
            return self._replace_groups(session, group.link_id, [group], new, "unlink_group", note)

    def relink_groups(
        self, translation_group: int, original_group: int, note: str | None = None
    ) -> int:
        """Pair an added paragraph with a dropped one (the machine missed the link)."""
        with db.session_scope(self.store.engine) as session:
            added, dropped = self._groups(session, [translation_group, original_group])
            if (
                added.original
                or dropped.translation
                or not added.translation
                or not dropped.original
            ):
                raise ReviewError("relink pairs an added group with a dropped group")
            new = [(list(added.translation), list(dropped.original), "matched")]
            return self._replace_groups(
                session, added.link_id, [added, dropped], new, "relink_groups", note
            )

    # -- the trail --------------------------------------------------------------------------

    def undo(self) -> Event:
        """Undo this reviewer's latest action that is not undone yet."""
        with db.session_scope(self.store.engine) as session:
            event = session.exec(
                select(ReviewEvent)
                .where(
                    ReviewEvent.reviewer == self.reviewer,
                    ReviewEvent.undone.is_(False),  # type: ignore[attr-defined]
                    ReviewEvent.action != "undo",
                )
                .order_by(ReviewEvent.id.desc())  # type: ignore[union-attr]
            ).first()
            if event is None:
                raise ReviewError("nothing to undo")
            if event.target_type == "flag":
                flag = _get(session, Flag, event.target_id, "flag")
                flag.status, flag.note = event.before["status"], event.before.get("note")
                session.add(flag)
            elif event.action.endswith("_groups") or event.action in (
                "split_group",
                "unlink_group",
            ):
                for gid in event.after.get("active", []):
                    row = session.get(AlignmentGroup, gid)
                    if row is not None:
                        session.delete(row)
                for gid in event.before.get("active", []):
                    row = session.get(AlignmentGroup, gid)
                    if row is not None:
                        row.active = True
                        session.add(row)
            else:
                link = _get(session, Link, event.target_id, "link")
                link.status = event.before["status"]
                session.add(link)
                for other in event.before.get("others", []):
                    row = session.get(Link, other["id"])
                    if row is not None:
                        row.status = other["status"]
                        session.add(row)
            event.undone = True
            session.add(event)
            _event(
                session,
                self.reviewer,
                "undo",
                event.target_type,
                event.target_id,
                {"event": event.id},
                {},
            )
            return _event_view(event)

    def history(self, limit: int = 50) -> list[Event]:
        with Session(self.store.engine) as session:
            rows = session.exec(
                select(ReviewEvent).order_by(ReviewEvent.id.desc()).limit(limit)
            ).all()  # type: ignore[union-attr]
        return [_event_view(e) for e in rows]


def _event_view(event: ReviewEvent) -> Event:
    assert event.id is not None
    return Event(event.id, event.reviewer, event.at.isoformat(), event.action, event.target_type, event.target_id,
                 event.note, event.undone)  # fmt: skip


__all__ = ["Event", "Review", "ReviewError", "reviewer_name"]
