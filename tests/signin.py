"""Helpers for sign-in tests: settings pointing at the fake providers, and one sign-in round
trip driven over HTTP the way a browser's popup would drive it."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.fakes.base import FakeProvider
from tests.fakes.facebook import FakeFacebook
from tests.fakes.google import FakeGoogle
from tests.fakes.twitter import FakeTwitter
from tests.support import BLOG

PROVIDERS = ("google", "twitter", "facebook")


def provider_settings(google: FakeGoogle, twitter: FakeTwitter, facebook: FakeFacebook) -> dict[str, Any]:
    """Settings overrides that point all three providers at the running fakes (on 127.0.0.1,
    allow-listed for the safe fetcher, which fetches the fakes' pictures as it would a provider's)."""
    return {
        "outbound_allow_hosts": ["127.0.0.1"],
        "google_client_id": google.client_id,
        "google_client_secret": google.client_secret,
        "google_discovery_url": google.discovery_url,
        "twitter_client_id": twitter.client_id,
        "twitter_client_secret": twitter.client_secret,
        "twitter_authorize_url": twitter.authorize_url,
        "twitter_token_url": twitter.token_url,
        "twitter_api_url": twitter.api_url,
        "facebook_client_id": facebook.client_id,
        "facebook_client_secret": facebook.client_secret,
        "facebook_graph_version": facebook.graph_version,
        "facebook_authorize_url": facebook.base_url + "/{version}/dialog/oauth",
        "facebook_graph_url": facebook.base_url + "/{version}/",
    }


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


@dataclass
class ResultPage:
    """The popup's last page: what it would post, and to which origin."""

    status: int
    text: str
    origin: str = ""
    message: dict[str, Any] | None = None
    sentence: str = ""

    @classmethod
    def parse(cls, response: httpx.Response) -> ResultPage:
        text = response.text
        page = cls(response.status_code, text)
        origin = re.search(r'data-origin="([^"]*)"', text)
        message = re.search(r"data-message='([^']*)'", text)
        sentence = re.search(r'<p id="sentence">(.*?)</p>', text, re.S)
        page.origin = html.unescape(origin.group(1)) if origin else ""
        raw = html.unescape(message.group(1)) if message else ""
        page.message = json.loads(raw) if raw else None
        page.sentence = html.unescape(sentence.group(1)) if sentence else ""
        return page

    @property
    def token(self) -> str:
        assert self.message is not None, self.text
        return str(self.message["commentbox"]["token"])


@dataclass
class SignIn:
    """One sign-in through the app (TestClient = the visitor's browser) and a fake provider."""

    client: Any
    fake: FakeProvider
    provider: str
    site: str = "blog"
    origin: str = BLOG
    login: str = ""
    authorize_url: str = ""
    responses: list[httpx.Response] = field(default_factory=list)

    def new_login(self) -> str:
        answer = self.client.post(
            "/auth/logins", json={"site": self.site, "origin": self.origin}, headers={"Origin": self.origin}
        )
        assert answer.status_code == 201, answer.text
        self.login = answer.json()["login"]
        return self.login

    def start(self, return_to: str | None = None, referer: str | None = "page") -> httpx.Response:
        """The page opens ``/auth/{provider}/login`` (the browser sends the page's origin as
        ``Referer``); returns the answer (303 to the provider)."""
        if not self.login:
            self.new_login()
        params = {"site": self.site, "login": self.login}
        if return_to is not None:
            params["return_to"] = return_to
        headers = {"Referer": self.origin + "/"} if referer == "page" else {}
        if referer not in ("page", None):
            headers["Referer"] = str(referer)
        answer = self.client.get(
            f"/auth/{self.provider}/login", params=params, headers=headers, follow_redirects=False
        )
        if answer.status_code == 303:
            self.authorize_url = answer.headers["location"]
        return answer

    def consent(self, *, allow: bool = True) -> str:
        """The visitor clicks Allow (or Deny) at the provider; returns the callback URL."""
        if not self.authorize_url:
            assert self.start().status_code == 303
        return self.fake.approve(self.authorize_url, allow=allow)

    def callback(self, url: str) -> httpx.Response:
        return self.client.get(path_and_query(url), follow_redirects=False)  # type: ignore[no-any-return]

    def finish(self, *, allow: bool = True) -> ResultPage:
        """Start, consent and come back: the popup's last page."""
        return ResultPage.parse(self.callback(self.consent(allow=allow)))

    def redeem(self, login: str | None = None, origin: str | None = None) -> httpx.Response:
        return self.client.post(  # type: ignore[no-any-return]
            f"/auth/logins/{login or self.login}/redeem", headers={"Origin": origin or self.origin}
        )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Origin": BLOG}
