"""keeping less and erasure: per-site retention, vote times, the erasure record

Revision ID: 0016_privacy
Revises: 0015_webhooks
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016_privacy"
down_revision: str | None = "0015_webhooks"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ip_hash_days", sa.Integer(), nullable=False, server_default="30"))
        batch_op.add_column(sa.Column("guest_email_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("vote", schema=None) as batch_op:
        # Votes cast before this migration count from now: their address hashes go a full
        # retention period later, never earlier than a site owner was told.
        batch_op.add_column(
            sa.Column(
                "created",
                sqlmodel.sql.sqltypes.UTCDateTime(),
                nullable=False,
                server_default=sa.func.current_timestamp(),
            )
        )
        batch_op.create_index("ix_vote_voter_created", ["voter", "created"], unique=False)
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_comment_ip_hash_created",
            ["created"],
            unique=False,
            sqlite_where=sa.text("ip_hash IS NOT NULL"),
            postgresql_where=sa.text("ip_hash IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_comment_guest_email_created",
            ["created"],
            unique=False,
            sqlite_where=sa.text("author_email IS NOT NULL"),
            postgresql_where=sa.text("author_email IS NOT NULL"),
        )
    op.create_table(
        "erasure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("requested_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("comments", sa.Integer(), nullable=False),
        sa.Column("created", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_erasure_site_id", "erasure", ["site_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_erasure_site_id", table_name="erasure")
    op.drop_table("erasure")
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_guest_email_created")
        batch_op.drop_index("ix_comment_ip_hash_created")
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.drop_index("ix_vote_voter_created")
        batch_op.drop_column("created")
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_column("guest_email_days")
        batch_op.drop_column("ip_hash_days")
