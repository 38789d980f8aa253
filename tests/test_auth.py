"""Sign-in over HTTP: the app's real Authlib clients against the fake providers (real servers).

The TestClient plays the visitor's browser (it keeps the popup's cookie); the fakes' consent
pages are answered over real HTTP. Browser-level scenarios are in ``tests/e2e``.
"""

from __future__ import annotations

import base64
import html
import re
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import select
from starlette.testclient import TestClient

from commentbox import cli
from commentbox.admin import actions, moderators
from commentbox.admin import bans as banning
from commentbox.admin.actions import Action
from commentbox.app import create_app
from commentbox.auth import google
from commentbox.config import Settings, SettingsError, load_settings
from commentbox.domain import sites
from commentbox.errors import Forbidden
from commentbox.mail import notify
from commentbox.services import Context
from commentbox.store import comments
from commentbox.store.models import BanKind, Role, Site, UserSession, utcnow
from tests import admin_support as admin_tests
from tests.fakes.base import FakeProvider, tiny_png
from tests.fakes.facebook import FakeFacebook
from tests.fakes.google import OTHER_CLIENT, FakeGoogle
from tests.fakes.twitter import FakeTwitter
from tests.signin import PROVIDERS, ResultPage, SignIn, bearer, path_and_query, provider_settings, query
from tests.support import ARTICLE, BLOG, SAME_ORIGIN, TEST_SECRET, comment_payload

OTHER = "https://other.example"


@pytest.fixture
def settings(
    database_url: str,
    tmp_path: Path,
    fake_google: FakeGoogle,
    fake_twitter: FakeTwitter,
    fake_facebook: FakeFacebook,
) -> Settings:
    return load_settings(
        database_url=database_url,
        secret_key=TEST_SECRET,
        public_url="http://testserver",
        secret_file=tmp_path / "secret",
        oauth_timeout_seconds=2,
        **provider_settings(fake_google, fake_twitter, fake_facebook),
    )


@pytest.fixture
def fakes(fake_google: FakeGoogle, fake_twitter: FakeTwitter, fake_facebook: FakeFacebook) -> dict[str, Any]:
    return {"google": fake_google, "twitter": fake_twitter, "facebook": fake_facebook}


@pytest.fixture(params=PROVIDERS)
def provider(request: pytest.FixtureRequest, fakes: dict[str, FakeProvider]) -> tuple[str, FakeProvider]:
    return request.param, fakes[request.param]


@pytest.fixture
def sign_in(client: TestClient, blog: Site, fakes: dict[str, FakeProvider]) -> Callable[..., SignIn]:
    def make(provider: str = "google", **kwargs: Any) -> SignIn:
        return SignIn(client, fakes[provider], provider, **kwargs)

    return make


@pytest.fixture
def other_site(make_site: Callable[..., Site]) -> Site:
    return make_site("other", origins=(OTHER,))


def signed_in_token(sign_in: Callable[..., SignIn], provider: str = "google", **kwargs: Any) -> str:
    flow = sign_in(provider, **kwargs)
    page = flow.finish()
    assert page.status == 200, page.text
    return page.token


def sql(ctx: Context, statement: str, **params: Any) -> None:
    with ctx.db.engine.begin() as connection:
        connection.execute(text(statement), params)


# The whole flow, for each provider ---------------------------------------------------------


def test_each_provider_signs_in_through_the_popup_and_comments(
    provider: tuple[str, FakeProvider], sign_in: Callable[..., SignIn], client: TestClient
) -> None:
    name, fake = provider
    flow = sign_in(name)
    page = flow.finish()
    assert page.status == 200, page.text
    assert page.origin == BLOG
    assert page.message is not None
    assert page.message["commentbox"]["type"] == "login"
    assert page.message["commentbox"]["login"] == flow.login
    assert fake.user.name in page.sentence

    redeemed = flow.redeem()
    assert redeemed.status_code == 200, redeemed.text
    body = redeemed.json()
    picture = body["user"]["avatar"]  # our copy of the provider's picture (test_avatars.py)
    assert re.fullmatch(r"http://testserver/avatars/\d+-[0-9a-f]{32}", picture), picture
    identicon = body["user"].pop("identicon")  # what the widget shows if the picture fails
    assert body["user"] == {"name": fake.user.name, "avatar": picture, "provider": name}
    assert re.fullmatch(r"http://testserver/avatars/[0-9a-f]{20}\.svg", identicon)
    assert client.get(identicon).headers["content-type"] == "image/svg+xml"
    body["user"]["identicon"] = identicon
    token = body["token"]

    me = client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json() == {**body["user"], "site": "blog"}
    assert "email" not in me.text and "@" not in me.text

    posted = client.post("/api/v1/comments", json=comment_payload(author=None), headers=bearer(token))
    assert posted.status_code == 201, posted.text
    author = posted.json()["author"]
    assert (author["name"], author["provider"]) == (fake.user.name, name)
    assert author["avatar"] == picture
    assert posted.json()["edit_token"] is None
    thread = client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE})
    assert fake.absolute(fake.user.picture) not in thread.text  # no reader asks the provider
    served = client.get(picture.removeprefix("http://testserver"))
    assert served.headers["content-type"] == "image/png"
    assert served.content == tiny_png(urlsplit(fake.absolute(fake.user.picture)).path)
    assert thread.json()["comments"][0]["author"]["provider"] == name
    assert "@" not in thread.text


def test_providers_use_their_client_authentication_and_pkce(
    sign_in: Callable[..., SignIn], fakes: dict[str, FakeProvider]
) -> None:
    expected = {"google": ("basic", True), "twitter": ("basic", True), "facebook": ("post", False)}
    for name, (method, pkce) in expected.items():
        flow = sign_in(name)
        assert flow.start().status_code == 303
        sent = query(flow.authorize_url)
        assert sent["redirect_uri"] == f"http://testserver/auth/{name}/callback"
        assert (sent.get("code_challenge_method") == "S256") is pkce
        assert flow.finish().status == 200
        assert fakes[name].token_requests[-1].method == method
    assert "nonce" in query(sign_in("google").start().headers["location"])
    assert query(sign_in("twitter").start().headers["location"])["scope"] == "tweet.read users.read"
    assert query(sign_in("facebook").start().headers["location"])["scope"] == "email public_profile"


