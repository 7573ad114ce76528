"""one row that serialises index writes and marks the term statistics stale during a bulk build

A bulk build writes postings batch by batch and counts them once at the end; a process killed
in between used to leave the counts wrong for good. Each batch now marks the statistics stale
in its own transaction, and the end of the build (or the next run, after a kill) recounts them
from the postings. The statistics of an existing database are recounted here once.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "indexstate",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("stats_stale", sa.Boolean(), nullable=False),
    )
    op.execute("INSERT INTO indexstate (id, stats_stale) VALUES (1, TRUE)")


def downgrade() -> None:
    op.drop_table("indexstate")
