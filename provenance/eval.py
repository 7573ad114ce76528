"""Evaluation on gold pairs (docs/formats.md §3): alignment links, additions, drops, flags, linking.

The same runner serves ``provenance eval`` and the quality gate in bench/, so the two
cannot drift apart. Scores are micro-averaged over all pairs.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provenance.align import Group, Paragraph, align_paragraphs, gale_church
from provenance.embed import Embedder
from provenance.errors import InputError
from provenance.flags import flags_for_alignment
from provenance.formats import GoldPair, iter_paths, read_file
from provenance.ingest import outlet_of, prepare_article
from provenance.text.chrome import learn_outlet_chrome

METHODS = ("ours", "gale-church")
UNSCORED_FLAG_KINDS = frozenset({"added", "dropped"})
"""Scored under ``added`` and ``dropped`` from the alignment, not as flags."""


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: set[Any], gold: set[Any]) -> None:
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    def scores(self) -> dict[str, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def load_pairs(paths: Iterable[Path]) -> list[GoldPair]:
    """Every gold pair under ``paths``; a file that is not a valid pair raises InputError."""
    pairs = []
    for path in iter_paths([Path(p) for p in paths]):
        if path.suffix.lower() != ".json":
            continue
        for record in read_file(path, 50_000_000):
            if isinstance(record, InputError):
                raise record
            if isinstance(record, GoldPair):
                pairs.append(record)
    return pairs


Learnt = dict[str | None, frozenset[str]]


def learn_chrome(pairs: Iterable[GoldPair]) -> Learnt:
    """The chrome a database holding every article of these pairs would have learnt."""
    return learn_outlet_chrome(
        (outlet_of(article)[0], article.paragraphs) for pair in pairs for article in pair.articles()
    )


def pair_paragraphs(
    pair: GoldPair, learnt: Learnt | None = None
) -> tuple[list[Paragraph], list[Paragraph]]:
    """Both sides tagged as ingest would tag them, indices exactly as given in the file."""
    learnt = learnt or {}
    t = prepare_article(pair.translation, learnt.get(outlet_of(pair.translation)[0], frozenset()))
    o = prepare_article(pair.original, learnt.get(outlet_of(pair.original)[0], frozenset()))
    return (
        [Paragraph(i, p.text, p.kind, p.lang or t.lang) for i, p in enumerate(t.paragraphs)],
        [Paragraph(i, p.text, p.kind, p.lang or o.lang) for i, p in enumerate(o.paragraphs)],
    )


def _links(groups: Iterable[Any]) -> set[tuple[int, int]]:
    return {(i, j) for g in groups for i in g.translation for j in g.original}


def _gold_flags(pair: GoldPair) -> set[tuple[str, int | None, int | None]]:
    return {
        (f.kind, f.translation, f.original) for f in pair.flags if f.kind not in UNSCORED_FLAG_KINDS
    }


def _match_flags(
    predicted: list[tuple[str, int | None, int | None]],
    gold: set[tuple[str, int | None, int | None]],
) -> tuple[dict[str, Counts], list[Any]]:
    """A predicted flag matches a gold one of its kind where the gold names the same paragraphs."""
    counts: dict[str, Counts] = defaultdict(Counts)
    unmatched_gold = set(gold)
    misses = []
    for kind, t, o in predicted:
        hit = next(
            (
                g
                for g in unmatched_gold
                if g[0] == kind and (g[1] is None or g[1] == t) and (g[2] is None or g[2] == o)
            ),
            None,
        )
        if hit is not None:
            unmatched_gold.discard(hit)
            counts[kind].tp += 1
        else:
            counts[kind].fp += 1
            misses.append(("fp", kind, t, o))
    for kind, t, o in unmatched_gold:
        counts[kind].fn += 1
        misses.append(("fn", kind, t, o))
    return counts, misses


def evaluate(
    paths: Iterable[Path],
    *,
    method: str = "ours",
    embedder: Embedder | None = None,
    linking: bool | Callable[[list[GoldPair]], dict[str, Any]] = True,
    details: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Score ``method`` on the gold pairs under ``paths``: the docs/formats.md §3 object."""
    if method not in METHODS:
        raise InputError("--method", f"unknown method {method!r} (expected {', '.join(METHODS)})")
    start = time.perf_counter()
    pairs = load_pairs(paths)
    learnt = learn_chrome(pairs)
    links, added, dropped = Counts(), Counts(), Counts()
    flags: dict[str, Counts] = defaultdict(Counts)
    for pair in pairs:
        translation, original = pair_paragraphs(pair, learnt)
        if method == "ours":
            groups = align_paragraphs(translation, original, embedder=embedder)
        else:
            groups = gale_church(translation, original)
        pair_links = Counts()
        pair_links.add(_links(groups), _links(pair.alignment))
        links.tp, links.fp, links.fn = (
            links.tp + pair_links.tp,
            links.fp + pair_links.fp,
            links.fn + pair_links.fn,
        )
        added.add(
            {i for g in groups if not g.original for i in g.translation},
            {i for g in pair.alignment if not g.original for i in g.translation},
        )
        dropped.add(
            {j for g in groups if not g.translation for j in g.original},
            {j for g in pair.alignment if not g.translation for j in g.original},
        )
        predicted = [
            (f.kind, f.translation, f.original)
            for f in flags_for_alignment(groups, translation, original)
            if f.kind not in UNSCORED_FLAG_KINDS
        ]
        pair_flags, misses = _match_flags(predicted, _gold_flags(pair))
        for kind, counts in pair_flags.items():
            total = flags[kind]
            total.tp, total.fp, total.fn = (
                total.tp + counts.tp,
                total.fp + counts.fp,
                total.fn + counts.fn,
            )
        if details is not None:
            details.append(pair_details(pair.id, pair_links, groups, pair.alignment, misses))
    return {
        "pairs": len(pairs),
        "alignment": links.scores(),
        "added": added.scores(),
        "dropped": dropped.scores(),
        "flags": {kind: flags[kind].scores() for kind in sorted(flags)},
        "linking": (linking(pairs) if callable(linking) else evaluate_linking(pairs))
        if linking and pairs
        else None,
        "seconds": round(time.perf_counter() - start, 2),
    }


