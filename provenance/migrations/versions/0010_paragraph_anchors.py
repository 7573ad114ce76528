"""anchors stored with each paragraph (JSON), so that `align --all` never extracts them twice

Paragraphs stored before this revision keep NULL: their anchors are extracted when first
needed and saved back.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("paragraph") as batch:
        batch.add_column(sa.Column("anchors", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("paragraph") as batch:
        batch.drop_column("anchors")
