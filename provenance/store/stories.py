"""The story list, its audit facts and report rows, and the SQL of the one verified rule
(``_verification``, built from provenance/verification.py) that the list, the audit and the
reports all read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, or_
from sqlalchemy import select as core_select  # SQLModel's select types 4 columns at most
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from provenance.labels import mismatch_detail
from provenance.models import (
    AlignmentGroup,
    Article,
    Flag,
    Link,
    Outlet,
    Paragraph,
    ReviewEvent,
)
from provenance.store.sql import _iso, _like, is_translation
from provenance.verification import (
    ADDITION_FLAGS,
    BLOCKING_SEVERITY,
    NO_REVIEW_SEVERITY,
    UNVERIFIED_REASONS,
    StoryTerms,
    says_unverified,
    unverified,
)
from provenance.views import STORY_SORTS as STORY_SORTS  # re-exported: provenance.store
from provenance.views import StoryRow
from provenance.vocab import (
    ALIGNED_LINKS,
    BEST_LINK_RANK,
    FlagKind,
    FlagStatus,
    LinkStatus,
    ParagraphKind,
    best_link_rank,
)

STORY_FILTERS = ("all", "unverified", "flagged", "unlinked")


def best_link_case(column: Any) -> Any:
    """The ``best_link`` ordering (provenance.vocab) as a SQL ``case`` over a status column,
    from the same mapping as ``best_link_rank``, so that SQL and Python never disagree."""
    return case(
        *((column == status, rank) for status, rank in BEST_LINK_RANK.items()),
        else_=len(BEST_LINK_RANK),
    )


def _best_link_of(translation_id: Any) -> Any:
    """The id of a translation's link, the one the story is judged by: confirmed, else auto,
    else suggested (best rank first), else a rejected one."""
    return (
        select(Link.id)
        .where(Link.translation_id == translation_id)
        .order_by(best_link_case(Link.status), col(Link.rank), col(Link.id))
        .limit(1)
        .scalar_subquery()
    )


def _of_story_link(link_id: Any) -> Any:
    """A flag that counts for its story: one of the story's link (``link_id``), or one tied to
    no link. The flags of a link a reviewer rejected or passed over are not the story's."""
    return col(Flag.link_id).is_(None) | (col(Flag.link_id) == link_id)


def _found_again(link: Any) -> Any:
    """A flag that ``link``'s alignment, on its translation revision, still finds (an
    alignment on a newer revision that no longer finds it leaves the older revision on it)."""
    return col(Flag.translation_revision_id) == link.translation_revision_id


def _confirmed_flag(link: Any) -> Any:
    """A flag of ``link`` that is a confirmed error: of the blocking severity, accepted by a
    reviewer, and still found by the link's alignment (otherwise a newer translation resolved
    it)."""
    return (
        (col(Flag.link_id) == link.id)
        & (col(Flag.status) == FlagStatus.accepted)
        & (col(Flag.severity) == BLOCKING_SEVERITY)
        & _found_again(link)
    )


@dataclass(frozen=True)
class _StoryColumns:
    best: Any
    """The story's link (an alias of Link, outer-joined on ``_best_link_of``)."""
    original: Any
    """The original article of that link (an alias of Article, outer-joined)."""
    open_flags: Any
    high_flags: Any
    confirmed: Any
    reasons: dict[str, Any]
    """Reason name -> SQL condition, in UNVERIFIED_REASONS order."""


