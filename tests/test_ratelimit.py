"""Rate limits: per client address and per identity, 429 with Retry-After, in memory or Redis."""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx2
import pytest
import redis
from sqlalchemy import text
from starlette.testclient import TestClient

from commentbox.app import create_app
from commentbox.config import SettingsError, load_settings
from commentbox.domain import sites
from commentbox.errors import InvalidInput
from commentbox.runtime.ratelimit import DEFAULT_RULES, RateLimiter
from tests.conftest import required_or_skip
from tests.fakes.server import ServerThread
from tests.support import ARTICLE, BLOG, TEST_SECRET, comment_payload

REDIS_URL = "redis://127.0.0.1:6379/0"


def use_limiter(app, limiter: RateLimiter) -> None:
    """Give an app another limiter: the container and the bundles built from it."""
    ctx = app.state.ctx
    ctx.rate_limiter = limiter
    ctx.screens = dataclasses.replace(ctx.screens, rate_limiter=limiter)
    ctx.commenting = dataclasses.replace(ctx.commenting, screens=ctx.screens)


@pytest.fixture
def limited(settings):
    """An app with the production default limits."""
    return create_app(settings.model_copy(update={"rate_limits": DEFAULT_RULES}))


def post(client, n, **changes):
    payload = comment_payload(body=f"comment number {n}", **changes)
    return client.post("/api/v1/comments", json=payload, headers={"Origin": BLOG})


def test_the_default_is_three_a_minute_and_twenty_an_hour():
    assert load_settings(secret_key=TEST_SECRET).rate_limits == "3/minute; 20/hour"


def test_the_fourth_comment_in_a_minute_from_one_client_is_refused(limited, blog, row_count):
    with TestClient(limited) as client:
        for n in range(3):
            assert post(client, n, author={"name": f"P{n}", "email": f"p{n}@example.com"}).status_code == 201
        refused = post(client, 3, author={"name": "P3", "email": "p3@example.com"})
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    retry_after = int(refused.headers["retry-after"])
    assert 1 <= retry_after <= 60
    problem = refused.json()
    assert problem["retry_after"] == retry_after
    assert "3 per minute" in problem["detail"]
    assert row_count("comment") == 3


def test_an_identity_is_limited_across_addresses(limited, blog, row_count):
    def client_at(n: int) -> TestClient:
        return TestClient(limited, client=(f"198.51.100.{n}", 4000))

    for n in range(3):
        with client_at(n) as client:
            assert post(client, n).status_code == 201  # the same email each time
    with client_at(9) as client:
        assert post(client, 9).status_code == 429
        # The same browser token under different emails is one identity too.
        headers = {"X-Commentbox-Client": "browser-1"}
        client.headers.update(headers)
    for n in range(10, 13):
        with client_at(n) as client:
            client.headers.update(headers)
            assert post(client, n, author={"name": "X", "email": f"x{n}@example.com"}).status_code == 201
    with client_at(20) as client:
        client.headers.update(headers)
        assert post(client, 20, author={"name": "X", "email": "x20@example.com"}).status_code == 429
    assert row_count("comment") == 6


def test_every_rule_applies(settings, blog):
    app = create_app(settings.model_copy(update={"rate_limits": "100/minute; 4/hour"}))
    with TestClient(app) as client:
        statuses = [
            post(client, n, author={"name": "A", "email": f"a{n}@example.com"}).status_code for n in range(5)
        ]
        last = post(client, 9, author={"name": "A", "email": "a9@example.com"})
    assert statuses == [201, 201, 201, 201, 429]
    assert "4 per hour" in last.json()["detail"]
    assert int(last.headers["retry-after"]) > 60


def test_edits_have_their_own_budget(limited, blog):
    with TestClient(limited) as client:
        posted = post(client, 1).json()
        headers = {"Origin": BLOG, "X-Edit-Token": posted["edit_token"]}
        statuses = [
            client.patch(
                f"/api/v1/comments/{posted['id']}", json={"body": f"edit {n}"}, headers=headers
            ).status_code
            for n in range(4)
        ]
    assert statuses == [200, 200, 200, 429]


def test_votes_have_a_budget_of_their_own_thirty_a_minute_by_default(settings):
    assert load_settings(secret_key=TEST_SECRET).vote_rate_limits == "30/minute; 300/hour"
    app = create_app(settings.model_copy(update={"vote_rate_limits": "5/minute"}))
    assert not app.state.ctx.rate_limiter.enabled  # rate_limits=off turns the vote budget off too
    assert app.state.ctx.rate_limiter.per_action == {"vote": [], "guest-mail": []}


