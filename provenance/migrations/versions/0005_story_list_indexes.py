"""indexes for the story list: flags by article and status, links by translation and status

Without them SQLite answers "open flags of this story" from the status index alone, reading
every open flag in the database once per row of the story list.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_flag_article_status", "flag", ["article_id", "status"], unique=False)
    op.create_index("ix_link_translation_status", "link", ["translation_id", "status"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_link_translation_status", table_name="link")
    op.drop_index("ix_flag_article_status", table_name="flag")
