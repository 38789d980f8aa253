"""What authors see of their own comments, beyond the thread everyone shares.

The thread (and its cached HTML) is the same for every viewer, so an author's own view comes
from per-viewer requests, answered here. Both only read; changing a comment is
``comments.py``'s business, with its own (stricter) checks.

- ``own_comment``: one comment, held ones included, for its author: how the widget learns
  whether a comment it shows as "awaiting moderation" was published or removed. A guest
  proves authorship with the comment's edit token, which goes on *reading* the comment for
  ``AUTHOR_READ_SECONDS`` after its edit window closed (it never changes it again).
- ``own_in_thread``: a signed-in user's comments in one thread with their edit deadlines, so
  Edit and Delete appear wherever they are signed in, not only in the browser that posted.
  Guests have no such list: their capability is the edit token in the posting browser.
"""

from __future__ import annotations

from commentbox.domain.comments import Commenting
from commentbox.domain.schemas import CommentPublic, OwnComment, OwnComments
from commentbox.domain.sites import get_site
from commentbox.domain.threads import Presenter, resolve_ref
from commentbox.domain.visitors import AUTHOR_READ_SECONDS, Visitor, user_edit_deadline
from commentbox.errors import Forbidden, NotFound
from commentbox.store import comments
from commentbox.store.models import GONE_FOR_AUTHOR, Comment, Site, User

NOT_YOURS = "You can only ask after your own comments."


def _authorize_reader(
    commenting: Commenting, site: Site, comment: Comment, visitor: Visitor, edit_token: str | None
) -> None:
    """The same signed-in user, or a guest with this very comment's edit token, within the
    edit window or the longer reading horizon after it."""
    if comment.user_id is not None:
        if visitor.user is None or visitor.user.id != comment.user_id:
            raise Forbidden(NOT_YOURS)
        return
    horizon = max(AUTHOR_READ_SECONDS, site.edit_window_seconds)
    if edit_token is None or not commenting.keys.edit_token_valid(edit_token, comment, horizon):
        raise Forbidden(NOT_YOURS)


def own_comment(
    commenting: Commenting, comment_id: int, visitor: Visitor, edit_token: str | None
) -> CommentPublic:
    """A comment as its author sees it, held ones included (``status`` pending); 404 once a
    moderator removed it or marked it as spam, or its author deleted it."""
    with commenting.db.read() as session:
        comment = comments.comment_by_id(session, comment_id)
        if comment is None or comment.status in GONE_FOR_AUTHOR:
            raise NotFound("That comment does not exist (any more).")
        site = get_site(session, comments.thread_by_id(session, comment.thread_id).site_id)
        _authorize_reader(commenting, site, comment, visitor, edit_token)
        row = comments.comment_row(session, comment_id)
    assert row is not None
    return Presenter(commenting.presentation).comment(row)


def own_in_thread(
    commenting: Commenting, site_id: str, url: str | None, page_id: str | None, user: User
) -> OwnComments:
    """``user``'s published and held comments on one page of ``site_id``, oldest first.

    Example: ``{"comments": [{"id": 7, "status": "approved", "body": "Hi *all*",
    "edit_until": null}]}`` — ``edit_until`` null where the site sets no window."""
    with commenting.db.read() as session:
        site = get_site(session, site_id)
        ref = resolve_ref(site, url, page_id)
        rows = comments.user_comments_in_thread(session, site.id, ref.key, user.id)  # type: ignore[arg-type]
    return OwnComments(
        comments=[
            OwnComment(id=r.id, status=r.status, body=r.body, edit_until=user_edit_deadline(site, r.created))
            for r in rows
        ]
    )