def _verification() -> _StoryColumns:
    """The rule (provenance.verification.unverified) as SQL over the story query: each of its
    terms written as a condition on the story's link, its flags and its articles' current
    revisions. The story list, its "unverified" filter, the audit and the reports all read
    these conditions."""
    best: Any = aliased(Link)
    original: Any = aliased(Article)
    story_flag = (col(Flag.article_id) == Article.id) & _of_story_link(best.id)
    open_flags = (  # flags that need a reviewer
        select(func.count(col(Flag.id)))
        .where(story_flag, Flag.status == FlagStatus.open, Flag.severity != NO_REVIEW_SEVERITY)
        .scalar_subquery()
    )
    high_flags = (
        select(func.count(col(Flag.id)))
        .where(story_flag, Flag.status == FlagStatus.open, Flag.severity == BLOCKING_SEVERITY)
        .scalar_subquery()
    )
    confirmed = select(func.count(col(Flag.id))).where(_confirmed_flag(best)).scalar_subquery()
    reasons = unverified(
        StoryTerms(
            no_link=best.id.is_(None),
            link_status=best.status,
            shown=best.status.in_(ALIGNED_LINKS),
            unaligned=best.translation_revision_id.is_(None) | best.original_revision_id.is_(None),
            high_flags=high_flags,
            confirmed=confirmed,
            original_changed=best.original_revision_id.is_not(None)
            & (best.original_revision_id != original.current_revision_id),
            translation_changed=best.translation_revision_id.is_not(None)
            & (best.translation_revision_id != Article.current_revision_id),
        )
    )
    assert tuple(reasons) == UNVERIFIED_REASONS
    return _StoryColumns(best, original, open_flags, high_flags, confirmed, reasons)


@dataclass
class StoryFacts:
    """What the audit and the reports need to know about one translation, read in bulk."""

    links: list[dict[str, Any]] = field(default_factory=list)
    """Every link: id, status, score, original URL, and whether a side changed since it was aligned."""
    open_flags: Counter[str] = field(default_factory=Counter)
    """Open flags by kind, of the story's link (and those tied to no link), as are the counts
    below but ``decisions``."""
    open_high: Counter[str] = field(default_factory=Counter)
    confirmed: Counter[str] = field(default_factory=Counter)
    """Confirmed errors of the story's link by kind (the ``confirmed_mismatch`` reason)."""
    decisions: list[dict[str, Any]] = field(default_factory=list)
    """Every decided flag: kind, severity, decision (accepted or dismissed), who decided and
    when (from the review trail), the note, the figures or names on both sides, and for an
    accepted flag whether a newer translation resolved it."""
    decided_flags: int = 0
    added: int = 0
    dropped: int = 0
    disclaimer: str | None = None
    """The story's own "not verified" disclaimer, when it has one."""
    revisions: int = 1
    reviewed_by: set[str] = field(default_factory=set)


