"""What the tests of the /admin pages share: signing in, posting a form with its CSRF token,
and reading a comment's stored status (the fixtures ``make_admin`` and ``admin_client``
that use them are in ``conftest.py``)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import text
from starlette.testclient import TestClient

from tests.support import BLOG, SAME_ORIGIN, comment_payload

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, html
    return found.group(1)


def sign_in(client: TestClient, name: str = "root", password: str = PASSWORD) -> Any:
    form = client.get("/admin/login")
    return client.post(
        "/admin/login",
        data={"csrf": csrf_of(form.text), "name": name, "password": password},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )


def post(client, origin=BLOG, **changes):
    response = client.post("/api/v1/comments", json=comment_payload(**changes), headers={"Origin": origin})
    assert response.status_code in (201, 202), response.text
    return response.json()


def act(client, path: str, fields: dict[str, Any], page: str = "/admin") -> Any:
    token = csrf_of(client.get(page).text)
    return client.post(path, data={"csrf": token, **fields}, headers=SAME_ORIGIN, follow_redirects=False)


def status_of(ctx, comment_id):
    with ctx.db.engine.connect() as connection:
        query = text("SELECT status FROM comment WHERE id = :id")
        return connection.execute(query, {"id": comment_id}).scalar_one_or_none()
