"""embedding cache

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:42:01.335739
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "embedding",
        sa.Column("text_hash", sa.String(), nullable=False),
        sa.Column("model", sa.String(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("text_hash", "model"),
    )


def downgrade() -> None:

    op.drop_table("embedding")
