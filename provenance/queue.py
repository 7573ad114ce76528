"""The job queue: ``provenance enqueue`` fills it, ``provenance worker`` processes empty it, on
as many machines as point at the same PostgreSQL database.

One table (``job``) in the database the work is about, so no second service to run or back up.
A worker takes the oldest job nobody holds with ``SELECT … FOR UPDATE SKIP LOCKED`` (two
workers never wait on, or take, the same row) and marks it running under a lease of
``lease`` seconds, which a thread renews while the job runs. A worker that dies stops renewing:
once its lease has run out, the next worker to look takes the job up again. Every change of a
job's state is a compare-and-set on (id, worker, status): a worker whose lease was taken over
can no longer mark the job done, so each job is finished by one worker only. A job that fails
is tried again later (``RETRY_WAIT`` seconds, doubling), up to its ``max_attempts``; an error
that trying again cannot mend (a missing article, a refused option) fails it at once.

Times are the database's clock, never a worker's, so machines whose clocks disagree still
agree on when a lease ran out. SQLite has no SKIP LOCKED, but one writer at a time makes each
take atomic too: the same table serves several worker processes on one machine there.

This module keeps the queue's rules (job kinds, when a failed job is tried again, the worker
loop and its lease thread); its reads and writes are the store's (provenance/store/queue.py).
Each function takes a Store, or an engine a library caller holds.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from provenance.errors import ProvenanceError
from provenance.store import JOB_STATUSES, Claimed, Outcome, Store, StoreOrEngine

KINDS = ("link", "align", "fetch")
STATUSES = JOB_STATUSES
RETRY_WAIT = 30.0
"""Seconds before a failed job's second attempt; each next attempt waits twice as long."""


# -- filling ------------------------------------------------------------------------------


def enqueue(
    target: StoreOrEngine,
    kind: str,
    targets: list[str],
    options: dict[str, Any] | None = None,
    *,
    max_attempts: int = 3,
) -> tuple[int, int]:
    """Queue one job per target; a target of this kind already waiting or running is not
    queued twice. Returns (queued, already waiting)."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    targets = list(dict.fromkeys(str(t) for t in targets))
    queued = Store.of(target).enqueue_jobs(kind, targets, options or {}, max_attempts=max_attempts)
    return queued, len(targets) - queued


def counts(target: StoreOrEngine) -> dict[str, dict[str, int]]:
    """Jobs by kind and status, every status present (zeros included)."""
    return Store.of(target).job_counts()


def failures(target: StoreOrEngine, limit: int = 50) -> list[dict[str, Any]]:
    """The latest failed jobs with their errors, for ``provenance jobs``."""
    return Store.of(target).failed_jobs(limit)


# -- taking -------------------------------------------------------------------------------


def worker_name() -> str:
    """host:pid:token, unique to this process (the token outlives a reused pid)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def claim(target: StoreOrEngine, worker: str, lease: float) -> Claimed | None:
    """Take the oldest job nobody holds (or whose holder's lease ran out), or None.

    A job whose worker died on each of its attempts is failed here rather than run again."""
    return Store.of(target).claim_job(worker, lease)


def renew(target: StoreOrEngine, job: Claimed, worker: str, lease: float) -> bool:
    """Push the lease on; False when the job is no longer this worker's."""
    return Store.of(target).renew_job(job, worker, lease)


def _outcome(job: Claimed, error: str | None, retry: bool) -> Outcome:
    """Done without an error; queued again when trying again may mend it and attempts are
    left; else failed."""
    if error is None:
        return "done"
    return "queued" if retry and job.attempt < job.max_attempts else "failed"


def finish(
    target: StoreOrEngine,
    job: Claimed,
    worker: str,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
    retry: bool = False,
    retry_wait: float = RETRY_WAIT,
) -> str | None:
    """Record the outcome: done, queued again (``retry``, attempts left, after ``retry_wait``
    seconds doubled at each attempt) or failed.

    Returns the job's new status, or None when another worker had taken it over."""
    status = _outcome(job, error, retry)
    wait = retry_wait * 2 ** (job.attempt - 1)
    changed = Store.of(target).finish_job(
        job, worker, status, result=result, error=error, wait=wait
    )
    return status if changed else None


def release(target: StoreOrEngine, job: Claimed, worker: str) -> None:
    """Give a job back untouched (the worker was stopped): the attempt does not count."""
    Store.of(target).release_job(job, worker)


def pending(target: StoreOrEngine) -> bool:
    """Whether any job is waiting or running (a running one may yet be queued again)."""
    return Store.of(target).jobs_waiting()


@contextmanager
def _lease(store: Store, job: Claimed, worker: str, lease: float) -> Iterator[None]:
    """Renew the job's lease every third of it while the block runs."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(lease / 3):
            try:
                if not store.renew_job(job, worker, lease):
                    return
            except Exception:  # the database is away for a moment: try at the next beat
                continue

    thread = threading.Thread(target=beat, name=f"lease-{job.id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


# -- running ------------------------------------------------------------------------------


@dataclass
class WorkerReport:
    """What one ``provenance worker`` did."""

    done: int = 0
    failed: int = 0
    retried: int = 0
    lost: int = 0
    """Jobs another worker took over after this one's lease ran out (it was too slow)."""
    by_kind: dict[str, int] = field(default_factory=dict)


Runner = Callable[[Claimed], dict[str, Any]]


def run_worker(
    target: StoreOrEngine,
    run: Runner,
    *,
    lease: float = 60.0,
    poll: float = 2.0,
    exit_when_empty: bool = False,
    retry_wait: float = RETRY_WAIT,
    on_job: Callable[[Claimed, str | None, str], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> WorkerReport:
    """Take and run jobs until stopped (or, with ``exit_when_empty``, until no job is waiting
    or running). ``run`` does a job and returns its result; a ProvenanceError fails the job
    at once (trying again cannot mend it), any other error is retried while attempts last."""
    store = Store.of(target)
    worker = worker_name()
    report = WorkerReport()
    while not should_stop():
        job = store.claim_job(worker, lease)
        if job is None:
            if exit_when_empty and not store.jobs_waiting():
                break
            time.sleep(poll)
            continue
        outcome: dict[str, Any] = {}
        try:
            with _lease(store, job, worker, lease):
                outcome["result"] = run(job)
        except KeyboardInterrupt:
            store.release_job(job, worker)
            raise
        except ProvenanceError as error:
            outcome["error"] = str(error)
        except Exception as error:
            outcome.update(error=f"{type(error).__name__}: {error}".splitlines()[0], retry=True)
        status = finish(store, job, worker, retry_wait=retry_wait, **outcome)
        report.done += status == "done"
        report.failed += status == "failed"
        report.retried += status == "queued"
        report.lost += status is None
        report.by_kind[job.kind] = report.by_kind.get(job.kind, 0) + 1
        if on_job:
            on_job(job, status, outcome.get("error") or "")
    return report
