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
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from provenance import db
from provenance.errors import NotFoundError, ProvenanceError
from provenance.models import (
    AlignmentGroup,
    Article,
    Flag,
    Link,
    Outlet,
    Paragraph,
    ReviewEvent,
    utcnow,
)
from provenance.store import _flag_key
from provenance.vocab import (
    FLAG_ACTIONS,
    GROUP_ACTIONS,
    FlagStatus,
    GroupKind,
    LinkStatus,
    ReviewAction,
)


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


_ACTION_WORDS = {
    ReviewAction.confirm_link: ("confirmed", "link to {detail}"),
    ReviewAction.reject_link: ("rejected", "link to {detail}"),
    ReviewAction.accept_flag: ("accepted", "{detail} flag"),
    ReviewAction.dismiss_flag: ("dismissed", "{detail} flag"),
    ReviewAction.merge_groups: ("merged", "groups"),
    ReviewAction.split_group: ("split", "group"),
    ReviewAction.unlink_group: ("unlinked", "group"),
    ReviewAction.relink_groups: ("relinked", "groups"),
}


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


def _claim(session: Session, model: Any, key: int, seen: str, what: str) -> None:
    """Take the row for this decision if its status is still the one the reviewer saw: a
    compare-and-set that the database decides, so of two reviewers deciding at once one wins
    and the other is told whose decision stands (on PostgreSQL the second waits for the
    first's commit, then finds the status changed)."""
    claimed = session.execute(
        update(model)
        .where(model.id == key, model.status == seen)
        .values(status=model.status)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount == 1:  # type: ignore[attr-defined]
        return
    session.rollback()
    raise StaleDecision(_changed_since(session, what, key, seen))


def _changed_since(session: Session, what: str, key: int, seen: str) -> str:
    """Who changed a link or flag, in words, for the refusal of a stale decision."""
    model = Link if what == "link" else Flag
    row = session.get(model, key)
    now = row.status if row is not None else "gone"
    last = session.exec(
        select(ReviewEvent)
        .where(ReviewEvent.target_type == what, ReviewEvent.target_id == key)
        .order_by(ReviewEvent.id.desc())  # type: ignore[union-attr]
    ).first()
    by = (
        f" by {last.reviewer} at {last.at:%Y-%m-%d %H:%M}"
        if last is not None and last.after.get("status") == now
        else ""
    )
    return (
        f"{what} {key} was {seen} when you read it and is now {now}{by}; "
        "your decision was not saved (reload to see it)"
    )


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

    def _set_link(
        self,
        link_id: int,
        status: LinkStatus,
        action: ReviewAction,
        note: str | None,
        seen: str | None,
    ) -> int:
        with db.session_scope(self.store.engine) as session:
            link = _get(session, Link, link_id, "link")
            before = _link_state(link)
            _claim(session, Link, link_id, seen or link.status, "link")
            others: list[dict[str, Any]] = []
            if status == LinkStatus.confirmed:
                # one confirmed original per translation: a previous confirmation becomes a suggestion
                for other in session.exec(
                    select(Link).where(
                        Link.translation_id == link.translation_id,
                        Link.id != link.id,
                        Link.status == LinkStatus.confirmed,
                    )
                ).all():
                    others.append({"id": other.id, "status": other.status})
                    other.status = LinkStatus.suggested
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
        with db.session_scope(self.store.engine) as session:
            flag = _get(session, Flag, flag_id, "flag")
            before = _flag_state(flag)
            _claim(session, Flag, flag_id, seen or flag.status, "flag")
            flag.status = status
            flag.note = note
            session.add(flag)
            event = _event(
                session, self.reviewer, action, "flag", flag_id, before, _flag_state(flag), note
            )
            assert event.id is not None
            return event.id

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

    def _replace_groups(self, session: Session, link_id: int, old: list[AlignmentGroup],
                        new: list[tuple[list[int], list[int], str]], action: str, note: str | None) -> int:  # fmt: skip
        position = min(g.position for g in old)
        for group in old:
            group.active = False
            session.add(group)
        created = []
        rows = []
        for translation, original, kind in new:  # at the reading place of what they replace
            row = AlignmentGroup(
                link_id=link_id, position=position, kind=kind, translation=translation, original=original,
                origin="reviewer", score=0.0, signals={}, anchors={},
            )  # fmt: skip
            session.add(row)
            session.flush()
            created.append(row.id)
            rows.append(row)
        removed, added, repointed = self._reflag(
            session, _get(session, Link, link_id, "link"), old, rows
        )
        event = _event(
            session, self.reviewer, action, "link", link_id,
            {"active": [g.id for g in old], "flags": removed, "repointed": repointed},
            {"active": created, "flags": added}, note,
        )  # fmt: skip
        assert event.id is not None
        return event.id

    def _reflag(
        self, session: Session, link: Link, old: list[AlignmentGroup], new: list[AlignmentGroup]
    ) -> tuple[list[dict[str, Any]], list[int], list[list[int | None]]]:
        """The flags of edited groups, computed again as ``align`` computes them: the open
        flags of the replaced groups go, the new groups get theirs (an unlinked pair: an
        addition and a drop). A decided flag the new groups raise again keeps its decision and
        moves to its new group. Returns what undo needs: the flags removed (as rows), the
        ids created, and the moved flags with their former group."""
        old_flags = session.exec(
            select(Flag).where(Flag.group_id.in_([g.id for g in old]))  # type: ignore[union-attr]
        ).all()
        removed = [_flag_row(f) for f in old_flags if f.status == FlagStatus.open]
        for flag in old_flags:
            if flag.status == FlagStatus.open:
                session.delete(flag)
        decided = {
            _flag_key(f.kind, f.evidence): f
            for f in session.exec(select(Flag).where(Flag.link_id == link.id)).all()
            if f.status != FlagStatus.open
        }
        added: list[int] = []
        repointed: list[list[int | None]] = []
        for group, data in _flags_of(session, self.store, link, new):
            known = decided.get(_flag_key(data["kind"], data["evidence"]))
            if known is not None:
                repointed.append([known.id, known.group_id])
                known.group_id = group.id
                session.add(known)
                continue
            flag = Flag(article_id=link.translation_id, link_id=link.id, group_id=group.id,
                        translation_revision_id=link.translation_revision_id, **data)  # fmt: skip
            session.add(flag)
            session.flush()
            assert flag.id is not None
            added.append(flag.id)
        return removed, added, repointed

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
                GroupKind.matched
                if translation and original
                else (GroupKind.added if translation else GroupKind.dropped)
            )
            return self._replace_groups(
                session,
                groups[0].link_id,
                groups,
                [(translation, original, kind)],
                ReviewAction.merge_groups,
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
            new = [([t[k]], [o[k]], GroupKind.matched) for k in range(min(len(t), len(o)))]
            new += [([i], [], GroupKind.added) for i in t[len(o) :]]
            new += [([], [j], GroupKind.dropped) for j in o[len(t) :]]
            return self._replace_groups(
                session, group.link_id, [group], new, ReviewAction.split_group, note
            )

    def unlink_group(self, group_id: int, note: str | None = None) -> int:
        """These paragraphs are not translations of each other: an addition and a drop."""
        with db.session_scope(self.store.engine) as session:
            (group,) = self._groups(session, [group_id])
            if not (group.translation and group.original):
                raise ReviewError("only a group with both sides can be unlinked")
            new = [([i], [], GroupKind.added) for i in group.translation] + [
                ([], [j], GroupKind.dropped) for j in group.original
            ]
            return self._replace_groups(
                session, group.link_id, [group], new, ReviewAction.unlink_group, note
            )

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
            new = [(list(added.translation), list(dropped.original), GroupKind.matched)]
            return self._replace_groups(
                session, added.link_id, [added, dropped], new, ReviewAction.relink_groups, note
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
                    ReviewEvent.action != ReviewAction.undo,
                )
                .order_by(ReviewEvent.id.desc())  # type: ignore[union-attr]
            ).first()
            if event is None:
                raise ReviewError("nothing to undo")
            detail = ""
            if event.action in FLAG_ACTIONS:
                flag = _get(session, Flag, event.target_id, "flag")
                flag.status, flag.note = event.before["status"], event.before.get("note")
                session.add(flag)
                detail = flag.kind
            elif event.action in GROUP_ACTIONS:
                _unflag(session, event.before, event.after)
                for gid in event.after.get("active", []):
                    row = session.get(AlignmentGroup, gid)
                    if row is not None:
                        session.delete(row)
                for gid in event.before.get("active", []):
                    row = session.get(AlignmentGroup, gid)
                    if row is not None:
                        row.active = True
                        session.add(row)
                session.flush()
                for data in event.before.get("flags", []):  # the replaced groups' flags, back
                    session.add(_flag_from_row(data))
            else:
                link = _get(session, Link, event.target_id, "link")
                link.status = event.before["status"]
                session.add(link)
                original = session.get(Article, link.original_id)
                detail = original.url if original is not None else ""
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
                ReviewAction.undo,
                event.target_type,
                event.target_id,
                {"event": event.id},
                {},
            )
            return _event_view(event, detail)

    def history(self, limit: int = 50) -> list[Event]:
        with Session(self.store.engine) as session:
            rows = session.exec(
                select(ReviewEvent).order_by(ReviewEvent.id.desc()).limit(limit)
            ).all()  # type: ignore[union-attr]
        return [_event_view(e) for e in rows]