class StoryStore:
    """Mixin: the story list, paged and filtered in SQL so 50,000 stories draw as fast as 50."""

    engine: Engine

    def _story_query(
        self,
        what: str,
        search: str | None,
        since: datetime | None = None,
        until: datetime | None = None,
        outlet: str | None = None,
        *,
        ids_only: bool = False,
    ) -> tuple[Any, _StoryColumns]:
        """The story list's query, and the rule's columns it selects. ``ids_only``: only the
        article ids, without the story's link unless the filter needs it (a cheap count or
        page of ids)."""
        if what not in STORY_FILTERS:
            raise ValueError(f"story filter {what!r} is not one of {', '.join(STORY_FILTERS)}")
        from sqlalchemy import case

        rule = _verification()
        best = rule.best
        columns = (
            (Article.id,)
            if ids_only
            else (
                Article.id,
                Article.url,
                Article.published,
                Outlet.name,
                Article.title,
                Article.credit,
                best.status,
                best.id,
                rule.open_flags,
                rule.high_flags,
                Article.link_checked_at,
                rule.confirmed,
                *(case((condition, 1), else_=0) for condition in rule.reasons.values()),
            )
        )
        query = select(*columns).join(Outlet, col(Outlet.id) == Article.outlet_id, isouter=True)
        if not ids_only or what != "all":
            query = query.join(
                best, best.id == _best_link_of(Article.id).correlate(Article), isouter=True
            ).join(rule.original, rule.original.id == best.original_id, isouter=True)
        query = query.where(is_translation())
        if since is not None:
            query = query.where(col(Article.published) >= since)
        if until is not None:
            query = query.where(col(Article.published) < until)
        if outlet:
            query = query.where(func.lower(Outlet.name) == outlet.lower())
        if what == "unverified":
            query = query.where(or_(*rule.reasons.values()))
        elif what == "flagged":
            query = query.where(rule.open_flags > 0)
        elif what == "unlinked":
            query = query.where(or_(best.id.is_(None), best.status == LinkStatus.rejected))
        if search:
            like = _like(search)
            query = query.where(
                or_(
                    col(Article.title).ilike(like, escape="\\"),
                    col(Article.url).ilike(like, escape="\\"),
                    col(Outlet.name).ilike(like, escape="\\"),
                )
            )
        return query, rule

    def story_count(
        self,
        what: str = "all",
        search: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        outlet: str | None = None,
    ) -> int:
        query, _ = self._story_query(what, search, since, until, outlet, ids_only=True)
        with Session(self.engine) as session:
            return int(
                session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
            )

    def story_page(
        self,
        *,
        what: str = "all",
        search: str | None = None,
        sort: str = "newest",
        offset: int = 0,
        limit: int = 100,
        since: datetime | None = None,
        until: datetime | None = None,
        outlet: str | None = None,
    ) -> list[StoryRow]:
        """One page of translations with their link status, open flags and the reasons they
        are not verified."""
        query, rule = self._story_query(what, search, since, until, outlet)
        order = {
            "newest": (col(Article.published).desc(), col(Article.id).desc()),
            "oldest": (col(Article.published).asc(), col(Article.id).asc()),
            "flags": (rule.open_flags.desc(), col(Article.id).desc()),
            "title": (col(Article.title).asc(), col(Article.id).asc()),
        }[sort]
        with Session(self.engine) as session:
            # The page's ids first, so that the rule's columns are computed for its rows only,
            # not for every row an offset skips.
            if sort == "flags":  # ordered by a column of the story's link
                ids = query.with_only_columns(Article.id)
            else:
                ids, _ = self._story_query(what, search, since, until, outlet, ids_only=True)
            page = session.execute(ids.order_by(*order).offset(offset).limit(limit)).scalars()
            position = {aid: n for n, aid in enumerate(page)}
            rows = sorted(
                session.execute(query.where(col(Article.id).in_(list(position)))).all(),
                key=lambda r: position[r[0]],
            )
            link_ids = [r[7] for r in rows if r[7] is not None]
            links = {}
            if link_ids:
                for link_id, explanation, url in session.execute(
                    select(Link.id, Link.explanation, Article.url)
                    .join(Article, col(Article.id) == Link.original_id)
                    .where(col(Link.id).in_(link_ids))
                ).all():
                    links[link_id] = (explanation or {}, url)
        result = []
        for (
            aid,
            url,
            published,
            outlet,
            title,
            credit,
            status,
            link_id,
            n_open,
            n_high,
            checked,
            n_confirmed,
            *failed,
        ) in rows:
            explanation, original_url = links.get(link_id, ({}, None))
            coverage = explanation.get("aligned_coverage", explanation.get("coverage"))
            result.append(
                StoryRow(
                    aid,
                    url,
                    _iso(published),
                    outlet,
                    title,
                    credit,
                    status,
                    link_id,
                    original_url,
                    coverage,
                    n_open,
                    n_high,
                    checked is not None,
                    tuple(name for name, on in zip(UNVERIFIED_REASONS, failed, strict=True) if on),
                    n_confirmed or 0,
                )
            )
        return result

    def story_pages(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        outlet: str | None = None,
        page: int = 1000,
    ) -> Iterator[tuple[list[StoryRow], dict[int, StoryFacts]]]:
        """A period's stories newest first, a page at a time, each page with its facts."""
        offset = 0
        while True:
            rows = self.story_page(
                what="all",
                sort="newest",
                offset=offset,
                limit=page,
                since=since,
                until=until,
                outlet=outlet,
            )
            if not rows:
                return
            yield rows, self.story_facts([row.id for row in rows])
            offset += page

    def story_facts(self, ids: list[int]) -> dict[int, StoryFacts]:
        """Links, flags, disclaimers and revisions of many stories in a handful of queries."""
        facts = {i: StoryFacts() for i in ids}
        if not ids:
            return facts
        with Session(self.engine) as session:
            original = aliased(Article)
            translation = aliased(Article)
            for link, url, o_rev, t_rev in session.execute(
                select(
                    Link,
                    original.url,
                    original.current_revision_id,
                    translation.current_revision_id,
                )
                .join(original, col(original.id) == Link.original_id)
                .join(translation, col(translation.id) == Link.translation_id)
                .where(col(Link.translation_id).in_(ids))
                .order_by(col(Link.rank))
            ).all():
                facts[link.translation_id].links.append(
                    {
                        "id": link.id,
                        "status": link.status,
                        "score": link.score,
                        "rank": link.rank,
                        "original": url,
                        "coverage": (link.explanation or {}).get(
                            "aligned_coverage", (link.explanation or {}).get("coverage")
                        ),
                        "source_changed": link.original_revision_id is not None
                        and link.original_revision_id != o_rev,
                        "translation_changed": link.translation_revision_id is not None
                        and link.translation_revision_id != t_rev,
                    }
                )
            for article_id, kind, severity, status, n in session.execute(
                core_select(
                    col(Flag.article_id),
                    col(Flag.kind),
                    col(Flag.severity),
                    col(Flag.status),
                    func.count(),
                )
                .where(col(Flag.article_id).in_(ids))
                .where(_of_story_link(_best_link_of(Flag.article_id)))
                .group_by(
                    col(Flag.article_id), col(Flag.kind), col(Flag.severity), col(Flag.status)
                )
            ).all():
                story = facts[article_id]
                if status == FlagStatus.open:
                    story.open_flags[kind] += n
                    if severity == BLOCKING_SEVERITY:
                        story.open_high[kind] += n
                else:
                    story.decided_flags += n
                if kind == FlagKind.dropped:
                    story.dropped += n
                elif kind in ADDITION_FLAGS:
                    story.added += n
            for article_id, text in session.execute(
                select(Article.id, Paragraph.text)
                .join(Paragraph, col(Paragraph.revision_id) == Article.current_revision_id)
                .where(col(Article.id).in_(ids), Paragraph.kind == ParagraphKind.disclaimer)
            ).all():
                if says_unverified(text):
                    facts[article_id].disclaimer = text
            for article_id, revisions in session.execute(
                select(Article.id, Article.revision_count).where(col(Article.id).in_(ids))
            ).all():
                facts[article_id].revisions = revisions
            for article_id, reviewer in session.execute(
                select(Link.translation_id, ReviewEvent.reviewer)
                .join(
                    ReviewEvent,
                    (col(ReviewEvent.target_type) == "link")
                    & (col(ReviewEvent.target_id) == Link.id),
                )
                .where(col(Link.translation_id).in_(ids))
                .distinct()
            ).all():
                facts[article_id].reviewed_by.add(reviewer)
            self._decisions(session, ids, facts)
        return facts

    @staticmethod
    def _decisions(session: Session, ids: list[int], facts: dict[int, StoryFacts]) -> None:
        """Confirmed errors by kind, and every decided flag with who decided it (the latest
        accept or dismiss of the review trail that is not undone)."""
        from sqlalchemy import case

        best: Any = aliased(Link)
        for article_id, kind, n in session.execute(
            select(Flag.article_id, Flag.kind, func.count())
            .join(best, best.id == Flag.link_id)
            .where(col(Flag.article_id).in_(ids), best.id == _best_link_of(Flag.article_id))
            .where(_confirmed_flag(best))
            .group_by(col(Flag.article_id), col(Flag.kind))
        ).all():
            facts[article_id].confirmed[kind] += n
        link: Any = aliased(Link)
        decided = session.execute(
            select(Flag, case((_found_again(link), 1), else_=0))
            .join(link, link.id == Flag.link_id, isouter=True)
            .where(col(Flag.article_id).in_(ids), Flag.status != FlagStatus.open)
            .order_by(col(Flag.article_id), col(Flag.id))
        ).all()
        deciders: dict[int, ReviewEvent] = {}
        flag_ids = [flag.id for flag, _ in decided]
        for start in range(0, len(flag_ids), 500):
            for event in session.exec(
                select(ReviewEvent)
                .where(
                    ReviewEvent.target_type == "flag",
                    col(ReviewEvent.target_id).in_(flag_ids[start : start + 500]),
                    col(ReviewEvent.action).in_(("accept_flag", "dismiss_flag")),
                    col(ReviewEvent.undone).is_(False),
                )
                .order_by(col(ReviewEvent.id))
            ).all():
                deciders[event.target_id] = event
        for flag, found in decided:
            decider = deciders.get(flag.id or 0)
            story = facts[flag.article_id]
            story.decisions.append(
                {
                    "flag": flag.id,
                    "kind": flag.kind,
                    "severity": flag.severity,
                    "decision": flag.status,
                    "reviewer": decider.reviewer if decider else None,
                    "at": _iso(decider.at) if decider else None,
                    "note": flag.note,
                    "translation": flag.evidence.get("translation"),
                    "original": flag.evidence.get("original"),
                    "resolved": flag.status == FlagStatus.accepted
                    and flag.translation_revision_id is not None
                    and not found,
                }
            )
            if decider is not None:
                story.reviewed_by.add(decider.reviewer)

    def side_by_side(self, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        """For many translations at once: each group of its shown link with both sides' texts
        and its open flags (the batch form of ``aligned_pair``, for reports)."""
        best: dict[int, Any] = {}
        result: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
        with Session(self.engine) as session:
            for start in range(0, len(ids), 500):
                for row in session.execute(
                    core_select(
                        col(Link.id),
                        col(Link.translation_id),
                        col(Link.status),
                        col(Link.rank),
                        col(Link.translation_revision_id),
                        col(Link.original_revision_id),
                    ).where(
                        col(Link.translation_id).in_(ids[start : start + 500]),
                        col(Link.status) != LinkStatus.rejected,
                    )
                ).all():
                    current = best.get(row.translation_id)
                    if current is None or (best_link_rank(row.status), row.rank) < (
                        best_link_rank(current.status),
                        current.rank,
                    ):
                        best[row.translation_id] = row
            link_ids = [row.id for row in best.values()]
            groups: dict[int, list[Any]] = {}
            flags: dict[int | None, list[str]] = {}
            texts: dict[tuple[int, int], str] = {}
            revisions = {
                r
                for row in best.values()
                for r in (row.translation_revision_id, row.original_revision_id)
                if r
            }
            for start in range(0, len(link_ids), 500):
                chunk = link_ids[start : start + 500]
                for g in session.execute(
                    core_select(
                        col(AlignmentGroup.id),
                        col(AlignmentGroup.link_id),
                        col(AlignmentGroup.kind),
                        col(AlignmentGroup.translation),
                        col(AlignmentGroup.original),
                    )
                    .where(
                        col(AlignmentGroup.link_id).in_(chunk), col(AlignmentGroup.active).is_(True)
                    )
                    .order_by(
                        col(AlignmentGroup.link_id),
                        col(AlignmentGroup.position),
                        col(AlignmentGroup.id),
                    )
                ).all():
                    groups.setdefault(g.link_id, []).append(g)
                for f in session.execute(
                    select(Flag.group_id, Flag.kind, Flag.evidence).where(
                        col(Flag.link_id).in_(chunk), Flag.status == FlagStatus.open
                    )
                ).all():
                    detail = mismatch_detail(f.kind, f.evidence)
                    label = f"{f.kind}: {detail}" if detail else f.kind
                    flags.setdefault(f.group_id, []).append(label)
            revision_list = sorted(revisions)
            for start in range(0, len(revision_list), 500):
                for revision_id, index, text in session.execute(
                    select(Paragraph.revision_id, Paragraph.index, Paragraph.text).where(
                        col(Paragraph.revision_id).in_(revision_list[start : start + 500])
                    )
                ).all():
                    texts[(revision_id, index)] = text
        for translation_id, row in best.items():
            result[translation_id] = [
                {
                    "kind": g.kind,
                    "translation": [
                        texts.get((row.translation_revision_id, i), "") for i in g.translation
                    ],
                    "original": [texts.get((row.original_revision_id, j), "") for j in g.original],
                    "flags": flags.get(g.id, []),
                }
                for g in groups.get(row.id, [])
            ]
        return result

    def titles_by_url(self, urls: list[str]) -> dict[str, tuple[str | None, str | None]]:
        """Title and outlet of each article by URL, for a page of stories in a few queries (a
        report names an original by its outlet and headline)."""
        found: dict[str, tuple[str | None, str | None]] = {}
        with Session(self.engine) as session:
            for start in range(0, len(urls), 500):
                for url, title, outlet in session.execute(
                    select(Article.url, Article.title, Outlet.name)
                    .join(Outlet, col(Outlet.id) == Article.outlet_id, isouter=True)
                    .where(col(Article.url).in_(urls[start : start + 500]))
                ).all():
                    found[url] = (title, outlet)
        return found
