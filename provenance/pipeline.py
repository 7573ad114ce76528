"""The pipeline: the stages run over what is stored.

``link`` and ``align`` are algorithms on plain data (paragraphs, candidates); this module
reads their input from the store, runs them, and writes their decisions back: linking every
translation (``link_translations``) and aligning every link that needs it (``align_links``).
What each function needs of the store is a protocol in ``provenance/ports.py``. The layers
(``pyproject.toml``, import-linter): text, then the stages, then this module with workers and
the queue, then the CLI and the UI.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from provenance.align import (
    KNOWN_ADDITION_KINDS,
    AlignParams,
    Group,
    Paragraph,
    align_pairs,
    estimate_length_params,
    to_paragraphs,
)
from provenance.config import Settings
from provenance.dates import utcnow
from provenance.embed import Embedder
from provenance.flags import flags_for_alignment
from provenance.link import LinkResult, cached_embedder, find_originals, index_articles
from provenance.ports import AligningStore, LengthSource, LinkingStore
from provenance.review import Review
from provenance.text.anchors import anchors_to_json, extract_anchors
from provenance.views import LinkView
from provenance.vocab import ALIGNED_LINKS, LinkStatus

# -- link ---------------------------------------------------------------------------------------


@dataclass
class LinkReport:
    """What ``link_translations`` decided, translation by translation."""

    results: list[LinkResult] = field(default_factory=list)
    indexed: int = 0

    def counts(self) -> dict[str, int]:
        return dict(Counter(r.decision for r in self.results))

    def to_json(self) -> dict[str, Any]:
        return {
            "indexed": self.indexed,
            "decisions": self.counts(),
            "results": [r.to_json() for r in self.results],
        }


def link_translations(
    store: LinkingStore,
    *,
    translation: str | int | None = None,
    everything: bool = False,
    top: int = 5,
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    on_result: Callable[[LinkResult], None] | None = None,
) -> LinkReport:
    """Link one translation, or every translation in the database, and store the decisions."""
    settings = settings or Settings()
    report = LinkReport(indexed=index_articles(store))
    if embedder is not None:
        embedder = cached_embedder(embedder, store)  # once for the run, not per translation
    if translation is not None:
        targets = [_article_id(store, translation)]
    elif everything:
        targets = store.translation_ids()
    else:
        raise ValueError("give a translation or everything=True")
    for article_id in targets:
        if store.has_confirmed_link(article_id):
            article = store.find_article(article_id)
            result = LinkResult(article_id, article.url, article.credit, [], "kept")
        else:
            result = find_originals(store, article_id, settings=settings, embedder=embedder)
            store.save_links(
                article_id, result.candidates[:top], result.decision, checked_at=utcnow()
            )
        report.results.append(result)
        if on_result:
            on_result(result)
    return report


def _article_id(store: LinkingStore | AligningStore, key: str | int) -> int:
    found = store.find_article(key).id
    assert found is not None  # a stored article has its id
    return found


# -- align ------------------------------------------------------------------------------------

ALIGN_CHUNK = 20
"""Links aligned together by ``align_links``, so that their embeddings fill batches."""

LengthSamples = dict[tuple[str | None, str | None], list[tuple[int, int]]]
"""(translation outlet, original outlet) -> (translation, original) lengths of 1-1 groups."""

_Work = tuple[LinkView, list[Paragraph], list[Paragraph], AlignParams]
"""A link ready to align: its paragraphs on each side and the parameters for its outlets."""


def length_samples(store: LengthSource, links: Iterable[LinkView]) -> LengthSamples:
    """The length samples of the outlet pairs of ``links``, one query per pair, read before
    any of them is aligned: the estimate then does not depend on the order links are aligned
    in (nor on how a parallel run splits them)."""
    pairs = {(link.translation_outlet, link.original_outlet) for link in links}
    return {pair: store.length_samples(*pair) for pair in sorted(pairs, key=str)}


@dataclass
class AlignReport:
    """What ``align_links`` did, link by link."""

    aligned: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    kept: list[int] = field(default_factory=list)
    """Links left alone because a reviewer edited their groups."""
    skipped: list[dict[str, Any]] = field(default_factory=list)
    """Links not aligned, each with its reason (over a limit, out of memory)."""

    def to_json(self) -> dict[str, Any]:
        return {"aligned": self.aligned, "unchanged": self.unchanged, "kept_reviewed": self.kept,
                "skipped": self.skipped}  # fmt: skip


def _coverage_of(groups: Sequence[Group], translation: Sequence[Paragraph]) -> float:
    """Share of the translation's body paragraphs linked to the original."""
    body = {p.index for p in translation if p.kind not in KNOWN_ADDITION_KINDS}
    covered = {i for g in groups if g.translation and g.original for i in g.translation}
    return round(len(covered & body) / len(body), 3) if body else 0.0


