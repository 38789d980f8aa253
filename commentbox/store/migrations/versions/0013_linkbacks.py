"""linkbacks: a site may receive Webmentions and pingbacks; each claim and its verification

Revision ID: 0013_linkbacks
Revises: 0012_feeds_avatars
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013_linkbacks"
down_revision: str | None = "0012_feeds_avatars"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.add_column(sa.Column("linkbacks", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("publish_linkbacks", sa.Boolean(), server_default="0", nullable=False))
    op.create_table(
        "linkback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("author_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comment.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["thread_id"], ["thread.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("thread_id", "source", name="uq_linkback_thread_source"),
        sa.UniqueConstraint("token"),
    )
    with op.batch_alter_table("linkback", schema=None) as batch_op:
        batch_op.create_index("ix_linkback_due", ["state", "next_attempt"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("linkback", schema=None) as batch_op:
        batch_op.drop_index("ix_linkback_due")
    op.drop_table("linkback")
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_column("publish_linkbacks")
        batch_op.drop_column("linkbacks")
