"""Strings in the visitor's language: one catalogue per language (``widget/i18n/*.json``,
built into ``commentbox/static/i18n``), read by the templates and handed to the loader.

A catalogue has ``server`` strings (used by the Jinja2 templates) and ``client`` strings
(sent to the loader inside the thread fragment, so ``embed.js`` carries no catalogue).
Plural forms follow CLDR's categories, the same ones the browser's ``Intl.PluralRules``
picks, so a count reads the same whether the server or the loader wrote it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from commentbox import STATIC

CATALOGUES = STATIC / "i18n"
DEFAULT = "en"


def _million(n: int) -> bool:
    return n != 0 and n % 1_000_000 == 0


# CLDR plural rules for integers, for the languages we ship.
_PLURALS: dict[str, Callable[[int], str]] = {
    "en": lambda n: "one" if n == 1 else "other",
    "de": lambda n: "one" if n == 1 else "other",
    "es": lambda n: "one" if n == 1 else "many" if _million(n) else "other",
    "fr": lambda n: "one" if n in (0, 1) else "many" if _million(n) else "other",
    "pt": lambda n: "one" if n in (0, 1) else "many" if _million(n) else "other",
    "ar": lambda n: (
        "zero"
        if n == 0
        else "one"
        if n == 1
        else "two"
        if n == 2
        else "few"
        if 3 <= n % 100 <= 10
        else "many"
        if 11 <= n % 100 <= 99
        else "other"
    ),
}
LANGUAGES = tuple(sorted(_PLURALS))


def plural_category(lang: str, n: int) -> str:
    """CLDR's plural category of ``n`` in ``lang`` (``one``, ``few``, …, ``other``)."""
    return _PLURALS[lang](n)


@dataclass(frozen=True)
class Catalogue:
    lang: str
    direction: str
    server: dict[str, Any]
    client: dict[str, str]

    def t(self, key: str, **values: object) -> str:
        """The string ``key`` with ``{placeholders}`` filled; plain ``str.format`` on our own text."""
        text = self.server[key]
        return text.format(**values) if values else text  # type: ignore[no-any-return]

    def has(self, key: str) -> bool:
        return key in self.server

    def around(self, key: str, placeholder: str) -> tuple[str, str]:
        """The text before and after ``{placeholder}``, to wrap the value in markup."""
        before, _, after = self.server[key].partition("{" + placeholder + "}")
        return before, after

    def plural(self, key: str, n: int) -> str:
        forms = self.server[key]
        return forms.get(plural_category(self.lang, n), forms["other"]).format(n=n)  # type: ignore[no-any-return]


@cache
def catalogue(lang: str) -> Catalogue:
    data = json.loads((CATALOGUES / f"{lang}.json").read_text(encoding="utf-8"))
    return Catalogue(lang=lang, direction=data["dir"], server=data["server"], client=data["client"])


def pick_language(*wanted: str | None) -> str:
    """The first supported language among ``wanted`` (``pt-BR`` → ``pt``), else English.

    Each item may be a single tag or an ``Accept-Language`` header.
    """
    for item in wanted:
        for part in (item or "").split(","):
            tag = part.split(";")[0].strip().lower().replace("_", "-")
            base = tag.split("-")[0]
            if base in _PLURALS:
                return base
    return DEFAULT