def vote(client, comment_id):
    return client.post(f"/api/v1/comments/{comment_id}/vote", json={"value": 1}, headers={"Origin": BLOG})


def voting_app(settings, vote_rules: str):
    """An app with the default comment budget and ``vote_rules`` for votes."""
    return create_app(
        settings.model_copy(update={"rate_limits": DEFAULT_RULES, "vote_rate_limits": vote_rules})
    )


def comments_by_others(app, count: int) -> list[int]:
    """``count`` comments by authors at other addresses than the voters' (three each: their budget)."""
    ids = []
    for n in range(count):
        with TestClient(app, client=(f"198.51.100.{n // 3}", 4000)) as author:
            ids.append(post(author, n, author={"name": f"A{n}", "email": f"a{n}@example.com"}).json()["id"])
    return ids


def test_the_vote_budget_ends_in_429_and_leaves_the_comment_budget_alone(settings, blog, row_count):
    app = voting_app(settings, "5/minute")
    ids = comments_by_others(app, 6)
    with TestClient(app, client=("203.0.113.5", 4000)) as voter:
        statuses = [vote(voter, comment_id).status_code for comment_id in ids]
        refused = vote(voter, ids[-1])
        assert statuses == [200] * 5 + [429]
        assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
        assert "5 per minute" in refused.json()["detail"]
        assert row_count("vote") == 5
        # Five votes used none of this visitor's three comments a minute.
        posts = [post(voter, 10 + n, author={"name": "V", "email": f"v{n}@example.com"}) for n in range(4)]
    assert [p.status_code for p in posts] == [201, 201, 201, 429]
    assert row_count("comment") == 9


def test_a_vote_flood_from_one_client_stores_only_its_budget(settings, blog, row_count):
    """A vote on each of 90 comments as fast as 16 connections send them: 10 stored, 80 refused
    (each on its own comment, so every vote let through is a row of its own)."""
    app = voting_app(settings, "10/minute")
    sites.update_site(app.state.ctx.db, "blog", thread_write_limits="off", site_write_limits="off")
    ids = comments_by_others(app, 90)  # all published: the thread's and site's budgets are off
    with (
        ServerThread(app) as server,
        httpx2.Client(base_url=server.url, timeout=30) as http,
        ThreadPoolExecutor(16) as pool,
    ):
        statuses = Counter(pool.map(lambda comment_id: vote(http, comment_id).status_code, ids))
    assert statuses == {200: 10, 429: 80}
    assert row_count("vote") == 10


def test_refusal_carries_cors_headers_so_the_widget_can_read_retry_after(limited, blog):
    with TestClient(limited) as client:
        for n in range(3):
            post(client, n, author={"name": "A", "email": f"a{n}@example.com"})
        refused = post(client, 3, author={"name": "A", "email": "a3@example.com"})
    assert refused.status_code == 429
    assert refused.headers["access-control-allow-origin"] == BLOG
    assert "Retry-After" in refused.headers["access-control-expose-headers"]


def test_off_switches_only_the_rate_limits_off(client, blog, row_count):
    """The shared test settings use ``rate_limits="off"``, as benchmarks do."""
    assert all(post(client, n).status_code == 201 for n in range(10))
    assert row_count("comment") == 10


def test_a_wrong_setting_stops_start_up_with_a_sentence(monkeypatch):
    monkeypatch.setenv("COMMENTBOX_RATE_LIMITS", "lots")
    with pytest.raises(SettingsError, match="COMMENTBOX_RATE_LIMITS"):
        load_settings(secret_key=TEST_SECRET)
    monkeypatch.setenv("COMMENTBOX_RATE_LIMITS", "off")
    assert load_settings(secret_key=TEST_SECRET).rate_limits == "off"


def test_a_flood_from_one_client_stores_exactly_the_allowed_comments(limited, blog, row_count):
    """500 posts as fast as 16 connections can send them: 3 stored, the rest 429, no 5xx."""
    with ServerThread(limited) as server, httpx2.Client(base_url=server.url, timeout=30) as http:

        def send(n: int) -> int:
            payload = comment_payload(
                body=f"flood {n}", author={"name": "Bot", "email": f"bot{n}@example.com"}
            )
            return http.post("/api/v1/comments", json=payload, headers={"Origin": BLOG}).status_code

        with ThreadPoolExecutor(16) as pool:
            statuses = Counter(pool.map(send, range(500)))
    assert statuses == {201: 3, 429: 497}
    assert row_count("comment") == 3