def test_site_config_lists_configured_providers_only(
    client: TestClient, blog: Site, database_url: str, tmp_path: Path, fake_google: FakeGoogle
) -> None:
    assert client.get("/api/v1/sites/blog/config").json()["providers"] == list(PROVIDERS)
    only_google = load_settings(
        database_url=database_url,
        secret_key=TEST_SECRET,
        public_url="http://testserver",
        secret_file=tmp_path / "secret",
        google_client_id=fake_google.client_id,
        google_client_secret=fake_google.client_secret,
        google_discovery_url=fake_google.discovery_url,
        twitter_client_id="id-without-secret",
    )
    with TestClient(create_app(only_google)) as other:
        assert other.get("/api/v1/sites/blog/config").json()["providers"] == ["google"]
        page = other.get("/auth/twitter/login", params={"site": "blog", "login": "x"})
        assert page.status_code == 404
        assert "not offered" in page.text


def test_redirect_uri_comes_from_public_url_not_the_host_header(sign_in: Callable[..., SignIn]) -> None:
    flow = sign_in("google")
    flow.new_login()
    answer = flow.client.get(
        "/auth/google/login",
        params={"site": "blog", "login": flow.login},
        headers={"Host": "evil.example", "Referer": BLOG + "/"},
        follow_redirects=False,
    )
    assert query(answer.headers["location"])["redirect_uri"] == "http://testserver/auth/google/callback"


