"""comment trash: a moderator's Trash keeps the comment and the status Undo gives back

Revision ID: 0014_comment_trash
Revises: 0013_linkbacks
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_comment_trash"
down_revision: str | None = "0013_linkbacks"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trashed_from", sa.String(length=16), nullable=True))


def downgrade() -> None:
    # Trashed comments go back to the status they had: older code knows no "trash".
    op.execute("UPDATE comment SET status = trashed_from WHERE status = 'trash' AND trashed_from IS NOT NULL")
    op.execute("UPDATE comment SET status = 'pending' WHERE status = 'trash'")
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_column("trashed_from")
