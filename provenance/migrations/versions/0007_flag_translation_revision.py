"""flags remember the translation revision of the alignment that last found them

An accepted mismatch stays a confirmed error until an alignment on a newer revision of the
translation no longer finds it; the column tells the two apart. Flags stored before it are
stamped with their link's aligned translation revision, so an accepted mismatch stays
confirmed (the audit errs on the side of listing a story).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("flag") as batch:
        batch.add_column(sa.Column("translation_revision_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE flag SET translation_revision_id = (SELECT link.translation_revision_id"
        " FROM link WHERE link.id = flag.link_id)"
        " WHERE kind NOT IN ('source_changed', 'translation_changed')"
    )


def downgrade() -> None:
    with op.batch_alter_table("flag") as batch:
        batch.drop_column("translation_revision_id")
