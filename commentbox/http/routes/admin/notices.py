"""The sentence an admin page shows after an action, and its Undo.

An action redirects back with ``?done=trash&n=2&ids=4,5``; the page it lands on turns that
into one sentence from the fixed vocabulary below, so a link someone sends a moderator can
make the page say nothing else (no text of the link reaches the page). ``ids`` names the
comments the Undo button of a Trash gives back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from starlette.datastructures import QueryParams

PARAMS = ("done", "n", "ids")
MAX_UNDO = 100  # more than a page of the queue: beyond it, Undo is the trash view's Restore

# ``{count}`` is "1 comment" / "2 comments"; the rest say what changed in a few words.
_COUNTED = {
    "approve": "Approved {count}.",
    "spam": "Marked {count} as spam.",
    "trash": "Moved {count} to the trash.",
    "restore": "Restored {count} to where {it_was}.",
    "delete": "Deleted {count} for good.",
}
_FIXED = {
    "edit": "Saved your edit of the comment.",
    "pin": "Pinned the comment to the top of its thread.",
    "unpin": "Unpinned the comment.",
    "lock": "Locked the thread: it takes no new comments.",
    "unlock": "Unlocked the thread.",
    "ban": "Banned. Their next comment is refused.",
    "unban": "Lifted the ban.",
    "site": "Saved the site's settings.",
    "grant": "Added them; they see this site at their next click.",
    "revoke": "Removed them from this site's moderators.",
}


@dataclass(frozen=True)
class Notice:
    text: str
    undo: tuple[int, ...] = ()  # the trashed comments Undo restores


def after(target: str, done: str, *, count: int | None = None, ids: Sequence[int] = ()) -> str:
    """``target`` (a path inside /admin, maybe with a query) with the notice for ``done``."""
    parts = urlsplit(target)
    kept = [(k, v) for k, v in QueryParams(parts.query).multi_items() if k not in PARAMS]
    added = [("done", done)]
    if count is not None:
        added.append(("n", str(count)))
    if ids and len(ids) <= MAX_UNDO:
        added.append(("ids", ",".join(str(i) for i in ids)))
    return f"{parts.path}?{urlencode(kept + added)}{'#' + parts.fragment if parts.fragment else ''}"


def notice(query: QueryParams) -> Notice | None:
    """The notice a page's query asks for; None for none, or for anything not ours."""
    done = query.get("done", "")
    if done in _FIXED:
        return Notice(_FIXED[done])
    n = query.get("n", "")
    if done not in _COUNTED or not n.isdigit() or len(n) > 6:
        return None
    count = int(n)
    if count == 0:
        return Notice("Nothing changed: those comments were like that already.")
    text = _COUNTED[done].format(
        count=f"{count} comment" if count == 1 else f"{count} comments",
        it_was="it was" if count == 1 else "they were",
    )
    ids = tuple(int(i) for i in query.get("ids", "").split(",")[:MAX_UNDO] if i.isdigit() and len(i) < 10)
    return Notice(text, ids if done == "trash" else ())
