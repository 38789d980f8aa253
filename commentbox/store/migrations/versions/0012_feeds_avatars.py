"""site.feeds: a site's Atom feeds can be turned off (on by default)

Revision ID: 0012_feeds_avatars
Revises: 0011_comment_nonce
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_feeds_avatars"
down_revision: str | None = "0011_comment_nonce"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feeds", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_column("feeds")
