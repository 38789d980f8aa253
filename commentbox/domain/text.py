"""Unicode hygiene for every text field, applied at the edge before anything is stored.

NFC so that visually equal names compare equal; NUL and lone surrogates refused (PostgreSQL
cannot store NUL, and surrogates cannot be encoded); in names, bidi overrides, zero-width
and control characters are removed so nobody can disguise a name as someone else's.
"""

from __future__ import annotations

import re
import unicodedata

import regex

_INVISIBLE = re.compile(
    "[\u200b\u200e\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad\u034f\u061c\u115f\u1160\u3164\uffa0]"
)
_JOINERS = re.compile("[\u200c\u200d]")  # ZWNJ, ZWJ: kept only where a script or an emoji needs them
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # CR, LF and TAB included
_WHITESPACE = re.compile(r"\s+")
_GRAPHEME = regex.compile(r"\X")  # one user-perceived character: 👩‍💻, é as e + ◌́, 🇩🇪


def clean_text(value: str) -> str:
    """NFC-normalize; refuse NUL and lone surrogates (raises ``ValueError`` naming the problem)."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must not contain lone surrogate characters") from None
    return unicodedata.normalize("NFC", value)


def _joiner_needed(text: str, at: int) -> bool:
    """A zero-width (non-)joiner between two emoji (👩‍💻) or two letters of a script that
    joins (Persian, Indic) is part of the text; anywhere else it only hides a difference."""
    before, after = text[at - 1 : at], text[at + 1 : at + 2]
    if not before or not after:
        return False
    if text[at] == "\u200d":
        return unicodedata.category(before) in ("So", "Sk", "Mn") and unicodedata.category(after) == "So"
    return before.isalpha() and after.isalpha() and ord(before) >= 0x0590 and ord(after) >= 0x0590


def _drop_stray_joiners(text: str) -> str:
    return "".join(c for i, c in enumerate(text) if not _JOINERS.match(c) or _joiner_needed(text, i))


def clean_name(value: str) -> str:
    """``clean_text`` plus: no invisible or control characters (joiners only where an emoji
    or a script needs them), single spaces, trimmed."""
    value = _drop_stray_joiners(_CONTROL.sub("", _INVISIBLE.sub("", clean_text(value))))
    return _WHITESPACE.sub(" ", value).strip()


def is_blank(value: str) -> bool:
    """Whether nothing would show: only whitespace, invisible, joiner or control characters."""
    return not _WHITESPACE.sub("", _JOINERS.sub("", _CONTROL.sub("", _INVISIBLE.sub("", value))))


def has_control(value: str) -> bool:
    """Control characters (CR, LF, TAB …) have no place in an address or a one-line field."""
    return _ANY_CONTROL.search(value) is not None


def shorten(value: str, limit: int) -> str:
    """At most ``limit`` user-perceived characters, with "…" where it was cut: never half an
    emoji, a flag or a letter and its accent (a mail subject showed the halves as boxes)."""
    graphemes = _GRAPHEME.findall(value, concurrent=False)
    if len(graphemes) <= limit:
        return value
    return "".join(graphemes[: limit - 1]).rstrip() + "…"