@pytest.mark.parametrize("referer", [None, "https://evil.example/", "http://testserver/threads/blog"])
def test_a_flow_not_opened_from_the_logins_origin_asks_to_confirm(
    referer: str | None, sign_in: Callable[..., SignIn], row_count: Callable[[str], int]
) -> None:
    """An attacker's own login id, lured into a victim's browser, would give them the token."""
    flow = sign_in("google")
    page = flow.start(referer=referer)
    assert page.status_code == 200
    assert "Continue only if you just chose to sign in on https://blog.example" in page.text
    assert row_count("oauth_state") == 0
    form = {"site": "blog", "login": flow.login}
    forged = flow.client.post("/auth/google/login", data=form, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    cross_site = {"Sec-Fetch-Site": "cross-site", "Origin": "null"}  # a sandboxed frame elsewhere
    assert flow.client.post("/auth/google/login", data=form, headers=cross_site).status_code == 403
    assert flow.client.post("/auth/google/login", data=form).status_code == 403  # no Origin
    assert row_count("oauth_state") == 0
    confirmed = flow.client.post("/auth/google/login", data=form, headers=SAME_ORIGIN)
    # a page that moves on by itself: CSP form-action 'self' would stop a 303 off this server
    assert confirmed.status_code == 200
    target = re.search(r'id="continue-link" href="([^"]+)"', confirmed.text)
    assert target is not None
    flow.authorize_url = html.unescape(target.group(1))
    assert flow.finish().status == 200


# The popup's cookie and the server-side state ------------------------------------------------


def test_popup_cookie_is_lax_short_lived_and_holds_no_secret(
    sign_in: Callable[..., SignIn], row_count: Callable[[str], int]
) -> None:
    flow = sign_in("google")
    answer = flow.start()
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("commentbox_oauth=")
    assert "samesite=lax" in cookie.lower() and "httponly" in cookie.lower()
    assert "path=/auth" in cookie.lower() and "max-age=600" in cookie.lower()
    payload = cookie.split("=", 1)[1].split(".", 1)[0]
    decoded = base64.b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert "code_verifier" not in decoded and "nonce" not in decoded and "redirect_uri" not in decoded
    assert row_count("oauth_state") == 1
    assert flow.finish().status == 200
    assert row_count("oauth_state") == 0  # single use: taken at the callback


def test_state_mismatch_is_refused(sign_in: Callable[..., SignIn], row_count: Callable[[str], int]) -> None:
    flow = sign_in("google")
    callback = flow.consent()
    forged = re.sub(r"state=[^&]+", "state=forged", callback)
    page = ResultPage.parse(flow.callback(forged))
    assert page.status == 400
    assert "start again" in page.sentence
    assert row_count("user") == 0


def test_callback_in_another_browser_fails_and_tells_the_polling_page(
    sign_in: Callable[..., SignIn], app: Any, row_count: Callable[[str], int]
) -> None:
    flow = sign_in("google")
    callback = flow.consent()
    with TestClient(app, base_url="http://testserver") as stranger:  # no popup cookie
        page = ResultPage.parse(
            stranger.get(callback.removeprefix("http://testserver"), follow_redirects=False)
        )
    assert page.status == 400
    assert page.message == {
        "commentbox": {"type": "login-failed", "login": flow.login, "detail": page.sentence}
    }
    assert page.origin == BLOG
    redeemed = flow.redeem()
    assert redeemed.status_code == 400
    assert redeemed.json()["detail"] == page.sentence
    assert row_count("user") == 0


def test_replayed_callback_and_code_are_refused(
    sign_in: Callable[..., SignIn], row_count: Callable[[str], int]
) -> None:
    flow = sign_in("google")
    callback = flow.consent()
    assert ResultPage.parse(flow.callback(callback)).status == 200
    replay = ResultPage.parse(flow.callback(callback))
    assert replay.status == 400
    assert row_count("user_session") == 1


def test_state_expires_within_minutes(sign_in: Callable[..., SignIn], ctx: Context) -> None:
    flow = sign_in("google")
    callback = flow.consent()
    sql(ctx, "UPDATE oauth_state SET expires = :t", t=utcnow() - timedelta(seconds=1))
    page = ResultPage.parse(flow.callback(callback))
    assert page.status == 400
    assert "expired" in page.sentence


# Bad id_tokens: joserfc errors become sentences, never 500s -----------------------------------

BAD_ID_TOKENS = {
    "wrong-nonce": ("wrong_nonce", True),
    "forged-signature": ("forged_signature", True),
    "wrong-audience": ("wrong_audience", True),
    "audience-only": ("id_token_claims", {"aud": OTHER_CLIENT}),
    "wrong-issuer": ("id_token_claims", {"iss": "https://accounts.google.com"}),
    "expired": ("expired_id_token", True),
}


@pytest.mark.parametrize("case", list(BAD_ID_TOKENS))
def test_bad_id_tokens_are_refused_with_a_sentence(
    case: str,
    sign_in: Callable[..., SignIn],
    fake_google: FakeGoogle,
    row_count: Callable[[str], int],
) -> None:
    knob, value = BAD_ID_TOKENS[case]
    setattr(fake_google, knob, value)
    flow = sign_in("google")
    page = flow.finish()
    assert page.status == 400, page.text
    assert (
        page.sentence == "Google's answer could not be verified, so you were not signed in. Please try again."
    )
    assert page.message is not None and page.message["commentbox"]["type"] == "login-failed"
    assert f"/auth/google/login?site=blog&amp;login={flow.login}" in page.text  # retry
    assert flow.redeem().status_code == 400
    assert (row_count("user"), row_count("user_session")) == (0, 0)


def test_a_google_token_answer_without_an_id_token_is_a_sentence_not_a_500(
    sign_in: Callable[..., SignIn], fake_google: FakeGoogle, row_count: Callable[[str], int]
) -> None:
    fake_google.no_id_token = True
    flow = sign_in("google")
    page = flow.finish()
    assert page.status == 400, page.text
    assert page.sentence == google.UNNAMED  # one sentence: "Google signed you in but did not say who …"
    assert flow.redeem().json()["detail"] == page.sentence
    assert (row_count("user"), row_count("user_session")) == (0, 0)


def test_google_issuer_without_scheme_is_accepted_only_for_google(
    sign_in: Callable[..., SignIn], fake_google: FakeGoogle
) -> None:
    fake_google.id_token_claims = {"iss": fake_google.issuer.removeprefix("http://")}
    assert sign_in("google").finish().status == 400  # the bare-host form is Google's quirk alone


# Provider trouble ---------------------------------------------------------------------------


def test_denied_consent_says_so_and_offers_retry(
    provider: tuple[str, FakeProvider], sign_in: Callable[..., SignIn]
) -> None:
    name, _ = provider
    flow = sign_in(name)
    page = flow.finish(allow=False)
    assert page.status == 400
    assert page.sentence.startswith("You cancelled signing in with")
    assert 'id="retry"' in page.text
    assert flow.redeem().json()["detail"] == page.sentence
    # Retrying with the same login id works.
    flow.authorize_url = ""
    assert flow.finish().status == 200
    assert flow.redeem().status_code == 200


def test_provider_down_or_slow_is_a_sentence(
    provider: tuple[str, FakeProvider], sign_in: Callable[..., SignIn]
) -> None:
    name, fake = provider
    flow = sign_in(name)
    callback = flow.consent()
    fake.down = True
    down = ResultPage.parse(flow.callback(callback))
    assert down.status == 400
    assert "cannot be reached right now" in down.sentence
    fake.down = False
    flow = sign_in(name)
    callback = flow.consent()
    fake.delay = 5
    slow = ResultPage.parse(flow.callback(callback))
    assert "did not answer in time" in slow.sentence


def test_x_refusing_the_profile_call_is_explained(
    sign_in: Callable[..., SignIn], fake_twitter: FakeTwitter, row_count: Callable[[str], int]
) -> None:
    fake_twitter.users_me_forbidden = True
    page = sign_in("twitter").finish()
    assert page.status == 400
    assert "X signed you in but would not tell us your name" in page.sentence
    assert row_count("user") == 0


def test_facebook_graph_errors_are_sentences(
    sign_in: Callable[..., SignIn], fake_facebook: FakeFacebook, row_count: Callable[[str], int]
) -> None:
    flow = sign_in("facebook")
    callback = flow.consent()
    fake_facebook.client.client_secret = "rotated"
    try:
        page = ResultPage.parse(flow.callback(callback))
    finally:
        fake_facebook.client.client_secret = FakeFacebook.default_client_secret
    assert page.status == 400
    assert page.sentence == "Facebook did not complete the sign-in. Please try again, or comment as a guest."
    assert row_count("user") == 0


def test_facebook_without_email_still_signs_in(
    sign_in: Callable[..., SignIn], fake_facebook: FakeFacebook, ctx: Context
) -> None:
    fake_facebook.omit_email = True
    assert sign_in("facebook").finish().status == 200
    with ctx.db.engine.connect() as connection:
        assert connection.execute(text('SELECT email FROM "user"')).scalar_one() is None


def test_unverified_google_email_is_not_kept(
    sign_in: Callable[..., SignIn], fake_google: FakeGoogle, ctx: Context
) -> None:
    fake_google.id_token_claims = {"email_verified": False}
    assert sign_in("google").finish().status == 200
    with ctx.db.engine.connect() as connection:
        assert connection.execute(text('SELECT email FROM "user"')).scalar_one() is None


# Users ---------------------------------------------------------------------------------------


def test_users_are_keyed_by_provider_id_and_refreshed(
    sign_in: Callable[..., SignIn], fake_google: FakeGoogle, fake_facebook: FakeFacebook, ctx: Context
) -> None:
    signed_in_token(sign_in, "google")
    fake_google.user.name = "Grace B. Hopper"
    fake_google.user.picture = "/a/new-picture"
    token = signed_in_token(sign_in, "google")
    fake_facebook.user.email = fake_google.user.email  # same address, different person
    signed_in_token(sign_in, "facebook")
    with ctx.db.engine.connect() as connection:
        rows = connection.execute(text('SELECT provider, name, avatar FROM "user" ORDER BY id')).all()
    assert [r.provider for r in rows] == ["google", "facebook"]
    assert rows[0].name == "Grace B. Hopper"
    assert rows[0].avatar == fake_google.absolute("/a/new-picture")
    assert (
        sign_in("google").client.get("/api/v1/me", headers=bearer(token)).json()["name"] == "Grace B. Hopper"
    )


def test_hostile_profile_fields_are_cleaned(
    sign_in: Callable[..., SignIn], fake_twitter: FakeTwitter, client: TestClient
) -> None:
    fake_twitter.user.name = "\u202eEvil\u200b <script>alert(1)</script>"
    fake_twitter.user.picture = "javascript:alert(1)"
    token = signed_in_token(sign_in, "twitter")
    me = client.get("/api/v1/me", headers=bearer(token)).json()
    assert me["name"] == "Evil <script>alert(1)</script>"  # text; escaped wherever it is shown
    assert me["avatar"] == me["identicon"]  # the generated one, never the hostile address
    assert me["identicon"].startswith("http://testserver/avatars/")


def test_a_guest_typing_a_users_email_gains_nothing(
    sign_in: Callable[..., SignIn], fake_google: FakeGoogle, client: TestClient
) -> None:
    token = signed_in_token(sign_in, "google")
    mine = client.post("/api/v1/comments", json=comment_payload(author=None), headers=bearer(token)).json()
    guest = {"name": fake_google.user.name, "email": fake_google.user.email}
    posted = client.post("/api/v1/comments", json=comment_payload(author=guest), headers={"Origin": BLOG})
    assert posted.json()["author"]["provider"] is None
    edit = client.patch(
        f"/api/v1/comments/{mine['id']}",
        json={"body": "taken over"},
        headers={"Origin": BLOG, "X-Edit-Token": posted.json()["edit_token"]},
    )
    assert edit.status_code == 403
    assert client.get("/api/v1/me", headers={"Origin": BLOG}).status_code == 401


# Sessions --------------------------------------------------------------------------------------


def test_signed_in_authors_edit_and_delete_beyond_the_guest_window(
    sign_in: Callable[..., SignIn], client: TestClient, ctx: Context, make_comment: Callable[..., Any]
) -> None:
    token = signed_in_token(sign_in, "google")
    mine = client.post("/api/v1/comments", json=comment_payload(author=None), headers=bearer(token)).json()
    guest = make_comment()
    sql(ctx, "UPDATE site SET edit_window_seconds = 1")
    sql(ctx, "UPDATE comment SET created = :t", t=utcnow() - timedelta(days=3))
    time.sleep(2.1)  # the guest's edit token carries its own timestamp: let the 1 s window pass
    refused = client.patch(
        f"/api/v1/comments/{guest['id']}",
        json={"body": "late"},
        headers={"Origin": BLOG, "X-Edit-Token": guest["edit_token"]},
    )
    assert refused.status_code == 403
    edited = client.patch(f"/api/v1/comments/{mine['id']}", json={"body": "*fixed*"}, headers=bearer(token))
    assert edited.status_code == 200
    assert "<em>fixed</em>" in edited.json()["html"]

    sql(ctx, "UPDATE site SET user_edit_window_seconds = 86400")
    late = client.patch(f"/api/v1/comments/{mine['id']}", json={"body": "again"}, headers=bearer(token))
    assert late.status_code == 403
    assert client.delete(f"/api/v1/comments/{mine['id']}", headers=bearer(token)).status_code == 204
    assert client.get("/api/v1/sites/blog/config").json()["user_edit_window_seconds"] == 86400


def test_nobody_else_edits_a_signed_in_comment(
    sign_in: Callable[..., SignIn], client: TestClient, fake_google: FakeGoogle
) -> None:
    token = signed_in_token(sign_in, "google")
    mine = client.post("/api/v1/comments", json=comment_payload(author=None), headers=bearer(token)).json()
    fake_google.user.id = "someone-else"
    theirs = signed_in_token(sign_in, "google")
    answer = client.patch(f"/api/v1/comments/{mine['id']}", json={"body": "x"}, headers=bearer(theirs))
    assert answer.status_code == 403
    assert client.delete(f"/api/v1/comments/{mine['id']}", headers={"Origin": BLOG}).status_code == 403


def test_logout_revokes_the_session(sign_in: Callable[..., SignIn], client: TestClient) -> None:
    token = signed_in_token(sign_in, "google")
    other = signed_in_token(sign_in, "google")
    assert client.post("/auth/logout", headers=bearer(token)).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    refused = client.post("/api/v1/comments", json=comment_payload(author=None), headers=bearer(token))
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert client.post("/auth/logout", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 200


def test_sign_out_everywhere_revokes_every_session_of_the_user(
    sign_in: Callable[..., SignIn], client: TestClient, other_site: Site, fake_google: FakeGoogle
) -> None:
    first = signed_in_token(sign_in, "google")
    elsewhere = signed_in_token(sign_in, "google", site="other", origin=OTHER)
    fake_google.user.id = "another-person"
    stranger = signed_in_token(sign_in, "google")
    assert client.post("/auth/logout?everywhere=1", headers=bearer(first)).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(first)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(elsewhere)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(stranger)).status_code == 200


def test_tokens_are_bound_to_their_site(
    sign_in: Callable[..., SignIn], client: TestClient, other_site: Site
) -> None:
    token = signed_in_token(sign_in, "google")
    on_other = comment_payload(author=None, site="other", url=f"{OTHER}/post")
    refused = client.post("/api/v1/comments", json=on_other, headers={**bearer(token), "Origin": OTHER})
    assert refused.status_code == 401
    assert "another site" in refused.json()["detail"]
    assert client.get("/api/v1/me", params={"site": "other"}, headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/me", params={"site": "blog"}, headers=bearer(token)).status_code == 200
    from_other_page = client.get("/api/v1/me", headers={**bearer(token), "Origin": OTHER})
    assert from_other_page.status_code == 401  # the page asking is not on the token's site
    guest = client.post(
        "/api/v1/comments",
        json={**on_other, "author": {"name": "G", "email": "g@example.com"}},
        headers={"Origin": OTHER},
    ).json()
    vote = client.post(f"/api/v1/comments/{guest['id']}/vote", json={"value": 1}, headers=bearer(token))
    assert vote.status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer not-a-token",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "x" * 2000,
    ],
)
def test_forged_or_malformed_bearers_are_refused(header: str, client: TestClient, blog: Site) -> None:
    answer = client.post(
        "/api/v1/comments", json=comment_payload(), headers={"Authorization": header, "Origin": BLOG}
    )
    assert answer.status_code == 401
    assert answer.json()["status"] == 401


