"""the term lookup index holds each posting's language and article, so a search reads the index
alone; every indexed article holds the term "*", whose count is the corpus size

At a million articles the (term, published) index sent every posting in the date window to a
random read of the postings table for its language and article; (term, published, lang,
article_id) answers the search from the index's own pages. And the corpus size that rarity
weights divide by was a count of every article for every query; it is now read with the terms'
counts. Articles already indexed get their "*" posting and counts here.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("anchorterm") as batch:
        batch.drop_index("ix_anchorterm_term_published")
        batch.create_index(
            "ix_anchorterm_lookup", ["term", "published", "lang", "article_id"], unique=False
        )
    op.execute(
        "INSERT INTO anchorterm (article_id, term, published, lang) "
        "SELECT id, '*', published, lang FROM article WHERE indexed_revision_id IS NOT NULL"
    )
    op.execute(
        "INSERT INTO anchorstat (term, lang, df) "
        "SELECT '*', lang, COUNT(*) FROM article "
        "WHERE indexed_revision_id IS NOT NULL AND lang IS NOT NULL GROUP BY lang"
    )


def downgrade() -> None:
    op.execute("DELETE FROM anchorstat WHERE term = '*'")
    op.execute("DELETE FROM anchorterm WHERE term = '*'")
    with op.batch_alter_table("anchorterm") as batch:
        batch.drop_index("ix_anchorterm_lookup")
        batch.create_index("ix_anchorterm_term_published", ["term", "published"], unique=False)
