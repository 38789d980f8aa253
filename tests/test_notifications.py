"""Mail, received by a real SMTP server: moderator links, reply notifications, opt-in, outbox."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import text, update
from starlette.testclient import TestClient

from commentbox.admin import moderators
from commentbox.admin.actions import Action
from commentbox.app import create_app
from commentbox.domain import comments, sites
from commentbox.domain.schemas import CommentCreate
from commentbox.domain.visitors import Visitor
from commentbox.mail import notify
from commentbox.store.models import ModerationMode, NotifyModerators, OutboxMail, User, utcnow
from tests.fakes.smtp import Delivery, Silent, SMTPServer, Submission, free_port
from tests.support import ARTICLE, BLOG, SAME_ORIGIN, comment_payload

MOD = "mod@mods.example"
_LINK = re.compile(r"http://testserver(/\S+)")


@pytest.fixture
def smtp(tmp_path):
    """Mail goes out the way site owners send it: STARTTLS and AUTH on a submission port."""
    server = Submission(tmp_path / "smtp-ca.pem").start()
    yield server
    server.stop()


def mail_settings(settings, port, **changes):
    """A plain relay on ``port`` (no TLS, no AUTH), unless ``changes`` say otherwise."""
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_security": "none",
            "smtp_retry_seconds": 0.2,
            **changes,
        }
    )


def submission_settings(settings, server, **changes):
    submission = {
        "smtp_security": "starttls",
        "smtp_username": Submission.USERNAME,
        "smtp_password": SecretStr(Submission.PASSWORD),
        "smtp_ca_file": str(server.ca_file),
    }
    return mail_settings(settings, server.port, **(submission | changes))


@pytest.fixture
def mail_app(settings, smtp):
    app = create_app(submission_settings(settings, smtp))
    yield app
    app.state.ctx.db.dispose()  # connections opened outside the client's lifespan


@pytest.fixture
def mctx(mail_app):
    return mail_app.state.ctx


@pytest.fixture
def site(mctx):
    """The blog, holding every comment, with one moderator who has an email address."""
    sites.add_site(mctx.db, "blog", origins=[BLOG], moderation=ModerationMode.ALL)
    moderators.add_account(mctx.db, "mod", "long enough password", email=MOD, superuser=True)


@pytest.fixture
def mclient(mail_app):
    with TestClient(mail_app, headers=SAME_ORIGIN) as test_client:
        yield test_client


def post(client, **changes):
    response = client.post("/api/v1/comments", json=comment_payload(**changes), headers={"Origin": BLOG})
    assert response.status_code in (201, 202), response.text
    return response.json()


def links(message) -> dict[str, str]:
    """Paths of the links in a message's plain-text part, by the word before them."""
    body = message.get_body(("plain",)).get_content()
    found = {}
    for line in body.splitlines():
        match = _LINK.search(line)
        if match:
            found[line.split(":")[0].strip().lower()] = match.group(1)
    return found


def status_of(ctx, comment_id):
    with ctx.db.engine.connect() as connection:
        return connection.execute(
            text("SELECT status FROM comment WHERE id = :id"), {"id": comment_id}
        ).scalar()


def outbox_unsent(ctx):
    with ctx.db.engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM outbox_mail WHERE sent IS NULL")).scalar_one()


def outbox_to(ctx, address):
    with ctx.db.engine.connect() as connection:
        query = text("SELECT count(*) FROM outbox_mail WHERE recipient = :r")
        return connection.execute(query, {"r": address}).scalar_one()


# Moderators ----------------------------------------------------------------------------------------


