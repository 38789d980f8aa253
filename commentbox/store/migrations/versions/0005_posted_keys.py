"""posted_key: the Idempotency-Key of recent posts, so a retried post makes no second comment

Revision ID: 0005_posted_keys
Revises: 0004_post_lookups
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005_posted_keys"
down_revision: str | None = "0004_post_lookups"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "posted_key",
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("created", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key_hash"),
    )
    with op.batch_alter_table("posted_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_posted_key_created"), ["created"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("posted_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posted_key_created"))
    op.drop_table("posted_key")
