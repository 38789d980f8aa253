"""site.new_thread_limits: a page's first comment beyond it is refused

Revision ID: 0009_new_thread_limits
Revises: 0008_write_budgets
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009_new_thread_limits"
down_revision: str | None = "0008_write_budgets"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "new_thread_limits",
                sqlmodel.sql.sqltypes.AutoString(length=100),
                nullable=False,
                server_default="60/hour",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_column("new_thread_limits")
