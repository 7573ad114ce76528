"""Align 1,000 pairs of 15 x 20 paragraphs; print pairs/s for ours and the Gale-Church baseline.

Pairs are built from fixture pairs' paragraphs, recombined and with their figures perturbed so
that every paragraph is new text. The cold run includes extracting every paragraph's anchors
(about 0.2 ms a paragraph); the warm run, the figure the target is about, reuses them. Target (issue: aligner): at least 200
pairs/s without the semantic backend on one core. With --semantic, a smaller run measures
the semantic path (embedding dominates: ~30-40 ms a paragraph here).
Usage: python bench/align.py [--pairs N] [--semantic]
"""

from __future__ import annotations

import argparse
import re
import time

from common import emit, fixture_pairs, peak_rss_mb, rng

from provenance.align import Paragraph, align_paragraphs, gale_church
from provenance.embed import default_embedder
from provenance.ingest import prepare_article


def build_pairs(
    count: int, n_t: int = 15, n_o: int = 20
) -> list[tuple[list[Paragraph], list[Paragraph]]]:
    random = rng(11)
    linked: list[tuple[str, str]] = []
    extra_t: list[str] = []
    extra_o: list[str] = []
    for pair in fixture_pairs():
        t = prepare_article(pair.translation).paragraphs
        o = prepare_article(pair.original).paragraphs
        for group in pair.alignment:
            if len(group.translation) == 1 and len(group.original) == 1:
                linked.append((t[group.translation[0]].text, o[group.original[0]].text))
            elif group.translation and not group.original:
                extra_t.append(t[group.translation[0]].text)
            elif group.original and not group.translation:
                extra_o.append(o[group.original[0]].text)
    pairs = []
    for n in range(count):

        def perturb(text: str, seed: int = n) -> str:
            return re.sub(r"\d+", lambda m: str(int(m.group()) + seed % 7 + 1), text) + f" ({seed})"

        chosen = random.sample(linked, 12)
        t_texts = [perturb(a) for a, _ in chosen] + [
            perturb(x) for x in random.sample(extra_t, n_t - 12)
        ]
        o_texts = [perturb(b) for _, b in chosen] + [
            perturb(x) for x in random.sample(extra_o, n_o - 12)
        ]
        random.shuffle(t_texts)
        pairs.append(
            (
                [Paragraph(i, text, "body", "en") for i, text in enumerate(t_texts)],
                [Paragraph(i, text, "body", "ar") for i, text in enumerate(o_texts)],
            )
        )
    return pairs


def rate(pairs: list, fn) -> float:
    start = time.perf_counter()
    for t, o in pairs:
        fn(t, o)
    return len(pairs) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--semantic", action="store_true")
    args = parser.parse_args()
    pairs = build_pairs(args.pairs)
    cold = rate(pairs, lambda t, o: align_paragraphs(t, o))
    # Warm: every paragraph's anchors already extracted, as when linking scores one
    # translation against several candidates or `align --all` follows `link --all`.
    warm = rate(pairs, lambda t, o: align_paragraphs(t, o))
    result = {
        "benchmark": "align",
        "pairs": args.pairs,
        "shape": "15 x 20",
        "ours_pairs_per_s": round(warm, 1),
        "ours_cold_pairs_per_s": round(cold, 1),
        "gale_church_pairs_per_s": round(rate(pairs, lambda t, o: gale_church(t, o)), 1),
    }
    if args.semantic:
        embedder = default_embedder()
        sample = build_pairs(20)
        result["semantic_pairs"] = len(sample)
        result["semantic_pairs_per_s"] = round(
            rate(sample, lambda t, o: align_paragraphs(t, o, embedder=embedder)), 2
        )
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    result["targets"] = {"ours_pairs_per_s": ">= 200 (no semantic backend, one core)"}
    emit(result)


if __name__ == "__main__":
    main()
