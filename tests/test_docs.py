"""The README and the documentation site stay true: the site builds with ``mkdocs build
--strict`` (a broken link or anchor fails it, so the README's test command catches what CI
does), and the pages name every setting, command, JSON route and layer the code has."""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

from commentbox import cli
from commentbox.config import Settings
from commentbox.http.openapi import OPERATIONS
from commentbox.http.routes import me_page, my_data
from tests.conftest import required_or_skip

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
TWO_COMMANDS = (  # exactly the README's first block (issue 17)
    "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/commentbox serve --demo"
    "   # then open http://127.0.0.1:8080/\n"
    "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest"
    "   # the tests (what CI runs: .ci/run)\n"
)


def _mkdocs_build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("material") is None:
        required_or_skip("mkdocs and mkdocs-material are not installed (pip install -e '.[docs]')")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "--site-dir", str(site)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def _site_copy(tmp_path: Path) -> Path:
    """The site's sources (pages, config, the included bench/README.md) in a folder to spoil."""
    copy = tmp_path / "copy"
    shutil.copytree(DOCS, copy / "docs")
    shutil.copy(ROOT / "mkdocs.yml", copy / "mkdocs.yml")
    (copy / "bench").mkdir()
    shutil.copy(ROOT / "bench" / "README.md", copy / "bench" / "README.md")
    return copy


def _docs_text() -> str:
    return "\n".join(page.read_text() for page in sorted(DOCS.glob("*.md")))


def test_the_documentation_site_builds_strictly_with_every_page(tmp_path: Path):
    result = _mkdocs_build(ROOT / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    for page in DOCS.glob("*.md"):
        name = "index.html" if page.stem == "index" else f"{page.stem}/index.html"
        assert (tmp_path / "site" / name).is_file(), name
    # The benchmarks page includes bench/README.md itself, so the method has one source.
    benchmarks = (tmp_path / "site" / "benchmarks" / "index.html").read_text()
    assert "What one run does" in benchmarks


def test_a_broken_link_or_anchor_fails_the_build(tmp_path: Path):
    """The check can fail: a copy of the site with one dead link and one dead anchor."""
    copy = _site_copy(tmp_path)
    with (copy / "docs" / "index.md").open("a") as page:
        page.write("\n[gone](no-such-page.md) and [nowhere](api.md#no-such-heading)\n")
    result = _mkdocs_build(copy / "mkdocs.yml", tmp_path / "site")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "no-such-page.md" in output
    assert "no-such-heading" in output


def test_a_page_left_out_of_the_nav_fails_the_build(tmp_path: Path):
    copy = _site_copy(tmp_path)
    (copy / "docs" / "orphan.md").write_text("# Nobody links here\n")
    result = _mkdocs_build(copy / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert "orphan.md" in result.stdout + result.stderr


def test_the_readme_starts_with_the_two_commands_and_stays_short():
    text = README.read_text()
    first_block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert first_block is not None
    assert text.index("```sh") < text.index("\n## "), "the commands come before any section"
    assert first_block.group(1) == TWO_COMMANDS
    assert len(text.splitlines()) <= 200


def test_every_relative_link_in_the_readme_names_a_file_of_the_repository():
    links = re.findall(r"\]\(([^)\s]+)\)", README.read_text())
    local = [link.split("#")[0] for link in links if not re.match(r"[a-z]+:", link)]
    assert "docs/install.md" in local
    missing = [link for link in local if not (ROOT / link).exists()]
    assert not missing, missing


def test_every_setting_is_documented():
    text = _docs_text()
    missing = [name for name in Settings.model_fields if f"COMMENTBOX_{name.upper()}" not in text]
    assert not missing, missing


def test_every_json_and_sign_in_route_is_on_the_api_page():
    page = (DOCS / "api.md").read_text()
    routes = [
        f"`{op.method.upper()} {op.path}`"
        for op in [*OPERATIONS, *my_data.operations, *me_page.operations]
        if op.path.startswith(("/api/v1/", "/auth/", "/me"))
    ]
    assert len(routes) > 15
    missing = [route for route in routes if route not in page]
    assert not missing, missing


def test_the_architecture_page_names_every_layer_of_the_import_contract():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in contracts if c["type"] == "layers")
    modules = [name.strip() for layer in layers for name in layer.split("|")]
    text = (DOCS / "architecture.md").read_text()
    missing = [module for module in modules if f"`{module}`" not in text]
    assert not missing, missing


def _commands(parser: argparse.ArgumentParser, prefix: str = "commentbox") -> Iterator[str]:
    """Every leaf command of the CLI (``commentbox site add``, …), as ``--help`` lists them."""
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not actions:
        yield prefix
    for action in actions:
        for name, sub in action.choices.items():
            yield from _commands(sub, f"{prefix} {name}")


def test_every_command_is_documented():
    commands = list(_commands(cli.parser()))
    assert "commentbox site add" in commands
    text = _docs_text()
    missing = [command for command in commands if f"`{command}" not in text]
    assert not missing, missing
