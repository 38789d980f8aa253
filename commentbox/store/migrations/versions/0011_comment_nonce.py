"""comment nonces indexed: restoring a backup asks which of its comments are there already

Revision ID: 0011_comment_nonce
Revises: 0010_same_text_limits
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011_comment_nonce"
down_revision: str | None = "0010_same_text_limits"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.create_index("ix_comment_nonce", ["nonce"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_nonce")