def test_a_token_signed_for_another_purpose_is_refused(
    client: TestClient, make_comment: Callable[..., Any], ctx: Context
) -> None:
    edit_token = make_comment()["edit_token"]
    assert client.get("/api/v1/me", headers=bearer(edit_token)).status_code == 401
    forged = ctx.keys.serializer("commentbox.edit-token").dumps({"s": "x", "site": "blog"})
    assert client.get("/api/v1/me", headers=bearer(forged)).status_code == 401


def test_sessions_expire_and_slide(sign_in: Callable[..., SignIn], client: TestClient, ctx: Context) -> None:
    token = signed_in_token(sign_in, "google")
    sql(
        ctx,
        "UPDATE user_session SET last_seen = :t, expires = :e",
        t=utcnow() - timedelta(days=2),
        e=utcnow() + timedelta(days=1),
    )
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    with ctx.db.read() as session:
        expires = session.exec(select(UserSession)).one().expires
    assert expires > utcnow() + timedelta(days=29)  # slid to 30 days from now
    sql(ctx, "UPDATE user_session SET expires = :e", e=utcnow() - timedelta(seconds=1))
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


# Login ids ---------------------------------------------------------------------------------------


def test_login_id_is_redeemed_once(sign_in: Callable[..., SignIn]) -> None:
    flow = sign_in("twitter")
    flow.new_login()
    assert flow.redeem().status_code == 202
    assert flow.finish().status == 200
    first = flow.redeem()
    assert first.status_code == 200
    second = flow.redeem()
    assert second.status_code == 410
    assert second.headers["content-type"] == "application/problem+json"
    assert flow.start().status_code == 410  # and cannot start another flow