# Redis --------------------------------------------------------------------------------------


@pytest.fixture
def redis_limiter():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        required_or_skip("Redis is not reachable at 127.0.0.1:6379")
    limiter = RateLimiter("3/minute", REDIS_URL, prefix=f"commentbox-test-{uuid.uuid4().hex}")
    yield limiter
    limiter.reset()


def test_instances_share_one_budget_through_redis(settings, blog, redis_limiter, row_count):
    """Two app instances (as behind a load balancer) draw on the same Redis-held budget."""
    one, two = create_app(settings), create_app(settings)
    use_limiter(one, redis_limiter)
    use_limiter(two, redis_limiter)
    with TestClient(one) as first, TestClient(two) as second:
        assert [
            post(first, n, author={"name": "A", "email": f"a{n}@x.org"}).status_code for n in range(2)
        ] == [
            201,
            201,
        ]
        assert post(second, 2, author={"name": "A", "email": "a2@x.org"}).status_code == 201
        refused = post(first, 3, author={"name": "A", "email": "a3@x.org"})
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert row_count("comment") == 3


def test_the_redis_url_setting_selects_redis_storage(settings, redis_limiter):
    app = create_app(settings.model_copy(update={"rate_limits": "3/minute", "redis_url": REDIS_URL}))
    assert type(app.state.ctx.rate_limiter.storage).__name__ == "RedisStorage"


def test_a_redis_outage_lets_comments_through(settings, blog, row_count, caplog):
    app = create_app(settings)
    use_limiter(app, RateLimiter("1/minute", "redis://127.0.0.1:1/0"))
    with TestClient(app) as client:
        assert post(client, 1).status_code == 201
        assert post(client, 2).status_code == 201
    assert row_count("comment") == 2
    assert "rate-limit storage unavailable" in caplog.text


# Budgets across addresses: a thread's and a site's --------------------------------------------


@pytest.fixture
def behind_proxy(settings):
    """An app with the default limits behind a trusted proxy on 127.0.0.1, so that each
    request of a flood may come from an address of its own (``X-Forwarded-For``)."""
    return create_app(
        settings.model_copy(update={"rate_limits": DEFAULT_RULES, "trusted_proxies": ["127.0.0.1/32"]})
    )