def _save_missing_anchors(
    store: AligningStore, revision_id: int | None, paragraphs: list[Paragraph]
) -> None:
    """Paragraphs stored before anchors were (or under other lexicon data): store the
    anchors now extracted (cached by text, so this costs a write, not a second extraction)."""
    if revision_id is None:
        return
    missing = {
        p.index: anchors_to_json(extract_anchors(p.text, p.lang))
        for p in paragraphs
        if p.anchors is None
    }
    store.save_paragraph_anchors(revision_id, missing)


def align_links(
    store: AligningStore,
    *,
    translation: str | int | None = None,
    translation_ids: Sequence[int] | None = None,
    everything: bool = False,
    embedder: Embedder | None = None,
    force: bool = False,
    embed_all: bool | None = None,
    lengths: LengthSamples | None = None,
    max_cells: int | None = None,
) -> AlignReport:
    """Align the links of one translation, of several (``translation_ids``, a parallel run's
    share), or of every translation, that need it.

    A link needs aligning when it has never been aligned or a side has a new revision since.
    Only confirmed and auto links and each translation's best suggestion are aligned; rejected
    links are skipped; links whose groups a reviewer edited are kept as they are.
    ``embed_all``: see ``align_pairs``. ``lengths``: the length samples of each outlet pair,
    read once before anything is aligned (``length_samples``); a parallel run passes the ones
    its parent read, so that every part aligns as one process would. ``max_cells``: a link
    whose paragraphs make more pairs than this is skipped with its reason (as is one that
    runs out of memory); the others go on.
    """
    if translation is None and translation_ids is None and not everything:
        raise ValueError("give a translation, translation_ids or everything=True")
    translation_id = _article_id(store, translation) if translation is not None else None
    report = AlignReport()
    found = store.links(
        translation_id=translation_id, translation_ids=translation_ids, statuses=ALIGNED_LINKS
    )
    # The link a reviewer sees: confirmed or auto, else the best suggestion; runner-ups wait.
    links = [link for link in found if link.status != LinkStatus.suggested or link.rank == 1]
    if translation_id is not None and not links:
        from provenance.errors import NotFoundError

        raise NotFoundError(
            f"{translation}: no linked original to align with (run `provenance link` first)"
        )
    cached = cached_embedder(embedder, store) if embedder is not None else None
    todo = _to_align(store, links, force, report)
    given = lengths or {}
    missing = [t for t in todo if (t.translation_outlet, t.original_outlet) not in given]
    lengths = {**length_samples(store, missing), **given}  # a parallel run's are read once
    # Links in chunks: the paragraphs the semantic signal is wanted for are embedded in
    # batches across the links of a chunk (align_pairs).
    for at in range(0, len(todo), ALIGN_CHUNK):
        chunk: list[_Work] = []
        for link in todo[at : at + ALIGN_CHUNK]:
            work = _work(store, link, lengths, semantic=cached is not None)
            _link, t_paras, o_paras, _params = work
            cells = len(t_paras) * len(o_paras)
            if max_cells is not None and cells > max_cells:
                _skip(report, link, f"{len(t_paras)} x {len(o_paras)} paragraphs, over the "
                      f"limit of {max_cells:,} pairs (PROVENANCE_MAX_ALIGN_CELLS)")  # fmt: skip
                continue
            chunk.append(work)
        results = [
            (link, _stored_form(t_paras, o_paras, groups, params.length_ratio))
            for (link, t_paras, o_paras, params), groups in _aligned(
                chunk, cached, embed_all, report
            )
        ]
        # one write transaction for the chunk, taken once its flags are computed: fewer
        # commits, and parallel workers contend for SQLite's write lock a twentieth as often
        with store.atomic():
            for link, stored in results:
                _save_alignment(store, report, link, stored)
    return report


def _work(store: AligningStore, link: LinkView, lengths: LengthSamples, *, semantic: bool) -> _Work:
    """One link's paragraphs (their missing anchors stored on the way) and the aligner's
    parameters, with the length model of its outlet pair."""
    t_paras = _stored_paragraphs(store, link.translation_revision, "en")
    o_paras = _stored_paragraphs(store, link.original_revision, "ar")
    _save_missing_anchors(store, link.translation_revision, t_paras)
    _save_missing_anchors(store, link.original_revision, o_paras)
    base = AlignParams() if semantic else AlignParams.without_semantics()
    ratio, variance = estimate_length_params(
        lengths[(link.translation_outlet, link.original_outlet)], base
    )
    params = AlignParams(**{**base.__dict__, "length_ratio": ratio, "length_variance": variance})
    return link, t_paras, o_paras, params