def test_login_id_expires(sign_in: Callable[..., SignIn], ctx: Context) -> None:
    flow = sign_in("google")
    flow.new_login()
    sql(ctx, "UPDATE login SET expires = :t", t=utcnow() - timedelta(seconds=1))
    assert flow.redeem().status_code == 410
    page = ResultPage.parse(flow.start())
    assert page.status == 410
    assert "expired" in page.sentence


def test_login_ids_are_only_for_registered_origins(
    client: TestClient, blog: Site, row_count: Callable[[str], int]
) -> None:
    evil = client.post("/auth/logins", json={"site": "blog", "origin": "https://evil.example"})
    assert evil.status_code == 403
    mismatch = client.post(
        "/auth/logins", json={"site": "blog", "origin": BLOG}, headers={"Origin": "https://evil.example"}
    )
    assert mismatch.status_code == 403
    assert client.post("/auth/logins", json={"site": "nope", "origin": BLOG}).status_code == 404
    assert (
        client.post("/auth/logins", content=b"{", headers={"Content-Type": "application/json"}).status_code
        == 400
    )
    assert client.post("/auth/logins", json={"site": "blog", "origin": "x" * 400}).status_code == 422
    assert row_count("login") == 0
    ok = client.post("/auth/logins", json={"site": "blog", "origin": BLOG + "/"}, headers={"Origin": BLOG})
    assert ok.status_code == 201
    assert ok.headers["access-control-allow-origin"] == BLOG
    assert len(ok.json()["login"]) >= 40


def test_login_id_is_redeemed_only_from_its_origin(sign_in: Callable[..., SignIn], other_site: Site) -> None:
    flow = sign_in("google")
    flow.finish()
    assert flow.redeem(origin=OTHER).status_code == 403
    assert flow.redeem(login="unknown-login").status_code == 404
    assert flow.redeem().status_code == 200


def test_a_login_id_of_one_site_cannot_start_a_flow_for_another(
    sign_in: Callable[..., SignIn], client: TestClient, other_site: Site
) -> None:
    flow = sign_in("google")
    flow.new_login()
    answer = client.get(
        "/auth/google/login", params={"site": "other", "login": flow.login}, follow_redirects=False
    )
    assert answer.status_code == 404


# Full-page redirect and return_to ----------------------------------------------------------------


def test_full_page_flow_returns_to_the_article_with_the_login_in_the_fragment(
    sign_in: Callable[..., SignIn],
) -> None:
    flow = sign_in("facebook")
    assert flow.start(return_to=ARTICLE + "?p=1#comments").status_code == 303
    back = flow.callback(flow.consent())
    assert back.status_code == 303
    assert back.headers["location"] == f"{ARTICLE}?p=1#commentbox-login={flow.login}"
    assert flow.redeem().status_code == 200


def test_full_page_flow_failure_returns_too_and_the_page_learns_why(sign_in: Callable[..., SignIn]) -> None:
    flow = sign_in("google")
    flow.start(return_to=ARTICLE)
    back = flow.callback(flow.consent(allow=False))
    assert back.headers["location"] == f"{ARTICLE}#commentbox-login={flow.login}"
    assert flow.redeem().json()["detail"].startswith("You cancelled")


@pytest.mark.parametrize(
    "return_to",
    [
        "//evil.example/",
        "/\\evil.example/",
        "https://blog.example@evil.example/",
        "https://evil.example\\@blog.example/",
        "javascript:alert(document.domain)",
        "JaVaScRiPt://blog.example/%0aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "https://evil.example/",
        "https://blog.example.evil.example/",
        "http://blog.example/",
        "https://blog.example:8443/",
        "/posts/hello/",
        "https://blog.example/\tx",
        "",
    ],
)
def test_return_to_must_be_on_the_logins_exact_origin(
    return_to: str, sign_in: Callable[..., SignIn], row_count: Callable[[str], int]
) -> None:
    flow = sign_in("google")
    answer = flow.start(return_to=return_to)
    if return_to == "":  # empty means "popup flow": nothing to redirect to
        assert answer.status_code == 303
        return
    assert answer.status_code in (400, 422)
    assert "location" not in answer.headers
    assert "not on this site" in ResultPage.parse(answer).sentence
    assert row_count("oauth_state") == 0


# The popup page: postMessage target --------------------------------------------------------------


def test_popup_pages_never_post_to_any_origin(
    sign_in: Callable[..., SignIn], client: TestClient, fake_google: FakeGoogle
) -> None:
    pages = [sign_in("google").finish(), sign_in("twitter").finish(allow=False)]
    fake_google.wrong_nonce = True
    pages.append(sign_in("google").finish())
    for page in pages:
        assert page.origin == BLOG
        assert page.message is not None
    script = client.get("/auth/popup.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    calls = re.findall(r"postMessage\(([^)]*)\)", script.text)
    assert calls == ["message, origin"]
    assert "*" not in re.sub(r"/\^https\?.*?\$/", "", script.text.split("postMessage")[0].split("\n", 3)[-1])
    unknown = ResultPage.parse(client.get("/auth/google/callback?code=x&state=y"))
    assert (unknown.origin, unknown.message) == ("", None)  # nobody to tell
    csp = client.get("/auth/google/callback?code=x&state=y").headers["content-security-policy"]
    assert "script-src 'self'" in csp


def test_popup_pages_escape_names(sign_in: Callable[..., SignIn], fake_facebook: FakeFacebook) -> None:
    fake_facebook.user.name = "<img src=x onerror=alert(1)>'\""
    page = sign_in("facebook").finish()
    assert "<img src=x" not in page.text
    assert page.message is not None and page.status == 200


# Demo mode -------------------------------------------------------------------------------------


def demo_settings(database_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "secret_file": tmp_path / "secret",
        "host": "127.0.0.1",
        "port": 8765,
    }
    return load_settings(**(values | overrides))


