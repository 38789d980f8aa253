"""An unexpected failure on the server answers problem+json *with* the CORS header, so the
widget in the reader's browser can tell "the server failed" from "the network failed"."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from commentbox.services import Context
from commentbox.store.models import Site
from tests.support import BLOG, comment_payload

# The database refuses every new comment in a way no handler expects (an IntegrityError
# that no constraint of ours names), as a bug would surface.
REFUSE = {
    "sqlite": "CREATE TRIGGER refuse BEFORE INSERT ON comment BEGIN SELECT RAISE(ABORT, 'refused'); END",
    "postgresql": (
        "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN"
        " RAISE EXCEPTION 'refused' USING ERRCODE = '23514'; END $$ LANGUAGE plpgsql;"
        " CREATE TRIGGER refuse BEFORE INSERT ON comment FOR EACH ROW EXECUTE FUNCTION refuse()"
    ),
}
UNDO = {
    "sqlite": "DROP TRIGGER refuse",
    "postgresql": "DROP TRIGGER refuse ON comment; DROP FUNCTION refuse()",
}


def test_an_unexpected_500_carries_cors_and_one_sentence(
    client: TestClient, ctx: Context, blog: Site, caplog: pytest.LogCaptureFixture
):
    dialect = ctx.db.engine.dialect.name
    with ctx.db.engine.begin() as connection:
        connection.execute(text(REFUSE[dialect]))
    try:
        with caplog.at_level(logging.ERROR, logger="commentbox.app"):
            answer = client.post(
                "/api/v1/comments",
                json=comment_payload(body="<script>alert(1)</script> my words"),
                headers={"Origin": BLOG},
            )
    finally:
        with ctx.db.engine.begin() as connection:
            connection.execute(text(UNDO[dialect]))
    assert answer.status_code == 500
    assert answer.headers["access-control-allow-origin"] == BLOG  # the browser may read it
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["detail"] == "Something went wrong on our side. Please try again in a moment."
    assert "my words" not in answer.text and "refused" not in answer.text
    assert "unhandled error on POST /api/v1/comments" in caplog.text  # the operator learns why

    again = client.post("/api/v1/comments", json=comment_payload(), headers={"Origin": BLOG})
    assert again.status_code == 201  # nothing stuck
