"""The browser files: committed build output matches ``widget/``, and the size budgets hold."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import pytest

from commentbox.html.i18n import LANGUAGES, plural_category

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "commentbox" / "static"
EMBED_BUDGET = 12 * 1024
COUNT_BUDGET = 1536


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("widget_build", ROOT / "widget" / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _gzipped_size(name: str) -> int:
    return len(gzip.compress((STATIC / name).read_bytes(), compresslevel=9))


def test_committed_widget_files_are_what_the_build_produces():
    built = _build_module().build()
    stale = [name for name, content in built.items() if (STATIC / name).read_bytes() != content]
    assert not stale, f"run `python widget/build.py`: stale {stale}"


def test_embed_js_with_its_css_stays_within_12_kb_gzipped():
    assert "cb-root" in (STATIC / "embed.js").read_text(encoding="utf-8"), "the CSS is inlined"
    assert _gzipped_size("embed.js") <= EMBED_BUDGET


def test_count_js_stays_within_1_5_kb_gzipped():
    assert _gzipped_size("count.js") <= COUNT_BUDGET


def _catalogue(lang: str) -> dict:
    return json.loads((ROOT / "widget" / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_catalogue_has_every_string_with_the_same_placeholders(lang):
    english, other = _catalogue("en"), _catalogue(lang)
    for part in ("server", "client"):
        assert set(other[part]) == set(english[part]), f"{lang} {part} keys differ from English"
        for key, text in english[part].items():
            if isinstance(text, str):
                assert _placeholders(other[part][key]) == _placeholders(text), f"{lang}: {key}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_count_has_the_plural_forms_the_language_uses(lang):
    forms = _catalogue(lang)["server"]["count"]
    needed = {plural_category(lang, n) for n in [*range(0, 300), 1_000_000]}
    assert needed <= set(forms) | {"other"}
    assert "other" in forms


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_heading_has_the_plural_forms_the_language_uses_and_names_the_title(lang):
    forms = _catalogue(lang)["client"]["responses"]
    needed = {plural_category(lang, n) for n in [*range(1, 300), 1_000_000]}  # zero: count_none
    assert needed | {"other"} <= set(forms)
    assert all(_placeholders(text) <= {"n", "title"} and "{title}" in text for text in forms.values())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_new_comments_bar_has_the_plural_forms_the_language_uses(lang):
    forms = _catalogue(lang)["client"]["fresh"]
    needed = {plural_category(lang, n) for n in [*range(1, 300), 1_000_000]}
    assert needed | {"other"} <= set(forms)


def test_count_js_says_zero_as_the_widget_does():
    count_js = (STATIC / "count.js").read_text(encoding="utf-8")
    for lang in LANGUAGES:
        assert json.dumps(_catalogue(lang)["server"]["count_none"], ensure_ascii=False) in count_js


def test_arabic_is_right_to_left_and_the_others_left_to_right():
    assert {lang: _catalogue(lang)["dir"] for lang in LANGUAGES} == {
        "ar": "rtl",
        "de": "ltr",
        "en": "ltr",
        "es": "ltr",
        "fr": "ltr",
        "pt": "ltr",
    }
