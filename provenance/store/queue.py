"""The job queue's table (``job``): every read and compare-and-set the queue makes.

The queue's rules (job kinds, when a failed job is tried again, the worker loop) are
provenance/queue.py's; this file only says how a job is stored, taken and marked. A worker takes
the oldest job nobody holds with ``SELECT … FOR UPDATE SKIP LOCKED`` (two workers never wait on,
or take, the same row), and each change of a job's state is a compare-and-set on (id, worker,
attempt, status), so a worker whose lease was taken over can no longer mark the job.

Times are the database's clock, never a worker's, so machines whose clocks disagree still
agree on when a lease ran out. SQLite has no SKIP LOCKED, but one writer at a time makes each
take atomic too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine

from provenance.models import Job

JOB_STATUSES = ("queued", "running", "done", "failed")
WAITING = ("queued", "running")
"""A job in one of these states may still run (a running one may yet be queued again)."""

Outcome = Literal["done", "queued", "failed"]

_job = Job.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Claimed:
    """A job a worker holds: run it, then finish it."""

    id: int
    kind: str
    target: str
    options: dict[str, Any]
    attempt: int
    max_attempts: int


def _now(conn: Connection) -> datetime:
    """The database's time (PostgreSQL), or this machine's (SQLite: one machine only)."""
    if conn.dialect.name == "postgresql":
        value: datetime = conn.execute(select(func.now())).scalar_one()
        return value.astimezone(UTC)
    return datetime.now(UTC)


def _takeable(moment: datetime) -> Any:
    return or_(
        and_(_job.c.status == "queued", _job.c.run_after <= moment),
        and_(_job.c.status == "running", _job.c.lease_until < moment),
    )


def _held(job: Claimed, worker: str) -> Any:
    """The job as this worker took it: a later attempt, or another worker, no longer matches."""
    return and_(
        _job.c.id == job.id,
        _job.c.worker == worker,
        _job.c.status == "running",
        _job.c.attempts == job.attempt,
    )


class QueueStore:
    """Mixin: the ``job`` table, for provenance/queue.py."""

    engine: Engine

    def enqueue_jobs(
        self, kind: str, targets: list[str], options: dict[str, Any], *, max_attempts: int
    ) -> int:
        """Store one queued job per target not already waiting or running as a job of this
        kind, in one transaction; returns how many were stored."""
        with self.engine.begin() as conn:
            waiting = {
                row[0]
                for row in conn.execute(
                    select(_job.c.target).where(_job.c.kind == kind, _job.c.status.in_(WAITING))
                )
            }
            moment = _now(conn)
            rows = [
                {"kind": kind, "target": target, "options": options, "status": "queued",
                 "attempts": 0, "max_attempts": max_attempts, "run_after": moment,
                 "result": {}, "created_at": moment}
                for target in targets
                if target not in waiting
            ]  # fmt: skip
            if rows:
                conn.execute(insert(_job), rows)
        return len(rows)

    def job_counts(self) -> dict[str, dict[str, int]]:
        """Jobs by kind and status, every status present (zeros included)."""
        found: dict[str, dict[str, int]] = {}
        query = select(_job.c.kind, _job.c.status, func.count()).group_by(
            _job.c.kind, _job.c.status
        )
        with self.engine.connect() as conn:
            for kind, status, n in conn.execute(query):
                found.setdefault(kind, dict.fromkeys(JOB_STATUSES, 0))[status] = n
        return found

    def failed_jobs(self, limit: int = 50) -> list[dict[str, Any]]:
        """The latest failed jobs with their errors, newest first."""
        query = (
            select(_job.c.id, _job.c.kind, _job.c.target, _job.c.attempts, _job.c.error)
            .where(_job.c.status == "failed")
            .order_by(_job.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def jobs_waiting(self) -> bool:
        """Whether any job is waiting or running."""
        query = select(_job.c.id).where(_job.c.status.in_(WAITING)).limit(1)
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def claim_job(self, worker: str, lease: float) -> Claimed | None:
        """Take the oldest job nobody holds (or whose holder's lease ran out), or None.

        A job whose worker died on each of its attempts is failed here rather than run again:
        only the take itself sees that no attempt is left."""
        while True:
            with self.engine.begin() as conn:
                moment = _now(conn)
                row = self._oldest_takeable(conn, moment)
                if row is None:
                    return None
                if self._take(conn, row, worker, lease, moment):
                    job = conn.execute(select(_job).where(_job.c.id == row.id)).one()
                    return Claimed(job.id, job.kind, job.target, dict(job.options or {}),
                                   job.attempts, job.max_attempts)  # fmt: skip
            # another worker took it first, or it was failed for good: look again

    def _oldest_takeable(self, conn: Connection, moment: datetime) -> Any:
        """The oldest takeable job, row-locked (rows other workers hold locked are skipped)."""
        return conn.execute(
            select(_job.c.id, _job.c.status, _job.c.attempts, _job.c.max_attempts)
            .where(_takeable(moment))
            .order_by(_job.c.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()

    def _take(
        self, conn: Connection, row: Any, worker: str, lease: float, moment: datetime
    ) -> bool:
        """Mark ``row`` running under this worker's lease (True), or failed when its worker
        died on every attempt (False, as when another worker took it first)."""
        gave_up = row.status == "running" and row.attempts >= row.max_attempts
        if gave_up:
            values: dict[str, Any] = {
                "status": "failed", "finished_at": moment, "lease_until": None,
                "error": f"its worker stopped during each of {row.attempts} attempts",
            }  # fmt: skip
        else:
            values = {
                "status": "running", "worker": worker, "attempts": row.attempts + 1,
                "lease_until": moment + timedelta(seconds=lease), "started_at": moment,
            }  # fmt: skip
        taken = conn.execute(
            update(_job)
            .where(_job.c.id == row.id, _job.c.status == row.status)
            .where(_job.c.attempts == row.attempts, _takeable(moment))
            .values(**values)
        )
        return taken.rowcount == 1 and not gave_up

    def renew_job(self, job: Claimed, worker: str, lease: float) -> bool:
        """Push the lease on; False when the job is no longer this worker's."""
        with self.engine.begin() as conn:
            moment = _now(conn)
            done = conn.execute(
                update(_job)
                .where(_held(job, worker))
                .values(lease_until=moment + timedelta(seconds=lease))
            )
        return done.rowcount == 1

    def finish_job(
        self,
        job: Claimed,
        worker: str,
        status: Outcome,
        *,
        result: dict[str, Any] | None = None,
        error: str | None = None,
        wait: float = 0.0,
    ) -> bool:
        """Record a job's outcome: done (with ``result``), queued again to run ``wait``
        seconds from now, or failed (with ``error``). False when the job was no longer this
        worker's (another took it over), and nothing was written."""
        with self.engine.begin() as conn:
            moment = _now(conn)
            values: dict[str, Any] = {"status": status, "error": error, "lease_until": None}
            if status == "done":
                values["result"] = result or {}
            if status == "queued":
                values["run_after"] = moment + timedelta(seconds=wait)
            else:
                values["finished_at"] = moment
            changed = conn.execute(update(_job).where(_held(job, worker)).values(**values))
        return changed.rowcount == 1

    def release_job(self, job: Claimed, worker: str) -> None:
        """Give a job back untouched: the attempt does not count."""
        with self.engine.begin() as conn:
            conn.execute(
                update(_job)
                .where(_held(job, worker))
                .values(status="queued", lease_until=None, attempts=job.attempt - 1)
            )
