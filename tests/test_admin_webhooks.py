"""The site page's webhooks: owners add endpoints, read their delivery log, send a test event."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from commentbox.admin import moderators
from commentbox.app import create_app
from commentbox.domain import sites
from commentbox.outbound.fetch import NOT_ALLOWED
from commentbox.store.models import Role
from commentbox.webhooks import endpoints
from tests.admin_support import PASSWORD, csrf_of, sign_in
from tests.support import BLOG, SAME_ORIGIN
from tests.xss import executable_parts

PAGE = "/admin/sites/blog"


@pytest.fixture
def owner_app(settings):
    app = create_app(settings.model_copy(update={"outbound_allow_hosts": ["127.0.0.1"]}))
    ctx = app.state.ctx
    sites.add_site(ctx.db, "blog", origins=(BLOG,))
    sites.add_site(ctx.db, "other", origins=("https://other.example",))
    moderators.add_account(ctx.db, "owner", PASSWORD, superuser=False)
    moderators.grant(ctx.db, "blog", Role.OWNER, account_name="owner")
    yield app
    ctx.db.dispose()


@pytest.fixture
def owner(owner_app):
    with TestClient(owner_app, base_url="http://testserver", headers=SAME_ORIGIN) as client:
        assert sign_in(client, "owner").status_code == 303
        yield client


def submit(client, path, fields, page=PAGE):
    token = csrf_of(client.get(page).text)
    return client.post(path, data={"csrf": token, **fields}, follow_redirects=False)


def main_of(html: str) -> str:
    return html[html.index("<main>") : html.index("</main>")]


def test_an_owner_adds_an_endpoint_tests_it_and_removes_it(owner, owner_app, webhook_receiver):
    url = f"{webhook_receiver.url}/hook/ok"
    added = submit(owner, f"{PAGE}/webhooks", {"url": url, "events": ["comment.created", "comment.edited"]})
    assert added.status_code == 303
    (endpoint,) = [log.endpoint for log in endpoints.endpoints(owner_app.state.ctx.db, "blog")]
    assert added.headers["location"] == f"{PAGE}#webhook-{endpoint.id}"
    assert endpoint.events == "comment.created comment.edited"
    page = main_of(owner.get(PAGE).text)
    assert url in page and "Sends comment.created, comment.edited" in page
    assert endpoint.secret in page and "No deliveries yet." in page

    webhook_receiver.secret = endpoint.secret
    tested = submit(owner, f"{PAGE}/webhooks/{endpoint.id}/test", {})
    assert tested.status_code == 303
    (got,) = webhook_receiver.received
    assert got.verified and got.payload["type"] == "webhook.test"
    log = main_of(owner.get(PAGE).text)
    row = re.search(
        r"<tr><td>webhook\.test</td><td>(\d+)</td><td>(\d+)</td>.*?<td>(\w+)</td></tr>", log, re.S
    )
    assert row and row.groups() == ("204", "1", "delivered")

    assert submit(owner, f"{PAGE}/webhooks/{endpoint.id}/enabled", {"enabled": "off"}).status_code == 303
    page = main_of(owner.get(PAGE).text)
    assert "(disabled)" in page and ">Enable</button>" in page
    assert submit(owner, f"{PAGE}/webhooks/{endpoint.id}/enabled", {"enabled": "on"}).status_code == 303
    assert ">Disable</button>" in owner.get(PAGE).text

    assert submit(owner, f"{PAGE}/webhooks/{endpoint.id}/delete", {}).status_code == 303
    assert "No webhook endpoints yet." in owner.get(PAGE).text
    assert endpoints.endpoints(owner_app.state.ctx.db, "blog") == []


def test_a_refused_delivery_shows_its_reason_in_the_log(settings, owner_app, webhook_receiver):
    """Without the allow-list the fetcher refuses 127.0.0.1, and the log says so."""
    app = create_app(settings)  # same database, default outbound settings
    with TestClient(app, base_url="http://testserver", headers=SAME_ORIGIN) as client:
        assert sign_in(client, "owner").status_code == 303
        submit(
            client,
            f"{PAGE}/webhooks",
            {"url": f"{webhook_receiver.url}/hook/ok", "events": "comment.created"},
        )
        (log,) = endpoints.endpoints(app.state.ctx.db, "blog")
        submit(client, f"{PAGE}/webhooks/{log.endpoint.id}/test", {})
        assert f"failed: {NOT_ALLOWED}" in client.get(PAGE).text
    app.state.ctx.db.dispose()
    assert webhook_receiver.received == []


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"url": "javascript:alert(1)", "events": "comment.created"}, "must start with https://"),
        ({"url": "hooks.example/in", "events": "comment.created"}, "must start with https://"),
        ({"url": "https://h.example/" + "x" * 2000, "events": "comment.created"}, "at most 2000"),
        ({"url": "https://h.example/", "events": "comment.liked"}, "Unknown event"),
        ({"url": "https://h.example/"}, "Choose at least one event."),
    ],
)
def test_hostile_forms_are_refused_with_a_sentence(owner, owner_app, row_count, fields, says):
    refused = submit(owner, f"{PAGE}/webhooks", fields)
    assert refused.status_code == 422 and says in refused.text
    assert row_count("webhook_endpoint") == 0


def test_urls_are_shown_as_text_never_as_markup(owner, owner_app):
    xss = 'https://h.example/"><script>alert(1)</script><img/src=x/onerror=alert(1)>'
    assert submit(owner, f"{PAGE}/webhooks", {"url": xss, "events": "comment.created"}).status_code == 303
    page = main_of(owner.get(PAGE).text)
    assert executable_parts(page) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_forged_and_foreign_requests_change_nothing(owner_app, owner, row_count):
    # No CSRF token, and a cross-site post: both refused.
    assert (
        owner.post(
            f"{PAGE}/webhooks", data={"url": "https://h.example/", "events": "comment.created"}
        ).status_code
        == 403
    )
    cross = {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
    token = csrf_of(owner.get(PAGE).text)
    forged = owner.post(
        f"{PAGE}/webhooks",
        data={"csrf": token, "url": "https://h.example/", "events": "comment.created"},
        headers=cross,
    )
    assert forged.status_code == 403
    assert row_count("webhook_endpoint") == 0
    # Another site's endpoint is out of reach through this site's pages.
    theirs = endpoints.add_endpoint(
        owner_app.state.ctx.db, "other", "https://h.example/other", ["comment.created"]
    )
    assert submit(owner, f"{PAGE}/webhooks/{theirs.id}/delete", {}).status_code == 404
    assert submit(owner, f"{PAGE}/webhooks/{theirs.id}/test", {}).status_code == 404
    assert submit(owner, f"{PAGE}/webhooks/{theirs.id}/enabled", {"enabled": "off"}).status_code == 404
    assert submit(owner, f"/admin/sites/other/webhooks/{theirs.id}/delete", {}).status_code == 403
    assert row_count("webhook_endpoint") == 1 and row_count("webhook_delivery") == 0


def test_moderators_who_do_not_own_the_site_cannot_manage_webhooks(owner_app, row_count):
    moderators.add_account(owner_app.state.ctx.db, "mo", PASSWORD, superuser=False)
    moderators.grant(owner_app.state.ctx.db, "blog", Role.MODERATOR, account_name="mo")
    with TestClient(owner_app, base_url="http://testserver", headers=SAME_ORIGIN) as client:
        assert sign_in(client, "mo").status_code == 303
        assert client.get(PAGE).status_code == 403
        token = csrf_of(client.get("/admin").text)
        refused = client.post(
            f"{PAGE}/webhooks", data={"csrf": token, "url": "https://h.example/", "events": "comment.created"}
        )
        assert refused.status_code == 403
    assert row_count("webhook_endpoint") == 0
