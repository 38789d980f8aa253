"""``examples/deploy`` stays true: the Compose file parses and wires what nginx.conf and
commentbox expect, and every setting the examples name is one commentbox knows."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from commentbox.config import Settings
from tests.conftest import required_or_skip

DEPLOY = Path(__file__).resolve().parents[1] / "examples" / "deploy"


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    return loaded


def test_compose_runs_two_instances_behind_nginx_on_postgresql_and_redis():
    services = _compose()["services"]
    assert {"app1", "app2", "db", "redis", "nginx", "migrate"} <= set(services)
    nginx_ip = services["nginx"]["networks"]["backend"]["ipv4_address"]
    for name in ("app1", "app2"):
        app = services[name]
        env = app["environment"]
        assert env["COMMENTBOX_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "@db:5432/" in env["COMMENTBOX_DATABASE_URL"]
        assert env["COMMENTBOX_REDIS_URL"].startswith("redis://redis:")
        assert env["COMMENTBOX_TRUSTED_PROXIES"] == f'["{nginx_ip}"]'
        assert "service_completed_successfully" in str(app["depends_on"]["migrate"])
    assert services["migrate"]["command"] == ["commentbox", "migrate"]
    assert "/readyz" in (DEPLOY / "Dockerfile").read_text()


def test_nginx_balances_the_compose_instances_and_replaces_forwarded_for():
    conf = (DEPLOY / "nginx.conf").read_text()
    assert set(re.findall(r"server (\w+):8080", conf)) == {"app1", "app2"}
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    assert "proxy_cache_revalidate on;" in conf
    for location in ("= /api/v1/threads", "= /embed/thread"):
        assert f"location {location}" in conf


def test_every_setting_the_examples_name_exists():
    named = set()
    for path in (DEPLOY / "docker-compose.yml", DEPLOY / "env.example", DEPLOY / "commentbox.service"):
        named |= set(re.findall(r"\bCOMMENTBOX_([A-Z_]+)", path.read_text()))
    assert named
    unknown = {name for name in named if name.lower() not in Settings.model_fields}
    assert not unknown, unknown


def test_nginx_accepts_the_configuration():
    if shutil.which("nginx") is None:
        required_or_skip("Debian's nginx is not installed (examples/deploy/check.sh runs the same check)")
    result = subprocess.run(["sh", str(DEPLOY / "check.sh")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "nginx -t passes" in result.stdout