def _flag_row(flag: Flag) -> dict[str, Any]:
    """A flag as JSON, kept in a review event so that undo can put it back as it was."""
    return {**flag.model_dump(), "created_at": flag.created_at.isoformat()}


def _flag_from_row(data: dict[str, Any]) -> Flag:
    return Flag(**{**data, "created_at": datetime.fromisoformat(data["created_at"])})


def _flags_of(
    session: Session, store: Any, link: Link, groups: list[AlignmentGroup]
) -> list[tuple[AlignmentGroup, dict[str, Any]]]:
    """The flags ``align`` would raise on these groups (provenance.flags), each with its group
    and stored the way align stores them."""
    from provenance.align import AlignParams, Group, estimate_length_params, to_paragraphs
    from provenance.flags import flags_for_alignment

    def paragraphs(revision_id: int | None, lang: str) -> list[Any]:
        rows = session.exec(select(Paragraph).where(Paragraph.revision_id == revision_id)).all()
        return to_paragraphs(sorted(rows, key=lambda p: p.index), lang)

    def outlet(article_id: int) -> str | None:
        article = session.get(Article, article_id)
        row = session.get(Outlet, article.outlet_id) if article and article.outlet_id else None
        return row.name if row else None

    ratio, _ = estimate_length_params(
        store.length_samples(outlet(link.translation_id), outlet(link.original_id)), AlignParams()
    )
    proposed = flags_for_alignment(
        [Group(tuple(g.translation), tuple(g.original), g.kind) for g in groups],
        paragraphs(link.translation_revision_id, "en"),
        paragraphs(link.original_revision_id, "ar"),
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
        found.append((group, {"kind": flag.kind, "level": flag.level,
                              "severity": flag.severity, "evidence": evidence}))  # fmt: skip
    return found


def _unflag(session: Session, before: dict[str, Any], after: dict[str, Any]) -> None:
    """Take the flags of a group edit back out: the ones it created go, the decided ones it
    moved return to their group; any other flag on the edit's groups (decided since) moves to
    the replaced group holding its paragraph."""
    for flag_id in after.get("flags", []):
        row = session.get(Flag, flag_id)
        if row is not None:
            session.delete(row)
    for flag_id, group_id in before.get("repointed", []):
        row = session.get(Flag, flag_id)
        if row is not None:
            row.group_id = group_id
            session.add(row)
    session.flush()
    new_ids = after.get("active", [])
    old = [session.get(AlignmentGroup, g) for g in before.get("active", [])]
    for flag in session.exec(select(Flag).where(Flag.group_id.in_(new_ids))).all():  # type: ignore[union-attr]
        t, o = flag.evidence.get("translation_index"), flag.evidence.get("original_index")
        home = next((g for g in old if g and (t in g.translation or o in g.original)), None)
        flag.group_id = home.id if home else None
        session.add(flag)
    session.flush()


def _event_view(event: ReviewEvent, detail: str = "") -> Event:
    assert event.id is not None
    return Event(event.id, event.reviewer, event.at.isoformat(), event.action, event.target_type, event.target_id,
                 event.note, event.undone, detail)  # fmt: skip


__all__ = ["Event", "Review", "ReviewError", "reviewer_name"]
