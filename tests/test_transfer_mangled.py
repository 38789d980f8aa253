"""Every real sample of the JSON and SQLite formats, cut short and with bytes flipped, through
``import auto``: each run imports or is refused with one sentence, never a traceback, and a
refused one writes nothing."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from tests.transfer_support import fixture

SAMPLES = [
    "isso/snjlogs/comments.db",
    "isso/isso/generic.json",
    "remark42/remark42/native_test--TestNative_Import.jsonl",
    "commento/remark42/commento.json",
    "commento/remark42-rest-api/commento.json",
    "commento/comentario/comentario-ok-single-v3.json.gz",
    "artalk/artransfer/Twikoo.artrans",
    "artalk/artransfer/WordPress.artrans",
]


def mangled(data: bytes, seed: int) -> bytes:
    """Seed 0–2: cut at a random place; 3–5: a few bytes replaced; 6: a quote flipped."""
    rng = random.Random(seed * 7919 + len(data))
    if seed < 3:
        return data[: rng.randrange(1, len(data))]
    if seed < 6:
        changed = bytearray(data)
        for _ in range(1 + seed):
            changed[rng.randrange(len(changed))] = rng.randrange(256)
        return bytes(changed)
    return data.replace(b'"', b"'", 1)


@pytest.fixture
def site(cli, capsys):
    origins = ["https://356189.xyz", "https://radio-t.com", "https://example.com", "https://blog.example",
               "http://10.90.1.130:8099", "http://localhost:8000"]  # fmt: skip
    assert cli(["site", "add", "s", *(arg for o in origins for arg in ("--origin", o))]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("relative", SAMPLES)
@pytest.mark.parametrize("seed", range(7))
def test_a_mangled_export_is_imported_or_refused_in_one_sentence(
    cli, capsys, query, tmp_path, site, relative, seed
):
    data = fixture(relative).read_bytes()
    if relative.endswith(".gz"):
        data = gzip.decompress(data)
    path = tmp_path / "export"
    path.write_bytes(mangled(data, seed))
    code = cli(["import", "auto", str(path), "--site", "s", "--timezone", "UTC"])
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert code in (0, 1) and "Traceback" not in captured.err
    if code == 1:
        assert 1 <= len(lines) <= 2 and lines[-1].startswith("commentbox: ")  # what it is, why not
        assert query("SELECT count(*) FROM comment") == [(0,)]
    else:
        assert captured.out.startswith(
            ("isso", "remark42", "commento", "artalk", "json", "wordpress", "disqus")
        )


def test_a_mangled_gzip_is_refused(cli, capsys, query, tmp_path, site):
    data = Path(fixture("commento/comentario/comentario-ok-single-v3.json.gz")).read_bytes()
    path = tmp_path / "export.gz"
    path.write_bytes(data[:12] + bytes(b ^ 0x5A for b in data[12:40]) + data[40:])
    assert cli(["import", "auto", str(path), "--site", "s"]) == 1
    assert "damaged or truncated" in capsys.readouterr().err
    assert query("SELECT count(*) FROM comment") == [(0,)]
