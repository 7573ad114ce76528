"""Provenance export: W3C PROV (PROV-JSON, PROV-N) with the prov package, and schema.org JSON-LD.

PROV: every article is an entity and every revision an entity that ``wasRevisionOf`` the one
before; each link is an activity (the translation) that used the original and generated the
translation, which ``wasDerivedFrom`` the original; each review decision is an activity
associated with its reviewer; outlets and reviewers are agents. JSON-LD: a ``NewsArticle``
per translation with ``translationOfWork`` and ``isBasedOn`` pointing at its original.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from provenance.vocab import LINKED

if TYPE_CHECKING:
    from provenance.ports import ExportingStore

FORMATS = ("prov-json", "prov-n", "jsonld")
NAMESPACE = "https://provenance.example/ns#"


def _articles_and_links(
    store: ExportingStore, since: datetime | None, until: datetime | None, outlet: str | None
) -> tuple[list[Any], dict[int, list[Any]]]:
    """The period's translations, and the confirmed or auto links of each."""
    stories = [
        row
        for rows, _facts in store.story_pages(since=since, until=until, outlet=outlet)
        for row in rows
    ]
    links = {
        s.id: [link for link in store.links(translation_id=s.id) if link.status in LINKED]
        for s in stories
    }
    return stories, links


def prov_document(
    store: ExportingStore,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    outlet: str | None = None,
) -> Any:
    """A prov.model.ProvDocument of the period's translations, originals, revisions and reviews."""
    from prov.model import ProvDocument

    doc = ProvDocument()
    doc.add_namespace("pv", NAMESPACE)
    doc.add_namespace("schema", "https://schema.org/")
    stories, links = _articles_and_links(store, since, until, outlet)
    seen: set[int] = set()

    def article(article_id: int) -> Any:
        detail = store.article_detail(article_id)
        a = detail.article
        entity_id = f"pv:article/{a.id}"
        if article_id in seen:
            return doc.get_record(entity_id)[0]
        seen.add(article_id)
        entity = doc.entity(
            entity_id,
            {"prov:type": "schema:NewsArticle", "schema:url": a.url, "schema:headline": a.title,
             "schema:inLanguage": a.lang, "schema:datePublished": a.published or ""},
        )  # fmt: skip
        if a.outlet:
            agent = doc.agent(
                f"pv:outlet/{_slug(a.outlet)}",
                {"prov:type": "prov:Organization", "schema:name": a.outlet},
            )
            doc.wasAttributedTo(entity, agent)
        previous = None
        for rev in detail.revisions:
            revision = doc.entity(
                f"pv:article/{a.id}/revision/{rev.number}",
                {"pv:contentHash": rev.content_hash, "pv:created": rev.created_at},
            )
            doc.specializationOf(revision, entity)
            if previous is not None:
                doc.wasRevisionOf(revision, previous)
            previous = revision
        return entity

    for story in stories:
        translation = article(story.id)
        for link in links[story.id]:
            original = article(link.original_id)
            activity = doc.activity(
                f"pv:translation/{link.id}",
                other_attributes={"pv:status": link.status, "pv:score": link.score},
            )
            doc.used(activity, original)
            doc.wasGeneratedBy(translation, activity)
            doc.wasDerivedFrom(translation, original, activity)
    for event in _review_events(store, {s.id for s in stories}, links):
        reviewer = doc.agent(
            f"pv:reviewer/{_slug(event.reviewer)}",
            {"prov:type": "prov:Person", "schema:name": event.reviewer},
        )
        activity = doc.activity(
            f"pv:review/{event.id}",
            other_attributes={
                "pv:action": event.action,
                "pv:target": f"{event.target_type}/{event.target_id}",
            },
        )
        doc.wasAssociatedWith(activity, reviewer)
    return doc


def _review_events(
    store: ExportingStore, story_ids: set[int], links: dict[int, list[Any]]
) -> list[Any]:
    from provenance.review import Review

    link_ids = {link.id for group in links.values() for link in group}
    flag_ids = {f.id for sid in story_ids for f in store.flags(article_id=sid)}
    events = Review(store, "export").history(limit=100_000)
    return [
        e
        for e in events
        if e.action != "undo" and not e.undone
        and ((e.target_type == "link" and e.target_id in link_ids) or (e.target_type == "flag" and e.target_id in flag_ids))
    ]  # fmt: skip


def jsonld(
    store: ExportingStore,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    outlet: str | None = None,
) -> dict[str, Any]:
    """schema.org JSON-LD: each translation a NewsArticle, translationOfWork its original."""
    stories, links = _articles_and_links(store, since, until, outlet)
    graph = []
    for story in stories:
        node: dict[str, Any] = {
            "@type": "NewsArticle", "@id": story.url, "url": story.url, "headline": story.title,
            "datePublished": story.published, "inLanguage": "en",
            "publisher": {"@type": "NewsMediaOrganization", "name": story.outlet},
        }  # fmt: skip
        if links[story.id]:
            best = links[story.id][0]
            original = store.article_detail(best.original_id).article
            work = {
                "@type": "NewsArticle", "@id": original.url, "url": original.url, "headline": original.title,
                "inLanguage": original.lang, "datePublished": original.published,
                "publisher": {"@type": "NewsMediaOrganization", "name": original.outlet},
            }  # fmt: skip
            node["translationOfWork"] = work
            node["isBasedOn"] = original.url
        if story.credit:
            node["sourceOrganization"] = {"@type": "NewsMediaOrganization", "name": story.credit}
        graph.append(node)
    return {"@context": "https://schema.org", "@graph": graph}


def export(store: ExportingStore, fmt: str, **period: Any) -> str:
    """The export as text in one of FORMATS."""
    if fmt == "jsonld":
        return json.dumps(jsonld(store, **period), ensure_ascii=False, indent=2) + "\n"
    doc = prov_document(store, **period)
    if fmt == "prov-n":
        return str(doc.get_provn()) + "\n"
    return str(doc.serialize(format="json", indent=2)) + "\n"


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-") or "unknown"