def test_a_held_comment_is_mailed_to_moderators_with_links_that_act_once(mclient, mctx, site, smtp):
    comment = post(
        mclient, body="Please **approve** me [x](https://x.example) ![p](https://img.example/p.png)"
    )
    (message,) = smtp.inbox.wait_for(1)
    assert message["To"] == MOD
    assert message["Subject"].startswith("[blog] Waiting for you")
    assert message["List-Unsubscribe"].startswith("<http://testserver/notifications/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.get_body(("html",)).get_content()
    assert "<img" not in html and 'href="https://x.example' not in html
    assert "[https://x.example]" in html  # link targets are shown
    found = links(message)
    assert set(found) >= {"approve", "spam", "delete", "stop these emails"}

    page = mclient.get(found["approve"])  # what a mail scanner's prefetch does
    assert page.status_code == 200 and "Approve this comment?" in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert status_of(mctx, comment["id"]) == "pending"

    done = mclient.post(found["approve"], data={"action": "approve"})
    assert done.status_code == 200 and "was approved" in done.text
    shown = mclient.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE}).json()["comments"]
    assert [c["id"] for c in shown] == [comment["id"]]

    replay = mclient.post(found["approve"], data={"action": "approve"})
    assert replay.status_code == 410 and "used already" in replay.text


def test_a_long_title_is_cut_in_the_subject_between_characters(mclient, mctx, site, smtp):
    flag = "🇩🇪"  # two code points, one character: cut between them, it shows as two boxes
    post(mclient, title=flag * 100)
    (message,) = smtp.inbox.wait_for(1)
    assert message["Subject"].endswith(": " + flag * 79 + "…")


def test_a_link_does_only_its_own_action(mclient, mctx, site, smtp):
    comment = post(mclient)
    found = links(smtp.inbox.wait_for(1)[0])
    wrong = mclient.post(found["spam"], data={"action": "approve"})
    assert wrong.status_code == 422
    assert status_of(mctx, comment["id"]) == "pending"
    forged = mclient.get(found["spam"][:-4] + "AAAA")
    assert forged.status_code == 404


def test_an_expired_link_is_refused(mclient, mctx, site, smtp):
    comment = post(mclient)
    with mctx.db.read() as session:
        row = session.get(__import__("commentbox.store.models", fromlist=["Comment"]).Comment, comment["id"])
    old = notify.action_token(mctx.notifier, row, Action.APPROVE, MOD, issued=time.time() - 8 * 86400)
    for response in (
        mclient.get(f"/admin/act/{old}"),
        mclient.post(f"/admin/act/{old}", data={"action": "approve"}),
    ):
        assert response.status_code == 410 and "expired" in response.text
    assert status_of(mctx, comment["id"]) == "pending"


def test_the_site_decides_which_comments_moderators_hear_about(mclient, mctx, site, smtp):
    sites.update_site(mctx.db, "blog", moderation=ModerationMode.NONE)
    post(mclient, body="published at once")  # default "pending": not mailed
    sites.update_site(mctx.db, "blog", notify_moderators=NotifyModerators.ALL)
    post(mclient, body="mailed this time")
    (message,) = smtp.inbox.wait_for(1)
    assert "New comment" in message["Subject"]
    assert "approve" not in links(message)  # already published
    assert outbox_to(mctx, MOD) == 1


def test_a_moderator_is_not_told_about_their_own_comment(mclient, mctx, site, smtp):
    post(mclient, author={"name": "Mod", "email": MOD})
    post(mclient, body="someone else", author={"name": "Eve", "email": "eve@example.com"})
    smtp.inbox.wait_for(1)
    assert outbox_to(mctx, MOD) == 1


