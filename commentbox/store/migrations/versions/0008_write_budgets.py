"""site.thread_write_limits, site.site_write_limits: new comments beyond them are held

Revision ID: 0008_write_budgets
Revises: 0007_comment_sources
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008_write_budgets"
down_revision: str | None = "0007_comment_sources"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "thread_write_limits",
                sqlmodel.sql.sqltypes.AutoString(length=100),
                nullable=False,
                server_default="10/minute; 100/hour",
            )
        )
        batch_op.add_column(
            sa.Column(
                "site_write_limits",
                sqlmodel.sql.sqltypes.AutoString(length=100),
                nullable=False,
                server_default="60/minute; 600/hour",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_column("site_write_limits")
        batch_op.drop_column("thread_write_limits")