def pair_details(
    pair_id: str,
    links: Counts,
    groups: list[Group],
    gold: Iterable[Any],
    flag_errors: list[tuple[str, str, int | None, int | None]],
) -> dict[str, Any]:
    """One pair's errors, so that a regression points at its cause: each predicted group that
    is not a gold group, beside the gold groups it overlaps (both are partitions, so every
    gold group missed shows there too), and each flag missed or wrong."""
    predicted = {(g.translation, g.original): g.kind for g in groups}
    expected = {(tuple(g.translation), tuple(g.original)) for g in gold}
    wrong = []
    for (ts, os), kind in sorted(predicted.items()):
        if (ts, os) in expected:
            continue
        overlapping = sorted(
            [list(gt), list(go)] for gt, go in expected if set(gt) & set(ts) or set(go) & set(os)
        )
        wrong.append({"predicted": [list(ts), list(os)], "kind": kind, "gold": overlapping})
    return {
        "id": pair_id,
        "alignment": links.scores(),
        "wrong_groups": wrong,
        "flag_errors": [
            {
                "error": "false" if e == "fp" else "missed",
                "kind": k,
                "translation": t,
                "original": o,
            }
            for e, k, t, o in sorted(flag_errors, key=lambda x: (x[1], x[0], str(x[2]), str(x[3])))
        ],
    }


def evaluate_linking(pairs: list[GoldPair], *, embedder: Embedder | None = None) -> dict[str, Any]:
    """Rank, for each translation, the union of all originals and distractors (docs/formats.md §3).

    Runs the real linking path on a throw-away SQLite database: ingest, index, rank.
    """
    import tempfile

    from provenance.ingest import ingest_article
    from provenance.link import find_originals, index_articles
    from provenance.store import Store
    from provenance.urls import canonical_url

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'eval.db'}")
        candidates: set[str] = set()
        queries: list[tuple[int, str]] = []
        try:
            for pair in pairs:
                for article in [pair.original, *pair.distractors]:
                    candidates.add(ingest_article(store, article).url)
            for pair in pairs:
                outcome = ingest_article(store, pair.translation)
                queries.append((outcome.article_id, canonical_url(pair.original.url)))
            index_articles(store)
            reciprocal, top1 = 0.0, 0
            for article_id, truth in queries:
                ranking = [
                    c.url for c in find_originals(store, article_id, embedder=embedder).candidates
                ]
                if truth in ranking:
                    rank = ranking.index(truth) + 1
                    reciprocal += 1 / rank
                    top1 += rank == 1
        finally:
            store.close()
    n = max(len(queries), 1)
    return {
        "queries": len(queries),
        "candidates": len(candidates),
        "top1": round(top1 / n, 4),
        "mrr": round(reciprocal / n, 4),
    }


def extraction_accuracy(
    expected: list[dict[str, Any]], pages: Path, extract: Callable[[bytes], str]
) -> tuple[float, int]:
    """Share of checks passed: snippets that must appear in the extracted text, and chrome
    that must not (the format of tests/data/extract_expected.json). Returns (accuracy, checks)."""
    hits = checks = 0
    for case in expected:
        text = extract((pages / case["file"]).read_bytes())
        for snippet in case["must_include"]:
            checks += 1
            hits += snippet in text
        for snippet in case["must_exclude"]:
            checks += 1
            hits += snippet not in text
    return (hits / checks if checks else 0.0), checks