def _to_align(
    store: AligningStore, links: list[LinkView], force: bool, report: AlignReport
) -> list[LinkView]:
    """The links that need aligning; the others are counted as unchanged or kept."""
    todo = []
    for link in links:
        if not (force or link.stale):
            report.unchanged += 1
            continue
        if store.has_reviewer_groups(link.id):
            report.kept.append(link.id)
            continue
        todo.append(link)
    return todo


def _stored_paragraphs(
    store: AligningStore, revision_id: int | None, default_lang: str
) -> list[Paragraph]:
    """A revision's paragraphs as the aligner's input (none for a side without a revision)."""
    stored = store.paragraphs(revision_id) if revision_id is not None else []
    return to_paragraphs(stored, default_lang)


def _aligned(
    chunk: list[_Work], embedder: Embedder | None, embed_all: bool | None, report: AlignReport
) -> list[tuple[_Work, list[Group]]]:
    """The chunk's links aligned together; when memory runs out, one at a time, and a link
    that still does not fit is skipped with its reason."""
    try:
        aligned = align_pairs(
            [(t, o) for _link, t, o, _params in chunk],
            params=[params for *_rest, params in chunk],
            embedder=embedder,
            embed_all=embed_all,
        )
        return list(zip(chunk, aligned, strict=True))
    except MemoryError:
        if len(chunk) == 1:
            _skip(report, chunk[0][0], "out of memory while aligning it")
            return []
    return [done for item in chunk for done in _aligned([item], embedder, embed_all, report)]


def _skip(report: AlignReport, link: LinkView, reason: str) -> None:
    report.skipped.append(
        {"link": link.id, "translation": link.translation_url, "reason": f"story skipped: {reason}"}
    )


@dataclass(frozen=True)
class _Stored:
    """One link's alignment as the store keeps it: group rows, flag rows, coverage."""

    groups: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    coverage: float


def _stored_form(
    t_paras: list[Paragraph], o_paras: list[Paragraph], groups: list[Group], ratio: float
) -> _Stored:
    """The groups and their flags as rows, each flag pointing at the group (by position)
    that holds its paragraph."""
    flags = flags_for_alignment(groups, t_paras, o_paras, length_ratio=ratio)
    last_first = list(reversed(list(enumerate(groups))))  # the first group holding it wins
    holder_t = {i: n for n, g in last_first for i in g.translation}
    holder_o = {j: n for n, g in last_first for j in g.original}
    rows = []
    for flag in flags:
        if flag.translation is not None:
            group_index = holder_t.get(flag.translation)
        else:
            group_index = holder_o.get(flag.original) if flag.original is not None else None
        evidence = {
            **flag.evidence,
            "translation_index": flag.translation,
            "original_index": flag.original,
        }
        rows.append(
            {
                "kind": flag.kind,
                "level": flag.level,
                "severity": flag.severity,
                "evidence": evidence,
                "group_index": group_index,
            }
        )
    return _Stored(
        [
            {
                "kind": g.kind,
                "translation": list(g.translation),
                "original": list(g.original),
                "score": g.score,
                "signals": {k: round(v, 4) for k, v in g.signals.items()},
                "anchors": g.anchors,
            }
            for g in groups
        ],
        rows,
        _coverage_of(groups, t_paras),
    )


def _save_alignment(
    store: AligningStore, report: AlignReport, link: LinkView, stored: _Stored
) -> None:
    """Store one link's groups and flags and note them in the report."""
    saved = store.save_alignment(
        link.id,
        link.translation_revision,
        link.original_revision,
        stored.groups,
        stored.flags,
        link.translation_id,
        coverage=stored.coverage,
    )
    report.aligned.append(
        {
            "link": link.id,
            "translation": link.translation_url,
            "original": link.original_url,
            "groups": saved["groups"],
            "flags": saved["flags"],
            "coverage": stored.coverage,
        }
    )


# -- review decisions that realign ---------------------------------------------------------------


def decide_candidate(
    review: Review, translation_id: int, original_id: int, *, confirm: bool
) -> int:
    """Confirm (then align) or reject one candidate original of a translation: the candidates
    screen's decision, after which the alignment view shows the confirmed pair."""
    link = review.store.link(translation_id, original_id)
    if not confirm:
        return review.reject_link(link.id)
    event = review.confirm_link(link.id)
    align_links(review.store, translation=translation_id)
    return event


def link_original_and_align(review: Review, translation_id: int, original: str | int) -> int:
    """Link the original the reviewer names, confirmed, and align the pair at once, so the
    alignment view shows it on return."""
    event = review.link_original(translation_id, original)
    align_links(review.store, translation=translation_id)
    return event
