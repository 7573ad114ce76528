"""Linking: credits, retrieval with hard distractors, the window, decisions that respect reviewers."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import Session, select

from provenance.config import Settings
from provenance.formats import ArticleInput
from provenance.ingest import ingest_article
from provenance.link import find_originals, index_articles
from provenance.models import Link
from provenance.outlets import registry
from provenance.pipeline import align_links, link_translations
from provenance.store import Store
from provenance.text.credits import find_credit
from tests.conftest import CLI, FIXTURES


@pytest.mark.parametrize(
    ("text", "outlet"),
    [
        ("Hamas issued a statement on Thursday, according to Enab Baladi.", "Enab Baladi"),
        ("Asharq Al-Awsat reports that the talks will resume.", "Asharq Al-Awsat"),
        ("The talks will resume in Moscow, writes Al-Modon.", "Al-Modon"),
        ("SANA writes that the minister arrived in Tehran.", "SANA"),
        ("The figures were reported by North Press on Sunday.", "North Press"),
        ("Syria TV's correspondent in Idlib said the strikes continued.", "Syria TV"),
        ("Al-Watan said the prices would rise again.", "Al-Watan"),
        ("Source: Baladi News", "Baladi News"),
        ("The London-based Asharq Al-Awsat newspaper reported the meeting.", "Asharq Al-Awsat"),
        ("Reuters said, citing two sources.", "Reuters"),
        ("Al-Araby Al-Jadeed reported on the deal.", "Al-Araby Al-Jadeed"),
        ("according to Orient News", "Orient"),
        ("as Jusoor for Studies wrote", "Jusoor"),
        ("AFP reported that the convoy crossed", "AFP"),
        ("Al-Quds Al-Arabi said that", "Al-Quds Al-Arabi"),
        ("Al-Hal Net reported that", "Al-Hal"),
        ("وقالت الوزارة، بحسب عنب بلدي، إن", "Enab Baladi"),
    ],
)
def test_credit_phrasings(text: str, outlet: str) -> None:
    credit = find_credit(text)
    assert credit is not None and credit.outlet == outlet, text


def test_a_mention_is_not_a_credit() -> None:
    assert find_credit("Hamas thanked the regime for its support of the Palestinian cause.") is None
    assert (
        find_credit("The first announcement came on June 21, via Reuters.") is not None
    )  # "via X" is a credit
    assert find_credit("Enab Baladi is a newspaper founded in Daraya.") is None


def test_registry_knows_the_outlets_the_observer_credits() -> None:
    names = {o.name for o in registry().outlets}
    for name in ("Enab Baladi", "Asharq Al-Awsat", "Al-Modon", "SANA", "Syria TV", "Al-Hal", "Baladi News", "North Press",
                 "Al-Watan", "Al-Quds Al-Arabi", "Al-Araby Al-Jadeed", "Orient", "Jusoor", "Reuters", "AFP"):  # fmt: skip
        assert name in names, name
    enab = registry().by_host("www.enabbaladi.net")
    assert (
        enab is not None
        and "عنب بلدي" in enab.arabic_names
        and registry().by_name("عنب بلدي") is enab
    )


DAY = datetime(2023, 3, 14, 9, tzinfo=UTC)
TRANSLATION = [
    "Twelve civilians were killed in regime shelling on Ariha, according to Enab Baladi.",
    "Twelve civilians, among them 5 children, were killed on Monday when regime forces shelled the town of Ariha in the Idlib countryside.",
    "The Syrian Civil Defence said its teams pulled 3 survivors from the rubble of a house in Ariha's western neighbourhood.",
    "Local council head Mohammed al-Hallaq said 340 families had fled Ariha towards the Turkish border.",
]
ORIGINAL = [
    "قتل 12 مدنيًا، بينهم خمسة أطفال، الاثنين، جراء قصف قوات النظام على مدينة أريحا بريف إدلب.",
    "وقال الدفاع المدني السوري إن فرقه انتشلت 3 ناجين من تحت أنقاض منزل في الحي الغربي من أريحا.",
    "وقال رئيس المجلس المحلي، محمد الحلاق، إن 340 عائلة نزحت من أريحا باتجاه الحدود التركية.",
]
SAME_TOWN = [
    "قتل سبعة مدنيين، السبت، بقصف مدفعي لقوات النظام على مدينة أريحا بريف إدلب.",
    "وأصيب 14 آخرون بجروح.",
]
SAME_FIGURES = [
    "عادت 12 عائلة إلى مدينة سراقب، الاثنين، بعد أشهر من النزوح.",
    "وقال المجلس المحلي إن 340 منزلاً تضرر.",
]
SAME_WEEK = [
    "قال الدفاع المدني السوري إن فرقه استجابت لحريق في مخيمات أطمة شمالي إدلب.",
    "ولم تسجل إصابات.",
]


def _store_with(
    store: Store,
    originals: list[tuple[str, list[str], datetime | None]],
    *,
    translation: list[str] = TRANSLATION,
    published: datetime | None = DAY,
) -> int:
    for url, paragraphs, when in originals:
        ingest_article(
            store,
            ArticleInput(
                url=url, paragraphs=paragraphs, lang="ar", published=when, title=paragraphs[0][:40]
            ),
        )
    outcome = ingest_article(
        store,
        ArticleInput(
            url="https://syrianobserver.com/news/1/ariha.html", paragraphs=translation, lang="en", published=published,
            title="Twelve Civilians Killed in Ariha",
        ),
    )  # fmt: skip
    index_articles(store)
    return outcome.article_id


def test_original_beats_hard_distractors(store: Store) -> None:
    translation = _store_with(
        store,
        [
            ("https://www.enabbaladi.net/archives/2", SAME_TOWN, DAY - timedelta(days=3)),
            ("https://www.enabbaladi.net/archives/3", SAME_FIGURES, DAY - timedelta(days=1)),
            ("https://www.enabbaladi.net/archives/4", SAME_WEEK, DAY - timedelta(days=1)),
            ("https://www.enabbaladi.net/archives/1", ORIGINAL, DAY - timedelta(days=1)),
        ],
    )
    result = find_originals(store, translation)
    assert result.candidates[0].url == "https://www.enabbaladi.net/archives/1"
    best = result.candidates[0]
    assert best.credited and best.coverage == 1.0 and "n:340" in best.matched_terms
    assert result.decision == "auto"


@pytest.mark.parametrize(
    ("offset_days", "found"),
    [(-15, False), (-14, True), (0, True), (1, True), (2, False)],
)
def test_window_edges(store: Store, offset_days: int, found: bool) -> None:
    translation = _store_with(
        store,
        [("https://www.enabbaladi.net/archives/1", ORIGINAL, DAY + timedelta(days=offset_days))],
    )
    urls = [c.url for c in find_originals(store, translation).candidates]
    assert (urls == ["https://www.enabbaladi.net/archives/1"]) is found


def test_no_original_present_means_no_source_found(store: Store) -> None:
    translation = _store_with(
        store,
        [
            ("https://www.enabbaladi.net/archives/3", SAME_FIGURES, DAY - timedelta(days=1)),
            ("https://www.enabbaladi.net/archives/4", SAME_WEEK, DAY - timedelta(days=1)),
        ],
    )
    report = link_translations(store, translation=translation)
    assert report.results[0].decision == "none"
    assert store.links(translation_id=translation) == []


def test_reviewer_decisions_survive_a_rerun(store: Store) -> None:
    translation = _store_with(
        store,
        [
            ("https://www.enabbaladi.net/archives/2", SAME_TOWN, DAY - timedelta(days=3)),
            ("https://www.enabbaladi.net/archives/1", ORIGINAL, DAY - timedelta(days=1)),
        ],
    )
    link_translations(store, translation=translation)
    with Session(store.engine) as session:
        for link in session.exec(select(Link)).all():
            link.status = "rejected" if link.rank == 1 else "confirmed"
            session.add(link)
        session.commit()
    before = {(link.original_url, link.status) for link in store.links(translation_id=translation)}
    report = link_translations(store, translation=translation)
    assert report.results[0].decision == "kept"
    assert {
        (link.original_url, link.status) for link in store.links(translation_id=translation)
    } == before


def test_thresholds_come_from_settings(store: Store) -> None:
    translation = _store_with(
        store, [("https://www.enabbaladi.net/archives/1", ORIGINAL, DAY - timedelta(days=1))]
    )
    strict = Settings(link_auto_margin=1.5)  # no lead can be that large
    assert find_originals(store, translation, settings=strict).decision == "suggested"
    assert find_originals(store, translation, settings=Settings(link_floor=1.01)).decision == "none"


ENAB = "https://www.enabbaladi.net/archives/1"
SYRIA_TV_COPY = "https://www.syria.tv/ariha-shelling-copy"
AL_MODON_COPY = "https://www.almodon.com/arabworld/ariha-copy"


def test_a_republication_does_not_outrank_the_credited_original(store: Store) -> None:
    translation = _store_with(
        store,
        [
            (SYRIA_TV_COPY, ORIGINAL, DAY - timedelta(days=1, hours=2)),  # out first, uncredited
            ("https://www.enabbaladi.net/archives/2", SAME_TOWN, DAY - timedelta(days=3)),
            (ENAB, ORIGINAL, DAY - timedelta(days=1)),
        ],
    )
    result = find_originals(store, translation)
    best = result.candidates[0]
    assert best.url == ENAB and best.credited
    assert SYRIA_TV_COPY not in [c.url for c in result.candidates]
    assert [(c["url"], c["outlet"]) for c in best.also_published_by] == [
        (SYRIA_TV_COPY, "Syria TV")
    ]
    assert best.explanation()["also_published_by"][0]["published"].startswith("2023-03-13")
    assert result.decision == "auto"  # the copy no longer stands in the way as a runner-up


def test_without_a_credit_the_earliest_copy_is_the_original(store: Store) -> None:
    translation = _store_with(
        store,
        [
            (SYRIA_TV_COPY, ORIGINAL, DAY - timedelta(days=1)),  # closer to the translation
            (AL_MODON_COPY, ORIGINAL, DAY - timedelta(days=6)),
            ("https://www.enabbaladi.net/archives/2", SAME_TOWN, DAY - timedelta(days=3)),
        ],
        translation=TRANSLATION[1:],  # no credit line
    )
    result = find_originals(store, translation)
    assert result.credit is None
    best = result.candidates[0]
    assert best.url == AL_MODON_COPY
    assert [c["url"] for c in best.also_published_by] == [SYRIA_TV_COPY]
    assert SYRIA_TV_COPY not in [c.url for c in result.candidates]


def test_copies_fold_into_one_and_take_their_best_score() -> None:
    from provenance.link import Candidate, fold_copies

    def candidate(article_id: int, score: float, published: str | None) -> Candidate:
        return Candidate(article_id, f"https://example.org/{article_id}", None, "", published, score=score)  # fmt: skip

    text = ["The council said 340 families had fled the town towards the border on Monday."]
    earlier_version = [text[0].replace("340", "310")]  # same words, another figure: not a copy
    folded = fold_copies(
        [candidate(1, 0.9, None), candidate(2, 0.8, "2023-03-10T00:00:00+00:00"),
         candidate(3, 0.7, "2023-03-12T00:00:00+00:00"), candidate(4, 0.6, None),
         candidate(5, 0.5, "2023-03-01T00:00:00+00:00")],
        {1: text, 2: [text[0].upper()], 3: text, 4: ["Another story about bread prices in Aleppo."],
         5: earlier_version},
    )  # fmt: skip
    assert [c.article_id for c in folded] == [2, 4, 5]  # the earliest copy; undated is latest
    assert folded[0].score == 0.9
    assert [c["url"] for c in folded[0].also_published_by] == [
        "https://example.org/3",
        "https://example.org/1",
    ]


def test_the_copy_that_stands_is_the_one_the_translation_fits() -> None:
    from provenance.link import Candidate, combined_score, fold_copies

    def candidate(
        article_id: int, outlet: str, day: int, coverage: float, original: float = 1.0
    ) -> Candidate:
        url, published = f"https://example.org/{article_id}", f"2023-03-{day:02d}T00:00:00+00:00"
        c = Candidate(article_id, url, outlet, "", published, term_score=0.9, days=13.0 - day)
        c.coverage, c.original_coverage = coverage, original
        c.score = combined_score(c)
        return c

    body = [f"Paragraph {n} of the story about the council and the families who fled." for n in range(9)]  # fmt: skip
    shorter = body[:8]  # the same story without its last paragraph: still a copy
    # An earlier version without a paragraph the translation has is not what it was made from
    # (nor is one with a paragraph it lacks), whatever the outlet or the date.
    longer = [*body, "The council asked the organisations for tents and heating fuel."]
    folded = fold_copies(
        [candidate(1, "Enab Baladi", 12, 1.0), candidate(2, "Enab Baladi", 5, 8 / 9),
         candidate(3, "Syria TV", 4, 1.0, original=9 / 10)],
        {1: body, 2: shorter, 3: longer},
    )  # fmt: skip
    assert [c.article_id for c in folded] == [1]
    assert [c["url"] for c in folded[0].also_published_by] == [
        "https://example.org/3",
        "https://example.org/2",
    ]
    # Copies equally fit: the outlet that published the text first stands; of its own copies
    # (the same text posted twice), the one whose date fits the translation best.
    folded = fold_copies(
        [candidate(1, "Enab Baladi", 12, 1.0), candidate(2, "Enab Baladi", 4, 1.0),
         candidate(3, "Syria TV", 13, 1.0)],
        {1: body, 2: body, 3: body},
    )  # fmt: skip
    assert [c.article_id for c in folded] == [1]
    assert [c["url"] for c in folded[0].also_published_by] == [
        "https://example.org/2",
        "https://example.org/3",
    ]


def test_an_undated_translation_searches_everything_and_says_so(store: Store) -> None:
    translation = _store_with(
        store,
        [
            (ENAB, ORIGINAL, DAY - timedelta(days=200)),  # far outside any window
            ("https://www.enabbaladi.net/archives/2", SAME_TOWN, DAY - timedelta(days=3)),
        ],
        published=None,
    )
    result = find_originals(store, translation)
    assert result.candidates[0].url == ENAB and result.candidates[0].days is None
    assert result.note == "no publication date: searched the whole corpus"
    assert result.to_json()["note"] == result.note


def test_a_dated_translation_finds_an_undated_original(store: Store) -> None:
    translation = _store_with(
        store,
        [
            (ENAB, ORIGINAL, None),
            ("https://www.enabbaladi.net/archives/2", SAME_TOWN, DAY - timedelta(days=3)),
            ("https://www.enabbaladi.net/archives/3", SAME_FIGURES, DAY - timedelta(days=40)),
        ],
    )
    result = find_originals(store, translation)
    assert result.candidates[0].url == ENAB and result.candidates[0].days is None
    assert "https://www.enabbaladi.net/archives/3" not in [c.url for c in result.candidates]
    assert result.note is None and result.to_json()["note"] is None


class BagOfWordsEmbedder:
    """A stand-in for the model: one hashed bag of words per text, so the shared figures and
    places of a translation and its original point the same way (the model is tested below)."""

    name = "bag-of-words"

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        from provenance.text.anchors import extract_anchors

        self.calls += 1
        rows = np.full((len(texts), 64), 0.05, dtype=np.float32)
        for row, text in zip(rows, texts, strict=True):
            anchors = extract_anchors(text, "ar" if re.search("[\u0600-\u06ff]", text) else "en")
            for term in (*anchors.numbers, *anchors.concepts):
                row[int(hashlib.sha1(term.encode()).hexdigest(), 16) % 64] += 1.0
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_semantic_similarity_is_a_feature_of_every_reranked_candidate(store: Store) -> None:
    from provenance.embed import text_key

    translation = _store_with(
        store,
        [
            ("https://www.enabbaladi.net/archives/2", SAME_TOWN, DAY - timedelta(days=3)),
            ("https://www.enabbaladi.net/archives/3", SAME_FIGURES, DAY - timedelta(days=1)),
            (ENAB, ORIGINAL, DAY - timedelta(days=1)),
        ],
    )
    embedder = BagOfWordsEmbedder()
    keep_all = Settings(link_floor=0.0)
    result = find_originals(
        store, translation, embedder=embedder, settings=keep_all, embed_all=True
    )
    plain = find_originals(store, translation, settings=keep_all)
    assert result.candidates[0].url == ENAB and result.semantic_seconds > 0
    for candidate in result.candidates:
        assert (candidate.semantic is not None) == (candidate.coverage is not None)
        assert 0.0 <= (candidate.semantic or 0.0) <= 1.0
    best = result.candidates[0]
    assert (
        best.semantic == max(c.semantic or 0.0 for c in result.candidates) and best.semantic > 0.5
    )
    assert best.score >= next(c.score for c in plain.candidates if c.url == ENAB)
    assert all(c.semantic is None for c in plain.candidates) and plain.semantic_seconds == 0
    # vectors are kept in the database, by text hash, as the aligner keeps them
    assert store.load_embeddings([text_key(ORIGINAL[0])], "bag-of-words")
    calls = embedder.calls
    find_originals(store, translation, embedder=embedder, embed_all=True)
    assert embedder.calls == calls  # everything came from the cache


def test_a_clear_winner_is_decided_without_embedding_anything(store: Store) -> None:
    """Document similarity moves a score by 0.05 at most: a leader far ahead, whose decision
    holds either way, is linked without the cost of embedding every candidate's lead, and
    with the same winner and decision as when similarity is measured."""
    translation = _store_with(
        store,
        [
            ("https://www.enabbaladi.net/archives/2", SAME_TOWN, DAY - timedelta(days=3)),
            (ENAB, ORIGINAL, DAY - timedelta(days=1)),
        ],
    )
    everything = find_originals(store, translation, embedder=BagOfWordsEmbedder(), embed_all=True)
    embedder = BagOfWordsEmbedder()
    spared = find_originals(store, translation, embedder=embedder, embed_all=False)
    assert embedder.calls == 0
    assert spared.semantic_seconds == 0 and all(c.semantic is None for c in spared.candidates)
    assert [c.url for c in spared.candidates][:1] == [c.url for c in everything.candidates][:1]
    assert spared.decision == everything.decision == "auto"


def test_similarity_is_measured_when_it_could_change_the_winner_or_the_decision() -> None:
    from provenance.link import Candidate, combined_score, semantic_can_change

    def candidate(n: int, coverage: float) -> Candidate:
        return Candidate(n, f"u{n}", None, "", None, term_score=0.5, coverage=coverage,
                         original_coverage=coverage)  # fmt: skip

    settings = Settings()
    far_ahead = [candidate(1, 0.95), candidate(2, 0.2)]
    close = [candidate(1, 0.8), candidate(2, 0.72)]
    assert not semantic_can_change(far_ahead, settings)
    assert semantic_can_change(close, settings)  # the runner-up could overtake
    # far ahead of the runner-up, but just over the auto-link threshold: the decision could flip
    at_threshold = [candidate(1, 0.75), candidate(2, 0.1)]
    best = combined_score(at_threshold[0])
    assert settings.link_auto_threshold <= best < settings.link_auto_threshold + 0.05
    assert semantic_can_change(at_threshold, settings)
    assert semantic_can_change(far_ahead, None)  # no thresholds given: always measured


def test_semantic_value_is_centred_on_the_other_candidates() -> None:
    from provenance.link import Candidate, combined_score

    base = Candidate(1, "u", None, "", None, term_score=0.5, coverage=0.8, original_coverage=0.6)
    neutral = Candidate(**{**base.__dict__, "semantic": 0.5})
    better = Candidate(**{**base.__dict__, "semantic": 1.0})
    assert combined_score(neutral) == combined_score(base)
    assert combined_score(better) == round(combined_score(base) + 0.05, 4)


@pytest.mark.semantic
def test_semantic_backend_ranks_the_original_most_similar(store: Store) -> None:
    from tests.conftest import require_semantic

    embedder = require_semantic()
    translation = _store_with(
        store,
        [
            ("https://www.enabbaladi.net/archives/2", SAME_TOWN, DAY - timedelta(days=3)),
            ("https://www.enabbaladi.net/archives/3", SAME_FIGURES, DAY - timedelta(days=1)),
            ("https://www.enabbaladi.net/archives/4", SAME_WEEK, DAY - timedelta(days=1)),
            (ENAB, ORIGINAL, DAY - timedelta(days=1)),
        ],
    )
    result = find_originals(
        store, translation, embedder=embedder, settings=Settings(link_floor=0.0), embed_all=True
    )
    assert result.semantic_seconds > 0
    reranked = [c for c in result.candidates if c.coverage is not None]
    assert reranked and all(c.semantic is not None for c in reranked)
    best = result.candidates[0]
    assert best.url == ENAB and result.decision == "auto"
    assert best.semantic_cosine == max(c.semantic_cosine or 0.0 for c in reranked)


def test_link_and_candidates_commands(cli: CLI) -> None:
    cli("ingest", str(FIXTURES / "pairs"))
    report = cli.json("link", "--all")
    assert report["decisions"] == {"auto": 12, "suggested": 0, "none": 0, "kept": 0}
    seed = "https://syrianobserver.com/news/79101/hamas-confirms-resumption-of-relations-with-regime-syrian-disregard.html"
    ranking = cli.json("candidates", seed)
    assert ranking["candidates"][0]["url"] == "https://www.enabbaladi.net/archives/604512"
    assert ranking["candidates"][0]["credited"] is True
    table = cli("candidates", seed).stdout
    assert "604512" in table and "credited" in table


def test_every_fixture_translation_ranks_its_original_first() -> None:
    from provenance.eval import evaluate_linking, load_pairs

    result = evaluate_linking(load_pairs([FIXTURES / "pairs", FIXTURES / "holdout"]))
    assert result["top1"] == 1.0 and result["queries"] == 16


@pytest.mark.parametrize(
    ("batch", "workers", "parts"),
    [
        (25, 2, None),
        # more parts in a batch than SQLite attaches at once: the rest are unpacked and bound
        (40, 3, 12),
    ],
)
def test_bulk_index_build_matches_the_incremental_one(
    tmp_path: Path,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    batch: int,
    workers: int,
    parts: int | None,
) -> None:
    """The parallel build (its workers pack their postings in small databases on SQLite, and
    it drops and rebuilds the lookup index) gives the index an incremental build gives."""
    from sqlalchemy import inspect, text

    import provenance.link as link
    from provenance.ingest import ingest_paths

    built = {}
    for mode, url in (
        ("incremental", f"sqlite:///{tmp_path / 'incremental.db'}"),
        ("bulk", db_url),
    ):
        store = Store.open(url)
        ingest_paths(store, [FIXTURES / "pairs"])
        if mode == "bulk":
            monkeypatch.setattr(link, "PARALLEL_FROM", 10)
            monkeypatch.setattr(link, "BULK_REBUILD_FROM", 10)
            if parts:
                monkeypatch.setattr(link, "PARTS_PER_BATCH", parts)
        assert index_articles(store, batch=batch, workers=workers) == 60
        names = {i["name"] for i in inspect(store.engine).get_indexes("anchorterm")}
        assert "ix_anchorterm_lookup" in names
        with store.engine.connect() as conn:
            postings = conn.execute(
                text(
                    "SELECT a.url, t.term, t.lang, t.published = a.published FROM anchorterm t"
                    " JOIN article a ON a.id = t.article_id ORDER BY a.url, t.term"
                )
            ).all()
            counts = conn.execute(
                text("SELECT term, lang, df FROM anchorstat ORDER BY term, lang")
            ).all()
        ranking = [
            c.url
            for c in find_originals(
                store,
                "https://syrianobserver.com/news/79101/hamas-confirms-resumption-of-relations-with-regime-syrian-disregard.html",
            ).candidates
        ]
        built[mode] = ([tuple(p) for p in postings], [tuple(c) for c in counts], ranking)
        assert store.term_stats_errors() == 0
        store.close()
    assert built["incremental"][0]  # something was indexed
    assert built["incremental"] == built["bulk"]


def test_the_corpus_size_counts_each_indexed_article_once(store: Store) -> None:
    """Rarity weights divide by the number of articles in the other language: a new revision
    of an original replaces its postings and leaves that number as it was."""
    _store_with(
        store,
        [
            ("https://www.enabbaladi.net/archives/1", ORIGINAL, DAY),
            ("https://www.enabbaladi.net/archives/2", SAME_TOWN, DAY),
            ("https://www.enabbaladi.net/archives/3", SAME_WEEK, None),
        ],
    )
    assert store.count_articles(exclude_lang="en") == 3
    assert store.count_articles(exclude_lang="ar") == 1
    ingest_article(
        store,
        ArticleInput(
            url="https://www.enabbaladi.net/archives/2", paragraphs=SAME_FIGURES, lang="ar",
            published=DAY, title="revised",
        ),
    )  # fmt: skip
    index_articles(store)
    assert store.count_articles(exclude_lang="en") == 3
    assert store.term_stats_errors() == 0


def test_an_aligned_link_that_falls_out_of_the_ranking_goes_with_its_groups_and_flags(
    store: Store,
) -> None:
    """A translation first linked by hand to the wrong original and aligned with it (groups,
    open flags pointing at them): linking again ranks the right original alone, and the
    stale link is removed with everything that hangs on it, not refused by the database."""
    translation = _store_with(
        store,
        [
            ("https://www.enabbaladi.net/archives/4", SAME_WEEK, DAY - timedelta(days=30)),
            ("https://www.enabbaladi.net/archives/1", ORIGINAL, DAY - timedelta(days=1)),
        ],
    )
    wrong = store.find_article("https://www.enabbaladi.net/archives/4").id or 0
    store.link(translation, wrong, status="auto", score=1.0)
    align_links(store, translation=translation)
    stale = store.links(translation_id=translation)[0]
    assert store.groups(stale.id) and store.flags(link_id=stale.id)

    report = link_translations(store, translation=translation)

    assert report.results[0].decision == "auto"
    assert [link.original_url for link in store.links(translation_id=translation)] == [
        "https://www.enabbaladi.net/archives/1"
    ]
    assert store.groups(stale.id, active_only=False) == []
    assert store.flags(link_id=stale.id) == []
