"""A newsroom's day, end to end: 2,000 Arabic originals and 200 English translations ingested,
linked and aligned by the real commands with the default settings (the semantic backend on).

The corpus is synthetic, built as bench/link.py builds its own: fixture pairs recombined (a
random subset of each pair's aligned paragraphs, figures shifted alike on both sides), three
same-story distractors per translation published the same week, and the rest recombined
Arabic paragraphs. The baseline, in the same run on a copy of the same files, is the same
three commands without the semantic backend (anchors, length and position only).

Target (issue: speed): the whole day in under 2 minutes with the defaults.
Usage: python bench/newsroom.py [--originals 2000] [--translations 200]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import ROOT, emit, fixture_pairs, rng

sys.path.insert(0, str(ROOT / "bench"))
from link import perturb

DAY = datetime(2024, 5, 6, 6, 0, tzinfo=UTC)


def corpus(originals: int, translations: int) -> list[dict[str, Any]]:
    """The day's articles as JSON records (docs/formats.md §1)."""
    random = rng(9)
    pairs = fixture_pairs() + fixture_pairs("holdout")
    pool = [p for pair in pairs for a in (pair.original, *pair.distractors) for p in a.paragraphs]
    records: list[dict[str, Any]] = []

    def article(
        url: str, lang: str, outlet: str, when: datetime, title: str, paragraphs: list[str]
    ) -> None:
        records.append({"url": url, "lang": lang, "outlet": outlet, "published": when.isoformat(),
                        "title": title, "paragraphs": paragraphs})  # fmt: skip

    for n in range(translations):
        pair = random.choice(pairs)
        shift = random.randint(1, 400)
        linked = [g for g in pair.alignment if g.translation and g.original]
        keep = sorted(random.sample(range(len(linked)), max(2, int(len(linked) * 0.8))))
        groups = [linked[k] for k in keep]
        when = DAY - timedelta(hours=random.uniform(0, 20))
        article(f"https://www.enabbaladi.net/archives/{7_000_000 + n}", "ar", "Enab Baladi", when,
                perturb(pair.original.title, shift),
                [perturb(pair.original.paragraphs[j], shift) for g in groups for j in g.original])  # fmt: skip
        article(f"https://syrianobserver.com/news/{800_000 + n}/story.html", "en",
                "The Syrian Observer", when + timedelta(hours=random.uniform(1, 4)),
                perturb(pair.translation.title, shift),
                [perturb(pair.translation.paragraphs[i], shift) for g in groups for i in g.translation])  # fmt: skip
        for d in range(3):
            source = random.choice([pair.original, *pair.distractors])
            paragraphs = random.sample(
                source.paragraphs, min(len(source.paragraphs), random.randint(3, 6))
            )
            article(f"https://www.enabbaladi.net/archives/{8_000_000 + n * 10 + d}", "ar",
                    "Enab Baladi", when - timedelta(days=random.uniform(0, 6)), source.title,
                    [perturb(p, random.randint(1, 400)) for p in paragraphs])  # fmt: skip
    n = 0
    while sum(1 for r in records if r["lang"] == "ar") < originals:
        paragraphs = random.sample(pool, random.randint(4, 10))
        shift = random.randint(1, 900)
        article(f"https://www.example-ar.net/{9_000_000 + n}", "ar",
                random.choice(["Enab Baladi", "Syria TV", "Al-Modon", "North Press"]),
                DAY - timedelta(days=random.uniform(0, 60)), perturb(paragraphs[0][:80], shift),
                [perturb(p, shift) for p in paragraphs])  # fmt: skip
        n += 1
    return records


def day(folder: Path, db: Path, semantic: bool) -> dict[str, float]:
    """The three commands, timed, on a fresh database."""
    command = [str(Path(sys.executable).parent / "provenance"), "--db", f"sqlite:///{db}"]
    flag = [] if semantic else ["--no-semantic"]
    seconds: dict[str, float] = {}
    for step, args in (("ingest", ["ingest", str(folder)]), ("link", ["link", "--all", *flag]),
                       ("align", ["align", "--all", *flag])):  # fmt: skip
        start = time.perf_counter()
        done = subprocess.run([*command, *args], capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{step}: exit {done.returncode}: {done.stderr.strip()[-500:]}")
        seconds[step] = round(time.perf_counter() - start, 1)
    seconds["total"] = round(sum(seconds.values()), 1)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--originals", type=int, default=2000)
    parser.add_argument("--translations", type=int, default=200)
    args = parser.parse_args()
    records = corpus(args.originals, args.translations)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "day"
        folder.mkdir()
        with open(folder / "day.jsonl", "w", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        ours = day(folder, Path(tmp) / "default.db", semantic=True)
        baseline = day(folder, Path(tmp) / "anchors.db", semantic=False)
    emit({"benchmark": "newsroom_day", "articles": len(records), "translations": args.translations,
          "default_s": ours, "anchors_only_s": baseline,
          "targets": {"default_total_s": "< 120"}})  # fmt: skip


if __name__ == "__main__":
    main()