def test_unsubscribing_from_moderation_mail(mclient, mctx, site, smtp):
    post(mclient)
    message = smtp.inbox.wait_for(1)[0]
    target = message["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")
    assert mclient.get(target).status_code == 200  # a page, nothing done yet
    one_click = mclient.post(
        target,
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert one_click.status_code == 200 and MOD in one_click.text
    post(mclient, body="another one")
    assert outbox_to(mctx, MOD) == 1


# Reply notifications --------------------------------------------------------------------------------------


def test_guests_confirm_before_any_reply_mail_and_can_leave_in_one_click(mclient, mctx, site, smtp):
    sites.update_site(
        mctx.db, "blog", moderation=ModerationMode.NONE, notify_moderators=NotifyModerators.NONE
    )
    ada = {"name": "Ada", "email": "ada@example.com"}
    bob = {"name": "Bob", "email": "bob@example.com"}
    parent = post(mclient, body="my question", author=ada, notify=True)
    (confirm,) = smtp.inbox.wait_for(1)
    assert confirm["To"] == "ada@example.com" and "Confirm" in confirm["Subject"]
    post(mclient, body="an early answer", author=bob, parent=parent["id"])
    assert outbox_to(mctx, "ada@example.com") == 1  # unconfirmed: no reply mail

    confirm_link = next(v for v in links(confirm).values() if "/notifications/confirm/" in v)
    assert mclient.get(confirm_link).status_code == 200  # a prefetch confirms nothing
    post(mclient, body="a second answer", author=bob, parent=parent["id"])
    assert outbox_to(mctx, "ada@example.com") == 1
    assert mclient.post(confirm_link).status_code == 200

    post(mclient, body="a third answer", author=bob, parent=parent["id"])
    messages = smtp.inbox.wait_for(2)
    reply = messages[-1]
    assert reply["To"] == "ada@example.com" and "New reply" in reply["Subject"]
    assert "a third answer" in reply.get_body(("plain",)).get_content()
    assert reply["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    post(mclient, body="answering myself", author=ada, parent=parent["id"])  # no self-notification
    assert outbox_to(mctx, "ada@example.com") == 2

    target = reply["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")
    one_click = mclient.post(
        target,
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert one_click.status_code == 200
    post(mclient, body="a fourth answer", author=bob, parent=parent["id"])
    assert outbox_to(mctx, "ada@example.com") == 2


def test_a_held_reply_notifies_when_approved(mclient, mctx, site, smtp):
    sites.update_site(
        mctx.db, "blog", moderation=ModerationMode.NONE, notify_moderators=NotifyModerators.NONE
    )
    parent = post(mclient, body="question", author={"name": "Ada", "email": "ada@example.com"}, notify=True)
    confirm_link = next(v for v in links(smtp.inbox.wait_for(1)[0]).values() if "/confirm/" in v)
    mclient.post(confirm_link)
    sites.update_site(mctx.db, "blog", moderation=ModerationMode.ALL)
    reply = post(
        mclient, body="held answer", author={"name": "Bob", "email": "bob@x.org"}, parent=parent["id"]
    )
    assert outbox_to(mctx, "ada@example.com") == 1
    from commentbox.admin import actions

    actions.apply(mctx.moderation, actions.Moderator("t", None, None), [reply["id"]], Action.APPROVE)
    assert smtp.inbox.wait_for(2)[-1]["To"] == "ada@example.com"


def test_signed_in_users_with_a_provider_email_opt_in_directly(mctx, site, smtp, mclient):
    sites.update_site(
        mctx.db, "blog", moderation=ModerationMode.NONE, notify_moderators=NotifyModerators.NONE
    )
    with mctx.db.write() as session:
        user = User(provider="google", provider_user_id="g-1", name="Gail", email="gail@example.com")
        session.add(user)
        session.flush()
        session.expunge(user)
    data = CommentCreate.model_validate(comment_payload(author=None, notify=True, body="signed in"))
    posted = comments.post_comment(mctx.commenting, data, Visitor(ip_hash="x", user=user), BLOG)
    post(mclient, body="hello Gail", parent=posted.comment.id, author={"name": "Bob", "email": "bob@x.org"})
    (message,) = smtp.inbox.wait_for(1)  # no confirmation first: the provider vouched for the address
    assert message["To"] == "gail@example.com" and "New reply" in message["Subject"]


# The outbox ------------------------------------------------------------------------------------------------


def test_mail_is_submitted_over_starttls_after_auth(mclient, mctx, site, smtp):
    post(mclient)
    smtp.inbox.wait_for(1)
    assert smtp.inbox.sessions == [Delivery(encrypted=True, login=True)]


@pytest.mark.parametrize(
    "changes",
    [
        {"smtp_password": SecretStr("not the password")},
        {"smtp_ca_file": ""},  # the server's certificate is not one the system trusts
    ],
    ids=["wrong-password", "untrusted-certificate"],
)
def test_mail_that_cannot_be_submitted_stays_in_the_outbox(settings, blog, smtp, changes):
    app, ctx = held_mail_app(submission_settings(settings, smtp, smtp_timeout=2.0, **changes))
    with TestClient(app) as client:
        post(client)
        row = _first_attempt(ctx)
    assert row.sent is None and row.last_error  # failed, kept for the next try
    assert smtp.inbox.messages == []
    ctx.db.dispose()


def held_mail_app(mail):
    """An app on ``mail`` settings whose blog holds every comment for a moderator with mail."""
    app = create_app(mail)
    ctx = app.state.ctx
    sites.update_site(ctx.db, "blog", moderation=ModerationMode.ALL)
    moderators.add_account(ctx.db, "mod", "long enough password", email=MOD, superuser=True)
    return app, ctx


def _first_attempt(ctx):
    deadline = time.monotonic() + 15
    while True:
        with ctx.db.engine.connect() as connection:
            row = connection.execute(text("SELECT attempts, last_error, sent FROM outbox_mail")).one()
        if row.attempts >= 1:
            return row
        assert time.monotonic() < deadline, "the outbox never tried"
        time.sleep(0.05)


def test_a_mail_server_that_hangs_never_slows_posting(settings, blog):
    silent = Silent().start()
    app, ctx = held_mail_app(mail_settings(settings, silent.port, smtp_timeout=8.0))
    try:
        with TestClient(app) as client:
            post(client, body="the first, whose mail hangs")
            assert silent.connected.wait(10), "the outbox never connected"
            for n in range(5):  # answered while the mail server holds the outbox's connection
                post(client, body=f"posted while the mail hangs ({n})")
            assert outbox_unsent(ctx) == 6
            # the outbox is still stuck on its first connection: no post waited for it
            assert silent.still_held()
    finally:
        silent.stop()
        ctx.db.dispose()


def test_mail_waits_in_the_outbox_through_an_outage_and_a_restart(settings, blog, make_site):
    port = free_port()
    down, ctx = held_mail_app(mail_settings(settings, port))
    with TestClient(down) as client:
        post(client)
        row = _first_attempt(ctx)
    assert row.sent is None and row.last_error  # failed, kept
    server = SMTPServer(port).start()
    try:
        with ctx.db.write() as session:  # as if the backoff had passed during the downtime
            session.exec(update(OutboxMail).values(next_attempt=utcnow() - timedelta(1)))
        restarted = create_app(mail_settings(settings, port))
        with TestClient(restarted):
            (message,) = server.inbox.wait_for(1)
            deadline = time.monotonic() + 10
            while outbox_unsent(ctx):
                assert time.monotonic() < deadline, "the sent mail was not marked as sent"
                time.sleep(0.05)
        assert message["To"] == MOD
    finally:
        server.stop()
        ctx.db.dispose()


def test_without_smtp_nothing_is_queued(client, blog, row_count, make_comment):
    make_comment(notify=True)
    assert row_count("outbox_mail") == 0


def test_a_removed_moderators_links_stop_working(mclient, mctx, site, smtp):
    comment = post(mclient)
    found = links(smtp.inbox.wait_for(1)[0])
    with mctx.db.engine.begin() as connection:
        connection.execute(text("UPDATE admin_account SET email = NULL"))
    refused = mclient.post(found["approve"], data={"action": "approve"})
    assert refused.status_code == 403
    assert status_of(mctx, comment["id"]) == "pending"
