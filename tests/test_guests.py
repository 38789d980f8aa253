"""Verified guests: a sign-in link mailed through a real SMTP server, collected by the asker
that asked (the login poll), and the explicit claim of older guest comments."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import text
from starlette.testclient import TestClient

from commentbox.admin.actions import Action, Moderator, apply
from commentbox.app import create_app
from commentbox.domain import erasure, guests, sites
from commentbox.store.models import ModerationMode
from tests.fakes.smtp import SMTPServer
from tests.support import ARTICLE, BLOG, SAME_ORIGIN, TEST_SECRET, comment_payload

OTHER = "https://other.example"
_LINK = re.compile(r"http://testserver(/auth/email/\S+)")


@pytest.fixture
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()


def _app(settings, smtp, **changes):
    update = {"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_security": "none"}
    return create_app(settings.model_copy(update={**update, "smtp_retry_seconds": 0.2, **changes}))


@pytest.fixture
def gapp(settings, smtp):
    app = _app(settings, smtp)
    yield app
    app.state.ctx.db.dispose()


@pytest.fixture
def gctx(gapp):
    ctx = gapp.state.ctx
    sites.add_site(ctx.db, "blog", origins=[BLOG], moderation=ModerationMode.NONE)
    sites.add_site(ctx.db, "other", origins=[OTHER], moderation=ModerationMode.NONE)
    return ctx


@pytest.fixture
def asker(gapp, gctx):
    """The browser that asks (the blog's page)."""
    with TestClient(gapp) as client:
        yield client


@pytest.fixture
def mailbox(gapp, gctx, asker):
    """Another browser: the one the person reads their mail in (the app runs in ``asker``'s
    lifespan: one per app)."""
    return TestClient(gapp, headers=SAME_ORIGIN, client=("198.51.100.7", 4000))


def new_login(client: TestClient, site: str = "blog", origin: str = BLOG) -> str:
    response = client.post("/auth/logins", json={"site": site, "origin": origin}, headers={"Origin": origin})
    assert response.status_code == 201, response.text
    return str(response.json()["login"])


def ask(client: TestClient, login: str, email: str = "ada@example.com", **changes: Any) -> Any:
    origin = changes.pop("origin", BLOG)
    body = {"site": "blog", "login": login, "email": email, "name": "Ada", **changes}
    return client.post("/api/v1/guests/verify", json=body, headers={"Origin": origin})


def link_in(smtp: SMTPServer, count: int) -> str:
    message = smtp.inbox.wait_for(count)[count - 1]
    match = _LINK.search(message.get_body(("plain",)).get_content())
    assert match, message
    return match.group(1)


def redeem(client: TestClient, login: str, origin: str = BLOG) -> Any:
    return client.post(f"/auth/logins/{login}/redeem", headers={"Origin": origin})


def signed_in(
    asker: TestClient, mailbox: TestClient, smtp: SMTPServer, count: int = 1, **changes: Any
) -> str:
    login = new_login(asker)
    assert ask(asker, login, **changes).status_code == 202
    assert mailbox.post(link_in(smtp, count)).status_code == 200
    response = redeem(asker, login)
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Origin": BLOG}


def test_the_page_that_asked_is_signed_in_by_the_link_opened_in_another_browser(asker, mailbox, smtp):
    login = new_login(asker)
    response = ask(asker, login, email="Ada@Example.com")
    assert response.status_code == 202
    message = smtp.inbox.wait_for(1)[0]
    assert message["To"] == "Ada@example.com" and "blog" in message["Subject"]
    link = link_in(smtp, 1)

    shown = mailbox.get(link)  # what a mail scanner fetches too: a asker with a button, no sign-in
    assert shown.status_code == 200 and 'id="continue"' in shown.text and BLOG in shown.text
    assert redeem(asker, login).status_code == 202  # still pending

    pressed = mailbox.post(link)
    assert pressed.status_code == 200 and "signed in as Ada" in pressed.text
    assert "token" not in pressed.text  # the browser that opens the mail gets no session
    answer = redeem(asker, login)
    assert answer.status_code == 200
    user = answer.json()["user"]
    assert (user["name"], user["provider"]) == ("Ada", "email")
    token = answer.json()["token"]
    me = asker.get("/api/v1/me?site=blog", headers=bearer(token))
    assert me.status_code == 200 and me.json()["provider"] == "email"
    assert "ada@" not in me.text.lower()
    assert redeem(asker, login).status_code == 410  # collected once


def test_a_verified_guest_edits_from_any_device_and_logs_out_everywhere(asker, mailbox, smtp, gapp):
    token = signed_in(asker, mailbox, smtp)
    payload = comment_payload(author=None)
    posted = asker.post("/api/v1/comments", json=payload, headers=bearer(token))
    assert posted.status_code == 201, posted.text
    assert posted.json()["author"]["name"] == "Ada"
    phone = TestClient(gapp, client=("192.0.2.9", 1))  # no edit token, another address
    edited = phone.patch(
        f"/api/v1/comments/{posted.json()['id']}", json={"body": "fixed"}, headers=bearer(token)
    )
    assert edited.status_code == 200, edited.text
    assert asker.post("/auth/logout?everywhere=1", headers=bearer(token)).status_code == 204
    assert phone.get("/api/v1/me?site=blog", headers=bearer(token)).status_code == 401


def test_the_site_config_offers_links_where_mail_is_sent(asker):
    assert asker.get("/api/v1/sites/blog/config").json()["email_sign_in"] is True


def test_a_verified_guest_hears_of_replies_without_a_second_opt_in(asker, mailbox, smtp):
    token = signed_in(asker, mailbox, smtp)
    payload = comment_payload(author=None, notify=True)
    parent = asker.post("/api/v1/comments", json=payload, headers=bearer(token)).json()
    reply = comment_payload(
        body="an answer", parent=parent["id"], author={"name": "Bob", "email": "bob@example.com"}
    )
    assert asker.post("/api/v1/comments", json=reply, headers={"Origin": BLOG}).status_code == 201
    messages = smtp.inbox.wait_for(2)
    assert messages[1]["To"] == "ada@example.com" and "New reply" in messages[1]["Subject"]


def test_a_link_works_once(asker, mailbox, smtp):
    login = new_login(asker)
    ask(asker, login)
    link = link_in(smtp, 1)
    assert mailbox.post(link).status_code == 200
    again = mailbox.post(link)
    assert again.status_code == 410 and "already used" in again.text
    assert mailbox.get(link).status_code == 410


def test_a_newer_link_replaces_the_older_one(asker, mailbox, smtp):
    login = new_login(asker)
    ask(asker, login)
    first = link_in(smtp, 1)
    ask(asker, login)
    second = link_in(smtp, 2)
    assert mailbox.post(first).status_code == 410
    assert mailbox.post(second).status_code == 200
    assert redeem(asker, login).status_code == 200


def _resigned(link: str, age_seconds: int) -> str:
    """The same link as signed ``age_seconds`` ago (the server's secret is the tests')."""
    token = link.rsplit("/", 1)[1]
    plain = URLSafeTimedSerializer(TEST_SECRET.encode(), salt=guests.LINK_SALT)
    payload = plain.loads(token)

    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - age_seconds

    old = URLSafeTimedSerializer(TEST_SECRET.encode(), salt=guests.LINK_SALT, signer=Earlier)
    return f"/auth/email/{old.dumps(payload)}"


def test_a_link_older_than_30_minutes_signs_nobody_in(asker, mailbox, smtp):
    login = new_login(asker)
    ask(asker, login)
    link = link_in(smtp, 1)
    assert mailbox.post(_resigned(link, 29 * 60)).status_code == 200  # the test's re-signing is sound
    login = new_login(asker)
    ask(asker, login)
    late = _resigned(link_in(smtp, 2), 31 * 60)
    for answer in (mailbox.get(late), mailbox.post(late)):
        assert answer.status_code == 410 and "older than 30 minutes" in answer.text
    assert redeem(asker, login).status_code == 202


def test_forged_and_malformed_links_are_refused(asker, mailbox, smtp):
    login = new_login(asker)
    ask(asker, login)
    link = link_in(smtp, 1)
    forged = URLSafeTimedSerializer(b"another secret that is long enough", salt=guests.LINK_SALT)
    token = link.rsplit("/", 1)[1]
    payload = URLSafeTimedSerializer(TEST_SECRET.encode(), salt=guests.LINK_SALT).loads(token)
    for bad in (f"/auth/email/{forged.dumps(payload)}", "/auth/email/nonsense", f"{link}x"):
        answer = mailbox.post(bad)
        assert answer.status_code == 404 and "not valid" in answer.text
    assert redeem(asker, login).status_code == 202


def test_a_session_from_a_link_works_on_its_site_only(asker, mailbox, smtp):
    token = signed_in(asker, mailbox, smtp)
    other = {"Authorization": f"Bearer {token}", "Origin": OTHER}
    assert asker.get("/api/v1/me?site=other", headers=other).status_code == 401
    # A login id of one site cannot be used to ask for a link on another.
    login = new_login(asker)
    assert ask(asker, login, site="other", origin=OTHER).status_code == 404


def test_only_the_browser_holding_the_login_id_collects_the_session(asker, mailbox, smtp):
    login = new_login(asker)
    ask(asker, login)
    mailbox.post(link_in(smtp, 1))
    assert redeem(mailbox, login, origin=OTHER).status_code == 403  # not from the asker's origin
    stranger = new_login(mailbox)
    assert redeem(mailbox, stranger).status_code == 202  # another id: nothing to collect
    assert redeem(asker, login).status_code == 200


def test_asking_for_someone_elses_address_mails_them_and_gives_the_asker_nothing(asker, smtp):
    login = new_login(asker)
    assert ask(asker, login, email="bob@example.com").status_code == 202
    (message,) = smtp.inbox.wait_for(1)
    assert message["To"] == "bob@example.com"
    assert "If it was not you, ignore this email" in message.get_body(("plain",)).get_content()
    assert redeem(asker, login).status_code == 202  # until Bob himself presses the button


def test_the_answer_is_the_same_for_addresses_that_commented_and_that_did_not(asker, smtp):
    asker.post("/api/v1/comments", json=comment_payload(), headers={"Origin": BLOG})
    known = ask(asker, new_login(asker), email="ada@example.com")
    unknown = ask(asker, new_login(asker), email="nobody@example.com")
    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    assert {k: v for k, v in known.headers.items() if k != "date"} == {
        k: v for k, v in unknown.headers.items() if k != "date"
    }
    assert len(smtp.inbox.wait_for(2)) == 2


def test_asking_from_a_page_of_another_origin_is_refused_and_mails_nothing(asker, gctx):
    login = new_login(asker)
    answer = ask(asker, login, origin="https://evil.example")
    assert answer.status_code == 403
    assert answer.headers["content-type"] == "application/problem+json"
    with gctx.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM outbox_mail")).scalar_one() == 0


def test_hostile_input_is_refused_with_a_problem(asker, gctx):
    login = new_login(asker)
    for changes, status in (
        ({"email": "<script>@x"}, 422),
        ({"email": "a" * 300 + "@example.com"}, 422),
        ({"name": "x" * 500}, 422),
        ({"email": ["ada@example.com"]}, 422),
        ({"extra": 1}, 422),
        ({"login": "../../etc"}, 404),
    ):
        answer = ask(asker, **({"login": login} | changes))
        assert answer.status_code == status, (changes, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
    flood = asker.post(
        "/api/v1/guests/verify",
        content=b'{"site": "blog", "email": "' + b"a" * 2_000_000 + b'"}',
        headers={"Origin": BLOG, "Content-Type": "application/json"},
    )
    assert flood.status_code == 413
    with gctx.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM outbox_mail")).scalar_one() == 0


def test_a_name_with_markup_is_plain_text(asker, mailbox, smtp):
    token = signed_in(asker, mailbox, smtp, name="<img src=x onerror=alert(1)>")
    posted = asker.post("/api/v1/comments", json=comment_payload(author=None), headers=bearer(token))
    assert posted.json()["author"]["name"] == "<img src=x onerror=alert(1)>"
    thread = asker.get("/embed/thread", params={"site": "blog", "url": ARTICLE})
    assert "<img src=x" not in thread.text


def test_pressing_the_button_from_another_site_signs_nobody_in(asker, mailbox, smtp):
    login = new_login(asker)
    ask(asker, login)
    link = link_in(smtp, 1)
    cross = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    assert mailbox.post(link, headers=cross).status_code == 403
    assert redeem(asker, login).status_code == 202
    assert mailbox.post(link).status_code == 200  # the link itself still works


def test_mail_links_are_rate_limited_per_client_and_per_address(settings, smtp):
    app = _app(settings, smtp, rate_limits="20/minute", guest_mail_rate_limits="2/hour")
    with TestClient(app) as one:
        two = TestClient(app, client=("203.0.113.1", 1))
        ctx = app.state.ctx
        sites.add_site(ctx.db, "blog", origins=[BLOG], moderation=ModerationMode.NONE)
        assert ask(one, new_login(one), email="a@example.com").status_code == 202
        assert ask(one, new_login(one), email="b@example.com").status_code == 202
        refused = ask(one, new_login(one), email="c@example.com")  # the client's budget
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        assert ask(two, new_login(two), email="a@example.com").status_code == 202
        assert ask(two, new_login(two), email="a@example.com").status_code == 429  # a@'s budget
        with ctx.db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM outbox_mail")).scalar_one() == 3
    app.state.ctx.db.dispose()


def test_no_link_is_offered_without_a_mail_server(client, blog):
    assert client.get("/api/v1/sites/blog/config").json()["email_sign_in"] is False
    login = new_login(client)
    answer = ask(client, login)
    assert answer.status_code == 404 and "not offered" in answer.json()["detail"]


# Claims ---------------------------------------------------------------------------------------


def _post_as_guest(asker: TestClient, email: str, body: str) -> int:
    author = {"name": "Guest", "email": email}
    response = asker.post(
        "/api/v1/comments", json=comment_payload(author=author, body=body), headers={"Origin": BLOG}
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_a_verified_guest_claims_chosen_older_comments_explicitly(asker, mailbox, smtp, gapp):
    first = _post_as_guest(asker, "ada@example.com", "my first")
    second = _post_as_guest(asker, "ADA@example.com", "my second")
    bobs = _post_as_guest(asker, "bob@example.com", "bob's")
    token = signed_in(asker, mailbox, smtp)

    listed = asker.get("/api/v1/guests/claim?site=blog", headers=bearer(token))
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["comments"]] == [first, second]  # nothing claimed yet
    assert listed.json()["comments"][0]["excerpt"] == "my first"

    phone = TestClient(gapp, client=("192.0.2.9", 1))  # no edit token, another address
    before = phone.patch(f"/api/v1/comments/{first}", json={"body": "edited"}, headers=bearer(token))
    assert before.status_code == 403  # never silently theirs

    refused = phone.post(
        "/api/v1/guests/claim", json={"site": "blog", "ids": [first, bobs]}, headers=bearer(token)
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    still = asker.get("/api/v1/guests/claim?site=blog", headers=bearer(token))
    assert len(still.json()["comments"]) == 2  # all or nothing

    claimed = phone.post("/api/v1/guests/claim", json={"site": "blog", "ids": [first]}, headers=bearer(token))
    assert claimed.status_code == 200 and claimed.json() == {"claimed": [first]}
    after = phone.patch(f"/api/v1/comments/{first}", json={"body": "edited"}, headers=bearer(token))
    assert after.status_code == 200, after.text
    remaining = asker.get("/api/v1/guests/claim?site=blog", headers=bearer(token))
    assert [c["id"] for c in remaining.json()["comments"]] == [second]


def test_claims_need_a_verified_guest_of_the_site(asker, signed_in_as_google):
    _post_as_guest(asker, "ada@example.com", "mine")
    token = signed_in_as_google
    assert asker.get("/api/v1/guests/claim?site=blog", headers=bearer(token)).status_code == 403
    assert asker.get("/api/v1/guests/claim?site=blog").status_code == 401
    bad = asker.post("/api/v1/guests/claim", json={"site": "blog", "ids": []}, headers=bearer(token))
    assert bad.status_code == 422


@pytest.fixture
def signed_in_as_google(gctx):
    """A Google user whose provider address is the same as the guest's."""
    from commentbox.auth.base import Profile
    from commentbox.domain import user_sessions

    with gctx.db.write() as session:
        user = user_sessions.upsert_user(
            session, Profile("google", "g-ada", "Ada G", email="ada@example.com")
        )
        row = user_sessions.open_session(gctx.user_sessions, session, user, "blog")
    return user_sessions.session_token(gctx.user_sessions, row.id, "blog")


# Identities under first-time moderation --------------------------------------------------------


def test_a_verified_guest_is_known_after_one_approved_comment_and_is_not_the_google_user(
    asker, mailbox, smtp, gctx, signed_in_as_google
):
    sites.update_site(gctx.db, "blog", moderation=ModerationMode.FIRST_TIME)
    token = signed_in(asker, mailbox, smtp)
    held = asker.post("/api/v1/comments", json=comment_payload(author=None), headers=bearer(token))
    assert held.status_code == 202
    apply(gctx.moderation, Moderator("test", frozenset({"blog"})), [held.json()["id"]], Action.APPROVE)
    payload = comment_payload(author=None, body="second")
    assert asker.post("/api/v1/comments", json=payload, headers=bearer(token)).status_code == 201
    google = asker.post(
        "/api/v1/comments",
        json=comment_payload(author=None, body="third"),
        headers=bearer(signed_in_as_google),
    )
    assert google.status_code == 202  # same address, another identity: not trusted by the guest's comment
    with gctx.db.engine.connect() as connection:
        rows = connection.execute(text('SELECT provider FROM "user" ORDER BY provider')).scalars().all()
    assert rows == ["email", "google"]


def test_an_erasure_by_address_erases_the_verified_guest_of_that_address_too(asker, mailbox, smtp, gctx):
    """A request by address ("erase what I wrote as ada@…", via the admin page or
    ``commentbox erase --email``) covers what the mailbox wrote verified and unverified."""
    unverified = _post_as_guest(asker, "ada@example.com", "before verifying")
    ada = signed_in(asker, mailbox, smtp)
    verified = asker.post("/api/v1/comments", json=comment_payload(author=None), headers=bearer(ada))
    bob = signed_in(asker, mailbox, smtp, count=2, email="bob@example.com")
    kept = asker.post(
        "/api/v1/comments", json=comment_payload(author=None, body="bob's"), headers=bearer(bob)
    )
    assert verified.status_code == kept.status_code == 201

    request = erasure.Identity.guest("blog", "ADA@example.com")
    assert erasure.count(gctx.erasing, request) == 2  # asked before confirming
    erased = erasure.erase(gctx.erasing, request, "moderator Mo")
    assert (erased.comments, erased.sessions) == (2, 1)

    shown = asker.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE}).json()
    ids = {c["id"] for c in shown["comments"]}
    assert ids.isdisjoint({unverified, verified.json()["id"]}) and kept.json()["id"] in ids
    assert asker.get("/api/v1/me?site=blog", headers=bearer(ada)).status_code == 401
    assert asker.get("/api/v1/me?site=blog", headers=bearer(bob)).status_code == 200
    assert [r.comments for r in erasure.history(gctx.erasing, "blog")] == [2]
