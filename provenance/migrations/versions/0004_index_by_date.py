"""anchor index by date and language, term statistics

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("anchorterm", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("lang", sa.String(), nullable=True))
        batch_op.create_index("ix_anchorterm_term_published", ["term", "published"], unique=False)
        batch_op.drop_index("ix_anchorterm_term_article")  # lookups now go by (term, published)
    op.create_table(
        "anchorstat",
        sa.Column("term", sa.String(), nullable=False),
        sa.Column("lang", sa.String(), nullable=False),
        sa.Column("df", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", "lang"),
    )
    # Existing postings take their article's date and language; statistics are counted once.
    op.execute(
        "UPDATE anchorterm SET "
        "published = (SELECT article.published FROM article WHERE article.id = anchorterm.article_id), "
        "lang = (SELECT article.lang FROM article WHERE article.id = anchorterm.article_id)"
    )
    op.execute(
        "INSERT INTO anchorstat (term, lang, df) "
        "SELECT term, lang, COUNT(*) FROM anchorterm WHERE lang IS NOT NULL GROUP BY term, lang"
    )


def downgrade() -> None:
    op.drop_table("anchorstat")
    with op.batch_alter_table("anchorterm", schema=None) as batch_op:
        batch_op.drop_index("ix_anchorterm_term_published")
        batch_op.create_index("ix_anchorterm_term_article", ["term", "article_id"], unique=False)
        batch_op.drop_column("lang")
        batch_op.drop_column("published")
