"""Removing comments: deleted rows, or tombstones where replies hang under them.

One place for the rule, whoever removes — the author (``comments.delete_comment``), a
moderator (``admin/actions.py``) or an erasure of everything of one person (``erasure.py``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlmodel import Session

from commentbox.store import comments, versions
from commentbox.store.models import Comment, CommentStatus


def remove(session: Session, comment: Comment) -> bool:
    """Delete ``comment`` (by its author or a moderator), or make it an anonymous tombstone when
    it has replies (then True); the thread's count and version follow."""
    return remove_all(session, [comment]) == 1


def remove_all(session: Session, doomed: Sequence[Comment]) -> int:
    """``remove`` for many comments at once (an erasure): newest first, so a reply among them
    goes before its parent; a comment keeps a tombstone only while a reply stays under it.
    One statement deletes the rest, and each thread moves once. Returns the tombstones.

    A tombstone keeps nothing of its author: name, email, website, text and hashes go."""
    children = comments.replies_to(session, [c.id for c in doomed if c.id is not None])
    gone: set[int] = set()
    tombstones = 0
    counted: Counter[int] = Counter()  # thread id → published comments removed from it
    for comment in sorted(doomed, key=lambda c: (c.created, c.id or 0), reverse=True):
        counted[comment.thread_id] += comment.status == CommentStatus.APPROVED
        if any(reply not in gone for reply in children.get(comment.id, ())):  # type: ignore[arg-type]
            comment.status = CommentStatus.DELETED
            comment.body = comment.html = comment.author_name = ""
            comment.author_email = comment.author_website = None
            comment.user_id = None
            comment.text_hash = comment.ip_hash = comment.client_hash = None
            session.add(comment)
            tombstones += 1
        else:
            gone.add(comment.id)  # type: ignore[arg-type]
    session.flush()
    comments.delete_comments(session, gone)
    for thread_id in {c.thread_id for c in doomed}:
        versions.touch_thread(session, thread_id, -counted[thread_id])
    return tombstones
