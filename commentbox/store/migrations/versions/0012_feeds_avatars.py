"""site.feeds: a site's Atom feeds can be turned off (on by default); avatar_cache: signed-in
users' provider pictures as this server fetched them

Revision ID: 0012_feeds_avatars
Revises: 0011_comment_nonce
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012_feeds_avatars"
down_revision: str | None = "0011_comment_nonce"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feeds", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "avatar_cache",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("source_url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("expires", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("avatar_cache")
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_column("feeds")
