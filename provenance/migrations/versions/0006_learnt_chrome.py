"""chrome learnt from the corpus: which articles of an outlet print which short line

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chromesighting",
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"]),
        sa.ForeignKeyConstraint(["outlet_id"], ["outlet.id"]),
        sa.PrimaryKeyConstraint("outlet_id", "key", "article_id"),
    )
    op.create_index(
        op.f("ix_chromesighting_article_id"), "chromesighting", ["article_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_chromesighting_article_id"), table_name="chromesighting")
    op.drop_table("chromesighting")
