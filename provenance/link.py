"""Linking: find the original a translation was made from, across the whole corpus.

1. The credit in the standfirst or lead names the source outlet ("according to Enab Baladi").
2. Candidates are the other-language articles published from 14 days before to 1 day after
   the translation (settings), the credited outlet first but not only.
3. Retrieval uses the inverted index of anchor terms in the database (figures, day-month
   dates, names as consonant skeletons, lexicon concepts), weighted by rarity.
4. The best few are reranked by aligning them: how much of the translation each one covers;
   with the semantic backend, also by how similar each one's lead is to the translation's,
   compared with the other candidates (embedded lazily, cached by text hash).
5. Near-identical candidates (republications, syndicated copies) are one text: of the copies
   that fit the translation best, the credited outlet's, else the earliest outlet's, stands
   for them and lists the others.
6. Decisions: auto-link above a threshold with a clear margin over the runner-up; otherwise
   suggestions; below a floor, "no source found". Confirmed and rejected links never change.

A translation without a date searches the whole corpus; an original without one is in every
window.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from provenance.align import (
    KNOWN_ADDITION_KINDS,
    AlignParams,
    Paragraph,
    align_paragraphs,
    to_paragraphs,
)
from provenance.config import Settings
from provenance.embed import Embedder, embed_everything, group_vector
from provenance.ports import CandidateStore, EmbeddingStore, IndexingStore, RankingStore
from provenance.processes import die_with_parent
from provenance.text.anchors import anchors_from_json, extract_anchors
from provenance.text.normalize import normalize
from provenance.vocab import LinkStatus

if TYPE_CHECKING:
    from provenance.store.index import IndexJob, Postings

INDEXED_CONCEPT_SKIP = frozenset({"noun", "verb", "adj", "unit"})
"""Concept categories too common to find a story by."""
MIN_NAME_CONSONANTS = 3
"""Shorter name skeletons are not indexed (with the categories above, what an index term is:
changing either means indexing again, so they are not parameters of a search)."""
PARALLEL_FROM = 400
"""Batches this large are indexed by several processes."""
PARTS_PER_BATCH = 8
"""A parallel build's batch is cut into a few parts per worker (an even load), and at most
this many: each part's postings come back as one small database that SQLite attaches."""
BULK_REBUILD_FROM = 20_000
"""From this many articles to index, the lookup index is dropped and built again at the end."""
_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
NO_DATE_NOTE = "no publication date: searched the whole corpus"


@dataclass(frozen=True)
class LinkParams:
    """The linker's weights and thresholds (README, "How linking works"). The decision
    thresholds a newsroom may want to change (auto-link, margin, floor) and the date window
    are settings (provenance/config.py), not these."""

    stop_share: float = 0.2
    """A term in more than this share of the corpus says nothing about which story it is."""
    stop_min_corpus: int = 50
    """Below this many candidate articles no term is a stop term (rarity weights still apply)."""
    rarity_offset: float = 0.5
    """Added to a term's inverse document frequency (log), so a term in most of a small
    corpus still counts a little."""
    rerank: int = 8
    """How many retrieved candidates are aligned to compute coverage."""
    weight_coverage: float = 0.55
    """Score per share of the translation's body that the alignment links to a candidate ..."""
    weight_original_coverage: float = 0.15
    """... per share of the candidate's body it links ..."""
    weight_terms: float = 0.2
    """... and per share of the translation's term weight the candidate matches."""
    weight_date: float = 0.05
    """Score for a candidate published the expected day before the translation, falling to 0
    over ``date_span_days`` either side."""
    date_expected_days: float = 1.0
    date_span_days: float = 15.0
    weight_credit: float = 0.05
    """Score for the outlet the translation credits (also its head start for reranking)."""
    weight_retrieval_only: float = 0.1
    """Score per share of term weight of a candidate that was not reranked: well below any
    reranked candidate."""
    semantic_weight: float = 0.1
    """How far document similarity moves a score: from -0.05 (far less similar to the
    translation than the other candidates are) to +0.05 (far more)."""
    semantic_lead: int = 3
    """Body paragraphs of each side embedded for document similarity: the lead, where news
    translations follow their original most closely (and a fixed, small cost per candidate)."""
    semantic_prior_mean: float = 0.87
    semantic_prior_spread: float = 0.02
    """Lead-to-lead cosine of a retrieved candidate that is not the original, under
    multilingual-e5-small, and its spread (measured on fixtures/pairs and the development
    set): the per-query normalisation's prior."""
    semantic_prior_weight: float = 2.0
    """How many candidates' worth of evidence the prior counts for (a query may have only one)."""
    semantic_z_range: float = 3.0
    """Margins of this many spreads above (below) the other candidates map to 1 (0)."""
    near_identical: float = 0.8
    """Jaccard similarity of word shingles from which two candidates are copies of one text."""
    shingle: int = 5
    """Words per shingle."""