def from_address(client, n: int, **changes):
    payload = comment_payload(
        body=f"comment number {n}", author={"name": f"P{n}", "email": f"p{n}@example.com"}
    )
    payload.update(changes)
    headers = {"Origin": BLOG, "X-Forwarded-For": f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"}
    return client.post("/api/v1/comments", json=payload, headers=headers)


def published(client, url=ARTICLE) -> int:
    return client.get("/api/v1/threads", params={"site": "blog", "url": url}).json()["thread"]["count"]


def test_the_defaults_of_the_thread_and_site_budgets(blog):
    assert (blog.thread_write_limits, blog.site_write_limits) == (
        "10/minute; 100/hour",
        "60/minute; 600/hour",
    )


def test_a_flood_onto_one_thread_from_many_addresses_is_held_beyond_the_threads_budget(
    behind_proxy, make_site, row_count
):
    """200 posts from 200 addresses, 16 at a time, onto one thread: each address within its
    own limit, the thread's budget (5 a minute here) publishes 5 and holds the other 195."""
    make_site(thread_write_limits="5/minute")
    with ServerThread(behind_proxy) as server, httpx2.Client(base_url=server.url, timeout=30) as http:
        with ThreadPoolExecutor(16) as pool:
            statuses = Counter(pool.map(lambda n: from_address(http, n).status_code, range(200)))
        assert statuses == {201: 5, 202: 195}
        assert published(http) == 5
    assert row_count("comment") == 200


def test_the_sites_budget_holds_a_flood_spread_over_many_threads(behind_proxy, make_site, row_count):
    make_site(site_write_limits="4/minute")
    with TestClient(behind_proxy, client=("127.0.0.1", 4000)) as client:
        statuses = [from_address(client, n, url=f"{BLOG}/posts/{n}").status_code for n in range(6)]
        assert statuses == [201] * 4 + [202] * 2
        assert sum(published(client, f"{BLOG}/posts/{n}") for n in range(6)) == 4
    assert row_count("comment") == 6


def test_each_thread_has_a_budget_of_its_own_and_off_switches_it_off(behind_proxy, make_site):
    make_site(thread_write_limits="2/minute")
    with TestClient(behind_proxy, client=("127.0.0.1", 4000)) as client:
        assert [from_address(client, n).status_code for n in range(3)] == [201, 201, 202]
        other = [from_address(client, 10 + n, url=f"{BLOG}/other").status_code for n in range(2)]
        assert other == [201, 201]
        sites.update_site(behind_proxy.state.ctx.db, "blog", thread_write_limits="off")
        assert [from_address(client, 20 + n).status_code for n in range(3)] == [201] * 3


def test_a_budget_that_is_not_one_is_refused_with_a_sentence(ctx, blog):
    with pytest.raises(InvalidInput, match="thread_write_limits"):
        sites.update_site(ctx.db, "blog", thread_write_limits="lots")
    assert sites.update_site(ctx.db, "blog", site_write_limits=" 100/hour ").site_write_limits == "100/hour"


# A cap on new threads ---------------------------------------------------------------------------


def test_invented_pages_beyond_the_sites_new_thread_cap_are_refused(behind_proxy, make_site, row_count):
    """A page's first comment makes its thread: 60 an hour by default, 3 here. Beyond, 429
    with Retry-After and nothing written; pages that have a thread still take comments."""
    assert make_site().new_thread_limits == "60/hour"
    sites.update_site(behind_proxy.state.ctx.db, "blog", new_thread_limits="3/hour")
    with TestClient(behind_proxy, client=("127.0.0.1", 4000)) as client:
        answers = [from_address(client, n, url=f"{BLOG}/invented/{n}") for n in range(8)]
        assert [a.status_code for a in answers] == [201] * 3 + [429] * 5
        assert int(answers[-1].headers["retry-after"]) > 60  # the hour's window
        assert "no new discussions" in answers[-1].json()["detail"]
        assert from_address(client, 20, url=f"{BLOG}/invented/0").status_code == 201
    assert (row_count("thread"), row_count("comment")) == (3, 4)


def test_a_flood_of_invented_pages_makes_exactly_the_cap_of_threads(behind_proxy, make_site, row_count):
    make_site(new_thread_limits="10/hour", site_write_limits="off")

    def first_comment(n: int) -> int:
        return from_address(http, n, url=f"{BLOG}/invented/{n}").status_code

    with (
        ServerThread(behind_proxy) as server,
        httpx2.Client(base_url=server.url, timeout=30) as http,
        ThreadPoolExecutor(16) as pool,
    ):
        statuses = Counter(pool.map(first_comment, range(150)))
    assert statuses == {201: 10, 429: 140}
    assert (row_count("thread"), row_count("comment")) == (10, 10)


# The same text from many authors -----------------------------------------------------------------


CAMPAIGN = "Earn $500 a day from home, ask me how!"


def spam_rows(ctx) -> int:
    with ctx.db.engine.connect() as connection:
        return int(
            connection.execute(text("SELECT count(*) FROM comment WHERE status = 'spam'")).scalar_one()
        )


def test_the_same_text_from_many_authors_is_held_as_spam_after_the_first_three(behind_proxy, make_site, ctx):
    assert make_site().same_text_limits == "3/day"
    with TestClient(behind_proxy, client=("127.0.0.1", 4000)) as client:
        answers = [from_address(client, n, body=CAMPAIGN, url=f"{BLOG}/posts/{n % 2}") for n in range(6)]
        assert [a.status_code for a in answers] == [201] * 3 + [202] * 3
        assert answers[-1].json()["status"] == "pending"  # the sender learns only that it waits
        # Folded as duplicates are: case, width and spacing make no new text.
        assert from_address(client, 9, body="  EARN $500 a day   from home, ask me how! ").status_code == 202
        # What many people honestly say is never counted.
        assert [from_address(client, 20 + n, body="Thanks for this!").status_code for n in range(5)] == [
            201
        ] * 5
    assert spam_rows(ctx) == 4


def test_a_campaign_flood_from_many_addresses_publishes_exactly_three(
    behind_proxy, make_site, ctx, row_count
):
    make_site(thread_write_limits="off", site_write_limits="off")
    with (
        ServerThread(behind_proxy) as server,
        httpx2.Client(base_url=server.url, timeout=30) as http,
        ThreadPoolExecutor(16) as pool,
    ):
        statuses = Counter(pool.map(lambda n: from_address(http, n, body=CAMPAIGN).status_code, range(100)))
    assert statuses == {201: 3, 202: 97}
    assert (row_count("comment"), spam_rows(ctx)) == (100, 97)
