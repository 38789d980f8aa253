"""Unicode hygiene for every text field, applied at the edge before anything is stored.

NFC so that visually equal names compare equal; NUL and lone surrogates refused (PostgreSQL
cannot store NUL, and surrogates cannot be encoded); in names, bidi overrides, zero-width
and control characters are removed so nobody can disguise a name as someone else's.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile(
    "[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad\u034f\u061c\u115f\u1160\u3164\uffa0]"
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_WHITESPACE = re.compile(r"\s+")


def clean_text(value: str) -> str:
    """NFC-normalize; refuse NUL and lone surrogates (raises ``ValueError`` naming the problem)."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must not contain lone surrogate characters") from None
    return unicodedata.normalize("NFC", value)


def clean_name(value: str) -> str:
    """``clean_text`` plus: no invisible or control characters, single spaces, trimmed."""
    value = _CONTROL.sub("", _INVISIBLE.sub("", clean_text(value)))
    return _WHITESPACE.sub(" ", value).strip()
