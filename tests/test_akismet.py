"""Optional Akismet, against a local fake: spam is kept aside, an outage holds, nothing is lost."""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from commentbox.app import create_app
from tests.fakes.akismet import KEY, FakeAkismet
from tests.fakes.server import ServerThread
from tests.support import ARTICLE, BLOG, comment_payload


@pytest.fixture(scope="module")
def fake_akismet():
    fake = FakeAkismet()
    with ServerThread(fake.app) as server:
        fake.url = server.url + "/1.1"  # type: ignore[attr-defined]
        yield fake


# The fake listens on 127.0.0.1, which the outbound fetcher refuses unless it is allow-listed.
ALLOW_FAKE = {"outbound_allow_hosts": ["127.0.0.1"]}


@pytest.fixture
def akismet_client(settings, fake_akismet, blog):
    fake_akismet.checks.clear()
    app = create_app(
        settings.model_copy(
            update={
                "akismet_key": SecretStr(KEY),
                "akismet_url": fake_akismet.url,
                "akismet_timeout": 3,  # room for a loaded machine; the slow fake answers after 6 s
                **ALLOW_FAKE,
            }
        )
    )
    with TestClient(app, headers={"User-Agent": "Mozilla/5.0 test", "Referer": ARTICLE}) as client:
        yield client


def post(client, name, body="Nice article"):
    author = {"name": name, "email": f"{name}@example.com", "website": "https://me.example"}
    return client.post(
        "/api/v1/comments", json=comment_payload(author=author, body=body), headers={"Origin": BLOG}
    )


def visible(client):
    return client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE}).json()["comments"]


def test_ham_is_published_and_akismet_is_told_what_it_needs(akismet_client, fake_akismet):
    assert post(akismet_client, "ada").status_code == 201
    (sent,) = fake_akismet.checks
    assert sent["api_key"] == KEY
    assert sent["blog"] == BLOG
    assert sent["permalink"] == "https://blog.example/posts/hello"
    assert sent["comment_type"] == "comment"
    assert sent["comment_author"] == "ada"
    assert sent["comment_author_email"] == "ada@example.com"
    assert sent["comment_author_url"] == "https://me.example"
    assert sent["comment_content"] == "Nice article"
    assert sent["user_agent"] == "Mozilla/5.0 test"
    assert sent["referrer"] == ARTICLE
    assert sent["user_ip"] == "testclient"


def test_spam_is_stored_aside_and_the_sender_only_sees_it_wait(akismet_client, ctx, row_count):
    response = post(akismet_client, "viagra-test-123")
    assert response.status_code == 202
    assert response.json()["status"] == "pending"  # no hint for the spammer
    assert visible(akismet_client) == []
    assert row_count("comment") == 1


def test_blatant_spam_is_refused_and_not_stored(akismet_client, row_count):
    response = post(akismet_client, "akismet-guaranteed-spam")
    assert response.status_code == 422
    assert "spam" in response.json()["detail"]
    assert row_count("comment") == 0


@pytest.mark.parametrize("name", ["fake-outage", "fake-slow"])
def test_an_akismet_outage_holds_the_comment_for_a_moderator(akismet_client, row_count, name):
    response = post(akismet_client, name)
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert row_count("comment") == 1


def test_a_wrong_key_holds_rather_than_publishes(settings, fake_akismet, blog, row_count):
    app = create_app(
        settings.model_copy(
            update={"akismet_key": SecretStr("wrong"), "akismet_url": fake_akismet.url, **ALLOW_FAKE}
        )
    )
    with TestClient(app) as client:
        assert post(client, "ada").status_code == 202
    assert row_count("comment") == 1


def test_an_unreachable_akismet_holds_too(settings, blog, row_count):
    app = create_app(
        settings.model_copy(update={"akismet_key": SecretStr(KEY), "akismet_url": "http://127.0.0.1:1/1.1"})
    )
    with TestClient(app) as client:
        assert post(client, "ada").status_code == 202
    assert row_count("comment") == 1


def test_an_akismet_on_a_private_address_is_never_reached_unless_allowed(
    settings, fake_akismet, blog, row_count
):
    fake_akismet.checks.clear()
    app = create_app(
        settings.model_copy(update={"akismet_key": SecretStr(KEY), "akismet_url": fake_akismet.url})
    )
    with TestClient(app) as client:
        assert post(client, "ada").status_code == 202  # held, as for any outage
    assert fake_akismet.checks == []
    assert row_count("comment") == 1


def test_edits_are_checked_and_a_spammy_edit_is_held(akismet_client, fake_akismet, row_count):
    posted = post(akismet_client, "ada").json()
    fake_akismet.checks.clear()
    edited = akismet_client.patch(
        f"/api/v1/comments/{posted['id']}",
        json={"body": "Now buy my stuff"},
        headers={"Origin": BLOG, "X-Edit-Token": posted["edit_token"]},
    )
    assert edited.status_code == 200
    assert fake_akismet.checks[0]["comment_content"] == "Now buy my stuff"


def test_without_a_key_nothing_is_sent(client, fake_akismet, blog):
    fake_akismet.checks.clear()
    assert (
        client.post("/api/v1/comments", json=comment_payload(), headers={"Origin": BLOG}).status_code == 201
    )
    assert fake_akismet.checks == []
