"""comment_source: the source system and id of each imported comment, so re-imports add nothing

Revision ID: 0007_comment_sources
Revises: 0006_hold_link_only
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007_comment_sources"
down_revision: str | None = "0006_hold_link_only"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "comment_source",
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["comment_id"], ["comment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("site_id", "source"),
        sa.UniqueConstraint("comment_id"),
    )


def downgrade() -> None:
    op.drop_table("comment_source")
