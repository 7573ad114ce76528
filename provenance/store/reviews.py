"""Review events and the rows a reviewer's decisions change: the compare-and-set that takes a
link or flag, status changes, the alignment groups a reviewer edits with the flags those edits
remove, raise or move, and the review trail.

``provenance.review`` composes these inside one ``store.atomic()``; the review rules (one
confirmed original per translation, what undo restores, which flags an edit raises) stay
there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import update
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col, select

from provenance.dates import utcnow
from provenance.errors import NotFoundError
from provenance.models import AlignmentGroup, Flag, Link, ReviewEvent
from provenance.store.links import _flag_key
from provenance.store.unit import UnitOfWork
from provenance.vocab import FlagStatus, ReviewAction

NewGroup = tuple[list[int], list[int], str]
"""A group a reviewer makes: its translation and original paragraph indexes, and its kind."""
_TARGETS: dict[str, Any] = {"link": Link, "flag": Flag}
"""The rows a decision is taken on, by the target type the review trail names them with."""


@dataclass(frozen=True)
class EventRow:
    """One entry of the review trail, with the states before and after that undo reads."""

    id: int
    reviewer: str
    at: datetime
    action: str
    target_type: str
    target_id: int
    note: str | None
    undone: bool
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True)
class GroupState:
    """An alignment group as a reviewer's edit reads and replaces it."""

    id: int
    link_id: int
    position: int
    kind: str
    translation: list[int]
    original: list[int]
    active: bool


@dataclass(frozen=True)
class Reflagged:
    """What a group edit did to flags, as undo needs it back: the open flags removed (as rows),
    the flags raised, and the decided flags moved with their former group."""

    removed: list[dict[str, Any]]
    added: list[int]
    repointed: list[list[int | None]]


class ReviewStore(UnitOfWork):
    """Mixin: the reads and writes of review actions, each composed in ``atomic()``."""

    # -- taking a row -----------------------------------------------------------------------

    def claim(self, target_type: str, key: int, seen: str) -> bool:
        """Take the link or flag ``key`` if its status is still ``seen``: a compare-and-set the
        database decides, so of two reviewers deciding at once one wins (on PostgreSQL the
        second waits for the first's commit, then finds the status changed). False: taken by
        nobody, the status is no longer ``seen``."""
        model = _TARGETS[target_type]
        with self.atomic() as session:
            claimed = session.execute(
                update(model)
                .where(model.id == key, model.status == seen)
                .values(status=model.status)
                .execution_options(synchronize_session=False)
            )
            return cast(CursorResult[Any], claimed).rowcount == 1  # an UPDATE's result

    def status_now(self, target_type: str, key: int) -> str | None:
        """The status of a link or flag as the database holds it now (None: it is gone)."""
        model = _TARGETS[target_type]
        with self._reading() as session:
            return session.execute(select(model.status).where(model.id == key)).scalar()

    # -- changing rows ----------------------------------------------------------------------

    def set_link_statuses(self, statuses: dict[int, str]) -> None:
        """Give links their statuses (a link that is gone is skipped)."""
        with self.atomic() as session:
            for link_id, status in statuses.items():
                link = session.get(Link, link_id)
                if link is not None:
                    link.status = status
                    link.updated_at = utcnow()
                    session.add(link)

    def set_flag_state(self, flag_id: int, status: str, note: str | None) -> None:
        with self.atomic() as session:
            flag = _get(session, Flag, flag_id, "flag")
            flag.status, flag.note = status, note
            session.add(flag)

    def alignment_groups(self, group_ids: list[int]) -> list[GroupState]:
        """Groups by id, in the order asked; NotFoundError for one that does not exist."""
        with self._reading() as session:
            return [
                _group_state(_get(session, AlignmentGroup, g, "alignment group")) for g in group_ids
            ]

    def replace_groups(
        self, link_id: int, old: list[int], new: Sequence[NewGroup]
    ) -> list[GroupState]:
        """A reviewer's groups in place of ``old`` (kept, inactive), at the reading place of
        the first they replace."""
        with self.atomic() as session:
            replaced = [_get(session, AlignmentGroup, g, "alignment group") for g in old]
            position = min(g.position for g in replaced)
            for group in replaced:
                group.active = False
                session.add(group)
            created = []
            for translation, original, kind in new:
                row = AlignmentGroup(
                    link_id=link_id, position=position, kind=kind, translation=translation,
                    original=original, origin="reviewer", score=0.0, signals={}, anchors={},
                )  # fmt: skip
                session.add(row)
                session.flush()
                created.append(_group_state(row))
            return created

    def reflag_groups(
        self, link_id: int, old: list[int], proposed: list[tuple[int, dict[str, Any]]]
    ) -> Reflagged:
        """The flags of edited groups: the open flags of the replaced groups (``old``) go, and
        the new groups get the ``proposed`` ones (group id, flag). A decided flag proposed again
        keeps its decision and moves to its new group."""
        with self.atomic() as session:
            link = _get(session, Link, link_id, "link")
            old_flags = session.exec(select(Flag).where(col(Flag.group_id).in_(old))).all()
            removed = [_flag_row(f) for f in old_flags if f.status == FlagStatus.open]
            for flag in old_flags:
                if flag.status == FlagStatus.open:
                    session.delete(flag)
            decided = {
                _flag_key(f.kind, f.evidence): f
                for f in session.exec(select(Flag).where(Flag.link_id == link_id)).all()
                if f.status != FlagStatus.open
            }
            added: list[int] = []
            repointed: list[list[int | None]] = []
            for group_id, data in proposed:
                known = decided.get(_flag_key(data["kind"], data["evidence"]))
                if known is not None:
                    repointed.append([known.id, known.group_id])
                    known.group_id = group_id
                    session.add(known)
                    continue
                flag = Flag(article_id=link.translation_id, link_id=link_id, group_id=group_id,
                            translation_revision_id=link.translation_revision_id, **data)  # fmt: skip
                session.add(flag)
                session.flush()
                assert flag.id is not None
                added.append(flag.id)
            return Reflagged(removed, added, repointed)

    def restore_groups(
        self,
        created: list[int],
        replaced: list[int],
        reflagged: Reflagged,
    ) -> None:
        """Take a group edit back: its flags out (``_unflag``), the groups it ``created``
        deleted, the ones it ``replaced`` active again with the open flags they lost."""
        with self.atomic() as session:
            _unflag(session, created, replaced, reflagged)
            for gid in created:
                row = session.get(AlignmentGroup, gid)
                if row is not None:
                    session.delete(row)
            for gid in replaced:
                row = session.get(AlignmentGroup, gid)
                if row is not None:
                    row.active = True
                    session.add(row)
            session.flush()
            for data in reflagged.removed:
                session.add(_flag_from_row(data))

    # -- the trail --------------------------------------------------------------------------

    def record_event(self, reviewer: str, action: str, target_type: str, target_id: int,
                     before: dict[str, Any], after: dict[str, Any], note: str | None = None) -> int:  # fmt: skip
        """Add an action to the review trail; returns its id."""
        with self.atomic() as session:
            event = ReviewEvent(
                reviewer=reviewer, at=utcnow(), action=action, target_type=target_type,
                target_id=target_id, before=before, after=after, note=note,
            )  # fmt: skip
            session.add(event)
            session.flush()
            assert event.id is not None
            return event.id

    def latest_event(self, target_type: str, target_id: int) -> EventRow | None:
        """The latest action on a link or flag, whoever took it."""
        with self._reading() as session:
            row = session.exec(
                select(ReviewEvent)
                .where(ReviewEvent.target_type == target_type, ReviewEvent.target_id == target_id)
                .order_by(col(ReviewEvent.id).desc())
                .execution_options(populate_existing=True)
            ).first()
            return _event_row(row) if row is not None else None

    def undoable_event(self, reviewer: str) -> EventRow | None:
        """The reviewer's latest action that is not undone (an undo is not undone)."""
        with self._reading() as session:
            row = session.exec(
                select(ReviewEvent)
                .where(
                    ReviewEvent.reviewer == reviewer,
                    col(ReviewEvent.undone).is_(False),
                    ReviewEvent.action != ReviewAction.undo,
                )
                .order_by(col(ReviewEvent.id).desc())
            ).first()
            return _event_row(row) if row is not None else None

    def mark_undone(self, event_id: int) -> None:
        with self.atomic() as session:
            event = _get(session, ReviewEvent, event_id, "review event")
            event.undone = True
            session.add(event)

    def review_events(self, limit: int = 50) -> list[EventRow]:
        """The review trail, latest first."""
        with self._reading() as session:
            rows = session.exec(
                select(ReviewEvent).order_by(col(ReviewEvent.id).desc()).limit(limit)
            ).all()
            return [_event_row(e) for e in rows]


