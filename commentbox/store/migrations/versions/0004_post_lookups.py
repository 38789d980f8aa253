"""comment indexes that keep a post's checks lookups as threads and sites grow

The duplicate check asks for (thread, text hash): with ``text_hash`` indexed alone,
PostgreSQL with stale statistics intersected it with the thread index and so read every
comment id of the thread on each post (1.3 ms per post on a 45,000-comment thread). The
first-time trust check asks for an author's approved comment on the site: a guest's
(email, client) had no index at all, so each check walked every comment of the site.

Revision ID: 0004_post_lookups
Revises: 0003_moderation
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004_post_lookups"
down_revision: str | None = "0003_moderation"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_text_hash")
        batch_op.create_index("ix_comment_text_hash_thread", ["text_hash", "thread_id"], unique=False)
        batch_op.create_index("ix_comment_client_author_email", ["client_hash", "author_email"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_client_author_email")
        batch_op.drop_index("ix_comment_text_hash_thread")
        batch_op.create_index("ix_comment_text_hash", ["text_hash"], unique=False)