def index_terms(paragraphs: Iterable[tuple[str, ...] | tuple[Any, ...]], lang: str) -> set[str]:
    """The search terms of an article: (text, kind, lang[, stored anchors]) paragraphs, chrome
    left out. Anchors stored at ingest are read, not extracted again."""
    terms: set[str] = set()
    for text, kind, paragraph_lang, *stored in paragraphs:
        if kind in KNOWN_ADDITION_KINDS and kind != "standfirst":
            continue
        anchors = (anchors_from_json(stored[0]) if stored else None) or extract_anchors(
            text, paragraph_lang or lang
        )
        terms.update(f"n:{n}" for n in anchors.numbers if not n.startswith("~") and not _small(n))
        terms.update(d for d in anchors.dates if d.startswith("d:"))
        terms.update(
            f"c:{c}"
            for c in anchors.concepts
            if anchors.concept_categories.get(c) not in INDEXED_CONCEPT_SKIP
        )
        terms.update(f"p:{n}" for n in anchors.names if len(n) >= MIN_NAME_CONSONANTS)
    return terms


def shared_words(terms: list[str], limit: int) -> list[str]:
    """What a candidate shares with the translation, in words: numbers as written, concepts
    by their English name (``c:place.raqqa`` is "Raqqa"); name skeletons are not words."""
    from provenance.lexicon import lexicon

    entries = lexicon().entries
    words: list[str] = []
    for term in terms:
        kind, _, value = term.partition(":")
        entry = entries.get(value) if kind == "c" else None
        word = value if kind == "n" else entry.en[0] if entry and entry.en else None
        if word and word not in words:
            words.append(word)
    return words[:limit]


def _small(number: str) -> bool:
    return number.isdigit() and int(number) <= 10


@dataclass
class Candidate:
    """A possible original, with everything that explains its score."""

    article_id: int
    url: str
    outlet: str | None
    title: str
    published: str | None
    score: float = 0.0
    rank: int = 0
    term_score: float = 0.0
    matched_terms: list[str] = field(default_factory=list)
    coverage: float | None = None
    """Share of the translation's body paragraphs that the alignment links to this candidate."""
    original_coverage: float | None = None
    credited: bool = False
    days: float | None = None
    """Days from the candidate's publication to the translation's (positive: before)."""
    semantic: float | None = None
    """With the semantic backend, for reranked candidates: how similar this candidate's lead
    is to the translation's, against the other candidates of the query (0.5: as similar as
    they are; 1: far more; 0: far less)."""
    semantic_cosine: float | None = None
    """The cosine behind ``semantic``, before the per-query normalisation."""
    also_published_by: list[dict[str, Any]] = field(default_factory=list)
    """Near-identical copies of this text elsewhere (url, outlet, published), folded into it."""

    def explanation(self) -> dict[str, Any]:
        data = asdict(self)
        data["matched_terms"] = self.matched_terms[:30]
        return data


