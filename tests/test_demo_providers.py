"""The demo providers' own rules, over HTTP: what a real provider refuses, they refuse, in
that provider's error shape, and a refused or hostile request leaves nothing stored."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from commentbox.app import create_app
from commentbox.http.demo_providers.grants import DemoGrants, s256
from tests.test_auth import demo_settings

VERIFIER = "v" * 64
BASE = "http://127.0.0.1:8765"
AUTHORIZE = {
    "google": "/demo-providers/google/authorize",
    "twitter": "/demo-providers/twitter/authorize",
    "facebook": "/demo-providers/facebook/v23.0/dialog/oauth",
}
TOKEN = {
    "google": "/demo-providers/google/token",
    "twitter": "/demo-providers/twitter/2/oauth2/token",
    "facebook": "/demo-providers/facebook/v23.0/oauth/access_token",
}
PKCE = {"google": True, "twitter": True, "facebook": False}


@pytest.fixture
def demo(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(demo_settings(database_url, tmp_path), demo=True), base_url=BASE) as client:
        yield client


def grants(client: TestClient) -> DemoGrants:
    store: DemoGrants = client.app.state.demo_grants  # type: ignore[attr-defined]
    return store


def authorize_params(client: TestClient, provider: str, **overrides: str) -> dict[str, str]:
    params = {
        "client_id": grants(client).client(provider).client_id,
        "redirect_uri": f"{BASE}/auth/{provider}/callback",
        "response_type": "code",
        "state": "st4te",
        "nonce": "n0nce",
    }
    if PKCE[provider]:
        params |= {"code_challenge": s256(VERIFIER), "code_challenge_method": "S256"}
    return params | overrides


def code_for(client: TestClient, provider: str) -> str:
    page = client.get(AUTHORIZE[provider], params=authorize_params(client, provider))
    assert page.status_code == 200 and "no " in page.text and "account is involved" in page.text
    consent = re.search(r'name="consent" value="([^"]+)"', page.text)
    assert consent is not None
    form = {"consent": consent.group(1), "answer": "allow"}
    answer = client.post(AUTHORIZE[provider], data=form, headers={"Origin": BASE})
    target = re.search(r'id="continue-link" href="([^"]+)"', answer.text)
    assert answer.status_code == 200 and target is not None
    url = urlsplit(html.unescape(target.group(1)))
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{BASE}/auth/{provider}/callback"
    query = parse_qs(url.query)
    assert query["state"] == ["st4te"]
    return query["code"][0]


def token_request(client: TestClient, provider: str, code: str, **overrides: Any) -> Any:
    own = grants(client).client(provider)
    form: dict[str, str] = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": f"{BASE}/auth/{provider}/callback",
    }
    if PKCE[provider]:
        form["code_verifier"] = VERIFIER
    secret = overrides.pop("secret", own.client_secret)
    form |= overrides
    if provider == "facebook":
        return client.post(TOKEN[provider], data=form | {"client_id": own.client_id, "client_secret": secret})
    return client.post(TOKEN[provider], data=form, auth=(own.client_id, secret))


def assert_refused(provider: str, response: Any) -> None:
    assert response.status_code in (400, 401)
    body = response.json()
    if provider == "facebook":
        assert body["error"]["type"] == "OAuthException"
    else:
        assert isinstance(body["error"], str) and "access_token" not in body


@pytest.mark.parametrize("provider", sorted(AUTHORIZE))
def test_a_code_is_exchanged_once(demo: TestClient, provider: str) -> None:
    code = code_for(demo, provider)
    first = token_request(demo, provider, code)
    assert first.status_code == 200 and first.json()["access_token"]
    assert ("id_token" in first.json()) == (provider == "google")
    assert_refused(provider, token_request(demo, provider, code))


@pytest.mark.parametrize("provider", sorted(AUTHORIZE))
@pytest.mark.parametrize(
    "overrides",
    [
        {"secret": "wrong"},
        {"redirect_uri": BASE + "/auth/evil/callback"},
        {"grant_type": "client_credentials"},
        {"code_verifier": "w" * 64},
    ],
)
def test_a_token_request_breaking_a_rule_is_refused_and_spends_nothing_it_should_not(
    demo: TestClient, provider: str, overrides: dict[str, str]
) -> None:
    code = code_for(demo, provider)
    assert_refused(provider, token_request(demo, provider, code, **overrides))
    assert not grants(demo).tokens.entries


@pytest.mark.parametrize("provider", sorted(AUTHORIZE))
@pytest.mark.parametrize(
    "overrides",
    [
        {"client_id": "someone-else"},
        {"redirect_uri": "https://evil.example/auth/x/callback"},
        {"redirect_uri": BASE + "/auth/google/callback?x=1"},
        {"response_type": "token"},
        {"state": ""},
        {"state": "<script>alert(1)</script>"},
        {"nonce": "a\x00b"},
        {"code_challenge": "short"},
        {"code_challenge_method": "plain"},
        {"client_id": "\u202e" * 3000},
    ],
)
def test_a_hostile_authorization_request_gets_a_refusal_page_and_no_redirect(
    demo: TestClient, provider: str, overrides: dict[str, str]
) -> None:
    page = demo.get(AUTHORIZE[provider], params=authorize_params(demo, provider, **overrides))
    if not PKCE[provider] and set(overrides) == {"code_challenge_method"}:
        assert page.status_code == 200  # Facebook takes no PKCE: a lone method changes nothing
        return
    assert page.status_code == 400 and "location" not in page.headers
    assert "refused this request" in page.text or page.json()["title"] == "Malformed request"
    assert "<script>" not in page.text
    assert not grants(demo).consents.entries


@pytest.mark.parametrize("provider", sorted(AUTHORIZE))
def test_a_consent_answer_from_another_site_or_with_a_made_up_id_makes_no_code(
    demo: TestClient, provider: str
) -> None:
    demo.get(AUTHORIZE[provider], params=authorize_params(demo, provider))
    (consent,) = grants(demo).consents.entries
    forged = demo.post(
        AUTHORIZE[provider],
        data={"consent": consent, "answer": "allow"},
        headers={"Origin": "https://evil.example"},
    )
    assert forged.status_code == 403
    made_up = demo.post(
        AUTHORIZE[provider], data={"consent": "x" * 43, "answer": "allow"}, headers={"Origin": BASE}
    )
    assert made_up.status_code == 400
    assert not grants(demo).codes.entries


def test_profiles_need_the_demo_providers_own_tokens(demo: TestClient) -> None:
    code = code_for(demo, "twitter")
    token = token_request(demo, "twitter", code).json()["access_token"]
    me = demo.get("/demo-providers/twitter/2/users/me", headers={"Authorization": "Bearer " + token})
    assert me.json()["data"]["name"] == "Xavier Demo"
    assert (
        demo.get("/demo-providers/twitter/2/users/me", headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )
    graph = demo.get("/demo-providers/facebook/v23.0/me", headers={"Authorization": "Bearer " + token})
    assert graph.status_code == 401 and graph.json()["error"]["code"] == 190  # X's token, not Facebook's


def test_demo_google_publishes_discovery_and_a_public_key_only(demo: TestClient) -> None:
    doc = demo.get("/demo-providers/google/.well-known/openid-configuration").json()
    assert doc["issuer"] == BASE + "/demo-providers/google"
    (key,) = demo.get("/demo-providers/google/jwks").json()["keys"]
    assert key["kty"] == "RSA" and "d" not in key and "p" not in key


def test_without_demo_there_are_no_demo_providers(client: TestClient) -> None:
    assert client.get("/demo-providers/google/jwks").status_code == 404
