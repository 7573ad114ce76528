"""anchor term index and link bookkeeping

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:47:44.480609
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "anchorterm",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["article.id"],
        ),
        sa.PrimaryKeyConstraint("article_id", "term"),
    )
    with op.batch_alter_table("anchorterm", schema=None) as batch_op:
        batch_op.create_index("ix_anchorterm_term_article", ["term", "article_id"], unique=False)

    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.add_column(sa.Column("indexed_revision_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("link_checked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_column("link_checked_at")
        batch_op.drop_column("indexed_revision_id")

    with op.batch_alter_table("anchorterm", schema=None) as batch_op:
        batch_op.drop_index("ix_anchorterm_term_article")

    op.drop_table("anchorterm")