@dataclass
class LinkResult:
    """The ranking for one translation and the decision taken on it."""

    translation_id: int
    translation_url: str
    credit: str | None
    candidates: list[Candidate]
    decision: str
    """auto, suggested, none (no source found) or kept (a reviewer already decided)."""
    seconds: float = 0.0
    semantic_seconds: float = 0.0
    note: str | None = None
    """What the reader should know about the search (a translation without a date, say)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "translation": self.translation_url,
            "translation_id": self.translation_id,
            "credit": self.credit,
            "decision": self.decision,
            "candidates": [c.explanation() for c in self.candidates],
            "seconds": round(self.seconds, 4),
            "semantic_seconds": round(self.semantic_seconds, 4),
            "note": self.note,
        }


def combined_score(candidate: Candidate, params: LinkParams = LinkParams()) -> float:
    """One number in 0..1: mostly alignment coverage, then retrieval, credit and date, and
    document similarity when the semantic backend measured it.

    A candidate whose alignment links nothing scores 0 whatever it shares: same figures or
    the same town are how distractors look (README, "Linking"). Similarity is centred on the
    other candidates (0.5 adds nothing), so scores keep their meaning for the thresholds.
    """
    coverage = candidate.coverage
    if coverage is None:  # not reranked: retrieval alone, well below any reranked candidate
        return round(params.weight_retrieval_only * candidate.term_score, 4)
    if coverage == 0:
        return 0.0
    closeness = 0.0
    if candidate.days is not None:
        late = abs(candidate.days - params.date_expected_days)
        closeness = max(0.0, 1 - late / params.date_span_days)
    score = text_fit(candidate, params) + params.weight_date * closeness
    if candidate.semantic is not None:
        score = max(0.0, score + params.semantic_weight * (candidate.semantic - 0.5))
    return round(min(1.0, score + (params.weight_credit if candidate.credited else 0.0)), 4)


def text_fit(candidate: Candidate, params: LinkParams = LinkParams()) -> float:
    """The part of the score that compares the two texts (alignment coverage of each side and
    retrieval), without the date, the credit or document similarity; 0 before reranking."""
    if not candidate.coverage:
        return 0.0
    original = candidate.original_coverage or 0.0
    return (
        params.weight_coverage * candidate.coverage
        + params.weight_original_coverage * original
        + params.weight_terms * candidate.term_score
    )


def _coverage(
    translation: Sequence[Paragraph], original: Sequence[Paragraph]
) -> tuple[float, float]:
    """Shares of the translation's body and of the original's body that the alignment (on
    anchors, concepts and length: the fast path) links."""
    params = AlignParams.without_semantics()
    groups = align_paragraphs(translation, original, params=params)
    t_body = [p.index for p in translation if p.kind not in KNOWN_ADDITION_KINDS]
    o_body = [p.index for p in original if p.kind == "body"]
    linked_t = {i for g in groups if g.original for i in g.translation}
    linked_o = {j for g in groups if g.translation for j in g.original}
    return (
        len(linked_t & set(t_body)) / len(t_body) if t_body else 0.0,
        len(linked_o & set(o_body)) / len(o_body) if o_body else 0.0,
    )


def rank_candidates(
    translation: Sequence[Paragraph],
    candidates: list[Candidate],
    load_paragraphs: Callable[[list[int]], dict[int, list[Paragraph]]],
    *,
    embedder: Embedder | None = None,
    params: LinkParams = LinkParams(),
    settings: Settings | None = None,
    embed_all: bool | None = None,
) -> tuple[list[Candidate], float]:
    """Rerank the best retrieved candidates by alignment coverage (and, with an embedder, by
    document similarity), then fold near-identical copies into the one that stands for them.

    Document similarity costs a second or so a query (the leads of every reranked candidate
    embedded), so with the decision thresholds of ``settings`` it is measured only when it
    could still change the winner or the decision (``semantic_can_change``); ``embed_all``
    (default: $PROVENANCE_EMBED_ALL) measures it always. Returns the ranking and the seconds
    spent on the semantic backend.
    """
    credit = params.weight_credit
    ordered = sorted(
        candidates, key=lambda c: (-(c.term_score + (credit if c.credited else 0)), c.article_id)
    )
    head, tail = ordered[: params.rerank], ordered[params.rerank :]
    loaded = load_paragraphs([c.article_id for c in head])
    for candidate in head:
        candidate.coverage, candidate.original_coverage = _coverage(
            translation, loaded[candidate.article_id]
        )
    semantic_seconds = 0.0
    wanted = settings is None or embed_everything(embed_all)
    if embedder is not None and (wanted or semantic_can_change(ordered, settings, params)):
        start = time.perf_counter()
        semantic_margins(translation, head, loaded, embedder, params)
        semantic_seconds = time.perf_counter() - start
    for candidate in ordered:
        candidate.score = combined_score(candidate, params)
    bodies = {
        i: [p.text for p in paragraphs if p.kind == "body"] for i, paragraphs in loaded.items()
    }
    ranked = sorted(
        fold_copies(head, bodies, params), key=lambda c: (-c.score, c.article_id)
    ) + sorted(tail, key=lambda c: (-c.score, c.article_id))
    for n, candidate in enumerate(ranked, start=1):
        candidate.rank = n
    return ranked, semantic_seconds


def semantic_can_change(
    candidates: Sequence[Candidate], settings: Settings | None, params: LinkParams = LinkParams()
) -> bool:
    """Whether document similarity could still change which candidate wins or what is
    decided. It moves a reranked candidate's score by at most half its weight either way
    (``combined_score``), so a leader ahead by more than the whole weight, whose decision is
    the same at both ends of that range, stands whatever the vectors say. (Every candidate
    is taken to move, the ones not reranked too: a bound, never an underestimate.)"""
    if settings is None:
        return True
    scores = sorted((combined_score(c, params) for c in candidates), reverse=True)
    if not scores:
        return False
    swing = params.semantic_weight / 2
    best, runner_up = scores[0], scores[1] if len(scores) > 1 else 0.0
    if best - runner_up <= 2 * swing:
        return True
    worst_case = decision_for(best - swing, runner_up + swing, settings)
    best_case = decision_for(best + swing, max(0.0, runner_up - swing), settings)
    return worst_case != best_case


def _lead(
    paragraphs: Sequence[Paragraph], body: Callable[[Paragraph], bool], size: int
) -> list[str]:
    return [p.text for p in paragraphs if body(p)][:size]


def semantic_margins(
    translation: Sequence[Paragraph],
    candidates: Sequence[Candidate],
    loaded: dict[int, list[Paragraph]],
    embedder: Embedder,
    params: LinkParams = LinkParams(),
) -> None:
    """Set each candidate's ``semantic``: its lead's cosine with the translation's lead (each
    the normalised sum of its paragraphs' vectors, chrome left out), as a margin over the
    other candidates' cosines, in spreads, mapped onto 0..1.

    A cosine alone says little (every story on the same war is close to every other); its
    margin over the other candidates of the same query is comparable across queries. The
    reference and the spread are pulled towards the model's typical values, since a query
    may have only a few candidates. Candidates with no body text get no value.
    """
    size = params.semantic_lead
    t_lead = _lead(translation, lambda p: p.kind not in KNOWN_ADDITION_KINDS, size)
    leads = {
        c.article_id: _lead(loaded[c.article_id], lambda p: p.kind == "body", size)
        for c in candidates
    }
    leads = {i: lead for i, lead in leads.items() if lead}
    if not t_lead or not leads:
        return
    texts = t_lead + [text for lead in leads.values() for text in lead]
    vectors = embedder.embed(texts)
    t_vector = group_vector(vectors[: len(t_lead)])
    cosines: dict[int, float] = {}
    at = len(t_lead)
    for article_id, lead in leads.items():
        cosines[article_id] = float(t_vector @ group_vector(vectors[at : at + len(lead)]))
        at += len(lead)
    n, total = len(cosines), sum(cosines.values())
    mean = total / n
    variance = sum((x - mean) ** 2 for x in cosines.values())
    weight = params.semantic_prior_weight
    spread = math.sqrt((variance + weight * params.semantic_prior_spread**2) / (n + weight))
    for candidate in candidates:
        cosine = cosines.get(candidate.article_id)
        if cosine is None:
            continue
        reference = (total - cosine + weight * params.semantic_prior_mean) / (n - 1 + weight)
        margin = (cosine - reference) / spread
        semantic = 0.5 + margin / (2 * params.semantic_z_range)
        candidate.semantic = round(min(1.0, max(0.0, semantic)), 4)
        candidate.semantic_cosine = round(cosine, 4)


def _shingles(paragraphs: Sequence[str], size: int) -> set[tuple[str, ...]]:
    words = [w for text in paragraphs for w in _WORD.findall(normalize(text))]
    if len(words) < size:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def _figures(paragraphs: Sequence[str]) -> frozenset[str]:
    return frozenset(
        w for text in paragraphs for w in _WORD.findall(normalize(text)) if _DIGIT.search(w)
    )


def _jaccard(a: set[tuple[str, ...]], b: set[tuple[str, ...]], threshold: float) -> float:
    if not a or not b or min(len(a), len(b)) < threshold * max(len(a), len(b)):
        return 0.0  # too different in size to reach the threshold
    return len(a & b) / len(a | b)


def _original_first(candidate: Candidate) -> tuple[bool, bool, float, int]:
    """Which copy of a text is its original: the credited outlet's, else the earliest
    published (unknown dates count as latest), else the lowest article id."""
    when = datetime.fromisoformat(candidate.published).timestamp() if candidate.published else 0.0
    return (not candidate.credited, candidate.published is None, when, candidate.article_id)


def _standing_copy(cluster: Sequence[Candidate], params: LinkParams) -> Candidate:
    """Which of near-identical candidates stands for them: the copy the translation was made
    from, as far as the evidence tells.

    1. The texts first: only the copies that fit the translation best (``text_fit``). A
       version without a passage the translation has (or with one it lacks) would make it
       look added (or dropped) when the pair is aligned.
    2. Of those, the credited outlet's, else the earliest published's (``_original_first``):
       a copy elsewhere does not take the place of the outlet that published the text first.
    3. Of that outlet's own copies (one source, posted again), the best scored: with the same
       text, the one whose date fits the translation best.
    """
    fit = {c.article_id: round(text_fit(c, params), 4) for c in cluster}
    best = max(fit.values())
    fitting = [c for c in cluster if fit[c.article_id] == best]
    first = min(fitting, key=_original_first)
    if first.outlet is None:  # unknown outlets are not one source
        return first
    reposts = [c for c in fitting if c.outlet == first.outlet]
    return min(reposts, key=lambda c: (-c.score, _original_first(c)))


def fold_copies(
    candidates: Sequence[Candidate],
    bodies: dict[int, list[str]],
    params: LinkParams = LinkParams(),
) -> list[Candidate]:
    """Near-identical candidates (republications, syndicated copies) as one: the copy that
    stands for them (``_standing_copy``) takes the best score of the copies and lists the
    others in ``also_published_by``; the others leave the ranking. ``bodies`` holds each
    candidate's body paragraphs (chrome left out); candidates without one are left alone.

    Copies do not change figures: two texts whose figures conflict (neither's figures all in
    the other) are two versions of a story, an update say, and stay apart, since which one
    was translated matters."""
    shingles = {
        c.article_id: _shingles(bodies.get(c.article_id, []), params.shingle) for c in candidates
    }
    figures = {c.article_id: _figures(bodies.get(c.article_id, [])) for c in candidates}
    members = [c for c in candidates if shingles[c.article_id]]
    parent = {c.article_id: c.article_id for c in members}

    def root(article_id: int) -> int:
        while parent[article_id] != article_id:
            article_id = parent[article_id]
        return article_id

    for n, a in enumerate(members):
        for b in members[n + 1 :]:
            fa, fb = figures[a.article_id], figures[b.article_id]
            if not (fa <= fb or fb <= fa):
                continue  # conflicting figures: two versions of the story
            sa, sb = shingles[a.article_id], shingles[b.article_id]
            if _jaccard(sa, sb, params.near_identical) >= params.near_identical:
                parent[root(b.article_id)] = root(a.article_id)
    clusters: dict[int, list[Candidate]] = {}
    for candidate in members:
        clusters.setdefault(root(candidate.article_id), []).append(candidate)
    folded: set[int] = set()
    for cluster in clusters.values():
        if len(cluster) < 2:
            continue
        winner = _standing_copy(cluster, params)
        copies = sorted((c for c in cluster if c is not winner), key=_original_first)
        winner.score = max(c.score for c in cluster)
        winner.also_published_by = [
            {"url": c.url, "outlet": c.outlet, "published": c.published} for c in copies
        ]
        folded.update(c.article_id for c in copies)
    return [c for c in candidates if c.article_id not in folded]


def decide(candidates: Sequence[Candidate], settings: Settings) -> str:
    """auto, suggested or none, from the top score and its lead over the runner-up."""
    if not candidates:
        return "none"
    runner_up = candidates[1].score if len(candidates) > 1 else 0.0
    return decision_for(candidates[0].score, runner_up, settings)


def decision_for(best: float, runner_up: float, settings: Settings) -> str:
    """The decision for a top score and the runner-up's (``decide``)."""
    if best < settings.link_floor:
        return "none"
    if best >= settings.link_auto_threshold and best - runner_up >= settings.link_auto_margin:
        return LinkStatus.auto
    return LinkStatus.suggested


