"""Pytest fixtures for the fake providers; load with `pytest_plugins = ["tests.fakes.fixtures"]`.

Each fake runs once per test session on its own random loopback port (started
lazily, on first use); the function-scoped fixture resets every knob, code and
token before and after each test, so tests cannot leak state into each other.

    def test_sign_in(fake_google):
        fake_google.wrong_nonce = True
        ...  # settings: fake_google.discovery_url, .client_id, .client_secret
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .facebook import FakeFacebook
from .google import FakeGoogle
from .server import ServerThread
from .twitter import FakeTwitter
from .webhooks import FakeReceiver

__all__ = [
    "fake_facebook",
    "fake_facebook_server",
    "fake_google",
    "fake_google_server",
    "fake_twitter",
    "fake_twitter_server",
    "webhook_receiver",
    "webhook_receiver_server",
]


@pytest.fixture(scope="session")
def fake_google_server() -> Iterator[FakeGoogle]:
    """The running fake Google, shared by the session (use `fake_google` in tests)."""
    fake = FakeGoogle()
    with fake.serve():
        yield fake


@pytest.fixture(scope="session")
def fake_twitter_server() -> Iterator[FakeTwitter]:
    """The running fake X, shared by the session (use `fake_twitter` in tests)."""
    fake = FakeTwitter()
    with fake.serve():
        yield fake


@pytest.fixture(scope="session")
def fake_facebook_server() -> Iterator[FakeFacebook]:
    """The running fake Facebook, shared by the session (use `fake_facebook` in tests)."""
    fake = FakeFacebook()
    with fake.serve():
        yield fake


@pytest.fixture
def fake_google(fake_google_server: FakeGoogle) -> Iterator[FakeGoogle]:
    """Fake Google with default knobs: `.discovery_url`, `.client_id`, `.client_secret`, …"""
    fake_google_server.reset()
    yield fake_google_server
    fake_google_server.reset()


@pytest.fixture
def fake_twitter(fake_twitter_server: FakeTwitter) -> Iterator[FakeTwitter]:
    """Fake X with default knobs: `.authorize_url`, `.token_url`, `.api_url`, …"""
    fake_twitter_server.reset()
    yield fake_twitter_server
    fake_twitter_server.reset()


@pytest.fixture
def fake_facebook(fake_facebook_server: FakeFacebook) -> Iterator[FakeFacebook]:
    """Fake Facebook with default knobs: `.authorize_url`, `.graph_url`, `.graph_version`, …"""
    fake_facebook_server.reset()
    yield fake_facebook_server
    fake_facebook_server.reset()


@pytest.fixture(scope="session")
def webhook_receiver_server() -> Iterator[FakeReceiver]:
    """The running webhook receiver, shared by the session (use `webhook_receiver` in tests)."""
    fake = FakeReceiver()
    with ServerThread(fake.app) as server:
        fake.url = server.url
        yield fake


@pytest.fixture
def webhook_receiver(webhook_receiver_server: FakeReceiver) -> Iterator[FakeReceiver]:
    """A receiver at `.url` + `/hook/ok|fail|hang`; set `.secret` to the endpoint's."""
    webhook_receiver_server.reset()
    webhook_receiver_server.release.clear()
    yield webhook_receiver_server
    webhook_receiver_server.reset()
