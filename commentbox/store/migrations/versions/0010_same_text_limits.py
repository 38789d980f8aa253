"""site.same_text_limits: the same text from many authors beyond it is held as spam

Revision ID: 0010_same_text_limits
Revises: 0009_new_thread_limits
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010_same_text_limits"
down_revision: str | None = "0009_new_thread_limits"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "same_text_limits",
                sqlmodel.sql.sqltypes.AutoString(length=100),
                nullable=False,
                server_default="3/day",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_column("same_text_limits")
