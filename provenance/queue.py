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
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine

from provenance.errors import ProvenanceError
from provenance.models import Job

KINDS = ("link", "align", "fetch")
STATUSES = ("queued", "running", "done", "failed")
RETRY_WAIT = 30.0
"""Seconds before a failed job's second attempt; each next attempt waits twice as long."""

_job = Job.__table__  # type: ignore[attr-defined]


def now(conn: Connection) -> datetime:
    """The database's time (PostgreSQL), or this machine's (SQLite: one machine only)."""
    if conn.dialect.name == "postgresql":
        value = conn.execute(select(func.now())).scalar_one()
        return value.astimezone(UTC)
    return datetime.now(UTC)


# -- filling ------------------------------------------------------------------------------


def enqueue(
    engine: Engine,
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
    with engine.begin() as conn:
        waiting = {
            row[0]
            for row in conn.execute(
                select(_job.c.target).where(
                    _job.c.kind == kind, _job.c.status.in_(("queued", "running"))
                )
            )
        }
        moment = now(conn)
        rows = [
            {"kind": kind, "target": target, "options": options or {}, "status": "queued",
             "attempts": 0, "max_attempts": max_attempts, "run_after": moment,
             "result": {}, "created_at": moment}
            for target in targets
            if target not in waiting
        ]  # fmt: skip
        if rows:
            conn.execute(insert(_job), rows)
    return len(rows), len(targets) - len(rows)


def counts(engine: Engine) -> dict[str, dict[str, int]]:
    """Jobs by kind and status, every status present (zeros included)."""
    found: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        query = select(_job.c.kind, _job.c.status, func.count()).group_by(
            _job.c.kind, _job.c.status
        )
        for kind, status, n in conn.execute(query):
            found.setdefault(kind, dict.fromkeys(STATUSES, 0))[status] = n
    return found


def failures(engine: Engine, limit: int = 50) -> list[dict[str, Any]]:
    """The latest failed jobs with their errors, for ``provenance jobs``."""
    query = (
        select(_job.c.id, _job.c.kind, _job.c.target, _job.c.attempts, _job.c.error)
        .where(_job.c.status == "failed")
        .order_by(_job.c.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


# -- taking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    """A job a worker holds: run it, then ``finish`` it."""

    id: int
    kind: str
    target: str
    options: dict[str, Any]
    attempt: int
    max_attempts: int


def worker_name() -> str:
    """host:pid:token, unique to this process (the token outlives a reused pid)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def _takeable(moment: datetime) -> Any:
    return or_(
        and_(_job.c.status == "queued", _job.c.run_after <= moment),
        and_(_job.c.status == "running", _job.c.lease_until < moment),
    )


def claim(engine: Engine, worker: str, lease: float) -> Claimed | None:
    """Take the oldest job nobody holds (or whose holder's lease ran out), or None.

    A job whose worker died on each of its attempts is failed here rather than run again."""
    while True:
        with engine.begin() as conn:
            moment = now(conn)
            row = conn.execute(
                select(_job.c.id, _job.c.status, _job.c.attempts, _job.c.max_attempts)
                .where(_takeable(moment))
                .order_by(_job.c.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None
            gave_up = row.status == "running" and row.attempts >= row.max_attempts
            taken = conn.execute(
                update(_job)
                .where(_job.c.id == row.id, _job.c.status == row.status)
                .where(_job.c.attempts == row.attempts, _takeable(moment))
                .values(
                    status="failed", finished_at=moment, lease_until=None,
                    error=f"its worker stopped during each of {row.attempts} attempts",
                ) if gave_up else update(_job)
                .where(_job.c.id == row.id, _job.c.status == row.status)
                .where(_job.c.attempts == row.attempts, _takeable(moment))
                .values(
                    status="running", worker=worker, attempts=row.attempts + 1,
                    lease_until=moment + timedelta(seconds=lease), started_at=moment,
                )
            )  # fmt: skip
            if taken.rowcount != 1 or gave_up:  # another worker took it first: look again
                continue
            job = conn.execute(select(_job).where(_job.c.id == row.id)).one()
            return Claimed(job.id, job.kind, job.target, dict(job.options or {}),
                           job.attempts, job.max_attempts)  # fmt: skip


def _held(job: Claimed, worker: str) -> Any:
    return and_(_job.c.id == job.id, _job.c.worker == worker, _job.c.status == "running")


def renew(engine: Engine, job: Claimed, worker: str, lease: float) -> bool:
    """Push the lease on; False when the job is no longer this worker's."""
    with engine.begin() as conn:
        moment = now(conn)
        done = conn.execute(
            update(_job)
            .where(_held(job, worker), _job.c.attempts == job.attempt)
            .values(lease_until=moment + timedelta(seconds=lease))
        )
    return done.rowcount == 1


def finish(
    engine: Engine,
    job: Claimed,
    worker: str,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
    retry: bool = False,
    retry_wait: float = RETRY_WAIT,
) -> str | None:
    """Record the outcome: done, queued again (``retry``, attempts left) or failed.

    Returns the job's new status, or None when another worker had taken it over."""
    with engine.begin() as conn:
        moment = now(conn)
        if error is None:
            values: dict[str, Any] = {"status": "done", "result": result or {}, "error": None}
        elif retry and job.attempt < job.max_attempts:
            wait = retry_wait * 2 ** (job.attempt - 1)
            values = {"status": "queued", "error": error,
                      "run_after": moment + timedelta(seconds=wait)}  # fmt: skip
        else:
            values = {"status": "failed", "error": error}
        if values["status"] != "queued":
            values["finished_at"] = moment
        changed = conn.execute(
            update(_job)
            .where(_held(job, worker), _job.c.attempts == job.attempt)
            .values(lease_until=None, **values)
        )
    return values["status"] if changed.rowcount == 1 else None


def release(engine: Engine, job: Claimed, worker: str) -> None:
    """Give a job back untouched (the worker was stopped): the attempt does not count."""
    with engine.begin() as conn:
        conn.execute(
            update(_job)
            .where(_held(job, worker), _job.c.attempts == job.attempt)
            .values(status="queued", lease_until=None, attempts=job.attempt - 1)
        )


def pending(engine: Engine) -> bool:
    """Whether any job is waiting or running (a running one may yet be queued again)."""
    with engine.connect() as conn:
        query = select(_job.c.id).where(_job.c.status.in_(("queued", "running"))).limit(1)
        return conn.execute(query).first() is not None


@contextmanager
def _lease(engine: Engine, job: Claimed, worker: str, lease: float) -> Iterator[None]:
    """Renew the job's lease every third of it while the block runs."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(lease / 3):
            try:
                if not renew(engine, job, worker, lease):
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
    engine: Engine,
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
    worker = worker_name()
    report = WorkerReport()
    while not should_stop():
        job = claim(engine, worker, lease)
        if job is None:
            if exit_when_empty and not pending(engine):
                break
            time.sleep(poll)
            continue
        outcome: dict[str, Any] = {}
        try:
            with _lease(engine, job, worker, lease):
                outcome["result"] = run(job)
        except KeyboardInterrupt:
            release(engine, job, worker)
            raise
        except ProvenanceError as error:
            outcome["error"] = str(error)
        except Exception as error:
            outcome.update(error=f"{type(error).__name__}: {error}".splitlines()[0], retry=True)
        status = finish(engine, job, worker, retry_wait=retry_wait, **outcome)
        report.done += status == "done"
        report.failed += status == "failed"
        report.retried += status == "queued"
        report.lost += status is None
        report.by_kind[job.kind] = report.by_kind.get(job.kind, 0) + 1
        if on_job:
            on_job(job, status, outcome.get("error") or "")
    return report