def _get(session: Session, model: type, key: int, what: str) -> Any:
    row = session.get(model, key)
    if row is None:
        raise NotFoundError(f"no {what} {key}")
    return row


def _group_state(group: AlignmentGroup) -> GroupState:
    assert group.id is not None
    return GroupState(group.id, group.link_id, group.position, group.kind,
                      list(group.translation), list(group.original), group.active)  # fmt: skip


def _event_row(event: ReviewEvent) -> EventRow:
    assert event.id is not None
    return EventRow(event.id, event.reviewer, event.at, event.action, event.target_type,
                    event.target_id, event.note, event.undone, event.before, event.after)  # fmt: skip


def _flag_row(flag: Flag) -> dict[str, Any]:
    """A flag as JSON, kept in a review event so that undo can put it back as it was."""
    return {**flag.model_dump(), "created_at": flag.created_at.isoformat()}


def _flag_from_row(data: dict[str, Any]) -> Flag:
    return Flag(**{**data, "created_at": datetime.fromisoformat(data["created_at"])})


def _unflag(
    session: Session, created: list[int], replaced: list[int], reflagged: Reflagged
) -> None:
    """Take the flags of a group edit back out: the ones it raised go, the decided ones it
    moved return to their group; any other flag on the edit's groups (decided since) moves to
    the replaced group holding its paragraph."""
    for flag_id in reflagged.added:
        row = session.get(Flag, flag_id)
        if row is not None:
            session.delete(row)
    for moved, group_id in reflagged.repointed:
        row = session.get(Flag, moved)
        if row is not None:
            row.group_id = group_id
            session.add(row)
    session.flush()
    old = [session.get(AlignmentGroup, g) for g in replaced]
    for flag in session.exec(select(Flag).where(col(Flag.group_id).in_(created))).all():
        t, o = flag.evidence.get("translation_index"), flag.evidence.get("original_index")
        home = next((g for g in old if g and (t in g.translation or o in g.original)), None)
        flag.group_id = home.id if home else None
        session.add(flag)
    session.flush()
