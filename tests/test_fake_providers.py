"""The fake providers behave like Google, X and Facebook, as seen by Authlib's real clients.

If these pass, a sign-in test that runs against the fakes exercises the same
client code paths (PKCE, client authentication method, id_token checks,
provider error shapes) as production against the real providers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client, OAuthError
from authlib.integrations.starlette_client import OAuth
from joserfc import jws, jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
)
from joserfc.jwk import KeySet
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.base import FakeProvider
from tests.fakes.facebook import FakeFacebook
from tests.fakes.google import OTHER_CLIENT, FakeGoogle
from tests.fakes.server import ServerThread
from tests.fakes.twitter import FakeTwitter

pytest_plugins = ["tests.fakes.fixtures"]

# Never contacted: the fakes only redirect the browser (here: the test) to it.
CALLBACK = "http://127.0.0.1:9/auth/{}/callback"

# How the app is meant to configure each provider's client.
CLIENT_CONFIG: dict[str, dict[str, Any]] = {
    "google": {"scope": "openid email profile", "auth": "client_secret_basic", "pkce": True},
    "twitter": {"scope": "tweet.read users.read", "auth": "client_secret_basic", "pkce": True},
    "facebook": {"scope": "email public_profile", "auth": "client_secret_post", "pkce": False},
}
PROVIDERS = list(CLIENT_CONFIG)


@pytest.fixture(params=PROVIDERS)
def provider(request: pytest.FixtureRequest) -> tuple[str, FakeProvider]:
    """Each fake in turn, for rules all three share."""
    name: str = request.param
    return name, request.getfixturevalue(f"fake_{name}")


def make_client(
    name: str, fake: FakeProvider, *, auth: str | None = None, pkce: bool | None = None
) -> OAuth2Client:
    config = CLIENT_CONFIG[name]
    use_pkce = config["pkce"] if pkce is None else pkce
    return OAuth2Client(
        client_id=fake.client_id,
        client_secret=fake.client_secret,
        token_endpoint_auth_method=auth or config["auth"],
        scope=config["scope"],
        redirect_uri=CALLBACK.format(name),
        code_challenge_method="S256" if use_pkce else None,
        timeout=5,
    )


class Login:
    """One authorization round trip: the URL sent to the provider and what came back."""

    def __init__(self, client: OAuth2Client, fake: FakeProvider, **params: str) -> None:
        self.verifier = generate_token(48)
        self.nonce = generate_token(20)
        if "openid" in (client.scope or ""):
            params.setdefault("nonce", self.nonce)
        self.url, self.state = client.create_authorization_url(
            fake.authorize_url,
            code_verifier=self.verifier,
            **params,
        )
        self.client = client
        self.fake = fake

    def approve(self) -> str:
        self.callback = self.fake.approve(self.url)
        return self.callback

    @property
    def code(self) -> str:
        return query(self.callback)["code"]

    def fetch_token(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("code_verifier", self.verifier)
        return self.client.fetch_token(
            self.fake.token_url,
            authorization_response=self.callback,
            **kwargs,
        )


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def clients() -> Iterator[list[OAuth2Client]]:
    """Collects clients so each test closes its connections."""
    made: list[OAuth2Client] = []
    yield made
    for client in made:
        client.close()


def signed_in(name: str, fake: FakeProvider, clients: list[OAuth2Client], **kw: Any) -> Login:
    client = make_client(name, fake, **kw)
    clients.append(client)
    login = Login(client, fake)
    login.approve()
    return login


# -- rules all three share -----------------------------------------------------


def test_consent_page_names_client_and_redirect_uri(
    provider: tuple[str, FakeProvider], clients: list[OAuth2Client]
) -> None:
    name, fake = provider
    client = make_client(name, fake)
    clients.append(client)
    page = httpx2.get(Login(client, fake).url)
    assert page.status_code == 200
    assert fake.client_id in page.text
    assert CALLBACK.format(name) in page.text
    assert 'id="approve"' in page.text and 'id="deny"' in page.text
    assert "cross-origin-opener-policy" not in page.headers


def test_coop_knob_severs_opener_on_consent_page(
    provider: tuple[str, FakeProvider], clients: list[OAuth2Client]
) -> None:
    name, fake = provider
    fake.coop = True
    client = make_client(name, fake)
    clients.append(client)
    page = httpx2.get(Login(client, fake).url)
    assert page.headers["cross-origin-opener-policy"] == "same-origin"


def test_approve_returns_code_and_state(
    provider: tuple[str, FakeProvider], clients: list[OAuth2Client]
) -> None:
    name, fake = provider
    login = signed_in(name, fake, clients)
    assert login.callback.startswith(CALLBACK.format(name) + "?")
    assert query(login.callback)["state"] == login.state
    assert login.code


def test_deny_redirects_with_access_denied(
    provider: tuple[str, FakeProvider], clients: list[OAuth2Client]
) -> None:
    name, fake = provider
    client = make_client(name, fake)
    clients.append(client)
    login = Login(client, fake)
    back = query(fake.deny(login.url))
    assert back["error"] == "access_denied"
    assert back["state"] == login.state
    assert "code" not in back


def test_auto_approve_skips_consent(provider: tuple[str, FakeProvider], clients: list[OAuth2Client]) -> None:
    name, fake = provider
    fake.auto_approve = True
    client = make_client(name, fake)
    clients.append(client)
    answer = httpx2.get(Login(client, fake).url)
    assert answer.status_code == 302
    assert "code" in query(answer.headers["location"])


def test_unknown_client_gets_an_error_page_not_a_redirect(
    provider: tuple[str, FakeProvider],
) -> None:
    name, fake = provider
    client = OAuth2Client("nobody", "nothing", redirect_uri=CALLBACK.format(name))
    url, _ = client.create_authorization_url(fake.authorize_url, state="s")
    client.close()
    page = httpx2.get(url)
    assert page.status_code in (400, 401)
    assert "location" not in page.headers


def test_unregistered_redirect_uri_is_refused_without_redirect(
    provider: tuple[str, FakeProvider], clients: list[OAuth2Client]
) -> None:
    name, fake = provider
    fake.allowed_redirect_uris = {CALLBACK.format(name)}
    client = make_client(name, fake)
    clients.append(client)
    evil = Login(client, fake, redirect_uri="http://evil.example/cb")
    page = httpx2.get(evil.url)
    assert page.status_code == 400
    assert "location" not in page.headers
    assert "redirect_uri_mismatch" in page.text
    assert httpx2.get(Login(client, fake).url).status_code == 200


def provider_error(exc: OAuthError) -> str:
    """The error code whatever the shape (Facebook's is the Graph dict)."""
    if isinstance(exc.error, dict):
        return f"graph:{exc.error['code']}"
    return str(exc.error)


def test_code_is_single_use_and_replay_revokes_its_token(
    provider: tuple[str, FakeProvider], clients: list[OAuth2Client]
) -> None:
    name, fake = provider
    login = signed_in(name, fake, clients)
    token = login.fetch_token()
    assert token["access_token"] in fake.tokens
    with pytest.raises(OAuthError) as replay:
        login.fetch_token()
    assert provider_error(replay.value) in ("invalid_grant", "invalid_request", "graph:100")
    assert token["access_token"] not in fake.tokens


def test_redirect_uri_must_match_exactly_at_token_endpoint(
    provider: tuple[str, FakeProvider], clients: list[OAuth2Client]
) -> None:
    name, fake = provider
    login = signed_in(name, fake, clients)
    with pytest.raises(OAuthError):
        login.fetch_token(redirect_uri=CALLBACK.format(name) + "/")
    assert login.fetch_token()["access_token"]  # the failed attempt did not spend it


def test_code_expires(provider: tuple[str, FakeProvider], clients: list[OAuth2Client]) -> None:
    name, fake = provider
    fake.code_ttl = 0
    login = signed_in(name, fake, clients)
    with pytest.raises(OAuthError):
        login.fetch_token()


def test_code_is_bound_to_its_client(provider: tuple[str, FakeProvider], clients: list[OAuth2Client]) -> None:
    name, fake = provider
    other = fake.register_client("other-app", "other-secret")
    login = signed_in(name, fake, clients)
    thief = OAuth2Client(
        other.client_id,
        other.client_secret,
        token_endpoint_auth_method=CLIENT_CONFIG[name]["auth"],
        redirect_uri=CALLBACK.format(name),
    )
    clients.append(thief)
    with pytest.raises(OAuthError):
        thief.fetch_token(
            fake.token_url,
            code=login.code,
            code_verifier=login.verifier,
        )


def test_wrong_client_secret_is_refused(
    provider: tuple[str, FakeProvider], clients: list[OAuth2Client]
) -> None:
    name, fake = provider
    login = signed_in(name, fake, clients)
    login.client.client_secret = "wrong"
    with pytest.raises(OAuthError):
        login.fetch_token()


def test_down_answers_503(provider: tuple[str, FakeProvider], clients: list[OAuth2Client]) -> None:
    name, fake = provider
    login = signed_in(name, fake, clients)
    fake.down = True
    with pytest.raises(httpx2.HTTPStatusError) as down:
        login.fetch_token()
    assert down.value.response.status_code == 503


def test_slow_provider_trips_client_timeout(
    provider: tuple[str, FakeProvider], clients: list[OAuth2Client]
) -> None:
    name, fake = provider
    login = signed_in(name, fake, clients)
    fake.delay = 5
    with pytest.raises(httpx2.TimeoutException):
        login.fetch_token(timeout=0.3)


def test_avatar_is_a_real_png(provider: tuple[str, FakeProvider]) -> None:
    _, fake = provider
    image = httpx2.get(fake.absolute(fake.user.picture))
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG\r\n\x1a\n")


# -- Google: OpenID Connect ----------------------------------------------------


def verify_id_token(fake: FakeGoogle, id_token: str, nonce: str) -> dict[str, Any]:
    """What a relying party does: keys from discovery's jwks_uri, then every claim."""
    metadata = httpx2.get(fake.discovery_url).json()
    keys = KeySet.import_key_set(httpx2.get(metadata["jwks_uri"]).json())
    token = jwt.decode(id_token, keys, algorithms=metadata["id_token_signing_alg_values_supported"])
    jwt.JWTClaimsRegistry(
        leeway=120,
        iss={"essential": True, "value": metadata["issuer"]},
        aud={"essential": True, "value": fake.client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    ).validate(token.claims)
    return token.claims


def test_google_discovery_points_at_the_fake(fake_google: FakeGoogle) -> None:
    metadata = httpx2.get(fake_google.discovery_url).json()
    assert metadata["issuer"] == fake_google.url
    assert metadata["authorization_endpoint"] == fake_google.authorize_url
    assert metadata["token_endpoint"] == fake_google.token_url
    assert metadata["userinfo_endpoint"] == fake_google.userinfo_url
    jwks = httpx2.get(metadata["jwks_uri"]).json()
    assert [key["kid"] for key in jwks["keys"]] == [fake_google.signing_key.kid]
    assert all("d" not in key for key in jwks["keys"])  # public keys only


@pytest.mark.parametrize("auth", ["client_secret_basic", "client_secret_post"])
def test_google_signs_in_with_verified_id_token(
    fake_google: FakeGoogle, clients: list[OAuth2Client], auth: str
) -> None:
    login = signed_in("google", fake_google, clients, auth=auth)
    token = login.fetch_token()
    assert token["token_type"] == "Bearer"
    assert fake_google.token_requests[-1].method == auth.removeprefix("client_secret_")
    claims = verify_id_token(fake_google, token["id_token"], login.nonce)
    user = fake_google.user
    assert claims["sub"] == user.id
    assert claims["name"] == user.name
    assert claims["email"] == user.email
    assert claims["picture"] == fake_google.absolute(user.picture)
    userinfo = login.client.get(fake_google.userinfo_url).json()
    assert userinfo["sub"] == user.id
    assert userinfo["email"] == user.email


def test_google_identity_is_configurable(fake_google: FakeGoogle, clients: list[OAuth2Client]) -> None:
    fake_google.user.id = "42"
    fake_google.user.name = "Émilie du Châtelet <script>"
    login = signed_in("google", fake_google, clients)
    claims = verify_id_token(fake_google, login.fetch_token()["id_token"], login.nonce)
    assert (claims["sub"], claims["name"]) == ("42", "Émilie du Châtelet <script>")


def test_google_pkce_is_verified_when_a_challenge_was_sent(
    fake_google: FakeGoogle, clients: list[OAuth2Client]
) -> None:
    login = signed_in("google", fake_google, clients)
    with pytest.raises(OAuthError) as wrong:
        login.fetch_token(code_verifier=generate_token(48))
    assert wrong.value.error == "invalid_grant"
    login = signed_in("google", fake_google, clients)
    with pytest.raises(OAuthError) as missing:
        login.fetch_token(code_verifier=None)
    assert missing.value.description == "Missing code verifier."


def test_google_without_pkce_still_works(fake_google: FakeGoogle, clients: list[OAuth2Client]) -> None:
    login = signed_in("google", fake_google, clients, pkce=False)
    assert "code_challenge" not in query(login.url)
    assert login.fetch_token(code_verifier=None)["id_token"]


BAD_TOKENS: list[tuple[str, Any, type[JoseError]]] = [
    ("wrong_nonce", True, InvalidClaimError),
    ("forged_signature", True, BadSignatureError),
    ("wrong_audience", True, InvalidClaimError),
    ("id_token_claims", {"aud": OTHER_CLIENT}, InvalidClaimError),  # azp still ours
    ("id_token_claims", {"iss": "https://accounts.google.com"}, InvalidClaimError),
    ("expired_id_token", True, ExpiredTokenError),
]
BAD_TOKEN_IDS = ["nonce", "signature", "audience", "aud-only", "issuer", "expired"]


@pytest.mark.parametrize(("knob", "value", "error"), BAD_TOKENS, ids=BAD_TOKEN_IDS)
def test_google_bad_token_knobs_fail_verification(
    fake_google: FakeGoogle,
    clients: list[OAuth2Client],
    knob: str,
    value: Any,
    error: type[JoseError],
) -> None:
    setattr(fake_google, knob, value)
    login = signed_in("google", fake_google, clients)
    id_token = login.fetch_token()["id_token"]
    with pytest.raises(error):
        verify_id_token(fake_google, id_token, login.nonce)


def test_google_key_rotation_keeps_old_key_published(
    fake_google: FakeGoogle, clients: list[OAuth2Client]
) -> None:
    old = fake_google.signing_key.kid
    new = fake_google.rotate_key().kid
    login = signed_in("google", fake_google, clients)
    id_token = login.fetch_token()["id_token"]
    assert jws.extract_compact(id_token.encode()).headers()["kid"] == new
    verify_id_token(fake_google, id_token, login.nonce)
    kids = [key["kid"] for key in httpx2.get(fake_google.jwks_url).json()["keys"]]
    assert kids == [old, new]


# -- Google through Authlib's Starlette integration (what the app will run) ----


def relying_party(fake: FakeGoogle, *, check_aud: bool = True) -> Starlette:
    """A minimal app using `authlib.integrations.starlette_client` against the fake."""
    oauth = OAuth()
    oauth.register(
        "google",
        client_id=fake.client_id,
        client_secret=fake.client_secret,
        server_metadata_url=fake.discovery_url,
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    )

    async def login(request: Request) -> Response:
        callback = str(request.url_for("callback"))
        return await oauth.google.authorize_redirect(request, callback)

    async def callback(request: Request) -> Response:
        # Authlib checks aud only when told to (by default it checks azp alone);
        # passing claims_options replaces its default iss check, so give both.
        options = {
            "iss": {"essential": True, "value": fake.issuer},
            "aud": {"essential": True, "value": fake.client_id},
        }
        try:
            token = await oauth.google.authorize_access_token(
                request, claims_options=options if check_aud else None
            )
        except (OAuthError, JoseError) as exc:  # joserfc errors are not OAuthError
            return JSONResponse({"error": type(exc).__name__}, 400)
        return JSONResponse(dict(token["userinfo"]))

    return Starlette(
        routes=[Route("/login", login), Route("/callback", callback, name="callback")],
        middleware=[Middleware(SessionMiddleware, secret_key="test-only")],
    )


@pytest.fixture(scope="module")
def rp_url(fake_google_server: FakeGoogle) -> Iterator[str]:
    with ServerThread(relying_party(fake_google_server)) as server:
        yield server.url


def rp_sign_in(rp_url: str, fake: FakeGoogle) -> httpx2.Response:
    with httpx2.Client(follow_redirects=False, timeout=10) as browser:
        to_provider = browser.get(rp_url + "/login")
        assert to_provider.status_code == 302
        sent = query(to_provider.headers["location"])
        assert sent["code_challenge_method"] == "S256" and sent["nonce"]
        return browser.get(fake.approve(to_provider.headers["location"]))


def test_starlette_integration_signs_in(fake_google: FakeGoogle, rp_url: str) -> None:
    answer = rp_sign_in(rp_url, fake_google)
    assert answer.status_code == 200, answer.text
    assert answer.json()["sub"] == fake_google.user.id
    assert fake_google.token_requests[-1].method == "basic"


@pytest.mark.parametrize(("knob", "value", "error"), BAD_TOKENS, ids=BAD_TOKEN_IDS)
def test_starlette_integration_raises_joserfc_errors_on_bad_tokens(
    fake_google: FakeGoogle, rp_url: str, knob: str, value: Any, error: type[JoseError]
) -> None:
    setattr(fake_google, knob, value)
    answer = rp_sign_in(rp_url, fake_google)
    assert answer.status_code == 400
    assert answer.json() == {"error": error.__name__}


def test_starlette_integration_default_options_miss_an_aud_only_mismatch(
    fake_google: FakeGoogle,
) -> None:
    """Why the app must pass claims_options: Authlib's defaults accept this token."""
    fake_google.id_token_claims = {"aud": OTHER_CLIENT}
    with ServerThread(relying_party(fake_google, check_aud=False)) as server:
        answer = rp_sign_in(server.url, fake_google)
    assert answer.status_code == 200


# -- X ---------------------------------------------------------------------------


def test_twitter_signs_in_with_basic_auth_and_pkce(
    fake_twitter: FakeTwitter, clients: list[OAuth2Client]
) -> None:
    login = signed_in("twitter", fake_twitter, clients)
    assert query(login.url)["code_challenge_method"] == "S256"
    token = login.fetch_token()
    assert token["token_type"] == "bearer"
    assert "id_token" not in token
    assert fake_twitter.token_requests[-1].method == "basic"
    me = login.client.get(fake_twitter.profile_url, params={"user.fields": "profile_image_url"})
    user = fake_twitter.user
    assert me.json() == {
        "data": {
            "id": user.id,
            "name": user.name,
            "username": user.username,
            "profile_image_url": fake_twitter.absolute(user.picture),
        }
    }


def test_twitter_profile_image_only_when_asked_and_never_email(
    fake_twitter: FakeTwitter, clients: list[OAuth2Client]
) -> None:
    login = signed_in("twitter", fake_twitter, clients)
    login.fetch_token()
    data = login.client.get(fake_twitter.profile_url).json()["data"]
    assert set(data) == {"id", "name", "username"}


def test_twitter_requires_pkce(fake_twitter: FakeTwitter, clients: list[OAuth2Client]) -> None:
    client = make_client("twitter", fake_twitter, pkce=False)
    clients.append(client)
    login = Login(client, fake_twitter)
    assert "code_challenge" not in query(login.url)
    page = httpx2.get(login.url)
    assert page.status_code == 400
    assert "location" not in page.headers
    assert "code_challenge is required" in page.text


def test_twitter_checks_the_verifier(fake_twitter: FakeTwitter, clients: list[OAuth2Client]) -> None:
    login = signed_in("twitter", fake_twitter, clients)
    with pytest.raises(OAuthError) as wrong:
        login.fetch_token(code_verifier=generate_token(48))
    assert wrong.value.error == "invalid_request"


def test_twitter_refuses_client_secret_post(fake_twitter: FakeTwitter, clients: list[OAuth2Client]) -> None:
    login = signed_in("twitter", fake_twitter, clients, auth="client_secret_post")
    with pytest.raises(OAuthError) as refused:
        login.fetch_token()
    assert refused.value.error == "unauthorized_client"
    assert refused.value.description == "Missing valid authorization header"
    assert fake_twitter.token_requests[-1].method == "post"


def test_twitter_users_me_can_be_forbidden(fake_twitter: FakeTwitter, clients: list[OAuth2Client]) -> None:
    login = signed_in("twitter", fake_twitter, clients)
    login.fetch_token()
    fake_twitter.users_me_forbidden = True
    me = login.client.get(fake_twitter.profile_url)
    assert me.status_code == 403
    assert me.json()["type"] == "https://api.twitter.com/2/problems/client-forbidden"
    assert me.json()["client_id"] == fake_twitter.client_id


def test_twitter_users_me_needs_a_live_token(fake_twitter: FakeTwitter) -> None:
    me = httpx2.get(fake_twitter.profile_url, headers={"Authorization": "Bearer nope"})
    assert me.status_code == 401
    assert me.json()["title"] == "Unauthorized"


# -- Facebook ------------------------------------------------------------------------


def test_facebook_signs_in_with_credentials_as_parameters(
    fake_facebook: FakeFacebook, clients: list[OAuth2Client]
) -> None:
    assert fake_facebook.authorize_url.endswith(f"/{fake_facebook.graph_version}/dialog/oauth")
    login = signed_in("facebook", fake_facebook, clients)
    token = login.fetch_token()
    assert token["token_type"] == "bearer"
    assert fake_facebook.token_requests[-1].method == "post"
    me = login.client.get(fake_facebook.profile_url, params={"fields": "id,name,email,picture"})
    user = fake_facebook.user
    assert me.json() == {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "picture": {
            "data": {
                "height": 50,
                "is_silhouette": False,
                "url": fake_facebook.absolute(user.picture),
                "width": 50,
            }
        },
    }


def test_facebook_refuses_basic_auth_with_graph_error(
    fake_facebook: FakeFacebook, clients: list[OAuth2Client]
) -> None:
    login = signed_in("facebook", fake_facebook, clients, auth="client_secret_basic")
    with pytest.raises(OAuthError) as refused:
        login.fetch_token()
    error = refused.value.error
    assert isinstance(error, dict)  # Graph's envelope, not an RFC 6749 string
    assert error["message"] == "Missing client_id parameter."
    assert error["type"] == "OAuthException"
    assert error["code"] == 101
    assert re.fullmatch(r"[A-Za-z0-9]{11}", error["fbtrace_id"])


def test_facebook_replayed_code_uses_graph_subcode(
    fake_facebook: FakeFacebook, clients: list[OAuth2Client]
) -> None:
    login = signed_in("facebook", fake_facebook, clients)
    login.fetch_token()
    with pytest.raises(OAuthError) as replay:
        login.fetch_token()
    assert isinstance(replay.value.error, dict)
    assert replay.value.error["error_subcode"] == 36009


def test_facebook_email_can_be_missing(fake_facebook: FakeFacebook, clients: list[OAuth2Client]) -> None:
    fake_facebook.omit_email = True
    login = signed_in("facebook", fake_facebook, clients)
    login.fetch_token()
    me = login.client.get(fake_facebook.profile_url, params={"fields": "id,name,email,picture"})
    assert "email" not in me.json()
    assert me.json()["picture"]["data"]["url"]


def test_facebook_other_graph_versions_are_refused(fake_facebook: FakeFacebook) -> None:
    answer = httpx2.get(fake_facebook.url + "/v2.0/me")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 2635


def test_facebook_me_needs_a_live_token(fake_facebook: FakeFacebook) -> None:
    answer = httpx2.get(fake_facebook.profile_url, params={"access_token": "nope"})
    assert answer.json()["error"]["code"] == 190


# -- the runner ------------------------------------------------------------------------


def test_server_thread_starts_and_stops_cleanly() -> None:
    fake = FakeTwitter()
    server = ServerThread(fake.app).start()
    assert httpx2.get(server.url + "/2/users/me").status_code == 401
    server.stop()
    with pytest.raises(httpx2.ConnectError):
        httpx2.get(server.url + "/2/users/me")
