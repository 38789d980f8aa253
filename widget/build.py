"""Build the browser files from ``widget/`` into ``commentbox/static`` (committed).

    python widget/build.py

``embed.js`` is the modules in ``EMBED_MODULES`` (one purpose each), concatenated in that
order into one IIFE (no bundler, no Node.js: later modules use what earlier ones define,
and ``thread.js`` declares the class the others add methods to). It gets the stylesheet and
the load-error sentences inlined, ``count.js`` the
plural forms of "N comments"; both are minified with rjsmin/rcssmin (pure Python, so
nobody needs Node.js). ``tests/test_widget_build.py`` fails when the committed files are
not what this script produces, and checks the gzip size budgets.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import rcssmin
import rjsmin

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "commentbox" / "static"
EMBED_MODULES = ("util", "i18n", "thread", "api", "own", "form", "signin", "live", "main")


def _catalogues() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((HERE / "i18n").glob("*.json"))}


def _counts(catalogue: dict) -> dict[str, str]:
    return {**catalogue["server"]["count"], "none": catalogue["server"]["count_none"]}


def _source(name: str) -> str:
    if name != "embed.js":
        return (HERE / "src" / name).read_text(encoding="utf-8")
    modules = [(HERE / "src" / f"{module}.js").read_text(encoding="utf-8") for module in EMBED_MODULES]
    return '(() => {\n"use strict";\n' + "\n".join(modules) + "})();\n"


def _js(name: str, **inline: object) -> bytes:
    code = rjsmin.jsmin(_source(name), keep_bang_comments=False)
    for placeholder, value in inline.items():
        marker = f"__{placeholder}__"
        assert marker in code, f"{name} lacks {marker}"
        code = code.replace(marker, json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    return code.encode("utf-8") + b"\n"


def build() -> dict[str, bytes]:
    """Every built file, by its path under ``commentbox/static``."""
    catalogues = _catalogues()
    css = rcssmin.cssmin((HERE / "src" / "embed.css").read_text(encoding="utf-8"))
    files = {
        "embed.css": css.encode("utf-8") + b"\n",
        "embed.js": _js(
            "embed.js",
            CSS=css,
            LOAD_ERRORS={lang: c["client"]["err_load"] for lang, c in catalogues.items()},
        ),
        # zero reads "No comments yet" on the index as in the widget's heading
        "count.js": _js("count.js", COUNTS={lang: _counts(c) for lang, c in catalogues.items()}),
    }
    for lang in catalogues:
        files[f"i18n/{lang}.json"] = (HERE / "i18n" / f"{lang}.json").read_bytes()
    return files


def main() -> int:
    for name, content in build().items():
        path = OUT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        print(f"{path.relative_to(HERE.parent)}\t{len(content)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