# -- over the database ------------------------------------------------------------------------


def _job_terms(job: IndexJob) -> set[str]:
    return index_terms(job.paragraphs, job.lang)


def index_articles(
    store: IndexingStore,
    *,
    batch: int = 1000,
    workers: int | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Bring the anchor-term index up to date (only articles whose text changed since).

    Extracting terms is the costly part and is pure: big runs spread it over processes (one
    per core), which read the next batch's paragraphs, extract its terms and make its
    postings while this process stores the last one. Each batch changes the term statistics
    with its postings, in one transaction; from 20,000 articles a run is in bulk mode
    (``set_bulk_mode``): the lookup index is built once at its end rather than row by row.
    """
    import os

    workers = workers or os.cpu_count() or 1
    if store.term_stats_stale():  # left by a build of a version that counted at its end
        store.recount_term_stats()
    store.set_bulk_mode(False)  # as a bulk build killed before its end left it
    jobs = store.articles_to_index(batch)
    bulk = len(jobs) >= PARALLEL_FROM and workers > 1
    if not bulk:
        total = 0
        while jobs:
            store.replace_terms(jobs, [_job_terms(job) for job in jobs])
            total += len(jobs)
            if on_batch:
                on_batch(len(jobs))
            jobs = store.articles_to_index(batch, after_id=jobs[-1].article_id)
        return total

    bulk_mode = store.count_to_index() >= BULK_REBUILD_FROM
    if bulk_mode:
        store.set_bulk_mode(True)
    try:
        return _index_in_parallel(store, jobs, batch, workers, on_batch)
    finally:
        if bulk_mode:
            store.set_bulk_mode(False)


def check_index(store: IndexingStore, *, repair: bool = False) -> dict[str, int | bool]:
    """Compare the term statistics with the postings they count; with ``repair``, recount
    them when they disagree. Linking never needs this (every batch counts what it writes);
    it is for an auditor who wants to see the index is sound.

    Counts marked stale are ``recount_pending``, not wrong: a build of an earlier version,
    which counted at its end, was stopped before it did, and the next build recounts."""
    wrong = store.term_stats_errors()
    repaired = 0
    if repair and wrong != 0:
        store.recount_term_stats()
        repaired, wrong = wrong or 0, store.term_stats_errors()
    return {
        "wrong_counts": wrong or 0,
        "recount_pending": wrong is None,
        "repaired": repaired,
        "to_index": store.count_to_index(),
    }


def _index_in_parallel(
    store: IndexingStore,
    jobs: list[IndexJob],
    batch: int,
    workers: int,
    on_batch: Callable[[int], None] | None,
) -> int:
    """The bulk build: this process reads which articles to index and stores their postings;
    the workers read the articles' paragraphs (each with its own connections), extract the
    terms and make the postings, a batch ahead."""
    _reader.store = store  # the forked workers' copy opens its own connections
    store.release_connections()
    try:
        return _build_in(store, jobs, batch, workers, on_batch)
    finally:
        _reader.store = None


def _build_in(
    store: IndexingStore,
    jobs: list[IndexJob],
    batch: int,
    workers: int,
    on_batch: Callable[[int], None] | None,
) -> int:
    import multiprocessing
    import os
    from concurrent.futures import Future, ProcessPoolExecutor

    total = 0
    with ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_index_worker,
        initargs=(os.getpid(),),
    ) as pool:
        chunk = max(1, -(-batch // min(4 * workers, PARTS_PER_BATCH)))

        def submit(heads: list[IndexJob]) -> list[Future[Postings]]:
            return [
                pool.submit(_read_postings, heads[i : i + chunk])
                for i in range(0, len(heads), chunk)
            ]

        pending: tuple[list[IndexJob], list[Future[Postings]]] | None = (jobs, submit(jobs))
        while pending is not None:
            current, futures = pending
            following = store.articles_to_index(
                batch, after_id=current[-1].article_id, paragraphs=False
            )
            pending = (following, submit(following)) if following else None
            store.store_postings(current, [future.result() for future in futures])
            total += len(current)
            if on_batch:
                on_batch(len(current))
    return total


class _Reader:
    """The store an index worker reads paragraphs from (set in the parent before the fork)."""

    store: IndexingStore | None = None


_reader = _Reader()


def _index_worker(parent: int) -> None:
    """Pool initializer: die with the parent, and read through connections of this process."""
    die_with_parent(parent)
    if _reader.store is not None:
        _reader.store.release_connections(close=False)


def _read_postings(jobs: list[IndexJob]) -> Postings:
    """The postings of some articles, their paragraphs read here unless the jobs carry them
    (the first batch, read to decide on a bulk build), packed where the database can take
    them so."""
    store = _reader.store
    assert store is not None  # set before the fork
    missing = [job.revision_id for job in jobs if not job.paragraphs]
    texts = store.paragraphs_to_index(missing) if missing else {}
    terms = [index_terms(job.paragraphs or texts[job.revision_id], job.lang) for job in jobs]
    return store.make_postings(jobs, terms, pack=True)


def find_originals(
    store: RankingStore,
    translation: str | int,
    *,
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    limit: int = 50,
    window: bool = True,
    params: LinkParams = LinkParams(),
    embed_all: bool | None = None,
) -> LinkResult:
    """Ranked candidate originals for a stored translation, each with its explanation.

    A translation without a date searches the whole corpus (and says so in ``note``); an
    original without a date is in every window. ``embed_all``: see ``rank_candidates``.
    """
    settings = settings or Settings()
    start = time.perf_counter()
    if embedder is not None:
        embedder = cached_embedder(embedder, store)
    article = store.find_article(translation)
    assert article.id is not None  # a stored article has its id
    paragraphs = to_paragraphs(store.paragraphs(article.current_revision_id or 0), article.lang)
    terms = index_terms(((p.text, p.kind, p.lang) for p in paragraphs), article.lang)
    since = until = None
    if window and article.published is not None:
        since = article.published - timedelta(days=settings.link_window_before_days)
        until = article.published + timedelta(days=settings.link_window_after_days)
    total = max(store.count_articles(exclude_lang=article.lang), 1)
    frequency = store.term_frequencies(sorted(terms), exclude_lang=article.lang)
    stop = params.stop_share if total >= params.stop_min_corpus else 1.0
    weights = {
        t: math.log(total / df) + params.rarity_offset
        for t, df in frequency.items()
        if df and df / total <= stop
    }
    mass = sum(weights.values())
    scored = store.best_matches(
        weights, limit=limit, exclude_lang=article.lang, since=since, until=until
    )
    info = store.article_briefs([article_id for article_id, _ in scored])
    credited = article.credit
    candidates = []
    for article_id, matched in scored:
        brief = info[article_id]
        days = None
        if article.published is not None and brief["published_at"] is not None:
            days = (article.published - brief["published_at"]).total_seconds() / 86400
        candidates.append(
            Candidate(
                article_id=article_id,
                url=brief["url"],
                outlet=brief["outlet"],
                title=brief["title"],
                published=brief["published"],
                term_score=round(sum(weights[t] for t in matched) / mass, 4) if mass else 0.0,
                matched_terms=sorted(matched, key=lambda t: (-weights[t], t)),
                credited=bool(credited and brief["outlet"] == credited),
                days=round(days, 2) if days is not None else None,
            )
        )

    def load(ids: list[int]) -> dict[int, list[Paragraph]]:
        found = store.current_paragraphs_of(ids)
        return {article_id: to_paragraphs(views, "ar") for article_id, views in found.items()}

    ranked, semantic_seconds = rank_candidates(
        paragraphs,
        candidates,
        load,
        embedder=embedder,
        params=params,
        settings=settings,
        embed_all=embed_all,
    )
    ranked = [c for c in ranked if c.score >= settings.link_floor] or ranked[:0]
    return LinkResult(
        translation_id=article.id,
        translation_url=article.url,
        credit=credited,
        candidates=ranked,
        decision=decide(ranked, settings),
        seconds=time.perf_counter() - start,
        semantic_seconds=semantic_seconds,
        note=NO_DATE_NOTE if article.published is None else None,
    )


def cached_embedder(embedder: Embedder, store: EmbeddingStore) -> Embedder:
    """The embedder behind the store's cache by text hash (as ``pipeline.align_links`` uses
    it), so a paragraph is embedded once for linking and aligning."""
    from provenance.embed import CachedEmbedder

    if isinstance(embedder, CachedEmbedder) and embedder.persistent:
        return embedder
    model = embedder.name
    return CachedEmbedder(
        embedder,
        load=lambda keys: store.load_embeddings(keys, model),
        save=lambda vectors: store.save_embeddings(vectors, model),
    )


def candidates_for(
    store: CandidateStore,
    translation: str | int,
    *,
    settings: Settings | None = None,
    embedder: Embedder | None = None,
) -> LinkResult:
    """The ranking without storing anything (``provenance candidates``)."""
    index_articles(store)
    return find_originals(store, translation, settings=settings, embedder=embedder)