def test_demo_mode_is_refused_off_loopback(database_url: str, tmp_path: Path) -> None:
    for overrides in ({"host": "0.0.0.0"}, {"public_url": "https://comments.example.com"}):  # noqa: S104
        with pytest.raises(SettingsError, match="loopback"):
            create_app(demo_settings(database_url, tmp_path, **overrides), demo=True)
    plain = create_app(demo_settings(database_url, tmp_path))
    assert "demo" not in plain.state.ctx.providers


def test_demo_identity_signs_in_on_loopback(database_url: str, tmp_path: Path) -> None:
    settings = demo_settings(database_url, tmp_path)
    app = create_app(settings, demo=True)
    base = settings.base_url
    sites.add_site(app.state.ctx.db, "demo", origins=[base])
    with TestClient(app, base_url=base) as browser:
        assert "demo" in browser.get("/api/v1/sites/demo/config").json()["providers"]
        fragment = browser.get("/embed/thread", params={"site": "demo", "url": base + "/"})
        assert fragment.status_code == 200
        assert 'data-provider="demo"' in fragment.text and "demo mode" in fragment.text
        login = browser.post("/auth/logins", json={"site": "demo", "origin": base}).json()["login"]
        consent = browser.get("/auth/demo/login", params={"site": "demo", "login": login})
        assert consent.status_code == 200 and "Demo mode" in consent.text
        form = {"site": "demo", "login": login}
        assert browser.post("/auth/demo/login", data=form).status_code == 403  # no Origin: not our page
        assert (
            browser.post(
                "/auth/demo/login", data=form, headers={"Origin": "https://evil.example"}
            ).status_code
            == 403
        )
        page = ResultPage.parse(browser.post("/auth/demo/login", data=form, headers={"Origin": base}))
        assert page.status == 200 and "Demo mode" in page.text
        assert page.origin == base
        me = browser.get("/api/v1/me", headers={"Authorization": f"Bearer {page.token}"}).json()
        assert (me["provider"], me["name"]) == ("demo", "Demo Visitor")  # "(Demo)" once: the provider
        documented = browser.get("/api/v1/openapi.json").json()["paths"]
        assert "/auth/demo/login" in documented


def test_cli_refuses_demo_off_loopback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMMENTBOX_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.setenv("COMMENTBOX_HOST", "127.0.0.1")  # serve writes --host here; restored after
    assert cli.main(["serve", "--demo", "--host", "0.0.0.0"]) == 1  # noqa: S104
    assert "loopback" in capsys.readouterr().err
    monkeypatch.setenv("COMMENTBOX_HOST", "127.0.0.1")
    assert cli.main(["serve", "--demo", "--workers", "2"]) == 1
    assert "one worker" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"[]", 422),
        (b'{"site": "blog"}', 422),
        (b'{"site": "blog", "origin": "https://blog.example", "extra": 1}', 422),
        (b'{"site": "\\ud800", "origin": "https://blog.example"}', 422),
        (b'{"site": "blog", "origin": "<script>alert(1)</script>"}', 403),
        (b'{"site": "blog", "origin": "javascript:alert(1)"}', 403),
        (b"\xff\xfe", 400),
        (b'{"site": "' + b"b" * 70_000 + b'", "origin": "x"}', 413),
    ],
)
def test_hostile_login_requests_store_nothing(
    body: bytes, status: int, client: TestClient, blog: Site, row_count: Callable[[str], int]
) -> None:
    answer = client.post(
        "/auth/logins", content=body, headers={"Content-Type": "application/json", "Origin": BLOG}
    )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == status
    assert row_count("login") == 0


@pytest.mark.parametrize("login", ["%00", "x" * 500, "../../api/v1/me", "%F0%9F%92%A9"])
def test_odd_login_ids_are_unknown(login: str, client: TestClient, blog: Site) -> None:
    answer = client.post(f"/auth/logins/{login}/redeem", headers={"Origin": BLOG})
    assert answer.status_code == 404
    page = client.get(f"/auth/google/login?site=blog&login={login}", headers={"Referer": BLOG + "/"})
    assert page.status_code == 404
    assert "unknown" in page.text


@pytest.mark.parametrize("state", ["%00", "x" * 600, "%F0%9F%92%A9", "%0A"])
def test_odd_states_at_the_callback_are_refused_with_a_page(
    state: str, sign_in: Callable[..., SignIn]
) -> None:
    flow = sign_in("google")
    flow.consent()
    page = flow.client.get(f"/auth/google/callback?code=abc&state={state}")
    assert page.status_code == 400
    assert "unknown" in page.text


def test_a_flood_of_login_ids_is_refused_with_429(
    database_url: str, tmp_path: Path, blog: Site, row_count: Callable[[str], int]
) -> None:
    flood = load_settings(
        database_url=database_url,
        secret_key=TEST_SECRET,
        public_url="http://testserver",
        secret_file=tmp_path / "secret",
        login_rate_limits="3/minute",
    )
    with TestClient(create_app(flood), base_url="http://testserver") as browser:
        asked = [
            browser.post("/auth/logins", json={"site": "blog", "origin": BLOG}, headers={"Origin": BLOG})
            for _ in range(4)
        ]
    assert [a.status_code for a in asked] == [201, 201, 201, 429]
    assert asked[-1].headers["content-type"] == "application/problem+json"
    assert int(asked[-1].headers["retry-after"]) > 0
    assert row_count("login") == 3


def test_a_flood_of_sign_in_starts_with_one_login_id_is_refused_with_429(
    sign_in: Callable[..., SignIn], row_count: Callable[[str], int]
) -> None:
    """Each start writes Authlib's state: 100 starts of one login id, as fast as they come,
    meet the login ids' budget (20 a minute) and write nothing more."""
    flow = sign_in("google")
    answers = [flow.start() for _ in range(100)]
    assert [a.status_code for a in answers] == [303] * 20 + [429] * 80
    refused = ResultPage.parse(answers[-1])
    assert 1 <= int(answers[-1].headers["retry-after"]) <= 60
    assert refused.sentence.startswith("You are writing faster than this site allows (20 per minute)")
    assert (row_count("oauth_state"), row_count("login")) == (20, 1)


def test_one_login_id_started_from_many_addresses_is_charged_to_the_id(
    app: Any, sign_in: Callable[..., SignIn], row_count: Callable[[str], int]
) -> None:
    login = sign_in("google").new_login()
    statuses = []
    for n in range(25):
        with TestClient(app, base_url="http://testserver", client=(f"198.51.100.{n}", 4000)) as browser:
            answer = browser.get(
                "/auth/google/login",
                params={"site": "blog", "login": login},
                headers={"Referer": BLOG + "/"},
                follow_redirects=False,
            )
            statuses.append(answer.status_code)
    assert statuses == [303] * 20 + [429] * 5
    assert row_count("oauth_state") == 20


