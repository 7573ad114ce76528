"""initial schema: outlets, articles, revisions, paragraphs, links, groups, flags, review events

Revision ID: 0001
Revises:
Create Date: 2026-11-25 12:12:42.629154
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "outlet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("lang", sa.String(), nullable=True),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("hosts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outlet", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outlet_name"), ["name"], unique=True)

    op.create_table(
        "reviewevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("target_type", sa.String(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("undone", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reviewevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviewevent_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_reviewevent_reviewer"), ["reviewer"], unique=False)

    op.create_table(
        "article",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=True),
        sa.Column("lang", sa.String(), nullable=False),
        sa.Column("published", sa.DateTime(timezone=True), nullable=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("author", sa.String(), nullable=True),
        sa.Column("credit", sa.String(), nullable=True),
        sa.Column("current_revision_id", sa.Integer(), nullable=True),
        sa.Column("revision_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outlet_id"],
            ["outlet.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_credit"), ["credit"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_lang"), ["lang"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_outlet_id"), ["outlet_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_published"), ["published"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_url"), ["url"], unique=True)

    op.create_table(
        "revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("patch", sa.String(), nullable=True),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("etag", sa.String(), nullable=True),
        sa.Column("last_modified", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["article.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("article_id", "number"),
    )
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revision_article_id"), ["article_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_revision_content_hash"), ["content_hash"], unique=False
        )

    op.create_table(
        "link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("translation_id", sa.Integer(), nullable=False),
        sa.Column("original_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("translation_revision_id", sa.Integer(), nullable=True),
        sa.Column("original_revision_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["original_id"],
            ["article.id"],
        ),
        sa.ForeignKeyConstraint(
            ["original_revision_id"],
            ["revision.id"],
        ),
        sa.ForeignKeyConstraint(
            ["translation_id"],
            ["article.id"],
        ),
        sa.ForeignKeyConstraint(
            ["translation_revision_id"],
            ["revision.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("translation_id", "original_id"),
    )
    with op.batch_alter_table("link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_original_id"), ["original_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_link_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_link_translation_id"), ["translation_id"], unique=False
        )

    op.create_table(
        "paragraph",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("lang", sa.String(), nullable=True),
        sa.Column("text_hash", sa.String(), nullable=False),
        sa.Column("credit", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["revision.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("revision_id", "index"),
    )
    with op.batch_alter_table("paragraph", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paragraph_revision_id"), ["revision_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_paragraph_text_hash"), ["text_hash"], unique=False)

    op.create_table(
        "alignmentgroup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("translation", sa.JSON(), nullable=False),
        sa.Column("original", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("signals", sa.JSON(), nullable=False),
        sa.Column("anchors", sa.JSON(), nullable=False),
        sa.Column("origin", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["link.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("alignmentgroup", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alignmentgroup_link_id"), ["link_id"], unique=False)
        batch_op.create_index(
            "ix_alignmentgroup_link_position", ["link_id", "position"], unique=False
        )

    op.create_table(
        "flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("severity", sa.String(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("origin", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["article.id"],
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["alignmentgroup.id"],
        ),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["link.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("flag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flag_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_flag_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_flag_link_id"), ["link_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_flag_status"), ["status"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("flag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flag_status"))
        batch_op.drop_index(batch_op.f("ix_flag_link_id"))
        batch_op.drop_index(batch_op.f("ix_flag_kind"))
        batch_op.drop_index(batch_op.f("ix_flag_article_id"))

    op.drop_table("flag")
    with op.batch_alter_table("alignmentgroup", schema=None) as batch_op:
        batch_op.drop_index("ix_alignmentgroup_link_position")
        batch_op.drop_index(batch_op.f("ix_alignmentgroup_link_id"))

    op.drop_table("alignmentgroup")
    with op.batch_alter_table("paragraph", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paragraph_text_hash"))
        batch_op.drop_index(batch_op.f("ix_paragraph_revision_id"))

    op.drop_table("paragraph")
    with op.batch_alter_table("link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_translation_id"))
        batch_op.drop_index(batch_op.f("ix_link_status"))
        batch_op.drop_index(batch_op.f("ix_link_original_id"))

    op.drop_table("link")
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revision_content_hash"))
        batch_op.drop_index(batch_op.f("ix_revision_article_id"))

    op.drop_table("revision")
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_url"))
        batch_op.drop_index(batch_op.f("ix_article_published"))
        batch_op.drop_index(batch_op.f("ix_article_outlet_id"))
        batch_op.drop_index(batch_op.f("ix_article_lang"))
        batch_op.drop_index(batch_op.f("ix_article_credit"))

    op.drop_table("article")
    with op.batch_alter_table("reviewevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviewevent_reviewer"))
        batch_op.drop_index(batch_op.f("ix_reviewevent_at"))

    op.drop_table("reviewevent")
    with op.batch_alter_table("outlet", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outlet_name"))

    op.drop_table("outlet")