def test_a_flood_of_confirmed_and_admin_starts_is_refused_with_429(
    client: TestClient, sign_in: Callable[..., SignIn], row_count: Callable[[str], int]
) -> None:
    login = sign_in("google").new_login()
    same_origin = {"Origin": "http://testserver"}
    form = {"site": "blog", "login": login}
    confirmed = [
        client.post("/auth/google/login", data=form, headers=same_origin, follow_redirects=False).status_code
        for _ in range(21)
    ]
    assert confirmed == [200] * 20 + [429]  # each a page that moves on to Google (see _onwards)
    admin = client.post("/auth/google/admin", headers=same_origin)  # the same address's budget
    assert admin.status_code == 429 and int(admin.headers["retry-after"]) >= 1
    assert row_count("oauth_state") == 20


# Moderators signing in to /admin with a provider ----------------------------------------------------


def name_moderator(ctx: Context, site: str, provider: str, user_id: str) -> None:
    moderators.grant(ctx.db, site, Role.MODERATOR, provider=provider, provider_user_id=user_id)


def admin_sign_in(client: TestClient, provider: str, fake: FakeProvider) -> httpx.Response:
    """The /admin/login button, the provider's consent, and the callback: its answer."""
    callback = fake.approve(admin_authorize_url(client, provider))
    return client.get(path_and_query(callback), follow_redirects=False)


def admin_authorize_url(client: TestClient, provider: str) -> str:
    """Where the /admin/login button leads: a page continuing to the provider (a redirect
    would break the login page's CSP ``form-action 'self'`` in browsers)."""
    started = client.post(f"/auth/{provider}/admin", headers={"Origin": "http://testserver"})
    assert started.status_code == 200, started.text
    found = re.search(r'http-equiv="refresh" content="0;url=([^"]+)"', started.text)
    assert found is not None, started.text
    return html.unescape(found.group(1))


def admin_sessions(ctx: Context) -> int:
    with ctx.db.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM admin_session")).scalar_one())


def assert_not_a_moderator(answer: httpx.Response, client: TestClient, ctx: Context) -> None:
    """The admin sign-in was refused with a sentence, and no session exists or opens."""
    assert answer.status_code == 403
    assert moderators.NOT_MODERATOR in html.unescape(answer.text)
    assert not any(h.startswith("commentbox_admin=") for h in answer.headers.get_list("set-cookie"))
    assert admin_sessions(ctx) == 0
    assert client.get("/admin", follow_redirects=False).headers["location"] == "/admin/login"


def test_a_moderator_named_by_provider_identity_signs_in_to_admin(
    provider: tuple[str, FakeProvider], client: TestClient, ctx: Context, blog: Site, other_site: Site
) -> None:
    name, fake = provider
    name_moderator(ctx, "blog", name, fake.user.id)
    login_page = client.get("/admin/login").text
    assert f'action="/auth/{name}/admin"' in login_page

    answer = admin_sign_in(client, name, fake)
    assert answer.status_code == 200, answer.text
    assert 'http-equiv="refresh" content="0;url=/admin"' in answer.text  # a page, not a redirect
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith("commentbox_admin="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/admin" in cookie

    queue = client.get("/admin", follow_redirects=False)
    assert queue.status_code == 200, queue.text
    assert fake.user.name in queue.text
    assert 'href="/admin/sites/blog"' not in queue.text  # a moderator, not the owner
    site_page = client.get("/admin/sites/other", follow_redirects=False)
    assert site_page.status_code == 403  # other sites stay closed


def test_an_identity_that_moderates_nothing_gets_no_admin_session(
    client: TestClient, ctx: Context, blog: Site, fake_google: FakeGoogle
) -> None:
    answer = admin_sign_in(client, "google", fake_google)
    assert_not_a_moderator(answer, client, ctx)


def test_only_the_sign_in_page_of_this_server_can_start_an_admin_sign_in(
    client: TestClient, ctx: Context, blog: Site
) -> None:
    for origin in ("https://evil.example", None):
        headers = {"Origin": origin} if origin else {}
        refused = client.post("/auth/google/admin", headers=headers, follow_redirects=False)
        assert refused.status_code == 403
    with ctx.db.engine.connect() as connection:
        states = connection.execute(text("SELECT count(*) FROM oauth_state")).scalar_one()
    assert states == 0


def test_an_admin_sign_in_callback_works_once_and_only_in_the_browser_that_started_it(
    client: TestClient, ctx: Context, blog: Site, fake_google: FakeGoogle, settings: Settings
) -> None:
    name_moderator(ctx, "blog", "google", fake_google.user.id)

    def callback_url() -> str:
        return path_and_query(fake_google.approve(admin_authorize_url(client, "google")))

    with TestClient(create_app(settings), base_url="http://testserver") as elsewhere:
        stolen = elsewhere.get(callback_url(), follow_redirects=False)  # without this flow's cookie
    assert stolen.status_code == 400 and admin_sessions(ctx) == 0

    callback = callback_url()
    assert client.get(callback, follow_redirects=False).status_code == 200
    replay = client.get(callback, follow_redirects=False)
    assert replay.status_code == 400 and "already used" in html.unescape(replay.text)
    assert admin_sessions(ctx) == 1


def test_taking_the_role_away_ends_the_moderators_power_at_once(
    client: TestClient, ctx: Context, blog: Site, fake_twitter: FakeTwitter
) -> None:
    name_moderator(ctx, "blog", "twitter", fake_twitter.user.id)
    assert admin_sign_in(client, "twitter", fake_twitter).status_code == 200
    assert client.get("/admin", follow_redirects=False).status_code == 200
    sql(ctx, "DELETE FROM site_role")
    assert client.get("/admin", follow_redirects=False).headers["location"] == "/admin/login"


def test_an_owner_lets_a_signed_in_commenter_moderate_and_they_sign_in(
    client: TestClient,
    ctx: Context,
    blog: Site,
    sign_in: Callable[..., SignIn],
    fake_facebook: FakeFacebook,
    settings: Settings,
) -> None:
    """No provider user id to look up by hand: the owner opens one of the person's comments
    and makes them a moderator; that person then signs in to /admin with Facebook."""
    token = signed_in_token(sign_in, "facebook")
    comment = client.post("/api/v1/comments", json=comment_payload(author=None), headers=bearer(token))
    assert comment.status_code == 201, comment.text
    moderators.add_account(ctx.db, "olga", admin_tests.PASSWORD)
    moderators.grant(ctx.db, "blog", Role.OWNER, account_name="olga")

    with TestClient(create_app(settings), base_url="http://testserver") as owner:
        assert admin_tests.sign_in(owner, "olga").status_code == 303
        page = f"/admin/comments/{comment.json()['id']}"
        assert f"Let {fake_facebook.user.name} moderate blog" in html.unescape(owner.get(page).text)
        fields = {"provider": "facebook", "provider_user_id": fake_facebook.user.id, "role": "moderator"}
        assert admin_tests.act(owner, "/admin/sites/blog/moderators", fields, page).status_code == 303

    assert admin_sign_in(client, "facebook", fake_facebook).status_code == 200
    assert client.get("/admin", follow_redirects=False).status_code == 200


def ban_commenter(ctx: Context, comment_id: int, days: int | None = None) -> None:
    """A superuser bans the sender of a comment by their sign-in, as the comment page does."""
    root = actions.moderator_from_roles("root", [], superuser=True)
    banning.ban_from_comment(ctx.moderation, root, comment_id, [BanKind.USER], days)


def comment_as(client: TestClient, token: str, site: str = "blog", origin: str = BLOG) -> int:
    url = f"{origin}/posts/hello/"
    payload = comment_payload(author=None, site=site, url=url)
    answer = client.post("/api/v1/comments", json=payload, headers={**bearer(token), "Origin": origin})
    assert answer.status_code in (201, 202), answer.text
    return int(answer.json()["id"])


@pytest.mark.parametrize("ban_ran_out", [False, True])
def test_an_identity_banned_on_its_only_site_gets_no_admin_session(
    ban_ran_out: bool,
    client: TestClient,
    ctx: Context,
    sign_in: Callable[..., SignIn],
    fake_google: FakeGoogle,
) -> None:
    name_moderator(ctx, "blog", "google", fake_google.user.id)
    ban_commenter(ctx, comment_as(client, signed_in_token(sign_in, "google")), days=1)
    if ban_ran_out:
        sql(ctx, "UPDATE ban SET until = :past", past=utcnow() - timedelta(minutes=1))
    answer = admin_sign_in(client, "google", fake_google)
    if ban_ran_out:
        assert answer.status_code == 200 and admin_sessions(ctx) == 1
        return
    assert_not_a_moderator(answer, client, ctx)


def test_a_ban_ends_the_moderators_power_on_that_site_at_the_next_request(
    client: TestClient,
    ctx: Context,
    other_site: Site,
    sign_in: Callable[..., SignIn],
    fake_google: FakeGoogle,
) -> None:
    """Roles on other sites stay; a ban on the last one closes /admin altogether."""
    name_moderator(ctx, "blog", "google", fake_google.user.id)
    name_moderator(ctx, "other", "google", fake_google.user.id)
    on_blog = comment_as(client, signed_in_token(sign_in, "google"))
    on_other = comment_as(
        client, signed_in_token(sign_in, "google", site="other", origin=OTHER), "other", OTHER
    )
    assert admin_sign_in(client, "google", fake_google).status_code == 200
    assert client.get(f"/admin/comments/{on_blog}").status_code == 200

    ban_commenter(ctx, on_blog)
    assert client.get(f"/admin/comments/{on_blog}").status_code == 403
    refused = admin_tests.act(client, "/admin/comments", {"ids": on_blog, "action": "spam"})
    assert refused.status_code == 403 and admin_tests.status_of(ctx, on_blog) == "approved"
    queue = client.get("/admin").text
    assert f'id="c{on_other}"' in queue and f'id="c{on_blog}"' not in queue
    assert admin_tests.act(client, "/admin/comments", {"ids": on_other, "action": "spam"}).status_code == 303
    assert admin_tests.status_of(ctx, on_other) == "spam"

    ban_commenter(ctx, on_other)
    assert client.get("/admin", follow_redirects=False).headers["location"] == "/admin/login"


def test_a_banned_moderator_gets_no_mail_and_their_action_links_stop_working(
    client: TestClient, ctx: Context, sign_in: Callable[..., SignIn], fake_google: FakeGoogle
) -> None:
    name_moderator(ctx, "blog", "google", fake_google.user.id)
    comment_id = comment_as(client, signed_in_token(sign_in, "google"))
    email = fake_google.user.email
    assert email is not None
    with ctx.db.read() as session:
        assert moderators.moderator_emails(session, "blog") == [email]
        link = notify.action_token(
            ctx.notifier, comments.comment_by_id(session, comment_id), Action.SPAM, email
        )  # type: ignore[arg-type]
    ban_commenter(ctx, comment_id)
    with ctx.db.read() as session:
        assert moderators.moderator_emails(session, "blog") == []
    with pytest.raises(Forbidden):
        notify.act_from_link(ctx.notifier, link, "spam")
    assert admin_tests.status_of(ctx, comment_id) == "approved"


def test_a_forged_state_at_the_admin_callback_signs_nobody_in(
    client: TestClient, ctx: Context, blog: Site, fake_google: FakeGoogle, row_count: Callable[[str], int]
) -> None:
    name_moderator(ctx, "blog", "google", fake_google.user.id)
    callback = path_and_query(fake_google.approve(admin_authorize_url(client, "google")))
    for state in ("forged", "", "x" * 600):
        forged = client.get(re.sub(r"state=[^&]+", f"state={state}", callback), follow_redirects=False)
        assert forged.status_code == 400
        assert not any(h.startswith("commentbox_admin=") for h in forged.headers.get_list("set-cookie"))
    assert admin_sessions(ctx) == 0 and row_count("user") == 0
    assert client.get(callback, follow_redirects=False).status_code == 200  # the real one still works


def test_a_widget_sign_in_in_the_same_browser_works_after_an_admin_sign_in(
    client: TestClient, ctx: Context, sign_in: Callable[..., SignIn], fake_google: FakeGoogle
) -> None:
    name_moderator(ctx, "blog", "google", fake_google.user.id)
    assert admin_sign_in(client, "google", fake_google).status_code == 200
    token = signed_in_token(sign_in, "google")
    me = client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200 and me.json()["name"] == fake_google.user.name
    assert client.get("/admin", follow_redirects=False).status_code == 200  # and /admin stays open
